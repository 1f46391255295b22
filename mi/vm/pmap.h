/*
 * The physical map: the only interface through which machine-independent
 * code changes page tables (after pmap(9)).  Implemented for Sv39 by
 * arch/riscv/pmap.c.
 *
 * Locking rules:
 *   - Every call takes the locks it needs (the pmap's own spin lock, the
 *     pv lock of the pages involved) and returns with none held; callers
 *     may hold their vm_object and vm_map locks, which rank above.
 *   - No call sleeps.  Calls that may need memory (pmap_enter) fail with
 *     ENOMEM instead; the caller frees memory and retries.
 *   - Before a call that removes or reduces a mapping returns, no cpu can
 *     still use the old translation (TLB shootdown is synchronous).
 *
 * Kernel mappings made with pmap_kenter* are wired, global, visible in
 * every address space and not tracked in the reverse map.
 */
#ifndef _VM_PMAP_H_
#define _VM_PMAP_H_

#include <kern/types.h>

struct vm_page;
typedef struct pmap *pmap_t;

/* pmap_enter flags: the access that faulted (VM_PROT_*) in the low bits, plus */
#define PMAP_ENTER_WIRED	0x0100	/* wired: counted, kept until unwired */
#define PMAP_ENTER_ACCESS_MASK	0x0007

/*
 * Build the kernel's page table: the direct map of all RAM, the kernel
 * image W^X, and the page-table pages under the kernel virtual arena;
 * then switch to it.  Boot cpu only, before vm_page_startup.
 */
void pmap_bootstrap(void);
void pmap_init(void);			/* after the allocators: zones, ASIDs */

/* User address spaces. */
pmap_t pmap_create(void);		/* NULL on no memory */
/*
 * pmap must hold no mappings, and no thread will activate it again; a
 * cpu that still keeps it loaded (below) is interrupted to leave it, so
 * call with interrupts on and no spin lock held.
 */
void pmap_destroy(pmap_t pmap);
/*
 * Run this cpu on pmap (context switch).  The cpu may keep it loaded,
 * lazily, after the thread stops running, until another is activated.
 */
void pmap_activate(pmap_t pmap);
void pmap_activate_kernel(void);	/* run this cpu on the kernel map only */

/*
 * Map va to page m with protection prot.  A writable mapping of a page
 * that is not being written (access without VM_PROT_WRITE) is entered
 * read-only and made writable by pmap_fault on the first write, which
 * records the page as modified: the hardware never sets A or D for us.
 * Replaces any existing mapping at va.  0 or ENOMEM.
 */
int pmap_enter(pmap_t pmap, vaddr_t va, struct vm_page *m, vm_prot_t prot,
    unsigned flags);
/*
 * Map the 2 MiB at va (SUPERPAGE_SIZE-aligned, as is the run) to the
 * SUPERPAGE_PAGES physically contiguous managed pages that start at m,
 * with one leaf; protection and flags as pmap_enter's.  The pages stay
 * pages: each has its own reverse-map entry, and every call on part of
 * the range, or on one of the pages, first splits the leaf into 4 KiB
 * ones (demotion, which never fails).  0, ENOMEM, or EEXIST when some of
 * the range is mapped already.
 */
int pmap_enter_superpage(pmap_t pmap, vaddr_t va, struct vm_page *m, vm_prot_t prot,
    unsigned flags);
bool pmap_is_superpage(pmap_t pmap, vaddr_t va);	/* mapped by a superpage leaf */
/* Map device memory (no vm_page, not in the reverse map). 0 or ENOMEM. */
int pmap_enter_device(pmap_t pmap, vaddr_t va, paddr_t pa, vm_prot_t prot);
void pmap_remove(pmap_t pmap, vaddr_t sva, vaddr_t eva);
void pmap_protect(pmap_t pmap, vaddr_t sva, vaddr_t eva, vm_prot_t prot);
void pmap_unwire(pmap_t pmap, vaddr_t sva, vaddr_t eva);
paddr_t pmap_extract(pmap_t pmap, vaddr_t va);		/* 0 when unmapped */
bool pmap_is_wired(pmap_t pmap, vaddr_t va);		/* mapped with PMAP_ENTER_WIRED */
/* The protection the page tables grant at va (VM_PROT_NONE if unmapped). */
vm_prot_t pmap_extract_prot(pmap_t pmap, vaddr_t va);

