/*
 * The vm_page array and page allocation (see vm_page.h).
 */
#include <kern/systm.h>
#include <kern/pcpu.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <kern/sleepqueue.h>
#include <kern/spinlock.h>
#include <kern/witness.h>
#include <vm/physmem.h>
#include <vm/pmap.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pagequeue.h>
#include <vm/vm_pageout.h>
#include <vm/vm_page_zero.h>
#include <vm/vm_phys.h>
#include <vm/vm_wait.h>

/*
 * The reserve user memory leaves to the kernel: 1/1024 of the pages
 * (128 at 512 MiB, 2048 at 8 GiB), and never fewer than enough for the
 * page tables and bookkeeping of a process being torn down.
 */
#define RESERVE_DIVISOR	1024
#define RESERVE_MIN	64
/* The reserve's last part, for the threads that free memory: a quarter (16 pages at least). */
#define PAGEOUT_RESERVE_DIVISOR	4

static struct vm_page *vm_page_array;	/* (C) */
static uint64_t vm_page_total;		/* (C) pages under management */
static uint64_t vm_page_array_len;	/* (C) its entries: with a flat array, holes' too */
static uint64_t vm_page_wired;		/* (A) object pages wired by users */
static uint64_t vm_page_kernel_wirings;	/* (A) wirings of object pages held by the kernel */
static uint64_t vm_page_reserve;	/* (C) free pages only VM_ALLOC_SYSTEM may take */
static uint64_t vm_page_pageout_reserve; /* (C) ... of which only TDF_MEMRESERVE may take */

struct vm_page_stats vm_page_stats;

/*
 * The page array.  Where RAM's available ranges are close together (the
 * holes between them -- firmware, the kernel, the initramfs -- under an
 * eighth of the pages), the array covers the whole span, holes included,
 * and vm_phys finds the page of an address by indexing it
 * (vm_phys_set_flat): every page-table teardown and kernel free looks one
 * up.  Otherwise the segments' arrays are packed and searched.
 */
#define FLAT_HOLES_DIVISOR	8

void
vm_page_startup(void)
{
	const struct phys_range *r;
	uint64_t npages = 0, used = 0, span;
	paddr_t base;
	bool flat;
	int n;

	n = physmem_avail(&r);
	for (int i = 0; i < n; i++)
		npages += atop(r[i].end - r[i].start);
	base = r[0].start;
	span = atop(r[n - 1].end - base);
	flat = span <= npages + npages / FLAT_HOLES_DIVISOR;
	/* The array's own pages are stolen, so it is slightly larger than needed. */
	vm_page_array = (struct vm_page *)PHYS_TO_DMAP(
	    physmem_steal((flat ? span : npages) * sizeof(struct vm_page), PAGE_SIZE));

	n = physmem_avail(&r);
	for (int i = 0; i < n; i++) {
		struct vm_page *pages = flat ? &vm_page_array[atop(r[i].start - base)] :
		    &vm_page_array[used];

		if (vm_phys_add_seg(r[i].start, r[i].end, pages) != 0)
			panic("vm_page_startup: cannot add segment %lx-%lx", r[i].start, r[i].end);
		used += atop(r[i].end - r[i].start);
	}
	KASSERT(used <= npages, ("vm_page_startup: %lu pages for an array of %lu", used, npages));
	if (flat)
		vm_phys_set_flat(base, span, vm_page_array);
	for (int i = 0; i < n; i++)
		vm_phys_free_range(r[i].start, r[i].end);
	vm_page_total = used;
	vm_page_array_len = flat ? span : used;
	vm_page_reserve = MAX(RESERVE_MIN, used / RESERVE_DIVISOR);
	vm_page_pageout_reserve = vm_page_reserve / PAGEOUT_RESERVE_DIVISOR;
	vm_pagequeue_init();
}

uint64_t vm_page_alloc_failures;	/* (A) */

uint64_t
vm_page_reserved(void)
{
	return vm_page_reserve;
}

uint64_t
vm_page_pageout_reserved(void)
{
	return vm_page_pageout_reserve;
}

