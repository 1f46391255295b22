/*
 * superpage: 2 MiB superpages for anonymous memory (transparent huge
 * pages).  64 MiB of fresh, aligned anonymous memory touched in order
 * must end up mapped by superpages (smaps_rollup's AnonHugePages, the
 * thp_* counters of /proc/vmstat); then a partial mprotect, a partial
 * munmap, an mlock of a sub-range, MADV_DONTNEED of part, a fork with
 * writes on both sides, each must split (demote) just the superpage it
 * touches, and keep every byte; madvise(MADV_NOHUGEPAGE/MADV_HUGEPAGE)
 * and /proc/sys/vm/transparent_hugepage choose where superpages go; and
 * after munmap the free pages and page-table pages come back.
 *
 * On Linux through qemu-user the contents are checked as here, but
 * qemu-user neither reports the host's huge pages for the guest nor has
 * our counters: those checks are skipped, with the reason.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <probe.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <uthread.h>
#include <vmstat.h>

#define SP		(2UL << 20)		/* a superpage */
#define SP_KB		(SP >> 10)
#define REGION		(64UL << 20)
#define NSP		(REGION / SP)
#define THP_FILE	"/proc/sys/vm/transparent_hugepage"
#define NO_THP		"qemu-user: no superpage counters for the guest"

#define TESTS		42

static int sable;		/* our kernel: the counters are there */

/* n tests that cannot run here, and why. */
static void
skip_n(int n, const char *what, const char *why)
{
	while (n-- > 0)
		tap_skip("%s: %s", what, why);
}
static char rollup[8192];

/* The word page i of the region holds in generation gen. */
static unsigned long
word_of(unsigned long i, unsigned long gen)
{
	return 0x5350000000000000UL | gen << 32 | i;
}

/* This process's superpage-mapped anonymous memory, in kB (-1: not reported). */
static long
anon_huge_kb(void)
{
	char *f;

	if (read_text_file("/proc/self/smaps_rollup", rollup, sizeof(rollup)) <= 0 ||
	    (f = strstr(rollup, "AnonHugePages:")) == NULL)
		return -1;
	return strtol(f + strlen("AnonHugePages:"), NULL, 10);
}

/* Does page i of the region (at p) hold generation gen's word, at both ends? */
static int
page_holds(const char *p, unsigned long i, unsigned long gen)
{
	const unsigned long *w = (const unsigned long *)(p + i * PGSZ);

	return w[0] == word_of(i, gen) && w[PGSZ / 8 - 1] == word_of(i, gen);
}

static void
page_write(char *p, unsigned long i, unsigned long gen)
{
	unsigned long *w = (unsigned long *)(p + i * PGSZ);

	w[0] = w[PGSZ / 8 - 1] = word_of(i, gen);
}

/* Generation of each page of the region (0: never written: zeros; ~0: unmapped). */
static unsigned char gen_of[REGION / PGSZ];

/* Does every page of the region hold what the test wrote there last? */
static int
region_intact(const char *p)
{
	for (unsigned long i = 0; i < REGION / PGSZ; i++) {
		const unsigned long *w = (const unsigned long *)(p + i * PGSZ);

		if (gen_of[i] == 0xff)
			continue;
		if (gen_of[i] == 0 ? w[0] != 0 || w[PGSZ / 8 - 1] != 0 :
		    !page_holds(p, i, gen_of[i])) {
			tap_diag("page %lu: %lx, expected generation %u", i, w[0], gen_of[i]);
			return 0;
		}
	}
	return 1;
}

struct thp_counts {
	long	alloc, fallback, split, live, huge_kb;
};

static struct thp_counts
thp_now(void)
{
	struct thp_counts c = { vmstat_get("thp_fault_alloc"), vmstat_get("thp_fault_fallback"),
	    vmstat_get("thp_split_pmd"), vmstat_get("nr_anon_transparent_hugepages"),
	    anon_huge_kb() };

	return c;
}

/*
 * After a change that should split n superpages of this process: n more
 * splits counted, n fewer superpages here, and the contents kept.
 */
