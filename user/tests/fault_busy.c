/*
 * fault_busy: many processes fault the same pages of a file at once.
 *
 * A sparse file is mapped shared by NPROCS processes (twice as many as
 * there are cpus, at least 4).  Round by round, all of them are let go at
 * the same moment at the same page, a hole, which the first fault fills
 * (zeroes) while the page is busy; the others find it busy and must
 * sleep until it is filled -- never spin, never fill it a second time.
 * Each process writes its number into its own slot of the page, so at
 * the end every page must hold every process's number: one page per
 * index of the file, seen by all.  The file read back through read(2)
 * shows the same.  On Sable the kernel's counters say how often a fault
 * slept on a busy page (page_busy_sleeps); with more than one cpu the
 * processes collide, and it must have happened.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define NPAGES		64
#define MAX_PROCS	16
#define MIN_PROCS	4
#define MAX_ROUNDS	32		/* files faulted in, until busy sleeps were seen: on a
				 * loaded host two harts seldom run at once (8 rounds
				 * of 64 pages were once seen with no collision) */
#define SLOT		sizeof(uint64_t)
#define MARK(i)		(0x5a00000000000000ULL | ((uint64_t)(i) + 1))

/* Shared by the processes (MAP_SHARED anonymous). */
struct control {
	volatile uint32_t page;		/* the page they may fault now */
	volatile uint32_t arrived;	/* how many have faulted it */
	volatile uint32_t failed;	/* a process saw something wrong */
};

static int nprocs;

/* A process's part: each page as it is let go, its mark in its own slot. */
static int
worker(struct control *c, char *map, int me)
{
	for (uint32_t p = 0; p < NPAGES; p++) {
		volatile uint64_t *slot = (volatile uint64_t *)(map + p * PGSZ) + me;

		while (c->page != p)
			sched_yield();
		*slot = MARK(me);
		if (*slot != MARK(me))
			c->failed = 1;
		__atomic_add_fetch(&c->arrived, 1, __ATOMIC_SEQ_CST);
	}
	return 0;
}

/* One round: a fresh sparse file, every page faulted by all at once.  0 or -1. */
static int
round_run(const char *path, struct control *c, int *bad_pages, int *bad_file)
{
	pid_t pids[MAX_PROCS];
	uint64_t buf[PGSZ / SLOT];
	int fd, ok = 0;
	char *map;

	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, NPAGES * PGSZ) != 0)
		return -1;
	map = mmap(NULL, NPAGES * PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		close(fd);
		return -1;
	}
	c->page = UINT32_MAX;
	c->arrived = 0;
	for (int i = 0; i < nprocs; i++)
		if ((pids[i] = fork()) == 0)
			_exit(worker(c, map, i));
	for (uint32_t p = 0; p < NPAGES; p++) {
		c->arrived = 0;
		__atomic_store_n(&c->page, p, __ATOMIC_SEQ_CST);
		while (c->arrived != (uint32_t)nprocs)
			sched_yield();
	}
	for (int i = 0; i < nprocs; i++) {
		int st;

		if (waitpid(pids[i], &st, 0) != pids[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			ok = -1;
	}
	for (int p = 0; p < NPAGES; p++) {
		const uint64_t *page = (const uint64_t *)(map + p * PGSZ);

		for (int i = 0; i < nprocs; i++)
			*bad_pages += page[i] != MARK(i);
		if (pread(fd, buf, sizeof(buf), p * PGSZ) != (ssize_t)sizeof(buf))
			(*bad_file)++;
		for (int i = 0; i < nprocs; i++)
			*bad_file += buf[i] != MARK(i);
	}
	munmap(map, NPAGES * PGSZ);
	close(fd);
	unlink(path);
	return ok;
}

int
main(void)
{
	struct control *c;
	char path[64];
	long sleeps0, restarts0, sleeps = 0, fills0, file_fills0, fills;
	int bad_pages = 0, bad_file = 0, rounds = 0, errors = 0, sable = vmstat_is_sable();
	int cpus = cpus_available();

	c = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c == MAP_FAILED) {
		tap_skip_all("no shared control page (errno %d)", errno);
		return tap_done();
	}
	tap_plan(5);
	nprocs = cpus * 2 < MIN_PROCS ? MIN_PROCS : cpus * 2 > MAX_PROCS ? MAX_PROCS : cpus * 2;
	snprintf(path, sizeof(path), "/tmp/fault_busy.%d", (int)getpid());
	sleeps0 = vmstat_get("page_busy_sleeps");
	restarts0 = vmstat_get("fault_restarts");
	fills0 = vmstat_get("pageins");
	file_fills0 = vmstat_get("file_pageins");
	/* Once on one cpu; on more, until a fault has slept on a busy page (it must). */
	do {
		errors += round_run(path, c, &bad_pages, &bad_file) != 0;
		rounds++;
		if (sable)
			sleeps = vmstat_get("page_busy_sleeps") - sleeps0;
	} while (sable && cpus > 1 && sleeps == 0 && rounds < MAX_ROUNDS && errors == 0);
	tap_ok(errors == 0 && !c->failed, "%d processes on %d cpus fault the same %d file "
	    "pages at once, %d round(s)", nprocs, cpus, NPAGES, rounds);
	tap_ok(bad_pages == 0, "every page holds every process's write: one page per index "
	    "(%d slots wrong)", bad_pages);
	tap_ok(bad_file == 0, "read(2) of the file shows them all (%d slots wrong)", bad_file);
	if (!sable) {
		tap_skip("the kernel's busy-page counters are Sable's");
		tap_skip("the kernel's busy-page counters are Sable's");
		return tap_done();
	}
	/*
	 * A file in memory is filled by the faults, page by page; one on a disk
	 * (/tmp on a disk root) by the pager's reads, a cluster per fault.
	 */
	fills = vmstat_get("file_pageins") - file_fills0;
	if (fills == 0)
		fills = vmstat_get("pageins") - fills0;
	tap_ok(fills == (long)rounds * NPAGES, "each page filled once: %ld fills for %d pages",
	    fills, rounds * NPAGES);
	if (cpus > 1)
		tap_ok(sleeps > 0, "faults that found the page being filled slept for it: %ld busy "
		    "sleeps, %ld restarts", sleeps, vmstat_get("fault_restarts") - restarts0);
	else
		tap_skip("one cpu: no fault finds another's fill in progress (%ld busy sleeps)",
		    sleeps);
	return tap_done();
}
