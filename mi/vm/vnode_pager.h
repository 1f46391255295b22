/*
 * The vnode pager (vnode_pager.c): the pager of OBJT_VNODE objects, one
 * per regular file, and the page cache of files on a disk.
 *
 * For ramfs, a page not resident inside the file is a hole (zeros).  A
 * page at or beyond the end of the file (rounded up to a page) does not
 * exist: the pager fails with EIO, which a page fault turns into SIGBUS.
 *
 * For a file on a disk (its file system has vop_bmap and its mount a
 * disk), the functions below move its pages between memory and the
 * disk, clustered, for the file system's read, write, truncate, fsync
 * and the syncer.  Their callers hold the vnode's I/O lock, which keeps
 * truncation (and so the block map) away, so the pages they return stay
 * in the object while the lock is held.
 */
#ifndef _VM_VNODE_PAGER_H_
#define _VM_VNODE_PAGER_H_

#include <kern/types.h>

struct uio;
struct vnode;
struct vm_object;
struct vm_page;

/* Counters, in /proc/vmstat. */
struct vnode_pager_stats {
	uint64_t	pageins;	/* file pages read from disks */
	uint64_t	pageouts;	/* file pages written back */
	uint64_t	read_requests;	/* disk requests for them */
	uint64_t	write_requests;
	uint64_t	readaheads;	/* windows read ahead without a reader waiting */
	uint64_t	writeback;	/* pages under write-back now */
	uint64_t	read_errors;	/* clustered reads that failed */
	uint64_t	write_errors;	/* clustered writes that failed */
	uint64_t	dropped;	/* clean pages dropped (drop_caches) */
	uint64_t	freed_behind;	/* clean pages freed behind a MADV_SEQUENTIAL reader */
};
extern struct vnode_pager_stats vnode_pager_stats;

/*
 * A new object for the regular file vp, with one reference (the
 * vnode's).  The object holds no reference on vp; when the object dies
 * the pager frees vp (vop_free), which the file system has reclaimed by
 * then.
 */
struct vm_object *vnode_pager_alloc(struct vnode *vp);

/*
 * The page at idx of vp's file, resident and read, for read(2): read
 * with the read-ahead window if missing (ioflag IO_SEQUENTIAL, IO_RANDOM
 * are the file's advice), sleeping for the disk.  0, EIO (the read
 * failed), ENOMEM (the caller waits with vnode_pager_wait_memory and
 * tries again), EFAULT (past the end of the file).  The page comes
 * kernel-wired, safe from the page daemon while it is copied:
 * vnode_pager_release_page lets it go.
 * => vp's I/O lock held; no spin lock
 */
int vnode_pager_get_page(struct vnode *vp, vm_pindex_t idx, int ioflag, struct vm_page **mp);
/*
 * The page at idx for write(2): with contents, as vnode_pager_get_page
 * reads it; without (the write covers it all, or it lies past the end
 * of the file), a zeroed page if it is missing.  0, EIO, ENOMEM.
 */
int vnode_pager_grab_page(struct vnode *vp, vm_pindex_t idx, bool contents,
    struct vm_page **mp);
/*
 * read(2) of a file through its pages: getpage gives each page, wired
 * (NULL: a hole, read as zeros; ENOMEM: memory is waited for, the lock
 * dropped), and it is released after its copy.
 * Holds vp's I/O lock, shared or exclusive.  Bytes read, or -errno.
 */
ssize_t vnode_pager_read(struct vnode *vp, struct uio *uio,
    int (*getpage)(struct vnode *vp, vm_pindex_t idx, int ioflag, struct vm_page **mp),
    bool shared);
/*
 * Zero the part of vp's last page past size, if the page is resident, and
 * mark it dirty (a file on a disk writes it back; for ramfs the page is
 * the only copy): what a mapping wrote there must not appear when the
 * file grows.  => I/O lock held
 */
void vnode_pager_zero_tail(struct vnode *vp, uint64_t size);
/*
 * The start of write(2): take vp's I/O lock, move an O_APPEND write to
 * the end, cut the write at maxsize (EFBIG, unlocked, if nothing is left
 * of it), and zero the last page past the end if the write goes beyond
 * it.  *sizep is the size before the write.
 */
int vnode_pager_write_begin(struct vnode *vp, struct uio *uio, uint64_t maxsize,
    uint64_t *sizep);
/*
 * Done copying to or from m, a page of vp that vnode_pager_get_page or
 * vnode_pager_grab_page gave (wired): with dirtied, write(2) changed it,
 * so it is dirty, and so (on a disk) is vp, for the syncer.
 */
void vnode_pager_release_page(struct vnode *vp, struct vm_page *m, bool dirtied);
/*
 * Write back vp's dirty pages in [start, end) (page indices), clustered;
 * with sync, wait for them (and for pages already under write-back) and
 * return EIO if any of vp's writes failed meanwhile.  0, EIO, ENOMEM.
 * => vp's I/O lock held
 */
int vnode_pager_write_back(struct vnode *vp, vm_pindex_t start, vm_pindex_t end, bool sync);
/*
 * Free vp's clean pages that nothing maps, wires or has busy: they read
 * again from the disk (/proc/sys/vm/drop_caches).  The number freed.
 * => vp's I/O lock held
 */
uint64_t vnode_pager_drop_clean(struct vnode *vp);
/*
 * Can the laundry write obj's dirty pages (vm_pager_can_launder)?  Those
 * of a file on a disk mounted read-write.  obj locked.
 */
bool vnode_pager_can_launder(struct vm_object *obj);
/*
 * An allocation for vp's pages failed: drop vp's I/O lock, wait for
 * memory (vm_wait: the page daemon frees pages; the laundry may need
 * this file's I/O lock to write its dirty ones), take the lock again
 * (shared or exclusive).  The caller
 * looks at the file again.  0, or ENOMEM: none will come.
 */
int vnode_pager_wait_memory(struct vnode *vp, bool shared);
/* Sleep until none of vp's write-back requests is in flight. */
void vnode_pager_wait_writes(struct vnode *vp);
/*
 * Sleep until no read or write of vp's pages is in flight, faults filling
 * them included (before truncating or reclaiming vp).
 */
void vnode_pager_drain(struct vnode *vp);

#endif
