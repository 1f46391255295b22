/*
 * rusage: CPU-time accounting and resource usage, as Linux reports them:
 * getrusage (self, children, thread), wait4's rusage, times(), the
 * CPU-time clocks (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
 * another process's clock), page-fault and context-switch counts, the
 * peak resident set, and the CPU-time interval timers ITIMER_VIRTUAL
 * (SIGVTALRM) and ITIMER_PROF (SIGPROF).
 *
 * Work is measured in CPU time, not wall time, so a loaded machine only
 * makes the test slower, never wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define MS	1000000L		/* nanoseconds */
/*
 * Iterations between looks at the clock: a system call costs as much as
 * thousands of iterations under QEMU, and user time must be user time.
 */
#define SPIN	500000

static volatile uint64_t sink;

static int64_t
clock_ns(clockid_t clk)
{
	struct timespec ts;

	if (clock_gettime(clk, &ts) != 0)
		return -1;
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static int64_t
tv_ns(struct timeval tv)
{
	return tv.tv_sec * 1000000000L + tv.tv_usec * 1000L;
}

/* Spend ms of CPU time computing in user mode. */
static void
burn_user(long ms)
{
	int64_t end = clock_ns(CLOCK_PROCESS_CPUTIME_ID) + ms * MS;

	while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) < end)
		for (int i = 0; i < SPIN; i++)
			sink += (uint64_t)i * i;
}

/* Spend ms of CPU time in the kernel: reading /dev/zero zeroes our buffer there. */
static void
burn_kernel(long ms)
{
	static char buf[65536];
	int fd = open("/dev/zero", O_RDONLY);
	int64_t end = clock_ns(CLOCK_PROCESS_CPUTIME_ID) + ms * MS;

	while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) < end)
		for (int i = 0; i < 8; i++)
			read(fd, buf, sizeof(buf));
	close(fd);
}

static struct rusage
usage(int who)
{
	struct rusage ru;

	memset(&ru, 0, sizeof(ru));
	getrusage(who, &ru);
	return ru;
}

static void
test_user_and_system_time(void)
{
	struct rusage a = usage(RUSAGE_SELF), b;
	struct timespec nap = { 0, 200 * MS };
	int64_t c0, c1;

	burn_user(300);
	b = usage(RUSAGE_SELF);
	/*
	 * The split of CPU time into user and system follows where clock
	 * ticks land; on a host too busy to run this hart steadily (QEMU at
	 * load 12) a third of them were seen to land in the clock reads.
	 */
	tap_ok(tv_ns(b.ru_utime) - tv_ns(a.ru_utime) >= 100 * MS,
	    "300 ms of computing: ru_utime grows by at least 100 ms (%ld ms)",
	    (long)((tv_ns(b.ru_utime) - tv_ns(a.ru_utime)) / MS));
	a = b;
	burn_kernel(300);
	b = usage(RUSAGE_SELF);
	tap_ok(tv_ns(b.ru_stime) - tv_ns(a.ru_stime) >= 100 * MS,
	    "300 ms reading /dev/zero: ru_stime grows by at least 100 ms (%ld ms)",
	    (long)((tv_ns(b.ru_stime) - tv_ns(a.ru_stime)) / MS));
	tap_ok(tv_ns(b.ru_utime) >= tv_ns(a.ru_utime) && tv_ns(b.ru_stime) >= tv_ns(a.ru_stime),
	    "neither time goes backwards");
	c0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	nanosleep(&nap, NULL);
	c1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	tap_ok(c0 >= 0 && c1 - c0 < 50 * MS,
	    "200 ms asleep adds less than 50 ms of CPU time (%ld ms)", (long)((c1 - c0) / MS));
	b = usage(RUSAGE_THREAD);
	tap_ok(tv_ns(b.ru_utime) + tv_ns(b.ru_stime) >= 500 * MS,
	    "RUSAGE_THREAD counts the one thread's time too");
	tap_ok(getrusage(5, &b) == -1 && errno == EINVAL, "getrusage(5) -> EINVAL");
	tap_ok(getrusage(RUSAGE_SELF, (struct rusage *)8) == -1 && errno == EFAULT,
	    "getrusage to a bad address -> EFAULT");
}

