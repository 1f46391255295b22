/*
 * The vnode pager: the pager behind every regular file's vm_object, and
 * the page cache of files on a disk (after FreeBSD's vnode_pager.c and
 * Linux's filemap and readahead).
 *
 * A file's data live once, in its object's pages: read(2) and write(2)
 * copy to and from them, mappings map them.  For ramfs the pages have no
 * file behind them: under memory pressure they go to swap, as FreeBSD's
 * tmpfs and Linux's shmem send theirs, through the swap pager's functions
 * (swap_pager.h), the copies kept in the file object's swap metadata.
 * The laundry writes a ramfs file's dirty pages there (putpages), a
 * missing page with a copy is read back from it (getpages, with the
 * swap pager's read-around), and one with no copy is a hole, zero-filled.
 * A write to a page with a copy frees the copy (it is stale: the write
 * fault, vnode_pager_release_page); truncation, a punched hole and the
 * file's death free the copies of the pages that go.  msync and fsync of
 * a ramfs file write nothing.
 * A file on a disk (its file system has vop_bmap) is read into pages and
 * written back from them here, with the block I/O layer, clustered:
 *
 *   Reading.  A missing page is read with its neighbours, one request
 *   per run of blocks that lie consecutively on the disk (vop_bmap gives
 *   the runs), holes zero-filled.  How many neighbours is the read-ahead
 *   window: RA_INITIAL pages at a miss with no history, doubling up to
 *   RA_MAX while the file is read sequentially (a miss where the last
 *   read-ahead ended), the maximum at once with POSIX_FADV_SEQUENTIAL,
 *   one page with POSIX_FADV_RANDOM.  Pages are exclusively busy while
 *   their read is in flight; the reader sleeps only for the page it wants, so the rest
 *   of the window arrives while it copies.  When a reader reaches the
 *   first page of the newest window, the next window is started without
 *   waiting (asynchronous read-ahead), so a sequential reader finds its
 *   pages already there.  A read that fails leaves its pages marked
 *   VPO_IOERR; whoever looks for one next frees it, and a reader whose
 *   own read failed gets EIO.  Pages read join the paging queues when
 *   their read ends (inactive, or active if the working set says they
 *   were evicted not long ago: vm_workingset_refault), in interrupt
 *   context: the queues' per-cpu batches are only touched with
 *   interrupts off (a spin lock held), so an interrupt cannot find one
 *   half changed.
 *
 *   Writing back.  A page is dirty when write(2) changed it (VPO_DIRTY)
 *   or a mapping wrote to it (the pmap's modified bit).  Write-back takes
 *   runs of neighbouring dirty pages, clears their dirty state (and write
 *   access through mappings, so a later store dirties them again),
 *   share-busies them and marks them VPO_WRITEBACK, and sends each run of
 *   consecutive disk blocks in one request.  Busy, they are safe from
 *   the page daemon and the laundry, which pass busy pages by, and from
 *   a store through a mapping (a write fault sleeps until they are
 *   unbusied); read(2) and read faults may still use them.  Completion,
 *   in interrupt context, ends the pages' write-back (unbusies them; a
 *   clean page the laundry was waiting for goes to the inactive queue's
 *   head, to be freed next) and counts the vnode's requests in flight
 *   (v_numoutput) down; a failure is counted in v_wb_errors, which fsync
 *   reports once to each open file, as Linux's errseq does.  The pages
 *   stay clean then, as on Linux: a disk that keeps failing is not
 *   retried forever, and memory is not held hostage by it (the page
 *   daemon may free such a page; its data are lost, and the error is
 *   what the program learns).
 *
 *   The laundry (vm_laundry.c) writes dirty file pages the page daemon
 *   found through putpages, without waiting.  It must not sleep for the
 *   file's I/O lock: a writer holding it may itself be asleep in vm_wait
 *   until the laundry frees memory.  So it only tries the lock, and a
 *   file busy with I/O keeps its pages in the laundry for a later pass.
 *
 *   A page a mapping wrote over a hole gets its blocks when it is
 *   written back (vop_balloc), as delayed allocation does; ENOSPC then
 *   is a write-back error.  The bytes of the last page past the end of
 *   the file are zeroed before it goes out, as Linux does, so that what a
 *   mapping stored there never reaches the disk.
 *
 *   Pages a mapping may write are dirtied by stores the VM never sees
 *   (the pmap's dirty-bit emulation): the first writable mapping of a
 *   page since the object's last full write-back marks the object
 *   OBJ_WRITEMAPPED and the vnode VV_DIRTY (writemapped), and a full
 *   write-back keeps the vnode dirty while the object is still mapped,
 *   so the syncer keeps looking at it, as FreeBSD's OBJ_MIGHTBEDIRTY.
 *
 * Truncation takes the I/O lock of the vnode and waits for write-back
 * first, so no page is removed under a reader or writer holding it; the
 * page daemon, which takes no I/O lock, could still free a clean page,
 * so read(2) and write(2) hold each page kernel-wired (vm_page_wire_kernel)
 * while they copy, and vnode_pager_release_page lets it go.
 *
 * Faults.  The fault handler calls getpages with no lock held, the page
 * it allocated exclusively busy (vm_fault.c); for a file on a disk the
 * page is read here with its neighbours, in the window the mapping's
 * madvise advice asks for (MADV_SEQUENTIAL also frees the clean pages
 * well behind the reader: nothing will want them again soon), and the
 * next window starts at once while the reader goes sequentially, so a
 * program walking a mapping finds its pages in.  getpages takes no I/O
 * lock: a read(2) holding one may be what faults (copying into a mapping
 * of a file).  Truncation sets the new size, then waits for the fills in
 * progress (their paging-in-progress counts: each may have seen the old
 * size) before it removes pages and frees blocks.  The read-ahead state
 * is therefore guarded by v_lock.
 *
 * The object holds no reference on its vnode (the vnode holds one on the
 * object).  When the vnode is reclaimed it drops that reference; if
 * mappings still use the object, the vnode lives on, unreferenced and
 * unlinked, until the object dies, when dealloc frees it (vop_free).
 * pager_data is therefore always a valid vnode for as long as the object
 * exists.
 *
 * Locking: vn_size takes the vnode's v_lock (which may be taken with the
 * object lock held); the object lock guards its pages and their oflags.
 * A clustered read holds a paging-in-progress count on the object until
 * it ends (vnode_pager_drain waits for them).
 */
