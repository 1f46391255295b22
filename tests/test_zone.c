/*
 * Host unit test for the zone allocator (mi/vm/zone.c), TAP output.
 *
 * Build and run:
 *   gcc -std=gnu11 -g -O1 -Wall -Wextra -Werror \
 *       -fsanitize=address,undefined -fno-sanitize-recover=all \
 *       -I tests/host/include -I mi tests/test_zone.c mi/vm/zone.c \
 *       tests/host/host_support.c tests/host/tap.c mi/kern/spinlock.c \
 *       -lpthread -o /tmp/test_zone && /tmp/test_zone
 *
 * Pages come from host_support.c's kmem_page_* (aligned heap blocks), so
 * host_pages_in_use shows leaks and host_page_alloc_fail_after injects
 * allocation failures.  Each pthread plays one cpu by setting its own
 * host_pcpu.pc_cpuid.  Checks that must panic run in a forked child whose
 * stderr is captured.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/systm.h>
#include <kern/pcpu.h>
#include <machine/cpu.h>
#include <machine/param.h>
#include <vm/kmem.h>
#include <vm/zone.h>

#include "host/host_support.h"
#include "host/tap.h"

/*
 * Helpers.
 */

static struct zone_stats
stats(zone_t z)
{
	struct zone_stats st;

	zone_get_stats(z, &st);
	return st;
}

static size_t
expected_align(size_t size, size_t align)
{
	size_t min = size >= 16 ? 16 : 8;

	return align > min ? align : min;
}

/* Fill an item with a pattern derived from tag; tag lives in word 0. */
static void
pattern_fill(void *item, size_t size, uint64_t tag)
{
	unsigned char *b = item;
	size_t i;

	memcpy(b, &tag, sizeof(tag));
	for (i = sizeof(tag); i < size; i++)
		b[i] = (unsigned char)((tag >> ((i % 8) * 8)) ^ i);
}

static bool
pattern_ok(const void *item, size_t size)
{
	const unsigned char *b = item;
	uint64_t tag;
	size_t i;

	memcpy(&tag, b, sizeof(tag));
	for (i = sizeof(tag); i < size; i++)
		if (b[i] != (unsigned char)((tag >> ((i % 8) * 8)) ^ i))
			return false;
	return true;
}

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a;
	uintptr_t y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

/* Give every empty slab back and measure the pages still held. */
static uint64_t
settled_pages(void)
{
	zone_reclaim_all();
	return host_pages_in_use;
}

/*
 * Tests.
 */

static void
test_create_args(void)
{
	static const struct { size_t size, align, want; } cases[] = {
		{ 1, 0, 8 }, { 8, 0, 8 }, { 12, 0, 16 }, { 13, 4, 16 },
		{ 16, 0, 16 }, { 17, 0, 32 }, { 24, 8, 32 }, { 40, 0, 48 },
		{ 100, 64, 128 }, { 3, 32, 32 }, { 4096, 4096, 4096 },
		{ 5000, 0, 5008 },
	};
	uint64_t base = settled_pages();
	bool good = true;
	size_t i;
	zone_t z;

	tap_ok(zone_create("bad", 0, 0, 0) == NULL, "size 0 is refused");
	tap_ok(zone_create("bad", 32, 24, 0) == NULL,
	    "an alignment that is not a power of two is refused");
	tap_ok(zone_create("bad", 64 * 1024, 0, 0) == NULL,
	    "an item bigger than the largest slab is refused");
	for (i = 0; i < nitems(cases); i++) {
		z = zone_create("args", cases[i].size, cases[i].align, 0);
		CHECK(good, "create", z != NULL);
		if (z == NULL)
			continue;
		CHECK(good, "item size", zone_item_size(z) == cases[i].want);
		CHECK(good, "name", strcmp(stats(z).name, "args") == 0);
		zone_destroy(z);
	}
	tap_ok(good,
	    "item sizes are rounded to the alignment (min 8, 16 from 16)");
	tap_ok(settled_pages() == base, "create/destroy leaks no pages");
}

