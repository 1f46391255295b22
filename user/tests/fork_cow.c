/* fork_cow: copy-on-write after fork keeps parent and child apart. */
#include <probe.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define BIG 256			/* pages in the large region */
#define LOCKED 3		/* locked pages fork must copy */

static int global = 1;

static int
exited_ok(int st)
{
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static int
child_sees_then_writes(void *arg)
{
	char *p = arg;

	if (p[0] != 'P')
		return 1;
	p[0] = 'C';
	return p[0] == 'C' ? 0 : 2;
}

/* The child sees the parent's data; its write stays its own. */
static void
test_basic(void)
{
	char *p = map_pages(1);
	int st;

	p[0] = 'P';
	st = run_child(child_sees_then_writes, p);
	tap_ok(exited_ok(st), "child sees parent data and its own write");
	tap_ok(p[0] == 'P', "parent does not see the child's write");
	munmap(p, PGSZ);
}

/* A parent write after fork is not seen by the child. */
static void
test_parent_write(void)
{
	char *p = map_pages(1);
	int fds[2], st;
	pid_t pid;
	char c;

	p[0] = 'P';
	pipe(fds);
	pid = fork();
	if (pid == 0) {
		close(fds[1]);
		read(fds[0], &c, 1);
		_exit(p[0] == 'P' ? 0 : 1);
	}
	close(fds[0]);
	p[0] = 'Q';
	write(fds[1], "x", 1);
	close(fds[1]);
	waitpid(pid, &st, 0);
	tap_ok(exited_ok(st) && p[0] == 'Q',
	    "child does not see the parent's write after fork");
	munmap(p, PGSZ);
}

/* Data, stack and pages untouched before fork are private too. */
static void
test_data_stack_zero(void)
{
	volatile int local = 10;
	char *p = map_pages(2);
	pid_t pid;
	int st;

	pid = fork();
	if (pid == 0) {
		global = 2;
		local = 20;
		p[PGSZ] = 'z';
		_exit(global == 2 && local == 20 && p[PGSZ] == 'z' ? 0 : 1);
	}
	waitpid(pid, &st, 0);
	tap_ok(exited_ok(st) && global == 1 && local == 10 && p[PGSZ] == 0,
	    "globals, stack and never-touched pages stay private");
	munmap(p, 2 * PGSZ);
}

/* Three generations each write their own value and keep it. */
static void
test_generations(void)
{
	char *p = map_pages(1);
	pid_t pid, gpid;
	int st, gst;

	p[0] = 'A';
	pid = fork();
	if (pid == 0) {
		if (p[0] != 'A')
			_exit(1);
		p[0] = 'B';
		gpid = fork();
		if (gpid == 0) {
			if (p[0] != 'B')
				_exit(1);
			p[0] = 'C';
			_exit(p[0] == 'C' ? 0 : 1);
		}
		waitpid(gpid, &gst, 0);
		_exit(exited_ok(gst) && p[0] == 'B' ? 0 : 2);
	}
	waitpid(pid, &st, 0);
	tap_ok(exited_ok(st) && p[0] == 'A',
	    "three generations keep their own copies (status %#x)", st);
	munmap(p, PGSZ);
}

static int
child_writes_shared(void *arg)
{
	char *p = arg;

	if (p[0] != 'S')
		return 1;
	p[0] = 's';
	p[PGSZ] = 't';
	return 0;
}

/* A MAP_SHARED anonymous mapping stays shared across fork. */
static void
test_shared(void)
{
	char *p = mmap(NULL, 2 * PGSZ, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int st;

	p[0] = 'S';
	st = run_child(child_writes_shared, p);
	tap_ok(exited_ok(st) && p[0] == 's' && p[PGSZ] == 't',
	    "the parent sees the child's writes to a shared mapping");
	munmap(p, 2 * PGSZ);
}

static int
child_rewrites_all(void *arg)
{
	char *p = arg;
	int i;

	for (i = 0; i < BIG; i++) {
		if (p[i * PGSZ] != (char)i)
			return 1;
		p[i * PGSZ] = (char)(i + 1);
	}
	for (i = 0; i < BIG; i++) {
		if (p[i * PGSZ] != (char)(i + 1))
			return 2;
	}
	return 0;
}

/* Many pages: the child rewrites all; on our kernel fork copied none. */
static void
test_big(void)
{
	char *p = map_pages(BIG);
	long copied0, cow0, copied1, cow1;
	int i, ok, st;

	for (i = 0; i < BIG; i++)
		p[i * PGSZ] = (char)i;
	copied0 = vmstat_get("fork_pages_copied");
	cow0 = vmstat_get("cow_copy") + vmstat_get("cow_move");
	st = run_child(child_rewrites_all, p);
	copied1 = vmstat_get("fork_pages_copied");
	cow1 = vmstat_get("cow_copy") + vmstat_get("cow_move");
	for (ok = 1, i = 0; i < BIG; i++)
		ok &= p[i * PGSZ] == (char)i;
	tap_ok(exited_ok(st) && ok,
	    "%d pages: the child rewrote all, the parent kept all", BIG);
	if (!vmstat_is_sable()) {
		tap_skip("no fork_pages_copied counter (not our kernel)");
		tap_skip("no cow_copy/cow_move counters (not our kernel)");
	} else {
		tap_ok(copied1 == copied0,
		    "fork copied no pages (fork_pages_copied %ld -> %ld)",
		    copied0, copied1);
		tap_ok(cow1 - cow0 >= BIG,
		    "the child's writes took >= %d COW faults (%ld)", BIG,
		    cow1 - cow0);
	}
	for (ok = 1, i = 0; i < BIG; i++) {
		p[i * PGSZ] = 'x';
		ok &= p[i * PGSZ] == 'x';
	}
	tap_ok(ok, "after the child exits the parent writes every page");
	munmap(p, BIG * PGSZ);
}

static int
child_writes_readonly(void *arg)
{
	return probe_write(arg, 1, NULL);
}

/* Protections are inherited: a read-only page faults in the child too. */
static void
test_readonly_inherited(void)
{
	char *p = map_pages(1);
	int st;

	p[0] = 'r';
	mprotect(p, PGSZ, PROT_READ);
	st = run_child(child_writes_readonly, p);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == SIGSEGV && p[0] == 'r',
	    "a read-only page is read-only in the child");
	munmap(p, PGSZ);
}

static int
child_sees_locked(void *arg)
{
	char *p = arg;

	for (int i = 0; i < LOCKED; i++)
		if (p[i * PGSZ] != (char)('L' + i))
			return 1;
	p[0] = 'c';			/* the child's copy is its own */
	return 0;
}

/*
 * Locked private pages cannot wait for copy-on-write: fork copies them
 * for the child at once, and on our kernel fork_pages_copied counts
 * exactly those copies.
 */
static void
test_locked_copied(void)
{
	char *p = map_pages(LOCKED + 1);
	long copied0, copied1;
	int i, st;

	for (i = 0; i < LOCKED + 1; i++)
		p[i * PGSZ] = (char)('L' + i);
	mlock(p, LOCKED * PGSZ);
	copied0 = vmstat_get("fork_pages_copied");
	st = run_child(child_sees_locked, p);
	copied1 = vmstat_get("fork_pages_copied");
	tap_ok(exited_ok(st) && p[0] == 'L', "the child sees the locked pages, writes its own copy");
	if (!vmstat_is_sable())
		tap_skip("no fork_pages_copied counter (not our kernel)");
	else
		tap_ok(copied1 - copied0 == LOCKED,
		    "fork copied the %d locked pages, no more (fork_pages_copied %ld -> %ld)",
		    LOCKED, copied0, copied1);
	munlock(p, LOCKED * PGSZ);
	munmap(p, (LOCKED + 1) * PGSZ);
}

int
main(void)
{
	tap_plan(14);
	test_basic();
	test_parent_write();
	test_data_stack_zero();
	test_generations();
	test_shared();
	test_big();
	test_readonly_inherited();
	test_locked_copied();
	tap_vm_consistent("forks and copy-on-write");
	return tap_done();
}
