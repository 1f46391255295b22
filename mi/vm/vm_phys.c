/*
 * The physical page allocator: a binary buddy system (see vm_phys.h).
 *
 * Free blocks of order k are linked through the plinks of their head
 * page on free_lists[k].  The head page carries PG_FREE and its order;
 * every other page of a free block, and every allocated page, has order
 * VM_ORDER_NONE and no PG_FREE.
 *
 * A block of order k starts at a multiple of PAGE_SIZE << k and lies
 * inside one segment, so the buddy of the block at pa is the block at
 * pa ^ (PAGE_SIZE << k) when that lies inside the same segment.  Blocks
 * never merge across segments, even adjacent ones, because a block must
 * be described by one contiguous run of the page array.
 *
 * The zeroed pool: free order-0 pages known to hold only zeros, kept
 * apart on zeroed_list so that an allocation that wants a zeroed page
 * takes one without writing 4 KiB.  Idle harts fill it: they take a page
 * (vm_phys_take_to_zero), zero it and give it back (vm_phys_put_zeroed).
 * Its pages, and those being zeroed, are free pages: free_pages counts
 * them, and an allocation the buddy lists cannot serve drains the pool
 * back into them (a pool page carries PG_ZERO, not PG_FREE, so the buddy
 * sees it as allocated until then).
 *
 * The allocator never touches the memory it manages: pages are not
 * zeroed here (and in host tests the physical addresses are fake).
 *
 * Locking: phys_lock (F) guards the free lists, the pool, the counts and
 * the order/PG_FREE/PG_ZERO fields of every free page.  The segment table is written only
 * while segments are registered at boot and read without the lock after.
 */
#include <kern/systm.h>
#include <kern/spinlock.h>
#include <kern/list.h>
#include <vm/vm_phys.h>
#include <machine/param.h>

#define ORDER_BYTES(o)	(PAGE_SIZE << (o))
#define ORDER_PAGES(o)	(1UL << (o))

static struct spinlock	phys_lock = SPINLOCK_INITIALIZER("vm_phys");
static struct vm_phys_seg phys_segs[VM_PHYS_MAXSEG];	/* (C) */
static int		phys_nsegs;			/* (C) */
static struct list_node	free_lists[VM_NFREEORDER];	/* (F) block heads */
static uint64_t		free_blocks[VM_NFREEORDER];	/* (F) per order */
static uint64_t		free_pages;			/* (F) in all orders, the pool,
								 * and being zeroed */
static struct list_node	zeroed_list;			/* (F) the zeroed pool */
static uint64_t		zeroed_pages;			/* (F) on zeroed_list */
static uint64_t		zeroing_pages;			/* (F) taken to be zeroed */
static bool		free_lists_ready;		/* (F) heads set up */
/* vm_phys_set_flat's view (vm_page.h): the page of base + ptoa(i) is pages[i]. */
struct vm_phys_flat vm_phys_flat;			/* (C) npages 0: none */

#define SEG_NONE	VM_PHYS_SEG_NONE

/*
 * Helpers on segments.
 */

static inline struct vm_page *
seg_page(const struct vm_phys_seg *seg, paddr_t pa)
{
	return seg->first_page + atop(pa - seg->start);
}

/* Does [pa, pa+len) lie inside seg? (Written so nothing overflows.) */
static inline bool
seg_holds(const struct vm_phys_seg *seg, paddr_t pa, uint64_t len)
{
	return pa >= seg->start && pa <= seg->end && seg->end - pa >= len;
}

static const struct vm_phys_seg *
page_seg(const struct vm_page *m)
{
	const struct vm_phys_seg *seg;

	KASSERT(m->segind < phys_nsegs,
	    ("vm_phys: page %p has bad segment %u", m, m->segind));
	seg = &phys_segs[m->segind];
	KASSERT(seg_holds(seg, m->phys_addr, PAGE_SIZE) &&
	    seg_page(seg, m->phys_addr) == m,
	    ("vm_phys: page %p (pa 0x%lx) is not in segment %u's array",
	    m, (unsigned long)m->phys_addr, m->segind));
	return seg;
}

