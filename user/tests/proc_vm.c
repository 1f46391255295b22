/*
 * proc_vm: what /proc says about an address space, checked against what
 * the test did to it: /proc/self/smaps and smaps_rollup (Rss, Pss, shared
 * and private, clean and dirty, Anonymous, Locked), /proc/self/status
 * (VmRSS, VmLck, VmSwap), and /proc/PID/pagemap (present pages, their
 * frames to root only, file pages, exclusive ones) -- which also shows
 * that the text of a program and of its loader are the same pages in two
 * processes, whether the kernel mapped them (PT_INTERP) or the loader did
 * with mmap.
 *
 * On Linux through qemu-user the guest's addresses are not the host's, so
 * smaps and pagemap are about the emulator: those checks are skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

#define PM_PFN_MASK		((1UL << 55) - 1)
#define PM_MMAP_EXCLUSIVE	(1UL << 56)
#define PM_FILE			(1UL << 61)
#define PM_PRESENT		(1UL << 63)
#define SMAPS_MAX		(256 * 1024)
#define NPAGES			16

static char smaps[SMAPS_MAX];

/* The value in kB of field name in the smaps block of the mapping at addr; -1 if none. */
static long
smaps_field(const char *file, void *addr, const char *name)
{
	char head[32], *block, *end, *f;

	if (read_text_file(file, smaps, sizeof(smaps)) <= 0)
		return -1;
	snprintf(head, sizeof(head), "%08lx-", (unsigned long)addr);
	if ((block = strstr(smaps, head)) == NULL)
		return -1;
	/* The block ends at the next mapping's line (which has a '-' in its first field). */
	end = strstr(block, "VmFlags:");
	if ((f = strstr(block, name)) == NULL || (end != NULL && f > end))
		return -1;
	return strtol(f + strlen(name), NULL, 10);
}

static const char *
vmflags_of(void *addr)
{
	static char flags[128];
	char head[32], *block, *f, *nl;

	flags[0] = '\0';
	if (read_text_file("/proc/self/smaps", smaps, sizeof(smaps)) <= 0)
		return flags;
	snprintf(head, sizeof(head), "%08lx-", (unsigned long)addr);
	if ((block = strstr(smaps, head)) != NULL && (f = strstr(block, "VmFlags:")) != NULL) {
		nl = strchr(f, '\n');
		snprintf(flags, sizeof(flags), "%.*s", nl != NULL ? (int)(nl - f) : 60, f);
	}
	return flags;
}

static long
status_kb(const char *name)
{
	char status[4096], *f;

	if (read_text_file("/proc/self/status", status, sizeof(status)) <= 0 ||
	    (f = strstr(status, name)) == NULL)
		return -1;
	return strtol(f + strlen(name), NULL, 10);
}

/* The pagemap word of va in process pid (0: self); 0 with errno on failure. */
static uint64_t
pagemap_of(pid_t pid, const void *va)
{
	char path[64];
	uint64_t e = 0;
	int fd;

	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/pagemap");
	else
		snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (off_t)((uintptr_t)va / PGSZ * sizeof(e))) != sizeof(e))
		e = 0;
	close(fd);
	return e;
}

