/*
 * Zeroing free pages ahead of need.
 *
 * An idle hart zeroes free pages, and the physical allocator (vm_phys.h)
 * remembers which free pages are zero, so that a zero-fill fault, a page
 * table or a zeroed kernel page later takes one ready instead of writing
 * 4 KiB on the path that waits for it (FreeBSD did this with PG_ZERO and
 * its idle zeroing; Linux zeroes at allocation).  The zeroed pages stay
 * in the buddy lists: they merge and split as any free pages, so they
 * pin no block (nor does any request split a 2 MiB run to reach or avoid
 * them: vm_phys.c).  Idle harts zero up to
 * /proc/sys/vm/prezero_pages (2,048 by default; 0 stops the zeroing) and
 * at most an eighth of free memory.
 *
 * Counters (/proc/vmstat): pgzero_idle (pages zeroed by idle harts),
 * pgzero_pool_hit / pgzero_pool_miss (requests for a zeroed page that
 * found one zeroed ahead / had to zero one), nr_free_zeroed (free pages
 * known zero now).
 *
 * Locking: none of its own; what is known zero is the allocator's
 * (phys_lock), the counters are atomic (A).
 */
#ifndef _VM_VM_PAGE_ZERO_H_
#define _VM_VM_PAGE_ZERO_H_

#include <kern/types.h>

struct vm_page_zero_stats {
	uint64_t	idle;		/* (A) pages zeroed by idle harts */
	uint64_t	pool_hits;	/* (A) requests for a zeroed page that found one */
	uint64_t	pool_misses;	/* (A) requests for one that had to zero it */
};
extern struct vm_page_zero_stats vm_page_zero_stats;

/*
 * From the idle loop: zero one free page if fewer than the target are
 * known zero.  True if it did (the caller loops, checking for work in
 * between); false when there is nothing to do.
 * => interrupts on, no lock held
 */
bool vm_page_zero_idle(void);
/*
 * Let idle harts start: once init runs, so that the zeroing takes nothing
 * from the boot.  A selftest= boot never starts it: the self-tests' counts
 * of free pages and blocks stay exact.
 */
void vm_page_zero_start(void);

/* Count a request for a zeroed page: hit when the page was zeroed ahead. */
static inline void
vm_page_zero_count(bool hit)
{
	__atomic_add_fetch(hit ? &vm_page_zero_stats.pool_hits : &vm_page_zero_stats.pool_misses,
	    1, __ATOMIC_RELAXED);
}

/* /proc/sys/vm/prezero_pages: how many free pages idle harts keep zeroed (0: none). */
uint64_t vm_page_zero_get_max(void);
int vm_page_zero_set_max(uint64_t pages);

#endif
