/*
 * Vnodes: the kernel's files, directories, symbolic links and devices,
 * whatever file system they belong to (after 4.4BSD, much reduced).
 *
 * The file systems:
 *   ramfs   directories, regular files, symbolic links and special files
 *           (FIFOs, device nodes, sockets) in memory (ramfs.c).  A
 *           regular file's contents are the pages of its vm_object
 *           (OBJT_VNODE, one per file, made with the vnode): read(2),
 *           write(2) and every mmap(2) of the file see the same pages.
 *   devfs   character devices (console, null, zero) and the disks
 *           (vda, ...: block devices, disk_vnops.c), linked into an
 *           ordinary ramfs directory (/dev).
 *   procfs  /proc: files generated when they are looked up.
 *
 * Attributes.  Every vnode carries the attributes stat(2) reports (type,
 * permission bits, owners, link count, size, times); a file system that
 * keeps them elsewhere (on a disk) mirrors them here, so the VFS checks
 * permissions and answers stat without asking it.  Changes go through
 * vop_setattr when the file system has one (it must then update the
 * vnode's copy), else the VFS changes the vnode's fields itself.
 *
 * Lifetime.  A vnode is kept alive by references (v_refcnt: open files,
 * current directories, lookups in progress), by holds (v_holdcnt: the
 * subdirectories whose v_parent it is) and by links (v_nlink, the link
 * count stat shows: a directory's counts "." and its subdirectories'
 * "..", as on Linux).  When all three reach zero the vnode is reclaimed:
 * its file system frees it (vop_reclaim).  Exactly one thread sees that,
 * because decrements of any of them happen under v_lock and increments
 * only happen to a vnode that is reachable (linked, held, or already
 * referenced).  A regular file's vnode is reclaimed by dropping its
 * object reference; the vnode itself is freed when the object dies (the
 * vnode pager's dealloc), so a file that is unlinked while still mapped
 * keeps working until the last unmap.
 *
 * Names.  A directory knows its parent (v_parent, held) and its name
 * there (v_name): ".." and getcwd come from them.  Both change only by
 * rename, under vfs_name_lock, a global spin lock that readers of
 * another directory's v_parent or v_name take too.
 *
 * Locking:
 *   (V) v_lock, a spin lock: nothing is done under it that can sleep or
 *       fault.  Order: a directory's v_lock before its entries' v_locks;
 *       a vm_object's lock may be held while taking a v_lock, never the
 *       other way round.
 *   (I) v_iolock, the I/O lock (an sx lock): held across a read
 *       (shared, by ramfs), a write or truncate (exclusive) of a regular
 *       file, and a write-back of its pages, so the file's size, block map
 *       and pages stay put while data is copied to or from user memory
 *       (which may fault).  Taken before v_lock; never needed by a page
 *       fault (truncation waits for the faults' fills instead:
 *       vnode_pager_drain).
 *   (N) vfs_name_lock, a global spin lock, ranked after every v_lock
 *   (F) fs/fifo.c's fifo_mtx, a sleep mutex: the FIFO fields
 *   (A) atomic
 *   (C) constant after creation
 */
#ifndef _FS_VNODE_H_
#define _FS_VNODE_H_

#include <kern/types.h>
#include <kern/list.h>
#include <kern/spinlock.h>
#include <kern/sx.h>
#include <kern/uio.h>
#include <uapi/limits.h>
#include <uapi/time.h>

struct vm_object;
struct vnode;
struct stat;
struct pipe;
struct pollwait;

enum vtype { VNON, VREG, VDIR, VCHR, VBLK, VFIFO, VLNK, VSOCK };

#define S_IALLUGO	07777		/* the mode bits a vnode keeps: permissions, setuid, setgid, sticky */
#define MAXSYMLINKS	40		/* symbolic links one lookup follows before ELOOP, as Linux */

