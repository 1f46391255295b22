/*
 * Sleep queues (see sleepqueue.h).
 *
 * A sleeping thread is on its chain's sc_sleepers list with td_wchan set;
 * it is taken off by whoever ends its sleep (a waker, the clock, a
 * signal, or the thread itself when it never went to sleep), always with
 * the chain lock held.  Timeouts need no timer per sleeper: each chain
 * remembers the nearest deadline among its sleepers (sc_earliest, which
 * may be early but never late) and timed_chains has a bit for each chain
 * with a timed sleeper, so a clock tick with nothing due reads one word.
 */
#include <kern/systm.h>
#include <kern/list.h>
#include <kern/pcpu.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/sleepqueue.h>
#include <kern/spinlock.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <kern/witness.h>
#include <machine/cpu.h>

#define SLEEPQ_NEVER	UINT64_MAX
/* Fibonacci hashing: the top bits of the product mix every bit of the address. */
#define SLEEPQ_HASH_MULT	0x9e3779b97f4a7c15UL
#define SLEEPQ_HASH_BITS	6

_Static_assert((1 << SLEEPQ_HASH_BITS) == SLEEPQ_CHAINS, "hash bits match the chains");
_Static_assert(SLEEPQ_CHAINS <= 64, "timed_chains is one 64-bit mask");

/*
 * Locking: (c) the chain's sc_lock.
 */
struct sleepq_chain {
	struct spinlock	sc_lock;
	struct list_node sc_sleepers;	/* (c) threads asleep here, oldest first */
	uint64_t	sc_earliest;	/* (c) written, (A) read: nearest deadline here */
} __aligned(CACHE_LINE_SIZE);

#define CHAIN_INIT(i) [i] = { SPINLOCK_INITIALIZER("sleepq chain"),	\
	LIST_HEAD_INIT(chains[i].sc_sleepers), SLEEPQ_NEVER }
#define CHAIN_INIT4(i)	CHAIN_INIT(i), CHAIN_INIT(i + 1), CHAIN_INIT(i + 2), CHAIN_INIT(i + 3)
#define CHAIN_INIT16(i)	CHAIN_INIT4(i), CHAIN_INIT4(i + 4), CHAIN_INIT4(i + 8), CHAIN_INIT4(i + 12)

/* Statically initialized: an interrupt may wake a channel before anything runs. */
static struct sleepq_chain chains[SLEEPQ_CHAINS] = {
	CHAIN_INIT16(0), CHAIN_INIT16(16), CHAIN_INIT16(32), CHAIN_INIT16(48),
};
static uint64_t timed_chains;		/* (A) bit i: chain i may have a timed sleeper */

static inline struct sleepq_chain *
chain_of(const void *wchan)
{
	return &chains[((uintptr_t)wchan * SLEEPQ_HASH_MULT) >> (64 - SLEEPQ_HASH_BITS)];
}

int
sleepq_chain_index(const void *wchan)
{
	return (int)(chain_of(wchan) - chains);
}

static inline uint64_t
chain_bit(const struct sleepq_chain *sc)
{
	return 1UL << (sc - chains);
}

void
sleepq_lock(const void *wchan)
{
	spin_lock(&chain_of(wchan)->sc_lock);
}

void
sleepq_release(const void *wchan)
{
	spin_unlock(&chain_of(wchan)->sc_lock);
}

/* Take td off its chain; it is awake as far as the queue is concerned.  Chain locked. */
static void
sleeper_dequeue(struct thread *td, int result)
{
	list_remove(&td->td_sleepq);
	td->td_sleep_result = result;
	__atomic_and_fetch(&td->td_flags, ~TDF_SLEEPINTR, __ATOMIC_RELAXED);
	__atomic_store_n(&td->td_wchan, NULL, __ATOMIC_RELEASE);
}

/*
 * End td's sleep with result and make it runnable.  A thread between
 * sleepq_add and sleepq_block is still running: taking it off the queue
 * is enough.  Chain locked.
 */
static void
sleeper_wake(struct thread *td, int result)
{
	sleeper_dequeue(td, result);
	if (td->td_state == TDS_SLEEPING)
		sched_wakeup(td);
}

/* The chain will have a sleeper due at deadline.  Chain locked. */
static void
chain_add_deadline(struct sleepq_chain *sc, uint64_t deadline)
{
	if (deadline < sc->sc_earliest)
		__atomic_store_n(&sc->sc_earliest, deadline, __ATOMIC_RELAXED);
	__atomic_or_fetch(&timed_chains, chain_bit(sc), __ATOMIC_RELAXED);
}

