/*
 * Paging queues: where the page daemon finds pages to reclaim (after
 * FreeBSD 12's four queues and FreeBSD 13's lock-free page state).
 *
 * Every managed page that belongs to an object and is not wired is on
 * exactly one of:
 *   PQ_ACTIVE       in use; the daemon ages it with the reference bits
 *                   and moves it to inactive when its activity runs out;
 *   PQ_INACTIVE     reclaim candidates, oldest first.  New pages start
 *                   here (scan resistance: see vm_pageout.c); a clean,
 *                   unreferenced one is unmapped and freed, a dirty one
 *                   goes to laundry, a referenced one back to active;
 *   PQ_LAUNDRY      dirty, waiting for the laundry thread to write them
 *                   to their pager;
 *   PQ_UNSWAPPABLE  dirty anonymous pages with nowhere to go (no swap):
 *                   not scanned until swap is added.
 * Wired pages, kernel pages and free pages are on none (PQ_NONE).
 *
 * Queue state.  The queue a page belongs to is m->astate.queue; the
 * astate word (queue, activity count, PGA_* flags) changes only by
 * compare-and-swap.  Whether the page is on that queue's list is
 * PGA_ENQUEUED.  Moving a page to a queue does not touch the list: it
 * sets astate.queue and PGA_REQUEUE (or PGA_REQUEUE_HEAD) and puts the
 * page in this cpu's batch for that queue (FreeBSD's vm_batchqueue);
 * when a batch fills, the queue's lock is taken once for all its pages,
 * which go to the list as their astate says.  So a fault that makes a
 * page takes no shared lock.  A batch entry whose page has meanwhile
 * gone elsewhere (or been freed) finds astate.queue changed and is
 * skipped.  A page whose queue is set but is neither enqueued nor
 * waiting in a batch (PGA_REQUEUE*) cannot exist.
 *
 * Rules:
 *  - astate.queue, PGA_ENQUEUED and the list position of an enqueued
 *    page change only under that queue's lock (Q).
 *  - Which queue a page belongs to (astate.queue, including PQ_NONE)
 *    changes only with the page's object locked (O): the fault path,
 *    wiring, freeing, and the page daemon (which locks the object first).
 *  - PGA_REFERENCED may be set by anyone holding the object lock
 *    (vm_page_reference); the daemon tests and clears it.
 *  - A page with wirings is on no queue (KASSERTed on every transition;
 *    /proc/vmcheck checks every page).
 *
 * Lock order: object lock, then a page queue lock, then pmap and page
 * allocator locks.  Queue locks are never nested with each other.  The
 * daemon, which holds a queue lock while it picks a page, only tries the
 * page's object lock.
 */
#ifndef _VM_VM_PAGEQUEUE_H_
#define _VM_VM_PAGEQUEUE_H_

#include <kern/types.h>
#include <kern/list.h>
#include <kern/spinlock.h>
#include <vm/vm_page.h>

#define PQ_ACTIVE	0
#define PQ_INACTIVE	1
#define PQ_LAUNDRY	2
#define PQ_UNSWAPPABLE	3
#define PQ_COUNT	4
/* PQ_NONE (255): vm_page.h */

/* astate.flags */
#define PGA_ENQUEUED	 0x0001	/* (Q) on the list of astate.queue */
#define PGA_REQUEUE	 0x0002	/* waits in a batch to go to the tail of astate.queue */
#define PGA_REQUEUE_HEAD 0x0004	/* ... to the head: reclaim it next */
#define PGA_REFERENCED	 0x0008	/* referenced since the daemon last looked */
#define PGA_ANON	 0x0010	/* counted as anonymous memory, not a file's */
#define PGA_QUEUE_FLAGS	 (PGA_ENQUEUED | PGA_REQUEUE | PGA_REQUEUE_HEAD)

/* Activity counts (FreeBSD's scale): a reference adds, a scan without one takes away. */
#define ACT_DECLINE	1
#define ACT_ADVANCE	3
#define ACT_INIT	5
#define ACT_MAX		64

/* Page kinds counted apart, as Linux's nr_*_anon and nr_*_file. */
#define PQ_KIND_FILE	0
#define PQ_KIND_ANON	1

struct vm_pagequeue {
	struct spinlock	pq_lock;
	struct list_node pq_pl;		/* (Q) its pages, oldest first */
	uint64_t	pq_cnt[2];	/* (Q) pages on the list, by PQ_KIND_* */
	const char	*pq_name;	/* (C) */
} __attribute__((aligned(CACHE_LINE_SIZE)));

