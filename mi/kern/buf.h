/*
 * The buffer cache: blocks of file-system metadata (superblock, group
 * descriptors, bitmaps, inode tables, indirect blocks, directories) kept
 * in memory over a block device (after 4.4BSD's getblk/bread/brelse and
 * xv6's bio.c).  File data does not come here: it lives in its vnode's
 * vm_object pages and the vnode pager moves it.
 *
 * A buffer is one block: a device, a block number and a size (one size
 * per device; the byte offset is blkno * size).  A caller gets a buffer
 * *locked* from getblk or bread, may read and change b_data, and gives it
 * back with exactly one of brelse (unchanged, or dirty already), bdwrite
 * (dirty: written later, by bflush or when the buffer is recycled) or
 * bwrite (written now).  There is one buffer per block, so holding the
 * buffer lock is holding the block.
 *
 * Life cycle.  b_refcnt counts the threads holding or waiting for the
 * buffer.  A buffer with no references sits on the LRU list and may be
 * recycled for another block once it is clean; a dirty one is written
 * first.  The cache holds at most bc_max buffers, but never waits for
 * one: when every buffer is referenced it allocates beyond the limit and
 * frees the surplus as buffers come back.
 *
 * Write errors: a delayed write that fails stays dirty and is marked
 * B_ERROR; bflush returns EIO (once per failure), and bcache_purge
 * discards such buffers at unmount.  A read error returns EIO and leaves
 * nothing behind, so the next bread tries the disk again.
 *
 * Locking:
 *   (B) bc_lock, the cache's lock (a sleep mutex; nothing sleeps on I/O
 *       under it): the hash, the LRU and dirty lists, b_refcnt, and a
 *       buffer's identity (b_dev, b_blkno, b_size), which changes only
 *       while b_refcnt == 0.
 *   (b) b_lock, the buffer's own lock (an sx lock, held exclusive, and
 *       across the buffer's disk I/O), held from getblk/bread to the
 *       release: b_data and b_flags.  A holder always has a reference,
 *       so while b_refcnt == 0 nobody holds b_lock and (B) suffices to
 *       read b_flags.  B_DELWRI is changed under both locks.
 *   Order: b_lock before bc_lock.  A thread holding bc_lock never
 *   sleeps for b_lock.
 *   (A) atomic counters.
 */
#ifndef _KERN_BUF_H_
#define _KERN_BUF_H_

#include <kern/types.h>
#include <kern/list.h>
#include <kern/sx.h>

struct blockdev;

struct buf {
	struct list_node b_hash;	/* (B) chain of its hash bucket */
	struct list_node b_lru;		/* (B) LRU list while b_refcnt == 0 */
	struct list_node b_dirty;	/* (B)+(b) dirty list while B_DELWRI */
	struct blockdev	*b_dev;		/* (B) NULL: no identity yet */
	uint64_t	b_blkno;	/* (B) in units of b_size */
	uint32_t	b_size;		/* (B) bytes, a power of two <= PAGE_SIZE */
	uint32_t	b_refcnt;	/* (B) holders and waiters */
	uint32_t	b_flushgen;	/* (B) the last bflush that took it */
	bool		b_gone;		/* (B) forgotten (binval) while held */
	uint32_t	b_flags;	/* (b) B_* */
	struct sx	b_lock;
	void		*b_data;	/* (b) b_size bytes */
};

/* b_flags */
#define B_VALID		0x0001	/* b_data holds the block */
#define B_DELWRI	0x0002	/* dirty: to be written */
#define B_ERROR		0x0004	/* the last write of this dirty buffer failed */

struct bcache_stats {
	uint64_t	bs_hits;	/* (A) getblk found the block */
	uint64_t	bs_misses;	/* (A) getblk had to take a buffer */
	uint64_t	bs_reads;	/* (A) blocks read from devices */
	uint64_t	bs_writes;	/* (A) blocks written to devices */
	uint64_t	bs_write_errors; /* (A) writes that failed */
	uint64_t	bs_recycled;	/* (A) buffers given a new identity */
	uint64_t	bs_buffers;	/* (B) buffers allocated */
	uint64_t	bs_dirty;	/* (B) buffers with B_DELWRI */
};

/* Set up the cache to keep at most nbuf buffers.  Once, at boot. */
void bcache_init(uint32_t nbuf);
/* Change the limit (tests shrink it to force recycling). */
void bcache_set_limit(uint32_t nbuf);
void bcache_get_stats(struct bcache_stats *st);

/*
 * The buffer of block blkno of dev, locked and referenced.  Its contents
 * are valid only if B_VALID is set; a caller that fills the whole block
 * itself may skip the read.  size must be the device's block size for
 * every call on that device.  NULL only when memory is exhausted.
 */
struct buf *getblk(struct blockdev *dev, uint64_t blkno, uint32_t size);
/*
 * The locked buffer of block blkno, read from the device if not cached.
 * 0 with *bpp set, or EIO (device error or block outside the device) or
 * ENOMEM with *bpp NULL.
 */
int bread(struct blockdev *dev, uint64_t blkno, uint32_t size, struct buf **bpp);
/* Release bp, unchanged (or already marked dirty). */
void brelse(struct buf *bp);
/* Mark bp valid and dirty, and release it; bflush writes it. */
void bdwrite(struct buf *bp);
/* Write bp now, mark it valid and clean, and release it: 0 or EIO. */
int bwrite(struct buf *bp);
/*
 * Write every buffer of dev that is dirty when called, and wait.  0, or
 * EIO if any write failed (those buffers stay dirty).  Does not flush the
 * device's own cache (blockdev_flush).
 */
int bflush(struct blockdev *dev);
/*
 * Forget block blkno of dev, dirty or not (its file system freed it): a
 * later getblk of it starts empty.  Safe to call for blocks not cached.
 */
void binval(struct blockdev *dev, uint64_t blkno);
/*
 * Drop every buffer of dev (unmount, after bflush).  Dirty buffers are
 * discarded; the number discarded is returned.  No buffer of dev may be
 * held.
 */
uint32_t bcache_purge(struct blockdev *dev);
/* Buffers of dev in the cache, and how many of them are held (tests). */
uint32_t bcache_count(struct blockdev *dev, uint32_t *held);

#endif
