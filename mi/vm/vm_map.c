/*
 * Address maps (see vm_map.h).
 *
 * Every operation on a range first clips the entries at the range's ends,
 * so it can then treat whole entries; adjacent anonymous entries that
 * end up alike are merged again when new space is mapped next to them.
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <kern/sched.h>
#include <kern/sleepqueue.h>
#include <kern/sysv_shm.h>
#include <vm/pmap.h>
#include <vm/swap_pager.h>
#include <vm/vm_commit.h>
#include <vm/vm_fault.h>
#include <vm/vm_pager.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_wait.h>
#include <vm/zone.h>

static struct vm_object *chain_bottom(struct vm_map_entry *e, uint64_t *offset);

struct vm_map_stats vm_map_stats;

#define STAT_ADD(field, n)	__atomic_add_fetch(&vm_map_stats.field, (n), __ATOMIC_RELAXED)

static zone_t map_entry_zone;
static zone_t vmspace_zone;
static struct vm_map kernel_map_store, kstack_map_store;
struct vm_map *kernel_map = &kernel_map_store;
struct vm_map *kstack_map = &kstack_map_store;

void
vm_map_startup(void)
{
	map_entry_zone = zone_create("vm map entry", sizeof(struct vm_map_entry), 8, 0);
	vmspace_zone = zone_create("vmspace", sizeof(struct vmspace), 8, 0);
	if (map_entry_zone == NULL || vmspace_zone == NULL)
		panic("vm_map_startup: no zones");
}

void
vm_map_init(struct vm_map *map, struct pmap *pmap, vaddr_t min, vaddr_t max)
{
	memset(map, 0, sizeof(*map));
	/* Kernel maps are locked inside user maps' operations (kernel stacks): a class apart. */
	sx_init(&map->lock, pmap != NULL ? "vm map" : "kernel map");
	vm_map_tree_init(&map->tree, min, max);
	map->pmap = pmap;
}

/* Sleep, map unlocked, until no thread wires entries of map; locked exclusive again on return. */
static void
wait_for_wiring(struct vm_map *map)
{
	sx_xunlock(&map->lock);
	sleepq_lock(&map->wiring);
	while (__atomic_load_n(&map->wiring, __ATOMIC_ACQUIRE) != NULL) {
		(void)sleepq_wait(&map->wiring, SLEEPQ_EXCLUSIVE, 0, 0);
		sleepq_lock(&map->wiring);
	}
	sleepq_release(&map->wiring);
	sx_xlock(&map->lock);
}

void
vm_map_lock(struct vm_map *map)
{
	sx_xlock(&map->lock);
	/*
	 * Another thread's wiring faults its entries in with the map
	 * unlocked: a removal would leave its pages wired for no entry, a
	 * second wiring wire them twice, a fork copy them half wired.  A
	 * fault's upgrade does not wait: the changes it makes (an object, a
	 * shadow) are the ones the wiring's own faults make.
	 */
	while (map->wiring != NULL && map->wiring != curthread())
		wait_for_wiring(map);
}

void
vm_map_unlock(struct vm_map *map)
{
	map->timestamp++;
	sx_xunlock(&map->lock);
}

void
vm_map_lock_read(struct vm_map *map)
{
	sx_slock(&map->lock);
}

void
vm_map_unlock_read(struct vm_map *map)
{
	sx_sunlock(&map->lock);
}

bool
vm_map_trylock_read(struct vm_map *map)
{
	return sx_try_slock(&map->lock);
}

bool
vm_map_lock_upgrade(struct vm_map *map)
{
	if (sx_try_upgrade(&map->lock))
		return true;
	sx_sunlock(&map->lock);
	return false;
}

void
vm_map_lock_downgrade(struct vm_map *map)
{
	map->timestamp++;
	sx_downgrade(&map->lock);
}

bool
vm_map_locked(const struct vm_map *map)
{
	return sx_xlocked(&map->lock) || sx_slocked_by_any(&map->lock);
}

bool
vm_map_in_bounds(const struct vm_map *map, vaddr_t start, vaddr_t end)
{
	return start <= end && start >= map->tree.min && end <= map->tree.max &&
	    ((start | end) & PAGE_MASK) == 0;
}

static struct vm_map_entry *
entry_alloc(void)
{
	return zone_alloc(map_entry_zone, M_NOWAIT | M_ZERO);
}

/* A new entry that starts as a copy of e, out of any tree; NULL on no memory. */
static struct vm_map_entry *
entry_alloc_copy(const struct vm_map_entry *e)
{
	struct vm_map_entry *c = zone_alloc(map_entry_zone, M_NOWAIT);

	if (c != NULL) {
		*c = *e;
		memset(&c->node, 0, sizeof(c->node));
	}
	return c;
}

static void
entry_free(struct vm_map_entry *e)
{
	zone_free(map_entry_zone, e);
}

struct vm_map_entry *
vm_map_lookup_entry(struct vm_map *map, vaddr_t va)
{
	struct vm_map_entry *e = __atomic_load_n(&map->hint, __ATOMIC_RELAXED);

	KASSERT(vm_map_locked(map), ("vm_map_lookup_entry: map not locked"));
	if (e != NULL && va >= e->start && va < e->end)
		return e;
	e = vm_map_tree_lookup(&map->tree, va, NULL);
	/* Readers race to set it; any entry of the map will do. */
	if (e != NULL)
		__atomic_store_n(&map->hint, e, __ATOMIC_RELAXED);
	return e;
}

/* Put e in the map right after pred (NULL: first). */
static void
entry_insert_after(struct vm_map *map, struct vm_map_entry *e, struct vm_map_entry *pred)
{
	vm_map_tree_insert_after(&map->tree, e, pred);
	map->size += e->end - e->start;
}

static void
entry_insert(struct vm_map *map, struct vm_map_entry *e)
{
	vm_map_tree_insert(&map->tree, e);
	map->size += e->end - e->start;
}

static void
entry_unlink(struct vm_map *map, struct vm_map_entry *e)
{
	if (map->hint == e)
		map->hint = NULL;
	vm_map_tree_remove(&map->tree, e);
	map->size -= e->end - e->start;
}

/* Is a user map at its limit of entries, so that a split must fail? */
static bool
at_entry_limit(const struct vm_map *map)
{
	return map->pmap != NULL && map->tree.nentries >= VM_MAP_MAX_ENTRIES;
}

/*
 * Split e at addr (strictly inside it) so that e starts at addr; the part
 * below becomes a new entry sharing e's object.  ENOMEM if no entry, or,
 * when limited, if the map has all the entries it may have.
 */
static int
clip_start(struct vm_map *map, struct vm_map_entry *e, vaddr_t addr, bool limited)
{
	struct vm_map_entry *front;

	if (addr <= e->start)
		return 0;
	front = limited && at_entry_limit(map) ? NULL : entry_alloc();
	if (front == NULL)
		return ENOMEM;
	*front = *e;		/* its node is set by the insertion */
	front->end = addr;
	e->offset += addr - e->start;
	e->start = addr;
	vm_map_tree_resize(&map->tree, e);
	vm_map_tree_insert_after(&map->tree, front, e->node.prev);
	vm_object_reference(front->object);
	return 0;
}

/* Split e at addr (strictly inside it) so that e ends at addr. */
static int
clip_end(struct vm_map *map, struct vm_map_entry *e, vaddr_t addr, bool limited)
{
	struct vm_map_entry *back;

	if (addr >= e->end)
		return 0;
	back = limited && at_entry_limit(map) ? NULL : entry_alloc();
	if (back == NULL)
		return ENOMEM;
	*back = *e;		/* its node is set by the insertion */
	back->start = addr;
	back->offset += addr - e->start;
	e->end = addr;
	vm_map_tree_resize(&map->tree, e);
	vm_map_tree_insert_after(&map->tree, back, e);
	vm_object_reference(back->object);
	return 0;
}

