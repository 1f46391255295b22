/*
 * vm_radix: a path-compressed radix trie from 64-bit keys to pointers,
 * the index of a vm_object's resident pages.
 *
 * A key is read as 16 hex digits, digit 15 the most significant.  A node
 * at level clev (0..15) branches on digit clev into 16 slots and covers
 * exactly the keys whose digits above clev equal those of its rn_owner
 * (whose lower digits, clev included, are zero).  Path compression: a
 * child need not sit one level down; levels where every key below agrees
 * are skipped, so the trie is at most 16 nodes deep, usually far less,
 * and n keys need O(n) nodes however widely they are spread.
 *
 * Leaves.  A value goes into its slot itself, tagged in the low bit
 * (values are at least 2-byte aligned), with no leaf node around it.  The
 * interface takes any pointer, so the value cannot tell us its key; a
 * leaf's key must follow from where it sits.  Leaves therefore live only
 * in level-0 nodes, where rn_owner | slot is the whole key.  (FreeBSD lets
 * a leaf sit in any slot, even be the root, because it reads the key back
 * from the vm_page; that needs the key inside the value.)  The tag is not
 * needed to navigate, but lets every step assert the kind of child it met.
 *
 * Invariants, checked by vm_radix_check():
 *   - the root is NULL or a node;
 *   - a node above level 0 has at least two children, all nodes at lower
 *     levels, each in the slot its owner's digit names;
 *   - a level-0 node has at least one child, all leaves;
 *   - rn_count is the number of non-empty slots.
 * Insert keeps them by splitting: where a new key leaves a node's prefix,
 * a node at the level of the first differing digit takes the old node and
 * the new key's level-0 node as its two children.  Remove keeps them by
 * freeing a level-0 node that empties and replacing its parent, if that is
 * left with one child, by the child.
 *
 * Memory: a node is 16 slots * 8 + owner 8 + clev 2 + count 2 + padding
 * 4 = 144 bytes, a multiple of the zone's 16-byte alignment.  A dense run
 * of keys costs one level-0 node per 16 values (9 bytes a value); an
 * isolated key costs its level-0 node and at most one branching node.
 *
 * Locking: none; the trie's owner serializes calls.  Only the node
 * counter is shared between tries, and it is atomic.
 */
#include <kern/systm.h>
#include <vm/vm_radix.h>
#include <vm/zone.h>

#define VM_RADIX_WIDTH	4			/* key bits per level */
#define VM_RADIX_COUNT	(1 << VM_RADIX_WIDTH)	/* slots per node */
#define VM_RADIX_MASK	(VM_RADIX_COUNT - 1)
#define VM_RADIX_LEVELS	(64 / VM_RADIX_WIDTH)
#define VM_RADIX_LEAF	((uintptr_t)1)		/* tag of a leaf pointer */

struct vm_radix_node {
	uint64_t	rn_owner;	/* key digits above rn_clev, the rest 0 */
	uint16_t	rn_clev;	/* the digit this node branches on */
	uint16_t	rn_count;	/* non-empty slots */
	/* Nodes, or at level 0 tagged leaves. */
	struct vm_radix_node *rn_child[VM_RADIX_COUNT];
};

_Static_assert(sizeof(struct vm_radix_node) == 144,
    "struct vm_radix_node should stay 144 bytes");

static zone_t vm_radix_zone;
static uint64_t vm_radix_nodes;		/* (A) nodes allocated, all tries */

/*
 * Keys.
 */

static inline int
key_digit(uint64_t key, int clev)
{
	return (key >> (clev * VM_RADIX_WIDTH)) & VM_RADIX_MASK;
}

/* The key with digit clev and all below cleared: a level-clev owner. */
static inline uint64_t
key_prefix(uint64_t key, int clev)
{
	int shift = (clev + 1) * VM_RADIX_WIDTH;

	return shift >= 64 ? 0 : key >> shift << shift;
}

/* The most significant digit where two different keys differ. */
static int
key_diverge_level(uint64_t a, uint64_t b)
{
	int clev;

	KASSERT(a != b, ("key_diverge_level: equal keys %#lx",
	    (unsigned long)a));
	for (clev = VM_RADIX_LEVELS - 1; key_digit(a, clev) == key_digit(b, clev);
	    clev--)
		;
	return clev;
}

/*
 * Leaves: tagged value pointers.
 */

static inline bool
is_leaf(const struct vm_radix_node *p)
{
	return ((uintptr_t)p & VM_RADIX_LEAF) != 0;
}

static inline struct vm_radix_node *
leaf_make(void *val)
{
	return (struct vm_radix_node *)((uintptr_t)val | VM_RADIX_LEAF);
}