#include <kern/systm.h>
#include <kern/bio.h>
#include <kern/disk.h>
#include <kern/malloc.h>
#include <kern/sched.h>
#include <kern/sleepqueue.h>
#include <kern/uio.h>
#include <machine/cpu.h>
#include <vm/pmap.h>
#include <vm/swap_device.h>
#include <vm/swap_pager.h>
#include <vm/vm_laundry.h>
#include <vm/vm_wait.h>
#include <vm/vm_workingset.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pager.h>
#include <vm/vnode_pager.h>
#include <vm/zone.h>
#include <fs/mount.h>
#include <fs/vnode.h>
#include <uapi/mman.h>

MALLOC_DEFINE(M_VPIO, "vnode pager I/O", "clustered reads and writes of file pages");

#define RA_INITIAL	16		/* pages read at a miss with no history: 64 KiB */
#define RA_MAX		64		/* the read-ahead window's and a write-back run's limit */
#define FREE_BEHIND	(2 * RA_MAX)	/* MADV_SEQUENTIAL: clean pages this far behind go */

struct vnode_pager_stats vnode_pager_stats;

#define VSTAT_ADD(field, n) __atomic_add_fetch(&vnode_pager_stats.field, (n), __ATOMIC_RELAXED)

/*
 * One clustered read or write: a range of consecutive pages of an
 * object, moved by one or more bios (one per run of disk blocks).  It
 * ends when its last bio and its submitter are done with it.
 */
struct vpio {
	struct vnode	*vp;		/* (C) */
	struct vm_object *obj;		/* (C) */
	bool		write;		/* (C) */
	bool		waited;		/* (C) a fault waits for it: pages[0] is its page */
	bool		done;		/* (O) ended (a waited io: its waiter frees it) */
	uint32_t	refs;		/* (A) bios in flight, plus the submitter's */
	int		error;		/* (A) an error of any bio, or 0 */
	uint32_t	npages;		/* (C) */
	vm_pindex_t	first;		/* (C) */
	struct vm_page	*pages[RA_MAX];	/* (C) */
};

/* A bio of a vpio (the bio's memory must live until it completes). */
struct vpio_bio {
	struct bio	bio;
	struct vpio	*io;
};

static bool
page_in_file(struct vm_object *obj, vm_pindex_t pindex)
{
	return pindex < atop(round_page(vn_size(obj->pager_data)));
}

static bool
on_disk(struct vnode *vp)
{
	return vp->v_ops->vop_bmap != NULL && vp->v_mount != NULL && vp->v_mount->mnt_disk != NULL;
}

static void mark_dirty(struct vnode *vp);

static inline void *
page_kva(struct vm_page *m, size_t off)
{
	return (void *)(PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)) + off);
}

/*
 * Clustered I/O.
 */

/*
 * The io is done: end the pages' busy or write-back state and free it
 * (a waited io's first page stays busy, its waiter's: the fault's, which
 * unbusies it, and the waiter frees the io).  Any context.
 */
static void
vpio_finish(struct vpio *io)
{
	struct vm_object *obj = io->obj;
	struct vnode *vp = io->vp;
	int error = __atomic_load_n(&io->error, __ATOMIC_ACQUIRE);
	bool waited = io->waited;

	spin_lock(&obj->lock);
	for (uint32_t i = 0; i < io->npages; i++) {
		struct vm_page *m = io->pages[i];

		if (io->write) {
			m->oflags &= ~VPO_WRITEBACK;
			vm_page_sunbusy(m);
			vm_laundry_written(m);	/* clean now: the laundry's page may go */
		} else if (!waited || i > 0) {
			if (error)
				m->oflags |= VPO_IOERR;
			else
				(void)vm_workingset_refault(m);	/* evicted not long ago: active */
			vm_page_xunbusy(m);
		}
	}
	if (!io->write)
		vm_object_pip_wakeup(obj);
	if (waited) {
		io->done = true;
		wakeup(io);
	}
	spin_unlock(&obj->lock);
	if (io->write) {
		VSTAT_ADD(writeback, -(int64_t)io->npages);
		if (error) {
			__atomic_add_fetch(&vp->v_wb_errors, 1, __ATOMIC_RELEASE);
			VSTAT_ADD(write_errors, 1);
		}
		/* The vnode may go once this reaches 0: touch nothing of it after. */
		__atomic_sub_fetch(&vp->v_numoutput, 1, __ATOMIC_RELEASE);
		wakeup(&vp->v_numoutput);
	} else if (error) {
		VSTAT_ADD(read_errors, 1);
	}
	/* Zones take spin locks only: freeing from an interrupt handler is fine. */
	if (!waited)
		free(io, M_VPIO);
}

