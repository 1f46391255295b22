/*
 * Files on vnodes: the file operations of everything open(2) finds by
 * path -- regular files, directories and devices of every file system --
 * and open itself (after FreeBSD's vfs_vnops.c).
 *
 * Each operation turns into the vnode's own (vop_read, vop_ioctl, ...),
 * so a file system or a device decides what its files do, and the file
 * layer never asks what is behind a descriptor.
 *
 * Regular files and directories have an offset: read, write and getdents
 * use and advance it under the file's offset lock, so threads sharing a
 * file description after dup or fork never read the same bytes twice.
 * Devices are streams to read and write; only those with VV_NOSEEK (the
 * console) refuse lseek and pread.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/file.h>
#include <kern/poll.h>
#include <vm/vm_object.h>
#include <fs/mount.h>
#include <fs/vnode.h>
#include <kern/malloc.h>
#include <uapi/fcntl.h>
#include <uapi/ioctl.h>
#include <uapi/stat.h>
#include <uapi/uio.h>

static const struct fileops vnops;

struct file *
vn_file_alloc(struct vnode *vp, int flags)
{
	struct file *fp = file_alloc(&vnops, vp, flags);

	if (fp != NULL) {
		fp->f_vnode = vp;
		fp->f_seekable = !(vp->v_flags & VV_NOSEEK);
		/* Write-back errors from before the open are not this file's to report. */
		fp->f_wb_errors = __atomic_load_n(&vp->v_wb_errors, __ATOMIC_ACQUIRE);
	}
	return fp;
}

/* Do read and write use the file offset (pos < 0)? */
static bool
has_offset(struct vnode *vp)
{
	return vp->v_type == VREG || vp->v_type == VDIR || vp->v_type == VBLK;
}

/*
 * Reading and writing.
 */

static ssize_t
vop_read_xfer(void *vp, struct uio *uio)
{
	return ((struct vnode *)vp)->v_ops->vop_read(vp, uio);
}

static ssize_t
vop_write_xfer(void *vp, struct uio *uio)
{
	return ((struct vnode *)vp)->v_ops->vop_write(vp, uio);
}

static ssize_t
vn_rdwr(struct file *fp, const struct iovec *iov, int iovcnt, int64_t pos,
    bool user, bool write)
{
	struct vnode *vp = fp->f_vnode;
	bool use_offset = pos < 0 && has_offset(vp);
	struct uio uio = { .uio_offset = pos < 0 ? 0 : (uint64_t)pos, .uio_user = user,
	    .uio_write = write };
	ssize_t total;

	if (vp->v_type == VDIR)
		return -EISDIR;
	if ((write ? vp->v_ops->vop_write : vp->v_ops->vop_read) == NULL)
		return -EINVAL;
	if (fp->f_flags & O_NONBLOCK)
		uio.uio_ioflag |= IO_NONBLOCK;
	switch (__atomic_load_n(&fp->f_advice, __ATOMIC_RELAXED)) {
	case POSIX_FADV_SEQUENTIAL:
		uio.uio_ioflag |= IO_SEQUENTIAL;
		break;
	case POSIX_FADV_RANDOM:
		uio.uio_ioflag |= IO_RANDOM;
		break;
	}
	if (write && (fp->f_flags & O_APPEND))
		uio.uio_ioflag |= IO_APPEND;
	if (use_offset) {
		file_offset_lock(fp);
		uio.uio_offset = fp->f_offset;
	}
	total = uio_vector(&uio, iov, iovcnt, write ? vop_write_xfer : vop_read_xfer, vp);
	if (use_offset) {
		fp->f_offset = uio.uio_offset;
		file_offset_unlock(fp);
	}
	return total;
}

static ssize_t
vn_read(struct file *fp, const struct iovec *iov, int iovcnt, int64_t pos, bool user)
{
	return vn_rdwr(fp, iov, iovcnt, pos, user, false);
}

static ssize_t
vn_write(struct file *fp, const struct iovec *iov, int iovcnt, int64_t pos, bool user)
{
	return vn_rdwr(fp, iov, iovcnt, pos, user, true);
}

ssize_t
vn_getdents(struct file *fp, void *buf, size_t len, void *ubuf)
{
	struct vnode *vp = fp->f_vnode;
	uint64_t off;
	ssize_t n;

	if (vp == NULL || vp->v_type != VDIR || vp->v_ops->vop_getdents == NULL)
		return -ENOTDIR;
	file_offset_lock(fp);
	off = fp->f_offset;
	n = vp->v_ops->vop_getdents(vp, &off, buf, len);
	if (n > 0 && ubuf != NULL && copyout(buf, ubuf, (size_t)n) != 0)
		n = -EFAULT;
	if (n >= 0)
		fp->f_offset = off;	/* only what the caller really got */
	file_offset_unlock(fp);
	return n;
}

