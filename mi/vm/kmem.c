/*
 * Wired kernel memory (see kmem.h).
 *
 * Page-granular allocations get kernel virtual addresses from the kernel
 * arena and pages from vm_page; the size of each allocation is kept in
 * its first page's vm_page, so kmem_free and malloc need no table.
 * Direct-mapped blocks (for zones and vmem's own tags) need no KVA at all.
 *
 * Kernel stacks come and go with every fork and exit.  Up to
 * KSTACK_CACHE_MAX freed ones stay mapped, ready for the next thread,
 * which then only zeroes its stack (a thread never sees another's old
 * stack); zone_reclaim_all gives them back when memory runs short.
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <kern/spinlock.h>
#include <kern/witness.h>
#include <machine/param.h>
#include <vm/kmem.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <vm/vm_page.h>
#include <vm/vm_phys.h>
#include <vm/vm_wait.h>
#include <vm/vmem.h>
#include <vm/zone.h>

#define KSTACK_CACHE_MAX	8	/* freed kernel stacks kept mapped */
#define UNMAP_BATCH		16	/* pages unmapped per TLB shootdown */

vmem_t *kernel_arena;

static struct spinlock kstack_cache_lock = SPINLOCK_INITIALIZER("kstack cache");
static vaddr_t kstack_cache[KSTACK_CACHE_MAX];	/* (K) tops of cached stacks */
static uint32_t kstack_cached;			/* (K) how many */

static void kstack_cache_reclaim(void);

/* A cached stack's top, or 0 if the cache is empty. */
static vaddr_t
kstack_cache_pop(void)
{
	vaddr_t top = 0;

	spin_lock(&kstack_cache_lock);
	if (kstack_cached > 0)
		top = kstack_cache[--kstack_cached];
	spin_unlock(&kstack_cache_lock);
	return top;
}

static int
vmem_flags(int mflags)
{
	return VMEM_INSTANTFIT | ((mflags & M_NOWAIT) ? VMEM_NOWAIT : VMEM_WAITOK);
}

/* The kernel's own pages: the reserve is for them; M_WAITOK sleeps for memory. */
static int
page_flags(int mflags)
{
	return VM_ALLOC_SYSTEM | ((mflags & M_NOWAIT) ? VM_ALLOC_NOWAIT : VM_ALLOC_WAITOK);
}

/*
 * Lay out the kernel's address space (see vm_map.h): the first
 * KSTACK_MAP_SIZE bytes of the kernel arena are kstack_map, the rest is
 * the kmem arena, recorded in kernel_map and handed out by vmem.
 */
void
kmem_init(void)
{
	vaddr_t kmem_start = KVA_BASE + KSTACK_MAP_SIZE, kva_end = KVA_BASE + KVA_SIZE;
	vaddr_t va = kmem_start;

	vm_map_startup();
	vm_map_init(kernel_map, NULL, KVA_BASE, kva_end);
	vm_map_init(kstack_map, NULL, KVA_BASE, kmem_start);
	kernel_map->flags |= MAP_KERNEL;
	kstack_map->flags |= MAP_KERNEL;
	if (vm_map_submap(kernel_map, KVA_BASE, kmem_start, kstack_map) != 0 ||
	    vm_map_find(kernel_map, NULL, 0, &va, kva_end - kmem_start, 0, VMFS_FIXED,
	    VM_PROT_RW, VM_PROT_RW, MAP_ENTRY_NOFAULT) != 0)
		panic("kmem_init: cannot lay out the kernel map");
	kernel_arena = vmem_create("kernel", kmem_start, kva_end - kmem_start, PAGE_SIZE,
	    VMEM_NOWAIT);
	if (kernel_arena == NULL)
		panic("kmem_init: cannot create the kernel arena");
	zone_reclaim_register(kstack_cache_reclaim);
}

static struct vm_page *
kva_page(vaddr_t va)
{
	paddr_t pa = pmap_kextract(va);

	KASSERT(pa != 0, ("kmem: %lx is not mapped", va));
	return PHYS_TO_VM_PAGE(pa);
}

/*
 * Could waiting ever get size bytes?  Not if they are more than half of
 * all memory: the wait would hold what it has while everyone else waits.
 */
