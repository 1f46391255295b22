/*
 * swapbench: the kernel's cost of paging anonymous memory out to swap and
 * back in, per 4 KiB page, and how many pages each request carries.
 *
 * 32 MiB of written anonymous memory is paged out with MADV_PAGEOUT (the
 * pager writes it in clusters, waits for the writes and frees the pages)
 * and faulted back in by reading one word per page, in address order,
 * under each madvise advice: MADV_SEQUENTIAL (one fault reads 64 pages),
 * MADV_NORMAL (16 around the fault) and MADV_RANDOM (one page a fault).
 * Retired instructions (rdinstret) around each loop, under QEMU's -icount
 * shift=0, count the kernel's work (the user's part is one load per page);
 * the hart idles in wfi while the disk works, which retires nothing, so
 * the device model's time is not among them.  Pages per request come
 * from /proc/vmstat (pswpout / swap_write_requests, pswpin /
 * swap_read_requests).  Needs swap in service (scripts/bench starts it).
 */
#include <fcntl.h>
#include <rdcsr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vmstat.h>

#define PG		4096UL
#define PAGES		8192UL		/* 32 MiB */

struct counts {
	long	out, in, writes, reads;
};

static struct counts
counts(void)
{
	struct counts c = { vmstat_get("pswpout"), vmstat_get("pswpin"),
		vmstat_get("swap_write_requests"), vmstat_get("swap_read_requests") };

	return c;
}

static void
fill(char *p)
{
	for (unsigned long i = 0; i < PAGES * PG / sizeof(long); i++)
		((unsigned long *)p)[i] = i * 0x9e3779b97f4a7c15UL;
}

/* Page everything out: instructions per page, and pages per write request. */
static void
page_out(char *p, const char *name)
{
	struct counts c0 = counts(), c1;
	unsigned long t = rdinstret();

	madvise(p, PAGES * PG, MADV_PAGEOUT);
	t = rdinstret() - t;
	c1 = counts();
	printf("%-24s %10lu instret/page\n", name, t / PAGES);
	printf("%-24s %10lu pages/request (%ld pages, %ld requests)\n", name,
	    c1.writes > c0.writes ? (c1.out - c0.out) / (c1.writes - c0.writes) : 0,
	    c1.out - c0.out, c1.writes - c0.writes);
}

/* Fault it all back in, reading in address order under advice. */
static void
page_in(char *p, int advice, const char *name)
{
	struct counts c0, c1;
	unsigned long t, sum = 0;

	madvise(p, PAGES * PG, advice);
	c0 = counts();
	t = rdinstret();
	for (unsigned long i = 0; i < PAGES; i++)
		sum += ((volatile unsigned long *)p)[i * PG / sizeof(long)];
	t = rdinstret() - t;
	c1 = counts();
	printf("%-24s %10lu instret/page\n", name, t / PAGES);
	printf("%-24s %10lu pages/request (%ld pages, %ld requests)\n", name,
	    c1.reads > c0.reads ? (c1.in - c0.in) / (c1.reads - c0.reads) : 0,
	    c1.in - c0.in, c1.reads - c0.reads);
	if (sum == 1)
		printf("# (never printed: keeps the loads)\n");
}

int
main(void)
{
	static const struct { int advice; const char *out, *in; } runs[] = {
		{ MADV_SEQUENTIAL, "swap_out", "swap_in_sequential" },
		{ MADV_NORMAL, "swap_out_again", "swap_in_normal" },
		{ MADV_RANDOM, "swap_out_once_more", "swap_in_random" },
	};
	char *p = mmap(NULL, PAGES * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);

	if (p == MAP_FAILED || meminfo_get("SwapTotal") <= 0) {
		printf("# swapbench: no swap in service\n");
		return 1;
	}
	printf("# name value unit (instructions per 4 KiB page; pages per request)\n");
	for (unsigned i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		fill(p);		/* dirty: the copies from the last round are freed */
		page_out(p, runs[i].out);
		page_in(p, runs[i].advice, runs[i].in);
	}
	munmap(p, PAGES * PG);
	return 0;
}
