/*
 * Refault detection (see vm_workingset.h).
 */
#include <kern/systm.h>
#include <vm/kmem.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pagequeue.h>
#include <vm/vm_workingset.h>

#define ENTRIES_PER_PAGE	2	/* ghost entries per page of RAM */
#define BUCKET_WAYS		2	/* entries per bucket */
#define STAMP_BITS		32

struct vm_workingset_stats vm_workingset_stats;

static uint64_t *ghosts;		/* (C) the table; (A) each entry: tag << 32 | stamp */
static uint64_t bucket_mask;		/* (C) buckets - 1 (a power of two) */
static uint32_t eviction_clock;		/* (A) evictions so far, modulo 2^32 */

/* A 64-bit hash of a page's identity: bucket from the low bits, a never-zero tag from the high. */
static uint64_t
ghost_hash(const struct vm_object *obj, vm_pindex_t pindex)
{
	uint64_t h = ((uintptr_t)obj >> 3) * 0x9e3779b97f4a7c15ULL ^ pindex;

	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	return h ^ (h >> 32);
}

static inline uint64_t *
bucket_of(uint64_t h)
{
	return &ghosts[(h & bucket_mask) * BUCKET_WAYS];
}

static inline uint32_t
tag_of(uint64_t h)
{
	return (uint32_t)(h >> STAMP_BITS) | 1;
}

void
vm_workingset_init(uint64_t npages)
{
	uint64_t buckets = 1;

	while (buckets * BUCKET_WAYS < npages * ENTRIES_PER_PAGE)
		buckets <<= 1;
	ghosts = kmem_alloc(buckets * BUCKET_WAYS * sizeof(*ghosts), M_WAITOK);
	if (ghosts == NULL)
		panic("vm_workingset_init: no memory for %lu buckets", buckets);
	bucket_mask = buckets - 1;
}

void
vm_workingset_evict(struct vm_page *m)
{
	uint64_t h = ghost_hash(m->object, m->pindex), *b = bucket_of(h);
	uint32_t now = __atomic_add_fetch(&eviction_clock, 1, __ATOMIC_RELAXED);
	uint64_t entry = (uint64_t)tag_of(h) << STAMP_BITS | now;
	int victim = 0;

	/* The older stamp of the bucket (or an empty entry) makes room. */
	for (int i = 1; i < BUCKET_WAYS; i++) {
		uint32_t age_i = now - (uint32_t)__atomic_load_n(&b[i], __ATOMIC_RELAXED);
		uint32_t age_v = now - (uint32_t)__atomic_load_n(&b[victim], __ATOMIC_RELAXED);

		if (__atomic_load_n(&b[i], __ATOMIC_RELAXED) == 0 || age_i > age_v)
			victim = i;
	}
	__atomic_store_n(&b[victim], entry, __ATOMIC_RELAXED);
}

uint32_t
vm_workingset_evictions(void)
{
	return __atomic_load_n(&eviction_clock, __ATOMIC_RELAXED);
}

bool
vm_workingset_refault(struct vm_page *m)
{
	uint64_t h = ghost_hash(m->object, m->pindex), *b = bucket_of(h);
	int kind = m->object->type == OBJT_VNODE ? PQ_KIND_FILE : PQ_KIND_ANON;
	uint32_t now = __atomic_load_n(&eviction_clock, __ATOMIC_RELAXED), distance;
	uint64_t resident;

	KASSERT(vm_page_xbusied(m) && spin_owned(&m->object->lock),
	    ("vm_workingset_refault: page %lx not busy or object unlocked", m->phys_addr));
	for (int i = 0; i < BUCKET_WAYS; i++) {
		uint64_t entry = __atomic_load_n(&b[i], __ATOMIC_RELAXED);

		if (entry == 0 || (uint32_t)(entry >> STAMP_BITS) != tag_of(h))
			continue;
		__atomic_store_n(&b[i], 0, __ATOMIC_RELAXED);
		__atomic_add_fetch(&vm_workingset_stats.refault[kind], 1, __ATOMIC_RELAXED);
		distance = now - (uint32_t)entry;
		/* Laundry pages are inactive ones waiting for a write: memory as much as those. */
		resident = vm_pagequeue_total(PQ_ACTIVE) + vm_pagequeue_total(PQ_INACTIVE) +
		    vm_pagequeue_total(PQ_LAUNDRY);
		if (distance > resident)
			return false;
		__atomic_add_fetch(&vm_workingset_stats.activate[kind], 1, __ATOMIC_RELAXED);
		vm_page_enqueue(m, PQ_ACTIVE);
		return true;
	}
	return false;
}
