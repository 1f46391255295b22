/*
 * threads: threads made as glibc's pthread_create makes them (uthread.h).
 *
 *   - clone(CLONE_THREAD...): tid written before the thread runs
 *     (CLONE_PARENT_SETTID), cleared and woken at exit
 *     (CLONE_CHILD_CLEARTID), TLS pointer (CLONE_SETTLS), the pid shared,
 *     memory, descriptors and working directory shared;
 *   - signals: per-thread masks, a process signal goes to a thread that
 *     does not block it, tgkill/tkill reach one thread, a fault goes to
 *     the thread that faulted;
 *   - sleeps and restarts per thread: a handled signal restarts one
 *     thread's pipe read, leaves another's nanosleep alone, ends a third's
 *     rt_sigsuspend (whose temporary mask let it in) with EINTR;
 *   - exit ends a thread, exit_group and fatal signals all of them, the
 *     last thread's exit status is the process's; execve from a thread
 *     ends the others and the new program runs with the old pid;
 *   - SIGSTOP stops every thread (wait4 reports it once all have stopped)
 *     and SIGCONT continues them;
 *   - every change to the address space reaches every hart running a
 *     thread of it: threads write on other harts while one makes their
 *     pages read-only or unmaps them, and no write lands afterwards;
 *   - many threads come and go, and leave no memory behind.
 *
 * Also on Linux through qemu-user (skipping what qemu's own threads
 * change: the thread count in /proc/self/status).
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/futex.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>
#include <uthread.h>
#include <vmstat.h>

#define WRITERS		3		/* threads writing while the main one changes the map */
#define TLB_ROUNDS	20
#define REGION_PAGES	4
#define MANY		48		/* threads alive at once */

extern char **environ;

static char self[256];

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Wait (at most 5 s) until *flag is nonzero. */
static int
wait_for(volatile int *flag)
{
	long end = now_ms() + 5000;

	while (*flag == 0 && now_ms() < end)
		sched_yield();
	return *flag != 0;
}

/*
 * Creation and sharing.
 */

struct basic {
	pid_t	pid, tid;
	void	*tp;
	int	fd;
	volatile int done;
};