/*
 * Everything else.
 */

static int
vn_seek(struct file *fp, int64_t off, int whence, uint64_t *result)
{
	struct vnode *vp = fp->f_vnode;
	int64_t base, new;
	int error = 0;

	file_offset_lock(fp);
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)fp->f_offset;
		break;
	case SEEK_END:
		base = vp->v_type == VDIR ? -1 : (int64_t)vp->v_size;
		break;
	default:
		base = -1;
		break;
	}
	if (base < 0)
		error = EINVAL;
	else if (add_overflows(base, off, &new))
		error = EOVERFLOW;
	else if (new < 0 || (vp->v_type == VBLK && (uint64_t)new > vp->v_size))
		error = EINVAL;		/* a disk ends where it ends, as Linux's block_llseek */
	else
		fp->f_offset = (uint64_t)new;
	*result = fp->f_offset;
	file_offset_unlock(fp);
	return error;
}

static int
vn_ioctl(struct file *fp, unsigned long cmd, void *uarg)
{
	struct vnode *vp = fp->f_vnode;
	int value;

	if (cmd == FIONREAD && vp->v_type == VREG) {
		value = (int)MIN(INT32_MAX, vp->v_size - MIN(vp->v_size, file_offset_get(fp)));
		return copyout(&value, uarg, sizeof(value)) ? EFAULT : 0;
	}
	if (vp->v_ops->vop_ioctl == NULL)
		return ENOTTY;
	return vp->v_ops->vop_ioctl(vp, cmd, uarg);
}

static int
vn_stat_file(struct file *fp, struct stat *st)
{
	vn_stat(fp->f_vnode, st);
	return 0;
}

static int
vn_mmap(struct file *fp, uint64_t off, uint64_t len, int prot_shared_write,
    struct vm_object **objp, bool *anonymous, vm_prot_t *maxprot)
{
	struct vnode *vp = fp->f_vnode;
	bool rdwr = (fp->f_flags & O_ACCMODE) == O_RDWR;
	int error;

	if (vp->v_ops->vop_mmap == NULL)
		return ENODEV;
	if (!file_readable(fp))
		return EACCES;
	if (prot_shared_write && !rdwr)
		return EACCES;
	*objp = NULL;
	*anonymous = false;
	if ((error = vp->v_ops->vop_mmap(vp, off, len, objp, anonymous)) != 0)
		return error;
	*maxprot = VM_PROT_READ | VM_PROT_EXECUTE | (rdwr ? VM_PROT_WRITE : 0);
	return 0;
}

static int
vn_poll(struct file *fp, int events, struct pollwait *pw)
{
	struct vnode *vp = fp->f_vnode;

	if (vp->v_ops->vop_poll == NULL)
		return POLL_DEFAULT_MASK;
	return vp->v_ops->vop_poll(vp, events, pw);
}

static void
vn_close(struct file *fp)
{
	vrele(fp->f_vnode);
}

static const struct fileops vnops = {
	.fo_read = vn_read,
	.fo_write = vn_write,
	.fo_ioctl = vn_ioctl,
	.fo_stat = vn_stat_file,
	.fo_seek = vn_seek,
	.fo_mmap = vn_mmap,
	.fo_poll = vn_poll,
	.fo_close = vn_close,
};

/*
 * Opening.
 */

/*
 * Find (or with O_CREAT make) what open(2) opens: the last component of
 * nd, following symbolic links unless O_NOFOLLOW.  *created tells
 * whether it was made now.
 */
static int
open_lookup(struct nameidata *nd, int flags, uint32_t mode, struct vnode **vpp,
    bool *created)
{
	bool excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
	struct vnode *vp;
	int error;

	*created = false;
	for (;;) {
		error = namei_last(nd, false, &vp);
		if (error == ENOENT && (flags & O_CREAT) && nd->nd_dvp != NULL &&
		    !nd->nd_notname) {
			struct vcreate vc = { .vc_type = VREG, .vc_mode = mode & S_IALLUGO };

			if (nd->nd_trailing)
				return EISDIR;
			error = vn_create(nd->nd_dvp, nd->nd_name, nd->nd_namelen, &vc, &vp);
			if (error == EEXIST && !excl)
				continue;	/* made by someone else meanwhile: look again */
			if (error)
				return error;
			*created = true;
			break;
		}
		if (error)
			return error;
		if (excl) {
			vrele(vp);
			return EEXIST;
		}
		if (vp->v_type == VLNK && !nd->nd_notname) {
			if (flags & O_NOFOLLOW) {
				vrele(vp);
				return ELOOP;
			}
			error = namei_follow(nd, vp);
			vrele(vp);
			if (error)
				return error;
			continue;
		}
		break;
	}
	*vpp = vp;
	return 0;
}

