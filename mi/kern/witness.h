/*
 * witness: watches how the kernel uses its locks, after FreeBSD's
 * WITNESS and Linux's lockdep, in every kernel (not a debug option).
 *
 * Lock order.  Every lock belongs to a class, its name (witness_graph.h).
 * The first time a thread takes a lock of class B while holding one of
 * class A, A -> B is learnt; taking A while holding B after that (or
 * through a chain of learnt orders) is a reversal, which could deadlock
 * two threads: it is reported with both names, where the first order
 * was learnt, and a backtrace, and it panics.  Two locks of one class may
 * be held at once only if witness.c lists the class as one whose locks
 * nest (VM objects down a shadow chain).  The held locks are each cpu's
 * spin locks and, outside interrupt handlers, the current thread's sleep
 * locks.  /proc/lockdep shows the orders learnt.
 *
 * The held locks form a chain: each was checked, when taken, against the
 * one held before it (or against all of them), so each comes after every
 * lock below it in the learnt order.  Checking a new lock against the
 * top of the chain is then enough (witness_order_known: one bit test),
 * since the graph has no cycles.  A try-lock teaches no order (it cannot
 * deadlock), so one that does not follow the top is marked unchained;
 * while such a mark is held, every acquisition checks against all the
 * locks held, on the slow path.
 *
 * The sleeping rules.  A thread that may sleep must not hold a spin lock,
 * be in a critical section or run an interrupt handler: a spin lock
 * holder that sleeps can deadlock its cpu, and an interrupt handler has
 * no thread of its own to put to sleep.  Every place that may sleep
 * checks, naming what it is about to do:
 *
 *   WITNESS_SLEEP        a sleep queue wait (sleepq_block; its chain
 *                        lock is the one spin lock it may hold)
 *   WITNESS_SLEEP_LOCK   taking a sleep mutex or sx lock, waiting on a
 *                        condition variable
 *   WITNESS_WAITOK       an M_WAITOK allocation (zones, kmem)
 *   WITNESS_USER_ACCESS  touching user memory (copyin, copyout, ...):
 *                        it may fault, and a fault may sleep
 *
 * A broken rule panics, naming the spin locks held, with a backtrace.
 * With "witness=report" on the command line every broken rule is
 * counted and its first occurrence at each place printed instead, to
 * survey a whole run (scripts/witness-survey); a self-test may switch to
 * counting only, to break a rule on purpose and see it caught.  The
 * counts are in /proc/lockdep_stats.
 */
#ifndef _KERN_WITNESS_H_
#define _KERN_WITNESS_H_

#include <kern/types.h>
#include <kern/pcpu.h>
#include <kern/thread.h>
#include <kern/witness_graph.h>
#include <machine/cpu.h>

struct spinlock;

enum witness_rule {
	WITNESS_SLEEP,
	WITNESS_SLEEP_LOCK,
	WITNESS_WAITOK,
	WITNESS_USER_ACCESS,
	WITNESS_NRULES
};

/* What a broken rule does. */
enum witness_mode {
	WITNESS_PANIC,			/* the default */
	WITNESS_REPORT,			/* print once per place, count (witness=report) */
	WITNESS_COUNT,			/* count only (self-tests) */
};

struct witness_stats {
	uint64_t	broken[WITNESS_NRULES];		/* (A) rules broken (panic or reported) */
	uint64_t	reversals;			/* (A) lock order reversals */
};

extern struct witness_stats witness_stats;
/* The order graph: its known bits are read without a lock by every acquisition. */
extern struct witness_graph witness_graph;

void witness_init(void);		/* read the command line, say what is enforced */
/* Set the mode (self-tests); returns the one before. */
enum witness_mode witness_set_mode(enum witness_mode mode);
/* Report (or panic for) a broken sleeping rule; where is the caller's pc. */
void witness_sleep_rule_broken(enum witness_rule rule, const struct spinlock *except,
    uintptr_t where);

/*
 * The current thread is about to do something that may sleep: check the
 * rules.  except: the one spin lock it may hold (a sleep queue's chain),
 * or NULL.
 */
static inline void
witness_check_sleep(enum witness_rule rule, const struct spinlock *except)
{
	const struct pcpu *pc = curcpu();

	if (__predict_false(pc->pc_spin_depth != (except != NULL ? 1 : 0) ||
	    pc->pc_intr_depth != 0))
		witness_sleep_rule_broken(rule, except, (uintptr_t)__builtin_return_address(0));
}

/* The names of the rules, for reports: "sleeping", ... */
const char *witness_rule_name(enum witness_rule rule);

/* The slow sides of the order checks below. */
int witness_class_resolve(uint16_t *cache, const char *name, uint32_t flags);
bool witness_check_lock_slow(uint16_t *cache, const char *name, uint32_t flags,
    uintptr_t where);
