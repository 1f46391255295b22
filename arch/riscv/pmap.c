/*
 * Sv39 user pmaps: their page tables, the reverse map and TLB shootdown
 * (the kernel's table is pmap_kernel.c, ASIDs pmap_asid.c, the checker
 * pmap_check.c; pmap_var.h is what they share).
 *
 * Page tables.  Three levels, 4 KiB leaves and 2 MiB ones (superpages,
 * below).  A new pmap's root gets
 * a copy of the kernel root's upper half, which never changes.  The
 * vm_page of a page-table page counts the valid entries in it, as
 * wire_count - 1 (the 1 is the allocation's own wiring).  The call that
 * empties a table frees it, after the TLB flush that makes it
 * unreachable (a full one for the address space: sfence.vma with an
 * address need not drop cached non-leaf entries).  Non-leaf entries
 * carry only V.
 *
 * Table caches.  An entry that goes is cleared whole, so a table freed
 * empty is a page of zeros, and a pmap's root at pmap_destroy is zero
 * in its user half.  Up to UPT_CACHE_MAX tables and ROOT_CACHE_MAX roots
 * are kept as they are for the next ones: a fork's tables need no
 * zeroing (nor copying of the kernel half) and no trip through the page
 * allocator.  zone_reclaim_all empties the caches; pmap_check checks
 * that what they hold is still zero.
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
 * with sfence.vma and the others in pm_cpus that run on the pmap now get
 * the SBI remote fence: one call per batch, a range of at most
 * TLB_BATCH_MAX_PAGES pages or else the whole address space.  The remote
 * fence returns when every target has flushed; OpenSBI sends it as
 * machine-mode IPIs, which a hart takes even while it spins with
 * supervisor interrupts off, so we may (and do: see delayed
 * invalidation) send it while holding spin locks.  A cpu of pm_cpus that
 * runs another address space now (its stale entries, tagged with the
 * pmap's ASID, stay in its TLB) is not interrupted: it leaves pm_cpus,
 * and flushes the pmap's ASID when it next runs on the pmap
 * (pmap_activate: a cpu not in pm_cpus flushes first), which it can only
 * do under the pmap lock the flusher holds (FreeBSD's pm_active, lazily).
 * A cpu whose idle thread keeps the pmap loaded after a thread of it
 * stopped (pmap_asid.c) counts as running on it.  Gaining permissions needs no
 * shootdown: a stale entry can only fault, and pmap_fault then flushes
 * it locally.
 *
 * Superpages.  pmap_enter_superpage maps a 2 MiB-aligned run of 512
 * physically contiguous pages with one level-1 leaf (the VM makes such
 * runs at fault time: vm_superpage.c).  Everything else about the
 * mapping stays per 4 KiB page, so that the rest of the pmap need not
 * know about it:
 *  - each of the 512 pages has its own pv entry, for its own va, as if
 *    it were mapped alone (the 512 come in one chunk: pv chunks, below):
 *    the page-centric calls find every mapping of a page on its own list,
 *    and the pv lock still guards exactly "this page is mapped here";
 *  - the resident and wired counts count 4 KiB pages (512 for the leaf);
 *  - with the leaf, the pmap keeps a table page for it on pm_deposits
 *    (as Linux deposits one with each huge PMD), so that demotion --
 *    replacing the leaf by a table of 512 4 KiB leaves with the same
 *    bits -- needs no memory and cannot fail.  Demotion changes no
 *    translation, so it needs no TLB flush: a TLB may keep the 2 MiB
 *    entry until the next change of one of the 4 KiB leaves, whose
 *    flush of that va drops the entry covering it.
 * A change to the whole leaf -- write protection for a fork, a change of
 * protection or wiring of all 2 MiB -- is made to the leaf.  Anything
 * else demotes first and then works on 4 KiB leaves: a change to part of
 * the range (mprotect, munmap, mlock, MADV_DONTNEED of part), removal
 * (of all of it too: freeing the pages is per page anyway), pmap_enter
 * of one page inside it (a copy-on-write copy, a wiring), and every
 * page-centric change (the page daemon's reference scan, write-back's
 * write protection, pmap_remove_all), which concerns one page of the
 * 512.
 *
 * ASIDs: see pmap_asid.c.  Locking annotations: see pmap_var.h.
 */
#include <kern/systm.h>
#include <kern/list.h>
#include <kern/pcpu.h>
#include <kern/spinlock.h>
#include <machine/cpu.h>
#include <machine/csr.h>
#include <machine/pte.h>
#include <vm/pmap.h>
#include <vm/vm_page.h>
#include <vm/zone.h>
#include "pmap_var.h"
#include "riscv.h"

#define TLB_FLUSH_ALL		(~0UL)	/* flush size: the whole address space */
#define TLB_BATCH_MAX_PAGES	64	/* larger batches flush the whole space */

