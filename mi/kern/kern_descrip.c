/*
 * Open files and descriptor tables (see file.h), and the system calls on
 * descriptors themselves: close, dup, dup3, fcntl, fstat (after FreeBSD's
 * kern_descrip.c), with fcntl's record locks handed to the lock manager
 * (kern_lockf.c).
 *
 * This layer knows no kind of file: it counts references, keeps the
 * offset lock and the status flags, checks the access mode, and hands
 * everything else to the file's operations.  The last reference closes
 * the file through fo_close.
 *
 * Descriptor table slots change under fd_lock; files leaving a table are
 * dropped after the lock is released, since dropping may free a vnode
 * and its pages.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/file.h>
#include <kern/lockf.h>
#include <kern/malloc.h>
#include <kern/mutex.h>
#include <kern/poll.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <fs/vnode.h>
#include <vm/zone.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>

MALLOC_DEFINE(M_FILEDESC, "filedesc", "file descriptor tables");
MALLOC_DEFINE(M_FILEPATH, "file path", "the paths files were opened by");

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
file_alloc(const struct fileops *ops, void *data, int flags)
{
	struct file *fp;

	file_init();
	if ((fp = zone_alloc(file_zone, M_WAITOK | M_ZERO)) == NULL)
		return NULL;
	spin_init(&fp->f_lock, "file");
	mtx_init(&fp->f_offset_lock, "file offset");
	fp->f_refcnt = 1;
	fp->f_ops = ops;
	fp->f_data = data;
	fp->f_flags = flags & FILE_STATUS_FLAGS;
	return fp;
}

void
file_hold(struct file *fp)
{
	__atomic_add_fetch(&fp->f_refcnt, 1, __ATOMIC_RELAXED);
}

/* What fp's record locks are on: its vnode, or its kind's own object (a pipe). */
static const void *
lock_object(const struct file *fp)
{
	return fp->f_vnode != NULL ? (const void *)fp->f_vnode : fp->f_data;
}

/* Closing a descriptor of fp ends the POSIX locks table fdp's process has on it. */
static void
release_posix_locks(struct filedesc *fdp, struct file *fp)
{
	if (fp != NULL && __atomic_load_n(&fdp->fd_posix_locks, __ATOMIC_ACQUIRE))
		lockf_release(lock_object(fp), fdp, LOCKF_POSIX);
}

