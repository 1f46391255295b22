/*
 * Transparent superpages for anonymous memory (see vm_superpage.h).
 *
 * Why at fault time, as Linux's THP, rather than FreeBSD's reservations
 * (vm_reserv: reserve a 2 MiB run at the first fault in a region, fill it
 * page by page, promote the mapping when all 512 pages are valid)?
 *  - Cost.  Touching fresh memory in order is the case to make cheap: a
 *    reservation still takes 512 faults for 512 pages, each a trip
 *    through the fault handler, the object and the pmap (about 3,000
 *    instructions each today), and then a promotion.  One fault for the
 *    whole 2 MiB pays the fixed costs once and leaves zeroing, which a
 *    tight loop does, as nearly all of the work.
 *  - Simplicity.  No reservation to track, break or reclaim under
 *    pressure, no promotion scan: the run's pages are, from the moment
 *    they are made, ordinary pages of the object, freed to the buddy
 *    allocator one by one (it merges them again), paged out, copied and
 *    wired one by one.  The only superpage state is the pmap's leaf,
 *    which the pmap demotes by itself whenever a change touches part of
 *    it (pmap.c).
 *  - The price is Linux's: memory touched once in a 2 MiB region costs
 *    all of it (the mode and madvise are the answer, as on Linux), and a
 *    region that got 4 KiB pages (no free run, a page already there) is
 *    never promoted later (Linux's khugepaged would collapse it; we have
 *    no collapse).
 *
 * Copy-on-write: a fork write-protects the leaf whole; the first write
 * on either side copies one 4 KiB page (the fault enters it, which
 * demotes the leaf), as in FreeBSD -- the simplest correct choice, and
 * it copies no more than the program writes.
 */
#include <kern/systm.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pagequeue.h>
#include <vm/vm_radix.h>
#include <vm/vm_superpage.h>

const char *const vm_superpage_mode_names[] = { "always", "madvise", "never", NULL };

uint32_t vm_superpage_mode = THP_ALWAYS;	/* (A) as Linux's default build */

struct vm_superpage_stats vm_superpage_stats;

#define SPSTAT(field)	__atomic_add_fetch(&vm_superpage_stats.field, 1, __ATOMIC_RELAXED)

uint64_t
vm_superpage_get_mode(void)
{
	return __atomic_load_n(&vm_superpage_mode, __ATOMIC_RELAXED);
}

int
vm_superpage_set_mode(uint64_t mode)
{
	if (mode >= THP_MODES)
		return EINVAL;
	__atomic_store_n(&vm_superpage_mode, (uint32_t)mode, __ATOMIC_RELAXED);
	return 0;
}

/* Does obj (locked) hold no page at indices [first, first + SUPERPAGE_PAGES)? */
static bool
range_is_empty(struct vm_object *obj, vm_pindex_t first)
{
	uint64_t idx;

	return vm_radix_lookup_ge(&obj->pages, first, &idx) == NULL ||
	    idx >= first + SUPERPAGE_PAGES;
}

/*
 * Make the run's pages obj's at [first, ...), busy, and queue them, as
 * vm_page_alloc makes one page of a zero-fill: a fault on any of them
 * waits until they are filled and unbusied.  ENOMEM (no radix node)
 * leaves obj as it was and the run as allocated.
 */
static int
run_insert_busy(struct vm_object *obj, vm_pindex_t first, struct vm_page *run)
{
	if (vm_page_insert_run(run, SUPERPAGE_PAGES, obj, first) != 0)
		return ENOMEM;
	run->wire_count = 0;	/* the allocation's wiring: object pages have none */
	for (unsigned i = 0; i < SUPERPAGE_PAGES; i++) {
		run[i].oflags = 0;
		__atomic_store_n(&run[i].busy, VPB_XBUSY, __ATOMIC_RELAXED);
	}
	vm_page_enqueue_run(run, SUPERPAGE_PAGES, PQ_INACTIVE);
	return 0;
}

int
vm_superpage_fault(struct vm_object *obj, vm_pindex_t pindex, pmap_t pmap, vaddr_t va,
    vm_prot_t prot, vm_prot_t access, struct vm_page **mp, bool *mapped)
{
	vm_pindex_t first = pindex - atop(va & SUPERPAGE_MASK);
	struct vm_page *run;

	KASSERT(spin_owned(&obj->lock) && vm_object_is_anon(obj) && obj->backing_object == NULL,
	    ("vm_superpage_fault: object %p not locked, or not anonymous alone", obj));
	*mapped = false;
	/* Never paged out (nothing in swap to look for), and nothing there yet. */
	if (obj->type != OBJT_ANON || first + SUPERPAGE_PAGES > obj->size ||
	    !range_is_empty(obj, first))
		return ENOENT;
	/*
	 * No 2 MiB run free (a snapshot): no try, for a failed allocation
	 * would tell the page daemon that memory is short, which it may not be.
	 */
	if (!vm_page_alloc_could_succeed(SUPERPAGE_ORDER, VM_ALLOC_NORMAL)) {
		SPSTAT(fault_fallback);
		return ENOENT;
	}
	/*
	 * The range is claimed before it is zeroed, by its busy pages, so a
	 * fault of another thread there waits for them rather than filling
	 * the range too (and one of the two then throwing 2 MiB away).
	 */
	if ((run = vm_page_alloc_pages(SUPERPAGE_ORDER, VM_ALLOC_NOWAIT)) == NULL ||
	    run_insert_busy(obj, first, run) != 0) {
		if (run != NULL)
			vm_page_free_pages(run, SUPERPAGE_ORDER);
		SPSTAT(fault_fallback);
		return ENOENT;
	}
	/* Zeroed with obj unlocked, as zero_fill does one page: the paging count holds it. */
	vm_object_pip_add(obj);
	spin_unlock(&obj->lock);
	pmap_zero_pages(run, SUPERPAGE_PAGES);
	spin_lock(&obj->lock);
	vm_object_pip_wakeup(obj);
	vm_page_xunbusy_run(run, SUPERPAGE_PAGES);
	if (pmap_enter_superpage(pmap, va & ~SUPERPAGE_MASK, run, prot, access) == 0) {
		*mapped = true;
		SPSTAT(fault_alloc);
	} else {
		SPSTAT(fault_fallback);		/* its pages stay: each maps on its own fault */
	}
	*mp = &run[pindex - first];
	return 0;
}
