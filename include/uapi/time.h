/*
 * Clocks, timers and the time structures the system calls exchange
 * (Linux linux/time.h and time_types.h, riscv64: 64-bit fields).  Shared
 * by the kernel and the user C library.
 */
#ifndef _UAPI_TIME_H
#define _UAPI_TIME_H

#define CLOCK_REALTIME			0
#define CLOCK_MONOTONIC			1
#define CLOCK_PROCESS_CPUTIME_ID	2
#define CLOCK_THREAD_CPUTIME_ID		3
#define CLOCK_MONOTONIC_RAW		4
#define CLOCK_REALTIME_COARSE		5
#define CLOCK_MONOTONIC_COARSE		6
#define CLOCK_BOOTTIME			7

#define TIMER_ABSTIME	1		/* clock_nanosleep: an absolute deadline */

#define ITIMER_REAL	0
#define ITIMER_VIRTUAL	1
#define ITIMER_PROF	2

struct timespec {
	long		tv_sec;
	long		tv_nsec;
};

struct timeval {
	long		tv_sec;
	long		tv_usec;
};

struct itimerval {
	struct timeval	it_interval;	/* reload value, 0: one shot */
	struct timeval	it_value;	/* time to the next expiry, 0: off */
};
_Static_assert(sizeof(struct itimerval) == 32, "struct itimerval");

#endif
