/*
 * Self-tests of the VM's waiting: a fault that finds its page busy sleeps
 * until the filler is done; a fault whose pager sleeps for I/O holds no
 * lock meanwhile (the map can change, or the mapping go, under it); an
 * object whose last reference goes waits for its paging in progress; a
 * fault out of memory sleeps in vm_wait
 * until pages are freed, or fails at once when nothing is being freed;
 * an M_WAITOK allocation sleeps until a page is freed and never returns
 * NULL.  Each waiter is a thread of its own; the test holds what it waits
 * for, checks that the waiter sleeps (by the counters, and that it has
 * not finished), then lets go and checks that it finishes.  On one cpu as
 * on four: the waiter runs while the test sleeps.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/malloc.h>
#include <kern/sched.h>
#include <kern/selftest.h>
#include <machine/cpu.h>
#include <vm/kmem.h>
#include <vm/pmap.h>
#include <vm/vm_fault.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_wait.h>
#include <vm/zone.h>

#define UBASE		0x10000000UL
#define SETTLE_MS	2000	/* how long a waiter may take to fall asleep, or to finish */
#define FILL_BYTE	0x5a
#define FREE_BATCH	16	/* pages given back to wake a fault (it needs a page table too) */

/* A thread that does one thing in vm (or in no address space) and says when it is done. */
struct waiter {
	struct vmspace	*vm;
	vaddr_t		va;
	int		(*action)(struct waiter *w);
	int		error;		/* (A) the action's result */
	uint8_t		byte;		/* what a read found */
	uint32_t	go;		/* (A) start when set */
	uint32_t	done;		/* (A) */
	struct selftest_group *group;
};

static void
waiter_main(void *arg, int i)
{
	struct waiter *w = arg;

	(void)i;
	while (!__atomic_load_n(&w->go, __ATOMIC_ACQUIRE))
		selftest_sleep_ms(1);
	selftest_use_vmspace(w->vm);
	w->error = w->action(w);
	selftest_use_vmspace(NULL);
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
}

/* Start w's thread (on another cpu when there is one), held until waiter_go. */
static void
waiter_start(struct waiter *w)
{
	w->group = selftest_threads_start(1, waiter_main, w, ncpu > 1 ? 1 : 0);
}

static void
waiter_go(struct waiter *w)
{
	__atomic_store_n(&w->go, 1, __ATOMIC_RELEASE);
}

/* Wait up to SETTLE_MS for *counter to pass before; whether it did. */
static bool
counter_passes(const uint64_t *counter, uint64_t before)
{
	for (uint64_t t = 0; t < SETTLE_MS; t++) {
		if (__atomic_load_n(counter, __ATOMIC_ACQUIRE) > before)
			return true;
		selftest_sleep_ms(1);
	}
	return false;
}

static bool
waiter_done(struct waiter *w)
{
	return __atomic_load_n(&w->done, __ATOMIC_ACQUIRE) != 0;
}

/* Let w finish; whether it did, with error 0. */
static bool
waiter_finish(struct waiter *w)
{
	return selftest_threads_wait(w->group, SETTLE_MS) == 1 && w->error == 0;
}

static int
read_byte(struct waiter *w)
{
	return copyin((const void *)w->va, &w->byte, 1);
}

static int
write_byte(struct waiter *w)
{
	uint8_t v = FILL_BYTE + 1;

	return copyout(&v, (void *)w->va, 1);
}

/* A one-page shared mapping of obj at UBASE in a new address space (obj's reference stays). */
static struct vmspace *
map_object(struct vm_object *obj)
{
	struct vmspace *vm = vmspace_alloc();
	vaddr_t va = UBASE;

	vm_object_reference(obj);
	if (vm_map_find(&vm->vm_map, obj, 0, &va, PAGE_SIZE, 0, VMFS_FIXED, VM_PROT_RW,
	    VM_PROT_ALL, 0) != 0) {
		vm_object_deallocate(obj);
		vmspace_free(vm);
		return NULL;
	}
	return vm;
}

/*
 * A page being filled: the fault sleeps on it (no spinning), and wakes
 * when the filler unbusies it, to map what the filler put there.
 */
