/*
 * Virtual memory objects, shadow chains and their collapse (see
 * vm_object.h).
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <kern/sleepqueue.h>
#include <machine/cpu.h>
#include <vm/pmap.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_wait.h>
#include <vm/zone.h>

struct vm_object_stats vm_object_stats;
static zone_t object_zone;

#define STAT_ADD(field, n)	__atomic_add_fetch(&vm_object_stats.field, (n), __ATOMIC_RELAXED)

void
vm_object_init(void)
{
	object_zone = zone_create("vm object", sizeof(struct vm_object), 8, 0);
	if (object_zone == NULL)
		panic("vm_object_init: no zone");
	vm_radix_zinit();
}

struct vm_object *
vm_object_allocate(enum vm_object_type type, vm_pindex_t size)
{
	struct vm_object *obj = zone_alloc(object_zone, M_WAITOK | M_ZERO);

	if (obj == NULL)
		return NULL;
	spin_init(&obj->lock, "vm object");
	vm_radix_init(&obj->pages);
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
	struct vm_page *m = vm_page_alloc_pages(0, VM_ALLOC_NOWAIT | (flags & VM_ALLOC_ZERO));

	if (m == NULL)
		return NULL;
	m->wire_count = 0;
	if (vm_page_insert(m, obj, pindex) != 0) {
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

void
vm_page_free(struct vm_page *m)
{
	KASSERT(m->wire_count == 0, ("vm_page_free: page %lx is wired", m->phys_addr));
	if (m->object != NULL)
		vm_page_remove(m);
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

	if (obj->shadow_count != 1 || obj->pager != NULL)
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
	if (src->ref_count == 1 && src->pager == NULL) {
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

/* Is every page of backing (within obj's window) already shadowed by obj? */
static bool
shadow_covers_backing(struct vm_object *obj, struct vm_object *backing)
{
	struct vm_page *m;
	uint64_t bidx = 0;
	vm_pindex_t idx;

	while ((m = vm_radix_lookup_ge(&backing->pages, bidx, &bidx)) != NULL) {
		if (shadow_index(obj, bidx, &idx) && vm_page_lookup(obj, idx) == NULL)
			return false;
		if (bidx == UINT64_MAX)
			break;
		bidx++;
	}
	return true;
}

/*
 * Move backing's pages up into obj, freeing those obj already shadows or
 * that lie outside its window.  Both are locked; backing is referenced
 * only by obj.  False (nothing changed) if a trie node could not be had.
 */
static bool
move_pages_up(struct vm_object *obj, struct vm_object *backing)
{
	struct vm_page *m;
	uint64_t bidx;
	vm_pindex_t idx;
	uint64_t moved = 0, freed = 0;

	while ((m = vm_radix_lookup_ge(&backing->pages, 0, &bidx)) != NULL) {
		if (!shadow_index(obj, bidx, &idx) || vm_page_lookup(obj, idx) != NULL) {
			page_unmap_free(m);	/* seen by no one: shadowed, or outside the window */
			freed++;
			continue;
		}
		vm_page_remove(m);
		if (vm_page_insert(m, obj, idx) != 0) {
			/* Put it back; the collapse stops half way, which is still a valid chain. */
			if (vm_page_insert(m, backing, bidx) != 0)
				panic("collapse: cannot reinsert page %lx", m->phys_addr);
			STAT_ADD(collapse_pages_moved, moved);
			STAT_ADD(collapse_pages_freed, freed);
			return false;
		}
		moved++;
	}
	STAT_ADD(collapse_pages_moved, moved);
	STAT_ADD(collapse_pages_freed, freed);
	return true;
}

/*
 * The other direction, for a shadow with fewer pages than its backing
 * object (the common case after fork: the parent rewrote a few pages,
 * the child is gone): obj's pages move down into backing, replacing what
 * they shadow, and obj then takes over backing's whole trie, which only
 * needs each page's owner changed, not a trie operation per page.  Only
 * when obj's window starts at backing's first page (indices agree).
 * Both locked; false (a still valid chain) if a trie node could not be had.
 */
