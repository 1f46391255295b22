/*
 * vm_stress: randomized (fixed seed) mmap/munmap/mprotect/madvise/mremap/fork
 * in four workers, each checking its pages against a model after every step.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

#define SEED	0x5eed2026c0ffee11ULL
#define WORKERS	4
#define OPS	300
#define NP	192		/* pages in a worker's arena */
#define NOFF	4
#define SLACK_KB	256	/* allocator caches may keep a little after the run */

static const unsigned long offs[NOFF] = { 0, 1352, 2056, PGSZ - 8 };

/* The model of one arena page. */
struct page {
	unsigned char mapped, ro;
	uint32_t ver;		/* 0: must read as zero */
	uintptr_t tagaddr;	/* the address the tag was written at */
};

static struct page model[NP];
static char *arena;
static int worker;
static uint64_t rng;
static uint32_t nextver;
static int step;
static const char *opname = "start";
static volatile uint64_t *shared;

/* What the run did, printed per worker. */
enum { MMAP_IN, MMAP_OUT, REMAP_GROW, REMAP_MOVE, REMAP_OUT, REMAP_EFAULT, FORKS, NSTAT };
static int stats[NSTAT];

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)((rng * 0x2545f4914f6cdd1dULL) >> 33) % n;
}

static uint64_t
tag(uintptr_t addr, uint32_t ver, unsigned off)
{
	return test_mix64(test_mix64(SEED ^ worker) ^ addr ^ ((uint64_t)ver << 40) ^ off);
}

static char *
pg(int i)
{
	return arena + i * PGSZ;
}

static int
fail(const char *what, void *addr, uint64_t want, uint64_t got)
{
	printf("# worker %d step %d (%s): %s at %p: expected %#lx, got %#lx\n",
	    worker, step, opname, what, addr, (unsigned long)want,
	    (unsigned long)got);
	fflush(stdout);
	return 1;
}

/* Checks a page at addr against the model entry m. */
static int
check_page(char *addr, const struct page *m)
{
	int k;

	for (k = 0; k < NOFF; k++) {
		uint64_t want = m->ver ? tag(m->tagaddr, m->ver, k) : 0;
		uint64_t got = *(volatile uint64_t *)(addr + offs[k]);

		if (got != want)
			return fail(m->ver ? "tag" : "zero", addr + offs[k],
			    want, got);
	}
	return 0;
}

static int
check_range(int lo, int hi)
{
	int i;

	for (i = lo; i < hi; i++) {
		if (model[i].mapped && check_page(pg(i), &model[i]))
			return 1;
	}
	return 0;
}

static void
write_page(int i)
{
	struct page *m = &model[i];
	int k;

	m->ver = ++nextver;
	m->tagaddr = (uintptr_t)pg(i);
	for (k = 0; k < NOFF; k++)
		*(volatile uint64_t *)(pg(i) + offs[k]) = tag(m->tagaddr, m->ver, k);
}

/* A random mapped page, or -1. */
static int
some_mapped(void)
{
	int i, start = rnd(NP);

	for (i = 0; i < NP; i++) {
		if (model[(start + i) % NP].mapped)
			return (start + i) % NP;
	}
	return -1;
}

/* The end of a run of mapped pages from i, at most max long. */
static int
run_end(int i, int max)
{
	int j = i;

	while (j < NP && j - i < max && model[j].mapped)
		j++;
	return j;
}

