/*
 * Vnodes: the kernel's files, directories and devices, whatever file
 * system they belong to (after 4.4BSD, much reduced).
 *
 * There are three file systems, all in memory:
 *   ramfs   directories and regular files (ramfs.c).  A regular file's
 *           contents are the pages of its vm_object (OBJT_VNODE, one per
 *           file, made with the vnode): read(2), write(2) and every
 *           mmap(2) of the file see the same pages.
 *   devfs   character devices (console, null, zero) and the disks
 *           (vda, ...: block devices, disk_vnops.c), linked into an
 *           ordinary ramfs directory (/dev).
 *   procfs  /proc: files generated when they are looked up.
 *
 * Lifetime.  A vnode is kept alive by references (v_refcnt: open files,
 * current directories, lookups in progress, a subdirectory's v_parent)
 * and by links (v_nlink: directory entries naming it).  When both reach
 * zero the vnode is reclaimed: its file system frees it (vop_reclaim).
 * Exactly one thread sees both reach zero, because decrements of either
 * happen under v_lock and increments of v_refcnt only happen to a vnode
 * that is reachable (linked, or already referenced).  A regular file's
 * vnode is reclaimed by dropping its object reference; the vnode itself
 * is freed when the object dies (the vnode pager's dealloc), so a file
 * that is unlinked while still mapped keeps working until the last unmap.
 *
 * Locking:
 *   (V) v_lock, a spin lock: nothing is done under it that can sleep or
 *       fault.  Order: a directory's v_lock before its entries' v_locks;
 *       a vm_object's lock may be held while taking a v_lock, never the
 *       other way round.
 *   (I) v_iolock, the I/O lock (an sx lock): held by ramfs across a
 *       read (shared), write or truncate (exclusive) of a regular file,
 *       so the file's size and pages stay put while data is copied to or
 *       from user memory (which may fault).  Taken before v_lock.
 *   (A) atomic
 *   (C) constant after creation
 */
#ifndef _FS_VNODE_H_
#define _FS_VNODE_H_

#include <kern/types.h>
#include <kern/spinlock.h>
#include <kern/sx.h>
#include <kern/uio.h>
#include <uapi/limits.h>

struct vm_object;
struct vnode;
struct stat;
struct pollwait;

enum vtype { VNON, VREG, VDIR, VCHR, VBLK, VFIFO, VLNK, VSOCK };

#define S_IALLUGO	07777		/* the mode bits a vnode keeps: permissions, setuid, setgid, sticky */

struct vnode_ops {
	/*
	 * Directories.  name is not NUL-terminated, 1 <= len <= NAME_MAX,
	 * and never "." or ".." (the VFS answers those itself).
	 */
	int	(*vop_lookup)(struct vnode *dir, const char *name, size_t len,
		    struct vnode **out);		/* referenced */
	int	(*vop_create)(struct vnode *dir, const char *name, size_t len,
		    enum vtype type, uint32_t mode, struct vnode **out);
	int	(*vop_unlink)(struct vnode *dir, const char *name, size_t len, bool rmdir);
	/*
	 * Fill the kernel buffer buf with linux_dirent64 records, starting at
	 * the cookie *off and advancing it; returns bytes or -errno (EINVAL
	 * when not even one record fits).  "." and ".." come first.
	 */
	ssize_t	(*vop_getdents)(struct vnode *dir, uint64_t *off, void *buf, size_t len);
	/* Data: bytes moved, or -errno.  The uio's offset and resid advance. */
	ssize_t	(*vop_read)(struct vnode *vp, struct uio *uio);
	ssize_t	(*vop_write)(struct vnode *vp, struct uio *uio);
	/* A symbolic link's contents into the uio: bytes moved, or -errno. */
	ssize_t	(*vop_readlink)(struct vnode *vp, struct uio *uio);
	/*
	 * A link that stands for a file rather than a path (Linux's "magic
	 * links": /proc/PID/exe): that file, referenced, into *out; 0 or an
	 * errno.  Lookups with VFS_FOLLOW take it in the link's place.
	 */
	int	(*vop_follow)(struct vnode *vp, struct vnode **out);
	int	(*vop_truncate)(struct vnode *vp, uint64_t size);
	/*
	 * fallocate(2) on a regular file: FALLOC_FL_* mode on [off, off+len)
	 * (checked: nonnegative, no overflow).  0, EOPNOTSUPP for a mode it
	 * lacks, EFBIG, ENOSPC.  NULL op: ENODEV.
	 */
	int	(*vop_fallocate)(struct vnode *vp, int mode, uint64_t off, uint64_t len);
	/* uarg is a user address. */
	int	(*vop_ioctl)(struct vnode *vp, unsigned long cmd, void *uarg);
	/*
	 * The object an mmap of [off, off+len) maps, referenced for the caller;
	 * *anonymous true means "map anonymous memory" (/dev/zero).  ENODEV if
	 * the vnode cannot be mapped.  NULL op: ENODEV.
	 */
	int	(*vop_mmap)(struct vnode *vp, uint64_t off, uint64_t len,
		    struct vm_object **objp, bool *anonymous);
	/* May an open with these O_* flags go ahead?  NULL op: yes. */
	int	(*vop_open)(struct vnode *vp, int oflags);
	/* No references and no links are left: free the vnode. */
	void	(*vop_reclaim)(struct vnode *vp);
	/*
	 * What is possible now (POLL* bits), after recording the poller pw
	 * (if not NULL) on the device's selinfo: file.h's fo_poll.  NULL op:
	 * POLL_DEFAULT_MASK, readable and writable.
	 */
	int	(*vop_poll)(struct vnode *vp, int events, struct pollwait *pw);
	/* fsync(2): make written data durable.  0 or an errno; NULL op: 0. */
	int	(*vop_fsync)(struct vnode *vp);
};

