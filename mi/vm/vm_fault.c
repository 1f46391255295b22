/*
 * The page-fault handler (see vm_fault.h).
 *
 * Locking.  The map is held shared for the fault, so the entry cannot
 * change under it; an entry that must change first (an object for
 * never-touched memory, a shadow for a private entry's first write) is
 * changed with the map lock upgraded to exclusive.  The first object is
 * locked while we look for the page, objects further down the chain are
 * locked front to back as we go, and the one holding the page stays
 * locked until the page is mapped.
 *
 * Waiting.  A fault that must wait -- for a busy page, for free memory,
 * for a pager's read -- first lets go of every lock it holds, the map's
 * included, then sleeps, and starts over (as FreeBSD's vm_fault and
 * UVM's uvmfault_unlockall do).  Starting over, it looks the entry up
 * again only if the map has changed meanwhile (its timestamp moved);
 * otherwise what it learnt from the entry still holds.  While it waits
 * nothing keeps an object alive but, where the fault goes on working on
 * one (a page a pager fills), that object's paging-in-progress count.
 *
 * A page being filled is exclusively busy and its object unlocked during
 * the fill; a fault that finds it busy sleeps on it (the filler's unbusy
 * wakes it) and starts over, so two harts never both insert a page at
 * one index, and no one spins.
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <kern/sched.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <vm/pmap.h>
#include <vm/swap_device.h>
#include <vm/swap_pager.h>
#include <vm/vm_fault.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pagequeue.h>
#include <vm/vm_pageout.h>
#include <vm/vm_pager.h>
#include <vm/vm_superpage.h>
#include <vm/vm_wait.h>
#include <vm/vm_workingset.h>

/* fault_once: every lock was let go (to wait); start over. */
#define FAULT_RESTART	(-1)

struct vm_fault_stats vm_fault_stats;

#define FSTAT(field)	__atomic_add_fetch(&vm_fault_stats.field, 1, __ATOMIC_RELAXED)

/*
 * What a fault works on.  (The request's access and wire_page come last:
 * the zeroed rest of an initializer then starts aligned, a few stores
 * instead of a call to memset.)
 */
struct faultstate {
	/* The request. */
	struct vm_map	*map;
	vaddr_t		va;
	bool		paged_in;	/* the pager filled the page (a major fault) */
	/* Learnt from the entry; still true while the map's timestamp is lookup_stamp. */
	bool		looked_up;
	uint32_t	lookup_stamp;
	vm_prot_t	prot;		/* what the mapping may allow */
	vm_prot_t	entry_prot;	/* the entry's protection, which prot never exceeds */
	bool		wired;		/* the entry is wired (or being wired): wired leaf */
	uint32_t	wirings;	/* the entry's wirings, which follow a copy-on-write */
	uint8_t		advice;		/* the entry's MADV_NORMAL, _RANDOM or _SEQUENTIAL */
	const struct vm_map_entry *entry; /* the entry itself (for a superpage's bounds) */
	struct vm_object *first;	/* the entry's object */
	vm_pindex_t	pindex;		/* page index in first */
	/* The search, for one pass. */
	struct vm_object *object;	/* where the page was found (locked, as is first) */
	struct vm_page	*m;
	bool		cow_copied;	/* a page was copied up into first */
	bool		superpage_tried; /* a superpage was tried: not again */
	bool		mapped;		/* mapped already, by a superpage */
	bool		writemapped;	/* first's pager is to hear of a writable mapping */
	/* The request, continued. */
	vm_prot_t	access;
	bool		wire_page;	/* VM_FAULT_WIRE: the page takes one more wiring */
};

/* Is va's entry e, as seen by this access, bad?  EFAULT, EACCES or 0. */
static int
check_entry(struct faultstate *fs, struct vm_map_entry *e)
{
	if (e == NULL || (e->eflags & MAP_ENTRY_NOFAULT)) {
		FSTAT(segv_maperr);
		return EFAULT;
	}
	if ((fs->access & ~vm_prot_effective(e->protection)) != 0) {
		FSTAT(segv_accerr);
		return EACCES;
	}
	KASSERT(!fs->wire_page || (e->eflags & MAP_ENTRY_IN_WIRING),
	    ("vm_fault: wiring fault at %lx outside a wiring", fs->va));
	return 0;
}

/*
 * Must e change before this fault can use it: get an object (never
 * touched anonymous memory) or a shadow of its own (a private entry's
 * first write, or its wiring)?
 */
