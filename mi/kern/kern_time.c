/*
 * Time: the clocks (clock_gettime and friends), sleeping until a deadline
 * (nanosleep, clock_nanosleep, restartable as Linux's are), times(2), and
 * the real interval timer.
 *
 * The real interval timer (setitimer ITIMER_REAL) keeps its deadline in
 * struct proc; the clock interrupt calls itimer_tick(), which posts
 * SIGALRM when one passes.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/list.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <machine/cpu.h>

/* The earliest real-timer deadline of any process (a hint), or UINT64_MAX. */
static uint64_t itimer_earliest = UINT64_MAX;	/* (P) written, (A) read */

uint64_t
uptime_ns(void)
{
	uint64_t t = cpu_time(), hz = cpu_timebase_hz();

	if (hz == 0)
		return 0;
	return (t / hz) * NSEC_PER_SEC + (t % hz) * NSEC_PER_SEC / hz;
}

int
timespec_copyin(uint64_t uaddr, struct timespec *ts)
{
	if (copyin((const void *)uaddr, ts, sizeof(*ts)))
		return EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || (uint64_t)ts->tv_nsec >= NSEC_PER_SEC)
		return EINVAL;
	return 0;
}

uint64_t
timespec_to_ns(const struct timespec *ts)
{
	if ((uint64_t)ts->tv_sec > NS_FOREVER / NSEC_PER_SEC - 1)
		return NS_FOREVER;
	return (uint64_t)ts->tv_sec * NSEC_PER_SEC + (uint64_t)ts->tv_nsec;
}

int
timeout_copyin(uint64_t uaddr, uint64_t *deadline)
{
	struct timespec ts;
	int error;

	if ((error = timespec_copyin(uaddr, &ts)) != 0)
		return error;
	*deadline = sleepq_deadline_ns(timespec_to_ns(&ts));
	return 0;
}

uint64_t
deadline_at_ns(uint64_t ns)
{
	uint64_t now = uptime_ns();

	return sleepq_deadline_ns(ns > now ? ns - now : 0);
}

int
abstime_copyin(uint64_t uaddr, uint64_t *deadline)
{
	struct timespec ts;
	int error;

	if ((error = timespec_copyin(uaddr, &ts)) != 0)
		return error;
	*deadline = deadline_at_ns(timespec_to_ns(&ts));
	return 0;
}

uint64_t
span_to_ticks(uint64_t sec, uint64_t frac, uint64_t per_sec)
{
	uint64_t hz = cpu_timebase_hz(), t;

	if (mul_overflows(sec, hz, &t) || t > TICKS_FOREVER)
		t = TICKS_FOREVER;
	return t + howmany(frac * hz, per_sec);
}

static bool
clock_valid(uint64_t id)
{
	return id <= CLOCK_BOOTTIME;
}

SYSCALL(clock_gettime)
{
	uint64_t ns = uptime_ns();
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
	uint64_t ns = uptime_ns();
	struct timeval tv = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC / NSEC_PER_USEC) };

	if (a[0] != 0 && copyout(&tv, (void *)a[0], sizeof(tv)))
		return -EFAULT;
	return 0;
}

/*
 * Sleep until cpu_time() reaches deadline: 0, or ERESTARTSYS if a signal
 * came first.  Nobody wakes the thread's own timer channel: only the
 * deadline or a signal ends the sleep.
 */
static int
sleep_until(uint64_t deadline)
{
	struct thread *td = curthread();
	int error = 0;

	while (error == 0 && cpu_time() < deadline)
		error = sleep_on_timed(&td->td_deadline, NULL, SLEEPQ_INTR, deadline);
	return error == ETIMEDOUT ? 0 : error;
}

static long nanosleep_restart(struct thread *td, const struct restart_block *rb);

/*
 * A relative sleep to deadline.  Interrupted, it writes the time left to
 * urem (unless 0) and continues through restart_syscall if no handler
 * runs; a handler makes it fail with EINTR (it is never restarted).
 */
static long
relative_sleep(struct thread *td, uint64_t deadline, uint64_t urem)
{
	uint64_t left;

	if (sleep_until(deadline) == 0 || (left = sleepq_remaining_ns(deadline)) == 0)
		return 0;
	if (urem != 0) {
		struct timespec ts = { (int64_t)(left / NSEC_PER_SEC), (int64_t)(left % NSEC_PER_SEC) };

		if (copyout(&ts, (void *)urem, sizeof(ts)))
			return -EFAULT;
	}
	return syscall_restart_block(td, nanosleep_restart, deadline, urem, 0);
}

static long
nanosleep_restart(struct thread *td, const struct restart_block *rb)
{
	return relative_sleep(td, rb->rb_deadline, rb->rb_arg[0]);
}

/* nanosleep(request, remain) */
SYSCALL(nanosleep)
{
	struct timespec ts;
	int error = timespec_copyin(a[0], &ts);

	if (error)
		return -error;
	return relative_sleep(td, sleepq_deadline_ns(timespec_to_ns(&ts)), a[1]);
}

/*
 * clock_nanosleep(clock, flags, request, remain).  With TIMER_ABSTIME an
 * interrupted sleep leaves remain alone and, when no handler runs, simply
 * runs again: its deadline does not move.
 */
SYSCALL(clock_nanosleep)
{
	struct timespec ts;
	uint64_t ns;
	int error;

	if (!clock_valid(a[0]))
		return -EINVAL;
	if ((error = timespec_copyin(a[2], &ts)) != 0)
		return -error;
	ns = timespec_to_ns(&ts);
	if (a[1] & TIMER_ABSTIME)
		return sleep_until(deadline_at_ns(ns)) ? -ERESTARTNOHAND : 0;
	return relative_sleep(td, sleepq_deadline_ns(ns), a[3]);
}

