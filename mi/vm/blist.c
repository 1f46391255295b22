/*
 * Swap slot allocator: a radix tree of bitmaps (see blist.h).
 */
#include <kern/systm.h>
#include <vm/blist.h>

#define WORD_BITS	64
#define ALL_ONES	(~0ULL)

static uint64_t
words_for(uint64_t bits)
{
	return howmany(bits, WORD_BITS);
}

/* Bits [lo, hi) of a word, 0 <= lo < hi <= 64. */
static uint64_t
bit_range(unsigned lo, unsigned hi)
{
	uint64_t below_hi = hi == WORD_BITS ? ALL_ONES : (1ULL << hi) - 1;

	return below_hi & ~((1ULL << lo) - 1);
}

static unsigned
trailing_ones(uint64_t w)
{
	return w == ALL_ONES ? WORD_BITS : (unsigned)__builtin_ctzll(~w);
}

static unsigned
leading_ones(uint64_t w)
{
	return w == ALL_ONES ? WORD_BITS : (unsigned)__builtin_clzll(~w);
}

/*
 * The positions i where bits i .. i+count-1 of w are all set (1 <= count
 * <= 64): each step doubles the length of the runs the mask vouches for.
 */
static uint64_t
run_mask(uint64_t w, unsigned count)
{
	unsigned len = 1;

	while (len < count && w != 0) {
		unsigned shift = MIN(len, count - len);

		w &= w >> shift;
		len += shift;
	}
	return w;
}

/* The level sizes for nslots slots; returns the number of levels. */
static int
level_sizes(uint64_t nslots, uint64_t nbits[BLIST_LEVELS_MAX])
{
	int n = 0;

	nbits[n++] = nslots;
	while (words_for(nbits[n - 1]) > 1) {
		nbits[n] = words_for(nbits[n - 1]);
		n++;
	}
	return n;
}

size_t
blist_bytes(uint64_t nslots)
{
	uint64_t nbits[BLIST_LEVELS_MAX];
	int n = level_sizes(nslots, nbits);
	size_t bytes = 0;

	for (int k = 0; k < n; k++)
		bytes += words_for(nbits[k]) * sizeof(uint64_t);
	return bytes;
}

/* Fill level k's bits [0, nbits) with ones, the rest of its last word zero. */
static void
fill_level(struct blist *bl, int k)
{
	uint64_t nwords = words_for(bl->nbits[k]);
	unsigned tail = bl->nbits[k] % WORD_BITS;

	for (uint64_t i = 0; i < nwords; i++)
		bl->level[k][i] = ALL_ONES;
	if (tail != 0)
		bl->level[k][nwords - 1] = bit_range(0, tail);
}

void
blist_init(struct blist *bl, void *mem, uint64_t nslots)
{
	uint64_t *words = mem;

	KASSERT(nslots > 0, ("blist_init: no slots"));
	bl->nslots = nslots;
	bl->nfree = nslots;
	bl->cursor = 0;
	bl->nlevels = level_sizes(nslots, bl->nbits);
	for (int k = 0; k < bl->nlevels; k++) {
		bl->level[k] = words;
		fill_level(bl, k);
		words += words_for(bl->nbits[k]);
	}
}

/*
 * Bit i of level k becomes on: propagate upwards while a word changes
 * between empty and non-empty.
 */
static void
summary_set(struct blist *bl, int k, uint64_t i, bool on)
{
	for (; k < bl->nlevels; k++, i /= WORD_BITS) {
		uint64_t *w = &bl->level[k][i / WORD_BITS];
		uint64_t old = *w, bit = 1ULL << (i % WORD_BITS);

		*w = on ? old | bit : old & ~bit;
		if ((old == 0) == (*w == 0))
			return;
	}
}

/*
 * Set (free) or clear (allocate) slots [start, start + count); returns
 * how many changed state.
 */
static uint64_t
change_range(struct blist *bl, uint64_t start, uint64_t count, bool make_free)
{
	uint64_t end = start + count, changed = 0;

	KASSERT(count > 0 && end > start && end <= bl->nslots,
	    ("blist: range [%lu, +%lu) outside %lu slots", start, count, bl->nslots));
	while (start < end) {
		uint64_t wi = start / WORD_BITS;
		unsigned lo = start % WORD_BITS;
		unsigned hi = MIN(end - wi * WORD_BITS, (uint64_t)WORD_BITS);
		uint64_t mask = bit_range(lo, hi);
		uint64_t *w = &bl->level[0][wi], old = *w;

		*w = make_free ? old | mask : old & ~mask;
		changed += (uint64_t)__builtin_popcountll(old ^ *w);
		if ((old == 0) != (*w == 0))
			summary_set(bl, 1, wi, *w != 0);
		start = wi * WORD_BITS + hi;
	}
	if (make_free)
		bl->nfree += changed;
	else
		bl->nfree -= changed;
	return changed;
}

