/*
 * overcommit: commit accounting as Linux does it (Committed_AS,
 * CommitLimit, /proc/sys/vm/overcommit_memory 0, 1 and 2).
 *
 * In the default heuristic mode a single private writable mapping larger
 * than RAM plus swap is refused (ENOMEM), and so is shared anonymous
 * memory that big; MAP_NORESERVE gets it, and a read-only mapping that
 * size is fine until mprotect would make it writable.  A mapping adds its
 * length to Committed_AS and munmap takes it off.  Root may switch to
 * strict accounting (mode 2), where whatever would take Committed_AS past
 * CommitLimit fails: mmap, MAP_NORESERVE included, mremap growing a
 * mapping, brk, and fork copying a parent's commitments; and to mode 1,
 * where nothing is refused.
 *
 * On Linux (qemu-user) the heuristic-mode checks run too, against the
 * host's memory; what needs root, or a quiet Committed_AS, is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define GIB		(1UL << 30)
#define MIB		(1UL << 20)
#define BIG		(100 * GIB)	/* the mapping: far more than RAM plus swap */
#define COMMIT_MAP	(64 * MIB)
#define COMMIT_SLACK_KB	256		/* what the test's own stdio may commit meanwhile */
#define STRICT_ROOM	(32 * MIB)	/* CommitLimit - Committed_AS in the strict tests */
#define SYSCTL		"/proc/sys/vm/"