static int
basic_thread(void *arg)
{
	struct basic *b = arg;

	b->pid = getpid();
	b->tid = gettid();
	b->tp = uthread_tp();
	b->fd = open("/tmp/threads_file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	chdir("/tmp");
	b->done = 1;
	return 0;
}

static void
test_create(void)
{
	static char stack[16384] __attribute__((aligned(16)));
	struct basic b = { 0 };
	volatile pid_t ptid = 0, ctid = 12345;
	char cwd[64] = "";
	int tid;

	tid = clone(basic_thread, stack + sizeof(stack), UTHREAD_CLONE_FLAGS, &b, (pid_t *)&ptid,
	    (void *)0x1234, (pid_t *)&ctid);
	tap_ok(tid > 0 && ptid == tid, "clone(CLONE_THREAD...) returns the tid, written first to "
	    "the parent's word (%d, %d)", tid, ptid);
	while (ctid != 0)
		futex((uint32_t *)&ctid, FUTEX_WAIT, (uint32_t)ctid, NULL, NULL, 0);
	tap_ok(b.done && b.pid == getpid() && b.tid == tid && b.tid != getpid() &&
	    b.tp == (void *)0x1234, "the thread shares the pid, has its own tid and TLS pointer");
	tap_ok(ctid == 0, "at its exit the child word is cleared and the futex woken");
	tap_ok(b.fd >= 0 && write(b.fd, "x", 1) == 1 && close(b.fd) == 0,
	    "a descriptor the thread opened is the process's");
	tap_ok(getcwd(cwd, sizeof(cwd)) != NULL && strcmp(cwd, "/tmp") == 0,
	    "its chdir moved the process (CLONE_FS): %s", cwd);
	chdir("/");
	unlink("/tmp/threads_file");
}

/*
 * Signals.
 */

static volatile pid_t handled_by, handled_code, faulted_tid;
static volatile int handled;

static void
on_usr(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	handled_by = gettid();
	handled_code = si->si_code;
	handled = 1;
}

struct sigthread {
	volatile int	ready, stop;
	pid_t		tid;
	sigset_t	block;
};

/* Block what it is told, then spin (in and out of the kernel) until told to stop. */
static int
sig_thread(void *arg)
{
	struct sigthread *s = arg;

	sigprocmask(SIG_SETMASK, &s->block, NULL);
	s->tid = gettid();
	s->ready = 1;
	while (!s->stop)
		sched_yield();
	return 0;
}

static void
test_signals(void)
{
	struct sigaction sa;
	struct sigthread s;
	struct uthread t;
	sigset_t usr1, none, pend;
	pid_t other;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&none);

	/* The main thread blocks SIGUSR1, the other does not: kill() goes to the other. */
	memset(&s, 0, sizeof(s));
	s.block = none;
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	uthread_create(&t, sig_thread, &s);
	wait_for(&s.ready);
	handled = 0;
	kill(getpid(), SIGUSR1);
	wait_for(&handled);
	tap_ok(handled && handled_by == s.tid && handled_code == SI_USER,
	    "a process signal goes to the thread that does not block it (%d, want %d)",
	    handled_by, s.tid);
	handled = 0;
	tap_ok(tgkill(getpid(), s.tid, SIGUSR2) == 0 && wait_for(&handled) &&
	    handled_by == s.tid && handled_code == SI_TKILL, "tgkill reaches that thread, SI_TKILL");
	handled = 0;
	tap_ok(syscall(SYS_tkill, s.tid, SIGUSR2) == 0 && wait_for(&handled) &&
	    handled_by == s.tid, "tkill too");
	other = fork();
	if (other == 0) {
		pause();
		_exit(0);
	}
	tap_ok(tgkill(other, s.tid, SIGUSR2) == -1 && errno == ESRCH,
	    "tgkill naming another process -> ESRCH");
	kill(other, SIGKILL);
	waitpid(other, NULL, 0);
	s.stop = 1;
	uthread_join(&t);

	/* Both block it: it stays pending for the process until one unblocks it. */
	memset(&s, 0, sizeof(s));
	s.block = usr1;
	uthread_create(&t, sig_thread, &s);
	wait_for(&s.ready);
	handled = 0;
	kill(getpid(), SIGUSR1);
	sleep_ms(50);
	sigpending(&pend);
	tap_ok(!handled && sigismember(&pend, SIGUSR1),
	    "blocked by every thread, a process signal stays pending");
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	tap_ok(handled && handled_by == gettid(), "and goes to the first thread to unblock it");
	s.stop = 1;
	uthread_join(&t);
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

static sigjmp_buf fault_jmp;

static void
on_segv(int sig)
{
	(void)sig;
	faulted_tid = gettid();
	siglongjmp(fault_jmp, 1);
}

static int
fault_thread(void *arg)
{
	volatile int *ran = arg;

	if (sigsetjmp(fault_jmp, 1) == 0)
		*(volatile int *)unmapped_pages(1) = 1;
	*ran = gettid();
	return 0;
}

static void
test_fault(void)
{
	struct uthread t;
	volatile int ran = 0;

	faulted_tid = 0;
	signal(SIGSEGV, on_segv);
	uthread_create(&t, fault_thread, (void *)&ran);
	uthread_join(&t);
	tap_ok(ran != 0 && faulted_tid == ran && faulted_tid != gettid(),
	    "a fault's SIGSEGV runs in the thread that faulted (%d, want %d)", faulted_tid, ran);
	signal(SIGSEGV, SIG_DFL);
}

/*
 * Sleeps and restarts, per thread: a handled SA_RESTART signal sent to
 * one thread blocked in a pipe read restarts that read alone (it gets its
 * byte later), another thread's nanosleep goes on untouched, and a
 * process signal that every thread blocks but one in rt_sigsuspend (its
 * temporary mask lets it in) goes to that one, which fails with EINTR
 * and has its own mask back.
 */

struct restarter {
	int		fd;
	volatile int	ready, done;
	pid_t		tid;
	long		rv, elapsed_ms;
	int		err;
	char		byte;
	sigset_t	mask, after;
};

static int
restart_reader(void *arg)
{
	struct restarter *r = arg;

	sigprocmask(SIG_SETMASK, &r->mask, NULL);
	r->tid = gettid();
	r->ready = 1;
	r->rv = read(r->fd, &r->byte, 1);
	r->err = errno;
	r->done = 1;
	return 0;
}

static int
restart_sleeper(void *arg)
{
	struct restarter *r = arg;
	struct timespec ts = { 0, 400 * 1000000L };
	long start;

	sigprocmask(SIG_SETMASK, &r->mask, NULL);
	r->tid = gettid();
	r->ready = 1;
	start = now_ms();
	r->rv = nanosleep(&ts, NULL);
	r->err = errno;
	r->elapsed_ms = now_ms() - start;
	r->done = 1;
	return 0;
}

static int
restart_suspender(void *arg)
{
	struct restarter *r = arg;
	sigset_t in_suspend;

	sigprocmask(SIG_SETMASK, &r->mask, NULL);
	sigfillset(&in_suspend);
	sigdelset(&in_suspend, SIGUSR2);
	r->tid = gettid();
	r->ready = 1;
	r->rv = sigsuspend(&in_suspend);
	r->err = errno;
	sigprocmask(SIG_SETMASK, NULL, &r->after);
	r->done = 1;
	return 0;
}

static void
test_restart(void)
{
	struct restarter reader, sleeper, suspender;
	struct uthread tr, ts, tu;
	struct sigaction sa, old1, old2;
	sigset_t both, usr2, saved;
	int fds[2];

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_usr;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGUSR1, &sa, &old1);
	sigaction(SIGUSR2, &sa, &old2);
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	sigprocmask(SIG_BLOCK, &both, &saved);
	pipe(fds);
	memset(&reader, 0, sizeof(reader));
	memset(&sleeper, 0, sizeof(sleeper));
	memset(&suspender, 0, sizeof(suspender));
	reader.fd = fds[0];
	reader.mask = usr2;		/* SIGUSR1 reaches it */
	sleeper.mask = both;
	suspender.mask = both;
	uthread_create(&tr, restart_reader, &reader);
	uthread_create(&ts, restart_sleeper, &sleeper);
	uthread_create(&tu, restart_suspender, &suspender);
	wait_for(&reader.ready);
	wait_for(&sleeper.ready);
	wait_for(&suspender.ready);
	sleep_ms(50);			/* all three asleep by now, on a machine not too slow */

	handled = 0;
	tgkill(getpid(), reader.tid, SIGUSR1);
	wait_for(&handled);
	sleep_ms(50);
	tap_ok(handled && handled_by == reader.tid && !reader.done,
	    "a handled SA_RESTART signal to one thread: its handler ran there, its pipe read "
	    "went on");
	write(fds[1], "r", 1);
	wait_for(&reader.done);
	tap_ok(reader.rv == 1 && reader.byte == 'r', "and got the byte written later (%ld)",
	    reader.rv);

	handled = 0;
	kill(getpid(), SIGUSR2);
	wait_for(&suspender.done);
	tap_ok(handled && handled_by == suspender.tid && suspender.rv == -1 &&
	    suspender.err == EINTR && sigismember(&suspender.after, SIGUSR2) &&
	    sigismember(&suspender.after, SIGUSR1),
	    "a process signal all block but a thread in rt_sigsuspend: EINTR there, and its "
	    "own mask back");

	wait_for(&sleeper.done);
	tap_ok(sleeper.rv == 0 && sleeper.elapsed_ms >= 400,
	    "another thread's nanosleep went on untouched (%ld, %ld ms)", sleeper.rv,
	    sleeper.elapsed_ms);
	uthread_join(&tr);
	uthread_join(&ts);
	uthread_join(&tu);
	close(fds[0]);
	close(fds[1]);
	sigprocmask(SIG_SETMASK, &saved, NULL);
	sigaction(SIGUSR1, &old1, NULL);
	sigaction(SIGUSR2, &old2, NULL);
}

