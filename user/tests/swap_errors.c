/*
 * swap_errors: swap that fails, and swapoff of swap in use.
 *
 * Needs the areas scripts/swap-test makes (found by their mkswap labels):
 * "sable-swap-bad", whose slot 1 QEMU's blkdebug fails to read, and a
 * spare "sable-swap" area not in use.  Each test puts the device it
 * needs in service at the highest priority, so what it pages out goes
 * there, and takes it out again.
 *
 *   - A read error is SIGBUS for the process whose page it was, and only
 *     for it: a fresh device hands out slot 1 first, so a child's one
 *     page lands on the bad slot; the parent's pages, in the slots after
 *     it, read back, and the kernel stays up.
 *   - swapoff brings every page back: a page whose copy cannot be read is
 *     lost (Linux marks it, and touching it is SIGBUS) and swapoff
 *     succeeds; pages in use come back with their data.
 *   - swapoff of more than memory and the other swap can hold is ENOMEM,
 *     and the device stays in use (only on a machine small enough for
 *     the spare area to hold more than its free memory).
 *
 * Linux: the areas are the host's, so everything is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define LABEL_OFFSET	1052
#define LABEL_LEN	16
#define TOP_PRIO	(SWAP_FLAG_PREFER | SWAP_FLAG_PRIO_MASK)
#define BACK_PAGES	1024
#define CHUNK		1024		/* pages filled and paged out at a time */
#define ENOMEM_MARGIN	4096		/* pages beyond what fits elsewhere */

static char bad_path[16], spare_path[16];

static int
label_is(const char *path, const char *label)
{
	char page[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : pread(fd, page, sizeof(page), 0);

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)sizeof(page) && strncmp(page + LABEL_OFFSET, label, LABEL_LEN) == 0;
}

/* Is path listed in /proc/swaps? */
static int
in_use(const char *path)
{
	char text[4096], *line;
	size_t len = strlen(path);

	if (read_text_file("/proc/swaps", text, sizeof(text)) < 0)
		return 0;
	for (line = text; line != NULL; line = strchr(line, '\n')) {
		line += *line == '\n';
		if (strncmp(line, path, len) == 0 && line[len] == ' ')
			return 1;
	}
	return 0;
}

static void
find_disks(void)
{
	char path[16];

	for (char c = 'a'; c <= 'z'; c++) {
		snprintf(path, sizeof(path), "/dev/vd%c", c);
		if (access(path, F_OK) != 0)
			break;
		if (label_is(path, "sable-swap-bad"))
			strcpy(bad_path, path);
		else if (label_is(path, "sable-swap") && !in_use(path) && spare_path[0] == '\0')
			strcpy(spare_path, path);
	}
}

static long
swap_used(void)
{
	return (meminfo_get("SwapTotal") - meminfo_get("SwapFree")) / (long)(PGSZ / 1024);
}

static void
fill(char *p, unsigned long n, unsigned long seed)
{
	for (unsigned long i = 0; i < n * PGSZ / sizeof(long); i++)
		((unsigned long *)p)[i] = seed ^ (i * 0x9e3779b97f4a7c15UL);
}

static int
intact(const char *p, unsigned long n, unsigned long seed)
{
	for (unsigned long i = 0; i < n * PGSZ / sizeof(long); i++)
		if (((const unsigned long *)p)[i] != (seed ^ (i * 0x9e3779b97f4a7c15UL)))
			return 0;
	return 1;
}

/*
 * A child that pages out one page (to the device's first slot), says so
 * on ready, waits for go, then reads it.  Its pid.
 */
static pid_t
one_page_child(int ready[2], int go[2])
{
	pid_t pid;

	pipe(ready);
	pipe(go);
	if ((pid = fork()) == 0) {
		char *p = map_pages(1), c;

		fill(p, 1, 0x5157);
		madvise(p, PGSZ, MADV_PAGEOUT);
		if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 1)
			_exit(2);
		_exit(intact(p, 1, 0x5157) ? 0 : 3);	/* SIGBUS first, if all goes right */
	}
	return pid;
}

static void
close_pair(int p[2])
{
	close(p[0]);
	close(p[1]);
}

/* A read error is SIGBUS for its owner only. */
static void
test_sigbus(void)
{
	long used0 = swap_used(), errors0 = vmstat_get("swap_read_errors");
	int ready[2], go[2], st;
	char *p, c;
	pid_t pid;

	tap_ok(swapon(bad_path, TOP_PRIO) == 0, "swapon %s, whose slot 1 cannot be read", bad_path);
	pid = one_page_child(ready, go);
	tap_ok(read(ready[0], &c, 1) == 1, "a child paged out one page: slot 1");
	p = map_pages(8);
	fill(p, 8, 0xabc);
	madvise(p, 8 * PGSZ, MADV_PAGEOUT);
	tap_ok(intact(p, 8, 0xabc), "the parent's 8 pages, in the slots after it, read back");
	write(go[1], "g", 1);
	waitpid(pid, &st, 0);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS, "the child's read of its page failed: "
	    "SIGBUS (status %#x)", st);
	tap_ok(vmstat_get("swap_read_errors") > errors0, "the read error was counted");
	tap_ok(intact(p, 8, 0xabc), "the parent goes on, its memory intact");
	munmap(p, 8 * PGSZ);
	tap_ok(swapoff(bad_path) == 0 && swap_used() == used0, "swapoff %s: nothing was left on it",
	    bad_path);
	close_pair(ready);
	close_pair(go);
}

