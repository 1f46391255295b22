/*
 * The zone allocator (see zone.h): fixed-size items carved from slabs,
 * with a small per-cpu cache in front of each zone.
 *
 * Slabs.  A slab is one naturally aligned block of 2^z_order direct-mapped
 * pages from kmem_page_alloc.  Items start at the block's first byte and
 * are packed at z_size intervals; the slab header (struct slab, followed
 * by a bitmap with one bit per item) sits at the end of the block, at
 * offset z_hdroff.  The block's kmem owner cookie points at the header,
 * so kmem_page_owner(item) finds the slab of any item, and the header
 * names its zone.  Free items in a slab are linked through their first
 * word (sl_freelist); the bitmap says which items are on that list, so a
 * double free into a slab, or a corrupted free list, is caught at once.
 * A second bitmap says which items a caller holds (set by zone_alloc,
 * cleared by zone_free, atomically: a cpu's cache does not lock the
 * slab): with INVARIANTS a free of an item not held, a double free into
 * a cache included, panics at once, in constant time.
 *
 * A zone keeps its slabs on three lists by fill state: partial (allocate
 * from these first, to let the others drain), full and empty.  At most
 * ZONE_EMPTY_RESERVE empty slabs are kept; a slab that empties beyond
 * that goes back to the page allocator.  zone_reclaim gives back all
 * empty slabs.
 *
 * Per-cpu caches.  Each zone has one struct zone_cache per possible cpu,
 * a LIFO stack of up to z_cache_max free items (fewer for big items, so
 * idle caches do not pin much memory).  A cpu uses only its own cache,
 * inside a critical section (interrupts off, so no migration and no
 * interrupt handler on the same cpu can interleave).  An empty cache is
 * refilled with z_cache_batch items from the slabs; a full one flushes
 * its z_cache_batch coldest items back.  Each cache also has a lock: the
 * owning cpu always takes it, uncontended, and zone_reclaim,
 * zone_destroy and zone_get_stats take it to reach other cpus' caches.
 * That keeps reclaim correct on every cpu and the statistics exact.  It
 * is a bare lock (cache_lock: one atomic swap to take, one store to
 * release), not a spin lock: it is only ever taken inside a critical
 * section, held for a few instructions, and nothing but z_lock is taken
 * under it, so the lock-order checker has nothing to learn from it, and
 * the spin lock's bookkeeping (witness, nesting, owner) would be most of
 * an allocation's cost.
 * ZONE_NOCACHE zones go straight to the slab layer.
 *
 * Type-stable zones (zone_create_stable, after UMA's NOFREE zones with an
 * init function): a slab, once made, stays the zone's for good, and each
 * item is initialized once, when its slab is made, not at each
 * allocation.  A stale pointer to a freed item therefore still points at
 * an item of the zone whose init-time fields (a lock) are intact: the
 * page daemon locks an object through a page's object pointer that may
 * have gone stale (vm_object.h).
 *
 * Items held in caches are "out" of their slabs (counted in sl_inuse and
 * z_items_out) but are reported as free in zone_stats.
 *
 * Memory for struct zone comes from the "zones" zone, which is itself a
 * static struct zone set up by hand on first use (zone_bootstrap); it has
 * no caches since zones are created and destroyed rarely.
 *
 * Waiting: M_WAITOK and M_NOWAIT are passed to kmem_page_alloc.  When no
 * page is available both return NULL and count a failure; M_WAITOK will
 * sleep instead once the pageout daemon exists (a later issue).  No zone
 * lock is held while pages are allocated or freed.
 *
 * Locking:
 *   (C) constant after zone_create
 *   (L) zone_list_lock
 *   (Z) the zone's z_lock
 *   (K) the cache's zc_lock (cache_lock)
 * Lock order: zone_list_lock, then caches' zc_lock in cpu index order,
 * then z_lock.  kmem_page_* (which take the page allocator's locks) are
 * never called with z_lock or a zc_lock held; zone_reclaim_all calls
 * kmem_page_free with zone_list_lock held.
 */
#include <kern/systm.h>
#include <kern/spinlock.h>
#include <kern/list.h>
#include <kern/pcpu.h>
#include <kern/witness.h>
#include <vm/zone.h>
#include <vm/kmem.h>
#include <machine/cpu.h>
#include <machine/param.h>

#define ZONE_NAME_MAX		32
#define ZONE_MAX_ORDER		3	/* largest slab: 8 pages */
#define ZONE_MIN_ITEMS		8	/* items per slab we aim for */
#define ZONE_MAX_WASTE_DIV	8	/* ... with at most 1/8 of the slab wasted */
#define ZONE_EMPTY_RESERVE	1	/* empty slabs a zone keeps */
#define ZONE_CACHE_MAX		32	/* items per per-cpu cache, at most */
#define ZONE_CACHE_MIN		4	/* ... and at least */
#define ZONE_CACHE_BYTES	16384	/* cap a cache's bytes for big items */

