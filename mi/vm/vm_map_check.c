/*
 * The consistency checker for a whole address space (vm_map_verify).
 *
 * The VM's invariants, checked against each other, so that a test finds
 * a broken one right after the step that broke it, not when something
 * later trusts it (the pageout daemon will trust wirings, object sizes
 * and page ownership completely).  Checked:
 *   - the entries: inside the map's bounds, page aligned, sorted and not
 *     overlapping, the entry tree's own invariants (AVL balance, gaps),
 *     the map's size, each protection within its maximum;
 *   - wiring (see vm_map.h): a wired entry sees a resident page wired at
 *     least once per wiring at every index, and its leaves are wired
 *     leaves; an entry not wired has no wired leaf;
 *   - the pmap against the objects: every leaf maps the page its entry
 *     sees there, grants no more than the entry's protection, and never
 *     write access to a page below the first object (a write must copy);
 *   - the objects of every chain: alive, resident counts matching their
 *     tries, every page pointing back at its object and index, no page
 *     of an anonymous object past its size, busy pages only while paging
 *     is in progress, shadow counts matching, reference counts at least
 *     the entries and shadows using
 *     them, an entry's window inside its anonymous object, and the
 *     windows on an OBJ_ONEMAPPING object disjoint;
 *   - the pmap's own structure (pmap_check).
 *
 * Locking: the map lock is held throughout, so the map and its pmap's
 * leaves stay put except for what other maps may do to shared pages and
 * chains (remove a leaf, collapse a chain).  Objects are locked hand
 * over hand, as by the fault path; a leaf is judged against its page
 * with the page's object locked, which is what every remover of a leaf
 * of that page holds.  Entries being wired (MAP_ENTRY_IN_WIRING: the map
 * lock is dropped between pages) are left out of the wiring checks.
 * Reference counts are only bounded from below: a collapse elsewhere
 * takes a passing reference without the object's lock.
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>

#define LEAF_BATCH	32	/* pmap leaves fetched at a time */
#define SORT_SLACK	16	/* room for entries added while the array is allocated */

struct vcheck {
	struct vm_map	*map;
	vm_map_tree_report_fn *report;
	void		*arg;
	int		problems;
};

/* An entry's window on its first object, for the per-object checks. */
struct objref {
	struct vm_object *obj;
	vm_pindex_t	start, end;
};

static void __printflike(2, 3)
problem(struct vcheck *c, const char *fmt, ...)
{
	char msg[192];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->problems++;
	if (c->report != NULL)
		c->report(c->arg, msg);
	else
		printf("vm_map_verify %p: %s\n", c->map, msg);
}

static void
tree_problem(void *arg, const char *msg)
{
	problem(arg, "entry tree: %s", msg);
}

static bool
being_wired(const struct vm_map_entry *e)
{
	return (e->eflags & MAP_ENTRY_IN_WIRING) != 0;
}

static vm_pindex_t
entry_index(const struct vm_map_entry *e, vaddr_t va)
{
	return atop(va - e->start + e->offset);
}

/* The entries themselves, and the map's size. */
static void
check_entries(struct vcheck *c)
{
	struct vm_map *map = c->map;
	vm_size_t size = 0;

	if (vm_map_tree_verify(&map->tree, tree_problem, c) != 0)
		return;
	for (struct vm_map_entry *e = map->tree.first; e != NULL; e = e->node.next) {
		if ((e->start | e->end) & PAGE_MASK)
			problem(c, "entry %lx-%lx not page aligned", e->start, e->end);
		if (e->protection & ~e->max_protection)
			problem(c, "entry %lx-%lx: protection %x above its maximum %x", e->start,
			    e->end, e->protection, e->max_protection);
		if ((e->eflags & MAP_ENTRY_NEEDS_COPY) && !(e->eflags & MAP_ENTRY_COW))
			problem(c, "entry %lx-%lx needs a copy but is not copy-on-write",
			    e->start, e->end);
		if (e->wired_count > 0 && e->object == NULL)
			problem(c, "wired entry %lx-%lx has no object", e->start, e->end);
		if (e->wired_count > 0 && (e->eflags & MAP_ENTRY_LOCKED_UNREAD))
			problem(c, "entry %lx-%lx is both wired and locked unread", e->start,
			    e->end);
		size += e->end - e->start;
	}
	if (size != map->size)
		problem(c, "map size %lu, its entries add up to %lu", map->size, size);
}