/* The free pages an allocation with these flags must leave to the tiers after it (vm_page.h). */
static uint64_t
alloc_keep(int flags)
{
	struct pcpu *pc = curcpu();

	if (pc->pc_curthread != NULL &&
	    (__atomic_load_n(&pc->pc_curthread->td_flags, __ATOMIC_RELAXED) & TDF_MEMRESERVE))
		return 0;
	return (flags & VM_ALLOC_SYSTEM) ? vm_page_pageout_reserve : vm_page_reserve;
}

bool
vm_page_alloc_could_succeed(int order, int flags)
{
	if (vm_phys_free_count() < alloc_keep(flags) + (1UL << order))
		return false;
	return vm_phys_has_block(order);
}

/* One try: leave the free pages the tiers after this one may take. */
static struct vm_page *
alloc_now(int order, int flags)
{
	if (vm_phys_free_count() < alloc_keep(flags) + (1UL << order))
		return NULL;
	if (order == 0 && (flags & (VM_ALLOC_ZERO | VM_ALLOC_PREZEROED)))
		return vm_phys_alloc_zeroed();
	return vm_phys_alloc_pages(order);
}

/*
 * Zero-fill m's 2^order pages if flags ask for it, unless the allocator
 * knew them to be zero already (PG_ZERO).  PG_ZERO stays set only for
 * the caller of VM_ALLOC_PREZEROED to see.
 */
static void
alloc_zero(struct vm_page *m, int order, int flags)
{
	bool zeroed = (m->flags & PG_ZERO) != 0;

	KASSERT(!zeroed || (((uint64_t *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)))[0] == 0 &&
	    ((uint64_t *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m) + (PAGE_SIZE << order)))[-1] == 0),
	    ("vm_page_alloc: page %lx known zero was written", m->phys_addr));
	if (order == 0 && (flags & (VM_ALLOC_ZERO | VM_ALLOC_PREZEROED)))
		vm_page_zero_count(zeroed);
	if ((flags & VM_ALLOC_ZERO) && !zeroed)
		memset((void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)), 0, PAGE_SIZE << order);
	if (!(flags & VM_ALLOC_PREZEROED))
		m->flags &= ~PG_ZERO;
}

struct vm_page *
vm_page_alloc_pages(int order, int flags)
{
	struct vm_page *m;

	KASSERT(!(flags & VM_ALLOC_WAITOK) || !(flags & VM_ALLOC_NOWAIT),
	    ("vm_page_alloc_pages: flags %#x both wait and do not", flags));
	if (flags & VM_ALLOC_WAITOK)
		witness_check_sleep(WITNESS_WAITOK, NULL);
	while ((m = alloc_now(order, flags)) == NULL) {
		/* The daemon's sign that someone is short of memory. */
		__atomic_add_fetch(&vm_page_alloc_failures, 1, __ATOMIC_RELAXED);
		vm_pageout_wakeup();
		if (!(flags & VM_ALLOC_WAITOK))
			return NULL;
		(void)vm_wait(order, flags, 0);
	}
	if (vm_paging_needed(vm_phys_free_count()))
		vm_pageout_wakeup();
	KASSERT(m->wire_count == 0 && m->object == NULL &&
	    m->astate.bits == VM_PAGE_ASTATE_NONE.bits,
	    ("vm_page_alloc_pages: page %lx in use", m->phys_addr));
	m->wire_count = 1;
	alloc_zero(m, order, flags);
	return m;
}

void
vm_page_free_pages(struct vm_page *m, int order)
{
	KASSERT(m->object == NULL && m->busy == VPB_UNBUSIED,
	    ("vm_page_free_pages: page %lx still in an object or busy", m->phys_addr));
	KASSERT(m->astate.bits == VM_PAGE_ASTATE_NONE.bits,
	    ("vm_page_free_pages: page %lx still on paging queue %u", m->phys_addr,
	    m->astate.queue));
	KASSERT(!(m->flags & PG_ZERO), ("vm_page_free_pages: page %lx still has PG_ZERO",
	    m->phys_addr));
	m->wire_count = 0;
	m->flags &= ~(PG_KMEM | PG_MD_MODIFIED | PG_MD_REFERENCED);
	m->pindex = 0;
	vm_phys_free_pages(m, order);
	vm_page_free_wakeup();
}

/*
 * The busy lock (vm_page.h).
 */

