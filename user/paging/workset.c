/*
 * workset: a working set four times the size of memory, over four
 * processes, written and read back in several passes, sequential and
 * random, every page checked.
 *
 * Each process maps a quarter of the total and writes every page; then
 * it checks every page and writes it again, in order; then in a random
 * order; then checks them all once more.  A page carries its process,
 * its index and the pass in every word it checks, so a page lost,
 * swapped with another or left stale is caught.  Only the page daemon,
 * the laundry and the swap pager keep this working: memory holds a
 * quarter of it.  Afterwards every object the processes had is gone, and
 * every swap slot in use is held by some object's copy: none leaked.  (A
 * slot count back to where it started would not do: other processes'
 * pages, this one's too, may have gone to swap meanwhile, and a page
 * read back keeps its copy.)
 *
 * The sizes follow /proc/meminfo's MemTotal.  On Linux (qemu-user) the
 * program runs with 16 MiB per process instead (four times the host's
 * memory is no test to run on a shared machine): its checks, not paging.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

#define PROCS		4
#define TIMES_RAM	4
#define WORDS_STRIDE	64		/* one checked word every 512 bytes */
#define HOST_PAGES	((16UL << 20) / PGSZ)	/* per process, on Linux */

enum { E_OK, E_MAP, E_SEQ, E_RANDOM, E_FINAL };

static uint64_t
word(int proc, unsigned long page, int pass, unsigned long k)
{
	return ((uint64_t)proc << 60) ^ ((uint64_t)pass << 52) ^ (page << 12) ^ k ^
	    0x5a5a000000000000ULL;
}

static void
put(uint64_t *p, int proc, unsigned long page, int pass)
{
	uint64_t *q = p + page * (PGSZ / 8);

	for (unsigned long k = 0; k < PGSZ / 8; k += WORDS_STRIDE)
		q[k] = word(proc, page, pass, k);
}

static int
check(const uint64_t *p, int proc, unsigned long page, int pass)
{
	const uint64_t *q = p + page * (PGSZ / 8);

	for (unsigned long k = 0; k < PGSZ / 8; k += WORDS_STRIDE)
		if (q[k] != word(proc, page, pass, k))
			return 0;
	return 1;
}

/* A random permutation of 0..n-1, seeded per process; NULL if no memory. */
static unsigned long *
permutation(unsigned long n, int proc)
{
	unsigned long *order = malloc(n * sizeof(*order));

	if (order != NULL)
		test_permutation(order, n, 0x9e3779b97f4a7c15UL * (proc + 1));
	return order;
}

static int
one_process(int proc, unsigned long npages)
{
	uint64_t *p = (uint64_t *)map_pages(npages);
	unsigned long *order = permutation(npages, proc);

	if (p == NULL || order == NULL)
		return E_MAP;
	for (unsigned long i = 0; i < npages; i++)
		put(p, proc, i, 0);
	for (unsigned long i = 0; i < npages; i++) {
		if (!check(p, proc, i, 0))
			return E_SEQ;
		put(p, proc, i, 1);
	}
	for (unsigned long i = 0; i < npages; i++) {
		if (!check(p, proc, order[i], 1))
			return E_RANDOM;
		put(p, proc, order[i], 2);
	}
	for (unsigned long i = 0; i < npages; i++)
		if (!check(p, proc, i, 2))
			return E_FINAL;
	return E_OK;
}

int
main(void)
{
	long ram_kb = meminfo_get("MemTotal");
	long pgin0 = vmstat_get("pswpin"), pgout0 = vmstat_get("pswpout");
	struct vm_snapshot before = vm_snapshot_take(), after;
	unsigned long npages;
	pid_t pids[PROCS];
	int st, ok = 1;

	if (ram_kb <= 0) {
		tap_skip_all("no /proc/meminfo");
		return tap_done();
	}
	tap_plan(4);
	npages = vmstat_is_sable() ? (unsigned long)ram_kb * 1024 * TIMES_RAM / PROCS / PGSZ :
	    HOST_PAGES;
	tap_diag("%d processes x %lu pages (%lu MiB each)", PROCS, npages, npages * PGSZ >> 20);
	for (int i = 0; i < PROCS; i++)
		if ((pids[i] = fork()) == 0)
			_exit(one_process(i, npages));
	for (int i = 0; i < PROCS; i++) {
		waitpid(pids[i], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != E_OK) {
			tap_diag("process %d: status %#x", i, st);
			ok = 0;
		}
	}
	tap_ok(ok, "every page of each process read back as written, over four passes "
	    "(sequential, sequential, random, sequential)");
	if (!vmstat_is_sable()) {
		tap_skip("swap counters are our kernel's");
		tap_skip("swap counters are our kernel's");
		tap_skip("swap counters are our kernel's");
		return tap_done();
	}
	tap_ok(vmstat_get("pswpout") > pgout0 && vmstat_get("pswpin") > pgin0,
	    "it went through swap: %ld pages out, %ld in", vmstat_get("pswpout") - pgout0,
	    vmstat_get("pswpin") - pgin0);
	(void)vm_snapshot_back(&before, &after, LONG_MAX);
	tap_ok(after.anon == before.anon && after.shadows == before.shadows,
	    "the processes' objects are gone (anonymous %ld -> %ld, shadows %ld -> %ld)",
	    before.anon, after.anon, before.shadows, after.shadows);
	tap_ok(vmcheck_problems("/proc/vmcheck") == 0 &&
	    vmcheck_value("swap_slots_used") == vmcheck_value("swap_slots_held"),
	    "/proc/vmcheck: queues, commitments and swap consistent, every slot in use held "
	    "(%ld used, %ld held)", vmcheck_value("swap_slots_used"),
	    vmcheck_value("swap_slots_held"));
	return tap_done();
}