/*
 * Ending: in child processes, whose status the parent reads.
 */

/* Never enters the kernel: only a clock interrupt brings it there. */
static int
spin_user_thread(void *arg)
{
	volatile unsigned long n = 0;

	(void)arg;
	for (;;)
		n++;
	return 0;
}

static int
group_exit_later(void *arg)
{
	sleep_ms(100);
	syscall(SYS_exit_group, (long)(intptr_t)arg);
	return 0;
}

static int
thread_exit_with(void *arg)
{
	sleep_ms(100);
	syscall(SYS_exit, (long)(intptr_t)arg);
	return 0;
}

/* Run body in a child process; its wait status. */
static int
in_child(void (*body)(void))
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		body();
		_exit(99);
	}
	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static void
main_exits_first(void)
{
	static struct uthread t;

	uthread_create(&t, group_exit_later, (void *)42);
	syscall(SYS_exit, 0);		/* this thread only */
}

static void
group_exit_kills_spinner(void)
{
	static struct uthread t;

	uthread_create(&t, spin_user_thread, NULL);
	sleep_ms(20);
	exit(5);			/* exit_group: the spinner too */
}

static void
thread_ends_group(void)
{
	static struct uthread t;

	uthread_create(&t, group_exit_later, (void *)7);
	pause();
}

