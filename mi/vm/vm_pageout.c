/*
 * The page daemon (see vm_pageout.h).
 *
 * One kernel thread, woken when free pages fall below wakeup_thresh (or
 * a waiter asks), frees pages until free_target are free:
 *
 *  - The inactive queue, oldest first.  A page referenced since the
 *    daemon last looked (its mappings' A bits, pmap_ts_referenced: a
 *    fault that finds a page resident maps it with A set) is not taken
 *    (vm_pageout_page_use); one that was not is, if clean, unmapped
 *    (pmap_remove_all) and freed; if dirty, it goes, still mapped, to the
 *    laundry queue (or, with nowhere to write it, to the unswappable
 *    one).
 *  - The active queue, when inactive (with laundry) is short of its goal,
 *    and only then: a clock hand that ages each page's activity count
 *    (FreeBSD's act_count: up by ACT_ADVANCE with a reference, down by
 *    ACT_DECLINE without) and moves those that reach 0 to inactive.  The
 *    hand moves one page per eviction (active_hand_budget), so a page
 *    keeps its place if it is used about once per trip of the hand
 *    around the queue, however often the daemon runs.  The goal is FreeBSD's
 *    inactive_target, and at least active / ratio with Linux's ratio
 *    (1 below 1 GiB, sqrt(10 * GiB) above): inactive must stay long
 *    enough to give its pages a fair chance of a second reference.
 *
 * Scan resistance (a working set that fits in memory must survive a
 * program streaming once through more than memory).  Plain LRU fails:
 * the streamed pages push the working set out.  Here a page has to earn
 * the active queue, which the daemon ages only to keep inactive at its
 * goal, so pages touched once never displace it:
 *  - new pages (zero-filled, copied, paged in) start on inactive, not
 *    active (2Q's A1in, Linux's inactive list);
 *  - a page on inactive (or laundry) is promoted only on a second
 *    reference: the first one the daemon sees (the fault that made the
 *    page set its A bit) only marks it (PGA_REFERENCED) and sends it to
 *    the tail of inactive once more; only a reference seen again, or two
 *    at once (two mappings), makes it active (Linux's
 *    page_check_references);
 *  - the active queue is aged only to keep inactive at its goal, never
 *    for a shortage as such: a stream's pages each need a second trip
 *    through inactive, and a daemon that aged active to make up for them
 *    would age the working set out in their stead;
 *  - a page whose reuse distance is longer than a trip through inactive
 *    loses that race however hot it is, so evictions are remembered
 *    (vm_workingset.c: 2Q's A1out ghost list, kept as eviction stamps as
 *    Linux's workingset does): a page paged back in within one
 *    memory-full of evictions goes straight to active, read-around pages
 *    included.  A stream's pages come back, if ever, only after more
 *    than that.
 * The hot set that survives so is up to about half of memory: inactive's
 * goal (Linux's ratio of 1 below 1 GiB) is as large as active.  The
 * paging test scanres checks it: a 24 MiB hot set read between streams
 * through 128 MiB, on 128 MiB, pages in well under 10% of itself per
 * round once warm (plain LRU: all of it).
 *
 * Out of memory.  A pass that frees nothing while user allocations fail
 * counts towards PAGEOUT_OOM_PASSES; that many in a row, and the OOM
 * killer picks a victim (vm_oom.c).
 *
 * Locking: the daemon holds a page queue lock only to pick the next page
 * (after its marker) and try its object's lock, which it then keeps
 * while it decides; see vm_pagequeue.h for the order.  Objects are
 * type-stable, so trying the lock of a page's object is safe even when
 * the pointer has gone stale; holding it, m->object == obj says whether
 * it still is the page's object.
 */
