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

int
main(void)
{
	long free0;
	int st;

	tap_plan(2);
	if (!vmstat_is_sable()) {
		tap_skip("filling memory would press the host's OOM killer (not our kernel)");
		tap_skip("filling memory would press the host's OOM killer (not our kernel)");
		return tap_done();
	}
	free0 = meminfo_get("MemFree");
	st = run_child(fill_memory, NULL);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	    "a write fault with no memory left kills the process with SIGKILL (status %#x)", st);
	tap_ok(meminfo_get("MemFree") >= free0 - SLACK_KB,
	    "and its memory comes back (MemFree %ld -> %ld kB)", free0, meminfo_get("MemFree"));
	return tap_done();
}
