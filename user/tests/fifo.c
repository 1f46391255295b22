/*
 * fifo: named pipes made with mknod/mkfifo.  Opening one waits for the
 * other side (a reader for a writer and the reverse), except with
 * O_NONBLOCK (a reader goes ahead, a writer with no reader gets ENXIO)
 * or O_RDWR; data flows as through a pipe; the pipe is gone, and its
 * unread data with it, when the last end closes; a signal ends a wait.
 *
 * Runs in a fresh directory under TEST_DIR (default /tmp).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static char path[300];

static void
on_alarm(int sig)
{
	(void)sig;
}

static void
test_node(void)
{
	struct stat st, fst;
	int fd;

	tap_ok(mkfifo(path, 0640) == 0 && stat(path, &st) == 0 && S_ISFIFO(st.st_mode) &&
	    (st.st_mode & 0777) == 0640 && st.st_size == 0, "mkfifo: a FIFO, mode 0640");
	tap_ok(fails_with(mkfifo(path, 0640), EEXIST), "mkfifo: twice is EEXIST");
	fd = open(path, O_RDONLY | O_NONBLOCK);
	tap_ok(fd >= 0, "open O_RDONLY|O_NONBLOCK: goes ahead with no writer");
	tap_ok(fstat(fd, &fst) == 0 && fst.st_ino == st.st_ino && S_ISFIFO(fst.st_mode),
	    "fstat: the FIFO's own inode");
	tap_ok(fails_with(lseek(fd, 0, SEEK_SET), ESPIPE), "lseek: ESPIPE");
	tap_ok(read(fd, &st, 1) == 0, "read with no writer: end of file");
	close(fd);
	tap_ok(fails_with(open(path, O_WRONLY | O_NONBLOCK), ENXIO),
	    "open O_WRONLY|O_NONBLOCK with no reader: ENXIO");
}

static void
test_data(void)
{
	char buf[16];
	int r, w, rw;

	r = open(path, O_RDONLY | O_NONBLOCK);
	w = open(path, O_WRONLY | O_NONBLOCK);
	tap_ok(r >= 0 && w >= 0, "open: a writer joins a waiting reader");
	tap_ok(write(w, "abc", 3) == 3 && read(r, buf, sizeof(buf)) == 3 && memcmp(buf, "abc", 3) == 0,
	    "data flows from the writer to the reader");
	tap_ok(fails_with(read(r, buf, sizeof(buf)), EAGAIN), "an empty FIFO with a writer: EAGAIN");
	write(w, "left", 4);
	close(w);
	tap_ok(read(r, buf, sizeof(buf)) == 4 && read(r, buf, sizeof(buf)) == 0,
	    "after the writer closes: what is left, then end of file");
	close(r);
	rw = open(path, O_RDWR);
	tap_ok(rw >= 0 && write(rw, "self", 4) == 4 && read(rw, buf, sizeof(buf)) == 4 &&
	    memcmp(buf, "self", 4) == 0, "O_RDWR: opens without waiting, both ends at once");
	write(rw, "dropped", 7);
	close(rw);
	r = open(path, O_RDONLY | O_NONBLOCK);
	tap_ok(r >= 0 && read(r, buf, sizeof(buf)) == 0,
	    "data unread when the last end closed is gone");
	close(r);
}

/* A child opens for writing (waiting for a reader), writes, and exits. */
static void
test_rendezvous(void)
{
	char buf[16];
	int status, r;
	pid_t pid = fork();

	if (pid == 0) {
		int w = open(path, O_WRONLY);

		_exit(w >= 0 && write(w, "hello", 5) == 5 ? 0 : 1);
	}
	usleep(100000);
	r = open(path, O_RDONLY);
	tap_ok(r >= 0 && read(r, buf, 5) == 5 && memcmp(buf, "hello", 5) == 0,
	    "a blocking reader and a blocking writer meet");
	tap_ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 &&
	    read(r, buf, sizeof(buf)) == 0, "the writer's exit is the reader's end of file");
	close(r);
}

static void
test_interrupted(void)
{
	struct sigaction sa = { 0 };
	struct itimerval it = { { 0, 0 }, { 0, 200000 } };

	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	tap_ok(fails_with(open(path, O_WRONLY), EINTR),
	    "a writer waiting for a reader is interrupted by a signal: EINTR");
	tap_ok(fails_with(open(path, O_WRONLY | O_NONBLOCK), ENXIO),
	    "the interrupted writer left nothing open");
}

int
main(void)
{
	tap_plan(18);
	if (test_dir_make("fifo") != 0)
		return 1;
	snprintf(path, sizeof(path), "%s", tpath("fifo"));
	test_node();
	test_data();
	test_rendezvous();
	test_interrupted();
	tap_ok(unlink(path) == 0 && rmdir(test_dir()) == 0, "the FIFO and the directory go");
	return tap_done();
}
