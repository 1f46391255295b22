/*
 * The kernel's sleep queue interface (kern/sleepqueue.h), the classic
 * sleep_on/wakeup over it, and curthread over pthreads, for host tests of
 * the sleep locks (kern/mutex.c, kern/sx.c) and the code that sleeps
 * with them or with sleep_on (the buffer cache, ext2, kern/kern_lockf.c):
 * every host thread is a "thread".
 *
 * One "chain" (a pthread mutex) serves every channel, and each sleeper
 * waits on a condition variable of its own, on one list in the order the
 * sleepers came: sleepq_signal wakes exactly the longest sleeper of a
 * queue and sleepq_sleepers counts them, as the kernel's do.  Sleeps here
 * have no deadline and no signals.  Nobody runs "on a cpu", so the locks
 * never spin for an owner: they sleep at once.  Threads that take spin
 * locks must have distinct host_pcpu.pc_cpuid values (spin_owned
 * compares cpu ids).
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

/* As in kern/sleepqueue.h and kern/sched.h, which cannot be included next to pthread.h. */
struct thread;
struct thread *curthread(void);
bool sched_running_on(const struct thread *td, uint32_t cpu);
void sleepq_lock(const void *wchan);
void sleepq_release(const void *wchan);
int sleepq_wait(const void *wchan, int queue, int flags, uint64_t deadline);
int sleepq_signal(const void *wchan, int queue);
int sleepq_broadcast(const void *wchan, int queue);
int sleepq_sleepers(const void *wchan, int queue);
void panic(const char *fmt, ...) __attribute__((noreturn));
struct spinlock;
void spin_lock(struct spinlock *lk);
void spin_unlock(struct spinlock *lk);
void sleep_on(const void *chan, struct spinlock *lk);
int sleep_on_intr(const void *chan, struct spinlock *lk);
void wakeup(const void *chan);

struct host_sleeper {
	const void	*wchan;
	int		queue;
	bool		woken;		/* (chain) taken off the list by a waker */
	pthread_cond_t	cv;
	struct host_sleeper *next;	/* (chain) */
};

static pthread_mutex_t chain = PTHREAD_MUTEX_INITIALIZER;
static struct host_sleeper *sleepers;		/* (chain) oldest first */
struct thread *host_curthread(void);	/* host_support.c */

struct thread *
curthread(void)
{
	return host_curthread();
}

bool
sched_running_on(const struct thread *td, uint32_t cpu)
{
	(void)td;
	(void)cpu;
	return false;
}

/* Release lk (if any) once on chan's queue, sleep, take lk again. */
void
sleep_on(const void *chan, struct spinlock *lk)
{
	sleepq_lock(chan);
	if (lk != NULL)
		spin_unlock(lk);
	(void)sleepq_wait(chan, 0, 0, 0);
	if (lk != NULL)
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
sleepq_lock(const void *wchan)
{
	(void)wchan;
	pthread_mutex_lock(&chain);
}

void
sleepq_release(const void *wchan)
{
	(void)wchan;
	pthread_mutex_unlock(&chain);
}

int
sleepq_wait(const void *wchan, int queue, int flags, uint64_t deadline)
{
	struct host_sleeper me = { .wchan = wchan, .queue = queue };
	struct host_sleeper **tail = &sleepers;

	if (flags != 0 || deadline != 0)
		panic("host sleepq_wait: no signals or deadlines here");
	pthread_cond_init(&me.cv, NULL);
	while (*tail != NULL)
		tail = &(*tail)->next;
	*tail = &me;
	while (!me.woken)
		pthread_cond_wait(&me.cv, &chain);
	pthread_mutex_unlock(&chain);
	pthread_cond_destroy(&me.cv);
	return 0;
}

/* Wake up to max sleepers on queue of wchan, oldest first; how many.  Chain held. */
static int
wake(const void *wchan, int queue, int max)
{
	struct host_sleeper **link = &sleepers;
	int woken = 0;

	while (*link != NULL && woken < max) {
		struct host_sleeper *s = *link;

		if (s->wchan != wchan || s->queue != queue) {
			link = &s->next;
			continue;
		}
		*link = s->next;
		s->woken = true;
		pthread_cond_signal(&s->cv);
		woken++;
	}
	return woken;
}

int
sleepq_signal(const void *wchan, int queue)
{
	return wake(wchan, queue, 1);
}

int
sleepq_broadcast(const void *wchan, int queue)
{
	return wake(wchan, queue, INT32_MAX);
}

int
sleepq_sleepers(const void *wchan, int queue)
{
	int n = 0;

	for (const struct host_sleeper *s = sleepers; s != NULL; s = s->next)
		n += s->wchan == wchan && s->queue == queue;
	return n;
}

void
wakeup(const void *chan)
{
	sleepq_lock(chan);
	(void)sleepq_broadcast(chan, 0);
	sleepq_release(chan);
}
