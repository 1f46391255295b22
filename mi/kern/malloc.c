/*
 * Kernel malloc with types (see malloc.h).
 *
 * Sizes up to MALLOC_MAX_BUCKET are rounded up to a power of two of at
 * least MALLOC_MIN_BUCKET and served by that bucket's zone; larger sizes
 * are page-rounded and served by kmem_alloc.  free tells the two apart
 * by address: bucket items live in direct-mapped slabs
 * (kmem_is_page_block), kmem_alloc memory in the KVA arena.  The size of
 * an allocation is never stored by malloc: a bucket item's size is its
 * zone's item size, a large allocation's is kmem_alloc_size.
 *
 * Type statistics are updated with atomics and no lock.  mt_bytes counts
 * bucket (or page-rounded) sizes, not the sizes asked for, so it is the
 * memory a type really holds.  Types join malloc_types, a lock-free
 * insert-only list, at their first malloc; entries are never removed, so
 * walkers need no lock.
 *
 * Locking: (C) constant after malloc_init; (A) atomic.
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <vm/zone.h>
#include <vm/kmem.h>
#include <machine/param.h>

#define MALLOC_MIN_SHIFT	4	/* log2(MALLOC_MIN_BUCKET) */
#define MALLOC_NBUCKETS		9	/* 16 .. 4096 */

_Static_assert(MALLOC_MIN_BUCKET == 1 << MALLOC_MIN_SHIFT,
    "MALLOC_MIN_SHIFT must match MALLOC_MIN_BUCKET");
_Static_assert(MALLOC_MAX_BUCKET ==
    MALLOC_MIN_BUCKET << (MALLOC_NBUCKETS - 1),
    "MALLOC_NBUCKETS must match MALLOC_MAX_BUCKET");

MALLOC_DEFINE(M_TEMP, "temp", "miscellaneous temporary buffers");
MALLOC_DEFINE(M_DEVBUF, "devbuf", "device driver memory");

static const char *const bucket_names[MALLOC_NBUCKETS] = {
	"malloc-16", "malloc-32", "malloc-64", "malloc-128", "malloc-256",
	"malloc-512", "malloc-1024", "malloc-2048", "malloc-4096",
};

static zone_t		bucket_zones[MALLOC_NBUCKETS];	/* (C) */
static bool		malloc_ready;			/* (C) */
static struct malloc_type *malloc_types;		/* (A) head */

void
malloc_init(void)
{
	int i;

	KASSERT(!malloc_ready, ("malloc_init: called twice"));
	for (i = 0; i < MALLOC_NBUCKETS; i++) {
		bucket_zones[i] = zone_create(bucket_names[i],
		    (size_t)MALLOC_MIN_BUCKET << i, 0, 0);
		if (bucket_zones[i] == NULL)
			panic("malloc_init: cannot create zone %s",
			    bucket_names[i]);
	}
	malloc_ready = true;
}

/* The bucket for size <= MALLOC_MAX_BUCKET: ceil(log2(size)) - 4, at least 0. */
static inline int
bucket_index(size_t size)
{
	if (size <= MALLOC_MIN_BUCKET)
		return 0;
	return (int)(64 - __builtin_clzl(size - 1)) - MALLOC_MIN_SHIFT;
}

static bool __unused
is_bucket_zone(zone_t z)
{
	int i;

	for (i = 0; i < MALLOC_NBUCKETS; i++)
		if (bucket_zones[i] == z)
			return true;
	return false;
}

/*
 * The bucket zone of a direct-mapped address.  A pointer into no zone at
 * all would crash anyway, so that check stays even without INVARIANTS.
 */
static zone_t
bucket_zone_of(const void *addr, const char *who)
{
	zone_t z = zone_of_item(addr);

	if (z == NULL)
		panic("%s: %p was not allocated by malloc (not in a zone)",
		    who, addr);
	KASSERT(is_bucket_zone(z), ("%s: %p was not allocated by malloc "
	    "(it is in a zone of %lu-byte items)", who, addr,
	    (unsigned long)zone_item_size(z)));
	return z;
}

/*
 * Type accounting.
 */

