/*
 * jobctl: sessions, process groups and job-control signals as Linux has
 * them: setsid, getsid, setpgid (and its EPERM, ESRCH, EACCES, EINVAL),
 * getpgid, kill of a group; SIGSTOP, SIGTSTP and SIGCONT with wait4's
 * WUNTRACED and WCONTINUED (each reported once), SIGCHLD with
 * CLD_STOPPED and CLD_CONTINUED (none with SA_NOCLDSTOP), signals held
 * while stopped, SIGKILL of a stopped process, SIGCONT and stop signals
 * discarding each other, ppoll carrying on across a stop, and orphaned
 * process groups (terminal stops discarded; SIGHUP and SIGCONT when a
 * group with a stopped member is orphaned).
 *
 * "jobctl pause" just waits for signals (what the exec check runs).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define NO_SUCH_PID	0x3ffffff0
#define WAIT_MS		5000		/* the longest anything here should take */

static volatile int chld_code, chld_status, chld_pid, chld_count;

static void
on_chld(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	chld_code = si->si_code;
	chld_status = si->si_status;
	chld_pid = si->si_pid;
	chld_count++;
}

static int ready_fd = -1, note_fd = -1;

static void
on_note(int sig)
{
	(void)sig;
	write(note_fd, "u", 1);
}

/* An orphaned process's SIGHUP: note it and go. */
static void
on_hup(int sig)
{
	(void)sig;
	write(note_fd, "H", 1);
	_exit(0);
}

static void
catch(int sig, void (*fn)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigaction(sig, &sa, NULL);
}

static void
catch_chld(int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_chld;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(SIGCHLD, &sa, NULL);
}

/* Waits up to ms for a byte on fd; the byte, or -1. */
static int
byte_within(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };
	char c;

	if (poll(&p, 1, ms) != 1 || read(fd, &c, 1) != 1)
		return -1;
	return c;
}

/* Waits for the child to say it is ready (a byte on the ready pipe). */
static int
child_ready(int fd)
{
	return byte_within(fd, WAIT_MS) == 'r';
}

static void
say_ready(void)
{
	write(ready_fd, "r", 1);
}

static int
wait_st(pid_t pid, int options)
{
	int st;
	pid_t r = waitpid(pid, &st, options);

	return r == pid ? st : r == 0 ? 0 : -1;
}

/* Until chld_count reaches n, at most WAIT_MS. */
static int
chld_seen(int n)
{
	for (int i = 0; i < WAIT_MS / 10 && chld_count < n; i++)
		usleep(10000);
	return chld_count >= n;
}

/*
 * A child that runs fn (with fresh ready and note pipes set up) and
 * exits with its result; *ready and *note get the parent's ends.
 */
static pid_t
spawn(int (*fn)(void), int *ready, int *note)
{
	int r[2], n[2];
	pid_t pid;

	pipe(r);
	pipe(n);
	pid = fork();
	if (pid == 0) {
		close(r[0]);
		close(n[0]);
		ready_fd = r[1];
		note_fd = n[1];
		_exit(fn());
	}
	close(r[1]);
	close(n[1]);
	*ready = r[0];
	*note = n[0];
	return pid;
}

static int
waiter(void)
{
	catch(SIGUSR1, on_note);
	say_ready();
	for (;;)
		pause();
	return 0;
}

static void
test_ids(void)
{
	errno = 0;
	tap_ok(getsid(0) == getsid(getpid()) && getpgid(0) == getpgrp() && getpgrp() > 0 &&
	    getsid(0) > 0, "getsid(0) and getpgid(0) name the caller's session and group, "
	    "both real (init, pid 1, leads one even when kernel threads started first)");
	errno = 0;
	tap_ok(getsid(NO_SUCH_PID) == -1 && errno == ESRCH, "getsid of no process: ESRCH");
	errno = 0;
	tap_ok(getpgid(NO_SUCH_PID) == -1 && errno == ESRCH, "getpgid of no process: ESRCH");
}