/*
 * Allocate and free many items of one zone, checking alignment,
 * containment, non-overlap, contents and exact statistics throughout.
 */
static void
test_zone_shape(size_t size, size_t align, int flags)
{
	const size_t isz = roundup2(size, expected_align(size, align));
	const char *kind = (flags & ZONE_NOCACHE) ? "nocache" : "cached";
	uint64_t base = settled_pages(), seed = size * 7919 + align + 1;
	uint64_t ipers, pps, requests = 0, inuse = 0;
	struct zone_stats st;
	size_t n, i, j;
	bool good = true;
	void **items;
	zone_t z;

	z = zone_create("shape", size, align, flags);
	if (!tap_ok(z != NULL, "create %zu/%zu %s zone", size, align, kind))
		return;
	st = stats(z);
	CHECK(good, "fresh", st.inuse == 0 && st.free == 0 && st.slabs == 0 &&
	    st.pages == 0 && st.requests == 0 && st.failures == 0);
	CHECK(good, "size", st.size == isz && zone_item_size(z) == isz);

	/* The first item makes one slab: learn items and pages per slab. */
	items = calloc(4096, sizeof(*items));
	items[0] = zone_alloc(z, M_WAITOK);
	st = stats(z);
	ipers = st.inuse + st.free;
	pps = st.pages;
	CHECK(good, "first", items[0] != NULL && st.inuse == 1 &&
	    st.slabs == 1 && st.requests == 1);
	CHECK(good, "geometry", ipers >= 1 && ipers * isz <= pps * PAGE_SIZE &&
	    powerof2(pps) && pps <= 8);
	CHECK(good, "waste", ipers >= 8 || (ipers * isz) * 8 >= pps * PAGE_SIZE * 6);
	requests = inuse = 1;

	n = 3 * ipers + 5;
	if (n > 4096)
		n = 4096;
	pattern_fill(items[0], isz, tap_rand_r(&seed));
	for (i = 1; i < n; i++) {
		items[i] = zone_alloc(z, M_NOWAIT);
		CHECK(good, "alloc", items[i] != NULL);
		if (items[i] == NULL)
			break;
		pattern_fill(items[i], isz, tap_rand_r(&seed));
		st = stats(z);
		requests++, inuse++;
		CHECK(good, "stats", st.inuse == inuse && st.requests == requests &&
		    st.inuse + st.free == st.slabs * ipers &&
		    st.pages == st.slabs * pps && st.failures == 0);
	}
	tap_ok(good,
	    "%zu-byte items (align %zu, %s): %zu allocated, stats exact, "
	    "%lu per slab of %lu pages", size, align, kind, n,
	    (unsigned long)ipers, (unsigned long)pps);

	good = true;
	for (i = 0; i < n; i++) {
		uintptr_t a = (uintptr_t)items[i];

		CHECK(good, "aligned", a % expected_align(size, align) == 0);
		CHECK(good, "owner", zone_of_item(items[i]) == z);
		CHECK(good, "in block", kmem_page_owner(items[i]) != NULL &&
		    kmem_page_owner(items[i]) ==
		    kmem_page_owner((char *)items[i] + isz - 1));
		CHECK(good, "pattern", pattern_ok(items[i], isz));
	}
	tap_ok(good, "every item aligned, inside its slab, contents intact");

	good = true;
	{
		void **sorted = malloc(n * sizeof(*sorted));

		memcpy(sorted, items, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), ptr_cmp);
		for (i = 0; i + 1 < n; i++)
			CHECK(good, "overlap",
			    (char *)sorted[i] + isz <= (char *)sorted[i + 1]);
		free(sorted);
	}
	tap_ok(good, "no two items overlap");

	/* Free about half at random, then allocate them again. */
	good = true;
	for (i = 0; i < n; i++) {
		j = tap_rand_r(&seed) % n;
		if (items[j] == NULL)
			continue;
		CHECK(good, "pattern", pattern_ok(items[j], isz));
		zone_free(z, items[j]);
		items[j] = NULL;
		inuse--;
		st = stats(z);
		CHECK(good, "stats", st.inuse == inuse && st.requests == requests &&
		    st.inuse + st.free == st.slabs * ipers);
	}
	for (i = 0; i < n; i++) {
		if (items[i] != NULL)
			continue;
		items[i] = zone_alloc(z, M_WAITOK);
		CHECK(good, "realloc", items[i] != NULL);
		pattern_fill(items[i], isz, tap_rand_r(&seed));
		inuse++, requests++;
	}
	st = stats(z);
	CHECK(good, "stats", st.inuse == inuse && st.requests == requests);
	for (i = 0; i < n; i++)
		CHECK(good, "pattern", pattern_ok(items[i], isz));
	tap_ok(good,
	    "random free and refill keep stats exact and contents intact");

	/* Free everything. */
	good = true;
	for (i = 0; i < n; i++) {
		CHECK(good, "pattern", pattern_ok(items[i], isz));
		zone_free(z, items[i]);
	}
	st = stats(z);
	CHECK(good, "all free", st.inuse == 0 && st.requests == requests &&
	    st.free == st.slabs * ipers);
	if (flags & ZONE_NOCACHE)
		CHECK(good, "reserve", st.slabs <= 1);
	tap_ok(good, "all freed: inuse 0, %lu free in %lu slab(s)",
	    (unsigned long)st.free, (unsigned long)st.slabs);

	zone_reclaim(z);
	st = stats(z);
	tap_ok(st.slabs == 0 && st.pages == 0 && st.free == 0 && st.inuse == 0,
	    "zone_reclaim gives back every empty slab");
	zone_destroy(z);
	tap_ok(settled_pages() == base, "after zone_destroy the pages are back "
	    "(%lu in use)", (unsigned long)host_pages_in_use);
	free(items);
}

