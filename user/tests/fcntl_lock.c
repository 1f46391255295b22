/*
 * fcntl_lock: byte-range record locks with Linux's semantics, as sqlite's
 * default VFS uses them: F_GETLK, F_SETLK and F_SETLKW owned by the
 * process, the F_OFD_* ones owned by the open file description.
 *
 * Conflicts can only be seen from another owner, so most checks ask a
 * child (fork: a new process, a different POSIX owner) what it finds.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define INT64_MAX_	0x7fffffffffffffffL

static char path[64];

static int
lk(int fd, int cmd, int type, int whence, long start, long len)
{
	struct flock fl = { .l_type = (short)type, .l_whence = (short)whence,
	    .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &fl);
}

static int
setlk(int fd, int type, long start, long len)
{
	return lk(fd, F_SETLK, type, SEEK_SET, start, len);
}

/* What a child (another owner) finds with F_GETLK; 0 or the child's errno. */
struct probe {
	int		error;
	struct flock	fl;
};

static int
child_getlk(int fd, int cmd, int type, long start, long len, struct flock *out)
{
	struct probe pr;
	int pfd[2], st;
	pid_t pid;

	if (pipe(pfd) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		memset(&pr, 0, sizeof(pr));
		pr.fl = (struct flock){ .l_type = (short)type, .l_whence = SEEK_SET,
		    .l_start = start, .l_len = len, .l_pid = 0 };
		pr.error = fcntl(fd, cmd, &pr.fl) == 0 ? 0 : errno;
		write(pfd[1], &pr, sizeof(pr));
		_exit(0);
	}
	close(pfd[1]);
	memset(&pr, 0, sizeof(pr));
	if (read(pfd[0], &pr, sizeof(pr)) != sizeof(pr))
		pr.error = -1;
	close(pfd[0]);
	waitpid(pid, &st, 0);
	*out = pr.fl;
	return pr.error;
}

/* Does another process find [start, start+len) locked against type by this one? */
static int
held_by_me(int fd, int type, long start, long len, long want_start, long want_len,
    int want_type)
{
	struct flock fl;

	return child_getlk(fd, F_GETLK, type, start, len, &fl) == 0 &&
	    fl.l_type == want_type && fl.l_whence == SEEK_SET && fl.l_start == want_start &&
	    fl.l_len == want_len && fl.l_pid == getpid();
}

static int
free_for_others(int fd, int type, long start, long len)
{
	struct flock fl;

	return child_getlk(fd, F_GETLK, type, start, len, &fl) == 0 && fl.l_type == F_UNLCK;
}

/* The child's F_SETLK of the range: 0 or its errno (its lock goes when it exits). */
static int
child_setlk(int fd, int type, long start, long len)
{
	pid_t pid = fork();
	int st;

	if (pid == 0)
		_exit(setlk(fd, type, start, len) == 0 ? 0 : errno);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int
open_file(int flags)
{
	return open(path, flags, 0644);
}

static long
ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

/* F_GETLK of an unlocked file: F_UNLCK, the rest as given. */
static void
test_getlk_unlocked(int fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_CUR, .l_start = 7,
	    .l_len = 3, .l_pid = 12345 };

	tap_ok(fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK &&
	    fl.l_whence == SEEK_CUR && fl.l_start == 7 && fl.l_len == 3 && fl.l_pid == 12345,
	    "F_GETLK with no locks: F_UNLCK, other fields untouched");
}

/* A write lock, seen by another process; one's own locks never conflict. */
static void
test_basic_conflict(int fd)
{
	struct flock fl;

	tap_ok(setlk(fd, F_WRLCK, 0, 10) == 0, "F_SETLK F_WRLCK [0,10)");
	tap_ok(held_by_me(fd, F_RDLCK, 5, 1, 0, 10, F_WRLCK),
	    "another process's F_GETLK reports WRITE, start 0, len 10, our pid");
	tap_ok(child_setlk(fd, F_RDLCK, 9, 5) == EAGAIN,
	    "another process's F_SETLK of an overlapping range -> EAGAIN");
	tap_ok(child_setlk(fd, F_WRLCK, 10, 5) == 0,
	    "the range just after it is free");
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	tap_ok(fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type == F_UNLCK,
	    "our own lock does not conflict with our F_GETLK");
	tap_ok(setlk(fd, F_UNLCK, 0, 0) == 0 && free_for_others(fd, F_WRLCK, 0, 0),
	    "F_UNLCK of the whole file frees it");
}

