/*
 * Self-tests of fault-time superpages (vm_superpage.c) where a user
 * program cannot reach: with no free 2 MiB run the fault falls back to a
 * 4 KiB page (thp_fault_fallback) and succeeds; with one free again the
 * next eligible fault maps a superpage; a mapping that does not cover
 * an aligned 2 MiB never gets one; and the page tables, superpage
 * mappings and pv entries all go with the address space.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/selftest.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <vm/vm_page.h>
#include <vm/vm_phys.h>
#include <vm/vm_superpage.h>
#include <vm/zone.h>

#define UBASE		0x40000000UL	/* 1 GiB: 2 MiB aligned */
#define UPAGES		(3 * SUPERPAGE_PAGES + 16)	/* three superpages and a tail */

/* Blocks of a superpage's order or more, taken so that no fault can have one. */
struct run_hoard {
	struct list_node runs;
	uint64_t	count;
};

static void
hoard_runs(struct run_hoard *h)
{
	struct vm_page *m;

	list_init(&h->runs);
	h->count = 0;
	while (vm_phys_has_block(SUPERPAGE_ORDER) &&
	    (m = vm_page_alloc_pages(SUPERPAGE_ORDER, VM_ALLOC_SYSTEM | VM_ALLOC_NOWAIT)) != NULL) {
		list_append(&h->runs, &m->plinks);
		h->count++;
	}
}

static void
hoard_release(struct run_hoard *h)
{
	struct list_node *n;

	while ((n = list_first(&h->runs)) != NULL) {
		list_remove(n);
		vm_page_free_pages(list_entry(n, struct vm_page, plinks), SUPERPAGE_ORDER);
	}
}

/* Write a byte at va through the user mapping (faulting it in); then read the page's last. */
static bool
touch(vaddr_t va, uint8_t *last)
{
	vaddr_t end = trunc_page(va) + PAGE_SIZE - 1;

	return copyout(&(uint8_t){ 0x5a }, (void *)va, 1) == 0 &&
	    copyin((const void *)end, last, 1) == 0;
}

static void
test_superpage_fallback(void)
{
	struct vm_superpage_stats s0 = vm_superpage_stats;
	struct pmap_stats p0, p1;
	struct run_hoard h;
	struct vm_page *kept = NULL;
	struct vmspace *vm;
	uint64_t failures0;
	uint8_t last = 1;

	zone_reclaim_all();
	pmap_get_stats(&p0);
	vm = selftest_scratch_vmspace(UBASE, UPAGES);
	if (!selftest_ok(vm != NULL, "superpage: an address space of three superpages and more"))
		return;
	selftest_use_vmspace(vm);
	/* Every 2 MiB run taken; one page of the last run kept, the rest free as 4 KiB. */
	hoard_runs(&h);
	if (h.count > 0) {
		struct vm_page *run = list_entry(list_first(&h.runs), struct vm_page, plinks);

		list_remove(&run->plinks);
		h.count--;
		kept = run;
		for (unsigned i = 1; i < SUPERPAGE_PAGES; i++) {
			run[i].wire_count = 1;
			vm_page_free_pages(&run[i], 0);
		}
	}
	failures0 = __atomic_load_n(&vm_page_alloc_failures, __ATOMIC_RELAXED);
	selftest_ok(!vm_phys_has_block(SUPERPAGE_ORDER) && touch(UBASE + 5 * PAGE_SIZE, &last) &&
	    last == 0 && vm_superpage_stats.fault_fallback == s0.fault_fallback + 1 &&
	    vm_superpage_stats.fault_alloc == s0.fault_alloc &&
	    !pmap_is_superpage(vm->vm_pmap, UBASE),
	    "superpage: no free 2 MiB run (%lu taken): the fault falls back to 4 KiB and succeeds",
	    h.count);
	selftest_ok(__atomic_load_n(&vm_page_alloc_failures, __ATOMIC_RELAXED) == failures0,
	    "superpage: and tells the page daemon of no failed allocation (memory is not short)");
	hoard_release(&h);
	selftest_ok(touch(UBASE + SUPERPAGE_SIZE + 7 * PAGE_SIZE, &last) && last == 0 &&
	    vm_superpage_stats.fault_alloc == s0.fault_alloc + 1 &&
	    pmap_is_superpage(vm->vm_pmap, UBASE + SUPERPAGE_SIZE) &&
	    pmap_resident_count(vm->vm_pmap) == 1 + SUPERPAGE_PAGES,
	    "superpage: runs free again, the next fault maps a superpage, zero-filled");
	selftest_ok(touch(UBASE + 3 * SUPERPAGE_SIZE + PAGE_SIZE, &last) && last == 0 &&
	    !pmap_is_superpage(vm->vm_pmap, UBASE + 3 * SUPERPAGE_SIZE) &&
	    vm_superpage_stats.fault_alloc == s0.fault_alloc + 1,
	    "superpage: the tail, short of 2 MiB, gets a 4 KiB page");
	selftest_ok(pmap_check(vm->vm_pmap) == 0 && vm_map_verify(&vm->vm_map, NULL, NULL) == 0,
	    "superpage: pmap_check and the map's check clean");
	selftest_use_vmspace(NULL);
	vmspace_free(vm);
	if (kept != NULL)
		vm_page_free_pages(kept, 0);
	zone_reclaim_all();
	pmap_get_stats(&p1);
	selftest_ok(p1.sp_mappings == p0.sp_mappings && p1.pt_pages == p0.pt_pages &&
	    p1.pv_entries == p0.pv_entries,
	    "superpage: superpage mappings, page tables and pv entries back (%lu, %lu, %lu)",
	    p1.sp_mappings, p1.pt_pages, p1.pv_entries);
}

SELFTEST(superpage, test_superpage_fallback);
