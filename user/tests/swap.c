/*
 * swap: anonymous memory paged out to swap and back, with MADV_PAGEOUT
 * (Linux 5.4's "reclaim these pages now") as the lever.
 *
 * Each test fills pages with a pattern that names the page and a
 * generation, pages them out, and checks what comes back word by word,
 * the counters (pswpout, pswpin, Sable's request counts: pages per
 * request is the clustering) and the swap in use: a write to a page
 * with a copy in swap frees the copy, discarding memory (MADV_DONTNEED,
 * MADV_FREE, munmap, exit) frees its copies, and every test leaves swap
 * use where it found it.  Chains: a fork child pages out its private
 * copies and the pages it still shares with its parent's backing object,
 * writes one of those (copy-on-write from a page in swap), and when the
 * parent exits the backing object collapses into the child's, its swap
 * copies moving up or freed where the child's shadow them.  Shared
 * anonymous memory pages out and in across processes.  Locked memory is
 * EINVAL for MADV_PAGEOUT, as on Linux, and stays resident.
 *
 * Without swap in use (no swap= on the command line; Linux through
 * qemu-user, which ignores MADV_PAGEOUT, on a host without swap) the
 * paging checks are skipped, the data checks still run.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define WORDS		(PGSZ / sizeof(unsigned long))
#define BIG		512		/* pages in the main round trip */
#define WINDOW_TEST	256
#define VISIBLE		64		/* pages paged out to be seen in VmSwap */
#define READ_WINDOW_NORMAL	16	/* 7 behind + the page + 8 ahead (swap_pager.h) */
#define READ_WINDOW_SEQ	64		/* the page + 63 ahead */
#define CHAIN		64
#define RA_FAULTS	256		/* faults of the random read-around walk ... */
#define RA_STRIDE	16		/* ... this many pages apart */
#define RA_PAGES	(RA_FAULTS * RA_STRIDE)
#define RA_WARMUP	32		/* pages read around while the window shrinks (16+8+4+2) */
#define SHARED		32
#define LOCKED		16

static int swapping;		/* swap in use, and MADV_PAGEOUT does something */
static int sable;

/* The words of page p of generation g. */
static unsigned long
word(unsigned g, unsigned long p, unsigned long w)
{
	return ((unsigned long)g << 48) ^ (p << 20) ^ (w * 0x9e3779b97f4a7c15UL);
}

static void
fill(char *base, unsigned long first, unsigned long n, unsigned g)
{
	for (unsigned long p = first; p < first + n; p++) {
		unsigned long *q = (unsigned long *)(base + p * PGSZ);

		for (unsigned long w = 0; w < WORDS; w++)
			q[w] = word(g, p, w);
	}
}

/* The first page in [first, first + n) whose contents are not generation g, or -1. */
static long
bad_page(const char *base, unsigned long first, unsigned long n, unsigned g)
{
	for (unsigned long p = first; p < first + n; p++) {
		const unsigned long *q = (const unsigned long *)(base + p * PGSZ);

		for (unsigned long w = 0; w < WORDS; w++)
			if (q[w] != (g == 0 ? 0 : word(g, p, w)))
				return (long)p;
	}
	return -1;
}

static unsigned long
resident(char *base, unsigned long n)
{
	unsigned char vec[BIG];
	unsigned long count = 0;

	if (mincore(base, n * PGSZ, vec) != 0)
		return (unsigned long)-1;
	for (unsigned long i = 0; i < n; i++)
		count += vec[i] & 1;
	return count;
}

/* Swap in use, in pages. */
static long
swap_used(void)
{
	return (meminfo_get("SwapTotal") - meminfo_get("SwapFree")) / (long)(PGSZ / 1024);
}

struct counters {
	long	out, in, writes, reads, used;
};

static struct counters
counters(void)
{
	struct counters c = { vmstat_get("pswpout"), vmstat_get("pswpin"),
		vmstat_get("swap_write_requests"), vmstat_get("swap_read_requests"), swap_used() };

	return c;
}

/* A paging check: reported where something pages, skipped (with why) where nothing does. */
static void
paging_ok(int cond, const char *fmt, const char *what)
{
	if (swapping)
		tap_ok(cond, fmt, what);
	else
		tap_skip("%s: no swap in use here", what);
}

