/*
 * Host unit test for the swap slot allocator (mi/vm/blist.c), TAP output.
 *
 * Every operation is replayed on a plain model (one bool per slot, with
 * the same next-fit rule searched slot by slot), and blist_alloc must
 * return exactly the slot the model finds: a run is found whenever one
 * exists, and the first one after the cursor.  blist_check verifies the
 * summary levels after every operation.  Sizes cover one partial word,
 * word and level boundaries, and five levels of summaries.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/systm.h>
#include <vm/blist.h>

#include "host/tap.h"

struct model {
	uint64_t	nslots;
	uint64_t	cursor;
	uint64_t	nfree;
	bool		*free;
};

/* The first run of count free slots starting in [from, to) and ending by limit. */
static uint64_t
model_find(const struct model *md, uint64_t from, uint64_t to, uint64_t limit,
    uint64_t count)
{
	uint64_t run = 0;

	for (uint64_t s = from; s < limit; s++) {
		run = md->free[s] ? run + 1 : 0;
		if (run == count && s + 1 - count < to)
			return s + 1 - count;
		if (run >= count && s + 1 - count >= to)
			break;
	}
	return BLIST_NONE;
}

static uint64_t
model_alloc(struct model *md, uint64_t count)
{
	uint64_t first;

	if (count == 0 || count > md->nfree)
		return BLIST_NONE;
	first = model_find(md, md->cursor, md->nslots, md->nslots, count);
	if (first == BLIST_NONE)
		first = model_find(md, 0, md->cursor, md->nslots, count);
	if (first == BLIST_NONE)
		return BLIST_NONE;
	for (uint64_t s = first; s < first + count; s++)
		md->free[s] = false;
	md->nfree -= count;
	md->cursor = first + count == md->nslots ? 0 : first + count;
	return first;
}

static void
model_set(struct model *md, uint64_t start, uint64_t count, bool make_free)
{
	for (uint64_t s = start; s < start + count; s++) {
		if (md->free[s] != make_free)
			md->nfree += make_free ? 1 : -1;
		md->free[s] = make_free;
	}
}

static bool
same_state(const struct blist *bl, const struct model *md)
{
	if (blist_avail(bl) != md->nfree || blist_check(bl) != 0)
		return false;
	for (uint64_t s = 0; s < md->nslots; s++)
		if (blist_is_free(bl, s) != md->free[s])
			return false;
	return true;
}

/* A count: mostly small (single pages, clusters), sometimes large. */
static uint64_t
random_count(uint64_t nslots)
{
	uint64_t r = tap_rand_below(100);

	if (r < 40)
		return 1;
	if (r < 85)
		return 1 + tap_rand_below(64);
	if (r < 98)
		return 1 + tap_rand_below(300);
	return 1 + tap_rand_below(nslots);
}

/* A random allocated stretch: start at an allocated slot, extend while allocated. */
static bool
random_allocated(const struct model *md, uint64_t *start, uint64_t *count)
{
	uint64_t s = tap_rand_below(md->nslots), n = 0;

	for (uint64_t tries = 0; tries < md->nslots && md->free[s]; tries++)
		s = (s + 1) % md->nslots;
	if (md->free[s])
		return false;
	while (s + n < md->nslots && !md->free[s + n] && n < 1 + tap_rand_below(200))
		n++;
	*start = s;
	*count = n;
	return true;
}