static void
last_thread_status(void)
{
	static struct uthread t;

	uthread_create(&t, thread_exit_with, (void *)3);
	syscall(SYS_exit, 0);
}

static void
signal_kills_all(void)
{
	static struct uthread t;

	uthread_create(&t, spin_user_thread, NULL);
	sleep_ms(20);
	kill(getpid(), SIGTERM);	/* default action: the whole process */
	pause();
}

static void
test_exit(void)
{
	long start = now_ms();
	int st;

	st = in_child(main_exits_first);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 42,
	    "exit ends one thread: the process lives on until exit_group (status %#x)", st);
	st = in_child(group_exit_kills_spinner);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 5,
	    "exit_group ends a thread that never enters the kernel (status %#x)", st);
	st = in_child(thread_ends_group);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 7,
	    "exit_group from another thread ends the main one in pause (status %#x)", st);
	st = in_child(last_thread_status);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 3,
	    "the last thread's exit status is the process's (status %#x)", st);
	st = in_child(signal_kills_all);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
	    "a fatal signal ends every thread (status %#x)", st);
	tap_diag("ending took %ld ms", now_ms() - start);
}

/* execve from a thread: the new program checks what it inherited. */
static int exec_pid;

static int
exec_thread(void *arg)
{
	char pid[16], *argv[] = { self, "--exec-check", pid, NULL };

	(void)arg;
	snprintf(pid, sizeof(pid), "%d", exec_pid);
	execve_riscv(self, argv, environ);
	_exit(98);
}

static void
exec_from_thread(void)
{
	static struct uthread t;

	exec_pid = getpid();
	uthread_create(&t, exec_thread, NULL);
	for (;;)
		pause();		/* ended by the exec */
}

/* The new program: the old pid, one thread, which is the leader. */
static int
exec_check(const char *pid)
{
	char status[2048], *line;

	if (getpid() != atoi(pid) || gettid() != getpid())
		return 1;
	if (!under_qemu_user() && read_text_file("/proc/self/status", status, sizeof(status)) > 0 &&
	    ((line = strstr(status, "Threads:")) == NULL || atoi(line + 8) != 1))
		return 2;
	return 0;
}

static void
test_exec(void)
{
	int st = in_child(exec_from_thread);

	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "execve from a thread: the others end, the program runs with the pid as its only "
	    "thread's tid (status %#x)", st);
}

/*
 * Stopping.
 */

static volatile long *counters;		/* shared with the child's threads */

static int
count_thread(void *arg)
{
	volatile long *c = arg;

	for (;;)
		(*c)++;
	return 0;
}

