/*
 * Self-tests of the paging queues: pages made by the fault path's
 * calls land on inactive through this cpu's batch, move between queues
 * as their astate says, leave the queues when wired or freed, the counts
 * follow, and the checker behind /proc/vmcheck sees each invariant
 * broken on purpose.  Then four harts move pages at once and the lists
 * and counts still add up.
 */
#include <kern/systm.h>
#include <kern/selftest.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pagequeue.h>

#define NPAGES		40	/* more than a batch: one batch fills on the way */
#define STRESS_PAGES	24
/*
 * Rounds enough to catch a race between queues: with 300, the unlink that
 * published a page's new queue before taking it off the old list (a
 * later batch on another cpu put it on the new list first, and the
 * unlink then took it off that one) corrupted a queue in 1 run of 10
 * to 20 on four harts kept busy; with 3,000, in 4 of 10.
 */
#define STRESS_ROUNDS	3000
#define STRESS_THREADS	4
#define STRESS_TIMEOUT_MS 60000

static void
quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

static void
loud(void *arg, const char *msg)
{
	(void)arg;
	printf("# vmcheck: %s\n", msg);
}

static int
problems(void)
{
	return vm_pagequeue_verify(quiet, NULL);
}

/* npages new pages in obj at 0.., filled and ready, as a fault makes them. */
static bool
make_pages(struct vm_object *obj, struct vm_page **pages, int npages)
{
	spin_lock(&obj->lock);
	for (int i = 0; i < npages; i++) {
		if ((pages[i] = vm_page_alloc(obj, i, 0)) == NULL) {
			spin_unlock(&obj->lock);
			return false;
		}
		vm_page_xunbusy(pages[i]);
	}
	spin_unlock(&obj->lock);
	return true;
}

static bool
all_match(struct vm_page **pages, int npages, uint8_t queue, uint16_t flags)
{
	for (int i = 0; i < npages; i++) {
		union vm_page_astate a = vm_page_astate_load(pages[i]);

		if (a.queue != queue || (a.flags & flags) != flags)
			return false;
	}
	return true;
}

static void
test_new_pages(struct vm_object *obj, struct vm_page **pages)
{
	uint64_t inactive0 = vm_pagequeue_count(PQ_INACTIVE, PQ_KIND_ANON);

	selftest_ok(make_pages(obj, pages, NPAGES), "pagequeue: %d pages made", NPAGES);
	selftest_ok(all_match(pages, NPAGES, PQ_INACTIVE, PGA_ANON),
	    "pagequeue: new pages belong to the inactive queue, counted as anonymous");
	selftest_ok(vm_pagequeue_count(PQ_INACTIVE, PQ_KIND_ANON) - inactive0 == 31,
	    "pagequeue: a full batch (31) went onto the list at once, the rest wait (%lu)",
	    vm_pagequeue_count(PQ_INACTIVE, PQ_KIND_ANON) - inactive0);
	selftest_ok(problems() == 0, "pagequeue: pages waiting in a batch are consistent");
	vm_pagequeue_flush_cpu();
	selftest_ok(all_match(pages, NPAGES, PQ_INACTIVE, PGA_ENQUEUED),
	    "pagequeue: after the flush every page is on the inactive list");
	selftest_ok(vm_pagequeue_count(PQ_INACTIVE, PQ_KIND_ANON) - inactive0 == NPAGES,
	    "pagequeue: the inactive count grew by %d", NPAGES);
}

static void
test_moves(struct vm_object *obj, struct vm_page **pages)
{
	uint64_t act0 = vm_pagequeue_stats.pgactivate, deact0 = vm_pagequeue_stats.pgdeactivate;
	uint64_t active0 = vm_pagequeue_total(PQ_ACTIVE);
	struct vm_page *m = pages[0];

	spin_lock(&obj->lock);
	vm_page_activate(m);
	selftest_ok(vm_page_queue(m) == PQ_ACTIVE && vm_page_astate_load(m).act_count >= ACT_INIT &&
	    !(vm_page_astate_load(m).flags & PGA_ENQUEUED),
	    "pagequeue: activate: off the inactive list at once, active with activity %u",
	    vm_page_astate_load(m).act_count);
	vm_page_activate(m);
	selftest_ok(vm_pagequeue_stats.pgactivate == act0 + 1,
	    "pagequeue: activating an active page counts no activation");
	vm_pagequeue_flush_cpu();
	selftest_ok(vm_pagequeue_total(PQ_ACTIVE) == active0 + 1 &&
	    (vm_page_astate_load(m).flags & PGA_ENQUEUED), "pagequeue: on the active list after the flush");
	vm_page_deactivate(m);
	selftest_ok(vm_page_queue(m) == PQ_INACTIVE && vm_pagequeue_stats.pgdeactivate == deact0 + 1,
	    "pagequeue: deactivate: inactive again, counted in pgdeactivate");
	vm_page_launder(pages[1]);
	selftest_ok(vm_page_queue(pages[1]) == PQ_LAUNDRY, "pagequeue: launder: the laundry queue");
	vm_page_unswappable(pages[2]);
	selftest_ok(vm_page_queue(pages[2]) == PQ_UNSWAPPABLE,
	    "pagequeue: unswappable: the unswappable queue");
	vm_page_reference(pages[3]);
	selftest_ok(vm_page_test_clear_referenced(pages[3]) &&
	    !vm_page_test_clear_referenced(pages[3]),
	    "pagequeue: a reference is seen once by the daemon's test-and-clear");
	vm_page_wire(pages[4]);
	selftest_ok(vm_page_astate_load(pages[4]).bits == VM_PAGE_ASTATE_NONE.bits,
	    "pagequeue: a wired page is on no queue");
	vm_page_unwire(pages[4]);
	selftest_ok(vm_page_queue(pages[4]) == PQ_ACTIVE,
	    "pagequeue: unwired again it is active (it was in use)");
	vm_page_deactivate_noreuse(pages[5]);
	spin_unlock(&obj->lock);
	vm_pagequeue_flush_cpu();
	spin_lock(&vm_pagequeues[PQ_INACTIVE].pq_lock);
	selftest_ok(list_first(&vm_pagequeues[PQ_INACTIVE].pq_pl) == &pages[5]->plinks,
	    "pagequeue: deactivate_noreuse puts the page at the head of inactive");
	spin_unlock(&vm_pagequeues[PQ_INACTIVE].pq_lock);
	selftest_ok(problems() == 0, "pagequeue: consistent after the moves");
}

