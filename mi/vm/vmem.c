/*
 * vmem: resource arenas after Bonwick and Adams, "Magazines and Vmem"
 * (USENIX 2001).  See vmem.h for the interface.
 *
 * Segments.  Every arena keeps boundary tags on one list in address
 * order: a span marker (BT_SPAN) for each range added with vmem_add,
 * followed by the free (BT_FREE) and allocated (BT_ALLOC) segments that
 * tile that span exactly.  Two free segments are never adjacent within a
 * span: freeing coalesces with both neighbours.  Spans never merge, so
 * an allocation never straddles two vmem_add calls.
 *
 * Free lists.  A free segment of n quanta is on vm_freelist[floor(log2 n)].
 * Instant fit takes the first segment of the first non-empty list at or
 * above ceil(log2 n): every segment there has at least n quanta, so it
 * fits without a search.  Best fit searches from floor(log2 n) upward and
 * takes the smallest segment that fits from the first list holding one.
 * Either way, a constrained request (vmem_xalloc) or an instant fit that
 * found nothing falls back to a full first-fit scan, so ENOMEM means that
 * no free segment can hold the request.
 *
 * Hash.  Allocated segments hang on vm_hash chains keyed by start
 * address, for vmem_free.  The first table (VMEM_HASH_INITIAL buckets)
 * lives in the arena itself; when the chains average more than
 * VMEM_HASH_LOAD the table is replaced by a larger one from the page
 * allocator, allocated with the lock dropped.
 *
 * Boundary tags.  Each arena carves its tags from pages it gets from
 * kmem_page_alloc (direct-mapped memory, so there is no recursion into
 * any arena) and keeps unused ones on vm_tagfree.  Before taking the lock,
 * an operation that creates segments makes sure VMEM_TAGS_PER_OP tags are
 * on hand, allocating a page if not, so nothing is ever allocated under
 * the arena lock; vmem_free never needs a new tag.  Tag pages are given
 * back only by vmem_destroy.
 *
 * The arena structure is itself one page from kmem_page_alloc (no static
 * pool is needed), so vmem_create works as soon as kmem_page_alloc does,
 * before any arena exists.
 *
 * Locking: vm_lock, a spin lock, guards every field but the constant (C)
 * ones.  Operations take and drop it themselves.
 */
#include <kern/systm.h>
#include <kern/spinlock.h>
#include <kern/list.h>
#include <vm/vmem.h>
#include <vm/kmem.h>
#include <machine/param.h>

#define VMEM_NAME_MAX		32
#define VMEM_NFREELIST		64	/* one per power of two of quanta */
#define VMEM_HASH_INITIAL	64	/* buckets inside struct vmem */
#define VMEM_HASH_LOAD		2	/* grow past this many tags a bucket */
#define VMEM_HASH_MAXORDER	6	/* largest: 64 pages, 16384 buckets */
#define VMEM_TAGS_PER_OP	2	/* a split leaves two free parts */

/* Boundary tag types. */
#define BT_UNUSED	0	/* on vm_tagfree */
#define BT_SPAN		1	/* span marker, from vmem_add */
#define BT_FREE		2	/* on a free list */
#define BT_ALLOC	3	/* on a hash chain */

struct vmem_btag {
	struct list_node bt_seglink;	/* arena's segments, address order */
	struct list_node bt_link;	/* free list, hash chain, vm_tagfree */
	vmem_addr_t	bt_start;
	uint64_t	bt_size;
	int		bt_type;	/* BT_* */
};

/* A page of boundary tags. */
struct vmem_tagpage {
	struct list_node tp_link;	/* vm_tagpages */
	struct vmem_btag tp_tags[];
};
#define VMEM_TAGS_PER_PAGE \
	((PAGE_SIZE - sizeof(struct vmem_tagpage)) / sizeof(struct vmem_btag))

