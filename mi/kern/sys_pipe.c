/*
 * Pipes: a ring buffer between a read end and a write end, each a struct
 * file with the pipe file operations (pipe2 makes both).
 *
 * The ring holds PIPE_SIZE bytes.  p_head counts the bytes ever written
 * and p_tail those ever read, so head - tail bytes are waiting, at
 * [tail, head) modulo the size, and the rest is free.  Readers wait on
 * p_data for data, writers on p_room for room.  A read returns what is
 * there (at least one byte), or 0 once every write end is closed and
 * the ring is empty; a write with no read end left fails with EPIPE.
 *
 * Data are copied between the ring and user memory, which may fault (and
 * a fault may sleep for a long time), so never under the pipe's mutex.
 * Instead one reader and one writer at a time hold the pipe's read or
 * write "I/O lock" (a flag under the mutex, waited for on p_iolock, after
 * FreeBSD's pipelock): the reader alone moves the tail and reads the
 * filled part, the writer alone moves the head and fills the free part,
 * and each publishes its move under the mutex.  Holding the write lock
 * for a whole write also makes every write atomic with respect to other
 * writers, which is more than POSIX asks (PIPE_BUF bytes).  Every wait is
 * interruptible: a signal ends it with ERESTARTSYS.
 *
 * Polling (pipe_poll): the read end is readable with data waiting, and
 * hung up (POLLHUP) once every write end is closed; the write end is
 * writable with PIPE_BUF bytes free, so that a write of up to PIPE_BUF
 * bytes will not block, and in error (POLLERR) once every read end is
 * closed.  Every change of the ring or the ends wakes pollers (p_sel).
 *
 * Locking:
 *   (p) p_mtx, a sleep mutex
 *   (r) the read I/O lock; (w) the write I/O lock
 *   (C) constant
 */
#include <kern/systm.h>
#include <kern/condvar.h>
#include <kern/copy.h>
#include <kern/file.h>
#include <kern/malloc.h>
#include <kern/mutex.h>
#include <kern/poll.h>
#include <kern/sched.h>
#include <kern/time.h>
#include <kern/syscall.h>
#include <kern/uio.h>
#include <machine/param.h>
#include <uapi/fcntl.h>
#include <uapi/ioctl.h>
#include <uapi/limits.h>
#include <uapi/stat.h>
#include <uapi/uio.h>

MALLOC_DEFINE(M_PIPE, "pipe", "pipe buffers");

#define PIPE_SIZE	16384		/* ring bytes; a power of two */

struct pipe {
	struct mtx	p_mtx;
	struct cv	p_data;		/* data came, or the last writer left */
	struct cv	p_room;		/* room came, or the last reader left */
	struct cv	p_iolock;	/* an I/O lock was given back */
	char		*p_buf;		/* (C) PIPE_SIZE bytes */
	uint64_t	p_head;		/* (p) written; (w) to move */
	uint64_t	p_tail;		/* (p) read; (r) to move */
	uint32_t	p_readers;	/* (p) open read ends */
	uint32_t	p_writers;	/* (p) open write ends */
	uint32_t	p_iolocks;	/* (p) PIPE_* */
	uint64_t	p_ino;		/* (C) for fstat */
	uint64_t	p_mtime_ns;	/* (C) */
	struct selinfo	p_sel;		/* pollers of either end (its own lock) */
};

#define PIPE_RLOCK	0x1
#define PIPE_WLOCK	0x2

_Static_assert((PIPE_SIZE & (PIPE_SIZE - 1)) == 0, "PIPE_SIZE must be a power of two");

static uint64_t next_pipe_ino = 1;	/* (A) */
static const struct fileops pipeops;

static inline uint64_t
pipe_used(const struct pipe *p)
{
	return p->p_head - p->p_tail;
}

/* Take the read or write I/O lock.  EAGAIN (nonblock) or ERESTARTSYS (a signal). */
static int
pipe_iolock(struct pipe *p, uint32_t which, bool nonblock)
{
	int error = 0;

	mtx_lock(&p->p_mtx);
	while (p->p_iolocks & which) {
		if (nonblock) {
			error = EAGAIN;
			break;
		}
		if ((error = cv_wait_sig(&p->p_iolock, &p->p_mtx)) != 0)
			break;
	}
	if (!error)
		p->p_iolocks |= which;
	mtx_unlock(&p->p_mtx);
	return error;
}

