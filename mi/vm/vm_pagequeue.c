/*
 * Paging queues and per-cpu batches of queue changes (see
 * vm_pagequeue.h for the state a page's astate word records and the
 * rules for changing it).
 */
#include <kern/systm.h>
#include <machine/cpu.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pagequeue.h>

/*
 * A cpu's pending queue changes for one queue: pages whose astate asks
 * for a (re)insertion.  Touched only by its cpu, in a critical section.
 * 31 entries make the batch 256 bytes, and a zero-fill fault pays for
 * the queue lock once per 31 pages.
 */
#define VM_BATCHQUEUE_SIZE	31

struct vm_batchqueue {
	uint64_t	bq_cnt;
	struct vm_page	*bq_pa[VM_BATCHQUEUE_SIZE];
};

struct vm_pagequeue vm_pagequeues[PQ_COUNT];
static struct vm_batchqueue batchqueues[MAXCPU][PQ_COUNT] __attribute__((aligned(CACHE_LINE_SIZE)));

struct vm_pagequeue_stats vm_pagequeue_stats;

static const char *const pq_names[PQ_COUNT] = {
	[PQ_ACTIVE] = "active", [PQ_INACTIVE] = "inactive", [PQ_LAUNDRY] = "laundry",
	[PQ_UNSWAPPABLE] = "unswappable",
};

#define STAT_INC(field)	__atomic_add_fetch(&vm_pagequeue_stats.field, 1, __ATOMIC_RELAXED)

void
vm_pagequeue_init(void)
{
	for (int q = 0; q < PQ_COUNT; q++) {
		struct vm_pagequeue *pq = &vm_pagequeues[q];

		/* One lock class for the four: they are never nested. */
		spin_init(&pq->pq_lock, "page queue");
		list_init(&pq->pq_pl);
		pq->pq_name = pq_names[q];
	}
}