static void
test_zero_and_reuse(void)
{
	zone_t z = zone_create("zero", 200, 0, 0);
	unsigned char *p, *q;
	bool zero = true;
	size_t i;

	p = zone_alloc(z, M_WAITOK);
	memset(p, 0xff, zone_item_size(z));
	zone_free(z, p);
	q = zone_alloc(z, M_WAITOK | M_ZERO);
	tap_ok(q == p, "the per-cpu cache hands back the hottest item first");
	for (i = 0; i < zone_item_size(z); i++)
		zero = zero && q[i] == 0;
	tap_ok(zero, "M_ZERO zeroes a reused item");
	zone_free(z, q);
	zone_destroy(z);
}

/* NOCACHE: freeing everything leaves at most ZONE_EMPTY_RESERVE slabs. */
static void
test_empty_reserve(void)
{
	zone_t z = zone_create("reserve", 512, 0, ZONE_NOCACHE);
	void *items[200];
	struct zone_stats st;
	size_t i;

	for (i = 0; i < nitems(items); i++)
		items[i] = zone_alloc(z, M_WAITOK);
	st = stats(z);
	tap_ok(st.slabs >= 5, "200 items of 512 bytes take %lu slabs",
	    (unsigned long)st.slabs);
	for (i = 0; i < nitems(items); i++)
		zone_free(z, items[i]);
	st = stats(z);
	tap_ok(st.slabs == 1 && st.inuse == 0,
	    "after freeing all, one empty slab is kept (%lu)",
	    (unsigned long)st.slabs);
	zone_destroy(z);
}

