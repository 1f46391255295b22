/*
 * The file system calls that name files by path or work on a file's
 * vnode (after FreeBSD's vfs_syscalls.c): open, stat, statfs, getdents,
 * access, the working directory, mkdir and unlink, truncate, sync; with
 * Linux's semantics and errno values.
 *
 * Each handler copies its user arguments in first (paths through
 * copyinstr into a PATH_MAX kernel buffer, ENAMETOOLONG beyond), works
 * on kernel copies, and copies results out last.  Descriptors are looked
 * up to referenced files, which are dropped before returning.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/file.h>
#include <kern/malloc.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <vm/vm_page.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>
#include <uapi/statfs.h>

#define GETDENTS_MAX	32768		/* kernel buffer for one getdents64 */

/*
 * Helpers.
 */

struct vnode *
proc_cwd_hold(struct proc *p)
{
	struct vnode *vp;

	if (p == NULL) {
		vref(rootvnode);
		return rootvnode;
	}
	/* Another thread's chdir may drop the old directory's reference. */
	spin_lock(&proc_lock);
	vp = p->p_cwd != NULL ? p->p_cwd : rootvnode;
	vref(vp);
	spin_unlock(&proc_lock);
	return vp;
}

/* Copy in a path: a PATH_MAX buffer (M_TEMP) for the caller to free. */
static int
path_in(uint64_t upath, char **kpathp)
{
	char *kpath = malloc(PATH_MAX, M_TEMP, M_WAITOK);
	size_t done;
	int error;

	if (kpath == NULL)
		return ENOMEM;
	if ((error = copyinstr((const void *)upath, kpath, PATH_MAX, &done)) != 0) {
		free(kpath, M_TEMP);
		return error;
	}
	*kpathp = kpath;
	return 0;
}

/* The directory path starts from (referenced): the root, the cwd, or dirfd's. */
static int
at_start(struct thread *td, int dirfd, const char *path, struct vnode **dirp)
{
	struct vnode *vp;
	struct file *fp;
	int error = 0;

	if (path[0] == '/' || dirfd == AT_FDCWD) {
		if (rootvnode == NULL)
			return ENOENT;
		if (path[0] == '/') {
			vref(rootvnode);
			*dirp = rootvnode;
		} else {
			*dirp = proc_cwd_hold(td->td_proc);
		}
		return 0;
	}
	if ((error = getfile(td, (uint32_t)dirfd, &fp)) != 0)
		return error;
	vp = fp->f_vnode;
	if (vp == NULL || vp->v_type != VDIR)
		error = ENOTDIR;
	else
		vref(vp);
	file_drop(fp);
	if (error)
		return error;
	*dirp = vp;
	return 0;
}

int
user_path_start(struct thread *td, uint64_t upath, char **kpathp, struct vnode **dirp)
{
	int error;

	if ((error = path_in(upath, kpathp)) != 0)
		return error;
	if ((error = at_start(td, AT_FDCWD, *kpathp, dirp)) != 0)
		free(*kpathp, M_TEMP);
	return error;
}

void
user_path_release(char *kpath, struct vnode *dir)
{
	vrele(dir);
	free(kpath, M_TEMP);
}

/* Look up a user path relative to dirfd: a referenced vnode. */
static int
lookup_user(struct thread *td, int dirfd, uint64_t upath, struct vnode **vpp)
{
	struct vnode *dir;
	char *path;
	int error;

	if ((error = path_in(upath, &path)) != 0)
		return error;
	if ((error = at_start(td, dirfd, path, &dir)) == 0) {
		error = vfs_lookup(dir, path, 0, VNON, 0, vpp);
		vrele(dir);
	}
	free(path, M_TEMP);
	return error;
}

/*
 * Opening and seeking.
 */