static void
test_busy_fill(void)
{
	struct vm_object *obj = vm_object_allocate(OBJT_ANON, 1);
	struct vmspace *vm = map_object(obj);
	struct waiter w = { .vm = vm, .va = UBASE, .action = read_byte };
	uint64_t sleeps0 = vm_page_stats.busy_sleeps, restarts0 = vm_fault_stats.restarts;
	struct vm_page *m;
	bool slept;

	if (!selftest_ok(vm != NULL, "busy fill: a shared mapping of an object"))
		return;
	/* What a fault or pager does while it fills: the page busy, the object unlocked. */
	spin_lock(&obj->lock);
	m = vm_page_alloc(obj, 0, 0);
	if (m != NULL)
		vm_object_pip_add(obj);
	spin_unlock(&obj->lock);
	if (!selftest_ok(m != NULL, "busy fill: a page being filled"))
		goto out;
	waiter_start(&w);
	waiter_go(&w);
	slept = counter_passes(&vm_page_stats.busy_sleeps, sleeps0);
	selftest_ok(slept && !waiter_done(&w),
	    "busy fill: a fault on the page sleeps until the fill is done (%lu busy sleeps)",
	    vm_page_stats.busy_sleeps - sleeps0);
	memset((void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)), FILL_BYTE, PAGE_SIZE);
	spin_lock(&obj->lock);
	vm_page_xunbusy(m);
	vm_object_pip_wakeup(obj);
	spin_unlock(&obj->lock);
	selftest_ok(waiter_finish(&w) && w.byte == FILL_BYTE &&
	    vm_fault_stats.restarts > restarts0,
	    "busy fill: the unbusy wakes it; it starts over and maps the filled page (%#x)",
	    w.byte);
out:
	vmspace_free(vm);
	vm_object_deallocate(obj);
}

/*
 * A page being read (shared busy, as a pager writing it out holds it):
 * a read fault maps it, read-only, without waiting; a write waits.
 */
static void
test_busy_shared(void)
{
	struct vm_object *obj = vm_object_allocate(OBJT_ANON, 1);
	struct vmspace *vm = map_object(obj);
	struct waiter r = { .vm = vm, .va = UBASE, .action = read_byte };
	struct waiter w = { .vm = vm, .va = UBASE, .action = write_byte };
	uint64_t sleeps0;
	struct vm_page *m;

	if (!selftest_ok(vm != NULL, "busy shared: a shared mapping of an object"))
		return;
	spin_lock(&obj->lock);
	if ((m = vm_page_alloc(obj, 0, 0)) != NULL) {
		memset((void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)), FILL_BYTE, PAGE_SIZE);
		vm_page_xunbusy(m);
		(void)vm_page_trysbusy(m);
		vm_object_pip_add(obj);
	}
	spin_unlock(&obj->lock);
	if (!selftest_ok(m != NULL, "busy shared: a page being read"))
		goto out;
	sleeps0 = vm_page_stats.busy_sleeps;
	waiter_start(&r);
	waiter_go(&r);
	selftest_ok(waiter_finish(&r) && r.byte == FILL_BYTE &&
	    vm_page_stats.busy_sleeps == sleeps0,
	    "busy shared: a read fault maps a page being read without waiting");
	selftest_ok((pmap_extract(vm->vm_pmap, UBASE) != 0) &&
	    !pmap_is_modified(m), "busy shared: mapped, and not written");
	waiter_start(&w);
	waiter_go(&w);
	selftest_ok(counter_passes(&vm_page_stats.busy_sleeps, sleeps0) && !waiter_done(&w),
	    "busy shared: a write to it sleeps until the reading is done");
	spin_lock(&obj->lock);
	vm_page_sunbusy(m);
	vm_object_pip_wakeup(obj);
	spin_unlock(&obj->lock);
	selftest_ok(waiter_finish(&w) && *(uint8_t *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)) ==
	    FILL_BYTE + 1, "busy shared: then the write goes through to the page");
out:
	vmspace_free(vm);
	vm_object_deallocate(obj);
}

/*
 * A pager that takes its time: getpages waits, sleeping, until the test
 * lets it go -- as a pager waiting for a disk would -- and fills the page.
 * It sleeps, so the lock checker would catch a spin lock held across it.
 */
static struct {
	uint32_t	entered;	/* (A) getpages is waiting */
	uint32_t	release;	/* (A) the test lets it fill the page */
} slow;

static int
slow_getpages(struct vm_object *obj, struct vm_page *m, int behind, int ahead, int advice)
{
	(void)obj;
	(void)behind;
	(void)ahead;
	(void)advice;
	__atomic_store_n(&slow.entered, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&slow.release, __ATOMIC_ACQUIRE))
		selftest_sleep_ms(1);
	memset((void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)), FILL_BYTE, PAGE_SIZE);
	return 0;
}