static long
sysctl_get(const char *name)
{
	char path[64], buf[32];

	snprintf(path, sizeof(path), SYSCTL "%s", name);
	if (read_text_file(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtol(buf, NULL, 10);
}

/* Write text to /proc/sys/vm/name: 0, or the errno of the open or the write. */
static int
sysctl_write(const char *name, const char *text)
{
	char path[64];
	int fd, error = 0;

	snprintf(path, sizeof(path), SYSCTL "%s", name);
	if ((fd = open(path, O_WRONLY)) < 0)
		return errno;
	if (write(fd, text, strlen(text)) < 0)
		error = errno;
	close(fd);
	return error;
}

static int
sysctl_set(const char *name, long value)
{
	char text[32];

	snprintf(text, sizeof(text), "%ld\n", value);
	return sysctl_write(name, text);
}

static void *
map(size_t len, int prot, int flags)
{
	return mmap(NULL, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

/* Did a mapping of len with prot and flags fail with ENOMEM (unmapped if it did not)? */
static int
refused(size_t len, int prot, int flags)
{
	void *p = map(len, prot, flags);

	if (p != MAP_FAILED) {
		munmap(p, len);
		return 0;
	}
	return errno == ENOMEM;
}

/* Was it granted (and then unmapped)? */
static int
granted(size_t len, int prot, int flags)
{
	void *p = map(len, prot, flags);

	if (p == MAP_FAILED)
		return 0;
	munmap(p, len);
	return 1;
}

static void
test_heuristic(void)
{
	long ram_kb = meminfo_get("MemTotal"), swap_kb = meminfo_get("SwapTotal");
	char *p;
	int r;

	if (sysctl_get("overcommit_memory") != 0 || ram_kb < 0 ||
	    (unsigned long)(ram_kb + (swap_kb > 0 ? swap_kb : 0)) * 1024 >= BIG) {
		for (int i = 0; i < 5; i++)
			tap_skip("needs overcommit_memory 0 and less than 100 GiB of RAM and swap");
		return;
	}
	tap_ok(refused(BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE),
	    "mode 0: a 100 GiB private writable mapping is refused: ENOMEM");
	tap_ok(refused(BIG, PROT_READ | PROT_WRITE, MAP_SHARED),
	    "mode 0: 100 GiB of shared anonymous memory is refused: ENOMEM");
	tap_ok(granted(BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE),
	    "mode 0: with MAP_NORESERVE it is granted");
	p = map(BIG, PROT_READ, MAP_PRIVATE);
	tap_ok(p != MAP_FAILED, "mode 0: 100 GiB read-only is granted (nothing to commit)");
	r = p == MAP_FAILED ? -1 : mprotect(p, BIG, PROT_READ | PROT_WRITE);
	tap_ok(r == -1 && errno == ENOMEM,
	    "mode 0: mprotect making it writable is refused: ENOMEM");
	if (p != MAP_FAILED)
		munmap(p, BIG);
}

static void
test_committed_as(void)
{
	long before, during, after, counted, held;
	char *p;

	if (!vmstat_is_sable()) {
		for (int i = 0; i < 4; i++)
			tap_skip("Committed_AS is system-wide: the host's other processes move it");
		return;
	}
	before = meminfo_get("Committed_AS");
	p = map(COMMIT_MAP, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	during = meminfo_get("Committed_AS");
	tap_ok(p != MAP_FAILED && labs(during - before - (long)(COMMIT_MAP / 1024)) <=
	    COMMIT_SLACK_KB, "a 64 MiB private writable mapping commits 64 MiB (%ld -> %ld kB)",
	    before, during);
	/* Quiet now (init runs one test at a time): the map entries hold exactly what is counted. */
	counted = vmcheck_value("committed_pages_counted");
	held = vmcheck_value("committed_pages_held");
	tap_ok(counted > 0 && counted == held, "every page committed for mappings is held by a "
	    "map entry (%ld counted, %ld held)", counted, held);
	munmap(p, COMMIT_MAP);
	after = meminfo_get("Committed_AS");
	tap_ok(labs(after - before) <= COMMIT_SLACK_KB, "munmap gives it back (%ld kB)", after);
	p = map(COMMIT_MAP, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE);
	during = meminfo_get("Committed_AS");
	tap_ok(p != MAP_FAILED && labs(during - before) <= COMMIT_SLACK_KB,
	    "a MAP_NORESERVE mapping commits nothing in mode 0 (%ld kB)", during);
	munmap(p, COMMIT_MAP);
}

/* Mode 2 with CommitLimit room bytes above Committed_AS (via overcommit_kbytes). */
static void
strict_checks(long room)
{
	long limit_kb, used_kb;
	char *half, *cur, *grown;
	pid_t pid;

	tap_ok(refused(room + 16 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE),
	    "mode 2: a mapping past CommitLimit is refused: ENOMEM");
	tap_ok(refused(room + 16 * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE),
	    "mode 2: MAP_NORESERVE does not exempt it");
	tap_ok(refused(room + 16 * MIB, PROT_READ | PROT_WRITE, MAP_SHARED),
	    "mode 2: so is shared anonymous memory that big");
	half = map(room * 6 / 10, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	tap_ok(half != MAP_FAILED, "mode 2: a mapping that fits is granted");
	grown = half == MAP_FAILED ? MAP_FAILED : mremap(half, room * 6 / 10, room * 12 / 10,
	    MREMAP_MAYMOVE);
	tap_ok(grown == MAP_FAILED && errno == ENOMEM,
	    "mode 2: mremap growing it past CommitLimit is refused: ENOMEM");
	cur = sbrk(0);
	tap_ok(sys_brk(cur + room / 2) == cur, "mode 2: brk past CommitLimit leaves the break");
	if ((pid = fork()) == 0)
		_exit(0);
	tap_ok(pid == -1 && errno == ENOMEM,
	    "mode 2: fork, which would commit the 60%% again for the child, is refused: ENOMEM");
	if (pid > 0)
		waitpid(pid, NULL, 0);
	limit_kb = meminfo_get("CommitLimit");
	used_kb = meminfo_get("Committed_AS");
	tap_ok(used_kb <= limit_kb, "mode 2: Committed_AS %ld kB stays within CommitLimit %ld kB",
	    used_kb, limit_kb);
	if (half != MAP_FAILED)
		munmap(half, room * 6 / 10);
}

static void
test_strict(void)
{
	long mode = sysctl_get("overcommit_memory"), ratio = sysctl_get("overcommit_ratio");
	long used_kb, swap_kb, kbytes;

	if (!vmstat_is_sable() || getuid() != 0) {
		for (int i = 0; i < 13; i++)
			tap_skip("switching modes needs root, and must not touch the host's setting");
		return;
	}
	tap_ok(sysctl_write("overcommit_memory", "3\n") == EINVAL &&
	    sysctl_write("overcommit_memory", "one\n") == EINVAL &&
	    sysctl_get("overcommit_memory") == mode, "overcommit_memory refuses 3 and words: EINVAL");
	/*
	 * CommitLimit is overcommit_kbytes plus swap: STRICT_ROOM above
	 * Committed_AS, or with more swap than that, all of swap (and 1 kB:
	 * 0 would mean the ratio).
	 */
	used_kb = meminfo_get("Committed_AS");
	swap_kb = meminfo_get("SwapTotal");
	kbytes = used_kb + (long)(STRICT_ROOM / 1024) - swap_kb;
	if (kbytes < 1)
		kbytes = 1;
	tap_ok(sysctl_set("overcommit_kbytes", kbytes) == 0 && sysctl_get("overcommit_ratio") == 0 &&
	    meminfo_get("CommitLimit") == kbytes + swap_kb,
	    "overcommit_kbytes sets CommitLimit (and clears overcommit_ratio)");
	tap_ok(sysctl_set("overcommit_memory", 2) == 0 && sysctl_get("overcommit_memory") == 2,
	    "root switches to strict accounting");
	strict_checks((kbytes + swap_kb - used_kb) * 1024);
	tap_ok(sysctl_set("overcommit_memory", 1) == 0 &&
	    granted(BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE),
	    "mode 1: even 100 GiB is granted");
	tap_ok(sysctl_set("overcommit_memory", mode) == 0 && sysctl_set("overcommit_ratio", ratio) == 0 &&
	    sysctl_get("overcommit_kbytes") == 0, "the settings are back (%ld, ratio %ld)", mode,
	    ratio);
}

int
main(void)
{
	tap_plan(24);
	tap_ok(sysctl_get("overcommit_memory") >= 0 && sysctl_get("overcommit_memory") <= 2 &&
	    sysctl_get("overcommit_ratio") >= 0, "/proc/sys/vm has overcommit_memory and _ratio");
	test_heuristic();
	test_committed_as();
	test_strict();
	tap_vm_consistent("the accounting tests");
	return tap_done();
}