struct vmem {
	struct spinlock	vm_lock;
	char		vm_name[VMEM_NAME_MAX];	/* (C) */
	uint64_t	vm_quantum;		/* (C) */
	int		vm_qshift;		/* (C) log2(vm_quantum) */
	struct list_node vm_seglist;		/* all tags, address order */
	struct list_node vm_freelist[VMEM_NFREELIST];
	struct list_node *vm_hash;		/* allocated tags by address */
	uint64_t	vm_hashsize;		/* buckets, a power of two */
	int		vm_hashshift;		/* log2(vm_hashsize) */
	int		vm_hashorder;		/* page order, -1: vm_hash0 */
	struct list_node vm_tagfree;		/* unused tags */
	uint64_t	vm_ntagfree;
	struct list_node vm_tagpages;		/* pages holding tags */
	uint64_t	vm_size;		/* bytes in all spans */
	uint64_t	vm_inuse;		/* bytes allocated */
	uint64_t	vm_nbusy;		/* allocated segments */
	struct list_node vm_hash0[VMEM_HASH_INITIAL];	/* first table */
};

_Static_assert(sizeof(struct vmem) <= PAGE_SIZE, "struct vmem must fit a page");

/* A request, with the defaults filled in. */
struct vmem_req {
	uint64_t	size;		/* rounded to the quantum */
	uint64_t	align;		/* at least the quantum */
	uint64_t	phase;
	uint64_t	nocross;	/* 0: none */
	vmem_addr_t	minaddr;
	vmem_addr_t	maxaddr;	/* exclusive; ~0 when unlimited */
};

static inline int
log2_floor(uint64_t x)
{
	return 63 - __builtin_clzll(x);
}

static inline struct vmem_btag *
seg_entry(struct list_node *n)
{
	return list_entry(n, struct vmem_btag, bt_seglink);
}

static inline struct vmem_btag *
link_entry(struct list_node *n)
{
	return list_entry(n, struct vmem_btag, bt_link);
}

static inline vmem_addr_t
bt_end(const struct vmem_btag *bt)
{
	return bt->bt_start + bt->bt_size;
}

/*
 * Boundary tag reserve.  Called with the lock held unless noted.
 */

static void
bt_put(vmem_t *vm, struct vmem_btag *bt)
{
	bt->bt_type = BT_UNUSED;
	list_push(&vm->vm_tagfree, &bt->bt_link);
	vm->vm_ntagfree++;
}

static struct vmem_btag *
bt_get(vmem_t *vm)
{
	struct list_node *n = list_first(&vm->vm_tagfree);

	KASSERT(n != NULL, ("vmem %s: boundary tag reserve empty",
	    vm->vm_name));
	list_remove(n);
	vm->vm_ntagfree--;
	return link_entry(n);
}

static void
tagpage_add(vmem_t *vm, void *page)
{
	struct vmem_tagpage *tp = page;

	list_append(&vm->vm_tagpages, &tp->tp_link);
	for (uint64_t i = 0; i < VMEM_TAGS_PER_PAGE; i++)
		bt_put(vm, &tp->tp_tags[i]);
}

/*
 * Take the arena lock with at least VMEM_TAGS_PER_OP unused tags on hand.
 * Called without the lock; a page for tags is allocated with it dropped.
 * Returns 0 with the lock held, or ENOMEM without it (VMEM_NOWAIT only:
 * for VMEM_WAITOK running out of tags is fatal until the kernel can sleep).
 */
static int
vmem_lock_with_tags(vmem_t *vm, int flags)
{
	void *page;

	spin_lock(&vm->vm_lock);
	while (vm->vm_ntagfree < VMEM_TAGS_PER_OP) {
		spin_unlock(&vm->vm_lock);
		page = kmem_page_alloc(0, M_NOWAIT);
		if (page == NULL) {
			if ((flags & VMEM_NOWAIT) != 0)
				return ENOMEM;
			panic("vmem %s: no memory for boundary tags",
			    vm->vm_name);
		}
		spin_lock(&vm->vm_lock);
		tagpage_add(vm, page);
	}
	return 0;
}

/*
 * Free lists and hash chains.  Called with the lock held.
 */

static void
freelist_insert(vmem_t *vm, struct vmem_btag *bt)
{
	int i = log2_floor(bt->bt_size >> vm->vm_qshift);

	bt->bt_type = BT_FREE;
	list_push(&vm->vm_freelist[i], &bt->bt_link);
}