/* Read locks share; a write lock needs everyone else out. */
static void
test_read_sharing(int fd)
{
	tap_ok(setlk(fd, F_RDLCK, 0, 100) == 0 && child_setlk(fd, F_RDLCK, 50, 100) == 0,
	    "two processes' read locks overlap");
	tap_ok(child_setlk(fd, F_WRLCK, 99, 1) == EAGAIN,
	    "a write lock over another's read lock -> EAGAIN");
	setlk(fd, F_UNLCK, 0, 0);
}

/* Unlocking the middle splits a lock; changing the type of a part splits it too. */
static void
test_split(int fd)
{
	setlk(fd, F_WRLCK, 0, 100);
	tap_ok(setlk(fd, F_UNLCK, 40, 20) == 0, "unlock [40,60) of a lock on [0,100)");
	tap_ok(free_for_others(fd, F_WRLCK, 40, 20) &&
	    held_by_me(fd, F_WRLCK, 0, 41, 0, 40, F_WRLCK) &&
	    held_by_me(fd, F_WRLCK, 59, 100, 60, 40, F_WRLCK),
	    "leaves [0,40) and [60,100) locked, the middle free");
	tap_ok(setlk(fd, F_RDLCK, 70, 10) == 0 &&
	    held_by_me(fd, F_WRLCK, 70, 10, 70, 10, F_RDLCK) &&
	    held_by_me(fd, F_RDLCK, 60, 20, 60, 10, F_WRLCK) &&
	    held_by_me(fd, F_RDLCK, 80, 20, 80, 20, F_WRLCK) &&
	    child_setlk(fd, F_RDLCK, 70, 10) == 0,
	    "a read lock inside a write lock splits it into three, the middle shared");
	setlk(fd, F_UNLCK, 0, 0);
}

/* Adjacent and overlapping locks of one type merge into one. */
static void
test_merge(int fd)
{
	setlk(fd, F_RDLCK, 0, 10);
	setlk(fd, F_RDLCK, 20, 10);
	tap_ok(setlk(fd, F_RDLCK, 10, 10) == 0 &&
	    held_by_me(fd, F_WRLCK, 29, 1, 0, 30, F_RDLCK),
	    "[0,10) + [20,30) + [10,20) of one type merge into [0,30)");
	tap_ok(setlk(fd, F_WRLCK, 0, 30) == 0 && held_by_me(fd, F_RDLCK, 15, 1, 0, 30, F_WRLCK),
	    "upgrading the whole range to a write lock replaces it");
	setlk(fd, F_UNLCK, 0, 0);
}

/* l_len 0 runs to the end of the file; a negative l_len ends before l_start. */
static void
test_ranges(int fd)
{
	tap_ok(setlk(fd, F_WRLCK, 100, 0) == 0 && held_by_me(fd, F_RDLCK, 1000000, 1, 100, 0,
	    F_WRLCK), "l_len 0 locks to the end of the file (reported as l_len 0)");
	setlk(fd, F_UNLCK, 0, 0);
	tap_ok(setlk(fd, F_WRLCK, 10, -5) == 0 && held_by_me(fd, F_RDLCK, 0, 100, 5, 5, F_WRLCK),
	    "l_start 10, l_len -5 locks [5,10)");
	setlk(fd, F_UNLCK, 0, 0);
	lseek(fd, 30, SEEK_SET);
	tap_ok(lk(fd, F_SETLK, F_WRLCK, SEEK_CUR, -10, 5) == 0 &&
	    held_by_me(fd, F_RDLCK, 0, 100, 20, 5, F_WRLCK),
	    "SEEK_CUR: relative to the file offset (30 - 10)");
	setlk(fd, F_UNLCK, 0, 0);
	ftruncate(fd, 1000);
	tap_ok(lk(fd, F_SETLK, F_WRLCK, SEEK_END, -1, 1) == 0 &&
	    held_by_me(fd, F_RDLCK, 0, 0, 999, 1, F_WRLCK),
	    "SEEK_END: relative to the size (1000 - 1)");
	setlk(fd, F_UNLCK, 0, 0);
	tap_ok(setlk(fd, F_WRLCK, INT64_MAX_ - 9, 10) == 0 &&
	    held_by_me(fd, F_RDLCK, INT64_MAX_ - 1, 1, INT64_MAX_ - 9, 0, F_WRLCK),
	    "a lock ending at the largest offset is reported as to the end of the file");
	setlk(fd, F_UNLCK, 0, 0);
}