static void
vpio_release(struct vpio *io)
{
	if (__atomic_sub_fetch(&io->refs, 1, __ATOMIC_ACQ_REL) == 0)
		vpio_finish(io);
}

static void
vpio_bio_done(struct bio *bp)
{
	struct vpio_bio *vb = bp->bio_caller;
	struct vpio *io = vb->io;

	if (bp->bio_error != 0)
		__atomic_store_n(&io->error, bp->bio_error, __ATOMIC_RELEASE);
	free(vb, M_VPIO);
	vpio_release(io);
}

/*
 * Send bytes [off, off + len) of io's range (file offsets) to or from the
 * disk at diskoff, in bios of at most the disk's pages per request.
 */
static int
vpio_submit_run(struct vpio *io, struct disk *dp, uint64_t off, uint64_t diskoff,
    uint64_t len)
{
	while (len > 0) {
		uint32_t pgoff = (uint32_t)(off & PAGE_MASK);
		uint64_t chunk = MIN(len, (uint64_t)dp->d_max_pages * PAGE_SIZE - pgoff);
		struct vpio_bio *vb = malloc(sizeof(*vb), M_VPIO, M_WAITOK | M_ZERO);

		if (vb == NULL)
			return ENOMEM;
		vb->io = io;
		vb->bio.bio_cmd = io->write ? BIO_WRITE : BIO_READ;
		vb->bio.bio_offset = diskoff;
		vb->bio.bio_length = chunk;
		vb->bio.bio_pages = &io->pages[atop(off) - io->first];
		vb->bio.bio_page_offset = pgoff;
		vb->bio.bio_done = vpio_bio_done;
		vb->bio.bio_caller = vb;
		__atomic_add_fetch(&io->refs, 1, __ATOMIC_ACQ_REL);
		if (io->write)
			VSTAT_ADD(write_requests, 1);
		else
			VSTAT_ADD(read_requests, 1);
		bio_submit(dp, &vb->bio);
		off += chunk;
		diskoff += chunk;
		len -= chunk;
	}
	return 0;
}

/* Zero bytes [off, end) (file offsets) of io's pages. */
static void
vpio_zero(struct vpio *io, uint64_t off, uint64_t end)
{
	while (off < end) {
		size_t pgoff = off & PAGE_MASK, n = MIN(PAGE_SIZE - pgoff, end - off);

		memset(page_kva(io->pages[atop(off) - io->first], pgoff), 0, n);
		off += n;
	}
}

/*
 * Move io's pages (file bytes [first, first + npages) in pages) to or from
 * the disk: each run vop_bmap gives is one request (a hole is zero-filled
 * when reading and skipped when writing); bytes past the file's last
 * block read as zeros.  The io ends when the last request completes.
 * => the vnode's I/O lock held (the block map stays put)
 */
static void
vpio_start(struct vpio *io)
{
	struct vnode *vp = io->vp;
	struct mount *mp = vp->v_mount;
	uint64_t off = ptoa(io->first), end = ptoa(io->first + io->npages);
	uint64_t fend = roundup2(vn_size(vp), (uint64_t)mp->mnt_bsize);
	int error = 0;

	io->refs = 1;
	if (io->write)
		vpio_zero(io, MAX(vn_size(vp), off), MIN(end, round_page(vn_size(vp))));
	while (off < end && off < fend && error == 0) {
		uint64_t diskoff, len;

		if ((error = vp->v_ops->vop_bmap(vp, off, MIN(end, fend) - off, &diskoff,
		    &len)) != 0)
			break;
		KASSERT(len > 0 && (len & (mp->mnt_bsize - 1)) == 0,
		    ("vpio_start: bmap gave %lu bytes", len));
		len = MIN(len, end - off);
		if (io->write && diskoff == VBMAP_HOLE) {
			/* A mapping wrote over a hole: blocks now, then map again. */
			error = vp->v_ops->vop_balloc != NULL ?
			    vp->v_ops->vop_balloc(vp, off, MIN(len, fend - off)) : EIO;
			continue;
		}
		if (diskoff != VBMAP_HOLE)
			error = vpio_submit_run(io, mp->mnt_disk, off, diskoff, len);
		else if (!io->write)
			vpio_zero(io, off, off + len);
		off += len;
	}
	if (error)
		__atomic_store_n(&io->error, error == ENOMEM ? EIO : error, __ATOMIC_RELEASE);
	else if (!io->write && off < end)
		vpio_zero(io, MAX(off, fend), end);	/* past the last block */
	vpio_release(io);
}

static struct vpio *
vpio_alloc(struct vnode *vp, bool write, vm_pindex_t first)
{
	struct vpio *io = malloc(sizeof(*io), M_VPIO, M_WAITOK | M_ZERO);

	if (io != NULL) {
		io->vp = vp;
		io->obj = vp->v_object;
		io->write = write;
		io->first = first;
	}
	return io;
}

/*
 * Read pages [start, start + want) of vp that are not resident, stopping
 * at the first one that is (or at the end of the file): allocated busy,
 * filled asynchronously.  With first, the caller's own page at start
 * (inserted, exclusively busy) is the first of them, and the io is
 * waited for (*iop: vpio_wait).  Returns the number of pages asked for
 * (0 if the first one is resident or past the end, or memory is short).
 * => the I/O lock held, or the pages' busy state is what keeps truncation
 *    from freeing their blocks meanwhile (vnode_pager_getpages)
 */