/* A wired entry sees a resident page at every index, wired once per wiring at least. */
static void
check_wired_pages(struct vcheck *c, struct vm_map_entry *e)
{
	struct vm_object *holder;
	struct vm_page *m;

	if (e->wired_count == 0 || being_wired(e) || e->object == NULL)
		return;
	for (vaddr_t va = e->start; va < e->end; va += PAGE_SIZE) {
		m = vm_object_chain_lookup(e->object, entry_index(e, va), &holder);
		if (m == NULL) {
			problem(c, "wired entry %lx-%lx sees no page at %lx", e->start, e->end, va);
			continue;
		}
		if (m->wire_count < e->wired_count)
			problem(c, "wired entry %lx-%lx: page %lx at %lx has %u wirings, not %u",
			    e->start, e->end, VM_PAGE_TO_PHYS(m), va, m->wire_count,
			    e->wired_count);
		spin_unlock(&holder->lock);
	}
}

/* One leaf of e against the page e sees there. */
static void
check_leaf(struct vcheck *c, struct vm_map_entry *e, const struct pmap_leaf *l)
{
	pmap_t pmap = c->map->pmap;
	struct vm_object *holder;
	struct vm_page *m;

	if (l->prot & ~vm_prot_effective(e->protection))
		problem(c, "leaf at %lx grants %x, entry %lx-%lx allows %x", l->va, l->prot,
		    e->start, e->end, e->protection);
	if (!being_wired(e) && l->wired != (e->wired_count > 0))
		problem(c, "leaf at %lx is %swired, entry %lx-%lx is %swired", l->va,
		    l->wired ? "" : "not ", e->start, e->end, e->wired_count ? "" : "not ");
	if (e->object == NULL) {
		problem(c, "leaf at %lx in entry %lx-%lx, which has no object", l->va, e->start,
		    e->end);
		return;
	}
	if (e->object->type == OBJT_DEVICE)
		return;			/* device memory has no vm_page */
	m = vm_object_chain_lookup(e->object, entry_index(e, l->va), &holder);
	if (m == NULL) {
		/* Nothing seen there: only a leaf removed meanwhile is fine. */
		if (pmap_extract(pmap, l->va) == l->pa)
			problem(c, "leaf at %lx maps %lx where entry %lx-%lx sees no page",
			    l->va, l->pa, e->start, e->end);
		return;
	}
	/* Removers of m's leaves hold holder's lock: a leaf still there now is current. */
	if (!vm_page_busied(m) && pmap_extract(pmap, l->va) == l->pa) {
		if (VM_PAGE_TO_PHYS(m) != l->pa)
			problem(c, "leaf at %lx maps %lx, entry %lx-%lx sees page %lx", l->va,
			    l->pa, e->start, e->end, VM_PAGE_TO_PHYS(m));
		else if (holder != e->object &&
		    (pmap_extract_prot(pmap, l->va) & VM_PROT_WRITE))
			problem(c, "leaf at %lx is writable, its page %lx is below the first "
			    "object", l->va, l->pa);
	}
	spin_unlock(&holder->lock);
}

/* Every leaf in e's range, and no wired leaf outside the wired entries. */
static void
check_leaves(struct vcheck *c, struct vm_map_entry *e)
{
	struct pmap_leaf leaves[LEAF_BATCH];
	vaddr_t va = e->start;

	while (va < e->end) {
		size_t n = pmap_leaves(c->map->pmap, &va, e->end, leaves, LEAF_BATCH);

		for (size_t i = 0; i < n; i++)
			check_leaf(c, e, &leaves[i]);
	}
}