#define ZONE_MAGIC		0x7a6f6e65U	/* "zone" */
#define SLAB_MAGIC		0x736c6162U	/* "slab" */

struct zone_cache {
	uint32_t	zc_lock;		/* (A) 0 or 1: cache_lock; uncontended on the fast path */
	uint32_t	zc_count;		/* (K) items in zc_items */
	uint64_t	zc_requests;		/* (K) allocations served here */
	void		*zc_items[ZONE_CACHE_MAX]; /* (K) stack: hottest on top */
} __aligned(CACHE_LINE_SIZE);

struct slab {
	uint32_t	sl_magic;		/* (C) SLAB_MAGIC while live */
	uint32_t	sl_inuse;		/* (Z) items out: cached or in use */
	struct list_node sl_link;		/* (Z) on z_partial/z_full/z_empty */
	struct zone	*sl_zone;		/* (C) owner */
	void		*sl_freelist;		/* (Z) free items, through word 0 */
	/*
	 * (Z) bit i: item i on sl_freelist; then, as many words on, (A) bit
	 * i: item i held by a caller (see slab_outmap).
	 */
	uint64_t	sl_freemap[];
};

struct zone {
	uint32_t	z_magic;		/* (C) ZONE_MAGIC while live */
	int		z_flags;		/* (C) ZONE_* */
	struct list_node z_link;		/* (L) on zone_list */
	char		z_name[ZONE_NAME_MAX];	/* (C) */
	size_t		z_size;			/* (C) item size, multiple of z_align */
	size_t		z_align;		/* (C) item alignment */
	int		z_order;		/* (C) slab is 2^z_order pages */
	uint32_t	z_ipers;		/* (C) items per slab */
	size_t		z_hdroff;		/* (C) slab header offset in the block */
	uint32_t	z_cache_max;		/* (C) cache capacity; 0: no caches */
	uint32_t	z_cache_batch;		/* (C) items per refill or flush */
	void		(*z_init)(void *);	/* (C) type-stable zones: once per item */

	struct spinlock	z_lock;
	struct list_node z_partial;		/* (Z) slabs with some items free */
	struct list_node z_full;		/* (Z) slabs with none free */
	struct list_node z_empty;		/* (Z) slabs with all free */
	uint64_t	z_nslabs;		/* (Z) slabs on the three lists */
	uint64_t	z_nempty;		/* (Z) slabs on z_empty */
	uint64_t	z_items_out;		/* (Z) items out of slabs */
	uint64_t	z_requests;		/* (Z) allocations not via a cache */
	uint64_t	z_failures;		/* (Z) allocations that got NULL */

	struct zone_cache z_cache[MAXCPU];	/* (K) per-cpu caches */
};

#define ZONE_RECLAIMERS_MAX	4	/* other caches zone_reclaim_all empties */

static struct spinlock	zone_list_lock = SPINLOCK_INITIALIZER("zone_list");
static void		(*zone_reclaimers[ZONE_RECLAIMERS_MAX])(void);	/* (L) */
static int		zone_nreclaimers;				/* (L) */
static struct list_node	zone_list = LIST_HEAD_INIT(zone_list);	/* (L) */
static bool		zone_bootstrapped;			/* (L) */
static struct zone	zone_zones;		/* holds every other struct zone */

/*
 * Slab geometry.
 */

static inline size_t
slab_block_size(const struct zone *z)
{
	return PAGE_SIZE << z->z_order;
}

/* Bytes of a slab header with its two bitmaps for ipers items. */
static size_t
slab_header_size(uint32_t ipers)
{
	return sizeof(struct slab) + 2 * howmany(ipers, 64) * sizeof(uint64_t);
}

/* How many items of size bytes fit in a 2^order block with the header. */
static uint32_t
slab_capacity(size_t size, int order)
{
	size_t block = PAGE_SIZE << order;
	uint32_t n;

	if (block < sizeof(struct slab) + sizeof(uint64_t) + size)
		return 0;
	/* Guess ignoring the bitmap, then shrink until the bitmap fits too. */
	n = (block - sizeof(struct slab)) / size;
	while (n > 0 && n * size + slab_header_size(n) > block)
		n--;
	return n;
}

/*
 * The smallest slab order that holds ZONE_MIN_ITEMS items while wasting
 * at most 1/ZONE_MAX_WASTE_DIV of the block; failing that, the order
 * that wastes the smallest fraction.  -1 if the item fits in no slab.
 */