/*
 * Clip the entries overlapping [start, end) so none crosses either end;
 * limited: each split counts against the map's entry limit (as Linux's
 * split_vma does).
 */
static int
clip_range_limited(struct vm_map *map, vaddr_t start, vaddr_t end, bool limited)
{
	struct vm_map_entry *e, *prev;
	int error;

	e = vm_map_tree_lookup(&map->tree, start, &prev);
	if (e != NULL && (error = clip_start(map, e, start, limited)) != 0)
		return error;
	e = vm_map_tree_lookup(&map->tree, end - 1, &prev);
	if (e != NULL && (error = clip_end(map, e, end, limited)) != 0)
		return error;
	return 0;
}

static int
clip_range(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	return clip_range_limited(map, start, end, true);
}

/* The first entry at or above start, for walking a clipped range. */
static struct vm_map_entry *
first_in_range(struct vm_map *map, vaddr_t start)
{
	struct vm_map_entry *prev, *e = vm_map_tree_lookup(&map->tree, start, &prev);

	if (e != NULL)
		return e;
	return prev != NULL ? prev->node.next : map->tree.first;
}

/*
 * Take e's wirings off the pages it sees in [start, end) (part of its
 * range), walking its objects rather than its page tables: a wired page
 * may have no translation (PROT_NONE), and a translation says nothing
 * about who wired the page.  The wired leaves lose their wired bit.
 * Map locked.
 */
static void
entry_unwire_range(struct vm_map *map, struct vm_map_entry *e, vaddr_t start, vaddr_t end)
{
	vm_pindex_t first = atop(e->offset + (start - e->start));
	struct vm_object *holder;
	struct vm_page *m;

	KASSERT(e->object != NULL, ("entry_unwire_range: wired entry %lx-%lx has no object",
	    e->start, e->end));
	for (vm_pindex_t i = 0; i < atop(end - start); i++) {
		m = vm_object_chain_lookup(e->object, first + i, &holder);
		KASSERT(m != NULL && m->wire_count >= e->wired_count,
		    ("entry_unwire_range: page %lx of a wired entry is not wired", start + ptoa(i)));
		for (uint32_t w = 0; w < e->wired_count; w++)
			vm_page_unwire(m);
		spin_unlock(&holder->lock);
	}
	if (map->pmap != NULL)
		pmap_unwire(map->pmap, start, end);
}

/* Unwire the whole of a wired entry (map locked). */
static void
entry_unwire(struct vm_map *map, struct vm_map_entry *e)
{
	entry_unwire_range(map, e, e->start, e->end);
	e->wired_count = 0;
}

/*
 * Remove [start, end) from a locked map: entries, translations, object
 * references.  The map's entry limit stops only a removal that splits one
 * entry in two (ENOMEM, as Linux's munmap); trimming one at either end
 * adds no entry in the end.
 */
static int
remove_locked(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e, *prev, *last, *next;
	int error;

	/*
	 * An empty range removes nothing (mremap to the same size): the entry
	 * holding start would be taken for the last one and clipped at its
	 * own start, to nothing.
	 */
	if (start >= end)
		return 0;
	/*
	 * One lookup finds the first entry; it is clipped in place (it then
	 * starts at start), and so is the last one when it is the same
	 * entry, as when a whole mapping goes.
	 */
	e = vm_map_tree_lookup(&map->tree, start, &prev);
	if (e != NULL && e->start < start && end < e->end && at_entry_limit(map))
		return ENOMEM;
	if (e != NULL && (error = clip_start(map, e, start, false)) != 0)
		return error;
	last = e != NULL && end <= e->end ? e : vm_map_tree_lookup(&map->tree, end - 1, NULL);
	if (last != NULL && (error = clip_end(map, last, end, false)) != 0)
		return error;
	if (e == NULL)		/* start lies in a hole: the first entry after it */
		e = prev != NULL ? prev->node.next : map->tree.first;
	for (; e != NULL && e->start < end; e = next) {
		next = e->node.next;
		KASSERT(!(e->eflags & MAP_ENTRY_IS_SUB_MAP), ("vm_map_remove: a submap"));
		if (e->wired_count > 0)
			entry_unwire(map, e);
		/*
		 * Kernel maps have no pmap: their users unmap their own pages.
		 * An entry with no object has had nothing mapped (only a fault
		 * maps, and it gives the entry an object first; MADV_DONTNEED
		 * unmaps before it drops one): a page never touched costs no
		 * page-table walk.
		 */
		if (map->pmap != NULL && e->object != NULL)
			pmap_remove(map->pmap, e->start, e->end);
		entry_unlink(map, e);
		if (e->eflags & MAP_ENTRY_ACCOUNTED)
			vm_commit_release(atop(e->end - e->start), true);
		/* The range's pages, if no one else sees them, go now, not with the object. */
		if (e->object != NULL)
			vm_object_unmap_range(e->object, atop(e->offset),
			    atop(e->offset + (e->end - e->start)));
		/* Dropping an object reference may collapse chains: no map lock needed. */
		vm_object_deallocate(e->object);
		entry_free(e);
	}
	return 0;
}

int
vm_map_remove(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	int error;

	/* Nothing is mapped outside the bounds: remove only what lies inside. */
	start = MAX(start, map->tree.min);
	end = MIN(end, map->tree.max);
	if (start >= end)
		return 0;
	vm_map_lock(map);
	error = remove_locked(map, start, end);
	vm_map_unlock(map);
	return error;
}

/* Is [start, end) free?  *prevp: the entry before start (or holding it), NULL if none. */
static bool
range_is_free(struct vm_map *map, vaddr_t start, vaddr_t end, struct vm_map_entry **prevp)
{
	struct vm_map_entry *prev, *e = vm_map_tree_lookup(&map->tree, start, &prev);
	struct vm_map_entry *next = prev != NULL ? prev->node.next : map->tree.first;

	*prevp = prev;
	return e == NULL && (next == NULL || next->start >= end);
}

/*
 * Can e's range grow by len bytes in place, showing nothing of its
 * objects that belongs to someone else?  Every anonymous object of its
 * chain must hold nothing at the new indices (they lie past its size),
 * and the first one, if anonymous, must be e's alone there; a file at the
 * bottom may show through only with show_file (mremap: the mapping goes
 * on with the file), not when the new range must read as zeros (a merged
 * mmap).  If so, the first object grows to cover the new range, and true
 * is returned.  Map locked.
 */
static bool
grow_objects(struct vm_map_entry *e, vm_size_t len, bool show_file)
{
	struct vm_object *first = e->object, *obj, *next;
	vm_pindex_t from = atop(e->offset + (e->end - e->start)), to = from + atop(len);
	uint64_t ignored;
	bool ok;

	if (first == NULL)
		return true;
	spin_lock(&first->lock);
	ok = !vm_object_is_anon(first) || (from == first->size &&
	    (first->ref_count == 1 || (first->flags & OBJ_ONEMAPPING)));
	for (obj = first; ok; obj = next) {
		if (!vm_object_is_anon(obj)) {
			ok = obj->type == OBJT_VNODE && show_file;
			break;
		}
		ok = from >= obj->size && vm_radix_lookup_ge(&obj->pages, from, &ignored) == NULL &&
		    swap_pager_next(obj, from, &ignored) == SWAP_SLOT_NONE;
		if (!ok || (next = obj->backing_object) == NULL)
			break;
		from += atop(obj->backing_offset);
		spin_lock(&next->lock);
		if (obj != first)
			spin_unlock(&obj->lock);
	}
	if (obj != first)
		spin_unlock(&obj->lock);
	if (ok && vm_object_is_anon(first)) {
		if ((ok = vm_object_commit_growth(first, to) == 0))
			first->size = to;
	}
	spin_unlock(&first->lock);
	return ok;
}