/* The largest order of a block that starts at pa and ends by end. */
static int
largest_block(paddr_t pa, paddr_t end)
{
	int order = 0;

	while (order + 1 < VM_NFREEORDER &&
	    (pa & (ORDER_BYTES(order + 1) - 1)) == 0 &&
	    end - pa >= ORDER_BYTES(order + 1))
		order++;
	return order;
}

/*
 * Free-list primitives.  The caller holds phys_lock.
 */

static void
free_lists_init_locked(void)
{
	for (int i = 0; i < VM_NFREEORDER; i++) {
		list_init(&free_lists[i]);
		free_blocks[i] = 0;
	}
	free_pages = 0;
	list_init(&zeroed_list);
	zeroed_pages = 0;
	zeroing_pages = 0;
	free_lists_ready = true;
}

static void
free_list_insert(struct vm_page *m, int order)
{
	m->flags |= PG_FREE;
	m->order = (uint8_t)order;
	list_push(&free_lists[order], &m->plinks);
	free_blocks[order]++;
	free_pages += ORDER_PAGES(order);
}

static void
free_list_remove(struct vm_page *m)
{
	int order = m->order;

	KASSERT((m->flags & PG_FREE) != 0 && order < VM_NFREEORDER,
	    ("vm_phys: removing page 0x%lx that is no free block head",
	    (unsigned long)m->phys_addr));
	list_remove(&m->plinks);
	free_blocks[order]--;
	free_pages -= ORDER_PAGES(order);
	m->flags &= ~PG_FREE;
	m->order = VM_ORDER_NONE;
}

/*
 * The head of the free block that holds the page at pa, or NULL when that
 * page is allocated.  A free block holding pa with order k has its head
 * at pa rounded down to PAGE_SIZE << k, so try each k from the smallest.
 * A free head met at the k-th try with an order below k ends the search:
 * pa is not in it, and no larger free block can hold a free head.
 */
static struct vm_page *
free_block_containing(const struct vm_phys_seg *seg, paddr_t pa)
{
	for (int k = 0; k < VM_NFREEORDER; k++) {
		paddr_t head = rounddown2(pa, ORDER_BYTES(k));
		struct vm_page *m;

		if (head < seg->start)
			break;
		m = seg_page(seg, head);
		if ((m->flags & PG_FREE) != 0)
			return m->order >= k ? m : NULL;
	}
	return NULL;
}

/* Is any page of the block at m already free?  (Double-free check.) */
static bool __unused
block_overlaps_free(const struct vm_phys_seg *seg, struct vm_page *m, int order)
{
	if (free_block_containing(seg, m->phys_addr) != NULL)
		return true;
	for (uint64_t i = 1; i < ORDER_PAGES(order); i++)
		if ((m[i].flags & PG_FREE) != 0)
			return true;
	return false;
}

/*
 * Free the block of 2^order pages at m, merging it with its buddy for as
 * long as the buddy is a free block of the same order in the same segment.
 */
static void
free_block_locked(const struct vm_phys_seg *seg, struct vm_page *m, int order)
{
	paddr_t pa = m->phys_addr;

	KASSERT(order >= 0 && order < VM_NFREEORDER,
	    ("vm_phys_free: bad order %d", order));
	KASSERT((pa & (ORDER_BYTES(order) - 1)) == 0,
	    ("vm_phys_free: block 0x%lx is not aligned to order %d",
	    (unsigned long)pa, order));
	KASSERT(seg_holds(seg, pa, ORDER_BYTES(order)),
	    ("vm_phys_free: block 0x%lx order %d leaves its segment",
	    (unsigned long)pa, order));
	KASSERT(!block_overlaps_free(seg, m, order),
	    ("vm_phys_free: double free of block 0x%lx order %d",
	    (unsigned long)pa, order));

	while (order + 1 < VM_NFREEORDER) {
		paddr_t buddy_pa = pa ^ ORDER_BYTES(order);
		struct vm_page *buddy;

		if (!seg_holds(seg, buddy_pa, ORDER_BYTES(order)))
			break;
		buddy = seg_page(seg, buddy_pa);
		if ((buddy->flags & PG_FREE) == 0 || buddy->order != order)
			break;
		free_list_remove(buddy);
		pa &= ~ORDER_BYTES(order);
		order++;
	}
	free_list_insert(seg_page(seg, pa), order);
}