static bool
entry_needs_change(const struct faultstate *fs, const struct vm_map_entry *e)
{
	return e->object == NULL || ((e->eflags & MAP_ENTRY_NEEDS_COPY) &&
	    ((fs->access & VM_PROT_WRITE) || fs->wire_page));
}

/* Make that change.  Map locked exclusive.  0 or ENOMEM. */
static int
change_entry(struct faultstate *fs, struct vm_map_entry *e)
{
	KASSERT(sx_xlocked(&fs->map->lock), ("vm_fault: map %p not locked exclusive", fs->map));
	if (e->object == NULL) {
		e->object = vm_object_allocate_private(atop(e->end - e->start));
		if (e->object == NULL)
			return ENOMEM;
		e->offset = 0;
		e->eflags &= ~MAP_ENTRY_NEEDS_COPY;
	}
	if ((e->eflags & MAP_ENTRY_NEEDS_COPY) && ((fs->access & VM_PROT_WRITE) || fs->wire_page)) {
		if (vm_object_shadow(&e->object, &e->offset, e->end - e->start) != 0)
			return ENOMEM;
		e->eflags &= ~MAP_ENTRY_NEEDS_COPY;
	}
	return 0;
}

/* Learn what the fault needs from e (map locked), valid until the map changes. */
static void
learn_entry(struct faultstate *fs, struct vm_map_entry *e)
{
	fs->prot = fs->entry_prot = vm_prot_effective(e->protection);
	if (e->eflags & MAP_ENTRY_NEEDS_COPY)
		fs->prot &= ~VM_PROT_WRITE;
	fs->wirings = e->wired_count;
	fs->wired = e->wired_count > 0 || (e->eflags & MAP_ENTRY_IN_WIRING);
	fs->advice = e->advice;
	fs->entry = e;
	fs->first = e->object;
	fs->pindex = atop(fs->va - e->start + e->offset);
	fs->lookup_stamp = fs->map->timestamp;
	fs->looked_up = true;
}

/*
 * Lock the map shared and learn from va's entry what the fault needs,
 * changing the entry first if it must (with the lock exclusive for the
 * change: upgraded, or let go, taken exclusive and the entry looked up
 * again).  If the map has not changed since the last lookup, what was
 * learnt then still holds.
 * <= 0 with the map locked shared; EFAULT, EACCES or ENOMEM unlocked
 */
static int
lookup_entry(struct faultstate *fs)
{
	struct vm_map *map = fs->map;
	struct vm_map_entry *e;
	int error;

	vm_map_lock_read(map);
	if (fs->looked_up && map->timestamp == fs->lookup_stamp)
		return 0;
	e = vm_map_lookup_entry(map, fs->va);
	if ((error = check_entry(fs, e)) == 0 && entry_needs_change(fs, e)) {
		if (!vm_map_lock_upgrade(map)) {
			vm_map_lock(map);
			e = vm_map_lookup_entry(map, fs->va);
			error = check_entry(fs, e);
		}
		if (error == 0 && entry_needs_change(fs, e))
			error = change_entry(fs, e);
		if (error != 0) {
			vm_map_unlock(map);
			return error;
		}
		vm_map_lock_downgrade(map);
	}
	if (error != 0) {
		vm_map_unlock_read(map);
		return error;
	}
	learn_entry(fs, e);
	return 0;
}

/* Let go of the objects the search holds locked (fs->object, and fs->first). */
static void
unlock_objects(struct faultstate *fs)
{
	if (fs->object != fs->first)
		spin_unlock(&fs->object->lock);
	spin_unlock(&fs->first->lock);
}

/* Let go of everything: the objects the search holds, then the map. */
static void
unlock_all(struct faultstate *fs)
{
	unlock_objects(fs);
	vm_map_unlock_read(fs->map);
}

/*
 * m, found in fs->object, is busy in the way of this access: let go of
 * everything and sleep until it is not (its filler unbusies it), or, if
 * it no longer is by the time we look again, just let go.
 */
static void
sleep_for_busy(struct faultstate *fs, struct vm_page *m, bool shared_ok)
{
	struct vm_object *obj = fs->object;

	vm_map_unlock_read(fs->map);
	if (obj != fs->first)
		spin_unlock(&fs->first->lock);
	/* obj's lock is the interlock: the busy state cannot end unseen. */
	if (!vm_page_busy_sleep(m, &obj->lock, shared_ok))
		spin_unlock(&obj->lock);
}

static int superpage_fill(struct faultstate *fs);