static int
new_session(void)
{
	pid_t me = getpid();
	int bad = 0;
	char c;

	if (setsid() != me)
		bad |= 1;
	if (getsid(0) != me || getpgrp() != me)
		bad |= 2;
	if (setsid() != -1 || errno != EPERM)
		bad |= 4;
	if (setpgid(0, 0) != -1 || errno != EPERM)
		bad |= 8;
	c = (char)('a' + bad);
	write(ready_fd, &c, 1);
	pause();
	return bad;
}

static void
test_setsid_setpgid(void)
{
	int rd, nt, st;
	pid_t a, b;

	a = spawn(new_session, &rd, &nt);
	st = byte_within(rd, WAIT_MS);
	tap_ok(st == 'a', "setsid: a new session and group named after the caller; again "
	    "EPERM, and its leader cannot change group (%#x)", st - 'a');
	errno = 0;
	tap_ok(setpgid(a, a) == -1 && errno == EPERM,
	    "setpgid of a child in another session: EPERM");
	kill(a, SIGTERM);
	wait_st(a, 0);
	close(rd);
	close(nt);

	b = spawn(waiter, &rd, &nt);
	child_ready(rd);
	tap_ok(setpgid(b, b) == 0 && getpgid(b) == b, "setpgid(child, child): a new group");
	errno = 0;
	tap_ok(setpgid(b, NO_SUCH_PID) == -1 && errno == EPERM,
	    "setpgid into a group that does not exist: EPERM");
	tap_ok(setpgid(b, getpgrp()) == 0 && getpgid(b) == getpgrp(),
	    "setpgid back into the parent's group");
	errno = 0;
	tap_ok(setpgid(b, -1) == -1 && errno == EINVAL, "a negative group: EINVAL");
	errno = 0;
	tap_ok(setpgid(getppid(), 0) == -1 && errno == ESRCH,
	    "setpgid of a process not our child: ESRCH");
	kill(b, SIGKILL);
	wait_st(b, 0);
	close(rd);
	close(nt);
}

static void
test_setpgid_after_exec(const char *self)
{
	pid_t pid;
	int st;

	if (under_qemu_user()) {
		tap_skip("qemu-user cannot exec a riscv64 program without binfmt_misc");
		return;
	}
	pid = fork();
	if (pid == 0) {
		char *argv[] = { (char *)self, "pause", NULL };

		execve(self, argv, NULL);
		_exit(127);
	}
	usleep(200000);		/* time to exec */
	errno = 0;
	tap_ok(setpgid(pid, pid) == -1 && errno == EACCES,
	    "setpgid of a child that has exec'd: EACCES");
	kill(pid, SIGKILL);
	st = wait_st(pid, 0);
	(void)st;
}


static void
test_kill_group(void)
{
	int rd1, nt1, rd2, nt2, st1, st2;
	pid_t a = spawn(waiter, &rd1, &nt1), b = spawn(waiter, &rd2, &nt2);

	child_ready(rd1);
	child_ready(rd2);
	setpgid(a, a);
	setpgid(b, a);
	kill(-a, SIGUSR2);
	st1 = wait_st(a, 0);
	st2 = wait_st(b, 0);
	tap_ok(WIFSIGNALED(st1) && WTERMSIG(st1) == SIGUSR2 && WIFSIGNALED(st2) &&
	    WTERMSIG(st2) == SIGUSR2, "kill(-pgid) reaches both members of the group");
	errno = 0;
	tap_ok(kill(-NO_SUCH_PID, SIGUSR2) == -1 && errno == ESRCH, "kill of an empty group: ESRCH");
	close(rd1);
	close(nt1);
	close(rd2);
	close(nt2);
}