/* What vop_create makes. */
struct vcreate {
	enum vtype	vc_type;
	uint32_t	vc_mode;	/* permission bits (S_IALLUGO), umask applied */
	uint32_t	vc_uid;		/* the new file's owners, as the VFS chose them */
	uint32_t	vc_gid;
	uint32_t	vc_rdev;	/* VCHR, VBLK: the device number */
	const char	*vc_target;	/* VLNK: the link's contents (not NUL-terminated) */
	size_t		vc_targetlen;
};

/* An attribute change (vop_setattr): the fields va_mask names. */
struct vsetattr {
	uint32_t	va_mask;	/* VA_* */
	uint32_t	va_mode;	/* permission bits */
	uint32_t	va_uid;
	uint32_t	va_gid;
	struct timespec	va_atime;
	struct timespec	va_mtime;
	struct timespec	va_ctime;	/* always set: the time of the change */
};

#define VA_MODE		0x01
#define VA_UID		0x02
#define VA_GID		0x04
#define VA_ATIME	0x08
#define VA_MTIME	0x10

/* vop_rename flags (Linux's renameat2 flags) */
#define VRENAME_NOREPLACE	0x1
#define VRENAME_EXCHANGE	0x2

struct vnode_ops {
	/*
	 * Directories.  name is not NUL-terminated, 1 <= len <= NAME_MAX,
	 * and never "." or ".." (the VFS answers those itself).  The VFS
	 * has checked permissions before any of these is called.
	 */
	int	(*vop_lookup)(struct vnode *dir, const char *name, size_t len,
		    struct vnode **out);		/* referenced */
	/* Make name (absent, or EEXIST) as vc says; *out referenced. */
	int	(*vop_create)(struct vnode *dir, const char *name, size_t len,
		    const struct vcreate *vc, struct vnode **out);
	/* A new name for vp (not a directory), in the same file system. */
	int	(*vop_link)(struct vnode *dir, const char *name, size_t len, struct vnode *vp);
	/*
	 * Remove name, which the VFS found to be vp (ENOENT if it no longer
	 * is).  rmdir: vp must be an empty directory (ENOTEMPTY), else not a
	 * directory (EISDIR).
	 */
	int	(*vop_unlink)(struct vnode *dir, const char *name, size_t len, struct vnode *vp,
		    bool rmdir);
	/*
	 * Move fname (naming fvp) in fdir to tname in tdir, replacing tvp
	 * (the vnode tname names, or NULL), or with VRENAME_EXCHANGE swap
	 * the two.  The VFS has checked everything that does not depend on
	 * the file system: types (EISDIR, ENOTDIR), that tdir is not inside
	 * fvp, permissions; it holds the file system's rename lock.  ENOENT
	 * if a name no longer names what the VFS found; ENOTEMPTY.
	 */
	int	(*vop_rename)(struct vnode *fdir, const char *fname, size_t flen,
		    struct vnode *fvp, struct vnode *tdir, const char *tname, size_t tlen,
		    struct vnode *tvp, int flags);
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
	 * errno.  A lookup that follows the link jumps to that file instead
	 * of reading the link as a path (vfs_lookup.c).
	 */
	int	(*vop_follow)(struct vnode *vp, struct vnode **out);
	int	(*vop_truncate)(struct vnode *vp, uint64_t size);
	/* Store an attribute change and update the vnode's fields.  NULL: the VFS does. */
	int	(*vop_setattr)(struct vnode *vp, const struct vsetattr *va);
	/* Adjust what vn_stat filled from the vnode (blocks, block size).  NULL: nothing. */
	void	(*vop_getattr)(struct vnode *vp, struct stat *st);
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
	/* No references, holds or links are left: free the vnode. */
	void	(*vop_reclaim)(struct vnode *vp);
	/*
	 * What is possible now (POLL* bits), after recording the poller pw
	 * (if not NULL) on the device's selinfo: file.h's fo_poll.  NULL op:
	 * POLL_DEFAULT_MASK, readable and writable.
	 */
	int	(*vop_poll)(struct vnode *vp, int events, struct pollwait *pw);
	/* fsync(2): make written data durable.  0 or an errno; NULL op: 0. */
	int	(*vop_fsync)(struct vnode *vp);
	/*
	 * Files on a disk: fsync's second half, after the pages went (msync
	 * with MS_SYNC): make vp's metadata durable, its size and the blocks
	 * that find its data.  0 or an errno.
	 */
	int	(*vop_fsync_metadata)(struct vnode *vp);
	/*
	 * Files on a disk (the vnode pager's clustered I/O): where the
	 * file's bytes from off (a multiple of the block size) lie on the
	 * mount's disk.  *len is how many bytes from off continue the same
	 * way (whole blocks, at least one, at most maxlen rounded up to a
	 * block, never past the end of the file rounded up to a block):
	 * consecutive on disk from byte *diskoff, or a hole (*diskoff ==
	 * VBMAP_HOLE).  The answer holds while truncation is kept away (the
	 * I/O lock).  0, EIO.  NULL op: the file is not on a disk.
	 */
	int	(*vop_bmap)(struct vnode *vp, uint64_t off, uint64_t maxlen, uint64_t *diskoff,
		    uint64_t *len);
	/*
	 * Files on a disk: give the blocks of [off, off + len) (inside the
	 * file) places on the disk, for write-back of pages that a mapping
	 * wrote over a hole.  0, ENOSPC, EIO.  The I/O lock is held.
	 */
	int	(*vop_balloc)(struct vnode *vp, uint64_t off, uint64_t len);
	/*
	 * The vnode's object died after vop_reclaim (vnode_pager.c): free
	 * the vnode.  May be called with spin locks held (an unmap): must not
	 * sleep.  NULL op: vnode_free.
	 */
	void	(*vop_free)(struct vnode *vp);
};

