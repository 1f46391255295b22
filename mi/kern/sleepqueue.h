/*
 * Sleep queues: threads waiting for an event, found by the address that
 * names the event (the wait channel, "wchan"), after FreeBSD's
 * subr_sleepqueue.c and 4.4BSD's sleep/wakeup.
 *
 * Channels hash onto SLEEPQ_CHAINS chains.  Each chain has a spin lock
 * and a list of the threads asleep on any channel that hashes there, in
 * the order they went to sleep; each sleeper also names one of
 * SLEEPQ_NQUEUES queues of its channel, so a lock can keep its shared
 * and exclusive waiters apart.  A wakeup locks one chain and looks at
 * the few threads on it, never at every sleeper in the system.
 *
 * A sleep ends in one of three ways, and whoever ends it says which
 * (td_sleep_result) while holding the chain lock, so exactly one wins:
 *   0          a wakeup (sleepq_signal, sleepq_broadcast, wakeup);
 *   ETIMEDOUT  its deadline passed (the clock checks every tick);
 *   ERESTARTSYS   it was interruptible (SLEEPQ_INTR) and a signal came.
 * An interruptible sleep with a signal already pending, or a timed one
 * whose deadline has passed, does not sleep at all.
 *
 * No lost wakeups: a sleeper checks its condition holding the chain lock
 * (sleepq_lock, or an interlock that the waker also holds when it calls
 * wakeup) and keeps it until it is on the queue; a waker changes the
 * condition first and then takes the chain lock.  For signals, the
 * sleeper publishes td_wchan before it looks for pending signals, and a
 * poster marks the signal pending before it looks at td_wchan
 * (sleepq_interrupt), both with sequentially consistent accesses.
 *
 * Lock order: an interlock, then a chain lock, then sched_lock.  Only one
 * chain lock is ever held at a time.  Sleeping is forbidden with any
 * other spin lock held, in a critical section and in interrupt context;
 * waking is allowed anywhere (interrupt handlers wake sleepers).
 */
#ifndef _KERN_SLEEPQUEUE_H_
#define _KERN_SLEEPQUEUE_H_

#include <kern/types.h>

struct spinlock;
struct thread;

#define SLEEPQ_CHAINS	64	/* a power of two, at most 64 (a bit mask) */
#define SLEEPQ_NQUEUES	2	/* queues per channel */
#define SLEEPQ_EXCLUSIVE	0	/* the default queue */
#define SLEEPQ_SHARED		1

/* Flags for a sleep. */
#define SLEEPQ_INTR	0x0001	/* a signal ends it (ERESTARTSYS) */

/*
 * The low-level interface, for code that checks its condition under the
 * chain lock itself (locks, condition variables, sleeps with no lock).
 */

/* Lock / unlock wchan's chain. */
void sleepq_lock(const void *wchan);
void sleepq_release(const void *wchan);
/*
 * Sleep on queue of wchan until woken, until cpu_time() reaches deadline
 * (0: no deadline) or, with SLEEPQ_INTR, until a signal.
 * => wchan's chain is locked, and it is the only spin lock held
 * <= returns 0, ETIMEDOUT or ERESTARTSYS, with the chain unlocked
 */
int sleepq_wait(const void *wchan, int queue, int flags, uint64_t deadline);
/*
 * sleepq_wait in two steps, for a sleeper that must release a lock which
 * itself may need a chain lock (a sleep mutex, for a condition variable)
 * after it is on the queue: sleepq_add puts the current thread on the
 * queue (wchan's chain locked, and still locked after); the caller may
 * then unlock the chain, release its lock and lock the chain again;
 * sleepq_block sleeps, unless the thread was woken in between, and
 * returns as sleepq_wait does.
 */
void sleepq_add(const void *wchan, int queue, int flags, uint64_t deadline);
int sleepq_block(const void *wchan);
/*
 * Wake the longest sleeper (sleepq_signal) or every sleeper
 * (sleepq_broadcast) on queue of wchan; the number woken.
 * => wchan's chain is locked, and stays locked
 */
int sleepq_signal(const void *wchan, int queue);
int sleepq_broadcast(const void *wchan, int queue);
/* How many threads sleep on queue of wchan.  Chain locked. */
int sleepq_sleepers(const void *wchan, int queue);

/*
 * A signal was posted to td: end its sleep with ERESTARTSYS if it is
 * interruptible.  The caller keeps td from being freed.
 */
void sleepq_interrupt(struct thread *td);
/* The clock interrupt, once a tick on one cpu: end sleeps whose deadline passed. */
void sleepq_tick(void);

/*
 * The classic interface.  sleep_*: sleep on chan, releasing the
 * interlock lk (a spin lock the caller holds, which its wakers take
 * before calling wakeup; NULL for none) once on the queue and taking it
 * again before returning.
 */
void sleep_on(const void *chan, struct spinlock *lk);
/* Interruptible: 0, or ERESTARTSYS when a signal ended (or prevented) the sleep. */
int sleep_on_intr(const void *chan, struct spinlock *lk);
/* With flags (SLEEPQ_INTR) and a deadline: 0, ETIMEDOUT or ERESTARTSYS. */
int sleep_on_timed(const void *chan, struct spinlock *lk, int flags, uint64_t deadline);
/* Wake every sleeper on chan / the one that slept first. */
void wakeup(const void *chan);
void wakeup_one(const void *chan);

/* A deadline ns nanoseconds from now, in cpu_time() ticks (rounded up). */
uint64_t sleepq_deadline_ns(uint64_t ns);
/* Nanoseconds from now until deadline, 0 if it has passed. */
uint64_t sleepq_remaining_ns(uint64_t deadline);
/* The chain wchan hashes to, 0 .. SLEEPQ_CHAINS - 1 (for tests). */
int sleepq_chain_index(const void *wchan);

#endif