static void
test_stop_continue(void)
{
	int rd, nt, st;
	pid_t pid;

	catch_chld(0);
	chld_count = 0;
	pid = spawn(waiter, &rd, &nt);
	child_ready(rd);
	kill(pid, SIGSTOP);
	st = wait_st(pid, WUNTRACED);
	tap_ok(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP && st == 0x137f,
	    "SIGSTOP: wait4(WUNTRACED) says stopped by SIGSTOP (%#x)", st);
	tap_ok(wait_st(pid, WUNTRACED | WNOHANG) == 0, "the stop is reported once");
	tap_ok(chld_seen(1) && chld_code == CLD_STOPPED && chld_status == SIGSTOP &&
	    chld_pid == pid, "SIGCHLD with CLD_STOPPED and the signal (%d %d)", chld_code,
	    chld_status);
	kill(pid, SIGUSR1);
	tap_ok(byte_within(nt, 200) == -1, "a stopped process runs no handler");
	kill(pid, SIGCONT);
	st = wait_st(pid, WCONTINUED);
	tap_ok(WIFCONTINUED(st) && st == 0xffff, "SIGCONT: wait4(WCONTINUED) says continued");
	tap_ok(wait_st(pid, WCONTINUED | WNOHANG) == 0, "the continuation is reported once");
	tap_ok(chld_seen(2) && chld_code == CLD_CONTINUED && chld_status == SIGCONT,
	    "SIGCHLD with CLD_CONTINUED (%d %d)", chld_code, chld_status);
	tap_ok(byte_within(nt, WAIT_MS) == 'u', "continued, it handles the signal held meanwhile");

	kill(pid, SIGSTOP);
	wait_st(pid, WUNTRACED);
	kill(pid, SIGKILL);
	st = wait_st(pid, 0);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "SIGKILL ends a stopped process");
	close(rd);
	close(nt);

	catch_chld(SA_NOCLDSTOP);
	chld_count = 0;
	pid = spawn(waiter, &rd, &nt);
	child_ready(rd);
	setpgid(pid, pid);	/* a group with a parent outside: not orphaned */
	kill(pid, SIGTSTP);
	st = wait_st(pid, WUNTRACED);
	tap_ok(WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP, "SIGTSTP stops by default");
	kill(pid, SIGCONT);
	st = wait_st(pid, WCONTINUED);
	usleep(50000);
	if (under_qemu_user())
		tap_skip("qemu-user does not pass SA_NOCLDSTOP to the host");
	else
		tap_ok(WIFCONTINUED(st) && chld_count == 0,
		    "SA_NOCLDSTOP: no SIGCHLD for either (%d)", chld_count);
	kill(pid, SIGKILL);
	wait_st(pid, 0);
	close(rd);
	close(nt);
	signal(SIGCHLD, SIG_DFL);
}

static int go_fd = -1;

static int
pending_after_go(void)
{
	sigset_t s, pend;
	char c;

	sigemptyset(&s);
	sigaddset(&s, SIGTSTP);
	sigaddset(&s, SIGCONT);
	sigprocmask(SIG_BLOCK, &s, NULL);
	say_ready();
	if (read(go_fd, &c, 1) != 1)
		return 100;
	sigpending(&pend);
	return (sigismember(&pend, SIGTSTP) ? 1 : 0) | (sigismember(&pend, SIGCONT) ? 2 : 0);
}