static struct list_node *
hash_bucket(const vmem_t *vm, vmem_addr_t addr)
{
	uint64_t h = (addr >> vm->vm_qshift) * 0x9e3779b97f4a7c15ULL;

	return &vm->vm_hash[h >> (64 - vm->vm_hashshift)];
}

static struct vmem_btag *
hash_lookup(const vmem_t *vm, vmem_addr_t addr)
{
	struct list_node *head = hash_bucket(vm, addr), *n;

	list_foreach(n, head) {
		struct vmem_btag *bt = link_entry(n);

		if (bt->bt_start == addr)
			return bt;
	}
	return NULL;
}

static void
hash_table_init(struct list_node *table, uint64_t nbuckets)
{
	for (uint64_t i = 0; i < nbuckets; i++)
		list_init(&table[i]);
}

static bool
hash_overloaded(const vmem_t *vm)
{
	return vm->vm_nbusy > VMEM_HASH_LOAD * vm->vm_hashsize &&
	    vm->vm_hashorder < VMEM_HASH_MAXORDER;
}

/*
 * Replace the hash table by one four times larger.  Called without the
 * lock; if the new table cannot be had, the old one still works.
 */
static void
hash_grow(vmem_t *vm)
{
	struct list_node *table, *old;
	uint64_t nbuckets, oldsize;
	int order = 0, oldorder;

	spin_lock(&vm->vm_lock);
	oldsize = vm->vm_hashsize;
	spin_unlock(&vm->vm_lock);
	while (order < VMEM_HASH_MAXORDER &&
	    (PAGE_SIZE << order) / sizeof(struct list_node) < 4 * oldsize)
		order++;
	table = kmem_page_alloc(order, M_NOWAIT);
	if (table == NULL)
		return;
	nbuckets = (PAGE_SIZE << order) / sizeof(struct list_node);
	hash_table_init(table, nbuckets);

	spin_lock(&vm->vm_lock);
	if (vm->vm_hashsize >= nbuckets) {
		/* Another thread grew it meanwhile. */
		spin_unlock(&vm->vm_lock);
		kmem_page_free(table, order);
		return;
	}
	old = vm->vm_hash;
	oldsize = vm->vm_hashsize;
	oldorder = vm->vm_hashorder;
	vm->vm_hash = table;
	vm->vm_hashsize = nbuckets;
	vm->vm_hashshift = log2_floor(nbuckets);
	vm->vm_hashorder = order;
	for (uint64_t i = 0; i < oldsize; i++) {
		struct list_node *n;

		while ((n = list_first(&old[i])) != NULL) {
			list_remove(n);
			list_push(hash_bucket(vm, link_entry(n)->bt_start), n);
		}
	}
	spin_unlock(&vm->vm_lock);
	if (oldorder >= 0)
		kmem_page_free(old, oldorder);
}

/*
 * Fitting a request into a free segment.
 */

/* The lowest address >= x that is phase modulo align. */
static inline vmem_addr_t
align_up(vmem_addr_t x, const struct vmem_req *req)
{
	return ((x - req->phase + req->align - 1) & ~(req->align - 1)) +
	    req->phase;
}

static inline bool
crosses(vmem_addr_t addr, uint64_t size, uint64_t nocross)
{
	return nocross != 0 &&
	    rounddown2(addr, nocross) != rounddown2(addr + size - 1, nocross);
}

/*
 * The lowest address in free segment bt where req fits.  A placement that
 * crosses a nocross line moves to the line; vmem_xalloc has checked that
 * the request fits between two lines, so that happens at most once.
 * Arithmetic that wraps past the top of the address space lands below
 * 'start' and is refused.
 */
static bool
vmem_fit(const struct vmem_btag *bt, const struct vmem_req *req,
    vmem_addr_t *addrp)
{
	vmem_addr_t start = MAX(bt->bt_start, req->minaddr);
	vmem_addr_t end = MIN(bt_end(bt), req->maxaddr);
	vmem_addr_t addr;

	if (start >= end)
		return false;
	addr = align_up(start, req);
	for (;;) {
		if (addr < start || addr >= end || end - addr < req->size)
			return false;
		if (!crosses(addr, req->size, req->nocross))
			break;
		addr = align_up(rounddown2(addr, req->nocross) + req->nocross,
		    req);
	}
	*addrp = addr;
	return true;
}

