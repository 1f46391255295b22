/*
 * The file system calls that name files by path or change the name
 * space (after FreeBSD's vfs_syscalls.c): open, getdents, the working
 * directory, mkdir, mknod, symlink, readlink, link, unlink, rename,
 * truncate, sync; with Linux's semantics and errno values.  The calls
 * about attributes (stat, statx, statfs, access, chmod, chown, utimes,
 * umask) are in vfs_attrs.c.
 *
 * Each handler copies its user arguments in first (paths through
 * copyinstr into a PATH_MAX kernel buffer, ENAMETOOLONG beyond), works
 * on kernel copies, and copies results out last.  Descriptors are looked
 * up to referenced files, which are dropped before returning.
 *
 * Renames are serialized by one sleeping lock (vfs_rename_lock), so that
 * the check that a directory is not moved into itself cannot be undone
 * by another rename before this one is done, as Linux's per-file-system
 * rename mutex does.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/file.h>
#include <kern/mutex.h>
#include <kern/malloc.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <fs/mount.h>
#include <fs/vfs_internal.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>
#include <uapi/fs.h>
#include <uapi/stat.h>

#define GETDENTS_MAX	32768		/* kernel buffer for one getdents64 */

static struct mtx vfs_rename_lock = MTX_INITIALIZER("rename");

/*
 * Helpers (vfs_internal.h).
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

int
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

void
path_free(char *kpath)
{
	free(kpath, M_TEMP);
}

int
fd_vnode(struct thread *td, int fd, struct vnode **vpp)
{
	struct file *fp;
	int error;

	if ((error = getfile(td, (uint32_t)fd, &fp)) != 0)
		return error;
	*vpp = fp->f_vnode;
	if (*vpp != NULL)
		vref(*vpp);
	file_drop(fp);
	return 0;
}

int
at_start(struct thread *td, int dirfd, const char *path, struct vnode **dirp)
{
	struct vnode *vp;
	int error;

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
	if ((error = fd_vnode(td, dirfd, &vp)) != 0)
		return error;
	if (vp == NULL || vp->v_type != VDIR) {
		if (vp != NULL)
			vrele(vp);
		return ENOTDIR;
	}
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

int
lookup_at(struct thread *td, int dirfd, const char *path, int atflags, struct vnode **vpp)
{
	struct vnode *dir;
	int error;

	if (path[0] == '\0') {
		if (!(atflags & AT_EMPTY_PATH))
			return ENOENT;
		if (dirfd == AT_FDCWD) {
			*vpp = proc_cwd_hold(td->td_proc);
			return 0;
		}
		if ((error = fd_vnode(td, dirfd, vpp)) != 0)
			return error;
		return *vpp != NULL ? 0 : ENOENT;
	}
	if ((error = at_start(td, dirfd, path, &dir)) != 0)
		return error;
	error = vfs_lookup(dir, path, (atflags & AT_SYMLINK_NOFOLLOW) ? VFS_NOFOLLOW : 0, VNON,
	    0, vpp);
	vrele(dir);
	return error;
}

int
lookup_user(struct thread *td, int dirfd, uint64_t upath, int atflags, struct vnode **vpp)
{
	char *path;
	int error;

	if ((error = path_in(upath, &path)) != 0)
		return error;
	error = lookup_at(td, dirfd, path, atflags, vpp);
	path_free(path);
	return error;
}

/*
 * Walk (dirfd, upath) to the directory of its last component, for the
 * calls that make or remove names.  0 with nd filled (namei_done it).
 */
static int
parent_user(struct thread *td, int dirfd, uint64_t upath, struct nameidata *nd)
{
	struct vnode *dir;
	char *path;
	int error;

	if ((error = path_in(upath, &path)) != 0)
		return error;
	if ((error = at_start(td, dirfd, path, &dir)) == 0) {
		error = namei_parent(nd, dir, path);
		vrele(dir);
	}
	path_free(path);
	return error;
}

/* The caller's file mode creation mask. */
static uint32_t
umask_of(struct thread *td)
{
	return td->td_proc != NULL ? td->td_proc->p_umask : 022;
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
		error = vn_open(dir, path, flags, (uint32_t)a[3] & ~umask_of(td), &fp);
		vrele(dir);
	}
	path_free(path);
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

