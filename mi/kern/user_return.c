/*
 * The way back to user mode when there is something to do (see
 * user_return.h): a reschedule or a signal.  Yielding and delivering can
 * each make more work for the other (a signal posted while we were off
 * the cpu), so loop until a check with interrupts off finds nothing: no
 * clock tick can slip in between that check and the return.  A signal
 * another cpu posts after it is acted on at the thread's next entry to
 * the kernel (its next system call, fault or clock tick): the poster only
 * wakes sleepers.
 */
#include <kern/user_return.h>
#include <kern/sched.h>

void
user_return_work_loop(struct thread *td)
{
	do {
		intr_enable();
		if (sched_should_yield())
			sched_yield();
		signal_deliver(td);
		intr_disable();
	} while (user_return_work(td));
}
