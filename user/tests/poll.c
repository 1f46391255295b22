/*
 * poll: ppoll and pselect6 on pipes, files and devices: what each end of
 * a pipe reports (data, room, hang-up, error), closed descriptors, the
 * timeouts (none, zero, relative with the time left written back), signal
 * masks in force for the call, EINTR after a handler (SA_RESTART or not),
 * and many descriptors at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define MS		1000000L	/* nanoseconds */
#define NPIPES		50		/* for many descriptors at once */
#define HIT_PIPE	37
#define NOFILE_LOW	64		/* RLIMIT_NOFILE for the EINVAL check */
#define ALL_BITS	(POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM | POLLPRI)

long __syscall6(long n, long a, long b, long c, long d, long e, long f);

static volatile int usr1_hits;

static void
on_usr1(int sig)
{
	(void)sig;
	usr1_hits++;
}

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / MS;
}

static void
now(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

/* A child that, after ms milliseconds, writes a byte to fd (or signals the parent). */
static pid_t
later(int ms, int fd, int sig)
{
	pid_t parent = getpid(), pid = fork();

	if (pid == 0) {
		usleep((unsigned long)ms * 1000);
		if (fd >= 0 && write(fd, "x", 1) != 1)
			_exit(1);
		if (sig != 0)
			kill(parent, sig);
		_exit(0);
	}
	return pid;
}

static int
reaped_ok(pid_t pid)
{
	int st;

	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int
poll1(int fd, short events, int ms)
{
	struct pollfd p = { fd, events, 0x7fff };
	int r = poll(&p, 1, ms);

	return r < 0 ? -1 : p.revents;
}

static void
set_usr1_handler(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = flags;
	sigaction(SIGUSR1, &sa, NULL);
}

static sigset_t
only(int sig)
{
	sigset_t s;

	sigemptyset(&s);
	if (sig != 0)
		sigaddset(&s, sig);
	return s;
}

static void
test_pipe_ends(void)
{
	struct pollfd pfd[2];
	struct timespec zero = { 0, 0 };
	int p[2], r;
	char c;

	pipe(p);
	pfd[0] = (struct pollfd){ p[0], POLLIN, 0 };
	pfd[1] = (struct pollfd){ p[1], POLLOUT, 0 };
	r = ppoll(pfd, 2, &zero, NULL);
	tap_ok(r == 1 && pfd[0].revents == 0 && pfd[1].revents == POLLOUT,
	    "empty pipe: the write end is writable, the read end not (%d %#x %#x)", r,
	    pfd[0].revents, pfd[1].revents);
	tap_ok(zero.tv_sec == 0 && zero.tv_nsec == 0, "a zero timeout is not written back");
	write(p[1], "a", 1);
	r = ppoll(pfd, 2, &zero, NULL);
	tap_ok(r == 2 && pfd[0].revents == POLLIN, "a byte in the pipe: POLLIN (%d %#x)", r,
	    pfd[0].revents);
	tap_ok(poll1(p[0], POLLRDNORM, 0) == POLLRDNORM, "only what was asked for: POLLRDNORM");
	tap_ok(poll1(p[1], ALL_BITS, 0) == (POLLOUT | POLLWRNORM),
	    "the write end: POLLOUT | POLLWRNORM, never POLLIN (%#x)", poll1(p[1], ALL_BITS, 0));
	close(p[1]);
	tap_ok(poll1(p[0], POLLIN, 0) == (POLLIN | POLLHUP),
	    "writer gone, data left: POLLIN | POLLHUP (%#x)", poll1(p[0], POLLIN, 0));
	read(p[0], &c, 1);
	tap_ok(poll1(p[0], POLLIN, 0) == POLLHUP, "writer gone, drained: POLLHUP (%#x)",
	    poll1(p[0], POLLIN, 0));
	tap_ok(poll1(p[0], 0, 0) == POLLHUP, "POLLHUP is reported even when not asked for");
	close(p[0]);

	pipe(p);
	close(p[0]);
	tap_ok(poll1(p[1], POLLOUT, 0) == (POLLOUT | POLLERR),
	    "reader gone: the write end shows POLLERR (%#x)", poll1(p[1], POLLOUT, 0));
	tap_ok(poll1(p[1], 0, 0) == POLLERR, "POLLERR is reported even when not asked for");
	close(p[1]);
}

static void
test_descriptors(void)
{
	int null = open("/dev/null", O_RDONLY), closed = dup(null);
	struct pollfd pfd[3] = { { closed, POLLIN, 0x7fff }, { -1, POLLIN, 0x7fff },
	    { null, 0, 0x7fff } };
	int r;

	close(closed);
	r = poll(pfd, 3, 0);

	tap_ok(r == 1 && pfd[0].revents == POLLNVAL, "a closed descriptor: POLLNVAL, counted");
	tap_ok(pfd[1].revents == 0, "a negative descriptor is skipped, its revents cleared");
	tap_ok(pfd[2].revents == 0, "no events asked, none found: revents 0");
	close(null);
}

static void
test_full_pipe(void)
{
	char buf[4096];
	int p[2], n = 0;

	memset(buf, 'f', sizeof(buf));
	pipe2(p, O_NONBLOCK);
	while (write(p[1], buf, sizeof(buf)) == (ssize_t)sizeof(buf) && n < 1000)
		n++;
	tap_ok(n > 0 && errno == EAGAIN && poll1(p[1], POLLOUT, 0) == 0,
	    "a full pipe (%d pages) is not writable", n);
	read(p[0], buf, sizeof(buf));
	tap_ok(poll1(p[1], POLLOUT, 0) == POLLOUT, "a page read out: writable again");
	close(p[0]);
	close(p[1]);
}

static void
test_files(void)
{
	const char *path = "/tmp/poll-test-file";
	int null = open("/dev/null", O_RDWR), zero = open("/dev/zero", O_RDONLY);
	int file = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600), dir = open("/", O_RDONLY);
	short want = POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;

	tap_ok(poll1(null, ALL_BITS, 0) == want, "/dev/null is always ready (%#x)",
	    poll1(null, ALL_BITS, 0));
	tap_ok(poll1(zero, ALL_BITS, 0) == want, "/dev/zero is always ready");
	tap_ok(poll1(file, ALL_BITS, 0) == want, "a regular file is always ready");
	tap_ok(poll1(dir, POLLIN, 0) == POLLIN, "a directory is readable");
	close(null);
	close(zero);
	close(file);
	close(dir);
	unlink(path);
}

static void
test_waiting(void)
{
	struct timespec t0, ts;
	struct pollfd pfd;
	pid_t pid;
	long ms;
	int p[2], r;

	pipe(p);
	pfd = (struct pollfd){ p[0], POLLIN, 0 };
	now(&t0);
	pid = later(100, p[1], 0);
	r = ppoll(&pfd, 1, NULL, NULL);
	ms = ms_since(&t0);
	tap_ok(r == 1 && pfd.revents == POLLIN && ms >= 80,
	    "no timeout: sleeps until a writer comes (%d after %ld ms)", r, ms);
	reaped_ok(pid);
	read(p[0], &r, 1);

	ts = (struct timespec){ 0, 100 * MS };
	now(&t0);
	r = ppoll(&pfd, 1, &ts, NULL);
	ms = ms_since(&t0);
	tap_ok(r == 0 && ms >= 95, "100 ms timeout on an empty pipe: 0 after %ld ms", ms);
	tap_ok(ts.tv_sec == 0 && ts.tv_nsec == 0, "the time left, none, is written back");

	ts = (struct timespec){ 5, 0 };
	pid = later(100, p[1], 0);
	r = ppoll(&pfd, 1, &ts, NULL);
	tap_ok(r == 1 && ts.tv_sec < 5 && ts.tv_sec >= 2,
	    "woken early from 5 s: the time left is written back (%ld.%09ld)",
	    (long)ts.tv_sec, ts.tv_nsec);
	reaped_ok(pid);

	ts = (struct timespec){ 0, 50 * MS };
	now(&t0);
	r = ppoll(NULL, 0, &ts, NULL);
	tap_ok(r == 0 && ms_since(&t0) >= 45, "no descriptors: a plain 50 ms sleep");
	close(p[0]);
	close(p[1]);
}

static void
test_errors(void)
{
	struct pollfd pfd = { 0, POLLIN, 0 }, many[NOFILE_LOW + 1];
	struct timespec bad = { 0, 1000000000 }, neg = { -1, 0 };
	struct rlimit rl, low = { NOFILE_LOW, NOFILE_LOW };
	sigset_t mask = 0;
	fd_set rd;
	int p[2];

	getrlimit(RLIMIT_NOFILE, &rl);
	low.rlim_max = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &low);
	for (int i = 0; i <= NOFILE_LOW; i++)
		many[i] = (struct pollfd){ -1, 0, 0 };
	errno = 0;
	tap_ok(ppoll(many, NOFILE_LOW + 1, NULL, NULL) == -1 && errno == EINVAL,
	    "more entries than RLIMIT_NOFILE: EINVAL");
	setrlimit(RLIMIT_NOFILE, &rl);
	errno = 0;
	tap_ok(ppoll((struct pollfd *)8, 1, NULL, NULL) == -1 && errno == EFAULT,
	    "entries at a bad address: EFAULT");
	errno = 0;
	tap_ok(ppoll(&pfd, 1, &bad, NULL) == -1 && errno == EINVAL, "tv_nsec = 1e9: EINVAL");
	errno = 0;
	tap_ok(ppoll(&pfd, 1, &neg, NULL) == -1 && errno == EINVAL, "a negative timeout: EINVAL");
	tap_ok(__syscall6(SYS_ppoll, (long)&pfd, 1, 0, (long)&mask, 4, 0) == -EINVAL,
	    "a 4-byte signal set: EINVAL");
	FD_ZERO(&rd);
	errno = 0;
	tap_ok(select(-1, &rd, NULL, NULL, NULL) == -1 && errno == EINVAL, "select(-1): EINVAL");
	pipe(p);
	close(p[1]);
	FD_SET(p[1], &rd);
	errno = 0;
	tap_ok(select(p[1] + 1, &rd, NULL, NULL, NULL) == -1 && errno == EBADF,
	    "select on a closed descriptor: EBADF");
	close(p[0]);
}