/* Sends the child sig1 then sig2 while it blocks both; what it then finds pending. */
static int
pending_after(int sig1, int sig2)
{
	int rd, nt, go[2], st;
	pid_t pid;

	pipe(go);
	go_fd = go[0];
	pid = spawn(pending_after_go, &rd, &nt);
	child_ready(rd);
	setpgid(pid, pid);
	kill(pid, sig1);
	kill(pid, sig2);
	write(go[1], "g", 1);
	st = wait_st(pid, 0);
	close(go[0]);
	close(go[1]);
	close(rd);
	close(nt);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_discards(void)
{
	int r;

	r = pending_after(SIGTSTP, SIGCONT);
	tap_ok(r == 2, "SIGCONT discards a pending SIGTSTP (pending: %d)", r);
	r = pending_after(SIGCONT, SIGTSTP);
	tap_ok(r == 1, "SIGTSTP discards a pending SIGCONT (pending: %d)", r);
}

static int
ppoll_across_stop(void)
{
	struct pollfd p = { go_fd, POLLIN, 0 };
	struct timespec ts = { WAIT_MS / 1000, 0 };
	int r;

	say_ready();
	r = ppoll(&p, 1, &ts, NULL);
	return r == 1 ? 0 : r == 0 ? 2 : errno == EINTR ? 3 : 4;
}

static void
test_ppoll_restart(void)
{
	int rd, nt, go[2], st;
	pid_t pid;

	pipe(go);
	go_fd = go[0];
	pid = spawn(ppoll_across_stop, &rd, &nt);
	child_ready(rd);
	usleep(100000);		/* into ppoll */
	kill(pid, SIGSTOP);
	wait_st(pid, WUNTRACED);
	kill(pid, SIGCONT);
	usleep(100000);
	write(go[1], "g", 1);
	st = wait_st(pid, 0);
	if (under_qemu_user() && WIFEXITED(st) && WEXITSTATUS(st) == 3)
		tap_skip("qemu-user passes the host's EINTR on for a signal with no handler");
	else
		tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "ppoll stopped and continued carries on: no EINTR (%#x)", st);
	close(go[0]);
	close(go[1]);
	close(rd);
	close(nt);
}

/* In a session of its own (an orphaned group): SIGTSTP is discarded, SIGSTOP is not. */
static int
orphan_stops(void)
{
	pid_t g;
	int st, bad = 0;

	setsid();
	g = fork();
	if (g == 0) {
		for (;;)
			pause();
	}
	usleep(50000);
	kill(g, SIGTSTP);
	usleep(200000);
	if (wait_st(g, WUNTRACED | WNOHANG) != 0)
		bad |= 1;
	kill(g, SIGSTOP);
	st = wait_st(g, WUNTRACED);
	if (!WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP)
		bad |= 2;
	kill(g, SIGKILL);
	wait_st(g, 0);
	return bad;
}

/*
 * In a session of its own: a child P in one group and its child G in
 * another, stopped; P exits, G's group is orphaned with a stopped
 * member, so it gets SIGHUP (G's handler notes 'H') and SIGCONT.
 */
static int
orphaned_by_exit(void)
{
	pid_t p, g;
	int st;

	setsid();
	p = fork();
	if (p == 0) {
		setpgid(0, 0);
		g = fork();
		if (g == 0) {
			setpgid(0, 0);
			catch(SIGHUP, on_hup);
			raise(SIGSTOP);
			for (;;)
				pause();
		}
		st = wait_st(g, WUNTRACED);
		_exit(WIFSTOPPED(st) ? 0 : 1);
	}
	st = wait_st(p, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
}

static void
test_orphans(void)
{
	int rd, nt, st;
	pid_t pid;

	pid = spawn(orphan_stops, &rd, &nt);
	st = wait_st(pid, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "in an orphaned group SIGTSTP does not stop, SIGSTOP does (%#x)", st);
	close(rd);
	close(nt);

	pid = spawn(orphaned_by_exit, &rd, &nt);
	st = wait_st(pid, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && byte_within(nt, WAIT_MS) == 'H',
	    "a group orphaned with a stopped member gets SIGHUP and SIGCONT");
	close(rd);
	close(nt);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "pause") == 0) {
		for (;;)
			pause();
	}
	tap_plan(29);
	test_ids();
	test_setsid_setpgid();
	test_setpgid_after_exec(argv[0]);
	test_kill_group();
	test_stop_continue();
	test_discards();
	test_ppoll_restart();
	test_orphans();
	return tap_done();
}