static inline void *
leaf_value(const struct vm_radix_node *leaf)
{
	KASSERT(is_leaf(leaf), ("vm_radix: %p is not a leaf", leaf));
	return (void *)((uintptr_t)leaf & ~VM_RADIX_LEAF);
}

/*
 * Nodes.
 */

static struct vm_radix_node *
node_alloc(uint64_t key, int clev)
{
	struct vm_radix_node *n;

	n = zone_alloc(vm_radix_zone, M_NOWAIT | M_ZERO);
	if (n == NULL)
		return NULL;
	n->rn_owner = key_prefix(key, clev);
	n->rn_clev = clev;
	__atomic_add_fetch(&vm_radix_nodes, 1, __ATOMIC_RELAXED);
	return n;
}

static void
node_free(struct vm_radix_node *n)
{
	KASSERT(!is_leaf(n), ("vm_radix: freeing leaf %p", n));
	zone_free(vm_radix_zone, n);
	__atomic_sub_fetch(&vm_radix_nodes, 1, __ATOMIC_RELAXED);
}

static inline bool
node_covers(const struct vm_radix_node *n, uint64_t key)
{
	return key_prefix(key, n->rn_clev) == n->rn_owner;
}

static void
node_set(struct vm_radix_node *n, int slot, struct vm_radix_node *child)
{
	KASSERT(n->rn_child[slot] == NULL,
	    ("vm_radix: node %p slot %d is taken", n, slot));
	KASSERT(is_leaf(child) == (n->rn_clev == 0),
	    ("vm_radix: child %p does not belong at level %d", child,
	    n->rn_clev));
	n->rn_child[slot] = child;
	n->rn_count++;
}

static void
node_clear(struct vm_radix_node *n, int slot)
{
	KASSERT(n->rn_child[slot] != NULL && n->rn_count > 0,
	    ("vm_radix: node %p slot %d is already empty", n, slot));
	n->rn_child[slot] = NULL;
	n->rn_count--;
}

/* The first non-empty slot at or after from, or -1. */
static int
node_next_slot(const struct vm_radix_node *n, int from)
{
	int slot;

	for (slot = from; slot < VM_RADIX_COUNT; slot++)
		if (n->rn_child[slot] != NULL)
			return slot;
	return -1;
}

/* A level-0 node holding just val at key. */
static struct vm_radix_node *
node_alloc_leaf(uint64_t key, void *val)
{
	struct vm_radix_node *n;

	n = node_alloc(key, 0);
	if (n != NULL)
		node_set(n, key_digit(key, 0), leaf_make(val));
	return n;
}

/* The value with the smallest key under n, which is never empty. */
static void *
node_min(const struct vm_radix_node *n, uint64_t *found)
{
	int slot;

	for (;;) {
		slot = node_next_slot(n, 0);
		KASSERT(slot >= 0, ("vm_radix: empty node %p", n));
		if (n->rn_clev == 0)
			break;
		n = n->rn_child[slot];
	}
	if (found != NULL)
		*found = n->rn_owner | (uint64_t)slot;
	return leaf_value(n->rn_child[slot]);
}

/*
 * The interface.
 */

void
vm_radix_zinit(void)
{
	KASSERT(vm_radix_zone == NULL, ("vm_radix_zinit: called twice"));
	vm_radix_zone = zone_create("vm radix node",
	    sizeof(struct vm_radix_node), 0, 0);
	if (vm_radix_zone == NULL)
		panic("vm_radix_zinit: cannot create the node zone");
}

uint64_t
vm_radix_node_count(void)
{
	return __atomic_load_n(&vm_radix_nodes, __ATOMIC_RELAXED);
}

/*
 * Key leaves the prefix of the node at *slotp: put a node at the level of
 * their first differing digit in its place, with the old node and key's
 * new level-0 node as children.  Both allocations or neither.
 */
static int
insert_split(struct vm_radix_node **slotp, uint64_t key, void *val)
{
	struct vm_radix_node *old = *slotp, *leafnode, *split;
	int clev;

	clev = key_diverge_level(key, old->rn_owner);
	KASSERT(clev > old->rn_clev, ("vm_radix_insert: key %#lx splits "
	    "below level %d", (unsigned long)key, old->rn_clev));
	leafnode = node_alloc_leaf(key, val);
	if (leafnode == NULL)
		return ENOMEM;
	split = node_alloc(key, clev);
	if (split == NULL) {
		node_free(leafnode);
		return ENOMEM;
	}
	node_set(split, key_digit(old->rn_owner, clev), old);
	node_set(split, key_digit(key, clev), leafnode);
	*slotp = split;
	return 0;
}

