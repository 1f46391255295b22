/*
 * sigrestart: system calls that sleep, interrupted by a signal, as
 * signal(7) ("Interruption of system calls and library functions by
 * signal handlers") describes Linux:
 *
 *  - wait4, read and write on pipes and FUTEX_WAIT without a timeout are
 *    restarted after a handler installed with SA_RESTART returns, and
 *    fail with EINTR after one installed without it (and so does a read
 *    of a terminal, checked when standard input is one);
 *  - a pipe write that has moved some bytes returns their count instead;
 *  - nanosleep, clock_nanosleep, FUTEX_WAIT with a timeout and
 *    rt_sigtimedwait are never restarted: EINTR even with SA_RESTART,
 *    and the relative sleeps write back the time that was left;
 *  - a signal that runs no handler (SIG_IGN, or a default of "ignore"
 *    such as SIGCHLD and SIGWINCH) interrupts nothing.
 *
 * A helper child (the "interrupter") signals the parent while it is
 * blocked.  Where the call must fail, it signals again every REPEAT_MS
 * until the parent kills it, and nothing else ends the wait: however
 * slow the machine, some signal comes while the parent sleeps.  Where
 * the call must complete, it signals, then does what ends the wait
 * (exits, writes, wakes); a signal that comes before the parent sleeps
 * only makes that test weaker, never wrong.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define SIGNAL_MS	150	/* when the interrupter signals: the parent sleeps by then */
#define ACT_MS		150	/* then how long until it ends the parent's wait */
#define REPEAT_MS	100	/* how often a repeating interrupter signals */
#define LONG_MS		1500	/* a sleep that a signal must cut short */
#define FOREVER_MS	600000	/* a wait that only a signal ends */
#define REPEAT		0	/* plan.times: signal until killed */
#define NSIG_WORDS	1
#define BIG_WRITE	(1024 * 1024)	/* more than any pipe holds */

static volatile int handled;

static void
on_signal(int sig)
{
	(void)sig;
	handled++;
}

/* Handle sig with on_signal and flags (SA_RESTART or 0). */
static void
catch_signal(int sig, int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
	handled = 0;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct plan {
	int	sig;			/* sent to the parent after SIGNAL_MS */
	int	times;			/* how many times, SIGNAL_MS apart; REPEAT: until killed */
	void	(*act)(void *);		/* then, ACT_MS later (NULL: nothing) */
	void	*arg;
};

/* Fork the interrupter for plan; its pid. */
static pid_t
interrupter(const struct plan *pl)
{
	pid_t parent = getpid(), pid = fork();

	if (pid != 0)
		return pid;
	if (pl->times == REPEAT) {
		for (;;) {
			sleep_ms(REPEAT_MS);
			kill(parent, pl->sig);
		}
	}
	for (int i = 0; i < pl->times; i++) {
		sleep_ms(SIGNAL_MS);
		kill(parent, pl->sig);
	}
	if (pl->act != NULL) {
		sleep_ms(ACT_MS);
		pl->act(pl->arg);
	}
	_exit(0);
}

static void
reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
}

/* Stop a child that would go on for ever, and reap it. */
static void
stop(pid_t pid)
{
	kill(pid, SIGKILL);
	reap(pid);
}

/* A child that sleeps ms and exits with status 7. */
static pid_t
sleeper_child(long ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		sleep_ms(ms);
		_exit(7);
	}
	return pid;
}

/*
 * wait4
 */

/* Signals that arrive close together merge: at least one, at most times, ran. */
static int
handled_ok(int times)
{
	return handled >= 1 && handled <= times;
}

static void
test_wait4_restart(int times)
{
	const struct plan pl = { SIGUSR1, times, NULL, NULL };
	pid_t child, intr;
	long r;
	int st = 0;

	catch_signal(SIGUSR1, SA_RESTART);
	child = sleeper_child(SIGNAL_MS * times + ACT_MS);
	intr = interrupter(&pl);
	r = wait4(child, &st, 0, NULL);
	tap_ok(r == child && WIFEXITED(st) && WEXITSTATUS(st) == 7 && handled_ok(times),
	    "wait4 with an SA_RESTART handler (%d signals) restarts and reaps the child "
	    "(r %ld, status %#x, handled %d)", times, r, st, handled);
	if (r != child)
		reap(child);
	reap(intr);
}

