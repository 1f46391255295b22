/* mlock: locking ranges and whole address spaces, and RLIMIT_MEMLOCK. */
#include <errno.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

static int
resident(char *p, size_t npages)
{
	unsigned char vec[64];
	size_t i;

	if (npages > sizeof(vec) || mincore(p, npages * PGSZ, vec) < 0)
		return 0;
	for (i = 0; i < npages; i++) {
		if (!(vec[i] & 1))
			return 0;
	}
	return 1;
}

/* mlock makes the pages resident; munlock releases the lock. */
static void
test_lock(void)
{
	char *p = map_pages(4);
	long wired0 = vmstat_get("wired_pages"), wired1;

	tap_ok(mlock(p, 4 * PGSZ) == 0, "mlock 4 untouched pages");
	tap_ok(resident(p, 4), "locked pages are resident without a touch");
	wired1 = vmstat_get("wired_pages");
	tap_ok(p[0] == 0 && (p[PGSZ] = 3, p[PGSZ] == 3),
	    "locked pages read zero and are writable");
	tap_ok(munlock(p, 4 * PGSZ) == 0, "munlock");
	/* Our kernel counts wired pages in /proc/vmstat; Linux has no such line. */
	if (wired0 < 0)
		tap_skip("no wired_pages counter (not our kernel)");
	else
		tap_ok(wired1 == wired0 + 4 && vmstat_get("wired_pages") == wired0,
		    "wired_pages rose by 4 and fell back (%ld -> %ld -> %ld)", wired0, wired1,
		    vmstat_get("wired_pages"));
	tap_ok(mlock(p + 10, 10) == 0 && munlock(p + 10, 10) == 0,
	    "an unaligned range is rounded to pages");
	tap_ok(mlock(p, 0) == 0, "length 0 -> 0");
	munmap(p, 4 * PGSZ);
}

/* Locking what is not mapped fails. */
static void
test_errors(void)
{
	char *hole = unmapped_pages(2);

	tap_ok(mlock(hole, 2 * PGSZ) == -1 && errno == ENOMEM,
	    "mlock of an unmapped range -> ENOMEM");
	tap_ok(munlock(hole, 2 * PGSZ) == -1 && errno == ENOMEM,
	    "munlock of an unmapped range -> ENOMEM");
	tap_ok(mlockall(0) == -1 && errno == EINVAL, "mlockall(0) -> EINVAL");
}

/* A low RLIMIT_MEMLOCK refuses locking more (root on Linux bypasses it). */
static void
test_rlimit(void)
{
	struct rlimit old, low = { 2 * PGSZ, 0 };
	char *p = map_pages(8);

	getrlimit(RLIMIT_MEMLOCK, &old);
	low.rlim_max = old.rlim_max;
	tap_ok(setrlimit(RLIMIT_MEMLOCK, &low) == 0,
	    "set RLIMIT_MEMLOCK to two pages");
	if (getuid() == 0 && !vmstat_is_sable()) {
		tap_skip("root has CAP_IPC_LOCK on Linux");
	} else {
		tap_ok(mlock(p, 8 * PGSZ) == -1 && errno == ENOMEM,
		    "mlock of 8 pages over a 2-page limit -> ENOMEM");
	}
	tap_ok(mlock(p, PGSZ) == 0 && munlock(p, PGSZ) == 0,
	    "mlock of one page within the limit");
	setrlimit(RLIMIT_MEMLOCK, &old);
	munmap(p, 8 * PGSZ);
}

/* mlockall locks current mappings and, with MCL_FUTURE, new ones too. */
static void
test_lockall(void)
{
	char *p;

	tap_ok(mlockall(MCL_CURRENT | MCL_FUTURE) == 0,
	    "mlockall(MCL_CURRENT | MCL_FUTURE)");
	p = map_pages(4);
	tap_ok(p != NULL && resident(p, 4),
	    "with MCL_FUTURE a new mapping is resident at once");
	tap_ok(munlockall() == 0, "munlockall");
	if (p != NULL)
		munmap(p, 4 * PGSZ);
}