/* No leaf where there is no entry. */
static void
check_holes(struct vcheck *c)
{
	struct vm_map *map = c->map;
	struct pmap_leaf leaf;
	vaddr_t from = map->tree.min;

	for (struct vm_map_entry *e = map->tree.first;; e = e->node.next) {
		vaddr_t to = e != NULL ? e->start : map->tree.max, va = from;

		if (pmap_leaves(map->pmap, &va, to, &leaf, 1) == 1)
			problem(c, "leaf at %lx maps %lx outside every entry", leaf.va, leaf.pa);
		if (e == NULL)
			break;
		from = e->end;
	}
}

/* Is obj on backing's list of shadows?  Both locked. */
static bool
on_shadow_list(struct vm_object *obj, struct vm_object *backing)
{
	struct list_node *n;

	for (n = backing->shadows.next; n != &backing->shadows; n = n->next)
		if (list_entry(n, struct vm_object, shadow_link) == obj)
			return true;
	return false;
}

/* One object (locked): its trie against its counts. */
static void
check_object(struct vcheck *c, struct vm_object *obj)
{
	uint64_t idx = 0, pages = 0, busy = 0, shadows = 0;
	struct list_node *n;
	struct vm_page *m;

	if (obj->ref_count == 0 || (obj->flags & OBJ_DEAD))
		problem(c, "object %p is dead (%u references, flags %x)", obj, obj->ref_count,
		    obj->flags);
	while ((m = vm_radix_lookup_ge(&obj->pages, idx, &idx)) != NULL) {
		pages++;
		busy += vm_page_busied(m);
		if (m->object != obj || m->pindex != idx)
			problem(c, "object %p: page %lx at index %lu says object %p index %lu",
			    obj, VM_PAGE_TO_PHYS(m), idx, m->object, m->pindex);
		if (vm_object_is_anon(obj) && idx >= obj->size)
			problem(c, "object %p: page at index %lu, past its size %lu", obj, idx,
			    obj->size);
		if (idx == UINT64_MAX)
			break;
		idx++;
	}
	if (pages != obj->resident_count)
		problem(c, "object %p: %lu pages in its trie, resident count %lu", obj, pages,
		    obj->resident_count);
	/* Whoever left a page busy with the object unlocked counts as paging. */
	if (busy > 0 && obj->paging_in_progress == 0)
		problem(c, "object %p: %lu busy pages, no paging in progress", obj, busy);
	for (n = obj->shadows.next; n != &obj->shadows; n = n->next)
		shadows++;
	if (shadows != obj->shadow_count || obj->ref_count < obj->shadow_count)
		problem(c, "object %p: %lu shadows listed, shadow count %u, %u references",
		    obj, shadows, obj->shadow_count, obj->ref_count);
	if ((obj->flags & OBJ_ONEMAPPING) && (!vm_object_is_anon(obj) || obj->shadow_count))
		problem(c, "object %p: one mapping, yet of type %d with %u shadows", obj,
		    obj->type, obj->shadow_count);
}

/* The chain from first down, each object locked hand over hand while it is checked. */
static void
check_chain(struct vcheck *c, struct vm_object *first)
{
	struct vm_object *obj = first, *next;

	spin_lock(&obj->lock);
	for (;;) {
		check_object(c, obj);
		if ((next = obj->backing_object) == NULL)
			break;
		spin_lock(&next->lock);
		if (!(obj->flags & OBJ_SHADOW))
			problem(c, "object %p has a backing object but is no shadow", obj);
		if (!on_shadow_list(obj, next))
			problem(c, "object %p is not on the shadow list of its backing %p", obj,
			    next);
		spin_unlock(&obj->lock);
		obj = next;
	}
	spin_unlock(&obj->lock);
}

