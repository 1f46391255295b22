/*
 * press: many threads in several processes reshaping their memory while
 * the page daemon sends it to swap and to a file system.
 *
 * Each of three processes runs two threads; each thread owns an arena
 * of pages in the shared address space and a file on a spare ext2 disk,
 * and keeps a model of what every arena page must hold.  From a fixed
 * seed it writes, checks, mprotects, unmaps and maps again (anonymous,
 * shared or private file mappings), moves, shrinks and grows (mremap),
 * drops (MADV_DONTNEED), pages out (MADV_PAGEOUT), locks and unlocks,
 * msyncs, pwrites and preads, and forks a child that checks its
 * inherited copy and writes its own without the parent seeing it.  The arenas together are over twice the machine's memory,
 * so every step races the page daemon, the laundry and the swap pager,
 * and the threads' map changes race each other's faults and shootdowns.
 * A word carries a per-thread generation, so a lost, stale or misplaced
 * page is caught.  Afterwards every object, wiring and swap slot the run
 * took is given back, and the files hold what the model says.
 *
 * The seed is 1 unless the disk holds a file "seed" ("SEED [STEPS [PROCS
 * [THREADS]]]"): scripts/swap-test --ext2-seed makes one, to run other
 * seeds and shapes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <uthread.h>
#include <unistd.h>
#include <vmstat.h>

#define MNT		"/mnt/press"
#define PROCS		3		/* by default; the seed file may say otherwise */
#define THREADS		2		/* per process, the first is the process's own */
#define MAX_PROCS	8
#define MAX_THREADS	8
#define CHILD_OPS	24		/* steps a forked child takes */
#define NOFF		4
#define MAXRUN		48		/* the longest range a step touches */
#define FILE_SLACK	64		/* file pages past the arena's: room to grow into */
#define SLACK_KB	2048		/* allocator caches may keep a little after the run */

static const unsigned long offs[NOFF] = { 0, 1352, 2056, PGSZ - 8 };

enum kind { K_NONE, K_ANON, K_SHARED, K_PRIV };

/* The model of one arena page: what is mapped there and what it must read. */
struct page {
	uint8_t		kind, ro, locked;
	uint32_t	gen;		/* anonymous or private copy's contents; 0: none written */
	uint32_t	fpage;		/* the file page a file mapping shows here */
};

/* One thread's world: its arena, its file, and their model. */
struct worker {
	int		id;		/* proc * threads + thread */
	int		in_child;	/* a forked copy: leaves the shared file alone */
	uint64_t	owner;		/* salts the tags */
	uint64_t	rng;
	uint32_t	nextgen;
	int		fd;
	unsigned long	np, fpages;
	char		*arena;
	struct page	*model;
	uint32_t	*fgen;		/* each file page's contents; 0: zeros */
	int		step;
	const char	*op;
	uint64_t	buf[PGSZ / 8];	/* pwrite's and pread's page */
	struct uthread	thread;
	int		result;
};

static unsigned long seed = 1, arena_pages, ops_per_thread;
static int procs = PROCS, threads = THREADS;
static const char *dir = MNT;	/* where the files are */

/* A number in [0, n), from the worker's own stream. */
static unsigned long
rnd(struct worker *w, unsigned long n)
{
	w->rng = test_mix64(w->rng);
	return w->rng % n;
}

/* The word at offset index k of a page of generation gen written by owner (never 0). */
static uint64_t
tag(uint64_t owner, uint32_t gen, int k)
{
	return test_mix64(owner ^ ((uint64_t)gen << 8) ^ (uint64_t)k) | 1;
}

/* The file's owner salt: pwrites and shared stores by the parent only. */
static uint64_t
file_owner(const struct worker *w)
{
	return test_mix64(seed * 1000 + (uint64_t)w->id + 500);
}

/* Report a mismatch in one write(2), which threads may do at once. */
static int
fail(struct worker *w, const char *what, unsigned long i, uint64_t want, uint64_t got)
{
	char line[256];
	int n;

	n = snprintf(line, sizeof(line), "# worker %d%s step %d (%s): %s page %lu kind %d "
	    "ro %d gen %u fpage %u: expected %#lx, got %#lx\n", w->id, w->in_child ? " child" : "",
	    w->step, w->op, what, i, w->model[i].kind, w->model[i].ro, w->model[i].gen,
	    w->model[i].fpage, (unsigned long)want, (unsigned long)got);
	write(1, line, n);
	return 1;
}