/* Free [start, end) of one segment in the largest aligned blocks. */
static void
free_run_locked(const struct vm_phys_seg *seg, paddr_t start, paddr_t end)
{
	while (start < end) {
		int order = largest_block(start, end);

		free_block_locked(seg, seg_page(seg, start), order);
		start += ORDER_BYTES(order);
	}
}

/*
 * Segments.
 */

int
vm_phys_add_seg(paddr_t start, paddr_t end, struct vm_page *pages)
{
	struct vm_phys_seg *seg;
	uint64_t npages;

	if (start >= end || (start & PAGE_MASK) != 0 ||
	    (end & PAGE_MASK) != 0 || pages == NULL)
		return EINVAL;
	npages = atop(end - start);

	spin_lock(&phys_lock);
	if (!free_lists_ready)
		free_lists_init_locked();
	if (phys_nsegs == VM_PHYS_MAXSEG) {
		spin_unlock(&phys_lock);
		return ENOSPC;
	}
	for (int i = 0; i < phys_nsegs; i++) {
		if (start < phys_segs[i].end && phys_segs[i].start < end) {
			spin_unlock(&phys_lock);
			return EINVAL;
		}
	}
	/*
	 * One pass over every page of RAM at boot: assign a whole structure
	 * (the compiler stores it inline) rather than call memset per page.
	 */
	for (uint64_t i = 0; i < npages; i++) {
		pages[i] = (struct vm_page){
			.phys_addr = start + ptoa(i),
			.segind = (uint8_t)phys_nsegs,
			.order = VM_ORDER_NONE,
			.astate = VM_PAGE_ASTATE_NONE,
		};
	}
	seg = &phys_segs[phys_nsegs];
	seg->start = start;
	seg->end = end;
	seg->first_page = pages;
	phys_nsegs++;
	spin_unlock(&phys_lock);
	return 0;
}

int
vm_phys_nsegs(void)
{
	return phys_nsegs;
}

const struct vm_phys_seg *
vm_phys_seg(int i)
{
	KASSERT(i >= 0 && i < phys_nsegs, ("vm_phys_seg: no segment %d", i));
	return &phys_segs[i];
}

/* A flat view's entry for no page: no object, no wirings, no segment. */
static void
hole_init(struct vm_page *m)
{
	*m = (struct vm_page){ .segind = SEG_NONE, .order = VM_ORDER_NONE,
	    .astate = VM_PAGE_ASTATE_NONE };
}

void
vm_phys_set_flat(paddr_t base, uint64_t npages, struct vm_page *pages)
{
	uint64_t i = 0;

	KASSERT(phys_nsegs < SEG_NONE, ("vm_phys_set_flat: %d segments", phys_nsegs));
	for (int s = 0; s < phys_nsegs; s++) {
		const struct vm_phys_seg *seg = &phys_segs[s];

		KASSERT(seg->start >= base && atop(seg->end - base) <= npages &&
		    seg->first_page == &pages[atop(seg->start - base)],
		    ("vm_phys_set_flat: segment %d is not where the flat view puts it", s));
		for (; i < atop(seg->start - base); i++)
			hole_init(&pages[i]);		/* a hole before it */
		i = atop(seg->end - base);
	}
	for (; i < npages; i++)
		hole_init(&pages[i]);
	vm_phys_flat.base = base;
	vm_phys_flat.pages = pages;
	vm_phys_flat.npages = npages;
}