bool
vm_page_tryxbusy(struct vm_page *m)
{
	uint32_t unbusied = VPB_UNBUSIED;

	return __atomic_compare_exchange_n(&m->busy, &unbusied, VPB_XBUSY, false,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

bool
vm_page_trysbusy(struct vm_page *m)
{
	uint32_t v = __atomic_load_n(&m->busy, __ATOMIC_RELAXED);

	do {
		if (v & VPB_XBUSY)
			return false;
		KASSERT((v & VPB_SHARERS) != VPB_SHARERS, ("vm_page_trysbusy: page %lx: too many "
		    "sharers", m->phys_addr));
	} while (!__atomic_compare_exchange_n(&m->busy, &v, v + VPB_ONE_SHARER, false,
	    __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
	return true;
}

/* Wake the threads asleep on m (its busy state just ended). */
static void
busy_wakeup(struct vm_page *m)
{
	sleepq_lock(m);
	sleepq_broadcast(m, SLEEPQ_EXCLUSIVE);
	sleepq_release(m);
}

/*
 * A page that was being filled is ready: an object's page, unwired and on
 * no queue, joins the inactive queue (new pages start there,
 * vm_pagequeue.h) before anyone can see it unbusy and on no queue.  Only
 * a new page's filler unbusies it on no queue, and it holds the object
 * lock (a move on a queue needs it).
 */
void
vm_page_xunbusy(struct vm_page *m)
{
	uint32_t old;

	if (m->object != NULL && m->wire_count == 0 && vm_page_queue(m) == PQ_NONE) {
		KASSERT(spin_owned(&m->object->lock),
		    ("vm_page_xunbusy: new page %lx: object not locked", m->phys_addr));
		vm_page_enqueue(m, PQ_INACTIVE);
	}
	old = __atomic_exchange_n(&m->busy, VPB_UNBUSIED, __ATOMIC_RELEASE);

	KASSERT(old & VPB_XBUSY, ("vm_page_xunbusy: page %lx is not exclusively busy (%#x)",
	    m->phys_addr, old));
	if (old & VPB_WAITERS)
		busy_wakeup(m);
}

void
vm_page_xunbusy_run(struct vm_page *m, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		uint32_t old = __atomic_exchange_n(&m[i].busy, VPB_UNBUSIED, __ATOMIC_RELEASE);

		KASSERT(old & VPB_XBUSY, ("vm_page_xunbusy_run: page %lx is not exclusively busy "
		    "(%#x)", m[i].phys_addr, old));
		if (old & VPB_WAITERS)
			busy_wakeup(&m[i]);
	}
}

void
vm_page_sunbusy(struct vm_page *m)
{
	uint32_t v = __atomic_load_n(&m->busy, __ATOMIC_RELAXED), new;

	do {
		KASSERT(!(v & VPB_XBUSY) && (v & VPB_SHARERS) != 0,
		    ("vm_page_sunbusy: page %lx is not shared busy (%#x)", m->phys_addr, v));
		/* The last sharer takes the waiters bit with it and wakes them. */
		new = (v & VPB_SHARERS) == VPB_ONE_SHARER ? VPB_UNBUSIED : v - VPB_ONE_SHARER;
	} while (!__atomic_compare_exchange_n(&m->busy, &v, new, false, __ATOMIC_RELEASE,
	    __ATOMIC_RELAXED));
	if (new == VPB_UNBUSIED && (v & VPB_WAITERS))
		busy_wakeup(m);
}

bool
vm_page_busy_sleep(struct vm_page *m, struct spinlock *interlock, bool shared_ok)
{
	uint32_t in_the_way = shared_ok ? VPB_XBUSY : VPB_XBUSY | VPB_SHARERS;
	uint32_t v;

	KASSERT(spin_owned(interlock), ("vm_page_busy_sleep: interlock not held"));
	/* Busying takes the object lock, which the caller holds: not busy stays so. */
	if ((__atomic_load_n(&m->busy, __ATOMIC_ACQUIRE) & in_the_way) == 0)
		return false;
	sleepq_lock(m);
	v = __atomic_load_n(&m->busy, __ATOMIC_RELAXED);
	for (;;) {
		if ((v & in_the_way) == 0) {
			sleepq_release(m);
			return false;
		}
		/* Set only while busy, under the chain lock: the release will see it. */
		if ((v & VPB_WAITERS) || __atomic_compare_exchange_n(&m->busy, &v,
		    v | VPB_WAITERS, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			break;
	}
	spin_unlock(interlock);
	__atomic_add_fetch(&vm_page_stats.busy_sleeps, 1, __ATOMIC_RELAXED);
	(void)sleepq_wait(m, SLEEPQ_EXCLUSIVE, 0, 0);
	return true;
}

/* A wired page leaves its paging queue at its first wiring and comes back (active) after its last. */
void
vm_page_wire(struct vm_page *m)
{
	KASSERT(m->object != NULL && spin_owned(&m->object->lock),
	    ("vm_page_wire: page %lx: object not locked", m->phys_addr));
	if (__atomic_fetch_add(&m->wire_count, 1, __ATOMIC_RELAXED) == 0) {
		__atomic_add_fetch(&vm_page_wired, 1, __ATOMIC_RELAXED);
		vm_page_dequeue(m);
	}
	KASSERT(vm_page_queue(m) == PQ_NONE, ("vm_page_wire: wired page %lx is on queue %u",
	    m->phys_addr, vm_page_queue(m)));
}

/* Take one wiring off m; the last one puts it on queue (if it is not busy: unbusy will). */
static void
unwire(struct vm_page *m, uint8_t queue)
{
	KASSERT(m->object != NULL && spin_owned(&m->object->lock),
	    ("vm_page_unwire: page %lx: object not locked", m->phys_addr));
	KASSERT(m->wire_count > 0, ("vm_page_unwire: page %lx is not wired", m->phys_addr));
	if (__atomic_sub_fetch(&m->wire_count, 1, __ATOMIC_RELAXED) == 0) {
		__atomic_sub_fetch(&vm_page_wired, 1, __ATOMIC_RELAXED);
		if (!vm_page_busied(m))
			vm_page_enqueue(m, queue);
	}
}

/* A user's wiring (munlock): the page was in use until now, so it goes to active. */
void
vm_page_unwire(struct vm_page *m)
{
	unwire(m, PQ_ACTIVE);
}

uint64_t
vm_page_count_wired(void)
{
	return __atomic_load_n(&vm_page_wired, __ATOMIC_RELAXED);
}

void
vm_page_wire_kernel(struct vm_page *m)
{
	vm_page_wire(m);
	__atomic_add_fetch(&vm_page_kernel_wirings, 1, __ATOMIC_RELAXED);
}

/*
 * The kernel held the page while it copied to or from it (read(2),
 * write(2)): one use, as a fault's.  The page goes to inactive marked
 * referenced, where another use promotes it (Linux's mark_page_accessed).
 */
void
vm_page_unwire_kernel(struct vm_page *m)
{
	__atomic_sub_fetch(&vm_page_kernel_wirings, 1, __ATOMIC_RELAXED);
	unwire(m, PQ_INACTIVE);
	vm_page_reference(m);
}

uint64_t
vm_page_count_kernel_wirings(void)
{
	return __atomic_load_n(&vm_page_kernel_wirings, __ATOMIC_RELAXED);
}

/* Walk the page array: object pages wired (count) or all their wirings (sum). */
static uint64_t
scan_object_wirings(bool sum)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < vm_page_array_len; i++) {
		struct vm_page *m = &vm_page_array[i];
		uint32_t w = __atomic_load_n(&m->wire_count, __ATOMIC_RELAXED);

		if (__atomic_load_n(&m->object, __ATOMIC_RELAXED) != NULL && w > 0)
			n += sum ? w : 1;
	}
	return n;
}

uint64_t
vm_page_scan_wired(void)
{
	return scan_object_wirings(false);
}

uint64_t
vm_page_scan_wirings(void)
{
	return scan_object_wirings(true);
}

struct vm_page *
vm_page_by_index(uint64_t i)
{
	KASSERT(i < vm_page_array_len, ("vm_page_by_index: %lu of %lu entries", i,
	    vm_page_array_len));
	return &vm_page_array[i];
}

uint64_t
vm_page_array_entries(void)
{
	return vm_page_array_len;
}

uint64_t
vm_page_count_total(void)
{
	return vm_page_total;
}

uint64_t
vm_page_count_free(void)
{
	return vm_phys_free_count();
}