static bool
waiting_could_end(size_t size, int flags)
{
	return !(flags & M_WAITOK) || atop(round_page(size)) <= vm_page_count_total() / 2;
}

/*
 * Unmap and free the pages of [va, va+size), leaving the KVA allocated:
 * a batch of pages at a time, each page freed only after the shootdown
 * that unmaps it everywhere.
 */
static void
unmap_free(vaddr_t va, size_t size)
{
	struct vm_page *pages[UNMAP_BATCH];

	for (vaddr_t a = va; a < va + size; a += ptoa(UNMAP_BATCH)) {
		int n = (int)MIN(atop(va + size - a), (vaddr_t)UNMAP_BATCH);

		for (int i = 0; i < n; i++)
			pages[i] = kva_page(a + ptoa(i));
		pmap_qremove(a, n);
		for (int i = 0; i < n; i++)
			vm_page_free_pages(pages[i], 0);
	}
}

/* Back [va, va+size) with fresh zeroed pages; false (and nothing mapped) on failure. */
static bool
alloc_map(vaddr_t va, size_t size, int flags)
{
	for (vaddr_t a = va; a < va + size; a += PAGE_SIZE) {
		struct vm_page *m = vm_page_alloc_pages(0, VM_ALLOC_ZERO | page_flags(flags));

		if (m == NULL) {
			unmap_free(va, a - va);
			return false;
		}
		m->flags |= PG_KMEM;
		pmap_kenter(a, VM_PAGE_TO_PHYS(m), VM_PROT_RW);
	}
	return true;
}

void *
kmem_alloc(size_t size, int flags)
{
	vmem_addr_t va;

	if (flags & M_WAITOK)
		witness_check_sleep(WITNESS_WAITOK, NULL);
	if (size == 0 || size > KVA_SIZE || !waiting_could_end(size, flags))
		return NULL;
	size = round_page(size);
	if (vmem_alloc(kernel_arena, size, vmem_flags(flags), &va) != 0)
		return NULL;
	if (!alloc_map(va, size, flags)) {
		vmem_free(kernel_arena, va, size);
		return NULL;
	}
	kva_page(va)->kmem_npages = atop(size);
	return (void *)va;
}

size_t
kmem_alloc_size(const void *addr)
{
	return ptoa(kva_page((vaddr_t)addr)->kmem_npages);
}

void
kmem_free(void *addr, size_t size)
{
	vaddr_t va = (vaddr_t)addr;

	size = round_page(size);
	KASSERT((va & PAGE_MASK) == 0, ("kmem_free: unaligned %lx", va));
	KASSERT(kmem_alloc_size(addr) == size, ("kmem_free: %lx has %lu bytes, not %lu",
	    va, kmem_alloc_size(addr), size));
	unmap_free(va, size);
	vmem_free(kernel_arena, va, size);
}

void *
kmem_alloc_contig(size_t size, paddr_t low, paddr_t high, size_t alignment,
    size_t boundary, int flags)
{
	uint64_t npages = atop(round_page(size));
	struct vm_page *m;

	if (npages == 0)
		return NULL;
	m = vm_phys_alloc_contig(npages, low, high, MAX(alignment, PAGE_SIZE), boundary);
	if (m == NULL)
		return NULL;
	for (uint64_t i = 0; i < npages; i++) {
		m[i].wire_count = 1;
		m[i].flags |= PG_KMEM;
	}
	if (flags & M_ZERO)
		memset((void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)), 0, ptoa(npages));
	return (void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m));
}

void
kmem_free_contig(void *addr, size_t size)
{
	uint64_t npages = atop(round_page(size));
	struct vm_page *m = PHYS_TO_VM_PAGE(DMAP_TO_PHYS((vaddr_t)addr));

	KASSERT(m != NULL, ("kmem_free_contig: %p is not managed memory", addr));
	for (uint64_t i = 0; i < npages; i++) {
		m[i].wire_count = 0;
		m[i].flags &= ~PG_KMEM;
	}
	vm_phys_free_contig(m, npages);
	vm_page_free_wakeup();
}

void *
kmem_page_alloc(int order, int flags)
{
	struct vm_page *m;

	if (flags & M_WAITOK)
		witness_check_sleep(WITNESS_WAITOK, NULL);
	m = vm_page_alloc_pages(order, page_flags(flags) |
	    ((flags & M_ZERO) ? VM_ALLOC_ZERO : 0));
	if (m == NULL)
		return NULL;
	m->flags |= PG_KMEM;
	return (void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m));
}