/* What word k of arena page i must read, by the model. */
static uint64_t
expect_word(const struct worker *w, unsigned long i, int k)
{
	const struct page *m = &w->model[i];

	if (m->kind != K_SHARED && m->gen != 0)
		return tag(w->owner, m->gen, k);
	if (m->kind == K_ANON || w->fgen[m->fpage] == 0)
		return 0;
	return tag(file_owner(w), w->fgen[m->fpage], k);
}

/* Check arena pages [lo, hi) that are mapped: 0, or 1 after a report. */
static int
check_range(struct worker *w, unsigned long lo, unsigned long hi)
{
	for (unsigned long i = lo; i < hi; i++) {
		if (w->model[i].kind == K_NONE)
			continue;
		for (int k = 0; k < NOFF; k++) {
			uint64_t want = expect_word(w, i, k);
			uint64_t got = *(volatile uint64_t *)(w->arena + i * PGSZ + offs[k]);

			if (got != want)
				return fail(w, "check", i, want, got);
		}
	}
	return 0;
}

/* Store a new generation in each writable page of [lo, hi); a child spares shared ones. */
static void
write_range(struct worker *w, unsigned long lo, unsigned long hi)
{
	for (unsigned long i = lo; i < hi; i++) {
		struct page *m = &w->model[i];
		uint32_t gen = ++w->nextgen;
		uint64_t owner = w->owner;

		if (m->kind == K_NONE || m->ro || (m->kind == K_SHARED && w->in_child))
			continue;
		if (m->kind == K_SHARED) {
			w->fgen[m->fpage] = gen;
			owner = file_owner(w);
		} else {
			m->gen = gen;
		}
		for (int k = 0; k < NOFF; k++)
			*(volatile uint64_t *)(w->arena + i * PGSZ + offs[k]) = tag(owner, gen, k);
	}
}

/* Map [lo, hi) afresh as kind, file page = arena page: 0, or -1. */
static int
map_range(struct worker *w, unsigned long lo, unsigned long hi, enum kind kind)
{
	int flags = MAP_FIXED | (kind == K_SHARED ? MAP_SHARED : MAP_PRIVATE);
	void *p;

	if (kind == K_ANON)
		p = mmap(w->arena + lo * PGSZ, (hi - lo) * PGSZ, PROT_READ | PROT_WRITE,
		    flags | MAP_ANONYMOUS, -1, 0);
	else
		p = mmap(w->arena + lo * PGSZ, (hi - lo) * PGSZ, PROT_READ | PROT_WRITE, flags,
		    w->fd, (off_t)(lo * PGSZ));
	if (p == MAP_FAILED)
		return -1;
	for (unsigned long i = lo; i < hi; i++)
		w->model[i] = (struct page){ kind, 0, 0, 0, (uint32_t)i };
	return 0;
}

/* Is all of [lo, hi) mapped?  Calls over holes fail part way (ENOMEM): the model would not know where. */
static int
all_mapped(const struct worker *w, unsigned long lo, unsigned long hi)
{
	for (unsigned long i = lo; i < hi; i++)
		if (w->model[i].kind == K_NONE)
			return 0;
	return 1;
}

/* Is any of [lo, hi) locked?  Dropping, paging out and moving locked memory fail part way (EINVAL). */
static int
any_locked(const struct worker *w, unsigned long lo, unsigned long hi)
{
	for (unsigned long i = lo; i < hi; i++)
		if (w->model[i].locked)
			return 1;
	return 0;
}

/* mlock or munlock [lo, hi), and check what it reads (mlock faults every page in). */
static int
op_lock(struct worker *w, unsigned long lo, unsigned long hi, int lock)
{
	if (!all_mapped(w, lo, hi))
		return 0;
	if ((lock ? mlock : munlock)(w->arena + lo * PGSZ, (hi - lo) * PGSZ) != 0)
		return fail(w, lock ? "mlock failed" : "munlock failed", lo, 0, (uint64_t)errno);
	for (unsigned long i = lo; i < hi; i++)
		w->model[i].locked = (uint8_t)lock;
	return check_range(w, lo, hi);
}

