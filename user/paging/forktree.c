/*
 * forktree: copy-on-write under memory pressure.
 *
 * A parent fills 96 MiB (three quarters of the machine) and forks two
 * children; each child rewrites its own eighth of the pages and forks a
 * grandchild that rewrites another eighth; every process checks its
 * whole view, which its ancestors' and its own writes make, before and
 * after its descendants have exited.  Originals and copies do not fit in
 * memory together: they go to swap and come back through the shadow
 * chains, where the fault must ask every object's pager on the way down.
 * Afterwards the chains have collapsed (shadow objects back to their
 * number before), every swap slot in use is held by an object, and once
 * the parent unmaps the region, its slots are free again.  (Anonymous
 * memory's slots: the pressure sends ramfs files -- the initramfs's
 * programs -- to swap too, which /proc/vmstat's swap_file_pages counts.)
 *
 * On Linux (qemu-user) the region is 16 MiB: the checks, not paging.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define MIB		(1UL << 20)
#define REGION		(96 * MIB)
#define HOST_REGION	(16 * MIB)
#define PARTS		8
#define SLOT_SLACK	256	/* slots other processes' pages may take meanwhile */

/* Swap slots in use for anonymous memory: all of them but ramfs files'. */
static long
anon_slots(void)
{
	return vmcheck_value("swap_slots_used") - vmstat_get("swap_file_pages");
}

static uint64_t *region;
static unsigned long npages;

/* The tag of page i for a process: the last writer in its line (0 parent, 1..2 children, 3..4 grandchildren). */
static uint64_t
expected(unsigned long i, int child, int grandchild)
{
	unsigned long part = i * PARTS / npages;

	if (grandchild && child >= 0 && part == (unsigned long)(2 + child))
		return 3 + (uint64_t)child;
	if (child >= 0 && part == (unsigned long)child)
		return 1 + (uint64_t)child;
	return 0;
}

static uint64_t
word(unsigned long i, uint64_t tag)
{
	return (tag << 56) ^ (i * 0x9e3779b97f4a7c15ULL);
}

static void
write_part(unsigned long part, uint64_t tag)
{
	for (unsigned long i = part * npages / PARTS; i < (part + 1) * npages / PARTS; i++)
		for (unsigned long k = 0; k < PGSZ / 8; k += 128)
			region[i * PGSZ / 8 + k] = word(i, tag) + k;
}

static int
check_view(int child, int grandchild)
{
	for (unsigned long i = 0; i < npages; i++) {
		uint64_t tag = expected(i, child, grandchild);

		for (unsigned long k = 0; k < PGSZ / 8; k += 128)
			if (region[i * PGSZ / 8 + k] != word(i, tag) + k)
				return 0;
	}
	return 1;
}

static int
grandchild(int child)
{
	write_part(2 + child, 3 + child);
	return check_view(child, 1) ? 0 : 1;
}

static int
child(int c)
{
	pid_t pid;
	int st;

	write_part(c, 1 + c);
	if (!check_view(c, 0))
		return 1;
	if ((pid = fork()) == 0)
		_exit(grandchild(c));
	waitpid(pid, &st, 0);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return 2;
	return check_view(c, 0) ? 0 : 3;
}

int
main(void)
{
	struct vm_snapshot before, after;
	unsigned long len = vmstat_is_sable() ? REGION : HOST_REGION;
	long slots0 = -1, slots1 = -1;
	pid_t pids[2];
	int st, ok = 1;

	tap_plan(6);
	npages = len / PGSZ;
	region = (uint64_t *)map_pages(npages);
	if (!tap_ok(region != NULL, "a %lu MiB region mapped", len >> 20))
		return tap_done();
	for (unsigned long p = 0; p < PARTS; p++)
		write_part(p, 0);
	before = vm_snapshot_take();
	slots0 = anon_slots();
	for (int c = 0; c < 2; c++)
		if ((pids[c] = fork()) == 0)
			_exit(child(c));
	for (int c = 0; c < 2; c++) {
		waitpid(pids[c], &st, 0);
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	tap_ok(ok, "two children and two grandchildren each saw their ancestors' writes and "
	    "their own, before and after their descendants exited");
	tap_ok(check_view(-1, 0), "the parent still sees only its own writes");
	if (!vmstat_is_sable()) {
		for (int i = 0; i < 3; i++)
			tap_skip("object and slot counts are our kernel's");
		return tap_done();
	}
	(void)vm_snapshot_back(&before, &after, 1L << 40);
	tap_ok(after.shadows == before.shadows && after.anon == before.anon,
	    "the chains collapsed: shadow objects %ld -> %ld, anonymous %ld -> %ld",
	    before.shadows, after.shadows, before.anon, after.anon);
	munmap(region, len);
	slots1 = anon_slots();
	tap_ok(slots1 <= slots0 + SLOT_SLACK && slots0 >= 0,
	    "unmapped, the region's swap slots are free again (%ld in use for anonymous memory "
	    "before the forks, %ld now)", slots0, slots1);
	tap_ok(vmcheck_problems("/proc/vmcheck") == 0 &&
	    vmcheck_value("swap_slots_used") == vmcheck_value("swap_slots_held"),
	    "/proc/vmcheck consistent, every slot in use held by an object");
	return tap_done();
}
