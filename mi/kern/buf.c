/*
 * The buffer cache (see buf.h).
 *
 * One cache for every device: a hash table of buffers keyed by (device,
 * block number), an LRU list of the unreferenced ones, and a list of the
 * dirty ones.  Buffers are allocated on demand up to the limit, then
 * recycled from the LRU end.
 */
#include <kern/buf.h>
#include <kern/blockdev.h>
#include <kern/malloc.h>
#include <kern/mutex.h>
#include <kern/systm.h>

MALLOC_DEFINE(M_BUF, "buf", "buffer cache");

#define BC_HASH_SIZE	256		/* buckets; a power of two */

static struct {
	struct mtx	lock;
	struct list_node hash[BC_HASH_SIZE];	/* (B) */
	struct list_node lru;		/* (B) oldest first */
	struct list_node dirty;		/* (B) B_DELWRI buffers */
	uint32_t	max;		/* (B) buffers to keep */
	uint32_t	flushgen;	/* (B) numbers bflush calls */
	bool		ready;
	struct bcache_stats st;
} bc;

static void buf_unlink(struct buf *bp);
static struct buf *buf_alloc(uint32_t size);
static void buf_free(struct buf *bp);
static int buf_write(struct buf *bp);
static void dirty_list_set(struct buf *bp, bool dirty);

static struct list_node *
hash_head(const struct blockdev *dev, uint64_t blkno)
{
	uint64_t h = ((uintptr_t)dev >> 4) ^ (blkno * 0x9e3779b97f4a7c15ULL);

	return &bc.hash[(h >> 32) & (BC_HASH_SIZE - 1)];
}

