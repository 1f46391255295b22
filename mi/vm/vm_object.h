/*
 * Virtual memory objects (after Mach): a source of pages that map
 * entries point into.
 *
 *   anonymous  zero-fill memory (OBJT_ANON); once paged out it is swap-backed
 *              (OBJT_SWAP, swap_pager.h) for good, and still anonymous
 *              memory: vm_object_is_anon
 *   vnode      a file's pages (one object per file, shared by every mapping)
 *   device     device memory: fictitious pages, never paged
 *
 * A private (copy-on-write) mapping sees its object through a shadow
 * object: pages it writes are copied into the shadow, pages it only reads
 * come from the objects below.  fork makes both processes' entries share
 * the object and each gets its own shadow at its first write.  Chains are
 * kept short by collapsing: when a backing object is referenced only by
 * its one shadow, its pages move up into the shadow and it disappears;
 * when a shadow already covers every page its backing object has, the
 * shadow bypasses it.
 *
 * Resident pages are kept in a radix trie keyed by page index; copies in
 * swap in the object's swap metadata (swap_meta.h).  A collapse moves
 * both: what the shadow has, resident or in swap, wins, and the backing
 * object's page or copy at that index is freed.
 *
 * Locking:
 *   (O) the object's own lock
 *   (A) atomic
 *   (C) constant after creation
 *   Lock order: a shadow before its backing object (front to back), and
 *   map lock before object locks before pmap locks.
 */
#ifndef _VM_VM_OBJECT_H_
#define _VM_VM_OBJECT_H_

#include <kern/types.h>
#include <kern/list.h>
#include <kern/spinlock.h>
#include <kern/systm.h>
#include <vm/swap_meta.h>
#include <vm/pmap.h>
#include <vm/vm_page.h>
#include <vm/vm_pager.h>
#include <vm/vm_radix.h>

struct vm_page;
struct vm_object;

enum vm_object_type {
	OBJT_ANON,
	OBJT_VNODE,
	OBJT_DEVICE,
	OBJT_SWAP,
	OBJT_NTYPES
};

/*
 * Objects are type-stable (zone_create_stable): the page daemon finds a
 * page on a paging queue and locks the object its object pointer names,
 * which may have just died (a collapse moving the page, a last
 * deallocation); the lock is still an object lock, and once it is held,
 * m->object == obj says whether the page is still that object's.  So
 * the lock is set up once per zone item, never at vm_object_allocate,
 * and lies past the first word, which a free item lends to the zone.
 */
struct vm_object {
	struct vm_radix	pages;		/* (O) resident pages by index */
	uint64_t	resident_count;	/* (O) */
	vm_pindex_t	size;		/* (O) in pages */
	uint32_t	ref_count;	/* (A) map entries and shadows using it: changed
					 * atomically, under the lock except by a collapse's
					 * compare-and-swap (grab_sole_shadow, claim_sole_reference) */
	uint32_t	shadow_count;	/* (O) shadows whose backing object it is */
	struct vm_object *backing_object; /* (O) */
	uint64_t	backing_offset;	/* (O) bytes; page aligned */
	struct list_node shadows;	/* (O) objects that shadow this one */
	struct list_node shadow_link;	/* (backing object's lock) on backing->shadows */
	enum vm_object_type type;	/* (C), but for OBJT_ANON becoming OBJT_SWAP once (O) */
	uint32_t	flags;		/* (O) OBJ_* */
	const struct vm_pager_ops *pager; /* (C) NULL: zero-fill (vm_pager.h); set once
					 * with type when anonymous memory becomes swap (O) */
	void		*pager_data;	/* (C) the pager's own (vnode, device) */
	struct swap_meta swap;		/* (O) copies of pages in swap (swap_pager.h) */
	struct list_node swap_link;	/* (the swap pager's list lock) on its list of
					 * objects with copies, from the first on; NULL links
					 * before */
	uint32_t	paging_in_progress; /* (O) see below */
	struct spinlock	lock;		/* (C) set up once per zone item: see above */
};