static int
slab_pick_order(size_t size)
{
	size_t block, waste, best_block = 0, best_waste = 0;
	int order, best = -1;
	uint32_t n;

	for (order = 0; order <= ZONE_MAX_ORDER; order++) {
		n = slab_capacity(size, order);
		if (n == 0)
			continue;
		block = PAGE_SIZE << order;
		waste = block - n * size;
		if (n >= ZONE_MIN_ITEMS && waste * ZONE_MAX_WASTE_DIV <= block)
			return order;
		/* waste/block < best_waste/best_block, without division */
		if (best < 0 || waste * best_block < best_waste * block) {
			best = order;
			best_block = block;
			best_waste = waste;
		}
	}
	return best;
}

static inline char *
slab_base(const struct zone *z, const struct slab *s)
{
	return (char *)s - z->z_hdroff;
}

static inline uint32_t
slab_item_index(const struct zone *z, const struct slab *s, const void *item)
{
	return (uint32_t)(((const char *)item - slab_base(z, s)) / z->z_size);
}

static inline bool
slab_item_is_free(const struct slab *s, uint32_t i)
{
	return (s->sl_freemap[i / 64] >> (i % 64)) & 1;
}

/* The bitmap of the items callers hold, after the free map. */
static inline uint64_t *
slab_outmap(const struct zone *z, struct slab *s)
{
	return &s->sl_freemap[howmany(z->z_ipers, 64)];
}

static inline void
slab_mark(struct slab *s, uint32_t i, bool free)
{
	if (free)
		s->sl_freemap[i / 64] |= 1UL << (i % 64);
	else
		s->sl_freemap[i / 64] &= ~(1UL << (i % 64));
}

/* The slab of an item of z (checked by zone_item_slab if in doubt): no lookup. */
static inline struct slab *
slab_of_known_item(const struct zone *z, const void *item)
{
	uintptr_t block = (uintptr_t)item & ~(uintptr_t)(slab_block_size(z) - 1);

	return (struct slab *)(block + z->z_hdroff);
}

/*
 * The slab holding item, which the caller says belongs to z.  Panics,
 * naming the zone, when item is not the start of an item of z.  Slabs
 * are naturally aligned blocks of the direct map, so the header's place
 * follows from the address; only an address outside the direct map
 * needs checking before it is read.
 */
static inline struct slab *
zone_item_slab(struct zone *z, const void *item, const char *who)
{
	struct slab *s = kmem_is_page_block(item) ? slab_of_known_item(z, item) : NULL;
	size_t off;

	KASSERT(s != NULL && s->sl_magic == SLAB_MAGIC,
	    ("%s: %p is not an item of any zone (zone %s)", who, item,
	    z->z_name));
	KASSERT(s->sl_zone == z,
	    ("%s: %p belongs to zone %s, not to zone %s", who, item,
	    s->sl_zone->z_name, z->z_name));
	off = (size_t)((const char *)item - slab_base(z, s));
	KASSERT(off < (size_t)z->z_ipers * z->z_size && off % z->z_size == 0,
	    ("%s: %p is not the start of an item of zone %s", who, item,
	    z->z_name));
	(void)off;
	(void)who;
	return s;
}

/*
 * INVARIANTS: item, of slab s, goes to a caller (held) or comes back
 * (!held).  Panics on handing out an item held, or on taking back one
 * not held: a double free, wherever the first copy went.
 */
static inline void
slab_track(struct zone *z, struct slab *s, const void *item, bool held)
{
	uint32_t i = slab_item_index(z, s, item);
	uint64_t bit = 1UL << (i % 64), *word = &slab_outmap(z, s)[i / 64], old;

	if (held) {
		old = __atomic_fetch_or(word, bit, __ATOMIC_RELAXED);
		KASSERT((old & bit) == 0, ("zone %s: %p handed out while held", z->z_name, item));
	} else {
		old = __atomic_fetch_and(word, ~bit, __ATOMIC_RELAXED);
		KASSERT((old & bit) != 0, ("zone %s: double free of %p", z->z_name, item));
	}
	(void)old;
}

/*
 * The slab layer.  Everything here runs with z_lock held.
 */

/* Move s to the list its fill state calls for. */
static void
slab_file(struct zone *z, struct slab *s, struct list_node *from)
{
	struct list_node *to;

	if (s->sl_inuse == 0)
		to = &z->z_empty;
	else if (s->sl_inuse == z->z_ipers)
		to = &z->z_full;
	else
		to = &z->z_partial;
	if (to == from)
		return;
	if (from == &z->z_empty)
		z->z_nempty--;
	if (to == &z->z_empty)
		z->z_nempty++;
	list_remove(&s->sl_link);
	list_push(to, &s->sl_link);
}