void witness_order_broken(int held, int taking, uintptr_t where);

/*
 * The lock-order class of a lock named name, cached in *cache (0 until
 * looked up); flags: WG_SLEEP for sleep locks.
 */
static inline int
witness_class(uint16_t *cache, const char *name, uint32_t flags)
{
	int cls = __atomic_load_n(cache, __ATOMIC_RELAXED);

	return __predict_true(cls != 0) ? cls : witness_class_resolve(cache, name, flags);
}

/* A held-lock entry whose order after the one below it is not known (a try-lock). */
#define WITNESS_UNCHAINED	0x8000

/* Whether known says class cls may follow class top. */
static inline bool
witness_known(uint32_t top, uint32_t cls)
{
	return (__atomic_load_n(&witness_graph.known[top][cls / 64], __ATOMIC_RELAXED) >>
	    (cls % 64)) & 1;
}

/*
 * The fast path of every acquisition: is taking a lock of class cls (0:
 * not looked up yet) known to be fine after the locks held (see "the
 * held locks form a chain" above)?  One bit test, and no call.
 */
static inline bool
witness_order_known(const struct pcpu *pc, uint32_t cls)
{
	uint64_t n = pc->pc_spin_nheld;
	uint32_t top;

	if (__predict_false(cls == 0))
		return false;
	if (n != 0) {
		if (__predict_false(pc->pc_spin_unchained != 0))
			return false;
		top = pc->pc_spin_class[n - 1];
	} else {
		const struct thread *td = pc->pc_curthread;

		if (__predict_true(td->td_nsleeplocks == 0) || pc->pc_intr_depth != 0)
			return true;
		if (td->td_sleeplock_unchained != 0)
			return false;
		top = td->td_sleeplock_class[td->td_nsleeplocks - 1];
	}
	return witness_known(top, cls);
}

/*
 * spin_lock's slow side: look lk's class up if need be, check its order
 * against every lock held; false if a reversal was let through (count or
 * report mode), which leaves the chain broken.
 */
bool witness_spin_lock_slow(struct spinlock *lk, uintptr_t where) __attribute__((cold));

/*
 * About to take (not try) a lock named name whose class is cached in
 * *cache: look the class up if need be, and check the order, learning
 * it or reporting a reversal.  False if a reversal was let through.
 */
static inline bool
witness_check_lock(const struct pcpu *pc, uint16_t *cache, const char *name, uint32_t flags)
{
	if (__predict_true(witness_order_known(pc, __atomic_load_n(cache, __ATOMIC_RELAXED))))
		return true;
	return witness_check_lock_slow(cache, name, flags, (uintptr_t)__builtin_return_address(0));
}

/*
 * The current thread now holds the sleep lock lock, of class cls; checked:
 * its order was checked as it was taken (else it is a try-lock).
 */
void witness_sleep_acquired(const void *lock, int cls, bool checked);
/* The current thread no longer holds lock. */
void witness_sleep_released(const void *lock);

/*
 * The uncontended sleep-lock acquisition's checks in one go, inline: may
 * the current thread on pc take a sleep lock of class cls without a
 * report (no spin lock, no interrupt handler, an order already known)?
 * If not, the caller takes its slow path, which checks and reports.
 */
static inline bool
witness_sleep_lock_ok(const struct pcpu *pc, uint32_t cls)
{
	return pc->pc_spin_depth == 0 && pc->pc_intr_depth == 0 && witness_order_known(pc, cls);
}

/*
 * witness_sleep_acquired for a lock whose order was checked (cls is not
 * 0): its entry on top of the thread's list.  Inline; false (nothing
 * done) when the list is full, for the caller's slow path to report.
 */
static inline bool
witness_sleep_acquired_fast(struct thread *td, const void *lock, uint32_t cls)
{
	uint32_t n = td->td_nsleeplocks;

	if (__predict_false(n == TD_SLEEPLOCKS_MAX))
		return false;
	td->td_sleeplocks[n] = lock;
	td->td_sleeplock_class[n] = (uint16_t)cls;
	td->td_nsleeplocks = n + 1;
	return true;
}

/* witness_sleep_released when lock is the last taken and chained: inline. */
static inline void
witness_sleep_released_fast(struct thread *td, const void *lock)
{
	uint32_t n = td->td_nsleeplocks;

	if (__predict_true(n != 0 && td->td_sleeplocks[n - 1] == lock &&
	    !(td->td_sleeplock_class[n - 1] & WITNESS_UNCHAINED)))
		td->td_nsleeplocks = n - 1;
	else
		witness_sleep_released(lock);
}

#endif