/*
 * Wait (up to 5 s: a loaded host may run a thread late) until both
 * counters have moved past base0 and base1.
 */
static bool
counters_advance(long base0, long base1)
{
	for (int ms = 0; ms < 5000; ms += 10) {
		if (counters[0] > base0 && counters[1] > base1)
			return true;
		sleep_ms(10);
	}
	return false;
}

static void
test_stop(void)
{
	long a0, a1, b0, b1;
	pid_t pid;
	int st;

	counters = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid = fork();
	if (pid == 0) {
		static struct uthread t;

		uthread_create(&t, count_thread, (void *)&counters[1]);
		count_thread((void *)&counters[0]);
	}
	(void)counters_advance(0, 0);	/* both threads are running */
	kill(pid, SIGSTOP);
	/* Reported only once every thread has stopped: no counter moves after. */
	waitpid(pid, &st, WUNTRACED);
	a0 = counters[0];
	a1 = counters[1];
	sleep_ms(100);
	b0 = counters[0];
	b1 = counters[1];
	tap_ok(WIFSTOPPED(st) && a0 == b0 && a1 == b1 && a1 != 0,
	    "SIGSTOP stops every thread (%ld -> %ld, %ld -> %ld)", a0, b0, a1, b1);
	kill(pid, SIGCONT);
	tap_ok(counters_advance(b0, b1), "SIGCONT continues every thread");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "SIGKILL ends them all");
	munmap((void *)counters, PGSZ);
}

#define STOP_ROUNDS	20

static int
bump_thread(void *arg)
{
	(*(volatile long *)arg)++;
	return 0;
}

/* Make and join threads forever, counting each in counters[1]. */
static int
churn_thread(void *arg)
{
	static struct uthread t;

	(void)arg;
	for (;;) {
		if (uthread_create(&t, bump_thread, (void *)&counters[1]) != 0)
			_exit(1);
		uthread_join(&t);
	}
	return 0;
}

/*
 * Stop a process whose threads are being made and ending all the time:
 * each stop is reported (a thread made during a stop stops too, one that
 * ends no longer holds it up), and then nothing runs.
 */
static void
test_stop_churn(void)
{
	int frozen = 0, reported = 0, st;
	pid_t pid;

	counters = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid = fork();
	if (pid == 0) {
		static struct uthread t;

		uthread_create(&t, churn_thread, NULL);
		count_thread((void *)&counters[0]);
	}
	(void)counters_advance(0, 0);
	for (int round = 0; round < STOP_ROUNDS; round++) {
		long c0, c1;

		kill(pid, SIGSTOP);
		alarm(10);		/* a stop never reported ends the test */
		if (waitpid(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st))
			reported++;
		alarm(0);
		c0 = counters[0];
		c1 = counters[1];
		sleep_ms(20);
		frozen += c0 == counters[0] && c1 == counters[1];
		kill(pid, SIGCONT);
		(void)counters_advance(c0, c1);
	}
	tap_ok(reported == STOP_ROUNDS && frozen == STOP_ROUNDS && counters[1] > STOP_ROUNDS,
	    "threads made and ending during stops: %d of %d stops reported, %d frozen, %ld made",
	    reported, STOP_ROUNDS, frozen, counters[1]);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	munmap((void *)counters, PGSZ);
}

#define RESTOP_THREADS	8
#define RESTOP_ROUNDS	50

/* Spin forever (a thread of test_restop's child). */
static int
spin_thread(void *arg)
{
	(void)arg;
	for (;;)
		;
	return 0;
}

/* Wait up to 3 s for pid's stop to be reported. */
static bool
stop_reported(pid_t pid)
{
	int st;

	for (int ms = 0; ms < 3000; ms += 5) {
		pid_t r = waitpid(pid, &st, WUNTRACED | WNOHANG);

		if (r == pid)
			return WIFSTOPPED(st);
		if (r != 0)
			return false;
		sleep_ms(5);
	}
	return false;
}