static void
test_errors(int fd)
{
	int rfd = open_file(O_RDONLY), wfd = open_file(O_WRONLY);
	struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };

	tap_ok(lk(fd, F_SETLK, 7, SEEK_SET, 0, 1) == -1 && errno == EINVAL,
	    "a bad l_type -> EINVAL");
	tap_ok(lk(fd, F_SETLK, F_WRLCK, 3, 0, 1) == -1 && errno == EINVAL,
	    "a bad l_whence -> EINVAL");
	tap_ok(setlk(fd, F_WRLCK, -1, 1) == -1 && errno == EINVAL &&
	    setlk(fd, F_WRLCK, 3, -4) == -1 && errno == EINVAL,
	    "a range starting before byte 0 -> EINVAL");
	tap_ok(setlk(fd, F_WRLCK, INT64_MAX_, 2) == -1 && errno == EOVERFLOW,
	    "a range past the largest offset -> EOVERFLOW");
	tap_ok(fcntl(fd, F_GETLK, &fl) == -1 && errno == EINVAL,
	    "F_GETLK asking about F_UNLCK -> EINVAL");
	tap_ok(setlk(rfd, F_WRLCK, 0, 1) == -1 && errno == EBADF &&
	    setlk(wfd, F_RDLCK, 0, 1) == -1 && errno == EBADF,
	    "a write lock needs the file open for writing, a read lock for reading (EBADF)");
	tap_ok(setlk(rfd, F_RDLCK, 0, 1) == 0 && setlk(wfd, F_WRLCK, 5, 1) == 0,
	    "and each works with the right access");
	tap_ok(setlk(999, F_RDLCK, 0, 1) == -1 && errno == EBADF, "a closed descriptor -> EBADF");
	tap_ok(fcntl(fd, F_SETLK, (struct flock *)8) == -1 && errno == EFAULT,
	    "a bad struct flock address -> EFAULT");
	fl = (struct flock){ .l_type = F_WRLCK, .l_pid = 1 };
	tap_ok(fcntl(fd, F_OFD_SETLK, &fl) == -1 && errno == EINVAL &&
	    fcntl(fd, F_OFD_GETLK, &fl) == -1 && errno == EINVAL,
	    "F_OFD_SETLK and F_OFD_GETLK want l_pid 0 (EINVAL)");
	close(rfd);
	close(wfd);
	setlk(fd, F_UNLCK, 0, 0);
}

/* POSIX locks go when the process closes ANY descriptor of the file. */
static void
test_close_any(int fd)
{
	int other = open_file(O_RDWR), dupfd;

	setlk(fd, F_WRLCK, 0, 10);
	close(other);
	tap_ok(free_for_others(fd, F_WRLCK, 0, 10),
	    "closing another descriptor of the file (its own open) drops the lock");
	setlk(fd, F_WRLCK, 0, 10);
	dupfd = dup(fd);
	close(dupfd);
	tap_ok(free_for_others(fd, F_WRLCK, 0, 10), "so does closing a dup");
	other = open_file(O_RDONLY);
	dup2(other, 100);
	close(other);
	setlk(fd, F_WRLCK, 0, 10);
	dup2(0, 100);		/* replacing fd 100 closes the file there */
	tap_ok(free_for_others(fd, F_WRLCK, 0, 10), "and dup2 over a descriptor of it");
	close(100);
}