static int
op_mmap(void)
{
	int n = 1 + rnd(16), h = rnd(NP - n + 1), i;
	char *p = mmap(pg(h), n * PGSZ, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return fail("mmap failed", pg(h), n, errno);
	if (p < arena || p + n * PGSZ > arena + NP * PGSZ) {
		struct page z = { 1, 0, 0, 0 };

		/* Placed outside the arena: it must read zero; drop it. */
		for (i = 0; i < n; i++) {
			if (check_page(p + i * PGSZ, &z))
				return 1;
		}
		munmap(p, n * PGSZ);
		stats[MMAP_OUT]++;
		return 0;
	}
	stats[MMAP_IN]++;
	h = (p - arena) / PGSZ;
	for (i = h; i < h + n; i++) {
		if (model[i].mapped)
			return fail("mmap returned a mapped page", pg(i), 0, 1);
		model[i] = (struct page){ 1, 0, 0, 0 };
	}
	return check_range(h, h + n);
}

static int
op_munmap(void)
{
	int i = some_mapped(), j;

	if (i < 0)
		return 0;
	j = run_end(i, 1 + rnd(16));
	if (munmap(pg(i), (j - i) * PGSZ) != 0)
		return fail("munmap failed", pg(i), 0, errno);
	while (i < j)
		model[i++].mapped = 0;
	return 0;
}

static int
op_mprotect(void)
{
	int i = some_mapped(), j, ro = rnd(2), k;

	if (i < 0)
		return 0;
	j = run_end(i, 1 + rnd(8));
	if (mprotect(pg(i), (j - i) * PGSZ,
	    ro ? PROT_READ : PROT_READ | PROT_WRITE) != 0)
		return fail("mprotect failed", pg(i), 0, errno);
	for (k = i; k < j; k++)
		model[k].ro = ro;
	return check_range(i, j);
}

static int
op_write(void)
{
	int i = some_mapped(), j, k;

	if (i < 0)
		return 0;
	j = run_end(i, 1 + rnd(16));
	for (k = i; k < j; k++) {
		if (!model[k].ro)
			write_page(k);
	}
	return check_range(i, j);
}

static int
op_dontneed(void)
{
	int i = some_mapped(), j, k;

	if (i < 0)
		return 0;
	j = run_end(i, 1 + rnd(8));
	if (madvise(pg(i), (j - i) * PGSZ, MADV_DONTNEED) != 0)
		return fail("madvise failed", pg(i), 0, errno);
	for (k = i; k < j; k++)
		model[k].ver = 0;
	return check_range(i, j);
}

/* The grandchild: sees the snapshot, then its writes stay its own. */
static int
grandchild(void)
{
	int i, k;

	opname = "grandchild verify";
	if (check_range(0, NP))
		return 1;
	opname = "grandchild write";
	for (i = 0; i < NP; i++) {
		if (!model[i].mapped || model[i].ro)
			continue;
		model[i].ver = 0x80000000u | i;
		model[i].tagaddr = (uintptr_t)pg(i) ^ 0xdead;
		for (k = 0; k < NOFF; k++)
			*(volatile uint64_t *)(pg(i) + offs[k]) =
			    tag(model[i].tagaddr, model[i].ver, k);
	}
	return check_range(0, NP);
}

static int
op_fork(void)
{
	int i, j, k, st;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return fail("fork failed", NULL, 0, errno);
	if (pid == 0) {
		int r = grandchild();

		fflush(stdout);
		_exit(r);
	}
	/* Race the grandchild: write some pages while it reads them. */
	i = some_mapped();
	if (i >= 0) {
		j = run_end(i, 1 + rnd(16));
		for (k = i; k < j; k++) {
			if (!model[k].ro)
				write_page(k);
		}
	}
	stats[FORKS]++;
	if (waitpid(pid, &st, 0) != pid)
		return fail("waitpid failed", NULL, 0, errno);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return fail("grandchild status", NULL, 0, st);
	return check_range(0, NP);
}

static int
op_mremap(void)
{
	int i = some_mapped(), j, n, add, k;
	struct page moved[NP];
	char *q;

	if (i < 0)
		return 0;
	for (j = i + 1; j < NP && j - i < 8 && model[j].mapped &&
	    model[j].ro == model[i].ro; j++)
		;
	n = j - i;
	add = 1 + rnd(8);
	if (j + add > NP)
		return 0;	/* an in-place grow could leave the arena */
	q = mremap(pg(i), n * PGSZ, (n + add) * PGSZ, MREMAP_MAYMOVE);
	if (q == MAP_FAILED) {
		/* The run may span two mappings the kernel did not merge. */
		if (errno == EFAULT) {
			stats[REMAP_EFAULT]++;
			return 0;
		}
		return fail("mremap failed", pg(i), n, errno);
	}
	memcpy(moved, &model[i], n * sizeof(moved[0]));
	for (k = n; k < n + add; k++)
		moved[k] = (struct page){ 1, model[i].ro, 0, 0 };
	if (q == pg(i)) {
		stats[REMAP_GROW]++;
		for (k = n; k < n + add; k++) {
			if (model[i + k].mapped)
				return fail("mremap grew over a mapped page",
				    pg(i + k), 0, 1);
			model[i + k] = moved[k];
		}
		return check_range(i, i + n + add);
	}
	for (k = i; k < j; k++)
		model[k].mapped = 0;
	if (q >= arena && q + (n + add) * PGSZ <= arena + NP * PGSZ) {
		int h = (q - arena) / PGSZ;

		stats[REMAP_MOVE]++;

		for (k = 0; k < n + add; k++) {
			if (model[h + k].mapped)
				return fail("mremap moved onto a mapped page",
				    pg(h + k), 0, 1);
			model[h + k] = moved[k];
		}
		return check_range(h, h + n + add);
	}
	/* Moved outside the arena: check it there, then drop it. */
	stats[REMAP_OUT]++;
	for (k = 0; k < n + add; k++) {
		if (check_page(q + k * PGSZ, &moved[k]))
			return 1;
	}
	munmap(q, (n + add) * PGSZ);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(void);
	int weight;
} ops[] = {
	{ "mmap", op_mmap, 20 },
	{ "munmap", op_munmap, 10 },
	{ "mprotect", op_mprotect, 15 },
	{ "write", op_write, 25 },
	{ "dontneed", op_dontneed, 8 },
	{ "fork", op_fork, 4 },
	{ "mremap", op_mremap, 8 },
};

static int
run_worker(int w)
{
	int total = 0, r, k;
	unsigned i;

	worker = w;
	rng = test_mix64(SEED + w + 1);
	arena = unmapped_pages(NP);
	if (arena == NULL)
		return fail("no arena", NULL, 0, errno);
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		total += ops[i].weight;
	for (step = 0; step < OPS; step++) {
		r = rnd(total);
		for (i = 0; r >= ops[i].weight; i++)
			r -= ops[i].weight;
		opname = ops[i].name;
		if (ops[i].fn())
			return 1;
		shared[w * 8] = shared[w * 8] + 1;
		if (step % 8 == 7 && check_range(0, NP))
			return 1;
	}
	opname = "final";
	if (check_range(0, NP))
		return 1;
	if (vmcheck_problems("/proc/self/vmcheck") > 0) {
		printf("# worker %d: the kernel's check finds its address space inconsistent\n", w);
		return 2;
	}
	for (k = 0; k < NP; k++) {
		if (model[k].mapped)
			munmap(pg(k), PGSZ);
	}
	printf("# worker %d: mmap %d in arena, %d outside; mremap %d grown in place, %d moved, %d moved out, %d EFAULT; %d forks\n",
	    w, stats[MMAP_IN], stats[MMAP_OUT], stats[REMAP_GROW],
	    stats[REMAP_MOVE], stats[REMAP_OUT], stats[REMAP_EFAULT],
	    stats[FORKS]);
	return 0;
}

/*
 * While the workers run, read each one's /proc/PID/vmmap and run the
 * kernel's check of its address space (/proc/PID/vmcheck), again and
 * again: shadow-chain depths are walked, and chains checked, while the
 * workers' forks and exits collapse them.  Exit status: 0, 1 if the
 * check found a problem, 2 if no read succeeded on our kernel.
 */
static int
read_maps_while_running(const pid_t *pids)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	char path[64], buf[4096];
	long reads = 0;
	int bad = 0;

	while (!shared[WORKERS * 8]) {
		for (int w = 0; w < WORKERS; w++) {
			long problems;
			int fd;

			snprintf(path, sizeof(path), "/proc/%d/vmmap", pids[w]);
			if ((fd = open(path, O_RDONLY)) < 0)
				continue;
			while (read(fd, buf, sizeof(buf)) > 0)
				;
			close(fd);
			reads++;
			snprintf(path, sizeof(path), "/proc/%d/vmcheck", pids[w]);
			if ((problems = vmcheck_problems(path)) > 0) {
				printf("# worker %d: %ld problems in its address space\n", w, problems);
				bad = 1;
			}
		}
		nanosleep(&pause, NULL);
	}
	return bad ? 1 : reads > 0 || !vmstat_is_sable() ? 0 : 2;
}

