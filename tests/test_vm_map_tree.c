/*
 * Host unit test for the map entry tree (mi/vm/vm_map_tree.c), printing
 * TAP.
 *
 * Every tree is shadowed by a model: the same entries in a sorted array.
 * Lookups are compared with a binary search of the array, and free-space
 * searches with a brute-force scan of every gap done in 128-bit
 * arithmetic, so the model cannot share the tree's overflow bugs.
 *
 * Build and run:
 *   gcc -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
 *       -fsanitize=address,undefined -fno-sanitize-recover=all \
 *       -I . -I tests/host/include -I mi tests/test_vm_map_tree.c \
 *       mi/vm/vm_map_tree.c tests/host/host_support.c tests/host/tap.c \
 *       mi/kern/spinlock.c -lpthread \
 *       -o /tmp/test_vm_map_tree && /tmp/test_vm_map_tree
 * VM_MAP_TREE_SEED=n replays a run with another random seed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/systm.h>
#include <vm/vm_map_tree.h>
#include <vm/vm_map.h>
#include <machine/param.h>

#include "host/tap.h"

extern uint64_t vm_map_tree_visits;	/* nodes examined, in vm_map_tree.c */

typedef unsigned __int128 u128;

#define KB		(1UL << 10)
#define MB		(1UL << 20)
#define GB		(1UL << 30)
#define TOP		0xfffffffffffff000UL	/* highest page */

/*
 * A tree and its model: the entries in address order.
 */

struct map {
	struct vm_map_tree t;
	struct vm_map_entry **ents;
	size_t	n, cap;
};

static struct vm_map_entry *
entry_new(vaddr_t start, vaddr_t end)
{
	struct vm_map_entry *e = calloc(1, sizeof(*e));

	if (e == NULL)
		abort();
	e->start = start;
	e->end = end;
	return e;
}

static void
map_init(struct map *m, vaddr_t min, vaddr_t max)
{
	memset(m, 0, sizeof(*m));
	vm_map_tree_init(&m->t, min, max);
}

/* Index of the first model entry with start > addr. */
static size_t
model_upper(const struct map *m, vaddr_t addr)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->ents[mid]->start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Add [start, end) to the model only (sorted), growing the array. */
static struct vm_map_entry *
model_add(struct map *m, vaddr_t start, vaddr_t end)
{
	size_t i = model_upper(m, start);

	if (m->n == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 64;
		m->ents = realloc(m->ents, m->cap * sizeof(*m->ents));
		if (m->ents == NULL)
			abort();
	}
	memmove(&m->ents[i + 1], &m->ents[i], (m->n - i) * sizeof(*m->ents));
	m->ents[i] = entry_new(start, end);
	m->n++;
	return m->ents[i];
}

static void
model_del(struct map *m, size_t i)
{
	free(m->ents[i]);
	memmove(&m->ents[i], &m->ents[i + 1],
	    (m->n - i - 1) * sizeof(*m->ents));
	m->n--;
}

/* Insert every model entry into the tree, in random order. */
static void
map_insert_shuffled(struct map *m, size_t check_every)
{
	struct vm_map_entry **order = malloc((m->n + 1) * sizeof(*order));
	size_t i;

	if (m->n > 0)
		memcpy(order, m->ents, m->n * sizeof(*order));
	for (i = m->n; i > 1; i--) {
		size_t j = tap_rand_below(i);
		struct vm_map_entry *tmp = order[i - 1];

		order[i - 1] = order[j];
		order[j] = tmp;
	}
	for (i = 0; i < m->n; i++) {
		vm_map_tree_insert(&m->t, order[i]);
		if (check_every != 0 && i % check_every == 0)
			vm_map_tree_check(&m->t);
	}
	free(order);
}

static void
map_free(struct map *m)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		free(m->ents[i]);
	free(m->ents);
	memset(m, 0, sizeof(*m));
}

/* Gap i of the model: before entry i, or the tail gap when i == n. */
static void
model_gap(const struct map *m, size_t i, vaddr_t *lo, vaddr_t *hi)
{
	*lo = i > 0 ? m->ents[i - 1]->end : m->t.min;
	*hi = i < m->n ? m->ents[i]->start : m->t.max;
}

