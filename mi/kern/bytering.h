/*
 * Byte rings: a bounded stream of bytes from writers to readers, the
 * buffer behind a pipe (sys_pipe.c) and behind each direction of a
 * connected local socket (uipc_unix.c).
 *
 * The ring holds br_size bytes (a power of two).  br_head counts the
 * bytes ever written and br_tail those ever read, so head - tail bytes
 * are waiting, at [tail, head) modulo the size, and the rest is free.
 * Readers wait on br_data for data, writers on br_room for room.  A
 * read returns what is there (at least one byte), or 0 once no writer is
 * left and the ring is empty; a write with no reader left fails with
 * EPIPE.  br_readers and br_writers count who may still read and write
 * (open ends, or 1 and 0 after a shutdown).
 *
 * Data are copied between the ring and user memory, which may fault (and
 * a fault may sleep for a long time), so never under the ring's mutex.
 * Instead one reader and one writer at a time hold the ring's read or
 * write "I/O lock" (a flag under the mutex, waited for on br_iolock,
 * after FreeBSD's pipelock): the reader alone moves the tail and reads
 * the filled part, the writer alone moves the head and fills the free
 * part, and each publishes its move under the mutex.  Holding the write
 * lock for a whole write also makes every write atomic with respect to
 * other writers.  Every wait is interruptible: a signal ends it with
 * ERESTARTSYS.  Every change of the ring or of its ends wakes pollers
 * (br_sel).
 *
 * The calls sleep (the mutex): never call one with a spin lock held.
 *
 * Locking:
 *   (b) br_mtx, a sleep mutex
 *   (r) the read I/O lock; (w) the write I/O lock
 *   (C) constant
 */
#ifndef _KERN_BYTERING_H_
#define _KERN_BYTERING_H_

#include <kern/types.h>
#include <kern/condvar.h>
#include <kern/mutex.h>
#include <kern/poll.h>

struct iovec;

struct bytering {
	struct mtx	br_mtx;
	struct cv	br_data;	/* data came, or the last writer left */
	struct cv	br_room;	/* room came, or the last reader left */
	struct cv	br_iolock;	/* an I/O lock was given back */
	char		*br_buf;	/* (C) br_size bytes */
	size_t		br_size;	/* (C) a power of two */
	uint64_t	br_head;	/* (b) written; (w) to move */
	uint64_t	br_tail;	/* (b) read; (r) to move */
	uint32_t	br_readers;	/* (b) who may still read */
	uint32_t	br_writers;	/* (b) who may still write */
	uint32_t	br_iolocks;	/* (b) BR_RLOCK, BR_WLOCK */
	struct selinfo	br_sel;		/* pollers of either side (its own lock) */
};

/* Reads: */
#define BR_NONBLOCK	0x1	/* EAGAIN rather than sleep */
#define BR_PEEK		0x2	/* copy without taking (MSG_PEEK) */
#define BR_WAITALL	0x4	/* wait until the whole request is there (MSG_WAITALL) */

/* A ring of size bytes (a power of two) with no readers or writers yet: 0 or ENOMEM. */
int bytering_init(struct bytering *r, size_t size, const char *name);
void bytering_destroy(struct bytering *r);	/* nobody uses it any more */

/*
 * Read into iovcnt buffers (user addresses if user): bytes moved, 0 at
 * the end of the stream, or -EAGAIN, -ERESTARTSYS, -EFAULT when none were.
 */
ssize_t bytering_read(struct bytering *r, const struct iovec *iov, int iovcnt, bool user,
    int flags);
/*
 * Write from iovcnt buffers: bytes moved, or -EPIPE (no reader left),
 * -EAGAIN, -ERESTARTSYS, -EFAULT when none were.  A write of at most atomic
 * bytes waits for room for all of it, so it is never split.
 */
ssize_t bytering_write(struct bytering *r, const struct iovec *iov, int iovcnt, bool user,
    bool nonblock, size_t atomic);

/* Bytes waiting, bytes free. */
size_t bytering_used(struct bytering *r);
size_t bytering_room(struct bytering *r);
/*
 * One reader or writer more, or one less (waking whoever it concerns).
 * bytering_drop returns the readers and writers left, counted together:
 * exactly one caller sees the last go (0).
 */
void bytering_add(struct bytering *r, bool writer);
uint32_t bytering_drop(struct bytering *r, bool writer);
/* Counts as they stand (a snapshot). */
void bytering_ends(struct bytering *r, uint32_t *readers, uint32_t *writers);

#endif
