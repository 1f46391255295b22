/*
 * file_map: shared and private file mappings, coherence with read/write,
 * EOF.  Its files go in TEST_DIR (default /tmp); ext2_files runs it on a
 * disk too.
 */
#include <errno.h>
#include <fcntl.h>
#include <probe.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define FILE_PAGES 2
#define RW (PROT_READ | PROT_WRITE)

static const char *path;

static char
pattern(size_t i)
{
	return (char)('a' + i % 26);
}

/* Creates the test file: FILE_PAGES pages of pattern(). */
static int
make_file(void)
{
	static char buf[FILE_PAGES * PGSZ];
	size_t i;
	int fd;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = pattern(i);
	if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
		close(fd);
		return -1;
	}
	return fd;
}

static char
file_byte(int fd, off_t off)
{
	char c = 0;

	lseek(fd, off, SEEK_SET);
	read(fd, &c, 1);
	return c;
}

static int
matches_file(const char *p, size_t off, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i] != pattern(off + i))
			return 0;
	}
	return 1;
}

/* Shared and private mappings start with the file's contents. */
static void
test_contents(int fd, char *sh, char *pr)
{
	char *off;

	tap_ok(sh != MAP_FAILED && matches_file(sh, 0, FILE_PAGES * PGSZ),
	    "MAP_SHARED mapping shows the file");
	tap_ok(pr != MAP_FAILED && matches_file(pr, 0, FILE_PAGES * PGSZ),
	    "MAP_PRIVATE mapping shows the file");
	off = mmap(NULL, PGSZ, PROT_READ, MAP_SHARED, fd, PGSZ);
	tap_ok(off != MAP_FAILED && matches_file(off, PGSZ, PGSZ),
	    "a mapping at offset one page shows the second page");
	if (off != MAP_FAILED)
		munmap(off, PGSZ);
}

/* Private writes stay private; shared writes reach the file. */
static void
test_writes(int fd, char *sh, char *pr)
{
	pr[0] = 'X';
	tap_ok(pr[0] == 'X' && file_byte(fd, 0) == pattern(0) &&
	    sh[0] == pattern(0),
	    "a MAP_PRIVATE write changes neither the file nor MAP_SHARED");
	sh[1] = 'Y';
	tap_ok(file_byte(fd, 1) == 'Y', "read() sees a MAP_SHARED write");
	lseek(fd, 2, SEEK_SET);
	write(fd, "Z", 1);
	tap_ok(sh[2] == 'Z', "MAP_SHARED sees a write()");
	tap_ok(msync(sh, FILE_PAGES * PGSZ, MS_SYNC) == 0 &&
	    msync(sh, FILE_PAGES * PGSZ, MS_ASYNC | MS_INVALIDATE) == 0,
	    "msync of a shared file mapping");
	tap_ok(msync(sh, PGSZ, MS_SYNC) == 0 && msync(sh + PGSZ, PGSZ, MS_INVALIDATE) == 0,
	    "msync of a part of it: its first page, its last");
}

/* A child's writes to a shared file mapping reach the parent. */
static void
test_fork(int fd, char *sh)
{
	pid_t pid;
	int st;

	pid = fork();
	if (pid == 0) {
		sh[PGSZ] = 'F';
		_exit(0);
	}
	waitpid(pid, &st, 0);
	tap_ok(st == 0 && sh[PGSZ] == 'F' && file_byte(fd, PGSZ) == 'F',
	    "the parent and the file see the child's shared write");
}