static void
test_failures(int flags)
{
	const char *kind = (flags & ZONE_NOCACHE) ? "nocache" : "cached";
	zone_t z = zone_create("fail", 256, 0, flags);
	uint64_t base, ipers, got = 0;
	struct zone_stats st;
	void *items[64], *p;
	size_t i;

	host_page_alloc_fail_after = 0;
	p = zone_alloc(z, M_NOWAIT);
	st = stats(z);
	tap_ok(p == NULL && st.failures == 1 && st.requests == 0 &&
	    st.inuse == 0,
	    "%s: no page: M_NOWAIT returns NULL and counts a failure", kind);
	p = zone_alloc(z, M_WAITOK);
	st = stats(z);
	tap_ok(p == NULL && st.failures == 2,
	    "%s: no page: M_WAITOK returns NULL too (no pageout daemon yet)",
	    kind);

	/* One page block allowed: exactly one slab's worth of items. */
	host_page_alloc_fail_after = 1;
	for (i = 0; i < nitems(items); i++)
		if ((items[i] = zone_alloc(z, M_NOWAIT)) != NULL)
			got++;
	host_page_alloc_fail_after = -1;
	st = stats(z);
	ipers = st.inuse + st.free;
	tap_ok(st.slabs == 1 && got == ipers && st.requests == got &&
	    st.failures == 2 + (nitems(items) - got),
	    "%s: with one slab allowed, %lu items then NULLs, all counted",
	    kind, (unsigned long)got);
	for (i = 0; i < nitems(items); i++)
		zone_free(z, items[i]);
	base = stats(z).inuse;
	tap_ok(base == 0, "%s: everything freed after failures", kind);
	zone_destroy(z);
}

static void
panic_wrong_zone(void)
{
	zone_t a = zone_create("zone-a", 64, 0, 0);
	zone_t b = zone_create("zone-b", 64, 0, 0);

	zone_free(b, zone_alloc(a, M_WAITOK));
}

static void
panic_not_an_item(void)
{
	static uint64_t not_in_a_slab[8];
	zone_t a = zone_create("zone-a", 64, 0, 0);

	zone_free(a, not_in_a_slab);
}

static void
panic_misaligned(void)
{
	zone_t a = zone_create("zone-a", 64, 0, 0);

	zone_free(a, (char *)zone_alloc(a, M_WAITOK) + 8);
}

static void
panic_double_free_nocache(void)
{
	zone_t a = zone_create("zone-a", 64, 0, ZONE_NOCACHE);
	void *p = zone_alloc(a, M_WAITOK);

	zone_free(a, p);
	zone_free(a, p);
}

static void
panic_double_free_cached(void)
{
	zone_t a = zone_create("zone-a", 64, 0, 0);
	void *p = zone_alloc(a, M_WAITOK);

	zone_free(a, p);
	zone_free(a, p);
}

/* The first copy sits in another cpu's cache: the second free is caught all the same. */
static void
panic_double_free_other_cpu(void)
{
	zone_t a = zone_create("zone-a", 64, 0, 0);
	void *p = zone_alloc(a, M_WAITOK);

	host_pcpu.pc_cpuid = 0;
	zone_free(a, p);
	host_pcpu.pc_cpuid = 1;
	zone_free(a, p);
}

/* The first free was flushed to the slab; the second is caught there. */
static void
panic_double_free_flushed(void)
{
	zone_t a = zone_create("zone-a", 64, 0, 0);
	void *p = zone_alloc(a, M_WAITOK);

	(void)zone_alloc(a, M_WAITOK);	/* keeps the slab from being freed */
	zone_free(a, p);
	zone_reclaim(a);
	zone_free(a, p);
	zone_reclaim(a);
}

static void
panic_destroy_busy(void)
{
	zone_t a = zone_create("zone-a", 64, 0, 0);

	(void)zone_alloc(a, M_WAITOK);
	zone_destroy(a);
}

static void
panic_use_after_free(void)
{
	zone_t a = zone_create("zone-a", 64, 0, ZONE_NOCACHE);
	void *p = zone_alloc(a, M_WAITOK);

	zone_free(a, p);
	*(uintptr_t *)p = 0x1234567;	/* scribble on the free-list link */
	(void)zone_alloc(a, M_WAITOK);
}