/*
 * A fault the pmap may resolve by itself: a write to a page mapped
 * writable-but-clean, or an access to a mapping whose A bit was cleared
 * by pmap_ts_referenced.  True if it was resolved (retry the access).
 */
bool pmap_fault(pmap_t pmap, vaddr_t va, vm_prot_t access);

/* Page-centric calls, through the reverse map (pv entries). */
void pmap_page_protect(struct vm_page *m, vm_prot_t prot);	/* NONE: remove all */
void pmap_remove_write(struct vm_page *m);
void pmap_remove_all(struct vm_page *m);
/*
 * The same for n pages at once (a cluster the pager writes, the pages
 * the daemon frees): each address space's changes are flushed once, so
 * a cluster mapped in one process costs one TLB shootdown.  When it
 * returns, no cpu can write (or reach) any of them through an old entry.
 */
void pmap_remove_write_pages(struct vm_page **ma, int n);
void pmap_remove_all_pages(struct vm_page **ma, int n);
bool pmap_is_modified(struct vm_page *m);
void pmap_clear_modify(struct vm_page *m);
bool pmap_is_referenced(struct vm_page *m);
int pmap_ts_referenced(struct vm_page *m);	/* count and clear references */
bool pmap_page_is_mapped(struct vm_page *m);
int pmap_page_mapping_count(struct vm_page *m);

uint64_t pmap_resident_count(pmap_t pmap);
uint64_t pmap_wired_count(pmap_t pmap);

/*
 * Walk pmap's page tables and cross-check PTEs, pv entries, page-table
 * page counts and the resident/wired counts.  Returns the number of
 * problems found (each is printed).
 */
int pmap_check(pmap_t pmap);

/*
 * The valid user leaves in [*va, eva), at most n, in address order, for
 * the VM's consistency check and /proc's counts: each one's va, physical
 * address, the protection it grants (as pmap_extract_prot), whether it
 * is wired and whether it has been written through (modified).
 * Returns how many were stored; *va moves past the last one looked at
 * (to eva when the range is done).  A snapshot: the leaves may change as
 * soon as it returns.
 */
struct pmap_leaf {
	vaddr_t		va;
	paddr_t		pa;
	vm_prot_t	prot;
	bool		wired;
	bool		modified;
	bool		super;		/* one page of a superpage mapping */
};
size_t pmap_leaves(pmap_t pmap, vaddr_t *va, vaddr_t eva, struct pmap_leaf *out, size_t n);

/* Kernel mappings. */
void pmap_kenter(vaddr_t va, paddr_t pa, vm_prot_t prot);
void pmap_kenter_device(vaddr_t va, paddr_t pa);
void pmap_kremove(vaddr_t va);
paddr_t pmap_kextract(vaddr_t va);	/* 0 when not mapped */
vm_prot_t pmap_kprotection(vaddr_t va);
/* Map/unmap count pages at va (wired, global, RW), as pmap_qenter(9). */
void pmap_qenter(vaddr_t va, struct vm_page **pages, int count);
void pmap_qremove(vaddr_t va, int count);

void pmap_zero_page(struct vm_page *m);
void pmap_zero_pages(struct vm_page *m, size_t npages);	/* physically contiguous */
void pmap_copy_page(struct vm_page *src, struct vm_page *dst);

/* Statistics for /proc/vmstat. */
struct pmap_stats {
	uint64_t	pv_entries;	/* live pv entries */
	uint64_t	pv_reclaims;	/* pv chunks reclaimed under pressure */
	uint64_t	pt_pages;	/* user page-table pages */
	uint64_t	pt_cached;	/* empty ones kept for reuse (not free pages) */
	uint64_t	asid_rollovers;
	uint64_t	shootdowns;	/* remote TLB shootdowns sent */
	uint64_t	lazy_shootdowns; /* flushes that left cpus not running the pmap to
					 * flush when they next do, instead of a shootdown */
	uint64_t	switch_flushes;	/* whole-TLB flushes for switching address spaces */
	uint64_t	dirty_faults;	/* software dirty-bit faults */
	uint64_t	ref_faults;	/* software accessed-bit faults */
	uint64_t	sp_mappings;	/* live superpage mappings */
	uint64_t	sp_enters;	/* superpage mappings made */
	uint64_t	sp_demotions;	/* superpage mappings split into 4 KiB ones */
	uint32_t	asid_bits;	/* ASID width detected at boot */
};
void pmap_get_stats(struct pmap_stats *st);

#endif