int
vm_radix_insert(struct vm_radix *rt, uint64_t key, void *val)
{
	struct vm_radix_node **slotp, *n, *leafnode;
	int slot;

	KASSERT(val != NULL && ((uintptr_t)val & VM_RADIX_LEAF) == 0,
	    ("vm_radix_insert: value %p for key %#lx is NULL or odd", val,
	    (unsigned long)key));
	if (rt->rt_root == NULL) {
		rt->rt_root = node_alloc_leaf(key, val);
		return rt->rt_root != NULL ? 0 : ENOMEM;
	}
	for (slotp = &rt->rt_root;; slotp = &n->rn_child[slot]) {
		n = *slotp;
		KASSERT(!is_leaf(n), ("vm_radix_insert: leaf %p above level 0",
		    n));
		if (!node_covers(n, key))
			return insert_split(slotp, key, val);
		slot = key_digit(key, n->rn_clev);
		if (n->rn_clev == 0) {
			if (n->rn_child[slot] != NULL)
				return EEXIST;
			node_set(n, slot, leaf_make(val));
			return 0;
		}
		if (n->rn_child[slot] == NULL) {
			leafnode = node_alloc_leaf(key, val);
			if (leafnode == NULL)
				return ENOMEM;
			node_set(n, slot, leafnode);
			return 0;
		}
	}
}

/* The level-0 node that would hold key, or NULL. */
static struct vm_radix_node *
lookup_leafnode(const struct vm_radix *rt, uint64_t key)
{
	struct vm_radix_node *n;

	for (n = rt->rt_root; n != NULL; n = n->rn_child[key_digit(key,
	    n->rn_clev)]) {
		KASSERT(!is_leaf(n), ("vm_radix_lookup: leaf %p above level 0",
		    n));
		if (!node_covers(n, key))
			return NULL;
		if (n->rn_clev == 0)
			return n;
	}
	return NULL;
}

int
vm_radix_insert_run(struct vm_radix *rt, uint64_t key, uint64_t n, void *val, size_t stride)
{
	uint64_t i = 0;
	int error = 0;

	while (i < n && error == 0) {
		struct vm_radix_node *leafnode;

		if ((error = vm_radix_insert(rt, key + i, (char *)val + i * stride)) != 0)
			break;
		/* The rest of this level-0 node's keys go straight into its slots. */
		leafnode = lookup_leafnode(rt, key + i);
		for (i++; i < n && key_digit(key + i, 0) != 0; i++) {
			int slot = key_digit(key + i, 0);

			if (leafnode->rn_child[slot] != NULL) {
				error = EEXIST;
				break;
			}
			node_set(leafnode, slot, leaf_make((char *)val + i * stride));
		}
	}
	if (error != 0) {
		while (i-- > 0)
			(void)vm_radix_remove(rt, key + i);
	}
	return error;
}

void *
vm_radix_lookup(const struct vm_radix *rt, uint64_t key)
{
	struct vm_radix_node *n, *leaf;

	n = lookup_leafnode(rt, key);
	if (n == NULL)
		return NULL;
	leaf = n->rn_child[key_digit(key, 0)];
	return leaf != NULL ? leaf_value(leaf) : NULL;
}

/*
 * Descend along key as far as the trie has it.  Where the path ends, the
 * answer is the first thing to its right: a later slot of the node where
 * it ended, or else of the nearest node above with one, so at most one
 * walk down and one back up.
 */
void *
vm_radix_lookup_ge(const struct vm_radix *rt, uint64_t key, uint64_t *found)
{
	struct vm_radix_node *path[VM_RADIX_LEVELS], *n;
	int depth = 0, slot;

	for (n = rt->rt_root; n != NULL; n = n->rn_child[slot]) {
		KASSERT(!is_leaf(n), ("vm_radix_lookup_ge: leaf %p above "
		    "level 0", n));
		if (!node_covers(n, key)) {
			/* All of n is above key, or all below. */
			if (key < n->rn_owner)
				return node_min(n, found);
			break;
		}
		slot = key_digit(key, n->rn_clev);
		if (n->rn_clev == 0 || n->rn_child[slot] == NULL) {
			/* The path ends in n: the first slot from here on. */
			slot = node_next_slot(n, slot);
			if (slot < 0)
				break;
			if (n->rn_clev > 0)
				return node_min(n->rn_child[slot], found);
			if (found != NULL)
				*found = n->rn_owner | (uint64_t)slot;
			return leaf_value(n->rn_child[slot]);
		}
		KASSERT(depth < VM_RADIX_LEVELS, ("vm_radix_lookup_ge: "
		    "trie deeper than %d", VM_RADIX_LEVELS));
		path[depth++] = n;
	}

	/* Nothing >= key below where we stopped: back up. */
	while (depth > 0) {
		n = path[--depth];
		slot = node_next_slot(n, key_digit(key, n->rn_clev) + 1);
		if (slot >= 0)
			return node_min(n->rn_child[slot], found);
	}
	return NULL;
}