extern struct vm_pagequeue vm_pagequeues[PQ_COUNT];

/* Counters, in /proc/vmstat under Linux's names. */
struct vm_pagequeue_stats {
	uint64_t	pgactivate;	/* pages moved to the active queue from another */
	uint64_t	pgdeactivate;	/* pages moved from active to inactive */
};
extern struct vm_pagequeue_stats vm_pagequeue_stats;

void vm_pagequeue_init(void);

static inline union vm_page_astate
vm_page_astate_load(const struct vm_page *m)
{
	union vm_page_astate a;

	a.bits = __atomic_load_n(&m->astate.bits, __ATOMIC_RELAXED);
	return a;
}

/* The queue m belongs to (PQ_NONE if none); a snapshot unless the object is locked. */
static inline uint8_t
vm_page_queue(const struct vm_page *m)
{
	return vm_page_astate_load(m).queue;
}

/*
 * Page state transitions.  => m's object locked, m unwired (but for
 * vm_page_dequeue), no page queue lock held.  The moves are batched:
 * the page reaches its new list at the latest when this cpu's batch
 * for that queue fills or is flushed.
 */
/* m, on no queue, joins queue (tail).  New pages start on PQ_INACTIVE. */
void vm_page_enqueue(struct vm_page *m, uint8_t queue);
/*
 * The n pages m[0..n) -- new pages of one object (locked), on no queue,
 * unwired: a superpage's run -- join queue's tail at once, under one hold
 * of its lock, not through the batches.
 */
void vm_page_enqueue_run(struct vm_page *m, uint64_t n, uint8_t queue);
/* Off its queue now, whatever it was (freeing, wiring). */
void vm_page_dequeue(struct vm_page *m);
/* To the active queue, activity at least ACT_INIT; already active: just that. */
void vm_page_activate(struct vm_page *m);
/* To the tail of inactive (aged out), or its head (noreuse: reclaim it next). */
void vm_page_deactivate(struct vm_page *m);
void vm_page_deactivate_noreuse(struct vm_page *m);
/* Dirty: to laundry, or to unswappable when it has nowhere to be written. */
void vm_page_launder(struct vm_page *m);
void vm_page_unswappable(struct vm_page *m);
/* Back to the tail of the queue it is on (kept for another pass). */
void vm_page_requeue(struct vm_page *m);
/*
 * A reference that no pmap saw (a fault found the page resident): the
 * daemon's next look promotes an inactive page.  Lock-free, cheap when
 * already set.
 */
void vm_page_reference(struct vm_page *m);
/* Test and clear PGA_REFERENCED (the daemon). */
bool vm_page_test_clear_referenced(struct vm_page *m);
/* Set m's activity count (the daemon's aging; object locked). */
void vm_page_set_act_count(struct vm_page *m, uint8_t act);

/*
 * Walking a queue's list with a marker (a struct vm_page with PG_MARKER,
 * on no queue otherwise), as the page daemon and the laundry do: put it
 * at the head, then vm_pagequeue_scan_next gives the page after it (with
 * wrap, past the end back to the head, as a clock hand), its object
 * locked in *objp, and moves the marker past it; NULL at the end.  A
 * page whose object lock is taken is passed over: a walker never waits
 * for an object lock while it holds a queue's; so is one of a dying
 * object (OBJ_DEAD), which frees its pages itself.  A walker may keep
 * one object locked across pages (held, else NULL): a page of held comes
 * with nothing more locked, one of another object with its lock too.
 * => no lock held but held's
 */
void vm_pagequeue_marker_insert(uint8_t q, struct vm_page *marker);
void vm_pagequeue_marker_remove(uint8_t q, struct vm_page *marker);
struct vm_page *vm_pagequeue_scan_next(uint8_t q, struct vm_page *marker, bool wrap,
    struct vm_object *held, struct vm_object **objp);

/* Put this cpu's pending batches on their lists (the daemon, after a scan). */
void vm_pagequeue_flush_cpu(void);

/* Pages on queue's list, of one kind or both. */
uint64_t vm_pagequeue_count(uint8_t queue, int kind);
uint64_t vm_pagequeue_total(uint8_t queue);

/*
 * The invariants, checked for /proc/vmcheck: each queue's list against
 * its pages' astate and its counts (under the queue lock), and every
 * page of the array under its object's lock: unwired object pages on a
 * queue (enqueued or waiting in a batch), wired ones on none.  Each
 * problem goes to report; returns how many.  Called with no locks held.
 */
int vm_pagequeue_verify(void (*report)(void *arg, const char *msg), void *arg);

#endif
