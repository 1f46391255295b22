/*
 * Virtual memory objects, shadow chains and their collapse (see
 * vm_object.h).
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <kern/sleepqueue.h>
#include <machine/cpu.h>
#include <vm/pmap.h>
#include <vm/swap_device.h>
#include <vm/swap_pager.h>
#include <vm/vm_commit.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pagequeue.h>
#include <vm/vm_wait.h>
#include <vm/zone.h>
#include <uapi/mman.h>

struct vm_object_stats vm_object_stats;
static zone_t object_zone;

#define STAT_ADD(field, n)	__atomic_add_fetch(&vm_object_stats.field, (n), __ATOMIC_RELAXED)

/* Once per zone item, when its slab is made: the lock outlives the objects (vm_object.h). */
static void
object_zinit(void *item)
{
	struct vm_object *obj = item;

	spin_init(&obj->lock, "vm object");
}

void
vm_object_init(void)
{
	object_zone = zone_create_stable("vm object", sizeof(struct vm_object), 8, object_zinit);
	if (object_zone == NULL)
		panic("vm_object_init: no zone");
	vm_radix_zinit();
	swap_pager_init();
}

struct vm_object *
vm_object_allocate(enum vm_object_type type, vm_pindex_t size)
{
	struct vm_object *obj = zone_alloc(object_zone, M_WAITOK);

	if (obj == NULL)
		return NULL;
	KASSERT(!spin_owned(&obj->lock), ("vm_object_allocate: new object %p is locked", obj));
	memset(obj, 0, offsetof(struct vm_object, lock));
	vm_radix_init(&obj->pages);
	swap_meta_init(&obj->swap);
	list_init(&obj->shadows);
	obj->size = size;
	obj->ref_count = 1;
	obj->type = type;
	STAT_ADD(objects[type], 1);
	return obj;
}

struct vm_object *
vm_object_allocate_private(vm_pindex_t size)
{
	struct vm_object *obj = vm_object_allocate(OBJT_ANON, size);

	if (obj != NULL)
		obj->flags |= OBJ_ONEMAPPING;
	return obj;
}

struct vm_object *
vm_object_allocate_shared_anon(vm_pindex_t size, bool noreserve)
{
	struct vm_object *obj;

	if (!noreserve && vm_commit_reserve(size, false) != 0)
		return NULL;
	if ((obj = vm_object_allocate_private(size)) == NULL) {
		if (!noreserve)
			vm_commit_release(size, false);
		return NULL;
	}
	if (!noreserve)
		obj->flags |= OBJ_ACCOUNTED;
	return obj;
}

int
vm_object_commit_growth(struct vm_object *obj, vm_pindex_t size)
{
	KASSERT(spin_owned(&obj->lock), ("vm_object_commit_growth: object not locked"));
	if (!(obj->flags & OBJ_ACCOUNTED) || size <= obj->size)
		return 0;
	return vm_commit_reserve(size - obj->size, false);
}

void
vm_object_set_swap(struct vm_object *obj, const struct vm_pager_ops *pager)
{
	KASSERT(spin_owned(&obj->lock) && obj->type == OBJT_ANON && obj->pager == NULL,
	    ("vm_object_set_swap: object %p is not anonymous, or not locked", obj));
	obj->type = OBJT_SWAP;
	obj->pager = pager;
	STAT_ADD(objects[OBJT_ANON], -1);
	STAT_ADD(objects[OBJT_SWAP], 1);
}

void
vm_object_reference(struct vm_object *obj)
{
	if (obj == NULL)
		return;
	spin_lock(&obj->lock);
	KASSERT(obj->ref_count > 0 && !(obj->flags & OBJ_DEAD),
	    ("vm_object_reference: dead object %p", obj));
	__atomic_add_fetch(&obj->ref_count, 1, __ATOMIC_RELAXED);
	spin_unlock(&obj->lock);
}

struct vm_page *
vm_page_lookup(struct vm_object *obj, vm_pindex_t pindex)
{
	KASSERT(spin_owned(&obj->lock), ("vm_page_lookup: object not locked"));
	return vm_radix_lookup(&obj->pages, pindex);
}

