/*
 * What the Sv39 pmap's files share, inside arch/riscv only: struct pmap,
 * the pv entry and its lock buckets, the PTE and page-table helpers, the
 * counters, and the calls between
 *
 *	pmap_kernel.c	the kernel's page table: bootstrap, kenter, qenter
 *	pmap.c		user pmaps: page tables, the reverse map (pv
 *			lists), TLB shootdown, the pmap(9) calls on them
 *	pmap_asid.c	the ASID allocator and pmap_activate
 *	pmap_check.c	pmap_check, the consistency checker
 *
 * Locking annotations: (C) constant after creation, (P) the pmap's lock,
 * (S) asid_lock, (M) the page's pv lock, (A) atomic.
 */
#ifndef _RISCV_PMAP_VAR_H_
#define _RISCV_PMAP_VAR_H_

#include <kern/types.h>
#include <kern/list.h>
#include <kern/spinlock.h>
#include <machine/param.h>
#include <machine/pte.h>
#include <vm/pmap.h>
#include <vm/vm_page.h>

#define USER_ROOT_ENTRIES	(PT_ENTRIES / 2)	/* root entries of user space */
_Static_assert(USER_MAX == (vaddr_t)USER_ROOT_ENTRIES << L2_SHIFT,
    "user space is the lower half of the root");

#define PMAP_ALIGN	128	/* struct pmap alignment, relied on by pv_key() */

struct pmap {
	struct spinlock	pm_lock;
	struct vm_page	*pm_root_page;	/* (C) the root table's page */
	uint64_t	pm_resident;	/* (P) valid user leaves */
	uint64_t	pm_wired;	/* (P) of those, wired */
	uint64_t	pm_cpus;	/* (A; set under P and S) may cache translations */
	uint64_t	pm_asid_gen;	/* (S) generation pm_asid belongs to */
	uint32_t	pm_asid;	/* (P, S: written holding both) */
	struct list_node pm_deposits;	/* (P) one empty table for each 2 MiB leaf, kept
					 * to demote it with (pmap.c: superpages) */
};
_Static_assert(sizeof(struct pmap) <= PMAP_ALIGN, "struct pmap fits its alignment");

/*
 * A mapping of a managed page: its pmap and va packed into pv_key.  A
 * pmap lives in the direct map, PMAP_ALIGN aligned, so its physical
 * address over PMAP_ALIGN takes 30 bits; a user va's page number takes
 * 26.  The top bit says where the entry's memory came from: the pv zone,
 * or a chunk of PV_CHUNK_ENTRIES made for one superpage's pages at once
 * (pmap.c).
 */
struct pv_entry {
	struct pv_entry	*pv_next;	/* (M) next mapping of the same page */
	uint64_t	pv_key;		/* (C) see pv_key() */
};

#define PV_VA_BITS	26
#define PV_CHUNKED	(1UL << 63)	/* (C) in a superpage's chunk, not from the zone */
_Static_assert(sizeof(struct pv_entry) == 16, "pv entries stay compact");
_Static_assert(USER_MAX >> PAGE_SHIFT == 1UL << PV_VA_BITS, "pv_key va field");
_Static_assert(DMAP_SIZE / PMAP_ALIGN <= 1UL << (63 - PV_VA_BITS), "pv_key pmap field");

/* Reverse-map locks, hashed by page. */
#define PV_BUCKETS	64	/* at most 64: struct tlb_batch has a bit for each */
struct pv_bucket {
	struct spinlock	pb_lock;	/* the pv lock of the pages hashed here */
	uint32_t	pb_pending;	/* (A; raised under pb_lock) removals not yet flushed */
} __aligned(CACHE_LINE_SIZE);

extern struct pv_bucket pv_buckets[PV_BUCKETS];

/* The cpus among cpus that run on pmap now (pmap_asid.c).  pmap locked. */
uint64_t pmap_running_cpus(pmap_t pmap, uint64_t cpus);

/* The counters pmap_get_stats reports. */
extern struct pmap_stats pmap_counters;	/* (A) */
#define STAT_ADD(field, n)	__atomic_add_fetch(&pmap_counters.field, (n), __ATOMIC_RELAXED)
#define STAT_SUB(field, n)	__atomic_sub_fetch(&pmap_counters.field, (n), __ATOMIC_RELAXED)
#define STAT_GET(field)		__atomic_load_n(&pmap_counters.field, __ATOMIC_RELAXED)