static void
check_split(const char *p, const struct thp_counts *before, long n, const char *what)
{
	struct thp_counts now = thp_now();

	tap_ok(region_intact(p), "%s: every page holds its data", what);
	if (!sable) {
		tap_skip("%s: %s", what, NO_THP);
		return;
	}
	tap_ok(now.split - before->split >= n && now.huge_kb == before->huge_kb - n * (long)SP_KB,
	    "%s: splits %ld superpage(s) (splits +%ld, AnonHugePages %ld -> %ld kB)", what, n,
	    now.split - before->split, before->huge_kb, now.huge_kb);
}

static void
test_touch(char *p)
{
	struct thp_counts c0 = thp_now(), c1;

	for (unsigned long i = 0; i < REGION / PGSZ; i++) {
		page_write(p, i, 1);
		gen_of[i] = 1;
	}
	c1 = thp_now();
	tap_ok(region_intact(p), "64 MiB touched in order: every page holds its data");
	if (!sable) {
		skip_n(2, "64 MiB by superpages", NO_THP);
		return;
	}
	tap_ok(c1.alloc - c0.alloc == (long)NSP && c1.live - c0.live == (long)NSP,
	    "64 MiB touched: %ld superpages made by faults, %ld more mapped (expect %lu)",
	    c1.alloc - c0.alloc, c1.live - c0.live, NSP);
	tap_ok(c1.huge_kb - c0.huge_kb == (long)(REGION >> 10),
	    "smaps_rollup: AnonHugePages grew by %ld kB (64 MiB)", c1.huge_kb - c0.huge_kb);
}

/* Superpage k of the region, page j inside it: the page's index in the region. */
#define PAGE_IN(k, j)	((k) * (SP / PGSZ) + (j))

static void
test_mprotect(char *p)
{
	struct thp_counts c0 = thp_now();
	unsigned long i = PAGE_IN(1, 1);
	struct fault f;

	tap_ok(mprotect(p + i * PGSZ, PGSZ, PROT_READ) == 0, "mprotect one page read-only");
	check_split(p, &c0, 1, "partial mprotect");
	probe_write(p + i * PGSZ + 8, 1, &f);
	tap_ok(f.signo == SIGSEGV, "the read-only page cannot be written (signal %d)", f.signo);
	page_write(p, i + 1, 2);
	gen_of[i + 1] = 2;
	tap_ok(page_holds(p, i + 1, 2), "its neighbour in the old superpage can");
	tap_ok(mprotect(p + i * PGSZ, PGSZ, PROT_READ | PROT_WRITE) == 0,
	    "mprotect it writable again");
	page_write(p, i, 2);
	gen_of[i] = 2;
	tap_ok(page_holds(p, i, 2), "and it takes a write");
}

static void
test_munmap(char *p)
{
	struct thp_counts c0 = thp_now();
	unsigned long i = PAGE_IN(2, 2);
	struct fault f;

	tap_ok(munmap(p + i * PGSZ, PGSZ) == 0, "munmap one page in a superpage");
	gen_of[i] = 0xff;
	check_split(p, &c0, 1, "partial munmap");
	probe_read(p + i * PGSZ, &f);
	tap_ok(f.signo == SIGSEGV, "the unmapped page faults (signal %d)", f.signo);
}

static void
test_mlock(char *p)
{
	struct thp_counts c0 = thp_now();
	unsigned long i = PAGE_IN(3, 4);
	int r = mlock(p + i * PGSZ, 2 * PGSZ);

	if (r != 0 && errno == EPERM) {
		skip_n(4, "mlock", "not permitted here (RLIMIT_MEMLOCK)");
		return;
	}
	tap_ok(r == 0, "mlock two pages inside a superpage");
	check_split(p, &c0, 1, "mlock of a sub-range");
	page_write(p, i, 3);
	gen_of[i] = 3;
	tap_ok(munlock(p + i * PGSZ, 2 * PGSZ) == 0 && page_holds(p, i, 3),
	    "munlock; the locked page took a write");
}

