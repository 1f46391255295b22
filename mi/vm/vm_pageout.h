/*
 * The page daemon: keeps free pages at their target by reclaiming the
 * pages least likely to be used again (after FreeBSD's vm_pageout.c and
 * Linux's kswapd).  vm_pageout.c has the policy; vm_pagequeue.h the
 * queues it works on; vm_laundry.c the writing of dirty pages;
 * vm_workingset.c the memory of recently evicted pages.
 *
 * Targets, in pages, computed from the amount of RAM at boot (FreeBSD's
 * formulas) and readable in /proc/sys/vm (FreeBSD's names, read-only)
 * with Linux's min_free_kbytes, which may be written (the others follow):
 *
 *   free_reserved       below this only the kernel allocates (the reserve
 *                       user memory leaves, vm_page_reserved())
 *   free_min            Linux's min watermark: below it user allocations
 *                       wait (vm_wait) while the daemon works
 *   wakeup_thresh       the daemon is woken when free pages fall below
 *                       (Linux's low watermark)
 *   free_target         the daemon frees until this many pages are free
 *                       (Linux's high watermark)
 *   inactive_target     the inactive queue's least length: below it the
 *                       daemon ages the active queue (with Linux's
 *                       inactive:active ratio on top, see vm_pageout.c)
 *
 * Locking: the targets change only under targets_lock (a /proc write),
 * and are read without it ((A): a reader may see an old value, never a
 * torn one).
 */
#ifndef _VM_VM_PAGEOUT_H_
#define _VM_VM_PAGEOUT_H_

#include <kern/types.h>

struct vm_pageout_targets {
	uint64_t	free_reserved;		/* (A) */
	uint64_t	free_min;		/* (A) */
	uint64_t	wakeup_thresh;		/* (A) */
	uint64_t	free_target;		/* (A) */
	uint64_t	inactive_target;	/* (A) */
};
extern struct vm_pageout_targets vm_pageout_targets;

/* Counters, in /proc/vmstat under Linux's names where it has one. */
struct vm_pageout_stats {
	uint64_t	pgscan_kswapd;		/* inactive pages the daemon looked at */
	uint64_t	pgsteal_kswapd;		/* ... and freed */
	uint64_t	pgscan_active;		/* active pages it aged */
	uint64_t	reactivations;		/* inactive pages found referenced, made active */
	uint64_t	pages_to_laundry;	/* dirty inactive pages sent to be written */
	uint64_t	pages_unswappable;	/* dirty pages with nowhere to go */
	uint64_t	passes;			/* scans of the queues */
	uint64_t	wakeups;		/* times the daemon was asked for pages */
	uint64_t	oom_passes;		/* passes that freed nothing while memory was short */
};
extern struct vm_pageout_stats vm_pageout_stats;

/* Compute the targets from the pages under management; start the daemon and the laundry. */
void vm_pageout_init(void);

/*
 * Free pages fell below wakeup_thresh (or an allocation failed): let the
 * daemon work.  Cheap when it already does.  Callable anywhere: waking a
 * thread takes the scheduler's lock, which must not be taken under some
 * spin locks (a pmap's: the scheduler takes it to switch address
 * spaces), so with a spin lock held, or in an interrupt handler, the
 * call only leaves a kick for the next vm_pageout_kick_check (the end of
 * a page fault, holding nothing) or for the daemon's own periodic look.
 */
void vm_pageout_wakeup(void);

/* Deliver a kick vm_pageout_wakeup left.  => no spin lock held */
extern uint32_t vm_pageout_kicked;
void vm_pageout_kick(void);
static inline void
vm_pageout_kick_check(void)
{
	if (__atomic_load_n(&vm_pageout_kicked, __ATOMIC_RELAXED))
		vm_pageout_kick();
}

/* Is free below the point where the daemon must work? */
static inline bool
vm_paging_needed(uint64_t free)
{
	return free < __atomic_load_n(&vm_pageout_targets.wakeup_thresh, __ATOMIC_RELAXED);
}

/*
 * /proc/sys/vm/min_free_kbytes: set free_min (Linux's meaning), and
 * free_target and wakeup_thresh in the proportions the boot computed.
 * EINVAL if kb is out of range (below the reserve, or above a quarter of
 * memory).
 */
int vm_pageout_set_min_free_kbytes(uint64_t kb);

/*
 * Clean pages to be freed, of one object at a time (the daemon's
 * inactive scan, the laundry): unmapped together, so that the pages one
 * process maps cost one TLB shootdown for the batch, then freed if they
 * are still clean (a write may have slipped in: those go to laundry).
 * The walker keeps the batch's object locked across the pages it meets
 * in a row; vm_reclaim_switch moves the batch to another (locked)
 * object, flushing it and unlocking the old one, or with NULL ends it.
 * freed counts the pages freed.
 */
#define VM_RECLAIM_BATCH	32
struct vm_reclaim {
	struct vm_object *obj;			/* locked by the walker, or NULL */
	int		n;
	uint64_t	freed;
	struct vm_page	*pages[VM_RECLAIM_BATCH];
};
void vm_reclaim_add(struct vm_reclaim *r, struct vm_page *m);	/* m clean, unreferenced */
void vm_reclaim_flush(struct vm_reclaim *r);
void vm_reclaim_switch(struct vm_reclaim *r, struct vm_object *obj);

/*
 * The daemon's and the laundry's look at the references of m (object
 * locked, on inactive or laundry, idle): a reference since the last
 * look (its mappings' A bits) on top of one noted then (PGA_REFERENCED,
 * set by that look or by a kernel use), or two at once, promotes it to
 * active; a first one is noted and the page goes to the tail of
 * inactive for one more trip; with none, it is the caller's to reclaim
 * (what was noted has aged out).  vm_pageout.c says why two.
 */
enum vm_page_use { VM_PAGE_UNUSED, VM_PAGE_KEPT, VM_PAGE_PROMOTED };
enum vm_page_use vm_pageout_page_use(struct vm_page *m);

/*
 * Swap was added: dirty anonymous pages parked on the unswappable queue
 * may be written now; the daemon moves them to laundry.
 */
void vm_pageout_swap_added(void);

#endif