/*
 * First fit (or, with bestfit, the smallest fit) over the free lists from
 * 'first' up.  Segments in a higher list are all larger, so best fit can
 * stop at the first list that holds a fit.
 */
static struct vmem_btag *
vmem_scan(vmem_t *vm, const struct vmem_req *req, int first, bool bestfit,
    vmem_addr_t *addrp)
{
	struct vmem_btag *best = NULL;
	vmem_addr_t addr, best_addr = 0;

	for (int i = first; i < VMEM_NFREELIST && best == NULL; i++) {
		struct list_node *n;

		list_foreach(n, &vm->vm_freelist[i]) {
			struct vmem_btag *bt = link_entry(n);

			if (!vmem_fit(bt, req, &addr))
				continue;
			if (!bestfit) {
				*addrp = addr;
				return bt;
			}
			if (best == NULL || bt->bt_size < best->bt_size) {
				best = bt;
				best_addr = addr;
			}
		}
	}
	*addrp = best_addr;
	return best;
}

static struct vmem_btag *
vmem_find(vmem_t *vm, const struct vmem_req *req, int flags, vmem_addr_t *addrp)
{
	uint64_t quanta = req->size >> vm->vm_qshift;
	int maybe_list = log2_floor(quanta);	/* some segments fit */
	int sure_list = maybe_list + (powerof2(quanta) ? 0 : 1);  /* all fit */

	if ((flags & VMEM_BESTFIT) == 0) {
		for (int i = sure_list; i < VMEM_NFREELIST; i++) {
			struct list_node *n = list_first(&vm->vm_freelist[i]);

			if (n != NULL && vmem_fit(link_entry(n), req, addrp))
				return link_entry(n);
		}
	}
	return vmem_scan(vm, req, maybe_list, (flags & VMEM_BESTFIT) != 0,
	    addrp);
}

/*
 * Allocate [addr, addr+size) out of free segment bt: the parts before and
 * after it become free segments of their own.
 */
static void
vmem_carve(vmem_t *vm, struct vmem_btag *bt, vmem_addr_t addr, uint64_t size)
{
	struct vmem_btag *part;

	list_remove(&bt->bt_link);
	if (addr > bt->bt_start) {
		part = bt_get(vm);
		part->bt_start = bt->bt_start;
		part->bt_size = addr - bt->bt_start;
		list_insert_between(&part->bt_seglink, bt->bt_seglink.prev,
		    &bt->bt_seglink);
		freelist_insert(vm, part);
		bt->bt_start = addr;
		bt->bt_size -= part->bt_size;
	}
	if (bt->bt_size > size) {
		part = bt_get(vm);
		part->bt_start = addr + size;
		part->bt_size = bt->bt_size - size;
		list_insert_between(&part->bt_seglink, &bt->bt_seglink,
		    bt->bt_seglink.next);
		freelist_insert(vm, part);
		bt->bt_size = size;
	}
	bt->bt_type = BT_ALLOC;
	list_push(hash_bucket(vm, addr), &bt->bt_link);
	vm->vm_inuse += size;
	vm->vm_nbusy++;
}

/* Merge free segment 'other', a neighbour of bt, into bt. */
static void
vmem_absorb(vmem_t *vm, struct vmem_btag *bt, struct vmem_btag *other)
{
	list_remove(&other->bt_link);
	list_remove(&other->bt_seglink);
	if (other->bt_start < bt->bt_start)
		bt->bt_start = other->bt_start;
	bt->bt_size += other->bt_size;
	bt_put(vm, other);
}