struct vm_page *
vm_phys_to_page(paddr_t pa)
{
	uint64_t idx = atop(pa - vm_phys_flat.base);	/* below the base: wraps, past the end */

	if (__predict_true(idx < vm_phys_flat.npages))
		return vm_phys_flat.pages[idx].segind != SEG_NONE ? &vm_phys_flat.pages[idx] : NULL;
	for (int i = 0; i < phys_nsegs; i++)
		if (seg_holds(&phys_segs[i], pa, 1))
			return seg_page(&phys_segs[i], trunc_page(pa));
	return NULL;
}

void
vm_phys_reset(void)
{
	spin_lock(&phys_lock);
	memset(phys_segs, 0, sizeof(phys_segs));
	phys_nsegs = 0;
	vm_phys_flat.npages = 0;
	free_lists_init_locked();
	spin_unlock(&phys_lock);
}

/*
 * Freeing.
 */

void
vm_phys_free_range(paddr_t start, paddr_t end)
{
	uint64_t freed = 0;

	KASSERT((start & PAGE_MASK) == 0 && (end & PAGE_MASK) == 0 &&
	    start <= end, ("vm_phys_free_range: bad range [0x%lx, 0x%lx)",
	    (unsigned long)start, (unsigned long)end));

	for (int i = 0; i < phys_nsegs; i++) {
		const struct vm_phys_seg *seg = &phys_segs[i];
		paddr_t s = MAX(start, seg->start);
		paddr_t e = MIN(end, seg->end);

		if (s >= e)
			continue;
		/* Block by block, so the lock is never held for long. */
		while (s < e) {
			int order = largest_block(s, e);

			spin_lock(&phys_lock);
			free_block_locked(seg, seg_page(seg, s), order);
			spin_unlock(&phys_lock);
			s += ORDER_BYTES(order);
			freed += ORDER_PAGES(order);
		}
	}
	KASSERT(freed == atop(end - start),
	    ("vm_phys_free_range: [0x%lx, 0x%lx) is not all managed RAM",
	    (unsigned long)start, (unsigned long)end));
}

void
vm_phys_free_pages(struct vm_page *m, int order)
{
	const struct vm_phys_seg *seg = page_seg(m);

	spin_lock(&phys_lock);
	free_block_locked(seg, m, order);
	spin_unlock(&phys_lock);
}

void
vm_phys_free_contig(struct vm_page *m, uint64_t npages)
{
	const struct vm_phys_seg *seg = page_seg(m);

	KASSERT(npages > 0 && seg_holds(seg, m->phys_addr, ptoa(npages)),
	    ("vm_phys_free_contig: %lu pages at 0x%lx leave the segment",
	    (unsigned long)npages, (unsigned long)m->phys_addr));
	spin_lock(&phys_lock);
	free_run_locked(seg, m->phys_addr, m->phys_addr + ptoa(npages));
	spin_unlock(&phys_lock);
}

/*
 * Allocation.
 */

/* A block of 2^order pages from the buddy lists, split from the smallest that fits; NULL if none. */
static struct vm_page *
buddy_alloc_locked(int order)
{
	struct vm_page *m;
	int o;

	for (o = order; o < VM_NFREEORDER; o++)
		if (free_blocks[o] != 0)
			break;
	if (o == VM_NFREEORDER)
		return NULL;
	m = list_entry(list_first(&free_lists[o]), struct vm_page, plinks);
	free_list_remove(m);
	/* Split: keep the lower half and free the upper, down to 'order'. */
	while (o > order) {
		o--;
		free_list_insert(m + ORDER_PAGES(o), o);
	}
	return m;
}

/* A page of the zeroed pool (PG_ZERO kept), or NULL when it is empty. */
static struct vm_page *
zeroed_pop_locked(void)
{
	struct vm_page *m;

	if (zeroed_pages == 0)
		return NULL;
	m = list_entry(list_first(&zeroed_list), struct vm_page, plinks);
	KASSERT(m->flags & PG_ZERO, ("vm_phys: pool page 0x%lx is not zeroed",
	    (unsigned long)m->phys_addr));
	list_remove(&m->plinks);
	zeroed_pages--;
	free_pages--;
	return m;
}