/* mprotect [lo, hi) read-only or read-write, and check what it reads. */
static int
op_protect(struct worker *w, unsigned long lo, unsigned long hi, int ro)
{
	if (!all_mapped(w, lo, hi))
		return 0;
	if (mprotect(w->arena + lo * PGSZ, (hi - lo) * PGSZ,
	    ro ? PROT_READ : PROT_READ | PROT_WRITE) != 0)
		return fail(w, "mprotect failed", lo, 0, (uint64_t)errno);
	for (unsigned long i = lo; i < hi; i++)
		w->model[i].ro = (uint8_t)ro;
	return check_range(w, lo, hi);
}

/* Unmap [lo, hi). */
static int
op_unmap(struct worker *w, unsigned long lo, unsigned long hi)
{
	if (munmap(w->arena + lo * PGSZ, (hi - lo) * PGSZ) != 0)
		return fail(w, "munmap failed", lo, 0, (uint64_t)errno);
	for (unsigned long i = lo; i < hi; i++)
		w->model[i].kind = K_NONE, w->model[i].locked = 0;
	return 0;
}

/* MADV_DONTNEED [lo, hi): anonymous pages and private copies go, files show through. */
static int
op_dontneed(struct worker *w, unsigned long lo, unsigned long hi)
{
	if (!all_mapped(w, lo, hi) || any_locked(w, lo, hi))
		return 0;
	if (madvise(w->arena + lo * PGSZ, (hi - lo) * PGSZ, MADV_DONTNEED) != 0)
		return fail(w, "madvise failed", lo, 0, (uint64_t)errno);
	for (unsigned long i = lo; i < hi; i++)
		w->model[i].gen = 0;
	return check_range(w, lo, hi);
}

/* MADV_PAGEOUT [lo, hi): anonymous pages only here go to swap now, and must come back. */
static int
op_pageout(struct worker *w, unsigned long lo, unsigned long hi)
{
	if (!all_mapped(w, lo, hi))
		return 0;
	if (madvise(w->arena + lo * PGSZ, (hi - lo) * PGSZ, MADV_PAGEOUT) != 0 && errno != EINVAL)
		return fail(w, "madvise pageout failed", lo, 0, (uint64_t)errno);
	return check_range(w, lo, hi);
}

/*
 * Move [lo, lo+n) to a disjoint [to, to+n) with MREMAP_FIXED; a range
 * over several mappings fails with EFAULT and changes nothing.
 */
static int
op_move(struct worker *w, unsigned long lo, unsigned long n)
{
	unsigned long to = rnd(w, w->np - n + 1);
	void *p;

	if ((to < lo + n && lo < to + n) || !all_mapped(w, lo, lo + n) ||
	    any_locked(w, lo, lo + n) || any_locked(w, to, to + n))
		return 0;
	p = mremap(w->arena + lo * PGSZ, n * PGSZ, n * PGSZ, MREMAP_MAYMOVE | MREMAP_FIXED,
	    w->arena + to * PGSZ);
	if (p == MAP_FAILED)
		return errno == EFAULT ? 0 : fail(w, "mremap move failed", lo, 0, (uint64_t)errno);
	for (unsigned long i = 0; i < n; i++) {
		w->model[to + i] = w->model[lo + i];
		w->model[lo + i].kind = K_NONE;
	}
	return check_range(w, to, to + n);
}

/*
 * Shrink [lo, lo+n) to m pages, then grow it back in place: the pages
 * grown again must read as never written (zero, or the file).
 */
static int
op_regrow(struct worker *w, unsigned long lo, unsigned long n)
{
	unsigned long m = 1 + rnd(w, n - 1);
	const struct page *last = &w->model[lo + m - 1];

	if (!all_mapped(w, lo, lo + n) || any_locked(w, lo, lo + n))
		return 0;
	if (last->kind != K_ANON && last->fpage + (n - m) >= w->fpages)
		return 0;
	/* Linux shrinks over several mappings; this kernel refuses (EFAULT), changing nothing. */
	if (mremap(w->arena + lo * PGSZ, n * PGSZ, m * PGSZ, 0) == MAP_FAILED)
		return errno == EFAULT ? 0 : fail(w, "mremap shrink failed", lo, 0, (uint64_t)errno);
	for (unsigned long i = lo + m; i < lo + n; i++)
		w->model[i].kind = K_NONE;
	if (mremap(w->arena + lo * PGSZ, m * PGSZ, n * PGSZ, 0) == MAP_FAILED)
		return errno == EFAULT ? 0 : fail(w, "mremap grow failed", lo, 0, (uint64_t)errno);
	for (unsigned long i = m; i < n; i++)
		w->model[lo + i] = (struct page){ last->kind, last->ro, 0, 0,
		    last->fpage + (uint32_t)(i - m + 1) };
	return check_range(w, lo, lo + n);
}

