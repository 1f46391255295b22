/*
 * Waiting for free memory (see vm_wait.h).
 */
#include <kern/systm.h>
#include <kern/pcpu.h>
#include <kern/proc.h>
#include <machine/cpu.h>
#include <kern/signal.h>
#include <kern/sleepqueue.h>
#include <kern/witness.h>
#include <vm/vm_page.h>
#include <vm/vm_pageout.h>
#include <vm/vm_wait.h>
#include <vm/zone.h>

struct vm_wait_stats vm_wait_stats;

static uint32_t vm_waiters;		/* (A) threads in vm_wait */
static uint32_t vm_reclaimers;		/* (A) sources at work freeing pages */
static const char vm_free_chan;		/* the waiters' wait channel */

#define VM_WAIT_POLL_NS	(50UL * 1000 * 1000)	/* a waiter looks again this often */

#define STAT_INC(field)	__atomic_add_fetch(&vm_wait_stats.field, 1, __ATOMIC_RELAXED)

/* Has the current process been killed (the OOM killer's SIGKILL): no point waiting. */
static bool
being_killed(void)
{
	struct proc *p = curproc();

	return p != NULL && (__atomic_load_n(&p->p_sigpending, __ATOMIC_ACQUIRE) & sigmask(SIGKILL));
}

int
vm_wait(int order, int alloc_flags, int wait_flags)
{
	bool failok = (wait_flags & VM_WAIT_FAILOK) != 0;
	int error = 0;

	witness_check_sleep(WITNESS_SLEEP, NULL);
	/* Free slabs cached by the zones are pages no one uses. */
	zone_reclaim_all();
	/* The page daemon frees pages for those who wait (and is a source at work meanwhile). */
	vm_pageout_wakeup();
	sleepq_lock(&vm_free_chan);
	__atomic_add_fetch(&vm_waiters, 1, __ATOMIC_SEQ_CST);
	if (vm_page_alloc_could_succeed(order, alloc_flags)) {
		sleepq_release(&vm_free_chan);
	} else if (failok && (__atomic_load_n(&vm_reclaimers, __ATOMIC_SEQ_CST) == 0 ||
	    being_killed())) {
		/* Nothing is being freed (the daemon gave up), or the OOM killer chose us. */
		sleepq_release(&vm_free_chan);
		STAT_INC(fails);
		error = ENOMEM;
	} else {
		STAT_INC(sleeps);
		/*
		 * Every VM_WAIT_POLL_NS a waiter looks again: frees under spin
		 * locks wake no one (vm_page_free_wakeup), and the OOM killer's
		 * SIGKILL does not end an uninterruptible sleep, while a victim
		 * asleep here must go and give its memory back.
		 */
		(void)sleepq_wait(&vm_free_chan, SLEEPQ_EXCLUSIVE, 0,
		    sleepq_deadline_ns(VM_WAIT_POLL_NS));
	}
	__atomic_sub_fetch(&vm_waiters, 1, __ATOMIC_RELAXED);
	return error;
}

static void
wake_waiters(void)
{
	sleepq_lock(&vm_free_chan);
	sleepq_broadcast(&vm_free_chan, SLEEPQ_EXCLUSIVE);
	sleepq_release(&vm_free_chan);
}

void
vm_page_free_wakeup(void)
{
	struct pcpu *pc = curcpu();

	/* The free count went up before this load of the waiters (vm_wait.h). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vm_waiters, __ATOMIC_RELAXED) == 0)
		return;
	/*
	 * Waking takes a sleep queue's chain lock and the scheduler's, which
	 * rank before the pmap's and pv locks (a context switch takes those):
	 * a page-table page freed under them must not wake anyone.  So under
	 * any spin lock the wakeup waits for the next free that holds none,
	 * the page daemon (which frees pages and then calls this with nothing
	 * held), an exit's vm_reclaim_end, or the waiter's own deadline.
	 */
	if (pc->pc_spin_depth > 0 || pc->pc_intr_depth > 0)
		return;
	wake_waiters();
}

void
vm_reclaim_begin(void)
{
	__atomic_add_fetch(&vm_reclaimers, 1, __ATOMIC_SEQ_CST);
}

void
vm_reclaim_end(void)
{
	KASSERT(__atomic_load_n(&vm_reclaimers, __ATOMIC_RELAXED) > 0,
	    ("vm_reclaim_end: no reclaim in progress"));
	/* Waiters that may fail must look again: this source may have freed nothing. */
	__atomic_sub_fetch(&vm_reclaimers, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vm_waiters, __ATOMIC_SEQ_CST) != 0)
		wake_waiters();
}

uint32_t
vm_wait_waiters(void)
{
	return __atomic_load_n(&vm_waiters, __ATOMIC_RELAXED);
}
