/*
 * Self-tests of the machine-independent VM: address maps, objects and
 * their shadow chains, and the fault handler, driven through real page
 * faults: the tests build user address spaces, switch to them, and touch
 * their user addresses from the kernel through the copy helpers, which
 * take (and resolve) the same faults a user program would.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/pcpu.h>
#include <kern/device.h>
#include <kern/selftest.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <vm/device_pager.h>
#include <vm/pmap.h>
#include <vm/vm_fault.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/zone.h>

#define UBASE		0x10000000UL	/* where the tests map things */
#define NPAGES		16

static int
uwrite(vaddr_t va, uint8_t v)
{
	return copyout(&v, (void *)va, 1);
}

static int
uread(vaddr_t va, uint8_t *v)
{
	return copyin((const void *)va, v, 1);
}

static bool
uread_is(vaddr_t va, uint8_t want)
{
	uint8_t v = 0xee;

	return uread(va, &v) == 0 && v == want;
}

static vaddr_t
map_anon(struct vmspace *vm, vaddr_t va, uint64_t npages, vm_prot_t prot, vm_prot_t max)
{
	if (vm_map_find(&vm->vm_map, NULL, 0, &va, ptoa(npages), 0, VMFS_FIXED, prot, max,
	    MAP_ENTRY_COW) != 0)
		return 0;
	return va;
}

/* The whole address space is consistent (vm_map_verify, which runs pmap_check too). */
static bool
space_clean(struct vmspace *vm)
{
	return vm_map_verify(&vm->vm_map, NULL, NULL) == 0;
}

static void
test_zero_fill(void)
{
	struct vmspace *vm = vmspace_alloc();
	struct vm_fault_stats before = vm_fault_stats;
	vaddr_t va;

	if (!selftest_ok(vm != NULL, "vmspace_alloc"))
		return;
	va = map_anon(vm, UBASE, NPAGES, VM_PROT_RW, VM_PROT_ALL);
	selftest_use_vmspace(vm);
	selftest_ok(uread_is(va, 0), "zero-fill: a new anonymous page reads zero");
	selftest_ok(vm_fault_stats.zero_fills == before.zero_fills + 1,
	    "zero-fill: one page zero-filled");
	selftest_ok(uwrite(va + 5, 42) == 0 && uread_is(va + 5, 42),
	    "zero-fill: the page is writable and keeps what is written");
	selftest_ok(uwrite(va + ptoa(NPAGES - 1), 7) == 0 && uread_is(va + ptoa(NPAGES - 1), 7),
	    "zero-fill: the last page too");
	selftest_ok(vm_fault_stats.zero_fills == before.zero_fills + 2,
	    "zero-fill: two pages touched, two zero-fills");
	selftest_ok(pmap_resident_count(vm->vm_pmap) == 2, "zero-fill: two pages resident");
	selftest_ok(space_clean(vm), "zero-fill: pmap consistent");
	selftest_use_vmspace(NULL);
	vmspace_free(vm);
}

static void
test_protection(void)
{
	struct vmspace *vm = vmspace_alloc();
	struct vm_fault_stats before = vm_fault_stats;
	vaddr_t ro = map_anon(vm, UBASE, 2, VM_PROT_READ, VM_PROT_READ);
	vaddr_t rw = map_anon(vm, UBASE + ptoa(4), 2, VM_PROT_RW, VM_PROT_ALL);

	selftest_use_vmspace(vm);
	selftest_ok(uread_is(ro, 0), "protection: read-only memory can be read");
	selftest_ok(uwrite(ro, 1) == EFAULT, "protection: writing read-only memory fails");
	selftest_ok(vm_fault_stats.segv_accerr == before.segv_accerr + 1,
	    "protection: counted as an access error");
	selftest_ok(uread(UBASE + ptoa(2), &(uint8_t){0}) == EFAULT,
	    "protection: an unmapped page fails");
	selftest_ok(vm_fault_stats.segv_maperr == before.segv_maperr + 1,
	    "protection: counted as a mapping error");
	selftest_ok(vm_map_protect(&vm->vm_map, ro, ro + ptoa(2), VM_PROT_RW) == EACCES,
	    "protection: raising beyond max_protection is EACCES");
	selftest_ok(uwrite(rw, 9) == 0, "protection: write to read-write memory");
	selftest_ok(vm_map_protect(&vm->vm_map, rw, rw + ptoa(2), VM_PROT_READ) == 0 &&
	    uwrite(rw, 10) == EFAULT && uread_is(rw, 9),
	    "protection: mprotect to read-only takes effect on a mapped page");
	selftest_ok(vm_map_protect(&vm->vm_map, rw, rw + ptoa(2), VM_PROT_RW) == 0 &&
	    uwrite(rw, 11) == 0 && uread_is(rw, 11), "protection: and back to read-write");
	selftest_ok(vm_map_protect(&vm->vm_map, ro, rw + ptoa(2), VM_PROT_READ) == ENOMEM,
	    "protection: a range with a hole is ENOMEM");
	selftest_ok(space_clean(vm), "protection: pmap consistent");
	selftest_use_vmspace(NULL);
	vmspace_free(vm);
}