/* pwrite a new generation over file pages [lo, hi) (what shared mappings show). */
static int
op_pwrite(struct worker *w, unsigned long lo, unsigned long hi)
{
	uint64_t *buf = w->buf;

	for (unsigned long f = lo; f < hi; f++) {
		uint32_t gen = ++w->nextgen;

		memset(buf, 0, PGSZ);
		for (int k = 0; k < NOFF; k++)
			buf[offs[k] / 8] = tag(file_owner(w), gen, k);
		if (pwrite(w->fd, buf, PGSZ, (off_t)(f * PGSZ)) != (ssize_t)PGSZ)
			return fail(w, "pwrite failed", f, 0, (uint64_t)errno);
		w->fgen[f] = gen;
	}
	return 0;
}

/* pread file pages [lo, hi) and check them against the model. */
static int
check_file(struct worker *w, unsigned long lo, unsigned long hi)
{
	uint64_t *buf = w->buf;

	for (unsigned long f = lo; f < hi; f++) {
		if (pread(w->fd, buf, PGSZ, (off_t)(f * PGSZ)) != (ssize_t)PGSZ)
			return fail(w, "pread failed", f, 0, (uint64_t)errno);
		for (int k = 0; k < NOFF; k++) {
			uint64_t want = w->fgen[f] ? tag(file_owner(w), w->fgen[f], k) : 0;

			if (buf[offs[k] / 8] != want)
				return fail(w, "pread check (file page)", f, want, buf[offs[k] / 8]);
		}
	}
	return 0;
}

static int step(struct worker *w);

/* The child's part of op_fork: check the copy, reshape it, check again. */
static int
child_run(struct worker *w)
{
	w->in_child = 1;
	w->nextgen += 1U << 30;		/* its generations are none the parent will write */
	if (check_range(w, 0, w->np))
		return 1;
	for (int i = 0; i < CHILD_OPS; i++)
		if (step(w))
			return 1;
	return check_range(w, 0, w->np);
}

/* Fork; the child works on its copy; the parent's must not change. */
static int
op_fork(struct worker *w)
{
	pid_t pid;
	int st;

	if (w->in_child)
		return 0;
	pid = fork();
	if (pid < 0)
		return fail(w, "fork failed", 0, 0, (uint64_t)errno);
	if (pid == 0)
		_exit(child_run(w));
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return fail(w, "child failed", 0, 0, (uint64_t)st);
	return check_range(w, 0, w->np);
}

/* msync [lo, hi) (MS_SYNC): shared pages reach the disk, nothing changes. */
static int
op_msync(struct worker *w, unsigned long lo, unsigned long hi)
{
	if (!all_mapped(w, lo, hi))
		return 0;
	if (msync(w->arena + lo * PGSZ, (hi - lo) * PGSZ, MS_SYNC) != 0)
		return fail(w, "msync failed", lo, 0, (uint64_t)errno);
	return check_range(w, lo, hi);
}