/* Out, in, written: the main round trip. */
static void
test_round_trip(void)
{
	char *p = map_pages(BIG), msg[160];
	struct counters c0 = counters(), c1, c2, c3;

	fill(p, 0, BIG, 1);
	tap_ok(madvise(p, BIG * PGSZ, MADV_PAGEOUT) == 0, "MADV_PAGEOUT of %d written pages -> 0",
	    BIG);
	c1 = counters();
	snprintf(msg, sizeof(msg), "paged out: none resident, %ld pages written in %ld requests, "
	    "%ld more in swap", c1.out - c0.out, c1.writes - c0.writes, c1.used - c0.used);
	paging_ok(resident(p, BIG) == 0 && c1.out - c0.out == BIG && c1.used - c0.used == BIG &&
	    (!sable || (c1.writes - c0.writes) * 8 <= BIG), "%s", msg);
	tap_ok(bad_page(p, 0, BIG, 1) < 0, "every word reads back");
	c2 = counters();
	snprintf(msg, sizeof(msg), "read back: %ld pages in %ld requests, copies kept (%ld in swap)",
	    c2.in - c1.in, c2.reads - c1.reads, c2.used - c0.used);
	paging_ok(resident(p, BIG) == BIG && c2.in - c1.in == BIG &&
	    (!sable || ((c2.reads - c1.reads) * 8 <= BIG && c2.used - c0.used == BIG)), "%s", msg);
	fill(p, 0, BIG, 2);
	c3 = counters();
	snprintf(msg, sizeof(msg), "written again: the stale copies are freed (%ld in swap)",
	    c3.used - c0.used);
	paging_ok(!sable || c3.used == c0.used, "%s", msg);
	tap_ok(bad_page(p, 0, BIG, 2) < 0, "the new contents read back");
	munmap(p, BIG * PGSZ);
	paging_ok(swap_used() == c0.used, "%s", "unmapped: swap use back where it was");
}

/* Where paged-out memory shows: the process's VmSwap, and sysinfo(2)'s swap as /proc/meminfo's. */
static void
test_visible(void)
{
	char *p = map_pages(VISIBLE), msg[120];
	long before = status_get("VmSwap"), after;
	struct sysinfo si;

	fill(p, 0, VISIBLE, 1);
	madvise(p, VISIBLE * PGSZ, MADV_PAGEOUT);
	after = status_get("VmSwap");
	snprintf(msg, sizeof(msg), "/proc/self/status's VmSwap grows by the %d pages paged out "
	    "(%ld -> %ld kB)", VISIBLE, before, after);
	paging_ok(before >= 0 && after - before == VISIBLE * (long)PGSZ / 1024, "%s", msg);
	tap_ok(sysinfo(&si) == 0 &&
	    si.totalswap * si.mem_unit == (unsigned long)meminfo_get("SwapTotal") * 1024 &&
	    si.freeswap <= si.totalswap, "sysinfo's totalswap is /proc/meminfo's SwapTotal "
	    "(%lu kB), freeswap no more (%lu kB)", si.totalswap * si.mem_unit / 1024,
	    si.freeswap * si.mem_unit / 1024);
	munmap(p, VISIBLE * PGSZ);
}

/* Read-around follows madvise (and for MADV_NORMAL, its use: test_readaround_use). */
static void
test_windows(void)
{
	static const struct { int advice; const char *name; long pages; unsigned long at; } w[] = {
		{ MADV_RANDOM, "MADV_RANDOM", 1, 100 },
		{ MADV_NORMAL, "MADV_NORMAL", READ_WINDOW_NORMAL, 160 },
		{ MADV_SEQUENTIAL, "MADV_SEQUENTIAL", READ_WINDOW_SEQ, 0 },
	};
	char *p = map_pages(WINDOW_TEST), msg[160];

	for (unsigned i = 0; i < sizeof(w) / sizeof(w[0]); i++) {
		struct counters c0;
		long in;

		fill(p, 0, WINDOW_TEST, 3);
		madvise(p, WINDOW_TEST * PGSZ, MADV_PAGEOUT);
		madvise(p, WINDOW_TEST * PGSZ, w[i].advice);
		/* MADV_NORMAL's window follows use: a walk in order first, which uses it all. */
		if (w[i].advice == MADV_NORMAL)
			(void)bad_page(p, 0, 64, 3);
		c0 = counters();
		(void)*(volatile char *)(p + w[i].at * PGSZ);
		in = counters().in - c0.in;
		snprintf(msg, sizeof(msg), "%s: a fault reads %ld pages in one request, %lu resident",
		    w[i].name, in, resident(p, WINDOW_TEST));
		paging_ok(!sable || (in == w[i].pages && resident(p, WINDOW_TEST) ==
		    (unsigned long)w[i].pages && counters().reads - c0.reads == 1), "%s", msg);
		tap_ok(bad_page(p, 0, WINDOW_TEST, 3) < 0, "%s: the data reads back", w[i].name);
	}
	munmap(p, WINDOW_TEST * PGSZ);
}