static bool
objref_less(const struct objref *a, const struct objref *b)
{
	return a->obj != b->obj ? (uintptr_t)a->obj < (uintptr_t)b->obj : a->start < b->start;
}

static void
sift_down(struct objref *r, size_t root, size_t n)
{
	for (size_t child; (child = 2 * root + 1) < n; root = child) {
		struct objref t;

		if (child + 1 < n && objref_less(&r[child], &r[child + 1]))
			child++;
		if (!objref_less(&r[root], &r[child]))
			return;
		t = r[root];
		r[root] = r[child];
		r[child] = t;
	}
}

/* Sort by object, then window: a heapsort, no recursion, no memory. */
static void
sort_objrefs(struct objref *r, size_t n)
{
	for (size_t i = n / 2; i-- > 0;)
		sift_down(r, i, n);
	for (size_t end = n; end-- > 1;) {
		struct objref t = r[0];

		r[0] = r[end];
		r[end] = t;
		sift_down(r, 0, end);
	}
}

/* The entries' first objects: each chain once, and its references and windows. */
static void
check_objects(struct vcheck *c, struct objref *refs, size_t cap)
{
	size_t n = 0;

	for (struct vm_map_entry *e = c->map->tree.first; e != NULL; e = e->node.next) {
		if (e->object == NULL || (e->eflags & MAP_ENTRY_IS_SUB_MAP))
			continue;
		if (n == cap) {
			problem(c, "more entries than the checker made room for (%lu)", cap);
			return;
		}
		refs[n++] = (struct objref){ e->object, entry_index(e, e->start),
		    entry_index(e, e->end) };
	}
	sort_objrefs(refs, n);
	for (size_t i = 0, j; i < n; i = j) {
		struct vm_object *obj = refs[i].obj;
		vm_pindex_t end = refs[i].end;

		spin_lock(&obj->lock);
		for (j = i + 1; j < n && refs[j].obj == obj; j++) {
			if (refs[j].start < refs[j - 1].end && (obj->flags & OBJ_ONEMAPPING))
				problem(c, "object %p maps once, yet windows %lu-%lu and %lu-%lu "
				    "overlap", obj, refs[j - 1].start, refs[j - 1].end,
				    refs[j].start, refs[j].end);
			end = MAX(end, refs[j].end);
		}
		if (vm_object_is_anon(obj) && end > obj->size)
			problem(c, "object %p: a window ends at %lu, past its size %lu", obj, end,
			    obj->size);
		if (obj->ref_count < j - i + obj->shadow_count)
			problem(c, "object %p: %u references, but %lu entries and %u shadows use "
			    "it", obj, obj->ref_count, j - i, obj->shadow_count);
		spin_unlock(&obj->lock);
		check_chain(c, obj);
	}
}

int
vm_map_verify(struct vm_map *map, vm_map_tree_report_fn *report, void *arg)
{
	struct vcheck c = { .map = map, .report = report, .arg = arg };
	size_t cap = __atomic_load_n(&map->tree.nentries, __ATOMIC_RELAXED) + SORT_SLACK;
	struct objref *refs = malloc(cap * sizeof(*refs), M_TEMP, M_WAITOK);

	if (refs == NULL) {
		problem(&c, "no memory for the check");
		return c.problems;
	}
	vm_map_lock(map);
	check_entries(&c);
	if (c.problems == 0) {
		for (struct vm_map_entry *e = map->tree.first; e != NULL; e = e->node.next) {
			if (e->eflags & MAP_ENTRY_IS_SUB_MAP)
				continue;
			check_wired_pages(&c, e);
			if (map->pmap != NULL)
				check_leaves(&c, e);
		}
		if (map->pmap != NULL)
			check_holes(&c);
		check_objects(&c, refs, cap);
	}
	if (map->pmap != NULL && pmap_check(map->pmap) != 0)
		problem(&c, "pmap_check found problems (on the console)");
	vm_map_unlock(map);
	free(refs, M_TEMP);
	return c.problems;
}