#include <kern/systm.h>
#include <kern/pcpu.h>
#include <machine/cpu.h>
#include <kern/sched.h>
#include <kern/sleepqueue.h>
#include <kern/spinlock.h>
#include <vm/pmap.h>
#include <vm/swap_device.h>
#include <vm/vm_laundry.h>
#include <vm/vm_object.h>
#include <vm/vm_oom.h>
#include <vm/vm_page.h>
#include <vm/vm_pagequeue.h>
#include <vm/vm_pageout.h>
#include <vm/vm_pager.h>
#include <vm/vm_wait.h>
#include <vm/vm_workingset.h>

#define PAGEOUT_IDLE_NS		(100UL * 1000 * 1000)	/* a look even if no one asks (a kick left) */
#define PAGEOUT_RETRY_NS	(20UL * 1000 * 1000)	/* after a pass that freed nothing */
#define PAGEOUT_OOM_PASSES	12			/* FreeBSD's vm.pageout_oom_seq */
#define PAGEOUT_OOM_NS		(1000UL * 1000 * 1000)	/* ... lasting at least this long */
#define PAGEOUT_LAUNDRY_STUCK_NS (30UL * 1000 * 1000 * 1000)	/* a laundry writing nothing */
#define MIN_FREE_KBYTES_MAX_FRACTION 4	/* min_free_kbytes may take at most a quarter of RAM */

struct vm_pageout_targets vm_pageout_targets;
struct vm_pageout_stats vm_pageout_stats;

static struct spinlock targets_lock = SPINLOCK_INITIALIZER("pageout targets");
static struct spinlock pageout_lock = SPINLOCK_INITIALIZER("pageout");
static uint32_t pageout_wanted;		/* (pageout_lock, read atomically) */
static const char pageout_chan;		/* the daemon sleeps here */
static uint32_t swap_added;			/* (A) the unswappable queue is to be emptied */
static unsigned oom_passes;		/* (daemon) passes in a row that could not help */
static uint64_t oom_deadline;		/* (daemon) no kill before this (cpu_time()) */
static uint64_t failures_seen;		/* (daemon) vm_page_alloc_failures at the last pass */
static uint64_t free_seen;		/* (daemon) free pages at the last pass */
static uint64_t laundered_seen;		/* (daemon) the laundry's progress at the last pass */
static uint64_t swap_room_seen;		/* (daemon) free swap slots at the last look */
static uint64_t laundry_deadline;	/* (daemon) the laundry is stuck if it writes nothing by then */
static uint64_t hand_credit;		/* (daemon) active pages the hand may still visit */
static uint32_t evictions_seen;		/* (daemon) the eviction clock when credit was last earned */

/* The daemon's places in the queues (never freed, never in an object). */
static struct vm_page inactive_marker = { .flags = PG_MARKER, .astate = { .queue = PQ_NONE } };
static struct vm_page active_hand = { .flags = PG_MARKER, .astate = { .queue = PQ_NONE } };
static struct vm_page unswappable_marker = { .flags = PG_MARKER, .astate = { .queue = PQ_NONE } };

#define STAT_INC(field)	__atomic_add_fetch(&vm_pageout_stats.field, 1, __ATOMIC_RELAXED)

/*
 * Targets.
 */

/* free_min's share above the reserve; free_target takes four of them (FreeBSD's proportions). */
static void
set_targets(uint64_t reserved, uint64_t min_share)
{
	struct vm_pageout_targets *t = &vm_pageout_targets;
	uint64_t target = reserved + 4 * min_share;

	spin_lock(&targets_lock);
	__atomic_store_n(&t->free_reserved, reserved, __ATOMIC_RELAXED);
	__atomic_store_n(&t->free_min, reserved + min_share, __ATOMIC_RELAXED);
	__atomic_store_n(&t->free_target, target, __ATOMIC_RELAXED);
	__atomic_store_n(&t->wakeup_thresh, target / 10 * 9, __ATOMIC_RELAXED);
	__atomic_store_n(&t->inactive_target, target * 3 / 2, __ATOMIC_RELAXED);
	spin_unlock(&targets_lock);
}

