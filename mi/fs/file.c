/*
 * Open files and descriptor tables (see file.h).
 *
 * A file's offset is used and advanced under its offset lock for regular
 * files and directories, so threads sharing a file description after
 * dup or fork never read the same bytes twice; streams (pipes, the
 * console) have no offset.  The file's vnode or pipe end is released
 * with its last reference.
 *
 * Descriptor table slots change under fd_lock; files leaving a table are
 * dropped after the lock is released, since dropping may free a vnode
 * and its pages.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/malloc.h>
#include <kern/mutex.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <vm/vm_object.h>
#include <vm/zone.h>
#include <fs/file.h>
#include <fs/stat.h>
#include <fs/vnode.h>

MALLOC_DEFINE(M_FILEDESC, "filedesc", "file descriptor tables");

#define FILE_STATUS_FLAGS	(O_ACCMODE | O_APPEND | O_NONBLOCK)

static zone_t file_zone;		/* (A) made at first use */
/* A sleep mutex: making the zone allocates with M_WAITOK. */
static struct mtx file_init_lock = MTX_INITIALIZER("file init");

void
file_init(void)
{
	zone_t z;

	if (__atomic_load_n(&file_zone, __ATOMIC_ACQUIRE) != NULL)
		return;
	mtx_lock(&file_init_lock);
	if (file_zone == NULL) {
		if ((z = zone_create("file", sizeof(struct file), 8, 0)) == NULL)
			panic("file_init: no zone");
		__atomic_store_n(&file_zone, z, __ATOMIC_RELEASE);
	}
	mtx_unlock(&file_init_lock);
}

struct file *
file_alloc(struct vnode *vp, struct pipe *pipe, int flags)
{
	struct file *fp;

	file_init();
	if ((fp = zone_alloc(file_zone, M_WAITOK | M_ZERO)) == NULL)
		return NULL;
	spin_init(&fp->f_lock, "file");
	fp->f_refcnt = 1;
	fp->f_vnode = vp;
	fp->f_pipe = pipe;
	fp->f_flags = flags & FILE_STATUS_FLAGS;
	if (pipe != NULL)
		pipe_attach(pipe, file_writable(fp));
	return fp;
}

void
file_hold(struct file *fp)
{
	__atomic_add_fetch(&fp->f_refcnt, 1, __ATOMIC_RELAXED);
}