int
main(void)
{
	struct vm_snapshot before, after;
	pid_t pids[WORKERS], reader;
	int st[WORKERS], w, ok, reader_st;

	tap_plan(WORKERS + 5);
	tap_diag("seed %#llx, %d workers x %d operations on %d-page arenas",
	    (unsigned long long)SEED, WORKERS, OPS, NP);
	shared = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		tap_diag("shared mmap failed: errno %d", errno);
		return 1;
	}
	before = vm_snapshot_take();
	fflush(stdout);
	for (w = 0; w < WORKERS; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			int r = run_worker(w);

			fflush(stdout);
			_exit(r);
		}
	}
	reader = fork();
	if (reader == 0)
		_exit(read_maps_while_running(pids));
	for (w = 0; w < WORKERS; w++) {
		st[w] = -1;
		if (pids[w] > 0)
			waitpid(pids[w], &st[w], 0);
	}
	shared[WORKERS * 8] = 1;
	reader_st = -1;
	if (reader > 0)
		waitpid(reader, &reader_st, 0);
	for (w = 0; w < WORKERS; w++)
		tap_ok(pids[w] > 0 && WIFEXITED(st[w]) && WEXITSTATUS(st[w]) == 0,
		    "worker %d: %d random operations verified (status %#x)",
		    w, OPS, st[w]);
	tap_ok(WIFEXITED(reader_st) && WEXITSTATUS(reader_st) == 0,
	    "meanwhile a reader of the workers' /proc/PID/vmmap and vmcheck found them "
	    "consistent (status %#x)", reader_st);
	for (ok = 1, w = 0; w < WORKERS; w++)
		ok &= shared[w * 8] == OPS;
	tap_ok(ok, "shared anonymous counters %lu %lu %lu %lu (want %d each)",
	    (unsigned long)shared[0], (unsigned long)shared[8],
	    (unsigned long)shared[16], (unsigned long)shared[24], OPS);
	if (!vmstat_is_sable()) {
		tap_skip("the consistency check is our kernel's");
		tap_skip("system-wide counters are our kernel's");
		tap_skip("system-wide counters are our kernel's");
	} else {
		tap_ok(vmcheck_problems("/proc/vmcheck") == 0,
		    "afterwards every process and the wired-page count pass the check");
		(void)vm_snapshot_back(&before, &after, SLACK_KB);
		tap_ok(after.free_kb >= before.free_kb - SLACK_KB && after.wired == before.wired,
		    "free memory and wirings back: MemFree %ld -> %ld kB, wired %ld -> %ld",
		    before.free_kb, after.free_kb, before.wired, after.wired);
		tap_ok(after.anon == before.anon && after.shadows == before.shadows &&
		    after.vnode == before.vnode,
		    "object counts back after reaping (anonymous %ld -> %ld, shadows %ld -> %ld, "
		    "vnode %ld -> %ld)", before.anon, after.anon, before.shadows, after.shadows,
		    before.vnode, after.vnode);
	}
	return tap_done();
}