/* Return allocated segment bt to the free lists, coalescing. */
static void
vmem_release(vmem_t *vm, struct vmem_btag *bt)
{
	struct list_node *prev = bt->bt_seglink.prev;
	struct list_node *next = bt->bt_seglink.next;

	list_remove(&bt->bt_link);
	vm->vm_inuse -= bt->bt_size;
	vm->vm_nbusy--;
	/* The list head and span markers are never BT_FREE. */
	if (prev != &vm->vm_seglist && seg_entry(prev)->bt_type == BT_FREE)
		vmem_absorb(vm, bt, seg_entry(prev));
	if (next != &vm->vm_seglist && seg_entry(next)->bt_type == BT_FREE)
		vmem_absorb(vm, bt, seg_entry(next));
	freelist_insert(vm, bt);
}

/*
 * The interface.
 */

vmem_t *
vmem_create(const char *name, vmem_addr_t base, uint64_t size,
    uint64_t quantum, int flags)
{
	vmem_t *vm;

	KASSERT(quantum != 0 && powerof2(quantum),
	    ("vmem_create %s: quantum 0x%lx", name, (unsigned long)quantum));
	KASSERT(((base | size) & (quantum - 1)) == 0,
	    ("vmem_create %s: [0x%lx, +0x%lx) not in quanta", name,
	    (unsigned long)base, (unsigned long)size));

	vm = kmem_page_alloc(0, M_NOWAIT | M_ZERO);
	if (vm == NULL)
		return NULL;
	spin_init(&vm->vm_lock, "vmem");
	strlcpy(vm->vm_name, name, sizeof(vm->vm_name));
	vm->vm_quantum = quantum;
	vm->vm_qshift = log2_floor(quantum);
	list_init(&vm->vm_seglist);
	for (int i = 0; i < VMEM_NFREELIST; i++)
		list_init(&vm->vm_freelist[i]);
	hash_table_init(vm->vm_hash0, VMEM_HASH_INITIAL);
	vm->vm_hash = vm->vm_hash0;
	vm->vm_hashsize = VMEM_HASH_INITIAL;
	vm->vm_hashshift = log2_floor(VMEM_HASH_INITIAL);
	vm->vm_hashorder = -1;
	list_init(&vm->vm_tagfree);
	list_init(&vm->vm_tagpages);

	if (size != 0 && vmem_add(vm, base, size, flags | VMEM_NOWAIT) != 0) {
		vmem_destroy(vm);
		return NULL;
	}
	return vm;
}

void
vmem_destroy(vmem_t *vm)
{
	struct list_node *n;

	KASSERT(vm->vm_nbusy == 0,
	    ("vmem_destroy %s: %lu segments (0x%lx bytes) still allocated",
	    vm->vm_name, (unsigned long)vm->vm_nbusy,
	    (unsigned long)vm->vm_inuse));
	/* Every tag lives in one of these pages, whatever list it is on. */
	while ((n = list_first(&vm->vm_tagpages)) != NULL) {
		list_remove(n);
		kmem_page_free(list_entry(n, struct vmem_tagpage, tp_link), 0);
	}
	if (vm->vm_hashorder >= 0)
		kmem_page_free(vm->vm_hash, vm->vm_hashorder);
	kmem_page_free(vm, 0);
}

/* Fill in req, checking the constraints can be met at all. */
static void
vmem_req_init(const vmem_t *vm, struct vmem_req *req, uint64_t size,
    uint64_t align, uint64_t phase, uint64_t nocross, vmem_addr_t minaddr,
    vmem_addr_t maxaddr)
{
	uint64_t qmask __unused = vm->vm_quantum - 1;

	KASSERT(size != 0, ("vmem_xalloc %s: size 0", vm->vm_name));
	KASSERT(powerof2(align) && (align & qmask) == 0 &&
	    (phase & qmask) == 0 && (align == 0 ? phase == 0 : phase < align),
	    ("vmem_xalloc %s: align 0x%lx phase 0x%lx", vm->vm_name,
	    (unsigned long)align, (unsigned long)phase));
	KASSERT(maxaddr == 0 || minaddr < maxaddr,
	    ("vmem_xalloc %s: empty window [0x%lx, 0x%lx)", vm->vm_name,
	    (unsigned long)minaddr, (unsigned long)maxaddr));

	req->size = roundup2(size, vm->vm_quantum);
	req->align = align != 0 ? align : vm->vm_quantum;
	req->phase = phase;
	req->nocross = nocross;
	req->minaddr = minaddr;
	req->maxaddr = maxaddr != 0 ? maxaddr : ~(vmem_addr_t)0;

	KASSERT(nocross == 0 || (powerof2(nocross) &&
	    (phase & (nocross - 1)) + req->size <= nocross),
	    ("vmem_xalloc %s: 0x%lx bytes at phase 0x%lx cannot avoid crossing "
	    "0x%lx", vm->vm_name, (unsigned long)req->size,
	    (unsigned long)phase, (unsigned long)nocross));
}

