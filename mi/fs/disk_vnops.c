/*
 * Disks as files: /dev/vda, /dev/vdb, ... (block devices, VBLK vnodes in
 * devfs), with Linux's semantics for a raw block device.
 *
 *   read, pread   any offset and length; at or past the end: 0 bytes; a
 *                 read running past the end is cut short there
 *   write, pwrite any offset and length; at or past the end: ENOSPC; one
 *                 running past the end is cut short; a read-only disk: EPERM
 *   lseek         SEEK_END is the disk's size; past it: EINVAL (file.c)
 *   fsync         flushes the disk's write cache
 *   ioctl         BLKGETSIZE64, BLKGETSIZE, BLKSSZGET, BLKPBSZGET, BLKROGET,
 *                 BLKFLSBUF
 *
 * There is no page cache for disks (yet): every read and write goes to
 * the device at once, through a window of freshly allocated pages that
 * the data is copied to or from (the copy to user memory that Linux's
 * page cache also makes).  A call moves up to DISK_WINDOW_BIOS bios at a
 * time, all in flight together.  Where Linux would buffer a write and
 * report a device error at fsync, this reports it from write itself.
 *
 * Partial sectors.  A write that starts or ends inside a sector reads
 * that sector first and writes it back whole (read-modify-write).  Two
 * such writes to one sector must not interleave, or one's bytes would be
 * lost to the other's stale copy; nor may a whole-sector write slip in
 * between another's read and write.  So every write holds a range lock
 * on the sectors it touches (rounded out to whole sectors) from before
 * its first read until its last write completes; writes to disjoint
 * sectors run in parallel.  Reads take no lock: they see each sector as
 * the device last wrote it.
 *
 * Errors: a bio that fails ends the call, with a short count if anything
 * was moved before it, else EIO.  A read counts the bytes of the bios
 * before the failed one; a write counts the windows written before the
 * failed one (its own may be partly on the disk, as after any failed write).
 *
 * Locking: dd_lock, a sleep mutex, guards the range list (R); a write
 * waiting for a range sleeps on dd_range_free, uninterruptibly (it waits
 * for another write's disk I/O, which the disk watchdog bounds).
 */
#include <kern/systm.h>
#include <kern/condvar.h>
#include <kern/copy.h>
#include <kern/disk.h>
#include <kern/malloc.h>
#include <kern/mutex.h>
#include <vm/vm_page.h>
#include <uapi/fs.h>
#include <fs/vnode.h>

MALLOC_DEFINE(M_DISKDEV, "diskdev", "disk device files");

#define DISK_WINDOW_BIOS	4	/* bios in flight for one read or write call */
#define DISK_WINDOW_PAGES	(DISK_WINDOW_BIOS * BIO_MAX_PAGES)
#define DISK_WINDOW_ORDER	4	/* window pages come in blocks of up to 2^4 */
#define NOT_A_BLOCK		0xff	/* orders[] of a page inside a block */

/* v_data of a disk's vnode. */
struct diskdev {
	struct disk	*dd_disk;	/* (C) */
	struct mtx	dd_lock;
	struct list_node dd_ranges;	/* (R) sectors being written: struct disk_range */
	struct cv	dd_range_free;	/* a range was given back */
};

/* A byte range [start, end) of whole sectors that one write holds. */
struct disk_range {
	uint64_t	start;
	uint64_t	end;
	struct list_node link;		/* (R) on dd_ranges */
};

/*
 * The pages one call moves data through: blocks of contiguous pages where
 * the allocator has them (cheaper to take and give back than single
 * pages, and one DMA segment each), single pages where not.
 */
struct disk_window {
	struct vm_page	*pages[DISK_WINDOW_PAGES];
	uint8_t		orders[DISK_WINDOW_PAGES];	/* a block's order at its first page */
	uint32_t	npages;
};

/*
 * The range lock.
 */

