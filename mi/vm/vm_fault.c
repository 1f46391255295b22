/*
 * The page-fault handler (see vm_fault.h).
 *
 * The map lock is held for the whole fault, so the entry cannot change
 * under us; the first object is locked while we look for the page, and
 * objects further down the chain are locked front to back as we go, the
 * one holding the page staying locked until it is mapped.
 *
 * A page being filled is busy and its object unlocked during the fill; a
 * fault on another cpu that finds it busy backs out entirely, waits for
 * the fill to finish, and starts over, so two harts never both insert a
 * page at one index.
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <machine/cpu.h>
#include <vm/pmap.h>
#include <vm/vm_fault.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pagequeue.h>
#include <vm/vm_pageout.h>
#include <vm/vm_workingset.h>
#include <vm/zone.h>

#define FAULT_ENOMEM_RETRIES	4

struct vm_fault_stats vm_fault_stats;

#define FSTAT(field)	__atomic_add_fetch(&vm_fault_stats.field, 1, __ATOMIC_RELAXED)

/* What a fault works on once the entry has been looked at. */
struct faultstate {
	struct vm_map	*map;
	vaddr_t		va;
	vm_prot_t	access;
	vm_prot_t	prot;		/* what the mapping may allow */
	vm_prot_t	entry_prot;	/* the entry's protection, which prot never exceeds */
	bool		wire_page;	/* VM_FAULT_WIRE: the page takes one more wiring */
	bool		wired;		/* the entry is wired (or being wired): wired leaf */
	uint32_t	wirings;	/* the entry's wirings, which follow a copy-on-write */
	struct vm_object *first;	/* the entry's object (locked) */
	vm_pindex_t	pindex;		/* page index in first */
	struct vm_object *object;	/* where the page was found (locked) */
	struct vm_page	*m;
	bool		cow_copied;	/* a page was copied up into first */
};

/*
 * Check the entry and give it the object the fault needs: a new anonymous
 * object for never-touched memory, a shadow for a private entry's first
 * write.  Map locked.
 */
static int
prepare_entry(struct faultstate *fs, struct vm_map_entry *e)
{
	KASSERT(spin_owned(&fs->map->lock), ("vm_fault: map %p not locked", fs->map));
	if ((fs->access & ~e->protection) != 0)
		return EACCES;
	if (e->object == NULL) {
		e->object = vm_object_allocate_private(atop(e->end - e->start));
		if (e->object == NULL)
			return ENOMEM;
		e->offset = 0;
		e->eflags &= ~MAP_ENTRY_NEEDS_COPY;
	}
	KASSERT(!fs->wire_page || (e->eflags & MAP_ENTRY_IN_WIRING),
	    ("vm_fault: wiring fault at %lx outside a wiring", fs->va));
	if ((e->eflags & MAP_ENTRY_NEEDS_COPY) && ((fs->access & VM_PROT_WRITE) || fs->wire_page)) {
		if (vm_object_shadow(&e->object, &e->offset, e->end - e->start) != 0)
			return ENOMEM;
		e->eflags &= ~MAP_ENTRY_NEEDS_COPY;
	}
	fs->prot = fs->entry_prot = e->protection;
	if (e->eflags & MAP_ENTRY_NEEDS_COPY)
		fs->prot &= ~VM_PROT_WRITE;
	fs->wirings = e->wired_count;
	fs->wired = e->wired_count > 0 || (e->eflags & MAP_ENTRY_IN_WIRING);
	fs->first = e->object;
	fs->pindex = atop(fs->va - e->start + e->offset);
	return 0;
}

/* Wait, with nothing locked but the map, for a busy page to be filled. */
static void
wait_unbusy(struct faultstate *fs, struct vm_page *m)
{
	if (fs->object != fs->first)
		spin_unlock(&fs->object->lock);
	spin_unlock(&fs->first->lock);
	FSTAT(busy_waits);
	while (__atomic_load_n(&m->busy, __ATOMIC_ACQUIRE))
		cpu_spinwait();
}

/* Zero-fill a new page at pindex in the first object. */
static int
zero_fill(struct faultstate *fs)
{
	struct vm_page *m;

	KASSERT(spin_owned(&fs->first->lock) && fs->first->type == OBJT_ANON,
	    ("zero_fill: first object %p not locked or not anonymous", fs->first));
	if ((m = vm_page_alloc(fs->first, fs->pindex, 0)) == NULL)
		return ENOMEM;
	spin_unlock(&fs->first->lock);
	pmap_zero_page(m);
	spin_lock(&fs->first->lock);
	vm_page_unbusy(m);
	FSTAT(zero_fills);
	fs->object = fs->first;
	fs->m = m;
	return 0;
}