/* Fill page i of [va] with a byte that names generation gen. */
static bool
write_pattern(vaddr_t va, int npages, uint8_t gen)
{
	for (int i = 0; i < npages; i++)
		if (uwrite(va + ptoa(i), (uint8_t)(gen + i)) != 0)
			return false;
	return true;
}

static bool
check_pattern(vaddr_t va, int npages, uint8_t gen)
{
	for (int i = 0; i < npages; i++)
		if (!uread_is(va + ptoa(i), (uint8_t)(gen + i)))
			return false;
	return true;
}

static int
entry_depth(struct vmspace *vm, vaddr_t va)
{
	struct vm_map_entry *e;
	int depth;

	vm_map_lock(&vm->vm_map);
	e = vm_map_lookup_entry(&vm->vm_map, va);
	depth = e ? vm_object_shadow_depth(e->object) : -1;
	vm_map_unlock(&vm->vm_map);
	return depth;
}

static void
test_cow_chain(void)
{
	struct vm_object_stats ob0 = vm_object_stats;
	struct vm_fault_stats f0;
	struct vmspace *p = vmspace_alloc(), *c, *g;
	uint64_t moved0;
	vaddr_t va = map_anon(p, UBASE, 8, VM_PROT_RW, VM_PROT_ALL);

	selftest_use_vmspace(p);
	write_pattern(va, 8, 10);
	f0 = vm_fault_stats;
	c = vmspace_fork(p);
	selftest_ok(c != NULL && vm_fault_stats.cow_copies == f0.cow_copies &&
	    vm_fault_stats.zero_fills == f0.zero_fills, "cow: fork copies no page");
	selftest_ok(vm_object_stats.shadows == ob0.shadows, "cow: fork makes no shadow yet");

	selftest_use_vmspace(c);
	selftest_ok(check_pattern(va, 8, 10), "cow: the child reads the parent's data");
	selftest_ok(vm_fault_stats.cow_copies == f0.cow_copies, "cow: reading copies nothing");
	selftest_ok(write_pattern(va, 4, 50), "cow: the child writes half the pages");
	selftest_ok(vm_fault_stats.cow_copies == f0.cow_copies + 4, "cow: four pages copied");
	selftest_ok(check_pattern(va, 4, 50) && check_pattern(va + ptoa(4), 4, 14),
	    "cow: the child sees its writes and the untouched pages");
	selftest_use_vmspace(p);
	selftest_ok(check_pattern(va, 8, 10), "cow: the parent still sees its own data");
	write_pattern(va + ptoa(6), 1, 90);
	selftest_use_vmspace(c);
	selftest_ok(uread_is(va + ptoa(6), 16), "cow: the parent's later write is not seen by the child");

	/* A third generation: grandchild's chain is two shadows deep. */
	g = vmspace_fork(c);
	selftest_use_vmspace(g);
	selftest_ok(check_pattern(va, 4, 50) && uread_is(va + ptoa(7), 17),
	    "cow: the grandchild reads through the chain");
	write_pattern(va + ptoa(7), 1, 200);
	selftest_ok(entry_depth(g, va) == 2, "cow: three generations, shadow depth %d",
	    entry_depth(g, va));
	selftest_ok(uread_is(va + ptoa(7), 200) && uread_is(va + ptoa(5), 15),
	    "cow: the grandchild sees its write and the parent's original below two shadows");
	selftest_use_vmspace(c);
	selftest_ok(uread_is(va + ptoa(7), 17), "cow: the child does not see the grandchild's write");
	selftest_ok(space_clean(p) && space_clean(c) && space_clean(g), "cow: all pmaps consistent");

	/* Children exit: the chains collapse back. */
	selftest_use_vmspace(NULL);
	moved0 = vm_object_stats.collapse_pages_moved;
	vmspace_free(g);
	vmspace_free(c);
	/* The parent's shadow held 1 page, its backing object 8: the 1 moved, not the 8. */
	selftest_ok(vm_object_stats.collapse_pages_moved - moved0 == 1,
	    "cow: the collapse moved the smaller set of pages (%lu moved)",
	    vm_object_stats.collapse_pages_moved - moved0);
	selftest_ok(vm_object_stats.collapses > ob0.collapses || vm_object_stats.bypasses >
	    ob0.bypasses, "cow: the chain collapsed when the children exited");
	selftest_ok(entry_depth(p, va) == 0, "cow: the parent's chain is one object again (depth %d)",
	    entry_depth(p, va));
	selftest_ok(vm_object_stats.shadows == ob0.shadows,
	    "cow: shadow objects back to where they started (%lu)", vm_object_stats.shadows);
	selftest_use_vmspace(p);
	selftest_ok(check_pattern(va, 6, 10) && uread_is(va + ptoa(6), 90),
	    "cow: the parent's data survived the collapse");
	selftest_ok(space_clean(p), "cow: parent pmap consistent after collapse");
	selftest_use_vmspace(NULL);
	vmspace_free(p);
}