/* openat(dirfd, path, flags, mode) */
SYSCALL(openat)
{
	int flags = (int)a[2], error, fd;
	struct vnode *dir;
	struct file *fp;
	char *path;

	if (fdtable(td) == NULL)
		return -EMFILE;
	if ((error = path_in(a[1], &path)) != 0)
		return -error;
	if ((error = at_start(td, (int)a[0], path, &dir)) == 0) {
		error = vn_open(dir, path, flags, (uint32_t)a[3], &fp);
		vrele(dir);
	}
	free(path, M_TEMP);
	if (error)
		return -error;
	if ((error = fd_alloc(fdtable(td), fp, 0, (flags & O_CLOEXEC) != 0, &fd)) != 0) {
		file_drop(fp);
		return -error;
	}
	return fd;
}

SYSCALL(lseek)
{
	struct file *fp;
	uint64_t result;
	int error;

	if ((error = getfile(td, a[0], &fp)) != 0)
		return -error;
	error = file_seek(fp, (int64_t)a[1], (int)a[2], &result);
	file_drop(fp);
	return error ? -error : (long)result;
}

/*
 * Status.
 */

static int
stat_out(struct stat *st, uint64_t ubuf)
{
	return copyout(st, (void *)ubuf, sizeof(*st)) ? EFAULT : 0;
}

static int
stat_dirfd(struct thread *td, int dirfd, struct stat *st)
{
	struct file *fp;
	int error;

	if (dirfd == AT_FDCWD) {
		struct vnode *cwd;

		if (rootvnode == NULL)
			return ENOENT;
		cwd = proc_cwd_hold(td->td_proc);
		vn_stat(cwd, st);
		vrele(cwd);
		return 0;
	}
	if ((error = getfile(td, (uint32_t)dirfd, &fp)) != 0)
		return error;
	error = file_stat(fp, st);
	file_drop(fp);
	return error;
}

/* newfstatat(dirfd, path, statbuf, flags) */
SYSCALL(newfstatat)
{
	int flags = (int)a[3], dirfd = (int)a[0], error;
	struct stat st;
	struct vnode *dir, *vp;
	char *path;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	if ((error = path_in(a[1], &path)) != 0)
		return -error;
	if (path[0] == '\0') {
		error = (flags & AT_EMPTY_PATH) ? stat_dirfd(td, dirfd, &st) : ENOENT;
	} else if ((error = at_start(td, dirfd, path, &dir)) == 0) {
		if ((error = vfs_lookup(dir, path,
		    (flags & AT_SYMLINK_NOFOLLOW) ? 0 : VFS_FOLLOW, VNON, 0, &vp)) == 0) {
			vn_stat(vp, &st);
			vrele(vp);
		}
		vrele(dir);
	}
	free(path, M_TEMP);
	if (error == 0)
		error = stat_out(&st, a[2]);
	return -error;
}

static void
fill_statfs(struct vnode *vp, struct statfs *sf)
{
	memset(sf, 0, sizeof(*sf));
	sf->f_bsize = PAGE_SIZE;
	sf->f_frsize = PAGE_SIZE;
	sf->f_namelen = NAME_MAX;
	sf->f_fsid[0] = (int32_t)vp->v_fsid;
	sf->f_flags = ST_VALID;
	if (vp->v_fsid == FSID_PROCFS) {
		sf->f_type = PROC_SUPER_MAGIC;
		sf->f_flags |= ST_NOSUID | ST_NODEV | ST_NOEXEC;
		return;
	}
	/* ramfs holds files in free memory: report that as its space. */
	sf->f_type = RAMFS_MAGIC;
	sf->f_blocks = vm_page_count_total();
	sf->f_bfree = sf->f_bavail = vm_page_count_free();
	sf->f_files = vm_page_count_total();
	sf->f_ffree = vm_page_count_free();
}

/* statfs(path, buf) */
SYSCALL(statfs)
{
	struct statfs sf;
	struct vnode *vp;
	int error;

	if ((error = lookup_user(td, AT_FDCWD, a[0], &vp)) != 0)
		return -error;
	fill_statfs(vp, &sf);
	vrele(vp);
	return copyout(&sf, (void *)a[1], sizeof(sf)) ? -EFAULT : 0;
}

