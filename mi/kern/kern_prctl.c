/*
 * prctl(2): the process's name (PR_SET_NAME, PR_GET_NAME), which busybox
 * and threaded programs set.  Every other option is EINVAL, as Linux
 * answers an option it does not know or was built without (glibc asks
 * for some at start-up, PR_SET_VMA for one, and carries on).
 *
 * Linux names each thread; Sable has one name per process (p_comm, what
 * /proc/PID/comm and stat show), so a thread's PR_SET_NAME renames its
 * process.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <uapi/prctl.h>

#define TASK_COMM_LEN	16		/* Linux: a name and its NUL */

_Static_assert(sizeof(((struct proc *)0)->p_comm) == TASK_COMM_LEN,
    "p_comm holds what PR_GET_NAME returns");

/* Names p after the NUL-terminated string at uname, cut to 15 bytes. */
static int
set_name(struct proc *p, uint64_t uname)
{
	char name[TASK_COMM_LEN];
	size_t i;

	/* Linux reads at most 16 bytes and never needs the NUL. */
	memset(name, 0, sizeof(name));
	for (i = 0; i < TASK_COMM_LEN - 1; i++) {
		if (copyin((const void *)(uname + i), &name[i], 1) != 0)
			return EFAULT;
		if (name[i] == '\0')
			break;
	}
	spin_lock(&proc_lock);
	spin_lock(&p->p_threadlock);
	memcpy(p->p_comm, name, sizeof(name));
	spin_unlock(&p->p_threadlock);
	spin_unlock(&proc_lock);
	return 0;
}

/* prctl(option, arg2, arg3, arg4, arg5) */
SYSCALL(prctl)
{
	struct proc *p = td->td_proc;
	char name[TASK_COMM_LEN];

	switch ((int)a[0]) {
	case PR_SET_NAME:
		return -set_name(p, a[1]);
	case PR_GET_NAME:
		spin_lock(&p->p_threadlock);
		memcpy(name, p->p_comm, sizeof(name));
		spin_unlock(&p->p_threadlock);
		name[TASK_COMM_LEN - 1] = '\0';
		return copyout(name, (void *)a[1], sizeof(name)) ? -EFAULT : 0;
	default:
		return -EINVAL;
	}
}
