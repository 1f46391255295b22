/*
 * Swap slot allocator: a radix tree of bitmaps (after FreeBSD's blist).
 *
 * A blist manages slots [0, nslots) of a swap device, one bit per slot
 * (1 = free) in leaf words of 64 bits.  Above the leaves sit summary
 * levels: bit j of a level-k word says "child j below has at least one
 * free slot", up to a single top word.  The summaries let a search jump
 * over allocated stretches in O(log64 n) word reads, so a nearly full
 * device is searched as fast as an empty one.
 *
 * blist_alloc hands out a run of contiguous slots (the swap pager writes
 * a cluster of neighbouring dirty pages to neighbouring slots in one
 * request).  It is next-fit: the search starts where the last run ended
 * and wraps around once, so successive clusters of a sequential pageout
 * land one after another on the disk.  A run is found whenever one
 * exists: runs may cross word and summary boundaries.
 *
 * Memory: the caller provides blist_bytes(nslots) bytes (about one bit
 * per slot and a sixty-third of that again), so the allocator itself
 * never allocates and can be tested as a plain data structure.
 *
 * Locking: none of its own; the swap device's lock guards it.
 */
#ifndef _VM_BLIST_H_
#define _VM_BLIST_H_

#include <kern/types.h>

#define BLIST_NONE	UINT64_MAX	/* no run of the size asked for */
#define BLIST_LEVELS_MAX 11		/* 64^11 > 2^64: enough for any count */

struct blist {
	uint64_t	nslots;		/* slots managed */
	uint64_t	nfree;		/* slots free */
	uint64_t	cursor;		/* where the next search starts */
	int		nlevels;	/* bitmaps: level 0 the leaves, the last one word */
	uint64_t	*level[BLIST_LEVELS_MAX];	/* bit i of level k: slot (k = 0) or child i has a free slot */
	uint64_t	nbits[BLIST_LEVELS_MAX];	/* bits in level k */
};

/* Bytes of memory a blist of nslots slots needs (passed to blist_init). */
size_t blist_bytes(uint64_t nslots);

/*
 * Make bl manage nslots slots, all free, in mem (blist_bytes(nslots)
 * bytes, 8-byte aligned, owned by the caller until the blist is done).
 */
void blist_init(struct blist *bl, void *mem, uint64_t nslots);

/*
 * Allocate count (>= 1) contiguous slots; return the first, or BLIST_NONE
 * when no free run that long exists.
 */
uint64_t blist_alloc(struct blist *bl, uint64_t count);

/* Free [start, start + count): every slot of it must be allocated. */
void blist_free(struct blist *bl, uint64_t start, uint64_t count);

/*
 * Mark [start, start + count) allocated, whatever state it is in (the
 * swap header page, bad pages); returns how many slots were free.
 */
uint64_t blist_reserve(struct blist *bl, uint64_t start, uint64_t count);

/* Is slot free? */
bool blist_is_free(const struct blist *bl, uint64_t slot);

static inline uint64_t blist_avail(const struct blist *bl) { return bl->nfree; }

/*
 * Verify the summaries against the leaves and the free count; returns
 * the number of inconsistencies (0 when sound).  For tests.
 */
int blist_check(const struct blist *bl);

#endif
