/*
 * Time in the kernel: the clock since boot, and the conversions the
 * system calls make between the user's struct timespec and timeval and
 * the kernel's nanoseconds and timebase ticks (kern_time.c).  The clock
 * itself is the machine's (cpu_time(), cpu_timebase_hz()).
 */
#ifndef _KERN_TIME_H_
#define _KERN_TIME_H_

#include <kern/types.h>
#include <uapi/time.h>

#define NSEC_PER_SEC	1000000000UL
#define USEC_PER_SEC	1000000UL
#define NSEC_PER_USEC	1000UL
#define HZ		100		/* clock interrupts a second, on every cpu */
#define USER_HZ		100		/* times(2)'s clock ticks, as Linux's */

/*
 * Spans are clamped here: far beyond any uptime, yet a deadline made by
 * adding one to the present time never overflows.
 */
#define NS_FOREVER	(UINT64_MAX / 2)
#define TICKS_FOREVER	(UINT64_MAX / 4)

/* Nanoseconds since boot (0 until the timebase frequency is known). */
uint64_t uptime_ns(void);
/*
 * The time of day at boot, in nanoseconds since the epoch: what
 * CLOCK_REALTIME adds to the time since boot.  0 (the epoch is the boot)
 * until a real-time clock or clock_settime says otherwise.
 */
uint64_t boottime_ns(void);
/* The time of day is now ns since the epoch (a real-time clock's reading, clock_settime). */
void clock_set_realtime(uint64_t ns);
/* The time of day in nanoseconds since the epoch (CLOCK_REALTIME). */
uint64_t realtime_ns(void);
/* A span of the machine's timebase (cpu_time()) in nanoseconds. */
uint64_t timebase_to_ns(uint64_t t);

/*
 * Copy in the user's struct timespec at uaddr and check it: 0, EFAULT,
 * or EINVAL for a negative time or tv_nsec out of range.
 */
int timespec_copyin(uint64_t uaddr, struct timespec *ts);
/*
 * Copy in a relative timeout (a struct timespec at uaddr) and give the
 * sleep deadline it ends at, in cpu_time() ticks: 0, EFAULT or EINVAL.
 */
int timeout_copyin(uint64_t uaddr, uint64_t *deadline);
/*
 * Copy in an absolute time (a struct timespec at uaddr) on CLOCK_MONOTONIC
 * (since boot) or, if realtime, CLOCK_REALTIME (since the epoch), and give
 * the sleep deadline it is (a time already past: now): 0, EFAULT or EINVAL.
 */
int abstime_copyin(uint64_t uaddr, bool realtime, uint64_t *deadline);
/* The sleep deadline of the absolute time ns (nanoseconds since boot; past: now). */
uint64_t deadline_at_ns(uint64_t ns);
/* The same for ns on CLOCK_REALTIME if realtime (as the clock is set now), else since boot. */
uint64_t deadline_at_clock_ns(bool realtime, uint64_t ns);
/* A checked timespec in nanoseconds, at most NS_FOREVER. */
uint64_t timespec_to_ns(const struct timespec *ts);
/*
 * A span of sec seconds and frac parts of a second (frac < per_sec) in
 * timebase ticks, rounded up so that a nonzero span is at least a tick;
 * at most about TICKS_FOREVER.
 */
uint64_t span_to_ticks(uint64_t sec, uint64_t frac, uint64_t per_sec);

#endif