/* The first set bit at or after i in level k (k >= 1), or BLIST_NONE. */
static uint64_t
next_set(const struct blist *bl, int k, uint64_t i)
{
	uint64_t w, j;

	if (i >= bl->nbits[k])
		return BLIST_NONE;
	w = bl->level[k][i / WORD_BITS] & (ALL_ONES << (i % WORD_BITS));
	if (w != 0)
		return rounddown2(i, WORD_BITS) + (uint64_t)__builtin_ctzll(w);
	if (k == bl->nlevels - 1)
		return BLIST_NONE;
	j = next_set(bl, k + 1, i / WORD_BITS + 1);
	if (j == BLIST_NONE)
		return BLIST_NONE;
	return j * WORD_BITS + (uint64_t)__builtin_ctzll(bl->level[k][j]);
}

/* The next leaf word at or after wi with a free slot, or BLIST_NONE. */
static uint64_t
next_free_word(const struct blist *bl, uint64_t wi)
{
	if (bl->nlevels == 1)
		return wi == 0 ? 0 : BLIST_NONE;
	return next_set(bl, 1, wi);
}

/* Leaf word wi, with the slots outside [from, to) shown as allocated. */
static uint64_t
leaf_within(const struct blist *bl, uint64_t wi, uint64_t from, uint64_t to)
{
	uint64_t base = wi * WORD_BITS;
	unsigned lo = from > base ? from - base : 0;
	unsigned hi = to - base < WORD_BITS ? to - base : WORD_BITS;

	return bl->level[0][wi] & bit_range(lo, hi);
}

/*
 * The first slot of the first run of count free slots lying wholly in
 * [from, to), or BLIST_NONE.  A run is carried from one word into the
 * next through (run_start, run_len); a word with nothing free ends it,
 * and the summaries skip every such word at once.
 */
static uint64_t
find_run(const struct blist *bl, uint64_t from, uint64_t to, uint64_t count)
{
	uint64_t run_start = 0, run_len = 0;
	uint64_t wi = from / WORD_BITS;

	while (wi != BLIST_NONE && wi * WORD_BITS < to) {
		uint64_t w = leaf_within(bl, wi, from, to);
		unsigned top;

		if (w == 0) {
			run_len = 0;
			wi = next_free_word(bl, wi + 1);
			continue;
		}
		if (run_len > 0) {
			unsigned low = trailing_ones(w);

			if (run_len + low >= count)
				return run_start;
			run_len = low == WORD_BITS ? run_len + WORD_BITS : 0;
			if (run_len > 0) {
				wi++;
				continue;
			}
		}
		if (count <= WORD_BITS) {
			uint64_t m = run_mask(w, (unsigned)count);

			if (m != 0)
				return wi * WORD_BITS + (uint64_t)__builtin_ctzll(m);
		}
		top = leading_ones(w);
		if (top > 0) {
			run_start = wi * WORD_BITS + WORD_BITS - top;
			run_len = top;
		}
		wi++;
	}
	return BLIST_NONE;
}

uint64_t
blist_alloc(struct blist *bl, uint64_t count)
{
	uint64_t first;

	if (count == 0 || count > bl->nfree)
		return BLIST_NONE;
	first = find_run(bl, bl->cursor, bl->nslots, count);
	if (first == BLIST_NONE && bl->cursor > 0) {
		/* Wrap around: runs that start before the cursor. */
		uint64_t to = MIN(bl->cursor + count - 1, bl->nslots);

		first = find_run(bl, 0, to, count);
	}
	if (first == BLIST_NONE)
		return BLIST_NONE;
	change_range(bl, first, count, false);
	bl->cursor = first + count == bl->nslots ? 0 : first + count;
	return first;
}

void
blist_free(struct blist *bl, uint64_t start, uint64_t count)
{
	uint64_t freed = change_range(bl, start, count, true);

	KASSERT(freed == count, ("blist_free: %lu of slots [%lu, +%lu) were already free",
	    count - freed, start, count));
	(void)freed;
}

uint64_t
blist_reserve(struct blist *bl, uint64_t start, uint64_t count)
{
	return change_range(bl, start, count, false);
}

bool
blist_is_free(const struct blist *bl, uint64_t slot)
{
	KASSERT(slot < bl->nslots, ("blist_is_free: slot %lu of %lu", slot, bl->nslots));
	return (bl->level[0][slot / WORD_BITS] >> (slot % WORD_BITS)) & 1;
}

int
blist_check(const struct blist *bl)
{
	int bad = 0;
	uint64_t nfree = 0;

	for (uint64_t i = 0; i < words_for(bl->nslots); i++)
		nfree += (uint64_t)__builtin_popcountll(bl->level[0][i]);
	if (nfree != bl->nfree) {
		printf("blist: %lu slots free, the count says %lu\n", nfree, bl->nfree);
		bad++;
	}
	if (bl->nslots % WORD_BITS != 0 &&
	    (bl->level[0][bl->nslots / WORD_BITS] & ~bit_range(0, bl->nslots % WORD_BITS)) != 0) {
		printf("blist: bits set past the last slot\n");
		bad++;
	}
	for (int k = 1; k < bl->nlevels; k++) {
		for (uint64_t i = 0; i < bl->nbits[k]; i++) {
			bool child = bl->level[k - 1][i] != 0;
			bool summary = (bl->level[k][i / WORD_BITS] >> (i % WORD_BITS)) & 1;

			if (child != summary) {
				printf("blist: level %d bit %lu is %d, its word is %s\n", k, i,
				    summary, child ? "not empty" : "empty");
				bad++;
			}
		}
	}
	return bad;
}
