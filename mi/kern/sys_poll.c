/*
 * ppoll(2) and pselect6(2), and the selinfo records they wait with (see
 * poll.h), with Linux's semantics.
 *
 * Both calls turn their arguments into a list of (descriptor, events)
 * entries and wait in poll_wait: one pass asks every file what it can do
 * (file_poll), recording the caller on each file's selinfo; if nothing is
 * ready the caller sleeps until a selwakeup, the deadline or a signal,
 * then asks again, without recording (the records stay until the call
 * ends).  The files are held for the whole call.
 *
 * Timeouts: NULL waits forever, zero only looks, anything else is a
 * relative timeout whose remainder is written back on return, as Linux
 * does for both calls (unless it was zero); if it cannot be written, a
 * call that would have restarted fails with EINTR instead.
 *
 * Signals: a call that a signal interrupts returns -ERESTARTNOHAND: it
 * fails with EINTR if a handler runs and starts again (with the remaining
 * time, written back) if none does.  A signal mask given to the call is
 * in force from before the first look to the return; when the call is
 * interrupted, the handlers run with it in force and their frames restore
 * the caller's (signal_return_from_tempmask).
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/file.h>
#include <kern/malloc.h>
#include <kern/poll.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/sleepqueue.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <uapi/poll.h>
#include <uapi/resource.h>

/* select's sets, as poll events (Linux's POLLIN_SET, POLLOUT_SET, POLLEX_SET). */
#define SELECT_READ	(POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define SELECT_WRITE	(POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define SELECT_EXCEPT	POLLPRI
#define SELECT_NSETS	3
#define FDSET_BITS	64		/* bits per word of an fd_set */

/* The events each of select's sets (read, write, exception) stands for. */
static const short select_events[SELECT_NSETS] = { SELECT_READ, SELECT_WRITE, SELECT_EXCEPT };

/* Deadlines, in uptime_ns: look once, or wait with no deadline. */
#define POLL_NO_WAIT	0
#define POLL_FOREVER	UINT64_MAX

/*
 * Pollers, and their records on files' selinfos.
 *
 * Locking: (A) atomic; (s) the si_lock of sr_si; (L) the poller's own.
 */
struct selrecord {
	struct list_node sr_link;	/* (s) on sr_si's records */
	struct selinfo	*sr_si;		/* (L) */
	struct pollwait	*sr_pw;		/* (L) */
};

struct pollwait {
	uint32_t	pw_triggered;	/* (A) a selwakeup came since the last look */
	struct selrecord *pw_records;	/* (L) pw_nrecords used of pw_maxrecords */
	int		pw_nrecords;
	int		pw_maxrecords;
};

/* One descriptor to wait for. */
struct poll_entry {
	int		pe_fd;		/* < 0: ignored */
	short		pe_events;	/* what is asked for */
	short		pe_revents;	/* what is possible */
	struct file	*pe_fp;		/* held; NULL if pe_fd is not open */
};

void
selinfo_init(struct selinfo *si, const char *name)
{
	spin_init(&si->si_lock, name);
	list_init(&si->si_records);
}

void
seldrain(struct selinfo *si)
{
	spin_lock(&si->si_lock);
	KASSERT(list_empty(&si->si_records), ("seldrain: %s still has pollers",
	    si->si_lock.name));
	spin_unlock(&si->si_lock);
}

void
selrecord(struct pollwait *pw, struct selinfo *si)
{
	struct selrecord *sr;

	if (pw == NULL)
		return;
	KASSERT(pw->pw_nrecords < pw->pw_maxrecords,
	    ("selrecord: a file recorded more than one selinfo"));
	sr = &pw->pw_records[pw->pw_nrecords++];
	sr->sr_si = si;
	sr->sr_pw = pw;
	spin_lock(&si->si_lock);
	list_append(&si->si_records, &sr->sr_link);
	spin_unlock(&si->si_lock);
}

void
selwakeup(struct selinfo *si)
{
	struct list_node *n;

	spin_lock(&si->si_lock);
	list_foreach(n, &si->si_records) {
		struct pollwait *pw = list_entry(n, struct selrecord, sr_link)->sr_pw;

		/* Triggered before the wakeup: a poller about to sleep sees one or the other. */
		__atomic_store_n(&pw->pw_triggered, 1, __ATOMIC_SEQ_CST);
		wakeup(pw);
	}
	spin_unlock(&si->si_lock);
}

/* Take pw's records off their selinfos (the end of the call). */
static void
pollwait_unrecord(struct pollwait *pw)
{
	for (int i = 0; i < pw->pw_nrecords; i++) {
		struct selrecord *sr = &pw->pw_records[i];

		spin_lock(&sr->sr_si->si_lock);
		list_remove(&sr->sr_link);
		spin_unlock(&sr->sr_si->si_lock);
	}
	pw->pw_nrecords = 0;
}