static bool
slow_haspage(struct vm_object *obj, vm_pindex_t pindex, int *before, int *after)
{
	if (before != NULL)
		*before = 0;
	if (after != NULL)
		*after = 0;
	return pindex < obj->size;
}

static const struct vm_pager_ops slow_pager_ops = {
	.name = "selftest slow",
	.getpages = slow_getpages,
	.haspage = slow_haspage,
};

static struct vm_object *
slow_object(void)
{
	struct vm_object *obj = vm_object_allocate(OBJT_SWAP, 1);

	obj->pager = &slow_pager_ops;
	slow.entered = slow.release = 0;
	return obj;
}

/* Until getpages has been entered (up to SETTLE_MS); whether it was. */
static bool
slow_entered(void)
{
	for (int t = 0; t < SETTLE_MS && !__atomic_load_n(&slow.entered, __ATOMIC_ACQUIRE); t++)
		selftest_sleep_ms(1);
	return __atomic_load_n(&slow.entered, __ATOMIC_ACQUIRE) != 0;
}

/*
 * While the pager waits for its "I/O", the fault holds no lock: the map
 * can be taken exclusive and changed (its timestamp moves); when the page
 * is in, the fault starts over, looks the entry up again and maps it.
 */
static void
test_pager_wait_unlocked(void)
{
	struct vm_object *obj = slow_object();
	struct vmspace *vm = map_object(obj);
	struct waiter w = { .vm = vm, .va = UBASE, .action = read_byte };
	uint64_t restarts0 = vm_fault_stats.restarts, pageins0 = vm_fault_stats.pageins;
	bool unlocked;

	if (!selftest_ok(vm != NULL, "pager wait: a mapping of a slow pager's object"))
		return;
	waiter_start(&w);
	waiter_go(&w);
	unlocked = slow_entered() && sx_try_xlock(&vm->vm_map.lock);
	if (unlocked)
		vm_map_unlock(&vm->vm_map);	/* a change: the timestamp moves */
	selftest_ok(unlocked && !waiter_done(&w),
	    "pager wait: while the pager waits, the map can be locked exclusive (no lock held)");
	__atomic_store_n(&slow.release, 1, __ATOMIC_RELEASE);
	selftest_ok(waiter_finish(&w) && w.byte == FILL_BYTE &&
	    vm_fault_stats.pageins == pageins0 + 1 && vm_fault_stats.restarts > restarts0,
	    "pager wait: the fault starts over and maps what the pager read (%#x)", w.byte);
	vmspace_free(vm);
	vm_object_deallocate(obj);
}

static int
unmap_page(struct waiter *w)
{
	return vm_map_remove(&w->vm->vm_map, w->va, w->va + PAGE_SIZE);
}

/*
 * The mapping goes while the pager waits: the object's teardown waits
 * for the fault's paging in progress, and the fault, starting over,
 * finds nothing mapped (EFAULT).
 */
static void
test_pager_wait_unmapped(void)
{
	struct vm_object *obj = slow_object();
	struct vmspace *vm = map_object(obj);
	struct waiter w = { .vm = vm, .va = UBASE, .action = read_byte };
	struct waiter u = { .vm = vm, .va = UBASE, .action = unmap_page };
	bool waited;

	if (!selftest_ok(vm != NULL, "pager wait, unmapped: a mapping of a slow pager's object"))
		return;
	vm_object_deallocate(obj);		/* the mapping holds the last reference */
	waiter_start(&w);
	waiter_go(&w);
	if (!selftest_ok(slow_entered(), "pager wait, unmapped: the pager is reading"))
		__atomic_store_n(&slow.release, 1, __ATOMIC_RELEASE);
	waiter_start(&u);
	waiter_go(&u);
	for (int t = 0; t < SETTLE_MS && !(__atomic_load_n(&obj->flags, __ATOMIC_ACQUIRE) &
	    OBJ_PIPWANT); t++)
		selftest_sleep_ms(1);
	waited = (__atomic_load_n(&obj->flags, __ATOMIC_ACQUIRE) & OBJ_PIPWANT) &&
	    !waiter_done(&u) && !waiter_done(&w);
	selftest_ok(waited, "pager wait, unmapped: munmap's teardown of the object waits for "
	    "the paging in progress");
	__atomic_store_n(&slow.release, 1, __ATOMIC_RELEASE);
	selftest_ok(waiter_finish(&u), "pager wait, unmapped: the teardown ends once the "
	    "pager is done");
	selftest_ok(selftest_threads_wait(w.group, SETTLE_MS) == 1 && w.error == EFAULT,
	    "pager wait, unmapped: the fault starts over and finds nothing mapped (error %d)",
	    w.error);
	vmspace_free(vm);
}

