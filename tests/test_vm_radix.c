/*
 * Host unit test for the radix trie of resident pages (mi/vm/vm_radix.c),
 * TAP output.
 *
 * Build and run:
 *   gcc -std=gnu11 -g -O1 -Wall -Wextra -Werror -Wno-unused-parameter \
 *       -fsanitize=address,undefined -fno-sanitize-recover=all \
 *       -I . -I tests/host/include -I mi tests/test_vm_radix.c \
 *       mi/vm/vm_radix.c mi/vm/zone.c tests/host/host_support.c \
 *       tests/host/tap.c mi/kern/spinlock.c -lpthread \
 *       -o /tmp/test_vm_radix && /tmp/test_vm_radix
 *
 * Nodes come from the real zone allocator over host_support.c's pages, so
 * host_page_alloc_fail_after injects allocation failures.  Values are
 * never dereferenced by the trie: each key's value is a fake, even,
 * non-NULL pointer derived from the key, so a value in the wrong place
 * shows.  Every result is compared with a plain model (sorted arrays);
 * vm_radix_check() verifies the structure and counts nodes, which must
 * equal vm_radix_node_count() (one trie at a time here).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/systm.h>
#include <vm/vm_radix.h>
#include <vm/zone.h>

#include "host/host_support.h"
#include "host/tap.h"

/*
 * Helpers.
 */

