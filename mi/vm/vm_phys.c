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
 * Zeroed pages: the allocator knows which free pages hold only zeros
 * (idle harts zero some, vm_page_zero.c) without keeping them apart, so
 * they merge as any free pages do and pin nothing.  Every free block's
 * head page counts its zeroed pages.  A block with some zeroed pages but
 * not all ("mixed") also has each half's count at hand without a walk:
 * every page p of it but the head is the head of exactly one upper half
 * in the buddy tree below the block -- the one of order ctz(p's offset
 * in the block) -- and holds that half's count (a lower half shares its
 * head with its parent: its count is the parent's less the upper
 * half's).  So a split reads the halves' counts and a merge adds two. A
 * node with none or all zeroed needs no inner counts -- its halves are
 * as it is, and a split does not read them -- so freeing a block writes
 * none; a node can only become mixed by a merge of two halves that were
 * free blocks, and their heads' counts were written then. Each order has
 * three lists: blocks with no zeroed page, some, and only zeroed pages;
 * a request takes the kind it prefers and splits towards it (a plain one
 * away from zeroed pages, one for a zeroed page towards them) -- but
 * takes a smaller block of another kind rather than split a 2 MiB run.
 * A block handed out whole zeroed carries PG_ZERO; free pages never do.
 *
 * The allocator never touches the memory it manages: pages are not
 * zeroed here (and in host tests the physical addresses are fake).
 *
 * Locking: phys_lock (F) guards the free lists, the counts and the
 * order/PG_FREE/free_zeroed fields of every free page (and PG_ZERO of a
 * block as it is handed out).  The segment
 * table is written only while segments are registered at boot and read
 * without the lock after.
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
_Static_assert(SUPERPAGE_ORDER < VM_NFREEORDER, "a superpage's run is a buddy block");

/* Free blocks by the zeroed pages they hold: none, some, all. */
enum free_kind { FREE_PLAIN, FREE_MIXED, FREE_ZEROED, FREE_KINDS };

static struct list_node	free_lists[VM_NFREEORDER][FREE_KINDS];	/* (F) block heads */
static uint32_t		kind_orders[FREE_KINDS];	/* (F) bit o: free_lists[o][kind]
								 * not empty */
static uint64_t		free_blocks[VM_NFREEORDER];	/* (F) per order, every kind */
static uint64_t		free_pages;			/* (F) in all orders, and
								 * being zeroed */
static uint64_t		zeroed_pages;			/* (F) free and known zero */
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
		for (int k = 0; k < FREE_KINDS; k++)
			list_init(&free_lists[i][k]);
		free_blocks[i] = 0;
	}
	for (int k = 0; k < FREE_KINDS; k++)
		kind_orders[k] = 0;
	free_pages = 0;
	zeroed_pages = 0;
	zeroing_pages = 0;
	free_lists_ready = true;
}

static inline enum free_kind
block_kind(uint64_t zeroed, int order)
{
	if (zeroed == 0)
		return FREE_PLAIN;
	return zeroed == ORDER_PAGES(order) ? FREE_ZEROED : FREE_MIXED;
}

/* List m as a free block of 2^order pages, zeroed of them known zero. */
static inline __attribute__((always_inline)) void
free_list_insert(struct vm_page *m, int order, uint64_t zeroed)
{
	enum free_kind kind = block_kind(zeroed, order);

	m->flags |= PG_FREE;
	m->order = (uint8_t)order;
	m->free_zeroed = zeroed;
	list_push(&free_lists[order][kind], &m->plinks);
	kind_orders[kind] |= 1u << order;
	free_blocks[order]++;
	free_pages += ORDER_PAGES(order);
	zeroed_pages += zeroed;
}