/* Page in from obj's pager (obj locked; the bottom of the chain). */
static int
page_in(struct faultstate *fs, struct vm_object *obj, vm_pindex_t idx)
{
	struct vm_page *m;
	int error;

	KASSERT(spin_owned(&obj->lock) && obj->backing_object == NULL,
	    ("page_in: object %p not locked or not the bottom of its chain", obj));
	if ((m = vm_page_alloc(obj, idx, 0)) == NULL)
		return ENOMEM;
	spin_unlock(&obj->lock);
	error = obj->pager->getpage(obj, m);
	spin_lock(&obj->lock);
	if (error == 0)
		(void)vm_workingset_refault(m);	/* evicted not long ago: straight to active */
	vm_page_unbusy(m);
	if (error) {
		vm_page_free(m);
		return EIO;
	}
	FSTAT(pageins);
	fs->m = m;
	return 0;
}

/*
 * Find the page along the shadow chain, or make it.  On success fs->m is
 * in fs->object, which is locked (as is fs->first).  EAGAIN: a busy page
 * was waited for; all object locks are dropped; start over.
 */
static int
find_page(struct faultstate *fs)
{
	struct vm_object *obj = fs->first;
	vm_pindex_t idx = fs->pindex;

	spin_lock(&obj->lock);
	fs->object = obj;
	for (;;) {
		struct vm_page *m = vm_page_lookup(obj, idx);

		KASSERT(spin_owned(&obj->lock) && spin_owned(&fs->first->lock),
		    ("find_page: chain of %p not locked down to %p", fs->first, obj));
		if (m != NULL) {
			if (m->busy) {
				wait_unbusy(fs, m);
				return EAGAIN;
			}
			KASSERT(m->object == obj && m->pindex == idx,
			    ("find_page: page %lx in %p at %lu says %p at %lu", m->phys_addr, obj,
			    idx, m->object, m->pindex));
			vm_page_reference(m);	/* found resident: a minor fault */
			fs->m = m;
			return 0;
		}
		if (obj->pager != NULL && obj->pager->getpage != NULL)
			return page_in(fs, obj, idx);
		if (obj->backing_object == NULL) {
			if (obj != fs->first)
				spin_unlock(&obj->lock);
			fs->object = fs->first;
			return zero_fill(fs);
		}
		idx += atop(obj->backing_offset);
		obj = obj->backing_object;
		spin_lock(&obj->lock);
		if (fs->object != fs->first)
			spin_unlock(&fs->object->lock);
		fs->object = obj;
	}
}

/*
 * The page was found below the first object and the access writes:
 * give the first object its own copy, or move the page up when the
 * object it sits in is the first object's direct backing and used by
 * nothing else, so no one else can see it.  A wired entry's wirings
 * belong to the page it sees: they go with a moved page, and pass from
 * the old page to a copy.
 */
static int
copy_on_write(struct faultstate *fs)
{
	struct vm_object *below = fs->object;
	struct vm_page *old = fs->m, *m;

	KASSERT(below != fs->first && old->object == below && spin_owned(&below->lock) &&
	    spin_owned(&fs->first->lock), ("copy_on_write: page %lx not locked below %p",
	    old->phys_addr, fs->first));
	KASSERT(old->wire_count >= fs->wirings, ("copy_on_write: page %lx carries %u wirings, "
	    "its entry %u", old->phys_addr, old->wire_count, fs->wirings));

	if (below == fs->first->backing_object && below->ref_count == 1 &&
	    below->pager == NULL) {
		vm_page_remove(old);
		if (vm_page_insert(old, fs->first, fs->pindex) == 0) {
			FSTAT(cow_moves);
			goto done;
		}
		if (vm_page_insert(old, below, atop(fs->first->backing_offset) + fs->pindex))
			panic("copy_on_write: cannot put page %lx back", old->phys_addr);
	}
	if ((m = vm_page_alloc(fs->first, fs->pindex, 0)) == NULL)
		return ENOMEM;
	pmap_copy_page(old, m);
	vm_page_unbusy(m);
	for (uint32_t w = 0; w < fs->wirings; w++) {
		vm_page_wire(m);
		vm_page_unwire(old);
	}
	/*
	 * Another entry seeing this index of the first object may map the old
	 * page here: make it refault onto the copy.  An OBJ_ONEMAPPING first
	 * object has no such entry (its other references, clips of this
	 * entry, see other indices), so the old page's mappings elsewhere,
	 * through other chains that still see it, stay.  The removal loses no
	 * wiring either way: wirings belong to entries and pages (vm_map.h),
	 * and a wired entry's refault maps its page again without wiring it.
	 */
	if (fs->first->ref_count > 1 && !(fs->first->flags & OBJ_ONEMAPPING))
		pmap_remove_all(old);
	FSTAT(cow_copies);
	fs->cow_copied = true;
	fs->m = m;
done:
	spin_unlock(&below->lock);
	fs->object = fs->first;
	return 0;
}

