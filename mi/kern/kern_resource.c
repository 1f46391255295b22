/*
 * Resource limits: prlimit64 and the older getrlimit and setrlimit, on
 * each process's p_rlimit (after FreeBSD's kern_resource.c).
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/thread.h>
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