/*
 * Random layouts: walk up from min placing entries after gaps drawn from
 * a mix of none, small, medium and large, in multiples of unit.
 */
static uint64_t
random_gap(uint64_t unit)
{
	uint64_t r = tap_rand_below(100);

	if (r < 30)
		return 0;
	if (r < 70)
		return unit * (1 + tap_rand_below(4));
	if (r < 90)
		return unit * (1 + tap_rand_below(600));
	return unit * (1 + tap_rand_below(1UL << (10 + tap_rand_below(12))));
}

static void
map_fill_random(struct map *m, size_t nentries, uint64_t unit)
{
	vaddr_t cursor = m->t.min;

	while (m->n < nentries) {
		u128 start = (u128)cursor + random_gap(unit);
		uint64_t pages = 1 +
		    tap_rand_below(tap_rand_below(8) != 0 ? 8 : 1000);
		u128 end = start + unit * pages;

		if (end > m->t.max)
			break;
		model_add(m, start, end);
		cursor = end;
	}
	map_insert_shuffled(m, 0);
}

/*
 * Model answers.
 */

static struct vm_map_entry *
model_lookup(const struct map *m, vaddr_t addr, struct vm_map_entry **prevp)
{
	size_t i = model_upper(m, addr);
	struct vm_map_entry *below = i > 0 ? m->ents[i - 1] : NULL;

	*prevp = below;
	return below != NULL && addr < below->end ? below : NULL;
}

/* Brute force over every gap, in 128 bits. */
static int
model_find_space(const struct map *m, vaddr_t hint, vm_size_t length,
    vm_size_t align, vaddr_t *addr)
{
	u128 a, al = align ? align : 1;
	vaddr_t lo, hi;
	size_t i;

	for (i = 0; i <= m->n; i++) {
		model_gap(m, i, &lo, &hi);
		a = lo > hint ? lo : hint;
		a = (a + al - 1) / al * al;
		if (a + length <= hi) {
			*addr = (vaddr_t)a;
			return 0;
		}
	}
	return ENOMEM;
}

/* Does the tree agree with the model on lookup(addr)?  Prints why not. */
static bool
lookup_agrees(const struct map *m, vaddr_t addr)
{
	struct vm_map_entry *tp, *mp, *te, *me;

	tp = (struct vm_map_entry *)1;	/* must be overwritten */
	te = vm_map_tree_lookup(&m->t, addr, &tp);
	me = model_lookup(m, addr, &mp);
	if (te == me && tp == mp && vm_map_tree_lookup(&m->t, addr, NULL) == me)
		return true;
	tap_diag("lookup(%#lx): tree %p prev %p, model %p prev %p", addr,
	    te, tp, me, mp);
	return false;
}

static bool
find_space_agrees(const struct map *m, vaddr_t hint, vm_size_t length,
    vm_size_t align)
{
	vaddr_t ta = 0xdead, ma = 0xbeef;
	struct vm_map_entry *tprev = (void *)1, *mprev;
	int terr, merr;

	terr = vm_map_tree_find_space(&m->t, hint, length, align, &ta, &tprev);
	merr = model_find_space(m, hint, length, align, &ma);
	/* The entry before the space: the last one starting below it. */
	mprev = terr == 0 && model_upper(m, ta) > 0 ? m->ents[model_upper(m, ta) - 1] : NULL;
	if (terr == merr && (terr != 0 || (ta == ma && tprev == mprev)))
		return true;
	tap_diag("find_space(hint %#lx, length %#lx, align %#lx): "
	    "tree %d %#lx, model %d %#lx", hint, length, align, terr, ta,
	    merr, ma);
	return false;
}

/* Every address class around every entry; returns the number of misses. */
static int
lookup_all_classes(const struct map *m)
{
	vaddr_t lo, hi;
	int bad = 0;
	size_t i;

	for (i = 0; i <= m->n && bad < 5; i++) {
		model_gap(m, i, &lo, &hi);
		if (lo < hi) {		/* the gap: ends and middle */
			bad += !lookup_agrees(m, lo);
			bad += !lookup_agrees(m, lo + (hi - lo) / 2);
			bad += !lookup_agrees(m, hi - 1);
		}
		if (i == m->n)
			break;
		bad += !lookup_agrees(m, m->ents[i]->start);
		bad += !lookup_agrees(m, m->ents[i]->start +
		    (m->ents[i]->end - m->ents[i]->start) / 2);
		bad += !lookup_agrees(m, m->ents[i]->end - 1);
		bad += !lookup_agrees(m, m->ents[i]->end);
	}
	bad += !lookup_agrees(m, 0);
	bad += !lookup_agrees(m, m->t.min);
	bad += !lookup_agrees(m, m->t.max);
	bad += !lookup_agrees(m, UINT64_MAX);
	return bad;
}