/* Put type on malloc_types the first time it is used. */
static void
malloc_type_register(struct malloc_type *type)
{
	struct malloc_type *head;
	uint32_t expect = 0;

	if (__atomic_load_n(&type->mt_registered, __ATOMIC_ACQUIRE))
		return;
	if (!__atomic_compare_exchange_n(&type->mt_registered, &expect, 1,
	    false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return;		/* another cpu is registering it */
	head = __atomic_load_n(&malloc_types, __ATOMIC_ACQUIRE);
	do {
		type->mt_next = head;
	} while (!__atomic_compare_exchange_n(&malloc_types, &head, type,
	    true, __ATOMIC_RELEASE, __ATOMIC_ACQUIRE));
}

static void
malloc_type_alloced(struct malloc_type *type, size_t bytes)
{
	uint64_t now, high;

	__atomic_add_fetch(&type->mt_inuse, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&type->mt_requests, 1, __ATOMIC_RELAXED);
	now = __atomic_add_fetch(&type->mt_bytes, bytes, __ATOMIC_RELAXED);
	high = __atomic_load_n(&type->mt_highwater, __ATOMIC_RELAXED);
	while (now > high && !__atomic_compare_exchange_n(&type->mt_highwater,
	    &high, now, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		continue;
}

static void
malloc_type_freed(struct malloc_type *type, size_t bytes)
{
	uint64_t was __unused;

	was = __atomic_fetch_sub(&type->mt_inuse, 1, __ATOMIC_RELAXED);
	KASSERT(was > 0, ("free: type %s has no allocations outstanding",
	    type->mt_shortdesc));
	was = __atomic_fetch_sub(&type->mt_bytes, bytes, __ATOMIC_RELAXED);
	KASSERT(was >= bytes, ("free: type %s frees %lu bytes but holds %lu",
	    type->mt_shortdesc, (unsigned long)bytes, (unsigned long)was));
}

/*
 * Allocation.
 */

/* Page-rounded memory from kmem_alloc (always zero-filled). */
static void *
malloc_large(size_t size, int flags)
{
	if (size > SIZE_MAX - PAGE_MASK)
		return NULL;
	return kmem_alloc(round_page(size), flags);
}

void *
malloc(size_t size, struct malloc_type *type, int flags)
{
	size_t bytes;
	zone_t z;
	void *p;

	KASSERT(malloc_ready, ("malloc(%s) before malloc_init",
	    type->mt_shortdesc));
	KASSERT(((flags & M_WAITOK) != 0) != ((flags & M_NOWAIT) != 0),
	    ("malloc(%s): flags 0x%x need exactly one of M_WAITOK, M_NOWAIT",
	    type->mt_shortdesc, flags));
	malloc_type_register(type);
	if (size <= MALLOC_MAX_BUCKET) {
		z = bucket_zones[bucket_index(size)];
		p = zone_alloc(z, flags);
		bytes = zone_item_size(z);
	} else {
		p = malloc_large(size, flags);
		bytes = p != NULL ? kmem_alloc_size(p) : 0;
	}
	if (p == NULL) {
		__atomic_add_fetch(&type->mt_failures, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	malloc_type_alloced(type, bytes);
	return p;
}

void
free(void *addr, struct malloc_type *type)
{
	size_t bytes;
	zone_t z;

	if (addr == NULL)
		return;
	if (kmem_is_page_block(addr)) {
		z = bucket_zone_of(addr, "free");
		bytes = zone_item_size(z);
		malloc_type_freed(type, bytes);
		zone_free(z, addr);
	} else {
		bytes = kmem_alloc_size(addr);
		malloc_type_freed(type, bytes);
		kmem_free(addr, bytes);
	}
}

size_t
malloc_usable_size(const void *addr)
{
	if (addr == NULL)
		return 0;
	if (kmem_is_page_block(addr))
		return zone_item_size(bucket_zone_of(addr, "malloc_usable_size"));
	return kmem_alloc_size(addr);
}

/*
 * Resize to size bytes, keeping the first MIN(old, size) bytes.  The
 * allocation stays where it is when size fits and would not fit a bucket
 * half as big.  With M_ZERO, bytes past the old usable size are zero; the
 * slack between the size first asked for and the usable size is not
 * known here and is not zeroed.  On failure addr is left alone and NULL
 * is returned.  type must be the type addr was allocated with.
 */
void *
realloc(void *addr, size_t size, struct malloc_type *type, int flags)
{
	size_t old;
	void *p;

	if (addr == NULL)
		return malloc(size, type, flags);
	old = malloc_usable_size(addr);
	if (size <= old && (size > old / 2 || old == MALLOC_MIN_BUCKET))
		return addr;
	if ((p = malloc(size, type, flags)) == NULL)
		return NULL;
	memcpy(p, addr, MIN(old, size));
	free(addr, type);
	return p;
}

/*
 * Statistics.
 */

struct malloc_type *
malloc_type_first(void)
{
	return __atomic_load_n(&malloc_types, __ATOMIC_ACQUIRE);
}

void
malloc_print_stats(void)
{
	struct malloc_type *t;

	printf("# %-16s %8s %10s %10s %10s %6s\n", "TYPE", "INUSE", "MEMUSE",
	    "HIGHWATER", "REQUESTS", "FAIL");
	for (t = malloc_type_first(); t != NULL; t = t->mt_next)
		printf("# %-16s %8lu %9luK %9luK %10lu %6lu\n", t->mt_shortdesc,
		    (unsigned long)__atomic_load_n(&t->mt_inuse, __ATOMIC_RELAXED),
		    (unsigned long)howmany(__atomic_load_n(&t->mt_bytes,
		    __ATOMIC_RELAXED), 1024),
		    (unsigned long)howmany(__atomic_load_n(&t->mt_highwater,
		    __ATOMIC_RELAXED), 1024),
		    (unsigned long)__atomic_load_n(&t->mt_requests,
		    __ATOMIC_RELAXED),
		    (unsigned long)__atomic_load_n(&t->mt_failures,
		    __ATOMIC_RELAXED));
}
