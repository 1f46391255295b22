/*
 * Self-tests of the sleep locks and condition variables, on every cpu:
 * counters that only add up if the mutex excludes, an sx lock whose
 * readers must never see a writer's half-done update (and must be able
 * to share), upgrade and downgrade, cv_signal waking one waiter and
 * cv_broadcast all of them, a bounded buffer whose producers and
 * consumers would stall on a lost wakeup, timed waits, and a signal
 * ending an interruptible wait.
 *
 * Threads give the cpu away inside their critical sections now and then
 * (sched_yield), so the locks are contended on one cpu too.
 */
#include <kern/systm.h>
#include <kern/condvar.h>
#include <kern/mutex.h>
#include <kern/pcpu.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/selftest.h>
#include <kern/signal.h>
#include <kern/sx.h>
#include <kern/thread.h>
#include <machine/cpu.h>

#define WAIT_MS		60000	/* how long a test waits for its threads */
#define MTX_ITERS	400
#define SX_ITERS	300
#define YIELD_EVERY	16	/* give the cpu away inside every 16th critical section */
#define RACE_SPINS	20	/* a window for a torn update to show */
#define BUF_SLOTS	4
#define BUF_ITEMS	500	/* per producer */
#define FAKE_HANDLER	((__sighandler_t)0x1000)

static int
nthreads(void)
{
	return (int)MAX(4, 2 * ncpu);
}

/* Read, wait a little, write: a lost update if two threads overlap. */
static void
slow_increment(uint64_t *p)
{
	uint64_t v = __atomic_load_n(p, __ATOMIC_RELAXED);

	for (int i = 0; i < RACE_SPINS; i++)
		cpu_spinwait();
	__atomic_store_n(p, v + 1, __ATOMIC_RELAXED);
}

/*
 * Mutex.
 */

static struct {
	struct mtx	m;
	uint64_t	count;		/* (m) */
	uint64_t	contended;	/* (A) trylock found it owned */
} mt = { .m = MTX_INITIALIZER("selftest mutex") };

static void
mutex_worker(void *arg, int i)
{
	(void)arg;
	for (int n = 0; n < MTX_ITERS; n++) {
		if (!mtx_trylock(&mt.m)) {
			__atomic_add_fetch(&mt.contended, 1, __ATOMIC_RELAXED);
			mtx_lock(&mt.m);
		}
		KASSERT(mtx_owned(&mt.m), ("mutex_worker: not the owner"));
		slow_increment(&mt.count);
		if ((n + i) % YIELD_EVERY == 0)
			sched_yield();
		mtx_unlock(&mt.m);
		if ((n + i) % YIELD_EVERY == YIELD_EVERY / 2)
			sched_yield();		/* let the others at it */
	}
}

static void
test_mutex(void)
{
	int n = nthreads(), done;

	mt.count = 0;
	mt.contended = 0;
	mtx_lock(&mt.m);
	selftest_ok(mtx_owned(&mt.m) && mtx_owner(&mt.m) == curthread(),
	    "mutex: the owner is recorded");
	mtx_unlock(&mt.m);
	selftest_ok(!mtx_owned(&mt.m) && mtx_owner(&mt.m) == NULL, "mutex: unlocked, no owner");
	done = selftest_threads(n, mutex_worker, NULL, WAIT_MS);
	selftest_ok(done == n && mt.count == (uint64_t)n * MTX_ITERS,
	    "mutex: %d threads on %u cpus counted to %lu (want %d)", n, ncpu, mt.count,
	    n * MTX_ITERS);
	selftest_ok(mt.contended > 0 && mt.m.mtx_lock == MTX_UNOWNED,
	    "mutex: it was contended (%lu times), and is free with no waiters after",
	    mt.contended);
	mtx_destroy(&mt.m);
}

/*
 * sx: writers move a and b together; readers must always see them equal.
 */

static struct {
	struct sx	lock;
	uint64_t	a, b;		/* (lock) equal whenever it is not held exclusive */
	uint64_t	writes;		/* (A) */
	uint64_t	upgrades;	/* (A) */
	uint64_t	torn;		/* (A) reads that saw a != b */
	uint64_t	inside;		/* (A) readers holding it now */
	uint64_t	max_inside;	/* (A) */
} sxt = { .lock = SX_INITIALIZER("selftest sx") };