static struct vm_object *dying_object;

static int
drop_object(struct waiter *w)
{
	(void)w;
	vm_object_deallocate(dying_object);
	return 0;
}

/* An object whose last reference goes waits for its paging in progress to drain. */
static void
test_pip_drain(void)
{
	struct vm_object *obj = vm_object_allocate(OBJT_ANON, 1);
	struct waiter w = { .action = drop_object };
	struct vm_page *m;
	bool waited;

	spin_lock(&obj->lock);
	if ((m = vm_page_alloc(obj, 0, 0)) != NULL)
		vm_page_xunbusy(m);
	vm_object_pip_add(obj);
	spin_unlock(&obj->lock);
	dying_object = obj;
	waiter_start(&w);
	waiter_go(&w);
	/* The waiter sets OBJ_PIPWANT, under the lock, before it sleeps. */
	for (int t = 0; t < SETTLE_MS && !(__atomic_load_n(&obj->flags, __ATOMIC_ACQUIRE) &
	    OBJ_PIPWANT); t++)
		selftest_sleep_ms(1);
	spin_lock(&obj->lock);
	waited = (obj->flags & (OBJ_DEAD | OBJ_PIPWANT)) == (OBJ_DEAD | OBJ_PIPWANT) &&
	    obj->resident_count == 1 && !waiter_done(&w);
	spin_unlock(&obj->lock);
	selftest_ok(waited, "paging in progress: the last reference's teardown waits for it, "
	    "pages still there");
	spin_lock(&obj->lock);
	vm_object_pip_wakeup(obj);
	spin_unlock(&obj->lock);
	selftest_ok(waiter_finish(&w), "paging in progress: once it drains, the object goes");
}

/* Pages taken to run memory short, listed through the pages themselves. */
struct hoard {
	void	*list;
	uint64_t count;
};

static void
hoard_take(struct hoard *h, int flags)
{
	struct vm_page *m;

	/* Until nothing is left, not even in the zones' caches. */
	do {
		while ((m = vm_page_alloc_pages(0, flags | VM_ALLOC_NOWAIT)) != NULL) {
			void **page = (void **)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m));

			*page = h->list;
			h->list = page;
			h->count++;
		}
		zone_reclaim_all();
	} while (vm_page_alloc_could_succeed(0, flags));
}

static void
hoard_give(struct hoard *h, uint64_t n)
{
	for (; n > 0 && h->list != NULL; n--, h->count--) {
		void **page = h->list;

		h->list = *page;
		vm_page_free_pages(PHYS_TO_VM_PAGE(DMAP_TO_PHYS((vaddr_t)page)), 0);
	}
}

/*
 * User memory runs out.  With nothing being freed the fault fails at
 * once (the process would be killed); with an exit in progress (here:
 * the test, which says it will free pages) it sleeps in vm_wait until
 * pages are freed, then succeeds.
 */
static void
test_fault_waits_for_memory(void)
{
	struct vmspace *vm = selftest_scratch_vmspace(UBASE, 2);
	struct waiter w = { .vm = vm, .va = UBASE + PAGE_SIZE, .action = write_byte };
	struct vm_wait_stats ws0 = vm_wait_stats;
	struct vm_fault_stats fs0 = vm_fault_stats;
	struct hoard h = { NULL, 0 };
	int error;

	if (!selftest_ok(vm != NULL, "vm_wait: an address space"))
		return;
	waiter_start(&w);
	hoard_take(&h, VM_ALLOC_NORMAL);
	selftest_use_vmspace(vm);
	error = copyout(&(uint8_t){1}, (void *)UBASE, 1);
	selftest_use_vmspace(NULL);
	selftest_ok(error == EFAULT && vm_wait_stats.fails == ws0.fails + 1 &&
	    vm_fault_stats.oom == fs0.oom + 1,
	    "vm_wait: out of user memory and nothing being freed, a fault fails at once");
	vm_reclaim_begin();
	waiter_go(&w);
	selftest_ok(counter_passes(&vm_wait_stats.sleeps, ws0.sleeps) && !waiter_done(&w),
	    "vm_wait: with memory being freed, the fault sleeps for it (%lu pages held)",
	    h.count);
	hoard_give(&h, FREE_BATCH);
	selftest_ok(waiter_finish(&w) && vm_fault_stats.memory_waits > fs0.memory_waits,
	    "vm_wait: freed pages wake it, and the fault succeeds");
	vm_reclaim_end();
	hoard_give(&h, h.count);
	vmspace_free(vm);
}

