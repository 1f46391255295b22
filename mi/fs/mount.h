/*
 * Mounts: file systems attached to the name space (after 4.4BSD's
 * struct mount and vfsops, and Linux's mount table semantics).
 *
 * A file system type brings its operations (struct vfsops) and is found
 * by name ("ext2", "tmpfs", "proc", ...).  Mounting makes a struct mount:
 * the type's mount operation gives it a root vnode, and the mount is
 * attached to a directory, the covered vnode, whose v_mountedhere then
 * names it.  Path lookup crosses into the mount's root when a component
 * is a covered directory, and ".." at a mount's root goes to the covered
 * directory's parent.  The root file system is a mount that covers
 * nothing; rootvnode is its root.
 *
 * Every vnode belongs to one mount (v_mount; NULL for the private trees
 * of the self-tests).  A mount counts its active vnodes (mnt_active:
 * those with references, as open files, working directories and lookups
 * in progress hold), so unmount knows when the file system is busy: it
 * is idle when its root is its only active vnode, with only the mount's
 * own reference.  Files mapped into memory keep it busy too (the file
 * system's unmount looks at its vnodes' objects).
 *
 * Unmounting (umount2) syncs, then asks the type to let go of everything
 * (vfs_unmount: EBUSY while the file system is in use); MNT_DETACH
 * takes the mount out of the name space at once and finishes the
 * unmount when its last active vnode is released (the syncer thread
 * does it).  MNT_FORCE is accepted and means nothing more: no file
 * system here can cut off files that are open.
 *
 * Locking:
 *   (m) mount_lock, a global spin lock: the mount list, v_mountedhere,
 *       mnt_flags, mnt_kflags
 *   (v) mnt_vlock, the mount's spin lock for its vnode list
 *   (S) mount_sx, a global sleeping lock held across mount, unmount and
 *       remount, which may do I/O
 *   (A) atomic
 *   (C) constant while mounted
 */
#ifndef _FS_MOUNT_H_
#define _FS_MOUNT_H_

#include <kern/types.h>
#include <kern/list.h>
#include <kern/spinlock.h>

struct disk;
struct mount;
struct statfs;
struct vnode;

#define MNT_NAME_MAX	64		/* the source's name, for /proc/mounts */

struct vfsops {
	const char	*vfs_name;	/* the type, as mount(2) and /proc/mounts name it */
	bool		vfs_needs_device; /* the source is a block device */
	/*
	 * Make the file system: set mnt_root (referenced), mnt_data and,
	 * for a file system on a device, mnt_fsid.  source is a kernel
	 * string; dev is the block device's vnode (vfs_needs_device) or NULL;
	 * data is the kernel copy of mount(2)'s option string, or NULL.
	 */
	int	(*vfs_mount)(struct mount *mp, const char *source, struct vnode *dev,
		    const char *data);
	/*
	 * Let go of everything, the root's reference too: EBUSY (nothing
	 * changed) if a file is still open, mapped or a working directory.
	 * The caller has synced.
	 */
	int	(*vfs_unmount)(struct mount *mp);
	void	(*vfs_statfs)(struct mount *mp, struct statfs *sf);
	/* Write everything dirty (wait: and wait for it).  0 or the first error.  NULL: 0. */
	int	(*vfs_sync)(struct mount *mp, bool wait);
	/* MS_REMOUNT changing MNT_RDONLY to rdonly: 0, or EBUSY.  NULL: allowed. */
	int	(*vfs_remount)(struct mount *mp, bool rdonly);
	/* Finish what had to wait for a thread (the syncer calls it when woken).  NULL: none. */
	void	(*vfs_reap)(struct mount *mp);
	/*
	 * /proc/sys/vm/drop_caches: let go of clean cached file pages (1),
	 * unused vnodes (2), or both (3).  NULL: nothing is a cache.
	 */
	void	(*vfs_drop_caches)(struct mount *mp, int what);
};

struct mount {
	struct list_node mnt_link;	/* (m) on the mount list */
	const struct vfsops *mnt_op;	/* (C) */
	struct vnode	*mnt_root;	/* (C) referenced */
	struct vnode	*mnt_covered;	/* (C) the directory it covers, referenced; NULL for / */
	void		*mnt_data;	/* (C) the file system's */
	struct disk	*mnt_disk;	/* (C) a disk file system's disk (vop_bmap's offsets) */
	uint32_t	mnt_bsize;	/* (C) a disk file system's block size */
	uint32_t	mnt_fsid;	/* (C) st_dev of its files */
	uint32_t	mnt_flags;	/* (m), read (A): MNT_* (the user-visible flags) */
	uint32_t	mnt_kflags;	/* (m) MNTK_* */
	uint32_t	mnt_active;	/* (A) vnodes of it with references */
	int		mnt_id;		/* (C) */
	char		mnt_source[MNT_NAME_MAX];	/* (C) */
	struct spinlock	mnt_vlock;
	struct list_node mnt_vnodes;	/* (v) every vnode of it, by v_mntlink */
};