/* Take one free item out of the slabs, or NULL when all are full. */
static void *
slab_take(struct zone *z)
{
	struct list_node *from, *n;
	struct slab *s;
	void *item, *next;
	uint32_t i;

	KASSERT(spin_owned(&z->z_lock), ("slab_take: zone %s not locked",
	    z->z_name));
	if ((n = list_first(&z->z_partial)) != NULL)
		from = &z->z_partial;
	else if ((n = list_first(&z->z_empty)) != NULL)
		from = &z->z_empty;
	else
		return NULL;
	s = list_entry(n, struct slab, sl_link);
	item = s->sl_freelist;
	KASSERT(item != NULL, ("zone %s: slab %p on a free list has no items",
	    z->z_name, s));
	i = slab_item_index(z, s, item);
	KASSERT(i < z->z_ipers && slab_item_is_free(s, i),
	    ("zone %s: free list of slab %p is corrupt at %p (use after free?)",
	    z->z_name, s, item));
	next = *(void **)item;
	KASSERT(next == NULL || (slab_of_known_item(z, next) == s &&
	    slab_item_index(z, s, next) < z->z_ipers),
	    ("zone %s: item %p was written after free (next %p)",
	    z->z_name, item, next));
	s->sl_freelist = next;
	slab_mark(s, i, false);
	s->sl_inuse++;
	z->z_items_out++;
	slab_file(z, s, from);
	return item;
}

/*
 * Return item to its slab.  A slab that empties beyond the reserve is
 * taken off the zone and appended to release, for slabs_release to free
 * once the lock is dropped.
 */
static void
slab_put(struct zone *z, void *item, struct list_node *release)
{
	struct slab *s = slab_of_known_item(z, item);
	struct list_node *from;
	uint32_t i = slab_item_index(z, s, item);

	KASSERT(spin_owned(&z->z_lock), ("slab_put: zone %s not locked",
	    z->z_name));
	KASSERT(!slab_item_is_free(s, i), ("zone %s: double free of %p",
	    z->z_name, item));
	from = s->sl_inuse == z->z_ipers ? &z->z_full : &z->z_partial;
	*(void **)item = s->sl_freelist;
	s->sl_freelist = item;
	slab_mark(s, i, true);
	s->sl_inuse--;
	z->z_items_out--;
	if (s->sl_inuse == 0 && z->z_nempty >= ZONE_EMPTY_RESERVE &&
	    !(z->z_flags & ZONE_NOFREE)) {
		list_remove(&s->sl_link);
		list_append(release, &s->sl_link);
		z->z_nslabs--;
		return;
	}
	slab_file(z, s, from);
}

/* Take every empty slab off the zone, onto release. */
static void
slab_detach_empty(struct zone *z, struct list_node *release)
{
	struct list_node *n;

	if (z->z_flags & ZONE_NOFREE)
		return;
	while ((n = list_first(&z->z_empty)) != NULL) {
		list_remove(n);
		list_append(release, n);
		z->z_nempty--;
		z->z_nslabs--;
	}
}

/*
 * Slabs and pages, outside any zone lock.
 */

/* Turn a fresh block into a slab whose items are all free. */
static struct slab *
slab_init(struct zone *z, void *block)
{
	struct slab *s = (struct slab *)((char *)block + z->z_hdroff);
	char *item = block;
	uint32_t i;

	s->sl_magic = SLAB_MAGIC;
	s->sl_inuse = 0;
	s->sl_zone = z;
	s->sl_freelist = block;
	for (i = 0; i < z->z_ipers; i++, item += z->z_size) {
		if (z->z_init != NULL)
			z->z_init(item);
		*(void **)item = i + 1 < z->z_ipers ? item + z->z_size : NULL;
	}
	memset(s->sl_freemap, 0, 2 * howmany(z->z_ipers, 64) * sizeof(uint64_t));
	for (i = 0; i < z->z_ipers; i++)
		slab_mark(s, i, true);
	return s;
}

/* Add one empty slab to z.  0, or ENOMEM (counted as a failure). */
static int
zone_grow(struct zone *z, int flags)
{
	struct slab *s;
	void *block;

	block = kmem_page_alloc(z->z_order, flags & (M_WAITOK | M_NOWAIT));
	if (block == NULL) {
		spin_lock(&z->z_lock);
		z->z_failures++;
		spin_unlock(&z->z_lock);
		return ENOMEM;
	}
	s = slab_init(z, block);
	kmem_page_set_owner(block, z->z_order, s);
	spin_lock(&z->z_lock);
	list_push(&z->z_empty, &s->sl_link);
	z->z_nempty++;
	z->z_nslabs++;
	spin_unlock(&z->z_lock);
	return 0;
}