struct vnode {
	struct spinlock	v_lock;
	struct sx	v_iolock;
	enum vtype	v_type;		/* (C) */
	uint32_t	v_refcnt;	/* (A) up; down under (V) */
	uint32_t	v_flags;	/* (V) VV_* */
	uint32_t	v_mode;		/* (V) permission bits (07777) */
	uint32_t	v_nlink;	/* (V) directory entries naming it */
	uint32_t	v_fsid;		/* (C) st_dev */
	uint64_t	v_ino;		/* (C) */
	uint64_t	v_size;		/* (V)+(I) bytes; readers may peek unlocked;
					   VBLK: the disk's size (C), though stat says 0 */
	uint64_t	v_mtime_ns;	/* (V) nanoseconds since boot (uptime_ns) */
	uint32_t	v_rdev;		/* (C) device number for VCHR */
	struct vm_object *v_object;	/* (C) VREG on ramfs: its pages */
	const struct vnode_ops *v_ops;	/* (C) */
	void		*v_data;	/* (C) the file system's own */
	struct vnode	*v_parent;	/* (C) directories: "..", referenced; NULL at a root */
	char		*v_name;	/* (C) directories: the name in v_parent */
	size_t		v_namelen;	/* (C) */
};

/* v_flags */
#define VV_DOOMED	0x0001		/* being reclaimed */
#define VV_UNLINKED	0x0008		/* removed from its directory */
#define VV_NOSEEK	0x0010		/* (C) a stream: lseek and pread give ESPIPE */

/* st_dev values */
#define FSID_RAMFS	1
#define FSID_PROCFS	2
#define FSID_DEVFS	3

/*
 * Allocate a vnode with one reference and no links.  Directories get
 * parent (referenced) and a copy of their name, for ".." and getcwd.
 * NULL when memory is short.
 */
struct vnode *vnode_alloc(enum vtype type, uint32_t mode, const struct vnode_ops *ops,
    struct vnode *parent, const char *name, size_t namelen);
void vnode_free(struct vnode *vp);	/* the file system's last step */

void vref(struct vnode *vp);
void vrele(struct vnode *vp);
/*
 * Drop one link (nlink) of vp, which its directory has just forgotten,
 * reclaiming vp if nothing else holds it.  Called without locks.
 */
void vnode_unlinked(struct vnode *vp);

/* The I/O lock: exclusive (to change the file), shared (to read it); may sleep. */
void vn_iolock(struct vnode *vp);
void vn_iolock_shared(struct vnode *vp);
void vn_iounlock(struct vnode *vp);	/* either kind */

/*
 * Path lookup from dir (NULL: the root; absolute paths always start at
 * the root).  Returns a referenced vnode.  With VFS_CREATE, a missing
 * last component is created as type/mode; VFS_EXCL makes an existing
 * one EEXIST.  With VFS_FOLLOW, a last component that is a link its file
 * system follows itself (vop_follow) is replaced by the file it stands
 * for, as open, stat and execve see it on Linux.  Errors: ENOENT, ENOTDIR,
 * ENAMETOOLONG, EEXIST, EISDIR (creating a non-directory with a trailing
 * slash), EACCES (the directory's file system cannot create), ENOMEM.
 */
#define VFS_CREATE	0x0001
#define VFS_EXCL	0x0002
#define VFS_FOLLOW	0x0004
int vfs_lookup(struct vnode *dir, const char *path, int flags, enum vtype type,
    uint32_t mode, struct vnode **out);
/*
 * Walk all of path but its last component: *parent (referenced) is the
 * directory holding it, *name and *namelen name it inside path ("." for
 * "/" or an empty remainder), and *trailing_slash (may be NULL) tells
 * whether slashes followed it.
 */
int vfs_lookup_parent(struct vnode *dir, const char *path, struct vnode **parent,
    const char **name, size_t *namelen, bool *trailing_slash);