/* mnt_flags (the MS_* of mount(2) that a mount keeps) */
#define MNT_RDONLY	0x0001
#define MNT_NOSUID	0x0002
#define MNT_NODEV	0x0004
#define MNT_NOEXEC	0x0008
#define MNT_SYNCHRONOUS	0x0010
#define MNT_NOATIME	0x0400
#define MNT_RELATIME	0x200000

/* mnt_kflags */
#define MNTK_DETACHED	0x0001		/* out of the name space; unmount when idle */
#define MNTK_UNMOUNTING	0x0002		/* vfs_unmount is running or done */
#define MNTK_EXPIRE	0x0004		/* umount2 MNT_EXPIRE marked it */

extern struct spinlock mount_lock;

/* The file system types (vfs_mount.c lists them). */
extern const struct vfsops rootfs_vfsops, ramfs_vfsops, tmpfs_vfsops, devtmpfs_vfsops,
    procfs_vfsops, ext2_vfsops;

/*
 * Is a file of mp mapped into memory, or reclaimed but kept by its
 * object (mapped after its last name and reference went)?  For the
 * file systems' unmount: then it is busy.
 */
bool mount_has_mapped_files(struct mount *mp);

/*
 * Mount a file system of type fstype (a kernel string) from source on
 * the directory covered (NULL: as the root file system, which must not
 * exist yet), with mount(2)'s flags.  *mpp (may be NULL) is the mount.
 * ENODEV (unknown type), ENOTBLK, ENXIO, EBUSY, ENOTDIR, the type's errors.
 */
int vfs_mount(const char *fstype, const char *source, struct vnode *covered,
    uint64_t flags, const char *data, struct mount **mpp);

/* The mount's flags now (MNT_*); 0 for no mount (the self-tests' trees). */
static inline uint32_t
mount_flags(const struct mount *mp)
{
	return mp != NULL ? __atomic_load_n(&mp->mnt_flags, __ATOMIC_RELAXED) : 0;
}

/*
 * vref/vrele's bookkeeping: a vnode of mp got its first reference; one
 * lost a reference, its last (idle) or one of its root's.
 */
void mount_vnode_active(struct mount *mp);
void mount_vnode_released(struct mount *mp, bool idle);

/* An anonymous device number for st_dev (0:N, as Linux gives in-memory file systems). */
uint32_t mount_anon_dev(void);

/*
 * Sync every mounted file system (sync(2); the syncer without wait, whose
 * file pages then go asynchronously).  The first error.
 */
int vfs_sync_all(bool wait);
/* Sync mp and wait (syncfs(2)).  The first error. */
int vfs_sync_mount(struct mount *mp);
/*
 * Before powering off: unmount what nothing uses, make the rest (the
 * root) read-only: everything written, disks left clean.
 */
void vfs_shutdown(void);

/* statfs(2) of vp's file system, with the mount's flags. */
void vfs_statfs_vnode(struct vnode *vp, struct statfs *sf);

/* Finish the unmounts of detached mounts that have gone idle (the syncer). */
void vfs_reap_detached(void);
/* Let every file system finish what it deferred (vfs_reap; the syncer). */
void vfs_reap_all(void);
/* drop_caches on every file system. */
void vfs_drop_caches(int what);

/*
 * The syncer thread (vfs_syncer.c): start it; ask it to reap now;
 * something was dirtied (write-back within the interval); the interval
 * in centiseconds (/proc/sys/vm/dirty_writeback_centisecs); the number
 * of write-back passes so far.
 */
void syncer_init(void);
void syncer_wakeup(void);
void syncer_note_dirty(void);
uint32_t syncer_get_interval(void);
void syncer_set_interval(uint32_t centisecs);
uint64_t syncer_pass_count(void);

/*
 * /proc/mounts: one line per mount, "SOURCE TARGET TYPE OPTIONS 0 0",
 * into buf (size bytes); *lenp its length.  ERANGE if it does not fit.
 */
int vfs_format_mounts(char *buf, size_t size, size_t *lenp);
/*
 * /proc/filesystems: the types mount(2) knows, one a line, "nodev\tNAME"
 * for those that need no block device and "\tNAME" for those on one
 * (where mount without a type looks).  ERANGE if it does not fit.
 */
int vfs_format_filesystems(char *buf, size_t size, size_t *lenp);

#endif
