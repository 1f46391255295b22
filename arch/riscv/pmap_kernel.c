/*
 * The Sv39 kernel page table (see pmap_var.h for the other pmap files).
 *
 * Kernel half of the address space (root entries 256..511):
 *   DMAP_BASE  direct map of all RAM, read-write, never executable, in the
 *              largest leaves alignment allows (1 GiB, 2 MiB, 4 KiB); the
 *              kernel image's own pages are mapped read-only there, so its
 *              text cannot be written through the alias either;
 *   KVA_BASE   the kernel virtual arena: its second-level tables are made
 *              at bootstrap, so every root entry of the kernel half is
 *              fixed from then on and user page tables can share them;
 *   KERNBASE   the image: text RX, rodata R, data and bss RW (W^X).
 *
 * User address spaces (struct pmap) use root entries 0..255.
 *
 * The kernel's tables are made at bootstrap from stolen pages (later from
 * vm_page) and changed under kernel_pmap_lock.  The kernel half of the
 * root never changes after bootstrap, so every user root shares it.
 */
#include <kern/systm.h>
#include <kern/spinlock.h>
#include <machine/cpu.h>
#include <machine/csr.h>
#include <machine/pte.h>
#include <vm/pmap.h>
#include <vm/physmem.h>
#include <vm/vm_page.h>
#include "pmap_var.h"
#include "riscv.h"

pt_entry_t *kernel_root;		/* (C) after bootstrap */
static paddr_t kernel_root_pa;
static struct spinlock kernel_pmap_lock = SPINLOCK_INITIALIZER("kernel pmap");
static bool pmap_bootstrapped;
uint64_t kernel_satp;			/* (C) read by secondary harts in locore.S */

#define LEAF_BITS	(PTE_V | PTE_A | PTE_G)

/* A zeroed page for a page table: stolen at boot, from vm_page later. */
static paddr_t
pt_page_alloc(void)
{
	paddr_t pa;

	if (!pmap_bootstrapped) {
		pa = physmem_steal(PAGE_SIZE, PAGE_SIZE);
	} else {
		struct vm_page *m = vm_page_alloc_pages(0, VM_ALLOC_ZERO | VM_ALLOC_SYSTEM | VM_ALLOC_NOWAIT);

		if (m == NULL)
			panic("pmap: no memory for a kernel page table");
		m->flags |= PG_KMEM;
		return VM_PAGE_TO_PHYS(m);
	}
	memset(pt_va(pa), 0, PAGE_SIZE);
	return pa;
}

static uint64_t
prot_bits(vm_prot_t prot)
{
	uint64_t bits = LEAF_BITS;

	if (prot & VM_PROT_READ)
		bits |= PTE_R;
	if (prot & VM_PROT_WRITE)
		bits |= PTE_W | PTE_D | PTE_R;
	if (prot & VM_PROT_EXECUTE)
		bits |= PTE_X;
	return bits;
}

/*
 * The entry for va at the level whose leaves are 1 << shift bytes,
 * making intermediate tables as needed.  The caller holds the lock (or
 * is the boot cpu).
 */
static pt_entry_t *
pt_walk_alloc(vaddr_t va, int shift)
{
	pt_entry_t *table = kernel_root;

	for (int s = L2_SHIFT; s > shift; s -= 9) {
		pt_entry_t *pte = &table[pt_index(va, s)];

		if ((*pte & PTE_V) == 0)
			*pte = pa_to_pte(pt_page_alloc(), PTE_V);
		KASSERT(!pte_is_leaf(*pte), ("pmap: va %lx under a superpage", va));
		table = pt_va(pte_to_pa(*pte));
	}
	return &table[pt_index(va, shift)];
}

/* The leaf mapping va, or NULL; *shift is set to its level. */
static pt_entry_t *
pt_lookup(vaddr_t va, int *shift)
{
	pt_entry_t *table = kernel_root;

	for (int s = L2_SHIFT; s >= L0_SHIFT; s -= 9) {
		pt_entry_t *pte = &table[pt_index(va, s)];

		if ((*pte & PTE_V) == 0)
			return NULL;
		if (pte_is_leaf(*pte)) {
			*shift = s;
			return pte;
		}
		table = pt_va(pte_to_pa(*pte));
	}
	return NULL;
}

/* Map [va, va+size) to pa with the largest leaves that fit. */
static void
map_range(vaddr_t va, paddr_t pa, uint64_t size, uint64_t bits)
{
	while (size > 0) {
		int shift = L0_SHIFT;

		if (((va | pa) & (L2_SIZE - 1)) == 0 && size >= L2_SIZE)
			shift = L2_SHIFT;
		else if (((va | pa) & (L1_SIZE - 1)) == 0 && size >= L1_SIZE)
			shift = L1_SHIFT;
		*pt_walk_alloc(va, shift) = pa_to_pte(pa, bits);
		va += 1UL << shift;
		pa += 1UL << shift;
		size -= 1UL << shift;
	}
}