static void
test_smaps(void)
{
	char *p = map_pages(NPAGES), *locked, *file, c;
	int fd, ready[2];
	pid_t pid;

	for (int i = 0; i < NPAGES / 2; i++)
		p[i * PGSZ] = 1;
	tap_ok(smaps_field("/proc/self/smaps", p, "Size:") == NPAGES * 4 &&
	    smaps_field("/proc/self/smaps", p, "Rss:") == NPAGES / 2 * 4 &&
	    smaps_field("/proc/self/smaps", p, "Pss:") == NPAGES / 2 * 4 &&
	    smaps_field("/proc/self/smaps", p, "Private_Dirty:") == NPAGES / 2 * 4 &&
	    smaps_field("/proc/self/smaps", p, "Anonymous:") == NPAGES / 2 * 4,
	    "smaps: 16 pages, 8 written: Size 64, Rss, Pss, Private_Dirty, Anonymous 32 kB (Rss %ld)",
	    smaps_field("/proc/self/smaps", p, "Rss:"));
	tap_ok(strstr(vmflags_of(p), " rd wr ") != NULL, "VmFlags: %s", vmflags_of(p));
	/*
	 * A fork shares them copy-on-write: once the child has mapped them
	 * too (Linux copies the page tables at fork; this kernel maps a page
	 * in the child at its first touch), each mapping has half of each
	 * page's Pss.
	 */
	pipe(ready);
	if ((pid = fork()) == 0) {
		for (int i = 0; i < NPAGES / 2; i++)
			(void)*(volatile char *)(p + i * PGSZ);
		write(ready[1], "r", 1);
		pause();
		_exit(0);
	}
	read(ready[0], &c, 1);
	close(ready[0]);
	close(ready[1]);
	tap_ok(smaps_field("/proc/self/smaps", p, "Shared_Dirty:") == NPAGES / 2 * 4 &&
	    smaps_field("/proc/self/smaps", p, "Pss:") == NPAGES / 2 * 2 &&
	    smaps_field("/proc/self/smaps", p, "Private_Dirty:") == 0,
	    "after a fork: Shared_Dirty 32 kB, Pss 16 kB (%ld, %ld)",
	    smaps_field("/proc/self/smaps", p, "Shared_Dirty:"),
	    smaps_field("/proc/self/smaps", p, "Pss:"));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	/* mlock: Locked and VmLck. */
	locked = map_pages(NPAGES);
	mlock(locked, NPAGES * PGSZ);
	tap_ok(smaps_field("/proc/self/smaps", locked, "Locked:") == NPAGES * 4 &&
	    smaps_field("/proc/self/smaps", locked, "Rss:") == NPAGES * 4 &&
	    status_kb("VmLck:") >= NPAGES * 4 && strstr(vmflags_of(locked), " lo") != NULL,
	    "mlock: Locked 64 kB, VmLck %ld kB, VmFlags lo", status_kb("VmLck:"));
	munlock(locked, NPAGES * PGSZ);
	/* A private file mapping: file pages until one is written. */
	fd = open("/tmp/proc_vm_file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	ftruncate(fd, 4 * PGSZ);
	file = mmap(NULL, 4 * PGSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	for (int i = 0; i < 4; i++)
		(void)*(volatile char *)(file + i * PGSZ);
	tap_ok(smaps_field("/proc/self/smaps", file, "Rss:") == 16 &&
	    smaps_field("/proc/self/smaps", file, "Anonymous:") == 0,
	    "a private file mapping read: Rss 16 kB, Anonymous 0 (%ld)",
	    smaps_field("/proc/self/smaps", file, "Anonymous:"));
	file[PGSZ] = 1;
	tap_ok(smaps_field("/proc/self/smaps", file, "Anonymous:") == 4 &&
	    smaps_field("/proc/self/smaps", file, "Rss:") == 16,
	    "one page written: that page is anonymous now (%ld kB)",
	    smaps_field("/proc/self/smaps", file, "Anonymous:"));
	munmap(file, 4 * PGSZ);
	close(fd);
	unlink("/tmp/proc_vm_file");
	munmap(p, NPAGES * PGSZ);
	munmap(locked, NPAGES * PGSZ);
}

static void
test_rollup(void)
{
	long total = 0, rollup, vmrss;
	char *s, *line;

	if (read_text_file("/proc/self/smaps", smaps, sizeof(smaps)) <= 0) {
		tap_ok(0, "read smaps");
		return;
	}
	for (s = smaps; (line = strstr(s, "\nRss:")) != NULL; s = line + 5)
		total += strtol(line + 5, NULL, 10);
	rollup = smaps_field("/proc/self/smaps_rollup", NULL, "Rss:");
	if (read_text_file("/proc/self/smaps_rollup", smaps, sizeof(smaps)) > 0 &&
	    strstr(smaps, "[rollup]") != NULL && (s = strstr(smaps, "\nRss:")) != NULL)
		rollup = strtol(s + 5, NULL, 10);
	vmrss = status_kb("VmRSS:");
	/* Reading the files may fault in a page or two meanwhile. */
	tap_ok(rollup > 0 && labs(rollup - total) <= 16 && labs(vmrss - rollup) <= 16,
	    "smaps_rollup's Rss is the sum of smaps' (%ld, %ld) and VmRSS (%ld)", rollup, total,
	    vmrss);
	tap_ok(status_kb("VmSwap:") == 0, "VmSwap: 0 kB (no swap)");
}

static void
test_pagemap(void)
{
	char *p = map_pages(4), buf[16];
	uint64_t present, absent, shared;
	int fd, st;
	pid_t pid;

	p[0] = 1;
	present = pagemap_of(0, p);
	absent = pagemap_of(0, p + PGSZ);
	tap_ok((present & PM_PRESENT) && (present & PM_PFN_MASK) != 0 && !(present & PM_FILE) &&
	    (present & PM_MMAP_EXCLUSIVE), "pagemap: a written page is present, exclusive, not a "
	    "file's, with its frame for root (%#lx)", (unsigned long)present);
	tap_ok(absent == 0, "a page never touched is not present");
	fd = open("/proc/self/pagemap", O_RDONLY);
	tap_ok(pread(fd, buf, 12, 0) == -1 && errno == EINVAL &&
	    pread(fd, buf, 8, 4) == -1 && errno == EINVAL,
	    "reads must be whole entries at entry offsets (EINVAL)");
	close(fd);
	if ((pid = fork()) == 0) {
		uint64_t mine;

		(void)*(volatile char *)p;	/* mapped here too (see test_smaps) */
		mine = pagemap_of(0, p);

		/* Shared with the parent now; and without root, no frame. */
		if (!(mine & PM_PRESENT) || (mine & PM_MMAP_EXCLUSIVE) ||
		    (mine & PM_PFN_MASK) != (present & PM_PFN_MASK))
			_exit(1);
		if (setuid(1000) != 0)
			_exit(2);
		mine = pagemap_of(0, p);
		_exit((mine & PM_PRESENT) && (mine & PM_PFN_MASK) == 0 ? 0 : 3);
	}
	waitpid(pid, &st, 0);
	shared = pagemap_of(0, p);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0 && (shared & PM_PRESENT),
	    "after fork the page is the same frame and no longer exclusive; a reader without "
	    "root sees no frame (child status %#x)", st);
	munmap(p, 4 * PGSZ);
}

/*
 * Text sharing: two processes running helpers/dyn_report, one started
 * through its PT_INTERP, one by the loader run as a program (which maps it
 * with mmap): the program's first text page and the loader's are one
 * frame each.
 */

struct running {
	pid_t		pid;
	unsigned long	base;
};

/* Start argv (its report on a pipe), read the report until "exe", note AT_BASE. */
static int
start_report(char *const argv[], struct running *r)
{
	char out[2048], *b;
	int fds[2];
	ssize_t n, got = 0;

	pipe(fds);
	if ((r->pid = fork()) == 0) {
		dup2(fds[1], 1);
		execve(argv[0], argv, NULL);
		_exit(127);
	}
	close(fds[1]);
	while (got < (ssize_t)sizeof(out) - 1 &&
	    (n = read(fds[0], out + got, sizeof(out) - 1 - (size_t)got)) > 0) {
		got += n;
		out[got] = '\0';
		if (strstr(out, "\ncomm ") != NULL)
			break;
	}
	close(fds[0]);
	out[got > 0 ? got : 0] = '\0';
	b = strstr(out, "\nbase ");
	r->base = b != NULL ? strtoul(b + 6, NULL, 0) : 0;
	return r->base != 0 ? 0 : -1;
}

static void
test_text_shared(const char *self)
{
	char report[256], *slash;
	struct running a, b;
	uint64_t text_a, text_b, ld_a, ld_b;

	snprintf(report, sizeof(report), "%s", self);
	if ((slash = strrchr(report, '/')) == NULL) {
		tap_skip("no path to the helpers");
		return;
	}
	snprintf(slash, sizeof(report) - (size_t)(slash - report), "/helpers/dyn_report");
	{
		char *via_interp[] = { report, "--sleep", NULL };
		char *via_loader[] = { "/lib/ld-sable.so.1", report, "--sleep", NULL };

		if (start_report(via_interp, &a) != 0 || start_report(via_loader, &b) != 0) {
			tap_ok(0, "start the two programs");
			return;
		}
	}
	/* dyn_report is static: its text starts at 0x10000 in both. */
	text_a = pagemap_of(a.pid, (void *)0x10000);
	text_b = pagemap_of(b.pid, (void *)0x10000);
	ld_a = pagemap_of(a.pid, (void *)a.base);
	ld_b = pagemap_of(b.pid, (void *)b.base);
	tap_ok((text_a & PM_PRESENT) && (text_a & PM_FILE) &&
	    (text_a & PM_PFN_MASK) == (text_b & PM_PFN_MASK) && (ld_a & PM_PRESENT) &&
	    (ld_a & PM_PFN_MASK) == (ld_b & PM_PFN_MASK) && a.base != b.base,
	    "the program's and the loader's text are the same frames in both processes, "
	    "mapped by the kernel or by the loader's mmap (%#lx %#lx, %#lx %#lx)",
	    (unsigned long)(text_a & PM_PFN_MASK), (unsigned long)(text_b & PM_PFN_MASK),
	    (unsigned long)(ld_a & PM_PFN_MASK), (unsigned long)(ld_b & PM_PFN_MASK));
	kill(a.pid, SIGKILL);
	kill(b.pid, SIGKILL);
	waitpid(a.pid, NULL, 0);
	waitpid(b.pid, NULL, 0);
}

int
main(int argc, char **argv)
{
	(void)argc;
	if (under_qemu_user()) {
		tap_skip_all("qemu-user: /proc's smaps and pagemap describe the emulator, not the guest");
		return tap_done();
	}
	tap_plan(13);
	test_smaps();
	test_rollup();
	test_pagemap();
	test_text_shared(argv[0]);
	return tap_done();
}
