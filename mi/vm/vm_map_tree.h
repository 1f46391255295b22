/*
 * The ordered set of map entries behind a vm_map: a balanced binary
 * search tree (AVL) keyed by address and augmented, in every node, with
 * the largest free gap anywhere in its subtree.  Lookup of the entry
 * containing an address and the search for free space of a given size
 * are both O(log n); entries are also threaded on an address-ordered
 * list for cheap neighbours and walks.
 *
 * The gap of an entry is the free space just before it:
 *     gap(e) = e->start - (prev ? prev->end : tree->min)
 * and the space after the last entry, up to tree->max, is the tail gap.
 *
 * Locking: none inside; the vm_map lock serializes all calls.
 */
#ifndef _VM_VM_MAP_TREE_H_
#define _VM_VM_MAP_TREE_H_

#include <kern/types.h>

struct vm_map_entry;

struct vm_map_node {
	struct vm_map_entry *left, *right, *parent;	/* tree */
	struct vm_map_entry *prev, *next;		/* address order, NULL at ends */
	vaddr_t		max_gap;	/* largest gap(e) in this subtree */
	int8_t		height;		/* AVL height of this subtree */
};

struct vm_map_tree {
	struct vm_map_entry *root;
	struct vm_map_entry *first, *last;	/* lowest and highest entry */
	vaddr_t		min, max;		/* the map's range [min, max) */
	uint64_t	nentries;
};

/*
 * Every entry embeds a struct vm_map_node named 'node' and starts and
 * ends at 'start' and 'end' (see vm_map.h).
 */
void vm_map_tree_init(struct vm_map_tree *t, vaddr_t min, vaddr_t max);

/* Insert e, which must not overlap any entry and must lie in [min, max). */
void vm_map_tree_insert(struct vm_map_tree *t, struct vm_map_entry *e);
/* The same when the entry e goes right after is known: pred (NULL: e goes first). */
void vm_map_tree_insert_after(struct vm_map_tree *t, struct vm_map_entry *e,
    struct vm_map_entry *pred);
void vm_map_tree_remove(struct vm_map_tree *t, struct vm_map_entry *e);

/*
 * The entry containing addr, or NULL.  If prevp is not NULL, *prevp is
 * set to the entry with the greatest start <= addr (the containing entry
 * itself, or the one before the gap holding addr), or NULL when none.
 */
struct vm_map_entry *vm_map_tree_lookup(const struct vm_map_tree *t, vaddr_t addr,
    struct vm_map_entry **prevp);

/*
 * The lowest address a >= hint with a % align == 0 (align a power of two;
 * 0 means 1) such that [a, a+length) lies in one free gap within
 * [min, max).  Returns 0 and sets *addr -- and *prevp, unless prevp is
 * NULL, to the entry just before it (NULL: none), as vm_map_tree_insert_after
 * takes it -- or ENOMEM (also for length 0).
 */
int vm_map_tree_find_space(const struct vm_map_tree *t, vaddr_t hint,
    vm_size_t length, vm_size_t align, vaddr_t *addr, struct vm_map_entry **prevp);

/*
 * An entry's end or start changed in place (clip, grow) without changing
 * its order: recompute the gaps that depend on it.
 */
void vm_map_tree_resize(struct vm_map_tree *t, struct vm_map_entry *e);

/* Check every invariant (order, AVL balance, max_gap, list); panics if broken. */
void vm_map_tree_check(const struct vm_map_tree *t);
/*
 * The same check, reporting the first broken invariant through report
 * (one line, no newline) instead: returns 1 if one was found, else 0.
 */
typedef void vm_map_tree_report_fn(void *arg, const char *msg);
int vm_map_tree_verify(const struct vm_map_tree *t, vm_map_tree_report_fn *report, void *arg);

#endif