#define VBMAP_HOLE	UINT64_MAX

struct vnode {
	struct spinlock	v_lock;
	struct sx	v_iolock;
	enum vtype	v_type;		/* (C) */
	uint32_t	v_refcnt;	/* (A) up; down under (V) */
	uint32_t	v_holdcnt;	/* (V) directories whose v_parent it is */
	uint32_t	v_flags;	/* (V) VV_* */
	uint32_t	v_mode;		/* (V) permission bits (07777) */
	uint32_t	v_nlink;	/* (V) the link count stat shows */
	uint32_t	v_uid;		/* (V) */
	uint32_t	v_gid;		/* (V) */
	uint32_t	v_fsid;		/* (C) st_dev */
	uint32_t	v_rdev;		/* (C) device number for VCHR, VBLK */
	uint64_t	v_ino;		/* (C) */
	uint64_t	v_size;		/* (V)+(I) bytes; readers may peek unlocked;
					   VBLK: the disk's size (C), though stat says 0 */
	struct timespec	v_atime;	/* (V) since 1970 (the kernel's clock: since boot) */
	struct timespec	v_mtime;	/* (V) */
	struct timespec	v_ctime;	/* (V) */
	struct vm_object *v_object;	/* (C) VREG on ramfs: its pages */
	const struct vnode_ops *v_ops;	/* (C) */
	void		*v_data;	/* (C) the file system's own */
	struct pipe	*v_fifo;	/* (F) VFIFO: the pipe while either end is open */
	uint32_t	v_fifo_readers;	/* (F) VFIFO: read ends ever opened (a generation) */
	uint32_t	v_fifo_writers;	/* (F) VFIFO: write ends ever opened */
	/* Files on a disk (vnode_pager.c): */
	uint32_t	v_numoutput;	/* (A) write-back requests of its pages in flight */
	uint32_t	v_wb_errors;	/* (A) write-back requests that failed, ever: each open
					   file remembers the count it has reported (fsync) */
	uint64_t	v_ra_end;	/* (I) read-ahead: the page after the last one asked for */
	uint64_t	v_ra_trigger;	/* (I) reaching this page starts the next read-ahead */
	uint32_t	v_ra_window;	/* (I) pages the next read-ahead asks for */
	struct mount	*v_mount;	/* (C) its file system (NULL: a self-test's tree) */
	struct list_node v_mntlink;	/* (v, mount.h) on its mount's list of vnodes */
	struct mount	*v_mountedhere;	/* (m, mount.h) a directory: the mount covering it */
	struct vnode	*v_parent;	/* (N) directories: "..", held; NULL at a root */
	char		*v_name;	/* (N) directories: the name in v_parent */
	size_t		v_namelen;	/* (N) */
};

