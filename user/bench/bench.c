/*
 * bench: micro-benchmarks of system calls, faults and fork.
 *
 * Each result is printed as "name value unit" lines: retired
 * instructions (rdinstret), cycles (rdcycle) and nanoseconds
 * (CLOCK_MONOTONIC) per operation.  The kernel must let user mode read
 * the counters (scounteren.CY/IR).
 */
#include <rdcsr.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

#define PG 4096UL
#define BIG_REGION (64UL << 20)
#define SUPERPAGE (2UL << 20)

struct sample {
	unsigned long instret, cycles, ns;
};

static unsigned long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000UL + ts.tv_nsec;
}

static void
start(struct sample *s)
{
	s->ns = now_ns();
	s->cycles = rdcycle();
	s->instret = rdinstret();
}

static void
stop(struct sample *s)
{
	s->instret = rdinstret() - s->instret;
	s->cycles = rdcycle() - s->cycles;
	s->ns = now_ns() - s->ns;
}

static void
report(const char *name, const struct sample *s, unsigned long n,
    const char *per)
{
	printf("%-24s %10lu instret/%s\n", name, s->instret / n, per);
	printf("%-24s %10lu cycles/%s\n", name, s->cycles / n, per);
	printf("%-24s %10lu ns/%s\n", name, s->ns / n, per);
}

static void
touch(char *p, unsigned long npages)
{
	unsigned long i;

	for (i = 0; i < npages; i++)
		((volatile char *)p)[i * PG] = 1;
}

/*
 * Let the machine go idle for a moment before a benchmark, as a program
 * started on a quiet machine finds it: whatever the last one left to
 * the background (the reaper, the zeroing of free pages) is done, so
 * that no figure depends on the benchmarks run before it.
 */
static void
settle(void)
{
	struct timespec quiet = { 0, 20 * 1000 * 1000 };

	nanosleep(&quiet, NULL);
}

/* The cost of a trivial system call. */
static void
bench_getpid(void)
{
	struct sample s;
	int i;

	start(&s);
	for (i = 0; i < 1000; i++)
		getpid();
	stop(&s);
	report("getpid", &s, 1000, "call");
}

