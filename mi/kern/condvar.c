/*
 * Condition variables (see condvar.h), on the sleep queue whose wait
 * channel is the struct cv.
 *
 * A waiter goes on the queue before it releases the mutex, so a wakeup
 * that comes after the release cannot be missed; but it unlocks the
 * queue's chain first, since releasing a mutex with waiters locks the
 * mutex's own chain, and a thread holds one chain lock at a time.  In
 * between, a wakeup takes the waiter off the queue and sleepq_block
 * returns at once.
 */
#include <kern/systm.h>
#include <kern/condvar.h>
#include <kern/mutex.h>
#include <kern/pcpu.h>
#include <kern/sleepqueue.h>
#include <kern/witness.h>
#include <machine/cpu.h>

void
cv_init(struct cv *cv, const char *name)
{
	cv->cv_name = name;
	cv->cv_waiters = 0;
}

void
cv_destroy(struct cv *cv)
{
	KASSERT(__atomic_load_n(&cv->cv_waiters, __ATOMIC_RELAXED) == 0,
	    ("cv_destroy: %s has waiters", cv->cv_name));
}

/* The one way to wait: flags SLEEPQ_INTR, deadline 0 for none. */
static int
cv_wait_common(struct cv *cv, struct mtx *m, int flags, uint64_t deadline)
{
	int error;

	KASSERT(mtx_owned(m), ("cv_wait: %s without its mutex %s", cv->cv_name, m->mtx_name));
	witness_check_sleep(WITNESS_SLEEP_LOCK, NULL);
	/* Counted before m goes, so a waker that takes m next sees it. */
	__atomic_add_fetch(&cv->cv_waiters, 1, __ATOMIC_SEQ_CST);
	sleepq_lock(cv);
	sleepq_add(cv, SLEEPQ_EXCLUSIVE, flags, deadline);
	sleepq_release(cv);
	mtx_unlock(m);
	sleepq_lock(cv);
	error = sleepq_block(cv);
	__atomic_sub_fetch(&cv->cv_waiters, 1, __ATOMIC_RELAXED);
	mtx_lock(m);
	return error;
}

void
cv_wait(struct cv *cv, struct mtx *m)
{
	(void)cv_wait_common(cv, m, 0, 0);
}

int
cv_wait_sig(struct cv *cv, struct mtx *m)
{
	return cv_wait_common(cv, m, SLEEPQ_INTR, 0);
}

int
cv_timedwait(struct cv *cv, struct mtx *m, uint64_t deadline)
{
	return cv_wait_common(cv, m, 0, deadline);
}

int
cv_timedwait_sig(struct cv *cv, struct mtx *m, uint64_t deadline)
{
	return cv_wait_common(cv, m, SLEEPQ_INTR, deadline);
}

/* Wake one waiter or all; the count lets a wakeup with no waiters skip the queue. */
static void
cv_wake(struct cv *cv, bool all)
{
	if (__atomic_load_n(&cv->cv_waiters, __ATOMIC_SEQ_CST) == 0)
		return;
	sleepq_lock(cv);
	if (all)
		(void)sleepq_broadcast(cv, SLEEPQ_EXCLUSIVE);
	else
		(void)sleepq_signal(cv, SLEEPQ_EXCLUSIVE);
	sleepq_release(cv);
}

void
cv_signal(struct cv *cv)
{
	cv_wake(cv, false);
}

void
cv_broadcast(struct cv *cv)
{
	cv_wake(cv, true);
}
