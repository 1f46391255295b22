/*
 * Block devices, as the buffer cache and the file systems see them: a
 * numbered array of sectors that can be read and written in byte ranges
 * that are whole sectors.
 *
 * This is the narrowest interface the buffer cache (kern/buf.h) and the
 * ext2 layer (fs/ext2/) need.  The kernel implements it over the block
 * I/O layer and virtio-blk; the host tests implement it over a file or a
 * memory image (tests/host/blockdev_host.c).
 *
 * What an implementation must provide:
 *   - bd_sector_size: a power of two from 512 to PAGE_SIZE.  Every
 *     offset and length passed to bdo_read/bdo_write is a multiple of
 *     it, and the range lies inside [0, bd_size).  (blockdev_read and
 *     blockdev_write check this before calling the driver.)
 *   - bdo_read/bdo_write are synchronous: the calling thread may sleep
 *     until the transfer is complete, and must not hold a spin lock.
 *     They return 0 or EIO, and never panic on a device error.
 *   - The buffer is kernel memory.  The buffer cache passes block
 *     buffers of at most PAGE_SIZE bytes, from malloc, which are
 *     physically contiguous and aligned to their size (malloc's power-
 *     of-two buckets), so a page-based driver can turn one into a single
 *     segment with DMAP_TO_PHYS.  File data never comes this way: the
 *     vnode pager sends its own pages straight to the block I/O layer.
 *   - bdo_flush makes every completed write durable (a virtio-blk FLUSH);
 *     NULL if the device has no volatile cache.
 *   - Requests from several threads at once are allowed; the device
 *     orders nothing among them (the buffer cache never has two requests
 *     for one block in flight).
 *
 * Locking: every field is (C), set before the device is handed to a
 * file system and constant afterwards.
 */
#ifndef _KERN_BLOCKDEV_H_
#define _KERN_BLOCKDEV_H_

#include <kern/types.h>
#include <kern/errno.h>

struct blockdev;

struct blockdev_ops {
	int	(*bdo_read)(struct blockdev *bd, uint64_t off, void *buf, size_t len);
	int	(*bdo_write)(struct blockdev *bd, uint64_t off, const void *buf, size_t len);
	int	(*bdo_flush)(struct blockdev *bd);
};

struct blockdev {
	const char	*bd_name;	/* (C) "vda", for messages */
	uint32_t	bd_sector_size;	/* (C) bytes; a power of two >= 512 */
	uint64_t	bd_size;	/* (C) bytes; a multiple of bd_sector_size */
	const struct blockdev_ops *bd_ops; /* (C) */
	void		*bd_private;	/* (C) the driver's */
};

/* Is [off, off + len) a whole-sector range inside the device? */
static inline bool
blockdev_range_ok(const struct blockdev *bd, uint64_t off, size_t len)
{
	uint64_t end;

	if (__builtin_add_overflow(off, (uint64_t)len, &end) || end > bd->bd_size)
		return false;
	return ((off | len) & (bd->bd_sector_size - 1)) == 0;
}

/* Read len bytes at off into buf: 0, EIO, or EINVAL for a bad range. */
static inline int
blockdev_read(struct blockdev *bd, uint64_t off, void *buf, size_t len)
{
	if (!blockdev_range_ok(bd, off, len))
		return EINVAL;
	return bd->bd_ops->bdo_read(bd, off, buf, len);
}

/* Write len bytes of buf at off: 0, EIO, or EINVAL for a bad range. */
static inline int
blockdev_write(struct blockdev *bd, uint64_t off, const void *buf, size_t len)
{
	if (!blockdev_range_ok(bd, off, len))
		return EINVAL;
	return bd->bd_ops->bdo_write(bd, off, buf, len);
}

/* Make completed writes durable: 0 or EIO. */
static inline int
blockdev_flush(struct blockdev *bd)
{
	return bd->bd_ops->bdo_flush != NULL ? bd->bd_ops->bdo_flush(bd) : 0;
}

#endif