static void
test_cow_move_and_bypass(void)
{
	struct vm_object_stats ob0 = vm_object_stats;
	struct vm_fault_stats f0;
	struct vmspace *p = vmspace_alloc(), *c;
	vaddr_t va = map_anon(p, UBASE, 4, VM_PROT_RW, VM_PROT_ALL);

	selftest_use_vmspace(p);
	write_pattern(va, 4, 1);
	c = vmspace_fork(p);
	selftest_use_vmspace(p);
	f0 = vm_fault_stats;
	write_pattern(va, 4, 100);	/* the parent copies every page up */
	selftest_ok(vm_fault_stats.cow_copies == f0.cow_copies + 4, "bypass: four copies");
	selftest_ok(vm_object_stats.bypasses == ob0.bypasses + 1 && entry_depth(p, va) == 0,
	    "bypass: a shadow holding every page drops its backing object");
	selftest_use_vmspace(c);
	selftest_ok(check_pattern(va, 4, 1), "bypass: the child still sees the original");
	selftest_use_vmspace(NULL);
	vmspace_free(p);

	/* Now the child is the only user: its writes need no copy at all. */
	selftest_use_vmspace(c);
	f0 = vm_fault_stats;
	write_pattern(va, 2, 30);
	selftest_ok(vm_fault_stats.cow_copies == f0.cow_copies && vm_object_stats.shadows ==
	    ob0.shadows, "sole user: writes copy nothing and make no shadow (%lu moves)",
	    vm_fault_stats.cow_moves - f0.cow_moves);
	selftest_ok(check_pattern(va, 2, 30) && check_pattern(va + ptoa(2), 2, 3),
	    "sole user: data intact");
	selftest_ok(space_clean(c), "sole user: pmap consistent");
	selftest_use_vmspace(NULL);
	vmspace_free(c);
}