#define OBJ_DEAD	0x0001		/* being torn down */
#define OBJ_SHADOW	0x0002		/* made by vm_object_shadow */
#define OBJ_ONEMAPPING	0x0004		/* see below */
#define OBJ_PIPWANT	0x0008		/* someone sleeps until paging_in_progress is 0 */
#define OBJ_ACCOUNTED	0x0010		/* holds its size in Committed_AS (vm_commit.h) */
#define OBJ_WRITEMAPPED	0x0020		/* a pager's pages were mapped writable since its
					 * last full write-back: they may be dirty through
					 * the pmap, unseen (the pager's writemapped) */
#define OBJ_DIRTY_FILE	0x0040		/* (C) a file on a disk: its VPO_DIRTY pages are
					 * counted in vm_page_dirty_file too */

/*
 * Paging in progress (after FreeBSD's): a count of the threads working
 * on the object's pages without its lock, and without a lock that keeps
 * the object alive -- a fault filling a page (zeroing it, or waiting for
 * its pager's read with the map unlocked), a pager writing pages out.
 * Whoever drops the object's lock while a page of it is busy holds one.
 * While the count is not 0 the object is not collapsed (its pages stay
 * where they are), and an object whose last reference goes waits for the
 * count to drain before its pages are freed: so the count alone keeps
 * the object alive across a sleep, without a reference.  The count is
 * only taken on an object that is reached through a live reference (a
 * map entry, a shadow) with the object locked, so never on a dead one.
 */

/*
 * OBJ_ONEMAPPING (after FreeBSD's): an anonymous object whose every page
 * index is seen by at most one map entry, and by no shadow.  It is set on
 * the anonymous objects made for one entry (its first fault, a shared
 * anonymous mmap, a shadow for one entry, a copy at fork), and cleared
 * for good once a second entry maps the same indices (fork) or a shadow
 * is made on it.  Clipping an entry keeps it: the two halves see disjoint
 * indices.  Removing part of such an object's mapping can therefore free
 * the pages in that part (vm_object_unmap_range).
 */

/* Counters, exported through /proc/vmstat. */
struct vm_object_stats {
	uint64_t	objects[OBJT_NTYPES];	/* live objects by type */
	uint64_t	shadows;		/* live shadow objects */
	uint64_t	collapses;		/* full collapses */
	uint64_t	bypasses;		/* shadows that bypassed their backing object */
	uint64_t	collapse_pages_moved;	/* pages moved up by collapses */
	uint64_t	collapse_pages_freed;	/* shadowed pages freed by collapses */
	uint64_t	collapse_swap_moved;	/* copies in swap moved by collapses */
	uint64_t	collapse_swap_freed;	/* shadowed copies in swap freed by collapses */
	uint64_t	unmap_pages_freed;	/* freed when part of a mapping went */
};
extern struct vm_object_stats vm_object_stats;

void vm_object_init(void);

/* Anonymous memory: zero-filled where nothing was ever written, perhaps paged out to swap. */
static inline bool
vm_object_type_is_anon(enum vm_object_type type)
{
	return type == OBJT_ANON || type == OBJT_SWAP;
}

static inline bool
vm_object_is_anon(const struct vm_object *obj)
{
	return vm_object_type_is_anon(obj->type);
}

/* obj (anonymous, locked) is paged out for the first time: it becomes a swap object. */
void vm_object_set_swap(struct vm_object *obj, const struct vm_pager_ops *pager);

struct vm_object *vm_object_allocate(enum vm_object_type type, vm_pindex_t size);
/* A new anonymous object for one map entry (OBJ_ONEMAPPING). */
struct vm_object *vm_object_allocate_private(vm_pindex_t size);
/*
 * Shared anonymous memory: a private object (above) that holds its size
 * in Committed_AS while it lives (OBJ_ACCOUNTED), or not with noreserve.
 * NULL if the commitment is refused or memory is short.
 */
struct vm_object *vm_object_allocate_shared_anon(vm_pindex_t size, bool noreserve);
/* obj (locked) grows to size pages: commit the growth if it is accounted.  0 or ENOMEM. */
int vm_object_commit_growth(struct vm_object *obj, vm_pindex_t size);
void vm_object_reference(struct vm_object *obj);
/*
 * Drop a reference; the last one tears the object down, after waiting for
 * its paging in progress.  => no spin lock held (it may sleep)
 */
void vm_object_deallocate(struct vm_object *obj);

/*
 * Give a copy-on-write user a shadow of *objp covering length bytes from
 * *offsetp: on return *objp is the new shadow (holding the reference the
 * caller had on the old object) and *offsetp is 0.  NULL object: nothing.
 * Returns 0 or ENOMEM.
 */
int vm_object_shadow(struct vm_object **objp, uint64_t *offsetp, vm_size_t length);

/* Try to shorten obj's chain (collapse or bypass its backing object). */
void vm_object_collapse(struct vm_object *obj);

/* Page lookup and membership; the caller holds the object lock. */
struct vm_page *vm_page_lookup(struct vm_object *obj, vm_pindex_t pindex);
int vm_page_insert(struct vm_page *m, struct vm_object *obj, vm_pindex_t pindex);
/* The same for the n pages of a run (m[0..n)) at pindex on: all or none, 0 or ENOMEM. */
int vm_page_insert_run(struct vm_page *m, uint64_t n, struct vm_object *obj,
    vm_pindex_t pindex);
void vm_page_remove(struct vm_page *m);

/*
 * Allocate a page at pindex in obj (locked), exclusively busy, not
 * zeroed: user memory, which leaves the reserve (vm_page.h).  NULL when
 * memory is short (the caller may vm_wait and try again).
 * vm_page_xunbusy() ends the busy state.
 */
struct vm_page *vm_page_alloc(struct vm_object *obj, vm_pindex_t pindex, int flags);
/*
 * A page's dirty state from writes by the kernel (object locked), which
 * no pmap sees (write(2), a copy made for a child, a copy in swap that
 * was dropped): counted in vm_page_dirty; clear returns whether it was
 * set.  Writes through mappings are the pmap's modified bit.  A page is
 * clean, freeable without a write, when neither says it is dirty
 * (vm_page_is_dirty); vm_page_undirty makes it clean on both counts (its
 * pager has just taken its contents).  An anonymous page may be clean
 * with no copy anywhere only when its contents are what a fault there
 * would make again (zeros): every way a page gets contents no one else
 * keeps marks it dirty.
 */
void vm_page_set_dirty(struct vm_page *m);
bool vm_page_clear_dirty(struct vm_page *m);
bool vm_page_is_dirty(struct vm_page *m);
void vm_page_undirty(struct vm_page *m);
extern uint64_t vm_page_dirty;
/* Those of files on disks (OBJ_DIRTY_FILE): Linux's nr_dirty. */
extern uint64_t vm_page_dirty_file;
void vm_page_free(struct vm_page *m);	/* removed from its object, unmapped */


/* Paging in progress (above); obj locked.  vm_object_pip_wait may sleep. */
static inline void
vm_object_pip_add(struct vm_object *obj)
{
	KASSERT(spin_owned(&obj->lock) && !(obj->flags & OBJ_DEAD),
	    ("vm_object_pip_add: object %p unlocked or dead", obj));
	obj->paging_in_progress++;
}

void vm_object_pip_drained(struct vm_object *obj);

static inline void
vm_object_pip_wakeup(struct vm_object *obj)
{
	KASSERT(spin_owned(&obj->lock) && obj->paging_in_progress > 0,
	    ("vm_object_pip_wakeup: object %p unlocked or not paging", obj));
	if (--obj->paging_in_progress == 0 && (obj->flags & OBJ_PIPWANT))
		vm_object_pip_drained(obj);
}

/*
 * A zero-filled page at pindex of obj (locked), not busy -- a fresh
 * anonymous page, or a file's hole.  A free page known zero if there is
 * one; else the page is busy and obj unlocked (its paging count held)
 * while it is zeroed, which takes a while, and obj is locked again on
 * return.  NULL, with obj still locked, when memory is short
 * (vm_page_alloc).  Inline: it is the zero-fill fault's.
 */
static inline struct vm_page *
vm_page_alloc_zeroed(struct vm_object *obj, vm_pindex_t pindex)
{
	struct vm_page *m = vm_page_alloc(obj, pindex, VM_ALLOC_PREZEROED);

	if (m == NULL)
		return NULL;
	if (m->flags & PG_ZERO) {
		m->flags &= ~PG_ZERO;
		vm_page_xunbusy(m);
		return m;
	}
	vm_object_pip_add(obj);
	spin_unlock(&obj->lock);
	pmap_zero_page(m);
	spin_lock(&obj->lock);
	vm_object_pip_wakeup(obj);
	vm_page_xunbusy(m);
	return m;
}

/*
 * Sleep until no paging is in progress on obj.
 * => obj locked, the only spin lock held; locked again on return
 */
void vm_object_pip_wait(struct vm_object *obj);

/*
 * Remove the pages in [start, end) (page indices) from obj: unmapped
 * everywhere and freed (MADV_DONTNEED, truncation, munmap of the last
 * user); wired pages stay.  Returns how many were freed.  Called with obj
 * unlocked and no spin lock held: it sleeps for busy pages.
 */
uint64_t vm_object_page_remove(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end);

/*
 * A map entry that mapped [start, end) of obj (page indices) is going
 * away.  If no one else can see those indices (OBJ_ONEMAPPING) and others
 * still use the object (the last reference frees everything anyway),
 * free the pages there now, and, when the range reaches the end of the
 * object, shrink the object to where the range starts.  Returns the
 * number of pages freed.  Called with obj unlocked and no spin lock held
 * (as vm_object_page_remove).
 */
uint64_t vm_object_unmap_range(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end);

/* obj may now be seen by another entry or a shadow: no longer OBJ_ONEMAPPING. */
void vm_object_clear_onemapping(struct vm_object *obj);

/*
 * Read the page at pindex of obj (locked, and unlocked on return), which
 * is not resident, in from its pager, which holds its only copy (in
 * swap), with up to ahead pages after it that the same request can
 * bring (read-around).  0, ENOMEM (no page to read it into: the caller
 * may vm_wait and look again) or EIO.
 * => obj locked, the only spin lock held
 */
int vm_object_page_in(struct vm_object *obj, vm_pindex_t pindex, int ahead);

/*
 * Make every page of obj resident and give each one wiring held by the
 * kernel (vm_page_wire_kernel): SHM_LOCK of a System V segment.  Pages in
 * swap are read back, missing ones zero-filled.  obj is anonymous memory
 * with no backing object, referenced by the caller for as long as the
 * wirings last.  0, or with nothing wired ENOMEM (no memory, none coming
 * back) or EIO (a copy in swap could not be read).
 * => no spin lock held (it sleeps)
 */
int vm_object_wire_all(struct vm_object *obj);
/*
 * Drop one kernel wiring from each page of obj below index end (every
 * one of which vm_object_wire_all wired).  => no spin lock held
 */
void vm_object_unwire_range(struct vm_object *obj, vm_pindex_t end);

/*
 * The page visible at index pindex of obj: the first found walking down
 * obj's shadow chain, or NULL when no object of the chain holds one, or
 * the one that does holds it only as a copy in swap (not resident).  The
 * objects are locked hand over hand (front to back), so no collapse can
 * free one under the walk; a page is returned with its object, *holder,
 * still locked for the caller to unlock.  Called with nothing locked.
 */
struct vm_page *vm_object_chain_lookup(struct vm_object *obj, vm_pindex_t pindex,
    struct vm_object **holder);

/* The type of the object at the bottom of obj's chain (a file's, or anonymous memory). */
enum vm_object_type vm_object_bottom_type(struct vm_object *obj);
/*
 * The object at the bottom of obj's chain, referenced for the caller;
 * *offset gets the backing offsets down the chain added.
 */
struct vm_object *vm_object_bottom(struct vm_object *obj, uint64_t *offset);

/* The length of the chain below obj (0 when obj has no backing object). */
int vm_object_shadow_depth(struct vm_object *obj);

#endif