/*
 * The working directory.
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
	int error = 0;

	if (vp->v_type != VDIR)
		error = ENOTDIR;
	else if (p == NULL)
		error = EINVAL;
	else
		error = vn_access(vp, X_OK);
	if (error) {
		vrele(vp);
		return error;
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

	if ((error = lookup_user(td, AT_FDCWD, a[0], 0, &vp)) != 0)
		return -error;
	return -set_cwd(td, vp);
}

SYSCALL(fchdir)
{
	struct vnode *vp;
	int error;

	if ((error = fd_vnode(td, (int)a[0], &vp)) != 0)
		return -error;
	if (vp == NULL)
		return -ENOTDIR;
	return -set_cwd(td, vp);
}

/*
 * Making names.
 */

/*
 * Make the last component of nd as vc describes: EEXIST if it exists
 * (following no link), ENOENT if slashes follow it and it is not a
 * directory being made, EEXIST for "." and "..".
 */
static int
make_name(struct nameidata *nd, struct vcreate *vc)
{
	struct vnode *vp;
	int error;

	if (nd->nd_notname)
		return EEXIST;
	error = namei_last(nd, false, &vp);
	if (error == 0) {
		vrele(vp);
		return EEXIST;
	}
	if (error != ENOENT && error != ENOTDIR)
		return error;
	if (error == ENOTDIR || (nd->nd_trailing && vc->vc_type != VDIR))
		return error == ENOTDIR ? EEXIST : ENOENT;
	if ((error = vn_create(nd->nd_dvp, nd->nd_name, nd->nd_namelen, vc, &vp)) == 0)
		vrele(vp);
	return error;
}

/* mkdirat(dirfd, path, mode) */
SYSCALL(mkdirat)
{
	struct vcreate vc = { .vc_type = VDIR, .vc_mode = (uint32_t)a[2] & 01777 & ~umask_of(td) };
	struct nameidata nd;
	int error;

	if ((error = parent_user(td, (int)a[0], a[1], &nd)) != 0)
		return -error;
	error = make_name(&nd, &vc);
	namei_done(&nd);
	return -error;
}