static uint32_t
read_cluster(struct vnode *vp, vm_pindex_t start, uint32_t want, struct vm_page *first,
    struct vpio **iop)
{
	struct vm_object *obj = vp->v_object;
	vm_pindex_t last = atop(round_page(vn_size(vp)));
	struct vpio *io;
	uint32_t n = 0;

	if (start >= last || (io = vpio_alloc(vp, false, start)) == NULL)
		return 0;
	want = (uint32_t)MIN((uint64_t)MIN(want, RA_MAX), last - start);
	if (first != NULL) {
		io->waited = true;
		io->pages[n++] = first;
	}
	spin_lock(&obj->lock);
	for (; n < want; n++) {
		struct vm_page *m;

		if (vm_page_lookup(obj, start + n) != NULL ||
		    (m = vm_page_alloc(obj, start + n, 0)) == NULL)
			break;
		io->pages[n] = m;
	}
	if (n > 0)
		vm_object_pip_add(obj);		/* until vpio_finish */
	spin_unlock(&obj->lock);
	io->npages = n;
	if (n == 0) {
		free(io, M_VPIO);
		return 0;
	}
	VSTAT_ADD(pageins, n);
	if (iop != NULL)
		*iop = io;
	vpio_start(io);
	return n;
}

/* Sleep until the waited io ends; free it.  Its error (EIO), or 0. */
static int
vpio_wait(struct vpio *io)
{
	struct vm_object *obj = io->obj;
	int error;

	spin_lock(&obj->lock);
	while (!io->done)
		sleep_on(io, &obj->lock);
	spin_unlock(&obj->lock);
	error = __atomic_load_n(&io->error, __ATOMIC_ACQUIRE);
	free(io, M_VPIO);
	return error != 0 ? EIO : 0;
}

/*
 * Reading.
 */

/*
 * How many pages to read at a miss at idx: the read-ahead window (see
 * the top of the file), and where the next read-ahead starts.
 * => v_lock not held (it guards the read-ahead state)
 */
static uint32_t
window_at_miss(struct vnode *vp, vm_pindex_t idx, int ioflag)
{
	uint32_t window;

	if (ioflag & IO_RANDOM)
		return 1;
	spin_lock(&vp->v_lock);
	if (ioflag & IO_SEQUENTIAL)
		window = RA_MAX;
	else if (idx == vp->v_ra_end && vp->v_ra_window > 0)
		window = MIN(2 * vp->v_ra_window, RA_MAX);
	else
		window = RA_INITIAL;
	vp->v_ra_window = window;
	vp->v_ra_end = idx + window;
	vp->v_ra_trigger = window > 1 ? idx + window / 2 : UINT64_MAX;
	spin_unlock(&vp->v_lock);
	return window;
}

/* Has the reader, at idx, reached the point where the next window is due? */
static bool
read_ahead_due(struct vnode *vp, vm_pindex_t idx)
{
	return idx == __atomic_load_n(&vp->v_ra_trigger, __ATOMIC_RELAXED);
}

/* A reader reached the read-ahead trigger: start the next window now. */
static void
read_ahead(struct vnode *vp, int ioflag)
{
	uint32_t window;
	vm_pindex_t start;

	spin_lock(&vp->v_lock);
	window = (ioflag & IO_SEQUENTIAL) ? RA_MAX : MIN(2 * vp->v_ra_window, RA_MAX);
	start = vp->v_ra_end;
	vp->v_ra_window = window;
	vp->v_ra_end = start + window;
	vp->v_ra_trigger = start;	/* when the reader gets there, the next one */
	spin_unlock(&vp->v_lock);
	if (read_cluster(vp, start, window, NULL, NULL) > 0)
		VSTAT_ADD(readaheads, 1);
}

/*
 * The page at idx of obj, waiting while it is being read (exclusively
 * busy; a page under write-back, share-busy, may be copied from and to);
 * a page whose read failed is freed (and *failed set).  NULL if missing.
 * The object lock is held on return (and dropped while asleep).
 */
static struct vm_page *
lookup_locked(struct vm_object *obj, vm_pindex_t idx, bool *failed)
{
	struct vm_page *m;

	*failed = false;
	spin_lock(&obj->lock);
	while ((m = vm_page_lookup(obj, idx)) != NULL && vm_page_busy_sleep(m, &obj->lock, true))
		spin_lock(&obj->lock);
	if (m != NULL && (m->oflags & VPO_IOERR)) {
		pmap_remove_all(m);
		vm_page_free(m);
		*failed = true;
		m = NULL;
	}
	return m;
}

