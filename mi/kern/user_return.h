/*
 * The way back to user mode: give the cpu away if the thread's time slice
 * is over, deliver signals, and stop while the process is stopped
 * (user_return.c).
 *
 * The usual case is that there is nothing to do, and every system call
 * pays for finding that out, so the check is inline and plain: the
 * reschedule flag, and the pending signals the thread does not block.
 * Only when either says there may be work does the loop in user_return.c
 * run.
 */
#ifndef _KERN_USER_RETURN_H_
#define _KERN_USER_RETURN_H_

#include <kern/systm.h>
#include <kern/pcpu.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <kern/thread.h>
#include <machine/cpu.h>

/*
 * Whether td may have something to do before it returns: a reschedule, a
 * pending signal it does not block (the process's or its own; one it
 * ignores, too, so that signal_deliver drops it; td_sigmask never holds
 * SIGKILL or SIGSTOP), or its process stopped by another thread.
 * Relaxed loads: td's flags and mask are written by td itself or
 * atomically by the clock interrupt on td's cpu; the pending sets and the
 * stop are posted atomically by any cpu and read again, exactly, by the
 * loop.
 */
static inline bool
user_return_work(struct thread *td)
{
	struct proc *p = td->td_proc;
	uint64_t pending, blocked;

	if (__atomic_load_n(&td->td_flags, __ATOMIC_RELAXED) & TDF_NEEDRESCHED)
		return true;
	pending = __atomic_load_n(&p->p_sigpending, __ATOMIC_RELAXED) |
	    __atomic_load_n(&td->td_sigpending, __ATOMIC_RELAXED);
	blocked = __atomic_load_n(&td->td_sigmask, __ATOMIC_RELAXED);
	return (pending & ~blocked) != 0 ||
	    (__atomic_load_n(&p->p_flags, __ATOMIC_RELAXED) & P_STOPPED) != 0;
}

/*
 * The work itself: yield, deliver, look again, then run again a system
 * call a signal interrupted if no handler took it (interrupts off on
 * return).
 */
void user_return_work_loop(struct thread *td);

/*
 * => td is the current thread, a user thread, holding no lock.
 * <= interrupts off, and nothing left to do before the return.
 */
static inline void
user_return(struct thread *td)
{
	KASSERT(curcpu()->pc_spin_depth == 0 && td->td_nsleeplocks == 0,
	    ("returning to user mode holding %d spin and %u sleep lock(s)",
	    curcpu()->pc_spin_depth, td->td_nsleeplocks));
	intr_disable();
	if (__predict_false(user_return_work(td) || td->td_sysrestart != 0))
		user_return_work_loop(td);
}

#endif