static void
test_signals(void)
{
	struct pollfd pfd;
	struct timespec ts, t0;
	sigset_t usr1 = only(SIGUSR1), none = only(0), cur;
	pid_t pid;
	int p[2], r, e;

	pipe(p);
	set_usr1_handler(0);
	sigprocmask(SIG_BLOCK, &usr1, NULL);

	/* Blocked outside, unblocked by the call's mask: the handler interrupts it. */
	usr1_hits = 0;
	pfd = (struct pollfd){ p[0], POLLIN, 0x7fff };
	pid = later(100, -1, SIGUSR1);
	r = ppoll(&pfd, 1, NULL, &none);
	e = errno;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	tap_ok(r == -1 && e == EINTR && usr1_hits == 1,
	    "a signal the call's mask lets in: the handler runs, EINTR (%d %d %d)", r, e, usr1_hits);
	tap_ok(sigismember(&cur, SIGUSR1), "the caller's mask is back afterwards");
	if (under_qemu_user())
		tap_skip("qemu-user writes revents only on success");
	else
		tap_ok(pfd.revents == 0, "an interrupted ppoll still writes revents (0)");
	reaped_ok(pid);

	/* Pending before the call: the mask is applied atomically, nothing is lost. */
	usr1_hits = 0;
	raise(SIGUSR1);
	ts = (struct timespec){ 5, 0 };
	now(&t0);
	r = ppoll(&pfd, 1, &ts, &none);
	tap_ok(r == -1 && errno == EINTR && usr1_hits == 1 && ms_since(&t0) < 2000,
	    "a signal pending before the call interrupts it at once");

	/* SA_RESTART does not restart ppoll or pselect. */
	set_usr1_handler(SA_RESTART);
	usr1_hits = 0;
	pid = later(100, -1, SIGUSR1);
	r = ppoll(&pfd, 1, NULL, &none);
	tap_ok(r == -1 && errno == EINTR && usr1_hits == 1, "SA_RESTART: still EINTR");
	reaped_ok(pid);

	/* Unblocked outside, blocked by the call's mask: held until the call returns. */
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	usr1_hits = 0;
	pid = later(50, -1, SIGUSR1);
	ts = (struct timespec){ 0, 400 * MS };
	r = ppoll(&pfd, 1, &ts, &usr1);
	e = usr1_hits;
	tap_ok(r == 0, "a signal the call's mask blocks does not interrupt it (%d)", r);
	if (under_qemu_user())
		tap_skip("qemu-user keeps the call's mask until the next signal");
	else
		tap_ok(e == 1, "the handler runs as the call returns, the caller's mask back");
	reaped_ok(pid);

	/* pselect the same way, and an interrupted pselect leaves the sets alone. */
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	usr1_hits = 0;
	{
		fd_set rd;

		FD_ZERO(&rd);
		FD_SET(p[0], &rd);
		pid = later(100, -1, SIGUSR1);
		r = pselect(p[0] + 1, &rd, NULL, NULL, NULL, &none);
		e = errno;
		tap_ok(r == -1 && e == EINTR && usr1_hits == 1 && FD_ISSET(p[0], &rd),
		    "pselect: the mask lets the signal in, EINTR, the sets untouched");
		reaped_ok(pid);
	}
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	signal(SIGUSR1, SIG_DFL);
	close(p[0]);
	close(p[1]);
}

