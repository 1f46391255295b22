/*
 * Small system calls: identity, time, limits, randomness, uname, reboot.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/proc.h>
#include <kern/random.h>
#include <kern/reboot.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <machine/cpu.h>

#define CLOCK_REALTIME		0
#define CLOCK_MONOTONIC		1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID	3
#define CLOCK_MONOTONIC_RAW	4
#define CLOCK_REALTIME_COARSE	5
#define CLOCK_MONOTONIC_COARSE	6
#define CLOCK_BOOTTIME		7
#define TIMER_ABSTIME		1
#define NSEC_PER_SEC		1000000000UL
#define CLOCK_TICKS_HZ		100

#define LINUX_REBOOT_MAGIC1	0xfee1deadU
#define LINUX_REBOOT_MAGIC2	672274793U
#define LINUX_REBOOT_CMD_POWER_OFF 0x4321fedcU
#define LINUX_REBOOT_CMD_RESTART 0x01234567U
#define LINUX_REBOOT_CMD_HALT	0xcdef0123U

#define UTSNAME_FIELDS		6	/* sysname nodename release version machine domainname */
#define UTSNAME_LEN		65
#define ROBUST_LIST_HEAD_SIZE	24	/* struct robust_list_head on 64-bit */

#define GRND_NONBLOCK		1
#define GRND_RANDOM		2
#define GETRANDOM_MAX		(32UL << 20)

struct timespec_linux {
	int64_t		tv_sec;
	int64_t		tv_nsec;
};

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
	struct timespec_linux ts = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };

	if (!clock_valid(a[0]))
		return -EINVAL;
	return copyout(&ts, (void *)a[1], sizeof(ts)) ? -EFAULT : 0;
}

SYSCALL(clock_getres)
{
	struct timespec_linux ts = { 0, (int64_t)(NSEC_PER_SEC / cpu_timebase_hz()) };

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

/*
 * Sleep until cpu_time() reaches deadline: 0, or ERESTART if a signal
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

static int
timespec_in(uint64_t uaddr, uint64_t *ns)
{
	struct timespec_linux ts;

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
		struct timespec_linux ts = { (int64_t)(left / NSEC_PER_SEC),
		    (int64_t)(left % NSEC_PER_SEC) };

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
	uint64_t ns;
	int error = timespec_in(a[0], &ns);

	if (error)
		return -error;
	return relative_sleep(td, sleepq_deadline_ns(ns), a[1]);
}

/*
 * clock_nanosleep(clock, flags, request, remain).  With TIMER_ABSTIME an
 * interrupted sleep leaves remain alone and, when no handler runs, simply
 * runs again: its deadline does not move.
 */
SYSCALL(clock_nanosleep)
{
	uint64_t ns;
	int error;

	if (!clock_valid(a[0]))
		return -EINVAL;
	if ((error = timespec_in(a[2], &ns)) != 0)
		return -error;
	if (a[1] & TIMER_ABSTIME) {
		uint64_t now = now_ns();

		return sleep_until(sleepq_deadline_ns(ns > now ? ns - now : 0)) ? -ERESTARTNOHAND : 0;
	}
	return relative_sleep(td, sleepq_deadline_ns(ns), a[3]);
}

SYSCALL(sched_yield)
{
	sched_yield();
	return 0;
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

SYSCALL(getuid) { return td->td_proc->p_uid; }
SYSCALL(geteuid) { return td->td_proc->p_uid; }
SYSCALL(getgid) { return 0; }
SYSCALL(getegid) { return 0; }

SYSCALL(getpgid)
{
	struct proc *p;
	int pgid = -ESRCH;

	spin_lock(&proc_lock);
	p = a[0] == 0 ? td->td_proc : proc_find((int)a[0]);
	if (p != NULL)
		pgid = p->p_pgid;
	spin_unlock(&proc_lock);
	return pgid;
}

/* uname: our own name, and the Linux ABI level we implement. */
SYSCALL(uname)
{
	static const char fields[UTSNAME_FIELDS][UTSNAME_LEN] = {
		"Sable", "sable", "5.15.0-sable", "#1 SMP", "riscv64", "(none)",
	};

	return copyout(fields, (void *)a[0], sizeof(fields)) ? -EFAULT : 0;
}

static int
limit_index(uint64_t resource)
{
	return resource < RLIM_NLIMITS ? (int)resource : -1;
}

static int
set_limit(struct proc *p, int r, const struct rlimit_linux *lim)
{
	if (lim->rlim_cur > lim->rlim_max)
		return EINVAL;
	if (lim->rlim_max > p->p_rlimit[r].rlim_max && p->p_uid != 0)
		return EPERM;
	p->p_rlimit[r] = *lim;
	return 0;
}

/* prlimit64(pid, resource, new, old) */
SYSCALL(prlimit64)
{
	struct proc *p = td->td_proc;
	struct rlimit_linux lim, old;
	int r = limit_index(a[1]), error;

	if (a[0] != 0 && (int)a[0] != p->p_pid)
		return -ESRCH;		/* only our own limits */
	if (r < 0)
		return -EINVAL;
	old = p->p_rlimit[r];
	if (a[2] != 0) {
		if (copyin((const void *)a[2], &lim, sizeof(lim)))
			return -EFAULT;
		if ((error = set_limit(p, r, &lim)) != 0)
			return -error;
	}
	if (a[3] != 0 && copyout(&old, (void *)a[3], sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL(getrlimit)
{
	const uint64_t args[6] = { 0, a[0], 0, a[1], 0, 0 };

	return sys_prlimit64(td, args);
}

SYSCALL(setrlimit)
{
	const uint64_t args[6] = { 0, a[0], a[1], 0, 0, 0 };

	return sys_prlimit64(td, args);
}

/* getrandom(buf, len, flags) */
SYSCALL(getrandom)
{
	uint8_t chunk[256];
	uint64_t len = MIN(a[1], GETRANDOM_MAX);

	if (a[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM))
		return -EINVAL;
	for (uint64_t done = 0; done < len;) {
		size_t n = MIN(len - done, sizeof(chunk));

		random_bytes(chunk, n);
		if (copyout(chunk, (void *)(a[0] + done), n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)len;
}

SYSCALL(set_robust_list)
{
	/* Accepted; with one thread per process there is nothing to do at exit. */
	return a[1] == ROBUST_LIST_HEAD_SIZE ? 0 : -EINVAL;
}

SYSCALL(rseq)
{
	return -ENOSYS;
}

/* reboot(magic1, magic2, cmd, arg) */
SYSCALL(reboot)
{
	if ((uint32_t)a[0] != LINUX_REBOOT_MAGIC1 || (uint32_t)a[1] != LINUX_REBOOT_MAGIC2)
		return -EINVAL;
	if (td->td_proc->p_uid != 0)
		return -EPERM;
	switch ((uint32_t)a[2]) {
	case LINUX_REBOOT_CMD_POWER_OFF:
	case LINUX_REBOOT_CMD_HALT:
		machine_poweroff(POWEROFF_SUCCESS);
	case LINUX_REBOOT_CMD_RESTART:
		machine_poweroff(POWEROFF_SUCCESS);
	default:
		return -EINVAL;
	}
}
