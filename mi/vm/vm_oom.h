/*
 * The out-of-memory killer (after Linux's oom_kill.c, much reduced).
 *
 * When the page daemon can free nothing more (no clean page left to
 * drop, no swap left to write dirty ones to) while allocations fail, it
 * calls vm_oom_kill: the process with the most memory (resident pages
 * plus its pages in swap) is killed with SIGKILL, as Linux does, and
 * one line names it on the console:
 *   Out of memory: Killed process PID (name) total-vm:..kB, rss:..kB, swap:..kB, UID:..
 * Never init, never a kernel thread (they have no process), never a
 * second victim while the first has not given its memory back.  The
 * victim's exit frees its memory; everyone else goes on.
 *
 * Locking: proc_lock while listing the processes (their address spaces
 * referenced) and signalling the victim; each map's lock, alone and only
 * tried (a fork may hold it while it waits for memory), while its pages
 * in swap are counted.  vm_oom_kill sleeps (the page daemon's
 * thread calls it).
 */
#ifndef _VM_VM_OOM_H_
#define _VM_VM_OOM_H_

#include <kern/types.h>

struct vm_oom_stats {
	uint64_t	oom_kill;	/* processes killed (Linux's oom_kill) */
	uint64_t	oom_waits;	/* calls that found the last victim still dying */
	uint64_t	oom_no_victim;	/* calls that found no process to kill */
};
extern struct vm_oom_stats vm_oom_stats;

enum vm_oom_result {
	VM_OOM_KILLED,		/* a victim was sent SIGKILL */
	VM_OOM_DYING,		/* the last victim has not given its memory back yet */
	VM_OOM_NO_VICTIM,	/* no process to kill */
};

/* Memory is exhausted: kill the biggest process (see above). */
enum vm_oom_result vm_oom_kill(void);

#endif
