/*
 * The last thing the kernel does before returning to user mode: give the
 * cpu away if the thread's time slice is over, and deliver signals.  Both
 * can happen again while the other is being done, so loop until neither
 * is pending; the final check runs with interrupts off so nothing new can
 * slip in before the return.  A system call that a signal interrupted
 * and that no handler has dealt with then runs again.
 */
#include <kern/systm.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/thread.h>
#include <machine/cpu.h>

void
user_return(struct thread *td)
{
	for (;;) {
		intr_enable();
		if (sched_should_yield())
			sched_yield();
		if (signal_pending(td))
			signal_deliver(td);
		intr_disable();
		if (!sched_should_yield() && !signal_pending(td))
			break;
	}
	if (__predict_false(td->td_sysrestart != 0))
		signal_syscall_restart(td);
}
