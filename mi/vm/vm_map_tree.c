/*
 * The entry tree of an address map: an AVL tree keyed by entry start,
 * augmented with free-gap sizes.  See vm_map_tree.h for the interface.
 *
 * Entries never overlap, so ordering by start is the same as ordering
 * by [start, end), and the in-order sequence of the tree is the address
 * order.  The same order is kept on a doubly linked list (node.prev,
 * node.next, tree->first, tree->last): neighbours are O(1), and the list
 * gives every entry its gap without a search:
 *
 *	gap(e) = e->start - (e->prev ? e->prev->end : tree->min)
 *
 * Augmentation.  Every node caches max_gap, the largest gap(e) over its
 * subtree, and its AVL height.  Both are functions of the node's own
 * gap and its children's cached values (update_node), so after any
 * change it is enough to recompute the nodes from the lowest changed
 * one upward, and to stop at the first whose height and max_gap come out
 * as they were: nothing above it depends on anything else that changed.
 * One subtlety: gap(e) depends on the *previous* entry, so inserting,
 * removing or resizing an entry also changes the gap of its successor,
 * which may sit on a different root path; that path is refreshed too
 * (refresh_upward).  The tail gap, from the last entry's end to
 * tree->max, belongs to no node and is checked last.
 *
 * Free-space search (find_space).  A subtree whose max_gap is smaller
 * than the request holds no usable gap and is skipped whole.  The search
 * finds the gap holding the hint (or the first gap above it) by lookup,
 * tries it, then moves to the next entry in address order whose gap is at
 * least the length (next_candidate: O(log n), pruned by max_gap) and
 * tries that, and so on, ending with the tail gap.  A gap of at least
 * 'length' bytes can still fail once its start is rounded up to the
 * alignment, so a search over k such too-small-after-alignment gaps costs
 * O((k + 1) log n).  Without alignment (or with gaps that are multiples
 * of it) every candidate fits and the search is O(log n); only maps full
 * of gaps just barely smaller than length + align are slower.
 *
 * Arithmetic.  Addresses may reach the top of the 64-bit space, so no sum
 * is formed without an overflow check, and every difference is taken in
 * the order the invariants guarantee to be non-negative.
 *
 * Recursion: only vm_map_tree_check recurses, to the tree height (AVL:
 * at most ~1.44 log2 n, so < 93 levels), with a depth guard.
 *
 * Locking: none; the vm_map lock serializes every call.
 */
#include <kern/systm.h>
#include <vm/vm_map_tree.h>
#include <vm/vm_map.h>
#include <machine/param.h>

/*
 * Nodes examined by lookups and free-space searches, summed over all
 * maps.  A statistic for tests and tuning: updated without locking, so
 * it is approximate when maps are used concurrently.
 */
uint64_t vm_map_tree_visits;

/* Tallest tree vm_map_tree_check accepts before calling it a cycle. */
#define VM_MAP_TREE_MAX_DEPTH	128

/*
 * Node fields and cached values; an empty subtree has height 0 and
 * max_gap 0.
 */

static inline int
height_of(const struct vm_map_entry *e)
{
	return e != NULL ? e->node.height : 0;
}

static inline vaddr_t
max_gap_of(const struct vm_map_entry *e)
{
	return e != NULL ? e->node.max_gap : 0;
}

/* Where the gap before e starts: the previous entry's end, or min. */
static inline vaddr_t
gap_start(const struct vm_map_tree *t, const struct vm_map_entry *e)
{
	return e->node.prev != NULL ? e->node.prev->end : t->min;
}

static inline vaddr_t
gap_before(const struct vm_map_tree *t, const struct vm_map_entry *e)
{
	return e->start - gap_start(t, e);
}

/*
 * Recompute e's cached height and max_gap from its children; true if
 * either changed.
 */
static inline __attribute__((always_inline)) bool
update_node(const struct vm_map_tree *t, struct vm_map_entry *e)
{
	struct vm_map_entry *l = e->node.left, *r = e->node.right;
	vaddr_t gap = gap_before(t, e);
	int height = 1 + MAX(height_of(l), height_of(r));

	gap = MAX(gap, max_gap_of(l));
	gap = MAX(gap, max_gap_of(r));
	if (e->node.height == height && e->node.max_gap == gap)
		return false;
	e->node.height = (int8_t)height;
	e->node.max_gap = gap;
	return true;
}