static void
note_readers(void)
{
	uint64_t in = __atomic_add_fetch(&sxt.inside, 1, __ATOMIC_RELAXED);
	uint64_t max = __atomic_load_n(&sxt.max_inside, __ATOMIC_RELAXED);

	while (in > max && !__atomic_compare_exchange_n(&sxt.max_inside, &max, in, false,
	    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static void
sx_write(void)
{
	slow_increment(&sxt.a);
	slow_increment(&sxt.b);
	__atomic_add_fetch(&sxt.writes, 1, __ATOMIC_RELAXED);
}

static void
sx_worker(void *arg, int i)
{
	(void)arg;
	for (int n = 0; n < SX_ITERS; n++) {
		switch ((n + i) % 4) {
		case 0:			/* write */
			sx_xlock(&sxt.lock);
			sx_write();
			if (n % YIELD_EVERY == 0)
				sched_yield();
			sx_xunlock(&sxt.lock);
			break;
		case 1:			/* read, then try to upgrade and write, downgrade */
			sx_slock(&sxt.lock);
			if (sx_try_upgrade(&sxt.lock)) {
				__atomic_add_fetch(&sxt.upgrades, 1, __ATOMIC_RELAXED);
				sx_write();
				sx_downgrade(&sxt.lock);
			}
			if (sxt.a != sxt.b)
				__atomic_add_fetch(&sxt.torn, 1, __ATOMIC_RELAXED);
			sx_sunlock(&sxt.lock);
			break;
		default:		/* read, slowly */
			sx_slock(&sxt.lock);
			note_readers();
			if (sxt.a != sxt.b)
				__atomic_add_fetch(&sxt.torn, 1, __ATOMIC_RELAXED);
			for (int s = 0; s < RACE_SPINS * 4; s++)
				cpu_spinwait();
			if (n % YIELD_EVERY == 1)
				sched_yield();
			if (sxt.a != sxt.b)
				__atomic_add_fetch(&sxt.torn, 1, __ATOMIC_RELAXED);
			__atomic_sub_fetch(&sxt.inside, 1, __ATOMIC_RELAXED);
			sx_sunlock(&sxt.lock);
			break;
		}
	}
}

static bool other_result;

static void
sx_try_reader(void *arg, int i)
{
	(void)arg;
	(void)i;
	other_result = sx_try_slock(&sxt.lock);
	if (other_result)
		sx_sunlock(&sxt.lock);
}

static void
test_sx(void)
{
	int n = nthreads(), done;

	sxt.a = sxt.b = sxt.writes = sxt.upgrades = sxt.torn = sxt.inside = sxt.max_inside = 0;
	sx_slock(&sxt.lock);
	selftest_ok(sx_slocked_by_any(&sxt.lock) && !sx_xlocked(&sxt.lock) &&
	    !sx_try_xlock(&sxt.lock), "sx: held shared, a writer cannot get in");
	other_result = false;
	selftest_threads(1, sx_try_reader, NULL, WAIT_MS);
	selftest_ok(other_result, "sx: held shared, another reader gets in");
	sx_sunlock(&sxt.lock);
	sx_xlock(&sxt.lock);
	other_result = true;
	selftest_threads(1, sx_try_reader, NULL, WAIT_MS);
	selftest_ok(!other_result, "sx: held exclusive, a reader cannot get in");
	selftest_ok(sx_xlocked(&sxt.lock) && !sx_slocked_by_any(&sxt.lock),
	    "sx: exclusive, owned by this thread");
	sx_downgrade(&sxt.lock);
	selftest_ok(!sx_xlocked(&sxt.lock) && sx_slocked_by_any(&sxt.lock),
	    "sx: downgraded to shared");
	selftest_ok(sx_try_upgrade(&sxt.lock) && sx_xlocked(&sxt.lock),
	    "sx: the only reader upgrades");
	sx_xunlock(&sxt.lock);
	selftest_ok(sxt.lock.sx_lock == SX_UNLOCKED, "sx: unlocked");

	done = selftest_threads(n, sx_worker, NULL, WAIT_MS);
	selftest_ok(done == n && sxt.a == sxt.writes && sxt.b == sxt.writes && sxt.torn == 0,
	    "sx: %d threads: %lu writes (%lu by upgrade), a %lu b %lu, %lu torn reads",
	    n, sxt.writes, sxt.upgrades, sxt.a, sxt.b, sxt.torn);
	if (ncpu > 1)
		selftest_ok(sxt.max_inside > 1, "sx: readers shared it (%lu at once)",
		    sxt.max_inside);
	selftest_ok(sxt.lock.sx_lock == SX_UNLOCKED, "sx: unlocked with no waiters after");
	sx_destroy(&sxt.lock);
}

/*
 * Condition variables.
 */

static struct {
	struct mtx	m;
	struct cv	cv;
	uint64_t	generation;	/* (m) bumped by the test to release waiters */
	int		waiting;	/* (m) */
	int		woken;		/* (m) */
} cvt = { .m = MTX_INITIALIZER("selftest cv mutex"), .cv = CV_INITIALIZER("selftest cv") };

static void
cv_waiter(void *arg, int i)
{
	uint64_t gen;

	(void)arg;
	(void)i;
	mtx_lock(&cvt.m);
	gen = cvt.generation;
	cvt.waiting++;
	while (cvt.generation == gen)
		cv_wait(&cvt.cv, &cvt.m);
	cvt.woken++;
	KASSERT(mtx_owned(&cvt.m), ("cv_waiter: mutex not held after cv_wait"));
	mtx_unlock(&cvt.m);
}

/* Wait until want threads wait; whether they do in time. */
static bool
wait_waiting(int want)
{
	for (int ms = 0; ms < 5000; ms++) {
		bool all;

		mtx_lock(&cvt.m);
		all = cvt.waiting == want;
		mtx_unlock(&cvt.m);
		if (all)
			return true;
		selftest_sleep_ms(1);
	}
	return false;
}

static int
woken(void)
{
	int w;

	mtx_lock(&cvt.m);
	w = cvt.woken;
	mtx_unlock(&cvt.m);
	return w;
}

static void
test_cv_wakeups(void)
{
	int n = nthreads();
	struct selftest_group *g;
	bool ok;

	cvt.generation = 0;
	cvt.waiting = cvt.woken = 0;
	g = selftest_threads_start(n, cv_waiter, NULL, SCHED_ANY_CPU);
	ok = wait_waiting(n);
	/* A signal with the condition unchanged: the woken one waits again. */
	cv_signal(&cvt.cv);
	selftest_sleep_ms(20);
	selftest_ok(ok && woken() == 0, "cv: %d threads wait; a spurious cv_signal releases none",
	    n);
	mtx_lock(&cvt.m);
	cvt.generation++;
	mtx_unlock(&cvt.m);
	cv_broadcast(&cvt.cv);
	selftest_ok(selftest_threads_wait(g, WAIT_MS) == n && woken() == n,
	    "cv: cv_broadcast wakes all %d (%d woke)", n, woken());

	cvt.waiting = cvt.woken = 0;
	g = selftest_threads_start(3, cv_waiter, NULL, SCHED_ANY_CPU);
	ok = wait_waiting(3);
	mtx_lock(&cvt.m);
	cvt.generation++;
	mtx_unlock(&cvt.m);
	cv_signal(&cvt.cv);
	for (int ms = 0; ms < 2000 && woken() == 0; ms++)
		selftest_sleep_ms(1);
	selftest_sleep_ms(20);
	selftest_ok(ok && woken() == 1, "cv: cv_signal wakes one of three (%d woke)", woken());
	cv_broadcast(&cvt.cv);
	selftest_ok(selftest_threads_wait(g, WAIT_MS) == 3 && woken() == 3,
	    "cv: cv_broadcast wakes the other two");
}

/* A bounded buffer: producers and consumers on every cpu, two condition variables. */
static struct {
	struct mtx	m;
	struct cv	not_full, not_empty;
	uint64_t	slot[BUF_SLOTS];	/* (m) */
	int		head, count;		/* (m) */
	int		producers;		/* (C) */
	uint64_t	consumed_sum;		/* (A) */
	uint64_t	consumed;		/* (A) */
} buf = { .m = MTX_INITIALIZER("selftest buffer"), .not_full = CV_INITIALIZER("not full"),
    .not_empty = CV_INITIALIZER("not empty") };

static void
buffer_worker(void *arg, int i)
{
	(void)arg;
	for (int n = 0; n < BUF_ITEMS; n++) {
		mtx_lock(&buf.m);
		if (i < buf.producers) {
			while (buf.count == BUF_SLOTS)
				cv_wait(&buf.not_full, &buf.m);
			buf.slot[(buf.head + buf.count++) % BUF_SLOTS] = (uint64_t)i * BUF_ITEMS + n + 1;
			cv_signal(&buf.not_empty);
		} else {
			while (buf.count == 0)
				cv_wait(&buf.not_empty, &buf.m);
			__atomic_add_fetch(&buf.consumed_sum, buf.slot[buf.head], __ATOMIC_RELAXED);
			__atomic_add_fetch(&buf.consumed, 1, __ATOMIC_RELAXED);
			buf.head = (buf.head + 1) % BUF_SLOTS;
			buf.count--;
			cv_signal(&buf.not_full);
		}
		mtx_unlock(&buf.m);
	}
}

static void
test_cv_buffer(void)
{
	int n = nthreads(), done;
	uint64_t items, want;

	buf.producers = n / 2;
	buf.head = buf.count = 0;
	buf.consumed = buf.consumed_sum = 0;
	done = selftest_threads(2 * buf.producers, buffer_worker, NULL, WAIT_MS);
	items = (uint64_t)buf.producers * BUF_ITEMS;
	want = items * (items + 1) / 2;		/* items are numbered 1 .. items */
	selftest_ok(done == 2 * buf.producers && buf.consumed == items &&
	    buf.consumed_sum == want && buf.count == 0,
	    "cv: %d producers and %d consumers moved %lu items through %d slots (sum %lu, want %lu)",
	    buf.producers, buf.producers, buf.consumed, BUF_SLOTS, buf.consumed_sum, want);
}

static void
test_cv_timeout(void)
{
	static struct mtx m = MTX_INITIALIZER("selftest timed mutex");
	static struct cv cv = CV_INITIALIZER("selftest timed cv");
	uint64_t t0 = selftest_now_us(), elapsed;
	int error;

	mtx_lock(&m);
	error = cv_timedwait(&cv, &m, sleepq_deadline_ns(30 * 1000000UL));
	elapsed = selftest_now_us() - t0;
	selftest_ok(error == ETIMEDOUT && mtx_owned(&m) && elapsed >= 30000,
	    "cv: cv_timedwait times out after %lu us, with the mutex held again", elapsed);
	error = cv_timedwait_sig(&cv, &m, cpu_time() - 1);
	selftest_ok(error == ETIMEDOUT && mtx_owned(&m),
	    "cv: a deadline already past times out at once");
	mtx_unlock(&m);
	cv_destroy(&cv);
	mtx_destroy(&m);
}

/* A thread of a made-up process waits with cv_wait_sig; SIGUSR1 ends the wait. */
static struct proc cv_proc;
static struct thread *cv_sig_thread;	/* (A) */
static int cv_sig_result;

static void
cv_sig_waiter(void *arg, int i)
{
	struct thread *td = curthread();

	(void)arg;
	(void)i;
	selftest_join_proc(&cv_proc);
	mtx_lock(&cvt.m);
	__atomic_store_n(&cv_sig_thread, td, __ATOMIC_RELEASE);
	cv_sig_result = cv_wait_sig(&cvt.cv, &cvt.m);
	KASSERT(mtx_owned(&cvt.m), ("cv_sig_waiter: mutex not held after cv_wait_sig"));
	mtx_unlock(&cvt.m);
	selftest_leave_proc();
}

static void
test_cv_signal(void)
{
	struct selftest_group *g;
	bool asleep = false;

	selftest_fake_proc(&cv_proc, 999997);
	cv_proc.p_sigacts[SIGUSR1].sa_handler = FAKE_HANDLER;
	cv_sig_thread = NULL;
	cv_sig_result = -1;
	g = selftest_threads_start(1, cv_sig_waiter, NULL, (int)(ncpu - 1));
	for (int ms = 0; ms < 5000 && !asleep; ms++) {
		struct thread *td = __atomic_load_n(&cv_sig_thread, __ATOMIC_ACQUIRE);

		asleep = td != NULL && __atomic_load_n(&td->td_wchan, __ATOMIC_ACQUIRE) == &cvt.cv;
		if (!asleep)
			selftest_sleep_ms(1);
	}
	psignal(&cv_proc, SIGUSR1);
	selftest_ok(selftest_threads_wait(g, WAIT_MS) == 1 && asleep && cv_sig_result == ERESTARTSYS,
	    "cv: a signal ends cv_wait_sig with ERESTARTSYS, the mutex held again (%d)",
	    cv_sig_result);
	memset(&cv_proc, 0, sizeof(cv_proc));
}

static void
run_lock_tests(void)
{
	test_mutex();
	test_sx();
	test_cv_wakeups();
	test_cv_buffer();
	test_cv_timeout();
	test_cv_signal();
}
SELFTEST(sleeplocks, run_lock_tests);