static void
test_dontneed(char *p)
{
	struct thp_counts c0 = thp_now();
	unsigned long i = PAGE_IN(4, 3);

	tap_ok(madvise(p + i * PGSZ, 3 * PGSZ, MADV_DONTNEED) == 0,
	    "MADV_DONTNEED of three pages in a superpage");
	gen_of[i] = gen_of[i + 1] = gen_of[i + 2] = 0;
	check_split(p, &c0, 1, "MADV_DONTNEED of part");
}

/* In the child: page a has the child's write, page b not the parent's. */
static int
child_cow(char *p, unsigned long a, unsigned long b, int to_parent, int from_parent)
{
	char c = 0;

	page_write(p, a, 5);
	if (write(to_parent, "w", 1) != 1 || read(from_parent, &c, 1) != 1)
		return 2;
	if (!page_holds(p, a, 5))
		return 3;
	if (!page_holds(p, b, gen_of[b]))
		return 4;	/* the parent's write leaked into the child */
	gen_of[a] = 5;
	return region_intact(p) ? 0 : 5;
}

static void
test_fork(char *p)
{
	unsigned long a = PAGE_IN(5, 10), b = PAGE_IN(5, 11);
	struct thp_counts c0 = thp_now(), c1;
	int up[2], down[2], st = -1;
	char c = 0;
	pid_t pid;

	if (pipe(up) != 0 || pipe(down) != 0) {
		tap_ok(0, "fork: pipes");
		return;
	}
	pid = fork();
	if (pid == 0)
		_exit(child_cow(p, a, b, up[1], down[0]));
	c1 = thp_now();
	if (sable)
		tap_ok(c1.huge_kb == c0.huge_kb, "fork: the parent's superpages stay (write-protected)");
	else
		tap_skip("fork: %s", NO_THP);
	tap_ok(pid > 0 && read(up[0], &c, 1) == 1, "fork: the child wrote its page");
	page_write(p, b, 6);
	gen_of[b] = 6;
	tap_ok(write(down[1], "p", 1) == 1 && waitpid(pid, &st, 0) == pid &&
	    WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "fork: the child sees its own write, not the parent's, and the rest (status %#x)", st);
	tap_ok(page_holds(p, a, gen_of[a]), "fork: the parent does not see the child's write");
	check_split(p, &c0, 1, "copy-on-write after fork");
	close(up[0]);
	close(up[1]);
	close(down[0]);
	close(down[1]);
}

/* 4 MiB touched after advice: how many kB of it superpages map now. */
static long
huge_kb_after_touch(int advice)
{
	char *q = map_aligned(2 * SP, SP);
	long before = anon_huge_kb(), after;

	if (q == NULL)
		return -2;
	if (advice >= 0)
		madvise(q, 2 * SP, advice);
	for (unsigned long off = 0; off < 2 * SP; off += PGSZ)
		q[off] = 1;
	after = anon_huge_kb();
	munmap(q, 2 * SP);
	return after - before;
}

static void
test_advice(void)
{
	char mode[64];

	if (!sable) {
		skip_n(8, "madvise and transparent_hugepage modes", NO_THP);
		return;
	}
	tap_ok(huge_kb_after_touch(MADV_NOHUGEPAGE) == 0,
	    "MADV_NOHUGEPAGE: touched memory gets no superpages");
	tap_ok(read_text_file(THP_FILE, mode, sizeof(mode)) > 0 &&
	    strcmp(mode, "[always] madvise never\n") == 0, "%s reads \"%.22s\"", THP_FILE, mode);
	if (write_text_file(THP_FILE, "madvise\n") != 0) {
		skip_n(6, "modes", "cannot write " THP_FILE " (not root)");
		return;
	}
	tap_ok(read_text_file(THP_FILE, mode, sizeof(mode)) > 0 &&
	    strcmp(mode, "always [madvise] never\n") == 0, "madvise mode set");
	tap_ok(huge_kb_after_touch(-1) == 0, "madvise mode: no advice, no superpages");
	tap_ok(huge_kb_after_touch(MADV_HUGEPAGE) == 2 * (long)SP_KB,
	    "madvise mode: MADV_HUGEPAGE memory gets superpages");
	write_text_file(THP_FILE, "never");
	tap_ok(huge_kb_after_touch(MADV_HUGEPAGE) == 0, "never mode: none even with advice");
	tap_ok(write_text_file(THP_FILE, "sometimes") != 0 && errno == EINVAL,
	    "a word that is no mode: EINVAL");
	tap_ok(write_text_file(THP_FILE, "always") == 0, "always mode again");
}

