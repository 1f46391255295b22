/* madvise: discarding pages, and what a fork child inherits. */
#include <errno.h>
#include <fcntl.h>
#include <probe.h>
#include <stdio.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define QEMU_IGNORES "qemu-user 7 ignores this madvise advice"

static int qemu;

/* MADV_DONTNEED on private anonymous memory: the pages read zero again. */
static void
test_dontneed_private(void)
{
	char *p = map_pages(4);

	p[0] = 1;
	p[3 * PGSZ] = 2;
	tap_ok(madvise(p, 4 * PGSZ, MADV_DONTNEED) == 0, "MADV_DONTNEED -> 0");
	tap_ok(p[0] == 0 && p[3 * PGSZ] == 0,
	    "private anon pages read zero after MADV_DONTNEED");
	tap_ok((p[0] = 5, p[0] == 5), "and can be written again");
	munmap(p, 4 * PGSZ);
}

/* On shared anonymous memory the data lives on in the shared object. */
static void
test_dontneed_shared(void)
{
	char *p = mmap(NULL, 2 * PGSZ, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	p[0] = 9;
	tap_ok(madvise(p, 2 * PGSZ, MADV_DONTNEED) == 0 && p[0] == 9,
	    "shared anon pages keep their data after MADV_DONTNEED");
	munmap(p, 2 * PGSZ);
}

/* Hints that need not change contents are accepted. */
static void
test_hints(void)
{
	char *p = map_pages(4);

	p[0] = 4;
	tap_ok(madvise(p, 4 * PGSZ, MADV_WILLNEED) == 0 && p[0] == 4,
	    "MADV_WILLNEED -> 0, data kept");
	tap_ok(madvise(p, 4 * PGSZ, MADV_NORMAL) == 0 &&
	    madvise(p, 4 * PGSZ, MADV_SEQUENTIAL) == 0 &&
	    madvise(p, 4 * PGSZ, MADV_RANDOM) == 0,
	    "MADV_NORMAL, MADV_SEQUENTIAL, MADV_RANDOM -> 0");
	tap_ok(madvise(p, 4 * PGSZ, MADV_FREE) == 0 && (p[0] == 4 || p[0] == 0),
	    "MADV_FREE -> 0, data either kept or zero");
	tap_ok((p[0] = 6, p[0] == 6), "a write after MADV_FREE sticks");
	munmap(p, 4 * PGSZ);
}

static int
child_touch(void *arg)
{
	struct fault f;

	probe_read(arg, &f);
	return f.signo == SIGSEGV ? 11 : *(char *)arg;
}

/* MADV_DONTFORK: the child has no mapping there; MADV_DOFORK undoes it. */
static void
test_dontfork(void)
{
	char *p = map_pages(2);
	int st;

	p[0] = 'p';
	tap_ok(madvise(p, 2 * PGSZ, MADV_DONTFORK) == 0, "MADV_DONTFORK -> 0");
	st = run_child(child_touch, p);
	if (qemu)
		tap_skip(QEMU_IGNORES);
	else
		tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 11,
		    "the child faults on a DONTFORK range (status %#x)", st);
	tap_ok(p[0] == 'p', "the parent keeps it");
	madvise(p, 2 * PGSZ, MADV_DOFORK);
	st = run_child(child_touch, p);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 'p',
	    "after MADV_DOFORK the child inherits it again");
	munmap(p, 2 * PGSZ);
}

static int
child_read(void *arg)
{
	return *(char *)arg;
}

/* MADV_WIPEONFORK: the child sees zeros; KEEPONFORK restores inheritance. */
/* madvise(MADV_WIPEONFORK) on a private mapping of a file: its errno, or 0. */
static int
wipeonfork_of_private_file(void)
{
	char name[64], *p;
	int fd, r;

	snprintf(name, sizeof(name), "/tmp/madvise.%d", getpid());
	fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	unlink(name);
	if (fd < 0 || ftruncate(fd, PGSZ) != 0)
		return -1;
	p = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	r = madvise(p, PGSZ, MADV_WIPEONFORK) == 0 ? 0 : errno;
	munmap(p, PGSZ);
	return r;
}

static void
test_wipeonfork(void)
{
	char *p = map_pages(2);
	char *s = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int st;

	p[PGSZ] = 'w';
	tap_ok(madvise(p, 2 * PGSZ, MADV_WIPEONFORK) == 0,
	    "MADV_WIPEONFORK -> 0");
	st = run_child(child_read, p + PGSZ);
	if (qemu)
		tap_skip(QEMU_IGNORES);
	else
		tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "the child reads zero from a WIPEONFORK range");
	tap_ok(p[PGSZ] == 'w', "the parent keeps its data");
	madvise(p, 2 * PGSZ, MADV_KEEPONFORK);
	st = run_child(child_read, p + PGSZ);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 'w',
	    "after MADV_KEEPONFORK the child sees the data");
	if (qemu)
		tap_skip(QEMU_IGNORES);
	else
		tap_ok(madvise(s, PGSZ, MADV_WIPEONFORK) == -1 &&
		    errno == EINVAL,
		    "MADV_WIPEONFORK on shared memory -> EINVAL");
	munmap(p, 2 * PGSZ);
	munmap(s, PGSZ);
	/* Nor on a private file mapping: only private anonymous memory. */
	if (qemu)
		tap_skip(QEMU_IGNORES);
	else
		tap_ok(wipeonfork_of_private_file() == EINVAL,
		    "MADV_WIPEONFORK on a private file mapping -> EINVAL");
}

/* Argument checks. */
static void
test_errors(void)
{
	char *p = map_pages(1);

	tap_ok(madvise(p + 1, PGSZ, MADV_NORMAL) == -1 && errno == EINVAL,
	    "unaligned address -> EINVAL");
	if (qemu) {
		tap_skip(QEMU_IGNORES);
		tap_skip(QEMU_IGNORES);
	} else {
		tap_ok(madvise(p, PGSZ, 9999) == -1 && errno == EINVAL,
		    "unknown advice -> EINVAL");
		tap_ok(madvise(unmapped_pages(2), 2 * PGSZ, MADV_WILLNEED) ==
		    -1 && errno == ENOMEM, "unmapped range -> ENOMEM");
	}
	munmap(p, PGSZ);
}

int
main(void)
{
	qemu = under_qemu_user();
	tap_plan(22);
	test_dontneed_private();
	test_dontneed_shared();
	test_hints();
	test_dontfork();
	test_wipeonfork();
	test_errors();
	tap_vm_consistent("madvise");
	return tap_done();
}