/* Random allocations, frees and reservations on nslots slots, checked against the model. */
static void
random_ops(uint64_t nslots, int nops)
{
	struct blist bl;
	struct model md = { .nslots = nslots, .nfree = nslots };
	void *mem = malloc(blist_bytes(nslots));
	bool good = true;
	int allocs = 0, failures = 0;

	md.free = malloc(nslots * sizeof(bool));
	for (uint64_t s = 0; s < nslots; s++)
		md.free[s] = true;
	blist_init(&bl, mem, nslots);
	CHECK(good, "fresh blist", same_state(&bl, &md));
	for (int op = 0; op < nops && good; op++) {
		uint64_t r = tap_rand_below(100), start, count;

		if (r < 55) {
			uint64_t want, got;

			count = random_count(nslots);
			want = model_alloc(&md, count);
			got = blist_alloc(&bl, count);
			CHECK(good, "alloc finds the model's run", got == want);
			allocs += want != BLIST_NONE;
			failures += want == BLIST_NONE;
		} else if (r < 95) {
			if (!random_allocated(&md, &start, &count))
				continue;
			model_set(&md, start, count, true);
			blist_free(&bl, start, count);
		} else {
			start = tap_rand_below(nslots);
			count = 1 + tap_rand_below(MIN(nslots - start, (uint64_t)100));
			uint64_t before = md.nfree;

			model_set(&md, start, count, false);
			CHECK(good, "reserve counts the free slots it took",
			    blist_reserve(&bl, start, count) == before - md.nfree);
		}
		if (nslots < 5000 || op % 64 == 0)
			CHECK(good, "state after an operation", same_state(&bl, &md));
	}
	CHECK(good, "final state", same_state(&bl, &md));
	tap_ok(good, "%lu slots: %d random operations match the model "
	    "(%d allocations, %d failed as the model did)", nslots, nops, allocs, failures);
	free(md.free);
	free(mem);
}

/* Fill completely, then runs across word and summary boundaries. */
static void
boundaries(void)
{
	const uint64_t n = 64 * 64 * 3 + 5;	/* three summary words and a bit */
	struct blist bl;
	void *mem = malloc(blist_bytes(n));
	bool good = true;

	blist_init(&bl, mem, n);
	for (uint64_t s = 0; s < n; s++)
		CHECK(good, "one slot at a time, in order", blist_alloc(&bl, 1) == s);
	CHECK(good, "full", blist_avail(&bl) == 0 && blist_alloc(&bl, 1) == BLIST_NONE);
	tap_ok(good && blist_check(&bl) == 0, "every slot handed out once, in order, then none");

	/* Free two slots either side of a leaf-word boundary and one of a summary word. */
	blist_free(&bl, 62, 4);
	blist_free(&bl, 4096 - 3, 7);
	tap_ok(blist_alloc(&bl, 7) == 4096 - 3 && blist_alloc(&bl, 4) == 62 &&
	    blist_alloc(&bl, 1) == BLIST_NONE && blist_check(&bl) == 0,
	    "runs that straddle a word and a summary word are found (next fit, then wrap)");

	blist_free(&bl, 0, n);
	tap_ok(blist_avail(&bl) == n && blist_alloc(&bl, n) == 0 && blist_avail(&bl) == 0,
	    "the whole device as one run");
	blist_free(&bl, 100, 1000);
	tap_ok(blist_alloc(&bl, 1001) == BLIST_NONE && blist_alloc(&bl, 1000) == 100,
	    "a run one slot too long is refused; the exact one is found");
	free(mem);
}

static void
double_free(void)
{
	struct blist bl;
	uint64_t mem[4];

	blist_init(&bl, mem, 100);
	blist_alloc(&bl, 10);
	blist_free(&bl, 5, 10);		/* slots 10..14 were never allocated */
}

static void
sizes(void)
{
	bool good = true;

	CHECK(good, "1 slot", blist_bytes(1) == 8);
	CHECK(good, "64 slots: one word", blist_bytes(64) == 8);
	CHECK(good, "65 slots: two leaves and a summary", blist_bytes(65) == 24);
	CHECK(good, "64^3 slots: 4096 + 64 + 1 words", blist_bytes(64 * 64 * 64) == 8 * (4096 + 64 + 1));
	tap_ok(good, "blist_bytes: a bit per slot plus the summaries");
}

int
main(void)
{
	static const uint64_t counts[] = {
		1, 63, 64, 65, 200, 4095, 4096, 4097, 64 * 64 * 2 + 1,
		64 * 64 * 64, 64 * 64 * 64 + 1,
	};

	tap_seed_from_env("BLIST_SEED");
	tap_plan(6 + (int)nitems(counts));
	sizes();
	boundaries();
	tap_expect_abort(double_free, "already free", "freeing a free slot is caught");
	for (size_t i = 0; i < nitems(counts); i++)
		random_ops(counts[i], counts[i] < 1000 ? 20000 : 5000);
	return tap_done();
}