#define RACERS		4

struct racer {
	struct uthread	t;
	char		*page;		/* its own 4 KiB page of the shared 2 MiB */
	volatile int	*go;
	int		ok;
};

/* Wait for the start, then be one of RACERS first touches of one fresh 2 MiB. */
static int
race_touch(void *arg)
{
	struct racer *r = arg;

	while (!*r->go)
		;
	r->page[0] = 'r';
	r->ok = r->page[0] == 'r' && r->page[PGSZ - 1] == 0;
	return 0;
}

/*
 * RACERS threads touch pages of one fresh 2 MiB at once, on as many
 * harts as there are: one of them makes the superpage, the others wait
 * for its pages (busy while zeroed) and find them, rather than making
 * a second run and throwing one away.  Every touch is seen, one
 * superpage is made, none falls back, and the space is consistent.
 */
static void
test_racing_threads(void)
{
	static volatile int go;
	struct racer r[RACERS];
	struct thp_counts before = thp_now(), after;
	char *p = map_aligned(SP, SP);
	int started = 0, ok = 1;

	go = 0;
	for (int i = 0; p != NULL && i < RACERS; i++) {
		r[i] = (struct racer){ .page = p + (SP / RACERS) * i + PGSZ * i, .go = &go };
		started += uthread_create(&r[i].t, race_touch, &r[i]) == 0;
	}
	go = 1;
	for (int i = 0; i < started; i++) {
		uthread_join(&r[i].t);
		ok &= r[i].ok;
	}
	after = thp_now();
	tap_ok(p != NULL && started == RACERS && ok,
	    "%d threads touching one fresh 2 MiB at once each see their page (%d started)",
	    RACERS, started);
	if (!sable)
		tap_skip("racing threads: %s", NO_THP);
	else
		tap_ok(after.alloc - before.alloc == 1 && after.fallback == before.fallback,
		    "... and it is one superpage, made once (thp_fault_alloc +%ld, fallback +%ld)",
		    after.alloc - before.alloc, after.fallback - before.fallback);
	if (p != NULL)
		munmap(p, SP);
}

int
main(void)
{
	long free0, pt0, live0;
	char *p;

	tap_plan(TESTS);
	sable = vmstat_is_sable();
	free0 = vmstat_get("nr_free_pages");
	pt0 = vmstat_get("nr_page_table_pages");
	live0 = vmstat_get("nr_anon_transparent_hugepages");
	test_racing_threads();		/* first: a fresh mapping merged with none of the others */
	p = map_aligned(REGION, SP);
	if (!tap_ok(p != NULL, "map 64 MiB at a 2 MiB boundary")) {
		skip_n(TESTS - 3, "all", "no memory");
		return tap_done();
	}
	test_touch(p);
	test_mprotect(p);
	test_munmap(p);
	test_mlock(p);
	test_dontneed(p);
	test_fork(p);
	tap_ok(region_intact(p), "after all of it, every page holds its data");
	tap_vm_consistent("the superpage changes");
	munmap(p, REGION);
	test_advice();
	if (sable) {
		long free1 = vmstat_get("nr_free_pages");

		tap_ok(vmstat_get("nr_page_table_pages") == pt0 &&
		    vmstat_get("nr_anon_transparent_hugepages") == live0,
		    "after munmap: page-table pages (%ld) and superpages back as they were",
		    vmstat_get("nr_page_table_pages"));
		/*
		 * Slack, less than one superpage, for the memory caches keep: pv
		 * entries, emptied page tables, the pipes and /proc text of the test.
		 */
		tap_ok(free1 > free0 - 256, "after munmap: free pages back (%ld, %ld before)",
		    free1, free0);
	} else {
		skip_n(2, "leak check", NO_THP);
	}
	return tap_done();
}
