/*
 * Resources (after FreeBSD's kern_resource.c): the limits (prlimit64 and
 * the older getrlimit and setrlimit, on each process's p_rlimit) and the
 * usage (getrusage, and what wait4 and times report; see resourcevar.h).
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/proc.h>
#include <kern/resourcevar.h>
#include <kern/sched.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <uapi/resource.h>

static int
limit_index(uint64_t resource)
{
	return resource < RLIM_NLIMITS ? (int)resource : -1;
}

static int
set_limit(struct proc *p, int r, const struct rlimit *lim)
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
	struct rlimit lim, old;
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

/*
 * Resource usage.
 */

/* a * b / c without overflow (c > 0, the result fits). */
static uint64_t
mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	return (uint64_t)((unsigned __int128)a * b / c);
}

/*
 * Split rtime (ns) into user and system time in the proportion of the
 * clock ticks ut and st, never giving less of either than *prev had
 * (Linux's cputime_adjust); *prev becomes the answer.  p_timer_lock held.
 */
static void
cputime_split(uint64_t rtime, uint64_t ut, uint64_t st, struct cputime_split *prev,
    uint64_t *utime, uint64_t *stime)
{
	uint64_t u, s;

	if (prev->cs_utime_ns + prev->cs_stime_ns >= rtime) {
		*utime = prev->cs_utime_ns;
		*stime = prev->cs_stime_ns;
		return;
	}
	if (st == 0)
		s = 0;
	else if (ut == 0)
		s = rtime;
	else
		s = mul_div(rtime, st, st + ut);
	s = MAX(s, prev->cs_stime_ns);
	u = rtime - s;
	if (u < prev->cs_utime_ns) {
		u = prev->cs_utime_ns;
		s = rtime - u;
	}
	*prev = (struct cputime_split){ u, s };
	*utime = u;
	*stime = s;
}

void
thread_totals_add(struct thread *td, struct thread_totals *tt)
{
	uint64_t nvcsw, nivcsw;

	tt->tt_runtime += sched_thread_runtime(td, &nvcsw, &nivcsw);
	tt->tt_nvcsw += nvcsw;
	tt->tt_nivcsw += nivcsw;
	tt->tt_uticks += __atomic_load_n(&td->td_uticks, __ATOMIC_RELAXED);
	tt->tt_sticks += __atomic_load_n(&td->td_sticks, __ATOMIC_RELAXED);
	tt->tt_minflt += __atomic_load_n(&td->td_minflt, __ATOMIC_RELAXED);
	tt->tt_majflt += __atomic_load_n(&td->td_majflt, __ATOMIC_RELAXED);
}

/* The counts of p's threads, living and exited. */
static void
proc_totals(struct proc *p, struct thread_totals *tt)
{
	struct list_node *n;

	spin_lock(&p->p_threadlock);
	*tt = p->p_dead_totals;
	list_foreach(n, &p->p_threads)
		thread_totals_add(list_entry(n, struct thread, td_plist), tt);
	spin_unlock(&p->p_threadlock);
}

/* Usage from totals, the times split as *prev (p's or a thread's) says. */
static void
usage_of(struct proc *p, const struct thread_totals *tt, struct cputime_split *prev,
    struct kusage *ku)
{
	memset(ku, 0, sizeof(*ku));
	ku->ku_minflt = tt->tt_minflt;
	ku->ku_majflt = tt->tt_majflt;
	ku->ku_nvcsw = tt->tt_nvcsw;
	ku->ku_nivcsw = tt->tt_nivcsw;
	ku->ku_maxrss_kb = __atomic_load_n(&p->p_maxrss_kb, __ATOMIC_RELAXED);
	spin_lock(&p->p_timer_lock);
	cputime_split(timebase_to_ns(tt->tt_runtime), tt->tt_uticks, tt->tt_sticks, prev,
	    &ku->ku_utime_ns, &ku->ku_stime_ns);
	spin_unlock(&p->p_timer_lock);
}

