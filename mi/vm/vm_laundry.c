/*
 * The laundry (see vm_laundry.h).
 */
#include <kern/systm.h>
#include <kern/sched.h>
#include <kern/sleepqueue.h>
#include <kern/spinlock.h>
#include <vm/pmap.h>
#include <vm/swap_pager.h>
#include <vm/vm_laundry.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pagequeue.h>
#include <vm/vm_pageout.h>
#include <vm/vm_pager.h>
#include <vm/vm_wait.h>
#include <vm/vm_workingset.h>

#define LAUNDRY_IDLE_NS		(1000UL * 1000 * 1000)	/* a look while pages wait */
#define LAUNDRY_BACKGROUND	LAUNDRY_CLUSTER		/* pages written per idle look */

struct vm_laundry_stats vm_laundry_stats;

static struct spinlock laundry_lock = SPINLOCK_INITIALIZER("laundry");
static uint64_t laundry_want;		/* (laundry_lock) pages the daemon asked for */
static const char laundry_chan;		/* the laundry sleeps here */
static uint64_t laundry_progress;	/* (A) pages written or freed */
static struct vm_page laundry_marker = { .flags = PG_MARKER, .astate = { .queue = PQ_NONE } };

#define STAT_ADD(field, n)	__atomic_add_fetch(&vm_laundry_stats.field, (n), __ATOMIC_RELAXED)

void
vm_laundry_wakeup(uint64_t want)
{
	spin_lock(&laundry_lock);
	if (want > laundry_want)
		laundry_want = want;
	wakeup(&laundry_chan);
	spin_unlock(&laundry_lock);
}

uint64_t
vm_laundry_progress(void)
{
	return __atomic_load_n(&laundry_progress, __ATOMIC_RELAXED);
}

void
vm_laundry_written(struct vm_page *m)
{
	KASSERT(spin_owned(&m->object->lock), ("vm_laundry_written: object not locked"));
	if (vm_page_queue(m) == PQ_LAUNDRY && m->wire_count == 0 && !vm_page_is_dirty(m))
		vm_page_deactivate_noreuse(m);
}

/* Must m be written before it may be freed?  Dirty, or anonymous with no copy in swap. */
static bool
needs_write(struct vm_page *m, struct vm_object *obj)
{
	return vm_page_is_dirty(m) || (vm_object_is_anon(obj) &&
	    !swap_pager_has_copy(obj, m->pindex));
}

/* Would m go with a neighbour's write: in laundry, idle, needing one?  obj locked. */
static bool
joins_cluster(struct vm_object *obj, vm_pindex_t idx)
{
	struct vm_page *m = vm_page_lookup(obj, idx);

	return m != NULL && vm_page_queue(m) == PQ_LAUNDRY && !vm_page_busied(m) &&
	    m->wire_count == 0 && needs_write(m, obj);
}

/* The run of laundry pages needing a write around m's index: [*start, *end).  obj locked. */
static void
cluster_around(struct vm_object *obj, struct vm_page *m, vm_pindex_t *start, vm_pindex_t *end)
{
	vm_pindex_t lo = m->pindex, hi = m->pindex + 1;

	while (hi - lo < LAUNDRY_CLUSTER && hi < obj->size && joins_cluster(obj, hi))
		hi++;
	while (hi - lo < LAUNDRY_CLUSTER && lo > 0 && joins_cluster(obj, lo - 1))
		lo--;
	*start = lo;
	*end = hi;
}

/*
 * Write the cluster around m (obj locked, and locked again on return)
 * through the pager, without waiting for the write.  How many pages it
 * held; 0 if the pager could not start it all: the pages not sent stay
 * dirty in the laundry, and the daemon must not count them as progress.
 * That is EAGAIN when the pager could not take the locks it needs (a
 * file's I/O lock, held by a thread that may be waiting for memory), or
 * ENOMEM (swap full, or memory for the request short).
 */
