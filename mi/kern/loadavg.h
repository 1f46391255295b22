/*
 * The load average, computed as Linux computes it (kernel/sched/loadavg.c):
 * every LOAD_FREQ clock ticks, the number of threads running, waiting for
 * a cpu or in an uninterruptible sleep is folded into three exponentially
 * decaying averages, over 1, 5 and 15 minutes, kept in fixed point with
 * FSHIFT fraction bits.  /proc/loadavg and sysinfo(2) report them.
 *
 * Locking: the averages are written by cpu 0's clock interrupt only and
 * read atomically.
 */
#ifndef _KERN_LOADAVG_H_
#define _KERN_LOADAVG_H_

#include <kern/types.h>

#define FSHIFT		11			/* fraction bits */
#define FIXED_1		(1UL << FSHIFT)		/* 1.0 */
#define LOAD_FREQ_TICKS	(5 * 100 + 1)		/* 5 s of HZ = 100 ticks, and one */
#define EXP_1		1884			/* FIXED_1 / exp(5 s / 1 min) */
#define EXP_5		2014			/* FIXED_1 / exp(5 s / 5 min) */
#define EXP_15		2037			/* FIXED_1 / exp(5 s / 15 min) */

/* The next average from load, its decay factor exp and active (both fixed point). */
uint64_t loadavg_next(uint64_t load, uint64_t exp, uint64_t active);

/* Cpu 0's clock tick: take a sample every LOAD_FREQ_TICKS. */
void loadavg_tick(void);

/* The 1, 5 and 15 minute averages, fixed point. */
void loadavg_get(uint64_t avg[3]);

#endif
