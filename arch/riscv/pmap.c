/*
 * Sv39 pmap.
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
 * Page tables.  Three levels, 4 KiB leaves only.  A new pmap's root gets
 * a copy of the kernel root's upper half, which never changes.  The
 * vm_page of a page-table page counts the valid entries in it, as
 * wire_count - 1 (the 1 is the allocation's own wiring).  The call that
 * empties a table frees it, after the TLB flush that makes it
 * unreachable (a full one for the address space: sfence.vma with an
 * address need not drop cached non-leaf entries).  Non-leaf entries
 * carry only V.
 *
 * Leaves.  U and A always, R with any access, X for execute.  The SiFive
 * U74 faults instead of setting A or D, so the pmap does that work
 * itself: a writable page that is entered for a read gets PTE_SW_WRITE
 * ("logically writable") with W and D clear, and pmap_fault sets W and D
 * at the first write.  Thus W implies D, D is an exact record that the
 * page was written through this PTE, and hardware that does update A/D
 * (QEMU) only ever sets A.  PTE_SW_WIRED marks wired leaves.
 *
 * Modified and referenced.  A page is modified if a mapping has D or its
 * PG_MD_MODIFIED flag is set: a mapping that loses D other than through
 * pmap_clear_modify (removal, write protection) leaves its record in the
 * flag.  PG_MD_REFERENCED does the same for A.
 *
 * Reverse map.  Each managed page (one with a vm_page: device memory has
 * none) lists its mappings in md.pv_list, in pv entries of 16 bytes (the
 * pmap and the va packed into one word).  A page's list, and whether a
 * PTE mapping the page is valid, change only under the page's pv lock
 * (one of PV_BUCKETS spin locks, hashed by page).  Under that lock a pv
 * entry is exactly a valid PTE, whose page tables therefore cannot be
 * freed: read-only queries walk other pmaps' tables without their locks.
 *
 * Lock order: pmap lock, then pv lock, then the ASID lock, then the zone
 * and page allocators' locks.  Page-centric calls (pmap_remove_all and
 * the like) start from the pv lock, so they only try each pmap's lock;
 * on failure they drop the pv lock, back off and start over.  Their work
 * is idempotent, so starting over repeats only no-ops.
 *
 * Delayed invalidation.  pmap_remove unlinks pv entries as it goes but
 * flushes the TLBs once, at the end.  Until then a cpu may still reach a
 * page whose pv list no longer shows the mapping, so pmap_remove_all(m)
 * must not return yet.  The remover raises the pb_pending count of every
 * pv bucket it unlinked from until its flush is done, and page-centric
 * calls that change mappings wait for their bucket's count to be zero.
 *
 * TLB shootdown.  pm_cpus holds the cpus that may cache translations of
 * the pmap.  After PTEs lose validity or permissions, this cpu flushes
 * with sfence.vma and the others in pm_cpus get the SBI remote fence: one
 * call per batch, a range of at most TLB_BATCH_MAX_PAGES pages or else
 * the whole address space.  The remote fence returns when every target
 * has flushed; OpenSBI sends it as machine-mode IPIs, which a hart takes
 * even while it spins with supervisor interrupts off, so we may (and do:
 * see delayed invalidation) send it while holding spin locks.  Gaining
 * permissions needs no shootdown: a stale entry can only fault, and
 * pmap_fault then flushes it locally.
 *
 * ASIDs.  Their number is probed at boot.  With enough of them, each
 * pmap holds one from a generation-based allocator: pm_asid is valid
 * while pm_asid_gen equals asid_gen.  When none is left, the generation
 * advances, the pmaps running on some cpu keep their ASIDs in the new
 * generation, every other pmap gets a new ASID at its next activation,
 * and each cpu flushes its whole TLB before it first runs an ASID of the
 * new generation.  So TLB entries tagged with a pmap's old ASID are never
 * used again, and pm_cpus is cleared when the ASID is reassigned.  A
 * destroyed pmap's ASID is reused only after the next rollover.  With no
 * ASIDs (the U74) every switch flushes the whole TLB, and a cpu leaving
 * a pmap drops out of its pm_cpus.
 *
 * Locking annotations: (C) constant after creation, (P) the pmap's lock,
 * (S) asid_lock, (M) the page's pv lock, (A) atomic.
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/list.h>
#include <kern/pcpu.h>
#include <kern/spinlock.h>
#include <machine/cpu.h>
#include <machine/csr.h>
#include <machine/pte.h>
#include <vm/pmap.h>
#include <vm/physmem.h>
#include <vm/vm_page.h>
#include <vm/zone.h>
#include "riscv.h"
#include "sbi.h"

static pt_entry_t *kernel_root;		/* (C) after bootstrap */
static paddr_t kernel_root_pa;
static struct spinlock kernel_pmap_lock = SPINLOCK_INITIALIZER("kernel pmap");
static bool pmap_bootstrapped;
uint64_t kernel_satp;			/* (C) read by secondary harts in locore.S */

#define LEAF_BITS	(PTE_V | PTE_A | PTE_G)

static pt_entry_t *
pt_va(paddr_t pa)
{
	return (pt_entry_t *)PHYS_TO_DMAP(pa);
}

