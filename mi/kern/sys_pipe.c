/*
 * Pipes: a byte ring (bytering.h) between a read end and a write end,
 * each a struct file with the pipe file operations (pipe2 makes both).
 * A read returns what is there (at least one byte), or 0 once every
 * write end is closed and the ring is empty; a write with no read end
 * left fails with EPIPE; a write of up to PIPE_BUF bytes is never split.
 *
 * A FIFO (fs/fifo.c) is a pipe its vnode holds while any end is open:
 * made with no ends (pipe_alloc), with an outer lock that its opens and
 * the last close take before the ring's mutex, so that the last close
 * (which calls the FIFO's lastclose, to forget the pipe) and an open that
 * joins the pipe never cross.  Its ends are made unattached
 * (pipe_end_alloc), each holding the vnode, and attached by the open.
 *
 * Polling (pipe_poll): the read end is readable with data waiting, and
 * hung up (POLLHUP) once every write end is closed; the write end is
 * writable with PIPE_BUF bytes free, so that a write of up to PIPE_BUF
 * bytes will not block, and in error (POLLERR) once every read end is
 * closed.
 *
 * Locking: the ring's; the rest is constant (C).  A FIFO's ends are
 * counted and uncounted with p_outer held.
 */
#include <kern/systm.h>
#include <kern/bytering.h>
#include <kern/copy.h>
#include <kern/file.h>
#include <kern/malloc.h>
#include <kern/poll.h>
#include <kern/sched.h>
#include <kern/time.h>
#include <kern/syscall.h>
#include <kern/uio.h>
#include <fs/vnode.h>
#include <machine/param.h>
#include <uapi/fcntl.h>
#include <uapi/ioctl.h>
#include <uapi/limits.h>
#include <uapi/stat.h>
#include <uapi/uio.h>

MALLOC_DEFINE(M_PIPE, "pipe", "pipes");

#define PIPE_SIZE	16384		/* ring bytes; a power of two */

struct pipe {
	struct bytering	p_ring;		/* its readers and writers: the open ends */
	uint64_t	p_ino;		/* (C) for fstat */
	uint64_t	p_mtime_ns;	/* (C) */
	struct mtx	*p_outer;	/* (C) a FIFO's lock, taken before the ring's to
					 * count ends, or NULL */
	void		(*p_lastclose)(void *arg);	/* (C) a FIFO's: no end is left */
	void		*p_lastclose_arg;	/* (C) */
};

static uint64_t next_pipe_ino = 1;	/* (A) */
static const struct fileops pipeops;

static void
pipe_free(struct pipe *p)
{
	bytering_destroy(&p->p_ring);
	free(p, M_PIPE);
}

struct pipe *
pipe_alloc(struct mtx *outer, void (*lastclose)(void *), void *arg)
{
	struct pipe *p = malloc(sizeof(*p), M_PIPE, M_WAITOK | M_ZERO);

	if (p == NULL)
		return NULL;
	if (bytering_init(&p->p_ring, PIPE_SIZE, "pipe") != 0) {
		free(p, M_PIPE);
		return NULL;
	}
	p->p_ino = __atomic_fetch_add(&next_pipe_ino, 1, __ATOMIC_RELAXED);
	p->p_mtime_ns = uptime_ns();
	p->p_outer = outer;
	p->p_lastclose = lastclose;
	p->p_lastclose_arg = arg;
	return p;
}

void
pipe_free_unused(struct pipe *p)
{
	uint32_t readers, writers;

	bytering_ends(&p->p_ring, &readers, &writers);
	KASSERT(readers == 0 && writers == 0, ("pipe_free_unused: ends open"));
	pipe_free(p);
}

struct file *
pipe_end_alloc(int flags, struct vnode *vp)
{
	struct file *fp = file_alloc(&pipeops, NULL, flags & (O_ACCMODE | O_NONBLOCK));

	if (fp != NULL)
		fp->f_vnode = vp;
	return fp;
}

void
pipe_end_attach(struct pipe *p, struct file *fp)
{
	KASSERT(p->p_outer == NULL || mtx_owned(p->p_outer), ("pipe_end_attach: not locked"));
	KASSERT(fp->f_data == NULL, ("pipe_end_attach: already attached"));
	fp->f_data = p;
	if (file_readable(fp))
		bytering_add(&p->p_ring, false);
	if (file_writable(fp))
		bytering_add(&p->p_ring, true);
}