/* Grow e, followed by free space, by len bytes in place if grow_objects allows. */
static bool
entry_extend(struct vm_map *map, struct vm_map_entry *e, vm_size_t len, bool show_file)
{
	if ((map->flags & MAP_KERNEL) || e->wired_count != 0 ||
	    (e->eflags & (MAP_ENTRY_IS_SUB_MAP | MAP_ENTRY_IN_WIRING)) ||
	    !grow_objects(e, len, show_file))
		return false;
	map->size += len;
	e->end += len;
	vm_map_tree_resize(&map->tree, e);
	return true;
}

/*
 * Grow prev, an anonymous private entry ending at start and alike in
 * every other way, to cover [start, end) instead of making a new entry.
 */
static bool
try_extend(struct vm_map *map, struct vm_map_entry *prev, vaddr_t start, vaddr_t end,
    vm_prot_t prot, vm_prot_t maxprot, int cow)
{
	if (prev == NULL || prev->end != start || prev->protection != prot ||
	    prev->max_protection != maxprot || prev->eflags != cow ||
	    prev->inheritance != VM_INHERIT_COPY || (map->flags & MAP_WIREFUTURE))
		return false;
	return entry_extend(map, prev, end - start, false);
}

/*
 * Wire the mapping e, [start, end), just made under mlockall(MCL_FUTURE):
 * what can be read (a file mapping past the end of its file is wired up
 * to there, as Linux populates it).  The map is unlocked meanwhile, and
 * other threads may change it: the new mapping's entries (e, and the
 * pieces a clip makes of it) are marked unfinished, and if the wiring
 * fails only they go, with their commitment, never what another thread
 * mapped there since.  The object is held meanwhile: on failure the
 * caller keeps this reference.
 * => map locked exclusive, unlocked on return; 0 or ENOMEM
 */
static int
wire_new_mapping(struct vm_map *map, struct vm_map_entry *e, struct vm_object *object,
    vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *next;
	int error;

	e->eflags |= MAP_ENTRY_UNFINISHED;
	vm_object_reference(object);
	vm_map_unlock(map);
	error = vm_map_wire_prefix(map, start, end);
	vm_map_lock(map);
	for (e = first_in_range(map, start); e != NULL && e->start < end; e = next) {
		next = e->node.next;
		if (!(e->eflags & MAP_ENTRY_UNFINISHED))
			continue;
		e->eflags &= ~MAP_ENTRY_UNFINISHED;
		if (error != 0)
			remove_locked(map, e->start, e->end);
	}
	vm_map_unlock(map);
	if (error != 0)
		return ENOMEM;
	vm_object_deallocate(object);
	return 0;
}

int
vm_map_find(struct vm_map *map, struct vm_object *object, uint64_t offset,
    vaddr_t *addr, vm_size_t length, vaddr_t align, int placement,
    vm_prot_t prot, vm_prot_t maxprot, int cow)
{
	struct vm_map_entry *e, *prev;
	vaddr_t start = *addr, end;
	int error;

	if (length == 0 || (length & PAGE_MASK) || (start & PAGE_MASK) ||
	    (prot & ~maxprot) || (offset & PAGE_MASK))
		return EINVAL;
	if ((cow & MAP_ENTRY_ACCOUNTED) && vm_commit_reserve(atop(length), true) != 0)
		return ENOMEM;
	align = MAX(align, PAGE_SIZE);
	vm_map_lock(map);
	if (placement == VMFS_ANYWHERE) {
		error = vm_map_tree_find_space(&map->tree, MAX(start, map->tree.min), length,
		    align, &start, &prev);
		if (error)
			goto out;
	}
	if (add_overflows(start, length, &end) || start < map->tree.min ||
	    end > map->tree.max) {
		error = placement == VMFS_ANYWHERE ? ENOMEM : EINVAL;
		goto out;
	}
	/* find_space found a free range, and the entry before it; any other may need clearing. */
	if (placement != VMFS_ANYWHERE && !range_is_free(map, start, end, &prev)) {
		if (placement == VMFS_FIXED_NOREPLACE) {
			error = EEXIST;
			goto out;
		}
		if ((error = remove_locked(map, start, end)) != 0)
			goto out;
		vm_map_tree_lookup(&map->tree, start, &prev);
	}
	if (object == NULL && try_extend(map, prev, start, end, prot, maxprot, cow)) {
		e = prev;
	} else {
		/* Not zeroed by the zone: a few stores here, not a memset call. */
		if ((e = zone_alloc(map_entry_zone, M_NOWAIT)) == NULL) {
			error = ENOMEM;
			goto out;
		}
		*e = (struct vm_map_entry){
			.start = start,
			.end = end,
			.object = object,
			.offset = offset,
			.protection = prot,
			.max_protection = maxprot,
			/* Shared mappings stay shared across fork; private ones are copied. */
			.inheritance = (cow & MAP_ENTRY_COW) ? VM_INHERIT_COPY : VM_INHERIT_SHARE,
			.eflags = (uint16_t)cow,
		};
		entry_insert_after(map, e, prev);
	}
	*addr = start;
	error = 0;
	/* PROT_NONE memory cannot be faulted in: mprotect wires it when it opens it. */
	if ((map->flags & MAP_WIREFUTURE) && prot != VM_PROT_NONE)
		return wire_new_mapping(map, e, object, start, end);
out:
	vm_map_unlock(map);
	if (error && (cow & MAP_ENTRY_ACCOUNTED))
		vm_commit_release(atop(length), true);
	return error;
}

/* Every page of [start, end) is mapped (no holes). Map locked. */
static bool
range_is_mapped(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e = vm_map_tree_lookup(&map->tree, start, NULL);

	while (e != NULL && e->end < end) {
		struct vm_map_entry *next = e->node.next;

		if (next == NULL || next->start != e->end)
			return false;
		e = next;
	}
	return e != NULL;
}

/* ENOMEM if [start, end) has a hole, else clip the entries at its ends. Map locked. */
static int
clip_mapped_range(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	if (!range_is_mapped(map, start, end))
		return ENOMEM;
	return clip_range(map, start, end);
}

/*
 * Does giving e prot commit its length?  A private mapping made writable
 * that holds no commitment yet (Linux's mprotect_fixup rule); stacks
 * (see vm_commit.h) and MAP_NORESERVE mappings never do.
 */
static bool
protect_commits(const struct vm_map_entry *e, vm_prot_t prot)
{
	return (prot & VM_PROT_WRITE) && (e->eflags & MAP_ENTRY_COW) && !(e->eflags &
	    (MAP_ENTRY_ACCOUNTED | MAP_ENTRY_NORESERVE | MAP_ENTRY_STACK | MAP_ENTRY_GUARD));
}

