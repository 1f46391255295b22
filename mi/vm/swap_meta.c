/*
 * Swap metadata in blocks of SWAP_META_PAGES slots (see swap_meta.h).
 */
#include <kern/systm.h>
#include <vm/swap_meta.h>
#include <vm/zone.h>

/* One block: the slots of indices [sb_first, sb_first + SWAP_META_PAGES). */
struct swblk {
	uint64_t	sb_first;		/* a multiple of SWAP_META_PAGES */
	uint32_t	sb_used;		/* slots in sb_slots that are not NONE */
	uint64_t	sb_slots[SWAP_META_PAGES];
};

static zone_t swblk_zone;

void
swap_meta_zinit(void)
{
	swblk_zone = zone_create("swblk", sizeof(struct swblk), 8, 0);
	if (swblk_zone == NULL)
		panic("swap_meta_zinit: no zone");
}

static inline uint64_t key_of(uint64_t pindex) { return pindex / SWAP_META_PAGES; }
static inline uint32_t slot_of(uint64_t pindex) { return pindex % SWAP_META_PAGES; }

static struct swblk *
block_lookup(const struct swap_meta *sm, uint64_t pindex)
{
	return vm_radix_lookup(&sm->sm_blocks, key_of(pindex));
}

/* Take slot i out of b, freeing b when it was the last. */
static uint64_t
block_clear(struct swap_meta *sm, struct swblk *b, uint32_t i)
{
	uint64_t slot = b->sb_slots[i];

	if (slot == SWAP_SLOT_NONE)
		return slot;
	b->sb_slots[i] = SWAP_SLOT_NONE;
	sm->sm_count--;
	if (--b->sb_used == 0) {
		vm_radix_remove(&sm->sm_blocks, key_of(b->sb_first));
		zone_free(swblk_zone, b);
	}
	return slot;
}

uint64_t
swap_meta_lookup(const struct swap_meta *sm, uint64_t pindex)
{
	struct swblk *b = block_lookup(sm, pindex);

	return b != NULL ? b->sb_slots[slot_of(pindex)] : SWAP_SLOT_NONE;
}

int
swap_meta_set(struct swap_meta *sm, uint64_t pindex, uint64_t slot, uint64_t *old)
{
	struct swblk *b = block_lookup(sm, pindex);
	uint32_t i = slot_of(pindex);

	KASSERT(slot != SWAP_SLOT_NONE, ("swap_meta_set: no slot for index %lu", pindex));
	if (b == NULL) {
		if ((b = zone_alloc(swblk_zone, M_NOWAIT | M_ZERO)) == NULL)
			return ENOMEM;
		b->sb_first = pindex - i;
		if (vm_radix_insert(&sm->sm_blocks, key_of(pindex), b) != 0) {
			zone_free(swblk_zone, b);
			return ENOMEM;
		}
	}
	*old = b->sb_slots[i];
	if (*old == SWAP_SLOT_NONE) {
		b->sb_used++;
		sm->sm_count++;
	}
	b->sb_slots[i] = slot;
	return 0;
}

uint64_t
swap_meta_remove(struct swap_meta *sm, uint64_t pindex)
{
	struct swblk *b = block_lookup(sm, pindex);

	return b != NULL ? block_clear(sm, b, slot_of(pindex)) : SWAP_SLOT_NONE;
}

uint64_t
swap_meta_next(const struct swap_meta *sm, uint64_t pindex, uint64_t *found)
{
	uint64_t key = key_of(pindex);
	uint32_t i = slot_of(pindex);
	struct swblk *b;

	while ((b = vm_radix_lookup_ge(&sm->sm_blocks, key, &key)) != NULL) {
		if (b->sb_first > pindex)
			i = 0;
		for (; i < SWAP_META_PAGES; i++) {
			if (b->sb_slots[i] != SWAP_SLOT_NONE) {
				*found = b->sb_first + i;
				return b->sb_slots[i];
			}
		}
		if (key == key_of(UINT64_MAX))
			break;
		key++;
	}
	return SWAP_SLOT_NONE;
}