/* TLB entries to flush, and what waits for the flush. */
struct tlb_batch {
	vaddr_t		sva, eva;	/* pages [sva, eva); none if equal */
	bool		all;		/* flush the whole address space */
	uint64_t	buckets;	/* pv buckets whose pb_pending we raised */
	struct list_node ptpages;	/* page-table pages to free afterwards */
};

#define UPT_CACHE_MAX		32	/* empty L1 and L0 tables kept */
#define ROOT_CACHE_MAX		8	/* roots kept, user half empty */

/* A cache of page-table pages, linked through plinks. */
struct upt_cache {
	struct spinlock	uc_lock;	/* a leaf lock */
	struct list_node uc_pages;	/* (uc_lock) */
	uint32_t	uc_count;	/* (uc_lock; read unlocked for statistics) */
	uint32_t	uc_max;		/* (C) */
};

static struct upt_cache table_cache = {
	SPINLOCK_INITIALIZER("pt cache"), LIST_HEAD_INIT(table_cache.uc_pages), 0, UPT_CACHE_MAX,
};
static struct upt_cache root_cache = {
	SPINLOCK_INITIALIZER("root cache"), LIST_HEAD_INIT(root_cache.uc_pages), 0, ROOT_CACHE_MAX,
};

struct pv_bucket pv_buckets[PV_BUCKETS];
static zone_t pv_zone;			/* (C) after pmap_init */
static zone_t pmap_zone;		/* (C) after pmap_init */
struct pmap_stats pmap_counters;	/* (A) */

/*
 * Small helpers: page flags, page-table pages.
 */

/* vm_page flags are 8 bits: libgcc's __sync routines do the atomic update. */
static void
page_flags_set(struct vm_page *m, uint8_t f)
{
	__sync_fetch_and_or(&m->flags, f);
}

/* Clear f; returns whether any of it was set. */
static bool
page_flags_clear(struct vm_page *m, uint8_t f)
{
	return (__sync_fetch_and_and(&m->flags, (uint8_t)~f) & f) != 0;
}

static bool
page_flags_test(const struct vm_page *m, uint8_t f)
{
	return (__atomic_load_n(&m->flags, __ATOMIC_RELAXED) & f) != 0;
}

/* A page from cache c, or NULL if it is empty. */
static struct vm_page *
upt_cache_take(struct upt_cache *c)
{
	struct list_node *n;

	spin_lock(&c->uc_lock);
	if ((n = list_first(&c->uc_pages)) != NULL) {
		list_remove(n);
		c->uc_count--;
	}
	spin_unlock(&c->uc_lock);
	return n != NULL ? list_entry(n, struct vm_page, plinks) : NULL;
}

/* Keep ptp in cache c if there is room; false if not. */
static bool
upt_cache_put(struct upt_cache *c, struct vm_page *ptp)
{
	bool kept = false;

	spin_lock(&c->uc_lock);
	if (c->uc_count < c->uc_max) {
		list_append(&c->uc_pages, &ptp->plinks);
		c->uc_count++;
		kept = true;
	}
	spin_unlock(&c->uc_lock);
	return kept;
}

/* Give every page of cache c back to the page allocator. */
static void
upt_cache_drain(struct upt_cache *c)
{
	struct vm_page *ptp;

	while ((ptp = upt_cache_take(c)) != NULL)
		vm_page_free_pages(ptp, 0);
}

/* Count the pages of cache c whose first n entries are not all zero. */
static int
upt_cache_dirty(struct upt_cache *c, unsigned n)
{
	struct list_node *l;
	int dirty = 0;

	spin_lock(&c->uc_lock);
	list_foreach(l, &c->uc_pages) {
		const pt_entry_t *t = pt_va(VM_PAGE_TO_PHYS(list_entry(l, struct vm_page, plinks)));

		for (unsigned i = 0; i < n; i++) {
			if (t[i] != 0) {
				dirty++;
				break;
			}
		}
	}
	spin_unlock(&c->uc_lock);
	return dirty;
}

int
upt_caches_check(void)
{
	int bad = upt_cache_dirty(&table_cache, PT_ENTRIES) + upt_cache_dirty(&root_cache,
	    USER_ROOT_ENTRIES);

	if (bad != 0)
		printf("pmap_check: %d cached page tables hold entries\n", bad);
	return bad;
}

/* zone_reclaim_all's hook: memory is short. */
static void
upt_caches_reclaim(void)
{
	upt_cache_drain(&table_cache);
	upt_cache_drain(&root_cache);
}

/* A page of zeros for a table: a cached one, or a fresh one; NULL if none. */
static struct vm_page *
upt_alloc(void)
{
	struct vm_page *ptp = upt_cache_take(&table_cache);

	if (ptp == NULL && (ptp = vm_page_alloc_pages(0, VM_ALLOC_ZERO | VM_ALLOC_SYSTEM |
	    VM_ALLOC_NOWAIT)) != NULL)
		ptp->flags |= PG_KMEM;	/* just allocated: nobody else sees it */
	if (ptp == NULL)
		return NULL;
	KASSERT(ptp->wire_count == 1, ("pmap: new page table with wire count %u",
	    ptp->wire_count));
	STAT_ADD(pt_pages, 1);
	return ptp;
}