static void
test_panics(void)
{
	tap_expect_abort(panic_wrong_zone, "belongs to zone zone-a",
	    "freeing an item to the wrong zone panics");
	tap_expect_abort(panic_not_an_item, "is not an item of any zone",
	    "freeing a pointer outside any slab panics");
	tap_expect_abort(panic_misaligned, "is not the start of an item",
	    "freeing a pointer inside an item panics");
	tap_expect_abort(panic_double_free_nocache, "double free",
	    "double free (nocache zone) panics");
	tap_expect_abort(panic_double_free_cached, "double free",
	    "double free (cached zone) panics");
	tap_expect_abort(panic_double_free_flushed, "double free",
	    "double free after the first was flushed panics");
	tap_expect_abort(panic_double_free_other_cpu, "double free",
	    "double free while the first copy is in another cpu's cache panics");
	tap_expect_abort(panic_destroy_busy, "items in use",
	    "destroying a zone with items in use panics");
	tap_expect_abort(panic_use_after_free, "written after free",
	    "a write to a free item panics");
}

static void
test_walk(void)
{
	zone_t a = zone_create("walk-a", 32, 0, 0);
	zone_t b = zone_create("walk-b", 48, 0, 0);
	bool seen_a = false, seen_b = false, seen_zones = false;
	zone_t z;
	int n = 0;

	for (z = zone_first(); z != NULL && n < 100; z = zone_next(z), n++) {
		seen_a |= z == a;
		seen_b |= z == b;
		seen_zones |= strcmp(stats(z).name, "zones") == 0;
	}
	tap_ok(seen_a && seen_b && seen_zones && n == 3,
	    "zone_first/zone_next visit every zone once (%d)", n);
	printf("# zone_print_stats:\n");
	fflush(stdout);
	zone_print_stats();
	zone_destroy(a);
	zone_destroy(b);
}

/*
 * Multithreaded stress: four "cpus" allocate and free at random from two
 * zones, pass items to each other through a shared pool (so items are
 * freed on other cpus than the one that allocated them), and cpu 0 keeps
 * reclaiming and checking that the stats snapshot is consistent.
 */
#define STRESS_THREADS	4
#define STRESS_SLOTS	256
#define STRESS_OPS	200000
#define STRESS_POOL	64

static zone_t stress_zone[2];
static uint64_t stress_ipers[2];
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct { void *item; int zi; } pool[STRESS_POOL];
static uint64_t stress_allocs[2], stress_bad;

struct stress_slot {
	void	*item;
	int	zi;
};

static void
stress_free(struct stress_slot *s)
{
	if (!pattern_ok(s->item, zone_item_size(stress_zone[s->zi])))
		__atomic_add_fetch(&stress_bad, 1, __ATOMIC_RELAXED);
	zone_free(stress_zone[s->zi], s->item);
	s->item = NULL;
}

/* Swap s with a random pool entry (either may be empty). */
static void
stress_swap(struct stress_slot *s, uint64_t r)
{
	int k = (int)(r % STRESS_POOL);
	void *item;
	int zi;

	pthread_mutex_lock(&pool_lock);
	item = pool[k].item;
	zi = pool[k].zi;
	pool[k].item = s->item;
	pool[k].zi = s->zi;
	pthread_mutex_unlock(&pool_lock);
	s->item = item;
	s->zi = zi;
}

static void
stress_check_stats(void)
{
	struct zone_stats st;
	int zi;

	for (zi = 0; zi < 2; zi++) {
		st = stats(stress_zone[zi]);
		if (st.inuse + st.free != st.slabs * stress_ipers[zi])
			__atomic_add_fetch(&stress_bad, 1, __ATOMIC_RELAXED);
	}
}