static void
pipe_iounlock(struct pipe *p, uint32_t which)
{
	mtx_lock(&p->p_mtx);
	p->p_iolocks &= ~which;
	mtx_unlock(&p->p_mtx);
	cv_broadcast(&p->p_iolock);
}

static void
pipe_free(struct pipe *p)
{
	cv_destroy(&p->p_data);
	cv_destroy(&p->p_room);
	cv_destroy(&p->p_iolock);
	mtx_destroy(&p->p_mtx);
	seldrain(&p->p_sel);
	free(p->p_buf, M_PIPE);
	free(p, M_PIPE);
}

int
pipe_create(struct file **readp, struct file **writep, int flags)
{
	struct pipe *p = malloc(sizeof(*p), M_PIPE, M_WAITOK | M_ZERO);
	struct file *rf = NULL, *wf = NULL;
	int nonblock = flags & O_NONBLOCK;

	if (p == NULL)
		return ENOMEM;
	if ((p->p_buf = malloc(PIPE_SIZE, M_PIPE, M_WAITOK)) == NULL) {
		free(p, M_PIPE);
		return ENOMEM;
	}
	mtx_init(&p->p_mtx, "pipe");
	cv_init(&p->p_data, "pipe data");
	cv_init(&p->p_room, "pipe room");
	cv_init(&p->p_iolock, "pipe io");
	selinfo_init(&p->p_sel, "pipe poll");
	p->p_ino = __atomic_fetch_add(&next_pipe_ino, 1, __ATOMIC_RELAXED);
	p->p_mtime_ns = uptime_ns();
	p->p_readers = p->p_writers = 1;	/* the two ends made next */
	rf = file_alloc(&pipeops, p, O_RDONLY | nonblock);
	wf = file_alloc(&pipeops, p, O_WRONLY | nonblock);
	if (rf == NULL || wf == NULL) {
		/* An end never made is never closed: uncount it, then drop the other. */
		if (rf == NULL)
			p->p_readers--;
		if (wf == NULL)
			p->p_writers--;
		if (rf != NULL)
			file_drop(rf);
		if (wf != NULL)
			file_drop(wf);
		if (rf == NULL && wf == NULL)
			pipe_free(p);
		return ENOMEM;
	}
	*readp = rf;
	*writep = wf;
	return 0;
}

/* One end's file is going away (its last reference). */
static void
pipe_close(struct file *fp)
{
	struct pipe *p = fp->f_data;
	bool writer = file_writable(fp), last;

	mtx_lock(&p->p_mtx);
	if (writer)
		p->p_writers--;
	else
		p->p_readers--;
	last = p->p_readers == 0 && p->p_writers == 0;
	/* Readers waiting for data see EOF; writers waiting for room see EPIPE. */
	cv_broadcast(writer ? &p->p_data : &p->p_room);
	mtx_unlock(&p->p_mtx);
	selwakeup(&p->p_sel);
	if (last)
		pipe_free(p);
}

/* Wait (read lock held) for data or EOF.  0 with data, 1 at EOF, or -errno. */
static int
wait_for_data(struct pipe *p, bool nonblock)
{
	int error = 0, ret;

	mtx_lock(&p->p_mtx);
	while (pipe_used(p) == 0 && p->p_writers > 0) {
		if (nonblock) {
			error = EAGAIN;
			break;
		}
		if ((error = cv_wait_sig(&p->p_data, &p->p_mtx)) != 0)
			break;
	}
	ret = error ? -error : pipe_used(p) == 0 ? 1 : 0;
	mtx_unlock(&p->p_mtx);
	return ret;
}