/* One random step on a random range of the arena: 0, or 1 after a report. */
static int
step(struct worker *w)
{
	unsigned long n = 1 + rnd(w, MAXRUN);
	unsigned long lo = rnd(w, w->np - n + 1), hi = lo + n;
	unsigned long r = rnd(w, 1000);

	w->step++;
	if (r < 250)
		return w->op = "write", write_range(w, lo, hi), check_range(w, lo, hi);
	if (r < 370)
		return w->op = "check", check_range(w, lo, hi);
	if (r < 400)
		return w->op = "pageout", op_pageout(w, lo, hi);
	if (r < 450)
		return w->op = "mprotect", op_protect(w, lo, hi, (int)rnd(w, 2));
	if (r < 460)
		return w->op = "mlock", op_lock(w, lo, hi, rnd(w, 3) == 0);
	if (r < 500)
		return w->op = "munmap", op_unmap(w, lo, hi);
	if (r < 600) {
		enum kind kind = w->in_child ? K_ANON : (enum kind)(1 + rnd(w, 3));

		w->op = "mmap";
		if (map_range(w, lo, hi, kind) != 0)
			return fail(w, "mmap failed", lo, 0, (uint64_t)errno);
		return 0;
	}
	if (r < 670)
		return w->op = "dontneed", op_dontneed(w, lo, hi);
	if (r < 730)
		return w->op = "mremap move", op_move(w, lo, n);
	if (r < 790)
		return w->op = "mremap regrow", n < 2 ? 0 : op_regrow(w, lo, n);
	if (r < 830)
		return w->op = "msync", op_msync(w, lo, hi);
	if (r < 880)
		return w->op = "pwrite", w->in_child ? 0 : op_pwrite(w, lo, hi);
	if (r < 990)
		return w->op = "pread", check_file(w, lo, hi);
	if (r < 998)
		return w->op = "fork", op_fork(w);
	return w->op = "sweep", check_range(w, 0, w->np);
}

/* A thread's whole run: map, step, check everything and the file, unmap. */
static int
worker_run(void *arg)
{
	struct worker *w = arg;
	unsigned long third = w->np / 3;

	w->op = "setup";
	if (map_range(w, 0, third, K_ANON) || map_range(w, third, 2 * third, K_SHARED) ||
	    map_range(w, 2 * third, w->np, K_PRIV))
		return w->result = fail(w, "initial mmap failed", 0, 0, (uint64_t)errno);
	write_range(w, 0, w->np);
	for (unsigned long i = 0; i < ops_per_thread; i++)
		if (step(w))
			return w->result = 1;
	w->op = "final";
	if (check_range(w, 0, w->np))
		return w->result = 1;
	/* ENOMEM: the arena has holes (pread reads the same cache the mappings show). */
	if (msync(w->arena, w->np * PGSZ, MS_SYNC) != 0 && errno != ENOMEM)
		return w->result = fail(w, "msync failed", 0, 0, (uint64_t)errno);
	if (check_file(w, 0, w->fpages))
		return w->result = 1;
	munmap(w->arena, w->np * PGSZ);
	return w->result = check_file(w, 0, w->fpages);
}

/* Set up thread t of process proc: its arena reserved, its file made. */
static int
worker_init(struct worker *w, int proc, int t)
{
	char path[64];

	memset(w, 0, sizeof(*w));
	w->id = proc * threads + t;
	w->owner = test_mix64(seed * 1000 + (uint64_t)w->id);
	w->rng = test_mix64(seed ^ ((uint64_t)w->id << 32));
	w->np = arena_pages;
	w->fpages = arena_pages + FILE_SLACK;
	snprintf(path, sizeof(path), "%s/f%d", dir, w->id);
	w->fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	w->arena = mmap(NULL, w->np * PGSZ, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	w->model = calloc(w->np, sizeof(*w->model));
	w->fgen = calloc(w->fpages, sizeof(*w->fgen));
	if (w->fd < 0 || w->arena == MAP_FAILED || !w->model || !w->fgen ||
	    ftruncate(w->fd, (off_t)(w->fpages * PGSZ)) != 0)
		return -1;
	return 0;
}

/* One process: its threads' workers at once; its exit status, 0 if all passed. */
static int
process_run(int proc)
{
	static struct worker w[MAX_THREADS];
	int bad = 0;

	for (int t = 0; t < threads; t++)
		if (worker_init(&w[t], proc, t) != 0)
			return 2;
	for (int t = 1; t < threads; t++)
		if (uthread_create(&w[t].thread, worker_run, &w[t]) != 0)
			return 3;
	worker_run(&w[0]);
	for (int t = 1; t < threads; t++)
		uthread_join(&w[t].thread);
	for (int t = 0; t < threads; t++) {
		bad |= w[t].result;
		if (fsync(w[t].fd) != 0)
			bad |= fail(&w[t], "fsync failed", 0, 0, (uint64_t)errno);
		close(w[t].fd);
	}
	return bad;
}

/* The next number of text (at *p), or dflt if there is none or it is out of [1, max]. */
static unsigned long
next_number(char **p, unsigned long dflt, unsigned long max)
{
	unsigned long v = strtoul(*p, p, 10);

	return v >= 1 && v <= max ? v : dflt;
}

/* The disk's "seed" file, "SEED [STEPS [PROCS [THREADS]]]", if there is one. */
static void
read_seed(void)
{
	char text[64], *p = text;

	if (read_text_file(MNT "/seed", text, sizeof(text)) <= 0)
		return;
	seed = strtoul(p, &p, 10);
	ops_per_thread = next_number(&p, ops_per_thread, 1UL << 30);
	procs = (int)next_number(&p, PROCS, MAX_PROCS);
	threads = (int)next_number(&p, THREADS, MAX_THREADS);
}

/* Mount the first spare ext2 disk on MNT: 0, or -1. */
static int
mount_disk(void)
{
	char dev[16];

	mkdir("/mnt", 0755);
	mkdir(MNT, 0755);
	for (char c = 'a'; c <= 'h'; c++) {
		snprintf(dev, sizeof(dev), "/dev/vd%c", c);
		if (spare_ext2_disk(dev))
			return mount(dev, MNT, "ext2", 0, NULL);
	}
	return -1;
}

/* Run the processes; 1 if every one passed. */
static int
run_all(void)
{
	pid_t pids[MAX_PROCS];
	int st, ok = 1;

	for (int p = 0; p < procs; p++)
		if ((pids[p] = fork()) == 0)
			_exit(process_run(p));
	for (int p = 0; p < procs; p++) {
		waitpid(pids[p], &st, 0);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			tap_diag("process %d: status %#x", p, st);
			ok = 0;
		}
	}
	return ok;
}