/*
 * SIGCONT then at once SIGSTOP: the threads the SIGCONT woke that have
 * not run yet when the new stop begins take part in it too, so it is
 * reported (a thread that goes back to sleep without counting itself
 * would hold the stop up forever).
 */
static void
test_restop(void)
{
	int reported = 0, round, st;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		static struct uthread t[RESTOP_THREADS];

		for (int i = 0; i < RESTOP_THREADS; i++)
			uthread_create(&t[i], spin_thread, NULL);
		spin_thread(NULL);
	}
	sleep_ms(50);
	kill(pid, SIGSTOP);
	reported += stop_reported(pid);
	for (round = 0; round < RESTOP_ROUNDS && reported == round + 1; round++) {
		kill(pid, SIGCONT);
		kill(pid, SIGSTOP);
		reported += stop_reported(pid);
	}
	tap_ok(reported == RESTOP_ROUNDS + 1,
	    "SIGCONT then SIGSTOP at once: %d of %d stops reported", reported, RESTOP_ROUNDS + 1);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
}

/*
 * The rest of the process: wait4 from any thread, resource usage,
 * /proc/self/status.
 */

struct waiter {
	pid_t	child;
	int	status;
	pid_t	got;
};

static int
wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->got = waitpid(w->child, &w->status, 0);
	return 0;
}

/* Set once the main thread has counted the burners: until then they stay (a busy host). */
static volatile int burners_counted;

static int
burn_thread(void *arg)
{
	volatile long *ns = arg;
	struct timespec ts;
	volatile unsigned long x = 0;

	do {
		for (int i = 0; i < 100000; i++)
			x += i;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	} while (ts.tv_sec * 1000000000L + ts.tv_nsec < 150000000L ||
	    !__atomic_load_n(&burners_counted, __ATOMIC_ACQUIRE));
	*ns = ts.tv_sec * 1000000000L + ts.tv_nsec;
	return 0;
}