static bool
range_busy(const struct diskdev *dd, uint64_t start, uint64_t end)
{
	const struct list_node *n;

	list_foreach(n, &dd->dd_ranges) {
		const struct disk_range *r = list_entry(n, struct disk_range, link);

		if (r->start < end && start < r->end)
			return true;
	}
	return false;
}

/* Hold [start, end), sleeping while another write holds any of it. */
static void
range_lock(struct diskdev *dd, struct disk_range *r, uint64_t start, uint64_t end)
{
	r->start = start;
	r->end = end;
	mtx_lock(&dd->dd_lock);
	while (range_busy(dd, start, end))
		cv_wait(&dd->dd_range_free, &dd->dd_lock);
	list_append(&dd->dd_ranges, &r->link);
	mtx_unlock(&dd->dd_lock);
}

static void
range_unlock(struct diskdev *dd, struct disk_range *r)
{
	mtx_lock(&dd->dd_lock);
	list_remove(&r->link);
	mtx_unlock(&dd->dd_lock);
	cv_broadcast(&dd->dd_range_free);
}

/*
 * The window.
 */

static void window_free(struct disk_window *w);

/* Pages for moving len bytes from off (at most a window's worth): 0 or ENOMEM. */
static int
window_alloc(struct disk *dp, struct disk_window *w, uint64_t off, size_t len)
{
	uint64_t start = rounddown2(off, (uint64_t)dp->d_sector_size);
	uint64_t end = roundup2(off + len, (uint64_t)dp->d_sector_size);
	uint32_t want = (uint32_t)MIN(atop(round_page(end - start)),
	    (uint64_t)DISK_WINDOW_BIOS * dp->d_max_pages);
	struct vm_page *m = NULL;
	int order = DISK_WINDOW_ORDER;

	for (w->npages = 0; w->npages < want; w->npages += 1U << order) {
		while ((1U << order) > want - w->npages)
			order--;
		while ((m = vm_page_alloc_pages(order, VM_ALLOC_SYSTEM | VM_ALLOC_NOWAIT)) == NULL && order > 0)
			order--;
		if (m == NULL)
			break;
		for (uint32_t i = 0; i < 1U << order; i++) {
			w->pages[w->npages + i] = &m[i];	/* a block's vm_pages are consecutive */
			w->orders[w->npages + i] = i == 0 ? (uint8_t)order : NOT_A_BLOCK;
		}
	}
	if (w->npages >= MIN(want, 2U))	/* two pages hold any unaligned sector pair */
		return 0;
	window_free(w);
	return ENOMEM;
}

static void
window_free(struct disk_window *w)
{
	for (uint32_t i = 0; i < w->npages; i++)
		if (w->orders[i] != NOT_A_BLOCK)
			vm_page_free_pages(w->pages[i], w->orders[i]);
	w->npages = 0;
}

/*
 * Read or write [start, start + len) of the disk through the window's
 * pages from the first on, in bios of d_max_pages, all in flight at
 * once.  *good is the length of the prefix that completed without error.
 * 0 or EIO.
 */
static int
window_io(struct disk *dp, struct disk_window *w, enum bio_cmd cmd, uint64_t start,
    size_t len, size_t *good)
{
	struct bio bios[DISK_WINDOW_BIOS];
	size_t per_bio = (size_t)dp->d_max_pages * PAGE_SIZE, done = 0;
	int n = 0, error = 0;

	KASSERT(len <= ptoa(w->npages), ("window_io: %zu bytes in %u pages", len, w->npages));
	for (; done < len; done += bios[n++].bio_length)
		bios[n] = (struct bio){ .bio_cmd = cmd, .bio_offset = start + done,
		    .bio_length = MIN(per_bio, len - done),
		    .bio_pages = &w->pages[atop(done)] };
	KASSERT(n <= DISK_WINDOW_BIOS, ("window_io: %d bios", n));
	for (int i = 0; i < n; i++)
		bio_submit(dp, &bios[i]);
	*good = 0;
	for (int i = 0; i < n; i++) {
		int e = bio_wait(&bios[i]);

		if (e == 0 && error == 0)
			*good += bios[i].bio_length;
		else if (error == 0)
			error = e;
	}
	return error != 0 ? EIO : 0;
}

