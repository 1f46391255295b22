/*
 * Host unit test for per-object swap metadata (mi/vm/swap_meta.c), TAP
 * output.
 *
 * Every operation is replayed on a plain model (one slot per index over
 * a window of indices, plus a few indices near the top of the 64-bit
 * range, where block keys and loops can overflow), and every answer must
 * match it: lookups, the next copy, removed ranges (each freed run must
 * be consecutive slots at consecutive indices, and together they must be
 * exactly what the range held), and the runs haspage reports.
 * swap_meta_check verifies the blocks after every operation; at the end
 * no block and no trie node may be left.  Blocks and trie nodes come
 * from the real zone allocator over host pages, so allocation failure is
 * injected too: a failed set changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/systm.h>
#include <vm/swap_meta.h>
#include <vm/zone.h>

#include "host/host_support.h"
#include "host/tap.h"

#define WINDOW		4096		/* indices [0, WINDOW) and [TOP, TOP + WINDOW) */
#define TOP		(UINT64_MAX - WINDOW + 1)
#define ROUNDS		200000

static struct swap_meta sm;
static uint64_t model[2 * WINDOW];	/* slot per index; 0: none */
static uint64_t model_count;

/* The model's cell for index (one of the two windows). */
static uint64_t *
cell(uint64_t pindex)
{
	return pindex < WINDOW ? &model[pindex] : &model[WINDOW + (pindex - TOP)];
}

static uint64_t
random_index(void)
{
	uint64_t i = tap_rand_below(WINDOW);

	return tap_rand_below(8) == 0 ? TOP + i : i;
}

/* Slots are numbered so that neighbouring indices often get neighbouring slots. */
static uint64_t next_slot = 1000;

static uint64_t
fresh_slot(uint64_t pindex)
{
	if (tap_rand_below(4) == 0)
		next_slot += 2 * WINDOW + tap_rand_below(100);	/* never a slot still in use */
	return next_slot + (pindex < WINDOW ? pindex : WINDOW + (pindex - TOP));
}

/* What a removal freed, as the runs came. */
static uint64_t freed[2 * WINDOW];
static size_t nfreed;
static bool runs_sound;

