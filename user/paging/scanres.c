/*
 * scanres: a working set that fits in memory survives a stream through
 * more than memory (scan resistance).
 *
 * A hot set of 24 MiB is read once per round; between rounds the program
 * streams once through 128 MiB of a 256 MiB region (the other half each
 * round), on 128 MiB of RAM.  Plain LRU pages the whole hot set in every
 * round: between two reads of a hot page come more distinct pages than
 * memory holds.  Here, after three warm-up rounds, fewer than a tenth of
 * the hot set's pages may be paged in in each of five measured rounds
 * (issue 10's bar): the hot pages must have earned the active queue
 * (vm_pageout.c says how) and kept it, while the stream's pages, each
 * touched once a round, came and went through inactive.  Each round's
 * diagnostic line shows how the queues moved: a burst of hot pages paged
 * in follows active pages aged and deactivated in the round before (the
 * hand sweeping active many times a round did that, until it was paced
 * by evictions).
 * The pages paged in during a hot read are counted with /proc/vmstat's
 * pswpin, read around it (the machine is otherwise quiet).
 *
 * On Linux (qemu-user) it is skipped: the sizes are this test machine's.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define MIB		(1UL << 20)
#define HOT		(24 * MIB)
#define REGION		(256 * MIB)
#define STREAM		(128 * MIB)
#define WARMUP		3
#define MEASURED	5
#define MAX_PERCENT	10	/* of the hot set, in every measured round */

static uint64_t
stamp(const void *base, unsigned long off)
{
	return (uintptr_t)base + off;
}

/* Write every page's first word: its own address. */
static void
fill(uint64_t *p, unsigned long len)
{
	for (unsigned long off = 0; off < len; off += PGSZ)
		p[off / 8] = stamp(p, off);
}

/* Read every page of [p, p + len) once; false if one reads wrong. */
static int
read_through(const uint64_t *p, unsigned long len)
{
	int ok = 1;

	for (unsigned long off = 0; off < len; off += PGSZ)
		ok &= p[off / 8] == stamp(p, off);
	return ok;
}

int
main(void)
{
	unsigned long hot_pages = HOT / PGSZ, worst = 0;
	uint64_t *hot, *region;
	int ok = 1;

	if (!vmstat_is_sable()) {
		tap_skip_all("the sizes are the 128 MiB test machine's, the counters our kernel's");
		return tap_done();
	}
	tap_plan(4);
	hot = (uint64_t *)map_pages(HOT / PGSZ);
	region = (uint64_t *)map_pages(REGION / PGSZ);
	if (!tap_ok(hot != NULL && region != NULL, "24 MiB hot and a 256 MiB region mapped"))
		return tap_done();
	fill(hot, HOT);
	fill(region, REGION);
	for (int r = 0; r < WARMUP + MEASURED; r++) {
		long in0 = vmstat_get("pswpin"), in;
		long scan0 = vmstat_get("pgscan_active"), deact0 = vmstat_get("pgdeactivate");
		long act0 = vmstat_get("pgactivate"), ws0 = vmstat_get("workingset_activate_anon");
		const uint64_t *window = region + (r % 2) * (STREAM / 8);

		ok &= read_through(hot, HOT);
		in = vmstat_get("pswpin") - in0;
		ok &= read_through(window, STREAM);
		tap_diag("round %d: %ld of the %lu hot pages paged in%s (now active %ld, inactive %ld, "
		    "laundry %ld; this round %ld active pages aged, %ld deactivated, %ld activated, "
		    "%ld of them refaults)", r, in, hot_pages, r < WARMUP ? " (warm-up)" : "",
		    vmstat_get("nr_active_anon"), vmstat_get("nr_inactive_anon"),
		    vmstat_get("nr_laundry"), vmstat_get("pgscan_active") - scan0,
		    vmstat_get("pgdeactivate") - deact0, vmstat_get("pgactivate") - act0,
		    vmstat_get("workingset_activate_anon") - ws0);
		if (r >= WARMUP && (unsigned long)in > worst)
			worst = (unsigned long)in;
	}
	tap_ok(ok, "every page read back as written");
	tap_ok(worst * 100 < hot_pages * MAX_PERCENT,
	    "after %d warm-up rounds at most %lu of the %lu hot pages (< %d%%) are paged in in "
	    "each of %d rounds", WARMUP, worst, hot_pages, MAX_PERCENT, MEASURED);
	tap_ok(vmstat_get("workingset_activate_anon") > 0,
	    "refaults close enough were activated (workingset_activate_anon %ld)",
	    vmstat_get("workingset_activate_anon"));
	return tap_done();
}
