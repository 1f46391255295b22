/*
 * Waiting for free memory (see vm_wait.h).
 */
#include <kern/systm.h>
#include <kern/sleepqueue.h>
#include <kern/witness.h>
#include <vm/vm_page.h>
#include <vm/vm_wait.h>
#include <vm/zone.h>

struct vm_wait_stats vm_wait_stats;

static uint32_t vm_waiters;		/* (A) threads in vm_wait */
static uint32_t vm_reclaimers;		/* (A) sources at work freeing pages */
static const char vm_free_chan;		/* the waiters' wait channel */

#define STAT_INC(field)	__atomic_add_fetch(&vm_wait_stats.field, 1, __ATOMIC_RELAXED)

int
vm_wait(int order, int alloc_flags, int wait_flags)
{
	int error = 0;

	witness_check_sleep(WITNESS_SLEEP, NULL);
	/* Free slabs cached by the zones are pages no one uses. */
	zone_reclaim_all();
	sleepq_lock(&vm_free_chan);
	__atomic_add_fetch(&vm_waiters, 1, __ATOMIC_SEQ_CST);
	if (vm_page_alloc_could_succeed(order, alloc_flags)) {
		sleepq_release(&vm_free_chan);
	} else if ((wait_flags & VM_WAIT_FAILOK) &&
	    __atomic_load_n(&vm_reclaimers, __ATOMIC_SEQ_CST) == 0) {
		/* Nothing is being freed: the out-of-memory killer's decision, some day. */
		sleepq_release(&vm_free_chan);
		STAT_INC(fails);
		error = ENOMEM;
	} else {
		STAT_INC(sleeps);
		(void)sleepq_wait(&vm_free_chan, SLEEPQ_EXCLUSIVE, 0, 0);
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
	/* The free count went up before this load of the waiters (vm_wait.h). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&vm_waiters, __ATOMIC_RELAXED) != 0)
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
