/*
 * Shared/exclusive locks (see sx.h).
 *
 * Every change of the lock word is a compare-and-swap.  A thread that
 * must wait locks the lock's sleep queue chain, sets its side's waiters
 * bit and sleeps on its side's queue (SLEEPQ_SHARED or
 * SLEEPQ_EXCLUSIVE); waiters bits are only set with the chain locked,
 * so a releaser holding the chain sees a settled set of sleepers.  The
 * last reader out, or the writer, when waiters bits are set, hands the
 * lock over in release_to_waiters.  A writer waits for a running writer
 * by spinning a little first, as mutexes do.
 */
#include <kern/systm.h>
#include <kern/pcpu.h>
#include <kern/sched.h>
#include <kern/sleepqueue.h>
#include <kern/sx.h>
#include <kern/thread.h>
#include <kern/witness.h>
#include <machine/cpu.h>

#define SX_SPIN_MAX	2000	/* rounds to spin for a running writer before sleeping */

static inline uintptr_t
readers(uintptr_t v)
{
	return v >> SX_READERS_SHIFT;
}

static inline struct thread *
writer(uintptr_t v)
{
	return (v & SX_SHARED) ? NULL : (struct thread *)(v & ~SX_FLAGS);
}

/* Whether a reader may come in: held shared (or free), and no writer waits. */
static inline bool
can_read(uintptr_t v)
{
	return (v & (SX_SHARED | SX_EXCL_WAITERS)) == SX_SHARED;
}

static inline bool
is_unlocked(uintptr_t v)
{
	return (v & SX_SHARED) && readers(v) == 0;
}

static inline uintptr_t
load_word(const struct sx *sx)
{
	return __atomic_load_n(&sx->sx_lock, __ATOMIC_RELAXED);
}

static inline bool
cas_word(struct sx *sx, uintptr_t old, uintptr_t new, int order)
{
	return __atomic_compare_exchange_n(&sx->sx_lock, &old, new, false, order,
	    __ATOMIC_RELAXED);
}

void
sx_init(struct sx *sx, const char *name)
{
	sx->sx_lock = SX_UNLOCKED;
	sx->sx_cpu = 0;
	sx->sx_class = 0;
	sx->sx_name = name;
}

void
sx_destroy(struct sx *sx)
{
	KASSERT(sx->sx_lock == SX_UNLOCKED, ("sx_destroy: %s is held or waited for", sx->sx_name));
}

bool
sx_xlocked(const struct sx *sx)
{
	return writer(load_word(sx)) == curthread();
}

bool
sx_slocked_by_any(const struct sx *sx)
{
	uintptr_t v = load_word(sx);

	return (v & SX_SHARED) && readers(v) > 0;
}

/* Whether a writer holds sx and runs on a cpu now. */
static bool
writer_running(const struct sx *sx, uintptr_t v)
{
	struct thread *td = writer(v);

	return td != NULL && sched_running_on(td, __atomic_load_n(&sx->sx_cpu, __ATOMIC_RELAXED));
}

/*
 * Sleep on queue until the lock changes, unless it changed already or
 * the waiters bit cannot be set: ready(v) says the caller need not wait.
 */
static void
wait_for(struct sx *sx, int queue, uintptr_t bit, bool (*ready)(uintptr_t))
{
	uintptr_t v;

	sleepq_lock(sx);
	v = load_word(sx);
	if (ready(v) || (!(v & bit) && !cas_word(sx, v, v | bit, __ATOMIC_RELAXED))) {
		sleepq_release(sx);
		return;
	}
	(void)sleepq_wait(sx, queue, 0, 0);
}

static inline int
sx_class(struct sx *sx)
{
	return witness_class(&sx->sx_class, sx->sx_name, WG_SLEEP);
}