void
file_drop(struct file *fp)
{
	if (fp == NULL || __atomic_sub_fetch(&fp->f_refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (fp->f_pipe != NULL)
		pipe_close(fp);
	if (fp->f_vnode != NULL)
		vrele(fp->f_vnode);
	zone_free(file_zone, fp);
}

/*
 * The offset lock.
 */

static void
offset_lock(struct file *fp)
{
	spin_lock(&fp->f_lock);
	while (fp->f_olock & FOL_LOCKED) {
		fp->f_olock |= FOL_WANT;
		sleep_on(&fp->f_olock, &fp->f_lock);
	}
	fp->f_olock |= FOL_LOCKED;
	spin_unlock(&fp->f_lock);
}

static void
offset_unlock(struct file *fp)
{
	bool want;

	spin_lock(&fp->f_lock);
	want = (fp->f_olock & FOL_WANT) != 0;
	fp->f_olock = 0;
	spin_unlock(&fp->f_lock);
	if (want)
		wakeup(&fp->f_olock);
}

/* Does fp have a file offset (lseek, pread)? */
bool
file_seekable(struct file *fp)
{
	return fp->f_vnode != NULL && !(fp->f_vnode->v_flags & VV_NOSEEK);
}

static bool
has_offset(struct file *fp)
{
	return fp->f_vnode != NULL && (fp->f_vnode->v_type == VREG || fp->f_vnode->v_type == VDIR);
}

uint64_t
file_offset_get(struct file *fp)
{
	uint64_t off;

	offset_lock(fp);
	off = fp->f_offset;
	offset_unlock(fp);
	return off;
}

int
file_seek(struct file *fp, int64_t off, int whence, uint64_t *result)
{
	struct vnode *vp = fp->f_vnode;
	int64_t base, new;
	int error = 0;

	if (!file_seekable(fp))
		return ESPIPE;
	offset_lock(fp);
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
	else if (new < 0)
		error = EINVAL;
	else
		fp->f_offset = (uint64_t)new;
	*result = fp->f_offset;
	offset_unlock(fp);
	return error;
}

ssize_t
file_getdents(struct file *fp, void *buf, size_t len, void *ubuf)
{
	struct vnode *vp = fp->f_vnode;
	uint64_t off;
	ssize_t n;

	if (vp == NULL || vp->v_type != VDIR || vp->v_ops->vop_getdents == NULL)
		return -ENOTDIR;
	offset_lock(fp);
	off = fp->f_offset;
	n = vp->v_ops->vop_getdents(vp, &off, buf, len);
	if (n > 0 && ubuf != NULL && copyout(buf, ubuf, (size_t)n) != 0)
		n = -EFAULT;
	if (n >= 0)
		fp->f_offset = off;	/* only what the caller really got */
	offset_unlock(fp);
	return n;
}

/*
 * Reading and writing.
 */

static ssize_t
vnode_rdwr(struct file *fp, const struct iovec_linux *iov, int iovcnt, int64_t pos,
    bool user, bool write)
{
	struct vnode *vp = fp->f_vnode;
	ssize_t (*op)(struct vnode *, struct uio *) =
	    write ? vp->v_ops->vop_write : vp->v_ops->vop_read;
	bool use_offset = pos < 0 && has_offset(fp);
	uint64_t off = pos < 0 ? 0 : (uint64_t)pos;
	ssize_t total = 0;
	int ioflag = 0;

	if (vp->v_type == VDIR)
		return -EISDIR;
	if (op == NULL)
		return -EINVAL;
	if (fp->f_flags & O_NONBLOCK)
		ioflag |= IO_NONBLOCK;
	if (write && (fp->f_flags & O_APPEND))
		ioflag |= IO_APPEND;
	if (use_offset) {
		offset_lock(fp);
		off = fp->f_offset;
	}
	for (int i = 0; i < iovcnt; i++) {
		struct uio uio = { iov[i].iov_base, iov[i].iov_len, off, user, write, ioflag };
		ssize_t n;

		if (iov[i].iov_len == 0)
			continue;
		if ((n = op(vp, &uio)) < 0) {
			if (total == 0)
				total = n;
			break;
		}
		total += n;
		off = uio.uio_offset;
		if ((size_t)n < iov[i].iov_len)
			break;
	}
	if (use_offset) {
		fp->f_offset = off;
		offset_unlock(fp);
	}
	return total;
}

ssize_t
file_readv(struct file *fp, const struct iovec_linux *iov, int iovcnt, int64_t pos,
    bool user)
{
	if (!file_readable(fp))
		return -EBADF;
	if (fp->f_pipe != NULL)
		return pipe_readv(fp, iov, iovcnt, user);
	return vnode_rdwr(fp, iov, iovcnt, pos, user, false);
}

ssize_t
file_writev(struct file *fp, const struct iovec_linux *iov, int iovcnt, int64_t pos,
    bool user)
{
	if (!file_writable(fp))
		return -EBADF;
	if (fp->f_pipe != NULL)
		return pipe_writev(fp, iov, iovcnt, user);
	return vnode_rdwr(fp, iov, iovcnt, pos, user, true);
}

int
file_stat(struct file *fp, struct stat_linux *st)
{
	if (fp->f_pipe != NULL)
		return pipe_stat(fp, st);
	vn_stat(fp->f_vnode, st);
	return 0;
}

/* The checks open(2) makes on what it found. */
static int
open_checks(struct vnode *vp, int flags)
{
	int acc = flags & O_ACCMODE;

	if ((flags & O_DIRECTORY) && vp->v_type != VDIR)
		return ENOTDIR;
	if (vp->v_type == VDIR && (acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC))))
		return EISDIR;
	if (vp->v_ops->vop_open != NULL)
		return vp->v_ops->vop_open(vp, flags);
	return 0;
}

int
file_open(struct vnode *dir, const char *path, int flags, uint32_t mode, struct file **fpp)
{
	int lflags = 0, error;
	struct vnode *vp;
	struct file *fp;

	if ((flags & (O_CREAT | O_DIRECTORY)) == (O_CREAT | O_DIRECTORY))
		return EINVAL;		/* as Linux since 6.4: it cannot mean anything */
	if (flags & O_CREAT)
		lflags |= VFS_CREATE | ((flags & O_EXCL) ? VFS_EXCL : 0);
	if ((error = vfs_lookup(dir, path, lflags, VREG, mode & S_IALLUGO, &vp)) != 0)
		return error;
	if ((error = open_checks(vp, flags)) == 0 && (flags & O_TRUNC) && vp->v_type == VREG &&
	    vp->v_ops->vop_truncate != NULL)
		error = vp->v_ops->vop_truncate(vp, 0);
	if (error == 0 && (fp = file_alloc(vp, NULL, flags)) == NULL)
		error = ENOMEM;
	if (error) {
		vrele(vp);
		return error;
	}
	*fpp = fp;
	return 0;
}

int
file_mmap_object(struct file *fp, uint64_t off, uint64_t len, int prot_shared_write,
    struct vm_object **objp, bool *anonymous, vm_prot_t *maxprot)
{
	struct vnode *vp = fp->f_vnode;
	bool rdwr = (fp->f_flags & O_ACCMODE) == O_RDWR;
	int error;