/* mknodat(dirfd, path, mode, dev): regular files, FIFOs, sockets, device nodes. */
SYSCALL(mknodat)
{
	uint32_t mode = (uint32_t)a[2];
	struct vcreate vc = { .vc_mode = mode & S_IALLUGO & ~umask_of(td), .vc_rdev = (uint32_t)a[3] };
	struct nameidata nd;
	int error;

	switch (mode & S_IFMT) {
	case 0:
	case S_IFREG:
		vc.vc_type = VREG;
		break;
	case S_IFIFO:
	case S_IFSOCK:
		vc.vc_type = ifmt_to_vtype(mode);
		break;
	case S_IFCHR:
	case S_IFBLK:
		if (vfs_cred_uid() != 0)
			return -EPERM;
		vc.vc_type = ifmt_to_vtype(mode);
		break;
	case S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	if ((error = parent_user(td, (int)a[0], a[1], &nd)) != 0)
		return -error;
	error = make_name(&nd, &vc);
	namei_done(&nd);
	return -error;
}

/* symlinkat(target, newdirfd, linkpath) */
SYSCALL(symlinkat)
{
	struct vcreate vc = { .vc_type = VLNK, .vc_mode = 0777 };
	struct nameidata nd;
	char *target;
	int error;

	if ((error = path_in(a[0], &target)) != 0)
		return -error;
	if (target[0] == '\0') {
		path_free(target);
		return -ENOENT;
	}
	vc.vc_target = target;
	vc.vc_targetlen = strlen(target);
	if ((error = parent_user(td, (int)a[1], a[2], &nd)) == 0) {
		error = make_name(&nd, &vc);
		namei_done(&nd);
	}
	path_free(target);
	return -error;
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
	if ((error = lookup_user(td, (int)a[0], a[1], AT_SYMLINK_NOFOLLOW, &vp)) != 0)
		return -error;
	if ((buf = malloc(PATH_MAX, M_TEMP, M_WAITOK)) == NULL)
		error = ENOMEM;
	else if ((error = vn_readlink_kernel(vp, buf, MIN((size_t)(int)a[3], PATH_MAX), &len)) == 0 &&
	    copyout(buf, (void *)a[2], len) != 0)
		error = EFAULT;
	free(buf, M_TEMP);
	vrele(vp);
	return error ? -error : (long)len;
}

/* Are a and b in the same file system (for link and rename)? */
static bool
same_fs(struct vnode *a, struct vnode *b)
{
	return a->v_fsid == b->v_fsid;
}

/* linkat(olddirfd, oldpath, newdirfd, newpath, flags) */
SYSCALL(linkat)
{
	int flags = (int)a[4], error;
	struct nameidata nd;
	struct vnode *vp, *existing;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	error = lookup_user(td, (int)a[0], a[1],
	    ((flags & AT_SYMLINK_FOLLOW) ? 0 : AT_SYMLINK_NOFOLLOW) | (flags & AT_EMPTY_PATH), &vp);
	if (error)
		return -error;
	if (vp->v_type == VDIR) {
		vrele(vp);
		return -EPERM;
	}
	if ((error = parent_user(td, (int)a[2], a[3], &nd)) != 0) {
		vrele(vp);
		return -error;
	}
	if (nd.nd_notname) {
		error = EEXIST;
	} else if ((error = namei_last(&nd, false, &existing)) == 0) {
		vrele(existing);
		error = EEXIST;
	} else if (error == ENOENT && nd.nd_dvp != NULL) {
		if (nd.nd_trailing)
			error = ENOENT;
		else if (!same_fs(nd.nd_dvp, vp))
			error = EXDEV;
		else if (nd.nd_dvp->v_ops->vop_link == NULL)
			error = EPERM;
		else if ((error = vn_access(nd.nd_dvp, W_OK | X_OK)) == 0)
			error = nd.nd_dvp->v_ops->vop_link(nd.nd_dvp, nd.nd_name, nd.nd_namelen, vp);
	}
	namei_done(&nd);
	vrele(vp);
	return -error;
}

/*
 * Removing names.
 */

/*
 * May the caller remove vp's entry in dir?  Write and search permission
 * on dir, and in a sticky directory ownership of vp or dir (or root).
 */
static int
may_delete(struct vnode *dir, struct vnode *vp)
{
	uint32_t uid = vfs_cred_uid();
	int error;

	if ((error = vn_access(dir, W_OK | X_OK)) != 0)
		return error;
	if ((__atomic_load_n(&dir->v_mode, __ATOMIC_RELAXED) & S_ISVTX) && uid != 0 &&
	    uid != __atomic_load_n(&vp->v_uid, __ATOMIC_RELAXED) &&
	    uid != __atomic_load_n(&dir->v_uid, __ATOMIC_RELAXED))
		return EPERM;
	return 0;
}

/* Remove the last component of nd, with Linux's answers for odd names. */
static int
remove_entry(struct nameidata *nd, bool rmdir)
{
	const char *name = nd->nd_name;
	size_t len = nd->nd_namelen;
	struct vnode *vp;
	int error;

	if (nd->nd_notname) {
		if (!rmdir)
			return EISDIR;
		if (nd->nd_onlyslashes)
			return EBUSY;		/* "/" */
		return len == 1 ? EINVAL : ENOTEMPTY;	/* ".", ".." */
	}
	if ((error = vn_access(nd->nd_dvp, X_OK)) != 0 ||
	    (error = vfs_lookup_component(nd->nd_dvp, name, len, &vp)) != 0)
		return error;
	if (rmdir && vp->v_type != VDIR)
		error = ENOTDIR;
	else if (!rmdir && nd->nd_trailing)
		error = vp->v_type == VDIR ? EISDIR : ENOTDIR;	/* "name/" */
	else if (!rmdir && vp->v_type == VDIR)
		error = EISDIR;
	else if (vp == rootvnode || nd->nd_dvp->v_ops->vop_unlink == NULL)
		error = EBUSY;
	else if ((error = may_delete(nd->nd_dvp, vp)) == 0)
		error = nd->nd_dvp->v_ops->vop_unlink(nd->nd_dvp, name, len, vp, rmdir);
	vrele(vp);
	return error;
}

/* unlinkat(dirfd, path, flags) */
SYSCALL(unlinkat)
{
	int flags = (int)a[2], error;
	struct nameidata nd;

	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	if ((error = parent_user(td, (int)a[0], a[1], &nd)) != 0)
		return -error;
	error = remove_entry(&nd, (flags & AT_REMOVEDIR) != 0);
	namei_done(&nd);
	return -error;
}

/*
 * Rename.
 */

/*
 * The checks of rename(2) that need only the two entries (fvp in fnd's
 * directory, tvp in tnd's or NULL), in Linux's order.
 */
static int
rename_checks(struct nameidata *fnd, struct vnode *fvp, struct nameidata *tnd,
    struct vnode *tvp, int flags)
{
	bool exchange = (flags & RENAME_EXCHANGE) != 0;
	struct vnode *fdir = fnd->nd_dvp, *tdir = tnd->nd_dvp;
	int error;

	if ((fnd->nd_trailing || tnd->nd_trailing) && fvp->v_type != VDIR)
		return ENOTDIR;
	if (exchange && tnd->nd_trailing && tvp->v_type != VDIR)
		return ENOTDIR;
	if (fvp->v_type == VDIR && vn_is_ancestor(fvp, tdir))
		return EINVAL;		/* a directory into itself */
	if (tvp != NULL && tvp->v_type == VDIR && vn_is_ancestor(tvp, fdir))
		return exchange ? EINVAL : ENOTEMPTY;
	if (fvp == tvp)
		return 0;		/* two names of one file: nothing to do */
	if (tvp != NULL && !exchange) {
		if (fvp->v_type == VDIR && tvp->v_type != VDIR)
			return ENOTDIR;
		if (fvp->v_type != VDIR && tvp->v_type == VDIR)
			return EISDIR;
	}
	if (fvp == rootvnode || tvp == rootvnode)
		return EBUSY;
	if ((error = may_delete(fdir, fvp)) != 0)
		return error;
	if (tvp != NULL ? (error = may_delete(tdir, tvp)) != 0 :
	    (error = vn_access(tdir, W_OK | X_OK)) != 0)
		return error;
	/* A directory that changes parent has its ".." rewritten. */
	if (fdir != tdir && fvp->v_type == VDIR && (error = vn_access(fvp, W_OK)) != 0)
		return error;
	if (fdir != tdir && exchange && tvp->v_type == VDIR &&
	    (error = vn_access(tvp, W_OK)) != 0)
		return error;
	return 0;
}

/* The rename proper, both parents walked; the rename lock held. */
static int
rename_locked(struct nameidata *fnd, struct nameidata *tnd, int flags)
{
	struct vnode *fvp = NULL, *tvp = NULL;
	int error;

	if ((error = vn_access(fnd->nd_dvp, X_OK)) != 0 ||
	    (error = vn_access(tnd->nd_dvp, X_OK)) != 0)
		return error;
	if ((error = vfs_lookup_component(fnd->nd_dvp, fnd->nd_name, fnd->nd_namelen,
	    &fvp)) != 0)
		return error;
	error = vfs_lookup_component(tnd->nd_dvp, tnd->nd_name, tnd->nd_namelen, &tvp);
	if (error == ENOENT && !(flags & RENAME_EXCHANGE)) {
		tvp = NULL;
		error = 0;
	}
	if (error == 0 && tvp != NULL && (flags & RENAME_NOREPLACE))
		error = EEXIST;
	if (error == 0 && !same_fs(fnd->nd_dvp, tnd->nd_dvp))
		error = EXDEV;
	if (error == 0 && (error = rename_checks(fnd, fvp, tnd, tvp, flags)) == 0 && fvp != tvp) {
		struct vnode *fdir = fnd->nd_dvp;

		error = fdir->v_ops->vop_rename == NULL ? EPERM :
		    fdir->v_ops->vop_rename(fdir, fnd->nd_name, fnd->nd_namelen, fvp,
		    tnd->nd_dvp, tnd->nd_name, tnd->nd_namelen, tvp,
		    ((flags & RENAME_NOREPLACE) ? VRENAME_NOREPLACE : 0) |
		    ((flags & RENAME_EXCHANGE) ? VRENAME_EXCHANGE : 0));
	}
	vrele(fvp);
	if (tvp != NULL)
		vrele(tvp);
	return error;
}

/* renameat2(olddirfd, oldpath, newdirfd, newpath, flags) */
SYSCALL(renameat2)
{
	int flags = (int)a[4], error;
	struct nameidata fnd, tnd;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_WHITEOUT) ||
	    (flags & (RENAME_NOREPLACE | RENAME_EXCHANGE)) == (RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if ((error = parent_user(td, (int)a[0], a[1], &fnd)) != 0)
		return -error;
	if ((error = parent_user(td, (int)a[2], a[3], &tnd)) != 0) {
		namei_done(&fnd);
		return -error;
	}
	if (fnd.nd_notname)
		error = EBUSY;
	else if (tnd.nd_notname)
		error = (flags & RENAME_NOREPLACE) ? EEXIST : EBUSY;
	else {
		mtx_lock(&vfs_rename_lock);
		error = rename_locked(&fnd, &tnd, flags);
		mtx_unlock(&vfs_rename_lock);
	}
	namei_done(&tnd);
	namei_done(&fnd);
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
	if ((error = lookup_user(td, AT_FDCWD, a[0], 0, &vp)) != 0)
		return -error;
	if (vp->v_type == VDIR)
		error = EISDIR;
	else if ((error = vn_access(vp, W_OK)) == 0)
		error = truncate_vnode(vp, (int64_t)a[1]);
	vrele(vp);
	return -error;
}

/*
 * fsync(fd), fdatasync(fd): the file system writes the file back and
 * waits.  A write-back error of the file is reported once to each open
 * file that has not reported it yet (Linux's errseq): the vnode counts
 * its failed write-backs, each file remembers the count it last saw.
 */
static int
report_wb_errors(struct file *fp, struct vnode *vp)
{
	uint32_t now = __atomic_load_n(&vp->v_wb_errors, __ATOMIC_ACQUIRE), seen;

	spin_lock(&fp->f_lock);
	seen = fp->f_wb_errors;
	fp->f_wb_errors = now;
	spin_unlock(&fp->f_lock);
	return now != seen ? EIO : 0;
}

static long
sync_fd(struct thread *td, uint64_t fd)
{
	struct file *fp;
	struct vnode *vp;
	int error = 0, reported;

	if ((error = getfile(td, fd, &fp)) != 0)
		return -error;
	vp = fp->f_vnode;
	if (vp == NULL || vp->v_type == VFIFO) {
		error = EINVAL;
	} else {
		if (vp->v_ops->vop_fsync != NULL)
			error = vp->v_ops->vop_fsync(vp);
		reported = report_wb_errors(fp, vp);
		if (error == 0)
			error = reported;
	}
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

/* sync(): every file system, waited for (Linux waits too). */
SYSCALL(sync)
{
	vfs_sync_all(true);
	return 0;
}

/* syncfs(fd): the file system fd is on; its write-back errors are reported as fsync's. */
SYSCALL(syncfs)
{
	struct file *fp;
	struct vnode *vp;
	int error;

	if ((error = getfile(td, a[0], &fp)) != 0)
		return -error;
	vp = fp->f_vnode;
	if (vp != NULL && vp->v_mount != NULL)
		error = vfs_sync_mount(vp->v_mount);
	if (vp != NULL && error == 0)
		error = report_wb_errors(fp, vp);
	file_drop(fp);
	return -error;
}

/* fadvise64(fd, offset, len, advice): the advice for read-ahead, for the whole file. */
SYSCALL(fadvise64)
{
	int advice = (int)a[3], error;
	struct file *fp;

	if ((error = getfile(td, a[0], &fp)) != 0)
		return -error;
	if (fp->f_vnode == NULL || fp->f_vnode->v_type == VFIFO)
		error = ESPIPE;
	else if ((int64_t)a[2] < 0 || advice < POSIX_FADV_NORMAL || advice > POSIX_FADV_NOREUSE)
		error = EINVAL;
	else if (advice <= POSIX_FADV_SEQUENTIAL)
		__atomic_store_n(&fp->f_advice, advice, __ATOMIC_RELAXED);
	/* WILLNEED, DONTNEED, NOREUSE: hints this kernel takes as given, doing nothing more. */
	file_drop(fp);
	return -error;
}
