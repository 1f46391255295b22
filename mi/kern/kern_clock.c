/*
 * The clock interrupt's machine-independent work (after 4.4BSD's
 * hardclock and statclock): HZ times a second on every cpu, the machine
 * calls hardclock(), which charges the tick to what the cpu was doing --
 * the running thread's user or system time, or the cpu's idle time --
 * runs the CPU-time interval timers and the scheduler's time slice, and
 * on cpu 0 does the once-a-tick work of the whole system: waking
 * sleepers with deadlines, the real interval timers, the load average.
 */
#include <kern/systm.h>
#include <kern/loadavg.h>
#include <kern/pcpu.h>
#include <kern/proc.h>
#include <kern/resourcevar.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/sleepqueue.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <machine/cpu.h>

/*
 * Charge this tick to the thread that was running, or to idleness.  The
 * CPU-time timers run down by the time the thread has had the cpu since
 * the last tick (or since it got the cpu), not by a nominal tick: under a
 * hypervisor a late tick stands for the ones that never came.
 */
static void
charge_tick(struct thread *td, bool usermode)
{
	struct pcpu *pc = curcpu();
	uint64_t now = cpu_time(), since = MAX(pc->pc_clock_last, pc->pc_switchtime);
	struct proc *p;

	pc->pc_clock_last = now;
	if (td->td_flags & TDF_IDLE) {
		pc->pc_cp_time[CP_IDLE]++;
		return;
	}
	pc->pc_cp_time[usermode ? CP_USER : CP_SYS]++;
	/* Only this cpu's clock writes them while td runs here. */
	if (usermode)
		__atomic_store_n(&td->td_uticks, td->td_uticks + 1, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&td->td_sticks, td->td_sticks + 1, __ATOMIC_RELAXED);
	if ((p = td->td_proc) != NULL) {
		cpu_itimer_tick(td, usermode, now > since ? now - since : 0);
		proc_note_rss(p, td->td_vmspace);
	}
}

void
hardclock(bool usermode)
{
	struct thread *td = curthread();

	if (td != NULL)
		charge_tick(td, usermode);
	sched_clock();
	if (cpu_id() == 0) {
		sleepq_tick();
		itimer_tick();
		loadavg_tick();
	}
}
