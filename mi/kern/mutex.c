/*
 * Sleep mutexes (see mutex.h).
 *
 * Waiting: a thread that finds the mutex owned spins while the owner is
 * on a cpu, up to MTX_SPIN_MAX rounds; then it locks the mutex's sleep
 * queue chain, sets MTX_WAITERS (so the owner's unlock cannot take the
 * fast path) and sleeps.  Unlocking with MTX_WAITERS set wakes the
 * longest sleeper and leaves the mutex free, with MTX_WAITERS still set
 * if others sleep, so the next unlock wakes the next one.  A thread that
 * comes along meanwhile may take the free mutex first; the woken one
 * then waits again.
 */
#include <kern/systm.h>
#include <kern/mutex.h>
#include <kern/pcpu.h>
#include <kern/sched.h>
#include <kern/sleepqueue.h>
#include <kern/thread.h>
#include <kern/witness.h>
#include <machine/cpu.h>

#define MTX_SPIN_MAX	2000	/* rounds to spin for a running owner before sleeping */

static inline struct thread *
lock_owner(uintptr_t v)
{
	return (struct thread *)(v & ~MTX_FLAGS);
}

void
mtx_init(struct mtx *m, const char *name)
{
	m->mtx_lock = MTX_UNOWNED;
	m->mtx_cpu = 0;
	m->mtx_class = 0;
	m->mtx_name = name;
}

void
mtx_destroy(struct mtx *m)
{
	KASSERT(m->mtx_lock == MTX_UNOWNED, ("mtx_destroy: %s is owned or waited for",
	    m->mtx_name));
}

struct thread *
mtx_owner(const struct mtx *m)
{
	return lock_owner(__atomic_load_n(&m->mtx_lock, __ATOMIC_RELAXED));
}

bool
mtx_owned(const struct mtx *m)
{
	return mtx_owner(m) == curthread();
}

/* Try to make td the owner of an unowned m (keeping MTX_WAITERS); whether it did. */
static bool
try_take(struct mtx *m, uintptr_t v, struct thread *td)
{
	if (lock_owner(v) != NULL ||
	    !__atomic_compare_exchange_n(&m->mtx_lock, &v, (uintptr_t)td | (v & MTX_WAITERS),
	    false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return false;
	__atomic_store_n(&m->mtx_cpu, cpu_id(), __ATOMIC_RELAXED);
	return true;
}

static void
mtx_lock_slow(struct mtx *m, struct thread *td)
{
	int spins = 0;

	for (;;) {
		uintptr_t v = __atomic_load_n(&m->mtx_lock, __ATOMIC_RELAXED);
		struct thread *owner = lock_owner(v);

		if (owner == NULL) {
			if (try_take(m, v, td))
				return;
			continue;
		}
		if (spins < MTX_SPIN_MAX &&
		    sched_running_on(owner, __atomic_load_n(&m->mtx_cpu, __ATOMIC_RELAXED))) {
			spins++;
			cpu_spinwait();
			continue;
		}
		sleepq_lock(m);
		v = __atomic_load_n(&m->mtx_lock, __ATOMIC_RELAXED);
		if (lock_owner(v) == NULL || (!(v & MTX_WAITERS) &&
		    !__atomic_compare_exchange_n(&m->mtx_lock, &v, v | MTX_WAITERS, false,
		    __ATOMIC_RELAXED, __ATOMIC_RELAXED))) {
			/* Let go, or the word changed: look again. */
			sleepq_release(m);
			continue;
		}
		(void)sleepq_wait(m, SLEEPQ_EXCLUSIVE, 0, 0);
		spins = 0;
	}
}

void
mtx_lock(struct mtx *m)
{
	struct thread *td = curthread();

	bool chained;

	witness_check_sleep(WITNESS_SLEEP_LOCK, NULL);
	KASSERT(lock_owner(m->mtx_lock) != td, ("mtx_lock: %s already owned", m->mtx_name));
	chained = witness_check_lock(curcpu(), &m->mtx_class, m->mtx_name, WG_SLEEP);
	if (!try_take(m, MTX_UNOWNED, td))
		mtx_lock_slow(m, td);
	witness_sleep_acquired(m, m->mtx_class, chained);
}

bool
mtx_trylock(struct mtx *m)
{
	witness_check_sleep(WITNESS_SLEEP_LOCK, NULL);
	if (!try_take(m, __atomic_load_n(&m->mtx_lock, __ATOMIC_RELAXED), curthread()))
		return false;
	witness_sleep_acquired(m, witness_class(&m->mtx_class, m->mtx_name, WG_SLEEP), false);
	return true;
}

/* Hand m back with waiters: wake the longest sleeper.  MTX_WAITERS set. */
static void
mtx_unlock_slow(struct mtx *m)
{
	int left;

	sleepq_lock(m);
	/* Sleepers set the bit under the chain lock: the word is stable here. */
	left = sleepq_sleepers(m, SLEEPQ_EXCLUSIVE);
	__atomic_store_n(&m->mtx_lock, left > 1 ? MTX_WAITERS : MTX_UNOWNED, __ATOMIC_RELEASE);
	if (left > 0)
		(void)sleepq_signal(m, SLEEPQ_EXCLUSIVE);
	sleepq_release(m);
}

void
mtx_unlock(struct mtx *m)
{
	uintptr_t v = (uintptr_t)curthread();

	KASSERT(lock_owner(m->mtx_lock) == curthread(), ("mtx_unlock: %s not owned (owner %p)",
	    m->mtx_name, lock_owner(m->mtx_lock)));
	witness_sleep_released(m);
	if (!__atomic_compare_exchange_n(&m->mtx_lock, &v, MTX_UNOWNED, false, __ATOMIC_RELEASE,
	    __ATOMIC_RELAXED))
		mtx_unlock_slow(m);
}