int
vm_page_insert(struct vm_page *m, struct vm_object *obj, vm_pindex_t pindex)
{
	int error;

	KASSERT(spin_owned(&obj->lock), ("vm_page_insert: object not locked"));
	KASSERT(m->object == NULL, ("vm_page_insert: page %lx already in an object",
	    m->phys_addr));
	error = vm_radix_insert(&obj->pages, pindex, m);
	if (error)
		return error;
	m->object = obj;
	m->pindex = pindex;
	obj->resident_count++;
	return 0;
}

int
vm_page_insert_run(struct vm_page *m, uint64_t n, struct vm_object *obj, vm_pindex_t pindex)
{
	int error;

	KASSERT(spin_owned(&obj->lock), ("vm_page_insert_run: object not locked"));
	if ((error = vm_radix_insert_run(&obj->pages, pindex, n, m, sizeof(*m))) != 0)
		return error;
	for (uint64_t i = 0; i < n; i++) {
		KASSERT(m[i].object == NULL, ("vm_page_insert_run: page %lx already in an object",
		    m[i].phys_addr));
		m[i].object = obj;
		m[i].pindex = pindex + i;
	}
	obj->resident_count += n;
	return 0;
}

void
vm_page_remove(struct vm_page *m)
{
	struct vm_object *obj = m->object;

	KASSERT(obj != NULL && spin_owned(&obj->lock), ("vm_page_remove: object not locked"));
	if (vm_radix_remove(&obj->pages, m->pindex) != m)
		panic("vm_page_remove: page %lx not at index %lu", m->phys_addr, m->pindex);
	obj->resident_count--;
	m->object = NULL;
	m->pindex = 0;
}

struct vm_page *
vm_page_alloc(struct vm_object *obj, vm_pindex_t pindex, int flags)
{
	struct vm_page *m = vm_page_alloc_pages(0, VM_ALLOC_NOWAIT |
	    (flags & (VM_ALLOC_ZERO | VM_ALLOC_PREZEROED)));

	if (m == NULL)
		return NULL;
	m->wire_count = 0;
	m->oflags = 0;
	if (vm_page_insert(m, obj, pindex) != 0) {
		m->flags &= ~PG_ZERO;	/* freed, it is not known zero any more */
		vm_page_free_pages(m, 0);
		return NULL;
	}
	__atomic_store_n(&m->busy, VPB_XBUSY, __ATOMIC_RELAXED);
	return m;
}

void
vm_object_pip_drained(struct vm_object *obj)
{
	obj->flags &= ~OBJ_PIPWANT;
	wakeup(&obj->paging_in_progress);
}

void
vm_object_pip_wait(struct vm_object *obj)
{
	KASSERT(spin_owned(&obj->lock), ("vm_object_pip_wait: object %p not locked", obj));
	while (obj->paging_in_progress > 0) {
		obj->flags |= OBJ_PIPWANT;
		sleep_on(&obj->paging_in_progress, &obj->lock);
	}
}

uint64_t vm_page_dirty;		/* (A) pages with VPO_DIRTY */
uint64_t vm_page_dirty_file;	/* (A) those of objects with OBJ_DIRTY_FILE */

/* m's VPO_DIRTY came (1) or went (-1): count it. */
static void
count_dirty(struct vm_page *m, int64_t n)
{
	__atomic_add_fetch(&vm_page_dirty, (uint64_t)n, __ATOMIC_RELAXED);
	if (m->object != NULL && (m->object->flags & OBJ_DIRTY_FILE))
		__atomic_add_fetch(&vm_page_dirty_file, (uint64_t)n, __ATOMIC_RELAXED);
}

void
vm_page_set_dirty(struct vm_page *m)
{
	KASSERT(spin_owned(&m->object->lock), ("vm_page_set_dirty: object not locked"));
	if (!(m->oflags & VPO_DIRTY)) {
		m->oflags |= VPO_DIRTY;
		count_dirty(m, 1);
	}
}

bool
vm_page_clear_dirty(struct vm_page *m)
{
	KASSERT(spin_owned(&m->object->lock), ("vm_page_clear_dirty: object not locked"));
	if (!(m->oflags & VPO_DIRTY))
		return false;
	m->oflags &= ~VPO_DIRTY;
	count_dirty(m, -1);
	return true;
}

bool
vm_page_is_dirty(struct vm_page *m)
{
	return (m->oflags & VPO_DIRTY) || pmap_is_modified(m);
}

void
vm_page_undirty(struct vm_page *m)
{
	(void)vm_page_clear_dirty(m);
	pmap_clear_modify(m);
}