/* A zeroed page for a page table: stolen at boot, from vm_page later. */
static paddr_t
pt_page_alloc(void)
{
	paddr_t pa;

	if (!pmap_bootstrapped) {
		pa = physmem_steal(PAGE_SIZE, PAGE_SIZE);
	} else {
		struct vm_page *m = vm_page_alloc_pages(0, VM_ALLOC_ZERO | VM_ALLOC_NOWAIT);

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

void
pmap_zero_page(struct vm_page *m)
{
	memset((void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)), 0, PAGE_SIZE);
}

void
pmap_copy_page(struct vm_page *src, struct vm_page *dst)
{
	memcpy((void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(dst)),
	    (const void *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(src)), PAGE_SIZE);
}

/*
 * User pmaps: data structures.
 */

#define USER_ROOT_ENTRIES	(PT_ENTRIES / 2)	/* root entries of user space */
_Static_assert(USER_MAX == (vaddr_t)USER_ROOT_ENTRIES << L2_SHIFT,
    "user space is the lower half of the root");

#define TLB_FLUSH_ALL		(~0UL)	/* flush size: the whole address space */
#define TLB_BATCH_MAX_PAGES	64	/* larger batches flush the whole space */

#define PMAP_ALIGN	64	/* struct pmap alignment, relied on by pv_key() */

struct pmap {
	struct spinlock	pm_lock;
	struct vm_page	*pm_root_page;	/* (C) the root table's page */
	uint64_t	pm_resident;	/* (P) valid user leaves */
	uint64_t	pm_wired;	/* (P) of those, wired */
	uint64_t	pm_cpus;	/* (A; set under P and S) may cache translations */
	uint64_t	pm_asid_gen;	/* (S) generation pm_asid belongs to */
	uint32_t	pm_asid;	/* (P, S: written holding both) */
};
_Static_assert(sizeof(struct pmap) <= PMAP_ALIGN, "struct pmap fits its alignment");

/*
 * A mapping of a managed page: its pmap and va packed into pv_key.  A
 * pmap lives in the direct map, PMAP_ALIGN aligned, so its physical
 * address over PMAP_ALIGN takes 31 bits; a user va's page number takes
 * 26.
 */
struct pv_entry {
	struct pv_entry	*pv_next;	/* (M) next mapping of the same page */
	uint64_t	pv_key;		/* (C) see pv_key() */
};

#define PV_VA_BITS	26
_Static_assert(sizeof(struct pv_entry) == 16, "pv entries stay compact");
_Static_assert(USER_MAX >> PAGE_SHIFT == 1UL << PV_VA_BITS, "pv_key va field");
_Static_assert(DMAP_SIZE / PMAP_ALIGN <= 1UL << (64 - PV_VA_BITS), "pv_key pmap field");

/* Reverse-map locks, hashed by page. */
#define PV_BUCKETS	64	/* at most 64: struct tlb_batch has a bit for each */
struct pv_bucket {
	struct spinlock	pb_lock;	/* the pv lock of the pages hashed here */
	uint32_t	pb_pending;	/* (pb_lock) removals not yet flushed */
} __aligned(CACHE_LINE_SIZE);

/* TLB entries to flush, and what waits for the flush. */
struct tlb_batch {
	vaddr_t		sva, eva;	/* pages [sva, eva); none if equal */
	bool		all;		/* flush the whole address space */
	uint64_t	buckets;	/* pv buckets whose pb_pending we raised */
	struct list_node ptpages;	/* page-table pages to free afterwards */
};

static struct pv_bucket pv_buckets[PV_BUCKETS];
static zone_t pv_zone;			/* (C) after pmap_init */
static zone_t pmap_zone;		/* (C) after pmap_init */
static struct pmap_stats stats;		/* (A) */

#define STAT_ADD(field, n)	__atomic_add_fetch(&stats.field, (n), __ATOMIC_RELAXED)
#define STAT_SUB(field, n)	__atomic_sub_fetch(&stats.field, (n), __ATOMIC_RELAXED)
#define STAT_GET(field)		__atomic_load_n(&stats.field, __ATOMIC_RELAXED)

/* The ASID allocator. */
#define ASID_SPACE	(1U << 16)	/* the widest satp.ASID */
static struct spinlock asid_lock = SPINLOCK_INITIALIZER("asid");
static uint32_t asid_bits;		/* (C) probed at boot */
static bool asids_enabled;		/* (C) */
static uint32_t asid_max;		/* (C) ASIDs the hardware has */
static uint32_t asid_limit;		/* (S) ASIDs handed out are below this */
static uint32_t asid_next;		/* (S) where the search for a free one starts */
static uint64_t asid_gen = 1;		/* (S) the current generation */
static uint64_t asid_map[ASID_SPACE / 64]; /* (S) ASIDs taken in this generation */
static uint64_t cpu_asid_gen[MAXCPU];	/* (S) generation each cpu's TLB is clean for */
static pmap_t cpu_pmap[MAXCPU];		/* (S) pmap each cpu runs on; NULL: kernel */

/*
 * Small helpers: PTEs, page flags, page-table pages.
 */

/* PTEs are read and changed atomically: hardware may be setting A. */
static inline pt_entry_t
pte_load(pt_entry_t *pte)
{
	return __atomic_load_n(pte, __ATOMIC_RELAXED);
}

static inline void
pte_store(pt_entry_t *pte, pt_entry_t v)
{
	__atomic_store_n(pte, v, __ATOMIC_RELAXED);
}

/* vm_page flags are 16 bits: libgcc's __sync routines do the atomic update. */
static void
page_flags_set(struct vm_page *m, uint16_t f)
{
	__sync_fetch_and_or(&m->flags, f);
}

/* Clear f; returns whether any of it was set. */
static bool
page_flags_clear(struct vm_page *m, uint16_t f)
{
	return (__sync_fetch_and_and(&m->flags, (uint16_t)~f) & f) != 0;
}

static bool
page_flags_test(const struct vm_page *m, uint16_t f)
{
	return (__atomic_load_n(&m->flags, __ATOMIC_RELAXED) & f) != 0;
}

static struct vm_page *
upt_alloc(void)
{
	struct vm_page *ptp = vm_page_alloc_pages(0, VM_ALLOC_ZERO | VM_ALLOC_NOWAIT);

	if (ptp == NULL)
		return NULL;
	KASSERT(ptp->wire_count == 1, ("pmap: new page table with wire count %u",
	    ptp->wire_count));
	ptp->flags |= PG_KMEM;		/* just allocated: nobody else sees it */
	STAT_ADD(pt_pages, 1);
	return ptp;
}

static void
upt_free(struct vm_page *ptp)
{
	KASSERT(ptp->wire_count == 1, ("pmap: freeing a page table with %u entries",
	    ptp->wire_count - 1));
	STAT_SUB(pt_pages, 1);
	vm_page_free_pages(ptp, 0);
}

static pt_entry_t *
pmap_root(pmap_t pmap)
{
	return pt_va(VM_PAGE_TO_PHYS(pmap->pm_root_page));
}

/* The page-table page that holds *pte. */
static struct vm_page *
ptp_of(const pt_entry_t *pte)
{
	return PHYS_TO_VM_PAGE(DMAP_TO_PHYS(trunc_page((vaddr_t)pte)));
}

/* The leaf slot for va, or NULL when its tables do not exist. */
static pt_entry_t *
upt_leaf(pmap_t pmap, vaddr_t va)
{
	pt_entry_t *table = pmap_root(pmap);

	for (int shift = L2_SHIFT; shift > L0_SHIFT; shift -= 9) {
		pt_entry_t e = pte_load(&table[pt_index(va, shift)]);

		if ((e & PTE_V) == 0)
			return NULL;
		KASSERT(!pte_is_leaf(e), ("pmap %p: superpage at va %lx", pmap, va));
		table = pt_va(pte_to_pa(e));
	}
	return &table[pt_index(va, L0_SHIFT)];
}

/*
 * The leaf slot for va, making missing tables; NULL when there is no
 * memory.  The tables are all allocated before any is linked in, so a
 * failure leaves the tree as it was.
 */
static pt_entry_t *
upt_leaf_alloc(pmap_t pmap, vaddr_t va)
{
	struct vm_page *fresh[PT_LEVELS - 1];
	pt_entry_t *table = pmap_root(pmap), *slot;
	int missing, used = 0;

	if ((slot = upt_leaf(pmap, va)) != NULL)
		return slot;
	missing = (pte_load(&table[pt_index(va, L2_SHIFT)]) & PTE_V) ? 1 : 2;
	for (int i = 0; i < missing; i++) {
		if ((fresh[i] = upt_alloc()) == NULL) {
			while (i > 0)
				upt_free(fresh[--i]);
			return NULL;
		}
	}
	for (int shift = L2_SHIFT; shift > L0_SHIFT; shift -= 9) {
		pt_entry_t *e = &table[pt_index(va, shift)];

		if ((pte_load(e) & PTE_V) == 0) {
			pte_store(e, pa_to_pte(VM_PAGE_TO_PHYS(fresh[used++]), PTE_V));
			ptp_of(e)->wire_count++;
		}
		table = pt_va(pte_to_pa(pte_load(e)));
	}
	return &table[pt_index(va, L0_SHIFT)];
}

/*
 * The L0 table covering va, or NULL; *end is set to where that answer
 * stops holding (the end of the table's 2 MiB, or of the hole).
 */
static pt_entry_t *
upt_table(pmap_t pmap, vaddr_t va, vaddr_t *end)
{
	pt_entry_t e = pte_load(&pmap_root(pmap)[pt_index(va, L2_SHIFT)]);

	if ((e & PTE_V) == 0) {
		*end = rounddown2(va, L2_SIZE) + L2_SIZE;
		return NULL;
	}
	e = pte_load(&pt_va(pte_to_pa(e))[pt_index(va, L1_SHIFT)]);
	*end = rounddown2(va, L1_SIZE) + L1_SIZE;
	return (e & PTE_V) ? pt_va(pte_to_pa(e)) : NULL;
}

/*
 * TLB flushes.
 */

static int
pmap_asid(pmap_t pmap)
{
	return asids_enabled ? (int)pmap->pm_asid : -1;
}

/* Flush this cpu's TLB for [va, va+size) of address space asid (-1: no ASIDs). */
static void
tlb_flush_local(int asid, vaddr_t va, vm_size_t size)
{
	if (size == TLB_FLUSH_ALL) {
		if (asid < 0)
			sfence_vma_all();
		else
			__asm__ volatile("sfence.vma zero, %0" :: "r"((uint64_t)asid) : "memory");
		return;
	}
	for (vaddr_t a = va; a < va + size; a += PAGE_SIZE) {
		if (asid < 0)
			sfence_vma_page(a);
		else
			__asm__ volatile("sfence.vma %0, %1" :: "r"(a), "r"((uint64_t)asid)
			    : "memory");
	}
}

/* Make every cpu drop its translations of [va, va+size) in pmap (locked). */
static void
pmap_tlb_flush(pmap_t pmap, vaddr_t va, vm_size_t size)
{
	uint64_t me = 1UL << cpu_id(), cpus;
	int asid = pmap_asid(pmap);

	KASSERT(spin_owned(&pmap->pm_lock), ("pmap_tlb_flush: pmap %p not locked", pmap));
	/* Our PTE stores must be visible before we look at who may cache them. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	cpus = __atomic_load_n(&pmap->pm_cpus, __ATOMIC_RELAXED);
	if (cpus & me)
		tlb_flush_local(asid, va, size);
	if ((cpus & ~me) != 0 && tlb_shootdown_user(cpus & ~me, va, size, asid))
		STAT_ADD(shootdowns, 1);
}

static void
batch_init(struct tlb_batch *b)
{
	b->sva = b->eva = 0;
	b->all = false;
	b->buckets = 0;
	list_init(&b->ptpages);
}

static void
batch_add(struct tlb_batch *b, vaddr_t va)
{
	if (b->sva == b->eva) {
		b->sva = va;
		b->eva = va + PAGE_SIZE;
	} else {
		b->sva = MIN(b->sva, va);
		b->eva = MAX(b->eva, va + PAGE_SIZE);
	}
	if (b->eva - b->sva > TLB_BATCH_MAX_PAGES * PAGE_SIZE)
		b->all = true;
}

/* ptp left the tree; free it once no TLB can hold a cached pointer to it. */
static void
batch_free_ptpage(struct tlb_batch *b, struct vm_page *ptp)
{
	list_append(&b->ptpages, &ptp->plinks);
	b->all = true;
}

/* A mapping in the batch lost its pv entry from pb (locked): hold pb pending. */
static void
batch_hold_bucket(struct tlb_batch *b, struct pv_bucket *pb)
{
	uint64_t bit = 1UL << (pb - pv_buckets);

	if ((b->buckets & bit) == 0) {
		b->buckets |= bit;
		pb->pb_pending++;
	}
}

/* Flush what the batch collected, then release what waited for it. */
static void
batch_finish(pmap_t pmap, struct tlb_batch *b)
{
	struct list_node *n;

	if (b->all)
		pmap_tlb_flush(pmap, 0, TLB_FLUSH_ALL);
	else if (b->eva > b->sva)
		pmap_tlb_flush(pmap, b->sva, b->eva - b->sva);
	while (b->buckets != 0) {
		struct pv_bucket *pb = &pv_buckets[__builtin_ctzl(b->buckets)];

		b->buckets &= b->buckets - 1;
		spin_lock(&pb->pb_lock);
		pb->pb_pending--;
		spin_unlock(&pb->pb_lock);
	}
	while ((n = list_first(&b->ptpages)) != NULL) {
		list_remove(n);
		upt_free(list_entry(n, struct vm_page, plinks));
	}
}

/*
 * A leaf in the L0 table for va was invalidated: count it, and let go of
 * each table that this empties (freed by batch_finish).  True when the
 * L0 table itself went.
 */
static bool
upt_unhold(pmap_t pmap, vaddr_t va, struct tlb_batch *b)
{
	pt_entry_t *path[PT_LEVELS], *table = pmap_root(pmap);
	int level;

	for (level = 0; level < PT_LEVELS; level++) {
		path[level] = &table[pt_index(va, L2_SHIFT - 9 * level)];
		if (level < PT_LEVELS - 1)
			table = pt_va(pte_to_pa(pte_load(path[level])));
	}
	/* Emptying the table at path[level] clears the entry above it. */
	for (level = PT_LEVELS - 1; level > 0; level--) {
		struct vm_page *ptp = ptp_of(path[level]);

		KASSERT(ptp->wire_count > 1, ("pmap %p: table count underflow at va %lx",
		    pmap, va));
		if (--ptp->wire_count > 1)
			return level < PT_LEVELS - 1;
		pte_store(path[level - 1], 0);
		batch_free_ptpage(b, ptp);
	}
	pmap->pm_root_page->wire_count--;
	return true;
}

/*
 * The reverse map.
 */

static uint64_t
pv_key(pmap_t pmap, vaddr_t va)
{
	return (DMAP_TO_PHYS((vaddr_t)pmap) / PMAP_ALIGN) << PV_VA_BITS | atop(va);
}

static pmap_t
pv_pmap(const struct pv_entry *pv)
{
	return (pmap_t)PHYS_TO_DMAP((pv->pv_key >> PV_VA_BITS) * PMAP_ALIGN);
}

static vaddr_t
pv_va(const struct pv_entry *pv)
{
	return ptoa(pv->pv_key & ((1UL << PV_VA_BITS) - 1));
}

static struct pv_bucket *
pv_bucket(const struct vm_page *m)
{
	return &pv_buckets[atop(VM_PAGE_TO_PHYS(m)) % PV_BUCKETS];
}

/*
 * A pv entry; NULL when memory is short even after a reclaim (other
 * cpus' caches may hold free entries, other zones empty slabs).
 */
static struct pv_entry *
pv_alloc(void)
{
	struct pv_entry *pv = zone_alloc(pv_zone, M_NOWAIT);

	if (pv == NULL) {
		STAT_ADD(pv_reclaims, 1);
		zone_reclaim_all();
		pv = zone_alloc(pv_zone, M_NOWAIT);
	}
	if (pv != NULL)
		STAT_ADD(pv_entries, 1);
	return pv;
}

static void
pv_free(struct pv_entry *pv)
{
	if (pv == NULL)
		return;
	STAT_SUB(pv_entries, 1);
	zone_free(pv_zone, pv);
}

static void
pv_link(struct vm_page *m, struct pv_entry *pv, pmap_t pmap, vaddr_t va)
{
	pv->pv_key = pv_key(pmap, va);
	pv->pv_next = m->md.pv_list;
	m->md.pv_list = pv;
}

static struct pv_entry *
pv_unlink(struct vm_page *m, pmap_t pmap, vaddr_t va)
{
	uint64_t key = pv_key(pmap, va);
	struct pv_entry *pv, **prevp;

	for (prevp = &m->md.pv_list; (pv = *prevp) != NULL; prevp = &pv->pv_next) {
		if (pv->pv_key == key) {
			*prevp = pv->pv_next;
			return pv;
		}
	}
	panic("pmap %p: no pv entry for va %lx on page %lx", pmap, va, VM_PAGE_TO_PHYS(m));
}

/*
 * Leaves.
 */

static pt_entry_t
user_leaf_bits(vm_prot_t prot, unsigned flags)
{
	pt_entry_t bits = PTE_V | PTE_U | PTE_A;

	KASSERT((prot & VM_PROT_ALL) != VM_PROT_NONE, ("pmap_enter: no access"));
	if (prot & (VM_PROT_READ | VM_PROT_WRITE))
		bits |= PTE_R;			/* W without R is reserved */
	if (prot & VM_PROT_EXECUTE)
		bits |= PTE_X;
	if (prot & VM_PROT_WRITE) {
		bits |= PTE_SW_WRITE;
		if (flags & VM_PROT_WRITE)
			bits |= PTE_W | PTE_D;	/* being written now */
	}
	if (flags & PMAP_ENTER_WIRED)
		bits |= PTE_SW_WIRED;
	return bits;
}

/* The PTE bits that protection prot takes away. */
static pt_entry_t
prot_clear_bits(vm_prot_t prot)
{
	pt_entry_t clear = 0;

	if (!(prot & VM_PROT_WRITE))
		clear |= PTE_W | PTE_D | PTE_SW_WRITE;
	if (!(prot & (VM_PROT_READ | VM_PROT_WRITE)))
		clear |= PTE_R;
	if (!(prot & VM_PROT_EXECUTE))
		clear |= PTE_X;
	return clear;
}

/* Does a leaf allow access, counting a clean writable leaf as writable? */
static bool
leaf_permits(pt_entry_t pte, vm_prot_t access)
{
	if ((access & VM_PROT_WRITE) && !(pte & PTE_SW_WRITE))
		return false;
	if ((access & VM_PROT_READ) && !(pte & PTE_R))
		return false;
	if ((access & VM_PROT_EXECUTE) && !(pte & PTE_X))
		return false;
	return true;
}

static void
leaf_account(pmap_t pmap, pt_entry_t pte, int64_t delta)
{
	pmap->pm_resident += delta;
	if (pte & PTE_SW_WIRED)
		pmap->pm_wired += delta;
}

/*
 * Clear bits in the leaf *pte, which maps managed page m (or NULL), and
 * keep in m's flags the D and A state it loses, for the bits in save.  D
 * is recorded before it goes, so pmap_is_modified finds it in one place
 * or the other (only pmap_fault sets D, under the pmap lock we hold).
 * Returns the old PTE.
 */
static pt_entry_t
leaf_clear(pt_entry_t *pte, pt_entry_t bits, struct vm_page *m, pt_entry_t save)
{
	pt_entry_t old;

	if (m != NULL && (pte_load(pte) & bits & save & PTE_D))
		page_flags_set(m, PG_MD_MODIFIED);
	old = __atomic_fetch_and(pte, ~bits, __ATOMIC_RELAXED);
	if (m != NULL && (old & bits & save & PTE_A))
		page_flags_set(m, PG_MD_REFERENCED);
	return old;
}

/*
 * Make the empty slot *pte map va with newpte; m is the managed page
 * (NULL for device memory) and *pvp its pv entry, consumed here.
 */
static void
leaf_install(pmap_t pmap, pt_entry_t *pte, vaddr_t va, pt_entry_t newpte,
    struct vm_page *m, struct pv_entry **pvp)
{
	if (m != NULL) {
		struct pv_bucket *pb = pv_bucket(m);

		spin_lock(&pb->pb_lock);
		pte_store(pte, newpte);
		pv_link(m, *pvp, pmap, va);
		*pvp = NULL;
		spin_unlock(&pb->pb_lock);
	} else {
		pte_store(pte, newpte);
	}
	leaf_account(pmap, newpte, 1);
}

/*
 * Invalidate the leaf *pte at va (pmap-centric: delayed invalidation).
 * The pv entry goes now, the TLB entries at batch_finish, which also
 * releases the bucket.  The caller accounts for the emptied slot.
 */
static void
leaf_remove(pmap_t pmap, pt_entry_t *pte, vaddr_t va, struct tlb_batch *b)
{
	pt_entry_t old = pte_load(pte);
	struct vm_page *m = PHYS_TO_VM_PAGE(pte_to_pa(old));
	struct pv_entry *pv = NULL;

	if (m != NULL) {
		struct pv_bucket *pb = pv_bucket(m);

		spin_lock(&pb->pb_lock);
		old = leaf_clear(pte, ~0UL, m, PTE_D | PTE_A);
		pv = pv_unlink(m, pmap, va);
		batch_hold_bucket(b, pb);
		spin_unlock(&pb->pb_lock);
	} else {
		old = __atomic_exchange_n(pte, 0, __ATOMIC_RELAXED);
	}
	leaf_account(pmap, old, -1);
	batch_add(b, va);
	pv_free(pv);
}

/* va already maps newpte's page: take newpte's protection and wiring. */
static void
leaf_change(pmap_t pmap, pt_entry_t *pte, vaddr_t va, pt_entry_t newpte,
    struct vm_page *m, struct tlb_batch *b)
{
	pt_entry_t old = pte_load(pte);

	if ((old & PTE_D) && (newpte & PTE_SW_WRITE))
		newpte |= PTE_W | PTE_D;	/* written and still writable */
	else if ((old & PTE_D) && m != NULL)
		page_flags_set(m, PG_MD_MODIFIED);
	old = __atomic_exchange_n(pte, newpte, __ATOMIC_RELAXED);
	leaf_account(pmap, old, -1);
	leaf_account(pmap, newpte, 1);
	if (old & ~newpte & PTE_RWX)
		batch_add(b, va);
}

/*
 * Take the bits in clear from one valid leaf; a leaf left with neither R
 * nor X goes.  True when that emptied (and let go of) its L0 table.
 */
static bool
leaf_reduce(pmap_t pmap, pt_entry_t *pte, vaddr_t va, pt_entry_t clear,
    struct tlb_batch *b)
{
	pt_entry_t old = pte_load(pte);

	if ((old & ~clear & (PTE_R | PTE_X)) == 0) {
		leaf_remove(pmap, pte, va, b);
		return upt_unhold(pmap, va, b);
	}
	if ((old & clear) == 0)
		return false;
	leaf_clear(pte, clear, PHYS_TO_VM_PAGE(pte_to_pa(old)), PTE_D | PTE_A);
	batch_add(b, va);
	return false;
}

static bool
leaf_unwire(pmap_t pmap, pt_entry_t *pte, vaddr_t va, pt_entry_t clear,
    struct tlb_batch *b)
{
	if (__atomic_fetch_and(pte, ~PTE_SW_WIRED, __ATOMIC_RELAXED) & PTE_SW_WIRED)
		pmap->pm_wired--;
	return false;
}

typedef bool leaf_fn(pmap_t, pt_entry_t *, vaddr_t, pt_entry_t, struct tlb_batch *);

/*
 * Apply fn to each valid leaf in [sva, eva), skipping missing tables; fn
 * returns true when it freed the L0 table.  One TLB flush at the end.
 */
static void
range_foreach_leaf(pmap_t pmap, vaddr_t sva, vaddr_t eva, leaf_fn *fn, pt_entry_t clear)
{
	struct tlb_batch b;
	pt_entry_t *table, *pte;
	vaddr_t va, end;

	KASSERT(sva <= eva && eva <= USER_MAX && ((sva | eva) & PAGE_MASK) == 0,
	    ("pmap: bad user range %lx-%lx", sva, eva));
	batch_init(&b);
	spin_lock(&pmap->pm_lock);
	for (va = sva; va < eva; va = end) {
		table = upt_table(pmap, va, &end);
		end = MIN(end, eva);
		for (; table != NULL && va < end; va += PAGE_SIZE) {
			pte = &table[pt_index(va, L0_SHIFT)];
			if ((pte_load(pte) & PTE_V) && fn(pmap, pte, va, clear, &b))
				break;
		}
	}
	batch_finish(pmap, &b);
	spin_unlock(&pmap->pm_lock);
}

/*
 * Creating, destroying and activating user pmaps.
 */

pmap_t
pmap_create(void)
{
	pmap_t pmap = zone_alloc(pmap_zone, M_NOWAIT | M_ZERO);
	struct vm_page *root;

	if (pmap == NULL)
		return NULL;
	KASSERT((vaddr_t)pmap - DMAP_BASE < DMAP_SIZE && (vaddr_t)pmap % PMAP_ALIGN == 0,
	    ("pmap_create: %p cannot go in a pv entry", pmap));
	if ((root = upt_alloc()) == NULL) {
		zone_free(pmap_zone, pmap);
		return NULL;
	}
	spin_init(&pmap->pm_lock, "pmap");
	pmap->pm_root_page = root;
	memcpy(&pmap_root(pmap)[USER_ROOT_ENTRIES], &kernel_root[USER_ROOT_ENTRIES],
	    USER_ROOT_ENTRIES * sizeof(pt_entry_t));
	/* pm_asid_gen 0 is never current: the first activation assigns an ASID. */
	return pmap;
}

/*
 * Only the root is left: every other table was freed when it emptied.
 * Its ASID stays taken until the next rollover, so no TLB can confuse
 * it with another pmap's.
 */
void
pmap_destroy(pmap_t pmap)
{
	KASSERT(pmap->pm_resident == 0, ("pmap_destroy: %p still maps %lu pages",
	    pmap, pmap->pm_resident));
	KASSERT(pmap->pm_root_page->wire_count == 1, ("pmap_destroy: %p has %u tables",
	    pmap, pmap->pm_root_page->wire_count - 1));
	spin_lock(&asid_lock);
	for (int c = 0; c < MAXCPU; c++)
		KASSERT(cpu_pmap[c] != pmap, ("pmap_destroy: %p active on cpu %d", pmap, c));
	spin_unlock(&asid_lock);
	upt_free(pmap->pm_root_page);
	zone_free(pmap_zone, pmap);
}

static uint64_t
pmap_satp(pmap_t pmap)
{
	return SATP_MODE_SV39 | (uint64_t)pmap->pm_asid << SATP_ASID_SHIFT |
	    VM_PAGE_TO_PHYS(pmap->pm_root_page) >> PAGE_SHIFT;
}

/* The first ASID >= from that is free in this generation, or 0. */
static uint32_t
asid_find_free(uint32_t from)
{
	for (uint32_t a = from; a < asid_limit; a = (a | 63) + 1) {
		uint64_t free = ~asid_map[a / 64] & (~0UL << (a % 64));

		if (free != 0) {
			uint32_t found = (a & ~63U) + (uint32_t)__builtin_ctzl(free);

			return found < asid_limit ? found : 0;
		}
	}
	return 0;
}

static void
asid_take(uint32_t asid)
{
	asid_map[asid / 64] |= 1UL << (asid % 64);
}

/* Start a generation: all ASIDs free but the running pmaps', which carry over. */
static void
asid_new_generation(void)
{
	asid_gen++;
	memset(asid_map, 0, sizeof(asid_map));
	asid_take(0);			/* the kernel's satp */
	for (int c = 0; c < MAXCPU; c++) {
		pmap_t running = cpu_pmap[c];

		if (running != NULL) {
			asid_take(running->pm_asid);
			running->pm_asid_gen = asid_gen;
		}
	}
	asid_next = 1;
	STAT_ADD(asid_rollovers, 1);
}

/* Give pmap (locked, stale generation) an ASID of this generation. */
static void
asid_assign(pmap_t pmap)
{
	uint32_t asid = asid_find_free(asid_next);

	if (asid == 0) {
		asid_new_generation();
		asid = asid_find_free(1);
		KASSERT(asid != 0, ("pmap: no free ASID in a new generation"));
	}
	asid_take(asid);
	asid_next = asid + 1;
	pmap->pm_asid = asid;
	pmap->pm_asid_gen = asid_gen;
	/* No cpu will use entries tagged with the old ASID (see the top). */
	__atomic_store_n(&pmap->pm_cpus, 0, __ATOMIC_RELAXED);
}

/*
 * Run this cpu on pmap.  Its lock keeps pm_asid and pm_cpus steady for
 * a concurrent flush; the ASID lock guards the allocator.  That is one
 * global lock per context switch: simple, and cheap at MAXCPU 8 (a
 * lock-free fast path for the common case can come later).
 */
void
pmap_activate(pmap_t pmap)
{
	uint32_t me;
	pmap_t prev;
	bool flush;

	spin_lock(&pmap->pm_lock);
	spin_lock(&asid_lock);
	me = cpu_id();
	prev = cpu_pmap[me];
	if (asids_enabled) {
		if (pmap->pm_asid_gen != asid_gen)
			asid_assign(pmap);
		flush = cpu_asid_gen[me] != asid_gen;
		cpu_asid_gen[me] = asid_gen;
	} else {
		flush = prev != pmap;
	}
	/* Be seen in pm_cpus before the first walk of pmap's tables. */
	__atomic_or_fetch(&pmap->pm_cpus, 1UL << me, __ATOMIC_SEQ_CST);
	cpu_pmap[me] = pmap;
	csr_write(satp, pmap_satp(pmap));
	if (flush)
		sfence_vma_all();
	/* Without ASIDs, prev left no trace in this TLB. */
	if (!asids_enabled && prev != NULL && prev != pmap)
		__atomic_and_fetch(&prev->pm_cpus, ~(1UL << me), __ATOMIC_SEQ_CST);
	spin_unlock(&asid_lock);
	spin_unlock(&pmap->pm_lock);
}

void
pmap_activate_kernel(void)
{
	uint32_t me;
	pmap_t prev;

	spin_lock(&asid_lock);
	me = cpu_id();
	prev = cpu_pmap[me];
	cpu_pmap[me] = NULL;
	csr_write(satp, kernel_satp);
	if (!asids_enabled && prev != NULL) {
		sfence_vma_all();
		__atomic_and_fetch(&prev->pm_cpus, ~(1UL << me), __ATOMIC_SEQ_CST);
	}
	spin_unlock(&asid_lock);
}

/*
 * Self-tests: hand out ASIDs below limit only (at least enough for every
 * cpu's running pmap and one more), to make rollovers happen.  Returns
 * the old limit, 0 when ASIDs are not in use.
 */
uint32_t
pmap_set_asid_limit(uint32_t limit)
{
	uint32_t old;

	spin_lock(&asid_lock);
	old = asid_limit;
	if (asids_enabled) {
		asid_limit = MIN(MAX(limit, ncpu + 2), asid_max);
		asid_next = asid_limit;		/* the next assignment rolls over */
	}
	spin_unlock(&asid_lock);
	return old;
}

/* Write all ones to satp.ASID and count the bits that stick. */
static uint32_t
asid_probe_bits(void)
{
	bool was_on = intr_disable();
	uint64_t satp = csr_read(satp), probe;

	/* Kernel mappings are global: running under another ASID for a moment is harmless. */
	csr_write(satp, satp | SATP_ASID_MASK << SATP_ASID_SHIFT);
	probe = csr_read(satp);
	csr_write(satp, satp);
	intr_restore(was_on);
	return (uint32_t)__builtin_popcountl(probe >> SATP_ASID_SHIFT & SATP_ASID_MASK);
}

static void
asid_init(void)
{
	asid_bits = asid_probe_bits();
	stats.asid_bits = asid_bits;
	asid_max = asid_bits > 0 ? 1U << asid_bits : 0;
	/* Each cpu's running pmap keeps its ASID across a rollover: need more than that. */
	asids_enabled = asid_max >= MAXCPU + 2 && !cmdline_has("noasid");
	asid_limit = asids_enabled ? asid_max : 0;
	asid_next = 1;
	asid_take(0);
	printf("pmap: %u ASID bits%s\n", asid_bits,
	    asids_enabled ? "" : ", not used: every switch flushes the TLB");
}

void
pmap_init(void)
{
	for (int i = 0; i < PV_BUCKETS; i++)
		spin_init(&pv_buckets[i].pb_lock, "pv");
	pv_zone = zone_create("pv entry", sizeof(struct pv_entry), 0, 0);
	pmap_zone = zone_create("pmap", sizeof(struct pmap), PMAP_ALIGN, 0);
	if (pv_zone == NULL || pmap_zone == NULL)
		panic("pmap_init: cannot create the pmap zones");
	asid_init();
}

/*
 * Entering, changing and removing user mappings.
 */

/* Put newpte at va: see pmap_enter.  m and *pvp as for leaf_install. */
static int
enter_leaf(pmap_t pmap, vaddr_t va, pt_entry_t newpte, struct vm_page *m,
    struct pv_entry **pvp)
{
	struct tlb_batch b;
	pt_entry_t *pte, old;

	KASSERT((va & PAGE_MASK) == 0 && va < USER_MAX, ("pmap_enter: bad va %lx", va));
	batch_init(&b);
	spin_lock(&pmap->pm_lock);
	if ((pte = upt_leaf_alloc(pmap, va)) == NULL) {
		spin_unlock(&pmap->pm_lock);
		return ENOMEM;
	}
	old = pte_load(pte);
	if ((old & PTE_V) && pte_to_pa(old) == pte_to_pa(newpte)) {
		leaf_change(pmap, pte, va, newpte, m, &b);
	} else {
		if (old & PTE_V)
			leaf_remove(pmap, pte, va, &b);
		else
			ptp_of(pte)->wire_count++;
		leaf_install(pmap, pte, va, newpte, m, pvp);
	}
	batch_finish(pmap, &b);
	/* This hart may have cached "not mapped" (others: pmap_fault copes). */
	if (__atomic_load_n(&pmap->pm_cpus, __ATOMIC_RELAXED) & (1UL << cpu_id()))
		tlb_flush_local(pmap_asid(pmap), va, PAGE_SIZE);
	spin_unlock(&pmap->pm_lock);
	return 0;
}

int
pmap_enter(pmap_t pmap, vaddr_t va, struct vm_page *m, vm_prot_t prot, unsigned flags)
{
	paddr_t pa = VM_PAGE_TO_PHYS(m);
	struct pv_entry *pv;
	int error;

	KASSERT(PHYS_TO_VM_PAGE(pa) == m, ("pmap_enter: page %lx is not managed", pa));
	if ((pv = pv_alloc()) == NULL)
		return ENOMEM;
	error = enter_leaf(pmap, va, pa_to_pte(pa, user_leaf_bits(prot, flags)), m, &pv);
	pv_free(pv);		/* unused: va already mapped m, or no memory */
	/*
	 * The page may hold code just written through the data side (a file
	 * page, a copy): instruction caches are not coherent with it until a
	 * fence.i on every hart that may run this address space (the U74
	 * really needs this; QEMU does not show it).
	 */
	if (error == 0 && (prot & VM_PROT_EXECUTE))
		icache_sync_all();
	return error;
}

int
pmap_enter_device(pmap_t pmap, vaddr_t va, paddr_t pa, vm_prot_t prot)
{
	KASSERT(PHYS_TO_VM_PAGE(pa) == NULL, ("pmap_enter_device: %lx is managed RAM", pa));
	/* Nothing records modification of device memory: writable means dirty. */
	return enter_leaf(pmap, va, pa_to_pte(trunc_page(pa),
	    user_leaf_bits(prot, VM_PROT_WRITE)), NULL, NULL);
}

void
pmap_remove(pmap_t pmap, vaddr_t sva, vaddr_t eva)
{
	range_foreach_leaf(pmap, sva, eva, leaf_reduce, ~0UL);
}

/* Reduce (never raise) the protection of [sva, eva) to prot. */
void
pmap_protect(pmap_t pmap, vaddr_t sva, vaddr_t eva, vm_prot_t prot)
{
	pt_entry_t clear = prot_clear_bits(prot);

	if (clear != 0)
		range_foreach_leaf(pmap, sva, eva, leaf_reduce, clear);
}

/* Unwire the wired leaves of [sva, eva); others are left alone. */
void
pmap_unwire(pmap_t pmap, vaddr_t sva, vaddr_t eva)
{
	range_foreach_leaf(pmap, sva, eva, leaf_unwire, 0);
}

/*
 * Set the A bit, or W and D, that a permitted access faulted on.  Also
 * true when nothing is missing: another cpu fixed it first, or this TLB
 * held a stale entry; either way the flush below makes the retry work.
 */
bool
pmap_fault(pmap_t pmap, vaddr_t va, vm_prot_t access)
{
	pt_entry_t *pte, old, need;
	bool fixed = false;

	va = trunc_page(va);
	if (va >= USER_MAX)
		return false;
	spin_lock(&pmap->pm_lock);
	pte = upt_leaf(pmap, va);
	old = pte != NULL ? pte_load(pte) : 0;
	if ((old & (PTE_V | PTE_U)) == (PTE_V | PTE_U) && leaf_permits(old, access)) {
		need = PTE_A | ((access & VM_PROT_WRITE) ? PTE_W | PTE_D : 0);
		if ((old & need) != need) {
			__atomic_fetch_or(pte, need, __ATOMIC_RELAXED);
			if ((old & need & ~PTE_A) != (need & ~PTE_A))
				STAT_ADD(dirty_faults, 1);
			else
				STAT_ADD(ref_faults, 1);
		}
		tlb_flush_local(pmap_asid(pmap), va, PAGE_SIZE);
		fixed = true;
	}
	spin_unlock(&pmap->pm_lock);
	return fixed;
}

paddr_t
pmap_extract(pmap_t pmap, vaddr_t va)
{
	pt_entry_t *pte, e = 0;

	if (va >= USER_MAX)
		return 0;
	spin_lock(&pmap->pm_lock);
	if ((pte = upt_leaf(pmap, va)) != NULL)
		e = pte_load(pte);
	spin_unlock(&pmap->pm_lock);
	return (e & PTE_V) ? pte_to_pa(e) | (va & PAGE_MASK) : 0;
}

bool
pmap_is_wired(pmap_t pmap, vaddr_t va)
{
	pt_entry_t *pte, e = 0;

	if (va >= USER_MAX)
		return false;
	spin_lock(&pmap->pm_lock);
	if ((pte = upt_leaf(pmap, va)) != NULL)
		e = pte_load(pte);
	spin_unlock(&pmap->pm_lock);
	return (e & PTE_V) && (e & PTE_SW_WIRED);
}

/* The protection a valid leaf grants: a clean writable one counts (pmap_fault grants it). */
static vm_prot_t
leaf_prot(pt_entry_t e)
{
	return ((e & PTE_R) ? VM_PROT_READ : 0) |
	    ((e & (PTE_W | PTE_SW_WRITE)) ? VM_PROT_WRITE : 0) |
	    ((e & PTE_X) ? VM_PROT_EXECUTE : 0);
}

vm_prot_t
pmap_extract_prot(pmap_t pmap, vaddr_t va)
{
	pt_entry_t *pte, e = 0;

	if (va >= USER_MAX)
		return VM_PROT_NONE;
	spin_lock(&pmap->pm_lock);
	if ((pte = upt_leaf(pmap, va)) != NULL)
		e = pte_load(pte);
	spin_unlock(&pmap->pm_lock);
	return (e & PTE_V) ? leaf_prot(e) : VM_PROT_NONE;
}

uint64_t
pmap_resident_count(pmap_t pmap)
{
	return __atomic_load_n(&pmap->pm_resident, __ATOMIC_RELAXED);
}

uint64_t
pmap_wired_count(pmap_t pmap)
{
	return __atomic_load_n(&pmap->pm_wired, __ATOMIC_RELAXED);
}

/*
 * Page-centric calls.
 */

/*
 * page_reduce's work on one mapping, with the pv and pmap locks held: a
 * complete change, TLB flush included.  True when the mapping went.
 */
static bool
mapping_reduce(pmap_t pmap, vaddr_t va, struct vm_page *m, pt_entry_t clear,
    pt_entry_t save, int *hits)
{
	pt_entry_t *pte = upt_leaf(pmap, va), old;
	struct tlb_batch b;
	bool remove;

	KASSERT(pte != NULL && (pte_load(pte) & PTE_V) &&
	    pte_to_pa(pte_load(pte)) == VM_PAGE_TO_PHYS(m),
	    ("pmap %p: pv entry for va %lx without its PTE", pmap, va));
	old = pte_load(pte);
	if (old & clear)
		(*hits)++;
	remove = (old & ~clear & (PTE_R | PTE_X)) == 0;
	if (!remove && (old & clear) == 0)
		return false;
	batch_init(&b);
	old = leaf_clear(pte, remove ? ~0UL : clear, m, save);
	if (remove) {
		leaf_account(pmap, old, -1);
		upt_unhold(pmap, va, &b);
	}
	batch_add(&b, va);
	batch_finish(pmap, &b);
	return remove;
}

/*
 * Take the bits in clear from every mapping of m (one left with neither
 * R nor X is removed), keeping the D and A state lost for the bits in
 * save.  Returns how many mappings had some of clear.  See the top for
 * the try-lock protocol and the wait for pending removals.
 */
static int
page_reduce(struct vm_page *m, pt_entry_t clear, pt_entry_t save)
{
	struct pv_bucket *pb = pv_bucket(m);
	struct pv_entry *pv, **prevp, *dead = NULL;
	int hits = 0, backoff = 1;

restart:
	spin_lock(&pb->pb_lock);
	if (pb->pb_pending != 0)
		goto busy;
	for (prevp = &m->md.pv_list; (pv = *prevp) != NULL;) {
		pmap_t pmap = pv_pmap(pv);

		if (!spin_trylock(&pmap->pm_lock))
			goto busy;
		if (mapping_reduce(pmap, pv_va(pv), m, clear, save, &hits)) {
			*prevp = pv->pv_next;
			pv->pv_next = dead;
			dead = pv;
		} else {
			prevp = &pv->pv_next;
		}
		spin_unlock(&pmap->pm_lock);
	}
	spin_unlock(&pb->pb_lock);
	while ((pv = dead) != NULL) {
		dead = pv->pv_next;
		pv_free(pv);
	}
	return hits;

busy:
	/* A pmap lock holder may want our pv lock; let it have it for a while. */
	spin_unlock(&pb->pb_lock);
	for (int i = 0; i < backoff; i++)
		cpu_spinwait();
	backoff = MIN(backoff * 2, 1024);
	goto restart;
}

/* Does a mapping of m have one of bits?  Other pmaps' tables walked unlocked (see top). */
static bool
page_mapping_has(struct vm_page *m, uint16_t flag, pt_entry_t bits)
{
	struct pv_bucket *pb = pv_bucket(m);
	struct pv_entry *pv;
	bool found = false;

	if (page_flags_test(m, flag))
		return true;
	spin_lock(&pb->pb_lock);
	for (pv = m->md.pv_list; pv != NULL && !found; pv = pv->pv_next) {
		pt_entry_t *pte = upt_leaf(pv_pmap(pv), pv_va(pv));

		found = pte != NULL && (pte_load(pte) & bits) != 0;
	}
	spin_unlock(&pb->pb_lock);
	return found;
}

void
pmap_page_protect(struct vm_page *m, vm_prot_t prot)
{
	pt_entry_t clear = prot_clear_bits(prot);

	if (clear != 0)
		page_reduce(m, clear, PTE_D | PTE_A);
}

void
pmap_remove_write(struct vm_page *m)
{
	page_reduce(m, PTE_W | PTE_D | PTE_SW_WRITE, PTE_D | PTE_A);
}

void
pmap_remove_all(struct vm_page *m)
{
	page_reduce(m, ~0UL, PTE_D | PTE_A);
}

bool
pmap_is_modified(struct vm_page *m)
{
	return page_mapping_has(m, PG_MD_MODIFIED, PTE_D);
}

/* Writable mappings stay logically writable: their next write faults to pmap_fault. */
void
pmap_clear_modify(struct vm_page *m)
{
	page_flags_clear(m, PG_MD_MODIFIED);
	page_reduce(m, PTE_W | PTE_D, 0);
}

bool
pmap_is_referenced(struct vm_page *m)
{
	return page_mapping_has(m, PG_MD_REFERENCED, PTE_A);
}

/* Mappings with A, plus one for references by mappings since gone; all cleared. */
int
pmap_ts_referenced(struct vm_page *m)
{
	int n = page_flags_clear(m, PG_MD_REFERENCED) ? 1 : 0;

	return n + page_reduce(m, PTE_A, 0);
}

bool
pmap_page_is_mapped(struct vm_page *m)
{
	return __atomic_load_n(&m->md.pv_list, __ATOMIC_RELAXED) != NULL;
}

int
pmap_page_mapping_count(struct vm_page *m)
{
	struct pv_bucket *pb = pv_bucket(m);
	int n = 0;

	spin_lock(&pb->pb_lock);
	for (struct pv_entry *pv = m->md.pv_list; pv != NULL; pv = pv->pv_next)
		n++;
	spin_unlock(&pb->pb_lock);
	return n;
}

void
pmap_get_stats(struct pmap_stats *st)
{
	st->pv_entries = STAT_GET(pv_entries);
	st->pv_reclaims = STAT_GET(pv_reclaims);
	st->pt_pages = STAT_GET(pt_pages);
	st->asid_rollovers = STAT_GET(asid_rollovers);
	st->shootdowns = STAT_GET(shootdowns);
	st->dirty_faults = STAT_GET(dirty_faults);
	st->ref_faults = STAT_GET(ref_faults);
	st->asid_bits = asid_bits;
}

size_t
pmap_leaves(pmap_t pmap, vaddr_t *va, vaddr_t eva, struct pmap_leaf *out, size_t n)
{
	vaddr_t end, v = *va;
	size_t found = 0;

	KASSERT(v <= eva && eva <= USER_MAX, ("pmap_leaves: bad range %lx-%lx", v, eva));
	spin_lock(&pmap->pm_lock);
	while (v < eva && found < n) {
		pt_entry_t *table = upt_table(pmap, v, &end);

		end = MIN(end, eva);
		for (; table != NULL && v < end && found < n; v += PAGE_SIZE) {
			pt_entry_t e = pte_load(&table[pt_index(v, L0_SHIFT)]);

			if (e & PTE_V)
				out[found++] = (struct pmap_leaf){ v, pte_to_pa(e), leaf_prot(e),
				    (e & PTE_SW_WIRED) != 0 };
		}
		if (table == NULL)
			v = end;
	}
	spin_unlock(&pmap->pm_lock);
	*va = v;
	return found;
}

/*
 * pmap_check: cross-check a pmap's tables, counts and pv entries.
 */

struct check {
	pmap_t		pmap;
	int		problems;
	uint64_t	resident;
	uint64_t	wired;
};

static void __printflike(2, 3)
check_fail(struct check *c, const char *fmt, ...)
{
	va_list ap;

	printf("pmap_check %p: ", c->pmap);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	c->problems++;
}

/* A table's valid entries against its page's count. */
static void
check_count(struct check *c, pt_entry_t *table, int nentries, vaddr_t va)
{
	unsigned valid = 0;

	for (int i = 0; i < nentries; i++)
		valid += (pte_load(&table[i]) & PTE_V) != 0;
	if (valid != ptp_of(table)->wire_count - 1)
		check_fail(c, "table at va %lx: %u valid entries, counted %u", va, valid,
		    ptp_of(table)->wire_count - 1);
}

/* A pointer to a table: V only (no A, D, U, G, permissions or software bits). */
static bool
check_nonleaf(struct check *c, pt_entry_t e, vaddr_t va)
{
	if ((e & PTE_FLAGS_MASK) == PTE_V)
		return true;
	check_fail(c, "va %lx: non-leaf entry %lx has bits besides V", va, e);
	return false;
}

/* m's pv list has (pmap, va) once, and every entry in it names a PTE mapping m. */
static void
check_pv(struct check *c, struct vm_page *m, vaddr_t va)
{
	struct pv_bucket *pb = pv_bucket(m);
	uint64_t key = pv_key(c->pmap, va);
	int found = 0;

	spin_lock(&pb->pb_lock);
	for (struct pv_entry *pv = m->md.pv_list; pv != NULL; pv = pv->pv_next) {
		pt_entry_t *pte = upt_leaf(pv_pmap(pv), pv_va(pv));
		pt_entry_t e = pte != NULL ? pte_load(pte) : 0;

		found += pv->pv_key == key;
		if (!(e & PTE_V) || pte_to_pa(e) != VM_PAGE_TO_PHYS(m))
			check_fail(c, "page %lx: pv entry (%p, %lx) has no PTE mapping it",
			    VM_PAGE_TO_PHYS(m), pv_pmap(pv), pv_va(pv));
	}
	spin_unlock(&pb->pb_lock);
	if (found != 1)
		check_fail(c, "va %lx: page %lx has %d pv entries for it", va,
		    VM_PAGE_TO_PHYS(m), found);
}

static void
check_leaf(struct check *c, pt_entry_t e, vaddr_t va)
{
	struct vm_page *m = PHYS_TO_VM_PAGE(pte_to_pa(e));

	c->resident++;
	if (e & PTE_SW_WIRED)
		c->wired++;
	if (!pte_is_leaf(e) || ((e & PTE_W) && !(e & PTE_R)))
		check_fail(c, "va %lx: leaf %lx has no valid permissions", va, e);
	if ((e & (PTE_U | PTE_G)) != PTE_U)
		check_fail(c, "va %lx: leaf %lx is not user-only", va, e);
	if ((e & PTE_W) && !(e & PTE_D))
		check_fail(c, "va %lx: leaf %lx has W without D", va, e);
	if ((e & (PTE_W | PTE_D)) && !(e & PTE_SW_WRITE))
		check_fail(c, "va %lx: leaf %lx has W or D but is not writable", va, e);
	if (m != NULL)
		check_pv(c, m, va);
}

static void
check_l0(struct check *c, pt_entry_t *l0, vaddr_t base)
{
	check_count(c, l0, PT_ENTRIES, base);
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		pt_entry_t e = pte_load(&l0[i]);

		if (e & PTE_V)
			check_leaf(c, e, base + ((vaddr_t)i << L0_SHIFT));
	}
}

static void
check_l1(struct check *c, pt_entry_t *l1, vaddr_t base)
{
	check_count(c, l1, PT_ENTRIES, base);
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		pt_entry_t e = pte_load(&l1[i]);
		vaddr_t va = base + ((vaddr_t)i << L1_SHIFT);

		if ((e & PTE_V) && check_nonleaf(c, e, va))
			check_l0(c, pt_va(pte_to_pa(e)), va);
	}
}