int
vmem_xalloc(vmem_t *vm, uint64_t size, uint64_t align, uint64_t phase,
    uint64_t nocross, vmem_addr_t minaddr, vmem_addr_t maxaddr, int flags,
    vmem_addr_t *addrp)
{
	struct vmem_req req;
	struct vmem_btag *bt;
	vmem_addr_t addr;
	bool grow;
	int error;

	vmem_req_init(vm, &req, size, align, phase, nocross, minaddr, maxaddr);
	if (req.size == 0)		/* rounding wrapped: cannot fit */
		return ENOMEM;
	error = vmem_lock_with_tags(vm, flags);
	if (error != 0)
		return error;
	bt = vmem_find(vm, &req, flags, &addr);
	if (bt == NULL) {
		spin_unlock(&vm->vm_lock);
		return ENOMEM;
	}
	vmem_carve(vm, bt, addr, req.size);
	grow = hash_overloaded(vm);
	spin_unlock(&vm->vm_lock);

	if (grow)
		hash_grow(vm);
	*addrp = addr;
	return 0;
}

int
vmem_alloc(vmem_t *vm, uint64_t size, int flags, vmem_addr_t *addrp)
{
	return vmem_xalloc(vm, size, 0, 0, 0, 0, 0, flags, addrp);
}

void
vmem_free(vmem_t *vm, vmem_addr_t addr, uint64_t size)
{
	struct vmem_btag *bt;

	size = roundup2(size, vm->vm_quantum);
	spin_lock(&vm->vm_lock);
	bt = hash_lookup(vm, addr);
	if (bt == NULL)
		panic("vmem_free %s: 0x%lx was not allocated", vm->vm_name,
		    (unsigned long)addr);
	if (bt->bt_size != size)
		panic("vmem_free %s: 0x%lx freed with size 0x%lx, allocated "
		    "with 0x%lx", vm->vm_name, (unsigned long)addr,
		    (unsigned long)size, (unsigned long)bt->bt_size);
	vmem_release(vm, bt);
	spin_unlock(&vm->vm_lock);
}

/*
 * Insert the span [base, base+size) and its one free segment before the
 * first span that starts above it, keeping the list in address order.
 */
static void
vmem_add_locked(vmem_t *vm, vmem_addr_t base, uint64_t size)
{
	struct vmem_btag *span, *bt;
	struct list_node *pos;

	list_foreach(pos, &vm->vm_seglist) {
		bt = seg_entry(pos);
		if (bt->bt_type != BT_SPAN)
			continue;
		KASSERT(bt_end(bt) <= base || base + size <= bt->bt_start,
		    ("vmem_add %s: [0x%lx, +0x%lx) overlaps a span at 0x%lx",
		    vm->vm_name, (unsigned long)base, (unsigned long)size,
		    (unsigned long)bt->bt_start));
		if (bt->bt_start > base)
			break;
	}
	span = bt_get(vm);
	span->bt_type = BT_SPAN;
	span->bt_start = base;
	span->bt_size = size;
	list_insert_between(&span->bt_seglink, pos->prev, pos);
	bt = bt_get(vm);
	bt->bt_start = base;
	bt->bt_size = size;
	list_insert_between(&bt->bt_seglink, &span->bt_seglink, pos);
	freelist_insert(vm, bt);
	vm->vm_size += size;
}