int
vnode_pager_get_page(struct vnode *vp, vm_pindex_t idx, int ioflag, struct vm_page **mp)
{
	struct vm_object *obj = vp->v_object;
	bool read_it = false, failed;

	KASSERT(on_disk(vp), ("vnode_pager_get_page: vnode %lu is not on a disk", vp->v_ino));
	for (;;) {
		struct vm_page *m = lookup_locked(obj, idx, &failed);
		uint32_t want;

		if (m != NULL)
			vm_page_wire_kernel(m);		/* until vnode_pager_release_page */
		spin_unlock(&obj->lock);
		if (failed && read_it && (ioflag & IO_RANDOM))
			return EIO;	/* our own read of the page alone failed */
		if (failed && read_it)
			ioflag |= IO_RANDOM;	/* a cluster failed: try the page alone, as Linux */
		if (m != NULL) {
			if (!(ioflag & IO_RANDOM) && read_ahead_due(vp, idx))
				read_ahead(vp, ioflag);
			*mp = m;
			return 0;
		}
		want = window_at_miss(vp, idx, ioflag);
		if (read_cluster(vp, idx, want, NULL, NULL) == 0) {
			/*
			 * Past the end, or no memory: let the allocators' caches go
			 * and retry once; then the caller reclaims with the I/O
			 * lock dropped (this file's pages may be what can go).
			 */
			if (idx >= atop(round_page(vn_size(vp))))
				return EFAULT;
			if (read_it)
				return ENOMEM;
			zone_reclaim_all();
		}
		read_it = true;
	}
}

int
vnode_pager_grab_page(struct vnode *vp, vm_pindex_t idx, bool contents, struct vm_page **mp)
{
	struct vm_object *obj = vp->v_object;
	struct vm_page *m;
	bool failed;

	if (contents)
		return vnode_pager_get_page(vp, idx, IO_RANDOM, mp);
	for (int tries = 0;; tries++) {
		if ((m = lookup_locked(obj, idx, &failed)) == NULL)
			m = vm_page_alloc_zeroed(obj, idx);
		if (m != NULL)
			vm_page_wire_kernel(m);		/* until vnode_pager_release_page */
		spin_unlock(&obj->lock);
		if (m != NULL) {
			*mp = m;
			return 0;
		}
		if (tries > 0)
			return ENOMEM;
		zone_reclaim_all();
	}
}

int
vnode_pager_wait_memory(struct vnode *vp, bool shared)
{
	int error;

	vn_iounlock(vp);
	error = vm_wait(0, VM_ALLOC_NORMAL, VM_WAIT_FAILOK);
	if (shared)
		vn_iolock_shared(vp);
	else
		vn_iolock(vp);
	return error;
}

ssize_t
vnode_pager_read(struct vnode *vp, struct uio *uio,
    int (*getpage)(struct vnode *vp, vm_pindex_t idx, int ioflag, struct vm_page **mp),
    bool shared)
{
	size_t done = 0;
	uint64_t size;
	int error = 0;

	if (shared)
		vn_iolock_shared(vp);
	else
		vn_iolock(vp);
	size = vp->v_size;
	while (uio->uio_resid > 0 && uio->uio_offset < size) {
		uint64_t off = uio->uio_offset;
		size_t pgoff = off & PAGE_MASK;
		size_t n = MIN(MIN(PAGE_SIZE - pgoff, uio->uio_resid), size - off);
		struct vm_page *m;

		if ((error = getpage(vp, atop(off), uio->uio_ioflag, &m)) == ENOMEM) {
			if ((error = vnode_pager_wait_memory(vp, shared)) != 0)
				break;
			size = vp->v_size;	/* the lock was dropped: look again */
			continue;
		}
		if (error)
			break;
		if (m != NULL) {
			error = uiomove(page_kva(m, pgoff), n, uio);
			vnode_pager_release_page(vp, m, false);
		} else {
			error = uiomove_zeros(n, uio);
		}
		if (error)
			break;
		done += n;
	}
	vn_iounlock(vp);
	if (done == 0 && error)
		return -error;
	return (ssize_t)done;
}

int
vnode_pager_write_begin(struct vnode *vp, struct uio *uio, uint64_t maxsize, uint64_t *sizep)
{
	uint64_t size;

	vn_iolock(vp);
	size = vp->v_size;
	if (uio->uio_ioflag & IO_APPEND)
		uio->uio_offset = size;
	if (uio->uio_resid > 0 && uio->uio_offset >= maxsize) {
		vn_iounlock(vp);
		return EFBIG;
	}
	if (uio->uio_resid > maxsize - uio->uio_offset)
		uio->uio_resid = maxsize - uio->uio_offset;
	if (uio->uio_resid > 0 && uio->uio_offset + uio->uio_resid > size)
		vnode_pager_zero_tail(vp, size);	/* what a mapping left there must not show */
	*sizep = size;
	return 0;
}

/*
 * ramfs: the page at idx of obj (locked, and locked on return), if it is
 * not resident and has a copy in swap, is read back (what is there must
 * not read as a hole's zeros).  Memory is waited for; if none comes, or
 * the copy cannot be read, the page stays out.
 */
static void
ramfs_page_back(struct vm_object *obj, vm_pindex_t idx)
{
	while (vm_page_lookup(obj, idx) == NULL && swap_pager_has_copy(obj, idx)) {
		int error = vm_object_page_in(obj, idx, 0);

		if (error == ENOMEM)
			error = vm_wait(0, VM_ALLOC_NORMAL, VM_WAIT_FAILOK);
		spin_lock(&obj->lock);
		if (error != 0)
			break;
	}
}

void
vnode_pager_zero_tail(struct vnode *vp, uint64_t size)
{
	size_t off = size & PAGE_MASK;
	struct vm_object *obj = vp->v_object;
	struct vm_page *m;

	if (off == 0)
		return;
	/* Under the object lock: the page daemon may not free it meanwhile. */
	spin_lock(&obj->lock);
	if (!on_disk(vp))
		ramfs_page_back(obj, atop(size));
	m = vm_page_lookup(obj, atop(size));
	if (m != NULL && !vm_page_xbusied(m)) {	/* being read: it comes with zeros there */
		memset(page_kva(m, off), 0, PAGE_SIZE - off);
		swap_pager_page_dirtied(m);	/* to be written; for ramfs, a copy is stale */
	} else {
		m = NULL;
	}
	spin_unlock(&obj->lock);
	if (m != NULL && on_disk(vp))
		mark_dirty(vp);
}