/* Make parent (or the root, if parent is NULL) point at new instead of old. */
static void
replace_child(struct vm_map_tree *t, struct vm_map_entry *parent,
    struct vm_map_entry *old, struct vm_map_entry *new)
{
	if (parent == NULL)
		t->root = new;
	else if (parent->node.left == old)
		parent->node.left = new;
	else {
		KASSERT(parent->node.right == old,
		    ("vm_map_tree: %p is not a child of %p", old, parent));
		parent->node.right = new;
	}
	if (new != NULL)
		new->node.parent = parent;
}

/*
 * Rotations.  Each returns the new root of the rotated subtree, with the
 * two moved nodes recomputed bottom-up.
 */

static struct vm_map_entry *
rotate_left(struct vm_map_tree *t, struct vm_map_entry *x)
{
	struct vm_map_entry *y = x->node.right;

	replace_child(t, x->node.parent, x, y);
	x->node.right = y->node.left;
	if (x->node.right != NULL)
		x->node.right->node.parent = x;
	y->node.left = x;
	x->node.parent = y;
	update_node(t, x);
	update_node(t, y);
	return y;
}

static struct vm_map_entry *
rotate_right(struct vm_map_tree *t, struct vm_map_entry *x)
{
	struct vm_map_entry *y = x->node.left;

	replace_child(t, x->node.parent, x, y);
	x->node.left = y->node.right;
	if (x->node.left != NULL)
		x->node.left->node.parent = x;
	y->node.right = x;
	x->node.parent = y;
	update_node(t, x);
	update_node(t, y);
	return y;
}

/*
 * Restore the AVL balance at e, whose children are balanced and differ in
 * height by at most two; recompute e either way.  Returns the node now at
 * e's place, or NULL if that subtree's height and max_gap are what they
 * were (nothing above needs a look).
 */
static struct vm_map_entry *
rebalance_node(struct vm_map_tree *t, struct vm_map_entry *e)
{
	struct vm_map_entry *l = e->node.left, *r = e->node.right, *top;
	int balance = height_of(l) - height_of(r), height = e->node.height;
	vaddr_t max_gap = e->node.max_gap;

	if (balance > 1) {
		/* Left-right shape: turn it into left-left first. */
		if (height_of(l->node.left) < height_of(l->node.right))
			rotate_left(t, l);
		top = rotate_right(t, e);
	} else if (balance < -1) {
		if (height_of(r->node.right) < height_of(r->node.left))
			rotate_right(t, r);
		top = rotate_left(t, e);
	} else
		return update_node(t, e) ? e : NULL;
	return top->node.height != height || top->node.max_gap != max_gap ? top : NULL;
}

/*
 * After gap(e) changed without any change of height below it: recompute
 * max_gap from e upward.
 */
static void
refresh_upward(struct vm_map_tree *t, struct vm_map_entry *e)
{
	for (; e != NULL && update_node(t, e); e = e->node.parent)
		;
}

/*
 * After a structural change below or at e, and a change of gap(succ)
 * (succ may be NULL): rebalance from e upward.  succ is most often on the
 * way (a new leaf's successor is its ancestor), and then one walk does;
 * else its own path is refreshed after.
 */
static void
rebalance_upward(struct vm_map_tree *t, struct vm_map_entry *e, struct vm_map_entry *succ)
{
	bool passed = succ == NULL;

	while (e != NULL) {
		struct vm_map_entry *top = rebalance_node(t, e);

		passed |= e == succ || top == succ;
		if (top == NULL && passed)
			return;
		e = (top != NULL ? top : e)->node.parent;
	}
	if (!passed)
		refresh_upward(t, succ);
}

void
vm_map_tree_init(struct vm_map_tree *t, vaddr_t min, vaddr_t max)
{
	KASSERT(min <= max,
	    ("vm_map_tree_init: min %#lx > max %#lx", min, max));
	memset(t, 0, sizeof(*t));
	t->min = min;
	t->max = max;
}

void
vm_map_tree_insert(struct vm_map_tree *t, struct vm_map_entry *e)
{
	struct vm_map_entry *pred;

	(void)vm_map_tree_lookup(t, e->start, &pred);
	vm_map_tree_insert_after(t, e, pred);
}

void
vm_map_tree_insert_after(struct vm_map_tree *t, struct vm_map_entry *e,
    struct vm_map_entry *pred)
{
	struct vm_map_entry *succ = pred != NULL ? pred->node.next : t->first;
	struct vm_map_entry *parent, **link;