static void
test_clip_and_coalesce(void)
{
	struct vmspace *vm = vmspace_alloc();
	struct vm_map *map = &vm->vm_map;
	vaddr_t a = map_anon(vm, UBASE, 10, VM_PROT_RW, VM_PROT_ALL);

	map_anon(vm, UBASE + ptoa(10), 10, VM_PROT_RW, VM_PROT_ALL);
	selftest_ok(vm_map_entry_count(map) == 1, "coalesce: adjacent anonymous mappings merge");
	selftest_use_vmspace(vm);
	write_pattern(a, 20, 0);
	selftest_ok(vm_map_protect(map, a + ptoa(4), a + ptoa(6), VM_PROT_READ) == 0 &&
	    vm_map_entry_count(map) == 3, "clip: mprotect of a middle range splits in three");
	selftest_ok(uwrite(a + ptoa(4), 1) == EFAULT && uwrite(a + ptoa(6), 1) == 0,
	    "clip: only the middle became read-only");
	selftest_ok(vm_map_remove(map, a + ptoa(12), a + ptoa(14)) == 0 &&
	    vm_map_entry_count(map) == 4, "clip: removing a middle range splits the entry");
	selftest_ok(uread(a + ptoa(12), &(uint8_t){0}) == EFAULT && uread_is(a + ptoa(14), 14) &&
	    uread_is(a + ptoa(11), 11), "clip: the hole faults, its neighbours keep their data");
	selftest_ok(pmap_resident_count(vm->vm_pmap) == 18, "clip: removed pages are unmapped (%lu)",
	    pmap_resident_count(vm->vm_pmap));
	selftest_ok(vm_map_remove(map, a + ptoa(12), a + ptoa(14)) == 0,
	    "clip: removing a hole again is harmless");
	vm_map_check(map);
	selftest_ok(space_clean(vm), "clip: pmap consistent");
	selftest_use_vmspace(NULL);
	vmspace_free(vm);
}

static void
test_wire(void)
{
	struct vmspace *vm = vmspace_alloc();
	vaddr_t a = map_anon(vm, UBASE, 4, VM_PROT_RW, VM_PROT_ALL);

	selftest_ok(vm_map_wire(&vm->vm_map, a, a + ptoa(4)) == 0, "wire: vm_map_wire");
	selftest_ok(pmap_resident_count(vm->vm_pmap) == 4 && pmap_wired_count(vm->vm_pmap) == 4,
	    "wire: every page faulted in and wired");
	selftest_ok(vm_map_wire(&vm->vm_map, a, a + ptoa(4)) == 0 &&
	    pmap_wired_count(vm->vm_pmap) == 4, "wire: wiring again changes nothing");
	selftest_ok(vm_map_wire(&vm->vm_map, a, a + ptoa(8)) == ENOMEM,
	    "wire: a range with unmapped pages is ENOMEM");
	selftest_ok(vm_map_unwire(&vm->vm_map, a, a + ptoa(4)) == 0 &&
	    pmap_wired_count(vm->vm_pmap) == 0, "wire: unwire");
	selftest_ok(space_clean(vm), "wire: pmap consistent");
	vmspace_free(vm);
}

static void
count_problem(void *arg, const char *msg)
{
	(*(int *)arg)++;
}

/* How many problems vm_map_verify finds in vm (counted, not printed). */
static int
problems(struct vmspace *vm)
{
	int n = 0;

	vm_map_verify(&vm->vm_map, count_problem, &n);
	return n;
}

/* The page at index idx of the object mapped at va. */
static struct vm_page *
page_at(struct vmspace *vm, vaddr_t va, vm_pindex_t idx)
{
	struct vm_object *obj;
	struct vm_page *m;

	vm_map_lock(&vm->vm_map);
	obj = vm_map_lookup_entry(&vm->vm_map, va)->object;
	vm_map_unlock(&vm->vm_map);
	spin_lock(&obj->lock);
	m = vm_page_lookup(obj, idx);
	spin_unlock(&obj->lock);
	return m;
}

/*
 * A check that cannot fail proves nothing: break a wired mapping on
 * purpose, one invariant at a time, and vm_map_verify must see each.
 */
