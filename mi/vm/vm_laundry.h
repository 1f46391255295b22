/*
 * The laundry (after FreeBSD's laundry thread): a kernel thread that
 * writes the dirty pages the page daemon sent to PQ_LAUNDRY to their
 * pager -- anonymous memory to swap -- and frees them once they are clean.
 *
 * A pass walks the laundry queue oldest first.  For each page, its
 * object locked:
 *   busy             its write is in flight: passed over;
 *   referenced       used again since (a mapping's A bit): back to inactive,
 *                    or active on a second use (vm_pageout_page_use);
 *   clean            written (the pager holds its contents): unmapped and
 *                    freed, unless a write slipped in meanwhile;
 *   nowhere to go    (swap full, or no swap left): unswappable;
 *   dirty            the run of neighbouring laundry pages around it that
 *                    need a write, at most LAUNDRY_CLUSTER, goes to
 *                    vm_pager_put_pages in one call, which writes it to
 *                    neighbouring slots in one request, without waiting.
 * The pager makes a page clean as it takes it for writing, and dirty
 * again if the write fails (counted, vmstat swap_write_errors); one whose
 * write completes goes to the head of inactive (vm_laundry_written), so
 * the daemon frees it next, as FreeBSD's swap pager does.
 *
 * It is woken by the page daemon when memory is short and it sent pages
 * here (with how many it wants freed: what its scan could not free, and
 * the laundry's excess over the clean inactive and free pages, FreeBSD's
 * background laundering), and looks every second while the queue is not
 * empty.
 *
 * Locking: the laundry holds a page queue lock only to pick the next
 * page (vm_pagequeue_scan_next); it calls the pager with no lock held,
 * the object kept alive by its paging-in-progress count.
 */
#ifndef _VM_VM_LAUNDRY_H_
#define _VM_VM_LAUNDRY_H_

#include <kern/types.h>

struct vm_page;

#define LAUNDRY_CLUSTER	32	/* pages per write at most (FreeBSD's vm_pageout_page_count) */

struct vm_laundry_stats {
	uint64_t	passes;		/* walks of the laundry queue */
	uint64_t	clusters;	/* vm_pager_put_pages calls */
	uint64_t	cluster_pages;	/* pages in them */
	uint64_t	freed;		/* clean pages freed */
	uint64_t	reactivated;	/* pages used again before they were written */
	uint64_t	parked;		/* pages with nowhere to go: to unswappable */
	uint64_t	busy;		/* clusters left for a later pass: the pager's locks
					 * were taken (EAGAIN: a file's I/O lock) */
	uint64_t	failed;		/* clusters the pager could not start (ENOMEM) */
};
extern struct vm_laundry_stats vm_laundry_stats;

void vm_laundry_init(void);

/* Pages are waiting and memory is short: want more pages freed.  No spin lock held. */
void vm_laundry_wakeup(uint64_t want);

/* Pages the laundry has sent to be written or freed so far: the daemon's sign of progress. */
uint64_t vm_laundry_progress(void);

/*
 * A pager's write of m completed and left it clean (m's object locked;
 * any context, the disk's interrupt included).  If m was laundered and
 * is still idle, it goes to the head of inactive, where the daemon's
 * next scan frees it: clean pages must not wait for the laundry's next
 * pass, nor hide from the inactive goal, on the laundry queue.
 */
void vm_laundry_written(struct vm_page *m);

#endif
