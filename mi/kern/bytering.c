/*
 * Byte rings (see bytering.h): the pipe's buffer, which local sockets
 * use too.
 */
#include <kern/systm.h>
#include <kern/bytering.h>
#include <kern/malloc.h>
#include <kern/uio.h>
#include <uapi/uio.h>

MALLOC_DEFINE(M_BYTERING, "byte ring", "pipe and socket buffers");

#define BR_RLOCK	0x1
#define BR_WLOCK	0x2

int
bytering_init(struct bytering *r, size_t size, const char *name)
{
	KASSERT(size != 0 && (size & (size - 1)) == 0, ("bytering_init: size %zu", size));
	memset(r, 0, sizeof(*r));
	if ((r->br_buf = malloc(size, M_BYTERING, M_WAITOK)) == NULL)
		return ENOMEM;
	r->br_size = size;
	mtx_init(&r->br_mtx, name);
	cv_init(&r->br_data, "byte ring data");
	cv_init(&r->br_room, "byte ring room");
	cv_init(&r->br_iolock, "byte ring io");
	selinfo_init(&r->br_sel, name);
	return 0;
}

void
bytering_destroy(struct bytering *r)
{
	cv_destroy(&r->br_data);
	cv_destroy(&r->br_room);
	cv_destroy(&r->br_iolock);
	mtx_destroy(&r->br_mtx);
	seldrain(&r->br_sel);
	free(r->br_buf, M_BYTERING);
	r->br_buf = NULL;
}

static inline uint64_t
used_locked(const struct bytering *r)
{
	return r->br_head - r->br_tail;
}

size_t
bytering_used(struct bytering *r)
{
	size_t n;

	mtx_lock(&r->br_mtx);
	n = used_locked(r);
	mtx_unlock(&r->br_mtx);
	return n;
}

size_t
bytering_room(struct bytering *r)
{
	return r->br_size - bytering_used(r);
}

void
bytering_ends(struct bytering *r, uint32_t *readers, uint32_t *writers)
{
	mtx_lock(&r->br_mtx);
	*readers = r->br_readers;
	*writers = r->br_writers;
	mtx_unlock(&r->br_mtx);
}

void
bytering_add(struct bytering *r, bool writer)
{
	mtx_lock(&r->br_mtx);
	if (writer)
		r->br_writers++;
	else
		r->br_readers++;
	mtx_unlock(&r->br_mtx);
}

uint32_t
bytering_drop(struct bytering *r, bool writer)
{
	uint32_t left;

	mtx_lock(&r->br_mtx);
	KASSERT(writer ? r->br_writers > 0 : r->br_readers > 0,
	    ("bytering_drop: no %s left", writer ? "writer" : "reader"));
	if (writer)
		r->br_writers--;
	else
		r->br_readers--;
	left = r->br_readers + r->br_writers;
	mtx_unlock(&r->br_mtx);
	/* Readers waiting for data see the end; writers waiting for room see EPIPE. */
	cv_broadcast(writer ? &r->br_data : &r->br_room);
	selwakeup(&r->br_sel);
	return left;
}

/* Take the read or write I/O lock.  EAGAIN (nonblock) or ERESTARTSYS (a signal). */
static int
iolock(struct bytering *r, uint32_t which, bool nonblock)
{
	int error = 0;

	mtx_lock(&r->br_mtx);
	while (r->br_iolocks & which) {
		if (nonblock) {
			error = EAGAIN;
			break;
		}
		if ((error = cv_wait_sig(&r->br_iolock, &r->br_mtx)) != 0)
			break;
	}
	if (!error)
		r->br_iolocks |= which;
	mtx_unlock(&r->br_mtx);
	return error;
}

static void
iounlock(struct bytering *r, uint32_t which)
{
	mtx_lock(&r->br_mtx);
	r->br_iolocks &= ~which;
	mtx_unlock(&r->br_mtx);
	cv_broadcast(&r->br_iolock);
}

/* Wait (read lock held) for data or the end.  0 with data, 1 at the end, or -errno. */
static int
wait_for_data(struct bytering *r, bool nonblock)
{
	int error = 0, ret;

	mtx_lock(&r->br_mtx);
	while (used_locked(r) == 0 && r->br_writers > 0) {
		if (nonblock) {
			error = EAGAIN;
			break;
		}
		if ((error = cv_wait_sig(&r->br_data, &r->br_mtx)) != 0)
			break;
	}
	ret = error ? -error : used_locked(r) == 0 ? 1 : 0;
	mtx_unlock(&r->br_mtx);
	return ret;
}

/* A read in progress, for uio_vector. */
struct drain {
	struct bytering	*r;
	int		flags;
	uint64_t	peeked;		/* BR_PEEK: bytes already copied past the tail */
};

/*
 * Copy what is waiting into one buffer (read lock held), with BR_WAITALL
 * waiting for more until it is full.  Bytes, or -errno if none.
 */