/* A run of consecutive slots at consecutive indices, gathered for one free. */
struct run {
	uint64_t	slot;		/* first slot; NONE: no run yet */
	uint64_t	count;
	uint64_t	next_index;	/* the index that would extend it */
};

static void
run_add(struct run *r, uint64_t pindex, uint64_t slot,
    void (*free_run)(void *, uint64_t, uint64_t), void *arg)
{
	if (r->slot != SWAP_SLOT_NONE && pindex == r->next_index && slot == r->slot + r->count) {
		r->count++;
		r->next_index++;
		return;
	}
	if (r->slot != SWAP_SLOT_NONE)
		free_run(arg, r->slot, r->count);
	r->slot = slot;
	r->count = 1;
	r->next_index = pindex + 1;
}

uint64_t
swap_meta_remove_range(struct swap_meta *sm, uint64_t start, uint64_t end,
    void (*free_run)(void *arg, uint64_t slot, uint64_t count), void *arg)
{
	struct run r = { SWAP_SLOT_NONE, 0, 0 };
	uint64_t key = key_of(start), removed = 0, last = end - 1;	/* inclusive */
	struct swblk *b;

	if (end == UINT64_MAX)
		last = UINT64_MAX;
	while (start <= last && (b = vm_radix_lookup_ge(&sm->sm_blocks, key, &key)) != NULL &&
	    b->sb_first <= last) {
		uint64_t first = b->sb_first;
		bool last_block = key == key_of(UINT64_MAX);

		for (uint32_t i = 0; i < SWAP_META_PAGES; i++) {
			uint64_t pindex = first + i, slot;
			bool gone;

			if (pindex < start || pindex > last || b->sb_slots[i] == SWAP_SLOT_NONE)
				continue;
			gone = b->sb_used == 1;
			slot = block_clear(sm, b, i);
			run_add(&r, pindex, slot, free_run, arg);
			removed++;
			if (gone)
				break;		/* b is freed */
		}
		if (last_block)
			break;
		key++;
	}
	if (r.slot != SWAP_SLOT_NONE)
		free_run(arg, r.slot, r.count);
	return removed;
}

void
swap_meta_run(const struct swap_meta *sm, uint64_t pindex, uint64_t max_before,
    uint64_t max_after, uint64_t *before, uint64_t *after)
{
	uint64_t slot = swap_meta_lookup(sm, pindex), n;

	KASSERT(slot != SWAP_SLOT_NONE, ("swap_meta_run: index %lu has no copy", pindex));
	if (before != NULL) {
		for (n = 0; n < max_before && n < pindex &&
		    swap_meta_lookup(sm, pindex - n - 1) == slot - n - 1; n++)
			;
		*before = n;
	}
	if (after != NULL) {
		for (n = 0; n < max_after && pindex + n + 1 != 0 &&
		    swap_meta_lookup(sm, pindex + n + 1) == slot + n + 1; n++)
			;
		*after = n;
	}
}

int
swap_meta_check(const struct swap_meta *sm)
{
	uint64_t key = 0, total = 0;
	struct swblk *b;
	int problems = 0;

	while ((b = vm_radix_lookup_ge(&sm->sm_blocks, key, &key)) != NULL) {
		uint32_t used = 0;

		for (uint32_t i = 0; i < SWAP_META_PAGES; i++)
			used += b->sb_slots[i] != SWAP_SLOT_NONE;
		if (b->sb_first != key * SWAP_META_PAGES) {
			printf("swap_meta: block at key %lu says it starts at %lu\n", key, b->sb_first);
			problems++;
		}
		if (used != b->sb_used || used == 0) {
			printf("swap_meta: block at %lu holds %u slots, says %u\n", b->sb_first, used,
			    b->sb_used);
			problems++;
		}
		total += used;
		if (key == key_of(UINT64_MAX))
			break;
		key++;
	}
	if (total != sm->sm_count) {
		printf("swap_meta: %lu slots in blocks, count says %lu\n", total, sm->sm_count);
		problems++;
	}
	return problems;
}