/*
 * After FreeBSD's vm_pageout_init: above the reserve user memory leaves
 * to the kernel (vm_page_reserved), free_min 1/200 of memory,
 * free_target four times that.
 */
static void
compute_targets(uint64_t npages)
{
	set_targets(vm_page_reserved(), MAX(npages / 200, 1));
}

int
vm_pageout_set_min_free_kbytes(uint64_t kb)
{
	uint64_t pages = kb / (PAGE_SIZE / 1024), reserved = vm_pageout_targets.free_reserved;

	if (pages <= reserved || pages > vm_page_count_total() / MIN_FREE_KBYTES_MAX_FRACTION)
		return EINVAL;
	set_targets(reserved, pages - reserved);
	vm_pageout_wakeup();
	return 0;
}

/*
 * Waking the daemon.
 */

uint32_t vm_pageout_kicked;		/* (A) a wakeup left for a safe moment */

void
vm_pageout_kick(void)
{
	if (!__atomic_exchange_n(&vm_pageout_kicked, 0, __ATOMIC_RELAXED))
		return;
	spin_lock(&pageout_lock);
	if (!pageout_wanted) {
		__atomic_store_n(&pageout_wanted, 1, __ATOMIC_RELAXED);
		STAT_INC(wakeups);
		wakeup(&pageout_chan);
	}
	spin_unlock(&pageout_lock);
}

