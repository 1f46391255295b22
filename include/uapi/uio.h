/* Scatter/gather I/O (Linux linux/uio.h).  Shared by the kernel and the user C library. */
#ifndef _UAPI_UIO_H
#define _UAPI_UIO_H

#include <stddef.h>

struct iovec {
	void		*iov_base;
	size_t		iov_len;
};

#define UIO_MAXIOV	1024		/* readv/writev take at most this many */

#endif