/* Take it shared if that needs no waiting (the order is the caller's to check). */
static bool
try_slock(struct sx *sx)
{
	uintptr_t v;

	while (can_read(v = load_word(sx)))
		if (cas_word(sx, v, v + SX_ONE_READER, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

/* Take it exclusive if that needs no waiting (the order is the caller's to check). */
static bool
try_xlock(struct sx *sx)
{
	struct thread *td = curthread();
	uintptr_t v;

	KASSERT(writer(load_word(sx)) != td, ("sx_xlock: %s already held", sx->sx_name));
	while (is_unlocked(v = load_word(sx))) {
		if (cas_word(sx, v, (uintptr_t)td | (v & SX_WAITERS), __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&sx->sx_cpu, cpu_id(), __ATOMIC_RELAXED);
			return true;
		}
	}
	return false;
}

/*
 * Take it shared or exclusive, waiting on queue with waiters bit until
 * ready(word) says it may be had: spinning while a writer runs, then
 * sleeping.
 */
static void
lock_side(struct sx *sx, bool (*take)(struct sx *), int queue, uintptr_t bit,
    bool (*ready)(uintptr_t))
{
	int spins = 0;
	bool chained;

	witness_check_sleep(WITNESS_SLEEP_LOCK, NULL);
	chained = witness_check_lock(curcpu(), &sx->sx_class, sx->sx_name, WG_SLEEP);
	while (!take(sx)) {
		if (spins < SX_SPIN_MAX && writer_running(sx, load_word(sx))) {
			spins++;
			cpu_spinwait();
			continue;
		}
		wait_for(sx, queue, bit, ready);
		spins = 0;
	}
	witness_sleep_acquired(sx, sx->sx_class, chained);
}

/* A try: no waiting, so no order to check; held if it worked. */
static bool
try_side(struct sx *sx, bool (*take)(struct sx *))
{
	witness_check_sleep(WITNESS_SLEEP_LOCK, NULL);
	if (!take(sx))
		return false;
	witness_sleep_acquired(sx, sx_class(sx), false);
	return true;
}

/*
 * Shared, uncontended (no writer, none waiting, an order the lock checker
 * knows): one compare-and-swap and the held-lock entry, inline.  The map
 * lock of every page fault comes this way.
 */
void
sx_slock(struct sx *sx)
{
	struct pcpu *pc = curcpu();
	uintptr_t v = load_word(sx);

	if (__predict_true(can_read(v) && witness_sleep_lock_ok(pc, sx->sx_class) &&
	    cas_word(sx, v, v + SX_ONE_READER, __ATOMIC_ACQUIRE))) {
		if (__predict_true(witness_sleep_acquired_fast(pc->pc_curthread, sx, sx->sx_class)))
			return;
		witness_sleep_acquired(sx, sx->sx_class, true);	/* reports the overflow */
		return;
	}
	lock_side(sx, try_slock, SLEEPQ_SHARED, SX_SHARED_WAITERS, can_read);
}

/* Exclusive, uncontended: as sx_slock's fast path. */
void
sx_xlock(struct sx *sx)
{
	struct pcpu *pc = curcpu();
	struct thread *td = pc->pc_curthread;

	if (__predict_true(witness_sleep_lock_ok(pc, sx->sx_class) &&
	    cas_word(sx, SX_UNLOCKED, (uintptr_t)td, __ATOMIC_ACQUIRE))) {
		__atomic_store_n(&sx->sx_cpu, pc->pc_cpuid, __ATOMIC_RELAXED);
		if (__predict_true(witness_sleep_acquired_fast(td, sx, sx->sx_class)))
			return;
		witness_sleep_acquired(sx, sx->sx_class, true);	/* reports the overflow */
		return;
	}
	lock_side(sx, try_xlock, SLEEPQ_EXCLUSIVE, SX_EXCL_WAITERS, is_unlocked);
}

bool
sx_try_slock(struct sx *sx)
{
	return try_side(sx, try_slock);
}

bool
sx_try_xlock(struct sx *sx)
{
	return try_side(sx, try_xlock);
}

/*
 * Free the lock, whose word is v, and wake who gets it next: the longest
 * waiting writer if any (keeping both waiters bits, so readers keep
 * waiting behind it), else every waiting reader.  False if the word was
 * no longer v.  Chain locked.
 */
static bool
release_to_waiters(struct sx *sx, uintptr_t v)
{
	int writers = sleepq_sleepers(sx, SLEEPQ_EXCLUSIVE);
	int readers_waiting = sleepq_sleepers(sx, SLEEPQ_SHARED);
	uintptr_t new = SX_UNLOCKED;

	if (writers > 0)
		new |= SX_EXCL_WAITERS | (readers_waiting > 0 ? SX_SHARED_WAITERS : 0);
	if (!cas_word(sx, v, new, __ATOMIC_RELEASE))
		return false;
	if (writers > 0)
		(void)sleepq_signal(sx, SLEEPQ_EXCLUSIVE);
	else if (readers_waiting > 0)
		(void)sleepq_broadcast(sx, SLEEPQ_SHARED);
	return true;
}

void
sx_sunlock(struct sx *sx)
{
	uintptr_t v = load_word(sx);

	/* Not the last reader with waiters: one compare-and-swap. */
	if (__predict_true((v & SX_SHARED) && readers(v) > 0 &&
	    (readers(v) > 1 || !(v & SX_WAITERS)) &&
	    cas_word(sx, v, v - SX_ONE_READER, __ATOMIC_RELEASE))) {
		witness_sleep_released_fast(curthread(), sx);
		return;
	}
	for (;;) {
		uintptr_t v = load_word(sx);
		bool done;

		KASSERT((v & SX_SHARED) && readers(v) > 0, ("sx_sunlock: %s not held shared",
		    sx->sx_name));
		if (readers(v) > 1 || !(v & SX_WAITERS)) {
			if (cas_word(sx, v, v - SX_ONE_READER, __ATOMIC_RELEASE))
				break;
			continue;
		}
		/* The last reader, with waiters. */
		sleepq_lock(sx);
		done = release_to_waiters(sx, v);
		sleepq_release(sx);
		if (done)
			break;
	}
	witness_sleep_released(sx);
}

void
sx_xunlock(struct sx *sx)
{
	uintptr_t td = (uintptr_t)curthread();
	bool done __unused;

	KASSERT(writer(load_word(sx)) == curthread(), ("sx_xunlock: %s not held exclusive",
	    sx->sx_name));
	witness_sleep_released_fast(curthread(), sx);
	if (cas_word(sx, td, SX_UNLOCKED, __ATOMIC_RELEASE))
		return;
	/* Waiters bits are set, and change only under the chain lock. */
	sleepq_lock(sx);
	done = release_to_waiters(sx, load_word(sx));
	sleepq_release(sx);
	KASSERT(done, ("sx_xunlock: %s changed under its owner", sx->sx_name));
}

bool
sx_try_upgrade(struct sx *sx)
{
	uintptr_t v, td = (uintptr_t)curthread();

	KASSERT(sx_slocked_by_any(sx), ("sx_try_upgrade: %s not held shared", sx->sx_name));
	while (((v = load_word(sx)) & SX_SHARED) && readers(v) == 1) {
		if (cas_word(sx, v, td | (v & SX_WAITERS), __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&sx->sx_cpu, cpu_id(), __ATOMIC_RELAXED);
			return true;
		}
	}
	return false;
}

void
sx_downgrade(struct sx *sx)
{
	uintptr_t td = (uintptr_t)curthread(), v, new;

	KASSERT(writer(load_word(sx)) == curthread(), ("sx_downgrade: %s not held exclusive",
	    sx->sx_name));
	if (cas_word(sx, td, SX_SHARED | SX_ONE_READER, __ATOMIC_RELEASE))
		return;
	sleepq_lock(sx);
	v = load_word(sx);
	/* A waiting writer keeps the readers waiting; otherwise they come in with us. */
	new = SX_SHARED | SX_ONE_READER;
	if (v & SX_EXCL_WAITERS)
		new |= v & SX_WAITERS;
	__atomic_store_n(&sx->sx_lock, new, __ATOMIC_RELEASE);
	if (!(v & SX_EXCL_WAITERS) && (v & SX_SHARED_WAITERS))
		(void)sleepq_broadcast(sx, SLEEPQ_SHARED);
	sleepq_release(sx);
}