static void
test_verify_finds(void)
{
	struct vmspace *vm = vmspace_alloc();
	vaddr_t a = map_anon(vm, UBASE, 4, VM_PROT_RW, VM_PROT_ALL);
	struct vm_page *m0, *m1, *m2;
	struct vm_object *obj;

	selftest_ok(vm_map_wire(&vm->vm_map, a, a + ptoa(4)) == 0 && problems(vm) == 0,
	    "verify: a wired mapping is consistent");
	m0 = page_at(vm, a, 0);
	m1 = page_at(vm, a, 1);
	m2 = page_at(vm, a, 2);
	obj = m0->object;
	spin_lock(&obj->lock);
	vm_page_unwire(m0);
	spin_unlock(&obj->lock);
	selftest_ok(problems(vm) > 0, "verify: finds a wired entry's page not wired");
	spin_lock(&obj->lock);
	vm_page_wire(m0);
	obj->resident_count++;
	spin_unlock(&obj->lock);
	selftest_ok(problems(vm) > 0, "verify: finds a resident count off by one");
	spin_lock(&obj->lock);
	obj->resident_count--;
	spin_unlock(&obj->lock);
	pmap_enter(vm->vm_pmap, a + ptoa(8), m0, VM_PROT_READ, VM_PROT_READ);
	selftest_ok(problems(vm) > 0, "verify: finds a leaf outside every entry");
	pmap_remove(vm->vm_pmap, a + ptoa(8), a + ptoa(9));
	pmap_enter(vm->vm_pmap, a + ptoa(2), m1, VM_PROT_READ, VM_PROT_READ | PMAP_ENTER_WIRED);
	selftest_ok(problems(vm) > 0, "verify: finds a leaf mapping a page its entry does not see");
	pmap_enter(vm->vm_pmap, a + ptoa(2), m2, VM_PROT_RW, VM_PROT_READ | PMAP_ENTER_WIRED);
	pmap_unwire(vm->vm_pmap, a + ptoa(3), a + ptoa(4));
	selftest_ok(problems(vm) > 0, "verify: finds a wired entry's leaf not wired");
	pmap_enter(vm->vm_pmap, a + ptoa(3), page_at(vm, a, 3), VM_PROT_RW,
	    VM_PROT_READ | PMAP_ENTER_WIRED);
	selftest_ok(problems(vm) == 0, "verify: consistent again once repaired");
	vm_map_unwire(&vm->vm_map, a, a + ptoa(4));
	vmspace_free(vm);
}

static void
test_many_entries(void)
{
	enum { N = 10000 };
	struct vmspace *vm = vmspace_alloc();
	struct vm_map *map = &vm->vm_map;
	bool ok = true;

	/* Alternate protections so neighbours cannot merge. */
	for (int i = 0; i < N && ok; i++)
		ok = map_anon(vm, UBASE + ptoa(2 * i), 1,
		    (i & 1) ? VM_PROT_READ : VM_PROT_RW, VM_PROT_ALL) != 0;
	selftest_ok(ok && vm_map_entry_count(map) == N, "10000 entries: mapped");
	selftest_use_vmspace(vm);
	selftest_ok(uwrite(UBASE + ptoa(2 * 5000), 1) == 0 &&
	    uread_is(UBASE + ptoa(2 * 5001), 0), "10000 entries: faults resolve");
	selftest_ok(vm_map_remove(map, UBASE + ptoa(2 * 2000), UBASE + ptoa(2 * 3000)) == 0 &&
	    vm_map_entry_count(map) == N - 1000, "10000 entries: remove a middle range");
	vm_map_check(map);
	{
		vaddr_t va = UBASE;

		selftest_ok(vm_map_find(map, NULL, 0, &va, ptoa(1500), 0, VMFS_ANYWHERE,
		    VM_PROT_RW, VM_PROT_ALL, MAP_ENTRY_COW) == 0 &&
		    va >= UBASE + ptoa(2 * 2000) - ptoa(1) && va < UBASE + ptoa(2 * 3000),
		    "10000 entries: find-space uses the hole (%lx)", va);
	}
	selftest_ok(space_clean(vm), "10000 entries: pmap consistent");
	selftest_use_vmspace(NULL);
	vmspace_free(vm);
}