/* Let go of an empty table (all zeros again), into the cache if it has room. */
static void
upt_free(struct vm_page *ptp)
{
	KASSERT(ptp->wire_count == 1, ("pmap: freeing a page table with %u entries",
	    ptp->wire_count - 1));
	STAT_SUB(pt_pages, 1);
	if (!upt_cache_put(&table_cache, ptp))
		vm_page_free_pages(ptp, 0);
}

/*
 * Superpages: the deposited tables and demotion (see the top).
 */

/* Keep ptp, an empty table, for demoting the 2 MiB leaf at va.  pm_lock held. */
static void
deposit_put(pmap_t pmap, struct vm_page *ptp, vaddr_t va)
{
	ptp->pindex = va;
	list_append(&pmap->pm_deposits, &ptp->plinks);
}

/* The table kept for the 2 MiB leaf at va, taken off the list.  pm_lock held. */
static struct vm_page *
deposit_take(pmap_t pmap, vaddr_t va)
{
	struct list_node *n;

	list_foreach(n, &pmap->pm_deposits) {
		struct vm_page *ptp = list_entry(n, struct vm_page, plinks);

		if (ptp->pindex == va) {
			list_remove(n);
			return ptp;
		}
	}
	panic("pmap %p: no table kept for the superpage at %lx", pmap, va);
}

/*
 * The L1 slot for va, or NULL when there is no L1 table there; *end is
 * set to where that answer stops holding (the end of the slot's 2 MiB,
 * or of the hole).
 */
static pt_entry_t *
upt_l1_slot(pmap_t pmap, vaddr_t va, vaddr_t *end)
{
	pt_entry_t e = pte_load(&pmap_root(pmap)[pt_index(va, L2_SHIFT)]);

	if ((e & PTE_V) == 0) {
		*end = rounddown2(va, L2_SIZE) + L2_SIZE;
		return NULL;
	}
	*end = rounddown2(va, L1_SIZE) + L1_SIZE;
	return &pt_va(pte_to_pa(e))[pt_index(va, L1_SHIFT)];
}

/* Does the L1 slot hold a 2 MiB leaf? */
static inline bool
l1_is_super(pt_entry_t e)
{
	return (e & PTE_V) && pte_is_leaf(e);
}

/*
 * Replace the 2 MiB leaf *l1 (mapping va's 2 MiB) by its deposited table
 * holding 512 4 KiB leaves with the same bits.  Nothing else changes:
 * pv entries, counts and translations stay (no flush).  pm_lock held.
 */
static __noinline void
super_demote(pmap_t pmap, pt_entry_t *l1, vaddr_t va)
{
	struct vm_page *ptp;
	pt_entry_t *table, e = pte_load(l1), old;

	KASSERT(l1_is_super(e), ("pmap %p: demoting %lx, which is no superpage", pmap, va));
	va = rounddown2(va, L1_SIZE);
	ptp = deposit_take(pmap, va);
	table = pt_va(VM_PAGE_TO_PHYS(ptp));
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		table[i] = e + ((pt_entry_t)i << PTE_PPN_SHIFT);
	ptp->wire_count = 1 + PT_ENTRIES;
	/* The table's entries before the pointer to it, for other harts' walks. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	old = __atomic_exchange_n(l1, pa_to_pte(VM_PAGE_TO_PHYS(ptp), PTE_V), __ATOMIC_RELAXED);
	/* Hardware that sets A or D itself may have done so meanwhile: keep it. */
	if ((old & ~e) & (PTE_A | PTE_D)) {
		for (unsigned i = 0; i < PT_ENTRIES; i++)
			__atomic_fetch_or(&table[i], old & ~e & (PTE_A | PTE_D), __ATOMIC_RELAXED);
	}
	STAT_SUB(sp_mappings, 1);
	STAT_ADD(sp_demotions, 1);
}

/*
 * The L0 slot for va, demoting a 2 MiB leaf that covers it; NULL when
 * va's tables do not exist.  pm_lock held.
 */
