/*
 * Swap metadata: where in swap each page of an object has its copy
 * (after FreeBSD's swblk).
 *
 * An object's metadata maps page indices to swap slots (swap_device.h
 * says how a slot names a device and a page on it; here a slot is a
 * nonzero number, and 0, SWAP_SLOT_NONE, means "no copy").  Slots are
 * kept in blocks of SWAP_META_PAGES consecutive page indices, and the
 * blocks in a radix trie (vm_radix.h) keyed by index / SWAP_META_PAGES.
 *
 * Why blocks of 32: the pager writes neighbouring pages of an object to
 * neighbouring slots, so a block is usually full when it is used at all,
 * and one trie lookup finds a page and its neighbours for read-around;
 * a block costs 272 bytes where a trie entry per page would cost a node
 * slot and a leaf each.  An object swapped out sparsely pays one block
 * per 32-page stretch it touches; an empty block is freed at once.  (A
 * flat array per object would be smaller for dense objects and
 * unbounded for sparse ones: an anonymous object may be terabytes long.)
 *
 * Allocation never sleeps (M_NOWAIT from the "swblk" zone, trie nodes
 * from vm_radix's): the callers hold the object's spin lock.  A failed
 * allocation is ENOMEM, and nothing has changed.
 *
 * Locking: the owner's lock (the vm_object lock) serializes every call
 * on one swap_meta; there is none inside.
 */
#ifndef _VM_SWAP_META_H_
#define _VM_SWAP_META_H_

#include <kern/types.h>
#include <vm/vm_radix.h>

#define SWAP_SLOT_NONE		0ULL	/* no copy in swap */
#define SWAP_META_PAGES		32	/* page indices per block */

struct swap_meta {
	struct vm_radix	sm_blocks;	/* struct swblk by index / SWAP_META_PAGES */
	uint64_t	sm_count;	/* slots held */
};

void swap_meta_zinit(void);		/* make the block zone, once at boot */
static inline void swap_meta_init(struct swap_meta *sm)
{
	vm_radix_init(&sm->sm_blocks);
	sm->sm_count = 0;
}
static inline bool swap_meta_empty(const struct swap_meta *sm) { return sm->sm_count == 0; }

/* The slot holding pindex's copy, or SWAP_SLOT_NONE. */
uint64_t swap_meta_lookup(const struct swap_meta *sm, uint64_t pindex);

/*
 * Record slot (not NONE) as pindex's copy.  0, with the slot it replaces
 * (or NONE) in *old for the caller to free; or ENOMEM, nothing changed.
 */
int swap_meta_set(struct swap_meta *sm, uint64_t pindex, uint64_t slot, uint64_t *old);

/* Forget pindex's copy; the slot it had (NONE if none), for the caller to free. */
uint64_t swap_meta_remove(struct swap_meta *sm, uint64_t pindex);

/*
 * The copy with the smallest index >= pindex: its slot, and its index in
 * *found; SWAP_SLOT_NONE when there is none.
 */
uint64_t swap_meta_next(const struct swap_meta *sm, uint64_t pindex, uint64_t *found);

/*
 * Forget every copy in [start, end) (end UINT64_MAX: to the very last
 * index, that one included), calling
 * free_run(arg, first slot, count) once per run of consecutive slots at
 * consecutive indices, so a device can free them together.  Returns the
 * number of slots removed.
 */
uint64_t swap_meta_remove_range(struct swap_meta *sm, uint64_t start, uint64_t end,
    void (*free_run)(void *arg, uint64_t slot, uint64_t count), void *arg);

/*
 * How far the run of copies around pindex (which has one, in slot s)
 * goes in neighbouring slots: *before counts indices pindex-1, pindex-2,
 * ... holding s-1, s-2, ... (at most max_before), *after likewise above
 * (at most max_after).  Either pointer may be NULL.  What the pager's
 * haspage reports: the pages one read can bring in with pindex's.
 */
void swap_meta_run(const struct swap_meta *sm, uint64_t pindex, uint64_t max_before,
    uint64_t max_after, uint64_t *before, uint64_t *after);

/*
 * Check every block (indices in range, counts matching their slots, no
 * empty block kept) and that sm_count is their sum; the problems found
 * (0 when sound).  For tests.
 */
int swap_meta_check(const struct swap_meta *sm);

#endif