void
sleepq_add(const void *wchan, int queue, int flags, uint64_t deadline)
{
	struct sleepq_chain *sc = chain_of(wchan);
	struct thread *td = curthread();

	KASSERT(spin_owned(&sc->sc_lock), ("sleepq_add: chain of %p not locked", wchan));
	KASSERT(queue >= 0 && queue < SLEEPQ_NQUEUES, ("sleepq_add: queue %d", queue));
	KASSERT(td->td_wchan == NULL, ("sleepq_add: thread %d already on a queue", td->td_tid));
	td->td_sleep_queue = queue;
	td->td_deadline = deadline;
	td->td_sleep_result = 0;
	if (flags & SLEEPQ_INTR)
		__atomic_or_fetch(&td->td_flags, TDF_SLEEPINTR, __ATOMIC_RELAXED);
	list_append(&sc->sc_sleepers, &td->td_sleepq);
	/* Publish the channel before looking for signals (see sleepqueue.h). */
	__atomic_store_n(&td->td_wchan, wchan, __ATOMIC_SEQ_CST);
	if ((flags & SLEEPQ_INTR) && signal_pending(td))
		sleeper_dequeue(td, ERESTARTSYS);
	else if (deadline != 0)
		chain_add_deadline(sc, deadline);
}

int
sleepq_block(const void *wchan)
{
	struct sleepq_chain *sc = chain_of(wchan);
	struct thread *td = curthread();

	KASSERT(spin_owned(&sc->sc_lock), ("sleepq_block: chain of %p not locked", wchan));
	witness_check_sleep(WITNESS_SLEEP, &sc->sc_lock);
	if (td->td_wchan != NULL && td->td_deadline != 0 && cpu_time() >= td->td_deadline)
		sleeper_dequeue(td, ETIMEDOUT);
	if (td->td_wchan == NULL) {
		/* Woken, timed out or interrupted before it could sleep. */
		spin_unlock(&sc->sc_lock);
		return td->td_sleep_result;
	}
	KASSERT(td->td_wchan == wchan, ("sleepq_block: on %p, not %p", td->td_wchan, wchan));
	/*
	 * Asleep before the chain lock goes, so a waker sees it is; and
	 * sched_lock is held, so the waker cannot run it before it is off
	 * the cpu.
	 */
	spin_lock(&sched_lock);
	td->td_state = TDS_SLEEPING;
	spin_unlock(&sc->sc_lock);
	sched_sleep();
	spin_unlock(&sched_lock);
	KASSERT(td->td_wchan == NULL, ("sleepq_block: woken still on a queue"));
	return td->td_sleep_result;
}

int
sleepq_wait(const void *wchan, int queue, int flags, uint64_t deadline)
{
	sleepq_add(wchan, queue, flags, deadline);
	return sleepq_block(wchan);
}

/* Wake the sleepers on queue of wchan, at most max of them.  Chain locked. */
static int
chain_wake(const void *wchan, int queue, int max)
{
	struct sleepq_chain *sc = chain_of(wchan);
	struct list_node *n, *tmp;
	int woken = 0;

	KASSERT(spin_owned(&sc->sc_lock), ("sleepq: chain of %p not locked", wchan));
	list_foreach_safe(n, tmp, &sc->sc_sleepers) {
		struct thread *td = list_entry(n, struct thread, td_sleepq);

		if (woken == max)
			break;
		if (td->td_wchan != wchan || td->td_sleep_queue != queue)
			continue;
		sleeper_wake(td, 0);
		woken++;
	}
	return woken;
}

int
sleepq_signal(const void *wchan, int queue)
{
	return chain_wake(wchan, queue, 1);
}

int
sleepq_broadcast(const void *wchan, int queue)
{
	return chain_wake(wchan, queue, INT32_MAX);
}

int
sleepq_sleepers(const void *wchan, int queue)
{
	struct sleepq_chain *sc = chain_of(wchan);
	struct list_node *n;
	int count = 0;

	KASSERT(spin_owned(&sc->sc_lock), ("sleepq_sleepers: chain of %p not locked", wchan));
	list_foreach(n, &sc->sc_sleepers) {
		struct thread *td = list_entry(n, struct thread, td_sleepq);

		if (td->td_wchan == wchan && td->td_sleep_queue == queue)
			count++;
	}
	return count;
}