/* Give detached slabs back to the page allocator. */
static void
slabs_release(struct zone *z, struct list_node *release)
{
	struct list_node *n;
	struct slab *s;
	void *block;

	while ((n = list_first(release)) != NULL) {
		list_remove(n);
		s = list_entry(n, struct slab, sl_link);
		KASSERT(s->sl_inuse == 0, ("zone %s: releasing slab %p with "
		    "%u items out", z->z_name, s, s->sl_inuse));
		block = slab_base(z, s);
		s->sl_magic = 0;
		kmem_page_set_owner(block, z->z_order, NULL);
		kmem_page_free(block, z->z_order);
	}
}

/*
 * Per-cpu caches.  The cache's zc_lock is held by the caller.
 */

/* Take c's bare lock; the caller is in a critical section (interrupts off). */
static inline void
cache_lock(struct zone_cache *c)
{
	KASSERT(!intr_enabled(), ("zone cache locked with interrupts on"));
	while (__atomic_exchange_n(&c->zc_lock, 1, __ATOMIC_ACQUIRE) != 0) {
		while (__atomic_load_n(&c->zc_lock, __ATOMIC_RELAXED) != 0)
			cpu_spinwait();
	}
}

static inline void
cache_unlock(struct zone_cache *c)
{
	KASSERT(c->zc_lock != 0, ("zone cache unlocked while not locked"));
	__atomic_store_n(&c->zc_lock, 0, __ATOMIC_RELEASE);
}

/* This cpu's cache; the caller is in a critical section. */
static inline struct zone_cache *
zone_cache_self(struct zone *z)
{
	uint32_t cpu = cpu_id();

	KASSERT(cpu < MAXCPU, ("zone %s: cpu id %u out of range", z->z_name,
	    cpu));
	return &z->z_cache[cpu];
}

/* Fill an empty cache with up to a batch of items from the slabs. */
static void
cache_refill(struct zone *z, struct zone_cache *c)
{
	void *item;

	spin_lock(&z->z_lock);
	while (c->zc_count < z->z_cache_batch &&
	    (item = slab_take(z)) != NULL)
		c->zc_items[c->zc_count++] = item;
	spin_unlock(&z->z_lock);
}

/* Return the n coldest (bottom) items of c to their slabs. */
static void
cache_flush(struct zone *z, struct zone_cache *c, uint32_t n,
    struct list_node *release)
{
	uint32_t i;

	KASSERT(n <= c->zc_count, ("cache_flush: %u of %u items", n,
	    c->zc_count));
	spin_lock(&z->z_lock);
	for (i = 0; i < n; i++)
		slab_put(z, c->zc_items[i], release);
	spin_unlock(&z->z_lock);
	c->zc_count -= n;
	memmove(&c->zc_items[0], &c->zc_items[n],
	    c->zc_count * sizeof(c->zc_items[0]));
}

/* Empty every cpu's cache into the slabs. */
static void
zone_drain_caches(struct zone *z)
{
	struct list_node release = LIST_HEAD_INIT(release);
	struct zone_cache *c;

	if (z->z_cache_max == 0)
		return;
	for (c = &z->z_cache[0]; c < &z->z_cache[MAXCPU]; c++) {
		critical_enter();
		cache_lock(c);
		cache_flush(z, c, c->zc_count, &release);
		cache_unlock(c);
		critical_exit();
	}
	slabs_release(z, &release);
}

/*
 * Zone set-up and the zone list.
 */

/* Fill in z's geometry.  0, or EINVAL for an impossible size/alignment. */
static int
zone_setup(struct zone *z, const char *name, size_t size, size_t align,
    int flags)
{
	size_t minalign = size >= 16 ? 16 : sizeof(void *);
	uint32_t i, cap;
	int order;

	if (size == 0 || (align != 0 && !powerof2(align)) ||
	    align > (PAGE_SIZE << ZONE_MAX_ORDER) ||
	    size > (PAGE_SIZE << ZONE_MAX_ORDER))
		return EINVAL;
	align = MAX(align, minalign);
	size = roundup2(size, align);
	if ((order = slab_pick_order(size)) < 0)
		return EINVAL;

	z->z_magic = ZONE_MAGIC;
	z->z_flags = flags;
	strlcpy(z->z_name, name, sizeof(z->z_name));
	z->z_size = size;
	z->z_align = align;
	z->z_order = order;
	z->z_ipers = slab_capacity(size, order);
	z->z_hdroff = (PAGE_SIZE << order) - slab_header_size(z->z_ipers);
	if (flags & ZONE_NOCACHE) {
		z->z_cache_max = 0;
	} else {
		cap = (uint32_t)MIN(ZONE_CACHE_BYTES / size,
		    (size_t)ZONE_CACHE_MAX);
		z->z_cache_max = MAX(cap, (uint32_t)ZONE_CACHE_MIN);
	}
	z->z_cache_batch = z->z_cache_max / 2;

	/* Lock classes by kind, not by zone: a zone may share its name with its items' locks. */
	spin_init(&z->z_lock, "zone");
	list_init(&z->z_partial);
	list_init(&z->z_full);
	list_init(&z->z_empty);
	z->z_nslabs = z->z_nempty = z->z_items_out = 0;
	z->z_requests = z->z_failures = 0;
	for (i = 0; i < MAXCPU; i++) {
		z->z_cache[i].zc_lock = 0;
		z->z_cache[i].zc_count = 0;
		z->z_cache[i].zc_requests = 0;
	}
	return 0;
}