/* Move n bytes between the window, from byte off of it, and the uio: 0 or EFAULT. */
static int
window_move(struct disk_window *w, size_t off, size_t n, struct uio *uio)
{
	while (n > 0) {
		struct vm_page *m = w->pages[atop(off)];
		size_t in_page = off & PAGE_MASK, chunk = MIN(n, PAGE_SIZE - in_page);
		char *kaddr = (char *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)) + in_page;

		if (uiomove(kaddr, chunk, uio) != 0)
			return EFAULT;
		off += chunk;
		n -= chunk;
	}
	return 0;
}

/*
 * The sectors the window covers next, for data from pos to limit:
 * [*start, *end), from the sector holding pos to the one holding limit's
 * last byte, or as far as the window's pages reach.
 */
static void
window_span(const struct disk *dp, const struct disk_window *w, uint64_t pos, uint64_t limit,
    uint64_t *start, uint64_t *end)
{
	*start = rounddown2(pos, (uint64_t)dp->d_sector_size);
	*end = MIN(roundup2(limit, (uint64_t)dp->d_sector_size), *start + ptoa(w->npages));
}

/* Read the one sector at byte off of the disk into the window, at byte woff of it. */
static int
window_read_sector(struct disk *dp, struct disk_window *w, uint64_t off, size_t woff)
{
	return bio_rw(dp, BIO_READ, off, dp->d_sector_size, &w->pages[atop(woff)],
	    (uint32_t)(woff & PAGE_MASK));
}

/*
 * Reading and writing.
 */

static ssize_t
disk_read(struct vnode *vp, struct uio *uio)
{
	struct disk *dp = ((struct diskdev *)vp->v_data)->dd_disk;
	uint64_t off = uio->uio_offset, start, end;
	size_t want, done = 0, good, usable;
	struct disk_window w;
	size_t before;
	int error = 0;

	if (off >= dp->d_size || uio->uio_resid == 0)
		return 0;
	want = MIN(uio->uio_resid, dp->d_size - off);
	if (window_alloc(dp, &w, off, want) != 0)
		return -ENOMEM;
	while (done < want && error == 0) {
		window_span(dp, &w, off + done, off + want, &start, &end);
		error = window_io(dp, &w, BIO_READ, start, end - start, &good);
		usable = start + good > off + done ?
		    MIN(start + good, off + want) - (off + done) : 0;
		before = uio->uio_resid;
		if (window_move(&w, off + done - start, usable, uio) != 0)
			error = EFAULT;
		done += before - uio->uio_resid;
	}
	window_free(&w);
	return done > 0 || error == 0 ? (ssize_t)done : -error;
}

/*
 * Write the data [off, data_end) of the uio, all inside the window's
 * sectors [start, end), reading first the sectors it covers only in part.
 * 0, EIO or EFAULT.  The range is locked.
 */
static int
write_window(struct disk *dp, struct disk_window *w, struct uio *uio, uint64_t start,
    uint64_t end, uint64_t off, uint64_t data_end)
{
	uint64_t ss = dp->d_sector_size;
	size_t good;
	int error = 0;

	if (off != start)
		error = window_read_sector(dp, w, start, 0);
	if (error == 0 && data_end != end && (end - ss != start || off == start))
		error = window_read_sector(dp, w, end - ss, end - ss - start);
	if (error != 0)
		return EIO;
	if (window_move(w, off - start, data_end - off, uio) != 0)
		return EFAULT;
	return window_io(dp, w, BIO_WRITE, start, end - start, &good);
}