static void
map_direct(void)
{
	const struct platform *p = &platform;
	paddr_t kstart = kernel_pa_base;
	paddr_t kend = kernel_pa_base + (_end - _start_image);

	for (int i = 0; i < p->nmem; i++) {
		paddr_t start = trunc_page(p->mem[i].base);
		paddr_t end = round_page(p->mem[i].base + p->mem[i].size);

		if (end > DMAP_SIZE)
			panic("pmap: RAM at %lx is beyond the direct map", end);
		/* RAM before, inside and after the kernel image. */
		if (start < MIN(end, kstart))
			map_range(PHYS_TO_DMAP(start), start, MIN(end, kstart) - start,
			    prot_bits(VM_PROT_RW));
		if (MAX(start, kstart) < MIN(end, kend))
			map_range(PHYS_TO_DMAP(MAX(start, kstart)), MAX(start, kstart),
			    MIN(end, kend) - MAX(start, kstart), prot_bits(VM_PROT_READ));
		if (MAX(start, kend) < end)
			map_range(PHYS_TO_DMAP(MAX(start, kend)), MAX(start, kend),
			    end - MAX(start, kend), prot_bits(VM_PROT_RW));
	}
}

static void
map_image(void)
{
	vaddr_t text = (vaddr_t)_start_image, rodata = (vaddr_t)_etext;
	vaddr_t data = (vaddr_t)_erodata, end = (vaddr_t)_end;
	paddr_t pa = kernel_pa_base;

	map_range(text, pa, rodata - text, prot_bits(VM_PROT_READ | VM_PROT_EXECUTE));
	map_range(rodata, pa + (rodata - text), data - rodata, prot_bits(VM_PROT_READ));
	map_range(data, pa + (data - text), end - data, prot_bits(VM_PROT_RW));
}

/* Second-level tables for the whole kernel arena, so root entries never change. */
static void
prepare_kva(void)
{
	for (vaddr_t va = KVA_BASE; va < KVA_BASE + KVA_SIZE; va += L2_SIZE)
		kernel_root[pt_index(va, L2_SHIFT)] = pa_to_pte(pt_page_alloc(), PTE_V);
}

static void
load_kernel_root(void)
{
	kernel_satp = SATP_MODE_SV39 | (kernel_root_pa >> PAGE_SHIFT);
	sfence_vma_all();
	csr_write(satp, kernel_satp);
	sfence_vma_all();
}

void
pmap_bootstrap(void)
{
	kernel_root_pa = physmem_steal(PAGE_SIZE, PAGE_SIZE);
	kernel_root = pt_va(kernel_root_pa);
	memset(kernel_root, 0, PAGE_SIZE);
	map_direct();
	map_image();
	prepare_kva();
	load_kernel_root();
}

/* Called once vm_page_startup has run: page tables come from vm_page now. */
void
pmap_bootstrap_done(void)
{
	pmap_bootstrapped = true;
}

static void
kenter(vaddr_t va, paddr_t pa, uint64_t bits)
{
	pt_entry_t *pte;

	KASSERT(va >= KVA_BASE && va < KVA_BASE + KVA_SIZE,
	    ("pmap_kenter: va %lx outside the kernel arena", va));
	KASSERT((va & PAGE_MASK) == 0 && (pa & PAGE_MASK) == 0,
	    ("pmap_kenter: unaligned va %lx pa %lx", va, pa));
	spin_lock(&kernel_pmap_lock);
	pte = pt_walk_alloc(va, L0_SHIFT);
	KASSERT((*pte & PTE_V) == 0, ("pmap_kenter: va %lx already mapped", va));
	*pte = pa_to_pte(pa, bits);
	spin_unlock(&kernel_pmap_lock);
	/* A new valid entry needs no shootdown; order the store before use. */
	sfence_vma_page(va);
}

void
pmap_kenter(vaddr_t va, paddr_t pa, vm_prot_t prot)
{
	kenter(va, pa, prot_bits(prot));
}

void
pmap_kenter_device(vaddr_t va, paddr_t pa)
{
	/* No Svpbmt on the U74 or QEMU's default cpu: device memory is
	 * uncached by the platform's physical memory attributes. */
	kenter(va, pa, prot_bits(VM_PROT_RW));
}

void
pmap_kremove(vaddr_t va)
{
	pt_entry_t *pte;
	int shift;

	spin_lock(&kernel_pmap_lock);
	pte = pt_lookup(va, &shift);
	KASSERT(pte != NULL && shift == L0_SHIFT, ("pmap_kremove: va %lx not mapped", va));
	*pte = 0;
	spin_unlock(&kernel_pmap_lock);
	tlb_shootdown_kernel(va, PAGE_SIZE);
}