/* vp has (or may have) dirty pages: the syncer is to look at it. */
static void
mark_dirty(struct vnode *vp)
{
	spin_lock(&vp->v_lock);
	vp->v_flags |= VV_DIRTY;
	spin_unlock(&vp->v_lock);
	syncer_note_dirty();
}

void
vnode_pager_release_page(struct vnode *vp, struct vm_page *m, bool dirtied)
{
	struct vm_object *obj = vp->v_object;

	spin_lock(&obj->lock);
	if (dirtied)
		swap_pager_page_dirtied(m);	/* a copy in swap (ramfs) is stale now */
	vm_page_unwire_kernel(m);
	spin_unlock(&obj->lock);
	if (dirtied && on_disk(vp))
		mark_dirty(vp);
}

/*
 * Writing back.
 */

/* Is m (resident, object locked) dirty, by write(2) or through a mapping? */
static bool
page_is_dirty(struct vm_page *m)
{
	return (m->oflags & VPO_DIRTY) || pmap_is_modified(m);
}

/*
 * Take the run of neighbouring dirty pages from *idx (object locked)
 * into io for writing: their dirty state goes, write-back begins (each
 * share-busy until its write completes).  A busy page (being read, or
 * written back) ends the run; with wait, a dirty busy page (dirtied again
 * during its write-back) is waited for (the lock is dropped meanwhile)
 * and looked at again.  *idx moves past what was looked at.  The number taken.
 */
static uint32_t
take_dirty_run(struct vm_object *obj, vm_pindex_t *idx, vm_pindex_t end, bool wait,
    struct vpio *io)
{
	uint64_t at = *idx;
	struct vm_page *m;
	uint32_t n = 0;

	while ((m = vm_radix_lookup_ge(&obj->pages, at, &at)) != NULL && at < end) {
		bool dirty = page_is_dirty(m);

		if (vm_page_busied(m) && wait && dirty) {
			/* Its write (or a read) is in flight: wait, then look again. */
			if (vm_page_busy_sleep(m, &obj->lock, false))
				spin_lock(&obj->lock);
			continue;
		}
		if (vm_page_busied(m) || !dirty) {
			at++;
			continue;
		}
		break;
	}
	*idx = at;
	if (m == NULL || at >= end)
		return 0;
	io->first = at;
	for (; n < RA_MAX && at + n < end; n++) {
		if (n > 0 && ((m = vm_page_lookup(obj, at + n)) == NULL || vm_page_busied(m) ||
		    !page_is_dirty(m)))
			break;
		if (!vm_page_trysbusy(m))
			break;
		vm_page_clear_dirty(m);
		if (pmap_is_modified(m))
			pmap_clear_modify(m);	/* a later store through a mapping dirties it again */
		m->oflags |= VPO_WRITEBACK;
		io->pages[n] = m;
	}
	*idx = at + n;
	return n;
}

int
vnode_pager_write_back(struct vnode *vp, vm_pindex_t start, vm_pindex_t end, bool sync)
{
	struct vm_object *obj = vp->v_object;
	uint32_t errors = __atomic_load_n(&vp->v_wb_errors, __ATOMIC_ACQUIRE);
	bool whole = start == 0 && end == UINT64_MAX, still_mapped = false;
	vm_pindex_t idx = start;
	int error = 0;

	KASSERT(on_disk(vp), ("vnode_pager_write_back: vnode %lu is not on a disk", vp->v_ino));
	if (whole) {
		/*
		 * Dirtied from now on: the flag comes back, and the next pass
		 * looks.  Pages mapped writable may be dirtied unseen: while the
		 * object is mapped (more references than the vnode's) it stays.
		 */
		spin_lock(&obj->lock);
		if ((obj->flags & OBJ_WRITEMAPPED) && obj->ref_count > 1)
			still_mapped = true;
		else
			obj->flags &= ~OBJ_WRITEMAPPED;
		spin_unlock(&obj->lock);
		if (!still_mapped) {
			spin_lock(&vp->v_lock);
			vp->v_flags &= ~VV_DIRTY;
			spin_unlock(&vp->v_lock);
		}
	}
	for (;;) {
		struct vpio *io = vpio_alloc(vp, true, 0);
		uint32_t n;

		if (io == NULL) {
			error = ENOMEM;
			break;
		}
		spin_lock(&obj->lock);
		n = take_dirty_run(obj, &idx, end, sync, io);
		spin_unlock(&obj->lock);
		if (n == 0) {
			free(io, M_VPIO);
			break;
		}
		io->npages = n;
		VSTAT_ADD(pageouts, n);
		VSTAT_ADD(writeback, n);
		__atomic_add_fetch(&vp->v_numoutput, 1, __ATOMIC_ACQ_REL);
		vpio_start(io);
	}
	if ((error != 0 && whole) || still_mapped)
		mark_dirty(vp);		/* not all of it went, or more may come: the next pass */
	if (!sync)
		return error;
	vnode_pager_wait_writes(vp);
	if (error == 0 && __atomic_load_n(&vp->v_wb_errors, __ATOMIC_ACQUIRE) != errors)
		error = EIO;
	return error;
}