/*
 * MADV_NORMAL's read-around follows its use (swap_pager.h): faults in
 * random order on every sixteenth page of paged-out memory never touch
 * a page read around another -- what memory pressure makes of a random
 * reader's neighbours -- and once the window has shrunk they read one
 * page each (a fixed window read 16 every time); a walk in order after
 * them reads many pages a request again.
 */
static void
test_readaround_use(void)
{
	static unsigned long order[RA_FAULTS];
	char *p = map_pages(RA_PAGES), msg[160];
	struct counters c0, c1;
	long bad = -1;

	fill(p, 0, RA_PAGES, 5);
	madvise(p, RA_PAGES * PGSZ, MADV_PAGEOUT);
	test_permutation(order, RA_FAULTS, 0x9e3779b97f4a7c15UL);
	c0 = counters();
	for (unsigned long i = 0; i < RA_FAULTS && bad < 0; i++)
		bad = bad_page(p, order[i] * RA_STRIDE, 1, 5);
	c1 = counters();
	tap_ok(bad < 0, "read-around: faults in random order read back what was written");
	snprintf(msg, sizeof(msg), "read-around: %d faults in random order, %d pages apart, read "
	    "%ld pages (at most %d more than one a fault)", RA_FAULTS, RA_STRIDE, c1.in - c0.in,
	    RA_WARMUP);
	paging_ok(!sable || c1.in - c0.in <= RA_FAULTS + RA_WARMUP, "%s", msg);
	madvise(p, RA_PAGES * PGSZ, MADV_PAGEOUT);
	c1 = counters();
	bad = bad_page(p, 0, RA_STRIDE * 16, 5);
	snprintf(msg, sizeof(msg), "read-around: then a walk in order reads %ld pages in %ld "
	    "requests", counters().in - c1.in, counters().reads - c1.reads);
	paging_ok(!sable || (bad < 0 && (counters().reads - c1.reads) * 8 <= RA_STRIDE * 16),
	    "%s", msg);
	munmap(p, RA_PAGES * PGSZ);
}

/* Discarding paged-out memory frees its copies. */
static void
test_discard(int advice, const char *name)
{
	char *p = map_pages(64), msg[160];
	long used0 = swap_used(), used1;

	fill(p, 0, 64, 4);
	madvise(p, 64 * PGSZ, MADV_PAGEOUT);
	used1 = swap_used();
	tap_ok(madvise(p, 64 * PGSZ, advice) == 0, "%s of paged-out memory -> 0", name);
	snprintf(msg, sizeof(msg), "%s: its 64 copies are freed (%ld, then %ld, in swap)", name,
	    used1 - used0, swap_used() - used0);
	paging_ok(used1 - used0 == 64 && swap_used() == used0, "%s", msg);
	tap_ok(advice == MADV_FREE ? (bad_page(p, 0, 64, 0) < 0 || bad_page(p, 0, 64, 4) < 0) :
	    bad_page(p, 0, 64, 0) < 0, "%s: the memory reads %s", name,
	    advice == MADV_FREE ? "zero or as it was" : "zero");
	munmap(p, 64 * PGSZ);
}

static void
test_partial_unmap(void)
{
	char *p = map_pages(64), msg[160];
	long used0 = swap_used();

	fill(p, 0, 64, 5);
	madvise(p, 64 * PGSZ, MADV_PAGEOUT);
	munmap(p + 32 * PGSZ, 32 * PGSZ);
	snprintf(msg, sizeof(msg), "unmapping half frees half the copies (%ld of 64 left)",
	    swap_used() - used0);
	paging_ok(swap_used() - used0 == 32, "%s", msg);
	tap_ok(bad_page(p, 0, 32, 5) < 0, "the other half reads back");
	munmap(p, 32 * PGSZ);
	paging_ok(swap_used() == used0, "%s", "and unmapping it frees the rest");
}

