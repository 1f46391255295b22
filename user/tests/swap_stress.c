/*
 * swap_stress: four workers at once write, page out (MADV_PAGEOUT), read
 * back, discard and fork over arenas of anonymous memory, each checking
 * every page it reads against a model of what it wrote; meanwhile a
 * reader runs the kernel's consistency check (/proc/vmcheck, which walks
 * every object's swap metadata).  Forked children page out and rewrite
 * pages they share with their parent (copy-on-write from swap, collapse
 * when they exit), and the parent's view must not change.  At the end
 * swap use is back where it started, the slots in use are exactly those
 * objects hold, and the pages committed for mappings exactly those map
 * entries hold.
 *
 * Without swap (Linux through qemu-user on a host without swap, or no
 * swap= word) MADV_PAGEOUT leaves the pages alone and it is skipped:
 * vm_stress does the rest of this, faster.
 */
#include <errno.h>
#include <signal.h>
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

#define WORKERS		4
#define OPS		60
#define NP		128		/* pages in a worker's arena */
#define MAXRUN		24

static char *arena;
static unsigned gen[NP];		/* the generation each page holds (0: zeros) */
static unsigned long rng;
static int worker;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static unsigned long
word(unsigned g, unsigned long p, unsigned long w)
{
	return g == 0 ? 0 : ((unsigned long)g << 40) ^ ((unsigned long)worker << 32) ^
	    (p << 16) ^ (w * 0x9e3779b97f4a7c15UL);
}

static void
write_page(unsigned long p, unsigned g)
{
	unsigned long *q = (unsigned long *)(arena + p * PGSZ);

	for (unsigned long w = 0; w < PGSZ / sizeof(long); w += 7)
		q[w] = word(g, p, w);
	gen[p] = g;
}

/* Does page p hold what the model says?  Words spread over the page. */
static int
page_ok(unsigned long p)
{
	const unsigned long *q = (const unsigned long *)(arena + p * PGSZ);

	for (unsigned long w = 0; w < PGSZ / sizeof(long); w += 7)
		if (q[w] != word(gen[p], p, w))
			return 0;
	return 1;
}

static int
range_ok(unsigned long a, unsigned long n)
{
	for (unsigned long p = a; p < a + n; p++)
		if (!page_ok(p)) {
			printf("# worker %d: page %lu holds the wrong data (generation %u)\n",
			    worker, p, gen[p]);
			return 0;
		}
	return 1;
}

/* A fork child: checks, rewrites and pages out what it shares, checks again. */
static int
child(unsigned g)
{
	unsigned long a = rnd(NP - MAXRUN), n = 1 + rnd(MAXRUN);

	if (!range_ok(0, NP))
		return 1;
	for (unsigned long p = a; p < a + n; p++)
		write_page(p, g);
	madvise(arena, NP * PGSZ, MADV_PAGEOUT);
	return range_ok(0, NP) ? 0 : 2;
}

static int
run_worker(int w)
{
	unsigned g = 1;

	worker = w;
	rng = 0x5eed5a4bUL * (w + 1);
	arena = map_pages(NP);
	if (arena == NULL)
		return 10;
	for (int op = 0; op < OPS; op++) {
		unsigned long a = rnd(NP - MAXRUN), n = 1 + rnd(MAXRUN);
		int st;
		pid_t pid;

		switch (rnd(8)) {
		case 0: case 1:
			g++;
			for (unsigned long p = a; p < a + n; p++)
				write_page(p, g);
			break;
		case 2: case 3:
			madvise(arena + a * PGSZ, n * PGSZ, MADV_PAGEOUT);
			break;
		case 4: case 5:
			if (!range_ok(a, n))
				return 1;
			break;
		case 6:
			if (madvise(arena + a * PGSZ, n * PGSZ, MADV_DONTNEED) != 0)
				return 2;
			for (unsigned long p = a; p < a + n; p++)
				gen[p] = 0;
			break;
		default:
			g++;
			if ((pid = fork()) == 0)
				_exit(child(g));
			if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
			    WEXITSTATUS(st) != 0) {
				printf("# worker %d: a child failed (status %#x)\n", w, st);
				return 3;
			}
			g++;
			if (!range_ok(0, NP))
				return 4;
			break;
		}
	}
	return range_ok(0, NP) ? 0 : 5;
}