/* Copy what is waiting into one buffer (read lock held).  Bytes, or -EFAULT. */
static ssize_t
drain_into(void *arg, struct uio *uio)
{
	struct pipe *p = arg;
	size_t done = 0;

	while (uio->uio_resid > 0) {
		uint64_t tail, avail;
		size_t off, n;

		mtx_lock(&p->p_mtx);
		tail = p->p_tail;
		avail = pipe_used(p);
		mtx_unlock(&p->p_mtx);
		if (avail == 0)
			break;
		off = tail & (PIPE_SIZE - 1);
		n = MIN(MIN(avail, PIPE_SIZE - off), uio->uio_resid);
		if (uiomove(p->p_buf + off, n, uio) != 0)
			return done > 0 ? (ssize_t)done : -EFAULT;
		mtx_lock(&p->p_mtx);
		p->p_tail += n;
		mtx_unlock(&p->p_mtx);
		cv_broadcast(&p->p_room);
		selwakeup(&p->p_sel);
		done += n;
	}
	return (ssize_t)done;
}

static ssize_t
pipe_read(struct file *fp, const struct iovec *iov, int iovcnt, int64_t pos, bool user)
{
	struct pipe *p = fp->f_data;
	bool nonblock = (fp->f_flags & O_NONBLOCK) != 0;
	struct uio uio = { .uio_user = user, .uio_write = false };
	ssize_t total;
	int error, ret;

	if ((error = pipe_iolock(p, PIPE_RLOCK, nonblock)) != 0)
		return -error;
	if ((ret = wait_for_data(p, nonblock)) != 0) {
		pipe_iounlock(p, PIPE_RLOCK);
		return ret > 0 ? 0 : ret;
	}
	total = uio_vector(&uio, iov, iovcnt, drain_into, p);
	pipe_iounlock(p, PIPE_RLOCK);
	return total;
}

/*
 * Wait (write lock held) until need bytes are free, or any if need is 0.
 * The free byte count, or -EPIPE, -EAGAIN, -ERESTARTSYS.
 */
static int64_t
wait_for_room(struct pipe *p, size_t need, bool nonblock)
{
	int64_t ret;
	int error = 0;

	if (need == 0)
		need = 1;
	mtx_lock(&p->p_mtx);
	for (;;) {
		if (p->p_readers == 0) {
			error = EPIPE;
			break;
		}
		if (PIPE_SIZE - pipe_used(p) >= need)
			break;
		if (nonblock) {
			error = EAGAIN;
			break;
		}
		if ((error = cv_wait_sig(&p->p_room, &p->p_mtx)) != 0)
			break;
	}
	ret = error ? -error : (int64_t)(PIPE_SIZE - pipe_used(p));
	mtx_unlock(&p->p_mtx);
	return ret;
}

/* Copy one buffer into the ring (write lock held).  Bytes, or -errno if none. */
static ssize_t
fill_from(struct pipe *p, struct uio *uio, size_t atomic_need, bool nonblock)
{
	size_t done = 0;

	while (uio->uio_resid > 0) {
		int64_t room = wait_for_room(p, done == 0 ? atomic_need : 0, nonblock);
		uint64_t head;
		size_t off, n;

		if (room < 0)
			return done > 0 ? (ssize_t)done : room;
		mtx_lock(&p->p_mtx);
		head = p->p_head;
		mtx_unlock(&p->p_mtx);
		off = head & (PIPE_SIZE - 1);
		n = MIN(MIN((size_t)room, PIPE_SIZE - off), uio->uio_resid);
		if (uiomove(p->p_buf + off, n, uio) != 0)
			return done > 0 ? (ssize_t)done : -EFAULT;
		mtx_lock(&p->p_mtx);
		p->p_head += n;
		mtx_unlock(&p->p_mtx);
		cv_broadcast(&p->p_data);
		selwakeup(&p->p_sel);
		done += n;
	}
	return (ssize_t)done;
}

/* A write in progress, for uio_vector: the first buffer brings the atomicity. */
struct pipe_fill {
	struct pipe	*p;
	size_t		atomic_need;	/* room the next buffer waits for first */
	bool		nonblock;
};

static ssize_t
fill_next(void *arg, struct uio *uio)
{
	struct pipe_fill *f = arg;
	ssize_t n = fill_from(f->p, uio, f->atomic_need, f->nonblock);

	f->atomic_need = 0;
	return n;
}

