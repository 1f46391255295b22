/*
 * witness: watches how the kernel uses its locks, after FreeBSD's
 * WITNESS and Linux's lockdep, in every kernel (not a debug option).
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
 * One exception is made, report-only: when every spin lock held is one
 * listed in witness.c as becoming a sleep lock (today only the VM map
 * lock, which the fault and mmap paths hold while they allocate with
 * M_WAITOK; it becomes an sx lock next), the case is counted and its
 * first occurrence at each place printed.  With "witness=report" on the
 * command line every broken rule is reported that way instead, to
 * survey a whole run; a self-test may switch to counting only, to break
 * a rule on purpose and see it caught.  The counts are in
 * /proc/lockdep_stats.
 */
#ifndef _KERN_WITNESS_H_
#define _KERN_WITNESS_H_

#include <kern/types.h>
#include <kern/pcpu.h>
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
	uint64_t	deferred[WITNESS_NRULES];	/* (A) report-only: under a lock to convert */
};

extern struct witness_stats witness_stats;

void witness_init(void);		/* read the command line, say what is report-only */
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

#endif