void
kmem_page_free(void *addr, int order)
{
	struct vm_page *m = PHYS_TO_VM_PAGE(DMAP_TO_PHYS((vaddr_t)addr));

	KASSERT(m != NULL && (m->flags & PG_KMEM),
	    ("kmem_page_free: %p is not a kmem block", addr));
	for (int i = 1; i < (1 << order); i++)
		m[i].kmem_owner = NULL;
	vm_page_free_pages(m, order);
}

void
kmem_page_set_owner(void *block, int order, void *owner)
{
	struct vm_page *m = PHYS_TO_VM_PAGE(DMAP_TO_PHYS((vaddr_t)block));

	KASSERT(m != NULL, ("kmem_page_set_owner: %p is not managed memory", block));
	for (int i = 0; i < (1 << order); i++)
		m[i].kmem_owner = owner;
}

void *
kmem_page_owner(const void *addr)
{
	struct vm_page *m = PHYS_TO_VM_PAGE(DMAP_TO_PHYS((vaddr_t)addr));

	return m != NULL ? m->kmem_owner : NULL;
}

bool
kmem_is_page_block(const void *addr)
{
	vaddr_t va = (vaddr_t)addr;

	return va >= DMAP_BASE && va < DMAP_BASE + DMAP_SIZE;
}

void *
kmem_mapdev(paddr_t pa, size_t size)
{
	paddr_t start = trunc_page(pa);
	size_t len = round_page(pa + size) - start;
	vmem_addr_t va;

	if (size == 0 || vmem_alloc(kernel_arena, len, vmem_flags(M_NOWAIT), &va) != 0)
		return NULL;
	for (size_t off = 0; off < len; off += PAGE_SIZE)
		pmap_kenter_device(va + off, start + off);
	return (void *)(va + (pa - start));
}

void
kmem_unmapdev(void *addr, size_t size)
{
	vaddr_t va = trunc_page((vaddr_t)addr);
	size_t len = round_page((vaddr_t)addr + size) - va;

	for (size_t off = 0; off < len; off += PAGE_SIZE)
		pmap_kremove(va + off);
	vmem_free(kernel_arena, va, len);
}

/*
 * A kernel stack: KSTACK_PAGES pages above one unmapped guard page, so
 * running off the bottom faults instead of corrupting a neighbour.
 */
vaddr_t
kstack_alloc(int flags)
{
	size_t len = ptoa(KSTACK_PAGES + 1);
	vaddr_t va = KVA_BASE, top = kstack_cache_pop();

	if (flags & M_WAITOK)
		witness_check_sleep(WITNESS_WAITOK, NULL);
	if (top != 0)
		return top;
	/* One kstack_map entry per stack, its guard page included. */
	if (vm_map_find(kstack_map, NULL, 0, &va, len, 0, VMFS_ANYWHERE, VM_PROT_RW,
	    VM_PROT_RW, MAP_ENTRY_STACK) != 0)
		return 0;
	if (!alloc_map(va + PAGE_SIZE, len - PAGE_SIZE, flags)) {
		vm_map_remove(kstack_map, va, va + len);
		return 0;
	}
	return va + len;
}

/* Unmap and free the stack below top, and its kstack_map entry. */
static void
kstack_destroy(vaddr_t top)
{
	size_t len = ptoa(KSTACK_PAGES + 1);

	unmap_free(top - len + PAGE_SIZE, len - PAGE_SIZE);
	vm_map_remove(kstack_map, top - len, top);
}

void
kstack_free(vaddr_t top)
{
	bool kept = false;

	spin_lock(&kstack_cache_lock);
	if (kstack_cached < KSTACK_CACHE_MAX) {
		kstack_cache[kstack_cached++] = top;
		kept = true;
	}
	spin_unlock(&kstack_cache_lock);
	if (!kept)
		kstack_destroy(top);
}

/* zone_reclaim_all's hook: memory is short. */
static void
kstack_cache_reclaim(void)
{
	vaddr_t top;

	while ((top = kstack_cache_pop()) != 0)
		kstack_destroy(top);
}
