/*
 * prezero: free pages zeroed ahead of need by idle harts (vm_page_zero.h;
 * "the pool" below: the free pages the kernel knows to be zero).  On by
 * default (2,048 pages).  A quiet moment fills the pool; fresh anonymous
 * pages then come from it, and read as zeros however dirty the memory
 * was that went back to the free lists before; with
 * /proc/sys/vm/prezero_pages at 0 idle harts zero no more, and once the
 * pool is used up the faults zero their own pages; bad values are
 * refused; a size again brings the pool back.  The test sets 2,048 pages
 * (8 MiB) itself and puts the setting back at the end.
 *
 * On Linux (qemu-user) there is no pool: only the contents are checked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

#define KNOB		"/proc/sys/vm/prezero_pages"
#define NPAGES		256
#define TESTS		13
#define NO_POOL		"no zeroed pool (not Sable)"
#define POOL		"2048"

static void
quiet_moment(void)
{
	struct timespec ts = { 0, 50 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/* Map n fresh anonymous pages (no superpages), write one word of each, check the rest reads zero. */
static int
fresh_pages_read_zero(unsigned long n)
{
	unsigned long *p = mmap(NULL, n * PGSZ, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int zero = 1;

	if (p == MAP_FAILED)
		return 0;
	madvise(p, n * PGSZ, MADV_NOHUGEPAGE);
	for (unsigned long i = 0; i < n; i++) {
		unsigned long *w = p + i * (PGSZ / sizeof(*w));

		w[0] = i + 1;
		for (unsigned long k = 1; k < PGSZ / sizeof(*w); k++)
			zero &= w[k] == 0;
	}
	munmap(p, n * PGSZ);
	return zero;
}

/* Dirty n pages with a pattern and give them back to the free lists. */
static void
dirty_and_free(unsigned long n)
{
	char *p = mmap(NULL, n * PGSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return;
	memset(p, 0xa5, n * PGSZ);
	munmap(p, n * PGSZ);
}

/* Write text to the knob: 0, or the errno. */
static int
set_knob(const char *text)
{
	return write_text_file(KNOB, text) == 0 ? 0 : errno;
}

int
main(void)
{
	char was[32];
	int sable = vmstat_is_sable() && read_text_file(KNOB, was, sizeof(was)) > 0;
	long hits, misses, idle, small;
	int zero;

	tap_plan(TESTS);
	if (sable)
		tap_ok(strtol(was, NULL, 10) == 2048, "on by default: %ld pages", strtol(was, NULL, 10));
	else
		tap_skip("the default: %s", NO_POOL);
	if (sable && set_knob(POOL) != 0)
		sable = 0;
	dirty_and_free(4 * NPAGES);
	quiet_moment();
	if (!sable) {
		for (int i = 0; i < 4; i++)
			tap_skip("pool after a quiet moment: %s", NO_POOL);
	} else {
		long pool = vmstat_get("nr_free_zeroed");

		tap_ok(pool > 0 && pool <= strtol(POOL, NULL, 10), "a quiet moment fills the pool: "
		    "%ld pages (at most %s)", pool, POOL);
		tap_ok(vmstat_get("pgzero_idle") >= pool, "idle harts zeroed them (pgzero_idle %ld)",
		    vmstat_get("pgzero_idle"));
		hits = vmstat_get("pgzero_pool_hit");
		misses = vmstat_get("pgzero_pool_miss");
		zero = fresh_pages_read_zero(NPAGES);
		hits = vmstat_get("pgzero_pool_hit") - hits;
		misses = vmstat_get("pgzero_pool_miss") - misses;
		tap_ok(zero, "fresh pages read zero");
		/* Not all: one inside a free 2 MiB run stays there while a smaller block will do. */
		tap_ok(hits >= NPAGES / 8, "fresh pages come from the pool (%ld hits, %ld misses "
		    "for %d faults)", hits, misses, NPAGES);
	}
	dirty_and_free(4 * NPAGES);
	quiet_moment();
	tap_ok(fresh_pages_read_zero(4 * NPAGES),
	    "pages dirtied, freed and zeroed in a quiet moment read zero when faulted in again");

	if (!sable) {
		for (int i = 0; i < TESTS - 6; i++)
			tap_skip("prezero_pages: %s", NO_POOL);
		return tap_done();
	}
	tap_ok(set_knob("0") == 0, "prezero_pages 0 is accepted");
	quiet_moment();		/* a page being zeroed as the knob moved is counted by now */
	idle = vmstat_get("pgzero_idle");
	quiet_moment();
	tap_ok(vmstat_get("pgzero_idle") == idle, "and idle harts zero no more");
	/*
	 * The pool is still there: fault in as many pages as it has and
	 * NPAGES more, at once.  At most its pages come zeroed (fewer: one
	 * inside a free 2 MiB run is left there while a smaller block will
	 * do), the others are zeroed by their faults.
	 */
	small = vmstat_get("nr_free_zeroed");
	hits = vmstat_get("pgzero_pool_hit");
	misses = vmstat_get("pgzero_pool_miss");
	tap_ok(fresh_pages_read_zero(small + NPAGES) && vmstat_get("pgzero_pool_hit") - hits <= small &&
	    vmstat_get("pgzero_pool_miss") - misses >= NPAGES,
	    "with no more zeroing, at most its %ld pages come zeroed, faults zero the rest "
	    "(%ld misses, %ld hits)", small, vmstat_get("pgzero_pool_miss") - misses,
	    vmstat_get("pgzero_pool_hit") - hits);
	tap_ok(set_knob("99999999999") == EINVAL && set_knob("-1") == EINVAL &&
	    set_knob("many") == EINVAL, "values out of range or not numbers: EINVAL");
	/* What is left zeroed is at least 16 pages, or the zeroing fills it up to 16. */
	tap_ok(set_knob("16") == 0, "a small pool is accepted");
	quiet_moment();
	small = vmstat_get("nr_free_zeroed");
	idle = vmstat_get("pgzero_idle");
	quiet_moment();
	tap_ok(small > 0 && vmstat_get("pgzero_idle") == idle,
	    "and once it holds 16 pages (%ld), idle harts zero no more", small);
	tap_ok(set_knob(POOL) == 0 && (quiet_moment(), vmstat_get("pgzero_idle") > idle) &&
	    vmstat_get("nr_free_zeroed") > small,
	    "a larger size: the zeroing resumes (%ld pages now)", vmstat_get("nr_free_zeroed"));
	set_knob(was);
	return tap_done();
}
