/*
 * fallocate: space for a file's range, as Linux's tmpfs gives it (the
 * test's files are in /dev/shm: tmpfs on Linux, ramfs here): allocation
 * that grows the file and shows in st_blocks, FALLOC_FL_KEEP_SIZE, a
 * punched hole that reads as zeros and gives its pages back, and the
 * errors in Linux's order.
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

#define FALLOC_FL_KEEP_SIZE		0x01
#define FALLOC_FL_PUNCH_HOLE		0x02
#define FALLOC_FL_COLLAPSE_RANGE	0x08
#define FALLOC_FL_ZERO_RANGE		0x10

#define FILE_PATH	"/dev/shm/fallocate_test"

static int
falloc(int fd, int mode, long off, long len)
{
	return (int)syscall(SYS_fallocate, fd, mode, off, len);
}

static struct stat
stat_of(int fd)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	fstat(fd, &st);
	return st;
}

/* Are the n bytes at off all c? */
static int
bytes_are(int fd, long off, size_t n, char c)
{
	char buf[4096];

	while (n > 0) {
		size_t k = n < sizeof(buf) ? n : sizeof(buf);

		if (pread(fd, buf, k, off) != (ssize_t)k)
			return 0;
		for (size_t i = 0; i < k; i++)
			if (buf[i] != c)
				return 0;
		n -= k;
		off += (long)k;
	}
	return 1;
}

static void
test_allocate(int fd)
{
	long size = 3 * (long)PGSZ + 100;
	struct stat st;

	int r = falloc(fd, 0, 0, size);

	st = stat_of(fd);
	tap_ok(r == 0 && st.st_size == size && st.st_blocks >= 4 * (long)PGSZ / 512 &&
	    bytes_are(fd, 0, (size_t)size, 0),
	    "mode 0: the file grows to the range's end, with its blocks, reading zeros "
	    "(size %ld, %ld blocks)", (long)st.st_size, (long)st.st_blocks);
	tap_ok(falloc(fd, FALLOC_FL_KEEP_SIZE, size, 4 * (long)PGSZ) == 0 &&
	    stat_of(fd).st_size == size, "FALLOC_FL_KEEP_SIZE past the end: the size stays");
	tap_ok(falloc(fd, 0, PGSZ, 10) == 0 && stat_of(fd).st_size == size,
	    "a range inside the file changes nothing");
}

static void
test_punch(int fd)
{
	char page[4096];
	long blocks;

	memset(page, 'x', sizeof(page));
	for (int i = 0; i < 4; i++)
		pwrite(fd, page, sizeof(page), (long)i * (long)PGSZ);
	blocks = stat_of(fd).st_blocks;
	tap_ok(falloc(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, PGSZ / 2, 2 * (long)PGSZ) == 0 &&
	    bytes_are(fd, 0, PGSZ / 2, 'x') && bytes_are(fd, PGSZ / 2, 2 * PGSZ, 0) &&
	    bytes_are(fd, PGSZ / 2 + 2 * PGSZ, PGSZ / 2, 'x') &&
	    stat_of(fd).st_size == 4 * (long)PGSZ,
	    "a punched hole reads as zeros, the bytes around it stay, the size too");
	tap_ok(stat_of(fd).st_blocks <= blocks - (long)PGSZ / 512,
	    "the page wholly inside the hole is given back (%ld -> %ld blocks)", blocks,
	    (long)stat_of(fd).st_blocks);
	tap_ok(falloc(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 10 * (long)PGSZ, PGSZ) == 0 &&
	    stat_of(fd).st_size == 4 * (long)PGSZ, "a hole past the end: nothing to do");
}

static void
test_errors(int fd)
{
	int ro = open(FILE_PATH, O_RDONLY), null = open("/dev/null", O_WRONLY), pipes[2];

	pipe(pipes);
	tap_ok(falloc(fd, 0, 0, 0) == -1 && errno == EINVAL &&
	    falloc(fd, 0, -1, 10) == -1 && errno == EINVAL, "a range of 0 or from < 0 -> EINVAL");
	tap_ok(falloc(fd, FALLOC_FL_PUNCH_HOLE, 0, 10) == -1 && errno == EOPNOTSUPP,
	    "PUNCH_HOLE without KEEP_SIZE -> EOPNOTSUPP");
	tap_ok(falloc(fd, 0x100, 0, 10) == -1 && errno == EOPNOTSUPP, "an unknown mode -> EOPNOTSUPP");
	tap_ok(falloc(fd, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, PGSZ) == -1 &&
	    errno == EOPNOTSUPP && falloc(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE |
	    FALLOC_FL_KEEP_SIZE, 0, PGSZ) == -1 && errno == EOPNOTSUPP,
	    "COLLAPSE_RANGE with KEEP_SIZE, two modes at once -> EOPNOTSUPP");
	tap_ok(falloc(fd, FALLOC_FL_ZERO_RANGE, 0, 10) == -1 && errno == EOPNOTSUPP,
	    "ZERO_RANGE: tmpfs has none -> EOPNOTSUPP");
	tap_ok(falloc(ro, 0, 0, 10) == -1 && errno == EBADF, "a descriptor not open for writing "
	    "-> EBADF");
	tap_ok(falloc(pipes[1], 0, 0, 10) == -1 && errno == ESPIPE, "a pipe -> ESPIPE");
	tap_ok(falloc(null, 0, 0, 10) == -1 && errno == ENODEV, "a device -> ENODEV");
	tap_ok(falloc(fd, 0, 0x7fffffffffffff00L, 0x1000) == -1 && errno == EFBIG,
	    "a range past the largest offset -> EFBIG");
	close(ro);
	close(null);
	close(pipes[0]);
	close(pipes[1]);
}

int
main(void)
{
	int fd = open(FILE_PATH, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0) {
		tap_skip_all("cannot create %s", FILE_PATH);
		return tap_done();
	}
	tap_plan(15);
	test_allocate(fd);
	test_punch(fd);
	test_errors(fd);
	close(fd);
	unlink(FILE_PATH);
	return tap_done();
}