/* Break one invariant at a time (object locked where the page's state is): the checker sees each. */
static void
test_checker_finds(struct vm_object *obj, struct vm_page **pages)
{
	struct vm_pagequeue *pq = &vm_pagequeues[PQ_INACTIVE];
	struct vm_page *m = pages[10];
	union vm_page_astate saved = vm_page_astate_load(m);

	spin_lock(&obj->lock);
	m->wire_count = 1;
	spin_unlock(&obj->lock);
	selftest_ok(problems() > 0, "vmcheck: finds a wired page on a paging queue");
	spin_lock(&obj->lock);
	m->wire_count = 0;
	__atomic_store_n(&m->astate.bits, VM_PAGE_ASTATE_NONE.bits, __ATOMIC_RELAXED);
	spin_unlock(&obj->lock);
	selftest_ok(problems() >= 2,
	    "vmcheck: finds an unwired page on no queue (and on a list it does not name)");
	spin_lock(&obj->lock);
	__atomic_store_n(&m->astate.bits, saved.bits ^ PGA_ANON, __ATOMIC_RELAXED);
	spin_unlock(&obj->lock);
	selftest_ok(problems() >= 2, "vmcheck: finds a page counted as the wrong kind");
	spin_lock(&obj->lock);
	__atomic_store_n(&m->astate.bits, saved.bits & ~PGA_QUEUE_FLAGS, __ATOMIC_RELAXED);
	spin_unlock(&obj->lock);
	selftest_ok(problems() >= 1, "vmcheck: finds a page neither on its list nor in a batch");
	__atomic_store_n(&m->astate.bits, saved.bits, __ATOMIC_RELAXED);
	spin_lock(&pq->pq_lock);
	pq->pq_cnt[PQ_KIND_ANON]++;
	spin_unlock(&pq->pq_lock);
	selftest_ok(problems() == 1, "vmcheck: finds a queue count off by one");
	spin_lock(&pq->pq_lock);
	pq->pq_cnt[PQ_KIND_ANON]--;
	spin_unlock(&pq->pq_lock);
	selftest_ok(vm_pagequeue_verify(loud, NULL) == 0, "vmcheck: consistent once repaired");
}

/* Each thread makes, moves and frees pages of its own object, round after round. */
static void
stress_thread(void *arg, int i)
{
	bool *failed = arg;

	(void)i;
	for (int round = 0; round < STRESS_ROUNDS; round++) {
		struct vm_object *obj = vm_object_allocate(OBJT_ANON, STRESS_PAGES);
		struct vm_page *pages[STRESS_PAGES];

		if (obj == NULL || !make_pages(obj, pages, STRESS_PAGES)) {
			*failed = true;
			if (obj != NULL)
				vm_object_deallocate(obj);
			return;
		}
		spin_lock(&obj->lock);
		for (int k = 0; k < STRESS_PAGES; k++) {
			switch ((k + round) % 4) {
			case 0: vm_page_activate(pages[k]); break;
			case 1: vm_page_launder(pages[k]); break;
			case 2: vm_page_deactivate(pages[k]); break;
			default: vm_page_reference(pages[k]); break;
			}
		}
		spin_unlock(&obj->lock);
		if (round % 3 == 0)
			vm_pagequeue_flush_cpu();
		vm_object_deallocate(obj);
	}
	vm_pagequeue_flush_cpu();
}

static void
test_stress(void)
{
	uint64_t before[PQ_COUNT];
	bool failed = false, same = true;

	for (int q = 0; q < PQ_COUNT; q++)
		before[q] = vm_pagequeue_total(q);
	selftest_ok(selftest_threads(STRESS_THREADS, stress_thread, &failed, STRESS_TIMEOUT_MS) ==
	    STRESS_THREADS && !failed, "pagequeue: %d threads made, moved and freed %d pages each",
	    STRESS_THREADS, STRESS_ROUNDS * STRESS_PAGES);
	for (int q = 0; q < PQ_COUNT; q++)
		same = same && vm_pagequeue_total(q) == before[q];
	selftest_ok(same, "pagequeue: every queue is back to its count");
	selftest_ok(vm_pagequeue_verify(loud, NULL) == 0, "vmcheck: the queues are consistent");
}

static void
test_pagequeue(void)
{
	struct vm_object *obj = vm_object_allocate(OBJT_ANON, NPAGES);
	struct vm_page *pages[NPAGES];
	uint64_t counts[PQ_COUNT];
	bool same = true;

	vm_pagequeue_flush_cpu();
	for (int q = 0; q < PQ_COUNT; q++)
		counts[q] = vm_pagequeue_total(q);
	test_new_pages(obj, pages);
	test_moves(obj, pages);
	test_checker_finds(obj, pages);
	vm_object_deallocate(obj);
	for (int q = 0; q < PQ_COUNT; q++)
		same = same && vm_pagequeue_total(q) == counts[q];
	selftest_ok(same, "pagequeue: freeing the object takes its pages off every queue");
	test_stress();
}

SELFTEST(pagequeue, test_pagequeue);