int
pmap_check(pmap_t pmap)
{
	struct check c = { .pmap = pmap };
	pt_entry_t *root = pmap_root(pmap);

	spin_lock(&pmap->pm_lock);
	if (memcmp(&root[USER_ROOT_ENTRIES], &kernel_root[USER_ROOT_ENTRIES],
	    USER_ROOT_ENTRIES * sizeof(pt_entry_t)) != 0)
		check_fail(&c, "the kernel half of the root differs from the kernel's");
	check_count(&c, root, USER_ROOT_ENTRIES, 0);
	for (unsigned i = 0; i < USER_ROOT_ENTRIES; i++) {
		pt_entry_t e = pte_load(&root[i]);
		vaddr_t va = (vaddr_t)i << L2_SHIFT;

		if ((e & PTE_V) && check_nonleaf(&c, e, va))
			check_l1(&c, pt_va(pte_to_pa(e)), va);
	}
	if (c.resident != pmap->pm_resident)
		check_fail(&c, "%lu valid leaves, resident count %lu", c.resident,
		    pmap->pm_resident);
	if (c.wired != pmap->pm_wired)
		check_fail(&c, "%lu wired leaves, wired count %lu", c.wired, pmap->pm_wired);
	spin_unlock(&pmap->pm_lock);
	return c.problems;
}
