/* munmap: splitting, trimming and removing mappings; faults on what is gone. */
#include <errno.h>
#include <probe.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

/* Unmapping the middle page splits a mapping; both ends keep their data. */
static void
test_split(void)
{
	char *p = map_pages(3);
	struct fault f;

	p[0] = 'a';
	p[PGSZ] = 'b';
	p[2 * PGSZ] = 'c';
	tap_ok(munmap(p + PGSZ, PGSZ) == 0, "unmap the middle page");
	tap_ok(p[0] == 'a' && p[2 * PGSZ] == 'c',
	    "pages on both sides keep their contents");
	tap_ok((p[1] = 'x', p[2 * PGSZ + 1] = 'y',
	    p[1] == 'x' && p[2 * PGSZ + 1] == 'y'),
	    "pages on both sides stay writable");
	probe_read(p + PGSZ + 8, &f);
	tap_ok(f.signo == SIGSEGV && f.code == SEGV_MAPERR &&
	    f.addr == p + PGSZ + 8,
	    "the hole faults: SIGSEGV, SEGV_MAPERR, si_addr exact (%d %d %p)",
	    f.signo, f.code, f.addr);
	tap_ok(munmap(p + PGSZ, PGSZ) == 0,
	    "unmapping the hole again succeeds");
	tap_ok(munmap(p, 3 * PGSZ) == 0,
	    "unmapping a range with a hole in it succeeds");
	tap_ok(probe_read(p, NULL) == SIGSEGV &&
	    probe_read(p + 2 * PGSZ, NULL) == SIGSEGV,
	    "after that both ends fault too");
}

/* Trimming the head and the tail leaves the rest in place. */
static void
test_trim(void)
{
	char *p = map_pages(4);

	p[PGSZ] = '1';
	p[2 * PGSZ] = '2';
	tap_ok(munmap(p, PGSZ) == 0 && munmap(p + 3 * PGSZ, PGSZ) == 0,
	    "unmap the first and the last page");
	tap_ok(p[PGSZ] == '1' && p[2 * PGSZ] == '2' &&
	    probe_read(p, NULL) == SIGSEGV &&
	    probe_read(p + 3 * PGSZ, NULL) == SIGSEGV,
	    "the two middle pages remain, the ends fault");
	munmap(p, 4 * PGSZ);
}

/* The hole left by munmap is really free: NOREPLACE can map into it. */
static void
test_reuse(void)
{
	char *p = map_pages(2);
	char *q;

	p[0] = 'z';
	munmap(p, 2 * PGSZ);
	q = mmap(p, 2 * PGSZ, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	tap_ok(q == p && q[0] == 0,
	    "a new mapping in the hole starts zero-filled");
	munmap(q, 2 * PGSZ);
}

/* Argument checks. */
static void
test_errors(void)
{
	char *p = map_pages(1);

	tap_ok(munmap(p + 1, PGSZ) == -1 && errno == EINVAL,
	    "unaligned address -> EINVAL");
	tap_ok(munmap(p, 0) == -1 && errno == EINVAL, "length 0 -> EINVAL");
	if (under_qemu_user())
		tap_skip("qemu-user 7 aborts on a munmap at the top of memory");
	else
		tap_ok(munmap((void *)-PGSZ, PGSZ) == -1 && errno == EINVAL,
		    "range in the kernel half -> EINVAL");
	tap_ok(munmap(p, PGSZ) == 0 && munmap(p, PGSZ) == 0,
	    "double unmap returns 0");
}

/* Unmapping a large touched range frees it all (a fresh map sees zeros). */
static void
test_large(void)
{
	size_t n = 512, i;
	char *p = map_pages(n), *q;
	int ok = 1;

	for (i = 0; i < n; i++)
		p[i * PGSZ] = 1;
	munmap(p, n * PGSZ);
	q = mmap(p, n * PGSZ, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	for (i = 0; q == p && i < n; i++)
		ok &= q[i * PGSZ] == 0;
	tap_ok(q == p && ok, "512 touched pages unmapped, remapped as zeros");
	munmap(q, n * PGSZ);
}

#define LIMIT_PAGES	(2 * 70000UL)	/* pages to split into more than 65530 mappings */

/*
 * In a child: split a large mapping, a page at a time, until the limit on
 * the number of mappings (Linux's vm.max_map_count) stops mprotect; then a
 * munmap that would split a mapping in two must fail with ENOMEM, while
 * one that only trims a mapping still works.
 */
static int
at_map_limit(void *arg)
{
	char *three = map_pages(3), *big;
	unsigned long i;

	(void)arg;
	big = mmap(NULL, LIMIT_PAGES * PGSZ, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (three == NULL || big == MAP_FAILED)
		return 2;
	for (i = 1; i < LIMIT_PAGES; i += 2)
		if (mprotect(big + i * PGSZ, PGSZ, PROT_READ) != 0)
			break;
	if (i >= LIMIT_PAGES || errno != ENOMEM)
		return 3;		/* no limit reached */
	if (munmap(three + PGSZ, PGSZ) != -1 || errno != ENOMEM)
		return 4;
	if (munmap(three, PGSZ) != 0)
		return 5;
	return 0;
}

static void
test_map_limit(void)
{
	int st = run_child(at_map_limit, NULL);

	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "at the mapping limit munmap cannot split a mapping (ENOMEM) but can trim one "
	    "(status %#x)", st);
}

int
main(void)
{
	tap_plan(17);
	test_split();
	test_trim();
	test_reuse();
	test_errors();
	test_large();
	test_map_limit();
	tap_vm_consistent("splits, trims and removals");
	return tap_done();
}
