/*
 * The lock-order graph (see witness_graph.h).
 *
 * Edges are a bit matrix; reachability is a breadth-first walk over it,
 * a word of bits at a time, done only on the slow path (a pair not yet
 * in known).  Each pair found fine is added to known, so a given pair
 * takes the slow path once.
 */
#include <kern/systm.h>
#include <kern/witness_graph.h>

#define NAME_HASH_MULT	0x9e3779b97f4a7c15UL

static inline bool
bit_test(const uint64_t *set, int i)
{
	return (set[i / 64] >> (i % 64)) & 1;
}

static inline void
bit_set(uint64_t *set, int i)
{
	set[i / 64] |= 1UL << (i % 64);
}

/* known and before are read without the lock: set their bits atomically. */
static inline void
known_set(struct witness_graph *g, int a, int b)
{
	__atomic_or_fetch(&g->known[a][b / 64], 1UL << (b % 64), __ATOMIC_RELAXED);
	__atomic_or_fetch(&g->before[b][a / 64], 1UL << (a % 64), __ATOMIC_RELAXED);
}

void
wg_init(struct witness_graph *g)
{
	memset(g, 0, sizeof(*g));
	for (int c = 0; c < WG_MAX_CLASSES; c++) {
		known_set(g, WG_UNCHECKED, c);
		known_set(g, c, WG_UNCHECKED);
	}
}

static inline unsigned
name_slot(const char *name)
{
	return (unsigned)(((uintptr_t)name * NAME_HASH_MULT) >> 32) & (WG_NAME_SLOTS - 1);
}

int
wg_class_cached(const struct witness_graph *g, const char *name)
{
	for (unsigned i = 0, h = name_slot(name); i < WG_NAME_SLOTS; i++) {
		const struct wg_name_slot *s = &g->names[(h + i) & (WG_NAME_SLOTS - 1)];
		const char *n = __atomic_load_n(&s->name, __ATOMIC_ACQUIRE);

		if (n == name)
			return s->class;
		if (n == NULL)
			break;
	}
	return 0;
}

/* Remember name -> class in the pointer cache, if there is room. */
static void
cache_name(struct witness_graph *g, const char *name, int class)
{
	for (unsigned i = 0, h = name_slot(name); i < WG_NAME_SLOTS; i++) {
		struct wg_name_slot *s = &g->names[(h + i) & (WG_NAME_SLOTS - 1)];

		if (s->name == NULL) {
			s->class = (uint16_t)class;
			__atomic_store_n(&s->name, name, __ATOMIC_RELEASE);
			return;
		}
	}
}

int
wg_class(struct witness_graph *g, const char *name, uint32_t flags)
{
	int c = wg_class_cached(g, name);

	if (c != 0)
		return c;
	for (c = 1; c <= g->nclasses; c++)
		if (strcmp(g->classes[c].name, name) == 0)
			break;
	if (c > g->nclasses) {
		if (g->nclasses + 1 >= WG_UNCHECKED)
			return WG_UNCHECKED;
		c = ++g->nclasses;
		g->classes[c] = (struct wg_class){ name, flags, 0, 0 };
		if (flags & WG_DUPOK)
			known_set(g, c, c);
	}
	cache_name(g, name, c);
	return c;
}

bool
wg_edge(const struct witness_graph *g, int from, int to)
{
	return bit_test(g->edges[from], to);
}

/*
 * Breadth-first from from; parent[c] gets the class c was reached from
 * (when parent is not NULL).  Whether to was reached.
 */
static bool
search(const struct witness_graph *g, int from, int to, uint16_t *parent)
{
	uint64_t seen[WG_WORDS] = { 0 }, frontier[WG_WORDS] = { 0 };
	bool any = true;

	bit_set(frontier, from);
	bit_set(seen, from);
	while (any) {
		uint64_t next[WG_WORDS] = { 0 };

		any = false;
		for (int w = 0; w < WG_WORDS; w++) {
			for (uint64_t bits = frontier[w]; bits != 0; bits &= bits - 1) {
				int c = w * 64 + __builtin_ctzl(bits);

				for (int v = 0; v < WG_WORDS; v++) {
					uint64_t fresh = g->edges[c][v] & ~seen[v] & ~next[v];

					for (uint64_t f = fresh; parent != NULL && f != 0; f &= f - 1)
						parent[v * 64 + __builtin_ctzl(f)] = (uint16_t)c;
					next[v] |= fresh;
				}
			}
		}
		for (int w = 0; w < WG_WORDS; w++) {
			seen[w] |= next[w];
			frontier[w] = next[w];
			any |= next[w] != 0;
		}
		if (bit_test(seen, to))
			return true;
	}
	return false;
}

enum wg_result
wg_check(struct witness_graph *g, int a, int b, uintptr_t where)
{
	g->slow_checks++;
	if (wg_known(g, a, b))
		return WG_OK;
	/* A class that may not nest, nested; or b already before a. */
	if (a == b || search(g, b, a, NULL)) {
		g->reversals++;
		return WG_REVERSAL;
	}
	if (!search(g, a, b, NULL)) {
		bit_set(g->edges[a], b);
		g->classes[a].forward++;
		g->classes[b].backward++;
		if (g->nedges < WG_MAX_EDGES)
			g->edge_list[g->nedges++] = (struct wg_edge){ (uint16_t)a, (uint16_t)b, where };
	}
	known_set(g, a, b);
	return WG_OK;
}

int
wg_path(const struct witness_graph *g, int from, int to, int *path, int max)
{
	uint16_t parent[WG_MAX_CLASSES] = { 0 };
	int len = 0, c;

	if (from == to || !search(g, from, to, parent))
		return 0;
	/* Count the steps back from to, then fill the path from its end. */
	for (c = to; c != from; c = parent[c])
		len++;
	len++;
	if (len > max)
		return 0;
	for (int i = len - 1, c2 = to; i >= 0; i--, c2 = parent[c2])
		path[i] = c2;
	return len;
}

uintptr_t
wg_edge_where(const struct witness_graph *g, int from, int to)
{
	for (int i = 0; i < g->nedges; i++)
		if (g->edge_list[i].from == from && g->edge_list[i].to == to)
			return g->edge_list[i].where;
	return 0;
}