/* Permission and alignment checks. */
static void
test_errors(void)
{
	int ro = open(path, O_RDONLY);
	char *p;

	p = mmap(NULL, PGSZ, RW, MAP_SHARED, ro, 0);
	tap_ok(p == MAP_FAILED && errno == EACCES,
	    "writable MAP_SHARED of a read-only fd -> EACCES");
	p = mmap(NULL, PGSZ, RW, MAP_PRIVATE, ro, 0);
	tap_ok(p != MAP_FAILED && (p[0] = '!', p[0] == '!'),
	    "writable MAP_PRIVATE of a read-only fd is allowed");
	if (p != MAP_FAILED)
		munmap(p, PGSZ);
	p = mmap(NULL, PGSZ, PROT_READ, MAP_SHARED, ro, 100);
	tap_ok(p == MAP_FAILED && errno == EINVAL,
	    "offset not page-aligned -> EINVAL");
	p = mmap(NULL, PGSZ, PROT_READ, MAP_SHARED, ro, 0);
	tap_ok(p != MAP_FAILED && mprotect(p, PGSZ, PROT_READ | PROT_WRITE) == -1 &&
	    errno == EACCES, "MAP_SHARED of a read-only fd cannot be made writable (EACCES)");
	if (p != MAP_FAILED)
		munmap(p, PGSZ);
	close(ro);
}

/* Past the end of the file: zeros in the last page, SIGBUS beyond it. */
static void
test_eof(int fd)
{
	struct fault f;
	struct stat st;
	char *p;

	ftruncate(fd, PGSZ + 100);
	p = mmap(NULL, 3 * PGSZ, RW, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		tap_ok(0, "map 3 pages of a 1-page-and-a-bit file");
		return;
	}
	tap_ok(p[PGSZ + 99] == pattern(PGSZ + 99) && p[PGSZ + 100] == 0 &&
	    p[2 * PGSZ - 1] == 0,
	    "the last page reads zeros past EOF");
	p[PGSZ + 200] = 'e';
	tap_ok(fstat(fd, &st) == 0 && st.st_size == PGSZ + 100,
	    "a write past EOF in the last page does not grow the file");
	probe_read(p + 2 * PGSZ + 8, &f);
	tap_ok(f.signo == SIGBUS && f.code == BUS_ADRERR &&
	    f.addr == p + 2 * PGSZ + 8,
	    "a page wholly past EOF: SIGBUS BUS_ADRERR at the address "
	    "(%d %d %p)", f.signo, f.code, f.addr);
	ftruncate(fd, 0);
	tap_ok(probe_read(p, NULL) == SIGBUS,
	    "after truncating to 0 the first page gives SIGBUS");
	munmap(p, 3 * PGSZ);
}

/* The mapping outlives the descriptor and the name. */
static void
test_lifetime(void)
{
	int fd = make_file();
	char *p = mmap(NULL, PGSZ, RW, MAP_SHARED, fd, 0);

	close(fd);
	unlink(path);
	tap_ok(p != MAP_FAILED && matches_file(p, 0, PGSZ) &&
	    (p[0] = 'L', p[0] == 'L'),
	    "mapping usable after close() and unlink()");
	if (p != MAP_FAILED)
		munmap(p, PGSZ);
}

int
main(void)
{
	int fd;
	char *sh, *pr;

	tap_plan(21);
	if (test_dir_make("file_map") != 0)
		return tap_done();
	path = tpath("file");
	fd = make_file();
	if (!tap_ok(fd >= 0, "create a %d-page file in %s",
	    FILE_PAGES, test_dir())) {
		tap_done();
		return 1;
	}
	sh = mmap(NULL, FILE_PAGES * PGSZ, RW, MAP_SHARED, fd, 0);
	pr = mmap(NULL, FILE_PAGES * PGSZ, RW, MAP_PRIVATE, fd, 0);
	test_contents(fd, sh, pr);
	test_writes(fd, sh, pr);
	test_fork(fd, sh);
	test_errors();
	munmap(sh, FILE_PAGES * PGSZ);
	munmap(pr, FILE_PAGES * PGSZ);
	test_eof(fd);
	close(fd);
	unlink(path);
	test_lifetime();
	tap_ok(rmdir(test_dir()) == 0, "the test directory is empty at the end");
	tap_vm_consistent("file mappings");
	return tap_done();
}