static void
test_select(void)
{
	int a[2], b[2], c[2], nfds, r;
	const char *path = "/tmp/poll-test-select";
	int file = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	struct timespec t0;
	struct timeval tv;
	fd_set rd, wr, ex;

	pipe(a);
	pipe(b);
	pipe(c);
	write(a[1], "a", 1);
	close(c[1]);
	nfds = (file > c[0] ? file : c[0]) + 1;
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_ZERO(&ex);
	FD_SET(a[0], &rd);
	FD_SET(b[0], &rd);
	FD_SET(c[0], &rd);
	FD_SET(b[1], &wr);
	FD_SET(file, &rd);
	FD_SET(file, &wr);
	FD_SET(a[0], &ex);
	tv = (struct timeval){ 0, 0 };
	r = select(nfds, &rd, &wr, &ex, &tv);
	tap_ok(r == 5, "select counts bits: 5 (%d)", r);
	tap_ok(FD_ISSET(a[0], &rd) && !FD_ISSET(b[0], &rd) && FD_ISSET(c[0], &rd),
	    "read set: data and hang-up, not the empty pipe");
	tap_ok(FD_ISSET(b[1], &wr) && FD_ISSET(file, &rd) && FD_ISSET(file, &wr),
	    "write set, and a file in both sets");
	tap_ok(!FD_ISSET(a[0], &ex), "no exceptional condition on a pipe");

	FD_ZERO(&rd);
	FD_SET(b[0], &rd);
	tv = (struct timeval){ 0, 100000 };
	now(&t0);
	r = select(FD_SETSIZE, &rd, NULL, NULL, &tv);
	tap_ok(r == 0 && !FD_ISSET(b[0], &rd) && ms_since(&t0) >= 95,
	    "select(FD_SETSIZE) times out after 100 ms and clears the set");
	tap_ok(tv.tv_sec == 0 && tv.tv_usec == 0, "select writes the time left back");

	close(a[0]);
	close(a[1]);
	close(b[0]);
	close(b[1]);
	close(c[0]);
	close(file);
	unlink(path);
}