static void
test_fixed_placement(void)
{
	struct vmspace *vm = vmspace_alloc();
	struct vm_map *map = &vm->vm_map;
	vaddr_t va = UBASE;

	map_anon(vm, UBASE, 4, VM_PROT_RW, VM_PROT_ALL);
	selftest_ok(vm_map_find(map, NULL, 0, &va, ptoa(2), 0, VMFS_FIXED_NOREPLACE,
	    VM_PROT_RW, VM_PROT_ALL, MAP_ENTRY_COW) == EEXIST, "placement: noreplace over a mapping is EEXIST");
	selftest_use_vmspace(vm);
	uwrite(UBASE + ptoa(1), 5);
	selftest_ok(vm_map_find(map, NULL, 0, &va, ptoa(2), 0, VMFS_FIXED,
	    VM_PROT_READ, VM_PROT_ALL, 0) == 0 && uread_is(UBASE + ptoa(1), 0),
	    "placement: fixed replaces the old mapping and its pages");
	va = 1;
	selftest_ok(vm_map_find(map, NULL, 0, &va, ptoa(1), 0, VMFS_FIXED, VM_PROT_RW,
	    VM_PROT_ALL, 0) == EINVAL, "placement: an unaligned address is EINVAL");
	va = USER_MAX - PAGE_SIZE;
	selftest_ok(vm_map_find(map, NULL, 0, &va, ptoa(2), 0, VMFS_FIXED, VM_PROT_RW,
	    VM_PROT_ALL, 0) == EINVAL, "placement: beyond the end of user space is EINVAL");
	selftest_ok(space_clean(vm), "placement: pmap consistent");
	selftest_use_vmspace(NULL);
	vmspace_free(vm);
}

/* Two harts fault the same page at the same moment. */
#define RACE_WAIT_MS	10000
struct fault_race {
	struct vmspace	*vm;		/* what the other hart runs on */
	vaddr_t		va;
	uint32_t	go;		/* (A) start line */
	int		error;
};

/* The other hart's side: a thread bound to cpu 1 (a fault may sleep: not an IPI handler). */
static void
race_other_cpu(void *arg, int i)
{
	struct fault_race *r = arg;

	(void)i;
	selftest_use_vmspace(r->vm);
	__atomic_store_n(&r->go, 1, __ATOMIC_RELEASE);
	r->error = uwrite(r->va + 8, 2);
	selftest_use_vmspace(NULL);
}

/* Start the other hart's write and make ours at the same time; 0 when both worked. */
static bool
race_fault(struct vmspace *mine, struct vmspace *theirs, vaddr_t va)
{
	struct fault_race r = { theirs, va, 0, -1 };
	struct selftest_group *g;
	int error;

	selftest_use_vmspace(mine);
	g = selftest_threads_start(1, race_other_cpu, &r, 1);
	while (!__atomic_load_n(&r.go, __ATOMIC_ACQUIRE))
		cpu_spinwait();
	error = uwrite(va, 1);
	return selftest_threads_wait(g, RACE_WAIT_MS) == 1 && error == 0 && r.error == 0;
}

