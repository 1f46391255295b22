/*
 * Host unit test for the load average (mi/kern/kern_loadavg.c), TAP
 * output: the fixed-point update against the exponential decay it stands
 * for, a steady load reached exactly, and the sampling every
 * LOAD_FREQ_TICKS clock ticks of what the scheduler counts (a stand-in
 * sched_load_sample here).
 */
#include <math.h>
#include <stdio.h>

#include <kern/systm.h>
#include <kern/loadavg.h>

#include "host/tap.h"

static uint32_t fake_running, fake_blocked;
static int samples;

void
sched_load_sample(uint32_t *nrunning, uint32_t *nuninterruptible, uint32_t *nthreads)
{
	*nrunning = fake_running;
	*nuninterruptible = fake_blocked;
	*nthreads = 10;
	samples++;
}

static double
fixed(uint64_t v)
{
	return (double)v / FIXED_1;
}

int
main(void)
{
	const uint64_t exps[3] = { EXP_1, EXP_5, EXP_15 };
	const double minutes[3] = { 1, 5, 15 };
	uint64_t avg[3];
	bool good = true;

	tap_plan(6);
	for (int i = 0; i < 3; i++) {
		double want = 1 - exp(-1.0);	/* one averaging period of load 1 */
		uint64_t load = 0;
		int n = (int)(minutes[i] * 12);			/* 12 samples a minute */

		for (int k = 0; k < n; k++)
			load = loadavg_next(load, exps[i], FIXED_1);
		/* The decay factors are rounded to 1/2048, and each rising step rounds up. */
		tap_diag("%g minutes: %.4f, 1 - 1/e = %.4f", minutes[i], fixed(load), want);
		CHECK(good, "within 1% of 1 - 1/e, and what rounding up may add",
		    fixed(load) > want - 0.01 && fixed(load) < want + 0.01 + n / 2048.0);
	}
	tap_ok(good, "load 1 for one period gives 1 - 1/e of it, for 1, 5 and 15 minutes");
	{
		uint64_t load = 0;

		for (int k = 0; k < 2000; k++)
			load = loadavg_next(load, EXP_15, 3 * FIXED_1);
		tap_ok(load == 3 * FIXED_1, "a steady load of 3 is reached exactly (%lu)", load);
		for (int k = 0; k < 2000; k++)
			load = loadavg_next(load, EXP_15, 0);
		tap_ok(load == 0, "and decays to exactly 0 when idle (%lu)", load);
	}
	fake_running = 2;
	fake_blocked = 1;
	for (int t = 0; t < LOAD_FREQ_TICKS - 1; t++)
		loadavg_tick();
	loadavg_get(avg);
	tap_ok(samples == 0 && avg[0] == 0, "no sample before LOAD_FREQ_TICKS ticks");
	loadavg_tick();
	loadavg_get(avg);
	tap_ok(samples == 1 && fabs(fixed(avg[0]) - 3 * (1 - EXP_1 / 2048.0)) < 0.002,
	    "the sample counts running and uninterruptible threads (1-min avg %.3f)",
	    fixed(avg[0]));
	for (int t = 0; t < 10 * LOAD_FREQ_TICKS; t++)
		loadavg_tick();
	tap_ok(samples == 11, "one sample every LOAD_FREQ_TICKS (%d)", samples);
	return tap_done();
}