	if (vp == NULL || vp->v_ops->vop_mmap == NULL)
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

/*
 * Descriptor tables.
 */

struct filedesc *
filedesc_alloc(void)
{
	struct filedesc *fdp = malloc(sizeof(*fdp), M_FILEDESC, M_WAITOK | M_ZERO);

	if (fdp != NULL)
		spin_init(&fdp->fd_lock, "filedesc");
	return fdp;
}

static bool
fd_in_range(int fd)
{
	return fd >= 0 && fd < NOFILE_MAX;
}

int
fd_alloc(struct filedesc *fdp, struct file *fp, int minfd, bool cloexec, int *fdout)
{
	if (!fd_in_range(minfd))
		return EINVAL;
	spin_lock(&fdp->fd_lock);
	for (int fd = minfd; fd < NOFILE_MAX; fd++) {
		if (fdp->fd_files[fd] == NULL) {
			fdp->fd_files[fd] = fp;
			fdp->fd_cloexec[fd] = cloexec;
			spin_unlock(&fdp->fd_lock);
			*fdout = fd;
			return 0;
		}
	}
	spin_unlock(&fdp->fd_lock);
	return EMFILE;
}

int
fd_get(struct filedesc *fdp, int fd, struct file **fpp)
{
	struct file *fp = NULL;

	if (fdp == NULL || !fd_in_range(fd))
		return EBADF;
	spin_lock(&fdp->fd_lock);
	if ((fp = fdp->fd_files[fd]) != NULL)
		file_hold(fp);
	spin_unlock(&fdp->fd_lock);
	if (fp == NULL)
		return EBADF;
	*fpp = fp;
	return 0;
}

/* Empty slot fd, returning what was there.  fd_lock held. */
static struct file *
fd_take(struct filedesc *fdp, int fd)
{
	struct file *fp = fdp->fd_files[fd];

	fdp->fd_files[fd] = NULL;
	fdp->fd_cloexec[fd] = 0;
	return fp;
}

int
fd_close(struct filedesc *fdp, int fd)
{
	struct file *fp;

	if (fdp == NULL || !fd_in_range(fd))
		return EBADF;
	spin_lock(&fdp->fd_lock);
	fp = fd_take(fdp, fd);
	spin_unlock(&fdp->fd_lock);
	if (fp == NULL)
		return EBADF;
	file_drop(fp);
	return 0;
}

int
fd_dup2(struct filedesc *fdp, int oldfd, int newfd, bool cloexec)
{
	struct file *fp, *prev;

	if (fdp == NULL || !fd_in_range(oldfd) || !fd_in_range(newfd))
		return EBADF;
	spin_lock(&fdp->fd_lock);
	if ((fp = fdp->fd_files[oldfd]) == NULL) {
		spin_unlock(&fdp->fd_lock);
		return EBADF;
	}
	if (oldfd == newfd) {
		spin_unlock(&fdp->fd_lock);
		return 0;
	}
	file_hold(fp);
	prev = fdp->fd_files[newfd];
	fdp->fd_files[newfd] = fp;
	fdp->fd_cloexec[newfd] = cloexec;
	spin_unlock(&fdp->fd_lock);
	file_drop(prev);
	return 0;
}

int
fd_get_cloexec(struct filedesc *fdp, int fd, bool *cloexec)
{
	int error = 0;

	if (fdp == NULL || !fd_in_range(fd))
		return EBADF;
	spin_lock(&fdp->fd_lock);
	if (fdp->fd_files[fd] == NULL)
		error = EBADF;
	else
		*cloexec = fdp->fd_cloexec[fd] != 0;
	spin_unlock(&fdp->fd_lock);
	return error;
}

int
fd_set_cloexec(struct filedesc *fdp, int fd, bool cloexec)
{
	int error = 0;

	if (fdp == NULL || !fd_in_range(fd))
		return EBADF;
	spin_lock(&fdp->fd_lock);
	if (fdp->fd_files[fd] == NULL)
		error = EBADF;
	else
		fdp->fd_cloexec[fd] = cloexec;
	spin_unlock(&fdp->fd_lock);
	return error;
}

struct filedesc *
filedesc_fork(struct filedesc *fdp)
{
	struct filedesc *new = filedesc_alloc();

	if (new == NULL || fdp == NULL)
		return new;
	spin_lock(&fdp->fd_lock);
	for (int fd = 0; fd < NOFILE_MAX; fd++) {
		struct file *fp = fdp->fd_files[fd];

		if (fp != NULL) {
			file_hold(fp);
			new->fd_files[fd] = fp;
			new->fd_cloexec[fd] = fdp->fd_cloexec[fd];
		}
	}
	spin_unlock(&fdp->fd_lock);
	return new;
}

/* Close every descriptor, or only the close-on-exec ones. */
static void
close_where(struct filedesc *fdp, bool only_cloexec)
{
	for (int fd = 0; fd < NOFILE_MAX; fd++) {
		struct file *fp = NULL;

		spin_lock(&fdp->fd_lock);
		if (fdp->fd_files[fd] != NULL && (!only_cloexec || fdp->fd_cloexec[fd]))
			fp = fd_take(fdp, fd);
		spin_unlock(&fdp->fd_lock);
		file_drop(fp);
	}
}

void
filedesc_exec(struct filedesc *fdp)
{
	if (fdp != NULL)
		close_where(fdp, true);
}

void
filedesc_free(struct filedesc *fdp)
{
	if (fdp == NULL)
		return;
	close_where(fdp, false);
	free(fdp, M_FILEDESC);
}

int
filedesc_open_console(struct filedesc *fdp)
{
	struct file *fp;
	int error, fd;

	if ((error = file_open(NULL, "/dev/console", O_RDWR, 0, &fp)) != 0)
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