static void
test_two_harts(void)
{
	struct vm_fault_stats f0 = vm_fault_stats;
	struct vmspace *a = vmspace_alloc(), *b = vmspace_alloc();
	struct vm_object *shared = vm_object_allocate(OBJT_ANON, NPAGES);
	vaddr_t va = map_anon(a, UBASE, NPAGES, VM_PROT_RW, VM_PROT_ALL), sva = UBASE + ptoa(64);
	bool ok = true, shared_ok = true;

	if (ncpu < 2) {
		selftest_skip("two harts: one cpu");
		goto out;
	}
	/* One address space on two harts: the second fault finds the first's page. */
	for (int i = 0; i < NPAGES; i++)
		ok &= race_fault(a, a, va + ptoa(i));
	selftest_ok(ok, "two harts: simultaneous faults on the same pages both succeed");
	selftest_ok(vm_fault_stats.zero_fills - f0.zero_fills == NPAGES,
	    "two harts: each page zero-filled once (%lu for %d pages)",
	    vm_fault_stats.zero_fills - f0.zero_fills, NPAGES);
	for (int i = 0; i < NPAGES; i++)
		ok &= uread_is(va + ptoa(i), 1) && uread_is(va + ptoa(i) + 8, 2);
	selftest_ok(ok && space_clean(a), "two harts: both writes landed in one page");

	/* One object shared by two address spaces: the faults run in parallel. */
	f0 = vm_fault_stats;
	vm_object_reference(shared);
	shared_ok &= vm_map_find(&a->vm_map, shared, 0, &sva, ptoa(NPAGES), 0, VMFS_FIXED,
	    VM_PROT_RW, VM_PROT_ALL, 0) == 0;
	vm_object_reference(shared);
	shared_ok &= vm_map_find(&b->vm_map, shared, 0, &sva, ptoa(NPAGES), 0, VMFS_FIXED,
	    VM_PROT_RW, VM_PROT_ALL, 0) == 0;
	for (int i = 0; i < NPAGES; i++)
		shared_ok &= race_fault(a, b, sva + ptoa(i));
	selftest_ok(shared_ok && vm_fault_stats.zero_fills - f0.zero_fills == NPAGES &&
	    shared->resident_count == NPAGES,
	    "two harts, shared object: one page per index (%lu fills, %lu restarts)",
	    vm_fault_stats.zero_fills - f0.zero_fills, vm_fault_stats.restarts - f0.restarts);
	selftest_use_vmspace(b);
	for (int i = 0; i < NPAGES; i++)
		shared_ok &= uread_is(sva + ptoa(i), 1) && uread_is(sva + ptoa(i) + 8, 2);
	selftest_ok(shared_ok && space_clean(a) && space_clean(b),
	    "two harts, shared object: each side sees both writes");
out:
	selftest_use_vmspace(NULL);
	vm_object_deallocate(shared);
	vmspace_free(a);
	vmspace_free(b);
}

/*
 * A device object maps device registers: the PLIC's priority registers,
 * where the console's interrupt source was given priority 1.
 */
static void
test_device_object(void)
{
	const struct device *plic = device_find("plic", 0), *cons = device_find("uart", 0);
	struct vmspace *vm = vmspace_alloc();
	struct vm_object *obj;
	vaddr_t va = UBASE;
	uint32_t prio = 0;

	if (plic == NULL || cons == NULL || cons->dv_nintr == 0) {
		selftest_skip("device object: no PLIC or console interrupt");
		vmspace_free(vm);
		return;
	}
	obj = device_pager_alloc(trunc_page(plic->dv_reg[0].base), PAGE_SIZE);
	selftest_ok(obj != NULL && vm_map_find(&vm->vm_map, obj, 0, &va, PAGE_SIZE, 0,
	    VMFS_FIXED, VM_PROT_READ, VM_PROT_READ, 0) == 0, "device object: mapped");
	selftest_use_vmspace(vm);
	/* One 32-bit load: device registers want accesses of their own width. */
	selftest_ok(fetch_u32((const void *)(va + 4 * cons->dv_intr[0].irq), &prio) == 0 &&
	    prio == 1, "device object: reads the device's register (priority %u)", prio);
	selftest_ok(uwrite(va, 0) == EFAULT, "device object: read-only stays read-only");
	selftest_ok(space_clean(vm), "device object: pmap consistent");
	selftest_use_vmspace(NULL);
	vmspace_free(vm);
}

static void
vm_map_selftests(void)
{
	uint64_t free0, objects0, entries0;

	/* Earlier tests' cached slabs are not ours: give them back before counting. */
	zone_reclaim_all();
	free0 = vm_page_count_free() + zone_nofree_pages();
	objects0 = zone_inuse_by_name("vm object");
	entries0 = zone_inuse_by_name("vm map entry");

	test_zero_fill();
	test_protection();
	test_cow_chain();
	test_cow_move_and_bypass();
	test_clip_and_coalesce();
	test_wire();
	test_verify_finds();
	test_fixed_placement();
	test_many_entries();
	test_two_harts();
	test_device_object();
	zone_reclaim_all();
	selftest_ok(zone_inuse_by_name("vm object") == objects0 && zone_inuse_by_name("vm map entry") == entries0,
	    "leaks: objects and map entries back to their starting counts");
	selftest_ok(vm_page_count_free() + zone_nofree_pages() == free0,
	    "leaks: free pages (with the type-stable zones' own) back to %lu (now %lu)", free0,
	    vm_page_count_free() + zone_nofree_pages());
}

SELFTEST(vm_map, vm_map_selftests);