static int
exit_with_swap(void *arg)
{
	char *p = map_pages(128);

	(void)arg;
	fill(p, 0, 128, 6);
	madvise(p, 128 * PGSZ, MADV_PAGEOUT);
	return 0;
}

static void
test_exit(void)
{
	long used0 = swap_used();
	struct counters c0 = counters();
	int st = run_child(exit_with_swap, NULL);

	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a child pages out 128 pages and exits");
	paging_ok(counters().out - c0.out == 128 && swap_used() == used0, "%s",
	    "its exit freed every copy");
}

/*
 * Chains.  A fills, forks B; A rewrites the first half, then B the
 * second.  B reads the first half (it still sees it in the object it
 * shares with A, and is the only one to map those pages now) and pages
 * out everything it sees: its own copies and those shared pages.  When A
 * lets go, the shared object collapses into B's, its swap copies moving
 * up where B has nothing of its own.
 */
static int chain_go[2], chain_back[2];

static int
chain_child(char *p)
{
	char c;

	if (read(chain_go[0], &c, 1) != 1)
		return 1;
	fill(p, CHAIN / 2, CHAIN / 2, 8);	/* B's own copies of the second half */
	if (bad_page(p, 0, CHAIN / 2, 1) >= 0)	/* maps the shared first half here */
		return 2;
	if (madvise(p, CHAIN * PGSZ, MADV_PAGEOUT) != 0)
		return 3;
	if (swapping && resident(p, CHAIN) != 0)
		return 4;
	if (write(chain_back[1], "p", 1) != 1 || read(chain_go[0], &c, 1) != 1)
		return 5;
	/* A has let go: its object collapsed into ours, swap copies with it. */
	if (bad_page(p, 0, CHAIN / 2, 1) >= 0 || bad_page(p, CHAIN / 2, CHAIN / 2, 8) >= 0)
		return 6;
	return 0;
}

static void
test_chain(void)
{
	char *p = map_pages(CHAIN), c, msg[160];
	long used0 = swap_used(), collapses0 = vmstat_get("collapse_swap_moved");
	struct counters c0;
	pid_t pid;
	int st;

	pipe(chain_go);
	pipe(chain_back);
	fill(p, 0, CHAIN, 1);
	c0 = counters();
	if ((pid = fork()) == 0)
		_exit(chain_child(p));
	fill(p, 0, CHAIN / 2, 7);		/* A's own copies of the first half */
	write(chain_go[1], "g", 1);
	tap_ok(read(chain_back[0], &c, 1) == 1, "the child paged out what it sees");
	snprintf(msg, sizeof(msg), "%ld pages went out: its own and those it shares with the parent",
	    counters().out - c0.out);
	paging_ok(counters().out - c0.out == CHAIN, "%s", msg);
	tap_ok(bad_page(p, 0, CHAIN / 2, 7) < 0 && bad_page(p, CHAIN / 2, CHAIN / 2, 1) < 0,
	    "the parent's view is untouched");
	munmap(p, CHAIN * PGSZ);
	write(chain_go[1], "x", 1);
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child reads its view back after the "
	    "parent let go (status %#x)", st);
	snprintf(msg, sizeof(msg), "the collapse moved %ld copies in swap up into the child's object",
	    vmstat_get("collapse_swap_moved") - collapses0);
	paging_ok(!sable || vmstat_get("collapse_swap_moved") - collapses0 == CHAIN / 2, "%s", msg);
	paging_ok(swap_used() == used0, "%s", "no copy is left after both are gone");
	close(chain_go[0]);
	close(chain_go[1]);
	close(chain_back[0]);
	close(chain_back[1]);
}

/* A copy-on-write fault on a page whose copy is in swap, in a backing object. */
static int
cow_child(char *p)
{
	char c;

	if (read(chain_go[0], &c, 1) != 1)
		return 1;
	/* The parent paged out the object we share: write into it. */
	for (unsigned long i = 0; i < CHAIN; i += 2)
		p[i * PGSZ] ^= 1;
	for (unsigned long i = 0; i < CHAIN; i++) {
		unsigned long *q = (unsigned long *)(p + i * PGSZ);

		if (q[0] != (word(9, i, 0) ^ (i % 2 == 0)) || q[1] != word(9, i, 1))
			return 2;
	}
	return 0;
}

