/*
 * Host unit test for the lock checker's order graph
 * (mi/kern/witness_graph.c), TAP output: classes by name (pointer and
 * content), learning edges, reversals direct and through other classes,
 * classes that may nest, the paths reported, and a long random run
 * compared with a plain model (adjacency lists and a depth-first search).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/systm.h>
#include <kern/witness_graph.h>

#include "host/tap.h"

#define RANDOM_CLASSES	40
#define RANDOM_CHECKS	20000

static struct witness_graph g;

static void
test_classes(void)
{
	char copy[] = "vm object";
	char big[WG_MAX_CLASSES + 8][24];
	int a, b, c, full = -1;

	wg_init(&g);
	a = wg_class(&g, "vm object", WG_DUPOK);
	b = wg_class(&g, "vm map", 0);
	tap_ok(a == 1 && b == 2, "classes are numbered from 1 in the order first seen");
	tap_ok(wg_class(&g, "vm object", 0) == a && wg_class_cached(&g, "vm object") == a,
	    "the same name (pointer) is the same class, found in the cache");
	tap_ok(wg_class_cached(&g, copy) == 0 && wg_class(&g, copy, 0) == a &&
	    wg_class_cached(&g, copy) == a,
	    "the same name at another address is the same class, and then cached");
	tap_ok(g.classes[a].flags == WG_DUPOK && wg_known(&g, a, a) && !wg_known(&g, b, b),
	    "a class that may nest knows itself; others do not");
	for (int i = 0; i < WG_MAX_CLASSES + 8; i++) {
		snprintf(big[i], sizeof(big[i]), "class %d", i);
		c = wg_class(&g, big[i], 0);
		if (c == WG_UNCHECKED && full < 0)
			full = i;
	}
	tap_ok(full == WG_MAX_CLASSES - 2 - 2 && g.nclasses == WG_MAX_CLASSES - 2 &&
	    wg_known(&g, a, WG_UNCHECKED) && wg_known(&g, WG_UNCHECKED, b),
	    "the table holds %d classes, then gives the unchecked class, fine with all "
	    "(full after %d more)", WG_MAX_CLASSES - 2, full);
}

static void
test_orders(void)
{
	int a, b, c, d, path[8], n;
	uint64_t rev;

	wg_init(&g);
	a = wg_class(&g, "A", 0);
	b = wg_class(&g, "B", 0);
	c = wg_class(&g, "C", 0);
	d = wg_class(&g, "D", WG_DUPOK);
	tap_ok(!wg_known(&g, a, b) && wg_check(&g, a, b, 0x100) == WG_OK && wg_known(&g, a, b) &&
	    wg_edge(&g, a, b), "A then B: learnt, and known after");
	tap_ok(wg_check(&g, b, a, 0x200) == WG_REVERSAL && !wg_edge(&g, b, a) &&
	    !wg_known(&g, b, a) && g.reversals == 1,
	    "B then A: a reversal, not learnt");
	tap_ok(wg_check(&g, b, c, 0x300) == WG_OK, "B then C: learnt");
	tap_ok(wg_check(&g, c, a, 0x400) == WG_REVERSAL && g.reversals == 2,
	    "C then A: a reversal through B");
	n = wg_path(&g, a, c, path, 8);
	tap_ok(n == 3 && path[0] == a && path[1] == b && path[2] == c,
	    "the path reported is A -> B -> C");
	tap_ok(wg_check(&g, a, c, 0x500) == WG_OK && !wg_edge(&g, a, c) && wg_known(&g, a, c),
	    "A then C: fine through B, known without a new edge");
	tap_ok(wg_edge_where(&g, a, b) == 0x100 && wg_edge_where(&g, b, c) == 0x300 &&
	    wg_edge_where(&g, a, c) == 0, "edges remember where they were learnt");
	tap_ok(g.classes[a].forward == 1 && g.classes[b].forward == 1 &&
	    g.classes[b].backward == 1 && g.classes[c].backward == 1,
	    "forward and backward edge counts");
	rev = g.reversals;
	tap_ok(wg_check(&g, a, a, 0) == WG_REVERSAL && g.reversals == rev + 1,
	    "two locks of a class that may not nest: caught");
	tap_ok(wg_known(&g, d, d) && wg_check(&g, d, d, 0) == WG_OK,
	    "two locks of a class that may nest: fine");
	tap_ok(wg_path(&g, c, a, path, 8) == 0 && wg_path(&g, a, c, path, 2) == 0,
	    "no path the wrong way, nor one longer than asked for");
}

/* The model: adjacency matrix of learnt edges, searched depth first. */
static bool model_edge[RANDOM_CLASSES + 1][RANDOM_CLASSES + 1];

static bool
model_reaches(int from, int to, bool *seen)
{
	if (from == to)
		return true;
	seen[from] = true;
	for (int n = 1; n <= RANDOM_CLASSES; n++)
		if (model_edge[from][n] && !seen[n] && model_reaches(n, to, seen))
			return true;
	return false;
}

static void
test_random(void)
{
	char names[RANDOM_CLASSES + 1][24];
	int mismatches = 0, reversals = 0;

	wg_init(&g);
	memset(model_edge, 0, sizeof(model_edge));
	for (int i = 1; i <= RANDOM_CLASSES; i++) {
		snprintf(names[i], sizeof(names[i]), "r%d", i);
		if (wg_class(&g, names[i], 0) != i)
			mismatches++;
	}
	for (int i = 0; i < RANDOM_CHECKS; i++) {
		int a = 1 + (int)tap_rand_below(RANDOM_CLASSES);
		int b = 1 + (int)tap_rand_below(RANDOM_CLASSES);
		bool seen[RANDOM_CLASSES + 1] = { false };
		bool model_rev = model_reaches(b, a, seen);
		enum wg_result r = wg_check(&g, a, b, (uintptr_t)i);

		if ((r == WG_REVERSAL) != model_rev)
			mismatches++;
		if (model_rev) {
			reversals++;
		} else {
			memset(seen, 0, sizeof(seen));
			if (!model_reaches(a, b, seen))
				model_edge[a][b] = true;
		}
	}
	tap_ok(mismatches == 0, "%d random checks over %d classes agree with the model "
	    "(%d reversals)", RANDOM_CHECKS, RANDOM_CLASSES, reversals);
	mismatches = 0;
	for (int a = 1; a <= RANDOM_CLASSES; a++)
		for (int b = 1; b <= RANDOM_CLASSES; b++)
			if (wg_edge(&g, a, b) != model_edge[a][b])
				mismatches++;
	tap_ok(mismatches == 0, "and learnt the same edges");
}

int
main(void)
{
	tap_plan(18);
	tap_seed_from_env("WITNESS_GRAPH_SEED");
	test_classes();
	test_orders();
	test_random();
	return tap_done();
}