/* Random find_space queries aimed at edges; returns the number of misses. */
static const vm_size_t aligns[] = {
	0, 1, 8, PAGE_SIZE, 16 * KB, 64 * KB, 2 * MB, GB, 1UL << 63,
};

static vaddr_t
random_hint(const struct map *m)
{
	vaddr_t lo, hi;
	size_t i = tap_rand_below(m->n + 1);

	model_gap(m, i, &lo, &hi);
	switch (tap_rand_below(10)) {
	case 0:
		return m->t.min;
	case 1:
		return tap_rand();
	case 2:
		return m->t.min + tap_rand_below(m->t.max - m->t.min);
	case 3:
		return lo;
	case 4:
		return hi;
	case 5:
		return lo + tap_rand_below(hi - lo + 1);
	case 6:
		return i < m->n ? m->ents[i]->end - 1 : m->t.max - 1;
	case 7:
		return m->t.max - tap_rand_below(4 * PAGE_SIZE);
	case 8:
		return tap_rand_below(2) ? 0 : UINT64_MAX;
	default:
		return m->t.max + tap_rand_below(PAGE_SIZE);
	}
}

static vm_size_t
random_length(const struct map *m)
{
	vaddr_t lo, hi;

	model_gap(m, tap_rand_below(m->n + 1), &lo, &hi);
	switch (tap_rand_below(9)) {
	case 0:
		return 1 + tap_rand_below(8);
	case 1:
		return PAGE_SIZE * (1 + tap_rand_below(8));
	case 2:
		return PAGE_SIZE * (1 + tap_rand_below(4096));
	case 3:
		return hi - lo;		/* exactly some gap */
	case 4:
		return hi - lo + 1;
	case 5:
		return tap_rand_below(2) ? UINT64_MAX :
		    UINT64_MAX - tap_rand_below(GB);
	case 6:
		return m->t.max - m->t.min;
	case 7:
		return tap_rand() >> tap_rand_below(64);
	default:
		return hi - lo > PAGE_SIZE ? hi - lo - PAGE_SIZE : 1;
	}
}

static int
find_space_random(const struct map *m, int nqueries)
{
	int bad = 0, q;

	for (q = 0; q < nqueries && bad < 5; q++) {
		vm_size_t length = random_length(m);

		/* Length 0 is refused (see test_find_space_cases). */
		if (length == 0)
			length = 1;
		bad += !find_space_agrees(m, random_hint(m), length,
		    aligns[tap_rand_below(nitems(aligns))]);
	}
	return bad;
}

/*
 * The tests.
 */

static void
test_empty(void)
{
	struct map m;
	struct vm_map_entry *prev = (void *)1;
	vaddr_t a = 0;

	map_init(&m, 0x10000, 0x40000000);
	vm_map_tree_check(&m.t);
	tap_ok(vm_map_tree_lookup(&m.t, 0x20000, &prev) == NULL && prev == NULL,
	    "empty tree: lookup finds nothing");
	tap_ok(vm_map_tree_find_space(&m.t, 0, PAGE_SIZE, 0, &a, NULL) == 0 &&
	    a == 0x10000 &&
	    vm_map_tree_find_space(&m.t, 0x12345, PAGE_SIZE, 2 * MB, &a, NULL) == 0 &&
	    a == 0x200000 &&
	    vm_map_tree_find_space(&m.t, 0, 0x40000000 - 0x10000, 0, &a, NULL) == 0 &&
	    vm_map_tree_find_space(&m.t, 0, 0x40000000 - 0xffff, 0, &a, NULL) ==
	    ENOMEM,
	    "empty tree: find_space uses all of [min, max)");
	map_free(&m);
}