int
vm_map_protect(struct vm_map *map, vaddr_t start, vaddr_t end, vm_prot_t prot)
{
	struct vm_map_entry *e;
	uint64_t commit = 0;
	int error;

	vm_map_lock(map);
	if (!range_is_mapped(map, start, end)) {
		error = ENOMEM;
		goto out;
	}
	for (e = first_in_range(map, start); e != NULL && e->start < end; e = e->node.next) {
		if (prot & ~e->max_protection) {
			error = EACCES;
			goto out;
		}
		if (protect_commits(e, prot))
			commit += atop(MIN(e->end, end) - MAX(e->start, start));
	}
	if (commit > 0 && vm_commit_reserve(commit, true) != 0) {
		error = ENOMEM;
		goto out;
	}
	if ((error = clip_range(map, start, end)) != 0) {
		if (commit > 0)
			vm_commit_release(commit, true);
		goto out;
	}
	for (e = first_in_range(map, start); e != NULL && e->start < end; e = e->node.next) {
		vm_prot_t old = e->protection;

		if (protect_commits(e, prot))
			e->eflags |= MAP_ENTRY_ACCOUNTED;
		e->protection = prot;
		/* Reductions take effect now; increases at the next fault. */
		if (old & ~prot)
			pmap_protect(map->pmap, e->start, e->end, prot);
	}
out:
	vm_map_unlock(map);
	return error;
}

int
vm_map_inherit(struct vm_map *map, vaddr_t start, vaddr_t end, int inherit)
{
	struct vm_map_entry *e;
	int error;

	if (inherit < VM_INHERIT_SHARE || inherit > VM_INHERIT_ZERO)
		return EINVAL;
	vm_map_lock(map);
	if ((error = clip_range(map, start, end)) == 0)
		for (e = first_in_range(map, start); e != NULL && e->start < end;
		    e = e->node.next)
			e->inheritance = (uint8_t)inherit;
	vm_map_unlock(map);
	return error;
}

/* Does [start, end) of a locked map hold an entry no access is allowed to? */
static bool
range_has_prot_none(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	for (struct vm_map_entry *e = first_in_range(map, start); e != NULL && e->start < end;
	    e = e->node.next)
		if (e->protection == VM_PROT_NONE)
			return true;
	return false;
}

/* The access a wiring fault makes: a write if it may (copy-on-write now), else any allowed. */
static vm_prot_t
wire_access(vm_prot_t prot)
{
	if (prot & VM_PROT_WRITE)
		return VM_PROT_WRITE;
	return (prot & VM_PROT_READ) ? VM_PROT_READ : VM_PROT_EXECUTE;
}

/* This thread's wiring of map (locked exclusive) is over: wake those waiting to change it. */
static void
wiring_done(struct vm_map *map)
{
	__atomic_store_n(&map->wiring, NULL, __ATOMIC_RELEASE);
	sleepq_lock(&map->wiring);
	(void)sleepq_broadcast(&map->wiring, SLEEPQ_EXCLUSIVE);
	sleepq_release(&map->wiring);
}

/*
 * Unwire the translations of e (being wired, the wiring failed at va)
 * from va on: the wiring never got there, but another thread's fault in
 * an entry being wired maps its page wired, expecting the wiring to count
 * the page.  Map locked exclusive, so no such fault is under way.
 */
static void
unwire_unreached(struct vm_map *map, struct vm_map_entry *e, vaddr_t va)
{
	vaddr_t from = MAX(e->start, va);

	if (map->pmap != NULL && from < e->end)
		pmap_unwire(map->pmap, from, e->end);
}

/*
 * Wire [start, end): each entry not yet wired is marked as being wired,
 * then every page of it is faulted in and wired (writable ones for
 * writing, so copy-on-write happens now rather than later), and the
 * entry counts one wiring.  Wiring a wired range again changes nothing,
 * as mlock(2) requires.  Errors: ENOMEM (a hole, or PROT_NONE memory),
 * EAGAIN (no memory for the pages), EIO (a page past the end of a file);
 * on failure nothing stays wired that this call wired, and nothing that
 * was wired before is touched.
 */
static int
wire_range(struct vm_map *map, vaddr_t start, vaddr_t end, vaddr_t *failed)
{
	struct vm_map_entry *e;
	vaddr_t va;
	int error;

	vm_map_lock(map);
	/* PROT_NONE memory cannot be faulted in: ENOMEM, as Linux says, before any change. */
	if (range_is_mapped(map, start, end) && range_has_prot_none(map, start, end))
		error = ENOMEM;
	else
		error = clip_mapped_range(map, start, end);
	if (error) {
		vm_map_unlock(map);
		return error;
	}
	for (e = first_in_range(map, start); e != NULL && e->start < end; e = e->node.next)
		if (e->wired_count == 0)
			e->eflags |= MAP_ENTRY_IN_WIRING;
	map->wiring = curthread();	/* others' changes wait until the marks are gone */
	vm_map_unlock(map);
	for (va = start; va < end && error == 0; va += PAGE_SIZE) {
		vm_prot_t access = VM_PROT_NONE;
		bool wiring;

		vm_map_lock_read(map);
		e = vm_map_lookup_entry(map, va);
		wiring = e != NULL && (e->eflags & MAP_ENTRY_IN_WIRING);
		if (wiring)
			access = wire_access(e->protection);
		vm_map_unlock_read(map);
		if (wiring && (error = vm_fault(map, va, access, VM_FAULT_WIRE)) != 0)
			break;
	}
	/* Done: the marked entries are wired; failed at va: unwire what was wired below it. */
	vm_map_lock(map);
	for (e = first_in_range(map, start); e != NULL && e->start < end; e = e->node.next) {
		if (!(e->eflags & MAP_ENTRY_IN_WIRING))
			continue;
		e->eflags &= ~MAP_ENTRY_IN_WIRING;
		if (error == 0) {
			e->wired_count = 1;
			e->eflags &= ~MAP_ENTRY_LOCKED_UNREAD;	/* its pages can be read now */
		} else {
			unwire_unreached(map, e, va);
			if (e->start < va) {
				e->wired_count = 1;
				entry_unwire_range(map, e, e->start, MIN(va, e->end));
				e->wired_count = 0;
			}
		}
	}
	wiring_done(map);
	vm_map_unlock(map);
	*failed = va;
	if (error == ENOMEM)
		error = EAGAIN;		/* the pages' memory, not the range: try again later */
	return error;
}

int
vm_map_wire(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	vaddr_t failed;

	return wire_range(map, start, end, &failed);
}

int
vm_map_wire_prefix(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e;
	vaddr_t failed, unread;
	int error = wire_range(map, start, end, &failed);

	if (error != EIO)
		return error;
	unread = failed;
	if (failed > start && (error = wire_range(map, start, failed, &failed)) != 0)
		return error;
	vm_map_lock(map);
	if (clip_mapped_range(map, unread, end) == 0)
		for (e = first_in_range(map, unread); e != NULL && e->start < end;
		    e = e->node.next)
			if (e->wired_count == 0)
				e->eflags |= MAP_ENTRY_LOCKED_UNREAD;
	vm_map_unlock(map);
	return 0;
}

int
vm_map_unwire(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e;
	int error;

	vm_map_lock(map);
	if ((error = clip_mapped_range(map, start, end)) == 0)
		for (e = first_in_range(map, start); e != NULL && e->start < end;
		    e = e->node.next) {
			if (e->wired_count > 0)
				entry_unwire(map, e);
			e->eflags &= ~MAP_ENTRY_LOCKED_UNREAD;
		}
	vm_map_unlock(map);
	return error;
}

