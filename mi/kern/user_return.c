/*
 * The way back to user mode when there is something to do (see
 * user_return.h): a reschedule, a signal, a stop of the process, or a
 * system call that a signal interrupted.  Yielding, delivering and
 * stopping can each make more work for the others (a signal posted while
 * we were off the cpu), so loop until a check with interrupts off finds
 * nothing: no clock tick can slip in between that check and the return.
 * A signal another cpu posts after it is acted on at the thread's next
 * entry to the kernel: the poster interrupts it (thread_interrupt) if it
 * runs.  An interrupted system call that no handler has dealt with then
 * runs again.
 */
#include <kern/user_return.h>
#include <kern/sched.h>

void
user_return_work_loop(struct thread *td)
{
	while (user_return_work(td)) {
		intr_enable();
		if (sched_should_yield())
			sched_yield();
		signal_deliver(td);
		thread_stop_check(td);
		intr_disable();
	}
	if (__predict_false(td->td_sysrestart != 0))
		signal_syscall_restart(td);
}