static void
test_insert_lookup_10000(struct map *m)
{
	size_t i;
	bool ordered = true;
	struct vm_map_entry *e;

	map_init(m, 16 * PAGE_SIZE, 1UL << 39);
	while (m->n < 10000) {
		vaddr_t start = m->t.min + PAGE_SIZE *
		    tap_rand_below(1UL << 26);
		vaddr_t end = start + PAGE_SIZE * (1 + tap_rand_below(4));
		size_t k = model_upper(m, start);

		/* Keep it only if it overlaps neither neighbour. */
		if ((k == 0 || m->ents[k - 1]->end <= start) &&
		    (k == m->n || end <= m->ents[k]->start))
			model_add(m, start, end);
	}
	map_insert_shuffled(m, 1000);
	vm_map_tree_check(&m->t);
	tap_ok(m->t.nentries == 10000,
	    "10000 entries inserted in random order, "
	    "tree checked every 1000 (nentries %lu)", m->t.nentries);
	for (i = 0, e = m->t.first; i < m->n; i++, e = e->node.next)
		ordered &= e == m->ents[i];
	tap_ok(ordered && e == NULL && m->t.last == m->ents[m->n - 1],
	    "list is in address order with first and last right");
	tap_ok(m->t.root->node.height <= 19,
	    "height %d is within the AVL bound for 10000",
	    m->t.root->node.height);
	tap_ok(lookup_all_classes(m) == 0, "lookup agrees with the model for "
	    "inside, gaps, before first, after last, start/end-1/end");
}

static void
test_lookup_adjacent(void)
{
	struct map m;
	struct vm_map_entry *a, *b, *prev;

	map_init(&m, 0x1000, 0x100000);
	a = model_add(&m, 0x2000, 0x4000);
	b = model_add(&m, 0x4000, 0x5000);
	map_insert_shuffled(&m, 1);
	vm_map_tree_check(&m.t);
	tap_ok(vm_map_tree_lookup(&m.t, 0x3fff, &prev) == a && prev == a &&
	    vm_map_tree_lookup(&m.t, 0x4000, &prev) == b && prev == b &&
	    vm_map_tree_lookup(&m.t, 0x5000, &prev) == NULL && prev == b &&
	    vm_map_tree_lookup(&m.t, 0x1fff, &prev) == NULL && prev == NULL &&
	    vm_map_tree_lookup(&m.t, 0x1000, &prev) == NULL && prev == NULL,
	    "lookup at the seam of two adjacent entries and before the first");
	map_free(&m);
}

static void
test_find_space_random(struct map *m10k)
{
	static const struct {
		const char *name;
		vaddr_t	min, max;
		uint64_t unit;
		size_t	n;
	} layouts[] = {
		{ "user-like map, pages", 16 * PAGE_SIZE, 1UL << 39,
		    PAGE_SIZE, 2000 },
		{ "map near the top of the address space", TOP - (1UL << 40),
		    TOP, PAGE_SIZE, 2000 },
		{ "byte-granular map over all of 2^64", 0, UINT64_MAX,
		    1, 3000 },
		{ "byte-granular map at the very top", UINT64_MAX - 200000,
		    UINT64_MAX, 1, 5000 },
		{ "small map", 0x1000, 0x40000, PAGE_SIZE, 20 },
	};
	struct map m;
	size_t i;
	int round;

	tap_ok(find_space_random(m10k, 20000) == 0,
	    "find_space agrees with brute force on the 10000-entry map "
	    "(20000 queries)");
	for (i = 0; i < nitems(layouts); i++) {
		int bad = 0;

		for (round = 0; round < 4; round++) {
			map_init(&m, layouts[i].min, layouts[i].max);
			map_fill_random(&m, layouts[i].n, layouts[i].unit);
			vm_map_tree_check(&m.t);
			bad += find_space_random(&m, 2000);
			map_free(&m);
		}
		tap_ok(bad == 0, "find_space agrees with brute force: %s "
		    "(4 maps x 2000 queries)", layouts[i].name);
	}
}

/*
 * Hand-made map:
 *   [0x10000, 0x11000) [0x13000, 0x14000) [0x200000+0x3000, 0x400000)
 *   free tail from 0x400000 to max 0x10000000.
 * Gaps: 0x0 (min..0x10000 is 0x10000 bytes), 0x2000, ~2 MiB misaligned.
 */
