/*
 * Time: the clocks (clock_gettime and friends), sleeping until a deadline
 * (nanosleep, clock_nanosleep), times(2), and the clock tick that wakes
 * sleepers to look at their deadlines.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <uapi/time.h>

#define NSEC_PER_SEC		1000000000UL
#define CLOCK_TICKS_HZ		100

static uint64_t
now_ns(void)
{
	uint64_t t = cpu_time(), hz = cpu_timebase_hz();

	return (t / hz) * NSEC_PER_SEC + (t % hz) * NSEC_PER_SEC / hz;
}

static bool
clock_valid(uint64_t id)
{
	return id <= CLOCK_BOOTTIME;
}

SYSCALL(clock_gettime)
{
	uint64_t ns = now_ns();
	struct timespec ts = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };

	if (!clock_valid(a[0]))
		return -EINVAL;
	return copyout(&ts, (void *)a[1], sizeof(ts)) ? -EFAULT : 0;
}

SYSCALL(clock_getres)
{
	struct timespec ts = { 0, (int64_t)(NSEC_PER_SEC / cpu_timebase_hz()) };

	if (!clock_valid(a[0]))
		return -EINVAL;
	if (ts.tv_nsec == 0)
		ts.tv_nsec = 1;
	if (a[1] != 0 && copyout(&ts, (void *)a[1], sizeof(ts)))
		return -EFAULT;
	return 0;
}

SYSCALL(gettimeofday)
{
	uint64_t ns = now_ns();
	int64_t tv[2] = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / 1000) };

	if (a[0] != 0 && copyout(tv, (void *)a[0], sizeof(tv)))
		return -EFAULT;
	return 0;
}

/* Sleepers with a deadline sleep on this; every clock tick wakes them to look. */
const char clock_tick_chan;

/* Sleep until the clock passes deadline_ns; EINTR if a signal comes first. */
static int
sleep_until(uint64_t deadline_ns)
{
	while (now_ns() < deadline_ns) {
		int error;

		/* No timer wheel yet: wake at every clock tick and look again. */
		spin_lock(&sched_lock);
		error = sleep_on_intr(&clock_tick_chan, &sched_lock);
		spin_unlock(&sched_lock);
		if (error)
			return error;
	}
	return 0;
}

/* Every clock tick wakes the sleepers, so they can check their deadlines. */
void
clock_wake_sleepers(void)
{
	wakeup(&clock_tick_chan);
}

static int
timespec_in(uint64_t uaddr, uint64_t *ns)
{
	struct timespec ts;

	if (copyin((const void *)uaddr, &ts, sizeof(ts)))
		return EFAULT;
	if (ts.tv_sec < 0 || ts.tv_nsec < 0 || (uint64_t)ts.tv_nsec >= NSEC_PER_SEC)
		return EINVAL;
	if ((uint64_t)ts.tv_sec > UINT64_MAX / NSEC_PER_SEC / 2)
		*ns = UINT64_MAX / 2;
	else
		*ns = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	return 0;
}

SYSCALL(nanosleep)
{
	uint64_t ns;
	int error = timespec_in(a[0], &ns);

	if (error)
		return -error;
	return -sleep_until(now_ns() + ns);
}

/* clock_nanosleep(clock, flags, request, remain) */
SYSCALL(clock_nanosleep)
{
	uint64_t ns;
	int error;

	if (!clock_valid(a[0]))
		return -EINVAL;
	if ((error = timespec_in(a[2], &ns)) != 0)
		return -error;
	return -sleep_until((a[1] & TIMER_ABSTIME) ? ns : now_ns() + ns);
}

/* times(buf): clock ticks since boot (struct tms is four longs). */
SYSCALL(times)
{
	struct proc *p = td->td_proc;
	int64_t tms[4] = { (int64_t)p->p_utime_ticks, (int64_t)p->p_stime_ticks, 0, 0 };
	uint64_t ticks = cpu_time() / (cpu_timebase_hz() / CLOCK_TICKS_HZ);

	if (a[0] != 0 && copyout(tms, (void *)a[0], sizeof(tms)))
		return -EFAULT;
	return (long)ticks;
}