static void
stat_add(uint64_t *counter)
{
	__atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

void
bcache_init(uint32_t nbuf)
{
	if (!bc.ready) {
		mtx_init(&bc.lock, "bcache");
		for (size_t i = 0; i < BC_HASH_SIZE; i++)
			list_init(&bc.hash[i]);
		list_init(&bc.lru);
		list_init(&bc.dirty);
		bc.ready = true;
	}
	bcache_set_limit(nbuf);
}

void
bcache_set_limit(uint32_t nbuf)
{
	KASSERT(bc.ready, ("bcache_set_limit: no bcache_init"));
	mtx_lock(&bc.lock);
	bc.max = MAX(nbuf, 1u);
	mtx_unlock(&bc.lock);
}

void
bcache_get_stats(struct bcache_stats *st)
{
	mtx_lock(&bc.lock);
	*st = bc.st;
	mtx_unlock(&bc.lock);
}

/* The cached buffer of (dev, blkno), or NULL.  => bc.lock held */
static struct buf *
bc_lookup(struct blockdev *dev, uint64_t blkno)
{
	struct list_node *head = hash_head(dev, blkno), *it;

	list_foreach(it, head) {
		struct buf *bp = list_entry(it, struct buf, b_hash);

		if (bp->b_dev == dev && bp->b_blkno == blkno)
			return bp;
	}
	return NULL;
}

/*
 * The oldest unreferenced buffer worth recycling: clean, or dirty without
 * a failed write (which would only fail again).  NULL if none.
 * => bc.lock held
 */
static struct buf *
lru_victim(void)
{
	struct list_node *it;

	list_foreach(it, &bc.lru) {
		struct buf *bp = list_entry(it, struct buf, b_lru);

		if (!(bp->b_flags & B_ERROR))
			return bp;
	}
	return NULL;
}

/* Give bp (unreferenced, unlocked) the identity (dev, blkno). => bc.lock */
static void
buf_set_identity(struct buf *bp, struct blockdev *dev, uint64_t blkno)
{
	bp->b_dev = dev;
	bp->b_blkno = blkno;
	bp->b_flags = 0;
	bp->b_gone = false;
	list_append(hash_head(dev, blkno), &bp->b_hash);
}

/*
 * Try to make room for one more buffer by recycling the LRU victim.
 * Returns a clean buffer of the right size, already renamed to (dev,
 * blkno) and referenced; or NULL after writing a dirty victim or freeing
 * a clean one of another size (the caller looks again), with bc.lock
 * dropped in that case (*dropped set); or NULL with nothing to recycle.
 * => bc.lock held
 */
static struct buf *
recycle(struct blockdev *dev, uint64_t blkno, uint32_t size, bool *dropped)
{
	struct buf *bp = lru_victim();

	*dropped = false;
	if (bp == NULL)
		return NULL;
	if (bp->b_flags & B_DELWRI) {
		/* Write it out (it keeps its identity) and let the caller retry. */
		bp->b_refcnt++;
		list_remove(&bp->b_lru);
		mtx_unlock(&bc.lock);
		*dropped = true;
		sx_xlock(&bp->b_lock);
		(void)buf_write(bp);
		brelse(bp);
		return NULL;
	}
	list_remove(&bp->b_lru);
	list_remove(&bp->b_hash);
	if (bp->b_size != size) {
		bc.st.bs_buffers--;
		mtx_unlock(&bc.lock);
		*dropped = true;
		buf_free(bp);
		return NULL;
	}
	buf_set_identity(bp, dev, blkno);
	bp->b_refcnt = 1;
	stat_add(&bc.st.bs_recycled);
	return bp;
}

struct buf *
getblk(struct blockdev *dev, uint64_t blkno, uint32_t size)
{
	struct buf *bp, *fresh = NULL;
	bool dropped;

	KASSERT(bc.ready, ("getblk: no bcache_init"));
	KASSERT(powerof2(size) && size >= 512, ("getblk: size %u", size));
	for (;;) {
		mtx_lock(&bc.lock);
		bp = bc_lookup(dev, blkno);
		if (bp != NULL) {
			KASSERT(bp->b_size == size, ("getblk: %s block %lu is %u bytes, not %u",
			    dev->bd_name, blkno, bp->b_size, size));
			if (bp->b_refcnt++ == 0)
				list_remove(&bp->b_lru);
			mtx_unlock(&bc.lock);
			stat_add(&bc.st.bs_hits);
			if (fresh != NULL)
				buf_free(fresh);
			sx_xlock(&bp->b_lock);
			return bp;
		}
		if (fresh == NULL && bc.st.bs_buffers >= bc.max) {
			bp = recycle(dev, blkno, size, &dropped);
			if (dropped)
				continue;
			if (bp != NULL)
				break;
		}
		if (fresh != NULL) {
			bp = fresh;
			bp->b_size = size;
			buf_set_identity(bp, dev, blkno);
			bp->b_refcnt = 1;
			bc.st.bs_buffers++;
			break;
		}
		mtx_unlock(&bc.lock);
		if ((fresh = buf_alloc(size)) == NULL)
			return NULL;
	}
	mtx_unlock(&bc.lock);
	stat_add(&bc.st.bs_misses);
	sx_xlock(&bp->b_lock);
	return bp;
}

int
bread(struct blockdev *dev, uint64_t blkno, uint32_t size, struct buf **bpp)
{
	struct buf *bp;
	uint64_t off;
	int error;

	*bpp = NULL;
	if (mul_overflows(blkno, (uint64_t)size, &off))
		return EIO;
	if ((bp = getblk(dev, blkno, size)) == NULL)
		return ENOMEM;
	if (!(bp->b_flags & B_VALID)) {
		stat_add(&bc.st.bs_reads);
		error = blockdev_read(dev, off, bp->b_data, size);
		if (error != 0) {
			brelse(bp);
			return EIO;
		}
		bp->b_flags |= B_VALID;
	}
	*bpp = bp;
	return 0;
}

void
brelse(struct buf *bp)
{
	bool drop = false;

	KASSERT(sx_xlocked(&bp->b_lock), ("brelse: buffer not held"));
	sx_xunlock(&bp->b_lock);
	mtx_lock(&bc.lock);
	KASSERT(bp->b_refcnt > 0, ("brelse: no reference"));
	if (--bp->b_refcnt == 0) {
		if (bp->b_gone) {
			drop = true;		/* binval took it out of the lists */
		} else if (bc.st.bs_buffers > bc.max && !(bp->b_flags & B_DELWRI)) {
			list_remove(&bp->b_hash);
			drop = true;		/* surplus beyond the limit */
		} else {
			list_append(&bc.lru, &bp->b_lru);
		}
		if (drop)
			bc.st.bs_buffers--;
	}
	mtx_unlock(&bc.lock);
	if (drop)
		buf_free(bp);
}

void
bdwrite(struct buf *bp)
{
	KASSERT(sx_xlocked(&bp->b_lock), ("bdwrite: buffer not held"));
	bp->b_flags |= B_VALID;
	if (!(bp->b_flags & B_DELWRI)) {
		mtx_lock(&bc.lock);
		bp->b_flags |= B_DELWRI;
		if (!bp->b_gone)
			dirty_list_set(bp, true);
		mtx_unlock(&bc.lock);
	}
	brelse(bp);
}

int
bwrite(struct buf *bp)
{
	int error;

	KASSERT(sx_xlocked(&bp->b_lock), ("bwrite: buffer not held"));
	bp->b_flags |= B_VALID;
	error = buf_write(bp);
	brelse(bp);
	return error;
}

int
bflush(struct blockdev *dev)
{
	struct list_node *it;
	struct buf *bp;
	uint32_t gen;
	int error = 0;

	mtx_lock(&bc.lock);
	gen = ++bc.flushgen;
	for (;;) {
		bp = NULL;
		list_foreach(it, &bc.dirty) {
			struct buf *b = list_entry(it, struct buf, b_dirty);

			if (b->b_dev == dev && b->b_flushgen != gen) {
				bp = b;
				break;
			}
		}
		if (bp == NULL)
			break;
		bp->b_flushgen = gen;
		if (bp->b_refcnt++ == 0)
			list_remove(&bp->b_lru);
		mtx_unlock(&bc.lock);
		sx_xlock(&bp->b_lock);
		if ((bp->b_flags & B_DELWRI) && buf_write(bp) != 0)
			error = EIO;
		brelse(bp);
		mtx_lock(&bc.lock);
	}
	mtx_unlock(&bc.lock);
	return error;
}

void
binval(struct blockdev *dev, uint64_t blkno)
{
	struct buf *bp;

	mtx_lock(&bc.lock);
	bp = bc_lookup(dev, blkno);
	if (bp == NULL) {
		mtx_unlock(&bc.lock);
		return;
	}
	if (bp->b_refcnt > 0) {
		/* Its holders finish with it; the last release frees it. */
		list_remove(&bp->b_hash);
		if (bp->b_flags & B_DELWRI)
			dirty_list_set(bp, false);
		bp->b_gone = true;
		mtx_unlock(&bc.lock);
		return;
	}
	buf_unlink(bp);
	mtx_unlock(&bc.lock);
	buf_free(bp);
}

uint32_t
bcache_purge(struct blockdev *dev)
{
	struct list_node *it, *tmp;
	struct list_node doomed;
	uint32_t discarded = 0;

	list_init(&doomed);
	mtx_lock(&bc.lock);
	for (size_t i = 0; i < BC_HASH_SIZE; i++) {
		list_foreach_safe(it, tmp, &bc.hash[i]) {
			struct buf *bp = list_entry(it, struct buf, b_hash);

			if (bp->b_dev != dev)
				continue;
			KASSERT(bp->b_refcnt == 0, ("bcache_purge: %s block %lu is held",
			    dev->bd_name, bp->b_blkno));
			if (bp->b_flags & B_DELWRI)
				discarded++;
			buf_unlink(bp);
			list_append(&doomed, &bp->b_hash);
		}
	}
	mtx_unlock(&bc.lock);
	while (!list_empty(&doomed)) {
		it = list_first(&doomed);
		list_remove(it);
		buf_free(list_entry(it, struct buf, b_hash));
	}
	return discarded;
}

uint32_t
bcache_count(struct blockdev *dev, uint32_t *held)
{
	struct list_node *it;
	uint32_t n = 0, h = 0;

	mtx_lock(&bc.lock);
	for (size_t i = 0; i < BC_HASH_SIZE; i++) {
		list_foreach(it, &bc.hash[i]) {
			struct buf *bp = list_entry(it, struct buf, b_hash);

			if (bp->b_dev == dev) {
				n++;
				h += bp->b_refcnt > 0;
			}
		}
	}
	mtx_unlock(&bc.lock);
	if (held != NULL)
		*held = h;
	return n;
}

/*
 * Helpers.
 */

/* Take an unreferenced bp out of every list.  => bc.lock held */
static void
buf_unlink(struct buf *bp)
{
	KASSERT(bp->b_refcnt == 0, ("buf_unlink: buffer is held"));
	list_remove(&bp->b_hash);
	list_remove(&bp->b_lru);
	if (bp->b_flags & B_DELWRI)
		dirty_list_set(bp, false);
	bc.st.bs_buffers--;
}

/* Put bp on the dirty list or take it off.  => bc.lock held */
static void
dirty_list_set(struct buf *bp, bool dirty)
{
	if (dirty) {
		list_append(&bc.dirty, &bp->b_dirty);
		bc.st.bs_dirty++;
	} else {
		list_remove(&bp->b_dirty);
		bc.st.bs_dirty--;
	}
}

/*
 * Write bp to its device.  Success makes it clean; failure leaves it
 * dirty with B_ERROR.  => bp locked, bc.lock not held
 */
static int
buf_write(struct buf *bp)
{
	uint64_t off = bp->b_blkno * bp->b_size;	/* it was read or made there */
	bool gone;
	int error;

	mtx_lock(&bc.lock);
	gone = bp->b_gone;
	mtx_unlock(&bc.lock);
	if (gone) {
		/* The block was freed and may belong to someone else now. */
		bp->b_flags &= ~(B_DELWRI | B_ERROR);
		return 0;
	}
	stat_add(&bc.st.bs_writes);
	error = blockdev_write(bp->b_dev, off, bp->b_data, bp->b_size);
	mtx_lock(&bc.lock);
	if (error == 0) {
		bp->b_flags &= ~B_ERROR;
		if ((bp->b_flags & B_DELWRI) && !bp->b_gone)
			dirty_list_set(bp, false);
		bp->b_flags &= ~B_DELWRI;
	} else {
		stat_add(&bc.st.bs_write_errors);
		bp->b_flags |= B_ERROR;
		if (!(bp->b_flags & B_DELWRI) && !bp->b_gone)
			dirty_list_set(bp, true);
		bp->b_flags |= B_DELWRI;
		error = EIO;
	}
	mtx_unlock(&bc.lock);
	return error;
}

static struct buf *
buf_alloc(uint32_t size)
{
	struct buf *bp = malloc(sizeof(*bp), M_BUF, M_WAITOK | M_ZERO);

	if (bp == NULL)
		return NULL;
	if ((bp->b_data = malloc(size, M_BUF, M_WAITOK)) == NULL) {
		free(bp, M_BUF);
		return NULL;
	}
	bp->b_size = size;
	sx_init(&bp->b_lock, "buf");
	return bp;
}

static void
buf_free(struct buf *bp)
{
	sx_destroy(&bp->b_lock);
	free(bp->b_data, M_BUF);
	free(bp, M_BUF);
}
