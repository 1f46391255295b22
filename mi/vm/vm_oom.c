/*
 * The out-of-memory killer (see vm_oom.h).
 */
#include <kern/systm.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <vm/vm_oom.h>

#define KB_PER_PAGE	(PAGE_SIZE / 1024)

struct vm_oom_stats vm_oom_stats;

static int oom_victim;		/* (proc_lock) the last victim's pid, 0 when it is gone */

#define STAT_INC(field)	__atomic_add_fetch(&vm_oom_stats.field, 1, __ATOMIC_RELAXED)

/* The memory a process holds, in pages: resident (swapped out too, once there is swap).  proc_lock held. */
static uint64_t
proc_badness(struct proc *p)
{
	return pmap_resident_count(p->p_vmspace->vm_pmap);
}

/* Is the last victim still giving its memory back?  proc_lock held. */
static bool
victim_dying(void)
{
	struct proc *p;

	if (oom_victim == 0)
		return false;
	/* Alive until its address space is torn down: exit makes it a zombie after that. */
	if ((p = proc_find(oom_victim)) != NULL && p->p_state == PRS_ALIVE)
		return true;
	oom_victim = 0;
	return false;
}

/* The process with the most memory, not init, alive, with an address space.  proc_lock held. */
static struct proc *
pick_victim(void)
{
	struct proc *victim = NULL;
	uint64_t worst = 0;
	struct list_node *n;

	list_foreach(n, &allproc) {
		struct proc *p = list_entry(n, struct proc, p_allproc);
		uint64_t badness;

		if (p == initproc || p->p_state != PRS_ALIVE || p->p_vmspace == NULL)
			continue;
		if ((badness = proc_badness(p)) > worst) {
			worst = badness;
			victim = p;
		}
	}
	return victim;
}

enum vm_oom_result
vm_oom_kill(void)
{
	uint64_t vm_kb, rss_kb;
	char comm[sizeof(((struct proc *)0)->p_comm)];
	struct proc *p;
	uint32_t uid;
	int pid;

	spin_lock(&proc_lock);
	if (victim_dying()) {
		spin_unlock(&proc_lock);
		STAT_INC(oom_waits);
		return VM_OOM_DYING;
	}
	if ((p = pick_victim()) == NULL) {
		spin_unlock(&proc_lock);
		STAT_INC(oom_no_victim);
		return VM_OOM_NO_VICTIM;
	}
	oom_victim = pid = p->p_pid;
	strlcpy(comm, p->p_comm, sizeof(comm));
	uid = p->p_uid;
	vm_kb = p->p_vmspace->vm_map.size / 1024;
	rss_kb = proc_badness(p) * KB_PER_PAGE;
	psignal(p, SIGKILL);
	spin_unlock(&proc_lock);
	STAT_INC(oom_kill);
	printf("Out of memory: Killed process %d (%s) total-vm:%lukB, rss:%lukB, UID:%u\n", pid,
	    comm, vm_kb, rss_kb, uid);
	return VM_OOM_KILLED;
}
