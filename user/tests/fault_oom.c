/*
 * fault_oom: a page fault that cannot get memory kills the process.
 *
 * A child maps more memory than the machine has, populated as far as
 * memory goes, and writes every page from the end.
 * When memory runs out the fault cannot be satisfied; as on Linux (whose
 * OOM killer sends SIGKILL), the process dies of SIGKILL, and never gets
 * a SIGSEGV claiming that a mapped address is not mapped.  Afterwards the
 * memory is all back.
 *
 * On Linux (qemu-user) this is skipped: it would press the whole host
 * into its OOM killer.
 */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define OVERSIZE	(1UL << 30)	/* twice the test machine's memory */
#define SEGV_STATUS	99		/* the child's exit status if SIGSEGV reached it */
#define SLACK_KB	256

static void
on_segv(int sig)
{
	(void)sig;
	_exit(SEGV_STATUS);
}

static int
fill_memory(void *arg)
{
	struct sigaction sa;
	char *p;

	(void)arg;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	/*
	 * MAP_POPULATE fills what memory there is (and ignores the rest, as on
	 * Linux); MAP_NORESERVE, since commit accounting refuses a mapping
	 * larger than memory.
	 */
	p = mmap(NULL, OVERSIZE, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return 2;
	/* From the end, where population cannot have reached. */
	for (unsigned long off = OVERSIZE; off > 0; off -= PGSZ)
		p[off - PGSZ] = 1;
	return 0;			/* the memory was there after all */
}

/*
 * Lock nearly half of free memory, fill most of the rest, and fork: the
 * child's copy of the locked pages cannot come from anywhere, fork waits
 * for the page daemon with the map locked, and the daemon's OOM killer
 * must not wait for that map (it once did: the machine hung).  This
 * process, the biggest, is killed.
 */
static int
fork_locked(void *arg)
{
	unsigned long half = (unsigned long)meminfo_get("MemFree") * 1024 / 100 * 45;
	char *locked, *filled;
	pid_t pid;

	(void)arg;
	locked = mmap(NULL, half, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	filled = mmap(NULL, half, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (locked == MAP_FAILED || filled == MAP_FAILED || mlock(locked, half) != 0)
		return 2;
	memset(filled, 1, half);
	if ((pid = fork()) == 0)
		_exit(0);
	return pid < 0 ? 3 : 0;		/* the memory was there after all */
}

int
main(void)
{
	long free0;
	int st;

	tap_plan(4);
	if (!vmstat_is_sable()) {
		for (int i = 0; i < 4; i++)
			tap_skip("filling memory would press the host's OOM killer (not our kernel)");
		return tap_done();
	}
	free0 = meminfo_get("MemFree");
	st = run_child(fill_memory, NULL);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	    "a write fault with no memory left kills the process with SIGKILL (status %#x)", st);
	tap_ok(meminfo_get("MemFree") >= free0 - SLACK_KB,
	    "and its memory comes back (MemFree %ld -> %ld kB)", free0, meminfo_get("MemFree"));
	st = run_child(fork_locked, NULL);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	    "fork of locked memory that memory cannot copy: the process is killed (status %#x)",
	    st);
	tap_ok(meminfo_get("MemFree") >= free0 - SLACK_KB,
	    "and its memory comes back (MemFree %ld -> %ld kB)", free0, meminfo_get("MemFree"));
	return tap_done();
}
