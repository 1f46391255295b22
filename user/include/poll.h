/* poll.h: waiting for descriptors (uapi/poll.h). */
#ifndef _POLL_H
#define _POLL_H

#include <signal.h>
#include <time.h>
#include <uapi/poll.h>

typedef unsigned long nfds_t;

/* timeout in milliseconds; negative waits forever. */
int poll(struct pollfd *fds, nfds_t nfds, int timeout);
/* The system call: the remaining time is written back to timeout (Linux). */
int ppoll(struct pollfd *fds, nfds_t nfds, struct timespec *timeout,
    const sigset_t *sigmask);

#endif