/*
 * A wired page that copy-on-write replaces hands its wiring to the copy:
 * in a child sharing a page with its parent, lock it read-only, make it
 * writable and write (a copy), unlock: nothing may stay wired, and the
 * parent's exit, which collapses the shared object, must find no wired
 * page.  Also, faulting a wired page again must not wire it twice.
 */
static void
test_wired_cow(void)
{
	char *p = map_pages(2);
	long wired0 = vmstat_get("wired_pages");
	int st = -1;
	pid_t pid;

	p[0] = 'p';
	pid = fork();
	if (pid == 0) {
		int bad = mprotect(p, 2 * PGSZ, PROT_READ) != 0 ||
		    mlock(p, 2 * PGSZ) != 0 ||
		    mprotect(p, 2 * PGSZ, PROT_READ | PROT_WRITE) != 0;

		p[0] = 'c';		/* copy-on-write of a wired page */
		p[PGSZ] = 'd';		/* a second fault on a wired page */
		bad |= munlock(p, 2 * PGSZ) != 0;
		if (wired0 >= 0 && vmstat_get("wired_pages") != wired0)
			bad = 1;
		_exit(bad || p[0] != 'c');
	}
	waitpid(pid, &st, 0);
	tap_ok(st == 0 && p[0] == 'p',
	    "copy-on-write of a locked page: the copy is private and nothing stays wired");
	munmap(p, 2 * PGSZ);
}

/*
 * fork copies a locked private page for the child at once (it cannot be
 * shared copy-on-write): the copy comes from the memory, not from the
 * page tables, so a locked page made PROT_NONE (no translation) is copied
 * too.
 */
static void
test_fork_locked_none(void)
{
	char *p = map_pages(2);
	int st = -1;
	pid_t pid;

	tap_ok(mlock(p, 2 * PGSZ) == 0, "mlock two pages");
	p[0] = 'D';
	p[PGSZ] = 'E';
	tap_ok(mprotect(p, 2 * PGSZ, PROT_NONE) == 0, "make the locked pages PROT_NONE");
	pid = fork();
	if (pid == 0)
		_exit(mprotect(p, 2 * PGSZ, PROT_READ) != 0 || p[0] != 'D' || p[PGSZ] != 'E');
	waitpid(pid, &st, 0);
	tap_ok(st == 0, "the child sees the locked PROT_NONE pages' contents (status %#x)", st);
	tap_ok(mprotect(p, 2 * PGSZ, PROT_READ) == 0 && p[0] == 'D' && p[PGSZ] == 'E',
	    "and so does the parent");
	munlock(p, 2 * PGSZ);
	munmap(p, 2 * PGSZ);
}

/* Locking PROT_NONE memory fails with ENOMEM, as on Linux, and unmaps nothing. */
static void
test_lock_none(void)
{
	char *p = map_pages(3);

	p[0] = 'a';
	mprotect(p + PGSZ, PGSZ, PROT_NONE);
	tap_ok(mlock(p + PGSZ, PGSZ) == -1 && errno == ENOMEM, "mlock of a PROT_NONE page -> ENOMEM");
	tap_ok(mlock(p, 3 * PGSZ) == -1 && errno == ENOMEM,
	    "mlock of a range with a PROT_NONE page inside -> ENOMEM");
	tap_ok(mprotect(p, 3 * PGSZ, PROT_READ | PROT_WRITE) == 0 && p[0] == 'a' &&
	    (p[PGSZ] = 'b', p[2 * PGSZ] = 'c', p[PGSZ] == 'b'),
	    "the range stays mapped, contents kept");
	munlock(p, 3 * PGSZ);
	munmap(p, 3 * PGSZ);
}

int
main(void)
{
	tap_plan(24);
	test_lock();
	test_errors();
	test_rlimit();
	test_lockall();
	test_wired_cow();
	test_fork_locked_none();
	test_lock_none();
	return tap_done();
}
