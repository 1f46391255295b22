/*
 * Self-tests of physical memory and kernel virtual memory: the page
 * allocator gives out every free page exactly once and takes them all
 * back; kmem maps zeroed memory and unmaps it; the kernel arena returns
 * to its starting size.
 */
#include <kern/systm.h>
#include <kern/selftest.h>
#include <vm/kmem.h>
#include <vm/pmap.h>
#include <vm/vm_page.h>
#include <vm/vm_phys.h>
#include <vm/vmem.h>

struct order_snapshot {
	uint64_t blocks[VM_NFREEORDER];
};

static void
snapshot_orders(struct order_snapshot *s)
{
	for (int o = 0; o < VM_NFREEORDER; o++)
		s->blocks[o] = vm_phys_free_blocks(o);
}

/*
 * Take every free page the kernel's own allocations may have (all but
 * the pageout reserve), one at a time, threading them on a list kept in
 * the pages.
 */
static void
test_page_exhaust(void)
{
	struct order_snapshot before, after;
	uint64_t free0 = vm_page_count_free(), taken = 0;
	void *list = NULL;
	struct vm_page *m;

	snapshot_orders(&before);
	while ((m = vm_page_alloc_pages(0, VM_ALLOC_SYSTEM | VM_ALLOC_NOWAIT)) != NULL) {
		void **page = (void **)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m));

		*page = list;
		list = page;
		taken++;
	}
	selftest_ok(taken == free0 - vm_page_pageout_reserved(),
	    "page allocator hands out all %lu free pages but the pageout reserve's %lu (got %lu)",
	    free0, vm_page_pageout_reserved(), taken);
	selftest_ok(vm_page_count_free() == vm_page_pageout_reserved(),
	    "only the pageout reserve is left free when exhausted");
	while (list != NULL) {
		void **page = list;

		list = *page;
		vm_page_free_pages(PHYS_TO_VM_PAGE(DMAP_TO_PHYS((vaddr_t)page)), 0);
	}
	snapshot_orders(&after);
	selftest_ok(vm_page_count_free() == free0, "all pages come back (%lu free)",
	    vm_page_count_free());
	selftest_ok(memcmp(&before, &after, sizeof(before)) == 0,
	    "freed pages coalesce into the same blocks per order");
}

static void
test_page_orders(void)
{
	uint64_t free0 = vm_page_count_free();
	bool aligned = true;

	for (int o = 0; o < VM_NFREEORDER; o++) {
		struct vm_page *m = vm_page_alloc_pages(o, VM_ALLOC_ZERO | VM_ALLOC_SYSTEM | VM_ALLOC_NOWAIT);
		const uint64_t *p;

		if (m == NULL)
			continue;
		if (VM_PAGE_TO_PHYS(m) & ((PAGE_SIZE << o) - 1))
			aligned = false;
		p = (const uint64_t *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m));
		for (size_t i = 0; i < (PAGE_SIZE << o) / 8; i++)
			if (p[i] != 0)
				aligned = false;
		vm_page_free_pages(m, o);
	}
	selftest_ok(aligned, "blocks of every order are naturally aligned and zeroed");
	selftest_ok(vm_page_count_free() == free0, "free count restored after per-order blocks");
}

static void
test_kmem(void)
{
	uint64_t free0 = vm_page_count_free();
	uint64_t arena0 = vmem_size_allocated(kernel_arena);
	const size_t size = 5 * PAGE_SIZE + 123;
	uint8_t *p = kmem_alloc(size, M_WAITOK);
	bool zero = true, mapped = true;

	if (!selftest_ok(p != NULL, "kmem_alloc of %zu bytes", size))
		return;
	for (size_t i = 0; i < round_page(size); i++)
		zero &= p[i] == 0;
	memset(p, 0x5a, round_page(size));
	for (size_t off = 0; off < round_page(size); off += PAGE_SIZE)
		mapped &= pmap_kextract((vaddr_t)p + off) != 0;
	selftest_ok(zero, "kmem_alloc memory is zero-filled");
	selftest_ok(mapped, "every page of it is mapped");
	selftest_ok(kmem_alloc_size(p) == round_page(size), "kmem_alloc_size is %zu",
	    kmem_alloc_size(p));
	kmem_free(p, size);
	selftest_ok(pmap_kextract((vaddr_t)p) == 0, "kmem_free unmaps");
	selftest_ok(vm_page_count_free() == free0, "kmem_free returns the pages");
	selftest_ok(vmem_size_allocated(kernel_arena) == arena0,
	    "kmem_free returns the address space");
}

static void
test_kmem_contig(void)
{
	uint64_t free0 = vm_page_count_free();
	const size_t two_mb = 2UL << 20;
	void *p = kmem_alloc_contig(two_mb, 0, ~0UL, two_mb, 0, M_WAITOK | M_ZERO);
	paddr_t pa;

	if (!selftest_ok(p != NULL, "kmem_alloc_contig of a 2 MiB run"))
		return;
	pa = DMAP_TO_PHYS((vaddr_t)p);
	selftest_ok((pa & (two_mb - 1)) == 0, "the run is 2 MiB aligned (%lx)", pa);
	kmem_free_contig(p, two_mb);
	selftest_ok(vm_page_count_free() == free0, "kmem_free_contig returns the pages");
}

static void
test_kernel_arena(void)
{
	enum { N = 64 };
	vmem_addr_t va[N];
	uint64_t free0 = vmem_size_free(kernel_arena);
	bool ok = true;

	for (int i = 0; i < N; i++)
		ok &= vmem_alloc(kernel_arena, PAGE_SIZE * (1 + i % 7), VMEM_INSTANTFIT |
		    VMEM_NOWAIT, &va[i]) == 0;
	for (int i = 0; i < N; i += 2)
		vmem_free(kernel_arena, va[i], PAGE_SIZE * (1 + i % 7));
	for (int i = 1; i < N; i += 2)
		vmem_free(kernel_arena, va[i], PAGE_SIZE * (1 + i % 7));
	vmem_check(kernel_arena);
	selftest_ok(ok, "kernel arena: %d allocations", N);
	selftest_ok(vmem_size_free(kernel_arena) == free0, "kernel arena: free space restored");
}

static void
vm_selftests(void)
{
	test_page_orders();
	test_page_exhaust();
	test_kmem();
	test_kmem_contig();
	test_kernel_arena();
}

SELFTEST(vm_phys, vm_selftests);