/*
 * Sleep until a selwakeup for pw, the deadline (uptime_ns; POLL_FOREVER:
 * none) or a signal; ERESTARTSYS for the signal, else 0.  The triggered
 * flag is tested under pw's sleep queue chain lock, which selwakeup's
 * wakeup takes after setting it: a wakeup since the flag was last
 * cleared ends the sleep before it starts.
 */
static int
poll_sleep(struct pollwait *pw, uint64_t deadline)
{
	uint64_t until = 0;
	int error;

	if (deadline != POLL_FOREVER) {
		uint64_t now = uptime_ns();

		until = sleepq_deadline_ns(deadline > now ? deadline - now : 0);
	}
	sleepq_lock(pw);
	if (__atomic_load_n(&pw->pw_triggered, __ATOMIC_SEQ_CST)) {
		sleepq_release(pw);
		return 0;
	}
	error = sleepq_wait(pw, SLEEPQ_EXCLUSIVE, SLEEPQ_INTR, until);
	return error == ERESTARTSYS ? error : 0;
}

/*
 * Ask each entry's file what it can do (recording pw, unless NULL):
 * pe_revents is what was asked for of that, plus POLLERR and POLLHUP, or
 * POLLNVAL for a descriptor that is not open.  The entries with any.
 */
static int
poll_scan(struct poll_entry *pe, int n, struct pollwait *pw)
{
	int ready = 0;

	for (int i = 0; i < n; i++) {
		int mask = 0;

		if (pe[i].pe_fd < 0)
			mask = 0;
		else if (pe[i].pe_fp == NULL)
			mask = POLLNVAL;
		else
			mask = file_poll(pe[i].pe_fp, pe[i].pe_events, pw) &
			    (pe[i].pe_events | POLLERR | POLLHUP);
		pe[i].pe_revents = (short)mask;
		ready += mask != 0;
	}
	return ready;
}

/*
 * Wait until one of the n entries is ready, the clock passes deadline
 * (uptime_ns; POLL_NO_WAIT: look once; POLL_FOREVER: none) or a signal
 * comes.  The number of ready entries (0 when the time ran out), or
 * -ERESTARTNOHAND for a signal, or -ENOMEM.
 */
static long
poll_wait(struct thread *td, struct poll_entry *pe, int n, uint64_t deadline)
{
	struct pollwait pw = {
		.pw_maxrecords = n,
	};
	struct pollwait *record = deadline == POLL_NO_WAIT ? NULL : &pw;
	long ready;

	if (record != NULL && n > 0 &&
	    (pw.pw_records = malloc((size_t)n * sizeof(*pw.pw_records), M_TEMP, M_WAITOK)) == NULL)
		return -ENOMEM;
	for (;;) {
		__atomic_store_n(&pw.pw_triggered, 0, __ATOMIC_SEQ_CST);
		ready = poll_scan(pe, n, record);
		record = NULL;		/* the first pass's records stay */
		if (ready > 0)
			break;
		if (signal_pending(td)) {
			ready = -ERESTARTNOHAND;
			break;
		}
		if (deadline != POLL_FOREVER && uptime_ns() >= deadline)
			break;
		if (poll_sleep(&pw, deadline) != 0) {
			ready = -ERESTARTNOHAND;
			break;
		}
	}
	pollwait_unrecord(&pw);
	free(pw.pw_records, M_TEMP);
	return ready;
}

/* Hold each entry's file (NULL where the descriptor is not open). */
static void
poll_hold_files(struct thread *td, struct poll_entry *pe, int n)
{
	for (int i = 0; i < n; i++)
		if (pe[i].pe_fd < 0 || getfile(td, (uint64_t)pe[i].pe_fd, &pe[i].pe_fp) != 0)
			pe[i].pe_fp = NULL;
}

static void
poll_drop_files(struct poll_entry *pe, int n)
{
	for (int i = 0; i < n; i++)
		if (pe[i].pe_fp != NULL)
			file_drop(pe[i].pe_fp);
}

/*
 * Timeouts and signal masks, common to both calls.
 */

/* The call's timeout argument (a struct timespec *, or 0) as a deadline. */
static int
poll_deadline(uint64_t utimeout, uint64_t *deadline)
{
	struct timespec ts;
	int error;

	*deadline = POLL_FOREVER;
	if (utimeout == 0)
		return 0;
	if ((error = timespec_copyin(utimeout, &ts)) != 0)
		return error;
	if (ts.tv_sec == 0 && ts.tv_nsec == 0)
		*deadline = POLL_NO_WAIT;
	else
		*deadline = uptime_ns() + timespec_to_ns(&ts);
	return 0;
}