/* A first write to a fresh anonymous page: a zero-fill fault. */
static void
zero_fill(const char *name)
{
	unsigned long n = 1024;
	char *p = mmap(NULL, n * PG, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct sample s;

	madvise(p, n * PG, MADV_NOHUGEPAGE);	/* the 4 KiB fault's figure */
	start(&s);
	touch(p, n);
	stop(&s);
	report(name, &s, n, "page");
	munmap(p, n * PG);
}

/* As the kernel is set up (idle harts keep free pages zeroed: the fault takes one). */
static void bench_zero_fill(void) { zero_fill("zero_fill_fault"); }

/*
 * Run a benchmark with the kernel setting at path (a /proc/sys file) set
 * to value, and put the setting back after; if it cannot be set, say so.
 */
static void
with_setting(const char *path, const char *value, void (*run)(void), const char *name)
{
	char was[32];

	if (read_text_file(path, was, sizeof(was)) <= 0 || write_text_file(path, value) != 0) {
		printf("# %s: cannot set %s\n", name, path);
		return;
	}
	run();
	write_text_file(path, was);
}

/* With no free page zeroed ahead: those there are taken first, and held meanwhile. */
static void
zero_fill_unzeroed(void)
{
	unsigned long n = (unsigned long)vmstat_get("nr_free_zeroed") + 64;
	char *hog = mmap(NULL, n * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	madvise(hog, n * PG, MADV_NOHUGEPAGE);
	touch(hog, n);
	if (vmstat_get("nr_free_zeroed") != 0)
		printf("# zero_fill_fault_unzeroed: %ld free pages still zeroed\n",
		    vmstat_get("nr_free_zeroed"));
	zero_fill("zero_fill_fault_unzeroed");
	munmap(hog, n * PG);
}

/* The fault's own zeroing: idle harts zero no page ahead (vm_page_zero.h). */
static void
bench_zero_fill_unzeroed(void)
{
	with_setting("/proc/sys/vm/prezero_pages", "0", zero_fill_unzeroed,
	    "zero_fill_fault_unzeroed");
}

/* A child's first write to a page shared with its parent: a COW fault. */
static void
bench_cow(void)
{
	unsigned long n = 1024;
	char *p = mmap(NULL, n * PG, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct sample s;
	int fds[2];
	pid_t pid;

	madvise(p, n * PG, MADV_NOHUGEPAGE);	/* the 4 KiB copy's figure */
	touch(p, n);
	pipe(fds);
	pid = fork();
	if (pid == 0) {
		start(&s);
		touch(p, n);
		stop(&s);
		write(fds[1], &s, sizeof(s));
		_exit(0);
	}
	if (read(fds[0], &s, sizeof(s)) == sizeof(s))
		report("cow_fault", &s, n, "page");
	waitpid(pid, NULL, 0);
	close(fds[0]);
	close(fds[1]);
	munmap(p, n * PG);
}

/* fork + _exit + wait4 with a given amount of touched heap. */
static void
bench_fork(unsigned long bytes, const char *name)
{
	int i, iters = 20;
	struct sample s;
	char *heap = NULL;
	pid_t pid;

	if (bytes > 0) {
		heap = malloc(bytes);
		memset(heap, 1, bytes);
	}
	start(&s);
	for (i = 0; i < iters; i++) {
		pid = fork();
		if (pid == 0)
			_exit(0);
		waitpid(pid, NULL, 0);
	}
	stop(&s);
	report(name, &s, iters, "fork");
	free(heap);
}

/* Mapping and unmapping one page. */
static void
bench_mmap(void)
{
	struct sample s;
	void *p;
	int i;

	start(&s);
	for (i = 0; i < 1000; i++) {
		p = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		munmap(p, PG);
	}
	stop(&s);
	report("mmap_munmap", &s, 1000, "pair");
}

/*
 * Context switches.  sched_yield with nothing else to run: through the
 * idle thread and back to the same process.  A pipe ping-pong between
 * two processes: each round trip is two switches from one address space
 * to the other.  On our kernel, also the whole-TLB flushes the switches
 * cost (they happen without ASIDs, booted with noasid as on the U74).
 */
static void
bench_yield(void)
{
	struct sample s;
	int i;

	start(&s);
	for (i = 0; i < 1000; i++)
		sched_yield();
	stop(&s);
	report("sched_yield", &s, 1000, "call");
}

static void
bench_pingpong(void)
{
	enum { TRIPS = 1000 };
	int ab[2], ba[2], i;
	long flushes = vmstat_get("tlb_switch_flushes");
	struct sample s;
	char c = 'x';
	pid_t pid;

	pipe(ab);
	pipe(ba);
	pid = fork();
	if (pid == 0) {
		for (i = 0; i < TRIPS; i++)
			if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	start(&s);
	for (i = 0; i < TRIPS; i++) {
		write(ab[1], &c, 1);
		read(ba[0], &c, 1);
	}
	stop(&s);
	waitpid(pid, NULL, 0);
	report("pipe_pingpong", &s, TRIPS, "trip");
	if (flushes >= 0)
		printf("%-24s %10lu tlbflush/trip\n", "pipe_pingpong_flushes",
		    (unsigned long)(vmstat_get("tlb_switch_flushes") - flushes) / TRIPS);
	close(ab[0]);
	close(ab[1]);
	close(ba[0]);
	close(ba[1]);
}

/* mmap of 64 MiB of anonymous memory with MAP_POPULATE, per page: every page faulted in at once. */
static void
bench_populate(void)
{
	unsigned long n = BIG_REGION / PG;
	struct sample s;
	char *p;

	start(&s);
	p = mmap(NULL, BIG_REGION, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	stop(&s);
	if (p == MAP_FAILED) {
		printf("# mmap_populate_64m: mmap failed\n");
		return;
	}
	report("mmap_populate_64m", &s, n, "page");
	munmap(p, BIG_REGION);
}

/* madvise(MADV_DONTNEED) of 64 MiB of touched anonymous memory, per page freed. */
static void
bench_dontneed(void)
{
	unsigned long n = BIG_REGION / PG;
	char *p = mmap(NULL, BIG_REGION, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct sample s;

	if (p == MAP_FAILED) {
		printf("# madvise_dontneed_64m: mmap failed\n");
		return;
	}
	touch(p, n);
	start(&s);
	madvise(p, BIG_REGION, MADV_DONTNEED);
	stop(&s);
	report("madvise_dontneed_64m", &s, n, "page");
	munmap(p, BIG_REGION);
}

/*
 * The superpage figure: 64 MiB of fresh anonymous memory at a 2 MiB
 * boundary written in order, per 4 KiB page: one fault for each 2 MiB
 * (vm_superpage.h), which must end mapped by superpages (said on a
 * comment line, from /proc/vmstat).
 */
static void
bench_superpage_touch(void)
{
	unsigned long n = BIG_REGION / PG, a;
	char *raw = mmap(NULL, BIG_REGION + SUPERPAGE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long made;
	struct sample s;

	if (raw == MAP_FAILED) {
		printf("# superpage_touch_64m: mmap failed\n");
		return;
	}
	a = ((unsigned long)raw + SUPERPAGE - 1) & ~(SUPERPAGE - 1);
	made = vmstat_get("thp_fault_alloc");
	start(&s);
	touch((char *)a, n);
	stop(&s);
	made = vmstat_get("thp_fault_alloc") - made;
	report("superpage_touch_64m", &s, n, "page");
	printf("# superpage_touch_64m: %ld of %lu superpages made by faults\n", made,
	    BIG_REGION / SUPERPAGE);
	munmap(raw, BIG_REGION + SUPERPAGE);
}

/*
 * Zero-fill faults in a map of 'entries' unmergeable entries: what finding
 * the faulting entry costs as the map grows.  Five probe entries of 20
 * pages, each between two read-only one-page entries, lie spread among
 * one-page entries of alternating protection; the faults go round the
 * probe entries, so that no lookup finds the entry the last one did.
 * The fault's own work (five objects, the same page tables) is the same
 * however many entries there are.
 */
enum { PROBE_ENTRIES = 5, PROBE_PAGES = 20 };

static void
faults_among(int entries, const char *name)
{
	static char *maps[10000];
	char *probes[PROBE_ENTRIES];
	int background = entries - 2 * PROBE_ENTRIES, n = 0, made = 0;
	struct sample s;

	for (int i = 0; i <= background && n < (int)(sizeof(maps) / sizeof(maps[0])); i++) {
		while (made < PROBE_ENTRIES && i == (made + 1) * background / (PROBE_ENTRIES + 1)) {
			probes[made++] = mmap(NULL, PROBE_PAGES * PG, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
			maps[n++] = mmap(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		}
		if (i < background)
			maps[n++] = mmap(NULL, PG, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	}
	for (int i = 0; i < n; i++)
		if (maps[i] == MAP_FAILED) {
			printf("# faults among %d entries: mmap %d failed\n", entries, i);
			return;
		}
	start(&s);
	for (int pg = 0; pg < PROBE_PAGES; pg++)
		for (int e = 0; e < PROBE_ENTRIES; e++)
			((volatile char *)probes[e])[pg * PG] = 1;
	stop(&s);
	if (name != NULL)
		report(name, &s, PROBE_ENTRIES * PROBE_PAGES, "fault");
	for (int e = 0; e < PROBE_ENTRIES; e++)
		munmap(probes[e], PROBE_PAGES * PG);
	for (int i = 0; i < n; i++)
		munmap(maps[i], PG);
}

/*
 * Twice, the first time to warm up: it takes the page-table pages from
 * the allocator that the second finds in the page-table cache, and that
 * takes longer the more tables the spread-out entries need.
 */
static void
bench_fault_10_entries(void)
{
	faults_among(10, NULL);
	faults_among(10, "fault_10_entries");
}
static void
bench_fault_10k_entries(void)
{
	faults_among(10000, NULL);
	faults_among(10000, "fault_10k_entries");
}

static void bench_fork_0(void) { bench_fork(0, "fork_exit_wait_0"); }
static void fork_0_parent_first(void) { bench_fork(0, "fork_exit_wait_0_parent_first"); }

/* The same with the parent going on first after fork (it copies the pages it writes). */
static void
bench_fork_0_parent_first(void)
{
	with_setting("/proc/sys/kernel/sched_child_runs_first", "0", fork_0_parent_first,
	    "fork_exit_wait_0_parent_first");
}

static void bench_fork_64k(void) { bench_fork(64 * 1024, "fork_exit_wait_64k"); }
static void bench_fork_1m(void) { bench_fork(1024 * 1024, "fork_exit_wait_1m"); }
static void bench_fork_8m(void) { bench_fork(8 * 1024 * 1024, "fork_exit_wait_8m"); }

static const struct benchmark {
	const char *name;
	void (*run)(void);
} benchmarks[] = {
	{ "getpid", bench_getpid },
	{ "zero_fill_fault", bench_zero_fill },
	{ "cow_fault", bench_cow },
	{ "fork_exit_wait_0", bench_fork_0 },
	{ "fork_exit_wait_0_parent_first", bench_fork_0_parent_first },
	{ "fork_exit_wait_64k", bench_fork_64k },
	{ "fork_exit_wait_1m", bench_fork_1m },
	{ "fork_exit_wait_8m", bench_fork_8m },
	{ "mmap_munmap", bench_mmap },
	{ "mmap_populate_64m", bench_populate },
	{ "madvise_dontneed_64m", bench_dontneed },
	{ "superpage_touch_64m", bench_superpage_touch },
	{ "fault_10_entries", bench_fault_10_entries },
	{ "fault_10k_entries", bench_fault_10k_entries },
	{ "sched_yield", bench_yield },
	{ "pipe_pingpong", bench_pingpong },
	/*
	 * Last: its 8 MiB hog grows and then empties the zones' slabs, which
	 * moved the fork figures run after it by 5% (a slab to set up again).
	 */
	{ "zero_fill_fault_unzeroed", bench_zero_fill_unzeroed },
};

/* Whether name is one of the comma-separated names in list. */
static int
listed(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list;; p++) {
		if (strncmp(p, name, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return 1;
		if ((p = strchr(p, ',')) == NULL)
			return 0;
	}
}

/*
 * bench: every benchmark once.  bench NAME[,NAME...] [TIMES]: only those,
 * TIMES times over (for a profile: the difference between two runs that
 * differ only in TIMES is what the benchmark itself costs).
 */
int
main(int argc, char **argv)
{
	int times = argc > 2 ? atoi(argv[2]) : 1, ran = 0;

	printf("# name value unit (instret, cycles, ns per operation)\n");
	for (unsigned i = 0; i < sizeof(benchmarks) / sizeof(benchmarks[0]); i++) {
		if (argc > 1 && !listed(argv[1], benchmarks[i].name))
			continue;
		for (int t = 0; t < times; t++) {
			settle();
			benchmarks[i].run();
		}
		ran++;
	}
	if (ran == 0) {
		printf("# bench: no benchmark named %s\n", argv[1]);
		return 1;
	}
	return 0;
}
