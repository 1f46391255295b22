/*
 * Zeroing free pages ahead of need.
 *
 * An idle hart zeroes free pages into the physical allocator's zeroed
 * pool (vm_phys.h), so that a zero-fill fault, a page table or a zeroed
 * kernel page later takes one ready instead of writing 4 KiB on the
 * path that waits for it (FreeBSD did this with PG_ZERO and its idle
 * zeroing; Linux zeroes at allocation).  The pool is small and bounded
 * (/proc/sys/vm/prezero_pages, 0 -- off -- by default, and an eighth of
 * free memory), is filled only while half of memory is free, and its
 * pages stay free pages in every count.
 *
 * Counters (/proc/vmstat): pgzero_idle (pages zeroed by idle harts),
 * pgzero_pool_hit / pgzero_pool_miss (requests for a zeroed page that
 * found one in the pool / had to zero one), nr_free_zeroed (the pool now).
 *
 * Locking: none of its own; the pool is the allocator's (phys_lock),
 * the counters are atomic (A).
 */
#ifndef _VM_VM_PAGE_ZERO_H_
#define _VM_VM_PAGE_ZERO_H_

#include <kern/types.h>

struct vm_page_zero_stats {
	uint64_t	idle;		/* (A) pages zeroed by idle harts */
	uint64_t	pool_hits;	/* (A) zeroed pages taken from the pool */
	uint64_t	pool_misses;	/* (A) zeroed pages the pool had none for */
};
extern struct vm_page_zero_stats vm_page_zero_stats;

/*
 * From the idle loop: zero one free page into the pool if it is below
 * its target.  True if it did (the caller loops, checking for work in
 * between); false when there is nothing to do.
 * => interrupts on, no lock held
 */
bool vm_page_zero_idle(void);

/* Count a request for a zeroed page: hit when the page came from the pool. */
static inline void
vm_page_zero_count(bool hit)
{
	__atomic_add_fetch(hit ? &vm_page_zero_stats.pool_hits : &vm_page_zero_stats.pool_misses,
	    1, __ATOMIC_RELAXED);
}

/* /proc/sys/vm/prezero_pages: the most pages the pool holds (0 stops the zeroing). */
uint64_t vm_page_zero_get_max(void);
int vm_page_zero_set_max(uint64_t pages);

#endif