void
vm_page_free(struct vm_page *m)
{
	KASSERT(m->wire_count == 0, ("vm_page_free: page %lx is wired", m->phys_addr));
	KASSERT(!(m->oflags & VPO_WRITEBACK), ("vm_page_free: page %lx under write-back",
	    m->phys_addr));
	if (m->oflags & VPO_DIRTY)
		count_dirty(m, -1);
	m->oflags = 0;
	if (m->object != NULL)
		vm_page_remove(m);
	vm_page_dequeue(m);
	KASSERT(!pmap_page_is_mapped(m), ("vm_page_free: page %lx still mapped", m->phys_addr));
	vm_page_free_pages(m, 0);
}

/*
 * Take m (its object locked) out of every pmap and free it.  Always
 * through pmap_remove_all, never after an unlocked pmap_page_is_mapped()
 * shortcut: a page whose last mapping a pmap_remove on another cpu has
 * just unlinked looks unmapped, yet a TLB may still reach it until that
 * remover's flush is done (pmap.c: delayed invalidation), and
 * pmap_remove_all waits for the flush.
 */
static void
page_unmap_free(struct vm_page *m)
{
	pmap_remove_all(m);
	vm_page_free(m);
}

/* Free every page of a dying object (locked, unreferenced, unmapped everywhere). */
static void
free_all_pages(struct vm_object *obj)
{
	struct vm_page *m;
	uint64_t idx;

	while ((m = vm_radix_lookup_ge(&obj->pages, 0, &idx)) != NULL) {
		KASSERT(!vm_page_busied(m), ("terminating object %p with busy page", obj));
		page_unmap_free(m);	/* unwired: a wiring holds a reference on the object */
	}
	vm_radix_reclaim_all(&obj->pages);
}

static void
object_free(struct vm_object *obj)
{
	KASSERT(obj->resident_count == 0 && obj->shadow_count == 0,
	    ("object_free: %p has %lu pages, %u shadows", obj, obj->resident_count,
	    obj->shadow_count));
	if (obj->flags & OBJ_SHADOW)
		STAT_ADD(shadows, -1);
	STAT_ADD(objects[obj->type], -1);
	if (obj->flags & OBJ_ACCOUNTED)
		vm_commit_release(obj->size, false);
	if (obj->pager != NULL && obj->pager->dealloc != NULL)
		obj->pager->dealloc(obj);
	zone_free(object_zone, obj);
}

/*
 * obj (locked) just dropped to one reference.  If that reference is its
 * only shadow's, return the shadow, referenced, for the caller to collapse
 * once obj is unlocked.  The shadow cannot be locked here (it ranks
 * before obj), but it cannot go away either while obj is locked: a dying
 * shadow must lock obj to unlink itself.  So take a reference without its
 * lock, unless it is already dying (no references left).
 */