static void
test_cpu_clocks(void)
{
	struct timespec res;
	int64_t p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	int64_t p1, t1, other;
	int pfd[2], st;
	clockid_t clk;
	pid_t pid;
	char c;

	burn_user(100);
	t1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	p1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	tap_ok(p1 - p0 >= 100 * MS && t1 - t0 >= 90 * MS && t1 <= p1,
	    "the process and thread CPU clocks advance together (%ld, %ld ms)",
	    (long)((p1 - p0) / MS), (long)((t1 - t0) / MS));
	tap_ok(clock_getres(CLOCK_PROCESS_CPUTIME_ID, &res) == 0 && res.tv_sec == 0 &&
	    res.tv_nsec == 1, "clock_getres(CLOCK_PROCESS_CPUTIME_ID) is 1 ns");
	pipe(pfd);
	pid = fork();
	if (pid == 0) {
		burn_user(200);
		write(pfd[1], "x", 1);
		pause();
		_exit(0);
	}
	read(pfd[0], &c, 1);
	clock_getcpuclockid(pid, &clk);
	other = clock_ns(clk);
	tap_ok(other >= 190 * MS, "another process's CPU clock shows its 200 ms (%ld ms)",
	    (long)(other / MS));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	tap_ok(clock_ns(clk) == -1 && errno == EINVAL, "and is gone with it (EINVAL)");
	close(pfd[0]);
	close(pfd[1]);
}

static void
test_times(void)
{
	struct tms a, b;
	pid_t pid;
	int st;

	times(&a);
	burn_user(300);
	times(&b);
	tap_ok(b.tms_utime - a.tms_utime >= 20,
	    "times(): tms_utime advances by at least 20 ticks in 300 ms (%ld)",
	    (long)(b.tms_utime - a.tms_utime));
	pid = fork();
	if (pid == 0) {
		burn_user(300);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	times(&b);
	tap_ok(b.tms_cutime - a.tms_cutime >= 20,
	    "a waited-for child's 300 ms show in tms_cutime (%ld)",
	    (long)(b.tms_cutime - a.tms_cutime));
}

/* Touch npages of fresh memory, then exit. */
static void
touch_and_exit(long ms, int npages)
{
	char *p = map_pages((unsigned long)npages);

	for (int i = 0; p != NULL && i < npages; i++)
		p[i * PGSZ] = 1;
	burn_user(ms);
	_exit(0);
}

static void
test_children(void)
{
	struct rusage before = usage(RUSAGE_CHILDREN), ru, after;
	int pfd[2], st;
	pid_t pid;
	char c;

	pipe(pfd);
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		close(pfd[1]);
		touch_and_exit(300, 256);
	}
	close(pfd[1]);
	read(pfd[0], &c, 1);		/* EOF: the child has exited (or is about to) */
	close(pfd[0]);
	after = usage(RUSAGE_CHILDREN);
	tap_ok(tv_ns(after.ru_utime) == tv_ns(before.ru_utime),
	    "a child not yet waited for is not in RUSAGE_CHILDREN");
	memset(&ru, 0, sizeof(ru));
	tap_ok(wait4(pid, &st, 0, &ru) == pid && tv_ns(ru.ru_utime) >= 250 * MS,
	    "wait4's rusage has the child's 300 ms of user time (%ld ms)",
	    (long)(tv_ns(ru.ru_utime) / MS));
	tap_ok(ru.ru_minflt >= 256 && ru.ru_maxrss >= 1024,
	    "and its page faults (%ld >= 256) and peak resident set (%ld kB >= 1024)",
	    ru.ru_minflt, ru.ru_maxrss);
	after = usage(RUSAGE_CHILDREN);
	tap_ok(tv_ns(after.ru_utime) - tv_ns(before.ru_utime) >= 250 * MS &&
	    after.ru_minflt - before.ru_minflt >= 256,
	    "once waited for, RUSAGE_CHILDREN includes it");
	/* A grandchild's time reaches us through its parent's wait. */
	pid = fork();
	if (pid == 0) {
		pid_t g = fork();

		if (g == 0)
			touch_and_exit(200, 1);
		waitpid(g, &st, 0);
		_exit(0);
	}
	memset(&ru, 0, sizeof(ru));
	wait4(pid, &st, 0, &ru);
	/* Its 200 ms are CPU time: how much a busy host's ticks count as system time varies. */
	tap_ok(tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime) >= 150 * MS,
	    "wait4's rusage includes the child's own waited-for children (%ld ms)",
	    (long)((tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime)) / MS));
}

static void
test_faults_and_rss(void)
{
	struct rusage a, b, c;
	const int npages = 4096;	/* 16 MiB, more than the test used before */
	char *p;
	int i;

	a = usage(RUSAGE_SELF);
	p = map_pages(npages);
	/* One fault a page: a superpage would take one for 512 (Linux's THP too). */
	if (p != NULL)
		madvise(p, npages * PGSZ, MADV_NOHUGEPAGE);
	for (i = 0; p != NULL && i < npages; i++)
		p[i * PGSZ] = 1;
	b = usage(RUSAGE_SELF);
	tap_ok(p != NULL && b.ru_minflt - a.ru_minflt >= npages,
	    "touching %d fresh pages: as many minor faults (%ld)", npages,
	    b.ru_minflt - a.ru_minflt);
	for (i = 0; p != NULL && i < npages; i++)
		p[i * PGSZ] = 2;
	c = usage(RUSAGE_SELF);
	tap_ok(c.ru_minflt - b.ru_minflt < npages / 8,
	    "touching them again: hardly any (%ld)", c.ru_minflt - b.ru_minflt);
	munmap(p, npages * PGSZ);
	c = usage(RUSAGE_SELF);
	/* (Under qemu-user the emulator's own start may have peaked higher already.) */
	tap_ok(c.ru_maxrss >= 16 * 1024,
	    "ru_maxrss keeps the 16 MiB peak after munmap (%ld kB)", c.ru_maxrss);
}