/*
 * Zero-fill a new page at pindex in the first object (locked) -- or the
 * whole aligned 2 MiB around it, once a fault, where the entry allows a
 * superpage.  The page is busy and the object unlocked (its paging count
 * held) while it is zeroed; the map stays locked, since zeroing does not
 * sleep.
 * <= 0 with fs->m in first, locked (fs->mapped: mapped already);
 *    FAULT_RESTART (the object was unlocked for a superpage that did not
 *    come about: look again), or ENOMEM, with nothing locked
 */
static int
zero_fill(struct faultstate *fs)
{
	struct vm_object *first = fs->first;
	struct vm_page *m;

	KASSERT(spin_owned(&first->lock) && vm_object_is_anon(first),
	    ("zero_fill: first object %p not locked or not anonymous", first));
	fs->object = first;
	if (first->backing_object == NULL && !fs->superpage_tried &&
	    vm_superpage_entry_allows(fs->entry, fs->va) && superpage_fill(fs) == 0)
		return 0;
	if ((m = vm_page_alloc_zeroed(first, fs->pindex)) == NULL) {
		unlock_all(fs);
		return ENOMEM;
	}
	FSTAT(zero_fills);
	fs->m = m;
	return 0;
}

/*
 * Zero-fill the whole aligned 2 MiB around the page, mapped by a
 * superpage if it can be (vm_superpage.h); only once a fault.  Out of
 * line: the 4 KiB fault pays nothing for it.
 * <= 0 with fs->m in first (fs->mapped: mapped already), or ENOENT (not
 *    here: nothing changed); first locked
 */
static __noinline int
superpage_fill(struct faultstate *fs)
{
	fs->superpage_tried = true;
	return vm_superpage_fault(fs->first, fs->pindex, fs->map->pmap, fs->va, fs->prot,
	    fs->access, &fs->m, &fs->mapped);
}

/*
 * How many pages a read for this fault may bring in before and after
 * the one it needs: the window follows the entry's madvise advice, and
 * without one (MADV_NORMAL) the use of the last read-arounds
 * (swap_pager_read_window).  A file on a disk keeps its own window.
 * obj locked.
 */
static void
read_window(const struct faultstate *fs, struct vm_object *obj, vm_pindex_t idx, int *behind,
    int *ahead)
{
	switch (fs->advice) {
	case MADV_RANDOM:
		*behind = *ahead = 0;
		break;
	case MADV_SEQUENTIAL:
		*behind = 0;
		*ahead = SWAP_READ_AHEAD_SEQUENTIAL;
		break;
	default:
		if (swap_pager_has_copy(obj, idx)) {
			swap_pager_read_window(obj, idx, behind, ahead);
		} else {
			*behind = (int)MIN(idx, (vm_pindex_t)SWAP_READ_BEHIND_NORMAL);
			*ahead = SWAP_READ_AHEAD_NORMAL;
		}
		break;
	}
}

/*
 * Does obj's pager fill index idx?  Where it has the page (a file's page,
 * a copy in swap), and at the bottom of the chain for anything but
 * anonymous memory: there the pager says what a missing page is (a hole
 * reads as zeros, a page past the end of a file is an error).  obj locked.
 */
static bool
pager_fills(struct vm_object *obj, vm_pindex_t idx)
{
	if (obj->pager == NULL || obj->pager->getpages == NULL)
		return false;
	return vm_pager_has_page(obj, idx, NULL, NULL) ||
	    (obj->backing_object == NULL && !vm_object_is_anon(obj));
}

/*
 * Ask obj's pager (obj locked, anywhere in the chain: a shadow's page may
 * be in swap) for the page at idx, and the neighbours its read can bring
 * in with it.  The new page is exclusively busy and every lock let go
 * while the pager fills it -- the map's too, since a pager may sleep for
 * I/O -- obj being kept by its paging count.  Then the fault starts
 * over, and finds the page resident (the map's timestamp tells whether
 * the entry must be looked up again).
 * <= FAULT_RESTART, ENOMEM or EIO (the pager failed), with nothing locked
 */