/* pmap_kernel.c: the kernel root, whose upper half every user root copies. */
extern pt_entry_t *kernel_root;		/* (C) after pmap_bootstrap */
/* pmap_check's look at the table caches: how many cached tables are not empty. */
int upt_caches_check(void);
extern uint64_t kernel_satp;		/* (C) read by secondary harts in locore.S */

/* pmap_asid.c */
extern bool asids_enabled;		/* (C) after pmap_init */
void asid_init(void);			/* probe the ASID bits; pmap_init */
/* A cpu running on pmap (loaded, if only lazily), or -1: it may change at once. */
int pmap_running_cpu(pmap_t pmap);
/* Take pmap, which no thread will activate again, off every cpu that keeps it loaded. */
void pmap_evict(pmap_t pmap);

static inline pt_entry_t *
pt_va(paddr_t pa)
{
	return (pt_entry_t *)PHYS_TO_DMAP(pa);
}

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

static inline pt_entry_t *
pmap_root(pmap_t pmap)
{
	return pt_va(VM_PAGE_TO_PHYS(pmap->pm_root_page));
}

/* The page-table page that holds *pte. */
static inline struct vm_page *
ptp_of(const pt_entry_t *pte)
{
	return PHYS_TO_VM_PAGE(DMAP_TO_PHYS(trunc_page((vaddr_t)pte)));
}

/*
 * The leaf that maps va at whichever level it sits -- the L1 slot of a
 * 2 MiB leaf, or else the L0 slot -- with the size it maps in *size; NULL
 * when va's tables do not exist.  (The slot need not be valid.)
 */
static inline pt_entry_t *
upt_lookup(pmap_t pmap, vaddr_t va, vm_size_t *size)
{
	pt_entry_t *table = pmap_root(pmap);

	for (int shift = L2_SHIFT; shift > L0_SHIFT; shift -= 9) {
		pt_entry_t *slot = &table[pt_index(va, shift)], e = pte_load(slot);

		if ((e & PTE_V) == 0)
			return NULL;
		if (pte_is_leaf(e)) {
			KASSERT(shift == L1_SHIFT, ("pmap %p: 1 GiB leaf at va %lx", pmap, va));
			*size = L1_SIZE;
			return slot;
		}
		table = pt_va(pte_to_pa(e));
	}
	*size = PAGE_SIZE;
	return &table[pt_index(va, L0_SHIFT)];
}

/* The physical address a valid leaf e of the given size maps va to. */
static inline paddr_t
leaf_pa(pt_entry_t e, vaddr_t va, vm_size_t size)
{
	return pte_to_pa(e) | (va & (size - 1));
}

/* The ASID flushes of pmap's translations name: -1 when ASIDs are not in use. */
static inline int
pmap_asid(pmap_t pmap)
{
	return asids_enabled ? (int)pmap->pm_asid : -1;
}

/* A pv entry's key and its halves. */
static inline uint64_t
pv_key(pmap_t pmap, vaddr_t va)
{
	return (DMAP_TO_PHYS((vaddr_t)pmap) / PMAP_ALIGN) << PV_VA_BITS | atop(va);
}

static inline pmap_t
pv_pmap(const struct pv_entry *pv)
{
	return (pmap_t)PHYS_TO_DMAP(((pv->pv_key & ~PV_CHUNKED) >> PV_VA_BITS) * PMAP_ALIGN);
}

/* Does pv stand for the mapping with key (pv_key())? */
static inline bool
pv_is(const struct pv_entry *pv, uint64_t key)
{
	return (pv->pv_key & ~PV_CHUNKED) == key;
}

static inline vaddr_t
pv_va(const struct pv_entry *pv)
{
	return ptoa(pv->pv_key & ((1UL << PV_VA_BITS) - 1));
}

static inline struct pv_bucket *
pv_bucket(const struct vm_page *m)
{
	return &pv_buckets[atop(VM_PAGE_TO_PHYS(m)) % PV_BUCKETS];
}

#endif