static void
test_context_switches(void)
{
	struct rusage a = usage(RUSAGE_SELF), b;
	struct timespec nap = { 0, 1 * MS };

	for (int i = 0; i < 10; i++)
		nanosleep(&nap, NULL);
	b = usage(RUSAGE_SELF);
	tap_ok(b.ru_nvcsw - a.ru_nvcsw >= 10, "10 sleeps: at least 10 voluntary switches (%ld)",
	    b.ru_nvcsw - a.ru_nvcsw);
}

static volatile int vtalrms, profs;

static void
on_signal(int sig)
{
	if (sig == SIGVTALRM)
		vtalrms++;
	else
		profs++;
}

static int
arm(int which, long value_ms, long interval_ms)
{
	struct itimerval it = { { interval_ms / 1000, interval_ms % 1000 * 1000 },
	    { value_ms / 1000, value_ms % 1000 * 1000 } };

	return setitimer(which, &it, NULL);
}

static void
test_cpu_timers(void)
{
	struct timespec nap = { 0, 300 * MS };
	struct itimerval cur;
	int64_t t0, used;

	signal(SIGVTALRM, on_signal);
	signal(SIGPROF, on_signal);
	vtalrms = 0;
	tap_ok(arm(ITIMER_VIRTUAL, 100, 0) == 0 && getitimer(ITIMER_VIRTUAL, &cur) == 0 &&
	    cur.it_value.tv_sec == 0 && cur.it_value.tv_usec > 0 &&
	    cur.it_value.tv_usec <= 110000,
	    "ITIMER_VIRTUAL armed for 100 ms reads back (plus a tick, as Linux adds: %ld us)",
	    (long)cur.it_value.tv_usec);
	t0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	while (vtalrms == 0 && clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t0 < 3000 * MS)
		for (int i = 0; i < SPIN && vtalrms == 0; i++)
			sink += i;
	used = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t0;
	/*
	 * Linux charges ITIMER_VIRTUAL by the tick that finds the process in
	 * user mode, the CPU clock exactly: on a busy host the timer was seen
	 * to fire at 75 ms of measured time.  Half the time is the floor.
	 */
	tap_ok(vtalrms == 1 && used >= 50 * MS && used < 1000 * MS,
	    "SIGVTALRM after about 100 ms of user time (%ld ms)", (long)(used / MS));
	arm(ITIMER_VIRTUAL, 50, 0);
	nanosleep(&nap, NULL);
	getitimer(ITIMER_VIRTUAL, &cur);
	tap_ok(vtalrms == 1 && cur.it_value.tv_usec > 30000,
	    "sleeping does not run the virtual timer (%ld us left)", (long)cur.it_value.tv_usec);
	arm(ITIMER_VIRTUAL, 0, 0);
	profs = 0;
	arm(ITIMER_PROF, 20, 20);
	t0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	burn_user(250);
	burn_kernel(250);
	used = clock_ns(CLOCK_PROCESS_CPUTIME_ID) - t0;
	arm(ITIMER_PROF, 0, 0);
	/*
	 * The upper bound allows for Linux under qemu-user on a busy host,
	 * where the process's clock (qemu's threads too) and the timer's
	 * samples drift apart by a fifth.
	 */
	tap_ok(profs >= used / (20 * MS) * 2 / 3 && profs <= used / (20 * MS) * 3 / 2 + 3,
	    "ITIMER_PROF every 20 ms: %d SIGPROFs in %ld ms of user and system time",
	    profs, (long)(used / MS));
	tap_ok(getitimer(ITIMER_PROF, &cur) == 0 && cur.it_value.tv_sec == 0 &&
	    cur.it_value.tv_usec == 0 && cur.it_interval.tv_usec == 0,
	    "disarmed, it reads back as zero");
	tap_ok(setitimer(3, &cur, NULL) == -1 && errno == EINVAL &&
	    getitimer(3, &cur) == -1 && errno == EINVAL, "an unknown timer -> EINVAL");
	signal(SIGVTALRM, SIG_DFL);
	signal(SIGPROF, SIG_DFL);
}

int
main(void)
{
	tap_plan(28);
	test_faults_and_rss();
	test_user_and_system_time();
	test_cpu_clocks();
	test_times();
	test_children();
	test_context_switches();
	test_cpu_timers();
	return tap_done();
}
