/*
 * terminal: the console as a controlling terminal, without anyone
 * typing.  A child starts a session and opens /dev/ttyS0, which becomes
 * its controlling terminal; it then checks the terminal ioctls, raw reads
 * with VMIN and VTIME timing out on their own, poll, and job control
 * through the real system calls: a background read stops its process
 * with SIGTTIN, a background write with TOSTOP and a background tcsetattr
 * with SIGTTOU; a group put in the foreground reads; TIOCNOTTY gives the
 * terminal up.  The settings are restored afterwards.
 *
 * The child reports a bit per failed check through a pipe, and the
 * parent (in init's session, untouched by TOSTOP) prints TAP.
 * Skipped where there is no console to control (Linux via qemu-user).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <tap.h>
#include <termios.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define TERMINAL	"/dev/ttyS0"

static const char *const checks[] = {
	"a session leader's open makes it the controlling terminal, its group in front",
	"/dev/tty opens the controlling terminal; TIOCGSID names the session",
	"opening /dev/console changes nothing",
	"raw, MIN 0 TIME 0: a read returns 0 at once",
	"raw, MIN 0 TIME 3: a read returns 0 after 0.3 s",
	"poll: writable; nothing to read",
	"a background read stops its process with SIGTTIN",
	"put in the foreground and continued, the reader reads",
	"with TOSTOP a background write stops with SIGTTOU",
	"a background tcsetattr stops with SIGTTOU",
	"TIOCNOTTY: the terminal is given up",
	"the settings are restored",
};
#define NCHECKS	((int)(sizeof(checks) / sizeof(checks[0])))

static int term_fd;

static long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static int
set_raw(int vmin, int vtime, int tostop)
{
	struct termios t;

	if (tcgetattr(term_fd, &t) < 0)
		return -1;
	t.c_lflag &= ~(ICANON | ECHO | TOSTOP);
	if (tostop)
		t.c_lflag |= TOSTOP;
	t.c_cc[VMIN] = (cc_t)vmin;
	t.c_cc[VTIME] = (cc_t)vtime;
	return tcsetattr(term_fd, TCSANOW, &t);
}

/* A child in a group of its own, in the background, doing what; its wait status once stopped or done. */
static int
background(int (*what)(void))
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGTTOU, SIG_DFL);	/* the session leader ignores it */
		_exit(what());
	}
	setpgid(pid, pid);
	if (waitpid(pid, &st, WUNTRACED) != pid)
		return -1;
	if (WIFSTOPPED(st)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	return st;
}

static int
do_read(void)
{
	char c;

	return read(term_fd, &c, 1) == 0 ? 7 : 1;
}

static int
do_write(void)
{
	return write(term_fd, "\n", 1) == 1 ? 7 : 1;
}

static int
do_tcsetattr(void)
{
	struct termios t;

	tcgetattr(term_fd, &t);
	return tcsetattr(term_fd, TCSANOW, &t) == 0 ? 7 : 1;
}

static int
stopped_by(int st, int sig)
{
	return st != -1 && WIFSTOPPED(st) && WSTOPSIG(st) == sig;
}

/* The session leader's side: a bit set for each check that failed. */
static int
session(void)
{
	struct termios saved, now;
	struct timespec t0;
	struct pollfd p;
	int bad = 0, fd, r, st, sid;
	char c;
	pid_t pid;

	setsid();
	signal(SIGTTOU, SIG_IGN);	/* as a shell: it changes the foreground group */
	signal(SIGHUP, SIG_IGN);
	if ((term_fd = open(TERMINAL, O_RDWR)) < 0)
		return -1;
	tcgetattr(term_fd, &saved);
	if (tcgetpgrp(term_fd) != getpid())
		bad |= 1 << 0;
	fd = open("/dev/tty", O_RDWR);
	if (fd < 0 || ioctl(fd, TIOCGSID, &sid) < 0 || sid != getpid())
		bad |= 1 << 1;
	close(fd);
	fd = open("/dev/console", O_RDWR);
	if (fd < 0 || tcgetpgrp(term_fd) != getpid() || tcgetsid(term_fd) != getpid())
		bad |= 1 << 2;
	close(fd);

	set_raw(0, 0, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (read(term_fd, &c, 1) != 0 || ms_since(&t0) > 200)
		bad |= 1 << 3;
	set_raw(0, 3, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = read(term_fd, &c, 1);
	if (r != 0 || ms_since(&t0) < 290 || ms_since(&t0) > 3000)
		bad |= 1 << 4;
	set_raw(0, 0, 0);
	p = (struct pollfd){ term_fd, POLLIN | POLLOUT, 0 };
	if (poll(&p, 1, 0) != 1 || p.revents != POLLOUT)
		bad |= 1 << 5;

	/* A background reader stops; in front, continued, it reads (0: MIN 0 TIME 0). */
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		_exit(do_read());
	}
	setpgid(pid, pid);
	if (waitpid(pid, &st, WUNTRACED) != pid || !stopped_by(st, SIGTTIN))
		bad |= 1 << 6;
	tcsetpgrp(term_fd, pid);
	kill(pid, SIGCONT);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 7)
		bad |= 1 << 7;
	tcsetpgrp(term_fd, getpgrp());

	set_raw(0, 0, 1);
	if (!stopped_by(background(do_write), SIGTTOU))
		bad |= 1 << 8;
	set_raw(0, 0, 0);
	if (!stopped_by(background(do_tcsetattr), SIGTTOU))
		bad |= 1 << 9;

	tcsetattr(term_fd, TCSANOW, &saved);
	if (tcgetattr(term_fd, &now) < 0 || memcmp(&now, &saved, sizeof(now)) != 0)
		bad |= 1 << 11;
	if (ioctl(term_fd, TIOCNOTTY) < 0 || tcgetpgrp(term_fd) != -1 || errno != ENOTTY)
		bad |= 1 << 10;
	return bad;
}

int
main(void)
{
	int st, fd, bad = -1, report[2];
	pid_t pid;

	if (under_qemu_user() || (fd = open(TERMINAL, O_RDWR | O_NOCTTY)) < 0 || !isatty(fd)) {
		tap_skip_all("no console to control here (%s)", TERMINAL);
		return 0;
	}
	close(fd);
	tap_plan(NCHECKS + 1);
	pipe(report);
	pid = fork();
	if (pid == 0) {
		close(report[0]);
		bad = session();
		write(report[1], &bad, sizeof(bad));
		_exit(0);
	}
	close(report[1]);
	if (read(report[0], &bad, sizeof(bad)) != sizeof(bad))
		bad = -1;
	st = -1;
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && bad != -1,
	    "the session's child reports and exits (%#x)", st);
	for (int i = 0; i < NCHECKS; i++)
		tap_ok(!(bad & (1 << i)), "%s", checks[i]);
	return tap_done();
}