/* v_flags */
#define VV_DOOMED	0x0001		/* being reclaimed */
#define VV_UNLINKED	0x0008		/* removed from its directory */
#define VV_NOSEEK	0x0010		/* (C) a stream: lseek and pread give ESPIPE */
#define VV_DIRTY	0x0020		/* its object may have dirty pages (write-back looks) */

extern struct spinlock vfs_name_lock;

/*
 * Allocate a vnode with one reference and no links, owned by root, its
 * times now.  Directories get parent (held) and a copy of their name,
 * for ".." and getcwd.  NULL when memory is short.
 */
struct vnode *vnode_alloc(enum vtype type, uint32_t mode, const struct vnode_ops *ops,
    struct vnode *parent, const char *name, size_t namelen);
void vnode_free(struct vnode *vp);	/* the file system's last step */
/*
 * Make vp (just allocated, with its one reference) a vnode of mp: its
 * v_mount and its st_dev, and the mount counts it as active.
 */
struct mount;
void vnode_set_mount(struct vnode *vp, struct mount *mp);

void vref(struct vnode *vp);
void vrele(struct vnode *vp);
/* Hold (or drop a hold of) a directory that is some directory's v_parent. */
void vhold(struct vnode *vp);
void vdrop(struct vnode *vp);
/*
 * Drop n links of vp, whose directory (or itself, for a removed
 * directory's ".") has just forgotten them, reclaiming vp if nothing
 * else keeps it.  Called without locks.
 */
void vnode_unlinked(struct vnode *vp);
void vnode_drop_links(struct vnode *vp, uint32_t n);
/*
 * A file system's cache lets go of vp, which has links but no
 * references or holds: reclaim it now.  False (nothing done) if it is in
 * use after all.  The file system must make sure no new reference can
 * come meanwhile (it took vp out of its cache first).
 */
bool vnode_evict(struct vnode *vp);
/*
 * Directory vp moved (rename): its parent is now parent, its name name.
 * 0 or ENOMEM (nothing changed).
 */
int vn_set_parent(struct vnode *vp, struct vnode *parent, const char *name, size_t len);

/* The I/O lock: exclusive (to change the file), shared (to read it); may sleep. */
void vn_iolock(struct vnode *vp);
void vn_iolock_shared(struct vnode *vp);
/* Take vp's I/O lock exclusive if no one holds it (the holder may be the caller).  Taken? */
bool vn_iolock_try(struct vnode *vp);
void vn_iounlock(struct vnode *vp);	/* either kind */

/* The time now, for timestamps (the kernel has no wall clock: since boot). */
void vfs_now(struct timespec *ts);
/* Set vp's mtime and ctime to now (its contents changed). */
void vn_touch(struct vnode *vp);

/*
 * Credentials.  The calling thread's owners for files (root for kernel
 * threads) and the permission check: may the caller access vp with
 * mode (R_OK | W_OK | X_OK bits)?  Root may read and write anything and
 * execute what has an execute bit (or is a directory).  0 or EACCES.
 */
uint32_t vfs_cred_uid(void);
uint32_t vfs_cred_gid(void);
int vn_access(struct vnode *vp, int mode);
/* Is the caller root or vp's owner (chmod, utimes with explicit times)? */
bool vn_owner_or_root(struct vnode *vp);

