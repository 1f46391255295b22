/*
 * Process credentials and groups: who a process is (one user, root or
 * not; group 0) and its process group (after FreeBSD's kern_prot.c).
 * Sessions and setpgid are with job control (kern_jobctl.c).
 */
#include <kern/systm.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/thread.h>

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
