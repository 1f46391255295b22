/*
 * oom: memory runs out, the OOM killer kills the biggest process, and
 * the others finish.
 *
 * Three workers each keep 4 MiB of their own, and every round also map,
 * fill and check 256 KiB more, verifying everything (a checksum per
 * page) round after round.  Then a hog maps and touches memory without
 * end (MAP_NORESERVE, so commit accounting lets it).  With no swap
 * nothing can be paged out: free memory runs out, the workers' faults
 * wait for memory, the page daemon finds nothing to free, and its OOM
 * killer must pick the hog (it holds the most), kill it with SIGKILL and
 * count it in oom_kill.  The workers, which waited meanwhile, go on until
 * the hog is gone and a few rounds more, and finish with every page
 * intact.  The machine stays up and its memory comes back.
 *
 * On Linux (qemu-user) this is skipped: it would press the host's OOM
 * killer, not ours.
 */
#include <errno.h>
#include <signal.h>
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

#define WORKERS		3
#define KEPT_PAGES	((4UL << 20) / PGSZ)	/* each worker's lasting memory */
#define FRESH_PAGES	((256UL << 10) / PGSZ)	/* and its new memory every round */
#define ROUNDS_AFTER	3			/* rounds after the hog is gone */
#define HOG_CHUNK	(1UL << 20)
#define HOG_TIMEOUT_S	120			/* the OOM killer must have acted by then */
#define SLACK_KB	1024
#define ROUND_PAUSE_NS	(20L * 1000 * 1000)

static volatile int *hog_gone;		/* shared: the parent has reaped the hog */

static uint64_t
word(unsigned long page, unsigned long round, int w)
{
	return (page * 0x9e3779b97f4a7c15ULL) ^ (round << 40) ^ ((uint64_t)w << 56);
}

/* Write (or check) one word every 512 bytes of npages at p: every page is written. */
static int
pattern(uint64_t *p, unsigned long npages, unsigned long round, int w, int check)
{
	for (unsigned long i = 0; i < npages; i++)
		for (unsigned long k = 0; k < PGSZ / 8; k += 64) {
			uint64_t *q = &p[i * PGSZ / 8 + k], v = word(i, round, w) + k;

			if (!check)
				*q = v;
			else if (*q != v)
				return 0;
		}
	return 1;
}

/* New memory, filled and checked, then given back: a fault per page every round. */
static int
fresh_round(unsigned long round, int w)
{
	uint64_t *p = (uint64_t *)map_pages(FRESH_PAGES);
	int ok;

	if (p == NULL)
		return 0;
	pattern(p, FRESH_PAGES, round, w, 0);
	ok = pattern(p, FRESH_PAGES, round, w, 1);
	munmap(p, FRESH_PAGES * PGSZ);
	return ok;
}

/* A worker: its memory checked and rewritten every round until the hog is gone, and more. */
static int
worker(int w, int ready_fd)
{
	uint64_t *kept = (uint64_t *)map_pages(KEPT_PAGES);
	struct timespec pause = { 0, ROUND_PAUSE_NS };
	unsigned long r = 0, after = 0;

	if (kept == NULL)
		return 2;
	pattern(kept, KEPT_PAGES, 0, w, 0);
	write(ready_fd, "r", 1);
	while (after < ROUNDS_AFTER) {
		if (!pattern(kept, KEPT_PAGES, r, w, 1))
			return 3;
		pattern(kept, KEPT_PAGES, ++r, w, 0);
		if (!fresh_round(r, w))
			return 4;
		if (*hog_gone)
			after++;
		nanosleep(&pause, NULL);
	}
	return pattern(kept, KEPT_PAGES, r, w, 1) ? 0 : 3;
}

/* The hog: memory without end, touched page by page. */
static void
hog(void)
{
	for (;;) {
		char *p = mmap(NULL, HOG_CHUNK, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED)
			continue;
		for (unsigned long off = 0; off < HOG_CHUNK; off += PGSZ)
			p[off] = 1;
	}
}

int
main(void)
{
	pid_t workers[WORKERS], hog_pid;
	long free0, oom0;
	int fds[2], st, ok = 1;
	char c;

	if (!vmstat_is_sable()) {
		tap_skip_all("exhausting memory would press the host's OOM killer, not ours");
		return tap_done();
	}
	tap_plan(5);
	hog_gone = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	free0 = meminfo_get("MemFree");
	oom0 = vmstat_get("oom_kill");
	pipe(fds);
	for (int w = 0; w < WORKERS; w++)
		if ((workers[w] = fork()) == 0)
			_exit(worker(w, fds[1]));
	for (int w = 0; w < WORKERS; w++)
		read(fds[0], &c, 1);
	if ((hog_pid = fork()) == 0) {
		alarm(HOG_TIMEOUT_S);		/* SIGALRM, not SIGKILL, if no one kills it */
		hog();
	}
	waitpid(hog_pid, &st, 0);
	*hog_gone = 1;
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	    "the hog is killed with SIGKILL (status %#x)", st);
	for (int w = 0; w < WORKERS; w++) {
		waitpid(workers[w], &st, 0);
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	tap_ok(ok, "the %d workers, which went on meanwhile, finish with every page intact",
	    WORKERS);
	tap_ok(vmstat_get("oom_kill") == oom0 + 1, "oom_kill counts one kill (%ld -> %ld)", oom0,
	    vmstat_get("oom_kill"));
	munmap((void *)hog_gone, PGSZ);
	tap_ok(meminfo_get("MemFree") >= free0 - SLACK_KB,
	    "the memory comes back (MemFree %ld -> %ld kB)", free0, meminfo_get("MemFree"));
	tap_ok(vmcheck_problems("/proc/vmcheck") == 0, "/proc/vmcheck finds every page and queue "
	    "consistent");
	return tap_done();
}