/* On Linux (qemu-user): small arenas in /tmp, the model's checks only. */
static int
host_run(void)
{
	tap_plan(1);
	if (test_dir_make("press") != 0)
		return tap_done();
	dir = test_dir();
	arena_pages = 512;
	ops_per_thread = 400;
	tap_ok(run_all(), "every page, in parents and forked children, and every file page "
	    "read as the model says (%d processes x %d threads x %lu pages)", procs, threads,
	    arena_pages);
	return tap_done();
}

int
main(void)
{
	long ram_kb = meminfo_get("MemTotal");
	long out0 = vmstat_get("pswpout");
	struct vm_snapshot before, after;

	if (under_qemu_user() || !vmstat_is_sable())
		return host_run();
	if (mount_disk() != 0) {
		tap_skip_all("no spare ext2 disk");
		return tap_done();
	}
	tap_plan(4);
	ops_per_thread = 400;
	read_seed();
	arena_pages = (unsigned long)ram_kb * 1024 * 5 / 2 / (unsigned long)(procs * threads) / PGSZ;
	tap_diag("seed %lu: %d processes x %d threads x %lu pages (%lu MiB), %lu steps each",
	    seed, procs, threads, arena_pages, arena_pages * PGSZ >> 20, ops_per_thread);
	sync();
	write_text_file("/proc/sys/vm/drop_caches", "3\n");
	before = vm_snapshot_take();
	tap_ok(run_all(), "every page, in parents and forked children, and every file page "
	    "read as the model says");
	tap_ok(vmstat_get("pswpout") > out0, "it went through swap: %ld pages out",
	    vmstat_get("pswpout") - out0);
	sync();
	write_text_file("/proc/sys/vm/drop_caches", "3\n");
	tap_ok(vm_snapshot_back(&before, &after, SLACK_KB),
	    "everything was given back: free %ld -> %ld kB, anonymous %ld -> %ld, vnode %ld -> "
	    "%ld, shadows %ld -> %ld, wired %ld -> %ld", before.free_kb, after.free_kb,
	    before.anon, after.anon, before.vnode, after.vnode, before.shadows, after.shadows,
	    before.wired, after.wired);
	tap_ok(vmcheck_problems("/proc/vmcheck") == 0 &&
	    vmcheck_value("swap_slots_used") == vmcheck_value("swap_slots_held"),
	    "/proc/vmcheck consistent, every slot in use held (%ld used, %ld held)",
	    vmcheck_value("swap_slots_used"), vmcheck_value("swap_slots_held"));
	return tap_done();
}