static inline bool
astate_cas(struct vm_page *m, union vm_page_astate *old, union vm_page_astate new)
{
	return __atomic_compare_exchange_n(&m->astate.bits, &old->bits, new.bits, false,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}

static inline int
astate_kind(union vm_page_astate a)
{
	return (a.flags & PGA_ANON) ? PQ_KIND_ANON : PQ_KIND_FILE;
}

/* astate as a plain word, for the batch loop (a union's address in a CAS costs a spill). */
#define ASTATE_QUEUE_SHIFT	16
_Static_assert(offsetof(union vm_page_astate, flags) == 0 &&
    offsetof(union vm_page_astate, queue) == ASTATE_QUEUE_SHIFT / 8,
    "astate: flags in the low half, queue above");

/*
 * Carry out m's pending request, if it still is for queue q (whose lock
 * is held): onto the list's tail (or head), off its old place first.
 */
static inline void
batch_apply(struct vm_pagequeue *pq, uint32_t q, struct vm_page *m)
{
	uint32_t old = __atomic_load_n(&m->astate.bits, __ATOMIC_RELAXED), new;

	do {
		if (((old >> ASTATE_QUEUE_SHIFT) & 0xff) != q ||
		    !(old & (PGA_REQUEUE | PGA_REQUEUE_HEAD)))
			return;		/* moved on, freed, or done by an earlier entry */
		new = (old & ~(uint32_t)(PGA_REQUEUE | PGA_REQUEUE_HEAD)) | PGA_ENQUEUED;
	} while (!__atomic_compare_exchange_n(&m->astate.bits, &old, new, false, __ATOMIC_RELAXED,
	    __ATOMIC_RELAXED));
	if (old & PGA_ENQUEUED)
		list_remove(&m->plinks);
	else
		pq->pq_cnt[(old & PGA_ANON) ? PQ_KIND_ANON : PQ_KIND_FILE]++;
	if (old & PGA_REQUEUE_HEAD)
		list_push(&pq->pq_pl, &m->plinks);
	else
		list_append(&pq->pq_pl, &m->plinks);
}

/* Put a full (or flushed) batch of this cpu on queue q's list.  Critical section. */
static void
batch_process(struct vm_batchqueue *bq, uint8_t q)
{
	struct vm_pagequeue *pq = &vm_pagequeues[q];

	spin_lock(&pq->pq_lock);
	for (uint64_t i = 0; i < bq->bq_cnt; i++)
		batch_apply(pq, q, bq->bq_pa[i]);
	spin_unlock(&pq->pq_lock);
	bq->bq_cnt = 0;
}

/*
 * Note m, whose astate now asks to go on queue q, in this cpu's batch:
 * the fault path's whole cost but for one batch_process in 31.  The
 * caller holds m's object lock, a spin lock, so it is in a critical
 * section already: no migration, no interrupt on this cpu.  That is also
 * what makes the batches safe from interrupt handlers that move pages (a
 * file read's completion, vnode_pager.c): no interrupt can come while
 * this cpu is in the middle of changing one.
 */
static inline __attribute__((always_inline)) void
batch_submit(struct vm_page *m, uint8_t q)
{
	struct pcpu *pc = curcpu();
	struct vm_batchqueue *bq = &batchqueues[pc->pc_cpuid][q];
	uint64_t n = bq->bq_cnt;

	KASSERT(pc->pc_spin_depth > 0, ("batch_submit: not in a critical section"));
	bq->bq_pa[n] = m;
	bq->bq_cnt = n + 1;
	if (n + 1 == VM_BATCHQUEUE_SIZE)
		batch_process(bq, q);
}

void
vm_pagequeue_flush_cpu(void)
{
	critical_enter();
	for (uint8_t q = 0; q < PQ_COUNT; q++) {
		struct vm_batchqueue *bq = &batchqueues[cpu_id()][q];

		if (bq->bq_cnt > 0)
			batch_process(bq, q);
	}
	critical_exit();
}

static void
assert_page_locked(const struct vm_page *m, const char *who)
{
	KASSERT(m->object != NULL && spin_owned(&m->object->lock),
	    ("%s: page %lx: object not locked", who, m->phys_addr));
	KASSERT(!(m->flags & (PG_FREE | PG_KMEM | PG_MARKER)),
	    ("%s: page %lx is not an object's page (flags %#x)", who, m->phys_addr, m->flags));
	(void)who;
}

/*
 * Take m off the list of the queue it is enqueued on, and set its
 * astate to what make(old) says (a page on no list).  Takes that
 * queue's lock; returns false if m turned out not to be enqueued there
 * any more (nothing done).
 *
 * Off the list first, then the new state: once the state says m is
 * waiting for another queue, another cpu's batch (an older entry for m
 * there) may put m on that queue's list at once, under that queue's
 * lock -- and must find m off this list, or this unlink, coming after,
 * would take m off the new list instead and leave it "enqueued" on none.
 * Meanwhile m's links and its queue bits are this queue's lock's: only
 * a holder of it unlinks m or changes where m is enqueued.
 */
static bool
unlink_enqueued(struct vm_page *m, uint8_t q, union vm_page_astate (*make)(union vm_page_astate,
    const void *), const void *arg)
{
	struct vm_pagequeue *pq = &vm_pagequeues[q];
	union vm_page_astate old, new;

	spin_lock(&pq->pq_lock);
	old = vm_page_astate_load(m);
	if (old.queue != q || !(old.flags & PGA_ENQUEUED)) {
		spin_unlock(&pq->pq_lock);
		return false;
	}
	list_remove(&m->plinks);
	pq->pq_cnt[astate_kind(old)]--;
	do {
		KASSERT(old.queue == q && (old.flags & PGA_ENQUEUED),
		    ("unlink_enqueued: page %lx left queue %u under its lock", m->phys_addr, q));
		new = make(old, arg);
		KASSERT(!(new.flags & PGA_ENQUEUED), ("unlink_enqueued: still enqueued"));
	} while (!astate_cas(m, &old, new));
	spin_unlock(&pq->pq_lock);
	return true;
}

static union vm_page_astate
make_none(union vm_page_astate old, const void *arg)
{
	(void)old;
	(void)arg;
	return VM_PAGE_ASTATE_NONE;
}

void
vm_page_dequeue(struct vm_page *m)
{
	union vm_page_astate old = vm_page_astate_load(m);

	for (;;) {
		if (old.queue == PQ_NONE) {
			KASSERT(old.bits == VM_PAGE_ASTATE_NONE.bits,
			    ("vm_page_dequeue: page %lx on no queue has state %#x", m->phys_addr,
			    old.bits));
			return;
		}
		if (old.flags & PGA_ENQUEUED) {
			if (unlink_enqueued(m, old.queue, make_none, NULL))
				return;
			old = vm_page_astate_load(m);
			continue;
		}
		/* Only waiting in a batch: the entry will find the queue gone. */
		if (astate_cas(m, &old, make_none(old, NULL)))
			return;
	}
}

/* What a move to queue q (tail, or head with PGA_REQUEUE_HEAD in arg) makes of old. */
struct move {
	uint8_t		queue;
	uint16_t	request;	/* PGA_REQUEUE or PGA_REQUEUE_HEAD */
	uint8_t		act_min;	/* activity at least this */
};

static union vm_page_astate
make_moved(union vm_page_astate old, const void *arg)
{
	const struct move *mv = arg;
	union vm_page_astate new = old;

	new.queue = mv->queue;
	new.flags &= ~PGA_QUEUE_FLAGS;
	new.flags |= mv->request;
	if (new.act_count < mv->act_min)
		new.act_count = mv->act_min;
	return new;
}

/* Move m (on some queue) to mv's queue and place: off its old list now, onto the new by batch. */
static void
page_move(struct vm_page *m, const struct move *mv)
{
	union vm_page_astate old = vm_page_astate_load(m);

	KASSERT(m->wire_count == 0, ("page_move: page %lx is wired", m->phys_addr));
	for (;;) {
		KASSERT(old.queue != PQ_NONE, ("page_move: page %lx is on no queue", m->phys_addr));
		if (old.flags & PGA_ENQUEUED) {
			if (unlink_enqueued(m, old.queue, make_moved, mv))
				break;
			old = vm_page_astate_load(m);
			continue;
		}
		if (astate_cas(m, &old, make_moved(old, mv)))
			break;
	}
	batch_submit(m, mv->queue);
}

void
vm_page_enqueue_run(struct vm_page *m, uint64_t n, uint8_t queue)
{
	struct vm_pagequeue *pq = &vm_pagequeues[queue];
	bool anon = m->object->type != OBJT_VNODE;
	/* Where batch_apply would leave each of them. */
	union vm_page_astate new = {
		.flags = PGA_ENQUEUED | (anon ? PGA_ANON : 0),
		.queue = queue,
		.act_count = queue == PQ_ACTIVE ? ACT_INIT : 0,
	};

	KASSERT(queue < PQ_COUNT, ("vm_page_enqueue_run: no queue %u", queue));
	spin_lock(&pq->pq_lock);
	for (uint64_t i = 0; i < n; i++) {
		KASSERT(m[i].object == m->object && m[i].astate.bits == VM_PAGE_ASTATE_NONE.bits &&
		    m[i].wire_count == 0, ("vm_page_enqueue_run: page %lx: not new in %p",
		    m[i].phys_addr, m->object));
		__atomic_store_n(&m[i].astate.bits, new.bits, __ATOMIC_RELAXED);
		list_append(&pq->pq_pl, &m[i].plinks);
	}
	pq->pq_cnt[anon ? PQ_KIND_ANON : PQ_KIND_FILE] += n;
	spin_unlock(&pq->pq_lock);
}

/* On the fault path (every new page): one assertion, one store, one batch entry. */
void
vm_page_enqueue(struct vm_page *m, uint8_t queue)
{
	union vm_page_astate new = {
		.flags = PGA_REQUEUE | (m->object->type != OBJT_VNODE ? PGA_ANON : 0),
		.queue = queue,
		.act_count = queue == PQ_ACTIVE ? ACT_INIT : 0,
	};

	/* Its callers (vm_page_xunbusy, vm_page_unwire) have asserted the object lock. */
	KASSERT(queue < PQ_COUNT && m->astate.bits == VM_PAGE_ASTATE_NONE.bits &&
	    m->wire_count == 0, ("vm_page_enqueue: page %lx: on queue %u, or %u wirings",
	    m->phys_addr, m->astate.queue, m->wire_count));
	/* A page on no queue changes only under its object lock: a plain store will do. */
	__atomic_store_n(&m->astate.bits, new.bits, __ATOMIC_RELAXED);
	batch_submit(m, queue);
}

void
vm_page_activate(struct vm_page *m)
{
	union vm_page_astate old = vm_page_astate_load(m), new;
	const struct move mv = { PQ_ACTIVE, PGA_REQUEUE, ACT_INIT };

	assert_page_locked(m, "vm_page_activate");
	while (old.queue == PQ_ACTIVE) {
		if (old.act_count >= ACT_INIT)
			return;
		new = old;
		new.act_count = ACT_INIT;
		if (astate_cas(m, &old, new))
			return;
	}
	page_move(m, &mv);
	STAT_INC(pgactivate);
}

/* To inactive, at the tail (request PGA_REQUEUE) or the head (PGA_REQUEUE_HEAD). */
static void
deactivate(struct vm_page *m, uint16_t request)
{
	const struct move mv = { PQ_INACTIVE, request, 0 };

	assert_page_locked(m, "vm_page_deactivate");
	if (vm_page_queue(m) == PQ_ACTIVE)
		STAT_INC(pgdeactivate);
	page_move(m, &mv);
}

void
vm_page_deactivate(struct vm_page *m)
{
	deactivate(m, PGA_REQUEUE);
}

void
vm_page_deactivate_noreuse(struct vm_page *m)
{
	deactivate(m, PGA_REQUEUE_HEAD);
}

void
vm_page_launder(struct vm_page *m)
{
	const struct move mv = { PQ_LAUNDRY, PGA_REQUEUE, 0 };

	assert_page_locked(m, "vm_page_launder");
	page_move(m, &mv);
}

void
vm_page_unswappable(struct vm_page *m)
{
	const struct move mv = { PQ_UNSWAPPABLE, PGA_REQUEUE, 0 };

	assert_page_locked(m, "vm_page_unswappable");
	page_move(m, &mv);
}

void
vm_page_requeue(struct vm_page *m)
{
	struct move mv = { vm_page_queue(m), PGA_REQUEUE, 0 };

	assert_page_locked(m, "vm_page_requeue");
	page_move(m, &mv);
}

/* PGA_REFERENCED as a mask of the whole word (atomics on the 16-bit half would need libatomic). */
static const union vm_page_astate referenced_bit = { .flags = PGA_REFERENCED };

void
vm_page_reference(struct vm_page *m)
{
	union vm_page_astate a = vm_page_astate_load(m);

	KASSERT(m->object != NULL && spin_owned(&m->object->lock),
	    ("vm_page_reference: page %lx: object not locked", m->phys_addr));
	if (a.queue != PQ_NONE && !(a.flags & PGA_REFERENCED))
		__atomic_fetch_or(&m->astate.bits, referenced_bit.bits, __ATOMIC_RELAXED);
}

bool
vm_page_test_clear_referenced(struct vm_page *m)
{
	if (!(vm_page_astate_load(m).flags & PGA_REFERENCED))
		return false;
	return (__atomic_fetch_and(&m->astate.bits, ~referenced_bit.bits, __ATOMIC_RELAXED) &
	    referenced_bit.bits) != 0;
}

void
vm_page_set_act_count(struct vm_page *m, uint8_t act)
{
	union vm_page_astate old = vm_page_astate_load(m), new;

	assert_page_locked(m, "vm_page_set_act_count");
	do {
		new = old;
		new.act_count = act;
	} while (!astate_cas(m, &old, new));
}

uint64_t
vm_pagequeue_count(uint8_t queue, int kind)
{
	return __atomic_load_n(&vm_pagequeues[queue].pq_cnt[kind], __ATOMIC_RELAXED);
}

uint64_t
vm_pagequeue_total(uint8_t queue)
{
	return vm_pagequeue_count(queue, PQ_KIND_FILE) + vm_pagequeue_count(queue, PQ_KIND_ANON);
}

/*
 * Walking a queue (the page daemon, the laundry).
 */

void
vm_pagequeue_marker_insert(uint8_t q, struct vm_page *marker)
{
	struct vm_pagequeue *pq = &vm_pagequeues[q];

	KASSERT(marker->flags & PG_MARKER, ("vm_pagequeue_marker_insert: not a marker"));
	spin_lock(&pq->pq_lock);
	list_push(&pq->pq_pl, &marker->plinks);
	spin_unlock(&pq->pq_lock);
}

void
vm_pagequeue_marker_remove(uint8_t q, struct vm_page *marker)
{
	struct vm_pagequeue *pq = &vm_pagequeues[q];

	spin_lock(&pq->pq_lock);
	list_remove(&marker->plinks);
	spin_unlock(&pq->pq_lock);
}

struct vm_page *
vm_pagequeue_scan_next(uint8_t q, struct vm_page *marker, bool wrap, struct vm_object *held,
    struct vm_object **objp)
{
	struct vm_pagequeue *pq = &vm_pagequeues[q];
	uint64_t limit = vm_pagequeue_total(q) + 2;
	struct vm_page *m = NULL;

	spin_lock(&pq->pq_lock);
	while (limit-- > 0) {
		struct list_node *n = marker->plinks.next;
		struct vm_object *obj;

		if (n == &pq->pq_pl) {
			if (!wrap || pq->pq_pl.next == &marker->plinks)
				break;
			list_remove(&marker->plinks);
			list_push(&pq->pq_pl, &marker->plinks);
			continue;
		}
		list_remove(&marker->plinks);
		list_insert_between(&marker->plinks, n, n->next);
		m = list_entry(n, struct vm_page, plinks);
		if (m->flags & PG_MARKER)
			continue;
		/* Objects are type-stable: a stale pointer still leads to an object lock. */
		obj = __atomic_load_n(&m->object, __ATOMIC_ACQUIRE);
		if (obj != NULL && obj == held) {
			/*
			 * The caller holds it already: m is its page (an object's own
			 * lock).  It may have died while the caller let go of it for
			 * a write (the laundry's): then its pages are its own to free.
			 */
			if (m->object == obj && vm_page_queue(m) == q && !(obj->flags & OBJ_DEAD)) {
				spin_unlock(&pq->pq_lock);
				*objp = obj;
				return m;
			}
			continue;
		}
		if (obj != NULL && spin_trylock(&obj->lock)) {
			/* A dying object frees its pages itself, once its paging is done. */
			if (m->object == obj && vm_page_queue(m) == q && !(obj->flags & OBJ_DEAD)) {
				spin_unlock(&pq->pq_lock);
				*objp = obj;
				return m;
			}
			spin_unlock(&obj->lock);
		}
	}
	spin_unlock(&pq->pq_lock);
	return NULL;
}

/*
 * The checker (/proc/vmcheck).
 */

#define CHECK_MSG	160

static void __printflike(3, 4)
check_fail(void (*report)(void *, const char *), void *arg, const char *fmt, ...)
{
	char msg[CHECK_MSG];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	report(arg, msg);
}

/* Queue q's list against its pages' state and its counts; its lock is taken. */
static int
verify_list(uint8_t q, void (*report)(void *, const char *), void *arg)
{
	struct vm_pagequeue *pq = &vm_pagequeues[q];
	uint64_t seen[2] = { 0, 0 }, limit = vm_page_count_total();
	struct list_node *n;
	int problems = 0;

	spin_lock(&pq->pq_lock);
	list_foreach(n, &pq->pq_pl) {
		struct vm_page *m = list_entry(n, struct vm_page, plinks);
		union vm_page_astate a = vm_page_astate_load(m);

		if (m->flags & PG_MARKER)
			continue;
		if (a.queue != q || !(a.flags & PGA_ENQUEUED)) {
			check_fail(report, arg, "page %lx on the %s list says queue %u, flags %#x",
			    m->phys_addr, pq->pq_name, a.queue, a.flags);
			problems++;
		}
		if (++seen[astate_kind(a)] + seen[1 - astate_kind(a)] > limit) {
			check_fail(report, arg, "the %s list is longer than memory", pq->pq_name);
			problems++;
			break;
		}
	}
	for (int k = 0; k < 2; k++) {
		if (seen[k] != pq->pq_cnt[k]) {
			check_fail(report, arg, "the %s list holds %lu %s pages, counted %lu",
			    pq->pq_name, seen[k], k == PQ_KIND_ANON ? "anonymous" : "file",
			    pq->pq_cnt[k]);
			problems++;
		}
	}
	spin_unlock(&pq->pq_lock);
	return problems;
}

/* An object's page, its object locked: on exactly the queues its wiring allows. */
static int
verify_page(struct vm_page *m, void (*report)(void *, const char *), void *arg)
{
	union vm_page_astate a = vm_page_astate_load(m);
	bool anon = m->object->type != OBJT_VNODE;

	if (vm_page_busied(m))
		return 0;	/* being filled or written: between states */
	if (m->wire_count > 0) {
		if (a.bits == VM_PAGE_ASTATE_NONE.bits)
			return 0;
		check_fail(report, arg, "wired page %lx (%u wirings) is on queue %u (flags %#x)",
		    m->phys_addr, m->wire_count, a.queue, a.flags);
		return 1;
	}
	if (a.queue >= PQ_COUNT) {
		check_fail(report, arg, "unwired page %lx of object %p is on no paging queue",
		    m->phys_addr, (void *)m->object);
		return 1;
	}
	if (!(a.flags & PGA_QUEUE_FLAGS)) {
		check_fail(report, arg, "page %lx belongs to the %s queue but is neither on its list "
		    "nor waiting in a batch", m->phys_addr, vm_pagequeues[a.queue].pq_name);
		return 1;
	}
	if (anon != ((a.flags & PGA_ANON) != 0)) {
		check_fail(report, arg, "page %lx is counted as %s, its object is %s", m->phys_addr,
		    (a.flags & PGA_ANON) ? "anonymous" : "a file's", anon ? "anonymous" : "a file");
		return 1;
	}
	return 0;
}

int
vm_pagequeue_verify(void (*report)(void *, const char *), void *arg)
{
	uint64_t total = vm_page_array_entries();
	int problems = 0;

	for (uint8_t q = 0; q < PQ_COUNT; q++)
		problems += verify_list(q, report, arg);
	for (uint64_t i = 0; i < total; i++) {
		struct vm_page *m = vm_page_by_index(i);
		struct vm_object *obj = __atomic_load_n(&m->object, __ATOMIC_ACQUIRE);

		if (obj == NULL)
			continue;
		/* Objects are type-stable: a stale pointer still leads to an object lock. */
		spin_lock(&obj->lock);
		if (m->object == obj)
			problems += verify_page(m, report, arg);
		spin_unlock(&obj->lock);
	}
	return problems;
}