/*
 * Path lookup (vfs_lookup.c).
 *
 * A lookup walks a path one component at a time, holding a reference on
 * the directory it stands in, checking search permission on each,
 * following symbolic links in the middle of the path (and in the last
 * component when asked), at most MAXSYMLINKS in all (ELOOP); a magic
 * link (vop_follow) followed is the file it stands for.  A struct
 * nameidata carries one lookup: namei_parent walks to the directory
 * holding the last component, namei_last finds that component.
 */
struct nameidata {
	struct vnode	*nd_dvp;	/* the last component's directory, referenced */
	const char	*nd_name;	/* the last component (in nd_buf), not NUL-terminated */
	size_t		nd_namelen;
	bool		nd_trailing;	/* slashes followed the last component */
	bool		nd_notname;	/* the last component is ".", ".." or the root itself */
	bool		nd_onlyslashes;	/* the path was "/" (the last component is ".") */
	int		nd_links;	/* symbolic links followed so far */
	struct vnode	*nd_jump;	/* a magic link's file, referenced, for namei_last */
	bool		nd_jumped;	/* namei_last returned nd_jump: nd names the link */
	char		*nd_buf;	/* the path being walked (PATH_MAX bytes) */
};

/*
 * Walk path (a kernel string) from start (NULL or an absolute path: the
 * root) to the directory of its last component.  0 with nd filled
 * (namei_done releases it), or ENOENT (empty path, missing directory),
 * ENOTDIR, ENAMETOOLONG, ELOOP, EACCES, ENOMEM; nothing to release then.
 */
int namei_parent(struct nameidata *nd, struct vnode *start, const char *path);
/*
 * The vnode the last component names, referenced; a symbolic link is
 * followed if follow is set or slashes follow it (nd then describes the
 * link's target).  ENOENT if it does not exist (nd still describes it,
 * for a create), ENOTDIR if slashes follow something not a directory.
 */
int namei_last(struct nameidata *nd, bool follow, struct vnode **vpp);
/*
 * Follow the symbolic link vp (the last component) in nd: nd describes
 * its target, or for a magic link holds the file (the next namei_last
 * returns it).
 */
int namei_follow(struct nameidata *nd, struct vnode *link);
void namei_done(struct nameidata *nd);

/*
 * The whole lookup in one call, for the kernel's own paths: from dir
 * (NULL: the root), following symbolic links.  Returns a referenced
 * vnode.  With VFS_CREATE, a missing last component is created as
 * type/mode, owned by the caller; VFS_EXCL makes an existing one EEXIST;
 * VFS_NOFOLLOW does not follow a symbolic link in the last component.
 * Errors: ENOENT, ENOTDIR, ENAMETOOLONG, EEXIST, EISDIR (creating a
 * non-directory with a trailing slash), EACCES, ELOOP, ENOMEM.
 */
#define VFS_CREATE	0x0001
#define VFS_EXCL	0x0002
#define VFS_NOFOLLOW	0x0004
int vfs_lookup(struct vnode *dir, const char *path, int flags, enum vtype type,
    uint32_t mode, struct vnode **out);
/*
 * One step: name (not NUL-terminated) in dir, with "." and "..", and
 * into the root of a mount on what it finds.  No permission check.
 */
int vfs_lookup_component(struct vnode *dir, const char *name, size_t len,
    struct vnode **out);
/*
 * Create name in dir (which the caller has checked may be written) as vc
 * describes, but owned by the caller, with dir's group if dir is setgid
 * (and, for a directory, the setgid bit too), as Linux does.
 */
int vn_create(struct vnode *dir, const char *name, size_t len, struct vcreate *vc,
    struct vnode **out);

/* What ".." of dir is (across mounts), referenced. */
struct vnode *vn_dotdot(struct vnode *dir);

/*
 * The absolute path of directory vp into buf (size bytes), NUL-terminated;
 * *len is its length without the NUL.  ENOENT if vp or a directory above
 * it was removed, ERANGE if it does not fit.
 */
int vn_fullpath(struct vnode *vp, char *buf, size_t size, size_t *len);
/*
 * The absolute path of the file path names from dir (NULL: the root),
 * through symbolic links in its last component as open and execve go
 * (Linux's d_path of the file, not the link's name): its directory's path
 * and its last name, or through a magic link the path the link reads.
 * As vn_fullpath, and the errors of looking the file up.
 */
