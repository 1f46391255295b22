/*
 * Time: the clocks (clock_gettime and friends, the CPU-time clocks
 * included), sleeping until a deadline (nanosleep, clock_nanosleep,
 * restartable as Linux's are), times(2), and the interval timers.
 *
 * The real interval timer (setitimer ITIMER_REAL) keeps its deadline in
 * struct proc; the clock interrupt calls itimer_tick(), which posts
 * SIGALRM when one passes.  The CPU-time timers (ITIMER_VIRTUAL,
 * ITIMER_PROF) count down by a tick at each clock interrupt that finds a
 * thread of the process running (cpu_itimer_tick), in user mode for the
 * virtual one, and post SIGVTALRM and SIGPROF.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/list.h>
#include <kern/proc.h>
#include <kern/resourcevar.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <machine/cpu.h>

/* The earliest real-timer deadline of any process (a hint), or UINT64_MAX. */
static uint64_t itimer_earliest = UINT64_MAX;	/* (P) written, (A) read */

uint64_t
timebase_to_ns(uint64_t t)
{
	uint64_t hz = cpu_timebase_hz();

	if (hz == 0)
		return 0;
	return (t / hz) * NSEC_PER_SEC + (t % hz) * NSEC_PER_SEC / hz;
}

uint64_t
uptime_ns(void)
{
	return timebase_to_ns(cpu_time());
}

/* The epoch's distance from the boot, in nanoseconds (it may be set at any time). */
static uint64_t boot_epoch_ns;	/* (A) */

uint64_t
boottime_ns(void)
{
	return __atomic_load_n(&boot_epoch_ns, __ATOMIC_RELAXED);
}

void
clock_set_realtime(uint64_t ns)
{
	uint64_t up = uptime_ns();

	__atomic_store_n(&boot_epoch_ns, ns > up ? ns - up : 0, __ATOMIC_RELAXED);
}

uint64_t
realtime_ns(void)
{
	return boottime_ns() + uptime_ns();
}

