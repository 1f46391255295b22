/*
 * Process credentials and groups: who a process is (one user, root or
 * not; group 0) and its process group (after FreeBSD's kern_prot.c).
 * Sessions and setpgid are with job control (kern_jobctl.c).
 */
#include <kern/systm.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/thread.h>

/* setuid(uid): root may become anyone; anyone else only itself (one uid, no saved set). */
SYSCALL(setuid)
{
	struct proc *p = td->td_proc;
	uint32_t uid = (uint32_t)a[0];

	if (uid == (uint32_t)-1)
		return -EINVAL;
	if (p->p_uid != 0 && uid != p->p_uid)
		return -EPERM;
	p->p_uid = uid;
	return 0;
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