int vfs_fullpath_at(struct vnode *dir, const char *path, char *buf, size_t size, size_t *len);

/*
 * A symbolic link's contents into the kernel buffer buf (size bytes, no
 * NUL added): *len bytes, cut to size.  EINVAL if vp is no link.
 */
int vn_readlink_kernel(struct vnode *vp, char *buf, size_t size, size_t *len);

/*
 * Is directory a an ancestor of b, or b itself?  The answer stays true
 * only while no directory can be moved (the VFS rename lock held).
 */
bool vn_is_ancestor(struct vnode *a, struct vnode *b);

/* p's working directory (the root if p is NULL or has none), referenced. */
struct proc;
struct vnode *proc_cwd_hold(struct proc *p);

/* Has vp been removed from its directory (and not linked again)?  NULL: no. */
bool vn_removed(struct vnode *vp);

/* vp's size in bytes, read under its lock (the vnode pager). */
uint64_t vn_size(struct vnode *vp);

/* Fill a Linux struct stat for vp. */
void vn_stat(struct vnode *vp, struct stat *st);

/* Apply an attribute change to vp (through vop_setattr if it has one). */
int vn_setattr(struct vnode *vp, struct vsetattr *va);

/*
 * Read len bytes at off of vp into the kernel buffer buf; *done is what
 * was read (short at end of file).  0 or an errno.
 */
int vn_read_kernel(struct vnode *vp, void *buf, size_t len, uint64_t off, size_t *done);
/* A symbolic link's contents into buf (size bytes, not NUL-terminated); *len. */
int vn_readlink_kernel(struct vnode *vp, char *buf, size_t size, size_t *len);

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
 * open(2) flags and mode (the caller's umask already applied), as openat
 * does.  Returns a file with one reference.
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

/* FIFOs (fifo.c): open the named pipe vp, taking over the caller's reference (errors too). */
int fifo_open(struct vnode *vp, int flags, struct file **fpp);

extern struct vnode *rootvnode;
/* The root is a disk's (root= on the command line): init comes from init=, not rdinit=. */
extern bool fs_root_on_disk;

/*
 * Make the root file system, unpack the initial ram disk into it, mount
 * /dev and /proc, and the disk root= names over it (fs_init.c).
 */
void fs_init(const void *initrd, size_t len);

/*
 * linux_dirent64 records for vop_getdents: append one to buf (len bytes,
 * used so far) and return the new used, or 0 when it does not fit.
 */
size_t dirent_add(void *buf, size_t len, size_t used, uint64_t ino, uint64_t next_off,
    enum vtype type, const char *name, size_t namelen);
/* The S_IF* type bits of a vnode type, and the reverse (VNON if none). */
uint32_t vtype_to_ifmt(enum vtype type);
enum vtype ifmt_to_vtype(uint32_t mode);

/* devfs: make console, null, zero and the disks' nodes in dir. */
int devfs_populate(struct vnode *dir);
/*
 * The devfs vnode of the character (VCHR) or block (VBLK) device rdev,
 * referenced, for opening a device node of another file system; NULL if
 * there is no such device.
 */
struct vnode *devfs_find(enum vtype type, uint32_t rdev);
struct disk;
/* disk_vnops.c: a new VBLK vnode (one reference, no links) for dp, in mp. */
int disk_vnode_alloc(struct disk *dp, struct mount *mp, struct vnode **vpp);
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
/* procfs's root directory, referenced and not linked anywhere (tests). */
struct vnode *procfs_root_alloc(struct vnode *parent, const char *name);
struct vmspace;
/*
 * The text of /proc/PID/maps for vm into buf (size bytes); *lenp is its
 * length.  0, or ERANGE when it does not fit.
 */
int procfs_format_maps(struct vmspace *vm, char *buf, size_t size, size_t *lenp);

#endif