static void
test_find_space_cases(void)
{
	struct map m;
	vaddr_t a = 0;
	vaddr_t min = 0x0, max = 0x10000000;

	map_init(&m, min, max);
	model_add(&m, 0x10000, 0x11000);
	model_add(&m, 0x13000, 0x14000);
	model_add(&m, 0x203000, 0x400000);
	map_insert_shuffled(&m, 1);
	vm_map_tree_check(&m.t);

	tap_ok(vm_map_tree_find_space(&m.t, 0, 0x10000, 0, &a, NULL) == 0 && a == 0 &&
	    vm_map_tree_find_space(&m.t, 0, 0x10001, 0, &a, NULL) == 0 &&
	    a == 0x14000,
	    "first fit: the gap before the first entry, then the next big one");
	tap_ok(vm_map_tree_find_space(&m.t, 0x11800, 0x1000, PAGE_SIZE,
	    &a, NULL) == 0 && a == 0x12000 &&
	    vm_map_tree_find_space(&m.t, 0x11000, 0x2000, 0, &a, NULL) == 0 &&
	    a == 0x11000 &&
	    vm_map_tree_find_space(&m.t, 0x11001, 0x2000, 0, &a, NULL) == 0 &&
	    a == 0x14000,
	    "hint inside a gap: only the part above the hint counts");
	tap_ok(vm_map_tree_find_space(&m.t, 0x10800, 0x1000, 0, &a, NULL) == 0 &&
	    a == 0x11000,
	    "hint inside an entry: the gap after it");
	tap_ok(vm_map_tree_find_space(&m.t, 0, MB, 2 * MB, &a, NULL) == 0 &&
	    a == 0x400000,
	    "align 2 MiB: a gap big enough but misaligned is passed over");
	tap_ok(vm_map_tree_find_space(&m.t, 0, 0x1ef000, PAGE_SIZE, &a, NULL) == 0 &&
	    a == 0x14000 &&
	    vm_map_tree_find_space(&m.t, 0, 0x1ef000, 64 * KB, &a, NULL) == 0 &&
	    a == 0x400000,
	    "an exact fit, and the same gap failing at 64 KiB alignment");
	tap_ok(vm_map_tree_find_space(&m.t, 0, max - 0x400000, 0, &a, NULL) == 0 &&
	    a == 0x400000 &&
	    vm_map_tree_find_space(&m.t, 0x500000, 0x1000, 0, &a, NULL) == 0 &&
	    a == 0x500000 &&
	    vm_map_tree_find_space(&m.t, max - 1, 1, 0, &a, NULL) == 0 &&
	    a == max - 1,
	    "tail gap: bigger than any gap, hint in it, last byte");
	tap_ok(vm_map_tree_find_space(&m.t, max, 1, 0, &a, NULL) == ENOMEM &&
	    vm_map_tree_find_space(&m.t, UINT64_MAX, 1, 0, &a, NULL) == ENOMEM &&
	    vm_map_tree_find_space(&m.t, max - 1, 2, 0, &a, NULL) == ENOMEM,
	    "hint at or beyond max: ENOMEM");
	tap_ok(vm_map_tree_find_space(&m.t, 0, max - 0x400000 + 1, 0, &a, NULL) ==
	    ENOMEM &&
	    vm_map_tree_find_space(&m.t, 0, UINT64_MAX, 0, &a, NULL) == ENOMEM &&
	    vm_map_tree_find_space(&m.t, 1, 0x1000, 1UL << 63, &a, NULL) == ENOMEM &&
	    vm_map_tree_find_space(&m.t, 0, 0, 0, &a, NULL) == ENOMEM,
	    "length larger than any gap, alignment beyond max, or length 0: "
	    "ENOMEM");
	map_free(&m);

	/* At the top of the address space sums would wrap. */
	map_init(&m, TOP - 16 * PAGE_SIZE, UINT64_MAX);
	model_add(&m, TOP - 8 * PAGE_SIZE, TOP - 4 * PAGE_SIZE);
	model_add(&m, TOP, UINT64_MAX);
	map_insert_shuffled(&m, 1);
	vm_map_tree_check(&m.t);
	tap_ok(vm_map_tree_find_space(&m.t, TOP - PAGE_SIZE, PAGE_SIZE, 0,
	    &a, NULL) == 0 && a == TOP - PAGE_SIZE &&
	    vm_map_tree_find_space(&m.t, TOP - 3 * PAGE_SIZE, PAGE_SIZE, 2 * MB,
	    &a, NULL) == ENOMEM &&
	    vm_map_tree_find_space(&m.t, TOP - 16 * PAGE_SIZE, 8 * PAGE_SIZE,
	    0, &a, NULL) == 0 && a == TOP - 16 * PAGE_SIZE &&
	    vm_map_tree_find_space(&m.t, 0, UINT64_MAX - 1, 1UL << 63, &a, NULL) ==
	    ENOMEM &&
	    vm_map_tree_find_space(&m.t, UINT64_MAX - 1, 1, 0, &a, NULL) == ENOMEM,
	    "near 2^64: no wrap in rounding or in hint + length");
	map_free(&m);
}