	KASSERT(e->start < e->end && e->start >= t->min && e->end <= t->max,
	    ("vm_map_tree_insert: entry [%#lx, %#lx) empty or outside "
	    "[%#lx, %#lx)", e->start, e->end, t->min, t->max));
	KASSERT(pred == NULL || pred->end <= e->start,
	    ("vm_map_tree_insert: [%#lx, %#lx) overlaps or precedes [%#lx, %#lx)",
	    e->start, e->end, pred->start, pred->end));
	KASSERT(succ == NULL || e->end <= succ->start,
	    ("vm_map_tree_insert: [%#lx, %#lx) overlaps or follows [%#lx, %#lx)",
	    e->start, e->end, succ->start, succ->end));

	/*
	 * In-order neighbours are a leaf's place: the successor's left link
	 * if free, else the predecessor's right one (it is then the rightmost
	 * node of the successor's left subtree, or the last entry).
	 */
	if (succ != NULL && succ->node.left == NULL) {
		parent = succ;
		link = &succ->node.left;
	} else if (pred != NULL) {
		KASSERT(pred->node.right == NULL,
		    ("vm_map_tree_insert: predecessor %#lx has a right child", pred->start));
		parent = pred;
		link = &pred->node.right;
	} else {
		KASSERT(t->root == NULL, ("vm_map_tree_insert: no place for %#lx", e->start));
		parent = NULL;
		link = &t->root;
	}

	/* Thread it on the list first: gaps are read from the list. */
	e->node.prev = pred;
	e->node.next = succ;
	if (pred != NULL)
		pred->node.next = e;
	else
		t->first = e;
	if (succ != NULL)
		succ->node.prev = e;
	else
		t->last = e;

	e->node.left = e->node.right = NULL;
	e->node.parent = parent;
	e->node.height = 1;
	e->node.max_gap = gap_before(t, e);
	*link = e;
	t->nentries++;

	/* e also took the front of its successor's gap. */
	rebalance_upward(t, parent, succ);
}

void
vm_map_tree_remove(struct vm_map_tree *t, struct vm_map_entry *e)
{
	struct vm_map_entry *pred = e->node.prev, *succ = e->node.next;
	struct vm_map_entry *l = e->node.left, *r = e->node.right;
	struct vm_map_entry *fix_from;

	KASSERT(t->nentries > 0 && (e->node.parent != NULL || t->root == e),
	    ("vm_map_tree_remove: [%#lx, %#lx) is not in the tree",
	    e->start, e->end));

	if (pred != NULL)
		pred->node.next = succ;
	else
		t->first = succ;
	if (succ != NULL)
		succ->node.prev = pred;
	else
		t->last = pred;

	if (l == NULL || r == NULL) {
		/* At most one child: it takes e's place. */
		fix_from = e->node.parent;
		replace_child(t, fix_from, e, l != NULL ? l : r);
	} else {
		/*
		 * Two children: the successor, the leftmost node of the
		 * right subtree (so it has no left child), takes e's place.
		 */
		KASSERT(succ != NULL && succ->node.left == NULL,
		    ("vm_map_tree_remove: bad successor of %#lx", e->start));
		if (succ == r)
			fix_from = succ;
		else {
			fix_from = succ->node.parent;
			replace_child(t, fix_from, succ, succ->node.right);
			succ->node.right = r;
			r->node.parent = succ;
		}
		succ->node.left = l;
		l->node.parent = succ;
		replace_child(t, e->node.parent, e, succ);
		/*
		 * It stands in for e: a walk that stops below it leaves its
		 * height right; its gap, which grew, is refreshed below.
		 */
		succ->node.height = e->node.height;
		succ->node.max_gap = e->node.max_gap;
	}
	t->nentries--;

	/* The successor's gap grew by e and the gap before it. */
	rebalance_upward(t, fix_from, succ);
#ifndef NO_INVARIANTS
	e->node = (struct vm_map_node){ 0 };	/* no stale links to follow */
#endif
}

struct vm_map_entry *
vm_map_tree_lookup(const struct vm_map_tree *t, vaddr_t addr,
    struct vm_map_entry **prevp)
{
	struct vm_map_entry *e = t->root, *below = NULL;

	while (e != NULL) {
		vm_map_tree_visits++;
		if (addr < e->start)
			e = e->node.left;
		else if (addr < e->end) {
			below = e;
			break;
		} else {
			below = e;
			e = e->node.right;
		}
	}
	if (prevp != NULL)
		*prevp = below;
	return e;
}

/*
 * Does [a, a+length) fit in the free range [lo, hi) for the lowest
 * a >= MAX(lo, hint) that is a multiple of align?  Sets *addr if so.
 */
