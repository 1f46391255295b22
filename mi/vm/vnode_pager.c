/*
 * The vnode pager: the pager behind every regular file's vm_object, and
 * the page cache of files on a disk (after FreeBSD's vnode_pager.c and
 * Linux's filemap and readahead).
 *
 * A file's data live once, in its object's pages: read(2) and write(2)
 * copy to and from them, mappings map them.  For ramfs the pages are the
 * only copy: a missing page inside the file is a hole and is zero-filled.
 * A file on a disk (its file system has vop_bmap) is read into pages and
 * written back from them here, with the block I/O layer, clustered:
 *
 *   Reading.  A missing page is read with its neighbours, one request
 *   per run of blocks that lie consecutively on the disk (vop_bmap gives
 *   the runs), holes zero-filled.  How many neighbours is the read-ahead
 *   window: RA_INITIAL pages at a miss with no history, doubling up to
 *   RA_MAX while the file is read sequentially (a miss where the last
 *   read-ahead ended), the maximum at once with POSIX_FADV_SEQUENTIAL,
 *   one page with POSIX_FADV_RANDOM.  Pages are busy while their read is
 *   in flight; the reader sleeps only for the page it wants, so the rest
 *   of the window arrives while it copies.  When a reader reaches the
 *   first page of the newest window, the next window is started without
 *   waiting (asynchronous read-ahead), so a sequential reader finds its
 *   pages already there.  A read that fails leaves its pages marked
 *   VPO_IOERR; whoever looks for one next frees it, and a reader whose
 *   own read failed gets EIO.
 *
 *   Writing back.  A page is dirty when write(2) changed it (VPO_DIRTY)
 *   or a mapping wrote to it (the pmap's modified bit).  Write-back takes
 *   runs of neighbouring dirty pages, clears their dirty state (and write
 *   access through mappings, so a later store dirties them again), marks
 *   them VPO_WRITEBACK and sends each run of consecutive disk blocks in
 *   one request.  Completion, in interrupt context, ends the pages'
 *   write-back and counts the vnode's requests in flight (v_numoutput)
 *   down; a failure is counted in v_wb_errors, which fsync reports once
 *   to each open file, as Linux's errseq does.  The pages stay clean then,
 *   as on Linux: a disk that keeps failing is not retried forever.
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
 * Pages never leave the object while the I/O lock of the vnode is held
 * (truncation takes it and waits for write-back first), so a reader or
 * writer holding it may copy to and from a page without keeping it busy.
 * The copy may fault on a mapping of another file on a disk (or of the
 * same one), whose fetch would take that file's I/O lock: it runs with
 * td_fault_nosleep, and when a fault would have slept the copy is done
 * again after faulting the user's page in without the lock (copy_page).
 *
 * Faults.  The fault path cannot sleep under its locks: for a file on a
 * disk, getpage says EFETCH, and the fault handler drops its locks
 * and calls fetch, which reads the page here like read(2) does, with the
 * window the mapping's madvise advice asks for (MADV_SEQUENTIAL also
 * frees the clean pages well behind the reader: nothing will want them
 * again soon), and starts the next window at once while the reader goes
 * sequentially, so that a program walking a mapping finds its pages in.
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
 */
#include <kern/systm.h>
#include <kern/bio.h>
#include <kern/disk.h>
#include <kern/malloc.h>
#include <kern/sched.h>
#include <kern/thread.h>
#include <kern/uio.h>
#include <machine/cpu.h>
#include <vm/pmap.h>
#include <vm/vm_fault.h>
#include <vm/vm_lowmem.h>
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
#define COPY_RETRIES	8		/* copy_page: faults in and tries again at most */

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

static inline void *
page_kva(struct vm_page *m, size_t off)
{
	return (void *)(PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)) + off);
}

/*
 * Clustered I/O.
 */

