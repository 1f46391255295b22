/*
 * poll(2) events (Linux asm-generic/poll.h), struct pollfd, and the size
 * of select(2)'s descriptor sets (linux/posix_types.h: __FD_SETSIZE).
 * Shared by the kernel and the user C library.
 */
#ifndef _UAPI_POLL_H
#define _UAPI_POLL_H

#define POLLIN		0x0001		/* there is data to read */
#define POLLPRI		0x0002		/* urgent data (select's exception set) */
#define POLLOUT		0x0004		/* writing will not block */
#define POLLERR		0x0008		/* an error condition (always reported) */
#define POLLHUP		0x0010		/* the other end hung up (always reported) */
#define POLLNVAL	0x0020		/* the descriptor is not open (always reported) */
#define POLLRDNORM	0x0040
#define POLLRDBAND	0x0080
#define POLLWRNORM	0x0100
#define POLLWRBAND	0x0200
#define POLLMSG		0x0400
#define POLLRDHUP	0x2000

#define __FD_SETSIZE	1024		/* bits in an fd_set */

struct pollfd {
	int		fd;
	short		events;
	short		revents;
};

#endif