static inline pt_entry_t *
upt_leaf_demote(pmap_t pmap, vaddr_t va)
{
	pt_entry_t *table = pmap_root(pmap), *slot, e;

	e = pte_load(&table[pt_index(va, L2_SHIFT)]);
	if ((e & PTE_V) == 0)
		return NULL;
	slot = &pt_va(pte_to_pa(e))[pt_index(va, L1_SHIFT)];
	e = pte_load(slot);
	if (__predict_false(l1_is_super(e))) {
		super_demote(pmap, slot, va);
		e = pte_load(slot);
	}
	if ((e & PTE_V) == 0)
		return NULL;
	return &pt_va(pte_to_pa(e))[pt_index(va, L0_SHIFT)];
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

	if ((slot = upt_leaf_demote(pmap, va)) != NULL)
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
 * TLB flushes.
 */

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
	cpus &= ~me;
	if (cpus != 0 && asid >= 0) {
		/* Those not running on it now flush when they next do (see the top). */
		uint64_t running = pmap_running_cpus(pmap, cpus);

		if (cpus & ~running) {
			__atomic_and_fetch(&pmap->pm_cpus, ~(cpus & ~running), __ATOMIC_SEQ_CST);
			STAT_ADD(lazy_shootdowns, 1);
		}
		cpus = running;
	}
	if (cpus != 0 && tlb_shootdown_user(cpus, va, size, asid))
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

/* Flush [va, va + size) with the batch. */
static void
batch_add_range(struct tlb_batch *b, vaddr_t va, vm_size_t size)
{
	if (b->sva == b->eva) {
		b->sva = va;
		b->eva = va + size;
	} else {
		b->sva = MIN(b->sva, va);
		b->eva = MAX(b->eva, va + size);
	}
	if (b->eva - b->sva > TLB_BATCH_MAX_PAGES * PAGE_SIZE)
		b->all = true;
}

static void
batch_add(struct tlb_batch *b, vaddr_t va)
{
	batch_add_range(b, va, PAGE_SIZE);
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
		__atomic_add_fetch(&pb->pb_pending, 1, __ATOMIC_RELAXED);
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
		/* After the flush, without the lock: its waiters look again under it. */
		__atomic_sub_fetch(&pb->pb_pending, 1, __ATOMIC_RELEASE);
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

/*
 * A pv entry; NULL when memory is short even after a reclaim (other
 * cpus' caches may hold free entries, other zones empty slabs).
 */
static __always_inline struct pv_entry *
pv_alloc(void)
{
	struct pv_entry *pv = zone_alloc(pv_zone, M_NOWAIT);

	if (pv == NULL) {
		STAT_ADD(pv_reclaims, 1);
		zone_reclaim_all();
		pv = zone_alloc(pv_zone, M_NOWAIT);
	}
	if (pv != NULL) {
		STAT_ADD(pv_entries, 1);
		pv->pv_key = 0;		/* not PV_CHUNKED, even if pv_free gets it unused */
	}
	return pv;
}

/*
 * pv chunks.  A superpage's 512 pages need 512 pv entries at once: they
 * come in one chunk, PV_CHUNK_ORDER pages from the page allocator, rather
 * than 512 trips through the zone.  The chunk's first page counts its
 * entries still in use (in pindex); each goes when its mapping does, and
 * the last one frees the chunk.
 */
#define PV_CHUNK_ORDER		1
#define PV_CHUNK_BYTES		(PAGE_SIZE << PV_CHUNK_ORDER)
#define PV_CHUNK_ENTRIES	(PV_CHUNK_BYTES / sizeof(struct pv_entry))
_Static_assert(PV_CHUNK_ENTRIES == SUPERPAGE_PAGES, "one chunk for one superpage");

/* A chunk's entries chained through pv_next, or NULL when memory is short. */
static struct pv_entry *
pv_chunk_alloc(void)
{
	struct vm_page *m = vm_page_alloc_pages(PV_CHUNK_ORDER, VM_ALLOC_SYSTEM |
	    VM_ALLOC_NOWAIT);
	struct pv_entry *pv;

	if (m == NULL)
		return NULL;
	m->flags |= PG_KMEM;		/* just allocated: nobody else sees it */
	m->pindex = PV_CHUNK_ENTRIES;
	pv = (struct pv_entry *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m));
	for (unsigned i = 0; i < PV_CHUNK_ENTRIES; i++)
		pv[i].pv_next = i + 1 < PV_CHUNK_ENTRIES ? &pv[i + 1] : NULL;
	STAT_ADD(pv_entries, PV_CHUNK_ENTRIES);
	return pv;
}

/* The chunk entry pv is no longer used: the chunk goes with its last one. */
static void
pv_chunk_release(struct pv_entry *pv)
{
	struct vm_page *m = PHYS_TO_VM_PAGE(rounddown2(DMAP_TO_PHYS((vaddr_t)pv),
	    PV_CHUNK_BYTES));

	KASSERT(m != NULL && (m->flags & PG_KMEM) && m->pindex > 0,
	    ("pmap: pv entry %p in no live chunk", pv));
	if (__atomic_sub_fetch(&m->pindex, 1, __ATOMIC_ACQ_REL) == 0)
		vm_page_free_pages(m, PV_CHUNK_ORDER);
}

static void
pv_free(struct pv_entry *pv)
{
	if (pv == NULL)
		return;
	STAT_SUB(pv_entries, 1);
	if (__predict_false(pv->pv_key & PV_CHUNKED))
		pv_chunk_release(pv);
	else
		zone_free(pv_zone, pv);
}

/* Put pv on m's list for (pmap, va); chunked says it comes from a pv chunk. */
static inline void
pv_link(struct vm_page *m, struct pv_entry *pv, pmap_t pmap, vaddr_t va, uint64_t chunked)
{
	pv->pv_key = chunked | pv_key(pmap, va);
	pv->pv_next = m->md.pv_list;
	m->md.pv_list = pv;
}

static struct pv_entry *
pv_unlink(struct vm_page *m, pmap_t pmap, vaddr_t va)
{
	uint64_t key = pv_key(pmap, va);
	struct pv_entry *pv, **prevp;

	for (prevp = &m->md.pv_list; (pv = *prevp) != NULL; prevp = &pv->pv_next) {
		if (pv_is(pv, key)) {
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
		pv_link(m, *pvp, pmap, va, 0);
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
 * Apply fn with clear to all of the 2 MiB leaf *l1 at va, when the leaf
 * itself can take it: unwiring, or a reduction that leaves it R or X.
 * False when it cannot (a removal): the caller demotes it.  A D bit lost
 * marks each of the 512 pages modified, as leaf_clear would one page:
 * the leaf does not say which of them were written.  pm_lock held.
 */
static bool
super_apply_whole(pmap_t pmap, pt_entry_t *l1, vaddr_t va, leaf_fn *fn, pt_entry_t clear,
    struct tlb_batch *b)
{
	pt_entry_t old = pte_load(l1);

	if (fn == leaf_unwire) {
		if (__atomic_fetch_and(l1, ~PTE_SW_WIRED, __ATOMIC_RELAXED) & PTE_SW_WIRED)
			pmap->pm_wired -= SUPERPAGE_PAGES;
		return true;
	}
	if (fn != leaf_reduce || (old & ~clear & (PTE_R | PTE_X)) == 0)
		return false;
	if ((old & clear) == 0)
		return true;
	if (old & clear & PTE_D) {
		struct vm_page *m = PHYS_TO_VM_PAGE(pte_to_pa(old));

		for (unsigned i = 0; i < SUPERPAGE_PAGES; i++)
			page_flags_set(&m[i], PG_MD_MODIFIED);
	}
	(void)__atomic_fetch_and(l1, ~clear, __ATOMIC_RELAXED);
	batch_add_range(b, va, L1_SIZE);
	return true;
}

/*
 * Apply fn to each valid leaf of the L0 table in [va, end) (within the
 * table).  The table counts its valid entries, so the walk stops once it
 * has met them all; it goes inwards from both ends, as a table's leaves
 * tend to sit at one end (a program's text and heap at the bottom, a
 * stack at the top).  pm_lock held.
 */
static void
table_foreach_leaf(pmap_t pmap, pt_entry_t *table, vaddr_t va, vaddr_t end, leaf_fn *fn,
    pt_entry_t clear, struct tlb_batch *b)
{
	uint32_t unseen = ptp_of(table)->wire_count - 1;
	pt_entry_t *pte;

	for (; unseen > 0 && va < end; va += PAGE_SIZE) {
		pte = &table[pt_index(va, L0_SHIFT)];
		if (pte_load(pte) & PTE_V) {
			unseen--;
			if (fn(pmap, pte, va, clear, b))
				return;		/* the table is gone */
		}
		if (unseen == 0 || va + PAGE_SIZE == end)
			break;
		end -= PAGE_SIZE;
		pte = &table[pt_index(end, L0_SHIFT)];
		if (pte_load(pte) & PTE_V) {
			unseen--;
			if (fn(pmap, pte, end, clear, b))
				return;
		}
	}
}

/*
 * Apply fn to each valid leaf in [sva, eva), skipping missing tables; fn
 * returns true when it freed the L0 table.  One TLB flush at the end.
 */
static void
range_foreach_leaf(pmap_t pmap, vaddr_t sva, vaddr_t eva, leaf_fn *fn, pt_entry_t clear)
{
	struct tlb_batch b;
	vaddr_t va, end;

	KASSERT(sva <= eva && eva <= USER_MAX && ((sva | eva) & PAGE_MASK) == 0,
	    ("pmap: bad user range %lx-%lx", sva, eva));
	batch_init(&b);
	spin_lock(&pmap->pm_lock);
	for (va = sva; va < eva; va = end) {
		pt_entry_t *l1 = upt_l1_slot(pmap, va, &end), e;

		end = MIN(end, eva);
		if (l1 == NULL)
			continue;
		e = pte_load(l1);
		if (__predict_false(l1_is_super(e))) {
			if (end - va == L1_SIZE && super_apply_whole(pmap, l1, va, fn, clear, &b))
				continue;
			super_demote(pmap, l1, va);
			e = pte_load(l1);
		}
		if (e & PTE_V)
			table_foreach_leaf(pmap, pt_va(pte_to_pa(e)), va, end, fn, clear, &b);
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
	spin_init(&pmap->pm_lock, "pmap");
	list_init(&pmap->pm_deposits);
	/* A cached root is ready: user half empty, kernel half in place. */
	if ((root = upt_cache_take(&root_cache)) != NULL) {
		STAT_ADD(pt_pages, 1);
		pmap->pm_root_page = root;
	} else if ((root = upt_alloc()) != NULL) {
		pmap->pm_root_page = root;
		memcpy(&pmap_root(pmap)[USER_ROOT_ENTRIES], &kernel_root[USER_ROOT_ENTRIES],
		    USER_ROOT_ENTRIES * sizeof(pt_entry_t));
	} else {
		zone_free(pmap_zone, pmap);
		return NULL;
	}
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
	KASSERT(list_empty(&pmap->pm_deposits), ("pmap_destroy: %p keeps tables for superpages",
	    pmap));
	pmap_evict(pmap);
	KASSERT(pmap_running_cpu(pmap) < 0, ("pmap_destroy: %p active on cpu %d", pmap,
	    pmap_running_cpu(pmap)));
	STAT_SUB(pt_pages, 1);
	if (!upt_cache_put(&root_cache, pmap->pm_root_page))
		vm_page_free_pages(pmap->pm_root_page, 0);
	zone_free(pmap_zone, pmap);
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
	zone_reclaim_register(upt_caches_reclaim);
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

/*
 * The L1 slot for va, making the L1 table if it is missing; NULL when
 * there is no memory.  pm_lock held.
 */
static pt_entry_t *
upt_l1_slot_alloc(pmap_t pmap, vaddr_t va)
{
	pt_entry_t *root_slot = &pmap_root(pmap)[pt_index(va, L2_SHIFT)], *l1;
	struct vm_page *ptp;
	vaddr_t end;

	if ((l1 = upt_l1_slot(pmap, va, &end)) != NULL)
		return l1;
	if ((ptp = upt_alloc()) == NULL)
		return NULL;
	pte_store(root_slot, pa_to_pte(VM_PAGE_TO_PHYS(ptp), PTE_V));
	pmap->pm_root_page->wire_count++;
	return upt_l1_slot(pmap, va, &end);
}

/*
 * Give each page of the run at m a pv entry from *chain for its va in
 * pmap, taking each pv lock once: the run is 2 MiB-aligned, so its pages
 * go round the buckets in turn.
 */
static void
super_pv_link(pmap_t pmap, vaddr_t va, struct vm_page *m, struct pv_entry **chain)
{
	_Static_assert(SUPERPAGE_PAGES % PV_BUCKETS == 0, "a superpage covers each bucket alike");
	for (unsigned first = 0; first < PV_BUCKETS; first++) {
		struct pv_bucket *pb = pv_bucket(&m[first]);

		spin_lock(&pb->pb_lock);
		for (unsigned i = first; i < SUPERPAGE_PAGES; i += PV_BUCKETS) {
			struct pv_entry *pv = *chain;

			KASSERT(pv_bucket(&m[i]) == pb, ("pmap: superpage page %u off its bucket", i));
			*chain = pv->pv_next;
			pv_link(&m[i], pv, pmap, va + ptoa(i), PV_CHUNKED);
		}
		spin_unlock(&pb->pb_lock);
	}
}

int
pmap_enter_superpage(pmap_t pmap, vaddr_t va, struct vm_page *m, vm_prot_t prot,
    unsigned flags)
{
	paddr_t pa = VM_PAGE_TO_PHYS(m);
	pt_entry_t newpte = pa_to_pte(pa, user_leaf_bits(prot, flags)), *l1;
	struct pv_entry *pvs;
	struct vm_page *deposit;
	int error = 0;

	KASSERT(((va | pa) & SUPERPAGE_MASK) == 0 && va + SUPERPAGE_SIZE <= USER_MAX,
	    ("pmap_enter_superpage: va %lx or pa %lx not aligned", va, pa));
	KASSERT(PHYS_TO_VM_PAGE(pa + SUPERPAGE_SIZE - PAGE_SIZE) == m + SUPERPAGE_PAGES - 1,
	    ("pmap_enter_superpage: the pages of run %lx are not in one array", pa));
	if ((pvs = pv_chunk_alloc()) == NULL)
		return ENOMEM;
	spin_lock(&pmap->pm_lock);
	if ((deposit = upt_alloc()) == NULL) {
		error = ENOMEM;
	} else if ((l1 = upt_l1_slot_alloc(pmap, va)) == NULL) {
		upt_free(deposit);
		error = ENOMEM;
	} else if (pte_load(l1) & PTE_V) {
		/* Some of the range is mapped already: a table or a superpage. */
		upt_free(deposit);
		error = EEXIST;
	} else {
		/* The pv entries first: page-centric calls try our lock, held, and wait. */
		super_pv_link(pmap, va, m, &pvs);
		pte_store(l1, newpte);
		ptp_of(l1)->wire_count++;
		pmap->pm_resident += SUPERPAGE_PAGES;
		if (newpte & PTE_SW_WIRED)
			pmap->pm_wired += SUPERPAGE_PAGES;
		deposit_put(pmap, deposit, va);
		STAT_ADD(sp_mappings, 1);
		STAT_ADD(sp_enters, 1);
	}
	spin_unlock(&pmap->pm_lock);
	if (pvs != NULL) {	/* failed: the chunk is unused */
		STAT_SUB(pv_entries, PV_CHUNK_ENTRIES);
		vm_page_free_pages(PHYS_TO_VM_PAGE(DMAP_TO_PHYS((vaddr_t)pvs)), PV_CHUNK_ORDER);
	}
	if (error == 0 && (prot & VM_PROT_EXECUTE))
		icache_sync_all();
	return error;
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
	vm_size_t size;
	bool fixed = false;

	va = trunc_page(va);
	if (va >= USER_MAX)
		return false;
	spin_lock(&pmap->pm_lock);
	pte = upt_lookup(pmap, va, &size);
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
		tlb_flush_local(pmap_asid(pmap), va, PAGE_SIZE);	/* a superpage's too */
		fixed = true;
	}
	spin_unlock(&pmap->pm_lock);
	return fixed;
}

/* The leaf mapping user va (0 if none), and the size it maps in *size. */
static pt_entry_t
user_leaf_get(pmap_t pmap, vaddr_t va, vm_size_t *size)
{
	pt_entry_t *pte, e = 0;

	*size = PAGE_SIZE;
	if (va >= USER_MAX)
		return 0;
	spin_lock(&pmap->pm_lock);
	if ((pte = upt_lookup(pmap, va, size)) != NULL)
		e = pte_load(pte);
	spin_unlock(&pmap->pm_lock);
	return (e & PTE_V) ? e : 0;
}

paddr_t
pmap_extract(pmap_t pmap, vaddr_t va)
{
	vm_size_t size;
	pt_entry_t e = user_leaf_get(pmap, va, &size);

	return e != 0 ? leaf_pa(e, va, size) : 0;
}

bool
pmap_is_wired(pmap_t pmap, vaddr_t va)
{
	vm_size_t size;

	return (user_leaf_get(pmap, va, &size) & PTE_SW_WIRED) != 0;
}

bool
pmap_is_superpage(pmap_t pmap, vaddr_t va)
{
	vm_size_t size;

	return user_leaf_get(pmap, va, &size) != 0 && size == L1_SIZE;
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
	vm_size_t size;
	pt_entry_t e = user_leaf_get(pmap, va, &size);

	return e != 0 ? leaf_prot(e) : VM_PROT_NONE;
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
 * The work on one mapping of m at va in pmap (its pv and pmap locks held,
 * pb being m's bucket): take the bits in clear (save: the D and A state
 * to keep), or the whole mapping when it is left with neither R nor X,
 * and note what to flush in b, the batch of pmap's changes.  A removal
 * holds pb pending until b is flushed (delayed invalidation, see the
 * top).  True when the mapping went.
 */
static bool
mapping_reduce(pmap_t pmap, vaddr_t va, struct vm_page *m, pt_entry_t clear,
    pt_entry_t save, int *hits, struct tlb_batch *b, struct pv_bucket *pb)
{
	pt_entry_t *pte = upt_leaf_demote(pmap, va), old;	/* a change to one page of 512 */
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
	if (clear == PTE_A) {
		/*
		 * Only A (pmap_ts_referenced): no flush.  A cpu whose TLB still
		 * holds the entry with A set goes on using it, and its accesses
		 * meanwhile are not counted: the page daemon sees a reference
		 * late, not wrongly, and a shootdown per page scanned would
		 * cost far more than it saves.
		 */
		(void)leaf_clear(pte, PTE_A, m, save);
		return false;
	}
	old = leaf_clear(pte, remove ? ~0UL : clear, m, save);
	if (remove) {
		leaf_account(pmap, old, -1);
		upt_unhold(pmap, va, b);
		batch_hold_bucket(b, pb);
	}
	batch_add(b, va);
	return remove;
}

/*
 * The pmap whose lock page_reduce holds across the pages it works on,
 * with the changes waiting for one flush.
 */
struct reduce_hold {
	pmap_t		pmap;		/* NULL: none held */
	struct tlb_batch b;
};

/* Flush what the held pmap collected and let it go (a pv lock may be held). */
static void
hold_release(struct reduce_hold *h)
{
	if (h->pmap == NULL)
		return;
	batch_finish(h->pmap, &h->b);
	spin_unlock(&h->pmap->pm_lock);
	h->pmap = NULL;
}

/* Hold pmap (a try: a pv lock is held), letting the one held before go. */
static bool
hold_take(struct reduce_hold *h, pmap_t pmap)
{
	if (h->pmap == pmap)
		return true;
	hold_release(h);
	if (!spin_trylock(&pmap->pm_lock))
		return false;
	h->pmap = pmap;
	batch_init(&h->b);
	return true;
}

/*
 * Take the bits in clear from every mapping of each of the n pages ma[]
 * (one left with neither R nor X is removed), keeping the D and A state
 * lost for the bits in save.  The changes to one pmap are made under one
 * hold of its lock and flushed once (a cluster of an object's pages, as
 * they lie in one address space, costs one TLB shootdown, not one each).
 * Returns how many mappings had some of clear.  See the top for the
 * try-lock protocol and the wait for pending removals.
 */
static int
pages_reduce(struct vm_page **ma, int n, pt_entry_t clear, pt_entry_t save)
{
	struct reduce_hold h = { NULL };
	struct pv_entry *pv, **prevp, *dead = NULL;
	int hits = 0;

	for (int i = 0; i < n; i++) {
		struct vm_page *m = ma[i];
		struct pv_bucket *pb = pv_bucket(m);
		int backoff = 1;

restart:
		spin_lock(&pb->pb_lock);
		if (__atomic_load_n(&pb->pb_pending, __ATOMIC_ACQUIRE) != 0)
			goto busy;
		for (prevp = &m->md.pv_list; (pv = *prevp) != NULL;) {
			if (!hold_take(&h, pv_pmap(pv)))
				goto busy;
			if (mapping_reduce(h.pmap, pv_va(pv), m, clear, save, &hits, &h.b, pb)) {
				*prevp = pv->pv_next;
				pv->pv_next = dead;
				dead = pv;
			} else {
				prevp = &pv->pv_next;
			}
		}
		spin_unlock(&pb->pb_lock);
		continue;
busy:
		/*
		 * A pmap lock holder may want our pv lock, or our own pending
		 * removals block pb: flush, let go, and try again a while later.
		 */
		spin_unlock(&pb->pb_lock);
		hold_release(&h);
		for (int k = 0; k < backoff; k++)
			cpu_spinwait();
		backoff = MIN(backoff * 2, 1024);
		goto restart;
	}
	hold_release(&h);
	while ((pv = dead) != NULL) {
		dead = pv->pv_next;
		pv_free(pv);
	}
	return hits;
}

static int
page_reduce(struct vm_page *m, pt_entry_t clear, pt_entry_t save)
{
	return pages_reduce(&m, 1, clear, save);
}

/* Does a mapping of m have one of bits?  Other pmaps' tables walked unlocked (see top). */
static bool
page_mapping_has(struct vm_page *m, uint8_t flag, pt_entry_t bits)
{
	struct pv_bucket *pb = pv_bucket(m);
	struct pv_entry *pv;
	bool found = false;

	if (page_flags_test(m, flag))
		return true;
	spin_lock(&pb->pb_lock);
	for (pv = m->md.pv_list; pv != NULL && !found; pv = pv->pv_next) {
		vm_size_t size;
		pt_entry_t *pte = upt_lookup(pv_pmap(pv), pv_va(pv), &size);

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

void
pmap_remove_write_pages(struct vm_page **ma, int n)
{
	pages_reduce(ma, n, PTE_W | PTE_D | PTE_SW_WRITE, PTE_D | PTE_A);
}

void
pmap_remove_all_pages(struct vm_page **ma, int n)
{
	pages_reduce(ma, n, ~0UL, PTE_D | PTE_A);
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
	st->pt_cached = __atomic_load_n(&table_cache.uc_count, __ATOMIC_RELAXED) +
	    __atomic_load_n(&root_cache.uc_count, __ATOMIC_RELAXED);
	st->asid_rollovers = STAT_GET(asid_rollovers);
	st->shootdowns = STAT_GET(shootdowns);
	st->lazy_shootdowns = STAT_GET(lazy_shootdowns);
	st->switch_flushes = STAT_GET(switch_flushes);
	st->dirty_faults = STAT_GET(dirty_faults);
	st->ref_faults = STAT_GET(ref_faults);
	st->sp_mappings = STAT_GET(sp_mappings);
	st->sp_enters = STAT_GET(sp_enters);
	st->sp_demotions = STAT_GET(sp_demotions);
	st->asid_bits = (uint32_t)STAT_GET(asid_bits);
}

size_t
pmap_leaves(pmap_t pmap, vaddr_t *va, vaddr_t eva, struct pmap_leaf *out, size_t n)
{
	vaddr_t end, v = *va;
	size_t found = 0;

	KASSERT(v <= eva && eva <= USER_MAX, ("pmap_leaves: bad range %lx-%lx", v, eva));
	spin_lock(&pmap->pm_lock);
	while (v < eva && found < n) {
		pt_entry_t *l1 = upt_l1_slot(pmap, v, &end), e = l1 != NULL ? pte_load(l1) : 0;
		bool super = l1_is_super(e);
		pt_entry_t *table = (e & PTE_V) && !super ? pt_va(pte_to_pa(e)) : NULL;

		end = MIN(end, eva);
		if (table == NULL && !super) {
			v = end;
			continue;
		}
		/* A superpage's 4 KiB pages are reported one by one, as the rest. */
		for (; v < end && found < n; v += PAGE_SIZE) {
			pt_entry_t le = super ? e : pte_load(&table[pt_index(v, L0_SHIFT)]);

			if (le & PTE_V)
				out[found++] = (struct pmap_leaf){ v, leaf_pa(le, v, super ? L1_SIZE :
				    PAGE_SIZE), leaf_prot(le), (le & PTE_SW_WIRED) != 0,
				    (le & PTE_D) != 0, super };
		}
	}
	spin_unlock(&pmap->pm_lock);
	*va = v;
	return found;
}
