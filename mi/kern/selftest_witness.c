/*
 * Self-tests of the lock checker (witness.h).  Rules are broken on
 * purpose with the checker counting rather than panicking: each of the
 * four sleeping rules with a spin lock held, an M_WAITOK allocation in a
 * critical section; what breaks none of them does not count.  Then lock
 * orders:
 * reversals of spin locks, of sleep locks, through a third class, two
 * locks of one class, a shared sx lock taken twice; the orders learnt,
 * and none learnt from a reversal.  (The panics themselves are the
 * crash tests lockorder and sleeprule.)
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/malloc.h>
#include <kern/mutex.h>
#include <kern/sched.h>
#include <kern/selftest.h>
#include <kern/sleepqueue.h>
#include <kern/spinlock.h>
#include <kern/sx.h>
#include <kern/witness.h>
#include <machine/cpu.h>

#define UNMAPPED_USER_VA	0x1000	/* no user address space here: copyin fails */
#define ALLOC_SIZE		64

static struct spinlock plain_lock = SPINLOCK_INITIALIZER("selftest spin");
static struct mtx rule_mutex = MTX_INITIALIZER("selftest rule mutex");
static char rule_chan;

/* broken[rule] since before, as a delta. */
static uint64_t
broken_since(const struct witness_stats *before, enum witness_rule rule)
{
	return witness_stats.broken[rule] - before->broken[rule];
}

static uint64_t
broken_total(const struct witness_stats *before)
{
	uint64_t n = 0;

	for (int r = 0; r < WITNESS_NRULES; r++)
		n += broken_since(before, r);
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
	witness_set_mode(old);
}

static void
test_rules_kept(void)
{
	struct witness_stats before = witness_stats;
	enum witness_mode old = witness_set_mode(WITNESS_PANIC);

	/* In the default mode: a panic here would fail the whole run. */
	waitok_alloc();
	mtx_lock(&rule_mutex);
	(void)sleep_on_timed(&rule_chan, NULL, 0, sleepq_deadline_ns(1000));
	mtx_unlock(&rule_mutex);
	selftest_ok(broken_total(&before) == 0,
	    "rules: allocating, taking a mutex and sleeping with no spin lock break nothing");
	witness_set_mode(old);
}

/*
 * Lock order.  Each lock here has a class of its own, so what the rest
 * of the kernel has taught the graph cannot interfere.
 */
static struct spinlock order_a = SPINLOCK_INITIALIZER("selftest order a");
static struct spinlock order_b = SPINLOCK_INITIALIZER("selftest order b");
static struct spinlock order_c = SPINLOCK_INITIALIZER("selftest order c");
static struct spinlock twin_1 = SPINLOCK_INITIALIZER("selftest twin");
static struct spinlock twin_2 = SPINLOCK_INITIALIZER("selftest twin");
static struct spinlock try_x = SPINLOCK_INITIALIZER("selftest try x");
static struct spinlock try_y = SPINLOCK_INITIALIZER("selftest try y");
static struct spinlock try_z = SPINLOCK_INITIALIZER("selftest try z");
static struct spinlock nest_1 = SPINLOCK_INITIALIZER("vm object");	/* a class that nests */
static struct spinlock nest_2 = SPINLOCK_INITIALIZER("vm object");
static struct mtx order_m1 = MTX_INITIALIZER("selftest order m1");
static struct mtx order_m2 = MTX_INITIALIZER("selftest order m2");
static struct sx order_sx = SX_INITIALIZER("selftest order sx");

/* Take first, then second, then let both go. */
static void
spin_pair(struct spinlock *first, struct spinlock *second)
{
	spin_lock(first);
	spin_lock(second);
	spin_unlock(second);
	spin_unlock(first);
}

static uint64_t
reversals_since(uint64_t before)
{
	return __atomic_load_n(&witness_stats.reversals, __ATOMIC_RELAXED) - before;
}

