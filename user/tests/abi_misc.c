/* abi_misc: identity, clocks, sleeping, randomness, limits, and small calls. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

static long
ns_between(const struct timespec *a, const struct timespec *b)
{
	return (b->tv_sec - a->tv_sec) * 1000000000L + (b->tv_nsec - a->tv_nsec);
}

/* uname fills all fields; the machine is riscv64. */
static void
test_uname(void)
{
	struct utsname u;

	memset(&u, 0xff, sizeof(u));
	tap_ok(uname(&u) == 0 && strcmp(u.machine, "riscv64") == 0 &&
	    u.release[0] >= '0' && u.release[0] <= '9' &&
	    memchr(u.version, '\0', sizeof(u.version)) != NULL,
	    "uname: machine riscv64, numeric release");
	tap_diag("uname: %s %s %s %s", u.sysname, u.release, u.version,
	    u.machine);
}

/* Process and thread identity. */
static void
test_ids(void)
{
	pid_t me = getpid(), pid;
	int st;

	tap_ok(me > 0 && gettid() == me, "getpid > 0 and gettid == getpid");
	tap_ok(getppid() >= 0 && getppid() != me, "getppid differs from getpid");
	pid = fork();
	if (pid == 0)
		_exit(getppid() == me && getpid() != me ? 0 : 1);
	waitpid(pid, &st, 0);
	tap_ok(st == 0 && pid != me, "a child's getppid is the parent's pid");
	tap_ok(set_tid_address(NULL) == gettid(),
	    "set_tid_address returns the tid");
}

/* CLOCK_MONOTONIC never goes back; nanosleep sleeps at least that long. */
static void
test_clocks(void)
{
	struct timespec a, b, req = { 0, 20 * 1000 * 1000 };
	int i, ok = 1;

	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < 1000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &b);
		ok &= ns_between(&a, &b) >= 0 && b.tv_nsec < 1000000000L;
		a = b;
	}
	tap_ok(ok, "CLOCK_MONOTONIC is non-decreasing over 1000 reads");
	clock_gettime(CLOCK_MONOTONIC, &a);
	tap_ok(nanosleep(&req, NULL) == 0, "nanosleep 20 ms returns 0");
	clock_gettime(CLOCK_MONOTONIC, &b);
	tap_ok(ns_between(&a, &b) >= 20 * 1000 * 1000,
	    "and at least 20 ms passed (%ld ns)", ns_between(&a, &b));
	clock_gettime(CLOCK_MONOTONIC, &a);
	req.tv_nsec = 5 * 1000 * 1000;
	tap_ok(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL) == 0,
	    "clock_nanosleep 5 ms");
	req.tv_nsec = 1000000000L;
	tap_ok(nanosleep(&req, NULL) == -1 && errno == EINVAL,
	    "nanosleep with tv_nsec = 1e9 -> EINVAL");
	tap_ok(clock_gettime(1000, &a) == -1 && errno == EINVAL,
	    "clock_gettime of an unknown clock -> EINVAL");
	tap_ok(clock_gettime(CLOCK_REALTIME, &a) == 0 &&
	    clock_gettime(CLOCK_BOOTTIME, &b) == 0,
	    "CLOCK_REALTIME and CLOCK_BOOTTIME readable");
}

/* getrandom fills the buffer with bytes that differ between calls. */
static void
test_random(void)
{
	unsigned char a[64], b[64];
	int i, zero = 1;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	tap_ok(getrandom(a, sizeof(a), 0) == sizeof(a) &&
	    getrandom(b, sizeof(b), GRND_NONBLOCK) == sizeof(b),
	    "getrandom returns the full 64 bytes");
	for (i = 0; i < 64; i++)
		zero &= a[i] == 0;
	tap_ok(!zero && memcmp(a, b, sizeof(a)) != 0,
	    "the bytes are not all zero and differ between calls");
}

/*
 * Compute until times() charges this process some user time, for at most
 * about two seconds of wall-clock time.  True if it did.
 */
static int
user_time_advances(struct tms *t)
{
	struct timespec start, now;
	volatile unsigned long x = 1;
	clock_t u0 = t->tms_utime;

	clock_gettime(CLOCK_MONOTONIC, &start);
	do {
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005UL + 1;
		if (times(t) == (clock_t)-1)
			return 0;
		clock_gettime(CLOCK_MONOTONIC, &now);
	} while (t->tms_utime == u0 && now.tv_sec - start.tv_sec < 2);
	return t->tms_utime > u0;
}

