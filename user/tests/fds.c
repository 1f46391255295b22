/*
 * fds: whole ranges of descriptors (close_range, as glibc's closefrom and
 * Python's subprocess use it) and what /proc/self/fd says each one is
 * (readlink: a file's absolute path, " (deleted)" once it is removed, a
 * directory's path, "pipe:[INODE]").
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define CLOSE_RANGE_UNSHARE	(1U << 1)
#define CLOSE_RANGE_CLOEXEC	(1U << 2)

static long
close_range(unsigned int first, unsigned int last, unsigned int flags)
{
	return syscall(SYS_close_range, first, last, flags);
}

static int
is_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* fds[0..n) are n new descriptors on /dev/null, in ascending order. */
static void
open_some(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		fds[i] = open("/dev/null", O_RDONLY);
}

static void
test_close_range(void)
{
	int fds[6];

	open_some(fds, 6);
	tap_ok(close_range((unsigned)fds[1], (unsigned)fds[3], 0) == 0 && is_open(fds[0]) &&
	    !is_open(fds[1]) && !is_open(fds[2]) && !is_open(fds[3]) && is_open(fds[4]) &&
	    is_open(fds[5]), "close_range closes exactly [first, last]");
	tap_ok(close_range((unsigned)fds[4], ~0U, 0) == 0 && !is_open(fds[4]) && !is_open(fds[5]) &&
	    is_open(fds[0]), "close_range(first, ~0U) closes everything from first (closefrom)");
	close(fds[0]);
	open_some(fds, 3);
	tap_ok(close_range((unsigned)fds[0], (unsigned)fds[2], CLOSE_RANGE_CLOEXEC) == 0 &&
	    fcntl(fds[0], F_GETFD) == FD_CLOEXEC && fcntl(fds[2], F_GETFD) == FD_CLOEXEC,
	    "CLOSE_RANGE_CLOEXEC marks them close-on-exec and leaves them open");
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	tap_ok(close_range(10, 5, 0) == -1 && errno == EINVAL, "first > last -> EINVAL");
	tap_ok(close_range(3, 4, 1U << 7) == -1 && errno == EINVAL, "an unknown flag -> EINVAL");
	tap_ok(close_range(1U << 30, ~0U, 0) == 0, "a range past every descriptor: nothing to do");
	open_some(fds, 2);
	tap_ok(close_range((unsigned)fds[0], (unsigned)fds[1], CLOSE_RANGE_UNSHARE) == 0 &&
	    !is_open(fds[0]) && !is_open(fds[1]), "CLOSE_RANGE_UNSHARE in a single thread");
}

/* readlink of /proc/self/fd/fd, NUL-terminated, in buf; or "" */
static const char *
fd_link(int fd, char *buf, size_t size)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, size - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void
test_fd_links(void)
{
	char buf[256], want[64], exe[256];
	int fd, dir, pipes[2];
	struct stat st;
	ssize_t n;

	/* (First: qemu-user finds its /proc/self/exe from the directory it started in.) */
	fd = open("/proc/self/exe", O_RDONLY);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	tap_ok(n > 0 && strcmp(fd_link(fd, buf, sizeof(buf)), exe) == 0,
	    "opened through /proc/self/exe: the program's path (%s)", buf);
	close(fd);
	chdir("/tmp");
	fd = open("fds_file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	chdir("/");
	tap_ok(strcmp(fd_link(fd, buf, sizeof(buf)), "/tmp/fds_file") == 0,
	    "a file opened by a relative path: its absolute path (%s)", buf);
	unlink("/tmp/fds_file");
	tap_ok(strcmp(fd_link(fd, buf, sizeof(buf)), "/tmp/fds_file (deleted)") == 0,
	    "once removed: (deleted) after it (%s)", buf);
	close(fd);
	dir = open("/proc/../tmp", O_RDONLY | O_DIRECTORY);
	tap_ok(strcmp(fd_link(dir, buf, sizeof(buf)), "/tmp") == 0, "a directory: its path (%s)",
	    buf);
	close(dir);
	symlink("fds_target", "/tmp/fds_link");
	fd = open("/tmp/fds_link", O_RDWR | O_CREAT, 0644);
	tap_ok(strcmp(fd_link(fd, buf, sizeof(buf)), "/tmp/fds_target") == 0,
	    "opened through a symbolic link: the file's path, not the link's (%s)", buf);
	close(fd);
	unlink("/tmp/fds_link");
	unlink("/tmp/fds_target");
	fd = open("/dev/null", O_WRONLY);
	tap_ok(strcmp(fd_link(fd, buf, sizeof(buf)), "/dev/null") == 0, "a device: %s", buf);
	close(fd);
	pipe(pipes);
	fstat(pipes[0], &st);
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)st.st_ino);
	tap_ok(strcmp(fd_link(pipes[0], buf, sizeof(buf)), want) == 0 &&
	    strcmp(fd_link(pipes[1], want, sizeof(want)), buf) == 0,
	    "a pipe: pipe:[its inode], the same at both ends (%s)", buf);
	close(pipes[0]);
	close(pipes[1]);
	tap_ok(readlink("/proc/self/fd/1000", buf, sizeof(buf)) == -1 && errno == ENOENT,
	    "a closed descriptor has no link");
}

int
main(void)
{
	tap_plan(15);
	test_close_range();
	test_fd_links();
	return tap_done();
}
