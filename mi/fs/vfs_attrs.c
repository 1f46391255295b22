/*
 * The system calls about files' attributes: stat, statx, statfs, access,
 * chmod, chown, utimensat and umask, with Linux's permission rules and
 * errno values (after Linux's fs/stat.c, fs/open.c, fs/utimes.c).
 *
 * Who may change what:
 *   chmod     the owner or root.  A caller not in the file's group
 *             (root aside) cannot set the setgid bit: it is cleared.
 *   chown     root may give a file to anyone; the owner may only change
 *             its group to its own.  Changing the owners of anything but
 *             a directory clears setuid, and setgid if the group may
 *             execute, even for root (as Linux since 2.2.13).
 *   utimens   times "now" (NULL, or UTIME_NOW) need ownership or write
 *             permission; explicit times need ownership; root may do
 *             either.
 * Each change also sets the file's ctime.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/file.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <fs/mount.h>
#include <fs/vfs_internal.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>
#include <uapi/statfs.h>

#define STAT_AT_FLAGS	(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)

/*
 * Status.
 */

/*
 * stat of (dirfd, path) with *at() flags: through the file for an empty
 * path (so a pipe can be stat'ed), else through the vnode.
 */
static int
stat_at(struct thread *td, int dirfd, const char *path, int flags, struct stat *st)
{
	struct vnode *vp;
	struct file *fp;
	int error;

	if (path[0] == '\0' && (flags & AT_EMPTY_PATH) && dirfd != AT_FDCWD) {
		if ((error = getfile(td, (uint32_t)dirfd, &fp)) != 0)
			return error;
		error = file_stat(fp, st);
		file_drop(fp);
		return error;
	}
	if ((error = lookup_at(td, dirfd, path, flags, &vp)) != 0)
		return error;
	vn_stat(vp, st);
	vrele(vp);
	return 0;
}

static int
stat_user(struct thread *td, int dirfd, uint64_t upath, int flags, struct stat *st)
{
	char *path;
	int error;

	if ((error = path_in(upath, &path)) != 0)
		return error;
	error = stat_at(td, dirfd, path, flags, st);
	path_free(path);
	return error;
}

/* newfstatat(dirfd, path, statbuf, flags) */
SYSCALL(newfstatat)
{
	int flags = (int)a[3], error;
	struct stat st;

	if (flags & ~STAT_AT_FLAGS)
		return -EINVAL;
	if ((error = stat_user(td, (int)a[0], a[1], flags, &st)) == 0 &&
	    copyout(&st, (void *)a[2], sizeof(st)) != 0)
		error = EFAULT;
	return -error;
}

/* Linux's split of a dev_t (new_decode_dev) into major and minor. */
static uint32_t dev_major(uint64_t dev) { return (uint32_t)((dev >> 8) & 0xfff); }
static uint32_t dev_minor(uint64_t dev) { return (uint32_t)((dev & 0xff) | ((dev >> 12) & 0xfff00)); }

static void
statx_time(struct statx_timestamp *t, int64_t sec, uint64_t nsec)
{
	t->tv_sec = sec;
	t->tv_nsec = (uint32_t)nsec;
}

