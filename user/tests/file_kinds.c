/*
 * file_kinds: each kind of open file -- a pipe, a regular file, a
 * directory, a device -- answers the calls every descriptor takes (read,
 * pread, lseek, ioctl, fstat, mmap, fsync, getdents) in its own way, with
 * Linux's errno where it cannot.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

static int
fionread(int fd)
{
	int n = -1;

	return ioctl(fd, FIONREAD, &n) == 0 ? n : -errno;
}

/* Does fd refuse to be mapped with ENODEV? */
static int
unmappable(int fd)
{
	void *p = mmap(NULL, PGSZ, PROT_READ, MAP_PRIVATE, fd, 0);

	if (p != MAP_FAILED)
		munmap(p, PGSZ);
	return p == MAP_FAILED && errno == ENODEV;
}

static int
enotdir_getdents(int fd)
{
	char buf[256];

	return getdents64(fd, buf, sizeof(buf)) == -1 && errno == ENOTDIR;
}

static void
test_pipe(void)
{
	char buf[8], termios[64];
	struct stat st;
	int fds[2];

	if (!tap_ok(pipe(fds) == 0 && write(fds[1], "hello", 5) == 5, "pipe: made, 5 bytes in"))
		return;
	tap_ok(fionread(fds[0]) == 5, "pipe: FIONREAD counts the bytes waiting");
	tap_ok(lseek(fds[0], 0, SEEK_CUR) == -1 && errno == ESPIPE, "pipe: lseek -> ESPIPE");
	tap_ok(pread(fds[0], buf, 1, 0) == -1 && errno == ESPIPE, "pipe: pread -> ESPIPE");
	tap_ok(pread(fds[1], buf, 1, 0) == -1 && errno == ESPIPE,
	    "pipe: pread of the write end -> ESPIPE before EBADF");
	tap_ok(fstat(fds[0], &st) == 0 && S_ISFIFO(st.st_mode), "pipe: fstat is a FIFO");
	tap_ok(unmappable(fds[0]), "pipe: mmap -> ENODEV");
	tap_ok(fsync(fds[1]) == -1 && errno == EINVAL, "pipe: fsync -> EINVAL");
	tap_ok(ftruncate(fds[1], 0) == -1 && errno == EINVAL, "pipe: ftruncate -> EINVAL");
	tap_ok(ioctl(fds[0], TCGETS, termios) == -1 && errno == ENOTTY, "pipe: TCGETS -> ENOTTY");
	tap_ok(enotdir_getdents(fds[0]), "pipe: getdents64 -> ENOTDIR");
	tap_ok(read(fds[0], buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0,
	    "pipe: the bytes are still all there");
	close(fds[0]);
	close(fds[1]);
}

static void
test_regular(void)
{
	char path[64], buf[8], termios[64];
	struct stat st;
	char *p;
	int fd;

	snprintf(path, sizeof(path), "/tmp/file_kinds.%d", getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (!tap_ok(fd >= 0 && write(fd, "0123456789", 10) == 10, "file: made, 10 bytes in"))
		return;
	unlink(path);
	tap_ok(lseek(fd, 3, SEEK_SET) == 3 && fionread(fd) == 7,
	    "file: FIONREAD counts the bytes after the offset");
	tap_ok(pread(fd, buf, 4, 8) == 2 && memcmp(buf, "89", 2) == 0 &&
	    lseek(fd, 0, SEEK_CUR) == 3, "file: pread reads at its position, not the offset");
	tap_ok(lseek(fd, 0, SEEK_END) == 10, "file: lseek SEEK_END is the size");
	tap_ok(fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 10,
	    "file: fstat is a regular file of 10 bytes");
	p = mmap(NULL, PGSZ, PROT_READ, MAP_SHARED, fd, 0);
	tap_ok(p != MAP_FAILED && memcmp(p, "0123", 4) == 0, "file: mmap maps the contents");
	if (p != MAP_FAILED)
		munmap(p, PGSZ);
	tap_ok(fsync(fd) == 0, "file: fsync -> 0");
	tap_ok(ioctl(fd, TCGETS, termios) == -1 && errno == ENOTTY, "file: TCGETS -> ENOTTY");
	tap_ok(enotdir_getdents(fd), "file: getdents64 -> ENOTDIR");
	close(fd);
}

static void
test_directory(void)
{
	char buf[512];
	struct stat st;
	int fd = open("/tmp", O_RDONLY | O_DIRECTORY);

	if (!tap_ok(fd >= 0, "directory: opened"))
		return;
	tap_ok(read(fd, buf, sizeof(buf)) == -1 && errno == EISDIR, "directory: read -> EISDIR");
	tap_ok(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode), "directory: fstat is a directory");
	tap_ok(getdents64(fd, buf, sizeof(buf)) > 0, "directory: getdents64 lists entries");
	tap_ok(unmappable(fd), "directory: mmap -> ENODEV");
	tap_ok(fionread(fd) == -ENOTTY, "directory: FIONREAD -> ENOTTY");
	close(fd);
}

static void
test_devices(void)
{
	char buf[8] = "xxxxxxx";
	struct stat st;
	int zero = open("/dev/zero", O_RDWR), null = open("/dev/null", O_RDWR);
	char *p;

	if (!tap_ok(zero >= 0 && null >= 0, "devices: /dev/zero and /dev/null opened"))
		return;
	tap_ok(read(zero, buf, sizeof(buf)) == sizeof(buf) && buf[0] == 0 && buf[7] == 0,
	    "/dev/zero: reads zeros");
	tap_ok(fstat(zero, &st) == 0 && S_ISCHR(st.st_mode), "/dev/zero: fstat is a character device");
	tap_ok(fionread(zero) == -ENOTTY, "/dev/zero: FIONREAD -> ENOTTY");
	p = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED, zero, 0);
	tap_ok(p != MAP_FAILED && p[0] == 0 && (p[1] = 1) == 1, "/dev/zero: mmap maps zeroed memory");
	if (p != MAP_FAILED)
		munmap(p, PGSZ);
	tap_ok(read(null, buf, sizeof(buf)) == 0 && write(null, "abc", 3) == 3,
	    "/dev/null: reads end of file, swallows writes");
	tap_ok(unmappable(null), "/dev/null: mmap -> ENODEV");
	close(zero);
	close(null);
}

int
main(void)
{
	tap_plan(34);
	test_pipe();
	test_regular();
	test_directory();
	test_devices();
	return tap_done();
}