void
file_drop(struct file *fp)
{
	if (fp == NULL || __atomic_sub_fetch(&fp->f_refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	/* The open file description's own locks end with it. */
	if (__atomic_load_n(&fp->f_ofd_locks, __ATOMIC_ACQUIRE))
		lockf_release(lock_object(fp), fp, LOCKF_OFD);
	if (fp->f_ops->fo_close != NULL)
		fp->f_ops->fo_close(fp);
	free(fp->f_path, M_FILEPATH);
	mtx_destroy(&fp->f_offset_lock);
	zone_free(file_zone, fp);
}

void
file_set_path(struct file *fp, const char *path)
{
	size_t len = strlen(path);

	KASSERT(fp->f_path == NULL, ("file_set_path: a path is already set"));
	if ((fp->f_path = malloc(len + 1, M_FILEPATH, M_WAITOK)) != NULL)
		memcpy(fp->f_path, path, len + 1);
}

/* "(deleted)" after a removed file's path, as Linux shows it. */
#define PATH_DELETED	" (deleted)"

int
file_path(struct file *fp, char *buf, size_t size, size_t *len)
{
	struct vnode *vp = fp->f_vnode;
	struct stat st;
	const char *kind;
	size_t n;
	int error;

	if (vp != NULL && vp->v_type == VDIR)
		return vn_fullpath(vp, buf, size, len);
	if (fp->f_path != NULL) {
		n = strlcpy(buf, fp->f_path, size);
		if (vn_removed(vp) && n < size)
			n += strlcpy(buf + n, PATH_DELETED, size - n);
		if (n >= size)
			return ERANGE;
		*len = n;
		return 0;
	}
	memset(&st, 0, sizeof(st));
	if ((error = file_stat(fp, &st)) != 0)
		return error;
	switch (st.st_mode & S_IFMT) {
	case S_IFIFO:
		kind = "pipe";
		break;
	case S_IFSOCK:
		kind = "socket";
		break;
	default:
		kind = "anon_inode";
		break;
	}
	n = (size_t)snprintf(buf, size, "%s:[%lu]", kind, (unsigned long)st.st_ino);
	if (n >= size)
		return ERANGE;
	*len = n;
	return 0;
}

/*
 * The offset lock.
 */

void
file_offset_lock(struct file *fp)
{
	mtx_lock(&fp->f_offset_lock);
}

void
file_offset_unlock(struct file *fp)
{
	mtx_unlock(&fp->f_offset_lock);
}

bool
file_seekable(struct file *fp)
{
	return fp->f_seekable;
}

uint64_t
file_offset_get(struct file *fp)
{
	uint64_t off;

	file_offset_lock(fp);
	off = fp->f_offset;
	file_offset_unlock(fp);
	return off;
}

int
file_seek(struct file *fp, int64_t off, int whence, uint64_t *result)
{
	if (!fp->f_seekable || fp->f_ops->fo_seek == NULL)
		return ESPIPE;
	return fp->f_ops->fo_seek(fp, off, whence, result);
}

/*
 * Reading and writing.
 */

ssize_t
file_readv(struct file *fp, const struct iovec *iov, int iovcnt, int64_t pos,
    bool user)
{
	if (!file_readable(fp))
		return -EBADF;
	if (fp->f_ops->fo_read == NULL)
		return -EINVAL;
	return fp->f_ops->fo_read(fp, iov, iovcnt, pos, user);
}

ssize_t
file_writev(struct file *fp, const struct iovec *iov, int iovcnt, int64_t pos,
    bool user)
{
	if (!file_writable(fp))
		return -EBADF;
	if (fp->f_ops->fo_write == NULL)
		return -EINVAL;
	return fp->f_ops->fo_write(fp, iov, iovcnt, pos, user);
}

int
file_stat(struct file *fp, struct stat *st)
{
	return fp->f_ops->fo_stat(fp, st);
}

void
file_stat_anon(struct stat *st, uint64_t dev, uint64_t ino, uint32_t mode, uint64_t mtime_ns)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = dev;
	st->st_ino = ino;
	st->st_mode = mode;
	st->st_nlink = 1;
	st->st_blksize = PAGE_SIZE;
	st->st_atime_sec = st->st_mtime_sec = st->st_ctime_sec = (int64_t)(mtime_ns / 1000000000UL);
	st->st_atime_nsec = st->st_mtime_nsec = st->st_ctime_nsec = mtime_ns % 1000000000UL;
}

int
file_ioctl(struct file *fp, unsigned long cmd, void *uarg)
{
	if (fp->f_ops->fo_ioctl == NULL)
		return ENOTTY;
	return fp->f_ops->fo_ioctl(fp, cmd, uarg);
}

int
file_poll(struct file *fp, int events, struct pollwait *pw)
{
	if (fp->f_ops->fo_poll == NULL)
		return POLL_DEFAULT_MASK;
	return fp->f_ops->fo_poll(fp, events, pw);
}

int
file_mmap_object(struct file *fp, uint64_t off, uint64_t len, int prot_shared_write,
    struct vm_object **objp, bool *anonymous, vm_prot_t *maxprot)
{
	if (fp->f_ops->fo_mmap == NULL)
		return ENODEV;
	return fp->f_ops->fo_mmap(fp, off, len, prot_shared_write, objp, anonymous, maxprot);
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

/*
 * The lowest descriptor at or above fd (in range) that is open (open) or
 * free (!open), or -1.  fd_lock held.
 */
static int
fd_scan(const struct filedesc *fdp, int fd, bool open)
{
	for (int w = fd / FD_MAP_BITS; w < NOFILE_MAX / FD_MAP_BITS; w++) {
		uint64_t bits = open ? fdp->fd_open[w] : ~fdp->fd_open[w];

		if (w == fd / FD_MAP_BITS)
			bits &= ~0UL << (fd % FD_MAP_BITS);
		if (bits != 0)
			return w * FD_MAP_BITS + __builtin_ctzl(bits);
	}
	return -1;
}

/* Put fp in the empty slot fd.  fd_lock held. */
static void
fd_install(struct filedesc *fdp, int fd, struct file *fp, bool cloexec)
{
	fdp->fd_files[fd] = fp;
	fdp->fd_cloexec[fd] = cloexec;
	fdp->fd_open[fd / FD_MAP_BITS] |= 1UL << (fd % FD_MAP_BITS);
}

int
fd_alloc(struct filedesc *fdp, struct file *fp, int minfd, bool cloexec, int *fdout)
{
	int fd;

	if (!fd_in_range(minfd))
		return EINVAL;
	spin_lock(&fdp->fd_lock);
	if ((fd = fd_scan(fdp, minfd, false)) >= 0)
		fd_install(fdp, fd, fp, cloexec);
	spin_unlock(&fdp->fd_lock);
	if (fd < 0)
		return EMFILE;
	*fdout = fd;
	return 0;
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
	fdp->fd_open[fd / FD_MAP_BITS] &= ~(1UL << (fd % FD_MAP_BITS));
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
	release_posix_locks(fdp, fp);
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
	prev = fd_take(fdp, newfd);
	fd_install(fdp, newfd, fp, cloexec);
	spin_unlock(&fdp->fd_lock);
	release_posix_locks(fdp, prev);
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
	for (int fd = 0; (fd = fd_scan(fdp, fd, true)) >= 0; fd++) {
		file_hold(fdp->fd_files[fd]);
		fd_install(new, fd, fdp->fd_files[fd], fdp->fd_cloexec[fd]);
	}
	spin_unlock(&fdp->fd_lock);
	return new;
}

/*
 * Close the descriptors in [first, last], or only the close-on-exec ones:
 * the lock taken once per open descriptor (each file is dropped without
 * it), not once per slot.
 */
static void
close_where(struct filedesc *fdp, int first, int last, bool only_cloexec)
{
	for (int fd = first;; fd++) {
		struct file *fp = NULL;

		spin_lock(&fdp->fd_lock);
		while ((fd = fd_scan(fdp, fd, true)) >= 0 && only_cloexec && !fdp->fd_cloexec[fd])
			fd++;
		if (fd >= 0 && fd <= last)
			fp = fd_take(fdp, fd);
		spin_unlock(&fdp->fd_lock);
		if (fp == NULL)
			return;
		release_posix_locks(fdp, fp);
		file_drop(fp);
	}
}

void
filedesc_exec(struct filedesc *fdp)
{
	if (fdp != NULL)
		close_where(fdp, 0, NOFILE_MAX - 1, true);
}

void
filedesc_free(struct filedesc *fdp)
{
	if (fdp == NULL)
		return;
	close_where(fdp, 0, NOFILE_MAX - 1, false);
	free(fdp, M_FILEDESC);
}

/*
 * The descriptor system calls.
 */

struct filedesc *
fdtable(struct thread *td)
{
	return td->td_proc != NULL ? td->td_proc->p_fd : NULL;
}

/* Descriptor arguments are unsigned int, as in Linux. */
int
getfile(struct thread *td, uint64_t fd, struct file **fpp)
{
	uint32_t ufd = (uint32_t)fd;

	if (ufd > INT32_MAX)
		return EBADF;
	return fd_get(fdtable(td), (int)ufd, fpp);
}

SYSCALL(close)
{
	uint32_t fd = (uint32_t)a[0];

	if (fd > INT32_MAX)
		return -EBADF;
	return -fd_close(fdtable(td), (int)fd);
}

/*
 * close_range(first, last, flags): close every descriptor in [first,
 * last], or with CLOSE_RANGE_CLOEXEC mark them close-on-exec.  A range
 * past the table's end is cut to it; first > last is EINVAL.
 * CLOSE_RANGE_UNSHARE asks for a table of the caller's own first: a
 * process's table is shared only by its threads, so a single-threaded
 * caller already has one; a multithreaded one cannot be given one here
 * (EINVAL).
 */
SYSCALL(close_range)
{
	uint32_t first = (uint32_t)a[0], last = (uint32_t)a[1], flags = (uint32_t)a[2];
	struct filedesc *fdp = fdtable(td);

	if ((flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC)) || first > last)
		return -EINVAL;
	if ((flags & CLOSE_RANGE_UNSHARE) && td->td_proc->p_numthreads > 1)
		return -EINVAL;
	if (fdp == NULL || first >= NOFILE_MAX)
		return 0;
	last = MIN(last, NOFILE_MAX - 1);
	if (!(flags & CLOSE_RANGE_CLOEXEC)) {
		close_where(fdp, (int)first, (int)last, false);
		return 0;
	}
	spin_lock(&fdp->fd_lock);
	for (uint32_t fd = first; fd <= last; fd++)
		if (fdp->fd_files[fd] != NULL)
			fdp->fd_cloexec[fd] = 1;
	spin_unlock(&fdp->fd_lock);
	return 0;
}

static long
dup_from(struct thread *td, uint64_t oldfd, int minfd, bool cloexec)
{
	struct file *fp;
	int error, fd;

	if ((error = getfile(td, oldfd, &fp)) != 0)
		return -error;
	if ((error = fd_alloc(fdtable(td), fp, minfd, cloexec, &fd)) != 0) {
		file_drop(fp);
		return -error;
	}
	return fd;
}

SYSCALL(dup)
{
	return dup_from(td, a[0], 0, false);
}

/* dup3(oldfd, newfd, flags) */
SYSCALL(dup3)
{
	uint32_t oldfd = (uint32_t)a[0], newfd = (uint32_t)a[1];
	int flags = (int)a[2], error;

	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	if (oldfd > INT32_MAX || newfd > INT32_MAX)
		return -EBADF;
	error = fd_dup2(fdtable(td), (int)oldfd, (int)newfd, (flags & O_CLOEXEC) != 0);
	return error ? -error : (long)newfd;
}

static long
set_status_flags(struct file *fp, int flags)
{
	spin_lock(&fp->f_lock);
	fp->f_flags = (fp->f_flags & ~FILE_SETFL_MASK) | (flags & FILE_SETFL_MASK);
	spin_unlock(&fp->f_lock);
	return 0;
}

/* fcntl(fd, cmd, arg) */
SYSCALL(fcntl)
{
	struct filedesc *fdp = fdtable(td);
	uint32_t fd = (uint32_t)a[0];
	int cmd = (int)a[1];
	struct file *fp;
	bool cloexec;
	long ret;
	int error;

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if (a[2] >= NOFILE_MAX)
			return -EINVAL;
		return dup_from(td, fd, (int)a[2], cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		if (fd > INT32_MAX)
			return -EBADF;
		error = fd_get_cloexec(fdp, (int)fd, &cloexec);
		return error ? -error : cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		if (fd > INT32_MAX)
			return -EBADF;
		return -fd_set_cloexec(fdp, (int)fd, (a[2] & FD_CLOEXEC) != 0);
	case F_GETFL:
	case F_SETFL:
		if ((error = getfile(td, fd, &fp)) != 0)
			return -error;
		if (cmd == F_GETFL)
			ret = fp->f_flags | O_LARGEFILE;	/* as Linux on 64-bit */
		else
			ret = set_status_flags(fp, (int)a[2]);
		file_drop(fp);
		return ret;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		if ((error = getfile(td, fd, &fp)) != 0)
			return -error;
		error = file_fcntl_lock(td, fp, cmd, (void *)a[2]);
		file_drop(fp);
		return -error;
	default:
		if ((error = getfile(td, fd, &fp)) != 0)
			return -error;
		file_drop(fp);
		return -EINVAL;
	}
}

/*
 * Record locks.
 */

/*
 * The byte range a struct flock names in fp (l_whence, l_start, l_len)
 * and its type: 0, EINVAL (a bad type or whence, a range before byte 0),
 * EOVERFLOW (beyond the largest offset), as Linux's checks.
 */
static int
flock_to_range(struct file *fp, const struct flock *fl, struct lockf_range *r)
{
	int64_t base, start, end;
	struct stat st;
	int error;

	switch (fl->l_whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)file_offset_get(fp);
		break;
	case SEEK_END:
		if ((error = file_stat(fp, &st)) != 0)
			return error;
		base = st.st_size;
		break;
	default:
		return EINVAL;
	}
	if (add_overflows(base, fl->l_start, &start))
		return EOVERFLOW;
	if (start < 0)
		return EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > LOCKF_EOF - start)
			return EOVERFLOW;
		end = start + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		if (start + fl->l_len < 0)
			return EINVAL;
		end = start - 1;
		start += fl->l_len;
	} else {
		end = LOCKF_EOF;
	}
	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK && fl->l_type != F_UNLCK)
		return EINVAL;
	*r = (struct lockf_range){ fl->l_type, start, end };
	return 0;
}