static int
page_in(struct faultstate *fs, struct vm_object *obj, vm_pindex_t idx)
{
	struct vm_page *m;
	int error, behind, ahead;

	KASSERT(spin_owned(&obj->lock) && obj == fs->object,
	    ("page_in: object %p not locked or not the one searched", obj));
	if ((m = vm_page_alloc(obj, idx, 0)) == NULL) {
		unlock_all(fs);
		return ENOMEM;
	}
	read_window(fs, obj, idx, &behind, &ahead);
	vm_object_pip_add(obj);
	unlock_all(fs);
	error = obj->pager->getpages(obj, m, behind, ahead, fs->advice);
	spin_lock(&obj->lock);
	if (error == 0)
		(void)vm_workingset_refault(m);	/* evicted not long ago: straight to active */
	vm_page_xunbusy(m);
	if (error != 0) {
		vm_page_free(m);
	} else {
		FSTAT(pageins);
		fs->paged_in = true;	/* a major fault, once it resolves */
	}
	vm_object_pip_wakeup(obj);
	spin_unlock(&obj->lock);
	return error != 0 ? EIO : FAULT_RESTART;
}

/*
 * Find the page along the shadow chain, or make it.
 * <= 0 with fs->m in fs->object, which is locked, as are fs->first and
 *    the map; FAULT_RESTART (the fault waited for a busy page or a pager),
 *    ENOMEM or EIO with nothing locked
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
			/* Shared busy (being read) is in the way only of a write to m itself. */
			bool shared_ok = obj != fs->first || !(fs->access & VM_PROT_WRITE);

			if (vm_page_xbusied(m) || (!shared_ok && vm_page_busied(m))) {
				sleep_for_busy(fs, m, shared_ok);
				return FAULT_RESTART;
			}
			KASSERT(m->object == obj && m->pindex == idx,
			    ("find_page: page %lx in %p at %lu says %p at %lu", m->phys_addr, obj,
			    idx, m->object, m->pindex));
			/*
			 * Found resident: a minor fault.  Its use is the A bit
			 * of the mapping it makes, which the daemon sees; one
			 * still on inactive is promoted so, at no cost here.
			 */
			if (__predict_false(m->oflags & VPO_READAHEAD))
				swap_pager_read_hit(m);
			fs->m = m;
			return 0;
		}
		if (pager_fills(obj, idx))
			return page_in(fs, obj, idx);
		if (obj->backing_object == NULL) {
			if (obj != fs->first)
				spin_unlock(&obj->lock);
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

/* Moved page m's copy in below (at idx there) is stale: free it, and m is dirty. */
static void
drop_copy(struct vm_object *below, struct vm_page *m, vm_pindex_t idx)
{
	uint64_t slot;

	if (!swap_pager_has_copy(below, idx))
		return;
	slot = swap_pager_take(below, idx);
	swap_free(slot, 1);
	vm_page_set_dirty(m);
}

/*
 * The page was found below the first object and the access writes:
 * give the first object its own copy, or move the page up when the
 * object it sits in is the first object's direct backing and used by
 * nothing else, so no one else can see it.  A wired entry's wirings
 * belong to the page it sees: they go with a moved page, and pass from
 * the old page to a copy.
 * <= 0 with fs->m in first (fs->object), locked; ENOMEM with the objects
 *    still locked
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
	KASSERT(!vm_page_xbusied(old), ("copy_on_write: page %lx is being filled",
	    old->phys_addr));

	if (below == fs->first->backing_object && below->ref_count == 1 &&
	    vm_object_is_anon(below) && !vm_page_busied(old)) {
		vm_page_remove(old);
		if (vm_page_insert(old, fs->first, fs->pindex) == 0) {
			/* It is about to be written: a copy in swap it had is stale. */
			drop_copy(below, old, atop(fs->first->backing_offset) + fs->pindex);
			FSTAT(cow_moves);
			goto done;
		}
		if (vm_page_insert(old, below, atop(fs->first->backing_offset) + fs->pindex))
			panic("copy_on_write: cannot put page %lx back", old->phys_addr);
	}
	if ((m = vm_page_alloc(fs->first, fs->pindex, 0)) == NULL)
		return ENOMEM;
	pmap_copy_page(old, m);
	vm_page_xunbusy(m);
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

/*
 * Enter the page found; a wiring fault then wires it (once: this is the
 * fault's end).  A page being read (shared busy) is entered read-only: a
 * write must fault, and wait for the reader.  Objects and map locked.
 * 0 or ENOMEM (no page table page).
 */
