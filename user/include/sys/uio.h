/* sys/uio.h: scatter/gather I/O (uapi/uio.h). */
#ifndef _SYS_UIO_H
#define _SYS_UIO_H

#include <sys/types.h>
#include <uapi/uio.h>

ssize_t writev(int fd, const struct iovec *iov, int iovcnt);

#endif
