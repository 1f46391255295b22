/*
 * sendfile: bytes from one file to another descriptor without passing
 * through the program (busybox's cat copies with it), as Linux does it:
 * from the input's offset (advanced) or from *offset (updated, the
 * input's own left alone), up to its end, into a file or a pipe; and
 * Linux's errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define SRC_PATH	"/tmp/sendfile_src"
#define DST_PATH	"/tmp/sendfile_dst"
#define SRC_SIZE	(3 * 4096 + 100)	/* more than a page, not a whole number of them */

static char src[SRC_SIZE], got[SRC_SIZE + 4096];

static long
sendfile_(int out, int in, long *offset, unsigned long count)
{
	return syscall(SYS_sendfile, out, in, offset, count);
}

/* The whole of path into got: its length, or -1. */
static long
slurp(const char *path)
{
	int fd = open(path, O_RDONLY);
	long n = -1;

	if (fd >= 0) {
		n = read(fd, got, sizeof(got));
		close(fd);
	}
	return n;
}

int
main(void)
{
	int in, out, fds[2], ro;
	long off, n;

	for (int i = 0; i < SRC_SIZE; i++)
		src[i] = (char)('a' + i % 23);
	in = open(SRC_PATH, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || write(in, src, SRC_SIZE) != SRC_SIZE) {
		tap_skip_all("cannot make %s", SRC_PATH);
		return tap_done();
	}
	tap_plan(10);
	lseek(in, 0, SEEK_SET);
	out = open(DST_PATH, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	n = sendfile_(out, in, NULL, SRC_SIZE + 1000);
	tap_ok(n == SRC_SIZE && slurp(DST_PATH) == SRC_SIZE && memcmp(got, src, SRC_SIZE) == 0 &&
	    lseek(in, 0, SEEK_CUR) == SRC_SIZE,
	    "file to file from the input's offset: all of it, to its end; the offset advances (%ld)", n);
	tap_ok(sendfile_(out, in, NULL, 100) == 0, "at the end of the input: 0");

	off = 4000;
	n = sendfile_(out, in, &off, 200);
	tap_ok(n == 200 && off == 4200 && lseek(in, 0, SEEK_CUR) == SRC_SIZE &&
	    slurp(DST_PATH) == SRC_SIZE + 200 && memcmp(got + SRC_SIZE, src + 4000, 200) == 0,
	    "from *offset: *offset moves on, the input's own offset does not (%ld, %ld)", n, off);

	pipe(fds);
	off = 10;
	n = sendfile_(fds[1], in, &off, 50);
	tap_ok(n == 50 && read(fds[0], got, sizeof(got)) == 50 && memcmp(got, src + 10, 50) == 0,
	    "file to a pipe (%ld)", n);

	tap_ok(sendfile_(out, 999, NULL, 10) == -1 && errno == EBADF &&
	    sendfile_(999, in, NULL, 10) == -1 && errno == EBADF, "a bad descriptor -> EBADF");
	ro = open(DST_PATH, O_RDONLY);
	tap_ok(sendfile_(ro, in, NULL, 10) == -1 && errno == EBADF,
	    "an output not open for writing -> EBADF");
	tap_ok(sendfile_(fds[1], out, NULL, 10) == -1 && errno == EBADF,
	    "an input not open for reading -> EBADF");
	close(ro);
	ro = open(DST_PATH, O_WRONLY | O_APPEND);
	off = 0;
	tap_ok(sendfile_(ro, in, &off, 10) == -1 && errno == EINVAL,
	    "an output opened O_APPEND -> EINVAL");
	close(ro);
	off = -1;
	tap_ok(sendfile_(out, in, &off, 10) == -1 && errno == EINVAL, "a negative *offset -> EINVAL");
	tap_ok(sendfile_(out, in, (long *)8, 10) == -1 && errno == EFAULT,
	    "a bad offset pointer -> EFAULT");

	close(fds[0]);
	close(fds[1]);
	close(in);
	close(out);
	unlink(SRC_PATH);
	unlink(DST_PATH);
	return tap_done();
}