struct vmspace *
vmspace_alloc(void)
{
	struct vmspace *vm = zone_alloc(vmspace_zone, M_WAITOK | M_ZERO);
	pmap_t pmap;

	if (vm == NULL)
		return NULL;
	if ((pmap = pmap_create()) == NULL) {
		zone_free(vmspace_zone, vm);
		return NULL;
	}
	vm_map_init(&vm->vm_map, pmap, USER_MIN, USER_MAX);
	vm->vm_pmap = pmap;
	vm->vm_refcnt = 1;
	mtx_init(&vm->vm_brk_lock, "brk");
	mtx_init(&vm->vm_memlock_lock, "memlock");
	list_init(&vm->vm_shm);
	return vm;
}

void
vmspace_free(struct vmspace *vm)
{
	if (__atomic_sub_fetch(&vm->vm_refcnt, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	shm_vmspace_exit(vm);
	/* Faults out of memory may wait for what this frees (vm_wait.h). */
	vm_reclaim_begin();
	vm_map_remove(&vm->vm_map, vm->vm_map.tree.min, vm->vm_map.tree.max);
	pmap_destroy(vm->vm_pmap);
	mtx_destroy(&vm->vm_brk_lock);
	mtx_destroy(&vm->vm_memlock_lock);
	zone_free(vmspace_zone, vm);
	vm_reclaim_end();
}

/*
 * Copy into obj at index i the page src sees at pindex, if it is an
 * anonymous one (a file's stays the file's: obj shadows it).  0, or
 * ENOMEM when no free page was there to take (nothing changed).
 */
static int
copy_wired_page(struct vm_map_entry *src, vm_pindex_t pindex, struct vm_object *obj,
    vm_pindex_t i)
{
	struct vm_object *holder;
	struct vm_page *m, *copy = NULL;

	if ((m = vm_object_chain_lookup(src->object, pindex, &holder)) == NULL)
		return 0;
	if (vm_object_is_anon(holder)) {
		KASSERT(!vm_page_xbusied(m), ("copy_wired_entry: busy page %lx", m->phys_addr));
		spin_lock(&obj->lock);
		if ((copy = vm_page_alloc(obj, i, 0)) != NULL) {
			pmap_copy_page(m, copy);
			vm_page_set_dirty(copy);	/* the child's only copy */
			vm_page_xunbusy(copy);
			STAT_ADD(fork_pages_copied, 1);
		}
		spin_unlock(&obj->lock);
	}
	spin_unlock(&holder->lock);
	return vm_object_is_anon(holder) && copy == NULL ? ENOMEM : 0;
}

/*
 * A wired private entry cannot wait for copy-on-write (the parent's pages
 * must stay writable and resident without faults), so the child gets its
 * own copy now of every page the entry sees, taken from the objects: a
 * page made PROT_NONE has no translation but is there all the same.  What
 * the entry still reads from a file stays the file's: the child's object
 * shadows the file, as the parent's chain does.  The copy is the size of
 * the entry, all at once, so when memory is short it waits for the page
 * daemon (the map stays locked: the wired pages it copies cannot go
 * meanwhile), and fails only when no memory will come back.
 */
static int
copy_wired_entry(struct vm_map_entry *src, struct vm_map_entry *dst)
{
	vm_pindex_t npages = atop(src->end - src->start), first = atop(src->offset);
	struct vm_object *obj;
	uint64_t offset;
	int error = 0;

	obj = chain_bottom(src, &offset);
	if (vm_object_is_anon(obj)) {
		vm_object_deallocate(obj);
		obj = vm_object_allocate_private(npages);
		offset = 0;
	} else if (vm_object_shadow(&obj, &offset, src->end - src->start) != 0) {
		vm_object_deallocate(obj);
		obj = NULL;
	}
	if (obj == NULL)
		return ENOMEM;
	for (vm_pindex_t i = 0; i < npages && error == 0; ) {
		if (copy_wired_page(src, first + i, obj, i) == 0)
			i++;
		else
			error = vm_wait(0, VM_ALLOC_NORMAL, VM_WAIT_FAILOK);
	}
	if (error) {
		vm_object_deallocate(obj);
		return error;
	}
	dst->object = obj;
	dst->offset = offset;
	dst->eflags &= ~MAP_ENTRY_NEEDS_COPY;
	return 0;
}

/*
 * Can e's range have a writable leaf in its map's pmap?  Not if e is not
 * writable, nor if its object holds no page: a fault maps a page of an
 * object further down the chain read-only.  Map locked (no fault in it
 * adds a page meanwhile).  The count is read under the object's lock:
 * a collapse moving the object's pages down into its backing object
 * (move_pages_down) takes them out while they stay mapped, and counts
 * them in again only when it takes the backing object's trie over.
 */
static bool
may_map_writable(const struct vm_map_entry *e)
{
	bool resident;

	if (!(e->protection & VM_PROT_WRITE))
		return false;
	if (e->object == NULL || e->object->type == OBJT_DEVICE)
		return true;
	spin_lock(&e->object->lock);
	resident = e->object->resident_count != 0;
	spin_unlock(&e->object->lock);
	return resident;
}

/* Child's copy of one parent entry, by its inheritance. Parent map locked. */
static int
fork_entry(struct vm_map *parent, struct vm_map_entry *e, struct vm_map *child)
{
	struct vm_map_entry *c = entry_alloc_copy(e);
	int error = 0;

	if (c == NULL)
		return ENOMEM;
	/* The child's copy of a committed mapping is committed again (Linux's dup_mmap). */
	if ((e->eflags & MAP_ENTRY_ACCOUNTED) &&
	    vm_commit_reserve(atop(e->end - e->start), true) != 0) {
		entry_free(c);
		return ENOMEM;
	}
	c->wired_count = 0;		/* locks are not inherited */
	c->eflags &= ~MAP_ENTRY_LOCKED_UNREAD;
	switch (e->inheritance) {
	case VM_INHERIT_SHARE:
		if (e->object == NULL) {
			e->object = vm_object_allocate(OBJT_ANON, atop(e->end - e->start));
			e->offset = 0;
			if (e->object == NULL)
				error = ENOMEM;
		} else if (e->eflags & MAP_ENTRY_NEEDS_COPY) {
			/* Share the parent's own copy, not the object it shares copy-on-write. */
			error = vm_object_shadow(&e->object, &e->offset, e->end - e->start);
			if (error == 0)
				e->eflags &= ~MAP_ENTRY_NEEDS_COPY;
		}
		if (error)
			break;
		c->object = e->object;
		c->offset = e->offset;
		c->eflags = e->eflags;
		vm_object_reference(c->object);
		vm_object_clear_onemapping(c->object);	/* both entries see its pages */
		break;
	case VM_INHERIT_COPY:
		if (e->wired_count > 0 && e->object != NULL) {
			error = copy_wired_entry(e, c);
			break;
		}
		if (e->object != NULL) {
			vm_object_reference(e->object);
			vm_object_clear_onemapping(e->object);	/* both entries see its pages */
			e->eflags |= MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY;
			c->eflags = e->eflags;
			/* Writes by either side must now fault and copy. */
			if (may_map_writable(e))
				pmap_protect(parent->pmap, e->start, e->end,
				    vm_prot_effective(e->protection) & ~VM_PROT_WRITE);
		}
		break;
	case VM_INHERIT_ZERO:
		c->object = NULL;
		c->offset = 0;
		c->eflags = MAP_ENTRY_COW | (e->eflags & (MAP_ENTRY_ACCOUNTED | MAP_ENTRY_NORESERVE));
		break;
	}
	if (error) {
		if (e->eflags & MAP_ENTRY_ACCOUNTED)
			vm_commit_release(atop(e->end - e->start), true);
		entry_free(c);
		return error;
	}
	entry_insert_after(child, c, child->tree.last);	/* copied in address order */
	return 0;
}

struct vmspace *
vmspace_fork(struct vmspace *parent)
{
	struct vm_map *src = &parent->vm_map;
	struct vmspace *vm = vmspace_alloc();
	struct vm_map_entry *e;
	int error = 0;

	if (vm == NULL)
		return NULL;
	vm_map_lock(src);
	for (e = src->tree.first; e != NULL && error == 0; e = e->node.next)
		if (e->inheritance != VM_INHERIT_NONE)
			error = fork_entry(src, e, &vm->vm_map);
	vm->vm_brk_start = parent->vm_brk_start;
	vm->vm_brk = parent->vm_brk;
	vm_map_unlock(src);
	if (error == 0)
		error = shm_fork(parent, vm);
	if (error) {
		vmspace_free(vm);
		return NULL;
	}
	return vm;
}

void
vm_map_check(struct vm_map *map)
{
	struct vm_map_entry *e;
	vm_size_t size = 0;

	vm_map_lock(map);
	vm_map_tree_check(&map->tree);
	for (e = map->tree.first; e != NULL; e = e->node.next) {
		KASSERT(e->start < e->end && !(e->start & PAGE_MASK) && !(e->end & PAGE_MASK),
		    ("vm_map_check: bad entry %lx-%lx", e->start, e->end));
		KASSERT(e->object == NULL || e->object->ref_count > 0,
		    ("vm_map_check: entry %lx-%lx has a dead object", e->start, e->end));
		KASSERT(!(e->protection & ~e->max_protection),
		    ("vm_map_check: entry %lx-%lx above max protection", e->start, e->end));
		size += e->end - e->start;
	}
	KASSERT(size == map->size, ("vm_map_check: size %lu, entries add to %lu",
	    map->size, size));
	vm_map_unlock(map);
}

void
vm_map_print(struct vm_map *map)
{
	static const char perm[] = "rwx";

	vm_map_lock_read(map);
	for (struct vm_map_entry *e = map->tree.first; e != NULL; e = e->node.next) {
		char p[4];

		for (int i = 0; i < 3; i++)
			p[i] = (e->protection & (1 << i)) ? perm[i] : '-';
		p[3] = '\0';
		printf("%012lx-%012lx %s %c obj %p off %lx depth %d wired %u\n",
		    e->start, e->end, p, (e->eflags & MAP_ENTRY_COW) ? 'p' : 's',
		    e->object, e->offset, vm_object_shadow_depth(e->object), e->wired_count);
	}
	vm_map_unlock_read(map);
}

bool
vm_map_range_mapped(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	bool mapped;

	vm_map_lock_read(map);
	mapped = range_is_mapped(map, start, end);
	vm_map_unlock_read(map);
	return mapped;
}

vm_size_t
vm_map_wired_bytes(struct vm_map *map)
{
	vm_size_t bytes = 0;

	vm_map_lock_read(map);
	for (struct vm_map_entry *e = map->tree.first; e != NULL; e = e->node.next)
		if (e->wired_count > 0)
			bytes += e->end - e->start;
	vm_map_unlock_read(map);
	return bytes;
}

/* The copies in swap of obj's pages in [start, end).  obj locked. */
static uint64_t
swap_copies(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end)
{
	vm_pindex_t idx = start;
	uint64_t n = 0;

	while (idx < end && swap_pager_next(obj, idx, &idx) != SWAP_SLOT_NONE && idx < end) {
		n++;
		idx++;
	}
	return n;
}

/* The copies in swap of map's own pages.  Map locked. */
static uint64_t
swap_pages_locked(struct vm_map *map)
{
	uint64_t pages = 0;

	for (struct vm_map_entry *e = map->tree.first; e != NULL; e = e->node.next) {
		struct vm_object *obj = e->object;

		if (obj == NULL || (e->eflags & MAP_ENTRY_IS_SUB_MAP))
			continue;
		spin_lock(&obj->lock);
		pages += swap_copies(obj, atop(e->offset), atop(e->offset + (e->end - e->start)));
		spin_unlock(&obj->lock);
	}
	return pages;
}

uint64_t
vm_map_swap_pages(struct vm_map *map)
{
	uint64_t pages;

	vm_map_lock_read(map);
	pages = swap_pages_locked(map);
	vm_map_unlock_read(map);
	return pages;
}

bool
vm_map_swap_pages_try(struct vm_map *map, uint64_t *pages)
{
	if (!vm_map_trylock_read(map))
		return false;
	*pages = swap_pages_locked(map);
	vm_map_unlock_read(map);
	return true;
}

uint64_t
vm_map_committed_pages(struct vm_map *map)
{
	uint64_t pages = 0;

	vm_map_lock(map);
	for (struct vm_map_entry *e = map->tree.first; e != NULL; e = e->node.next)
		if (e->eflags & MAP_ENTRY_ACCOUNTED)
			pages += atop(e->end - e->start);
	vm_map_unlock(map);
	return pages;
}

uint64_t
vm_map_wirings(struct vm_map *map)
{
	uint64_t n = 0;

	vm_map_lock_read(map);
	for (struct vm_map_entry *e = map->tree.first; e != NULL; e = e->node.next)
		n += atop(e->end - e->start) * e->wired_count;
	vm_map_unlock_read(map);
	return n;
}

bool
vm_map_page_resident(struct vm_map *map, vaddr_t va)
{
	struct vm_map_entry *e;
	bool resident;

	vm_map_lock_read(map);
	resident = pmap_extract(map->pmap, va) != 0;
	if (!resident && (e = vm_map_lookup_entry(map, va)) != NULL && e->object != NULL) {
		struct vm_object *obj = e->object;

		spin_lock(&obj->lock);
		resident = vm_page_lookup(obj, atop(va - e->start + e->offset)) != NULL;
		spin_unlock(&obj->lock);
	}
	vm_map_unlock_read(map);
	return resident;
}

/* The bottom of e's chain, referenced, and e's offset into it (a file, for remapping). */
static struct vm_object *
chain_bottom(struct vm_map_entry *e, uint64_t *offset)
{
	*offset = e->offset;
	return vm_object_bottom(e->object, offset);
}

/*
 * MADV_DONTNEED on a private entry (clipped to the range): the next access
 * sees the memory as it was first mapped — zeros for anonymous memory,
 * the file for a private file mapping.  Memory only this entry can see is
 * freed at once.
 */
static void
entry_discard(struct vm_map *map, struct vm_map_entry *e)
{
	struct vm_object *obj = e->object, *bottom;
	uint64_t offset;

	pmap_remove(map->pmap, e->start, e->end);
	if (obj == NULL)
		return;
	spin_lock(&obj->lock);
	if (vm_object_is_anon(obj) && obj->backing_object == NULL && obj->ref_count == 1) {
		spin_unlock(&obj->lock);
		vm_object_page_remove(obj, atop(e->offset), atop(e->offset + (e->end - e->start)));
		return;
	}
	spin_unlock(&obj->lock);
	bottom = chain_bottom(e, &offset);
	if (vm_object_is_anon(bottom)) {
		vm_object_deallocate(bottom);
		e->object = NULL;
		e->offset = 0;
		e->eflags &= ~MAP_ENTRY_NEEDS_COPY;
	} else {
		e->object = bottom;		/* takes chain_bottom's reference */
		e->offset = offset;
		e->eflags |= MAP_ENTRY_NEEDS_COPY;
	}
	vm_object_deallocate(obj);
}

static int
entry_advise(struct vm_map *map, struct vm_map_entry *e, int advice)
{
	switch (advice) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
		e->advice = (uint8_t)advice;
		return 0;
	case MADV_WILLNEED:
		return 0;
	case MADV_HUGEPAGE:
		e->eflags = (e->eflags & ~MAP_ENTRY_NOHUGEPAGE) | MAP_ENTRY_HUGEPAGE;
		return 0;
	case MADV_NOHUGEPAGE:
		/* As Linux: superpages already there stay until something splits them. */
		e->eflags = (e->eflags & ~MAP_ENTRY_HUGEPAGE) | MAP_ENTRY_NOHUGEPAGE;
		return 0;
	case MADV_DONTNEED:
	case MADV_FREE:
		if (vm_map_entry_locked(e))
			return EINVAL;
		if (e->eflags & MAP_ENTRY_COW)
			entry_discard(map, e);
		else if (advice == MADV_DONTNEED)
			pmap_remove(map->pmap, e->start, e->end);
		return 0;
	case MADV_DONTFORK:
		e->inheritance = VM_INHERIT_NONE;
		return 0;
	case MADV_DOFORK:
	case MADV_KEEPONFORK:
		e->inheritance = (e->eflags & MAP_ENTRY_COW) ? VM_INHERIT_COPY : VM_INHERIT_SHARE;
		return 0;
	case MADV_WIPEONFORK:
		/* Private anonymous memory only, as on Linux: not shared, not a file's. */
		if (!(e->eflags & MAP_ENTRY_COW) ||
		    (e->object != NULL && !vm_object_type_is_anon(vm_object_bottom_type(e->object))))
			return EINVAL;
		e->inheritance = VM_INHERIT_ZERO;
		return 0;
	default:
		return EINVAL;
	}
}

/*
 * Pages of one object, at consecutive indices and consecutive addresses
 * of this map, to page out together.
 */
struct pageout_run {
	struct vm_object *obj;		/* referenced; NULL: no run */
	vm_pindex_t	start, end;
	vaddr_t		va;		/* where start is mapped */
};

/*
 * Unmap the run's pages (one batched removal: they are mapped here only),
 * write them to swap, wait, free them; then let go of its object.
 */
static void
pageout_flush(struct vm_map *map, struct pageout_run *run)
{
	if (run->obj == NULL)
		return;
	pmap_remove(map->pmap, run->va, run->va + ptoa(run->end - run->start));
	(void)vm_pager_put_pages(run->obj, run->start, run->end,
	    VM_PAGER_PUT_SYNC | VM_PAGER_PUT_FREE);	/* advice: what cannot go stays */
	vm_object_deallocate(run->obj);
	run->obj = NULL;
}

/*
 * The page e sees at va, if it is anonymous (and swap has room for it),
 * mapped at va and by no one else, and neither busy nor wired: add it to
 * the run.  (No fault can map it elsewhere in this map meanwhile: the map
 * is locked.)
 */
static void
pageout_page(struct vm_map *map, struct vm_map_entry *e, vaddr_t va, struct pageout_run *run)
{
	struct vm_object *holder;
	struct vm_page *m;
	paddr_t pa = pmap_extract(map->pmap, va);
	vm_pindex_t idx;

	if (pa == 0 || (m = vm_object_chain_lookup(e->object, atop(va - e->start + e->offset),
	    &holder)) == NULL)
		return;
	/* A file's page is left alone (and its pager's locks go before the map's). */
	if (VM_PAGE_TO_PHYS(m) != trunc_page(pa) || !vm_object_is_anon(holder) ||
	    !vm_pager_can_launder(holder) ||
	    vm_page_busied(m) || m->wire_count > 0 || pmap_page_mapping_count(m) != 1) {
		spin_unlock(&holder->lock);
		return;
	}
	idx = m->pindex;
	if (run->obj == holder && run->end == idx && run->va + ptoa(idx - run->start) == va) {
		spin_unlock(&holder->lock);
	} else {
		__atomic_add_fetch(&holder->ref_count, 1, __ATOMIC_RELAXED);	/* locked, alive */
		spin_unlock(&holder->lock);
		pageout_flush(map, run);
		*run = (struct pageout_run){ holder, idx, idx, va };
	}
	run->end = idx + 1;
}

/*
 * MADV_PAGEOUT (Linux 5.4): write the anonymous pages of [start, end)
 * that are mapped here and by no one else to swap, and free them; the
 * writes are waited for.  As on Linux, a page another process maps too,
 * a page not mapped here and a file's page are left alone, and locked
 * memory is EINVAL.  Entries are not clipped: nothing about them changes.
 * Map locked (it sleeps for the writes).
 */
static int
map_pageout(struct vm_map *map, vaddr_t start, vaddr_t end)
{
	struct pageout_run run = { NULL, 0, 0, 0 };
	struct vm_map_entry *e;
	int error = 0;

	for (e = first_in_range(map, start); e != NULL && e->start < end; e = e->node.next) {
		if (vm_map_entry_locked(e)) {
			error = EINVAL;
			break;
		}
		if (e->object == NULL || (e->eflags & MAP_ENTRY_IS_SUB_MAP))
			continue;
		for (vaddr_t va = MAX(start, e->start); va < MIN(end, e->end); va += PAGE_SIZE)
			pageout_page(map, e, va, &run);
	}
	pageout_flush(map, &run);
	return error;
}

int
vm_map_madvise(struct vm_map *map, vaddr_t start, vaddr_t end, int advice)
{
	struct vm_map_entry *e;
	bool hole;
	int error;

	vm_map_lock(map);
	hole = !range_is_mapped(map, start, end);
	if (advice == MADV_PAGEOUT) {
		error = map_pageout(map, start, end);
		vm_map_unlock(map);
		return !error && hole ? ENOMEM : error;
	}
	error = clip_range(map, start, end);
	for (e = first_in_range(map, start); !error && e != NULL && e->start < end;
	    e = e->node.next)
		error = entry_advise(map, e, advice);
	vm_map_unlock(map);
	if (!error && hole)
		error = ENOMEM;		/* Linux applies the advice, then reports the hole */
	return error;
}

int
vm_map_sync(struct vm_map *map, vaddr_t start, vaddr_t end, bool invalidate, bool sync,
    int (*fn)(struct vm_object *obj, vm_pindex_t first, vm_pindex_t last, bool sync))
{
	struct vm_map_entry *e;
	vaddr_t va = start;
	bool hole = false;
	int error = 0;

	vm_map_lock_read(map);
	/*
	 * fn writes pages to their file, which may sleep on the file's
	 * locks, taken before the map lock by whoever copies file data to
	 * user memory: call it with the object referenced and the map
	 * unlocked, and find the next entry again afterwards.
	 */
	while (error == 0 && va < end) {
		vm_pindex_t first, last;
		struct vm_object *obj;

		if ((e = first_in_range(map, va)) == NULL || e->start >= end) {
			error = ENOMEM;		/* unmapped to the end */
			break;
		}
		/* At a hole MS_SYNC alone stops; the others go on, and report it at the end. */
		if (e->start > va && sync && !invalidate) {
			error = ENOMEM;
			break;
		}
		hole |= e->start > va;
		if (invalidate && vm_map_entry_locked(e)) {
			error = EBUSY;
			break;
		}
		first = atop(MAX(va, e->start) - e->start + e->offset);
		last = atop(MIN(end, e->end) - e->start + e->offset);
		obj = e->object;
		va = MIN(end, e->end);
		if (obj == NULL || (e->eflags & MAP_ENTRY_COW) || obj->type != OBJT_VNODE)
			continue;
		vm_object_reference(obj);
		vm_map_unlock_read(map);
		error = fn(obj, first, last, sync);
		vm_object_deallocate(obj);
		vm_map_lock_read(map);
	}
	vm_map_unlock_read(map);
	return error == 0 && hole ? ENOMEM : error;
}

/*
 * Grow the mapping that ends with e by len bytes (the space after it is
 * free), as a new entry, when e cannot simply be extended (entry_extend):
 * the object pages after e's range may belong to
 * another part of the original mapping (clipped off, or unmapped with
 * their pages still in the object), so e itself must not reach them.  A
 * file mapping goes on with the next part of the file (a private one
 * copy-on-write, even when e's own pages are copies by now: the file is
 * the bottom of its chain); private anonymous memory with fresh
 * zero-fill; shared anonymous memory with a new object.  Map locked.
 */
static int
append_growth(struct vm_map *map, struct vm_map_entry *e, vm_size_t len)
{
	struct vm_map_entry *g = entry_alloc();
	struct vm_object *file = NULL;
	uint64_t offset = 0;

	if (g == NULL)
		return ENOMEM;
	*g = *e;
	memset(&g->node, 0, sizeof(g->node));
	g->start = e->end;
	g->end = e->end + len;
	g->wired_count = 0;
	if (e->object != NULL && (file = chain_bottom(e, &offset))->type != OBJT_VNODE) {
		vm_object_deallocate(file);
		file = NULL;
	}
	if (file != NULL) {
		g->object = file;		/* takes chain_bottom's reference */
		g->offset = offset + (e->end - e->start);
		if (e->eflags & MAP_ENTRY_COW)
			g->eflags |= MAP_ENTRY_NEEDS_COPY;
	} else if (e->eflags & MAP_ENTRY_COW) {
		g->object = NULL;
		g->offset = 0;
		g->eflags &= ~MAP_ENTRY_NEEDS_COPY;
	} else {
		/* Shared anonymous memory: committed as the memory it grows from is. */
		g->offset = 0;
		if ((g->object = vm_object_allocate_shared_anon(atop(len), e->object == NULL ||
		    !(e->object->flags & OBJ_ACCOUNTED))) == NULL) {
			entry_free(g);
			return ENOMEM;
		}
	}
	entry_insert_after(map, g, e);
	return 0;
}

int
vm_map_remap(struct vm_map *map, vaddr_t old, vm_size_t oldsize, vm_size_t newsize,
    bool may_move, bool fixed, vaddr_t *newaddr)
{
	struct vm_map_entry *e, *moved, *before;
	vaddr_t end, dest, dest_end = 0;
	uint64_t commit = 0;	/* pages of growth committed for an accounted entry */
	int error;

	KASSERT(newsize > 0 && (newsize & PAGE_MASK) == 0,
	    ("vm_map_remap: new size %#lx (mremap refuses 0; the head must stay)", newsize));
	if (add_overflows(old, oldsize, &end) || !vm_map_in_bounds(map, old, end))
		return EFAULT;
	if (fixed && (add_overflows(*newaddr, newsize, &dest_end) ||
	    !vm_map_in_bounds(map, *newaddr, dest_end)))
		return EINVAL;
	vm_map_lock(map);
	if (vm_map_lookup_entry(map, old) == NULL) {
		vm_map_unlock(map);
		return EFAULT;
	}
	/*
	 * Shrinking unmaps the tail first, whatever it holds (more mappings,
	 * holes), as Linux does; what is left is the range to keep or move.
	 */
	if (newsize < oldsize) {
		if ((error = remove_locked(map, old + newsize, end)) != 0)
			goto out;
		oldsize = newsize;
		end = old + newsize;
	}
	if (newsize == oldsize && !fixed) {
		*newaddr = old;
		goto out;
	}
	e = vm_map_lookup_entry(map, old);
	if (end > e->end || e->wired_count > 0) {
		error = end > e->end ? EFAULT : EINVAL;
		goto out;
	}
	if ((error = clip_range(map, old, end)) != 0)
		goto out;
	e = vm_map_lookup_entry(map, old);
	/* Growth of a committed mapping is committed too (ENOMEM if refused). */
	if (newsize > oldsize && (e->eflags & MAP_ENTRY_ACCOUNTED)) {
		if (vm_commit_reserve(atop(newsize - oldsize), true) != 0) {
			error = ENOMEM;
			goto out;
		}
		commit = atop(newsize - oldsize);
	}
	if (!fixed && range_is_free(map, end, old + newsize, &before) &&
	    old + newsize <= map->tree.max &&
	    old + newsize > old) {
		if (!entry_extend(map, e, newsize - oldsize, true))
			error = append_growth(map, e, newsize - oldsize);
		*newaddr = old;
		goto out;
	}
	if (!may_move) {
		error = ENOMEM;
		goto out;
	}
	if (fixed) {
		dest = *newaddr;
		if (dest < end && old < dest_end) {
			error = EINVAL;		/* the caller checks too: never overlap the source */
			goto out;
		}
		if ((error = remove_locked(map, dest, dest + newsize)) != 0)
			goto out;
		e = vm_map_lookup_entry(map, old);
	} else if ((error = vm_map_tree_find_space(&map->tree, map->tree.min, newsize,
	    PAGE_SIZE, &dest, NULL)) != 0) {
		goto out;
	}
	if ((moved = entry_alloc()) == NULL) {
		error = ENOMEM;
		goto out;
	}
	/* The new entry takes over e's object reference; the pages refault there. */
	*moved = *e;		/* its node is set by the insertion */
	moved->start = dest;
	moved->end = dest + MIN(oldsize, newsize);
	pmap_remove(map->pmap, e->start, e->end);
	entry_unlink(map, e);
	entry_free(e);
	entry_insert(map, moved);
	if (newsize > oldsize && !entry_extend(map, moved, newsize - oldsize, true))
		error = append_growth(map, moved, newsize - oldsize);
	*newaddr = dest;
out:
	vm_map_unlock(map);
	if (error && commit > 0)
		vm_commit_release(commit, true);
	return error;
}

int
vm_map_submap(struct vm_map *map, vaddr_t start, vaddr_t end, struct vm_map *sub)
{
	struct vm_map_entry *e, *before;
	int error = 0;

	KASSERT((map->flags & MAP_KERNEL) && sub->tree.min == start && sub->tree.max == end,
	    ("vm_map_submap: %lx-%lx does not fit", start, end));
	vm_map_lock(map);
	if (!range_is_free(map, start, end, &before)) {
		error = EEXIST;
	} else if ((e = entry_alloc()) == NULL) {
		error = ENOMEM;
	} else {
		e->start = start;
		e->end = end;
		e->submap = sub;
		e->protection = e->max_protection = VM_PROT_RW;
		e->inheritance = VM_INHERIT_NONE;
		e->eflags = MAP_ENTRY_IS_SUB_MAP | MAP_ENTRY_NOFAULT;
		entry_insert_after(map, e, before);
	}
	vm_map_unlock(map);
	return error;
}

struct vm_map *
vm_map_kernel_lookup(vaddr_t va)
{
	struct vm_map *map = kernel_map;

	for (;;) {
		struct vm_map_entry *e;
		struct vm_map *sub;

		vm_map_lock_read(map);
		e = vm_map_lookup_entry(map, va);
		sub = e != NULL && (e->eflags & MAP_ENTRY_IS_SUB_MAP) ? e->submap : NULL;
		vm_map_unlock_read(map);
		if (sub == NULL)
			return e != NULL ? map : NULL;
		map = sub;
	}
}