void
pipe_end_wakeup(struct pipe *p)
{
	cv_broadcast(&p->p_ring.br_data);
	cv_broadcast(&p->p_ring.br_room);
	selwakeup(&p->p_ring.br_sel);
}

bool
pipe_has_ends(struct pipe *p, bool writers)
{
	uint32_t r, w;

	bytering_ends(&p->p_ring, &r, &w);
	return (writers ? w : r) > 0;
}

int
pipe_create(struct file **readp, struct file **writep, int flags)
{
	struct pipe *p = pipe_alloc(NULL, NULL, NULL);
	struct file *rf = NULL, *wf = NULL;
	int nonblock = flags & O_NONBLOCK;

	if (p == NULL)
		return ENOMEM;
	rf = file_alloc(&pipeops, p, O_RDONLY | nonblock);
	wf = file_alloc(&pipeops, p, O_WRONLY | nonblock);
	if (rf == NULL || wf == NULL) {
		/* An end never made is never closed: count only the ones made. */
		if (rf != NULL)
			bytering_add(&p->p_ring, false);
		if (wf != NULL)
			bytering_add(&p->p_ring, true);
		if (rf != NULL)
			file_drop(rf);
		if (wf != NULL)
			file_drop(wf);
		if (rf == NULL && wf == NULL)
			pipe_free(p);
		return ENOMEM;
	}
	bytering_add(&p->p_ring, false);
	bytering_add(&p->p_ring, true);
	*readp = rf;
	*writep = wf;
	return 0;
}

/* One end's file is going away (its last reference); the pipe goes with the last end. */
static void
pipe_close(struct file *fp)
{
	struct pipe *p = fp->f_data;
	uint32_t left = 1;

	if (p == NULL)
		goto out;		/* a FIFO end that was never opened */
	if (p->p_outer != NULL)
		mtx_lock(p->p_outer);
	/* A FIFO's end may be both (O_RDWR); a pipe's is one or the other. */
	if (file_writable(fp))
		left = bytering_drop(&p->p_ring, true);
	if (file_readable(fp))
		left = bytering_drop(&p->p_ring, false);
	if (left == 0 && p->p_lastclose != NULL)
		p->p_lastclose(p->p_lastclose_arg);	/* a FIFO forgets its pipe */
	if (p->p_outer != NULL)
		mtx_unlock(p->p_outer);
	if (left == 0)
		pipe_free(p);
out:
	if (fp->f_vnode != NULL)
		vrele(fp->f_vnode);
}

static ssize_t
pipe_read(struct file *fp, const struct iovec *iov, int iovcnt, int64_t pos, bool user)
{
	struct pipe *p = fp->f_data;

	return bytering_read(&p->p_ring, iov, iovcnt, user,
	    (fp->f_flags & O_NONBLOCK) ? BR_NONBLOCK : 0);
}

static ssize_t
pipe_write(struct file *fp, const struct iovec *iov, int iovcnt, int64_t pos, bool user)
{
	struct pipe *p = fp->f_data;

	return bytering_write(&p->p_ring, iov, iovcnt, user, (fp->f_flags & O_NONBLOCK) != 0,
	    PIPE_BUF);
}

uint64_t
pipe_bytes_available(struct file *fp)
{
	struct pipe *p = fp->f_data;

	return bytering_used(&p->p_ring);
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
	uint32_t readers, writers;
	int revents = 0;

	selrecord(pw, &p->p_ring.br_sel);
	bytering_ends(&p->p_ring, &readers, &writers);
	if (file_readable(fp)) {
		if (bytering_used(&p->p_ring) > 0)
			revents |= POLLIN | POLLRDNORM;
		if (writers == 0)
			revents |= POLLHUP;
	}
	if (file_writable(fp)) {
		if (bytering_room(&p->p_ring) >= PIPE_BUF)
			revents |= POLLOUT | POLLWRNORM;
		if (readers == 0)
			revents |= POLLERR;
	}
	return revents;
}

static int
pipe_stat(struct file *fp, struct stat *st)
{
	struct pipe *p = fp->f_data;

	if (fp->f_vnode != NULL) {
		vn_stat(fp->f_vnode, st);	/* a FIFO: the node's own */
		return 0;
	}
	/* Linux's pipefs lives on an anonymous device too. */
	file_stat_anon(st, 0xc, p->p_ino, S_IFIFO | 0600, p->p_mtime_ns);
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