static struct vm_object *
grab_sole_shadow(struct vm_object *obj)
{
	struct vm_object *shadow;
	uint32_t refs;

	if (obj->shadow_count != 1 || !vm_object_is_anon(obj))
		return NULL;
	shadow = list_entry(obj->shadows.next, struct vm_object, shadow_link);
	refs = __atomic_load_n(&shadow->ref_count, __ATOMIC_ACQUIRE);
	while (refs != 0) {
		if (__atomic_compare_exchange_n(&shadow->ref_count, &refs, refs + 1, false,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return shadow;
	}
	return NULL;
}

void
vm_object_deallocate(struct vm_object *obj)
{
	while (obj != NULL) {
		struct vm_object *backing;

		spin_lock(&obj->lock);
		KASSERT(obj->ref_count > 0, ("vm_object_deallocate: %p has no references", obj));
		if (__atomic_sub_fetch(&obj->ref_count, 1, __ATOMIC_ACQ_REL) > 0) {
			struct vm_object *shadow = NULL;

			if (obj->ref_count == 1)
				shadow = grab_sole_shadow(obj);
			spin_unlock(&obj->lock);
			if (shadow != NULL) {
				vm_object_collapse(shadow);
				vm_object_deallocate(shadow);
			}
			return;
		}
		obj->flags |= OBJ_DEAD;
		/* A fault or pager still at work on its pages finishes first. */
		vm_object_pip_wait(obj);
		free_all_pages(obj);
		backing = obj->backing_object;
		spin_unlock(&obj->lock);
		if (backing != NULL) {
			spin_lock(&backing->lock);
			list_remove(&obj->shadow_link);
			backing->shadow_count--;
			spin_unlock(&backing->lock);
		}
		object_free(obj);
		obj = backing;		/* drop the reference obj held */
	}
}

int
vm_object_shadow(struct vm_object **objp, uint64_t *offsetp, vm_size_t length)
{
	struct vm_object *src = *objp, *shadow;

	if (src == NULL)
		return 0;
	/* The caller is the only user of an anonymous object: nothing to share. */
	spin_lock(&src->lock);
	if (src->ref_count == 1 && vm_object_is_anon(src)) {
		src->flags |= OBJ_ONEMAPPING;	/* no one else is left to see it */
		spin_unlock(&src->lock);
		return 0;
	}
	spin_unlock(&src->lock);

	shadow = vm_object_allocate(OBJT_ANON, atop(round_page(length)));
	if (shadow == NULL)
		return ENOMEM;
	shadow->flags |= OBJ_SHADOW | OBJ_ONEMAPPING;
	shadow->backing_object = src;		/* takes over the caller's reference */
	shadow->backing_offset = *offsetp;
	spin_lock(&src->lock);
	list_append(&src->shadows, &shadow->shadow_link);
	src->shadow_count++;
	src->flags &= ~OBJ_ONEMAPPING;
	spin_unlock(&src->lock);
	STAT_ADD(shadows, 1);
	*objp = shadow;
	*offsetp = 0;
	return 0;
}

/*
 * Where backing page index bidx appears in the shadow obj, or false when
 * it falls outside the shadow's window.
 */
static bool
shadow_index(struct vm_object *obj, vm_pindex_t bidx, vm_pindex_t *idx)
{
	vm_pindex_t first = atop(obj->backing_offset);

	if (bidx < first || bidx - first >= obj->size)
		return false;
	*idx = bidx - first;
	return true;
}

/* Does obj (locked) have something of its own at idx: a page, or a copy in swap? */
static bool
holds(struct vm_object *obj, vm_pindex_t idx)
{
	return vm_page_lookup(obj, idx) != NULL || swap_pager_has_copy(obj, idx);
}

/* The copy in swap of obj's page at idx, or SWAP_SLOT_NONE.  obj locked. */
static uint64_t
copy_at(struct vm_object *obj, vm_pindex_t idx)
{
	return swap_meta_empty(&obj->swap) ? SWAP_SLOT_NONE : swap_meta_lookup(&obj->swap, idx);
}

/* Forget obj's copy at idx (if any) and free its slot: it is shadowed or discarded. */
static uint64_t
drop_copy(struct vm_object *obj, vm_pindex_t idx)
{
	uint64_t slot = swap_meta_empty(&obj->swap) ? SWAP_SLOT_NONE : swap_pager_take(obj, idx);

	if (slot == SWAP_SLOT_NONE)
		return 0;
	swap_free(slot, 1);
	return 1;
}

/*
 * The copy of from's page at idx (in slot) becomes to's at tidx: 0, or
 * ENOMEM with the copy still from's.  Both locked.
 */
static int
move_copy(struct vm_object *from, vm_pindex_t idx, struct vm_object *to, vm_pindex_t tidx,
    uint64_t slot)
{
	if (swap_pager_give(to, tidx, slot) != 0)
		return ENOMEM;
	swap_pager_take(from, idx);	/* the slot lives on in to */
	return 0;
}

/* Is every page and copy of backing (within obj's window) already shadowed by obj? */
static bool
shadow_covers_backing(struct vm_object *obj, struct vm_object *backing)
{
	uint64_t bidx = 0;
	vm_pindex_t idx;

	while (vm_radix_lookup_ge(&backing->pages, bidx, &bidx) != NULL) {
		if (shadow_index(obj, bidx, &idx) && !holds(obj, idx))
			return false;
		if (bidx == UINT64_MAX)
			break;
		bidx++;
	}
	for (bidx = 0; swap_pager_next(backing, bidx, &bidx) != SWAP_SLOT_NONE; bidx++) {
		if (shadow_index(obj, bidx, &idx) && !holds(obj, idx))
			return false;
		if (bidx == UINT64_MAX)
			break;
	}
	return true;
}

/* Collapse counters, added up once per collapse. */
struct moved {
	uint64_t	pages_moved, pages_freed, copies_moved, copies_freed;
};

static void
count_moved(const struct moved *mv)
{
	STAT_ADD(collapse_pages_moved, mv->pages_moved);
	STAT_ADD(collapse_pages_freed, mv->pages_freed);
	STAT_ADD(collapse_swap_moved, mv->copies_moved);
	STAT_ADD(collapse_swap_freed, mv->copies_freed);
}

/*
 * Move page m of from (at fidx) to to's index tidx, its copy in swap with
 * it.  False, with m back in from (where it still shows through, or
 * still shadows: a valid chain either way), if a trie node or a swap
 * block could not be had.  Both locked.
 */
static bool
move_page(struct vm_object *from, vm_pindex_t fidx, struct vm_object *to, vm_pindex_t tidx,
    struct vm_page *m, struct moved *mv)
{
	uint64_t slot = copy_at(from, fidx);

	vm_page_remove(m);
	if (vm_page_insert(m, to, tidx) == 0) {
		if (slot == SWAP_SLOT_NONE || move_copy(from, fidx, to, tidx, slot) == 0) {
			mv->pages_moved++;
			mv->copies_moved += slot != SWAP_SLOT_NONE;
			return true;
		}
		vm_page_remove(m);
	}
	if (vm_page_insert(m, from, fidx) != 0)
		panic("collapse: cannot reinsert page %lx", m->phys_addr);
	return false;
}

/*
 * Move backing's pages and copies up into obj, freeing those obj already
 * shadows (with a page or a copy of its own) or that lie outside its
 * window.  Both are locked; backing is referenced only by obj.  False if
 * a trie node or a swap block could not be had: the collapse stops half
 * way, which leaves a valid chain.
 */
static bool
move_pages_up(struct vm_object *obj, struct vm_object *backing)
{
	struct moved mv = { 0 };
	struct vm_page *m;
	uint64_t bidx, slot;
	vm_pindex_t idx;
	bool done = true;

	while (done && (m = vm_radix_lookup_ge(&backing->pages, 0, &bidx)) != NULL) {
		if (!shadow_index(obj, bidx, &idx) || holds(obj, idx)) {
			page_unmap_free(m);	/* seen by no one: shadowed, or outside the window */
			mv.pages_freed++;
			mv.copies_freed += drop_copy(backing, bidx);
			continue;
		}
		done = move_page(backing, bidx, obj, idx, m, &mv);
	}
	/* The copies whose pages are not resident. */
	while (done && (slot = swap_pager_next(backing, 0, &bidx)) != SWAP_SLOT_NONE) {
		if (!shadow_index(obj, bidx, &idx) || holds(obj, idx))
			mv.copies_freed += drop_copy(backing, bidx);
		else if (move_copy(backing, bidx, obj, idx, slot) == 0)
			mv.copies_moved++;
		else
			done = false;
	}
	count_moved(&mv);
	return done;
}

/*
 * obj's page or copy at idx is about to replace backing's there: free
 * what backing has at idx.
 */
static void
free_shadowed(struct vm_object *backing, vm_pindex_t idx, struct moved *mv)
{
	struct vm_page *shadowed = vm_page_lookup(backing, idx);

	if (shadowed != NULL) {
		page_unmap_free(shadowed);
		mv->pages_freed++;
	}
	mv->copies_freed += drop_copy(backing, idx);
}

/* obj takes over backing's pages (whole trie) and copies; what lies past obj's size goes. */
static void
take_over(struct vm_object *obj, struct vm_object *backing, struct moved *mv)
{
	struct vm_page *m;
	uint64_t idx;

	obj->pages = backing->pages;
	vm_radix_init(&backing->pages);
	obj->resident_count = backing->resident_count;
	backing->resident_count = 0;
	for (idx = 0; (m = vm_radix_lookup_ge(&obj->pages, idx, &idx)) != NULL; idx++) {
		m->object = obj;
		if (idx >= obj->size) {
			page_unmap_free(m);
			mv->pages_freed++;
		}
		if (idx == UINT64_MAX)
			break;
	}
	swap_pager_move_all(backing, obj);
	swap_pager_discard(obj, obj->size, UINT64_MAX);
}

/*
 * The other direction, for a shadow with fewer pages than its backing
 * object (the common case after fork: the parent rewrote a few pages,
 * the child is gone): obj's pages and copies move down into backing,
 * replacing what they shadow, and obj then takes over backing's whole
 * trie and swap metadata, which only needs each page's owner changed,
 * not a trie operation per page.  Only when obj's window starts at
 * backing's first page (indices agree).  Both locked; false (a still
 * valid chain) if a trie node or a swap block could not be had.
 */
static bool
move_pages_down(struct vm_object *obj, struct vm_object *backing)
{
	struct moved mv = { 0 };
	struct vm_page *m;
	uint64_t idx, slot;
	bool done = true;

	KASSERT(obj->backing_offset == 0, ("move_pages_down: offset %lx", obj->backing_offset));
	while (done && (m = vm_radix_lookup_ge(&obj->pages, 0, &idx)) != NULL) {
		free_shadowed(backing, idx, &mv);
		done = move_page(obj, idx, backing, idx, m, &mv);
	}
	while (done && (slot = swap_pager_next(obj, 0, &idx)) != SWAP_SLOT_NONE) {
		free_shadowed(backing, idx, &mv);
		if (move_copy(obj, idx, backing, idx, slot) == 0)
			mv.copies_moved++;
		else
			done = false;
	}
	if (done)
		take_over(obj, backing, &mv);
	count_moved(&mv);
	return done;
}

/* What obj holds: resident pages and copies in swap. */
static uint64_t
held(const struct vm_object *obj)
{
	return obj->resident_count + obj->swap.sm_count;
}

/* Merge backing's pages and copies into obj, moving the smaller set. */
static bool
collapse_pages(struct vm_object *obj, struct vm_object *backing)
{
	if (obj->backing_offset == 0 && held(obj) < held(backing))
		return move_pages_down(obj, backing);
	return move_pages_up(obj, backing);
}

/*
 * Make obj (locked, as is backing) point past backing to backing's own
 * backing object.  With absorb, obj takes over backing's place and
 * reference there (collapse); otherwise obj becomes one more shadow and
 * takes a reference of its own (bypass).
 */
static void
relink_past(struct vm_object *obj, struct vm_object *backing, bool absorb)
{
	struct vm_object *next = backing->backing_object;

	list_remove(&obj->shadow_link);
	backing->shadow_count--;
	obj->backing_object = next;
	obj->backing_offset += backing->backing_offset;
	if (next == NULL) {
		/* Nothing below any more: obj is an ordinary anonymous object now. */
		if (obj->flags & OBJ_SHADOW) {
			obj->flags &= ~OBJ_SHADOW;
			STAT_ADD(shadows, -1);
		}
		return;
	}
	spin_lock(&next->lock);
	list_append(&next->shadows, &obj->shadow_link);
	if (absorb) {
		list_remove(&backing->shadow_link);
		backing->backing_object = NULL;
	} else {
		next->shadow_count++;
		__atomic_add_fetch(&next->ref_count, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&next->lock);
}

/*
 * Take backing's one remaining reference (obj's) for a collapse: 1 -> 0,
 * so no one can grab a new reference to it meanwhile (grab_sole_shadow
 * only takes references to objects that still have one).
 */
static bool
claim_sole_reference(struct vm_object *backing)
{
	uint32_t one = 1;

	return __atomic_compare_exchange_n(&backing->ref_count, &one, 0, false,
	    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

void
vm_object_collapse(struct vm_object *obj)
{
	for (;;) {
		struct vm_object *backing;

		spin_lock(&obj->lock);
		backing = obj->backing_object;
		if (backing == NULL || (obj->flags & OBJ_DEAD) || obj->paging_in_progress) {
			spin_unlock(&obj->lock);
			return;
		}
		spin_lock(&backing->lock);
		if (!vm_object_is_anon(backing) || backing->paging_in_progress) {
			spin_unlock(&backing->lock);
			spin_unlock(&obj->lock);
			return;
		}
		if (claim_sole_reference(backing)) {
			/* Collapse: obj absorbs backing, whose reference on its backing passes to obj. */
			if (!collapse_pages(obj, backing)) {
				/* Half moved is still a valid chain; give the reference back. */
				__atomic_store_n(&backing->ref_count, 1, __ATOMIC_RELEASE);
				spin_unlock(&backing->lock);
				spin_unlock(&obj->lock);
				return;
			}
			relink_past(obj, backing, true);
			backing->flags |= OBJ_DEAD;
			vm_radix_reclaim_all(&backing->pages);
			spin_unlock(&backing->lock);
			spin_unlock(&obj->lock);
			object_free(backing);
			STAT_ADD(collapses, 1);
		} else if (shadow_covers_backing(obj, backing)) {
			/* Bypass: obj no longer needs backing, which others still use. */
			relink_past(obj, backing, false);
			spin_unlock(&backing->lock);
			spin_unlock(&obj->lock);
			vm_object_deallocate(backing);
			STAT_ADD(bypasses, 1);
		} else {
			spin_unlock(&backing->lock);
			spin_unlock(&obj->lock);
			return;
		}
	}
}

/*
 * vm_object_page_remove with obj locked; a busy page is slept for (with
 * obj unlocked meanwhile) and looked up again: a failed fill frees it.
 */
static uint64_t
page_remove_locked(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end)
{
	struct vm_page *m;
	uint64_t idx = start, freed = 0;

	while (idx < end && (m = vm_radix_lookup_ge(&obj->pages, idx, &idx)) != NULL &&
	    idx < end) {
		while (m != NULL && vm_page_busy_sleep(m, &obj->lock, false)) {
			spin_lock(&obj->lock);
			m = vm_page_lookup(obj, idx);
		}
		if (m != NULL && m->wire_count == 0) {
			page_unmap_free(m);
			freed++;
		}
		idx++;
	}
	return freed;
}

uint64_t
vm_object_page_remove(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end)
{
	uint64_t freed;

	spin_lock(&obj->lock);
	freed = page_remove_locked(obj, start, end);
	swap_pager_freespace(obj, start, end);
	spin_unlock(&obj->lock);
	return freed;
}

uint64_t
vm_object_unmap_range(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end)
{
	uint64_t freed = 0;

	spin_lock(&obj->lock);
	if ((obj->flags & OBJ_ONEMAPPING) && obj->ref_count > 1) {
		KASSERT(vm_object_is_anon(obj) && obj->shadow_count == 0,
		    ("vm_object_unmap_range: %p is seen by more than its entries", obj));
		freed = page_remove_locked(obj, start, end);
		swap_pager_freespace(obj, start, end);
		if (start < obj->size && end >= obj->size &&
		    vm_radix_lookup_ge(&obj->pages, start, &(uint64_t){0}) == NULL &&
		    swap_pager_next(obj, start, &(uint64_t){0}) == SWAP_SLOT_NONE) {
			if (obj->flags & OBJ_ACCOUNTED)
				vm_commit_release(obj->size - start, false);
			obj->size = start;	/* nothing left past start: shrink */
		}
		STAT_ADD(unmap_pages_freed, freed);
	}
	spin_unlock(&obj->lock);
	return freed;
}

void
vm_object_clear_onemapping(struct vm_object *obj)
{
	if (obj == NULL)
		return;
	spin_lock(&obj->lock);
	obj->flags &= ~OBJ_ONEMAPPING;
	spin_unlock(&obj->lock);
}

int
vm_object_page_in(struct vm_object *obj, vm_pindex_t pindex, int ahead)
{
	struct vm_page *m;
	int error;

	if ((m = vm_page_alloc(obj, pindex, VM_ALLOC_NORMAL)) == NULL) {
		spin_unlock(&obj->lock);
		return ENOMEM;
	}
	vm_object_pip_add(obj);
	spin_unlock(&obj->lock);
	error = obj->pager->getpages(obj, m, 0, ahead, MADV_NORMAL);
	spin_lock(&obj->lock);
	vm_page_xunbusy(m);
	if (error != 0)
		vm_page_free(m);
	vm_object_pip_wakeup(obj);
	spin_unlock(&obj->lock);
	return error != 0 ? EIO : 0;
}

/*
 * The page at pindex of obj (locked), resident: found, read in from
 * swap, or allocated and zero-filled as a fault fills an anonymous page
 * (busy, and obj unlocked under its paging count, while it is zeroed).
 * NULL when the lock was let go meanwhile without a page (a busy page
 * slept on, a page read in, no memory): the caller looks again, unless
 * *error says it cannot be had (ENOMEM: no memory coming back; EIO: its
 * copy in swap could not be read).
 */
static struct vm_page *
resident_page(struct vm_object *obj, vm_pindex_t pindex, int *error)
{
	struct vm_page *m = vm_page_lookup(obj, pindex);

	if (m != NULL)
		return vm_page_busy_sleep(m, &obj->lock, true) ? NULL : m;
	if (swap_pager_has_copy(obj, pindex)) {
		if ((*error = vm_object_page_in(obj, pindex, 0)) == ENOMEM)
			*error = vm_wait(0, 0, VM_WAIT_FAILOK);
		return NULL;
	}
	if ((m = vm_page_alloc_zeroed(obj, pindex)) == NULL) {
		spin_unlock(&obj->lock);
		*error = vm_wait(0, 0, VM_WAIT_FAILOK);
	}
	return m;
}

int
vm_object_wire_all(struct vm_object *obj)
{
	vm_pindex_t i = 0;

	KASSERT(vm_object_is_anon(obj) && obj->backing_object == NULL,
	    ("vm_object_wire_all: %p is not plain anonymous memory", obj));
	while (i < obj->size) {
		struct vm_page *m;
		int error = 0;

		spin_lock(&obj->lock);
		if ((m = resident_page(obj, i, &error)) == NULL) {
			if (error == 0)
				continue;		/* unlocked: look again */
			vm_object_unwire_range(obj, i);
			return error;
		}
		vm_page_wire_kernel(m);
		spin_unlock(&obj->lock);
		i++;
	}
	return 0;
}

void
vm_object_unwire_range(struct vm_object *obj, vm_pindex_t end)
{
	uint64_t idx = 0;
	struct vm_page *m;

	spin_lock(&obj->lock);
	while (idx < end && (m = vm_radix_lookup_ge(&obj->pages, idx, &idx)) != NULL &&
	    idx < end) {
		KASSERT(m->wire_count > 0, ("vm_object_unwire_range: page %lx of %p not wired",
		    m->phys_addr, obj));
		vm_page_unwire_kernel(m);
		idx++;
	}
	spin_unlock(&obj->lock);
}

struct vm_page *
vm_object_chain_lookup(struct vm_object *obj, vm_pindex_t pindex, struct vm_object **holder)
{
	struct vm_object *next;
	struct vm_page *m;

	spin_lock(&obj->lock);
	while ((m = vm_page_lookup(obj, pindex)) == NULL) {
		if ((next = obj->backing_object) == NULL || swap_pager_has_copy(obj, pindex)) {
			spin_unlock(&obj->lock);
			return NULL;
		}
		pindex += atop(obj->backing_offset);
		spin_lock(&next->lock);
		spin_unlock(&obj->lock);
		obj = next;
	}
	*holder = obj;
	return m;
}

/*
 * The object at the bottom of obj's chain, returned locked.  The walk
 * locks hand over hand (front to back), as every chain walk must: a
 * collapse elsewhere may change the chain, but frees an object only once
 * nothing points at it under a lock held here.  *depth (if not NULL)
 * counts the objects below obj; *offset (if not NULL) gets the backing
 * offsets added.
 */
static struct vm_object *
bottom_locked(struct vm_object *obj, int *depth, uint64_t *offset)
{
	struct vm_object *next;

	spin_lock(&obj->lock);
	while ((next = obj->backing_object) != NULL) {
		if (offset != NULL)
			*offset += obj->backing_offset;
		if (depth != NULL)
			(*depth)++;
		spin_lock(&next->lock);
		spin_unlock(&obj->lock);
		obj = next;
	}
	return obj;
}

enum vm_object_type
vm_object_bottom_type(struct vm_object *obj)
{
	struct vm_object *bottom = bottom_locked(obj, NULL, NULL);
	enum vm_object_type type = bottom->type;

	spin_unlock(&bottom->lock);
	return type;
}

struct vm_object *
vm_object_bottom(struct vm_object *obj, uint64_t *offset)
{
	struct vm_object *bottom = bottom_locked(obj, NULL, offset);

	__atomic_add_fetch(&bottom->ref_count, 1, __ATOMIC_RELAXED);
	spin_unlock(&bottom->lock);
	return bottom;
}

int
vm_object_shadow_depth(struct vm_object *obj)
{
	int depth = 0;

	if (obj != NULL)
		spin_unlock(&bottom_locked(obj, &depth, NULL)->lock);
	return depth;
}