/* The io is done: end the pages' busy or write-back state and free it.  Any context. */
static void
vpio_finish(struct vpio *io)
{
	struct vm_object *obj = io->obj;
	struct vnode *vp = io->vp;
	int error = __atomic_load_n(&io->error, __ATOMIC_ACQUIRE);

	spin_lock(&obj->lock);
	for (uint32_t i = 0; i < io->npages; i++) {
		struct vm_page *m = io->pages[i];

		if (io->write) {
			vm_page_writeback_done(m);
		} else {
			if (error)
				m->oflags |= VPO_IOERR;
			vm_page_unbusy(m);
		}
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
 * filled asynchronously.  Returns the number of pages asked for (0 if
 * the first one is resident or past the end, or memory is short).
 * => I/O lock held
 */
static uint32_t
read_cluster(struct vnode *vp, vm_pindex_t start, uint32_t want)
{
	struct vm_object *obj = vp->v_object;
	vm_pindex_t last = atop(round_page(vn_size(vp)));
	struct vpio *io;
	uint32_t n;

	if (start >= last || (io = vpio_alloc(vp, false, start)) == NULL)
		return 0;
	want = (uint32_t)MIN((uint64_t)MIN(want, RA_MAX), last - start);
	spin_lock(&obj->lock);
	for (n = 0; n < want; n++) {
		struct vm_page *m;

		if (vm_page_lookup(obj, start + n) != NULL ||
		    (m = vm_page_alloc(obj, start + n, 0)) == NULL)
			break;
		io->pages[n] = m;
	}
	spin_unlock(&obj->lock);
	io->npages = n;
	if (n == 0) {
		free(io, M_VPIO);
		return 0;
	}
	VSTAT_ADD(pageins, n);
	vpio_start(io);
	return n;
}

/*
 * Reading.
 */

/*
 * How many pages to read at a miss at idx: the read-ahead window (see
 * the top of the file), and where the next read-ahead starts.
 * => I/O lock held (it guards the read-ahead state)
 */
static uint32_t
window_at_miss(struct vnode *vp, vm_pindex_t idx, int ioflag)
{
	uint32_t window;

	if (ioflag & IO_RANDOM)
		return 1;
	if (ioflag & IO_SEQUENTIAL)
		window = RA_MAX;
	else if (idx == vp->v_ra_end && vp->v_ra_window > 0)
		window = MIN(2 * vp->v_ra_window, RA_MAX);
	else
		window = RA_INITIAL;
	vp->v_ra_window = window;
	vp->v_ra_end = idx + window;
	vp->v_ra_trigger = window > 1 ? idx + window / 2 : UINT64_MAX;
	return window;
}

/* A reader reached the read-ahead trigger: start the next window now. */
static void
read_ahead(struct vnode *vp, int ioflag)
{
	uint32_t window = (ioflag & IO_SEQUENTIAL) ? RA_MAX : MIN(2 * vp->v_ra_window, RA_MAX);
	vm_pindex_t start = vp->v_ra_end;

	vp->v_ra_window = window;
	vp->v_ra_end = start + window;
	vp->v_ra_trigger = start;	/* when the reader gets there, the next one */
	if (read_cluster(vp, start, window) > 0)
		VSTAT_ADD(readaheads, 1);
}

/*
 * The page at idx of obj, waiting while it is busy; a page whose read
 * failed is freed (and *failed set).  NULL if missing.  The object lock
 * is held on return (and dropped while asleep).
 */
static struct vm_page *
lookup_locked(struct vm_object *obj, vm_pindex_t idx, bool *failed)
{
	struct vm_page *m;

	*failed = false;
	spin_lock(&obj->lock);
	while ((m = vm_page_lookup(obj, idx)) != NULL && m->busy)
		vm_page_sleep(obj, m);
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

		spin_unlock(&obj->lock);
		if (failed && read_it && (ioflag & IO_RANDOM))
			return EIO;	/* our own read of the page alone failed */
		if (failed && read_it)
			ioflag |= IO_RANDOM;	/* a cluster failed: try the page alone, as Linux */
		if (m != NULL) {
			if (idx == vp->v_ra_trigger && !(ioflag & IO_RANDOM))
				read_ahead(vp, ioflag);
			*mp = m;
			return 0;
		}
		want = (ioflag & IO_RANDOM) ? 1 : window_at_miss(vp, idx, ioflag);
		if (read_cluster(vp, idx, want) == 0) {
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
		if ((m = lookup_locked(obj, idx, &failed)) == NULL &&
		    (m = vm_page_alloc(obj, idx, 0)) != NULL) {
			spin_unlock(&obj->lock);
			pmap_zero_page(m);
			spin_lock(&obj->lock);
			vm_page_unbusy(m);
		}
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

void
vnode_pager_wait_memory(struct vnode *vp)
{
	vn_iounlock(vp);
	vm_lowmem();
	vn_iolock(vp);
}

int
vnode_pager_copy(struct vnode *vp, struct vm_page *m, size_t pgoff, size_t n, struct uio *uio)
{
	struct thread *td = curthread();
	int error;

	td->td_fault_nosleep++;
	if (m != NULL)
		error = uiomove(page_kva(m, pgoff), n, uio);
	else
		error = uiomove_zeros(n, uio);
	td->td_fault_nosleep--;
	if (error != EFAULT || !uio->uio_user)
		return error;
	/* Perhaps only a fault that had to sleep: fault the user's bytes in unlocked. */
	vn_iounlock(vp);
	error = vm_fault_user_range(uio->uio_base, MIN(n, uio->uio_resid),
	    uio->uio_write ? VM_PROT_READ : VM_PROT_WRITE);
	vn_iolock(vp);
	return error == 0 ? EAGAIN : EFAULT;
}

ssize_t
vnode_pager_read(struct vnode *vp, struct uio *uio,
    int (*getpage)(struct vnode *vp, vm_pindex_t idx, int ioflag, struct vm_page **mp))
{
	size_t done = 0;
	uint64_t size;
	int error = 0, retries = 0;

	vn_iolock(vp);
	size = vp->v_size;
	while (uio->uio_resid > 0 && uio->uio_offset < size) {
		uint64_t off = uio->uio_offset;
		size_t pgoff = off & PAGE_MASK;
		size_t n = MIN(MIN(PAGE_SIZE - pgoff, uio->uio_resid), size - off);
		struct vm_page *m;

		if ((error = getpage(vp, atop(off), uio->uio_ioflag, &m)) == ENOMEM &&
		    ++retries < COPY_RETRIES) {
			vnode_pager_wait_memory(vp);
			size = vp->v_size;
			continue;
		}
		if (error)
			break;
		error = vnode_pager_copy(vp, m, pgoff, n, uio);
		if (error == EAGAIN && ++retries < COPY_RETRIES) {
			size = vp->v_size;	/* the lock was dropped: look again */
			continue;
		}
		if (error) {
			error = EFAULT;		/* EAGAIN too: the page keeps going away */
			break;
		}
		retries = 0;
		done += n;
	}
	vn_iounlock(vp);
	if (done == 0 && error)
		return -error;
	return (ssize_t)done;
}

int
vnode_pager_write_begin(struct vnode *vp, struct uio *uio, uint64_t maxsize, bool dirty,
    uint64_t *sizep)
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
		vnode_pager_zero_tail(vp, size, dirty);	/* what a mapping left there must not show */
	*sizep = size;
	return 0;
}

void
vnode_pager_zero_tail(struct vnode *vp, uint64_t size, bool dirty)
{
	size_t off = size & PAGE_MASK;
	struct vm_object *obj = vp->v_object;
	struct vm_page *m;

	if (off == 0)
		return;
	spin_lock(&obj->lock);
	m = vm_page_lookup(obj, atop(size));
	if (m != NULL && m->busy)
		m = NULL;	/* being read: it comes in with zeros past the end */
	spin_unlock(&obj->lock);
	if (m == NULL)
		return;
	memset(page_kva(m, off), 0, PAGE_SIZE - off);
	if (dirty)
		vnode_pager_dirty(vp, m);
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
vnode_pager_dirty(struct vnode *vp, struct vm_page *m)
{
	struct vm_object *obj = vp->v_object;

	spin_lock(&obj->lock);
	vm_page_set_dirty(m);
	spin_unlock(&obj->lock);
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
 * into io for writing: their dirty state goes, write-back begins.  A
 * page being read or written back ends the run; with wait, a dirty page
 * under write-back is waited for (the lock is dropped meanwhile) and
 * taken.  *idx moves past what was looked at.  The number taken.
 */
static uint32_t
take_dirty_run(struct vm_object *obj, vm_pindex_t *idx, vm_pindex_t end, bool wait,
    struct vpio *io)
{
	uint64_t at = *idx;
	struct vm_page *m;
	uint32_t n = 0;

	while ((m = vm_radix_lookup_ge(&obj->pages, at, &at)) != NULL && at < end) {
		if (m->busy || !page_is_dirty(m)) {
			at++;
			continue;
		}
		if (m->oflags & VPO_WRITEBACK) {
			if (!wait) {
				at++;
				continue;
			}
			vm_page_sleep(obj, m);
			continue;
		}
		break;
	}
	*idx = at;
	if (m == NULL || at >= end)
		return 0;
	io->first = at;
	for (; n < RA_MAX && at + n < end; n++) {
		if (n > 0 && ((m = vm_page_lookup(obj, at + n)) == NULL || m->busy ||
		    (m->oflags & VPO_WRITEBACK) || !page_is_dirty(m)))
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
	spin_lock(&sched_lock);
	while (__atomic_load_n(&vp->v_numoutput, __ATOMIC_ACQUIRE) != 0)
		sleep_on(&vp->v_numoutput, &sched_lock);
	spin_unlock(&sched_lock);
}

void
vnode_pager_drain(struct vnode *vp)
{
	struct vm_object *obj = vp->v_object;
	struct vm_page *m;
	uint64_t idx;

	vnode_pager_wait_writes(vp);
	/* Reads in flight (read-ahead nobody waited for). */
	spin_lock(&obj->lock);
	while (obj->busy_pages > 0) {
		for (idx = 0; (m = vm_radix_lookup_ge(&obj->pages, idx, &idx)) != NULL; idx++) {
			if (m->busy) {
				vm_page_sleep(obj, m);
				break;
			}
			if (idx == UINT64_MAX)
				break;
		}
	}
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
	if (m->busy || m->wire_count > 0 || (m->oflags & (VPO_DIRTY | VPO_WRITEBACK)))
		return false;
	if (pmap_page_is_mapped(m)) {
		if (!unmap)
			return false;
		pmap_remove_all(m);
	}
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
 * Reclaiming: the first want idle pages of the file (the lowest indices:
 * for a file written or read from its start, the oldest) are taken from
 * every mapping, one shootdown each, which records a store a mapping made
 * in the page; then the dirty ones among them are written back, and the
 * clean ones freed.
 */
uint64_t
vnode_pager_reclaim(struct vnode *vp, uint64_t want)
{
	struct vm_object *obj = vp->v_object;
	vm_pindex_t idx = 0, start = UINT64_MAX, end = 0;
	uint64_t taken = 0, freed;
	struct vm_page *m;

	spin_lock(&obj->lock);
	while (taken < want && (m = vm_radix_lookup_ge(&obj->pages, idx, &idx)) != NULL) {
		if (!m->busy && m->wire_count == 0) {
			if (pmap_page_is_mapped(m))
				pmap_remove_all(m);
			start = MIN(start, idx);
			end = idx + 1;
			taken++;
		}
		if (idx == UINT64_MAX)
			break;
		idx++;
	}
	spin_unlock(&obj->lock);
	if (taken == 0)
		return 0;
	vnode_pager_write_back(vp, start, end, true);
	freed = free_clean_pages(vp, start, end, want, false);
	VSTAT_ADD(reclaimed, freed);
	return freed;
}

/*
 * The pager's operations (the fault path).
 */

static int
vnode_pager_getpage(struct vm_object *obj, struct vm_page *m)
{
	if (!page_in_file(obj, m->pindex))
		return EIO;
	/* A disk file's page needs I/O, which the fault's locks cannot wait for. */
	if (on_disk(obj->pager_data))
		return EFETCH;
	pmap_zero_page(m);		/* a hole of ramfs */
	return 0;
}

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
 * => I/O lock held
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
 * A fault backed out for the page at pindex (vm_pager.h): read it like
 * read(2) does, with the mapping's advice; while the reader goes
 * sequentially, start the next window too.  For ramfs, wait until the
 * busy page someone is zero-filling is done.
 */
static int
vnode_pager_fetch(struct vm_object *obj, vm_pindex_t pindex, int advice)
{
	struct vnode *vp = obj->pager_data;
	int ioflag = advice_ioflag(advice), error;
	struct vm_page *m;

	if (!on_disk(vp)) {
		spin_lock(&obj->lock);
		if ((m = vm_page_lookup(obj, pindex)) != NULL && m->busy)
			vm_page_sleep(obj, m);
		spin_unlock(&obj->lock);
		return 0;
	}
	vn_iolock(vp);
	error = vnode_pager_get_page(vp, pindex, ioflag, &m);
	if (error == 0 && !(ioflag & IO_RANDOM) && vp->v_ra_trigger != UINT64_MAX &&
	    vp->v_ra_trigger > pindex && ((ioflag & IO_SEQUENTIAL) || vp->v_ra_window > RA_INITIAL))
		read_ahead(vp, ioflag);
	if (error == 0 && (ioflag & IO_SEQUENTIAL))
		free_behind(vp, pindex);
	vn_iounlock(vp);
	return error == EFAULT ? EIO : error;	/* past the end of the file: SIGBUS */
}

/* A page of obj was mapped writable: a file on a disk is dirty from now on (see the top). */
static void
vnode_pager_writemapped(struct vm_object *obj)
{
	struct vnode *vp = obj->pager_data;

	if (on_disk(vp))
		mark_dirty(vp);
}

static bool
vnode_pager_haspage(struct vm_object *obj, vm_pindex_t pindex)
{
	return page_in_file(obj, pindex);
}

/*
 * msync: a file on a disk writes its dirty pages in the range back (and
 * waits, with sync, and writes the file's metadata too); for ramfs the pages are the file, and writing one
 * back is clearing its modified bit.
 */
static int
vnode_pager_putpages(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end, bool sync)
{
	struct vnode *vp = obj->pager_data;
	struct vm_page *m;
	uint64_t idx = start;
	int error;

	if (on_disk(vp)) {
		vn_iolock(vp);
		error = vnode_pager_write_back(vp, start, end, sync);
		vn_iounlock(vp);
		/* MS_SYNC is fsync of the range: what finds the data must be on the disk too. */
		if (error == 0 && sync)
			error = vp->v_ops->vop_fsync_metadata(vp);
		return error;
	}

	spin_lock(&obj->lock);
	while (idx < end && (m = vm_radix_lookup_ge(&obj->pages, idx, &idx)) != NULL &&
	    idx < end) {
		if (pmap_is_modified(m))
			pmap_clear_modify(m);
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

	if (vp->v_ops->vop_free != NULL)
		vp->v_ops->vop_free(vp);
	else
		vnode_free(vp);
}

static const struct vm_pager_ops vnode_pager_ops = {
	.name = "vnode",
	.getpage = vnode_pager_getpage,
	.fetch = vnode_pager_fetch,
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
	return obj;
}