static void
unlock_objects(struct faultstate *fs)
{
	if (fs->object != NULL && fs->object != fs->first)
		spin_unlock(&fs->object->lock);
	spin_unlock(&fs->first->lock);
}

/* Enter the page found; a wiring fault then wires it (once: this is the fault's end). */
static int
map_page(struct faultstate *fs)
{
	vm_prot_t prot = fs->prot;
	int error;

	KASSERT(spin_owned(&fs->object->lock) && spin_owned(&fs->first->lock),
	    ("map_page: objects %p, %p not locked", fs->first, fs->object));
	KASSERT(fs->m->object == fs->object && !fs->m->busy,
	    ("map_page: page %lx is busy or not in %p", fs->m->phys_addr, fs->object));
	KASSERT(!fs->wire_page || fs->wired, ("map_page: wiring a page of an unwired entry"));
	if (fs->object != fs->first)
		prot &= ~VM_PROT_WRITE;		/* writes must come back and copy */
	KASSERT((prot & ~fs->entry_prot) == 0 && (fs->access & ~prot) == 0,
	    ("map_page: protection %x beyond entry %x, or short of access %x", prot,
	    fs->entry_prot, fs->access));
	error = pmap_enter(fs->map->pmap, fs->va, fs->m, prot,
	    fs->access | (fs->wired ? PMAP_ENTER_WIRED : 0));
	if (error == 0 && fs->wire_page)
		vm_page_wire(fs->m);
	return error;
}

/*
 * After a copy-on-write, the first object may now hold a copy of every
 * page its backing object has, so it no longer needs it: try to shorten
 * the chain.  The resident counts make this a cheap test that only
 * passes when a full scan has a chance.
 */
static void
maybe_bypass(struct vm_object *first)
{
	struct vm_object *backing;
	bool worth_trying;

	/* Under first's lock its backing object cannot go away. */
	spin_lock(&first->lock);
	backing = first->backing_object;
	worth_trying = backing != NULL && first->resident_count >= backing->resident_count;
	spin_unlock(&first->lock);
	if (worth_trying)
		vm_object_collapse(first);
}

/* Device memory has no vm_page: enter its physical address directly. */
static int
map_device_page(struct faultstate *fs)
{
	struct vm_object *obj = fs->first;
	paddr_t pa = obj->pager->phys_addr(obj, fs->pindex);

	if (pa == 0)
		return EIO;
	return pmap_enter_device(fs->map->pmap, fs->va, pa, fs->prot);
}

static int
fault_once(struct faultstate *fs)
{
	struct vm_map_entry *e;
	int error;

	vm_map_lock(fs->map);
	e = vm_map_lookup_entry(fs->map, fs->va);
	if (e == NULL || (e->eflags & MAP_ENTRY_NOFAULT)) {
		vm_map_unlock(fs->map);
		FSTAT(segv_maperr);
		return EFAULT;
	}
	if ((error = prepare_entry(fs, e)) != 0) {
		vm_map_unlock(fs->map);
		if (error == EACCES)
			FSTAT(segv_accerr);
		return error;
	}
	if (fs->first->type == OBJT_DEVICE) {
		error = map_device_page(fs);
		vm_map_unlock(fs->map);
		return error;
	}
	while ((error = find_page(fs)) == EAGAIN)
		;
	if (error == 0 && fs->object != fs->first && (fs->access & VM_PROT_WRITE))
		error = copy_on_write(fs);
	if (error == 0)
		error = map_page(fs);
	unlock_objects(fs);
	if (error == 0 && fs->cow_copied)
		maybe_bypass(fs->first);
	vm_map_unlock(fs->map);
	return error;
}

int
vm_fault(struct vm_map *map, vaddr_t va, vm_prot_t access, int flags)
{
	struct faultstate fs;
	int error;

	KASSERT(map->pmap != NULL, ("vm_fault: map %p has no pmap", map));
	FSTAT(faults);
	va = trunc_page(va);
	if (!(flags & VM_FAULT_WIRE) && pmap_fault(map->pmap, va, access)) {
		FSTAT(pmap_fixups);
		return 0;
	}
	for (int tries = 0;; tries++) {
		memset(&fs, 0, sizeof(fs));
		fs.map = map;
		fs.va = va;
		fs.access = access;
		fs.wire_page = (flags & VM_FAULT_WIRE) != 0;
		error = fault_once(&fs);
		vm_pageout_kick_check();	/* an allocation under the locks may have left one */
		if (error != ENOMEM || tries == FAULT_ENOMEM_RETRIES)
			return error;
		/* Give the allocators' caches back to the page allocator and retry. */
		FSTAT(enomem_retries);
		zone_reclaim_all();
	}
}