/* swapoff of a device with a copy it cannot read: the page is lost, swapoff succeeds. */
static void
test_lost(void)
{
	long used0 = swap_used(), lost0 = vmstat_get("swap_lost_pages");
	int ready[2], go[2], st;
	pid_t pid;
	char c;

	tap_ok(swapon(bad_path, TOP_PRIO) == 0, "swapon %s again", bad_path);
	pid = one_page_child(ready, go);
	tap_ok(read(ready[0], &c, 1) == 1, "a child paged out one page to slot 1");
	tap_ok(swapoff(bad_path) == 0 && !in_use(bad_path), "swapoff succeeds though slot 1 cannot "
	    "be read");
	tap_ok(vmstat_get("swap_lost_pages") == lost0 + 1, "one page was lost");
	write(go[1], "g", 1);
	waitpid(pid, &st, 0);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS, "touching the lost page is SIGBUS "
	    "(status %#x)", st);
	tap_ok(swap_used() == used0, "swap use is back where it was");
	close_pair(ready);
	close_pair(go);
}

/* swapoff brings pages in use back. */
static void
test_back(void)
{
	long used0 = swap_used(), in0 = vmstat_get("pswpin");
	char *p;

	tap_ok(swapon(spare_path, TOP_PRIO) == 0, "swapon %s", spare_path);
	p = map_pages(BACK_PAGES);
	fill(p, BACK_PAGES, 0xb4c);
	madvise(p, BACK_PAGES * PGSZ, MADV_PAGEOUT);
	tap_ok(swap_used() == used0 + BACK_PAGES, "%d pages paged out to it", BACK_PAGES);
	tap_ok(swapoff(spare_path) == 0 && !in_use(spare_path), "swapoff %s with them on it",
	    spare_path);
	tap_ok(vmstat_get("pswpin") - in0 == BACK_PAGES && swap_used() == used0,
	    "all %d came back (pswpin +%ld)", BACK_PAGES, vmstat_get("pswpin") - in0);
	tap_ok(intact(p, BACK_PAGES, 0xb4c), "with their data");
	munmap(p, BACK_PAGES * PGSZ);
}

/* swapoff of more than fits: ENOMEM, the device stays in use. */
static void
test_enomem(void)
{
	long spare, room, pages;
	char *p;

	if (swapon(spare_path, TOP_PRIO) != 0) {
		tap_skip("swapon %s failed: %s", spare_path, strerror(errno));
		return;
	}
	spare = meminfo_get("SwapFree") / (long)(PGSZ / 1024);
	room = meminfo_get("MemFree") / (long)(PGSZ / 1024) + spare;
	/* What must go to the spare device: more than free memory plus the other devices' room. */
	pages = room - spare + ENOMEM_MARGIN;
	if (pages >= spare - ENOMEM_MARGIN) {
		tap_skip("the spare area (%ld pages) cannot hold more than free memory and the other "
		    "swap (%ld pages)", spare, room - spare);
		swapoff(spare_path);
		return;
	}
	p = mmap(NULL, pages * PGSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	for (long i = 0; p != MAP_FAILED && i < pages; i += CHUNK) {
		long n = pages - i < CHUNK ? pages - i : CHUNK;

		fill(p + i * PGSZ, n, 0xe0 + i);
		madvise(p + i * PGSZ, n * PGSZ, MADV_PAGEOUT);
	}
	tap_ok(p != MAP_FAILED, "%ld pages written and paged out, more than fits elsewhere", pages);
	errno = 0;
	tap_ok(swapoff(spare_path) == -1 && errno == ENOMEM && in_use(spare_path),
	    "swapoff %s: ENOMEM, and it stays in use (%s)", spare_path, strerror(errno));
	if (p != MAP_FAILED)
		munmap(p, pages * PGSZ);
	tap_ok(swapoff(spare_path) == 0, "once the memory is gone, swapoff succeeds");
}

int
main(void)
{
	long used0 = swap_used();

	if (under_qemu_user() || !vmstat_is_sable()) {
		tap_skip_all("the swap areas of scripts/swap-test are Sable's (not the host's)");
		return 0;
	}
	find_disks();
	if (bad_path[0] == '\0' && spare_path[0] == '\0') {
		tap_skip_all("no failing or spare swap area (scripts/swap-test makes them)");
		return 0;
	}
	if (bad_path[0] != '\0') {
		test_sigbus();
		test_lost();
	} else {
		tap_skip("no failing swap area");
	}
	if (spare_path[0] != '\0') {
		test_back();
		test_enomem();
	} else {
		tap_skip("no spare swap area");
	}
	tap_ok(swap_used() == used0, "swap use back where it started");
	return tap_done_late_plan();
}