/* Unlist the free block at m; its count stays in m (an upper half's is its parent's record). */
static inline __attribute__((always_inline)) void
free_list_remove(struct vm_page *m)
{
	int order = m->order;
	enum free_kind kind = block_kind(m->free_zeroed, order);

	KASSERT((m->flags & PG_FREE) != 0 && order < VM_NFREEORDER,
	    ("vm_phys: removing page 0x%lx that is no free block head",
	    (unsigned long)m->phys_addr));
	list_remove(&m->plinks);
	if (list_empty(&free_lists[order][kind]))
		kind_orders[kind] &= ~(1u << order);
	free_blocks[order]--;
	free_pages -= ORDER_PAGES(order);
	zeroed_pages -= m->free_zeroed;
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
 * Free the block of 2^order pages at m, zeroed of them known zero (none
 * or all), merging it with its buddy for as long as the buddy is a free
 * block of the same order in the same segment.
 */
static void
free_block_locked(const struct vm_phys_seg *seg, struct vm_page *m, int order, uint64_t zeroed)
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
	KASSERT(zeroed == 0 || zeroed == ORDER_PAGES(order),
	    ("vm_phys_free: block 0x%lx order %d with %lu zeroed pages", (unsigned long)pa,
	    order, (unsigned long)zeroed));

	while (order + 1 < VM_NFREEORDER) {
		paddr_t buddy_pa = pa ^ ORDER_BYTES(order);
		struct vm_page *buddy;

		if (!seg_holds(seg, buddy_pa, ORDER_BYTES(order)))
			break;
		buddy = seg_page(seg, buddy_pa);
		if ((buddy->flags & PG_FREE) == 0 || buddy->order != order)
			break;
		/* Merged as the upper half, this block's head keeps its count for the parent. */
		seg_page(seg, pa)->free_zeroed = zeroed;
		zeroed += buddy->free_zeroed;
		free_list_remove(buddy);
		pa &= ~ORDER_BYTES(order);
		order++;
	}
	free_list_insert(seg_page(seg, pa), order, zeroed);
}

