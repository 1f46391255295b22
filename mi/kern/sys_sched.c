/*
 * The scheduling system calls, on top of the scheduler (sched.c):
 * yielding, affinity (the cpus a thread may run on), which cpu it is on,
 * and the policy questions.  Every thread is time-shared (Linux's
 * SCHED_OTHER, priority 0); the real-time policies' priority ranges are
 * reported as Linux reports them, for programs that ask.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/pcpu.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/spinlock.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <uapi/sched.h>

#define RT_PRIORITY_MAX		99	/* SCHED_FIFO and SCHED_RR: 1..99 */
#define CPUMASK_BYTES		sizeof(uint64_t)	/* Linux's cpumask_size() for <= 64 cpus */

SYSCALL(sched_yield)
{
	sched_yield();
	return 0;
}

static bool
policy_valid(uint64_t policy)
{
	return policy == SCHED_NORMAL || policy == SCHED_FIFO || policy == SCHED_RR ||
	    policy == SCHED_BATCH || policy == SCHED_IDLE || policy == SCHED_DEADLINE;
}

static bool
policy_realtime(uint64_t policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

SYSCALL(sched_get_priority_max)
{
	if (!policy_valid(a[0]))
		return -EINVAL;
	return policy_realtime(a[0]) ? RT_PRIORITY_MAX : 0;
}

SYSCALL(sched_get_priority_min)
{
	if (!policy_valid(a[0]))
		return -EINVAL;
	return policy_realtime(a[0]) ? 1 : 0;
}

/*
 * The thread a pid argument names (a tid, as in Linux; 0: the caller),
 * with proc_lock and its process's p_threadlock held on success (the
 * caller releases them: found_unlock).  ESRCH if there is none, EINVAL
 * for a negative pid.
 */
static int
find_thread_locked(struct thread *td, uint64_t arg, struct thread **out)
{
	int tid = (int)arg;
	struct proc *p;

	if (tid < 0)
		return EINVAL;
	spin_lock(&proc_lock);
	p = tid == 0 ? td->td_proc : proc_of_tid(tid);
	if (p != NULL) {
		spin_lock(&p->p_threadlock);
		if ((*out = tid == 0 ? td : proc_thread_by_tid(p, tid)) != NULL)
			return 0;
		spin_unlock(&p->p_threadlock);
	}
	spin_unlock(&proc_lock);
	return ESRCH;
}

static void
found_unlock(struct thread *t)
{
	spin_unlock(&t->td_proc->p_threadlock);
	spin_unlock(&proc_lock);
}

/* sched_getscheduler(pid) */
SYSCALL(sched_getscheduler)
{
	struct thread *t;
	int error;

	if ((error = find_thread_locked(td, a[0], &t)) != 0)
		return -error;
	found_unlock(t);
	return SCHED_NORMAL;
}

/* sched_getparam(pid, param) */
SYSCALL(sched_getparam)
{
	struct sched_param sp = { 0 };
	struct thread *t;
	int error;

	if (a[1] == 0)
		return -EINVAL;
	if ((error = find_thread_locked(td, a[0], &t)) != 0)
		return -error;
	found_unlock(t);
	return copyout(&sp, (void *)a[1], sizeof(sp)) ? -EFAULT : 0;
}

/* sched_setaffinity(pid, len, mask): any online cpu of mask; the rest is ignored. */
SYSCALL(sched_setaffinity)
{
	uint64_t mask = 0, len = MIN(a[1], CPUMASK_BYTES);
	struct proc *self = td->td_proc;
	struct thread *t;
	int error;

	if (copyin((const void *)a[2], &mask, len))
		return -EFAULT;
	if ((mask & sched_online_cpumask()) == 0)
		return -EINVAL;
	if ((error = find_thread_locked(td, a[0], &t)) != 0)
		return -error;
	/* Linux's rule: the caller's euid is the target's real or effective uid, or root. */
	if (!proc_privileged(self) && self->p_uid != t->td_proc->p_uid &&
	    self->p_uid != t->td_proc->p_ruid)
		error = EPERM;
	else
		sched_set_cpumask(t, mask);
	found_unlock(t);
	return -error;
}

/* sched_getaffinity(pid, len, mask): the bytes of the mask written. */
SYSCALL(sched_getaffinity)
{
	uint64_t mask;
	struct thread *t;
	int error;

	if (a[1] * 8 < ncpu || (a[1] & (sizeof(long) - 1)) != 0)
		return -EINVAL;
	if ((error = find_thread_locked(td, a[0], &t)) != 0)
		return -error;
	mask = sched_get_cpumask(t);
	found_unlock(t);
	if (copyout(&mask, (void *)a[2], CPUMASK_BYTES))
		return -EFAULT;
	return CPUMASK_BYTES;
}

/* getcpu(cpu, node, cache): the cpu the caller runs on; one memory node. */
SYSCALL(getcpu)
{
	uint32_t cpu = td->td_cpu, node = 0;

	if (a[0] != 0 && copyout(&cpu, (void *)a[0], sizeof(cpu)))
		return -EFAULT;
	if (a[1] != 0 && copyout(&node, (void *)a[1], sizeof(node)))
		return -EFAULT;
	return 0;
}
