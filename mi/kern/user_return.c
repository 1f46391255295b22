/*
 * The last thing the kernel does before returning to user mode: give the
 * cpu away if the thread's time slice is over, deliver signals, and stop
 * while the process is stopped.  Each can happen again while another is
 * being done, so loop until none is pending; the final check runs with
 * interrupts off so nothing new can slip in before the return.  A system
 * call that a signal interrupted and that no handler has dealt with then
 * runs again.
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
		thread_stop_check(td);
		intr_disable();
		if (!sched_should_yield() && !signal_pending(td) &&
		    !(__atomic_load_n(&td->td_proc->p_flags, __ATOMIC_SEQ_CST) & P_STOPPED))
			break;
	}
	if (__predict_false(td->td_sysrestart != 0))
		signal_syscall_restart(td);
}
