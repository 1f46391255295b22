/*
 * sendfile: bytes from one file to another descriptor without passing
 * through the program (busybox's cat copies with it), as Linux does it:
 * from the input's offset (advanced) or from *offset (updated, the
 * input's own left alone), up to its end, into a file or a pipe; and
 * Linux's errors.  copy_file_range, its file-to-file sibling (cp's
 * first choice), with both offsets either the files' own or the
 * caller's, and its own errors.
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
#define COPY_PATH	"/tmp/sendfile_copy"
#define SRC_SIZE	(3 * 4096 + 100)	/* more than a page, not a whole number of them */

static char src[SRC_SIZE], got[SRC_SIZE + 4096];

static long
sendfile_(int out, int in, long *offset, unsigned long count)
{
	return syscall(SYS_sendfile, out, in, offset, count);
}

static long
copy_range(int in, long *off_in, int out, long *off_out, unsigned long len, unsigned flags)
{
	return syscall(SYS_copy_file_range, in, off_in, out, off_out, len, flags);
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

/* copy_file_range from in (SRC_PATH, read-write) to a new file; pipe_in is a pipe's end. */
static void
test_copy_file_range(int in, int pipe_in)
{
	int out = open(COPY_PATH, O_RDWR | O_CREAT | O_TRUNC, 0644), ro, dir, proc, err;
	long off_in, off_out, n;

	lseek(in, 0, SEEK_SET);
	n = copy_range(in, NULL, out, NULL, SRC_SIZE + 1000, 0);
	tap_ok(n == SRC_SIZE && slurp(COPY_PATH) == SRC_SIZE && memcmp(got, src, SRC_SIZE) == 0 &&
	    lseek(in, 0, SEEK_CUR) == SRC_SIZE && lseek(out, 0, SEEK_CUR) == SRC_SIZE,
	    "copy_file_range: all of a file, to its end, both offsets advance (%ld)", n);
	tap_ok(copy_range(in, NULL, out, NULL, 100, 0) == 0, "copy_file_range at the input's end: 0");
	off_in = 4000;
	off_out = 100;
	n = copy_range(in, &off_in, out, &off_out, 200, 0);
	tap_ok(n == 200 && off_in == 4200 && off_out == 300 && lseek(in, 0, SEEK_CUR) == SRC_SIZE &&
	    lseek(out, 0, SEEK_CUR) == SRC_SIZE && slurp(COPY_PATH) == SRC_SIZE &&
	    memcmp(got + 100, src + 4000, 200) == 0 && memcmp(got, src, 100) == 0,
	    "copy_file_range with both offsets given: they move on, the files' own do not (%ld)", n);
	off_in = 0;
	off_out = 100;
	tap_ok(copy_range(out, &off_in, out, &off_out, 200, 0) == -1 && errno == EINVAL &&
	    copy_range(in, NULL, out, NULL, 10, 1) == -1 && errno == EINVAL &&
	    copy_range(pipe_in, NULL, out, NULL, 10, 0) == -1 && errno == EINVAL,
	    "copy_file_range: overlapping ranges of one file, unknown flags, a pipe -> EINVAL");
	dir = open("/tmp", O_RDONLY | O_DIRECTORY);
	tap_ok(copy_range(dir, NULL, out, NULL, 10, 0) == -1 && errno == EISDIR,
	    "copy_file_range from a directory -> EISDIR");
	ro = open(COPY_PATH, O_RDONLY);
	n = copy_range(in, NULL, ro, NULL, 10, 0);
	close(ro);
	ro = open(COPY_PATH, O_WRONLY | O_APPEND);
	tap_ok(n == -1 && errno == EBADF && copy_range(in, NULL, ro, NULL, 10, 0) == -1 &&
	    errno == EBADF && copy_range(999, NULL, out, NULL, 10, 0) == -1 && errno == EBADF,
	    "copy_file_range to a file not open for writing, or appending, or a bad fd -> EBADF");
	proc = open("/proc/self/status", O_RDONLY);
	off_in = -1;
	tap_ok(copy_range(proc, NULL, out, NULL, 10, 0) == -1 && errno == EXDEV,
	    "copy_file_range across file systems (/proc to /tmp) -> EXDEV");
	n = copy_range(in, &off_in, out, NULL, 10, 0);
	err = errno;
	off_in = -100;
	tap_ok(n == -1 && err == EOVERFLOW && copy_range(in, &off_in, out, NULL, 10, 0) == -1 &&
	    errno == EINVAL && copy_range(in, (long *)8, out, NULL, 10, 0) == -1 && errno == EFAULT,
	    "copy_file_range: an offset of -1 wraps -> EOVERFLOW, of -100 -> EINVAL, a bad offset "
	    "pointer -> EFAULT");
	close(proc);
	close(ro);
	close(dir);
	close(out);
	unlink(COPY_PATH);
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
	tap_plan(18);
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

	test_copy_file_range(in, fds[0]);
	close(fds[0]);
	close(fds[1]);
	close(in);
	close(out);
	unlink(SRC_PATH);
	unlink(DST_PATH);
	return tap_done();
}