static uint64_t
write_cluster(struct vm_page *m, struct vm_object *obj)
{
	vm_pindex_t start, end;
	int error;

	cluster_around(obj, m, &start, &end);
	vm_object_pip_add(obj);
	spin_unlock(&obj->lock);
	/* What it could not start stays dirty, for a later pass. */
	error = vm_pager_put_pages(obj, start, end, VM_PAGER_PUT_LAUNDRY);
	spin_lock(&obj->lock);
	vm_object_pip_wakeup(obj);
	if (error != 0) {
		/* Nothing or not all sent: no progress. */
		if (error == EAGAIN)
			STAT_ADD(busy, 1);	/* a file busy with I/O */
		else
			STAT_ADD(failed, 1);	/* swap full, memory short */
		return 0;
	}
	STAT_ADD(clusters, 1);
	STAT_ADD(cluster_pages, end - start);
	return end - start;
}

/*
 * One laundry page, its object locked (and locked on return), r the
 * batch of clean pages to free (of that object): how many pages it got
 * written or freed.
 */
static uint64_t
launder_page(struct vm_page *m, struct vm_object *obj, struct vm_reclaim *r)
{
	if (vm_page_busied(m))
		return 0;			/* its write is in flight */
	/* In use again: not worth writing now (promoted, or back to inactive). */
	if (vm_pageout_page_use(m) != VM_PAGE_UNUSED) {
		STAT_ADD(reactivated, 1);
		return 0;
	}
	if (!needs_write(m, obj)) {
		vm_reclaim_add(r, m);		/* written: the pager holds its contents */
		return 1;
	}
	if (!vm_pager_can_launder(obj)) {
		vm_page_unswappable(m);		/* swap is full: parked until it has room */
		STAT_ADD(parked, 1);
		return 0;
	}
	vm_reclaim_flush(r);			/* the object lock goes for the write */
	return write_cluster(m, obj);
}

/* Walk the laundry queue until want pages were written or freed; how many were. */
static uint64_t
launder(uint64_t want)
{
	uint64_t done = 0, budget = vm_pagequeue_total(PQ_LAUNDRY);
	struct vm_reclaim r = { NULL };
	struct vm_object *obj;
	struct vm_page *m;

	STAT_ADD(passes, 1);
	vm_pagequeue_marker_insert(PQ_LAUNDRY, &laundry_marker);
	while (done < want && budget-- > 0 &&
	    (m = vm_pagequeue_scan_next(PQ_LAUNDRY, &laundry_marker, false, r.obj, &obj)) != NULL) {
		vm_reclaim_switch(&r, obj);
		done += launder_page(m, obj, &r);
	}
	vm_reclaim_switch(&r, NULL);
	vm_pagequeue_marker_remove(PQ_LAUNDRY, &laundry_marker);
	vm_pagequeue_flush_cpu();
	STAT_ADD(freed, r.freed);
	__atomic_add_fetch(&laundry_progress, done, __ATOMIC_RELAXED);
	return done;
}

/* Sleep until the daemon wants pages (or a second has passed); how many it wants. */
static uint64_t
laundry_sleep(void)
{
	uint64_t want;

	spin_lock(&laundry_lock);
	if (laundry_want == 0)
		(void)sleep_on_timed(&laundry_chan, &laundry_lock, 0,
		    sleepq_deadline_ns(LAUNDRY_IDLE_NS));
	want = laundry_want;
	laundry_want = 0;
	spin_unlock(&laundry_lock);
	return want;
}

static void
laundry_thread(void *arg)
{
	(void)arg;
	for (;;) {
		uint64_t want = laundry_sleep();

		if (vm_pagequeue_total(PQ_LAUNDRY) == 0)
			continue;
		(void)launder(MAX(want, LAUNDRY_BACKGROUND));
	}
}

void
vm_laundry_init(void)
{
	if (thread_start("laundry", laundry_thread, NULL, SCHED_ANY_CPU,
	    THREAD_MEMRESERVE) == NULL)
		panic("vm_laundry_init: no thread for the laundry");
}