/* A child that computes until times() charges it some user time. */
static int
computes(void *arg)
{
	struct tms t;

	(void)arg;
	return times(&t) != (clock_t)-1 && t.tms_cutime == 0 && t.tms_cstime == 0 &&
	    user_time_advances(&t) ? 0 : 1;
}

/* times() and the resource limits. */
static void
test_times_limits(void)
{
	struct rlimit rl, rl2;
	struct tms t;

	tap_ok(times(&t) != (clock_t)-1 && user_time_advances(&t),
	    "times(): user time advances while the process computes (%ld ticks)",
	    (long)t.tms_utime);
	tap_ok(run_child(computes, NULL) == 0 && times(&t) != (clock_t)-1 &&
	    t.tms_cutime + t.tms_cstime > 0,
	    "times(): a reaped child's CPU time counts as the children's (%ld ticks)",
	    (long)(t.tms_cutime + t.tms_cstime));
	tap_ok(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur > 0 &&
	    rl.rlim_cur <= rl.rlim_max, "getrlimit(RLIMIT_STACK)");
	tap_ok(prlimit(0, RLIMIT_NOFILE, NULL, &rl) == 0 &&
	    getrlimit(RLIMIT_NOFILE, &rl2) == 0 &&
	    rl.rlim_cur == rl2.rlim_cur && rl.rlim_max == rl2.rlim_max,
	    "prlimit64 read agrees with getrlimit");
	rl2.rlim_cur = rl2.rlim_max + 1;
	tap_ok(rl2.rlim_max == RLIM_INFINITY ||
	    (setrlimit(RLIMIT_NOFILE, &rl2) == -1 && errno == EINVAL),
	    "setrlimit with cur > max -> EINVAL");
}