/* fstatfs(fd, buf) */
SYSCALL(fstatfs)
{
	struct statfs sf;
	struct file *fp;
	int error;

	if ((error = getfile(td, a[0], &fp)) != 0)
		return -error;
	if (fp->f_vnode != NULL)
		fill_statfs(fp->f_vnode, &sf);
	else
		memset(&sf, 0, sizeof(sf));	/* a pipe */
	file_drop(fp);
	return copyout(&sf, (void *)a[1], sizeof(sf)) ? -EFAULT : 0;
}

/* getdents64(fd, dirp, count) */
SYSCALL(getdents64)
{
	size_t len = MIN((uint32_t)a[2], GETDENTS_MAX);
	struct file *fp;
	ssize_t n;
	void *buf;
	int error;

	if ((error = getfile(td, a[0], &fp)) != 0)
		return -error;
	if ((buf = malloc(MAX(len, 8), M_TEMP, M_WAITOK)) == NULL) {
		file_drop(fp);
		return -ENOMEM;
	}
	n = vn_getdents(fp, buf, len, (void *)a[1]);
	free(buf, M_TEMP);
	file_drop(fp);
	return n;
}

/* faccessat2(dirfd, path, mode, flags): everyone is root, so existence and x bits. */
static long
access_common(struct thread *td, int dirfd, uint64_t upath, int mode, int flags)
{
	struct vnode *vp;
	int error;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((error = lookup_user(td, dirfd, upath, &vp)) != 0)
		return -error;
	if ((mode & X_OK) && vp->v_type != VDIR && (vp->v_mode & 0111) == 0)
		error = EACCES;
	vrele(vp);
	return -error;
}

SYSCALL(faccessat)
{
	return access_common(td, (int)a[0], a[1], (int)a[2], 0);
}

SYSCALL(faccessat2)
{
	return access_common(td, (int)a[0], a[1], (int)a[2], (int)a[3]);
}

/* readlinkat(dirfd, path, buf, bufsiz): the link's contents, cut to bufsiz, no NUL. */
SYSCALL(readlinkat)
{
	struct vnode *vp;
	size_t len;
	char *buf;
	int error;

	if ((int)a[3] <= 0)
		return -EINVAL;
	if ((error = lookup_user(td, (int)a[0], a[1], &vp)) != 0)
		return -error;
	if ((buf = malloc(PATH_MAX, M_TEMP, M_WAITOK)) == NULL)
		error = ENOMEM;
	else if ((error = vn_readlink_kernel(vp, buf, MIN((size_t)(int)a[3], PATH_MAX),
	    &len)) == 0 && copyout(buf, (void *)a[2], len) != 0)
		error = EFAULT;
	free(buf, M_TEMP);
	vrele(vp);
	return error ? -error : (long)len;
}

/*
 * Directories.
 */

/* getcwd(buf, size): the length with the NUL. */
SYSCALL(getcwd)
{
	struct vnode *cwd;
	size_t len;
	char *kbuf;
	int error;

	if (rootvnode == NULL)
		return -ENOENT;
	if ((kbuf = malloc(PATH_MAX, M_TEMP, M_WAITOK)) == NULL)
		return -ENOMEM;
	cwd = proc_cwd_hold(td->td_proc);
	error = vn_fullpath(cwd, kbuf, PATH_MAX, &len);
	vrele(cwd);
	if (error == ERANGE)
		error = ENAMETOOLONG;
	else if (error == 0 && a[1] < len + 1)
		error = ERANGE;
	else if (error == 0 && copyout(kbuf, (void *)a[0], len + 1) != 0)
		error = EFAULT;
	free(kbuf, M_TEMP);
	return error ? -error : (long)(len + 1);
}

