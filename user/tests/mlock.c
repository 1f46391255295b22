/* mlock: locking ranges and whole address spaces, and RLIMIT_MEMLOCK. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <uthread.h>
#include <vmstat.h>

#define NOBODY	65534		/* a uid that is not root */

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

/* In a child that is not root: mlock over a two-page limit must fail. */
static int
unprivileged_lock(void *arg)
{
	char *p = arg;

	if (setuid(NOBODY) != 0 || getuid() != NOBODY)
		return 2;
	return mlock(p, 8 * PGSZ) == -1 && errno == ENOMEM ? 0 : 1;
}

/*
 * A low RLIMIT_MEMLOCK refuses locking more, except to root, which Linux
 * treats as holding CAP_IPC_LOCK.
 */
static void
test_rlimit(void)
{
	struct rlimit old, low = { 2 * PGSZ, 0 };
	char *p = map_pages(8);
	int st;

	getrlimit(RLIMIT_MEMLOCK, &old);
	low.rlim_max = old.rlim_max;
	tap_ok(setrlimit(RLIMIT_MEMLOCK, &low) == 0,
	    "set RLIMIT_MEMLOCK to two pages");
	if (getuid() != 0) {
		tap_skip("not root");
		tap_ok(mlock(p, 8 * PGSZ) == -1 && errno == ENOMEM,
		    "mlock of 8 pages over a 2-page limit -> ENOMEM");
	} else {
		tap_ok(mlock(p, 8 * PGSZ) == 0 && munlock(p, 8 * PGSZ) == 0,
		    "root may lock 8 pages over a 2-page limit");
		st = run_child(unprivileged_lock, p);
		tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		    "a process that is not root may not (ENOMEM; status %#x)", st);
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

/* wired_pages is back at want (our kernel; Linux has no such counter). */
static void
wired_back(long want, const char *what)
{
	long now = vmstat_get("wired_pages");

	if (want < 0)
		tap_skip("no wired_pages counter (not our kernel)");
	else
		tap_ok(now == want, "%s: wired_pages back at %ld (%ld)", what, want, now);
}

/*
 * Two threads lock and unlock one range at once, while a third replaces
 * it (mmap MAP_FIXED): each mlock faults the range in with the map
 * unlocked, and no other change of the map may meet its half-wired
 * entries -- one more wiring per page, a wiring left on a page whose
 * entry went, a wiring fault in an entry no longer being wired.
 */
#define RACE_PAGES	8
#define RACE_ROUNDS	400

struct lock_race {
	char		*p;
	volatile int	stop;
	int		failures;	/* an mlock or munlock that failed but for ENOMEM */
};

/* mlock and munlock the range until told to stop. */
static int
lock_race_thread(void *arg)
{
	struct lock_race *r = arg;

	while (!r->stop) {
		if (mlock(r->p, RACE_PAGES * PGSZ) != 0 && errno != ENOMEM)
			r->failures++;
		if (munlock(r->p, RACE_PAGES * PGSZ) != 0 && errno != ENOMEM)
			r->failures++;
	}
	return 0;
}

static void
test_lock_race(void)
{
	struct lock_race r = { map_pages(RACE_PAGES), 0, 0 };
	long wired0 = vmstat_get("wired_pages");
	struct uthread t[2];
	int started = 0, replaced = 0;

	for (int i = 0; i < 2; i++)
		started += r.p != NULL && uthread_create(&t[i], lock_race_thread, &r) == 0;
	for (int round = 0; started == 2 && round < RACE_ROUNDS; round++) {
		if (mmap(r.p, RACE_PAGES * PGSZ, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == r.p)
			replaced++;
		r.p[round % RACE_PAGES * PGSZ] = (char)round;
	}
	r.stop = 1;
	for (int i = 0; i < started; i++)
		uthread_join(&t[i]);
	tap_ok(started == 2 && replaced == RACE_ROUNDS && r.failures == 0,
	    "two threads lock and unlock a range while a third replaces it %d times "
	    "(%d failures)", replaced, r.failures);
	munlock(r.p, RACE_PAGES * PGSZ);
	wired_back(wired0, "racing mlock, munlock and mmap");
	munmap(r.p, RACE_PAGES * PGSZ);
}

/*
 * A locked page keeps exactly one wiring for its mapping, whatever its
 * page-table entry does: PROT_NONE removes the translation, the next
 * write brings it back, and munlock must release the one wiring.
 */
static void
test_lock_reprotect(void)
{
	char *p = map_pages(1);
	long wired0 = vmstat_get("wired_pages");

	tap_ok(mlock(p, PGSZ) == 0 && mprotect(p, PGSZ, PROT_NONE) == 0 &&
	    mprotect(p, PGSZ, PROT_READ | PROT_WRITE) == 0 && (p[0] = 'w', p[0] == 'w') &&
	    munlock(p, PGSZ) == 0, "mlock, PROT_NONE, read-write, write, munlock");
	wired_back(wired0, "mlock/PROT_NONE/write/munlock");
	munmap(p, PGSZ);
}

/*
 * A failed mlock releases only what it locked itself.  A file page is
 * locked through a first mapping M1; a second mapping M2 of the same
 * page follows a page past the end of a file, where locking fails before
 * M2 is reached.  The page must stay locked for M1.
 */
static void
test_failed_lock_keeps_others(void)
{
	char name[64], *m1, *m2, *region;
	long wired0 = vmstat_get("wired_pages"), wired1;
	int fd, fd2;

	snprintf(name, sizeof(name), "/tmp/mlock.%d", getpid());
	fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	unlink(name);
	snprintf(name, sizeof(name), "/tmp/mlock2.%d", getpid());
	fd2 = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	unlink(name);
	if (fd < 0 || fd2 < 0 || ftruncate(fd, PGSZ) != 0 || ftruncate(fd2, PGSZ) != 0) {
		tap_ok(0, "make two one-page files");
		return;
	}
	/* [fd2 page 0][fd2 page 1: past its end][M2: fd page 0] */
	region = unmapped_pages(3);
	mmap(region, 2 * PGSZ, PROT_READ, MAP_SHARED | MAP_FIXED, fd2, 0);
	m2 = mmap(region + 2 * PGSZ, PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, 0);
	m1 = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	m2[0] = 'x';			/* M2 maps the page */
	tap_ok(m1 != MAP_FAILED && m2 == region + 2 * PGSZ && mlock(m1, PGSZ) == 0,
	    "lock the file page through M1");
	wired1 = vmstat_get("wired_pages");
	tap_ok(mlock(region + PGSZ, 2 * PGSZ) == -1 && errno == ENOMEM,
	    "mlock of [past the end of a file][M2] -> ENOMEM");
	wired_back(wired1, "a failed mlock keeps M1's lock");
	munlock(m1, PGSZ);
	munmap(region, 3 * PGSZ);
	munmap(m1, PGSZ);
	close(fd);
	close(fd2);
	wired_back(wired0, "after munlock and munmap");
}

/* In a child: mlockall over a file mapping that reaches past the end of its file. */
static int
lockall_past_eof(void *arg)
{
	char name[64], *p;
	int fd;

	(void)arg;
	snprintf(name, sizeof(name), "/tmp/mlockall.%d", getpid());
	fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	unlink(name);
	if (fd < 0 || ftruncate(fd, PGSZ) != 0)
		return 2;
	p = mmap(NULL, 3 * PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 3;
	if (mlockall(MCL_CURRENT) != 0)
		return 1;
	/* Locked even where there is no page (Linux marks the whole mapping). */
	if (msync(p + PGSZ, 2 * PGSZ, MS_INVALIDATE) != -1 || errno != EBUSY)
		return 5;
	if (!resident(p, 1) || munlockall() != 0)
		return 4;
	return msync(p, 3 * PGSZ, MS_INVALIDATE) == 0 ? 0 : 6;
}

/*
 * In a child: under mlockall(MCL_FUTURE), new mappings of a file that
 * reach past its end, shared and private-writable, are made and locked up
 * to the end of the file.
 */
static int
lockfuture_past_eof(void *arg)
{
	char name[64], *sh, *pr;
	int fd;

	(void)arg;
	snprintf(name, sizeof(name), "/tmp/mlockfut.%d", getpid());
	fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	unlink(name);
	if (fd < 0 || ftruncate(fd, PGSZ) != 0 || mlockall(MCL_FUTURE) != 0)
		return 2;
	sh = mmap(NULL, 3 * PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	pr = mmap(NULL, 3 * PGSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (sh == MAP_FAILED || pr == MAP_FAILED)
		return 1;
	return resident(sh, 1) && resident(pr, 1) && munlockall() == 0 ? 0 : 3;
}

/*
 * In a child: under mlockall(MCL_FUTURE), a PROT_NONE mapping (a guard,
 * or a thread stack before mprotect opens it, as pthread_create does) is
 * made though it cannot be faulted in, and is locked once opened.
 */
static int
lockfuture_prot_none(void *arg)
{
	char *g;

	(void)arg;
	if (mlockall(MCL_FUTURE) != 0)
		return 2;
	g = mmap(NULL, 2 * PGSZ, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g == MAP_FAILED)
		return 1;
	if (mprotect(g, 2 * PGSZ, PROT_READ | PROT_WRITE) != 0)
		return 3;
	g[PGSZ] = 1;
	return resident(g, 2) && munlockall() == 0 ? 0 : 4;
}

/*
 * mlockall(MCL_CURRENT) locks what it can: Linux ignores the pages it
 * cannot fault in (past the end of a file) instead of failing.
 */
static void
test_lockall_past_eof(void)
{
	int st = run_child(lockall_past_eof, NULL);

	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "mlockall(MCL_CURRENT) with a mapping past the end of its file -> 0, all of it "
	    "locked (status %#x)",
	    st);
	st = run_child(lockfuture_past_eof, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "under MCL_FUTURE, mmap past the end of a file succeeds, locked up to it "
	    "(status %#x)", st);
	st = run_child(lockfuture_prot_none, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "under MCL_FUTURE, mmap PROT_NONE succeeds, and is locked once opened "
	    "(status %#x)", st);
}

/*
 * A failed mlock leaves no wired translation in the entries it never
 * reached.  While an entry is being wired, another thread's fault there
 * maps its page wired (the wiring will count that page); if the wiring
 * fails before it gets there, those translations must be unwired with the
 * rest.  The range is [A1: anonymous][a page past the end of a file][A2:
 * anonymous]; a second thread reads its way through A2 while mlock wires
 * A1 and fails at the file page.  The threads meet only on two harts or
 * more; each round is checked by the kernel (/proc/self/vmcheck).
 */
#define UNREACHED_PAGES		512	/* pages of A1, and of A2 */
#define UNREACHED_ROUNDS	8

struct unreached {
	char		*a2;
	volatile int	go, done;
};

/* Read A2 a page at a time, from its second page, once told to. */
static int
unreached_reader(void *arg)
{
	struct unreached *u = arg;

	while (!u->go)
		;
	for (int i = 1; i < UNREACHED_PAGES; i++)
		(void)*(volatile char *)(u->a2 + i * PGSZ);
	u->done = 1;
	return 0;
}

/* One round: lay out the range, race mlock against the reader; the check's problems. */
static long
unreached_round(int fd, bool *enomem)
{
	unsigned long len = (2 * UNREACHED_PAGES + 1) * PGSZ;
	char *r = unmapped_pages(2 * UNREACHED_PAGES + 1), *file = r + UNREACHED_PAGES * PGSZ;
	struct unreached u = { file + PGSZ, 0, 0 };
	struct uthread t;
	long problems = 0;

	if (mmap(r, UNREACHED_PAGES * PGSZ, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != r ||
	    mmap(file, PGSZ, PROT_READ, MAP_SHARED | MAP_FIXED, fd, PGSZ) != file ||
	    mmap(u.a2, UNREACHED_PAGES * PGSZ, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != u.a2 ||
	    uthread_create(&t, unreached_reader, &u) != 0) {
		munmap(r, len);
		*enomem = false;
		return 0;
	}
	u.a2[0] = 1;		/* A2 has its memory now: the reader's faults only map */
	u.go = 1;
	*enomem = mlock(r, len) == -1 && errno == ENOMEM;
	while (!u.done)
		;
	uthread_join(&t);
	if (vmstat_is_sable() && (problems = vmcheck_problems("/proc/self/vmcheck")) > 0)
		vmcheck_diag();
	munmap(r, len);
	return problems;
}

static void
test_failed_lock_unreached(void)
{
	char name[64];
	long problems = 0;
	bool enomem = true;
	int fd, round;

	snprintf(name, sizeof(name), "/tmp/mlock3.%d", getpid());
	fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	unlink(name);
	if (fd < 0 || ftruncate(fd, PGSZ) != 0) {
		tap_ok(0, "make a one-page file");
		return;
	}
	for (round = 0; round < UNREACHED_ROUNDS && enomem && problems == 0; round++) {
		bool e;

		problems = unreached_round(fd, &e);
		enomem &= e;
	}
	close(fd);
	tap_ok(enomem && problems == 0,
	    "mlock failing at a file's end while a thread faults in the next mapping -> "
	    "ENOMEM, no wired translation left there (%ld problems, round %d)", problems,
	    round);
}

/*
 * RLIMIT_MEMLOCK binds threads that lock at once: each mlock checks the
 * limit against what is wired, which must include what the others are
 * wiring meanwhile.  Three threads of a process that is not root, with a
 * limit of LIMRACE_PAGES, each lock LIMRACE_PAGES of their own at once:
 * one may succeed.  (Once all three did, on four harts.)
 */
#define LIMRACE_PAGES	256
#define LIMRACE_THREADS	3

struct limrace {
	int		go[2];		/* a pipe: a byte for each thread to go */
	volatile int	locked;
};

/* Lock its own range once told to; count a success. */
static int
limrace_thread(void *arg)
{
	struct limrace *r = *(struct limrace **)arg;
	char *p = ((char **)arg)[1], c;

	if (read(r->go[0], &c, 1) == 1 && mlock(p, LIMRACE_PAGES * PGSZ) == 0)
		__atomic_add_fetch(&r->locked, 1, __ATOMIC_SEQ_CST);
	return 0;
}

/*
 * In a child that is not root: how many of the threads' mlocks succeeded
 * (100 and up: the setup failed).  The threads are all made before any
 * locks: making one maps its stack, which waits for a wiring to end.
 */
static int
limrace_child(void *arg)
{
	struct rlimit lim = { LIMRACE_PAGES * PGSZ, LIMRACE_PAGES * PGSZ };
	struct limrace r = { { -1, -1 }, 0 };
	void *args[LIMRACE_THREADS][2];
	struct uthread t[LIMRACE_THREADS];
	int started = 0;

	(void)arg;
	if (setrlimit(RLIMIT_MEMLOCK, &lim) != 0 || (getuid() == 0 && setuid(NOBODY) != 0) ||
	    pipe(r.go) != 0)
		return 100;
	for (int i = 0; i < LIMRACE_THREADS; i++) {
		args[i][0] = &r;
		args[i][1] = map_pages(LIMRACE_PAGES);
		started += args[i][1] != NULL &&
		    uthread_create(&t[i], limrace_thread, args[i]) == 0;
	}
	if (write(r.go[1], "ggg", LIMRACE_THREADS) != LIMRACE_THREADS)
		return 102;
	for (int i = 0; i < started; i++)
		uthread_join(&t[i]);
	return started == LIMRACE_THREADS ? r.locked : 101;
}

static void
test_limit_race(void)
{
	int st = run_child(limrace_child, NULL);

	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) <= 1,
	    "%d threads lock %d pages each at once under a %d-page RLIMIT_MEMLOCK: at most "
	    "one succeeds (%d did)", LIMRACE_THREADS, LIMRACE_PAGES, LIMRACE_PAGES,
	    WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

int
main(void)
{
	tap_plan(40);
	test_lock();
	test_errors();
	test_rlimit();
	test_lockall();
	test_wired_cow();
	test_fork_locked_none();
	test_lock_none();
	test_lock_reprotect();
	test_failed_lock_keeps_others();
	test_lockall_past_eof();
	test_lock_race();
	test_failed_lock_unreached();
	test_limit_race();
	tap_vm_consistent("locking, unlocking, forking locked pages");
	if (!vmstat_is_sable())
		tap_skip("no /proc/vmcheck (not our kernel)");
	else
		tap_ok(vmcheck_problems("/proc/vmcheck") == 0,
		    "every page wiring is held by a map entry or the kernel (/proc/vmcheck)");
	return tap_done();
}