/* Set up the "zones" zone by hand the first time a zone is created. */
static void
zone_bootstrap(void)
{
	int error __unused;

	spin_lock(&zone_list_lock);
	if (!zone_bootstrapped) {
		error = zone_setup(&zone_zones, "zones", sizeof(struct zone),
		    _Alignof(struct zone), ZONE_NOCACHE);
		KASSERT(error == 0, ("zone_bootstrap: error %d", error));
		list_append(&zone_list, &zone_zones.z_link);
		zone_bootstrapped = true;
	}
	spin_unlock(&zone_list_lock);
}

static inline void
zone_check(const struct zone *z, const char *who)
{
	KASSERT(z != NULL && z->z_magic == ZONE_MAGIC,
	    ("%s: %p is not a zone", who, z));
	(void)z;
	(void)who;
}

/* A new zone, with init run on each item once (NULL: none). */
static zone_t
zone_make(const char *name, size_t size, size_t align, int flags, void (*init)(void *))
{
	struct zone *z;

	zone_bootstrap();
	z = zone_alloc(&zone_zones, M_WAITOK | M_ZERO);
	if (z == NULL)
		return NULL;
	if (zone_setup(z, name, size, align, flags) != 0) {
		zone_free(&zone_zones, z);
		return NULL;
	}
	z->z_init = init;
	spin_lock(&zone_list_lock);
	list_append(&zone_list, &z->z_link);
	spin_unlock(&zone_list_lock);
	return z;
}

zone_t
zone_create(const char *name, size_t size, size_t align, int flags)
{
	return zone_make(name, size, align, flags, NULL);
}

zone_t
zone_create_stable(const char *name, size_t size, size_t align, void (*init)(void *item))
{
	return zone_make(name, size, align, ZONE_NOFREE, init);
}

void
zone_destroy(zone_t z)
{
	struct list_node release = LIST_HEAD_INIT(release);

	zone_check(z, "zone_destroy");
	KASSERT(z != &zone_zones, ("zone_destroy: the zones zone is static"));
	KASSERT(!(z->z_flags & ZONE_NOFREE), ("zone_destroy: zone %s is type-stable", z->z_name));
	spin_lock(&zone_list_lock);
	list_remove(&z->z_link);
	spin_unlock(&zone_list_lock);

	zone_drain_caches(z);
	spin_lock(&z->z_lock);
	KASSERT(z->z_items_out == 0, ("zone_destroy: zone %s has %lu items "
	    "in use", z->z_name, (unsigned long)z->z_items_out));
	slab_detach_empty(z, &release);
	spin_unlock(&z->z_lock);
	slabs_release(z, &release);
	z->z_magic = 0;
	zone_free(&zone_zones, z);
}

/*
 * Allocation and freeing.
 */

/*
 * The fast paths: one item off this cpu's cache, or onto it, and nothing
 * else (NULL, false: the cache is empty, or full, or the zone has none).
 * Everything slower -- refilling, flushing, growing, the slab layer --
 * is out of line below, so that the common case needs no stack frame
 * for it.
 */
static inline void *
cache_pop(struct zone *z)
{
	struct zone_cache *c;
	void *item = NULL;

	critical_enter();
	c = zone_cache_self(z);
	cache_lock(c);
	if (__predict_true(c->zc_count > 0)) {
		item = c->zc_items[--c->zc_count];
		c->zc_requests++;
	}
	cache_unlock(c);
	critical_exit();
	return item;
}

static inline bool
cache_push(struct zone *z, void *item)
{
	struct zone_cache *c;
	bool done = false;

	critical_enter();
	c = zone_cache_self(z);
	cache_lock(c);
	if (__predict_true(c->zc_count < z->z_cache_max)) {
		c->zc_items[c->zc_count++] = item;
		done = true;
	}
	cache_unlock(c);
	critical_exit();
	return done;
}

