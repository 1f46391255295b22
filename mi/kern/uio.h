/*
 * Moving data between a file (or a pipe, or a device) and memory, kernel
 * or user (after 4.4BSD's struct uio, reduced to one buffer at a time).
 * A transfer describes the buffer, the file offset and how the file was
 * opened; uiomove copies, advancing all three, so the code that owns the
 * data never asks whether the buffer is in user or kernel memory.
 */
#ifndef _KERN_UIO_H_
#define _KERN_UIO_H_

#include <kern/types.h>

struct iovec;

/*
 * A transfer between a file and one buffer in memory, kernel or user.
 * Callers may initialise it positionally; later fields default to 0.
 */
struct uio {
	void		*uio_base;	/* next byte of the buffer */
	size_t		uio_resid;	/* bytes left */
	uint64_t	uio_offset;	/* file offset */
	bool		uio_user;	/* uio_base is a user address */
	bool		uio_write;	/* the buffer is the source (a write) */
	int		uio_ioflag;	/* IO_* */
};

#define IO_NONBLOCK	0x0001		/* O_NONBLOCK: EAGAIN rather than sleep */
#define IO_APPEND	0x0002		/* O_APPEND: write at the end of the file */
#define IO_SEQUENTIAL	0x0004		/* POSIX_FADV_SEQUENTIAL: read ahead far */
#define IO_RANDOM	0x0008		/* POSIX_FADV_RANDOM: read only what is asked */

/* Move up to n bytes between kernel memory kaddr and the uio. 0 or EFAULT. */
int uiomove(void *kaddr, size_t n, struct uio *uio);
/* Move n zero bytes into the uio (a read of a hole). 0 or EFAULT. */
int uiomove_zeros(size_t n, struct uio *uio);

/*
 * Run a transfer over iovcnt buffers (readv, writev): for each non-empty
 * one in turn, point uio at it and call xfer(arg, uio), which moves what
 * it can (advancing uio) and returns the bytes moved or -errno.  The
 * caller fills uio's offset, direction and flags; the offset carries on
 * from buffer to buffer.  Stops after the first buffer xfer does not
 * finish.  Returns the bytes moved in all, or xfer's -errno if none were.
 */
ssize_t uio_vector(struct uio *uio, const struct iovec *iov, int iovcnt,
    ssize_t (*xfer)(void *arg, struct uio *uio), void *arg);

/*
 * The system calls' side (sys_generic.c).  iov_in copies in an iovec
 * array of cnt entries (at most UIO_MAXIOV), checking that the total fits
 * in ssize_t and capping it at MAX_RW_COUNT; the array (M_TEMP) is the
 * caller's to free, NULL when cnt is 0.  write_result raises SIGPIPE in
 * the writer for a write that failed with EPIPE, and passes n on.
 */
struct thread;
int iov_in(uint64_t uiov, uint64_t cnt, struct iovec **iovp);
ssize_t write_result(struct thread *td, ssize_t n);

#endif