/* Change an entry in place, tell the tree, and compare everything. */
static bool
resize_and_compare(struct map *m, struct vm_map_entry *e, vaddr_t start,
    vaddr_t end)
{
	e->start = start;
	e->end = end;
	vm_map_tree_resize(&m->t, e);
	vm_map_tree_check(&m->t);
	return lookup_all_classes(m) == 0 && find_space_random(m, 200) == 0;
}

static void
test_resize(void)
{
	struct map m;
	struct vm_map_entry *e;
	bool good = true;
	int i;

	map_init(&m, 0x10000, 1UL << 36);
	map_fill_random(&m, 500, PAGE_SIZE);
	vm_map_tree_check(&m.t);

	/* Shrink ends, grow starts inward, then grow both into free space. */
	for (i = 0; i < 200 && good; i++) {
		vaddr_t lo, hi;
		size_t k = tap_rand_below(m.n);

		e = m.ents[k];
		switch (i % 4) {
		case 0:		/* clip the end */
			if (e->end - e->start > PAGE_SIZE)
				good = resize_and_compare(&m, e, e->start,
				    e->end - PAGE_SIZE);
			break;
		case 1:		/* clip the start */
			if (e->end - e->start > PAGE_SIZE)
				good = resize_and_compare(&m, e,
				    e->start + PAGE_SIZE, e->end);
			break;
		case 2:		/* grow the end into the gap after */
			model_gap(&m, k + 1, &lo, &hi);
			good = resize_and_compare(&m, e, e->start, hi);
			break;
		default:	/* grow the start down into the gap before */
			model_gap(&m, k, &lo, &hi);
			good = resize_and_compare(&m, e, lo, e->end);
			break;
		}
	}
	tap_ok(good, "resize: clip end, clip start, grow end and start; tree "
	    "checked, lookups and find_space agree after each");
	map_free(&m);
}

static void
test_remove(struct map *m10k)
{
	struct map m;
	bool good = true;
	size_t i;

	/* Small tree: check after every removal, and ask questions. */
	map_init(&m, 0x10000, 1UL << 36);
	map_fill_random(&m, 1500, PAGE_SIZE);
	while (m.n > 0 && good) {
		i = tap_rand_below(m.n);
		vm_map_tree_remove(&m.t, m.ents[i]);
		model_del(&m, i);
		vm_map_tree_check(&m.t);
		if (m.n % 50 == 0)
			good = lookup_all_classes(&m) == 0 &&
			    find_space_random(&m, 100) == 0;
	}
	tap_ok(good && m.t.nentries == 0 && m.t.root == NULL &&
	    m.t.first == NULL && m.t.last == NULL,
	    "remove 1500 in random order, checked after each, to empty");
	map_free(&m);

	/* Always the root: exercises the two-child case at every level. */
	map_init(&m, 0x10000, 1UL << 36);
	map_fill_random(&m, 1000, PAGE_SIZE);
	while (m.n > 0) {
		struct vm_map_entry *root = m.t.root;

		vm_map_tree_remove(&m.t, root);
		vm_map_tree_check(&m.t);
		model_del(&m, model_upper(&m, root->start) - 1);
	}
	tap_ok(m.t.nentries == 0 && m.t.root == NULL,
	    "remove the root 1000 times");
	map_free(&m);

	/* The big tree: check every 97 removals. */
	for (i = 0; m10k->n > 0 && good; i++) {
		size_t k = tap_rand_below(m10k->n);

		vm_map_tree_remove(&m10k->t, m10k->ents[k]);
		model_del(m10k, k);
		if (i % 97 == 0)
			vm_map_tree_check(&m10k->t);
		if (i % 1000 == 0)
			good = find_space_random(m10k, 200) == 0 &&
			    lookup_all_classes(m10k) == 0;
	}
	vm_map_tree_check(&m10k->t);
	tap_ok(good && m10k->t.nentries == 0 && m10k->t.root == NULL,
	    "remove all 10000 in random order, checked every 97");
}