/* Locks are not inherited; a child's exit releases its locks. */
static void
test_fork_exit(int fd)
{
	pid_t pid;
	int st, pfd[2];
	char c;

	setlk(fd, F_WRLCK, 0, 10);
	pid = fork();
	if (pid == 0)
		_exit(setlk(fd, F_WRLCK, 0, 10) == -1 && errno == EAGAIN ? 0 : 1);
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "a forked child does not own its parent's locks (EAGAIN)");
	setlk(fd, F_UNLCK, 0, 0);
	pipe(pfd);
	pid = fork();
	if (pid == 0) {
		setlk(fd, F_WRLCK, 50, 10);
		write(pfd[1], "x", 1);
		pause();
		_exit(0);
	}
	read(pfd[0], &c, 1);
	tap_ok(setlk(fd, F_WRLCK, 55, 1) == -1 && errno == EAGAIN, "the child's lock holds");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	tap_ok(setlk(fd, F_WRLCK, 55, 1) == 0, "and is gone once the child is killed");
	setlk(fd, F_UNLCK, 0, 0);
	close(pfd[0]);
	close(pfd[1]);
}

/* F_SETLKW waits for the holder to let go. */
static void
test_setlkw_waits(int fd)
{
	struct timespec t0;
	int pfd[2], st;
	pid_t pid;
	char c;

	pipe(pfd);
	pid = fork();
	if (pid == 0) {
		struct timespec nap = { 0, 200 * 1000 * 1000 };

		setlk(fd, F_WRLCK, 0, 1);
		write(pfd[1], "x", 1);
		nanosleep(&nap, NULL);
		setlk(fd, F_UNLCK, 0, 1);
		nanosleep(&nap, NULL);
		_exit(0);
	}
	read(pfd[0], &c, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tap_ok(lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == 0 && ms_since(&t0) >= 150,
	    "F_SETLKW sleeps until the holder unlocks (%ld ms)", ms_since(&t0));
	waitpid(pid, &st, 0);
	setlk(fd, F_UNLCK, 0, 0);
	close(pfd[0]);
	close(pfd[1]);
}

static volatile int alarms;

static void
on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* A child holding [0,1) until killed; returns its pid. */
static pid_t
holder(int fd, long start)
{
	int pfd[2];
	pid_t pid;
	char c;

	pipe(pfd);
	pid = fork();
	if (pid == 0) {
		setlk(fd, F_WRLCK, start, 1);
		write(pfd[1], "x", 1);
		for (;;)
			pause();
	}
	read(pfd[0], &c, 1);
	close(pfd[0]);
	close(pfd[1]);
	return pid;
}

static void
arm_alarm(long ms, int flags)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 0 }, { ms / 1000, (ms % 1000) * 1000 } };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = flags;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

/* A signal ends the wait: EINTR, or under SA_RESTART the wait goes on. */
static void
test_setlkw_signals(int fd)
{
	pid_t pid = holder(fd, 0);
	int st, r, e;

	alarms = 0;
	arm_alarm(100, 0);
	r = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
	e = errno;
	tap_ok(r == -1 && e == EINTR && alarms == 1,
	    "a signal interrupts F_SETLKW: EINTR after the handler (r %d, errno %d)", r, e);
	alarms = 0;
	arm_alarm(100, SA_RESTART);
	pid_t killer = fork();
	if (killer == 0) {
		struct timespec nap = { 0, 400 * 1000 * 1000 };

		nanosleep(&nap, NULL);
		kill(pid, SIGKILL);
		_exit(0);
	}
	r = lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
	tap_ok(r == 0 && alarms == 1,
	    "under SA_RESTART it restarts after the handler and gets the lock when the holder dies");
	waitpid(pid, &st, 0);
	waitpid(killer, &st, 0);
	signal(SIGALRM, SIG_DFL);
	setlk(fd, F_UNLCK, 0, 0);
}

