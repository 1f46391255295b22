/*
 * pid_max: process and thread ids wrap around at /proc/sys/kernel/pid_max
 * (to 300, as Linux's), skipping every id still in use: a living or
 * zombie process's pid, a thread's tid, the id of a process group or a
 * session whose leader is gone; with every id in use, fork and clone
 * fail with EAGAIN.  The limit takes only values Linux takes, from root.
 *
 * Writing pid_max changes it for the whole machine, so under qemu-user
 * (the host's kernel) only reading it is tested.  The test puts back the
 * value it found before it ends.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>
#include <uthread.h>
#include <vmstat.h>

#define PID_MAX_PATH	"/proc/sys/kernel/pid_max"
#define RESERVED	300		/* where ids start again after a wrap */
#define WINDOW		64		/* ids [RESERVED, RESERVED + WINDOW) after it */
#define FORKS		200		/* enough to go round the window three times */
#define NHELD		7

static long
read_pid_max(void)
{
	char buf[32];

	return read_text_file(PID_MAX_PATH, buf, sizeof(buf)) > 0 ? atol(buf) : -1;
}

/* Write text to pid_max: 0 or the errno of the open or the write. */
static int
write_pid_max(const char *text)
{
	int fd = open(PID_MAX_PATH, O_WRONLY), error = 0;

	if (fd < 0)
		return errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		error = errno;
	close(fd);
	return error;
}

static int
set_pid_max(long value)
{
	char text[32];

	snprintf(text, sizeof(text), "%ld\n", value);
	return write_pid_max(text);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* A child that sleeps until it is killed; its pid. */
static pid_t
sleeper(void)
{
	pid_t pid = fork();

	if (pid == 0)
		for (;;)
			pause();
	return pid;
}

/* Fork a child that makes one sleeper, sends its pid up fd, then exits; the sleeper's pid. */
static pid_t
orphan_sleeper(int (*setup)(void))
{
	int fds[2];
	pid_t child, got = -1;

	if (pipe(fds) != 0)
		return -1;
	child = fork();
	if (child == 0) {
		pid_t s;

		close(fds[0]);
		if (setup() != 0)
			_exit(1);
		s = fork();
		if (s == 0)
			for (;;)
				pause();
		/* In a session it leads, the member gets a group of its own: the sid alone is held. */
		if (s > 0 && getsid(0) == getpid())
			setpgid(s, s);
		write(fds[1], &s, sizeof(s));
		_exit(0);
	}
	close(fds[1]);
	if (child > 0) {
		if (read(fds[0], &got, sizeof(got)) != sizeof(got))
			got = -1;
		waitpid(child, NULL, 0);
	}
	close(fds[0]);
	return got;
}

static int
new_group(void)
{
	return setpgid(0, 0);
}

static int
new_session(void)
{
	return setsid() < 0 ? -1 : 0;
}

static volatile int thread_stop;

static int
idle_thread(void *arg)
{
	(void)arg;
	while (!thread_stop)
		sleep_ms(5);
	return 0;
}

static int
quick_thread(void *arg)
{
	(void)arg;
	return 0;
}

/*
 * Fork and reap until ids have passed the window (a fresh boot has not
 * handed out that many yet), so that the next one wraps: 0, or -1.
 */
static int
pass_window(void)
{
	for (int i = 0; i < 2 * (RESERVED + WINDOW); i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0)
			return -1;
		waitpid(pid, NULL, 0);
		if (pid >= RESERVED + WINDOW)
			return 0;
	}
	return -1;
}

/* Is the process pid a zombie (state Z in /proc/PID/stat)? */
static int
is_zombie(pid_t pid)
{
	char path[64], buf[256], *paren;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_text_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	paren = strrchr(buf, ')');
	return paren != NULL && paren[1] == ' ' && paren[2] == 'Z';
}

static void
test_values(long orig)
{
	tap_ok(write_pid_max("300\n") == EINVAL, "pid_max 300 (below 301) -> EINVAL");
	tap_ok(write_pid_max("4194305") == EINVAL, "pid_max 4194305 (above 4194304) -> EINVAL");
	tap_ok(write_pid_max("12x\n") == EINVAL && write_pid_max("-5") == EINVAL &&
	    read_pid_max() == orig, "a value that is no number -> EINVAL, pid_max unchanged");
	if (getuid() == 0) {
		pid_t pid = fork();
		int st;

		if (pid == 0)
			_exit(setuid(1000) == 0 && write_pid_max("5000") == EACCES ? 0 : 1);
		waitpid(pid, &st, 0);
		tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && read_pid_max() == orig,
		    "only root may write pid_max (EACCES)");
	} else {
		tap_skip("not run as root");
	}
}

/* Fork and reap FORKS children; their pids in pids[]. */
static int
fork_many(pid_t *pids)
{
	for (int i = 0; i < FORKS; i++) {
		pid_t pid = fork();

		if (pid == 0)
			_exit(0);
		if (pid < 0)
			return -1;
		waitpid(pid, NULL, 0);
		pids[i] = pid;
	}
	return 0;
}

