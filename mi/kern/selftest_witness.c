/*
 * Self-tests of the lock checker (witness.h).  Rules are broken on
 * purpose with the checker counting rather than panicking: each of the
 * four sleeping rules with a spin lock held, an M_WAITOK allocation in a
 * critical section, and the report-only case (a lock named like one that
 * becomes a sleep lock), which must not panic even in the default mode,
 * but must when another spin lock is held with it.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/malloc.h>
#include <kern/mutex.h>
#include <kern/selftest.h>
#include <kern/sleepqueue.h>
#include <kern/spinlock.h>
#include <kern/witness.h>
#include <machine/cpu.h>

#define UNMAPPED_USER_VA	0x1000	/* no user address space here: copyin fails */
#define ALLOC_SIZE		64

static struct spinlock plain_lock = SPINLOCK_INITIALIZER("selftest spin");
/* Named as the VM map lock, which witness.c lists as becoming a sleep lock. */
static struct spinlock map_like_lock = SPINLOCK_INITIALIZER("vm map");
static struct mtx rule_mutex = MTX_INITIALIZER("selftest rule mutex");
static char rule_chan;

/* broken[rule] and deferred[rule] since before, as deltas. */
static uint64_t
broken_since(const struct witness_stats *before, enum witness_rule rule)
{
	return witness_stats.broken[rule] - before->broken[rule];
}

static uint64_t
deferred_since(const struct witness_stats *before, enum witness_rule rule)
{
	return witness_stats.deferred[rule] - before->deferred[rule];
}

static uint64_t
broken_total(const struct witness_stats *before)
{
	uint64_t n = 0;

	for (int r = 0; r < WITNESS_NRULES; r++)
		n += broken_since(before, r) + deferred_since(before, r);
	return n;
}

/* An allocation that may sleep, and its release. */
static void
waitok_alloc(void)
{
	free(malloc(ALLOC_SIZE, M_TEMP, M_WAITOK), M_TEMP);
}

static void
test_rules_broken(void)
{
	struct witness_stats before = witness_stats;
	enum witness_mode old = witness_set_mode(WITNESS_COUNT);
	uint32_t word;
	int r;

	/* Each rule, with a spin lock held; none of these really sleeps. */
	spin_lock(&plain_lock);
	waitok_alloc();
	mtx_lock(&rule_mutex);
	mtx_unlock(&rule_mutex);
	r = copyin((const void *)UNMAPPED_USER_VA, &word, sizeof(word));
	(void)sleep_on_timed(&rule_chan, NULL, 0, cpu_time() - 1);
	spin_unlock(&plain_lock);
	selftest_ok(broken_since(&before, WITNESS_WAITOK) >= 1,
	    "rules: an M_WAITOK allocation with a spin lock held is caught (%lu)",
	    broken_since(&before, WITNESS_WAITOK));
	selftest_ok(broken_since(&before, WITNESS_SLEEP_LOCK) == 1,
	    "rules: taking a sleep mutex with a spin lock held is caught");
	selftest_ok(broken_since(&before, WITNESS_USER_ACCESS) == 1 && r == EFAULT,
	    "rules: copyin with a spin lock held is caught");
	selftest_ok(broken_since(&before, WITNESS_SLEEP) == 1,
	    "rules: a sleep with a spin lock held is caught");

	before = witness_stats;
	critical_enter();
	waitok_alloc();
	critical_exit();
	selftest_ok(broken_since(&before, WITNESS_WAITOK) >= 1,
	    "rules: an M_WAITOK allocation in a critical section is caught");

	before = witness_stats;
	spin_lock(&map_like_lock);
	spin_lock(&plain_lock);
	waitok_alloc();
	spin_unlock(&plain_lock);
	spin_unlock(&map_like_lock);
	selftest_ok(broken_since(&before, WITNESS_WAITOK) >= 1 &&
	    deferred_since(&before, WITNESS_WAITOK) == 0,
	    "rules: a lock to convert does not excuse another spin lock held with it");
	witness_set_mode(old);
}

static void
test_rules_kept(void)
{
	struct witness_stats before = witness_stats;
	enum witness_mode old = witness_set_mode(WITNESS_PANIC);

	/* In the default mode: a panic here would fail the whole run. */
	spin_lock(&map_like_lock);
	waitok_alloc();
	spin_unlock(&map_like_lock);
	selftest_ok(deferred_since(&before, WITNESS_WAITOK) >= 1 &&
	    broken_since(&before, WITNESS_WAITOK) == 0,
	    "rules: under a lock to become a sleep lock, only counted (%lu)",
	    deferred_since(&before, WITNESS_WAITOK));

	before = witness_stats;
	waitok_alloc();
	mtx_lock(&rule_mutex);
	(void)sleep_on_timed(&rule_chan, NULL, 0, sleepq_deadline_ns(1000));
	mtx_unlock(&rule_mutex);
	selftest_ok(broken_total(&before) == 0,
	    "rules: allocating, taking a mutex and sleeping with no spin lock break nothing");
	witness_set_mode(old);
}

static void
run_witness_tests(void)
{
	test_rules_broken();
	test_rules_kept();
}
SELFTEST(witness, run_witness_tests);