static int
set_cwd(struct thread *td, struct vnode *vp)
{
	struct proc *p = td->td_proc;
	struct vnode *old;

	if (vp->v_type != VDIR) {
		vrele(vp);
		return ENOTDIR;
	}
	if (p == NULL) {
		vrele(vp);
		return EINVAL;
	}
	spin_lock(&proc_lock);
	old = p->p_cwd;
	p->p_cwd = vp;		/* takes over the reference */
	spin_unlock(&proc_lock);
	if (old != NULL)
		vrele(old);
	return 0;
}

SYSCALL(chdir)
{
	struct vnode *vp;
	int error;

	if ((error = lookup_user(td, AT_FDCWD, a[0], &vp)) != 0)
		return -error;
	return -set_cwd(td, vp);
}

SYSCALL(fchdir)
{
	struct vnode *vp;
	struct file *fp;
	int error;

	if ((error = getfile(td, a[0], &fp)) != 0)
		return -error;
	vp = fp->f_vnode;
	if (vp != NULL)
		vref(vp);
	file_drop(fp);
	if (vp == NULL)
		return -ENOTDIR;
	return -set_cwd(td, vp);
}

/* mkdirat(dirfd, path, mode) */
SYSCALL(mkdirat)
{
	struct vnode *dir, *vp;
	char *path;
	int error;

	if ((error = path_in(a[1], &path)) != 0)
		return -error;
	if ((error = at_start(td, (int)a[0], path, &dir)) == 0) {
		error = vfs_lookup(dir, path, VFS_CREATE | VFS_EXCL, VDIR,
		    (uint32_t)a[2] & S_IALLUGO, &vp);
		if (error == 0)
			vrele(vp);
		vrele(dir);
	}
	free(path, M_TEMP);
	return -error;
}

/* Remove name (len bytes) from parent, with Linux's answers for odd names. */
static int
remove_entry(struct vnode *parent, const char *name, size_t len, bool trailing, bool rmdir)
{
	struct vnode *vp;
	int error;

	if (len == 1 && name[0] == '.')
		return rmdir ? EINVAL : EISDIR;
	if (len == 2 && name[0] == '.' && name[1] == '.')
		return rmdir ? ENOTEMPTY : EISDIR;
	if (trailing && !rmdir) {
		/* "name/": a directory (EISDIR) or not one at all (ENOTDIR). */
		if ((error = vfs_lookup_component(parent, name, len, &vp)) != 0)
			return error;
		error = vp->v_type == VDIR ? EISDIR : ENOTDIR;
		vrele(vp);
		return error;
	}
	if (parent->v_ops->vop_unlink == NULL)
		return EACCES;
	return parent->v_ops->vop_unlink(parent, name, len, rmdir);
}

/* unlinkat(dirfd, path, flags) */
SYSCALL(unlinkat)
{
	int flags = (int)a[2], error;
	struct vnode *dir, *parent;
	const char *name;
	size_t len;
	bool trailing;
	char *path;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	if ((error = path_in(a[1], &path)) != 0)
		return -error;
	if ((error = at_start(td, (int)a[0], path, &dir)) == 0) {
		error = vfs_lookup_parent(dir, path, &parent, &name, &len, &trailing);
		if (error == 0) {
			error = remove_entry(parent, name, len, trailing, flags & AT_REMOVEDIR);
			vrele(parent);
		}
		vrele(dir);
	}
	free(path, M_TEMP);
	return -error;
}

/*
 * Sizes.
 */

static int
truncate_vnode(struct vnode *vp, int64_t length)
{
	if (length < 0)
		return EINVAL;
	if (vp->v_type == VDIR)
		return EISDIR;
	if (vp->v_type != VREG || vp->v_ops->vop_truncate == NULL)
		return EINVAL;
	return vp->v_ops->vop_truncate(vp, (uint64_t)length);
}

/* ftruncate(fd, length) */
SYSCALL(ftruncate)
{
	struct file *fp;
	int error;

	if ((int64_t)a[1] < 0)
		return -EINVAL;
	if ((error = getfile(td, a[0], &fp)) != 0)
		return -error;
	if (fp->f_vnode == NULL || fp->f_vnode->v_type != VREG || !file_writable(fp))
		error = EINVAL;
	else
		error = truncate_vnode(fp->f_vnode, (int64_t)a[1]);
	file_drop(fp);
	return -error;
}