static void
test_cow_from_swap(void)
{
	char *p = map_pages(CHAIN), msg[160];
	long used0 = swap_used();
	struct counters c0;
	pid_t pid;
	int st;

	pipe(chain_go);
	fill(p, 0, CHAIN, 9);
	if ((pid = fork()) == 0)
		_exit(cow_child(p));
	c0 = counters();
	/* Neither has written since the fork: the pages are the shared object's, mapped by us only. */
	madvise(p, CHAIN * PGSZ, MADV_PAGEOUT);
	snprintf(msg, sizeof(msg), "the parent paged out the %ld pages both share",
	    counters().out - c0.out);
	paging_ok(counters().out - c0.out == CHAIN, "%s", msg);
	write(chain_go[1], "x", 1);
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the child's writes copy from the pages in "
	    "swap (status %#x)", st);
	tap_ok(bad_page(p, 0, CHAIN, 9) < 0, "the parent still reads the originals");
	munmap(p, CHAIN * PGSZ);
	paging_ok(swap_used() == used0, "%s", "every copy freed");
	close(chain_go[0]);
	close(chain_go[1]);
}

/* Shared anonymous memory: paged out by one process, read back by another. */
static void
test_shared(void)
{
	char *p = mmap(NULL, SHARED * PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	long used0 = swap_used();
	struct counters c0 = counters();
	pid_t pid;
	int st;

	if ((pid = fork()) == 0) {
		fill(p, 0, SHARED, 10);
		_exit(madvise(p, SHARED * PGSZ, MADV_PAGEOUT) != 0);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a child filled shared memory and paged "
	    "it out");
	paging_ok(counters().out - c0.out == SHARED && resident(p, SHARED) == 0, "%s",
	    "it went to swap");
	tap_ok(bad_page(p, 0, SHARED, 10) < 0, "the parent reads what the child wrote");
	munmap(p, SHARED * PGSZ);
	paging_ok(swap_used() == used0, "%s", "and the copies are gone with the memory");
}

static void
test_locked(void)
{
	char *p = map_pages(LOCKED);
	struct counters c0;

	fill(p, 0, LOCKED, 11);
	if (mlock(p, LOCKED * PGSZ) != 0) {
		tap_skip("mlock failed: %d", errno);
		munmap(p, LOCKED * PGSZ);
		return;
	}
	c0 = counters();
	if (under_qemu_user())
		tap_skip("qemu-user answers every MADV_PAGEOUT with 0 (Linux: EINVAL when locked)");
	else
		tap_ok(madvise(p, LOCKED * PGSZ, MADV_PAGEOUT) == -1 && errno == EINVAL,
		    "MADV_PAGEOUT of locked memory: EINVAL");
	tap_ok(resident(p, LOCKED) == LOCKED && counters().out == c0.out &&
	    bad_page(p, 0, LOCKED, 11) < 0, "it stays resident, nothing written");
	munlock(p, LOCKED * PGSZ);
	tap_ok(madvise(p, LOCKED * PGSZ, MADV_PAGEOUT) == 0, "unlocked, it may be paged out");
	munmap(p, LOCKED * PGSZ);
}

int
main(void)
{
	long used0, total = meminfo_get("SwapTotal");

	sable = vmstat_is_sable();
	swapping = total > 0 && !under_qemu_user();
	if (!swapping)
		tap_diag("no swap in use (SwapTotal %ld kB%s): paging checks are skipped", total,
		    under_qemu_user() ? ", qemu-user ignores MADV_PAGEOUT" : "");
	used0 = swap_used();
	test_round_trip();
	test_visible();
	test_windows();
	test_readaround_use();
	test_discard(MADV_DONTNEED, "MADV_DONTNEED");
	test_discard(MADV_FREE, "MADV_FREE");
	test_partial_unmap();
	test_exit();
	test_chain();
	test_cow_from_swap();
	test_shared();
	test_locked();
	paging_ok(swap_used() == used0, "%s", "swap use is back where it started");
	tap_vm_consistent("paging");
	return tap_done_late_plan();
}