static void *
stress_thread(void *arg)
{
	int id = (int)(intptr_t)arg;
	struct stress_slot slots[STRESS_SLOTS] = { { NULL, 0 } };
	uint64_t seed = 0x9e3779b97f4a7c15ULL * (id + 1), r;
	struct stress_slot *s;
	int op, i;

	host_pcpu.pc_cpuid = id;
	for (op = 0; op < STRESS_OPS; op++) {
		r = tap_rand_r(&seed);
		s = &slots[r % STRESS_SLOTS];
		if ((r >> 32) % 8 == 0) {
			stress_swap(s, r >> 40);
		} else if (s->item != NULL) {
			stress_free(s);
		} else {
			s->zi = (r >> 33) & 1;
			s->item = zone_alloc(stress_zone[s->zi], M_WAITOK);
			if (s->item == NULL) {
				__atomic_add_fetch(&stress_bad, 1, __ATOMIC_RELAXED);
				continue;
			}
			__atomic_add_fetch(&stress_allocs[s->zi], 1,
			    __ATOMIC_RELAXED);
			pattern_fill(s->item, zone_item_size(stress_zone[s->zi]),
			    r ^ (uint64_t)id);
		}
		if (id == 0 && op % 2000 == 0) {
			zone_reclaim(stress_zone[op / 2000 % 2]);
			stress_check_stats();
		}
	}
	for (i = 0; i < STRESS_SLOTS; i++)
		if (slots[i].item != NULL)
			stress_free(&slots[i]);
	return NULL;
}

static void
test_stress(void)
{
	pthread_t threads[STRESS_THREADS];
	uint64_t base = settled_pages();
	struct zone_stats st[2];
	struct stress_slot s;
	int i;

	stress_zone[0] = zone_create("stress-72", 72, 0, 0);
	stress_zone[1] = zone_create("stress-40", 40, 0, ZONE_NOCACHE);
	for (i = 0; i < 2; i++) {
		void *p = zone_alloc(stress_zone[i], M_WAITOK);

		st[i] = stats(stress_zone[i]);
		stress_ipers[i] = st[i].inuse + st[i].free;
		zone_free(stress_zone[i], p);
		stress_allocs[i] = 1;
	}
	for (i = 0; i < STRESS_THREADS; i++)
		pthread_create(&threads[i], NULL, stress_thread,
		    (void *)(intptr_t)i);
	for (i = 0; i < STRESS_THREADS; i++)
		pthread_join(threads[i], NULL);
	for (i = 0; i < STRESS_POOL; i++) {
		if (pool[i].item == NULL)
			continue;
		s.item = pool[i].item;
		s.zi = pool[i].zi;
		stress_free(&s);
	}
	tap_ok(stress_bad == 0,
	    "stress: %d cpus x %d ops, every item's pattern "
	    "intact and stats consistent", STRESS_THREADS, STRESS_OPS);
	for (i = 0; i < 2; i++)
		st[i] = stats(stress_zone[i]);
	tap_ok(st[0].inuse == 0 && st[1].inuse == 0 &&
	    st[0].requests == stress_allocs[0] &&
	    st[1].requests == stress_allocs[1] &&
	    st[0].failures == 0 && st[1].failures == 0,
	    "stress: all freed, requests exact (%lu + %lu)",
	    (unsigned long)st[0].requests, (unsigned long)st[1].requests);
	zone_destroy(stress_zone[0]);
	zone_destroy(stress_zone[1]);
	tap_ok(settled_pages() == base, "stress: all pages back after destroy");
}

int
main(void)
{
	static const struct { size_t size, align; } shapes[] = {
		{ 1, 0 }, { 8, 0 }, { 16, 0 }, { 24, 0 }, { 64, 64 },
		{ 100, 0 }, { 256, 256 }, { 500, 8 }, { 1000, 0 },
		{ 2048, 0 }, { 3000, 0 }, { 4096, 4096 }, { 9000, 0 },
	};
	uint64_t base;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	base = settled_pages();
	test_create_args();
	for (i = 0; i < nitems(shapes); i++) {
		test_zone_shape(shapes[i].size, shapes[i].align, 0);
		test_zone_shape(shapes[i].size, shapes[i].align, ZONE_NOCACHE);
	}
	test_zero_and_reuse();
	test_empty_reserve();
	test_failures(0);
	test_failures(ZONE_NOCACHE);
	test_panics();
	test_walk();
	test_stress();
	tap_ok(settled_pages() == base, "no pages held at the end (%lu)",
	    (unsigned long)host_pages_in_use);
	return tap_done();
}