static void
test_wait4_eintr(void)
{
	const struct plan pl = { SIGUSR1, REPEAT, NULL, NULL };
	pid_t child, intr;
	long r;
	int err;

	catch_signal(SIGUSR1, 0);
	child = sleeper_child(FOREVER_MS);
	intr = interrupter(&pl);
	r = wait4(child, NULL, 0, NULL);
	err = errno;
	tap_ok(r == -1 && err == EINTR && handled >= 1,
	    "wait4 with a handler without SA_RESTART -> EINTR (r %ld, errno %d, handled %d)",
	    r, err, handled);
	stop(intr);
	stop(child);
}

/*
 * Pipes
 */

static int pipe_fds[2];

static void
write_byte(void *arg)
{
	(void)arg;
	(void)write(pipe_fds[1], "x", 1);
}

static void
drain_some(void *arg)
{
	static char buf[8192];

	(void)arg;
	(void)read(pipe_fds[0], buf, sizeof(buf));
}

static void
test_pipe_read(int flags)
{
	const struct plan restart = { SIGUSR1, 1, write_byte, NULL };
	const struct plan repeat = { SIGUSR1, REPEAT, NULL, NULL };
	char c = 0;
	pid_t intr;
	long r;
	int err;

	catch_signal(SIGUSR1, flags);
	pipe(pipe_fds);
	intr = interrupter((flags & SA_RESTART) ? &restart : &repeat);
	r = read(pipe_fds[0], &c, 1);
	err = errno;
	if (flags & SA_RESTART) {
		tap_ok(r == 1 && c == 'x' && handled == 1,
		    "pipe read with an SA_RESTART handler restarts and reads "
		    "the byte (r %ld, handled %d)", r, handled);
		reap(intr);
	} else {
		tap_ok(r == -1 && err == EINTR && handled >= 1,
		    "pipe read with a handler without SA_RESTART -> EINTR "
		    "(r %ld, errno %d, handled %d)", r, err, handled);
		stop(intr);
	}
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

/* Fill the pipe's write end until a write would block. */
static long
fill_pipe(int fd)
{
	static char buf[4096];
	long total = 0, n;

	fcntl(fd, F_SETFL, O_NONBLOCK);
	while ((n = write(fd, buf, sizeof(buf))) > 0)
		total += n;
	while ((n = write(fd, buf, 1)) > 0)
		total += n;
	fcntl(fd, F_SETFL, 0);
	return total;
}

static void
test_pipe_write(int flags)
{
	const struct plan restart = { SIGUSR1, 1, drain_some, NULL };
	const struct plan repeat = { SIGUSR1, REPEAT, NULL, NULL };
	pid_t intr;
	long r, cap;
	int err;

	catch_signal(SIGUSR1, flags);
	pipe(pipe_fds);
	cap = fill_pipe(pipe_fds[1]);
	intr = interrupter((flags & SA_RESTART) ? &restart : &repeat);
	r = write(pipe_fds[1], "y", 1);
	err = errno;
	if (flags & SA_RESTART) {
		tap_ok(cap > 0 && r == 1 && handled == 1,
		    "write to a full pipe with an SA_RESTART handler restarts "
		    "and completes (r %ld, handled %d)", r, handled);
		reap(intr);
	} else {
		tap_ok(cap > 0 && r == -1 && err == EINTR && handled >= 1,
		    "write to a full pipe with a handler without SA_RESTART -> "
		    "EINTR (r %ld, errno %d, handled %d)", r, err, handled);
		stop(intr);
	}
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

/* A write that has moved some bytes returns their count, whatever the flags. */
static void
test_pipe_partial_write(int flags)
{
	const struct plan pl = { SIGUSR1, REPEAT, NULL, NULL };
	static char big[BIG_WRITE];
	pid_t intr;
	long r;

	catch_signal(SIGUSR1, flags);
	pipe(pipe_fds);
	intr = interrupter(&pl);
	r = write(pipe_fds[1], big, sizeof(big));
	tap_ok(r > 0 && r < BIG_WRITE && handled >= 1,
	    "an interrupted pipe write that moved bytes returns their count "
	    "(%s, r %ld, handled %d)", flags ? "SA_RESTART" : "no SA_RESTART",
	    r, handled);
	stop(intr);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

/*
 * A terminal (the console, when init runs the tests): no input comes, so
 * only the EINTR case can be seen.
 */
#define TCGETS		0x5401
#define TERMIOS_SIZE	60	/* struct termios on Linux riscv64 */

static void
test_terminal_read(void)
{
	const struct plan pl = { SIGUSR1, REPEAT, NULL, NULL };
	char termios[TERMIOS_SIZE], c;
	pid_t intr;
	long r;
	int err;

	if (ioctl(STDIN_FILENO, TCGETS, termios) != 0) {
		tap_skip("standard input is not a terminal");
		return;
	}
	catch_signal(SIGUSR1, 0);
	intr = interrupter(&pl);
	r = read(STDIN_FILENO, &c, 1);
	err = errno;
	tap_ok(r == -1 && err == EINTR && handled >= 1,
	    "a terminal read with a handler without SA_RESTART -> EINTR (r %ld, errno %d)",
	    r, err);
	stop(intr);
}

/*
 * Futexes
 */

static volatile uint32_t *futex_word;

static void
futex_set_and_wake(void *arg)
{
	(void)arg;
	*futex_word = 1;
	futex((uint32_t *)futex_word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static void
test_futex(int flags, int timed)
{
	const struct plan restart = { SIGUSR1, 1, futex_set_and_wake, NULL };
	const struct plan repeat = { SIGUSR1, REPEAT, NULL, NULL };
	struct timespec timeout = { FOREVER_MS / 1000, 0 };
	int completes = (flags & SA_RESTART) && !timed;
	pid_t intr;
	long r;
	int err;

	catch_signal(SIGUSR1, flags);
	*futex_word = 0;
	intr = interrupter(completes ? &restart : &repeat);
	r = futex((uint32_t *)futex_word, FUTEX_WAIT, 0, timed ? &timeout : NULL,
	    NULL, 0);
	err = errno;
	if (completes) {
		tap_ok(r == 0 && *futex_word == 1 && handled == 1,
		    "FUTEX_WAIT with an SA_RESTART handler restarts and is "
		    "woken (r %ld, errno %d, handled %d)", r, r ? err : 0, handled);
		reap(intr);
	} else {
		tap_ok(r == -1 && err == EINTR && handled >= 1,
		    "FUTEX_WAIT%s with a handler %s SA_RESTART -> EINTR "
		    "(r %ld, errno %d, handled %d)", timed ? " with a timeout" : "",
		    flags ? "with" : "without", r, err, handled);
		stop(intr);
	}
}

/*
 * Sleeps: never restarted after a handler; the time left is written back.
 */

static long
ts_ms(const struct timespec *ts)
{
	return ts->tv_sec * 1000 + ts->tv_nsec / 1000000;
}

/*
 * rem is what was left of LONG_MS when the signal came: less than all of
 * it, and no less than what was left when the call returned (elapsed ms
 * after the start), give or take rounding.
 */
static int
remaining_ok(const struct timespec *rem, long elapsed)
{
	long left = ts_ms(rem);

	return rem->tv_sec >= 0 && rem->tv_nsec >= 0 && rem->tv_nsec < 1000000000 &&
	    left < LONG_MS && left >= LONG_MS - elapsed - 2;
}

static void
test_nanosleep(void)
{
	const struct plan pl = { SIGUSR1, REPEAT, NULL, NULL };
	struct timespec req = { LONG_MS / 1000, (LONG_MS % 1000) * 1000000 };
	struct timespec rem = { -1, -1 };
	long t0, elapsed, r;
	pid_t intr;
	int err;

	catch_signal(SIGUSR1, SA_RESTART);
	intr = interrupter(&pl);
	t0 = now_ms();
	r = nanosleep(&req, &rem);
	err = errno;
	elapsed = now_ms() - t0;
	tap_ok(r == -1 && err == EINTR && handled >= 1 && elapsed < LONG_MS,
	    "nanosleep is not restarted after an SA_RESTART handler: EINTR "
	    "after %ld ms (r %ld, errno %d)", elapsed, r, err);
	tap_ok(remaining_ok(&rem, elapsed),
	    "nanosleep writes back the time left (%ld ms of %d, %ld elapsed)",
	    ts_ms(&rem), LONG_MS, elapsed);
	stop(intr);
}

static void
test_clock_nanosleep(int abs)
{
	const struct plan pl = { SIGUSR1, REPEAT, NULL, NULL };
	struct timespec req = { LONG_MS / 1000, (LONG_MS % 1000) * 1000000 };
	struct timespec rem = { -1, -1 }, now;
	long t0, elapsed;
	pid_t intr;
	int r;

	catch_signal(SIGUSR1, SA_RESTART);
	if (abs) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		req.tv_sec += now.tv_sec;
		req.tv_nsec += now.tv_nsec;
		if (req.tv_nsec >= 1000000000) {
			req.tv_sec++;
			req.tv_nsec -= 1000000000;
		}
	}
	intr = interrupter(&pl);
	t0 = now_ms();
	r = clock_nanosleep(CLOCK_MONOTONIC, abs ? TIMER_ABSTIME : 0, &req, &rem);
	elapsed = now_ms() - t0;
	tap_ok(r == EINTR && handled >= 1 && elapsed < LONG_MS,
	    "clock_nanosleep%s is not restarted after an SA_RESTART handler: "
	    "EINTR after %ld ms (r %d)", abs ? " (TIMER_ABSTIME)" : "", elapsed, r);
	if (abs)
		tap_ok(rem.tv_sec == -1 && rem.tv_nsec == -1,
		    "clock_nanosleep with TIMER_ABSTIME leaves rem alone");
	else
		tap_ok(remaining_ok(&rem, elapsed),
		    "clock_nanosleep writes back the time left (%ld ms of %d, "
		    "%ld elapsed)", ts_ms(&rem), LONG_MS, elapsed);
	stop(intr);
}

/* rt_sigtimedwait for SIGUSR2: a SIGUSR1 handler ends it with EINTR. */
static void
test_sigtimedwait(void)
{
	const struct plan pl = { SIGUSR1, REPEAT, NULL, NULL };
	struct timespec timeout = { FOREVER_MS / 1000, 0 };
	sigset_t set, old;
	pid_t intr;
	long r;
	int err;

	catch_signal(SIGUSR1, SA_RESTART);
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, &old);
	intr = interrupter(&pl);
	r = syscall(SYS_rt_sigtimedwait, &set, NULL, &timeout, 8);
	err = errno;
	tap_ok(r == -1 && err == EINTR && handled >= 1,
	    "rt_sigtimedwait is not restarted after an SA_RESTART handler "
	    "(r %ld, errno %d)", r, err);
	stop(intr);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/*
 * Signals that run no handler interrupt nothing.
 */

/* Write the byte a little later, after every other signal has come. */
static void
write_byte_late(void *arg)
{
	sleep_ms(ACT_MS);
	write_byte(arg);
}

static void
test_no_handler(void)
{
	const struct plan winch = { SIGWINCH, 1, write_byte_late, NULL };
	const struct plan ign = { SIGUSR2, 1, NULL, NULL };
	pid_t a, b, c;
	char ch = 0;
	long r;
	int err;

	signal(SIGWINCH, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGUSR2, SIG_IGN);
	pipe(pipe_fds);
	c = sleeper_child(SIGNAL_MS);	/* SIGCHLD, default: ignore */
	a = interrupter(&winch);	/* SIGWINCH, default: ignore */
	b = interrupter(&ign);		/* SIGUSR2, ignored */
	r = read(pipe_fds[0], &ch, 1);
	err = errno;
	tap_ok(r == 1 && ch == 'x',
	    "SIGCHLD, SIGWINCH (default) and an ignored signal do not "
	    "interrupt a pipe read (r %ld, errno %d)", r, r < 0 ? err : 0);
	reap(a);
	reap(b);
	reap(c);
	signal(SIGUSR2, SIG_DFL);
	close(pipe_fds[0]);
	close(pipe_fds[1]);
}

int
main(void)
{
	tap_plan(21);
	futex_word = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	test_wait4_restart(1);
	test_wait4_restart(3);
	test_wait4_eintr();
	test_pipe_read(SA_RESTART);
	test_pipe_read(0);
	test_pipe_write(SA_RESTART);
	test_pipe_write(0);
	test_pipe_partial_write(SA_RESTART);
	test_pipe_partial_write(0);
	test_terminal_read();
	test_futex(SA_RESTART, 0);
	test_futex(0, 0);
	test_futex(SA_RESTART, 1);
	test_nanosleep();
	test_clock_nanosleep(0);
	test_clock_nanosleep(1);
	test_sigtimedwait();
	test_no_handler();
	return tap_done();
}