static void
test_many(void)
{
	struct pollfd pfd[NPIPES];
	int p[NPIPES][2], r, only_hit = 1, maxfd = 0;
	fd_set rd;
	pid_t pid;

	for (int i = 0; i < NPIPES; i++) {
		pipe(p[i]);
		pfd[i] = (struct pollfd){ p[i][0], POLLIN, 0 };
		maxfd = p[i][1] > maxfd ? p[i][1] : maxfd;
	}
	pid = later(100, p[HIT_PIPE][1], 0);
	r = poll(pfd, NPIPES, -1);
	for (int i = 0; i < NPIPES; i++)
		only_hit &= pfd[i].revents == (i == HIT_PIPE ? POLLIN : 0);
	tap_ok(r == 1 && only_hit, "%d pipes: a write to one wakes the poller, only it is ready",
	    NPIPES);
	reaped_ok(pid);
	FD_ZERO(&rd);
	for (int i = 0; i < NPIPES; i++)
		FD_SET(p[i][0], &rd);
	r = select(maxfd + 1, &rd, NULL, NULL, NULL);
	only_hit = 1;
	for (int i = 0; i < NPIPES; i++)
		only_hit &= !!FD_ISSET(p[i][0], &rd) == (i == HIT_PIPE);
	tap_ok(r == 1 && only_hit, "select over the same %d pipes: one bit", NPIPES);
	for (int i = 0; i < NPIPES; i++) {
		close(p[i][0]);
		close(p[i][1]);
	}
}

int
main(void)
{
	tap_plan(47);
	test_pipe_ends();
	test_descriptors();
	test_full_pipe();
	test_files();
	test_waiting();
	test_errors();
	test_signals();
	test_select();
	test_many();
	return tap_done();
}