/* times(buf): clock ticks since boot (struct tms is four longs). */
void
proc_charge_tick(bool user_mode)
{
	struct thread *td = curthread();
	struct proc *p;

	if (td == NULL || (td->td_flags & TDF_IDLE) || (p = td->td_proc) == NULL)
		return;
	__atomic_add_fetch(user_mode ? &p->p_utime_ticks : &p->p_stime_ticks, 1,
	    __ATOMIC_RELAXED);
}

SYSCALL(times)
{
	struct proc *p = td->td_proc;
	int64_t tms[4] = { (int64_t)__atomic_load_n(&p->p_utime_ticks, __ATOMIC_RELAXED),
	    (int64_t)__atomic_load_n(&p->p_stime_ticks, __ATOMIC_RELAXED),
	    (int64_t)p->p_cutime_ticks, (int64_t)p->p_cstime_ticks };
	uint64_t ticks = cpu_time() / (cpu_timebase_hz() / USER_HZ);

	if (a[0] != 0 && copyout(tms, (void *)a[0], sizeof(tms)))
		return -EFAULT;
	return (long)ticks;
}

/*
 * The real interval timer.
 */

static int
timeval_to_ticks(const struct timeval *tv, uint64_t *ticks)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || (uint64_t)tv->tv_usec >= USEC_PER_SEC)
		return EINVAL;
	/* Rounded up: a nonzero value must arm the timer. */
	*ticks = span_to_ticks((uint64_t)tv->tv_sec, (uint64_t)tv->tv_usec, USEC_PER_SEC);
	return 0;
}

/* Rounded up to the next microsecond. */
static struct timeval
ticks_to_timeval(uint64_t ticks)
{
	uint64_t hz = cpu_timebase_hz();
	uint64_t sec = ticks / hz, usec = howmany(ticks % hz * USEC_PER_SEC, hz);

	if (usec == USEC_PER_SEC) {
		sec++;
		usec = 0;
	}
	return (struct timeval){ (int64_t)sec, (int64_t)usec };
}

/* p's timer as getitimer reports it.  proc_lock held. */
static struct itimerval
itimer_get(struct proc *p)
{
	struct itimerval it = { 0 };
	uint64_t next = p->p_itimer_real_next, now = cpu_time();

	it.it_interval = ticks_to_timeval(p->p_itimer_real_interval);
	/* Expired but not yet posted still counts as running: 1 us left. */
	if (next != 0)
		it.it_value = next > now ? ticks_to_timeval(next - now) :
		    (struct timeval){ 0, 1 };
	return it;
}

SYSCALL(getitimer)
{
	struct itimerval it;

	if (a[0] != ITIMER_REAL)
		return -EINVAL;
	spin_lock(&proc_lock);
	it = itimer_get(td->td_proc);
	spin_unlock(&proc_lock);
	if (copyout(&it, (void *)a[1], sizeof(it)))
		return -EFAULT;
	return 0;
}

SYSCALL(setitimer)
{
	struct proc *p = td->td_proc;
	struct itimerval it = { 0 }, old;
	uint64_t value, interval, next;
	int error;

	if (a[0] != ITIMER_REAL)
		return -EINVAL;
	/* A NULL new value disarms the timer, as Linux still allows. */
	if (a[1] != 0 && copyin((const void *)a[1], &it, sizeof(it)))
		return -EFAULT;
	if ((error = timeval_to_ticks(&it.it_value, &value)) != 0 ||
	    (error = timeval_to_ticks(&it.it_interval, &interval)) != 0)
		return -error;
	spin_lock(&proc_lock);
	old = itimer_get(p);
	next = value != 0 ? cpu_time() + value : 0;
	p->p_itimer_real_next = next;
	p->p_itimer_real_interval = interval;
	if (next != 0 && next < __atomic_load_n(&itimer_earliest, __ATOMIC_RELAXED))
		__atomic_store_n(&itimer_earliest, next, __ATOMIC_RELAXED);
	spin_unlock(&proc_lock);
	if (a[2] != 0 && copyout(&old, (void *)a[2], sizeof(old)))
		return -EFAULT;
	return 0;
}

/* Post SIGALRM to every process whose deadline has passed; find the next one. */
static void
itimer_expire(uint64_t now)
{
	uint64_t earliest = UINT64_MAX;
	struct list_node *n;

	spin_lock(&proc_lock);
	list_foreach(n, &allproc) {
		struct proc *p = list_entry(n, struct proc, p_allproc);
		uint64_t next = p->p_itimer_real_next;

		if (next == 0 || p->p_state != PRS_ALIVE)
			continue;
		if (now >= next) {
			uint64_t interval = p->p_itimer_real_interval;

			/* Reload; if ticks were missed, the next expiry is a full interval away. */
			next = interval == 0 ? 0 : next + interval;
			if (next != 0 && next <= now)
				next = now + interval;
			p->p_itimer_real_next = next;
			psignal(p, SIGALRM);
		}
		if (next != 0 && next < earliest)
			earliest = next;
	}
	__atomic_store_n(&itimer_earliest, earliest, __ATOMIC_RELAXED);
	spin_unlock(&proc_lock);
}

void
itimer_tick(void)
{
	uint64_t now = cpu_time();

	if (now >= __atomic_load_n(&itimer_earliest, __ATOMIC_RELAXED))
		itimer_expire(now);
}