void
sleepq_interrupt(struct thread *td)
{
	for (;;) {
		/* Read after the signal was marked pending (see sleepqueue.h). */
		const void *wchan = __atomic_load_n(&td->td_wchan, __ATOMIC_SEQ_CST);
		struct sleepq_chain *sc;

		if (wchan == NULL)
			return;
		sc = chain_of(wchan);
		spin_lock(&sc->sc_lock);
		if (td->td_wchan == wchan) {
			if (td->td_flags & TDF_SLEEPINTR)
				sleeper_wake(td, ERESTARTSYS);
			spin_unlock(&sc->sc_lock);
			return;
		}
		/* It woke, and may sleep again elsewhere: look again. */
		spin_unlock(&sc->sc_lock);
	}
}

/*
 * The sleeper of sc due by now with the earliest deadline, or NULL; its
 * *next gets the earliest deadline not yet due.  Chain locked.
 */
static struct thread *
chain_first_due(struct sleepq_chain *sc, uint64_t now, uint64_t *next)
{
	struct thread *due = NULL;
	struct list_node *n;

	*next = SLEEPQ_NEVER;
	list_foreach(n, &sc->sc_sleepers) {
		struct thread *td = list_entry(n, struct thread, td_sleepq);

		if (td->td_deadline == 0)
			continue;
		if (td->td_deadline > now)
			*next = MIN(*next, td->td_deadline);
		else if (due == NULL || td->td_deadline < due->td_deadline)
			due = td;
	}
	return due;
}

/*
 * Time out the sleepers due by now, earliest deadline first (a late
 * tick may find several due), and find the next deadline.  Chain locked.
 */
static void
chain_expire(struct sleepq_chain *sc, uint64_t now)
{
	uint64_t earliest;
	struct thread *td;

	while ((td = chain_first_due(sc, now, &earliest)) != NULL)
		sleeper_wake(td, ETIMEDOUT);
	__atomic_store_n(&sc->sc_earliest, earliest, __ATOMIC_RELAXED);
	if (earliest == SLEEPQ_NEVER)
		__atomic_and_fetch(&timed_chains, ~chain_bit(sc), __ATOMIC_RELAXED);
}

void
sleepq_tick(void)
{
	uint64_t pending = __atomic_load_n(&timed_chains, __ATOMIC_RELAXED), now;

	if (pending == 0)
		return;
	now = cpu_time();
	for (; pending != 0; pending &= pending - 1) {
		struct sleepq_chain *sc = &chains[__builtin_ctzl(pending)];

		if (__atomic_load_n(&sc->sc_earliest, __ATOMIC_RELAXED) > now)
			continue;
		spin_lock(&sc->sc_lock);
		chain_expire(sc, now);
		spin_unlock(&sc->sc_lock);
	}
}

uint64_t
sleepq_deadline_ns(uint64_t ns)
{
	uint64_t deadline = cpu_time() + span_to_ticks(ns / NSEC_PER_SEC, ns % NSEC_PER_SEC,
	    NSEC_PER_SEC);

	return deadline == 0 ? 1 : deadline;
}

uint64_t
sleepq_remaining_ns(uint64_t deadline)
{
	uint64_t now = cpu_time(), hz = cpu_timebase_hz(), left;

	if (now >= deadline)
		return 0;
	left = deadline - now;
	return left / hz * NSEC_PER_SEC + left % hz * NSEC_PER_SEC / hz;
}

/*
 * The classic interface.
 */

int
sleep_on_timed(const void *chan, struct spinlock *lk, int flags, uint64_t deadline)
{
	int error;

	sleepq_lock(chan);
	if (lk != NULL)
		spin_unlock(lk);
	error = sleepq_wait(chan, SLEEPQ_EXCLUSIVE, flags, deadline);
	if (lk != NULL)
		spin_lock(lk);
	return error;
}

void
sleep_on(const void *chan, struct spinlock *lk)
{
	(void)sleep_on_timed(chan, lk, 0, 0);
}

int
sleep_on_intr(const void *chan, struct spinlock *lk)
{
	return sleep_on_timed(chan, lk, SLEEPQ_INTR, 0);
}

void
wakeup(const void *chan)
{
	sleepq_lock(chan);
	(void)sleepq_broadcast(chan, SLEEPQ_EXCLUSIVE);
	sleepq_release(chan);
}

void
wakeup_one(const void *chan)
{
	sleepq_lock(chan);
	(void)sleepq_signal(chan, SLEEPQ_EXCLUSIVE);
	sleepq_release(chan);
}
