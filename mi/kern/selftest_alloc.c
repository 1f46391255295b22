/*
 * Boot-time self-tests of the zone allocator and kernel malloc, run by
 * "selftest=zone,malloc" on the kernel command line (see selftest.h).
 *
 * The zone test checks page accounting exactly against the physical
 * allocator: it reclaims every zone before and after, so the count of
 * free pages must come back to the same number.  That assumes nothing
 * else allocates pages meanwhile, which holds while the self-tests run
 * at boot.
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <kern/selftest.h>
#include <vm/kmem.h>
#include <vm/vm_page.h>
#include <vm/zone.h>
#include <machine/param.h>

#define ZT_ITEMS	100
#define ZT_SIZE		200	/* rounds up to 208: 16-byte alignment */

MALLOC_DEFINE(M_SELFTEST, "selftest", "allocator self-tests");

static void
fill(void *p, size_t n, unsigned seed)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(seed * 31 + i);
}

static bool
filled(const void *p, size_t n, unsigned seed)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)(seed * 31 + i))
			return false;
	return true;
}

static bool
zeroed(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != 0)
			return false;
	return true;
}

/*
 * Zones.
 */

static bool
zone_stats_are(zone_t z, uint64_t inuse, uint64_t requests)
{
	struct zone_stats st;

	zone_get_stats(z, &st);
	return st.inuse == inuse && st.requests == requests &&
	    st.failures == 0 && st.pages > 0 &&
	    (st.inuse + st.free) * st.size <= st.pages * PAGE_SIZE &&
	    (st.inuse + st.free) % st.slabs == 0;
}

static void
selftest_zone_items(zone_t z, const char *kind)
{
	static void *items[ZT_ITEMS];
	size_t size = zone_item_size(z);
	bool good = true;
	unsigned char *p;
	int i;

	for (i = 0; i < ZT_ITEMS; i++) {
		items[i] = zone_alloc(z, M_WAITOK);
		if (items[i] == NULL || (uintptr_t)items[i] % 16 != 0 ||
		    zone_of_item(items[i]) != z) {
			good = false;
			break;
		}
		fill(items[i], size, i);
	}
	if (!selftest_ok(good, "zone: %s: %d items allocated, aligned, "
	    "in their zone", kind, ZT_ITEMS)) {
		while (--i >= 0)
			zone_free(z, items[i]);
		return;
	}
	selftest_ok(zone_stats_are(z, ZT_ITEMS, ZT_ITEMS),
	    "zone: %s: stats exact after allocating", kind);

	for (i = 0; i < ZT_ITEMS; i += 2) {
		good = good && filled(items[i], size, i);
		zone_free(z, items[i]);
	}
	selftest_ok(good && zone_stats_are(z, ZT_ITEMS / 2, ZT_ITEMS),
	    "zone: %s: half freed, contents were intact, stats exact", kind);

	p = zone_alloc(z, M_WAITOK | M_ZERO);
	selftest_ok(p != NULL && zeroed(p, size), "zone: %s: M_ZERO", kind);
	zone_free(z, p);

	for (i = 1; i < ZT_ITEMS; i += 2) {
		good = good && filled(items[i], size, i);
		zone_free(z, items[i]);
	}
	selftest_ok(good && zone_stats_are(z, 0, ZT_ITEMS + 1),
	    "zone: %s: all freed, inuse back to 0", kind);
}

static void
zone_selftest(void)
{
	struct zone_stats st;
	uint64_t free_before, free_after;
	zone_t z;

	zone_reclaim_all();
	free_before = vm_page_count_free();

	z = zone_create("selftest", ZT_SIZE, 0, 0);
	if (!selftest_ok(z != NULL && zone_item_size(z) == 208,
	    "zone: create a %d-byte zone (items of 208)", ZT_SIZE))
		return;
	selftest_zone_items(z, "cached");
	zone_reclaim(z);
	zone_get_stats(z, &st);
	selftest_ok(st.pages == 0 && st.free == 0,
	    "zone: zone_reclaim gives back every slab");
	zone_destroy(z);

	z = zone_create("selftest-nocache", ZT_SIZE, 0, ZONE_NOCACHE);
	if (!selftest_ok(z != NULL, "zone: create a ZONE_NOCACHE zone"))
		return;
	selftest_zone_items(z, "nocache");
	zone_get_stats(z, &st);
	selftest_ok(st.slabs == 1, "zone: nocache: one empty slab kept");
	zone_destroy(z);

	zone_reclaim_all();
	free_after = vm_page_count_free();
	selftest_ok(free_after == free_before,
	    "zone: every page came back (%lu free before, %lu after)",
	    (unsigned long)free_before, (unsigned long)free_after);
}
SELFTEST(zone, zone_selftest);