static bool
move_pages_down(struct vm_object *obj, struct vm_object *backing)
{
	struct vm_radix merged;
	struct vm_page *m;
	uint64_t idx, moved = 0, freed = 0;
	bool done = true;

	KASSERT(obj->backing_offset == 0, ("move_pages_down: offset %lx", obj->backing_offset));
	while ((m = vm_radix_lookup_ge(&obj->pages, 0, &idx)) != NULL) {
		struct vm_page *shadowed = vm_page_lookup(backing, idx);

		if (shadowed != NULL) {
			page_unmap_free(shadowed);
			freed++;
		}
		vm_page_remove(m);
		if (vm_page_insert(m, backing, idx) != 0) {
			/* m still shadows idx from obj: the chain stays valid. */
			if (vm_page_insert(m, obj, idx) != 0)
				panic("collapse: cannot reinsert page %lx", m->phys_addr);
			done = false;
			break;
		}
		moved++;
	}
	if (done) {
		merged = backing->pages;
		vm_radix_init(&backing->pages);
		obj->pages = merged;
		obj->resident_count = backing->resident_count;
		backing->resident_count = 0;
		for (idx = 0; (m = vm_radix_lookup_ge(&obj->pages, idx, &idx)) != NULL; idx++) {
			m->object = obj;
			if (idx >= obj->size) {
				page_unmap_free(m);
				freed++;
			}
			if (idx == UINT64_MAX)
				break;
		}
	}
	STAT_ADD(collapse_pages_moved, moved);
	STAT_ADD(collapse_pages_freed, freed);
	return done;
}

/* Merge backing's pages into obj, moving the smaller set through the tries. */
static bool
collapse_pages(struct vm_object *obj, struct vm_object *backing)
{
	if (obj->backing_offset == 0 && obj->resident_count < backing->resident_count)
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
		if (backing->pager != NULL || backing->type != OBJT_ANON ||
		    backing->paging_in_progress) {
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
	spin_unlock(&obj->lock);
	return freed;
}

uint64_t
vm_object_unmap_range(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end)
{
	uint64_t freed = 0;

	spin_lock(&obj->lock);
	if ((obj->flags & OBJ_ONEMAPPING) && obj->ref_count > 1) {
		KASSERT(obj->type == OBJT_ANON && obj->shadow_count == 0,
		    ("vm_object_unmap_range: %p is seen by more than its entries", obj));
		freed = page_remove_locked(obj, start, end);
		/* Later, swap blocks in the range go here too. */
		if (start < obj->size && end >= obj->size &&
		    vm_radix_lookup_ge(&obj->pages, start, &(uint64_t){0}) == NULL)
			obj->size = start;	/* nothing left past start: shrink */
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

/*
 * The page at pindex of obj (locked), resident: found, or allocated and
 * zero-filled as a fault fills an anonymous page (busy, and obj unlocked
 * under its paging count, while it is zeroed).  NULL when the lock was
 * let go meanwhile without a page (a busy page slept on, no memory): the
 * caller looks again, unless *nomem says no memory is coming back.
 */
static struct vm_page *
resident_page(struct vm_object *obj, vm_pindex_t pindex, bool *nomem)
{
	struct vm_page *m = vm_page_lookup(obj, pindex);

	if (m != NULL)
		return vm_page_busy_sleep(m, &obj->lock, true) ? NULL : m;
	if ((m = vm_page_alloc_zeroed(obj, pindex)) == NULL) {
		spin_unlock(&obj->lock);
		*nomem = vm_wait(0, 0, VM_WAIT_FAILOK) != 0;
	}
	return m;
}

int
vm_object_wire_all(struct vm_object *obj)
{
	vm_pindex_t i = 0;

	KASSERT(obj->type == OBJT_ANON && obj->backing_object == NULL && obj->pager == NULL,
	    ("vm_object_wire_all: %p is not plain anonymous memory", obj));
	while (i < obj->size) {
		bool nomem = false;
		struct vm_page *m;

		spin_lock(&obj->lock);
		if ((m = resident_page(obj, i, &nomem)) == NULL) {
			if (!nomem)
				continue;		/* unlocked: look again */
			vm_object_unwire_range(obj, i);
			return ENOMEM;
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
		if ((next = obj->backing_object) == NULL) {
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