void
vnode_pager_wait_writes(struct vnode *vp)
{
	/* The count falls before its wakeup takes the chain lock: none is lost. */
	sleepq_lock(&vp->v_numoutput);
	while (__atomic_load_n(&vp->v_numoutput, __ATOMIC_ACQUIRE) != 0) {
		sleepq_wait(&vp->v_numoutput, SLEEPQ_EXCLUSIVE, 0, 0);
		sleepq_lock(&vp->v_numoutput);
	}
	sleepq_release(&vp->v_numoutput);
}

void
vnode_pager_drain(struct vnode *vp)
{
	struct vm_object *obj = vp->v_object;

	vnode_pager_wait_writes(vp);
	/* Reads in flight (read-ahead nobody waited for), and faults filling pages. */
	spin_lock(&obj->lock);
	vm_object_pip_wait(obj);
	spin_unlock(&obj->lock);
}

/*
 * Free m (object locked) if it is clean and idle: not busy, wired, dirty
 * or under write-back; mapped, only with unmap (its mappings go first,
 * and a store they made keeps it).  Was it freed?
 */
static bool
free_clean_page(struct vm_page *m, bool unmap)
{
	if (vm_page_busied(m) || m->wire_count > 0 || (m->oflags & (VPO_DIRTY | VPO_WRITEBACK)))
		return false;
	if (!unmap && pmap_page_is_mapped(m))
		return false;
	/*
	 * Even when it looks unmapped: a remover on another cpu that has just
	 * unlinked its last mapping may not have flushed its TLB yet, and
	 * pmap_remove_all waits for that (vm_object.c, page_unmap_free).
	 */
	pmap_remove_all(m);
	if (pmap_is_modified(m))
		return false;	/* written through a mapping: write-back's */
	vm_page_free(m);
	return true;
}

/* Free vp's clean pages in [idx, end), at most max of them.  The number freed. */
static uint64_t
free_clean_pages(struct vnode *vp, vm_pindex_t idx, vm_pindex_t end, uint64_t max, bool unmap)
{
	struct vm_object *obj = vp->v_object;
	struct vm_page *m;
	uint64_t freed = 0;

	spin_lock(&obj->lock);
	while (freed < max && (m = vm_radix_lookup_ge(&obj->pages, idx, &idx)) != NULL &&
	    idx < end) {
		if (free_clean_page(m, unmap))
			freed++;
		if (idx == UINT64_MAX)
			break;
		idx++;
	}
	spin_unlock(&obj->lock);
	return freed;
}

uint64_t
vnode_pager_drop_clean(struct vnode *vp)
{
	uint64_t dropped = free_clean_pages(vp, 0, UINT64_MAX, UINT64_MAX, false);

	VSTAT_ADD(dropped, dropped);
	return dropped;
}

/*
 * The pager's operations (the fault path).
 */

/* The read-ahead advice a mapping's MADV_* gives, as ioflags. */
static int
advice_ioflag(int advice)
{
	switch (advice) {
	case MADV_SEQUENTIAL:
		return IO_SEQUENTIAL;
	case MADV_RANDOM:
		return IO_RANDOM;
	default:
		return 0;
	}
}

/*
 * MADV_SEQUENTIAL: the clean pages of vp a window behind idx go, unmapped
 * from every mapping (a page a mapping dirtied meanwhile stays, dirty).
 * => I/O lock held (no reader is copying from them)
 */
static void
free_behind(struct vnode *vp, vm_pindex_t idx)
{
	struct vm_object *obj = vp->v_object;
	vm_pindex_t at;
	uint64_t freed = 0;

	if (idx < FREE_BEHIND)
		return;
	at = idx - FREE_BEHIND - MIN(idx - FREE_BEHIND, (vm_pindex_t)RA_MAX);
	spin_lock(&obj->lock);
	for (; at < idx - FREE_BEHIND; at++) {
		struct vm_page *m = vm_page_lookup(obj, at);

		if (m != NULL && free_clean_page(m, true))
			freed++;
	}
	spin_unlock(&obj->lock);
	VSTAT_ADD(freed_behind, freed);
}

/*
 * Fill m, a fault's page (vm_pager.h): for ramfs its copy in swap, with
 * the neighbours the fault's behind and ahead allow, or for a hole zeros
 * (swap_pager_read); for a
 * file on a disk, read it with the window the mapping's advice asks for
 * (its own read-ahead: the fault's behind and ahead are the swap pager's),
 * and wait for it (if the window fails, m alone is tried again, as Linux
 * does: the bad block may be a neighbour's).  While the reader goes
 * sequentially, the next window starts now, and with MADV_SEQUENTIAL the
 * clean pages far behind go (if the file's I/O lock is free: no reader is
 * copying from them).  No lock is held (see the top of the file).
 */