static long
rusage_ms(int who)
{
	struct rusage ru;

	getrusage(who, &ru);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

static void
test_process(void)
{
	struct uthread t[2];
	struct waiter w = { 0 };
	volatile long burned[2] = { 0, 0 };
	char status[2048], *line;
	long before = rusage_ms(RUSAGE_SELF), self_before = rusage_ms(RUSAGE_THREAD), all, mine;

	w.child = fork();
	if (w.child == 0)
		_exit(17);
	uthread_create(&t[0], wait_thread, &w);
	uthread_join(&t[0]);
	tap_ok(w.got == w.child && WIFEXITED(w.status) && WEXITSTATUS(w.status) == 17,
	    "another thread reaps the main thread's child");

	uthread_create(&t[0], burn_thread, (void *)&burned[0]);
	uthread_create(&t[1], burn_thread, (void *)&burned[1]);
	if (!under_qemu_user() && read_text_file("/proc/self/status", status, sizeof(status)) > 0 &&
	    (line = strstr(status, "Threads:")) != NULL)
		tap_ok(atoi(line + 8) == 3, "/proc/self/status counts 3 threads (%d)", atoi(line + 8));
	else
		tap_skip("qemu-user's own threads are in the host's count");
	__atomic_store_n(&burners_counted, 1, __ATOMIC_RELEASE);
	uthread_join(&t[0]);
	uthread_join(&t[1]);
	all = rusage_ms(RUSAGE_SELF) - before;
	mine = rusage_ms(RUSAGE_THREAD) - self_before;
	/*
	 * The caller's own time is not asserted small: on an emulated
	 * machine its waits for remote TLB fences (fork, munmap) count as
	 * CPU time while busy harts answer late.
	 */
	tap_ok(all - mine >= (burned[0] + burned[1]) / 1000000 - 20,
	    "RUSAGE_SELF has the exited threads' CPU time, RUSAGE_THREAD only the caller's "
	    "(%ld ms - %ld ms, the threads burned %ld)", all, mine,
	    (burned[0] + burned[1]) / 1000000);
}

/*
 * The TLB: writers on other harts, the main thread changing their pages.
 */

struct writer {
	volatile unsigned long	*slots;	/* its own words, one per page */
	volatile int		started;
	volatile pid_t		tid;
	int			cpu;
};

static struct writer writers[WRITERS];
static sigjmp_buf writer_jmp[WRITERS];
static volatile pid_t writer_faulted[WRITERS];

static void
on_writer_segv(int sig)
{
	(void)sig;
	for (int i = 0; i < WRITERS; i++) {
		if (writers[i].tid == gettid()) {
			writer_faulted[i] = gettid();
			siglongjmp(writer_jmp[i], 1);
		}
	}
	_exit(66);			/* a fault in no writer */
}

/* Write to every page of the region until a write faults. */
static int
writer_thread(void *arg)
{
	struct writer *w = arg;
	int me = (int)(w - writers);
	unsigned long n = 0;

	if (w->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		sched_setaffinity(0, sizeof(set), &set);
	}
	w->tid = gettid();
	if (sigsetjmp(writer_jmp[me], 1) != 0)
		return 0;
	for (;;) {
		for (int p = 0; p < REGION_PAGES; p++)
			w->slots[p * (PGSZ / sizeof(long))] = ++n;
		w->started = 1;
	}
}

/* Start the writers on region (slot i of each page is writer i's). */
static void
start_writers(struct uthread *t, volatile unsigned long *region, int ncpu)
{
	for (int i = 0; i < WRITERS; i++) {
		writers[i] = (struct writer){ .slots = region + i * 8, .cpu = ncpu > 1 ?
		    (i + 1) % ncpu : -1 };
		writer_faulted[i] = 0;
		uthread_create(&t[i], writer_thread, &writers[i]);
	}
	for (int i = 0; i < WRITERS; i++)
		wait_for(&writers[i].started);
}

/* Did every writer fault, in itself, and did each join? */
static int
writers_faulted(struct uthread *t)
{
	int ok = 1;

	for (int i = 0; i < WRITERS; i++) {
		uthread_join(&t[i]);
		ok &= writer_faulted[i] == writers[i].tid;
	}
	return ok;
}

static void
test_tlb(void)
{
	size_t len = REGION_PAGES * PGSZ;
	unsigned long snap[REGION_PAGES * PGSZ / sizeof(long)];
	long shootdowns = vmstat_get("tlb_shootdowns");
	struct uthread t[WRITERS];
	int late_prot = 0, late_unmap = 0, faults_prot = 1, faults_unmap = 1, fd;
	cpu_set_t cpus;
	int ncpu;

	sched_getaffinity(0, sizeof(cpus), &cpus);
	ncpu = CPU_COUNT(&cpus);
	tap_diag("tlb: %d cpus", ncpu);
	signal(SIGSEGV, on_writer_segv);
	/* mprotect to read-only: no write may land once it has returned. */
	for (int r = 0; r < TLB_ROUNDS; r++) {
		volatile unsigned long *region = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		start_writers(t, region, ncpu);
		mprotect((void *)region, len, PROT_READ);
		memcpy(snap, (void *)region, len);
		sleep_ms(10);
		late_prot += memcmp(snap, (void *)region, len) != 0;
		faults_prot &= writers_faulted(t);
		munmap((void *)region, len);
	}
	tap_ok(late_prot == 0 && faults_prot,
	    "mprotect(PROT_READ) reaches every hart: no write after it returns (%d rounds of %d "
	    "late), each writer faulted in itself", late_prot, TLB_ROUNDS);
	/* munmap: the pages stay visible through a second mapping of the same file. */
	fd = open("/tmp/threads_tlb", O_RDWR | O_CREAT | O_TRUNC, 0600);
	unlink("/tmp/threads_tlb");
	ftruncate(fd, (off_t)len);
	for (int r = 0; r < TLB_ROUNDS; r++) {
		volatile unsigned long *region = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
		    fd, 0);
		unsigned long *view = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);

		start_writers(t, region, ncpu);
		munmap((void *)region, len);
		memcpy(snap, view, len);
		sleep_ms(10);
		late_unmap += memcmp(snap, view, len) != 0;
		faults_unmap &= writers_faulted(t);
		munmap(view, len);
	}
	close(fd);
	tap_ok(late_unmap == 0 && faults_unmap,
	    "munmap reaches every hart: no write after it returns (%d rounds of %d late), each "
	    "writer faulted in itself", late_unmap, TLB_ROUNDS);
	if (vmstat_is_sable() && ncpu > 1)
		tap_ok(vmstat_get("tlb_shootdowns") > shootdowns,
		    "remote TLB shootdowns were sent (%ld)", vmstat_get("tlb_shootdowns") - shootdowns);
	else
		tap_skip("tlb_shootdowns: this kernel's counter, with more than one cpu");
	signal(SIGSEGV, SIG_DFL);
}