paddr_t
pmap_kextract(vaddr_t va)
{
	pt_entry_t *pte;
	int shift;

	if (va >= DMAP_BASE && va < DMAP_BASE + DMAP_SIZE)
		return DMAP_TO_PHYS(va);
	pte = pt_lookup(va, &shift);
	if (pte == NULL)
		return 0;
	return pte_to_pa(*pte) + (va & ((1UL << shift) - 1));
}

vm_prot_t
pmap_kprotection(vaddr_t va)
{
	pt_entry_t *pte;
	vm_prot_t prot = VM_PROT_NONE;
	int shift;

	pte = pt_lookup(va, &shift);
	if (pte == NULL)
		return prot;
	if (*pte & PTE_R)
		prot |= VM_PROT_READ;
	if (*pte & PTE_W)
		prot |= VM_PROT_WRITE;
	if (*pte & PTE_X)
		prot |= VM_PROT_EXECUTE;
	return prot;
}

/* Map count pages at va, replacing what was there (pmap_qenter(9)). */
void
pmap_qenter(vaddr_t va, struct vm_page **pages, int count)
{
	bool replaced = false;

	KASSERT(va >= KVA_BASE && va + ptoa(count) <= KVA_BASE + KVA_SIZE &&
	    (va & PAGE_MASK) == 0, ("pmap_qenter: bad range %lx + %d pages", va, count));
	spin_lock(&kernel_pmap_lock);
	for (int i = 0; i < count; i++) {
		pt_entry_t *pte = pt_walk_alloc(va + ptoa(i), L0_SHIFT);

		replaced |= (*pte & PTE_V) != 0;
		*pte = pa_to_pte(VM_PAGE_TO_PHYS(pages[i]), prot_bits(VM_PROT_RW));
	}
	spin_unlock(&kernel_pmap_lock);
	if (replaced) {
		tlb_shootdown_kernel(va, ptoa(count));
		return;
	}
	for (int i = 0; i < count; i++)
		sfence_vma_page(va + ptoa(i));
}

void
pmap_qremove(vaddr_t va, int count)
{
	pt_entry_t *pte;
	int shift;

	spin_lock(&kernel_pmap_lock);
	for (int i = 0; i < count; i++) {
		if ((pte = pt_lookup(va + ptoa(i), &shift)) == NULL)
			continue;
		KASSERT(shift == L0_SHIFT, ("pmap_qremove: va %lx in a superpage", va + ptoa(i)));
		*pte = 0;
	}
	spin_unlock(&kernel_pmap_lock);
	tlb_shootdown_kernel(va, ptoa(count));
}

/*
 * Whole pages, aligned, two cache lines (128 bytes) a round: the loop's
 * own instructions are an eighth of the stores' rather than the half that
 * memset's and memcpy's general loops spend on a page (zero-fill and
 * copy-on-write faults run these once per page).
 */
#define ROUND_WORDS	16

void
pmap_zero_page(struct vm_page *m)
{
	uint64_t *p = (uint64_t *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m));
	uint64_t *end = p + PAGE_SIZE / sizeof(*p);

	for (; p < end; p += ROUND_WORDS) {
#pragma GCC unroll 16
		for (int i = 0; i < ROUND_WORDS; i++)
			p[i] = 0;
	}
}

/*
 * A run of pages (a superpage's 2 MiB) in one loop, four cache lines a
 * round: 512 stores and 32 instructions of upkeep a page.  (QEMU 7.2 has
 * no Zicboz cbo.zero, nor does the U74.)
 */
#define RUN_ROUND_WORDS	32

void
pmap_zero_pages(struct vm_page *m, size_t npages)
{
	uint64_t *p = (uint64_t *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m));
	uint64_t *end = p + npages * (PAGE_SIZE / sizeof(*p));

	KASSERT(npages == 0 || PHYS_TO_VM_PAGE(VM_PAGE_TO_PHYS(m) + ptoa(npages - 1)) ==
	    m + npages - 1, ("pmap_zero_pages: pages %lx.. are not a run", VM_PAGE_TO_PHYS(m)));
	for (; p < end; p += RUN_ROUND_WORDS) {
#pragma GCC unroll 32
		for (int i = 0; i < RUN_ROUND_WORDS; i++)
			p[i] = 0;
	}
}

void
pmap_copy_page(struct vm_page *src, struct vm_page *dst)
{
	const uint64_t *s = (const uint64_t *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(src));
	uint64_t *d = (uint64_t *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(dst));
	uint64_t *end = d + PAGE_SIZE / sizeof(*d);

	for (; d < end; d += ROUND_WORDS, s += ROUND_WORDS) {
#pragma GCC unroll 16
		for (int i = 0; i < ROUND_WORDS; i++)
			d[i] = s[i];
	}
}