static int
vnode_pager_getpages(struct vm_object *obj, struct vm_page *m, int behind, int ahead,
    int advice)
{
	struct vnode *vp = obj->pager_data;
	int ioflag = advice_ioflag(advice), error = EIO;
	struct vpio *io;
	uint32_t want;

	if (!page_in_file(obj, m->pindex))
		return EIO;
	if (!on_disk(vp))
		return swap_pager_read(obj, m, behind, ahead);
	want = window_at_miss(vp, m->pindex, ioflag);
	if (read_cluster(vp, m->pindex, want, m, &io) > 0)
		error = vpio_wait(io);
	if (error != 0 && want > 1 && read_cluster(vp, m->pindex, 1, m, &io) > 0)
		error = vpio_wait(io);
	if (error != 0)
		return EIO;		/* SIGBUS */
	if (!(ioflag & IO_RANDOM) && ((ioflag & IO_SEQUENTIAL) ||
	    __atomic_load_n(&vp->v_ra_window, __ATOMIC_RELAXED) > RA_INITIAL))
		read_ahead(vp, ioflag);
	if ((ioflag & IO_SEQUENTIAL) && vn_iolock_try(vp)) {
		free_behind(vp, m->pindex);
		vn_iounlock(vp);
	}
	return 0;
}

/* A page of obj was mapped writable: a file on a disk is dirty from now on (see the top). */
static void
vnode_pager_writemapped(struct vm_object *obj)
{
	struct vnode *vp = obj->pager_data;

	if (on_disk(vp))
		mark_dirty(vp);
}

/*
 * Every page inside the file is the pager's.  A file on a disk clusters
 * its reads itself (getpages); a ramfs page with a copy in swap comes
 * with the neighbours whose copies sit next to its own.
 */
static bool
vnode_pager_haspage(struct vm_object *obj, vm_pindex_t pindex, int *before, int *after)
{
	if (!page_in_file(obj, pindex))
		return false;
	if (!on_disk(obj->pager_data) && swap_pager_haspage(obj, pindex, before, after))
		return true;
	if (before != NULL)
		*before = 0;
	if (after != NULL)
		*after = 0;
	return true;
}

bool
vnode_pager_can_launder(struct vm_object *obj)
{
	struct vnode *vp = obj->pager_data;

	if (!on_disk(vp))
		return swap_free_pages() > 0;	/* ramfs: to swap */
	return !(__atomic_load_n(&vp->v_mount->mnt_flags, __ATOMIC_RELAXED) & MNT_RDONLY);
}

/*
 * Write back [start, end) (vm_pager.h): a file on a disk writes its dirty
 * pages in the range.  With VM_PAGER_PUT_SYNC (msync's MS_SYNC) it waits,
 * and writes the file's metadata too, as fsync of the range; with
 * VM_PAGER_PUT_FREE as well (MADV_PAGEOUT), the clean pages nothing maps
 * go after.  The laundry (VM_PAGER_PUT_LAUNDRY) only tries the file's
 * I/O lock (see the top of the file): EAGAIN, nothing written, if taken.
 * For ramfs, the laundry (and VM_PAGER_PUT_FREE) writes the dirty pages
 * to swap (swap_pager_write), after which they are clean and may be
 * freed; msync writes nothing, and only moves a store seen through a
 * mapping into its VPO_DIRTY (the page stays dirty: with no copy in swap
 * it must never be freed as clean).
 */
static int
vnode_pager_putpages(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end, int flags)
{
	struct vnode *vp = obj->pager_data;
	bool sync = (flags & VM_PAGER_PUT_SYNC) != 0;
	struct vm_page *m;
	uint64_t idx = start;
	int error;

	if (on_disk(vp)) {
		if (!(flags & VM_PAGER_PUT_LAUNDRY))
			vn_iolock(vp);
		else if (!vn_iolock_try(vp))
			return EAGAIN;
		error = vnode_pager_write_back(vp, start, end, sync);
		if (sync && (flags & VM_PAGER_PUT_FREE))
			(void)free_clean_pages(vp, start, end, UINT64_MAX, false);
		vn_iounlock(vp);
		/* MS_SYNC is fsync of the range: what finds the data must be on the disk too. */
		if (error == 0 && sync)
			error = vp->v_ops->vop_fsync_metadata(vp);
		return error;
	}
	if (flags & (VM_PAGER_PUT_LAUNDRY | VM_PAGER_PUT_FREE))
		return swap_pager_write(obj, start, end, flags);

	spin_lock(&obj->lock);
	while (idx < end && (m = vm_radix_lookup_ge(&obj->pages, idx, &idx)) != NULL &&
	    idx < end) {
		if (pmap_is_modified(m)) {
			vm_page_set_dirty(m);
			pmap_clear_modify(m);
		}
		if (idx == UINT64_MAX)
			break;
		idx++;
	}
	spin_unlock(&obj->lock);
	return 0;
}

static void
vnode_pager_dealloc(struct vm_object *obj)
{
	struct vnode *vp = obj->pager_data;

	swap_pager_release(obj);	/* a ramfs file's copies in swap */
	if (vp->v_ops->vop_free != NULL)
		vp->v_ops->vop_free(vp);
	else
		vnode_free(vp);
}

static const struct vm_pager_ops vnode_pager_ops = {
	.name = "vnode",
	.getpages = vnode_pager_getpages,
	.haspage = vnode_pager_haspage,
	.putpages = vnode_pager_putpages,
	.writemapped = vnode_pager_writemapped,
	.dealloc = vnode_pager_dealloc,
};

struct vm_object *
vnode_pager_alloc(struct vnode *vp)
{
	struct vm_object *obj = vm_object_allocate(OBJT_VNODE, atop(round_page(vn_size(vp))));

	if (obj == NULL)
		return NULL;
	obj->pager = &vnode_pager_ops;
	obj->pager_data = vp;
	if (on_disk(vp))
		obj->flags |= OBJ_DIRTY_FILE;	/* its dirty pages are nr_dirty's */
	return obj;
}