/*
 * malloc.
 */

static bool
type_is(uint64_t inuse, uint64_t bytes)
{
	return M_SELFTEST->mt_inuse == inuse && M_SELFTEST->mt_bytes == bytes;
}

static void
selftest_malloc_buckets(void)
{
	static void *p[16];
	uint64_t bytes = 0, requests = M_SELFTEST->mt_requests;
	size_t size, large = 3 * PAGE_SIZE + 1;
	bool good = true;
	int n = 0, i;

	for (size = MALLOC_MIN_BUCKET; size <= MALLOC_MAX_BUCKET; size *= 2) {
		p[n] = malloc(size, M_SELFTEST, M_WAITOK);
		if (p[n] == NULL || malloc_usable_size(p[n]) != size ||
		    !kmem_is_page_block(p[n])) {
			good = false;
			if (p[n] == NULL)
				break;
		}
		fill(p[n], size, n);
		bytes += malloc_usable_size(p[n]);
		n++;
	}
	selftest_ok(good, "malloc: one allocation from every bucket");
	p[n] = malloc(large, M_SELFTEST, M_WAITOK);
	selftest_ok(p[n] != NULL && malloc_usable_size(p[n]) == 4 * PAGE_SIZE &&
	    !kmem_is_page_block(p[n]), "malloc: a large allocation is "
	    "page-rounded kmem memory");
	if (p[n] != NULL) {
		fill(p[n], large, n);
		bytes += malloc_usable_size(p[n]);
		n++;
	}
	selftest_ok(type_is(n, bytes) &&
	    M_SELFTEST->mt_requests == requests + n &&
	    M_SELFTEST->mt_highwater >= bytes,
	    "malloc: type counts %d allocations, %lu bytes", n,
	    (unsigned long)bytes);

	good = true;
	for (i = 0; i < n; i++) {
		size = malloc_usable_size(p[i]);
		good = good && filled(p[i], size < large ? size : large, i);
		free(p[i], M_SELFTEST);
	}
	selftest_ok(good && type_is(0, 0), "malloc: contents intact, "
	    "counters back to zero after free");
}

static void
selftest_malloc_zero(void)
{
	size_t size;
	bool good = true;
	void *p;

	for (size = MALLOC_MIN_BUCKET; size <= 2 * MALLOC_MAX_BUCKET;
	    size *= 2) {
		p = malloc(size, M_SELFTEST, M_WAITOK);
		if (p == NULL) {
			good = false;
			continue;
		}
		memset(p, 0xa5, size);
		free(p, M_SELFTEST);
		p = malloc(size, M_SELFTEST, M_WAITOK | M_ZERO);
		good = good && p != NULL && zeroed(p, size);
		free(p, M_SELFTEST);
	}
	selftest_ok(good && type_is(0, 0), "malloc: M_ZERO for every bucket "
	    "and a large size");
}

static void
selftest_malloc_realloc(void)
{
	unsigned char *p, *q;
	bool good;

	p = malloc(10, M_SELFTEST, M_WAITOK);
	if (!selftest_ok(p != NULL, "malloc: realloc: first allocation"))
		return;
	fill(p, 10, 7);
	q = realloc(p, 10000, M_SELFTEST, M_WAITOK);
	good = q != NULL && filled(q, 10, 7) && type_is(1,
	    malloc_usable_size(q));
	if (q != NULL)
		p = q;
	q = realloc(p, 100, M_SELFTEST, M_WAITOK);
	good = good && q != NULL && filled(q, 10, 7) &&
	    malloc_usable_size(q) == 128 && type_is(1, 128);
	if (q != NULL)
		p = q;
	free(p, M_SELFTEST);
	selftest_ok(good && type_is(0, 0), "malloc: realloc grows and shrinks "
	    "keeping the contents");
}

static void
malloc_selftest(void)
{
	selftest_malloc_buckets();
	selftest_malloc_zero();
	selftest_malloc_realloc();
	free(NULL, M_SELFTEST);
	selftest_ok(type_is(0, 0) && M_SELFTEST->mt_failures == 0,
	    "malloc: free(NULL) is a no-op; no failures");
}
SELFTEST(malloc, malloc_selftest);
