/*
 * Process credentials and groups: who a process is (one user id and one
 * group id, each real, effective and saved at once) and its process
 * group (after FreeBSD's kern_prot.c).  setpgid is with the process life
 * cycle (proc.c).
 */
#include <kern/systm.h>
#include <kern/proc.h>
#include <kern/syscall.h>
#include <kern/thread.h>

SYSCALL(getuid) { return td->td_proc->p_uid; }
SYSCALL(geteuid) { return td->td_proc->p_uid; }
SYSCALL(getgid) { return td->td_proc->p_gid; }
SYSCALL(getegid) { return td->td_proc->p_gid; }

/*
 * setuid(uid), setgid(gid): root may become anyone (and then, as Linux
 * does for a root process calling setuid, is that user for good); others
 * may only "change" to what they are.  An id of -1 is EINVAL.
 */
static long
set_id(struct thread *td, uint64_t arg, uint32_t *id)
{
	uint32_t want = (uint32_t)arg;

	if (want == UINT32_MAX)
		return -EINVAL;
	if (td->td_proc->p_uid != 0 && want != *id)
		return -EPERM;
	*id = want;
	return 0;
}

SYSCALL(setuid) { return set_id(td, a[0], &td->td_proc->p_uid); }
SYSCALL(setgid) { return set_id(td, a[0], &td->td_proc->p_gid); }

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