void
proc_usage(struct proc *p, struct kusage *ku)
{
	struct thread_totals tt;
	struct thread *self = curthread();

	if (self->td_proc == p)
		proc_note_rss(p, self->td_vmspace);
	proc_totals(p, &tt);
	usage_of(p, &tt, &p->p_cputime_prev, ku);
}

void
thread_usage(struct thread *td, struct kusage *ku)
{
	struct thread_totals tt = { 0 };

	thread_totals_add(td, &tt);
	usage_of(td->td_proc, &tt, &td->td_cputime_prev, ku);
}

void
proc_children_usage(struct proc *p, struct kusage *ku)
{
	spin_lock(&proc_lock);
	*ku = p->p_cusage;
	spin_unlock(&proc_lock);
}

void
kusage_add(struct kusage *dst, const struct kusage *src)
{
	dst->ku_utime_ns += src->ku_utime_ns;
	dst->ku_stime_ns += src->ku_stime_ns;
	dst->ku_maxrss_kb = MAX(dst->ku_maxrss_kb, src->ku_maxrss_kb);
	dst->ku_minflt += src->ku_minflt;
	dst->ku_majflt += src->ku_majflt;
	dst->ku_nvcsw += src->ku_nvcsw;
	dst->ku_nivcsw += src->ku_nivcsw;
}

static struct timeval
ns_to_timeval(uint64_t ns)
{
	return (struct timeval){ (long)(ns / NSEC_PER_SEC), (long)(ns % NSEC_PER_SEC / NSEC_PER_USEC) };
}

void
kusage_to_rusage(const struct kusage *ku, struct rusage *ru)
{
	memset(ru, 0, sizeof(*ru));
	ru->ru_utime = ns_to_timeval(ku->ku_utime_ns);
	ru->ru_stime = ns_to_timeval(ku->ku_stime_ns);
	ru->ru_maxrss = (long)ku->ku_maxrss_kb;
	ru->ru_minflt = (long)ku->ku_minflt;
	ru->ru_majflt = (long)ku->ku_majflt;
	ru->ru_nvcsw = (long)ku->ku_nvcsw;
	ru->ru_nivcsw = (long)ku->ku_nivcsw;
}

uint64_t
thread_runtime_ns(struct thread *td)
{
	uint64_t nv, niv;

	return timebase_to_ns(sched_thread_runtime(td, &nv, &niv));
}

uint64_t
proc_runtime_ns(struct proc *p)
{
	struct thread_totals tt;

	proc_totals(p, &tt);
	return timebase_to_ns(tt.tt_runtime);
}

/* *peak = max(*peak, value), atomically. */
static void
note_peak(uint64_t *peak, uint64_t value)
{
	uint64_t old = __atomic_load_n(peak, __ATOMIC_RELAXED);

	while (value > old && !__atomic_compare_exchange_n(peak, &old, value, false,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void
proc_note_rss(struct proc *p, struct vmspace *vm)
{
	uint64_t kb;

	if (vm == NULL)
		return;
	kb = pmap_resident_count(vm->vm_pmap) * (PAGE_SIZE / 1024);
	note_peak(&p->p_maxrss_kb, kb);
	/* The map's size is read unlocked: a snapshot is what a peak needs. */
	note_peak(&p->p_maxvm_kb, __atomic_load_n(&vm->vm_map.size, __ATOMIC_RELAXED) / 1024);
}

/* getrusage(who, usage) */
SYSCALL(getrusage)
{
	struct kusage ku;
	struct rusage ru;

	switch ((int)a[0]) {
	case RUSAGE_SELF:
		proc_usage(td->td_proc, &ku);
		break;
	case RUSAGE_CHILDREN:
		proc_children_usage(td->td_proc, &ku);
		break;
	case RUSAGE_THREAD:
		thread_usage(td, &ku);
		break;
	default:
		return -EINVAL;
	}
	kusage_to_rusage(&ku, &ru);
	return copyout(&ru, (void *)a[1], sizeof(ru)) ? -EFAULT : 0;
}