/* Is there a waiter line for pid in /proc/locks? */
static int
proc_locks_has_waiter(pid_t pid)
{
	char buf[4096], want[32];
	int fd = open("/proc/locks", O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	snprintf(want, sizeof(want), " WRITE %d ", pid);
	for (char *line = buf; line != NULL && *line; line = strchr(line, '\n')) {
		char *end;

		if (*line == '\n')
			line++;
		end = strchr(line, '\n');
		if (end != NULL)
			*end = '\0';
		if (strstr(line, "-> POSIX") != NULL && strstr(line, want) != NULL)
			return 1;
		if (end != NULL)
			*end = '\n';
	}
	return 0;
}

/* Two processes waiting for each other: the second request is EDEADLK. */
static void
test_deadlock(int fd)
{
	struct timespec t0, nap = { 0, 10 * 1000 * 1000 };
	int pfd[2], st, seen = 0;
	pid_t pid;
	char c;

	setlk(fd, F_WRLCK, 0, 1);
	pipe(pfd);
	pid = fork();
	if (pid == 0) {
		setlk(fd, F_WRLCK, 1, 1);
		write(pfd[1], "x", 1);
		/* Waits for the parent's byte 0, holding byte 1. */
		_exit(lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1) == 0 ? 0 : 1);
	}
	read(pfd[0], &c, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (!(seen = proc_locks_has_waiter(pid)) && ms_since(&t0) < 5000)
		nanosleep(&nap, NULL);
	tap_ok(seen, "/proc/locks shows the child waiting (-> POSIX ... WRITE pid)");
	tap_ok(lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1) == -1 && errno == EDEADLK,
	    "F_SETLKW for the child's byte while it waits for ours -> EDEADLK");
	setlk(fd, F_UNLCK, 0, 1);
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "our unlock lets the child have it");
	close(pfd[0]);
	close(pfd[1]);
}

/* OFD locks belong to the open file description. */
static void
test_ofd(int fd)
{
	int fd2 = open_file(O_RDWR), dupfd;
	struct flock fl;
	pid_t pid;
	int st;

	tap_ok(lk(fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0, "F_OFD_SETLK F_WRLCK [0,10)");
	tap_ok(lk(fd2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1) == -1 && errno == EAGAIN,
	    "another open of the file in the same process conflicts (EAGAIN)");
	tap_ok(setlk(fd2, F_RDLCK, 5, 1) == -1 && errno == EAGAIN,
	    "so does a POSIX lock of the same process");
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 3, .l_len = 1 };
	tap_ok(fcntl(fd2, F_OFD_GETLK, &fl) == 0 && fl.l_type == F_WRLCK && fl.l_start == 0 &&
	    fl.l_len == 10 && fl.l_pid == -1, "F_OFD_GETLK reports it with l_pid -1");
	dupfd = dup(fd);
	close(dupfd);
	tap_ok(lk(fd2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1) == -1 && errno == EAGAIN,
	    "closing a dup of its descriptor keeps an OFD lock");
	tap_ok(lk(fd, F_OFD_SETLK, F_RDLCK, SEEK_SET, 0, 10) == 0 &&
	    lk(fd2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1) == 0,
	    "downgraded to a read lock, another description may share it");
	lk(fd2, F_OFD_SETLK, F_UNLCK, SEEK_SET, 0, 0);
	pid = fork();
	if (pid == 0)
		_exit(lk(fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10) == 0 ? 0 : 1);
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
	    lk(fd2, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1) == -1 && errno == EAGAIN,
	    "a forked child shares the description and its locks (and its exit keeps them)");
	close(fd2);
}

/* Last: the OFD lock on fd goes with its last descriptor. */
static void
test_ofd_last_close(int fd)
{
	int fd2 = open_file(O_RDWR);

	close(fd);
	tap_ok(lk(fd2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 0) == 0,
	    "closing the last descriptor of the description drops its OFD locks");
	close(fd2);
}

int
main(void)
{
	int fd;

	snprintf(path, sizeof(path), "/tmp/fcntl_lock.%d", getpid());
	fd = open_file(O_RDWR | O_CREAT | O_TRUNC);
	if (fd < 0) {
		tap_skip_all("cannot create %s", path);
		return tap_done();
	}
	tap_plan(49);
	test_getlk_unlocked(fd);
	test_basic_conflict(fd);
	test_read_sharing(fd);
	test_split(fd);
	test_merge(fd);
	test_ranges(fd);
	test_errors(fd);
	test_close_any(fd);
	test_fork_exit(fd);
	test_setlkw_waits(fd);
	test_setlkw_signals(fd);
	test_deadlock(fd);
	test_ofd(fd);
	test_ofd_last_close(fd);
	unlink(path);
	return tap_done();
}