static int
map_page(struct faultstate *fs)
{
	vm_prot_t prot = fs->prot;
	int error;

	KASSERT(spin_owned(&fs->object->lock) && spin_owned(&fs->first->lock),
	    ("map_page: objects %p, %p not locked", fs->first, fs->object));
	KASSERT(fs->m->object == fs->object && !vm_page_xbusied(fs->m),
	    ("map_page: page %lx is being filled or not in %p", fs->m->phys_addr, fs->object));
	KASSERT(!fs->wire_page || fs->wired, ("map_page: wiring a page of an unwired entry"));
	if (fs->object != fs->first || vm_page_busied(fs->m))
		prot &= ~VM_PROT_WRITE;		/* writes must come back and copy, or wait */
	else if (!(fs->access & VM_PROT_WRITE) && swap_pager_has_copy(fs->object, fs->m->pindex))
		prot &= ~VM_PROT_WRITE;		/* a write must come back and free the copy */
	KASSERT((prot & ~fs->entry_prot) == 0 && (fs->access & ~prot) == 0,
	    ("map_page: protection %x beyond entry %x, or short of access %x", prot,
	    fs->entry_prot, fs->access));
	error = pmap_enter(fs->map->pmap, fs->va, fs->m, prot,
	    fs->access | (fs->wired ? PMAP_ENTER_WIRED : 0));
	if (error == 0 && fs->wire_page)
		vm_page_wire(fs->m);
	/* Stores through it will dirty the page unseen: its pager hears of it once. */
	if (error == 0 && (prot & VM_PROT_WRITE) && fs->object == fs->first &&
	    fs->first->pager != NULL && fs->first->pager->writemapped != NULL &&
	    !(fs->first->flags & OBJ_WRITEMAPPED)) {
		fs->first->flags |= OBJ_WRITEMAPPED;
		fs->writemapped = true;
	}
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

/*
 * One pass: look the entry up (unless the map is unchanged), find or make
 * the page, copy it if need be, map it.
 * <= 0, FAULT_RESTART, or an error; nothing locked
 */
static int
fault_once(struct faultstate *fs)
{
	int error;

	if ((error = lookup_entry(fs)) != 0)
		return error;
	if (fs->first->type == OBJT_DEVICE) {
		error = map_device_page(fs);
		vm_map_unlock_read(fs->map);
		return error;
	}
	fs->cow_copied = false;
	fs->writemapped = false;
	fs->mapped = false;
	if ((error = find_page(fs)) != 0)
		return error;
	if (fs->object != fs->first && (fs->access & VM_PROT_WRITE))
		error = copy_on_write(fs);
	else if ((fs->access & VM_PROT_WRITE) && swap_pager_has_copy(fs->first, fs->pindex))
		swap_pager_page_dirtied(fs->m);	/* its copy in swap is stale now */
	if (error == 0 && !fs->mapped)
		error = map_page(fs);
	unlock_objects(fs);
	if (error == 0 && fs->cow_copied)
		maybe_bypass(fs->first);
	if (fs->writemapped)
		vm_object_reference(fs->first);	/* the map keeps it until then */
	vm_map_unlock_read(fs->map);
	if (fs->writemapped) {
		/* The pager may sleep (it marks its file dirty): nothing is locked now. */
		fs->first->pager->writemapped(fs->first);
		vm_object_deallocate(fs->first);
	}
	return error;
}

/*
 * A resolved fault counts for the thread that took it (getrusage's
 * ru_minflt and ru_majflt), as Linux counts every fault it handles:
 * major when a pager had to fill the page, minor otherwise.
 */
static void
account_fault(bool major)
{
	struct thread *td = curthread();

	if (td == NULL)
		return;
	if (major)
		td->td_majflt++;
	else
		td->td_minflt++;
}

int
vm_fault(struct vm_map *map, vaddr_t va, vm_prot_t access, int flags)
{
	struct faultstate fs = {
		.map = map,
		.va = trunc_page(va),
		.access = access,
		.wire_page = (flags & VM_FAULT_WIRE) != 0,
	};
	int error;

	KASSERT(map->pmap != NULL, ("vm_fault: map %p has no pmap", map));
	FSTAT(faults);
	if (!fs.wire_page && pmap_fault(map->pmap, fs.va, access)) {
		FSTAT(pmap_fixups);
		account_fault(false);
		return 0;
	}
	for (;;) {
		error = fault_once(&fs);
		vm_pageout_kick_check();	/* an allocation under the locks may have left one */
		if (error == FAULT_RESTART) {
			FSTAT(restarts);
			continue;
		}
		if (error == 0)
			account_fault(fs.paged_in);
		if (error != ENOMEM)
			return error;
		/* Out of memory, with nothing locked: wait for some, unless none is coming. */
		if (vm_wait(0, VM_ALLOC_NORMAL, VM_WAIT_FAILOK) != 0) {
			FSTAT(oom);
			return ENOMEM;
		}
		FSTAT(memory_waits);
	}
}