/* /proc/self/comm's line into buf (without its newline): 0, or -1. */
static int
read_comm(char *buf, size_t size)
{
	ssize_t n;
	int fd = open("/proc/self/comm", O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* prctl: the name (PR_SET_NAME, PR_GET_NAME, cut to 15 bytes), and EINVAL for nonsense. */
static void
test_prctl(void)
{
	char name[16], comm[64];

	memset(name, 'x', sizeof(name));
	tap_ok(syscall(SYS_prctl, PR_SET_NAME, "abi-renamed", 0, 0, 0, 0) == 0 &&
	    syscall(SYS_prctl, PR_GET_NAME, name, 0, 0, 0, 0) == 0 &&
	    strcmp(name, "abi-renamed") == 0 && read_comm(comm, sizeof(comm)) == 0 &&
	    strcmp(comm, "abi-renamed") == 0,
	    "prctl PR_SET_NAME, then PR_GET_NAME and /proc/self/comm give the name (%s)", comm);
	tap_ok(syscall(SYS_prctl, PR_SET_NAME, "abcdefghijklmnopqrstuvwxyz", 0, 0, 0, 0) == 0 &&
	    syscall(SYS_prctl, PR_GET_NAME, name, 0, 0, 0, 0) == 0 &&
	    strcmp(name, "abcdefghijklmno") == 0,
	    "a long name is cut to 15 bytes (%s)", name);
	tap_ok(syscall(SYS_prctl, PR_SET_NAME, (void *)8, 0, 0, 0, 0) == -1 && errno == EFAULT,
	    "PR_SET_NAME from a bad address -> EFAULT");
	tap_ok(syscall(SYS_prctl, 0x7ffffff0, 0, 0, 0, 0, 0) == -1 && errno == EINVAL,
	    "an unknown prctl option -> EINVAL");
	syscall(SYS_prctl, PR_SET_NAME, "abi_misc", 0, 0, 0, 0);
}

/* Small calls: unknown numbers, yielding, waiting, signals to pids. */
static void
test_misc(void)
{
	char cwd[256];
	int st;

	tap_ok(syscall(5000, 0, 0, 0, 0, 0, 0) == -1 && errno == ENOSYS,
	    "unknown syscall 5000 -> ENOSYS");
	tap_ok(sched_yield() == 0, "sched_yield");
	tap_ok(wait4(-1, &st, WNOHANG, NULL) == -1 && errno == ECHILD,
	    "wait4 with no children -> ECHILD");
	tap_ok(kill(getpid(), 0) == 0, "kill(self, 0) -> 0");
	tap_ok(kill(0x3fffffff, 0) == -1 && errno == ESRCH,
	    "kill of a nonexistent pid -> ESRCH");
	tap_ok(getcwd(cwd, sizeof(cwd)) == cwd && cwd[0] == '/',
	    "getcwd is absolute (%s)", cwd);
	tap_ok(execve("/nonexistent/program", NULL, NULL) == -1 &&
	    errno == ENOENT, "execve of a missing file -> ENOENT");
}

/* Descriptors: pipe, dup3, close-on-exec flags. */
static void
test_fds(void)
{
	int fds[2], d;
	char buf[4];

	tap_ok(pipe2(fds, O_CLOEXEC) == 0 && write(fds[1], "abc", 3) == 3 &&
	    read(fds[0], buf, 3) == 3 && memcmp(buf, "abc", 3) == 0,
	    "a pipe carries bytes");
	tap_ok(fcntl(fds[0], F_GETFD) == FD_CLOEXEC,
	    "pipe2(O_CLOEXEC) sets FD_CLOEXEC");
	d = dup(fds[1]);
	tap_ok(d > fds[1] && fcntl(d, F_GETFD) == 0, "dup clears FD_CLOEXEC");
	tap_ok(dup3(fds[0], 50, O_CLOEXEC) == 50 &&
	    fcntl(50, F_GETFD) == FD_CLOEXEC, "dup3 to 50 with O_CLOEXEC");
	tap_ok(dup3(50, 50, 0) == -1 && errno == EINVAL,
	    "dup3 to the same fd -> EINVAL");
	tap_ok(close(50) == 0 && close(50) == -1 && errno == EBADF,
	    "closing twice -> EBADF");
	close(fds[0]);
	close(fds[1]);
	close(d);
}

/* vfork: the parent waits until the child exits. */
static void
test_vfork(void)
{
	pid_t pid;
	int st;

	pid = vfork();
	if (pid == 0)
		_exit(42);
	tap_ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 42, "vfork child _exit(42) is reaped");
}

/* A raw clone with no child stack: the result, or -errno (no child is made on failure). */
static long
raw_clone(unsigned long flags)
{
	long r = __syscall6(SYS_clone, (long)flags, 0, 0, 0, 0, 0);

	if (r == 0)
		_exit(0);		/* a child after all: it shares nothing it can break */
	if (r > 0)
		waitpid((pid_t)r, NULL, 0);
	return r;
}

/*
 * Sharing that clone does not support is refused with EINVAL, never
 * half done: Linux's own rules (CLONE_SIGHAND needs CLONE_VM, CLONE_THREAD
 * needs CLONE_SIGHAND), and on this kernel, which has one thread per
 * process for now, every sharing but vfork's (CLONE_VM with CLONE_VFORK).
 */
static void
test_clone_flags(void)
{
	static const struct { unsigned long flags; const char *name; } unsupported[] = {
		{ CLONE_VM | SIGCHLD, "CLONE_VM without CLONE_VFORK" },
		{ CLONE_VM | CLONE_SIGHAND | CLONE_THREAD | SIGCHLD, "a thread" },
		{ CLONE_FILES | SIGCHLD, "CLONE_FILES" },
		{ CLONE_FS | SIGCHLD, "CLONE_FS" },
	};
	pid_t pid;
	int st = -1;

	tap_ok(raw_clone(CLONE_SIGHAND | SIGCHLD) == -EINVAL &&
	    raw_clone(CLONE_THREAD | SIGCHLD) == -EINVAL,
	    "CLONE_SIGHAND without CLONE_VM, CLONE_THREAD without CLONE_SIGHAND -> EINVAL");
	if (!vmstat_is_sable()) {
		tap_skip("Linux supports threads and shared file tables");
		return;
	}
	/* In a child, with a deadline: a clone wrongly accepted shares its memory. */
	pid = fork();
	if (pid == 0) {
		struct itimerval deadline = { { 0, 0 }, { 10, 0 } };
		int refused = 1;

		setitimer(ITIMER_REAL, &deadline, NULL);
		for (unsigned i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
			long r = raw_clone(unsupported[i].flags);

			if (r != -EINVAL) {
				tap_diag("clone(%s) gave %ld", unsupported[i].name, r);
				refused = 0;
			}
		}
		_exit(!refused);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "clone refuses the sharing it does not support (EINVAL; status %#x)", st);
}

static volatile int alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* setitimer(ITIMER_REAL) delivers SIGALRM. */
static void
test_itimer(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 10000 } }, cur;
	struct timespec a, b;

	signal(SIGALRM, on_alarm);
	tap_ok(setitimer(ITIMER_REAL, &it, NULL) == 0 &&
	    getitimer(ITIMER_REAL, &cur) == 0 &&
	    cur.it_value.tv_usec <= 10000, "setitimer/getitimer");
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while (alarms == 0 && ns_between(&a, &b) < 2000000000L);
	tap_ok(alarms == 1, "SIGALRM arrives within 2 s");
	signal(SIGALRM, SIG_DFL);
}

