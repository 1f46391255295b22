/*
 * sleep_on, sleep_on_intr, wakeup and curthread for host tests of code
 * built on them (kern/fs_lock.c, kern/kern_lockf.c): every host thread
 * is a "thread", and no signal ever ends a sleep; sleepers wait on
 * one pthread condition variable and re-check their condition, as
 * kernel sleepers do.  Threads that take spin locks must have distinct
 * host_pcpu.pc_cpuid values (spin_owned compares cpu ids).
 */
#include <pthread.h>

#include <kern/spinlock.h>

/* As in kern/sched.h, which cannot be included next to pthread.h. */
struct thread;
struct thread *curthread(void);
void sleep_on(const void *chan, struct spinlock *lk);
int sleep_on_intr(const void *chan, struct spinlock *lk);
void wakeup(const void *chan);

static pthread_mutex_t sleep_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t sleep_cond = PTHREAD_COND_INITIALIZER;
static _Thread_local char thread_token;

struct thread *
curthread(void)
{
	return (struct thread *)(void *)&thread_token;
}

/*
 * Release lk and wait for a wakeup, then take lk again.  sleep_mutex is
 * taken before lk is released, and wakeup takes it too, so a wakeup that
 * follows a change made under lk cannot be missed.
 */
void
sleep_on(const void *chan, struct spinlock *lk)
{
	(void)chan;
	pthread_mutex_lock(&sleep_mutex);
	spin_unlock(lk);
	pthread_cond_wait(&sleep_cond, &sleep_mutex);
	pthread_mutex_unlock(&sleep_mutex);
	spin_lock(lk);
}

/* No signals on the host: an interruptible sleep is an ordinary one. */
int
sleep_on_intr(const void *chan, struct spinlock *lk)
{
	sleep_on(chan, lk);
	return 0;
}

void
wakeup(const void *chan)
{
	(void)chan;
	pthread_mutex_lock(&sleep_mutex);
	pthread_cond_broadcast(&sleep_cond);
	pthread_mutex_unlock(&sleep_mutex);
}