static bool
range_fits(vaddr_t lo, vaddr_t hi, vaddr_t hint, vm_size_t length,
    vm_size_t align, vaddr_t *addr)
{
	vaddr_t a = MAX(lo, hint);
	vaddr_t misalign = a & (align - 1);

	if (misalign != 0 && add_overflows(a, align - misalign, &a))
		return false;
	if (a > hi || hi - a < length)
		return false;
	*addr = a;
	return true;
}

/*
 * The leftmost entry in e's subtree whose gap is >= length; there must
 * be one (max_gap(e) >= length).
 */
static struct vm_map_entry *
leftmost_candidate(const struct vm_map_tree *t, struct vm_map_entry *e,
    vm_size_t length)
{
	KASSERT(max_gap_of(e) >= length, ("vm_map_tree: no candidate below"));
	for (;;) {
		vm_map_tree_visits++;
		if (max_gap_of(e->node.left) >= length)
			e = e->node.left;
		else if (gap_before(t, e) >= length)
			return e;
		else
			e = e->node.right;
	}
}

/*
 * The first entry after e in address order whose gap is >= length, or
 * NULL.  Looks in e's right subtree, then climbs: for every ancestor
 * reached from its left side, that ancestor and its right subtree come
 * next in order.
 */
static struct vm_map_entry *
next_candidate(const struct vm_map_tree *t, struct vm_map_entry *e,
    vm_size_t length)
{
	struct vm_map_entry *up;

	if (max_gap_of(e->node.right) >= length)
		return leftmost_candidate(t, e->node.right, length);
	for (; (up = e->node.parent) != NULL; e = up) {
		vm_map_tree_visits++;
		if (e != up->node.left)
			continue;
		if (gap_before(t, up) >= length)
			return up;
		if (max_gap_of(up->node.right) >= length)
			return leftmost_candidate(t, up->node.right, length);
	}
	return NULL;
}

int
vm_map_tree_find_space(const struct vm_map_tree *t, vaddr_t hint,
    vm_size_t length, vm_size_t align, vaddr_t *addr, struct vm_map_entry **prevp)
{
	struct vm_map_entry *e, *below;
	vaddr_t tail_start;

	if (align == 0)
		align = 1;
	KASSERT(powerof2(align), ("vm_map_tree_find_space: align %#lx", align));
	hint = MAX(hint, t->min);
	/* Every subtree's max_gap is >= 0: an empty request could not prune. */
	if (length == 0 || hint >= t->max)
		return ENOMEM;

	/* The first gap ending above the hint is the one before 'e'. */
	(void)vm_map_tree_lookup(t, hint, &below);
	e = below != NULL ? below->node.next : t->first;

	/* Only that gap can hold the hint; later ones lie wholly above it. */
	for (; e != NULL; e = next_candidate(t, e, length)) {
		if (range_fits(gap_start(t, e), e->start, hint, length, align, addr)) {
			if (prevp != NULL)
				*prevp = e->node.prev;
			return 0;
		}
	}

	tail_start = t->last != NULL ? t->last->end : t->min;
	if (range_fits(tail_start, t->max, hint, length, align, addr)) {
		if (prevp != NULL)
			*prevp = t->last;
		return 0;
	}
	return ENOMEM;
}

void
vm_map_tree_resize(struct vm_map_tree *t, struct vm_map_entry *e)
{
	struct vm_map_entry *succ = e->node.next;

	KASSERT(e->start < e->end && e->start >= t->min && e->end <= t->max,
	    ("vm_map_tree_resize: entry [%#lx, %#lx) empty or outside "
	    "[%#lx, %#lx)", e->start, e->end, t->min, t->max));
	KASSERT(e->node.prev == NULL || e->node.prev->end <= e->start,
	    ("vm_map_tree_resize: [%#lx, %#lx) overlaps [%#lx, %#lx)",
	    e->start, e->end, e->node.prev->start, e->node.prev->end));
	KASSERT(succ == NULL || e->end <= succ->start,
	    ("vm_map_tree_resize: [%#lx, %#lx) overlaps [%#lx, %#lx)",
	    e->start, e->end, succ->start, succ->end));

	/* A new start changes e's gap, a new end its successor's. */
	refresh_upward(t, e);
	if (succ != NULL)
		refresh_upward(t, succ);
}

/*
 * Invariant check: an in-order walk that compares each node with the
 * list, the previous node, its parent link and its cached values.  The
 * first broken invariant is reported and ends the walk (past it, links
 * may lead anywhere).
 */