/* Does clock id count from the epoch (the time of day) rather than from the boot? */
static bool
clock_is_realtime(uint64_t id)
{
	return id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE;
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

uint64_t
deadline_at_clock_ns(bool realtime, uint64_t ns)
{
	/* A time of day is a deadline so far after the boot (as the clock stands now). */
	if (realtime)
		ns = ns > boottime_ns() ? ns - boottime_ns() : 0;
	return deadline_at_ns(ns);
}

int
abstime_copyin(uint64_t uaddr, bool realtime, uint64_t *deadline)
{
	struct timespec ts;
	int error;

	if ((error = timespec_copyin(uaddr, &ts)) != 0)
		return error;
	*deadline = deadline_at_clock_ns(realtime, timespec_to_ns(&ts));
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

/*
 * CPU-time clocks: CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, and
 * the clock ids clock_getcpuclockid() makes for a process or thread
 * (Linux's encoding: ~pid << 3, a per-thread bit, and which time).
 */
#define CPUCLOCK_PROF		0	/* user + system time */
#define CPUCLOCK_VIRT		1	/* user time */
#define CPUCLOCK_SCHED		2	/* time on a cpu, exact */
#define CPUCLOCK_WHICH_MASK	3
#define CPUCLOCK_PERTHREAD	4

static bool
is_cpu_clock(int32_t clk)
{
	return clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID ||
	    (clk < 0 && (clk & CPUCLOCK_WHICH_MASK) != 3);
}

/* Which time of p (or of its thread td), in nanoseconds. */
static uint64_t
cpu_clock_read(struct proc *p, struct thread *td, int which)
{
	struct kusage ku;

	if (which == CPUCLOCK_SCHED)
		return td != NULL ? thread_runtime_ns(td) : proc_runtime_ns(p);
	if (td != NULL)
		thread_usage(td, &ku);
	else
		proc_usage(p, &ku);
	return ku.ku_utime_ns + (which == CPUCLOCK_PROF ? ku.ku_stime_ns : 0);
}

/* The reading of CPU-time clock clk for td: 0, or EINVAL for no such process or thread. */
static int
cpu_clock_gettime(struct thread *td, int32_t clk, uint64_t *ns)
{
	bool perthread = clk == CLOCK_THREAD_CPUTIME_ID || (clk < 0 && (clk & CPUCLOCK_PERTHREAD));
	int which = clk >= 0 ? CPUCLOCK_SCHED : clk & CPUCLOCK_WHICH_MASK;
	int pid = clk >= 0 ? 0 : ~(clk >> 3);
	struct proc *p = td->td_proc;
	int error = 0;

	if (pid == 0 || pid == p->p_pid) {
		*ns = cpu_clock_read(p, perthread ? td : NULL, which);
		return 0;
	}
	/* Another process's clock: anyone may read it; another's thread, no one. */
	spin_lock(&proc_lock);
	if (perthread || (p = proc_find(pid)) == NULL || p->p_state != PRS_ALIVE)
		error = EINVAL;
	else
		*ns = cpu_clock_read(p, NULL, which);
	spin_unlock(&proc_lock);
	return error;
}

SYSCALL(clock_gettime)
{
	int32_t clk = (int32_t)a[0];
	struct timespec ts;
	uint64_t ns;
	int error;

	if (is_cpu_clock(clk)) {
		if ((error = cpu_clock_gettime(td, clk, &ns)) != 0)
			return -error;
	} else if (clk >= 0 && clock_valid((uint64_t)clk)) {
		ns = clock_is_realtime((uint64_t)clk) ? realtime_ns() : uptime_ns();
	} else {
		return -EINVAL;
	}
	ts = (struct timespec){ (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };
	return copyout(&ts, (void *)a[1], sizeof(ts)) ? -EFAULT : 0;
}

SYSCALL(clock_getres)
{
	struct timespec ts = { 0, (int64_t)(NSEC_PER_SEC / cpu_timebase_hz()) };
	int32_t clk = (int32_t)a[0];
	uint64_t ns;
	int error;

	if (is_cpu_clock(clk)) {
		if ((error = cpu_clock_gettime(td, clk, &ns)) != 0)
			return -error;
		/* Exact running time; user and system time come in clock ticks (Linux's answers). */
		ts.tv_nsec = (clk >= 0 || (clk & CPUCLOCK_WHICH_MASK) == CPUCLOCK_SCHED) ? 1 :
		    (int64_t)howmany(NSEC_PER_SEC, HZ);
	} else if (clk < 0 || !clock_valid((uint64_t)clk)) {
		return -EINVAL;
	}
	if (ts.tv_nsec == 0)
		ts.tv_nsec = 1;
	if (a[1] != 0 && copyout(&ts, (void *)a[1], sizeof(ts)))
		return -EFAULT;
	return 0;
}

/* clock_settime(clock, tp): only the time of day can be set, by the privileged. */
SYSCALL(clock_settime)
{
	struct timespec ts;
	int error;

	if (a[0] != CLOCK_REALTIME)
		return -EINVAL;
	if ((error = timespec_copyin(a[1], &ts)) != 0)
		return -error;
	if (!proc_privileged(td->td_proc))
		return -EPERM;
	clock_set_realtime(timespec_to_ns(&ts));
	return 0;
}

/* settimeofday(tv, tz): the time of day (tv may be NULL); the time zone is ignored, as Linux mostly does. */
SYSCALL(settimeofday)
{
	struct timeval tv;

	if (a[0] == 0)
		return 0;
	if (copyin((const void *)a[0], &tv, sizeof(tv)))
		return -EFAULT;
	if (tv.tv_sec < 0 || tv.tv_usec < 0 || (uint64_t)tv.tv_usec >= USEC_PER_SEC)
		return -EINVAL;
	if (!proc_privileged(td->td_proc))
		return -EPERM;
	clock_set_realtime((uint64_t)tv.tv_sec * NSEC_PER_SEC + (uint64_t)tv.tv_usec * NSEC_PER_USEC);
	return 0;
}

SYSCALL(gettimeofday)
{
	uint64_t ns = realtime_ns();
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
		return sleep_until(deadline_at_clock_ns(clock_is_realtime(a[0]), ns)) ?
		    -ERESTARTNOHAND : 0;
	return relative_sleep(td, sleepq_deadline_ns(ns), a[3]);
}

static int64_t
ns_to_user_ticks(uint64_t ns)
{
	return (int64_t)(ns / (NSEC_PER_SEC / USER_HZ));
}

/*
 * times(buf): user and system time of the process and of its reaped
 * children in USER_HZ ticks (struct tms is four longs); returns the
 * ticks since boot.
 */
SYSCALL(times)
{
	struct kusage self, children;
	int64_t tms[4];
	uint64_t ticks = cpu_time() / (cpu_timebase_hz() / USER_HZ);

	proc_usage(td->td_proc, &self);
	proc_children_usage(td->td_proc, &children);
	tms[0] = ns_to_user_ticks(self.ku_utime_ns);
	tms[1] = ns_to_user_ticks(self.ku_stime_ns);
	tms[2] = ns_to_user_ticks(children.ku_utime_ns);
	tms[3] = ns_to_user_ticks(children.ku_stime_ns);
	if (a[0] != 0 && copyout(tms, (void *)a[0], sizeof(tms)))
		return -EFAULT;
	return (long)ticks;
}

/*
 * The interval timers.
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

/* A CPU-time timer as getitimer reports it.  p_timer_lock held. */
static struct itimerval
cpu_itimer_get(const struct cpu_itimer *ci)
{
	return (struct itimerval){ ticks_to_timeval(ci->ci_interval),
	    ticks_to_timeval(ci->ci_value) };
}

static bool
itimer_valid(uint64_t which)
{
	return which == ITIMER_REAL || which == ITIMER_VIRTUAL || which == ITIMER_PROF;
}

SYSCALL(getitimer)
{
	struct proc *p = td->td_proc;
	struct itimerval it;

	if (!itimer_valid(a[0]))
		return -EINVAL;
	if (a[0] == ITIMER_REAL) {
		spin_lock(&proc_lock);
		it = itimer_get(p);
		spin_unlock(&proc_lock);
	} else {
		spin_lock(&p->p_timer_lock);
		it = cpu_itimer_get(&p->p_cpu_itimer[a[0] - 1]);
		spin_unlock(&p->p_timer_lock);
	}
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

	if (!itimer_valid(a[0]))
		return -EINVAL;
	/* A NULL new value disarms the timer, as Linux still allows. */
	if (a[1] != 0 && copyin((const void *)a[1], &it, sizeof(it)))
		return -EFAULT;
	if ((error = timeval_to_ticks(&it.it_value, &value)) != 0 ||
	    (error = timeval_to_ticks(&it.it_interval, &interval)) != 0)
		return -error;
	if (a[0] != ITIMER_REAL) {
		struct cpu_itimer *ci = &p->p_cpu_itimer[a[0] - 1];

		/* A tick more, as Linux adds: the tick under way may be mostly spent. */
		if (value != 0)
			value += cpu_timebase_hz() / HZ;
		spin_lock(&p->p_timer_lock);
		old = cpu_itimer_get(ci);
		*ci = (struct cpu_itimer){ value, interval };
		spin_unlock(&p->p_timer_lock);
		goto out;
	}
	spin_lock(&proc_lock);
	old = itimer_get(p);
	next = value != 0 ? cpu_time() + value : 0;
	p->p_itimer_real_next = next;
	p->p_itimer_real_interval = interval;
	if (next != 0 && next < __atomic_load_n(&itimer_earliest, __ATOMIC_RELAXED))
		__atomic_store_n(&itimer_earliest, next, __ATOMIC_RELAXED);
	spin_unlock(&proc_lock);
out:
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

/*
 * Count ci down by tick; true if it expired.  A periodic timer is
 * reloaded less what the tick overshot (so its period holds on average,
 * as Linux's next expiry is the last one plus the interval); one that
 * fell a whole period behind expires again at the next tick.
 */
static bool
cpu_itimer_count(struct cpu_itimer *ci, uint64_t tick)
{
	uint64_t overshoot;

	if (ci->ci_value == 0)
		return false;
	if (ci->ci_value > tick) {
		ci->ci_value -= tick;
		return false;
	}
	overshoot = tick - ci->ci_value;
	if (ci->ci_interval == 0)
		ci->ci_value = 0;
	else
		ci->ci_value = ci->ci_interval > overshoot ? ci->ci_interval - overshoot : 1;
	return true;
}

void
cpu_itimer_tick(struct thread *td, bool user, uint64_t tick)
{
	struct proc *p = td->td_proc;
	struct cpu_itimer *virt = &p->p_cpu_itimer[ITIMER_VIRTUAL - 1];
	struct cpu_itimer *prof = &p->p_cpu_itimer[ITIMER_PROF - 1];
	bool vtalrm, sigprof;

	/* A racy look first: almost no process has these timers armed. */
	if (__atomic_load_n(&virt->ci_value, __ATOMIC_RELAXED) == 0 &&
	    __atomic_load_n(&prof->ci_value, __ATOMIC_RELAXED) == 0)
		return;
	spin_lock(&p->p_timer_lock);
	vtalrm = user && cpu_itimer_count(virt, tick);
	sigprof = cpu_itimer_count(prof, tick);
	spin_unlock(&p->p_timer_lock);
	if (vtalrm)
		psignal(p, SIGVTALRM);
	if (sigprof)
		psignal(p, SIGPROF);
}