static ssize_t
disk_write(struct vnode *vp, struct uio *uio)
{
	struct diskdev *dd = vp->v_data;
	struct disk *dp = dd->dd_disk;
	uint64_t off, start, end, data_end;
	size_t want, done = 0;
	struct disk_window w;
	struct disk_range r;
	struct uio before;
	int error = 0;

	if (uio->uio_resid == 0)
		return 0;
	if (dp->d_flags & DISK_READONLY)
		return -EPERM;
	if (uio->uio_ioflag & IO_APPEND)
		uio->uio_offset = dp->d_size;
	if ((off = uio->uio_offset) >= dp->d_size)
		return -ENOSPC;
	want = MIN(uio->uio_resid, dp->d_size - off);
	if (window_alloc(dp, &w, off, want) != 0)
		return -ENOMEM;
	while (done < want && error == 0) {
		window_span(dp, &w, off + done, off + want, &start, &end);
		data_end = MIN(end, off + want);
		before = *uio;
		range_lock(dd, &r, start, end);
		error = write_window(dp, &w, uio, start, end, off + done, data_end);
		range_unlock(dd, &r);
		if (error == 0)
			done = data_end - off;
		else
			*uio = before;	/* this window counts for nothing */
	}
	window_free(&w);
	return done > 0 || error == 0 ? (ssize_t)done : -error;
}

/*
 * The rest.
 */

static int
disk_fsync(struct vnode *vp)
{
	return bio_flush(((struct diskdev *)vp->v_data)->dd_disk) != 0 ? EIO : 0;
}

static int
disk_ioctl(struct vnode *vp, unsigned long cmd, void *uarg)
{
	struct disk *dp = ((struct diskdev *)vp->v_data)->dd_disk;
	uint64_t u64;
	unsigned long ul;
	int i;

	switch (cmd) {
	case BLKGETSIZE64:
		u64 = dp->d_size;
		return copyout(&u64, uarg, sizeof(u64)) ? EFAULT : 0;
	case BLKGETSIZE:
		ul = dp->d_size / 512;
		return copyout(&ul, uarg, sizeof(ul)) ? EFAULT : 0;
	case BLKSSZGET:
	case BLKPBSZGET:	/* the device names no other physical size */
		i = (int)dp->d_sector_size;
		return copyout(&i, uarg, sizeof(i)) ? EFAULT : 0;
	case BLKROGET:
		i = (dp->d_flags & DISK_READONLY) != 0;
		return copyout(&i, uarg, sizeof(i)) ? EFAULT : 0;
	case BLKFLSBUF:		/* nothing is cached: only the device's cache */
		return disk_fsync(vp);
	default:
		return ENOTTY;
	}
}

static void
disk_reclaim(struct vnode *vp)
{
	struct diskdev *dd = vp->v_data;

	cv_destroy(&dd->dd_range_free);
	mtx_destroy(&dd->dd_lock);
	free(dd, M_DISKDEV);
	vnode_free(vp);
}

static const struct vnode_ops disk_vnops = {
	.vop_read = disk_read,
	.vop_write = disk_write,
	.vop_ioctl = disk_ioctl,
	.vop_fsync = disk_fsync,
	.vop_reclaim = disk_reclaim,
};

struct disk *
disk_vnode_disk(struct vnode *vp)
{
	return vp->v_ops == &disk_vnops ? ((struct diskdev *)vp->v_data)->dd_disk : NULL;
}

int
disk_vnode_alloc(struct disk *dp, struct mount *mp, struct vnode **vpp)
{
	struct diskdev *dd = malloc(sizeof(*dd), M_DISKDEV, M_WAITOK | M_ZERO);
	struct vnode *vp;

	if (dd == NULL)
		return ENOMEM;
	if ((vp = vnode_alloc(VBLK, 0660, &disk_vnops, NULL, NULL, 0)) == NULL) {
		free(dd, M_DISKDEV);
		return ENOMEM;
	}
	dd->dd_disk = dp;
	mtx_init(&dd->dd_lock, "diskdev ranges");
	list_init(&dd->dd_ranges);
	cv_init(&dd->dd_range_free, "disk range");
	vp->v_data = dd;
	vnode_set_mount(vp, mp);
	vp->v_rdev = dp->d_rdev;
	vp->v_size = dp->d_size;
	*vpp = vp;
	return 0;
}