/* One step: name (not NUL-terminated) in dir, with "." and "..". */
int vfs_lookup_component(struct vnode *dir, const char *name, size_t len,
    struct vnode **out);

/*
 * The absolute path of directory vp into buf (size bytes), NUL-terminated;
 * *len is its length without the NUL.  ENOENT if vp or a directory above
 * it was removed, ERANGE if it does not fit.
 */
int vn_fullpath(struct vnode *vp, char *buf, size_t size, size_t *len);
/*
 * The absolute path of whatever path names from dir (NULL: the root),
 * written out from its directory's path and its last name: as
 * vn_fullpath, and the errors of looking up that directory.  The last
 * component itself is not looked up.
 */
int vfs_fullpath_at(struct vnode *dir, const char *path, char *buf, size_t size, size_t *len);

/*
 * A symbolic link's contents into the kernel buffer buf (size bytes, no
 * NUL added): *len bytes, cut to size.  EINVAL if vp is no link.
 */
int vn_readlink_kernel(struct vnode *vp, char *buf, size_t size, size_t *len);

/* p's working directory (the root if p is NULL or has none), referenced. */
struct proc;
struct vnode *proc_cwd_hold(struct proc *p);

/* Has vp been removed from its directory (and not linked again)?  NULL: no. */
bool vn_removed(struct vnode *vp);

/* vp's size in bytes, read under its lock (the vnode pager). */
uint64_t vn_size(struct vnode *vp);

/* Fill a Linux struct stat for vp. */
void vn_stat(struct vnode *vp, struct stat *st);

/*
 * Read len bytes at off of vp into the kernel buffer buf; *done is what
 * was read (short at end of file).  0 or an errno.
 */
int vn_read_kernel(struct vnode *vp, void *buf, size_t len, uint64_t off, size_t *done);

/*
 * Files on vnodes (vfs_vnops.c).  vn_file_alloc makes a file on vp,
 * taking over the caller's reference (NULL when memory is short: the
 * reference is then still the caller's).
 */
struct file;
struct filedesc;
struct file *vn_file_alloc(struct vnode *vp, int flags);
/*
 * Open path (a kernel string) relative to dir (NULL: the root) with
 * open(2) flags and mode, as openat does.  Returns a file with one
 * reference.
 */
int vn_open(struct vnode *dir, const char *path, int flags, uint32_t mode,
    struct file **fpp);
/*
 * getdents64 from the file's offset into the kernel buffer buf, then
 * (if ubuf is not NULL) out to the user buffer ubuf; the offset advances
 * only if that worked.  Bytes or -errno (ENOTDIR if fp is no directory).
 */
ssize_t vn_getdents(struct file *fp, void *buf, size_t len, void *ubuf);
/* Open /dev/console as descriptors 0, 1 and 2 (init). */
int filedesc_open_console(struct filedesc *fdp);

extern struct vnode *rootvnode;

/* Make the root file system and unpack the initial ram disk into it. */
void fs_init(const void *initrd, size_t len);

/*
 * linux_dirent64 records for vop_getdents: append one to buf (len bytes,
 * used so far) and return the new used, or 0 when it does not fit.
 */
size_t dirent_add(void *buf, size_t len, size_t used, uint64_t ino, uint64_t next_off,
    enum vtype type, const char *name, size_t namelen);

/* devfs: make console, null, zero and the disks' nodes in dir. */
int devfs_populate(struct vnode *dir);
struct disk;
/* disk_vnops.c: a new VBLK vnode (one reference, no links) for dp. */
int disk_vnode_alloc(struct disk *dp, struct vnode **vpp);
/* The disk behind a disk's vnode, or NULL if vp is not one. */
struct disk *disk_vnode_disk(struct vnode *vp);
/*
 * For system calls that name a file by a path relative to the current
 * directory (swapon, swapoff): copy upath in (*kpathp) and find where a
 * lookup of it starts (*dirp, referenced).  0 or an errno (EFAULT,
 * ENAMETOOLONG, ...); user_path_release lets go of both.
 */
struct thread;
int user_path_start(struct thread *td, uint64_t upath, char **kpathp, struct vnode **dirp);
void user_path_release(char *kpath, struct vnode *dir);
/* procfs: make its root directory, named name in parent (which is ramfs). */
int procfs_mount(struct vnode *parent, const char *name);
/* procfs's root directory, referenced and not linked anywhere (tests). */
struct vnode *procfs_root_alloc(struct vnode *parent, const char *name);
struct vmspace;
/*
 * The text of /proc/PID/maps for vm into buf (size bytes); *lenp is its
 * length.  0, or ERANGE when it does not fit.
 */
int procfs_format_maps(struct vmspace *vm, char *buf, size_t size, size_t *lenp);

#endif
