/*
 * unmap_free: removing part of a mapping gives its memory back at once.
 *
 * munmap of all but one page of a touched region, MAP_FIXED over part of
 * it, mremap shrinking it and brk lowering the break: each must free the
 * pages it removes (MemFree rises by about as much), not keep them until
 * the last page of the mapping goes.  A program that maps 8 MiB, touches
 * it and unmaps all but one page, again and again, must run on for good
 * (Linux does; it once ran a 512 MiB machine out of memory in 60 rounds).
 *
 * MemFree is checked on our kernel only: on Linux (qemu-user) it is the
 * whole host's and moves with everything else running there.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define REGION_PAGES	2048		/* 8 MiB */
#define LOOP_ROUNDS	70		/* 560 MiB through a 512 MiB machine */
#define SLACK_KB	256		/* page tables and allocator caches */

static int sable;

static long
memfree_kb(void)
{
	return meminfo_get("MemFree");
}

static void
touch(char *p, unsigned long npages)
{
	for (unsigned long i = 0; i < npages; i++)
		p[i * PGSZ] = (char)(i | 1);
}

/* MemFree rose by at least want_kb (minus slack) since before. */
static void
freed_at_least(long before, long want_kb, const char *what)
{
	long now = memfree_kb();

	if (!sable)
		tap_skip("MemFree is the host's (not our kernel)");
	else
		tap_ok(now - before >= want_kb - SLACK_KB,
		    "%s gives back its memory (MemFree +%ld kB, want about %ld)", what,
		    now - before, want_kb);
}

static void
test_munmap_most(void)
{
	char *p = map_pages(REGION_PAGES);
	long before, freed0 = vmstat_get("unmap_pages_freed");

	touch(p, REGION_PAGES);
	before = memfree_kb();
	tap_ok(munmap(p, (REGION_PAGES - 1) * PGSZ) == 0 &&
	    p[(REGION_PAGES - 1) * PGSZ] == (char)((REGION_PAGES - 1) | 1),
	    "munmap of all but the last page of 8 MiB; the last page keeps its data");
	freed_at_least(before, (REGION_PAGES - 1) * 4, "munmap of 2047 of 2048 pages");
	if (!sable)
		tap_skip("no unmap_pages_freed counter (not our kernel)");
	else
		tap_ok(vmstat_get("unmap_pages_freed") - freed0 >= REGION_PAGES - 1,
		    "unmap_pages_freed counts them (+%ld)",
		    vmstat_get("unmap_pages_freed") - freed0);
	munmap(p + (REGION_PAGES - 1) * PGSZ, PGSZ);
}

static void
test_map_fixed_over(void)
{
	char *p = map_pages(REGION_PAGES), *q;
	long before;

	touch(p, REGION_PAGES);
	before = memfree_kb();
	q = mmap(p + PGSZ, (REGION_PAGES - 2) * PGSZ, PROT_READ,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	tap_ok(q == p + PGSZ && q[0] == 0 && p[0] == 1, "MAP_FIXED over the middle of 8 MiB");
	freed_at_least(before, (REGION_PAGES - 2) * 4, "MAP_FIXED over 2046 touched pages");
	munmap(p, REGION_PAGES * PGSZ);
}

static void
test_mremap_shrink(void)
{
	char *p = map_pages(REGION_PAGES), *q;
	long before;

	touch(p, REGION_PAGES);
	before = memfree_kb();
	q = mremap(p, REGION_PAGES * PGSZ, PGSZ, 0);
	tap_ok(q == p && p[0] == 1, "mremap 8 MiB down to one page");
	freed_at_least(before, (REGION_PAGES - 1) * 4, "mremap shrinking 2048 pages to 1");
	munmap(p, PGSZ);
}

static void
test_brk_shrink(void)
{
	char *base = sbrk(0), *top;
	long before;

	top = (char *)(((uintptr_t)base + PGSZ - 1) & ~(PGSZ - 1));
	if (brk(top + REGION_PAGES * PGSZ) != 0) {
		tap_ok(0, "brk up by 8 MiB");
		tap_skip("brk did not grow");
		return;
	}
	touch(top, REGION_PAGES);
	before = memfree_kb();
	tap_ok(brk(top + PGSZ) == 0 && top[0] == 1, "brk down by all but one page");
	freed_at_least(before, (REGION_PAGES - 1) * 4, "brk shrinking by 2047 pages");
	brk(base);
}

/*
 * In a child (which a shortage kills, not the test): map 8 MiB, touch it,
 * unmap all but its last page, LOOP_ROUNDS times.
 */
static int
loop_child(void *arg)
{
	char *kept[LOOP_ROUNDS];
	int i;

	(void)arg;
	for (i = 0; i < LOOP_ROUNDS; i++) {
		char *p = map_pages(REGION_PAGES);

		if (p == NULL)
			return 1;
		touch(p, REGION_PAGES);
		if (munmap(p, (REGION_PAGES - 1) * PGSZ) != 0)
			return 2;
		kept[i] = p + (REGION_PAGES - 1) * PGSZ;
	}
	for (i = 0; i < LOOP_ROUNDS; i++)
		if (kept[i][0] != (char)((REGION_PAGES - 1) | 1))
			return 3;
	return 0;
}

static void
test_loop(void)
{
	long before = memfree_kb();
	int st = run_child(loop_child, NULL);

	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "%d rounds of map 8 MiB, touch, unmap all but one page (status %#x)",
	    LOOP_ROUNDS, st);
	if (!sable)
		tap_skip("MemFree is the host's (not our kernel)");
	else
		tap_ok(memfree_kb() >= before - SLACK_KB,
		    "and the child's exit gave it all back (MemFree %ld -> %ld kB)", before,
		    memfree_kb());
}

int
main(void)
{
	sable = vmstat_is_sable();
	tap_plan(12);
	test_munmap_most();
	test_map_fixed_over();
	test_mremap_shrink();
	test_brk_shrink();
	test_loop();
	tap_vm_consistent("partial unmaps");
	return tap_done();
}