static uint64_t
mix(uint64_t x)
{
	/* splitmix64's finalizer: distinct keys give distinct-looking bits */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

/* The fake value stored at key: even and non-NULL. */
static void *
val_of(uint64_t key)
{
	return (void *)(uintptr_t)((mix(key) << 1) | 2);
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sort and drop duplicates; the new length. */
static size_t
sort_unique(uint64_t *k, size_t n)
{
	size_t i, m = 0;

	qsort(k, n, sizeof(*k), u64_cmp);
	for (i = 0; i < n; i++)
		if (m == 0 || k[m - 1] != k[i])
			k[m++] = k[i];
	return m;
}

/* The first index whose key is >= q (n if none). */
static size_t
lower_bound(const uint64_t *k, size_t n, uint64_t q)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (k[mid] < q)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static bool
contains(const uint64_t *k, size_t n, uint64_t q)
{
	size_t i = lower_bound(k, n, q);

	return i < n && k[i] == q;
}

static void
shuffle(uint64_t *k, size_t n)
{
	size_t i, j;
	uint64_t t;

	for (i = n; i > 1; i--) {
		j = tap_rand() % i;
		t = k[i - 1];
		k[i - 1] = k[j];
		k[j] = t;
	}
}

/*
 * A model of a set of keys drawn from a sorted universe: present[i] says
 * whether universe[i] is in the trie.
 */
struct model {
	uint64_t	*keys;		/* sorted, unique */
	bool		*present;
	size_t		n;
	size_t		npresent;
};

/* The model's smallest present key >= q, as an index, or n. */
static size_t
model_ge(const struct model *m, uint64_t q)
{
	size_t i;

	for (i = lower_bound(m->keys, m->n, q); i < m->n; i++)
		if (m->present[i])
			return i;
	return m->n;
}

/* lookup_ge(q) on the trie agrees with the model. */
static bool
ge_agrees(const struct vm_radix *rt, const struct model *m, uint64_t q)
{
	uint64_t found = 0xdeadbeef;
	size_t i = model_ge(m, q);
	void *v;

	v = vm_radix_lookup_ge(rt, q, &found);
	if (i == m->n)
		return v == NULL;
	return v == val_of(m->keys[i]) && found == m->keys[i];
}

/*
 * The trie is well formed, holds nvals values, and all nodes allocated
 * are its own; *nnodes (if not NULL) gets its node count.
 */
static bool
trie_sound(const struct vm_radix *rt, uint64_t nvals, uint64_t *nnodes)
{
	uint64_t vals, nodes;

	if (!vm_radix_check(rt, &vals, &nodes))
		return false;
	if (nnodes != NULL)
		*nnodes = nodes;
	if (vals != nvals || nodes != vm_radix_node_count()) {
		printf("# trie has %lu values (want %lu), %lu nodes "
		    "(%lu allocated)\n", (unsigned long)vals,
		    (unsigned long)nvals, (unsigned long)nodes,
		    (unsigned long)vm_radix_node_count());
		return false;
	}
	return true;
}

static zone_t
node_zone(void)
{
	struct zone_stats st;
	zone_t z;

	for (z = zone_first(); z != NULL; z = zone_next(z)) {
		zone_get_stats(z, &st);
		if (strcmp(st.name, "vm radix node") == 0)
			return z;
	}
	return NULL;
}

/*
 * Tests.
 */

static void
test_empty(void)
{
	struct vm_radix rt;
	uint64_t found = 7, nodes;

	vm_radix_init(&rt);
	tap_ok(vm_radix_is_empty(&rt) && vm_radix_lookup(&rt, 0) == NULL &&
	    vm_radix_lookup(&rt, UINT64_MAX) == NULL &&
	    vm_radix_lookup_ge(&rt, 0, &found) == NULL && found == 7 &&
	    vm_radix_remove(&rt, 0) == NULL,
	    "an empty trie finds and removes nothing");
	tap_ok(trie_sound(&rt, 0, &nodes) && nodes == 0 &&
	    vm_radix_node_count() == 0, "an empty trie has no nodes");
	vm_radix_reclaim_all(&rt);
	tap_ok(vm_radix_is_empty(&rt), "reclaiming an empty trie is a no-op");
}

static void
test_single(void)
{
	static const uint64_t keys[] = { 0, 5, 15, 16, 1ULL << 40,
	    UINT64_MAX - 1, UINT64_MAX };
	struct vm_radix rt;
	uint64_t k, found, nodes;
	bool good = true;
	size_t i;

	vm_radix_init(&rt);
	for (i = 0; i < nitems(keys); i++) {
		k = keys[i];
		CHECK(good, "insert", vm_radix_insert(&rt, k, val_of(k)) == 0);
		CHECK(good, "one node", trie_sound(&rt, 1, &nodes) &&
		    nodes == 1);
		CHECK(good, "lookup", vm_radix_lookup(&rt, k) == val_of(k));
		CHECK(good, "lookup k-1", k == 0 ||
		    vm_radix_lookup(&rt, k - 1) == NULL);
		CHECK(good, "lookup k+1", k == UINT64_MAX ||
		    vm_radix_lookup(&rt, k + 1) == NULL);
		CHECK(good, "lookup_ge 0", vm_radix_lookup_ge(&rt, 0, &found) ==
		    val_of(k) && found == k);
		CHECK(good, "lookup_ge k", vm_radix_lookup_ge(&rt, k, &found) ==
		    val_of(k) && found == k);
		CHECK(good, "lookup_ge k+1", k == UINT64_MAX ||
		    vm_radix_lookup_ge(&rt, k + 1, &found) == NULL);
		CHECK(good, "lookup_ge NULL found",
		    vm_radix_lookup_ge(&rt, 0, NULL) == val_of(k));
		CHECK(good, "duplicate", vm_radix_insert(&rt, k, val_of(0)) ==
		    EEXIST && vm_radix_lookup(&rt, k) == val_of(k));
		CHECK(good, "remove a neighbour", vm_radix_remove(&rt, k ^ 1) ==
		    NULL);
		CHECK(good, "remove", vm_radix_remove(&rt, k) == val_of(k));
		CHECK(good, "empty again", vm_radix_is_empty(&rt) &&
		    vm_radix_node_count() == 0);
		CHECK(good, "remove twice", vm_radix_remove(&rt, k) == NULL);
	}
	tap_ok(good, "one key at a time (0, 5, 15, 16, 2^40, 2^64-2, 2^64-1): "
	    "one node, found, EEXIST, removed");
}

/* Keys 0..N-1: dense level-0 nodes under a few interior levels. */
static void
test_sequential(void)
{
	const uint64_t n = 100001;
	struct vm_radix rt;
	uint64_t k, found, nodes, before;
	bool good = true;
	int err = 0;

	vm_radix_init(&rt);
	for (k = 0; k < n; k++)
		if (vm_radix_insert(&rt, k, val_of(k)) != 0)
			err++;
	tap_ok(err == 0, "insert keys 0..%lu", (unsigned long)(n - 1));
	/*
	 * Exactly the nodes needed, 0x186a0 being the last key: 6251 level-0
	 * nodes (16 keys each), 391 at level 1, 25 at level 2, 2 at level 3
	 * (0x0xxxx and 0x1xxxx), 1 at level 4; levels 5-15 are compressed.
	 */
	good = trie_sound(&rt, n, &nodes);
	tap_ok(good && nodes == 6251 + 391 + 25 + 2 + 1,
	    "the dense trie is well formed with %lu nodes (want 6670)",
	    (unsigned long)nodes);

	good = true;
	for (k = 0; k < n; k++)
		CHECK(good, "lookup", vm_radix_lookup(&rt, k) == val_of(k));
	CHECK(good, "beyond", vm_radix_lookup(&rt, n) == NULL &&
	    vm_radix_lookup(&rt, 1ULL << 20) == NULL &&
	    vm_radix_lookup(&rt, UINT64_MAX) == NULL);
	tap_ok(good, "every key is found, nothing beyond");

	good = true;
	for (k = 0; k < n; k += 7)
		CHECK(good, "ge", vm_radix_lookup_ge(&rt, k, &found) ==
		    val_of(k) && found == k);
	CHECK(good, "ge beyond", vm_radix_lookup_ge(&rt, n, &found) == NULL &&
	    vm_radix_lookup_ge(&rt, UINT64_MAX, &found) == NULL);
	tap_ok(good,
	    "lookup_ge of a present key finds it; beyond the last, NULL");

	before = vm_radix_node_count();
	good = true;
	for (k = 0; k < n; k += 1000)
		CHECK(good, "EEXIST", vm_radix_insert(&rt, k, val_of(k + 1)) ==
		    EEXIST && vm_radix_lookup(&rt, k) == val_of(k));
	tap_ok(good && vm_radix_node_count() == before,
	    "a duplicate insert is EEXIST and changes nothing");

	/* Remove the even keys: lookup_ge(even) must skip to the next odd. */
	good = true;
	for (k = 0; k < n; k += 2)
		CHECK(good, "remove even", vm_radix_remove(&rt, k) == val_of(k));
	for (k = 0; k + 1 < n; k += 2)
		CHECK(good, "ge even", vm_radix_lookup_ge(&rt, k, &found) ==
		    val_of(k + 1) && found == k + 1 &&
		    vm_radix_lookup(&rt, k) == NULL);
	tap_ok(good && trie_sound(&rt, n / 2, NULL),
	    "with the even keys removed, lookup_ge(even) finds even + 1");

	good = true;
	for (k = n - 1; k > 0; k--) {
		if ((k & 1) == 0)
			continue;
		CHECK(good, "remove odd", vm_radix_remove(&rt, k) == val_of(k));
		if (k % 10001 == 0)
			CHECK(good, "sound", trie_sound(&rt, k / 2, NULL));
	}
	tap_ok(good && vm_radix_is_empty(&rt) && vm_radix_node_count() == 0,
	    "removing the odd keys downward empties the trie, no node left");
}

/* Sparse keys: random 64-bit, 0, UINT64_MAX, powers of two and friends. */
static size_t
sparse_keys(uint64_t *k, size_t cap)
{
	size_t n = 0;
	int i, j;

	k[n++] = 0;
	k[n++] = UINT64_MAX;
	for (i = 0; i < 64; i++) {
		k[n++] = 1ULL << i;
		k[n++] = (1ULL << i) - 1;
		k[n++] = (1ULL << i) + 1;
		k[n++] = ~(1ULL << i);
	}
	for (i = 0; i < 50; i++) {	/* clusters: dense spots far apart */
		uint64_t base = tap_rand();

		for (j = 0; j < 20; j++)
			k[n++] = base + tap_rand() % 64;
	}
	for (i = 0; i < 1000; i++)
		k[n++] = tap_rand() % (1ULL << 20);
	while (n < cap)
		k[n++] = tap_rand();
	return sort_unique(k, n);
}

static void
test_sparse(void)
{
	enum { CAP = 6000 };
	uint64_t *keys = calloc(CAP, sizeof(*keys));
	uint64_t *order = calloc(CAP, sizeof(*keys));
	bool *present = calloc(CAP, sizeof(*present));
	struct model m = { keys, present, 0, 0 };
	struct vm_radix rt;
	uint64_t q, nodes, before;
	bool good = true;
	size_t i, n;
	int err = 0;

	n = m.n = sparse_keys(keys, CAP);
	memcpy(order, keys, n * sizeof(*keys));
	shuffle(order, n);
	vm_radix_init(&rt);
	for (i = 0; i < n; i++)
		if (vm_radix_insert(&rt, order[i], val_of(order[i])) != 0)
			err++;
	for (i = 0; i < n; i++)
		present[i] = true;
	m.npresent = n;
	tap_ok(err == 0, "insert %zu sparse keys in random order", n);
	good = trie_sound(&rt, n, &nodes);
	tap_ok(good && nodes <= 2 * n - 1,
	    "the sparse trie is well formed, %lu nodes for %zu keys",
	    (unsigned long)nodes, n);

	good = true;
	for (i = 0; i < n; i++)
		CHECK(good, "lookup", vm_radix_lookup(&rt, keys[i]) ==
		    val_of(keys[i]));
	tap_ok(good, "every sparse key is found with its value");

	good = true;
	for (i = 0; i < 20000; i++) {
		q = (i & 1) ? tap_rand() :
		    keys[tap_rand() % n] + (tap_rand() % 5) - 2;
		if (!contains(keys, n, q))
			CHECK(good, "miss", vm_radix_lookup(&rt, q) == NULL);
	}
	tap_ok(good,
	    "absent keys (random, and near present ones) are not found");

	before = vm_radix_node_count();
	good = true;
	for (i = 0; i < n; i++)
		CHECK(good, "EEXIST", vm_radix_insert(&rt, keys[i],
		    val_of(~keys[i])) == EEXIST);
	for (i = 0; i < n; i++)
		CHECK(good, "kept", vm_radix_lookup(&rt, keys[i]) ==
		    val_of(keys[i]));
	tap_ok(good && vm_radix_node_count() == before,
	    "re-inserting every key is EEXIST and leaves values and nodes");

	good = true;
	for (i = 0; i < n; i++) {
		CHECK(good, "ge key", ge_agrees(&rt, &m, keys[i]));
		CHECK(good, "ge key+1", ge_agrees(&rt, &m, keys[i] + 1));
		CHECK(good, "ge key-1", ge_agrees(&rt, &m, keys[i] - 1));
	}
	for (i = 0; i < 10000; i++)
		CHECK(good, "ge random", ge_agrees(&rt, &m, tap_rand()));
	CHECK(good, "ge 0", ge_agrees(&rt, &m, 0));
	CHECK(good, "ge max", ge_agrees(&rt, &m, UINT64_MAX));
	tap_ok(good, "lookup_ge agrees with the sorted model (%zu queries)",
	    3 * n + 10002);

	/* Remove in random order, checking as the trie thins out. */
	good = true;
	shuffle(order, n);
	for (i = 0; i < n; i++) {
		size_t at = lower_bound(keys, n, order[i]);

		CHECK(good, "remove", vm_radix_remove(&rt, order[i]) ==
		    val_of(order[i]));
		CHECK(good, "remove again", vm_radix_remove(&rt, order[i]) ==
		    NULL);
		present[at] = false;
		m.npresent--;
		if (i % 250 == 0) {
			CHECK(good, "sound", trie_sound(&rt, m.npresent, NULL));
			for (int j = 0; j < 8; j++)
				CHECK(good, "ge while removing",
				    ge_agrees(&rt, &m, (j & 1) ? tap_rand() :
				    keys[tap_rand() % n]));
		}
		/* With the top keys gone, ask beyond the largest left. */
		if (i == n / 2) {
			size_t top = n;

			while (top > 0 && !present[top - 1])
				top--;
			CHECK(good, "ge past max", top == n ||
			    vm_radix_lookup_ge(&rt, keys[top - 1] + 1, NULL) ==
			    NULL);
			CHECK(good, "ge past max model", top == n ||
			    ge_agrees(&rt, &m, keys[top - 1] + 1));
		}
	}
	tap_ok(good, "removing in random order returns each value once; "
	    "structure and lookup_ge stay right");
	tap_ok(vm_radix_is_empty(&rt) && vm_radix_node_count() == 0,
	    "the trie is empty and no node is left");
	free(keys);
	free(order);
	free(present);
}

static void
test_reclaim(void)
{
	struct zone_stats st;
	struct vm_radix rt;
	zone_t z = node_zone();
	uint64_t k;
	int i, err = 0;

	vm_radix_init(&rt);
	for (i = 0; i < 20000; i++) {
		k = (i & 1) ? tap_rand() : tap_rand() % 100000;
		if (vm_radix_insert(&rt, k, val_of(k)) == ENOMEM)
			err++;
	}
	tap_ok(err == 0 && vm_radix_node_count() > 0, "fill a trie to reclaim");
	vm_radix_reclaim_all(&rt);
	st.inuse = 1;
	if (z != NULL)
		zone_get_stats(z, &st);
	tap_ok(vm_radix_is_empty(&rt) && vm_radix_node_count() == 0 &&
	    st.inuse == 0,
	    "reclaim_all frees every node back to the zone");
}

/* The base trie of the ENOMEM test is exactly as built. */
static bool
enomem_unchanged(const struct vm_radix *rt, const uint64_t *keys, size_t n,
    uint64_t nodes)
{
	uint64_t have;
	size_t i;

	if (!trie_sound(rt, n, &have) || have != nodes)
		return false;
	for (i = 0; i < n; i++)
		if (vm_radix_lookup(rt, keys[i]) != val_of(keys[i]))
			return false;
	return true;
}

/*
 * Allocation failure.  The zone may hold free nodes in per-cpu caches and
 * slabs, so first take every one of them (with page allocation failing),
 * then give back exactly as many as a case needs.
 *
 * The base trie: 0x1000 and 0x2000 under a level-3 node, that and 0x100000
 * under a level-5 root.  0x1001 needs no node; 0x3000 needs one (a level-0
 * node in the level-3 node's empty slot); 0x1010 and 1 << 40 need two (a
 * level-0 node and a split node).
 */
static void
test_enomem(void)
{
	static const uint64_t base[] = { 0x1000, 0x2000, 0x100000 };
	const uint64_t far = 1ULL << 40;
	struct vm_radix rt;
	zone_t z = node_zone();
	void **hoard = NULL, *p;
	size_t nhoard = 0, cap = 0, i;
	uint64_t nodes;
	bool good = true;

	if (!tap_ok(z != NULL, "the node zone exists (\"vm radix node\")"))
		return;
	vm_radix_init(&rt);
	for (i = 0; i < nitems(base); i++)
		CHECK(good, "base", vm_radix_insert(&rt, base[i],
		    val_of(base[i])) == 0);
	tap_ok(good && trie_sound(&rt, 3, &nodes) && nodes == 5,
	    "base trie: 3 keys, 5 nodes");

	zone_reclaim_all();
	host_page_alloc_fail_after = 0;
	while ((p = zone_alloc(z, M_NOWAIT)) != NULL) {
		if (nhoard == cap) {
			cap = cap ? 2 * cap : 64;
			hoard = realloc(hoard, cap * sizeof(*hoard));
		}
		hoard[nhoard++] = p;
	}
	tap_ok(vm_radix_insert(&rt, 0x3000, val_of(0x3000)) == ENOMEM &&
	    vm_radix_insert(&rt, 0x1010, val_of(0x1010)) == ENOMEM &&
	    vm_radix_insert(&rt, far, val_of(far)) == ENOMEM,
	    "no free node: inserts needing one or two nodes fail with ENOMEM "
	    "(%zu cached nodes taken first)", nhoard);
	tap_ok(enomem_unchanged(&rt, base, 3, nodes) &&
	    vm_radix_lookup(&rt, 0x3000) == NULL &&
	    vm_radix_lookup(&rt, 0x1010) == NULL &&
	    vm_radix_lookup_ge(&rt, 0x100001, NULL) == NULL,
	    "the failed inserts left the trie unchanged");
	tap_ok(vm_radix_insert(&rt, 0x1001, val_of(0x1001)) == 0 &&
	    vm_radix_lookup(&rt, 0x1001) == val_of(0x1001) &&
	    vm_radix_remove(&rt, 0x1001) == val_of(0x1001) &&
	    enomem_unchanged(&rt, base, 3, nodes),
	    "an insert into an existing level-0 node needs no memory");

	/* One free node: a split takes it, fails on the second, gives it back. */
	zone_free(z, hoard[--nhoard]);
	tap_ok(vm_radix_insert(&rt, 0x1010, val_of(0x1010)) == ENOMEM &&
	    vm_radix_insert(&rt, far, val_of(far)) == ENOMEM &&
	    enomem_unchanged(&rt, base, 3, nodes),
	    "one free node: a split fails with ENOMEM, trie unchanged");
	tap_ok(vm_radix_insert(&rt, 0x3000, val_of(0x3000)) == 0 &&
	    vm_radix_lookup(&rt, 0x3000) == val_of(0x3000) &&
	    trie_sound(&rt, 4, NULL),
	    "the split gave its first node back: a one-node insert succeeds");
	tap_ok(vm_radix_insert(&rt, 0x4000, val_of(0x4000)) == ENOMEM &&
	    vm_radix_remove(&rt, 0x3000) == val_of(0x3000) &&
	    enomem_unchanged(&rt, base, 3, nodes),
	    "then memory is gone again; removing needs none");
	tap_ok(vm_radix_remove(&rt, 0x100000) == val_of(0x100000) &&
	    trie_sound(&rt, 2, &nodes) && nodes == 3,
	    "removal collapses the root to its one remaining child");

	host_page_alloc_fail_after = -1;
	while (nhoard > 0)
		zone_free(z, hoard[--nhoard]);
	free(hoard);
	tap_ok(vm_radix_insert(&rt, 0x1010, val_of(0x1010)) == 0 &&
	    vm_radix_insert(&rt, far, val_of(far)) == 0 &&
	    vm_radix_lookup(&rt, 0x1010) == val_of(0x1010) &&
	    vm_radix_lookup(&rt, far) == val_of(far) &&
	    trie_sound(&rt, 4, NULL),
	    "with memory back, the same inserts succeed");
	vm_radix_reclaim_all(&rt);
	tap_ok(vm_radix_node_count() == 0, "reclaimed");
}

/* Does every key of [key, key + n) hold &vals[i]? */
static bool
run_holds(const struct vm_radix *rt, uint64_t key, uint64_t n, uint64_t *vals)
{
	for (uint64_t i = 0; i < n; i++)
		if (vm_radix_lookup(rt, key + i) != &vals[i])
			return false;
	return true;
}

/* vm_radix_insert_run: a run at once, all or none. */
static void
test_run(void)
{
	static uint64_t vals[600];
	const uint64_t key = 0x40005;	/* not at a node boundary */
	struct vm_radix rt;
	zone_t z = node_zone();
	void *hoard[256], *two[2];
	size_t nhoard = 0;
	uint64_t nodes = 0;
	bool good;

	vm_radix_init(&rt);
	good = vm_radix_insert_run(&rt, key, 512, vals, sizeof(vals[0])) == 0 &&
	    run_holds(&rt, key, 512, vals) && vm_radix_lookup(&rt, key - 1) == NULL &&
	    vm_radix_lookup(&rt, key + 512) == NULL && trie_sound(&rt, 512, &nodes);
	/*
	 * 33 level-0 nodes (0x4000x-0x4020x), 2 at level 1 (0x400xx, 0x401xx:
	 * 0x402xx has one child, compressed away), 1 at level 2.
	 */
	tap_ok(good && nodes == 36,
	    "insert_run: 512 keys from an unaligned start, each with its value (%lu nodes)",
	    (unsigned long)nodes);
	tap_ok(vm_radix_insert_run(&rt, key + 600, 40, vals, 8) == 0 &&
	    vm_radix_insert(&rt, key + 1000, val_of(1)) == 0 &&
	    vm_radix_insert_run(&rt, key + 980, 40, vals, 8) == EEXIST &&
	    vm_radix_lookup(&rt, key + 980) == NULL && vm_radix_lookup(&rt, key + 999) == NULL &&
	    vm_radix_lookup(&rt, key + 1000) == val_of(1) && trie_sound(&rt, 553, NULL),
	    "insert_run over a present key: EEXIST, the keys before it taken out again");
	vm_radix_reclaim_all(&rt);

	/* Memory for two nodes only: a run needing more fails part way, leaving nothing. */
	zone_reclaim_all();
	two[0] = zone_alloc(z, M_NOWAIT);
	two[1] = zone_alloc(z, M_NOWAIT);
	host_page_alloc_fail_after = 0;
	while (nhoard < nitems(hoard) && (hoard[nhoard] = zone_alloc(z, M_NOWAIT)) != NULL)
		nhoard++;
	tap_ok(two[0] != NULL && two[1] != NULL && nhoard < nitems(hoard),
	    "all free nodes but two taken (%zu)", nhoard);
	vm_radix_init(&rt);
	zone_free(z, two[0]);
	zone_free(z, two[1]);
	tap_ok(vm_radix_insert_run(&rt, 0x100, 64, vals, 8) == ENOMEM && vm_radix_is_empty(&rt),
	    "insert_run out of nodes part way: ENOMEM, the trie as it was (empty)");
	host_page_alloc_fail_after = -1;
	while (nhoard > 0)
		zone_free(z, hoard[--nhoard]);
	tap_ok(vm_radix_insert_run(&rt, 0x100, 64, vals, 8) == 0 && run_holds(&rt, 0x100, 64, vals),
	    "with memory back, the same run goes in");
	vm_radix_reclaim_all(&rt);
	tap_ok(vm_radix_node_count() == 0, "insert_run: reclaimed");
}

/* The stress universe: dense, clustered, random and edge keys. */
static size_t
stress_keys(uint64_t *k)
{
	size_t n = 0;
	int i, j;

	for (i = 0; i < 1500; i++)
		k[n++] = tap_rand() % 4096;
	for (i = 0; i < 20; i++) {
		uint64_t base = tap_rand();

		for (j = 0; j < 100; j++)
			k[n++] = base + tap_rand() % 512;
	}
	for (i = 0; i < 1500; i++)
		k[n++] = tap_rand();
	for (i = 0; i < 64; i++)
		k[n++] = 1ULL << i;
	for (i = 0; i < 16; i++)
		k[n++] = UINT64_MAX - i;
	return sort_unique(k, n);
}

/*
 * Random mixed operations against the model.  The insert/remove balance
 * swings every 20000 operations so the trie grows and shrinks through
 * many shapes.
 */
static void
test_stress(void)
{
	enum { OPS = 200000, CAP = 6000 };
	uint64_t *keys = calloc(CAP, sizeof(*keys));
	bool *present = calloc(CAP, sizeof(*present));
	struct model m = { keys, present, 0, 0 };
	uint64_t counts[5] = { 0 }, q;
	struct vm_radix rt;
	bool good = true, growing;
	size_t i;
	int op, r, err;

	m.n = stress_keys(keys);
	vm_radix_init(&rt);
	for (op = 0; op < OPS && good; op++) {
		growing = (op / 20000) % 2 == 0;
		r = tap_rand() % 100;
		i = tap_rand() % m.n;
		if (r < (growing ? 55 : 20)) {
			err = vm_radix_insert(&rt, keys[i], val_of(keys[i]));
			CHECK(good, "insert", err == (present[i] ? EEXIST : 0));
			if (!present[i]) {
				present[i] = true;
				m.npresent++;
			}
			counts[0]++;
		} else if (r < 75) {
			CHECK(good, "remove", vm_radix_remove(&rt, keys[i]) ==
			    (present[i] ? val_of(keys[i]) : NULL));
			if (present[i]) {
				present[i] = false;
				m.npresent--;
			}
			counts[1]++;
		} else if (r < 85) {
			CHECK(good, "lookup", vm_radix_lookup(&rt, keys[i]) ==
			    (present[i] ? val_of(keys[i]) : NULL));
			counts[2]++;
		} else if (r < 95) {
			q = (r & 1) ? tap_rand() : keys[i] + tap_rand() % 5 - 2;
			CHECK(good, "lookup_ge", ge_agrees(&rt, &m, q));
			counts[3]++;
		} else {
			q = tap_rand();
			CHECK(good, "lookup miss", contains(keys, m.n, q) ||
			    vm_radix_lookup(&rt, q) == NULL);
			counts[4]++;
		}
		if (op % 10000 == 0)
			CHECK(good, "sound", trie_sound(&rt, m.npresent, NULL));
	}
	CHECK(good, "sound at the end", trie_sound(&rt, m.npresent, NULL));
	tap_ok(good, "stress: %d ops on %zu keys (%lu inserts, %lu removes, "
	    "%lu lookups, %lu lookup_ge, %lu misses) agree with the model",
	    op, m.n, (unsigned long)counts[0], (unsigned long)counts[1],
	    (unsigned long)counts[2], (unsigned long)counts[3],
	    (unsigned long)counts[4]);

	good = true;
	for (i = 0; i < m.n; i++)
		if (present[i])
			CHECK(good, "drain", vm_radix_remove(&rt, keys[i]) ==
			    val_of(keys[i]));
	tap_ok(good && vm_radix_is_empty(&rt) && vm_radix_node_count() == 0,
	    "stress: removing the rest leaves no node");
	free(keys);
	free(present);
}

static void
panic_odd_value(void)
{
	struct vm_radix rt;

	vm_radix_init(&rt);
	vm_radix_insert(&rt, 1, (void *)(uintptr_t)0x1001);
}

static void
panic_null_value(void)
{
	struct vm_radix rt;

	vm_radix_init(&rt);
	vm_radix_insert(&rt, 1, NULL);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	vm_radix_zinit();
	test_empty();
	test_single();
	test_sequential();
	test_sparse();
	test_reclaim();
	test_enomem();
	test_run();
	test_stress();
	tap_expect_abort(panic_odd_value, "NULL or odd",
	    "inserting an odd value panics");
	tap_expect_abort(panic_null_value, "NULL or odd",
	    "inserting NULL panics");
	return tap_done();
}
