/*
 * Condition variables: wait, with a sleep mutex held, until another
 * thread says that the condition the mutex protects may have changed.
 * After FreeBSD's condvar(9).
 *
 *	mtx_lock(&m);
 *	while (!condition)
 *		cv_wait(&cv, &m);
 *	...
 *	mtx_unlock(&m);
 *
 * and elsewhere: change the condition (holding m), then cv_signal(&cv)
 * or cv_broadcast(&cv), holding m or not.
 *
 * Rules:
 *  - Waiting sleeps: the caller holds m and no spin lock, is not in a
 *    critical section or interrupt context (asserted).  Other sleep locks
 *    it holds stay held while it sleeps.  m is released while it sleeps
 *    and held again on return, whatever the result.
 *  - A wakeup may be spurious (and a signal may race with a timeout):
 *    always check the condition again.
 *  - cv_signal and cv_broadcast never sleep, and may be called anywhere,
 *    interrupt handlers and spin lock holders included.
 *  - One condition variable is used with one mutex at a time.
 */
#ifndef _KERN_CONDVAR_H_
#define _KERN_CONDVAR_H_

#include <kern/types.h>

struct mtx;

struct cv {
	const char	*cv_name;	/* (C) */
	uint32_t	cv_waiters;	/* (A) threads in a wait; 0 lets a wakeup skip the queue */
};

#define CV_INITIALIZER(name)	{ (name), 0 }

void cv_init(struct cv *cv, const char *name);
void cv_destroy(struct cv *cv);		/* nobody may be waiting */
void cv_wait(struct cv *cv, struct mtx *m);
/* Interruptible: 0, or ERESTARTSYS when a signal ended the wait. */
int cv_wait_sig(struct cv *cv, struct mtx *m);
/* Until cpu_time() reaches deadline: 0 or ETIMEDOUT. */
int cv_timedwait(struct cv *cv, struct mtx *m, uint64_t deadline);
/* Both: 0, ETIMEDOUT or ERESTARTSYS. */
int cv_timedwait_sig(struct cv *cv, struct mtx *m, uint64_t deadline);
/* Wake the longest waiter / every waiter. */
void cv_signal(struct cv *cv);
void cv_broadcast(struct cv *cv);

#endif