int
vmem_add(vmem_t *vm, vmem_addr_t base, uint64_t size, int flags)
{
	vmem_addr_t end __unused;
	int error;

	KASSERT(size != 0 && ((base | size) & (vm->vm_quantum - 1)) == 0 &&
	    !add_overflows(base, size, &end),
	    ("vmem_add %s: bad span [0x%lx, +0x%lx)", vm->vm_name,
	    (unsigned long)base, (unsigned long)size));
	error = vmem_lock_with_tags(vm, flags);
	if (error != 0)
		return error;
	vmem_add_locked(vm, base, size);
	spin_unlock(&vm->vm_lock);
	return 0;
}

uint64_t
vmem_size_free(vmem_t *vm)
{
	uint64_t n;

	spin_lock(&vm->vm_lock);
	n = vm->vm_size - vm->vm_inuse;
	spin_unlock(&vm->vm_lock);
	return n;
}

uint64_t
vmem_size_allocated(vmem_t *vm)
{
	uint64_t n;

	spin_lock(&vm->vm_lock);
	n = vm->vm_inuse;
	spin_unlock(&vm->vm_lock);
	return n;
}

/*
 * Consistency check.  Each failure panics naming the arena and what is
 * wrong; these run whether or not KASSERTs are compiled in.
 */
#define VMEM_CHECK(vm, cond, fmt, ...) do {				\
	if (__predict_false(!(cond)))					\
		panic("vmem_check %s: " fmt, (vm)->vm_name, ##__VA_ARGS__); \
} while (0)

/* What the walk of the segment list has seen so far. */
struct vmem_walk {
	const struct vmem_btag *span;	/* current span, or NULL */
	vmem_addr_t	cursor;		/* where the next segment must start */
	int		prev_type;	/* type of the previous tag */
	uint64_t	size;		/* sum of spans */
	uint64_t	inuse;		/* sum of allocated segments */
	uint64_t	nbusy;		/* allocated segments */
	uint64_t	nfree[VMEM_NFREELIST];	/* free segments per list */
};

/* The previous span, if any, is tiled exactly; spans are in order. */
static void
check_span(const vmem_t *vm, struct vmem_walk *w, const struct vmem_btag *bt)
{
	const struct vmem_btag *prev = w->span;

	VMEM_CHECK(vm, prev == NULL || w->cursor == bt_end(prev),
	    "span at 0x%lx not tiled (segments end at 0x%lx)",
	    prev ? (unsigned long)prev->bt_start : 0UL,
	    (unsigned long)w->cursor);
	VMEM_CHECK(vm, prev == NULL || bt->bt_start >= bt_end(prev),
	    "span at 0x%lx out of order or overlapping",
	    (unsigned long)bt->bt_start);
	w->span = bt;
	w->cursor = bt->bt_start;
	w->size += bt->bt_size;
}

/* A segment starts where the last ended, inside its span. */
static void
check_segment(const vmem_t *vm, struct vmem_walk *w, const struct vmem_btag *bt)
{
	unsigned long start = bt->bt_start, len = bt->bt_size;

	VMEM_CHECK(vm, w->span != NULL, "segment 0x%lx before any span", start);
	VMEM_CHECK(vm, start == w->cursor, "segment at 0x%lx, expected 0x%lx: "
	    "overlap or gap", start, (unsigned long)w->cursor);
	VMEM_CHECK(vm, len <= bt_end(w->span) - start,
	    "segment [0x%lx, +0x%lx) leaves its span", start, len);
	if (bt->bt_type == BT_FREE) {
		VMEM_CHECK(vm, w->prev_type != BT_FREE,
		    "free segments at 0x%lx not coalesced", start);
		w->nfree[log2_floor(len >> vm->vm_qshift)]++;
	} else {
		w->inuse += len;
		w->nbusy++;
	}
	w->cursor += len;
}

