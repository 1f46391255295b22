/*
 * swapbench: the kernel's cost of paging anonymous memory out to swap and
 * back in, per 4 KiB page, and how many pages each request carries.
 *
 * 32 MiB of written anonymous memory is paged out with MADV_PAGEOUT (the
 * pager writes it in clusters, waits for the writes and frees the pages)
 * and faulted back in by reading one word per page, in address order,
 * under each madvise advice: MADV_SEQUENTIAL (one fault reads 64 pages),
 * MADV_NORMAL (16 around the fault) and MADV_RANDOM (one page a fault).
 * Retired instructions (rdinstret), under QEMU's -icount shift=0, count
 * the kernel's work (the user's part is one load per page); the hart
 * idles in wfi while the disk works, which retires nothing.  But the
 * disk is a file on the host: while the hart waits, virtual time runs
 * with the host's clock, and a clock tick that lands in a wait adds its
 * handler's instructions -- more of them the busier the host.  So each
 * request's worth of work is measured apart (64 pages paged out; the
 * pages one read brings in: 64, 9 or 1): the least of those is the work
 * itself (no tick landed in it), the median what a request typically
 * costs on this host, the mean everything.  Pages per request
 * come from /proc/vmstat (pswpout / swap_write_requests, pswpin /
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
#define OUT_BATCH	64UL		/* one write request's worth */
#define MAX_BATCHES	PAGES

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

static unsigned long batch_cost[MAX_BATCHES];

/* Sort the n batch costs. */
static void
sort_costs(unsigned long n)
{
	for (unsigned long i = 1; i < n; i++) {
		unsigned long v = batch_cost[i], j = i;

		for (; j > 0 && batch_cost[j - 1] > v; j--)
			batch_cost[j] = batch_cost[j - 1];
		batch_cost[j] = v;
	}
}

static void
report(const char *name, unsigned long total, unsigned long nbatches, unsigned long batch)
{
	sort_costs(nbatches);
	printf("%-24s %10lu instret/page (least request)\n", name, batch_cost[0] / batch);
	printf("%-24s %10lu instret/page (median request)\n", name,
	    batch_cost[nbatches / 2] / batch);
	printf("%-24s %10lu instret/page (mean)\n", name, total / PAGES);
}

/* Page everything out, a request's worth at a time: instructions per page, pages per request. */
static void
page_out(char *p, const char *name)
{
	struct counts c0 = counts(), c1;
	unsigned long total = 0, n = 0;

	for (unsigned long i = 0; i < PAGES; i += OUT_BATCH, n++) {
		unsigned long t = rdinstret();

		madvise(p + i * PG, OUT_BATCH * PG, MADV_PAGEOUT);
		batch_cost[n] = rdinstret() - t;
		total += batch_cost[n];
	}
	c1 = counts();
	report(name, total, n, OUT_BATCH);
	printf("%-24s %10lu pages/request (%ld pages, %ld requests)\n", name,
	    c1.writes > c0.writes ? (c1.out - c0.out) / (c1.writes - c0.writes) : 0,
	    c1.out - c0.out, c1.writes - c0.writes);
}

/*
 * Fault it all back in, reading in address order under advice, batch
 * pages (one read's worth: the first fault reads them, the rest find
 * them resident) at a time.
 */
static void
page_in(char *p, int advice, unsigned long batch, const char *name)
{
	struct counts c0, c1;
	unsigned long total = 0, n = 0, sum = 0;

	madvise(p, PAGES * PG, advice);
	c0 = counts();
	for (unsigned long i = 0; i < PAGES; i += batch) {
		unsigned long t = rdinstret(), cost;

		for (unsigned long j = i; j < i + batch && j < PAGES; j++)
			sum += ((volatile unsigned long *)p)[j * PG / sizeof(long)];
		cost = rdinstret() - t;
		total += cost;
		if (i + batch <= PAGES)
			batch_cost[n++] = cost;		/* a short last batch is no request's worth */
	}
	c1 = counts();
	report(name, total, n, batch);
	printf("%-24s %10lu pages/request (%ld pages, %ld requests)\n", name,
	    c1.reads > c0.reads ? (c1.in - c0.in) / (c1.reads - c0.reads) : 0,
	    c1.in - c0.in, c1.reads - c0.reads);
	if (sum == 1)
		printf("# (never printed: keeps the loads)\n");
}

int
main(void)
{
	static const struct {
		int advice;
		unsigned long batch;	/* pages one read brings in, reading in order */
		const char *out, *in;
	} runs[] = {
		{ MADV_SEQUENTIAL, 64, "swap_out", "swap_in_sequential" },
		{ MADV_NORMAL, 9, "swap_out_again", "swap_in_normal" },	/* 8 ahead: behind is in */
		{ MADV_RANDOM, 1, "swap_out_once_more", "swap_in_random" },
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
		page_in(p, runs[i].advice, runs[i].batch, runs[i].in);
	}
	munmap(p, PAGES * PG);
	return 0;
}