/* One item from this cpu's cache, refilling it if empty; NULL if none. */
static void *
zone_alloc_cached(struct zone *z)
{
	struct zone_cache *c;
	void *item = NULL;

	critical_enter();
	c = zone_cache_self(z);
	cache_lock(c);
	if (c->zc_count == 0)
		cache_refill(z, c);
	if (c->zc_count > 0) {
		item = c->zc_items[--c->zc_count];
		c->zc_requests++;
	}
	cache_unlock(c);
	critical_exit();
	return item;
}

/* One item straight from the slabs (ZONE_NOCACHE); NULL if none. */
static void *
zone_alloc_direct(struct zone *z)
{
	void *item;

	spin_lock(&z->z_lock);
	if ((item = slab_take(z)) != NULL)
		z->z_requests++;
	spin_unlock(&z->z_lock);
	return item;
}

/* zone_alloc when this cpu's cache had nothing: refill it, or grow the zone. */
static void * __attribute__((noinline))
zone_alloc_slow(struct zone *z, int flags)
{
	void *item;

	for (;;) {
		item = z->z_cache_max ? zone_alloc_cached(z) :
		    zone_alloc_direct(z);
		if (item != NULL)
			return item;
		/* Other cpus may take the new slab's items first: retry. */
		if (zone_grow(z, flags) != 0)
			return NULL;
	}
}

void *
zone_alloc(zone_t z, int flags)
{
	void *item = NULL;

	zone_check(z, "zone_alloc");
	KASSERT(((flags & M_WAITOK) != 0) != ((flags & M_NOWAIT) != 0),
	    ("zone_alloc(%s): flags 0x%x need exactly one of M_WAITOK, "
	    "M_NOWAIT", z->z_name, flags));
	if (flags & M_WAITOK)
		witness_check_sleep(WITNESS_WAITOK, NULL);
	if (z->z_cache_max != 0)
		item = cache_pop(z);
	if (__predict_false(item == NULL) && (item = zone_alloc_slow(z, flags)) == NULL)
		return NULL;
#ifndef NO_INVARIANTS
	slab_track(z, slab_of_known_item(z, item), item, true);
#endif
	if (flags & M_ZERO)
		memset(item, 0, z->z_size);
	return item;
}

/* zone_free when this cpu's cache is full (flush part of it first) or the zone has none. */
static void __attribute__((noinline))
zone_free_slow(struct zone *z, void *item)
{
	struct list_node release = LIST_HEAD_INIT(release);
	struct zone_cache *c;

	if (z->z_cache_max == 0) {
		spin_lock(&z->z_lock);
		slab_put(z, item, &release);
		spin_unlock(&z->z_lock);
		slabs_release(z, &release);
		return;
	}
	critical_enter();
	c = zone_cache_self(z);
	cache_lock(c);
	if (c->zc_count == z->z_cache_max)
		cache_flush(z, c, z->z_cache_batch, &release);
	c->zc_items[c->zc_count++] = item;
	cache_unlock(c);
	critical_exit();
	slabs_release(z, &release);
}

void
zone_free(zone_t z, void *item)
{
	zone_check(z, "zone_free");
	if (item == NULL)
		return;
#ifndef NO_INVARIANTS
	slab_track(z, zone_item_slab(z, item, "zone_free"), item, false);
#endif
	if (z->z_cache_max == 0 || !cache_push(z, item))
		zone_free_slow(z, item);
}

size_t
zone_item_size(zone_t z)
{
	zone_check(z, "zone_item_size");
	return z->z_size;
}

zone_t
zone_of_item(const void *item)
{
	struct slab *s = kmem_page_owner(item);

	if (s == NULL || s->sl_magic != SLAB_MAGIC)
		return NULL;
	return s->sl_zone;
}

/*
 * Reclaim.
 */

void
zone_reclaim(zone_t z)
{
	struct list_node release = LIST_HEAD_INIT(release);

	zone_check(z, "zone_reclaim");
	zone_drain_caches(z);
	spin_lock(&z->z_lock);
	slab_detach_empty(z, &release);
	spin_unlock(&z->z_lock);
	slabs_release(z, &release);
}

/*
 * Reclaim every zone.  The "zones" zone comes first in the list, so any
 * of its slabs emptied by earlier destroys are freed as well.  The list
 * lock is held throughout, so no zone can be destroyed under us.
 */
