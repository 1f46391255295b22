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
#define OOM_CANDIDATES	256	/* processes looked at, at most (procfs's /proc/vmcheck limit) */

struct vm_oom_stats vm_oom_stats;

static int oom_victim;		/* (proc_lock) the last victim's pid, 0 when it is gone */

#define STAT_INC(field)	__atomic_add_fetch(&vm_oom_stats.field, 1, __ATOMIC_RELAXED)

struct candidate {
	int		pid;
	uint64_t	start_ns;	/* with pid, which process (pids are reused) */
	struct vmspace	*vm;		/* referenced until the victim is chosen */
	uint64_t	vm_size;	/* bytes mapped */
	uint64_t	rss, swap;	/* pages */
};

/* The page daemon's thread alone calls vm_oom_kill; no allocation when memory is gone. */
static struct candidate candidates[OOM_CANDIDATES];

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

/*
 * Every process that may be killed (alive, not init, with an address
 * space), its vmspace referenced, into c[] (at most max); how many.
 * VM_OOM_DYING instead (as a negative count) if the last victim still is.
 */
static int
gather(struct candidate *c, int max)
{
	struct list_node *n;
	int count = 0;

	spin_lock(&proc_lock);
	if (victim_dying()) {
		spin_unlock(&proc_lock);
		return -1;
	}
	list_foreach(n, &allproc) {
		struct proc *p = list_entry(n, struct proc, p_allproc);

		if (p == initproc || p->p_state != PRS_ALIVE || p->p_vmspace == NULL ||
		    count == max)
			continue;
		__atomic_add_fetch(&p->p_vmspace->vm_refcnt, 1, __ATOMIC_RELAXED);
		c[count++] = (struct candidate){ .pid = p->p_pid, .start_ns = p->p_start_ns,
		    .vm = p->p_vmspace };
	}
	spin_unlock(&proc_lock);
	return count;
}

/* Send the victim SIGKILL, if it is still the process gathered; its name in comm. */
static bool
kill_victim(const struct candidate *v, char *comm, size_t len, uint32_t *uid)
{
	struct proc *p;
	bool killed = false;

	spin_lock(&proc_lock);
	if ((p = proc_find(v->pid)) != NULL && p->p_state == PRS_ALIVE &&
	    p->p_start_ns == v->start_ns) {
		oom_victim = v->pid;
		strlcpy(comm, p->p_comm, len);
		*uid = p->p_uid;
		psignal(p, SIGKILL);
		killed = true;
	}
	spin_unlock(&proc_lock);
	return killed;
}

enum vm_oom_result
vm_oom_kill(void)
{
	struct candidate *c = candidates;
	char comm[sizeof(((struct proc *)0)->p_comm)];
	struct candidate *victim = NULL;
	enum vm_oom_result result;
	uint32_t uid = 0;
	int n;

	if ((n = gather(c, OOM_CANDIDATES)) < 0) {
		STAT_INC(oom_waits);
		return VM_OOM_DYING;
	}
	/* The memory each holds: resident pages, and its pages in swap (Linux's badness). */
	for (int i = 0; i < n; i++) {
		c[i].rss = pmap_resident_count(c[i].vm->vm_pmap);
		/*
		 * A map locked long (fork copying locked memory waits for
		 * free pages with its map locked) must not hold the killer
		 * up: its swap is not counted then.
		 */
		if (!vm_map_swap_pages_try(&c[i].vm->vm_map, &c[i].swap))
			c[i].swap = 0;
		c[i].vm_size = c[i].vm->vm_map.size;
		if (victim == NULL || c[i].rss + c[i].swap > victim->rss + victim->swap)
			victim = &c[i];
	}
	/*
	 * Every reference goes before the kill: the victim's exit must free
	 * its memory itself, before its parent can reap it, not leave the
	 * last reference (and the freeing) to this thread, later.
	 */
	for (int i = 0; i < n; i++) {
		vmspace_free(c[i].vm);
		c[i].vm = NULL;
	}
	if (victim == NULL || !kill_victim(victim, comm, sizeof(comm), &uid)) {
		result = VM_OOM_NO_VICTIM;
		STAT_INC(oom_no_victim);
	} else {
		result = VM_OOM_KILLED;
		STAT_INC(oom_kill);
		printf("Out of memory: Killed process %d (%s) total-vm:%lukB, rss:%lukB, swap:%lukB, "
		    "UID:%u\n", victim->pid, comm, victim->vm_size / 1024,
		    victim->rss * KB_PER_PAGE, victim->swap * KB_PER_PAGE, uid);
	}
	return result;
}
