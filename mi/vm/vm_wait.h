/*
 * Waiting for free memory (after FreeBSD's vm_wait and UVM's uvm_wait).
 *
 * An allocation that finds no page may sleep in vm_wait() until pages
 * are freed.  Every free of pages ends in vm_page_free_wakeup(), which
 * wakes the sleepers (and costs one load when there are none).
 *
 * Who frees pages: the exit of a process (its address space torn down,
 * vmspace_free), and the page daemon (vm_pageout.h), which vm_wait wakes
 * to ask for pages.  Each such source brackets its work with
 * vm_reclaim_begin() and vm_reclaim_end(); the daemon counts as one for
 * as long as it may still free something, and when it cannot, its OOM
 * killer picks a victim (vm_oom.h), whose exit is one.  A waiter that may
 * fail (a page fault: VM_WAIT_FAILOK) sleeps only while a source is at
 * work: with none (the daemon gave up and found no victim), nothing would
 * ever wake it, so vm_wait returns ENOMEM and the fault's process is
 * killed, not the kernel; it also returns ENOMEM to the OOM killer's
 * victim, which looks for its SIGKILL every VM_WAIT_POLL_NS while it
 * sleeps.  A waiter that cannot fail (M_WAITOK, VM_ALLOC_WAITOK) sleeps
 * until pages come back, however long that takes; kernel allocations may
 * use the reserve that user memory leaves (vm_page.h), so they rarely do.
 *
 * No lost wakeups: a waiter counts itself in vm_waiters (sequentially
 * consistent) under its sleep queue chain lock, then looks at the free
 * pages and the sources; a freer adds its pages to the free count, then
 * looks at vm_waiters (after a full fence); a source takes itself off
 * vm_reclaimers, then looks at vm_waiters.
 *
 * Rules: vm_wait sleeps (no spin lock held, not in an interrupt handler,
 * asserted); the others may be called anywhere.
 */
#ifndef _VM_VM_WAIT_H_
#define _VM_VM_WAIT_H_

#include <kern/types.h>

/* vm_wait flags */
#define VM_WAIT_FAILOK	0x0001	/* ENOMEM when no one is freeing memory */

/*
 * Wait until an allocation of 2^order pages with alloc_flags (VM_ALLOC_*)
 * could succeed.  First the allocators' caches give their free slabs
 * back; then, if that is not enough, sleep until pages are freed.
 * => no spin lock held
 * <= 0: try the allocation again (it may still fail: others allocate
 *    too); ENOMEM (only with VM_WAIT_FAILOK): no memory will come back
 */
int vm_wait(int order, int alloc_flags, int wait_flags);

/*
 * Pages were freed: wake whoever waits for them.  Anywhere; under a spin
 * lock it wakes no one (the waiters look again on their own, see vm_wait.c).
 */
void vm_page_free_wakeup(void);

/* A source of free pages starts / ends its work (an exit; the page daemon). */
void vm_reclaim_begin(void);
void vm_reclaim_end(void);

/* Counters, exported through /proc/vmstat. */
struct vm_wait_stats {
	uint64_t	sleeps;		/* (A) sleeps in vm_wait */
	uint64_t	fails;		/* (A) ENOMEM: nothing to wait for */
};
extern struct vm_wait_stats vm_wait_stats;

/* Threads in vm_wait now (for tests). */
uint32_t vm_wait_waiters(void);

#endif