/* statx(dirfd, path, flags, mask, statxbuf): what stat says, in statx's form. */
SYSCALL(statx)
{
	int flags = (int)a[2], error;
	uint32_t mask = (uint32_t)a[3];
	struct statx stx;
	struct stat st;

	if ((flags & ~(STAT_AT_FLAGS | AT_STATX_SYNC_TYPE)) ||
	    (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE || (mask & STATX__RESERVED))
		return -EINVAL;
	if ((error = stat_user(td, (int)a[0], a[1], flags, &st)) != 0)
		return -error;
	memset(&stx, 0, sizeof(stx));
	stx.stx_mask = STATX_BASIC_STATS;
	stx.stx_blksize = (uint32_t)st.st_blksize;
	stx.stx_nlink = st.st_nlink;
	stx.stx_uid = st.st_uid;
	stx.stx_gid = st.st_gid;
	stx.stx_mode = (uint16_t)st.st_mode;
	stx.stx_ino = st.st_ino;
	stx.stx_size = (uint64_t)st.st_size;
	stx.stx_blocks = (uint64_t)st.st_blocks;
	statx_time(&stx.stx_atime, st.st_atime_sec, st.st_atime_nsec);
	statx_time(&stx.stx_mtime, st.st_mtime_sec, st.st_mtime_nsec);
	statx_time(&stx.stx_ctime, st.st_ctime_sec, st.st_ctime_nsec);
	stx.stx_rdev_major = dev_major(st.st_rdev);
	stx.stx_rdev_minor = dev_minor(st.st_rdev);
	stx.stx_dev_major = dev_major(st.st_dev);
	stx.stx_dev_minor = dev_minor(st.st_dev);
	return copyout(&stx, (void *)a[4], sizeof(stx)) ? -EFAULT : 0;
}

/* statfs(path, buf) */
SYSCALL(statfs)
{
	struct statfs sf;
	struct vnode *vp;
	int error;

	if ((error = lookup_user(td, AT_FDCWD, a[0], 0, &vp)) != 0)
		return -error;
	vfs_statfs_vnode(vp, &sf);
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
		vfs_statfs_vnode(fp->f_vnode, &sf);
	else
		memset(&sf, 0, sizeof(sf));	/* a pipe */
	file_drop(fp);
	return copyout(&sf, (void *)a[1], sizeof(sf)) ? -EFAULT : 0;
}

/* faccessat2(dirfd, path, mode, flags): may the caller read, write, execute it? */
static long
access_common(struct thread *td, int dirfd, uint64_t upath, int mode, int flags)
{
	struct vnode *vp;
	int error;

	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((error = lookup_user(td, dirfd, upath, flags & ~AT_EACCESS, &vp)) != 0)
		return -error;
	if (mode != F_OK)
		error = vn_access(vp, mode);
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

/*
 * Changes.
 */

static int
do_chmod(struct vnode *vp, uint32_t mode)
{
	struct vsetattr va = { .va_mask = VA_MODE, .va_mode = mode & S_IALLUGO };

	if (!vn_owner_or_root(vp))
		return EPERM;
	if (vfs_cred_uid() != 0 && vfs_cred_gid() != __atomic_load_n(&vp->v_gid, __ATOMIC_RELAXED))
		va.va_mode &= ~S_ISGID;
	return vn_setattr(vp, &va);
}

/* fchmod(fd, mode) */
SYSCALL(fchmod)
{
	struct vnode *vp;
	int error;

	if ((error = fd_vnode(td, (int)a[0], &vp)) != 0)
		return -error;
	if (vp == NULL)
		return 0;		/* a pipe: nothing kept to change */
	error = do_chmod(vp, (uint32_t)a[1]);
	vrele(vp);
	return -error;
}

/* fchmodat(dirfd, path, mode): follows symbolic links (there is no flags argument). */
SYSCALL(fchmodat)
{
	struct vnode *vp;
	int error;

	if ((error = lookup_user(td, (int)a[0], a[1], 0, &vp)) != 0)
		return -error;
	error = do_chmod(vp, (uint32_t)a[2]);
	vrele(vp);
	return -error;
}

static int
do_chown(struct vnode *vp, uint32_t uid, uint32_t gid)
{
	struct vsetattr va = { 0 };
	uint32_t me = vfs_cred_uid(), vuid, vgid, mode;

	spin_lock(&vp->v_lock);
	vuid = vp->v_uid;
	vgid = vp->v_gid;
	mode = vp->v_mode;
	spin_unlock(&vp->v_lock);
	if (uid != UINT32_MAX) {
		if (me != 0 && uid != vuid)
			return EPERM;
		va.va_mask |= VA_UID;
		va.va_uid = uid;
	}
	if (gid != UINT32_MAX) {
		if (me != 0 && (me != vuid || (gid != vgid && gid != vfs_cred_gid())))
			return EPERM;
		va.va_mask |= VA_GID;
		va.va_gid = gid;
	}
	if (vp->v_type != VDIR && (mode & (S_ISUID | S_ISGID))) {
		va.va_mask |= VA_MODE;
		va.va_mode = mode & ~S_ISUID;
		if (mode & 010)		/* group may execute: setgid means setgid */
			va.va_mode &= ~S_ISGID;
	}
	return vn_setattr(vp, &va);
}

/* fchown(fd, uid, gid) */
SYSCALL(fchown)
{
	struct vnode *vp;
	int error;

	if ((error = fd_vnode(td, (int)a[0], &vp)) != 0)
		return -error;
	if (vp == NULL)
		return 0;
	error = do_chown(vp, (uint32_t)a[1], (uint32_t)a[2]);
	vrele(vp);
	return -error;
}

/* fchownat(dirfd, path, uid, gid, flags) */
SYSCALL(fchownat)
{
	int flags = (int)a[4], error;
	struct vnode *vp;

	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if ((error = lookup_user(td, (int)a[0], a[1], flags, &vp)) != 0)
		return -error;
	error = do_chown(vp, (uint32_t)a[2], (uint32_t)a[3]);
	vrele(vp);
	return -error;
}

/*
 * The times utimensat sets, from the user's pair (uaddr 0: both now).
 * *explicit is set when either is a time given, not "now" or "omit".
 */
static int
utimens_in(uint64_t uaddr, struct vsetattr *va, bool *explicit)
{
	struct timespec ts[2], now;

	vfs_now(&now);
	*explicit = false;
	va->va_mask = VA_ATIME | VA_MTIME;
	va->va_atime = va->va_mtime = now;
	if (uaddr == 0)
		return 0;
	if (copyin((const void *)uaddr, ts, sizeof(ts)) != 0)
		return EFAULT;
	for (int i = 0; i < 2; i++) {
		uint32_t bit = i == 0 ? VA_ATIME : VA_MTIME;
		struct timespec *t = i == 0 ? &va->va_atime : &va->va_mtime;

		if (ts[i].tv_nsec == UTIME_OMIT) {
			va->va_mask &= ~bit;
		} else if (ts[i].tv_nsec != UTIME_NOW) {
			if (ts[i].tv_nsec < 0 || ts[i].tv_nsec >= (long)1000000000)
				return EINVAL;
			*t = ts[i];
			*explicit = true;
		}
	}
	return 0;
}

/* utimensat(dirfd, path, times, flags); a NULL path means dirfd itself. */
SYSCALL(utimensat)
{
	int dirfd = (int)a[0], flags = (int)a[3], error;
	struct vsetattr va;
	struct vnode *vp;
	bool explicit;

	if ((error = utimens_in(a[2], &va, &explicit)) != 0)
		return -error;
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (a[1] == 0) {
		if (dirfd == AT_FDCWD)
			return -EFAULT;
		if (flags & AT_SYMLINK_NOFOLLOW)
			return -EINVAL;
		if ((error = fd_vnode(td, dirfd, &vp)) != 0)
			return -error;
		if (vp == NULL)
			return 0;
	} else if ((error = lookup_user(td, dirfd, a[1], flags, &vp)) != 0) {
		return -error;
	}
	if (explicit ? !vn_owner_or_root(vp) : (!vn_owner_or_root(vp) && vn_access(vp, W_OK) != 0))
		error = explicit ? EPERM : EACCES;
	else
		error = vn_setattr(vp, &va);
	vrele(vp);
	return -error;
}

/* umask(mask): the old mask. */
SYSCALL(umask)
{
	struct proc *p = td->td_proc;
	uint32_t old = p->p_umask;

	p->p_umask = (uint32_t)a[0] & 0777;
	return old;
}