/*
 * brk from several threads at once: the break and the heap's mapping
 * stay in step.
 */

static unsigned long brk_base;

static int
brk_thread(void *arg)
{
	unsigned long seed = (unsigned long)arg;

	for (int i = 0; i < 300; i++) {
		seed = seed * 6364136223846793005UL + 1442695040888963407UL;
		syscall(SYS_brk, brk_base + (seed >> 33) % (64 * PGSZ));
	}
	return 0;
}

static void
test_brk(void)
{
	struct uthread t[4];
	unsigned long end, page;
	unsigned char vec;
	int ok = 1;

	brk_base = (unsigned long)syscall(SYS_brk, 0);
	for (int i = 0; i < 4; i++)
		uthread_create(&t[i], brk_thread, (void *)(unsigned long)(i + 1));
	for (int i = 0; i < 4; i++)
		uthread_join(&t[i]);
	end = (unsigned long)syscall(SYS_brk, 0);
	/* Every page below the break is there; the one after it is not. */
	for (page = brk_base & ~(PGSZ - 1); page < end; page += PGSZ)
		ok &= mincore((void *)page, PGSZ, &vec) == 0 || page < brk_base;
	page = (end + PGSZ - 1) & ~(PGSZ - 1);
	/* qemu-user emulates brk inside a heap of its own, mapped further. */
	tap_ok(ok && ((mincore((void *)page, PGSZ, &vec) == -1 && errno == ENOMEM) ||
	    under_qemu_user()),
	    "brk from four threads at once: the heap is mapped exactly up to the break (%lu pages)",
	    (end - brk_base) / PGSZ);
	syscall(SYS_brk, brk_base);
}

/*
 * Many threads.
 */

static int
short_thread(void *arg)
{
	volatile int *count = arg;

	__atomic_add_fetch(count, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void
test_many(void)
{
	static struct uthread t[MANY];
	struct vm_snapshot before = vm_snapshot_take(), after;
	volatile int count = 0;
	int made = 0;

	for (int round = 0; round < 5; round++) {
		for (int i = 0; i < MANY; i++)
			made += uthread_create(&t[i], short_thread, (void *)&count) == 0;
		for (int i = 0; i < MANY; i++)
			uthread_join(&t[i]);
	}
	tap_ok(made == 5 * MANY && count == 5 * MANY, "%d threads at a time, five times: all ran "
	    "and were joined (%d)", MANY, count);
	if (vmstat_is_sable())
		tap_ok(vm_snapshot_back(&before, &after, 64),
		    "they left no memory behind (free %ld -> %ld kB)", before.free_kb, after.free_kb);
	else
		tap_skip("the memory check needs this kernel's counters");
}

int
main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "--exec-check") == 0)
		return exec_check(argv[2]);
	if (argv[0][0] == '/')
		snprintf(self, sizeof(self), "%s", argv[0]);
	else {
		getcwd(self, sizeof(self) - 64);
		snprintf(self + strlen(self), 64, "/%s", argv[0]);
	}
	tap_plan(36);
	test_create();
	test_signals();
	test_restart();
	test_fault();
	test_exit();
	test_exec();
	test_stop();
	test_stop_churn();
	test_restop();
	test_process();
	test_tlb();
	test_brk();
	test_many();
	return tap_done();
}