static void *waitok_block;

static int
alloc_waitok(struct waiter *w)
{
	(void)w;
	waitok_block = kmem_page_alloc(0, M_WAITOK);
	return waitok_block != NULL ? 0 : ENOMEM;
}

/* No page left at all: an M_WAITOK allocation sleeps until one is freed; never NULL. */
static void
test_waitok_sleeps(void)
{
	struct waiter w = { .action = alloc_waitok };
	uint64_t sleeps0 = vm_wait_stats.sleeps;
	struct hoard h = { NULL, 0 };

	waiter_start(&w);
	hoard_take(&h, VM_ALLOC_SYSTEM);
	waiter_go(&w);
	selftest_ok(counter_passes(&vm_wait_stats.sleeps, sleeps0) && !waiter_done(&w),
	    "M_WAITOK: with no free page, the allocation sleeps (%lu pages held)", h.count);
	hoard_give(&h, 1);
	selftest_ok(waiter_finish(&w) && waitok_block != NULL,
	    "M_WAITOK: a freed page wakes it, and it returns memory, not NULL");
	hoard_give(&h, h.count);
	kmem_page_free(waitok_block, 0);
}

/* What a thread that frees memory (THREAD_MEMRESERVE) could allocate. */
struct reserve_probe {
	struct vm_page	*page;
	void		*block;
	uint32_t	go;		/* (A) memory is short now: try */
	uint32_t	done;		/* (A) */
};

static void
reserve_probe_main(void *arg)
{
	struct reserve_probe *p = arg;

	while (!__atomic_load_n(&p->go, __ATOMIC_ACQUIRE))
		selftest_sleep_ms(1);
	p->page = vm_page_alloc_pages(0, VM_ALLOC_SYSTEM | VM_ALLOC_NOWAIT);
	p->block = malloc(PAGE_SIZE, M_TEMP, M_NOWAIT);
	__atomic_store_n(&p->done, 1, __ATOMIC_RELEASE);
}

/*
 * The tiers of free pages (vm_page.h): the kernel's own allocations stop
 * at the pageout reserve, which the threads that free memory still find
 * -- the laundry's swap requests and metadata, without which nothing
 * could be written and so nothing freed (a machine full of dirty pages
 * deadlocked so).
 */
static void
test_reserve_tiers(void)
{
	struct reserve_probe probe = { NULL, NULL, 0, 0 };
	struct hoard h = { NULL, 0 };
	bool started, stopped;

	/* Started first: a thread's stack is the kernel's memory too. */
	started = thread_start("reserve probe", reserve_probe_main, &probe, SCHED_ANY_CPU,
	    THREAD_MEMRESERVE) != NULL;
	hoard_take(&h, VM_ALLOC_SYSTEM);
	stopped = vm_page_count_free() >= vm_page_pageout_reserved() &&
	    !vm_page_alloc_could_succeed(0, VM_ALLOC_SYSTEM);
	selftest_ok(stopped, "reserve: the kernel's allocations stop at the pageout reserve "
	    "(%lu free, reserve %lu)", vm_page_count_free(), vm_page_pageout_reserved());
	__atomic_store_n(&probe.go, 1, __ATOMIC_RELEASE);
	if (started)
		for (int t = 0; t < SETTLE_MS && !__atomic_load_n(&probe.done, __ATOMIC_ACQUIRE); t++)
			selftest_sleep_ms(1);
	selftest_ok(probe.page != NULL && probe.block != NULL,
	    "reserve: a thread that frees memory still gets a page and a malloc block");
	if (probe.page != NULL)
		vm_page_free_pages(probe.page, 0);
	free(probe.block, M_TEMP);
	hoard_give(&h, h.count);
}

static void
vm_wait_selftests(void)
{
	uint64_t free0;

	zone_reclaim_all();
	free0 = vm_page_count_free() + zone_nofree_pages();
	test_busy_fill();
	test_busy_shared();
	test_pager_wait_unlocked();
	test_pager_wait_unmapped();
	test_pip_drain();
	test_fault_waits_for_memory();
	test_waitok_sleeps();
	test_reserve_tiers();
	zone_reclaim_all();
	selftest_ok(vm_page_count_free() + zone_nofree_pages() == free0,
	    "vm_wait: free pages (with the type-stable zones' own) back to %lu (now %lu)", free0,
	    vm_page_count_free() + zone_nofree_pages());
}

SELFTEST(vm_wait, vm_wait_selftests);