/* Free [start, end) of one segment in the largest aligned blocks. */
static void
free_run_locked(const struct vm_phys_seg *seg, paddr_t start, paddr_t end)
{
	while (start < end) {
		int order = largest_block(start, end);

		free_block_locked(seg, seg_page(seg, start), order, 0);
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
			free_block_locked(seg, seg_page(seg, s), order, 0);
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

	KASSERT(!(m->flags & PG_ZERO), ("vm_phys_free_pages: page 0x%lx has PG_ZERO",
	    (unsigned long)m->phys_addr));
	spin_lock(&phys_lock);
	free_block_locked(seg, m, order, 0);
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

/*
 * The kinds of free block each request prefers, best first, and what it
 * takes otherwise.  A plain request takes pages not known zero, keeping
 * the zeroing done for the requests that want it; a request for a zeroed
 * page takes one known zero; zeroing completes mixed blocks first.
 */
static const enum free_kind plain_kinds[] = { FREE_PLAIN, FREE_MIXED };
static const enum free_kind zeroed_kinds[] = { FREE_ZEROED, FREE_MIXED };
static const enum free_kind only_zeroed_kinds[] = { FREE_ZEROED };
static const enum free_kind only_plain_kinds[] = { FREE_PLAIN };
static const enum free_kind to_zero_kinds[] = { FREE_MIXED, FREE_PLAIN };

/* The smallest order, from 'order' up, with a block of one of the kinds; VM_NFREEORDER if none. */
static inline __attribute__((always_inline)) int
lowest_order_locked(int order, const enum free_kind *kinds, int nkinds)
{
	uint32_t orders = 0;
	int o;

	for (int k = 0; k < nkinds; k++)
		orders |= kind_orders[kinds[k]];
	if ((orders >>= order) == 0)
		return VM_NFREEORDER;
	for (o = order; !(orders & 1); o++)	/* short; no count-trailing-zeros assumed */
		orders >>= 1;
	return o;
}

/* The first block of order o of the first of the kinds that has one there. */
static inline __attribute__((always_inline)) struct vm_page *
first_block_locked(int o, const enum free_kind *kinds, int nkinds)
{
	for (int k = 0;; k++) {
		if (kind_orders[kinds[k]] & (1u << o))
			return list_entry(list_first(&free_lists[o][kinds[k]]), struct vm_page,
			    plinks);
	}
}

/*
 * Take the free block m of order o off its list and split it down to
 * 'order', keeping at each step the half with fewer zeroed pages (more,
 * if want_zeroed) and freeing the other.  The block kept carries PG_ZERO
 * exactly when every page of it is known zero.
 */
static inline __attribute__((always_inline)) struct vm_page *
split_locked(struct vm_page *m, int o, int order, bool want_zeroed)
{
	uint64_t zeroed = m->free_zeroed;

	free_list_remove(m);
	while (o > order) {
		struct vm_page *upper;
		uint64_t upper_zeroed, lower_zeroed;

		o--;
		upper = m + ORDER_PAGES(o);
		/* Only a mixed node's inner counts are kept; the halves of the others are as they are. */
		if (zeroed == 0 || zeroed == ORDER_PAGES(o + 1))
			upper_zeroed = zeroed >> 1;
		else
			upper_zeroed = upper->free_zeroed;
		lower_zeroed = zeroed - upper_zeroed;
		if (want_zeroed ? lower_zeroed >= upper_zeroed : lower_zeroed <= upper_zeroed) {
			free_list_insert(upper, o, upper_zeroed);
			zeroed = lower_zeroed;
		} else {
			free_list_insert(m, o, lower_zeroed);
			m = upper;
			zeroed = upper_zeroed;
		}
	}
	m->flags = (uint8_t)((m->flags & ~PG_ZERO) | (zeroed == ORDER_PAGES(order) ? PG_ZERO : 0));
	return m;
}

/*
 * A block of 2^order pages, split from the smallest block of the kinds
 * preferred, or of the others when there is none -- or when the
 * preferred one is a superpage's run or more and one of the others is
 * smaller: a 2 MiB run is worth more than the zeroing done or saved.
 * NULL if none.
 */
static inline __attribute__((always_inline)) struct vm_page *
alloc_locked(int order, const enum free_kind *prefer, int nprefer,
    const enum free_kind *others, int nothers, bool want_zeroed)
{
	int o = lowest_order_locked(order, prefer, nprefer);

	if (o >= SUPERPAGE_ORDER) {		/* VM_NFREEORDER, none, is past it too */
		int other = lowest_order_locked(order, others, nothers);

		if (other < o) {
			o = other;
			prefer = others;
			nprefer = nothers;
		}
	}
	if (o >= VM_NFREEORDER)
		return NULL;
	return split_locked(first_block_locked(o, prefer, nprefer), o, order, want_zeroed);
}

struct vm_page *
vm_phys_alloc_pages(int order)
{
	struct vm_page *m;

	KASSERT(order >= 0 && order < VM_NFREEORDER,
	    ("vm_phys_alloc_pages: bad order %d", order));

	spin_lock(&phys_lock);
	m = alloc_locked(order, plain_kinds, nitems(plain_kinds), only_zeroed_kinds,
	    nitems(only_zeroed_kinds), false);
	spin_unlock(&phys_lock);
	return m;
}

struct vm_page *
vm_phys_alloc_zeroed(void)
{
	struct vm_page *m;

	spin_lock(&phys_lock);
	if (zeroed_pages == 0)		/* the common case while idle harts are busy elsewhere */
		m = alloc_locked(0, plain_kinds, nitems(plain_kinds), NULL, 0, false);
	else
		m = alloc_locked(0, zeroed_kinds, nitems(zeroed_kinds), only_plain_kinds,
		    nitems(only_plain_kinds), true);
	spin_unlock(&phys_lock);
	return m;
}

struct vm_page *
vm_phys_take_to_zero(uint64_t target)
{
	struct vm_page *m = NULL;

	spin_lock(&phys_lock);
	if (zeroed_pages + zeroing_pages < target &&
	    (m = alloc_locked(0, to_zero_kinds, nitems(to_zero_kinds), NULL, 0, false)) != NULL) {
		KASSERT(!(m->flags & PG_ZERO), ("vm_phys_take_to_zero: page 0x%lx is zero",
		    (unsigned long)m->phys_addr));
		zeroing_pages++;
		free_pages++;	/* still free, only not allocatable for a while */
	}
	spin_unlock(&phys_lock);
	return m;
}

void
vm_phys_put_zeroed(struct vm_page *m)
{
	const struct vm_phys_seg *seg = page_seg(m);

	KASSERT(m->order == VM_ORDER_NONE && !(m->flags & (PG_FREE | PG_ZERO)),
	    ("vm_phys_put_zeroed: page 0x%lx is free already", (unsigned long)m->phys_addr));
	spin_lock(&phys_lock);
	KASSERT(zeroing_pages > 0, ("vm_phys_put_zeroed: no page was taken to be zeroed"));
	zeroing_pages--;
	free_pages--;		/* counted again as the block is freed */
	free_block_locked(seg, m, 0, 1);
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
	for (int i = 0; i < phys_nsegs && m == NULL; i++)
		m = alloc_contig_seg(&phys_segs[i], len, low, high, alignment, boundary);
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