/* fallocate's modes besides FALLOC_FL_KEEP_SIZE (Linux's FALLOC_FL_MODE_MASK) */
#define FALLOC_MODES	(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE | \
	FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE)

/* fallocate on a file on no vnode: a pipe is ESPIPE, the rest (sockets) ENODEV. */
static int
fallocate_not_vnode(struct file *fp)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	if (file_stat(fp, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO)
		return ESPIPE;
	return ENODEV;
}

/*
 * fallocate(fd, mode, offset, len), with Linux's checks in Linux's order:
 * the range (EINVAL), the mode's combinations (EOPNOTSUPP, EINVAL), the
 * descriptor (EBADF unless open for writing), what it is open on (ESPIPE
 * for a pipe, EISDIR, ENODEV for what has no blocks), the size (EFBIG).
 */
SYSCALL(fallocate)
{
	int64_t off = (int64_t)a[2], len = (int64_t)a[3];
	int mode = (int)a[1], error;
	struct vnode *vp;
	struct file *fp;

	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~(FALLOC_MODES | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	/* One mode at most; KEEP_SIZE is a must with a hole, and no sense when moving data. */
	switch (mode & FALLOC_MODES) {
	case 0:
	case FALLOC_FL_ZERO_RANGE:
	case FALLOC_FL_UNSHARE_RANGE:
		break;
	case FALLOC_FL_PUNCH_HOLE:
		if (!(mode & FALLOC_FL_KEEP_SIZE))
			return -EOPNOTSUPP;
		break;
	case FALLOC_FL_COLLAPSE_RANGE:
	case FALLOC_FL_INSERT_RANGE:
		if (mode & FALLOC_FL_KEEP_SIZE)
			return -EOPNOTSUPP;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if ((error = getfile(td, a[0], &fp)) != 0)
		return -error;
	vp = fp->f_vnode;
	if (!file_writable(fp))
		error = EBADF;
	else if (vp == NULL)
		error = fallocate_not_vnode(fp);
	else if (vp->v_type == VFIFO)
		error = ESPIPE;
	else if (vp->v_type == VDIR)
		error = EISDIR;
	else if (vp->v_type != VREG)
		error = ENODEV;
	else if (off > INT64_MAX - len)
		error = EFBIG;
	else if (vp->v_ops->vop_fallocate == NULL)
		error = EOPNOTSUPP;
	else
		error = vp->v_ops->vop_fallocate(vp, mode, (uint64_t)off, (uint64_t)len);
	file_drop(fp);
	return -error;
}

/* truncate(path, length) */
SYSCALL(truncate)
{
	struct vnode *vp;
	int error;

	if ((int64_t)a[1] < 0)
		return -EINVAL;
	if ((error = lookup_user(td, AT_FDCWD, a[0], &vp)) != 0)
		return -error;
	error = truncate_vnode(vp, (int64_t)a[1]);
	vrele(vp);
	return -error;
}

/*
 * fsync(fd), fdatasync(fd): ramfs is already as durable as it gets; a
 * disk flushes its write cache.
 */
static long
sync_fd(struct thread *td, uint64_t fd)
{
	struct file *fp;
	struct vnode *vp;
	int error;

	if ((error = getfile(td, fd, &fp)) != 0)
		return -error;
	vp = fp->f_vnode;
	if (vp == NULL)
		error = EINVAL;
	else if (vp->v_ops->vop_fsync != NULL)
		error = vp->v_ops->vop_fsync(vp);
	file_drop(fp);
	return -error;
}

SYSCALL(fsync)
{
	return sync_fd(td, a[0]);
}

SYSCALL(fdatasync)
{
	return sync_fd(td, a[0]);
}

SYSCALL(sync)
{
	return 0;
}
