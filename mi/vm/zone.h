/*
 * Zones: fixed-size object caches, after FreeBSD's UMA and Bonwick's slab
 * allocator.
 *
 * A zone carves slabs (one or more direct-mapped pages from
 * kmem_page_alloc) into items.  Each cpu keeps a small cache (a magazine
 * of free items) so most zone_alloc/zone_free calls take no shared lock;
 * a cache that runs dry or overflows exchanges a batch with the zone's
 * slab layer under the zone lock.  Empty slabs beyond a small reserve are
 * returned to the page allocator.
 *
 * Statistics per zone (see zone_stats) mirror `vmstat -z`.
 *
 * Locking: zone lock (spin) for the slab layer and counts.  Each per-cpu
 * cache has its own spin lock, taken uncontended by its cpu inside a
 * critical section on the fast path, and by zone_reclaim, zone_destroy
 * and zone_get_stats to reach other cpus' caches.
 *
 * M_WAITOK does not sleep yet: with no free page it returns NULL like
 * M_NOWAIT (the pageout daemon that lets it wait comes later).
 */
#ifndef _VM_ZONE_H_
#define _VM_ZONE_H_

#include <kern/types.h>
#include <kern/mflags.h>

typedef struct zone *zone_t;

/* zone_create flags */
#define ZONE_NOCACHE	0x0001	/* no per-cpu caches (debugging, tiny zones) */
#define ZONE_NOFREE	0x0002	/* slabs never go back to the page allocator */

/*
 * size is rounded up to align (0: natural; at least 8, and 16 for items
 * of 16 bytes or more).  NULL for size 0, an item too big for an 8-page
 * slab, an align that is not a power of two, or no memory.  The name is
 * copied (up to 31 characters).
 */
zone_t zone_create(const char *name, size_t size, size_t align, int flags);
void zone_destroy(zone_t z);		/* all items must have been freed */
/*
 * A type-stable zone (ZONE_NOFREE): its memory holds its items for good,
 * and init(item) runs once per item, when its slab is made, not at each
 * zone_alloc.  So a pointer to an item that has since been freed (and
 * perhaps allocated again) still points at an item whose init-time state
 * (a lock) is intact.  init must not count on the item's first 8 bytes,
 * which hold the free list's link while the item is free; zone_alloc
 * callers must not use M_ZERO over what init set up.
 */
zone_t zone_create_stable(const char *name, size_t size, size_t align, void (*init)(void *item));

/* M_WAITOK / M_NOWAIT, and M_ZERO. */
void *zone_alloc(zone_t z, int flags);
void zone_free(zone_t z, void *item);	/* item NULL: no-op */

size_t zone_item_size(zone_t z);		/* after alignment */
zone_t zone_of_item(const void *item);	/* NULL when not a zone item */

struct zone_stats {
	const char	*name;
	size_t		size;		/* item size, after alignment */
	uint64_t	inuse;		/* items handed out */
	uint64_t	free;		/* items free in slabs and caches */
	uint64_t	requests;	/* successful zone_alloc calls */
	uint64_t	failures;	/* zone_alloc calls that returned NULL */
	uint64_t	slabs;		/* slabs held */
	uint64_t	pages;		/* pages held by the zone */
};

void zone_get_stats(zone_t z, struct zone_stats *st);
void zone_print_stats(void);		/* every zone, one line each */
zone_t zone_first(void);		/* walk all zones */
zone_t zone_find(const char *name);	/* the zone of that name, or NULL */
uint64_t zone_inuse_by_name(const char *name);	/* items in use; 0 if no such zone (tests) */
/* Pages the type-stable zones hold, which they never give back (tests' leak checks). */
uint64_t zone_nofree_pages(void);
zone_t zone_next(zone_t z);

/* Give back empty slabs and drain per-cpu caches (memory pressure). */
void zone_reclaim(zone_t z);
/* Every other cache registered below, then every zone (the first free zone items). */
void zone_reclaim_all(void);
/*
 * Other caches of free kernel memory (page-table pages, kernel stacks)
 * register the function that empties them, once, at initialization:
 * zone_reclaim_all, the kernel's answer to memory running short, calls
 * it with no lock held.
 */
void zone_reclaim_register(void (*reclaim)(void));

#endif