void
zone_reclaim_all(void)
{
	void (*reclaimers[ZONE_RECLAIMERS_MAX])(void);
	struct list_node *n;
	int nreclaimers;

	/* First the other caches: emptying them frees zone items (a kernel stack's map entry). */
	spin_lock(&zone_list_lock);
	nreclaimers = zone_nreclaimers;
	memcpy(reclaimers, zone_reclaimers, sizeof(reclaimers));
	spin_unlock(&zone_list_lock);
	for (int i = 0; i < nreclaimers; i++)
		reclaimers[i]();
	spin_lock(&zone_list_lock);
	list_foreach(n, &zone_list)
		zone_reclaim(list_entry(n, struct zone, z_link));
	spin_unlock(&zone_list_lock);
}

void
zone_reclaim_register(void (*reclaim)(void))
{
	spin_lock(&zone_list_lock);
	if (zone_nreclaimers == ZONE_RECLAIMERS_MAX)
		panic("zone_reclaim_register: more than %d caches", ZONE_RECLAIMERS_MAX);
	zone_reclaimers[zone_nreclaimers++] = reclaim;
	spin_unlock(&zone_list_lock);
}

/*
 * Statistics.  All of a zone's cache locks and its zone lock are held
 * together, so the numbers are one consistent snapshot.
 */

void
zone_get_stats(zone_t z, struct zone_stats *st)
{
	uint64_t cached = 0, requests;
	int i;

	zone_check(z, "zone_get_stats");
	critical_enter();
	for (i = 0; i < MAXCPU; i++)
		cache_lock(&z->z_cache[i]);
	spin_lock(&z->z_lock);
	requests = z->z_requests;
	for (i = 0; i < MAXCPU; i++) {
		cached += z->z_cache[i].zc_count;
		requests += z->z_cache[i].zc_requests;
	}
	st->name = z->z_name;
	st->size = z->z_size;
	st->inuse = z->z_items_out - cached;
	st->free = z->z_nslabs * z->z_ipers - z->z_items_out + cached;
	st->requests = requests;
	st->failures = z->z_failures;
	st->slabs = z->z_nslabs;
	st->pages = z->z_nslabs << z->z_order;
	spin_unlock(&z->z_lock);
	for (i = MAXCPU - 1; i >= 0; i--)
		cache_unlock(&z->z_cache[i]);
	critical_exit();
}

/* The list lock is held while printing, so zones cannot vanish meanwhile. */
/* One "# "-prefixed line per zone, so the table is a comment in TAP output. */
void
zone_print_stats(void)
{
	struct zone_stats st;
	struct list_node *n;

	printf("# %-20s %6s %8s %8s %10s %6s %6s\n", "ZONE", "SIZE", "INUSE",
	    "FREE", "REQUESTS", "FAIL", "PAGES");
	spin_lock(&zone_list_lock);
	list_foreach(n, &zone_list) {
		zone_get_stats(list_entry(n, struct zone, z_link), &st);
		printf("# %-20s %6lu %8lu %8lu %10lu %6lu %6lu\n", st.name,
		    (unsigned long)st.size, (unsigned long)st.inuse,
		    (unsigned long)st.free, (unsigned long)st.requests,
		    (unsigned long)st.failures, (unsigned long)st.pages);
	}
	spin_unlock(&zone_list_lock);
}

/*
 * Walking the zone list.  The lock is not held between calls: walkers must
 * not run concurrently with zone_destroy of the zone they stand on.
 */

zone_t
zone_find(const char *name)
{
	for (zone_t z = zone_first(); z != NULL; z = zone_next(z))
		if (strcmp(z->z_name, name) == 0)
			return z;
	return NULL;
}

uint64_t
zone_inuse_by_name(const char *name)
{
	zone_t z = zone_find(name);
	struct zone_stats st;

	if (z == NULL)
		return 0;
	zone_get_stats(z, &st);
	return st.inuse;
}

uint64_t
zone_nofree_pages(void)
{
	uint64_t pages = 0;

	for (zone_t z = zone_first(); z != NULL; z = zone_next(z)) {
		struct zone_stats st;

		if (z->z_flags & ZONE_NOFREE) {
			zone_get_stats(z, &st);
			pages += st.pages;
		}
	}
	return pages;
}

zone_t
zone_first(void)
{
	struct list_node *n;

	spin_lock(&zone_list_lock);
	n = list_first(&zone_list);
	spin_unlock(&zone_list_lock);
	return n ? list_entry(n, struct zone, z_link) : NULL;
}

zone_t
zone_next(zone_t z)
{
	struct list_node *n;

	zone_check(z, "zone_next");
	spin_lock(&zone_list_lock);
	n = z->z_link.next;
	spin_unlock(&zone_list_lock);
	return n == &zone_list ? NULL : list_entry(n, struct zone, z_link);
}