struct check_state {
	const struct vm_map_entry *expect;	/* next entry on the list */
	const struct vm_map_entry *prev;	/* last entry visited */
	uint64_t	count;
	vm_map_tree_report_fn *report;
	void		*arg;
	bool		broken;		/* a problem was reported: stop */
};

static bool __printflike(2, 3)
broken(struct check_state *st, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	st->report(st->arg, msg);
	st->broken = true;
	return true;
}

static void
check_entry(const struct vm_map_tree *t, const struct vm_map_entry *e,
    struct check_state *st)
{
	if (e != st->expect)
		broken(st, "in-order entry %p [%#lx, %#lx) but the list has %p", e, e->start,
		    e->end, st->expect);
	else if (e->node.prev != st->prev)
		broken(st, "[%#lx, %#lx) has prev %p, not %p", e->start, e->end, e->node.prev,
		    st->prev);
	else if (e->start >= e->end)
		broken(st, "empty entry [%#lx, %#lx)", e->start, e->end);
	else if (e->start < t->min || e->end > t->max)
		broken(st, "[%#lx, %#lx) outside [%#lx, %#lx)", e->start, e->end, t->min,
		    t->max);
	else if (st->prev != NULL && st->prev->end > e->start)
		broken(st, "[%#lx, %#lx) out of order with or overlapping [%#lx, %#lx)",
		    st->prev->start, st->prev->end, e->start, e->end);
	else if (++st->count > t->nentries)
		broken(st, "more than nentries %lu entries", t->nentries);
	st->prev = e;
	st->expect = e->node.next;
}

/* Check e's subtree; returns its height, and its largest gap in *max_gap. */
static int
check_subtree(const struct vm_map_tree *t, const struct vm_map_entry *e,
    const struct vm_map_entry *parent, int depth, struct check_state *st,
    vaddr_t *max_gap)
{
	vaddr_t lgap, rgap = 0, gap;
	int lh, rh = 0;

	*max_gap = 0;
	if (e == NULL || st->broken)
		return 0;
	if (depth > VM_MAP_TREE_MAX_DEPTH) {
		broken(st, "deeper than %d (a cycle?)", VM_MAP_TREE_MAX_DEPTH);
		return 0;
	}
	if (e->node.parent != parent) {
		broken(st, "[%#lx, %#lx) has parent %p, not %p", e->start, e->end,
		    e->node.parent, parent);
		return 0;
	}

	lh = check_subtree(t, e->node.left, e, depth + 1, st, &lgap);
	if (!st->broken)
		check_entry(t, e, st);
	if (!st->broken)
		rh = check_subtree(t, e->node.right, e, depth + 1, st, &rgap);
	if (st->broken)
		return 0;

	if (lh - rh > 1 || rh - lh > 1)
		broken(st, "[%#lx, %#lx) unbalanced: heights %d and %d", e->start, e->end, lh,
		    rh);
	else if (e->node.height != 1 + MAX(lh, rh))
		broken(st, "[%#lx, %#lx) height %d, should be %d", e->start, e->end,
		    e->node.height, 1 + MAX(lh, rh));
	/* check_entry has checked that the gap is not negative. */
	gap = MAX(gap_before(t, e), MAX(lgap, rgap));
	if (!st->broken && e->node.max_gap != gap)
		broken(st, "[%#lx, %#lx) max_gap %#lx, should be %#lx", e->start, e->end,
		    e->node.max_gap, gap);
	*max_gap = gap;
	return e->node.height;
}

int
vm_map_tree_verify(const struct vm_map_tree *t, vm_map_tree_report_fn *report, void *arg)
{
	struct check_state st = { .expect = t->first, .report = report, .arg = arg };
	vaddr_t max_gap;

	if (t->min > t->max) {
		broken(&st, "min %#lx > max %#lx", t->min, t->max);
		return 1;
	}
	(void)check_subtree(t, t->root, NULL, 1, &st, &max_gap);
	if (st.broken)
		return 1;
	if (st.expect != NULL)
		broken(&st, "list has %p [%#lx, %#lx) after the last tree entry", st.expect,
		    st.expect->start, st.expect->end);
	else if (t->last != st.prev)
		broken(&st, "last is %p, not %p", t->last, st.prev);
	else if (st.count != t->nentries)
		broken(&st, "%lu entries, nentries %lu", st.count, t->nentries);
	return st.broken ? 1 : 0;
}

static void
check_failed(void *arg, const char *msg)
{
	panic("vm_map_tree_check: %s", msg);
}

void
vm_map_tree_check(const struct vm_map_tree *t)
{
	(void)vm_map_tree_verify(t, check_failed, NULL);
}