/* Give every page of the zeroed pool back to the buddy lists, to merge. */
static void
zeroed_drain_locked(void)
{
	struct vm_page *m;

	while ((m = zeroed_pop_locked()) != NULL) {
		m->flags &= ~PG_ZERO;
		free_block_locked(page_seg(m), m, 0);
	}
}

struct vm_page *
vm_phys_alloc_pages(int order)
{
	struct vm_page *m;

	KASSERT(order >= 0 && order < VM_NFREEORDER,
	    ("vm_phys_alloc_pages: bad order %d", order));

	spin_lock(&phys_lock);
	if ((m = buddy_alloc_locked(order)) == NULL && zeroed_pages != 0) {
		if (order == 0) {
			m = zeroed_pop_locked();
			m->flags &= ~PG_ZERO;
		} else {
			zeroed_drain_locked();
			m = buddy_alloc_locked(order);
		}
	}
	spin_unlock(&phys_lock);
	return m;
}

struct vm_page *
vm_phys_alloc_zeroed(void)
{
	struct vm_page *m;

	spin_lock(&phys_lock);
	if ((m = zeroed_pop_locked()) == NULL)
		m = buddy_alloc_locked(0);
	spin_unlock(&phys_lock);
	return m;
}

void
vm_phys_drain_zeroed(void)
{
	spin_lock(&phys_lock);
	zeroed_drain_locked();
	spin_unlock(&phys_lock);
}

/* Would taking a page split a block of guard_order or more, and leave at most guard_blocks? */
static bool
take_hurts_locked(int guard_order, uint64_t guard_blocks)
{
	uint64_t large = 0;
	int o;

	for (o = 0; o < VM_NFREEORDER && free_blocks[o] == 0; o++)
		;
	if (o < guard_order || o == VM_NFREEORDER)
		return false;
	for (; o < VM_NFREEORDER; o++)
		large += free_blocks[o] << (o - guard_order);
	return large <= guard_blocks;
}

struct vm_page *
vm_phys_take_to_zero(uint64_t target, int guard_order, uint64_t guard_blocks)
{
	struct vm_page *m = NULL;

	spin_lock(&phys_lock);
	if (zeroed_pages + zeroing_pages < target && !take_hurts_locked(guard_order, guard_blocks) &&
	    (m = buddy_alloc_locked(0)) != NULL) {
		zeroing_pages++;
		free_pages++;	/* still free, only not allocatable for a while */
	}
	spin_unlock(&phys_lock);
	return m;
}

void
vm_phys_put_zeroed(struct vm_page *m)
{
	KASSERT(m->order == VM_ORDER_NONE && !(m->flags & (PG_FREE | PG_ZERO)),
	    ("vm_phys_put_zeroed: page 0x%lx is free already", (unsigned long)m->phys_addr));
	spin_lock(&phys_lock);
	KASSERT(zeroing_pages > 0, ("vm_phys_put_zeroed: no page was taken to be zeroed"));
	zeroing_pages--;
	m->flags |= PG_ZERO;
	list_push(&zeroed_list, &m->plinks);
	zeroed_pages++;
	spin_unlock(&phys_lock);
}

/*
 * Is every page of [pa, end) free?  If not, *stop is the first page that
 * is not.  Steps a whole free block at a time.
 */
static bool
run_is_free(const struct vm_phys_seg *seg, paddr_t pa, paddr_t end,
    paddr_t *stop)
{
	while (pa < end) {
		struct vm_page *head = free_block_containing(seg, pa);

		if (head == NULL) {
			*stop = pa;
			return false;
		}
		pa = head->phys_addr + ORDER_BYTES(head->order);
	}
	return true;
}

/*
 * Take the free pages [pa, end) off the free lists: remove every free
 * block that overlaps the run and give back the parts outside it.
 */
