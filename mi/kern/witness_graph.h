/*
 * The lock-order graph of the lock checker (witness.h): pure data, with
 * no locking of its own (the caller serializes changes), so that it can
 * be unit-tested on the host.
 *
 * Every lock belongs to a class, named by the lock's name; classes are
 * numbered from 1 (0 means "not looked up yet").  An edge A -> B records
 * that some thread took a lock of class B while holding one of class A.
 * Taking A while holding B once the graph says B comes before A
 * (directly or through other classes) is a reversal: two threads doing
 * both could deadlock.
 *
 * known[A] caches "A before B is fine" for the fast path of every lock
 * acquisition: the B in it are those A reaches, and A itself for classes
 * whose locks may nest (WG_DUPOK, e.g. VM objects along a shadow
 * chain).  before[B] is the same matrix transposed: the A that B may
 * follow, so one mask test checks B against a whole set of held classes.  Readers may test a bit without the serializing lock: bits are
 * only ever set.  The last class number, WG_UNCHECKED, stands for the
 * locks that found the table full: known says yes to any pair with it.
 */
#ifndef _KERN_WITNESS_GRAPH_H_
#define _KERN_WITNESS_GRAPH_H_

#include <kern/types.h>

#define WG_MAX_CLASSES	128		/* class numbers 1 .. WG_MAX_CLASSES - 2 */
#define WG_UNCHECKED	(WG_MAX_CLASSES - 1)	/* no room: never checked */
#define WG_WORDS	(WG_MAX_CLASSES / 64)
#define WG_MAX_EDGES	1024		/* edges remembered with where they were learnt */
#define WG_NAME_SLOTS	256		/* the name-pointer cache (a power of two) */

/* Class flags. */
#define WG_SLEEP	0x1		/* sleep locks (mutexes, sx locks); else spin */
#define WG_DUPOK	0x2		/* two locks of the class may be held at once */

struct wg_class {
	const char	*name;
	uint32_t	flags;		/* WG_* */
	uint32_t	forward;	/* edges out of it */
	uint32_t	backward;	/* edges into it */
};

struct wg_edge {
	uint16_t	from, to;
	uintptr_t	where;		/* the pc that first took to while holding from */
};

struct wg_name_slot {
	const char	*name;		/* (A) set once, after class */
	uint16_t	class;
};

struct witness_graph {
	int		nclasses;		/* classes 1 .. nclasses */
	struct wg_class	classes[WG_MAX_CLASSES];
	uint64_t	edges[WG_MAX_CLASSES][WG_WORDS];	/* direct edges */
	uint64_t	known[WG_MAX_CLASSES][WG_WORDS];	/* (A) the fast path's cache */
	uint64_t	before[WG_MAX_CLASSES][WG_WORDS];	/* (A) known, transposed */
	int		nedges;
	struct wg_edge	edge_list[WG_MAX_EDGES];
	struct wg_name_slot names[WG_NAME_SLOTS];		/* name pointer -> class */
	uint64_t	reversals;
	uint64_t	slow_checks;		/* checks that were not in known */
};

enum wg_result {
	WG_OK,			/* the order was known, or is learnt now */
	WG_REVERSAL,		/* b comes before a already (or a == b may not nest): not learnt */
};

/* Start empty. */
void wg_init(struct witness_graph *g);
/*
 * The class named name, found by its pointer in the cache; 0 if the
 * pointer is not there yet.  Safe without the serializing lock.
 */
int wg_class_cached(const struct witness_graph *g, const char *name);
/*
 * The class named name, found by content or made (with flags), and its
 * pointer cached; WG_UNCHECKED when the table is full.
 */
int wg_class(struct witness_graph *g, const char *name, uint32_t flags);
/* The fast test: is taking b while holding a known to be fine? */
static inline bool
wg_known(const struct witness_graph *g, int a, int b)
{
	return (__atomic_load_n(&g->known[a][b / 64], __ATOMIC_RELAXED) >> (b % 64)) & 1;
}
/*
 * A thread takes b while holding a (at where): learn a -> b, or find
 * that b reaches a already (a reversal).
 */
enum wg_result wg_check(struct witness_graph *g, int a, int b, uintptr_t where);
/*
 * The path from -> ... -> to in the graph, as at most max classes
 * (from first); its length, 0 if to cannot be reached.
 */
int wg_path(const struct witness_graph *g, int from, int to, int *path, int max);
/* Where the edge from -> to was learnt, or 0. */
uintptr_t wg_edge_where(const struct witness_graph *g, int from, int to);
/* Whether from -> to is a direct edge. */
bool wg_edge(const struct witness_graph *g, int from, int to);

#endif
