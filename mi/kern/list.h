/*
 * Intrusive doubly linked lists with a sentinel head.
 * The caller provides all locking.
 */
#ifndef _KERN_LIST_H_
#define _KERN_LIST_H_

#include <kern/types.h>

struct list_node {
	struct list_node *next;
	struct list_node *prev;
};

#define LIST_HEAD_INIT(h)	{ &(h), &(h) }
#define container_of(p, type, member) \
	((type *)((char *)(p) - offsetof(type, member)))
#define list_entry(p, type, member)	container_of(p, type, member)

static inline void list_init(struct list_node *h) { h->next = h->prev = h; }
static inline bool list_empty(const struct list_node *h) { return h->next == h; }

static inline void
list_insert_between(struct list_node *n, struct list_node *prev,
    struct list_node *next)
{
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

/* Insert n at the front of h. */
static inline void list_push(struct list_node *h, struct list_node *n)
{ list_insert_between(n, h, h->next); }

/* Insert n at the back of h. */
static inline void list_append(struct list_node *h, struct list_node *n)
{ list_insert_between(n, h->prev, h); }

static inline void
list_remove(struct list_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = NULL;
}

static inline struct list_node *
list_first(const struct list_node *h)
{
	return list_empty(h) ? NULL : h->next;
}

#define list_foreach(it, h) \
	for ((it) = (h)->next; (it) != (h); (it) = (it)->next)
#define list_foreach_safe(it, tmp, h) \
	for ((it) = (h)->next, (tmp) = (it)->next; (it) != (h); \
	    (it) = (tmp), (tmp) = (it)->next)

#endif