void *
vm_radix_remove(struct vm_radix *rt, uint64_t key)
{
	struct vm_radix_node **slotp, **parent_slotp, *n, *parent, *leaf;
	int slot;

	/* Find key's level-0 node n, its parent, and the slots holding them. */
	parent = NULL;
	parent_slotp = NULL;
	slotp = &rt->rt_root;
	for (n = *slotp; n != NULL && n->rn_clev > 0; n = *slotp) {
		KASSERT(!is_leaf(n), ("vm_radix_remove: leaf %p above level 0",
		    n));
		if (!node_covers(n, key))
			return NULL;
		parent = n;
		parent_slotp = slotp;
		slotp = &n->rn_child[key_digit(key, n->rn_clev)];
	}
	if (n == NULL || !node_covers(n, key))
		return NULL;
	slot = key_digit(key, 0);
	leaf = n->rn_child[slot];
	if (leaf == NULL)
		return NULL;

	node_clear(n, slot);
	if (n->rn_count > 0)
		return leaf_value(leaf);
	node_free(n);
	if (parent == NULL) {
		rt->rt_root = NULL;
		return leaf_value(leaf);
	}
	node_clear(parent, key_digit(key, parent->rn_clev));
	KASSERT(parent->rn_count >= 1, ("vm_radix_remove: node %p had one "
	    "child", parent));
	/* One child left: it takes the parent's place. */
	if (parent->rn_count == 1) {
		*parent_slotp = parent->rn_child[node_next_slot(parent, 0)];
		node_free(parent);
	}
	return leaf_value(leaf);
}

/* Depth is at most 16 levels, so recursion is bounded. */
static void
reclaim_node(struct vm_radix_node *n)
{
	int slot;

	if (n->rn_clev > 0)
		for (slot = 0; slot < VM_RADIX_COUNT; slot++)
			if (n->rn_child[slot] != NULL)
				reclaim_node(n->rn_child[slot]);
	node_free(n);
}

void
vm_radix_reclaim_all(struct vm_radix *rt)
{
	if (rt->rt_root != NULL)
		reclaim_node(rt->rt_root);
	rt->rt_root = NULL;
}

/*
 * Debugging: the structural check.
 */

static bool
check_fail(const struct vm_radix_node *n, int slot, const char *why)
{
	printf("vm_radix_check: node %p (level %d, owner %#lx) slot %d: %s\n",
	    n, n->rn_clev, (unsigned long)n->rn_owner, slot, why);
	return false;
}

static bool
check_node(const struct vm_radix_node *n, uint64_t *nvals, uint64_t *nnodes)
{
	const struct vm_radix_node *child;
	int slot, count = 0;

	(*nnodes)++;
	if (n->rn_clev >= VM_RADIX_LEVELS)
		return check_fail(n, -1, "level out of range");
	if (key_prefix(n->rn_owner, n->rn_clev) != n->rn_owner)
		return check_fail(n, -1, "owner has bits at or below its level");
	for (slot = 0; slot < VM_RADIX_COUNT; slot++) {
		child = n->rn_child[slot];
		if (child == NULL)
			continue;
		count++;
		if (n->rn_clev == 0) {
			if (!is_leaf(child) || leaf_value(child) == NULL)
				return check_fail(n, slot, "not a leaf");
			(*nvals)++;
			continue;
		}
		if (is_leaf(child))
			return check_fail(n, slot, "leaf above level 0");
		if (child->rn_clev >= n->rn_clev)
			return check_fail(n, slot, "child not below its parent");
		if (key_prefix(child->rn_owner, n->rn_clev) != n->rn_owner ||
		    key_digit(child->rn_owner, n->rn_clev) != slot)
			return check_fail(n, slot, "child's owner does not "
			    "match its place");
		if (!check_node(child, nvals, nnodes))
			return false;
	}
	if (count != n->rn_count)
		return check_fail(n, -1, "rn_count is wrong");
	if (count < (n->rn_clev == 0 ? 1 : 2))
		return check_fail(n, -1, "too few children");
	return true;
}

bool
vm_radix_check(const struct vm_radix *rt, uint64_t *nvals, uint64_t *nnodes)
{
	uint64_t vals = 0, nodes = 0;
	bool good = true;

	if (rt->rt_root != NULL) {
		if (is_leaf(rt->rt_root)) {
			printf("vm_radix_check: the root %p is a leaf\n",
			    rt->rt_root);
			good = false;
		} else
			good = check_node(rt->rt_root, &vals, &nodes);
	}
	if (nvals != NULL)
		*nvals = vals;
	if (nnodes != NULL)
		*nnodes = nodes;
	return good;
}