/*
 * The end of either call with result rv: write the time left back to
 * utimeout (not for none or zero); a call that would restart but cannot
 * be told its remaining time fails with EINTR instead (Linux's rule).
 */
static long
poll_finish_timeout(uint64_t utimeout, uint64_t deadline, long rv)
{
	uint64_t now = uptime_ns(), left;
	struct timespec ts;

	if (utimeout == 0 || deadline == POLL_NO_WAIT)
		return rv;
	left = deadline > now ? deadline - now : 0;
	ts = (struct timespec){ (int64_t)(left / NSEC_PER_SEC), (int64_t)(left % NSEC_PER_SEC) };
	if (copyout(&ts, (void *)utimeout, sizeof(ts)) != 0 && rv == -ERESTARTNOHAND)
		return -EINTR;
	return rv;
}

/*
 * A signal mask the call runs with: usigset (0: none) of size bytes.
 * *has says whether there is one.  0, EINVAL (size) or EFAULT.
 */
static int
poll_sigmask_in(uint64_t usigset, uint64_t size, uint64_t *mask, bool *has)
{
	*has = usigset != 0;
	if (!*has)
		return 0;
	if (size != sizeof(uint64_t))
		return EINVAL;
	return copyin((const void *)usigset, mask, sizeof(*mask)) ? EFAULT : 0;
}

/*
 * ppoll(fds, nfds, timeout, sigmask, sigsetsize)
 */
SYSCALL(ppoll)
{
	uint64_t ufds = a[0], nfds = a[1], utimeout = a[2], deadline, mask = 0, old;
	struct proc *p = td->td_proc;
	struct poll_entry *pe = NULL;
	struct pollfd *pfd = NULL;
	bool has_mask;
	long rv;
	int error;

	if ((error = poll_deadline(utimeout, &deadline)) != 0 ||
	    (error = poll_sigmask_in(a[3], a[4], &mask, &has_mask)) != 0)
		return -error;
	if (nfds > p->p_rlimit[RLIMIT_NOFILE].rlim_cur || nfds > INT32_MAX)
		return -EINVAL;
	old = td->td_sigmask;
	if (has_mask)
		signal_setmask(td, mask);
	if (nfds > 0 &&
	    ((pfd = malloc(nfds * sizeof(*pfd), M_TEMP, M_WAITOK)) == NULL ||
	    (pe = malloc(nfds * sizeof(*pe), M_TEMP, M_WAITOK | M_ZERO)) == NULL)) {
		rv = -ENOMEM;
	} else if (nfds > 0 && copyin((const void *)ufds, pfd, nfds * sizeof(*pfd)) != 0) {
		rv = -EFAULT;
	} else {
		for (uint64_t i = 0; i < nfds; i++)
			pe[i] = (struct poll_entry){ .pe_fd = pfd[i].fd, .pe_events = pfd[i].events };
		poll_hold_files(td, pe, (int)nfds);
		rv = poll_wait(td, pe, (int)nfds, deadline);
		poll_drop_files(pe, (int)nfds);
		/* Every entry's revents, whatever the result (as Linux). */
		for (uint64_t i = 0; i < nfds && rv != -ENOMEM; i++) {
			struct pollfd *u = (struct pollfd *)ufds + i;

			if (copyout(&pe[i].pe_revents, &u->revents, sizeof(u->revents)) != 0) {
				rv = -EFAULT;
				break;
			}
		}
	}
	free(pe, M_TEMP);
	free(pfd, M_TEMP);
	rv = poll_finish_timeout(utimeout, deadline, rv);
	return has_mask ? signal_return_from_tempmask(td, old, rv) : rv;
}

/*
 * pselect6(nfds, readfds, writefds, exceptfds, timeout, sigmask_pack),
 * where sigmask_pack points to { const sigset_t *ss; size_t ss_len; }.
 */

/* The bits below n of the user's fd_set at uaddr (0: none, all clear). */
static int
fdset_in(uint64_t uaddr, int n, uint64_t *set)
{
	size_t bytes = howmany((size_t)n, FDSET_BITS) * sizeof(uint64_t);

	memset(set, 0, bytes);
	if (uaddr == 0 || bytes == 0)
		return 0;
	if (copyin((const void *)uaddr, set, bytes) != 0)
		return EFAULT;
	if (n % FDSET_BITS != 0)
		set[n / FDSET_BITS] &= (1UL << (n % FDSET_BITS)) - 1;
	return 0;
}

static inline bool
fdset_isset(const uint64_t *set, int fd)
{
	return (set[fd / FDSET_BITS] >> (fd % FDSET_BITS)) & 1;
}

/* The entries select asks about: one per descriptor in any set.  EBADF if one is not open. */
static int
select_entries(struct thread *td, uint64_t *sets[SELECT_NSETS], int n,
    struct poll_entry *pe, int *count)
{
	int k = 0;