static void
test_order(void)
{
	enum witness_mode old = witness_set_mode(WITNESS_COUNT);
	uint64_t before = witness_stats.reversals;
	int a, b, c;

	spin_pair(&order_a, &order_b);
	spin_pair(&order_a, &order_b);
	a = order_a.wclass;
	b = order_b.wclass;
	selftest_ok(reversals_since(before) == 0 && a != 0 && b != 0 && a != b &&
	    wg_edge(&witness_graph, a, b) && wg_known(&witness_graph, a, b),
	    "order: a then b is learnt (classes %d, %d)", a, b);
	spin_pair(&order_b, &order_a);
	selftest_ok(reversals_since(before) == 1 && !wg_edge(&witness_graph, b, a),
	    "order: b then a is a reversal, caught and not learnt");

	before = witness_stats.reversals;
	spin_pair(&order_b, &order_c);
	c = order_c.wclass;
	spin_pair(&order_c, &order_a);
	selftest_ok(reversals_since(before) == 1 && wg_edge(&witness_graph, b, c) &&
	    !wg_edge(&witness_graph, c, a),
	    "order: c then a, after a then b and b then c, is a reversal through b");
	spin_pair(&order_a, &order_c);
	selftest_ok(reversals_since(before) == 1 && wg_known(&witness_graph, a, c),
	    "order: a then c follows from a then b then c");

	before = witness_stats.reversals;
	spin_pair(&twin_1, &twin_2);
	selftest_ok(reversals_since(before) == 1,
	    "order: two locks of a class that may not nest, held at once, are caught");
	before = witness_stats.reversals;
	spin_pair(&nest_1, &nest_2);
	selftest_ok(reversals_since(before) == 0, "order: two VM object locks may nest");

	before = witness_stats.reversals;
	mtx_lock(&order_m1);
	mtx_lock(&order_m2);
	mtx_unlock(&order_m2);
	mtx_unlock(&order_m1);
	mtx_lock(&order_m2);
	mtx_lock(&order_m1);
	mtx_unlock(&order_m1);
	mtx_unlock(&order_m2);
	selftest_ok(reversals_since(before) == 1, "order: a reversal of two sleep mutexes is caught");

	before = witness_stats.reversals;
	mtx_lock(&order_m1);
	spin_pair(&order_a, &order_b);
	mtx_unlock(&order_m1);
	selftest_ok(reversals_since(before) == 0 &&
	    wg_edge(&witness_graph, order_m1.mtx_class, order_a.wclass),
	    "order: a spin lock under a sleep mutex is learnt, mutex first");
	spin_lock(&order_a);
	spin_unlock(&order_a);
	mtx_lock(&order_m1);
	mtx_unlock(&order_m1);
	selftest_ok(curthread()->td_nsleeplocks == 0 && curcpu()->pc_spin_nheld == 0,
	    "order: nothing is left on the held lists");

	/*
	 * Learn y -> z -> x.  Holding x, a try-lock of y goes against that
	 * order, which a try-lock may; then z follows y, the top of the held
	 * locks, but comes before x, held below it: only a check against
	 * every lock held catches that, and the try-lock must force one.
	 */
	spin_pair(&try_y, &try_z);
	spin_pair(&try_z, &try_x);
	before = witness_stats.reversals;
	spin_lock(&try_x);
	selftest_ok(spin_trylock(&try_y) && curcpu()->pc_spin_unchained == 1 &&
	    reversals_since(before) == 0,
	    "order: a try-lock against the order is let through, marked unchained");
	spin_lock(&try_z);
	spin_unlock(&try_z);
	spin_unlock(&try_y);
	spin_unlock(&try_x);
	selftest_ok(reversals_since(before) == 1 && curcpu()->pc_spin_unchained == 0,
	    "order: a lock taken over it is checked against every lock held (a reversal with "
	    "the lock under the try-lock is caught)");

	before = witness_stats.reversals;
	sx_slock(&order_sx);
	sx_slock(&order_sx);
	sx_sunlock(&order_sx);
	sx_sunlock(&order_sx);
	selftest_ok(reversals_since(before) == 1,
	    "order: a shared sx lock taken again by its reader is caught");
	witness_set_mode(old);
}

/*
 * spin_trylock never waits: it fails while the lock is held, here or on
 * another cpu (a holder on cpu 1 keeps it until told to let go).
 */
static struct spinlock try_held = SPINLOCK_INITIALIZER("selftest try held");
static uint32_t holder_state;		/* (A) 1: holding, 2: let go */

static void
try_holder(void *arg, int i)
{
	(void)arg;
	(void)i;
	spin_lock(&try_held);
	__atomic_store_n(&holder_state, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&holder_state, __ATOMIC_ACQUIRE) != 2)
		cpu_spinwait();
	spin_unlock(&try_held);
}

static void
test_trylock(void)
{
	struct selftest_group *g;
	bool failed;

	spin_lock(&try_held);
	failed = !spin_trylock(&try_held);
	spin_unlock(&try_held);
	selftest_ok(failed && curcpu()->pc_spin_nheld == 0,
	    "trylock: fails on a lock this cpu holds, and leaves nothing held");
	if (ncpu < 2) {
		selftest_ok(true, "trylock: fails at once on a lock another cpu holds # SKIP one cpu");
		return;
	}
	holder_state = 0;
	g = selftest_threads_start(1, try_holder, NULL, 1);
	while (__atomic_load_n(&holder_state, __ATOMIC_ACQUIRE) != 1)
		cpu_spinwait();
	failed = !spin_trylock(&try_held);
	if (!failed)
		spin_unlock(&try_held);
	__atomic_store_n(&holder_state, 2, __ATOMIC_RELEASE);
	selftest_ok(selftest_threads_wait(g, 10000) == 1 && failed,
	    "trylock: fails at once on a lock another cpu holds");
}

static void
run_witness_tests(void)
{
	test_rules_broken();
	test_rules_kept();
	test_order();
	test_trylock();
}
SELFTEST(witness, run_witness_tests);