#define SIGBIT(s) (1UL << ((s) - 1))

/* A pattern in FP registers that a new program must not inherit. */
static void
fp_dirty(void)
{
	double pattern = 1234.5;

	__asm__ volatile("fld ft11, %0; fld fs11, %0; fsrmi 3" : : "m"(pattern) : "ft11", "fs11");
}

/* Are ft11, fs11 and fcsr as a new program finds them (zero)? */
static int
fp_clean(void)
{
	uint64_t t11, s11, fcsr;

	__asm__ volatile("fmv.x.d %0, ft11; fmv.x.d %1, fs11; frcsr %2"
	    : "=r"(t11), "=r"(s11), "=r"(fcsr));
	return t11 == 0 && s11 == 0 && fcsr == 0;
}

/* The exec'd side: checks what execve must pass on and what it must reset. */
static int
exec_child(int argc, char **argv)
{
	struct sigaction usr1, usr2;
	sigset_t mask;
	const char *x = getenv("ABI_X");
	int bad = fp_clean() ? 0 : 64;	/* FP registers start at zero */

	sigaction(SIGUSR1, NULL, &usr1);
	sigaction(SIGUSR2, NULL, &usr2);
	sigprocmask(SIG_BLOCK, NULL, &mask);
	if (argc != 5 || strcmp(argv[2], "two words") != 0)
		bad |= 1;
	if (x == NULL || strcmp(x, "yes") != 0 || getenv("TAP_INDENT") != NULL)
		bad |= 2;
	if (fcntl(atoi(argv[3]), F_GETFD) != -1 || errno != EBADF)
		bad |= 4;		/* O_CLOEXEC fd must be closed */
	if (fcntl(atoi(argv[4]), F_GETFD) != 0)
		bad |= 8;		/* the other one stays open */
	if (usr1.sa_handler != SIG_DFL || usr2.sa_handler != SIG_IGN)
		bad |= 16;		/* caught -> default, ignored stays */
	if (!(mask & SIGBIT(SIGHUP)))
		bad |= 32;		/* the blocked mask is inherited */
	return bad;
}

static void
dummy_handler(int sig)
{
	(void)sig;
}

/* execve passes argv, envp, open fds, ignored signals and the mask. */
static void
test_exec(const char *self)
{
	char a3[16], a4[16];
	char *argv[] = { (char *)self, "--exec-child", "two words", a3, a4,
	    NULL };
	char *envp[] = { "ABI_X=yes", NULL };
	sigset_t hup = SIGBIT(SIGHUP);
	int fds[2], st;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		pipe2(fds, 0);
		fcntl(fds[0], F_SETFD, FD_CLOEXEC);
		snprintf(a3, sizeof(a3), "%d", fds[0]);
		snprintf(a4, sizeof(a4), "%d", fds[1]);
		signal(SIGUSR1, dummy_handler);
		signal(SIGUSR2, SIG_IGN);
		sigprocmask(SIG_BLOCK, &hup, NULL);
		fp_dirty();
		execve(self, argv, envp);
		_exit(errno == ENOEXEC ? 126 : 127);
	}
	waitpid(pid, &st, 0);
	if (WIFEXITED(st) && (WEXITSTATUS(st) == 126 || WEXITSTATUS(st) == 127) &&
	    under_qemu_user())
		tap_skip("qemu-user cannot exec a riscv64 binary without binfmt_misc");
	else
		tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "execve: argv, envp, fds, signals and mask; FP registers cleared (status %#x)",
		    st);
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--exec-child") == 0)
		return exec_child(argc, argv);
	tap_plan(42);
	test_uname();
	test_ids();
	test_clocks();
	test_random();
	test_times_limits();
	test_misc();
	test_prctl();
	test_fds();
	test_vfork();
	test_clone_flags();
	test_itimer();
	test_exec(argv[0]);
	return tap_done();
}