static void
collect(void *arg, uint64_t slot, uint64_t count)
{
	if (count == 0)
		runs_sound = false;
	for (uint64_t k = 0; k < count && nfreed < 2 * WINDOW; k++)
		freed[nfreed++] = slot + k;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Remove [start, end) from both; the freed slots must be the model's, in runs. */
static bool
remove_range_matches(uint64_t start, uint64_t end)
{
	uint64_t want[2 * WINDOW], nwant = 0, removed;

	for (uint64_t i = 0; i < 2 * WINDOW; i++) {
		uint64_t pindex = i < WINDOW ? i : TOP + (i - WINDOW);

		if (pindex >= start && (pindex < end || end == UINT64_MAX) && model[i] != 0) {
			want[nwant++] = model[i];
			model[i] = 0;
		}
	}
	model_count -= nwant;
	nfreed = 0;
	runs_sound = true;
	removed = swap_meta_remove_range(&sm, start, end, collect, NULL);
	qsort(want, nwant, sizeof(*want), cmp_u64);
	qsort(freed, nfreed, sizeof(*freed), cmp_u64);
	return runs_sound && removed == nwant && nfreed == nwant &&
	    memcmp(want, freed, nwant * sizeof(*want)) == 0;
}

/* Runs must be consecutive: check it separately with a callback that sees them. */
static bool run_shape_ok;
static uint64_t run_index;		/* not known to the callback; shape only */

static void
check_run_shape(void *arg, uint64_t slot, uint64_t count)
{
	const uint64_t *model_copy = arg;
	bool found = false;

	/* Some index i must hold slot, and i+k must hold slot+k for every k < count. */
	for (uint64_t i = 0; i + count <= 2 * WINDOW && !found; i++) {
		if (model_copy[i] != slot)
			continue;
		found = true;
		for (uint64_t k = 1; k < count; k++)
			if (i + k == WINDOW || model_copy[i + k] != slot + k)
				found = false;
	}
	if (!found)
		run_shape_ok = false;
	run_index++;
}

static bool
model_matches(void)
{
	uint64_t found, slot;

	if (sm.sm_count != model_count || swap_meta_check(&sm) != 0)
		return false;
	for (uint64_t i = 0; i < 2 * WINDOW; i++) {
		uint64_t pindex = i < WINDOW ? i : TOP + (i - WINDOW);

		if (swap_meta_lookup(&sm, pindex) != model[i])
			return false;
	}
	/* next: walk the copies in order, both windows. */
	uint64_t i = 0, pindex = 0;

	while ((slot = swap_meta_next(&sm, pindex, &found)) != SWAP_SLOT_NONE) {
		while (i < 2 * WINDOW && model[i] == 0)
			i++;
		if (i == 2 * WINDOW)
			return false;
		if ((i < WINDOW ? i : TOP + (i - WINDOW)) != found || model[i] != slot)
			return false;
		i++;
		if (found == UINT64_MAX)
			break;
		pindex = found + 1;
	}
	while (i < 2 * WINDOW && model[i] == 0)
		i++;
	return i == 2 * WINDOW;
}

/* The model's run around pindex (which has a copy). */
static void
model_run(uint64_t pindex, uint64_t maxb, uint64_t maxa, uint64_t *before, uint64_t *after)
{
	uint64_t slot = *cell(pindex), n;
	uint64_t base = pindex < WINDOW ? 0 : TOP;

	for (n = 0; n < maxb && pindex - n > base && *cell(pindex - n - 1) == slot - n - 1; n++)
		;
	*before = n;
	for (n = 0; n < maxa && pindex + n + 1 - base < WINDOW &&
	    *cell(pindex + n + 1) == slot + n + 1; n++)
		;
	*after = n;
}

static void
test_basics(void)
{
	uint64_t old = 7, found;

	swap_meta_init(&sm);
	tap_ok(swap_meta_empty(&sm) && swap_meta_lookup(&sm, 5) == SWAP_SLOT_NONE &&
	    swap_meta_next(&sm, 0, &found) == SWAP_SLOT_NONE, "empty metadata has no copies");
	tap_ok(swap_meta_set(&sm, 5, 100, &old) == 0 && old == SWAP_SLOT_NONE &&
	    swap_meta_lookup(&sm, 5) == 100 && sm.sm_count == 1, "a copy recorded reads back");
	tap_ok(swap_meta_set(&sm, 5, 200, &old) == 0 && old == 100 && sm.sm_count == 1,
	    "recording another copy hands back the old slot to free");
	tap_ok(swap_meta_set(&sm, UINT64_MAX, 300, &old) == 0 &&
	    swap_meta_lookup(&sm, UINT64_MAX) == 300 &&
	    swap_meta_next(&sm, 6, &found) == 300 && found == UINT64_MAX,
	    "the last index of all holds a copy, and next finds it");
	tap_ok(swap_meta_remove(&sm, 5) == 200 && swap_meta_remove(&sm, 5) == SWAP_SLOT_NONE &&
	    swap_meta_remove(&sm, UINT64_MAX) == 300 && swap_meta_empty(&sm) &&
	    zone_inuse_by_name("swblk") == 0, "removing the copies frees their blocks");
}

static void
test_runs(void)
{
	uint64_t old, before, after;

	/* Indices 30..40 in slots 500..510 (across a block boundary), 41 elsewhere. */
	for (uint64_t i = 30; i <= 40; i++)
		swap_meta_set(&sm, i, 500 + (i - 30), &old);
	swap_meta_set(&sm, 41, 9000, &old);
	swap_meta_run(&sm, 33, 100, 100, &before, &after);
	tap_ok(before == 3 && after == 7, "a run across a block boundary: 3 before, 7 after");
	swap_meta_run(&sm, 33, 2, 4, &before, &after);
	tap_ok(before == 2 && after == 4, "runs are cut at the limits asked for");
	swap_meta_run(&sm, 41, 5, 5, &before, &after);
	tap_ok(before == 0 && after == 0, "a page whose slot does not follow its neighbour's "
	    "runs alone");
	nfreed = 0;
	runs_sound = true;
	tap_ok(swap_meta_remove_range(&sm, 0, UINT64_MAX, collect, NULL) == 12 &&
	    nfreed == 12 && swap_meta_empty(&sm) && zone_inuse_by_name("swblk") == 0,
	    "removing everything frees all 12 slots and every block");
}

static void
test_random(void)
{
	bool good = true;
	uint64_t old, ops[5] = { 0 };

	memset(model, 0, sizeof(model));
	model_count = 0;
	for (int round = 0; round < ROUNDS && good; round++) {
		uint64_t pindex = random_index(), slot, start, end, before, after, mb, ma, wb, wa;

		switch (tap_rand_below(10)) {
		case 0: case 1: case 2: case 3:
			slot = fresh_slot(pindex);
			CHECK(good, "set", swap_meta_set(&sm, pindex, slot, &old) == 0 &&
			    old == *cell(pindex));
			model_count += *cell(pindex) == 0;
			*cell(pindex) = slot;
			ops[0]++;
			break;
		case 4: case 5:
			old = *cell(pindex);
			CHECK(good, "remove", swap_meta_remove(&sm, pindex) == old);
			model_count -= old != 0;
			*cell(pindex) = 0;
			ops[1]++;
			break;
		case 6:
			start = pindex;
			end = tap_rand_below(4) == 0 ? UINT64_MAX : start + tap_rand_below(200);
			if (end < start)
				end = UINT64_MAX;
			CHECK(good, "remove_range", remove_range_matches(start, end));
			ops[2]++;
			break;
		case 7:
			if (swap_meta_next(&sm, pindex, &pindex) == SWAP_SLOT_NONE ||
			    (pindex >= WINDOW && pindex < TOP))
				break;
			mb = tap_rand_below(64);
			ma = tap_rand_below(64);
			swap_meta_run(&sm, pindex, mb, ma, &before, &after);
			model_run(pindex, mb, ma, &wb, &wa);
			CHECK(good, "run", before == wb && after == wa);
			ops[3]++;
			break;
		default:
			if (tap_rand_below(50) != 0)
				break;
			CHECK(good, "all", model_matches());
			ops[4]++;
			break;
		}
		if (round % 1000 == 0)
			CHECK(good, "check", swap_meta_check(&sm) == 0 && sm.sm_count == model_count);
	}
	CHECK(good, "final", model_matches());
	tap_ok(good, "%d random operations match the model (%lu sets, %lu removes, %lu ranges, "
	    "%lu runs, %lu full comparisons)", ROUNDS, ops[0], ops[1], ops[2], ops[3], ops[4]);

	/* The runs a removal hands out are consecutive slots at consecutive indices. */
	uint64_t copy[2 * WINDOW];

	memcpy(copy, model, sizeof(copy));
	run_shape_ok = true;
	swap_meta_remove_range(&sm, 0, UINT64_MAX, check_run_shape, copy);
	memset(model, 0, sizeof(model));
	model_count = 0;
	tap_ok(run_shape_ok && run_index > 0 && swap_meta_empty(&sm) && model_matches(),
	    "removing all hands out %lu runs, each consecutive slots at consecutive indices",
	    run_index);
	tap_ok(zone_inuse_by_name("swblk") == 0 && vm_radix_node_count() == 0,
	    "no block and no trie node is left (%lu, %lu)", zone_inuse_by_name("swblk"),
	    vm_radix_node_count());
}

static void
test_enomem(void)
{
	uint64_t old = 1;
	void *hoard[4096];
	size_t n = 0;
	zone_t z = zone_find("swblk");

	swap_meta_set(&sm, 3, 33, &old);
	zone_reclaim_all();
	host_page_alloc_fail_after = 0;
	while (n < 4096 && (hoard[n] = zone_alloc(z, M_NOWAIT)) != NULL)
		n++;
	old = 1;
	tap_ok(swap_meta_set(&sm, 1000, 44, &old) == ENOMEM && old == 1 &&
	    swap_meta_lookup(&sm, 1000) == SWAP_SLOT_NONE && sm.sm_count == 1 &&
	    swap_meta_check(&sm) == 0, "no memory for a block: ENOMEM, nothing changed");
	tap_ok(swap_meta_set(&sm, 4, 34, &old) == 0 && swap_meta_lookup(&sm, 4) == 34,
	    "a copy in an existing block needs no memory");
	host_page_alloc_fail_after = -1;
	while (n > 0)
		zone_free(z, hoard[--n]);
	tap_ok(swap_meta_set(&sm, 1000, 44, &old) == 0 && swap_meta_remove(&sm, 1000) == 44 &&
	    swap_meta_remove(&sm, 3) == 33 && swap_meta_remove(&sm, 4) == 34 &&
	    swap_meta_empty(&sm), "with memory back the copy is recorded");
}

int
main(void)
{
	tap_seed_from_env("SWAP_META_SEED");
	vm_radix_zinit();
	swap_meta_zinit();
	test_basics();
	test_runs();
	test_random();
	test_enomem();
	return tap_done();
}