/* Nodes examined by one find_space call. */
static uint64_t
visits_for(const struct map *m, vaddr_t hint, vm_size_t length,
    vm_size_t align, vaddr_t *addr)
{
	uint64_t before = vm_map_tree_visits;

	if (vm_map_tree_find_space(&m->t, hint, length, align, addr, NULL) != 0)
		*addr = 0;
	return vm_map_tree_visits - before;
}

static void
test_pruning(void)
{
	struct map m;
	vaddr_t a, start = 0x10000, big = 1UL << 30;
	uint64_t v1, v2, v3, v4;
	struct vm_map_entry *e;
	size_t i;

	/*
	 * 10000 one-page entries with one-page gaps, then a big free tail:
	 * a two-page request fits only at the end.
	 */
	map_init(&m, start, 1UL << 39);
	for (i = 0; i < 10000; i++)
		model_add(&m, start + (2 * i + 1) * PAGE_SIZE,
		    start + (2 * i + 2) * PAGE_SIZE);
	map_insert_shuffled(&m, 0);
	vm_map_tree_check(&m.t);
	v1 = visits_for(&m, 0, 2 * PAGE_SIZE, 0, &a);
	tap_ok(a == m.t.last->end && v1 < 100,
	    "pruning, big tail gap: %lu nodes visited of 10000", v1);

	/* The big gap before the last entry instead. */
	e = m.ents[m.n - 1];
	e->end = (1UL << 39) - PAGE_SIZE;
	e->start = e->end - PAGE_SIZE;
	vm_map_tree_resize(&m.t, e);
	vm_map_tree_check(&m.t);
	v2 = visits_for(&m, 0, big, 2 * MB, &a);
	tap_ok(a != 0 && a % (2 * MB) == 0 && a >= m.ents[m.n - 2]->end &&
	    a + big <= e->start && v2 < 100,
	    "pruning, big gap before the last entry, 2 MiB aligned: %lu "
	    "nodes visited", v2);

	/* A big gap in the middle, searched from the bottom and from a hint. */
	e = m.ents[5000];
	vm_map_tree_remove(&m.t, e);
	model_del(&m, 5000);
	for (i = 0; i < 100; i++) {
		e = m.ents[5000];
		vm_map_tree_remove(&m.t, e);
		model_del(&m, 5000);
	}
	vm_map_tree_check(&m.t);
	v3 = visits_for(&m, 0, 100 * PAGE_SIZE, 0, &a);
	tap_ok(a == m.ents[4999]->end && v3 < 100,
	    "pruning, big gap in the middle: %lu nodes visited", v3);
	v4 = visits_for(&m, m.ents[100]->start, 2 * PAGE_SIZE, 0, &a);
	tap_ok(a == m.ents[4999]->end && v4 < 100,
	    "pruning, hint before the middle gap: %lu nodes visited", v4);
	map_free(&m);
}

static void
report_diag(void *arg, const char *msg)
{
	(void)arg;
	tap_diag("vm_map_tree_verify: %s", msg);
}

/*
 * What mmap and munmap do, at random: find space from a hint and insert
 * a new entry right after the entry find_space names; remove an entry,
 * now and then one next to the last insertion (the shapes the walks stop
 * early in).  Every invariant is checked after every step.
 */