/* F_GETLK: describe the first lock that would conflict, or say F_UNLCK. */
static int
fcntl_getlk(struct file *fp, const struct lockf_owner *owner, struct flock *fl, void *uarg)
{
	struct lockf_range r, conflict;
	int error, pid;

	if (fl->l_type != F_RDLCK && fl->l_type != F_WRLCK)
		return EINVAL;
	if ((error = flock_to_range(fp, fl, &r)) != 0)
		return error;
	if (lockf_test(lock_object(fp), owner, &r, &conflict, &pid)) {
		fl->l_type = (int16_t)conflict.lr_type;
		fl->l_whence = SEEK_SET;
		fl->l_start = conflict.lr_start;
		fl->l_len = conflict.lr_end == LOCKF_EOF ? 0 :
		    conflict.lr_end - conflict.lr_start + 1;
		fl->l_pid = pid;
	} else {
		fl->l_type = F_UNLCK;	/* the rest as the caller left it */
	}
	return copyout(fl, uarg, sizeof(*fl)) ? EFAULT : 0;
}

int
file_fcntl_lock(struct thread *td, struct file *fp, int cmd, void *uarg)
{
	struct proc *p = td->td_proc;
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	struct lockf_owner owner = { .lo_id = ofd ? (const void *)fp : (const void *)p->p_fd,
	    .lo_flavor = ofd ? LOCKF_OFD : LOCKF_POSIX, .lo_pid = p->p_pid };
	struct lockf_ident ident;
	struct lockf_range r;
	struct flock fl;
	struct stat st;
	int error;

	if (copyin(uarg, &fl, sizeof(fl)))
		return EFAULT;
	if (ofd && fl.l_pid != 0)
		return EINVAL;		/* reserved, as Linux insists */
	if (cmd == F_GETLK || cmd == F_OFD_GETLK)
		return fcntl_getlk(fp, &owner, &fl, uarg);
	if ((error = flock_to_range(fp, &fl, &r)) != 0)
		return error;
	if ((r.lr_type == F_RDLCK && !file_readable(fp)) ||
	    (r.lr_type == F_WRLCK && !file_writable(fp)))
		return EBADF;
	if ((error = file_stat(fp, &st)) != 0)
		return error;
	ident = (struct lockf_ident){ (uint32_t)st.st_dev, st.st_ino };
	/* Before the lock exists, so a close after it is sure to look for it. */
	if (ofd)
		__atomic_store_n(&fp->f_ofd_locks, true, __ATOMIC_RELEASE);
	else
		__atomic_store_n(&p->p_fd->fd_posix_locks, true, __ATOMIC_RELEASE);
	error = lockf_set(lock_object(fp), &ident, &owner, &r,
	    cmd == F_SETLKW || cmd == F_OFD_SETLKW);
	/* Like Linux, a wait a signal ends restarts under SA_RESTART. */
	return error == EINTR ? ERESTARTSYS : error;
}

SYSCALL(fstat)
{
	struct stat st;
	struct file *fp;
	int error;

	if ((error = getfile(td, a[0], &fp)) != 0)
		return -error;
	error = file_stat(fp, &st);
	file_drop(fp);
	if (error == 0 && copyout(&st, (void *)a[1], sizeof(st)) != 0)
		error = EFAULT;
	return -error;
}