/* Show the lines of the check's text that report problems (all but its summary lines). */
static void
show_problems(void)
{
	static char text[16384];
	char *line, *next;

	if (read_text_file("/proc/vmcheck", text, sizeof(text)) < 0)
		return;
	for (line = text; (next = strchr(line, '\n')) != NULL; line = next + 1) {
		*next = '\0';
		if (strncmp(line, "swap_slots_", 11) != 0 && strncmp(line, "maps ", 5) != 0 &&
		    strncmp(line, "committed_pages_", 16) != 0 && strncmp(line, "problems ", 9) != 0)
			printf("# vmcheck: %s\n", line);
	}
}

/* Until told to stop, run the whole system's consistency check; its problems. */
static int
check_while_running(volatile int *stop)
{
	long problems = 0;

	while (!*stop) {
		long n = vmcheck_problems("/proc/vmcheck");

		if (n > 0) {
			printf("# %ld problems in /proc/vmcheck while paging\n", n);
			show_problems();	/* a second look: what it finds may have passed */
			problems += n;
		}
		struct timespec ts = { 0, 20 * 1000 * 1000 };

		nanosleep(&ts, NULL);
	}
	return problems > 0;
}

/* The "swap_slots_used" and "swap_slots_held" lines of /proc/vmcheck. */
static void
slots(long *used, long *held)
{
	char text[16384], *p;

	*used = *held = -1;
	if (read_text_file("/proc/vmcheck", text, sizeof(text)) < 0)
		return;
	if ((p = strstr(text, "swap_slots_used ")) != NULL)
		*used = strtol(p + 16, NULL, 10);
	if ((p = strstr(text, "swap_slots_held ")) != NULL)
		*held = strtol(p + 16, NULL, 10);
}

int
main(void)
{
	long used0 = meminfo_get("SwapTotal") - meminfo_get("SwapFree"), out0, used, held;
	volatile int *stop = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
	    -1, 0);
	pid_t pids[WORKERS], checker;
	int st, ok = 1;

	if (meminfo_get("SwapTotal") <= 0 || under_qemu_user()) {
		/* Without swap MADV_PAGEOUT does nothing: vm_stress covers the rest, faster. */
		tap_skip_all("no swap in use: nothing would be paged");
		return 0;
	}
	tap_plan(WORKERS + 5);
	out0 = vmstat_get("pswpout");
	checker = fork();
	if (checker == 0)
		_exit(check_while_running(stop));
	for (int w = 0; w < WORKERS; w++)
		if ((pids[w] = fork()) == 0)
			_exit(run_worker(w));
	for (int w = 0; w < WORKERS; w++) {
		st = -1;
		waitpid(pids[w], &st, 0);
		tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "worker %d: %d operations, every "
		    "page read back as written (status %#x)", w, OPS, st);
	}
	*stop = 1;
	waitpid(checker, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "meanwhile /proc/vmcheck found every "
	    "object's swap metadata sound (status %#x)", st);
	if (!vmstat_is_sable()) {
		for (int i = 0; i < 4; i++)
			tap_skip("the swap and commit counters checked here are our kernel's");
		return tap_done();
	}
	tap_ok(vmstat_get("pswpout") > out0, "%ld pages went out to swap",
	    vmstat_get("pswpout") - out0);
	for (int tries = 0; tries < 20 && meminfo_get("SwapTotal") - meminfo_get("SwapFree") !=
	    used0; tries++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };

		nanosleep(&ts, NULL);		/* exits finishing */
	}
	used = meminfo_get("SwapTotal") - meminfo_get("SwapFree");
	tap_ok(used == used0, "swap use back where it started (%ld kB, then %ld kB)", used0, used);
	slots(&used, &held);
	ok = used >= 0 && used == held;
	tap_ok(ok, "every slot in use is held by an object (%ld used, %ld held)", used, held);
	used = vmcheck_value("committed_pages_counted");
	held = vmcheck_value("committed_pages_held");
	tap_ok(used >= 0 && used == held, "every page committed for mappings is held by a map "
	    "entry (%ld counted, %ld held)", used, held);
	return tap_done();
}