static ssize_t
drain_into(void *arg, struct uio *uio)
{
	struct drain *d = arg;
	struct bytering *r = d->r;
	size_t done = 0;

	while (uio->uio_resid > 0) {
		uint64_t from, avail;
		size_t off, n;
		int wait;

		mtx_lock(&r->br_mtx);
		from = r->br_tail + d->peeked;
		avail = used_locked(r) - d->peeked;
		mtx_unlock(&r->br_mtx);
		if (avail == 0) {
			if (!(d->flags & BR_WAITALL) || (d->flags & BR_PEEK))
				break;
			if ((wait = wait_for_data(r, (d->flags & BR_NONBLOCK) != 0)) != 0)
				return done > 0 ? (ssize_t)done : (wait > 0 ? 0 : wait);
			continue;
		}
		off = from & (r->br_size - 1);
		n = MIN(MIN(avail, r->br_size - off), uio->uio_resid);
		if (uiomove(r->br_buf + off, n, uio) != 0)
			return done > 0 ? (ssize_t)done : -EFAULT;
		if (d->flags & BR_PEEK) {
			d->peeked += n;
		} else {
			mtx_lock(&r->br_mtx);
			r->br_tail += n;
			mtx_unlock(&r->br_mtx);
			cv_broadcast(&r->br_room);
			selwakeup(&r->br_sel);
		}
		done += n;
	}
	return (ssize_t)done;
}

ssize_t
bytering_read(struct bytering *r, const struct iovec *iov, int iovcnt, bool user, int flags)
{
	bool nonblock = (flags & BR_NONBLOCK) != 0;
	struct uio uio = { .uio_user = user, .uio_write = false };
	struct drain d = { r, flags, 0 };
	ssize_t total;
	int error, ret;

	if ((error = iolock(r, BR_RLOCK, nonblock)) != 0)
		return -error;
	if ((ret = wait_for_data(r, nonblock)) != 0) {
		iounlock(r, BR_RLOCK);
		return ret > 0 ? 0 : ret;
	}
	total = uio_vector(&uio, iov, iovcnt, drain_into, &d);
	iounlock(r, BR_RLOCK);
	return total;
}

/*
 * Wait (write lock held) until need bytes are free, or any if need is 0.
 * The free byte count, or -EPIPE, -EAGAIN, -ERESTARTSYS.
 */
static int64_t
wait_for_room(struct bytering *r, size_t need, bool nonblock)
{
	int64_t ret;
	int error = 0;

	if (need == 0)
		need = 1;
	mtx_lock(&r->br_mtx);
	for (;;) {
		if (r->br_readers == 0) {
			error = EPIPE;
			break;
		}
		if (r->br_size - used_locked(r) >= need)
			break;
		if (nonblock) {
			error = EAGAIN;
			break;
		}
		if ((error = cv_wait_sig(&r->br_room, &r->br_mtx)) != 0)
			break;
	}
	ret = error ? -error : (int64_t)(r->br_size - used_locked(r));
	mtx_unlock(&r->br_mtx);
	return ret;
}

/* A write in progress, for uio_vector: the first buffer brings the atomicity. */
struct fill {
	struct bytering	*r;
	size_t		atomic_need;	/* room the next buffer waits for first */
	bool		nonblock;
};

/* Copy one buffer into the ring (write lock held).  Bytes, or -errno if none. */
static ssize_t
fill_from(void *arg, struct uio *uio)
{
	struct fill *f = arg;
	struct bytering *r = f->r;
	size_t done = 0;

	while (uio->uio_resid > 0) {
		int64_t room = wait_for_room(r, done == 0 ? f->atomic_need : 0, f->nonblock);
		uint64_t head;
		size_t off, n;

		if (room < 0)
			return done > 0 ? (ssize_t)done : room;
		mtx_lock(&r->br_mtx);
		head = r->br_head;
		mtx_unlock(&r->br_mtx);
		off = head & (r->br_size - 1);
		n = MIN(MIN((size_t)room, r->br_size - off), uio->uio_resid);
		if (uiomove(r->br_buf + off, n, uio) != 0)
			return done > 0 ? (ssize_t)done : -EFAULT;
		mtx_lock(&r->br_mtx);
		r->br_head += n;
		mtx_unlock(&r->br_mtx);
		cv_broadcast(&r->br_data);
		selwakeup(&r->br_sel);
		done += n;
	}
	f->atomic_need = 0;
	return (ssize_t)done;
}

ssize_t
bytering_write(struct bytering *r, const struct iovec *iov, int iovcnt, bool user,
    bool nonblock, size_t atomic)
{
	struct fill f = { r, 0, nonblock };
	struct uio uio = { .uio_user = user, .uio_write = true };
	size_t want = 0;
	ssize_t total;
	int error;

	for (int i = 0; i < iovcnt; i++)
		want += iov[i].iov_len;		/* the caller checked for overflow */
	f.atomic_need = want <= atomic ? want : 0;
	if ((error = iolock(r, BR_WLOCK, nonblock)) != 0)
		return -error;
	total = uio_vector(&uio, iov, iovcnt, fill_from, &f);
	iounlock(r, BR_WLOCK);
	return total;
}