	for (int fd = 0; fd < n; fd++) {
		short ev = 0;

		for (int s = 0; s < SELECT_NSETS; s++)
			if (fdset_isset(sets[s], fd))
				ev |= select_events[s];
		if (ev == 0)
			continue;
		pe[k] = (struct poll_entry){ .pe_fd = fd, .pe_events = ev };
		if (getfile(td, (uint64_t)fd, &pe[k].pe_fp) != 0) {
			*count = k;
			return EBADF;
		}
		k++;
	}
	*count = k;
	return 0;
}

/* The sets select answers with, from the entries' revents; the number of bits set. */
static long
select_results(const struct poll_entry *pe, int count, uint64_t *sets[SELECT_NSETS],
    const uint64_t *asked[SELECT_NSETS], int n)
{
	long bits = 0;

	for (int s = 0; s < SELECT_NSETS; s++)
		memset(sets[s], 0, howmany((size_t)n, FDSET_BITS) * sizeof(uint64_t));
	for (int i = 0; i < count; i++) {
		int fd = pe[i].pe_fd;

		for (int s = 0; s < SELECT_NSETS; s++) {
			if (!fdset_isset(asked[s], fd) || !(pe[i].pe_revents & select_events[s]))
				continue;
			sets[s][fd / FDSET_BITS] |= 1UL << (fd % FDSET_BITS);
			bits++;
		}
	}
	return bits;
}

static int
fdset_out(uint64_t uaddr, int n, const uint64_t *set)
{
	size_t bytes = howmany((size_t)n, FDSET_BITS) * sizeof(uint64_t);

	if (uaddr == 0 || bytes == 0)
		return 0;
	return copyout(set, (void *)uaddr, bytes) ? EFAULT : 0;
}

/* select on n descriptors with the user's three sets: bits set, or -errno. */
static long
kern_select(struct thread *td, int n, const uint64_t usets[SELECT_NSETS], uint64_t deadline)
{
	size_t words = howmany((size_t)n, FDSET_BITS);
	uint64_t *buf, *in[SELECT_NSETS], *out[SELECT_NSETS];
	struct poll_entry *pe = NULL;
	int count = 0, error = 0;
	long rv;

	/* At least one word, so that n = 0 (a plain sleep) needs no case of its own. */
	if ((buf = malloc(2 * SELECT_NSETS * MAX(words, 1) * sizeof(uint64_t), M_TEMP,
	    M_WAITOK)) == NULL)
		return -ENOMEM;
	for (int s = 0; s < SELECT_NSETS; s++) {
		in[s] = buf + s * words;
		out[s] = buf + (SELECT_NSETS + s) * words;
		if (error == 0)
			error = fdset_in(usets[s], n, in[s]);
	}
	if (error == 0 && n > 0 &&
	    (pe = malloc((size_t)n * sizeof(*pe), M_TEMP, M_WAITOK | M_ZERO)) == NULL)
		error = ENOMEM;
	if (error == 0)
		error = select_entries(td, in, n, pe, &count);
	if (error != 0) {
		rv = -error;
	} else {
		rv = poll_wait(td, pe, count, deadline);
		if (rv >= 0) {
			rv = select_results(pe, count, out, (const uint64_t **)in, n);
			for (int s = 0; s < SELECT_NSETS && rv >= 0; s++)
				if (fdset_out(usets[s], n, out[s]) != 0)
					rv = -EFAULT;
		}
	}
	poll_drop_files(pe, count);
	free(pe, M_TEMP);
	free(buf, M_TEMP);
	return rv;
}

SYSCALL(pselect6)
{
	struct { uint64_t ss; uint64_t ss_len; } pack = { 0, 0 };
	uint64_t usets[SELECT_NSETS] = { a[1], a[2], a[3] };
	uint64_t utimeout = a[4], deadline, mask = 0, old;
	int64_t n = (int32_t)a[0];
	bool has_mask;
	long rv;
	int error;

	if ((error = poll_deadline(utimeout, &deadline)) != 0)
		return -error;
	if (a[5] != 0 && copyin((const void *)a[5], &pack, sizeof(pack)) != 0)
		return -EFAULT;
	if ((error = poll_sigmask_in(pack.ss, pack.ss_len, &mask, &has_mask)) != 0)
		return -error;
	if (n < 0)
		return -EINVAL;
	/* Descriptors past the table cannot be open: Linux looks no further either. */
	n = MIN(n, (int64_t)NOFILE_MAX);
	old = td->td_sigmask;
	if (has_mask)
		signal_setmask(td, mask);
	rv = kern_select(td, (int)n, usets, deadline);
	rv = poll_finish_timeout(utimeout, deadline, rv);
	return has_mask ? signal_return_from_tempmask(td, old, rv) : rv;
}
