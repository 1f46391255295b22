/*
 * A radix trie mapping 64-bit keys (page indices) to pointers: how a
 * vm_object finds its resident pages in O(log n) without list walks.
 *
 * Interior nodes have 16 slots (4 bits of key per level) and are
 * path-compressed: a node records the key prefix it covers and its
 * level, so a sparse object's trie stays shallow.  Nodes come from a zone.
 *
 * Locking: none inside; the owner (the vm_object lock) serializes all
 * calls on one trie.
 */
#ifndef _VM_VM_RADIX_H_
#define _VM_VM_RADIX_H_

#include <kern/types.h>

struct vm_radix_node;

struct vm_radix {
	struct vm_radix_node *rt_root;	/* the top node, or NULL */
};

void vm_radix_zinit(void);		/* create the node zone, once at boot */
static inline void vm_radix_init(struct vm_radix *rt) { rt->rt_root = NULL; }
static inline bool vm_radix_is_empty(const struct vm_radix *rt) { return rt->rt_root == NULL; }

/* Insert val (non-NULL, at least 2-byte aligned) at key: 0, EEXIST, or ENOMEM. */
int vm_radix_insert(struct vm_radix *rt, uint64_t key, void *val);
/*
 * Insert n values at keys key .. key + n - 1: val, then each stride bytes
 * on (an array's elements).  All or none: 0, or EEXIST or ENOMEM with
 * the trie as it was.  One walk per 16 keys: a superpage's pages.
 */
int vm_radix_insert_run(struct vm_radix *rt, uint64_t key, uint64_t n, void *val,
    size_t stride);
void *vm_radix_lookup(const struct vm_radix *rt, uint64_t key);
/* The value with the smallest key >= key (its key in *found), or NULL. */
void *vm_radix_lookup_ge(const struct vm_radix *rt, uint64_t key, uint64_t *found);
/* Remove and return the value at key, or NULL. */
void *vm_radix_remove(struct vm_radix *rt, uint64_t key);
/* Free every node; the values are the caller's. */
void vm_radix_reclaim_all(struct vm_radix *rt);
uint64_t vm_radix_node_count(void);	/* nodes allocated, all tries (statistics) */
/*
 * Debugging: check every structural invariant, printing the first broken
 * one (then false).  The values and nodes found go to *nvals and *nnodes
 * (either may be NULL).
 */
bool vm_radix_check(const struct vm_radix *rt, uint64_t *nvals, uint64_t *nnodes);

#endif
