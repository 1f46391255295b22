/* poll.c: poll, ppoll, select and pselect, over ppoll(2) and pselect6(2). */
#include <poll.h>
#include <sys/select.h>
#include "syscall_impl.h"

int
ppoll(struct pollfd *fds, nfds_t nfds, struct timespec *timeout, const sigset_t *sigmask)
{
	return RET(SC5(SYS_ppoll, fds, nfds, timeout, sigmask, sizeof(sigset_t)));
}

int
poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	struct timespec ts = { timeout / 1000, (timeout % 1000) * 1000000L };

	return ppoll(fds, nfds, timeout < 0 ? NULL : &ts, NULL);
}

int
pselect(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timespec *timeout,
    const sigset_t *sigmask)
{
	/* The kernel reads the mask through a pointer-and-size pair. */
	struct { const sigset_t *ss; unsigned long len; } pack = { sigmask, sizeof(sigset_t) };

	return RET(SC6(SYS_pselect6, nfds, rd, wr, ex, timeout, sigmask != NULL ? &pack : NULL));
}

int
select(int nfds, fd_set *rd, fd_set *wr, fd_set *ex, struct timeval *timeout)
{
	struct timespec ts;
	int r;

	if (timeout == NULL)
		return pselect(nfds, rd, wr, ex, NULL, NULL);
	ts.tv_sec = timeout->tv_sec;
	ts.tv_nsec = timeout->tv_usec * 1000;
	r = pselect(nfds, rd, wr, ex, &ts, NULL);
	timeout->tv_sec = ts.tv_sec;
	timeout->tv_usec = ts.tv_nsec / 1000;
	return r;
}