/* The checks open(2) makes on what it found: type, then permission. */
static int
open_checks(struct vnode *vp, int flags, bool created)
{
	int acc = flags & O_ACCMODE, want = 0;

	if ((flags & O_DIRECTORY) && vp->v_type != VDIR)
		return ENOTDIR;
	if (vp->v_type == VDIR && (acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC))))
		return EISDIR;
	if (vp->v_type == VSOCK)
		return ENXIO;		/* a socket's name: connect to it, not open it */
	if ((vp->v_type == VCHR || vp->v_type == VBLK) && (mount_flags(vp->v_mount) & MNT_NODEV))
		return EACCES;
	if (acc == O_RDONLY || acc == O_RDWR)
		want |= R_OK;
	if (acc == O_WRONLY || acc == O_RDWR || ((flags & O_TRUNC) && vp->v_type == VREG))
		want |= W_OK;
	if (!created && want != 0) {
		int error = vn_access(vp, want);

		if (error)
			return error;
	}
	if (vp->v_ops->vop_open != NULL)
		return vp->v_ops->vop_open(vp, flags);
	return 0;
}

/*
 * A device node of a file system that is not devfs opens the device of
 * its number: *vpp is replaced by devfs's vnode.  ENXIO if there is none.
 */
static int
open_device_node(struct vnode **vpp)
{
	struct vnode *vp = *vpp, *dev;

	if ((vp->v_type != VCHR && vp->v_type != VBLK) || vp->v_ops->vop_read != NULL)
		return 0;
	dev = devfs_find(vp->v_type, vp->v_rdev);
	vrele(vp);
	*vpp = dev;
	return dev != NULL ? 0 : ENXIO;
}

/*
 * Remember the absolute path of the non-directory opened (through
 * symbolic links, as Linux's d_path), for /proc/PID/fd (a directory
 * knows its own).  Without memory for it the link shows less; the open
 * goes ahead.
 */
static void
open_note_path(struct file *fp, struct vnode *dir, const char *path)
{
	char *buf;
	size_t len;

	if (fp->f_vnode == NULL || fp->f_vnode->v_type == VDIR ||
	    (buf = malloc(PATH_MAX, M_TEMP, M_WAITOK)) == NULL)
		return;
	if (vfs_fullpath_at(dir, path, buf, PATH_MAX, &len) == 0)
		file_set_path(fp, buf);
	free(buf, M_TEMP);
}

int
vn_open(struct vnode *dir, const char *path, int flags, uint32_t mode, struct file **fpp)
{
	struct nameidata nd;
	struct vnode *vp = NULL;
	struct file *fp;
	bool created;
	int error;

	if ((flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY))
		return EINVAL;		/* as Linux since 6.4: it cannot mean anything */
	if ((error = namei_parent(&nd, dir, path)) != 0)
		return error;
	error = open_lookup(&nd, flags, mode, &vp, &created);
	namei_done(&nd);
	if (error)
		return error;
	if ((error = open_checks(vp, flags, created)) != 0) {
		vrele(vp);
		return error;
	}
	if (vp->v_type == VFIFO)
		return fifo_open(vp, flags, fpp);
	if ((error = open_device_node(&vp)) != 0)
		return error;
	if ((flags & O_TRUNC) && vp->v_type == VREG && vp->v_ops->vop_truncate != NULL)
		error = vp->v_ops->vop_truncate(vp, 0);
	if (error == 0 && (fp = vn_file_alloc(vp, flags)) == NULL)
		error = ENOMEM;
	if (error) {
		vrele(vp);
		return error;
	}
	open_note_path(fp, dir, path);
	*fpp = fp;
	return 0;
}

int
filedesc_open_console(struct filedesc *fdp)
{
	struct file *fp;
	int error, fd;

	if ((error = vn_open(NULL, "/dev/console", O_RDWR, 0, &fp)) != 0)
		return error;
	for (int want = 0; want < 3; want++) {
		if (want > 0)
			file_hold(fp);
		if ((error = fd_alloc(fdp, fp, want, false, &fd)) != 0) {
			file_drop(fp);
			return error;
		}
	}
	return 0;
}