static void
test_wrap(long orig)
{
	static pid_t pids[FORKS];
	static struct uthread t;
	pid_t held[NHELD], zombie, group, session;
	int inside = 1, distinct = 0, reused = -1, held_ok = 1, ok;
	char seen[WINDOW];

	ok = pass_window() == 0 && set_pid_max(RESERVED + WINDOW) == 0 &&
	    read_pid_max() == RESERVED + WINDOW;
	tap_ok(ok, "pid_max set to %d", RESERVED + WINDOW);
	if (!ok)
		return;
	/* Ids held after the wrap, each one way. */
	held[0] = sleeper();				/* a living process */
	zombie = held[1] = fork();			/* a zombie */
	if (zombie == 0)
		_exit(0);
	held[2] = orphan_sleeper(new_group);		/* the group's member */
	group = held[3] = held[2] > 0 ? getpgid(held[2]) : -1;	/* leader reaped */
	held[4] = orphan_sleeper(new_session);		/* the session's member */
	session = held[5] = held[4] > 0 ? getsid(held[4]) : -1;	/* leader reaped */
	held[6] = uthread_create(&t, idle_thread, NULL) == 0 ? t.tid : -1;	/* a thread */
	for (int i = 0; i < 100 && !is_zombie(zombie); i++)
		sleep_ms(10);
	for (int i = 0; i < NHELD; i++)
		if (held[i] < RESERVED || held[i] >= RESERVED + WINDOW)
			held_ok = 0;
	tap_ok(held_ok && is_zombie(zombie) && group != held[2] && session != held[4] &&
	    getpgid(held[4]) != session,
	    "ids held after the wrap, all in [%d, %d): process %d, zombie %d, group %d (member %d), "
	    "session %d (member %d), thread %d", RESERVED, RESERVED + WINDOW, held[0], held[1],
	    held[3], held[2], held[5], held[4], held[6]);

	memset(seen, 0, sizeof(seen));
	ok = fork_many(pids) == 0;
	for (int i = 0; ok && i < FORKS; i++) {
		if (pids[i] < RESERVED || pids[i] >= RESERVED + WINDOW) {
			inside = 0;
			continue;
		}
		if (seen[pids[i] - RESERVED]++ == 0)
			distinct++;
		for (int j = 0; j < NHELD; j++)
			if (pids[i] == held[j])
				reused = pids[i];
	}
	tap_ok(ok && inside, "%d forks: every pid in [%d, %d)", FORKS, RESERVED, RESERVED + WINDOW);
	tap_ok(ok && distinct <= WINDOW - NHELD && distinct >= WINDOW / 2,
	    "the ids went round: %d distinct pids for %d forks", distinct, FORKS);
	tap_ok(ok && reused < 0, "no id in use was given again (%d)", reused);

	/* Every id but one taken, then that one too: fork and clone fail with EAGAIN. */
	{
		pid_t first, second;
		int first_errno, second_errno, thread_errno;
		struct uthread t2;

		set_pid_max(RESERVED + 1);
		first = sleeper();
		first_errno = errno;
		second = fork();
		second_errno = errno;
		if (second == 0)
			_exit(0);
		thread_errno = uthread_create(&t2, quick_thread, NULL) == 0 ? 0 : errno;
		if (thread_errno == 0)
			uthread_join(&t2);
		set_pid_max(orig);	/* at once: nothing else can start meanwhile */
		tap_ok((first == RESERVED || (first < 0 && first_errno == EAGAIN)) &&
		    second < 0 && second_errno == EAGAIN && thread_errno == EAGAIN,
		    "pid_max %d with id %d in use: fork and clone fail with EAGAIN (%d %d %d)",
		    RESERVED + 1, RESERVED, first, second, thread_errno);
		if (first > 0) {
			kill(first, SIGKILL);
			waitpid(first, NULL, 0);
		}
	}

	thread_stop = 1;
	uthread_join(&t);
	kill(held[0], SIGKILL);
	waitpid(held[0], NULL, 0);
	waitpid(zombie, NULL, 0);
	if (held[2] > 0)
		kill(-group, SIGKILL);
	if (held[4] > 0)
		kill(held[4], SIGKILL);
}

int
main(void)
{
	long orig = read_pid_max();
	pid_t pid = -1;
	int ok;

	tap_plan(12);
	tap_ok(orig >= 301 && orig <= 4194304, "pid_max reads as a number in [301, 4194304] (%ld)",
	    orig);
	if (under_qemu_user()) {
		for (int i = 0; i < 11; i++)
			tap_skip("writing pid_max under qemu-user would change the host's");
		return tap_done();
	}
	test_values(orig);
	test_wrap(orig);
	ok = set_pid_max(orig) == 0 && read_pid_max() == orig;
	if (ok && (pid = fork()) == 0)
		_exit(0);
	tap_ok(ok && pid > 0 && waitpid(pid, NULL, 0) == pid, "pid_max back to %ld, fork works",
	    orig);
	return tap_done();
}