static void
test_insert_after_churn(void)
{
	vaddr_t min = 0x10000, max = 1UL << 30;
	struct vm_map_entry *last = NULL;
	int steps = 20000, bad = 0, inserted = 0;
	struct map m;

	map_init(&m, min, max);
	for (int i = 0; i < steps && bad == 0; i++) {
		if (m.n < 8 || tap_rand_below(100) < 52) {
			vm_size_t length = (1 + tap_rand_below(16)) * PAGE_SIZE;
			vm_size_t align = tap_rand_below(4) == 0 ? 16 * PAGE_SIZE : 0;
			vaddr_t hint = min + tap_rand_below(1 << 14) * PAGE_SIZE, a;
			struct vm_map_entry *prev, *e;

			if (vm_map_tree_find_space(&m.t, hint, length, align, &a, &prev) != 0)
				continue;
			e = model_add(&m, a, a + length);
			vm_map_tree_insert_after(&m.t, e, prev);
			last = e;
			inserted++;
		} else {
			size_t k = tap_rand_below(m.n);

			/* Half the time the newest entry or a neighbour of it. */
			if (last != NULL && tap_rand_below(2) == 0) {
				struct vm_map_entry *pick = last;

				if (tap_rand_below(2) == 0 && last->node.next != NULL)
					pick = last->node.next;
				k = model_upper(&m, pick->start) - 1;
				last = NULL;
			}
			if (m.ents[k] == last)
				last = NULL;
			vm_map_tree_remove(&m.t, m.ents[k]);
			model_del(&m, k);
		}
		bad += vm_map_tree_verify(&m.t, report_diag, NULL);
		if (i % 500 == 0)
			bad += find_space_random(&m, 20);
	}
	tap_ok(bad == 0 && m.t.nentries == m.n && inserted > steps / 3,
	    "insert after find_space's entry and remove, %d steps, checked each: %d inserted, "
	    "%lu left", steps, inserted, m.t.nentries);
	map_free(&m);
}

/*
 * The checker must catch broken trees: each case runs in a child that
 * must die of abort() in panic.
 */
static struct map death_map;

/* 100 two-page entries, each after a two-page gap. */
static void
death_setup(void)
{
	vaddr_t min = 0x10000;
	int i;

	map_init(&death_map, min, 1UL << 36);
	for (i = 0; i < 100; i++)
		model_add(&death_map, min + (4 * i + 2) * PAGE_SIZE,
		    min + (4 * i + 4) * PAGE_SIZE);
	map_insert_shuffled(&death_map, 0);
	vm_map_tree_check(&death_map.t);
}

static void
corrupt_max_gap(void)
{
	death_setup();
	death_map.t.root->node.max_gap++;
	vm_map_tree_check(&death_map.t);
}

static void
corrupt_height(void)
{
	death_setup();
	death_map.ents[0]->node.height = 50;
	vm_map_tree_check(&death_map.t);
}

static void
corrupt_list(void)
{
	death_setup();
	death_map.ents[10]->node.next = death_map.ents[12];
	vm_map_tree_check(&death_map.t);
}

static void
corrupt_silent_resize(void)
{
	death_setup();
	/* The largest gap grows, but not without vm_map_tree_resize. */
	death_map.ents[50]->start += PAGE_SIZE;
	vm_map_tree_check(&death_map.t);
}

static void
insert_overlap(void)
{
	death_setup();
	vm_map_tree_insert(&death_map.t, entry_new(death_map.ents[40]->end -
	    PAGE_SIZE, death_map.ents[40]->end));
}

static void
test_check_catches(void)
{
	tap_expect_abort(corrupt_max_gap, NULL,
	    "check catches a wrong max_gap");
	tap_expect_abort(corrupt_height, NULL, "check catches a wrong height");
	tap_expect_abort(corrupt_list, NULL,
	    "check catches a list out of step with the tree");
	tap_expect_abort(corrupt_silent_resize, NULL,
	    "check catches a resize not reported");
	tap_expect_abort(insert_overlap, NULL,
	    "insert of an overlapping entry panics");
}

int
main(void)
{
	struct map m10k;

	tap_plan(36);
	tap_seed_from_env("VM_MAP_TREE_SEED");
	tap_diag("sizeof(struct vm_map_node) = %zu",
	    sizeof(struct vm_map_node));

	test_empty();
	test_insert_lookup_10000(&m10k);
	test_lookup_adjacent();
	test_find_space_random(&m10k);
	test_find_space_cases();
	test_resize();
	test_remove(&m10k);
	test_insert_after_churn();
	test_pruning();
	test_check_catches();

	map_free(&m10k);
	return tap_done();
}