void
vm_pageout_wakeup(void)
{
	struct pcpu *pc = curcpu();

	if (__atomic_load_n(&pageout_wanted, __ATOMIC_RELAXED) ||
	    __atomic_load_n(&vm_pageout_kicked, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&vm_pageout_kicked, 1, __ATOMIC_RELAXED);
	if (pc->pc_spin_depth == 0 && pc->pc_intr_depth == 0)
		vm_pageout_kick();
}

void
vm_pageout_swap_added(void)
{
	__atomic_store_n(&swap_added, 1, __ATOMIC_RELAXED);
	vm_pageout_wakeup();
}

/*
 * Deciding about a page.
 */

/* Must m be written before it can be freed?  Object locked, m unmapped or not. */
static bool
page_dirty(struct vm_page *m)
{
	return (m->oflags & VPO_DIRTY) || pmap_is_modified(m);
}

/* A dirty page the daemon will not free now: to laundry, or parked. */
static void
page_launder(struct vm_page *m, struct vm_object *obj)
{
	if (vm_pager_can_launder(obj)) {
		vm_page_launder(m);
		STAT_INC(pages_to_laundry);
	} else if (vm_page_queue(m) != PQ_UNSWAPPABLE) {
		vm_page_unswappable(m);
		STAT_INC(pages_unswappable);
	}
}

/*
 * Reclaiming clean pages in batches.
 */

void
vm_reclaim_add(struct vm_reclaim *r, struct vm_page *m)
{
	KASSERT(m->object == r->obj && spin_owned(&r->obj->lock),
	    ("vm_reclaim_add: page %lx not of the batch's locked object", m->phys_addr));
	r->pages[r->n++] = m;
	if (r->n == VM_RECLAIM_BATCH)
		vm_reclaim_flush(r);
}

void
vm_reclaim_flush(struct vm_reclaim *r)
{
	if (r->n == 0)
		return;
	/* Unmapping collects any D bit a write set meanwhile: those go to laundry instead. */
	pmap_remove_all_pages(r->pages, r->n);
	for (int i = 0; i < r->n; i++) {
		struct vm_page *m = r->pages[i];

		if (page_dirty(m)) {
			page_launder(m, r->obj);
			continue;
		}
		vm_workingset_evict(m);
		vm_page_free(m);
		r->freed++;
	}
	r->n = 0;
}

void
vm_reclaim_switch(struct vm_reclaim *r, struct vm_object *obj)
{
	if (obj == r->obj)
		return;
	if (r->obj != NULL) {
		vm_reclaim_flush(r);
		spin_unlock(&r->obj->lock);
		/* Pages freed under the object lock woke no one: now, holding nothing else. */
		vm_page_free_wakeup();
	}
	r->obj = obj;
}

/*
 * One inactive page, its object locked: promote it on a second
 * reference, keep it for one more trip on a first, else reclaim it: if
 * clean, to r's batch, to be unmapped and freed; if dirty, to be written
 * first (or kept, with nowhere to write it), still mapped (the pager
 * write-protects it before writing).
 */
enum vm_page_use
vm_pageout_page_use(struct vm_page *m)
{
	int refs = pmap_ts_referenced(m);
	bool seen = vm_page_test_clear_referenced(m);

	/* No use since the last look: what was noted then has aged out. */
	if (refs == 0)
		return VM_PAGE_UNUSED;
	if (refs > 1 || seen) {
		vm_page_activate(m);
		STAT_INC(reactivations);
		return VM_PAGE_PROMOTED;
	}
	/* The first use seen. */
	vm_page_deactivate(m);
	vm_page_reference(m);
	return VM_PAGE_KEPT;
}

static void
inactive_page(struct vm_page *m, struct vm_object *obj, struct vm_reclaim *r)
{
	if (vm_page_busied(m))
		return;			/* being filled or written */
	KASSERT(m->wire_count == 0, ("inactive_page: wired page %lx on inactive", m->phys_addr));
	STAT_INC(pgscan_kswapd);
	if (vm_pageout_page_use(m) != VM_PAGE_UNUSED)
		return;
	if (page_dirty(m))
		page_launder(m, obj);
	else
		vm_reclaim_add(r, m);
}

/*
 * Walk queue q after marker (a clock hand with wrap) until visit, called
 * on each page with its object locked, has said true want times, or
 * *budget pages had their turn (each taken from it).  How many said true.
 */
static uint64_t
scan_queue(uint8_t q, struct vm_page *marker, bool wrap, uint64_t want, uint64_t *budget,
    bool (*visit)(struct vm_page *m, struct vm_object *obj))
{
	uint64_t done = 0;
	struct vm_object *obj;
	struct vm_page *m;

	while (done < want && *budget > 0 &&
	    (m = vm_pagequeue_scan_next(q, marker, wrap, NULL, &obj)) != NULL) {
		(*budget)--;
		if (visit(m, obj))
			done++;
		spin_unlock(&obj->lock);
	}
	return done;
}

/*
 * Free up to want inactive pages, oldest first; how many were freed.  The
 * pages of one object met in a row are kept under its lock, and the clean
 * ones freed in batches (vm_reclaim).
 */
static uint64_t
scan_inactive(uint64_t want)
{
	uint64_t budget = vm_pagequeue_total(PQ_INACTIVE);
	struct vm_reclaim r = { NULL };
	struct vm_object *obj;
	struct vm_page *m;

	vm_pagequeue_marker_insert(PQ_INACTIVE, &inactive_marker);
	while (r.freed + r.n < want && budget-- > 0 &&
	    (m = vm_pagequeue_scan_next(PQ_INACTIVE, &inactive_marker, false, r.obj, &obj)) != NULL) {
		vm_reclaim_switch(&r, obj);
		inactive_page(m, obj, &r);
	}
	vm_reclaim_switch(&r, NULL);
	vm_pagequeue_marker_remove(PQ_INACTIVE, &inactive_marker);
	__atomic_add_fetch(&vm_pageout_stats.pgsteal_kswapd, r.freed, __ATOMIC_RELAXED);
	return r.freed;
}

/* One active page, object locked: age it; true if it went to inactive. */
static bool
active_page(struct vm_page *m, struct vm_object *obj)
{
	union vm_page_astate a = vm_page_astate_load(m);
	int refs, act = a.act_count;

	(void)obj;
	if (vm_page_busied(m))
		return false;
	STAT_INC(pgscan_active);
	refs = pmap_ts_referenced(m) + (vm_page_test_clear_referenced(m) ? 1 : 0);
	if (refs > 0) {
		vm_page_set_act_count(m, (uint8_t)MIN(act + ACT_ADVANCE + refs, ACT_MAX));
		return false;
	}
	act = act > ACT_DECLINE ? act - ACT_DECLINE : 0;
	if (act > 0) {
		vm_page_set_act_count(m, (uint8_t)act);
		return false;
	}
	vm_page_deactivate(m);
	return true;
}

/*
 * How many active pages the hand may visit now.  Aging ranks active
 * pages by use (a page referenced between two visits gains ACT_ADVANCE,
 * one not loses ACT_DECLINE), so the hand must move at the pace pages
 * are used, not at the pace passes come: a daemon that swept the whole
 * queue on each pass until a small deficit was made up aged a working
 * set read once between streams nine times between its reads, and sent
 * the hot pages with the fewest reads behind them to inactive, to be
 * evicted.  So the hand earns one visit per eviction (the clock reuse is
 * measured in, as the refault distance is), up to one sweep; only when
 * inactive (with laundry) is below its absolute least, inactive_target,
 * does it go as far as it must: memory is short and active must give.
 */
static uint64_t
active_hand_budget(void)
{
	uint64_t active = vm_pagequeue_total(PQ_ACTIVE);
	uint64_t inactive = vm_pagequeue_total(PQ_INACTIVE) + vm_pagequeue_total(PQ_LAUNDRY);
	uint32_t now = vm_workingset_evictions();

	hand_credit = MIN(hand_credit + (uint32_t)(now - evictions_seen), active);
	evictions_seen = now;
	if (inactive < __atomic_load_n(&vm_pageout_targets.inactive_target, __ATOMIC_RELAXED))
		return active;
	return hand_credit;
}

/* Move the clock hand over the active queue until want pages went to inactive. */
static void
scan_active(uint64_t want)
{
	uint64_t budget, left;

	if (want == 0)
		return;
	left = budget = active_hand_budget();
	(void)scan_queue(PQ_ACTIVE, &active_hand, true, want, &left, active_page);
	hand_credit -= MIN(budget - left, hand_credit);
}

/* An unswappable page that can be written now goes to laundry. */
static bool
unpark_page(struct vm_page *m, struct vm_object *obj)
{
	if (!vm_page_busied(m) && vm_pager_can_launder(obj))
		vm_page_launder(m);
	return false;
}

/* Swap appeared, or has room again: parked dirty pages go to laundry, to be written. */
static void
drain_unswappable(void)
{
	uint64_t room = swap_free_pages(), budget;

	/* Swap was added, or has more room than at the last look (copies freed). */
	if (!__atomic_exchange_n(&swap_added, 0, __ATOMIC_RELAXED) &&
	    (vm_pagequeue_total(PQ_UNSWAPPABLE) == 0 || room <= swap_room_seen)) {
		swap_room_seen = room;
		return;
	}
	swap_room_seen = room;
	vm_pagequeue_marker_insert(PQ_UNSWAPPABLE, &unswappable_marker);
	budget = vm_pagequeue_total(PQ_UNSWAPPABLE);
	(void)scan_queue(PQ_UNSWAPPABLE, &unswappable_marker, false, UINT64_MAX, &budget,
	    unpark_page);
	vm_pagequeue_marker_remove(PQ_UNSWAPPABLE, &unswappable_marker);
}

/* Linux's inactive_ratio: 1 below 1 GiB of these pages, sqrt(10 * GiB) above. */
static uint64_t
inactive_ratio(uint64_t pages)
{
	uint64_t gib = pages >> (30 - PAGE_SHIFT), r = 1;

	while ((r + 1) * (r + 1) <= 10 * gib)
		r++;
	return gib == 0 ? 1 : r;
}

/*
 * How many active pages should go to inactive for it to reach its goal.
 * Laundry pages count as inactive (as Linux's dirty inactive pages do):
 * they left active already, and a big laundry must not age the working
 * set out.
 */
static uint64_t
inactive_deficit(void)
{
	uint64_t active = vm_pagequeue_total(PQ_ACTIVE);
	uint64_t inactive = vm_pagequeue_total(PQ_INACTIVE) + vm_pagequeue_total(PQ_LAUNDRY);
	uint64_t goal = MAX(__atomic_load_n(&vm_pageout_targets.inactive_target, __ATOMIC_RELAXED),
	    active / inactive_ratio(active + inactive));

	return inactive < goal ? MIN(goal - inactive, active) : 0;
}

/*
 * Dirty pages to write even though the inactive scan met its goal
 * (FreeBSD's background laundering): those by which the laundry
 * outnumbers the clean pages that could be freed at once (inactive and
 * free).  A laundry written only to cover shortfalls keeps memory full of
 * dirty pages no one uses, and leaves the next shortage to wait for
 * writes.
 */
static uint64_t
laundry_background(void)
{
	uint64_t dirty = vm_pagequeue_total(PQ_LAUNDRY);
	uint64_t clean = vm_pagequeue_total(PQ_INACTIVE) + vm_page_count_free();

	return dirty > clean ? dirty - clean : 0;
}

/*
 * Dirty pages to write because a pass freed clean ones: the laundry's
 * share, of what was freed, among the pages that may go (laundry and
 * inactive).  Laundry pages left inactive before any page still there:
 * a daemon that freed only clean pages while they waited would shrink
 * memory by the laundry's size, and evict pages used since in their
 * place (a hot set read between streams lost that race on a machine
 * with 10 MiB less).
 */
static uint64_t
laundry_share(uint64_t freed)
{
	uint64_t dirty = vm_pagequeue_total(PQ_LAUNDRY);
	uint64_t clean = vm_pagequeue_total(PQ_INACTIVE);

	if (freed == 0 || dirty == 0)
		return 0;
	return freed * dirty / (dirty + clean) + 1;
}

/*
 * One pass: free what free_target asks, age active pages as the
 * inactive goal asks.  Returns
 * whether it freed anything.
 */
static bool
pageout_pass(void)
{
	uint64_t free = vm_page_count_free(), target, shortage, freed = 0, laundry_want;

	drain_unswappable();
	target = __atomic_load_n(&vm_pageout_targets.free_target, __ATOMIC_RELAXED);
	if (free >= target)
		return false;		/* a look on the clock: nothing to do */
	STAT_INC(passes);
	shortage = target - free;
	freed = scan_inactive(shortage);
	/*
	 * Age active pages only as inactive's goal asks: a shortage alone
	 * must not, or a stream (whose pages all need a second trip through
	 * inactive) would age the working set out in its stead.
	 */
	scan_active(inactive_deficit());
	vm_pagequeue_flush_cpu();
	/* What the scan could not free because it is dirty, the laundry writes. */
	laundry_want = (shortage > freed ? shortage - freed : 0) +
	    MAX(laundry_background(), laundry_share(freed));
	if (laundry_want > 0 && vm_pagequeue_total(PQ_LAUNDRY) > 0)
		vm_laundry_wakeup(laundry_want);
	return freed > 0;
}

/*
 * The daemon is a source of free pages for vm_wait's waiters (vm_wait.h)
 * for as long as it may still free some: from boot, until its OOM killer
 * finds no one to kill, and again from its next pass that helps.
 */
static bool reclaiming;			/* (daemon) it holds vm_reclaim_begin */

static void
reclaim_hold(bool on)
{
	if (on == reclaiming)
		return;
	reclaiming = on;
	if (on)
		vm_reclaim_begin();
	else
		vm_reclaim_end();
}

/*
 * Out of memory?  A pass that could not free anything while user
 * allocations fail (free pages below free_min, and some allocation
 * failed since the last pass or someone waits for memory: memory is
 * short and someone is hurt by it), and while no one else freed memory
 * either (an exit, the last victim's perhaps) nor the laundry got pages
 * written: PAGEOUT_OOM_PASSES of them in a row, over PAGEOUT_OOM_NS at
 * least, and the OOM killer picks a victim.
 */
static void
oom_check(bool progress)
{
	uint64_t failures = __atomic_load_n(&vm_page_alloc_failures, __ATOMIC_RELAXED);
	uint64_t free = vm_page_count_free(), laundered = vm_laundry_progress();
	bool hurting = failures != failures_seen || vm_wait_waiters() > 0;
	bool laundry_moved = laundered != laundered_seen;
	/* Someone else frees memory (an exit), or the laundry writes pages that will be. */
	bool freeing = free > free_seen || laundry_moved;

	failures_seen = failures;
	free_seen = free;
	laundered_seen = laundered;
	if (laundry_moved || laundry_deadline == 0)
		laundry_deadline = sleepq_deadline_ns(PAGEOUT_LAUNDRY_STUCK_NS);
	/*
	 * While swap has room, dirty anonymous pages can still go: the
	 * laundry is only slow (a slow disk, busy cpus), unless it has got
	 * nothing written for PAGEOUT_LAUNDRY_STUCK_NS (a disk that no longer
	 * answers), when the OOM killer may act after all.
	 */
	if (swap_free_pages() > 0 && sleepq_remaining_ns(laundry_deadline) > 0)
		freeing = true;
	if (progress || freeing || !hurting || free >= vm_pageout_targets.free_min) {
		oom_passes = 0;
		reclaim_hold(true);
		return;
	}
	STAT_INC(oom_passes);
	if (oom_passes++ == 0)
		oom_deadline = sleepq_deadline_ns(PAGEOUT_OOM_NS);
	/* Both enough passes and enough time: writes to a slow disk may be on their way. */
	if (oom_passes < PAGEOUT_OOM_PASSES || sleepq_remaining_ns(oom_deadline) > 0)
		return;
	oom_passes = 0;
	/* With no one to kill, the waiters must fail: nothing will come back. */
	reclaim_hold(vm_oom_kill() != VM_OOM_NO_VICTIM);
}

/* Sleep until someone wants pages, or ns have passed. */
static void
pageout_sleep(uint64_t ns)
{
	spin_lock(&pageout_lock);
	if (!pageout_wanted && !__atomic_load_n(&vm_pageout_kicked, __ATOMIC_RELAXED))
		(void)sleep_on_timed(&pageout_chan, &pageout_lock, 0, sleepq_deadline_ns(ns));
	__atomic_store_n(&pageout_wanted, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&vm_pageout_kicked, 0, __ATOMIC_RELAXED);
	spin_unlock(&pageout_lock);
}

static void
pageout_daemon(void *arg)
{
	(void)arg;
	vm_pagequeue_marker_insert(PQ_ACTIVE, &active_hand);
	reclaim_hold(true);
	for (;;) {
		bool progress = pageout_pass();

		oom_check(progress);
		if (!vm_paging_needed(vm_page_count_free()))
			pageout_sleep(PAGEOUT_IDLE_NS);
		else if (!progress)
			pageout_sleep(PAGEOUT_RETRY_NS);
		else
			sched_yield();
	}
}

void
vm_pageout_init(void)
{
	compute_targets(vm_page_count_total());
	vm_workingset_init(vm_page_count_total());
	vm_laundry_init();
	if (thread_start("pagedaemon", pageout_daemon, NULL, SCHED_ANY_CPU,
	    THREAD_MEMRESERVE) == NULL)
		panic("vm_pageout_init: no thread for the page daemon");
}