static void
take_run_locked(const struct vm_phys_seg *seg, paddr_t pa, paddr_t end)
{
	paddr_t p = pa;

	while (p < end) {
		struct vm_page *head = free_block_containing(seg, p);
		paddr_t bstart, bend;

		KASSERT(head != NULL, ("vm_phys: page 0x%lx of a free run is "
		    "not free", (unsigned long)p));
		bstart = head->phys_addr;
		bend = bstart + ORDER_BYTES(head->order);
		free_list_remove(head);
		if (bstart < pa)
			free_run_locked(seg, bstart, pa);
		if (bend > end)
			free_run_locked(seg, end, bend);
		p = bend;
	}
}

/*
 * First fit in one segment: candidate starts go up by 'alignment'; a
 * candidate that crosses a boundary moves to the next boundary, and one
 * that meets an allocated page moves past it.
 */
static struct vm_page *
alloc_contig_seg(const struct vm_phys_seg *seg, uint64_t len, paddr_t low,
    paddr_t high, uint64_t alignment, uint64_t boundary)
{
	paddr_t lo = MAX(seg->start, low);
	paddr_t hi = MIN(seg->end, high);
	paddr_t pa = roundup2(lo, alignment);
	paddr_t stop;

	while (pa >= lo && pa < hi && hi - pa >= len) {
		if (boundary != 0 && rounddown2(pa, boundary) !=
		    rounddown2(pa + len - 1, boundary)) {
			pa = roundup2(rounddown2(pa, boundary) + boundary,
			    alignment);
			continue;
		}
		if (run_is_free(seg, pa, pa + len, &stop)) {
			take_run_locked(seg, pa, pa + len);
			return seg_page(seg, pa);
		}
		pa = roundup2(stop + PAGE_SIZE, alignment);
	}
	return NULL;
}

struct vm_page *
vm_phys_alloc_contig(uint64_t npages, paddr_t low, paddr_t high,
    uint64_t alignment, uint64_t boundary)
{
	struct vm_page *m = NULL;
	uint64_t len;

	KASSERT(powerof2(alignment) && powerof2(boundary),
	    ("vm_phys_alloc_contig: alignment 0x%lx, boundary 0x%lx",
	    (unsigned long)alignment, (unsigned long)boundary));
	if (npages == 0 || mul_overflows(npages, PAGE_SIZE, &len))
		return NULL;
	if (alignment < PAGE_SIZE)
		alignment = PAGE_SIZE;
	if (boundary != 0 && len > boundary)
		return NULL;

	spin_lock(&phys_lock);
	for (int pass = 0; pass < 2 && m == NULL; pass++) {
		/* Second pass: with the zeroed pool's pages back in the buddy lists. */
		if (pass == 1 && zeroed_pages == 0)
			break;
		if (pass == 1)
			zeroed_drain_locked();
		for (int i = 0; i < phys_nsegs && m == NULL; i++)
			m = alloc_contig_seg(&phys_segs[i], len, low, high, alignment,
			    boundary);
	}
	spin_unlock(&phys_lock);
	return m;
}

/*
 * Counts.  Plain loads: a snapshot that may be stale by the time it is used.
 */

uint64_t
vm_phys_free_count(void)
{
	return __atomic_load_n(&free_pages, __ATOMIC_RELAXED);
}

uint64_t
vm_phys_zeroed_count(void)
{
	return __atomic_load_n(&zeroed_pages, __ATOMIC_RELAXED);
}

bool
vm_phys_has_block(int order)
{
	/* A pool page is a block of order 0 (what draining it would make is not known). */
	if (order == 0 && __atomic_load_n(&zeroed_pages, __ATOMIC_RELAXED) != 0)
		return true;
	for (int o = order; o < VM_NFREEORDER; o++)
		if (__atomic_load_n(&free_blocks[o], __ATOMIC_RELAXED) != 0)
			return true;
	return false;
}

uint64_t
vm_phys_free_blocks(int order)
{
	KASSERT(order >= 0 && order < VM_NFREEORDER,
	    ("vm_phys_free_blocks: bad order %d", order));
	return __atomic_load_n(&free_blocks[order], __ATOMIC_RELAXED);
}