/* Walk the address-ordered list, then compare the totals. */
static void
check_segments(const vmem_t *vm, struct vmem_walk *w)
{
	uint64_t qmask = vm->vm_quantum - 1;
	struct list_node *n;

	list_foreach(n, &vm->vm_seglist) {
		const struct vmem_btag *bt = seg_entry(n);

		VMEM_CHECK(vm, bt->bt_size != 0 &&
		    ((bt->bt_start | bt->bt_size) & qmask) == 0,
		    "tag [0x%lx, +0x%lx) not in quanta",
		    (unsigned long)bt->bt_start, (unsigned long)bt->bt_size);
		if (bt->bt_type == BT_SPAN)
			check_span(vm, w, bt);
		else if (bt->bt_type == BT_FREE || bt->bt_type == BT_ALLOC)
			check_segment(vm, w, bt);
		else
			VMEM_CHECK(vm, false, "tag at 0x%lx has type %d",
			    (unsigned long)bt->bt_start, bt->bt_type);
		w->prev_type = bt->bt_type;
	}
	VMEM_CHECK(vm, w->span == NULL || w->cursor == bt_end(w->span),
	    "last span not tiled (segments end at 0x%lx)",
	    (unsigned long)w->cursor);
	VMEM_CHECK(vm, w->size == vm->vm_size,
	    "spans hold 0x%lx, arena says 0x%lx",
	    (unsigned long)w->size, (unsigned long)vm->vm_size);
	VMEM_CHECK(vm, w->inuse == vm->vm_inuse && w->nbusy == vm->vm_nbusy,
	    "0x%lx bytes in %lu segments allocated, arena says 0x%lx in %lu",
	    (unsigned long)w->inuse, (unsigned long)w->nbusy,
	    (unsigned long)vm->vm_inuse, (unsigned long)vm->vm_nbusy);
}

/* Every free list holds exactly the free segments of its size class. */
static void
check_freelists(const vmem_t *vm, const struct vmem_walk *w)
{
	for (int i = 0; i < VMEM_NFREELIST; i++) {
		struct list_node *n;
		uint64_t count = 0;

		list_foreach(n, &vm->vm_freelist[i]) {
			const struct vmem_btag *bt = link_entry(n);

			VMEM_CHECK(vm, bt->bt_type == BT_FREE &&
			    log2_floor(bt->bt_size >> vm->vm_qshift) == i,
			    "free list %d holds tag 0x%lx+0x%lx of type %d", i,
			    (unsigned long)bt->bt_start,
			    (unsigned long)bt->bt_size, bt->bt_type);
			count++;
		}
		VMEM_CHECK(vm, count == w->nfree[i], "free list %d has %lu "
		    "tags, the segment list %lu", i, (unsigned long)count,
		    (unsigned long)w->nfree[i]);
	}
}

/* The hash holds exactly the allocated segments, each in its bucket. */
static void
check_hash(const vmem_t *vm)
{
	uint64_t count = 0;

	for (uint64_t i = 0; i < vm->vm_hashsize; i++) {
		struct list_node *n;

		list_foreach(n, &vm->vm_hash[i]) {
			const struct vmem_btag *bt = link_entry(n);

			VMEM_CHECK(vm, bt->bt_type == BT_ALLOC &&
			    hash_bucket(vm, bt->bt_start) == &vm->vm_hash[i],
			    "hash bucket %lu holds tag 0x%lx of type %d",
			    (unsigned long)i, (unsigned long)bt->bt_start,
			    bt->bt_type);
			count++;
		}
	}
	VMEM_CHECK(vm, count == vm->vm_nbusy,
	    "hash holds %lu tags, %lu allocated",
	    (unsigned long)count, (unsigned long)vm->vm_nbusy);
}

static void
check_tag_reserve(const vmem_t *vm)
{
	struct list_node *n;
	uint64_t count = 0;

	list_foreach(n, &vm->vm_tagfree) {
		VMEM_CHECK(vm, link_entry(n)->bt_type == BT_UNUSED,
		    "tag reserve holds a tag in use");
		count++;
	}
	VMEM_CHECK(vm, count == vm->vm_ntagfree,
	    "tag reserve counts %lu, holds %lu",
	    (unsigned long)vm->vm_ntagfree, (unsigned long)count);
}

void
vmem_check(vmem_t *vm)
{
	struct vmem_walk walk;

	memset(&walk, 0, sizeof(walk));
	walk.prev_type = BT_UNUSED;
	spin_lock(&vm->vm_lock);
	check_segments(vm, &walk);
	check_freelists(vm, &walk);
	check_hash(vm);
	check_tag_reserve(vm);
	spin_unlock(&vm->vm_lock);
}