static ssize_t
pipe_write(struct file *fp, const struct iovec *iov, int iovcnt, int64_t pos, bool user)
{
	struct pipe *p = fp->f_data;
	bool nonblock = (fp->f_flags & O_NONBLOCK) != 0;
	struct pipe_fill fill = { p, 0, nonblock };
	struct uio uio = { .uio_user = user, .uio_write = true };
	size_t want = 0;
	ssize_t total;
	int error;

	for (int i = 0; i < iovcnt; i++)
		want += iov[i].iov_len;		/* the caller checked for overflow */
	/* A small write waits for room for all of it, so it never splits. */
	fill.atomic_need = want <= PIPE_BUF ? want : 0;
	if ((error = pipe_iolock(p, PIPE_WLOCK, nonblock)) != 0)
		return -error;
	total = uio_vector(&uio, iov, iovcnt, fill_next, &fill);
	pipe_iounlock(p, PIPE_WLOCK);
	return total;
}

uint64_t
pipe_bytes_available(struct file *fp)
{
	struct pipe *p = fp->f_data;
	uint64_t n;

	mtx_lock(&p->p_mtx);
	n = pipe_used(p);
	mtx_unlock(&p->p_mtx);
	return n;
}

static int
pipe_ioctl(struct file *fp, unsigned long cmd, void *uarg)
{
	int value;

	if (cmd != FIONREAD)
		return ENOTTY;
	value = (int)pipe_bytes_available(fp);
	return copyout(&value, uarg, sizeof(value)) ? EFAULT : 0;
}

/* What fp's end can do now (see the top of the file), after recording pw. */
static int
pipe_poll(struct file *fp, int events, struct pollwait *pw)
{
	struct pipe *p = fp->f_data;
	int revents = 0;

	selrecord(pw, &p->p_sel);
	mtx_lock(&p->p_mtx);
	if (file_readable(fp)) {
		if (pipe_used(p) > 0)
			revents |= POLLIN | POLLRDNORM;
		if (p->p_writers == 0)
			revents |= POLLHUP;
	}
	if (file_writable(fp)) {
		if (PIPE_SIZE - pipe_used(p) >= PIPE_BUF)
			revents |= POLLOUT | POLLWRNORM;
		if (p->p_readers == 0)
			revents |= POLLERR;
	}
	mtx_unlock(&p->p_mtx);
	return revents;
}

static int
pipe_stat(struct file *fp, struct stat *st)
{
	struct pipe *p = fp->f_data;

	memset(st, 0, sizeof(*st));
	st->st_dev = 0xc;		/* Linux's pipefs lives on an anonymous device too */
	st->st_ino = p->p_ino;
	st->st_mode = S_IFIFO | 0600;
	st->st_nlink = 1;
	st->st_blksize = PAGE_SIZE;
	st->st_atime_sec = st->st_mtime_sec = st->st_ctime_sec =
	    (int64_t)(p->p_mtime_ns / 1000000000UL);
	st->st_atime_nsec = st->st_mtime_nsec = st->st_ctime_nsec = p->p_mtime_ns % 1000000000UL;
	return 0;
}

static const struct fileops pipeops = {
	.fo_read = pipe_read,
	.fo_write = pipe_write,
	.fo_ioctl = pipe_ioctl,
	.fo_stat = pipe_stat,
	.fo_poll = pipe_poll,
	.fo_close = pipe_close,
};

/* pipe2(fds[2], flags) */
SYSCALL(pipe2)
{
	int flags = (int)a[1], fds[2], error;
	struct filedesc *fdp = fdtable(td);
	struct file *rf, *wf;
	bool cloexec = (flags & O_CLOEXEC) != 0;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if (fdp == NULL)
		return -EMFILE;
	if ((error = pipe_create(&rf, &wf, flags)) != 0)
		return -error;
	if ((error = fd_alloc(fdp, rf, 0, cloexec, &fds[0])) != 0) {
		file_drop(rf);
		file_drop(wf);
		return -error;
	}
	if ((error = fd_alloc(fdp, wf, 0, cloexec, &fds[1])) != 0) {
		fd_close(fdp, fds[0]);
		file_drop(wf);
		return -error;
	}
	if (copyout(fds, (void *)a[0], sizeof(fds)) != 0) {
		fd_close(fdp, fds[0]);
		fd_close(fdp, fds[1]);
		return -EFAULT;
	}
	return 0;
}
