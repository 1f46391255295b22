/* sys/select.h: waiting for descriptors with bit sets (uapi/poll.h). */
#ifndef _SYS_SELECT_H
#define _SYS_SELECT_H

#include <signal.h>
#include <sys/types.h>
#include <uapi/poll.h>
#include <uapi/time.h>

#define FD_SETSIZE	__FD_SETSIZE
#define __NFDBITS	64

typedef struct {
	unsigned long fds_bits[FD_SETSIZE / __NFDBITS];
} fd_set;

#define FD_ZERO(s)	do { for (int __i = 0; __i < FD_SETSIZE / __NFDBITS; __i++) \
				(s)->fds_bits[__i] = 0; } while (0)
#define FD_SET(fd, s)	((s)->fds_bits[(fd) / __NFDBITS] |= 1UL << ((fd) % __NFDBITS))
#define FD_CLR(fd, s)	((s)->fds_bits[(fd) / __NFDBITS] &= ~(1UL << ((fd) % __NFDBITS)))
#define FD_ISSET(fd, s)	(((s)->fds_bits[(fd) / __NFDBITS] >> ((fd) % __NFDBITS)) & 1)

/* The time left is written back to timeout, as Linux does. */
int select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *timeout);
/* The system call pselect6: the time left is written back to timeout. */
int pselect(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timespec *timeout,
    const sigset_t *sigmask);

#endif
