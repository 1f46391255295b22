/*
 * Self-tests of sleep queues: who a wakeup wakes (the oldest sleeper for
 * wakeup_one, every sleeper of the channel and no other for wakeup, even
 * on a shared chain), timeouts (in deadline order, never early, none at
 * all for a deadline already past), signals (an interruptible sleep ends
 * with ERESTARTSYS, an uninterruptible or blocked one does not), and a ring
 * of threads on every cpu passing a token with sleep and wakeup, where a
 * lost wakeup would stall the ring.
 */
#include <kern/systm.h>
#include <kern/pcpu.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/selftest.h>
#include <kern/signal.h>
#include <kern/sleepqueue.h>
#include <kern/thread.h>
#include <machine/cpu.h>

#define SAFETY_MS	5000	/* a sleep the test ends itself times out after this */
#define WAIT_MS		10000	/* how long the test waits for its threads */
#define ASLEEP_POLL_MS	2000	/* how long a thread may take to fall asleep */
#define LATE_MS		250	/* how late a timeout may be on a busy host */
#define NSLEEPERS	8
#define FAKE_HANDLER	((__sighandler_t)0x1000)	/* a "handler" address; these threads never run it */
#define RING_ROUNDS	200
#define RING_MAX	16

static char chans[SLEEPQ_CHAINS * 4];	/* wait channels */

struct sleeper {
	const void	*chan;
	int		flags;		/* SLEEPQ_INTR */
	uint64_t	timeout_ms;	/* 0: SAFETY_MS */
	struct proc	*proc;		/* for signals: the thread's (fake) process */
	uint64_t	sigmask;	/* blocked while it sleeps */
	struct thread	*td;		/* (A) the thread, once it runs */
	int		result;		/* what the sleep returned */
	int		order;		/* 1 for the first sleeper to wake, ... */
	uint64_t	elapsed_us;
};

static struct sleeper sleepers[NSLEEPERS];
static struct selftest_group *groups[NSLEEPERS];
static int wake_order;			/* (A) */
static struct proc sig_proc;

static void
sleeper_main(void *arg, int i)
{
	struct sleeper *s = (struct sleeper *)arg + i;
	struct thread *td = curthread();
	uint64_t ms = s->timeout_ms ? s->timeout_ms : SAFETY_MS, t0;

	if (s->proc != NULL) {
		td->td_sigmask = s->sigmask;
		selftest_join_proc(s->proc);
	}
	__atomic_store_n(&s->td, td, __ATOMIC_RELEASE);
	t0 = selftest_now_us();
	s->result = sleep_on_timed(s->chan, NULL, s->flags, sleepq_deadline_ns(ms * 1000000));
	s->elapsed_us = selftest_now_us() - t0;
	s->order = __atomic_add_fetch(&wake_order, 1, __ATOMIC_RELAXED);
	if (s->proc != NULL) {
		selftest_leave_proc();
	}
}

/* Start sleeper k on cpu. */
static void
start_sleeper_on(int k, struct sleeper s, int cpu)
{
	sleepers[k] = s;
	sleepers[k].result = -1;
	groups[k] = selftest_threads_start(1, sleeper_main, &sleepers[k], cpu);
}

/* Start sleeper k on cpu k % ncpu. */
static void
start_sleeper(int k, struct sleeper s)
{
	start_sleeper_on(k, s, (int)(k % ncpu));
}

/* Whether sleeper k is asleep on its channel. */
static bool
is_asleep(int k)
{
	struct thread *td = __atomic_load_n(&sleepers[k].td, __ATOMIC_ACQUIRE);

	return td != NULL && __atomic_load_n(&td->td_wchan, __ATOMIC_ACQUIRE) == sleepers[k].chan;
}

/* Wait until sleeper k is asleep; false if it does not get there in time. */
static bool
wait_asleep(int k)
{
	for (uint64_t waited = 0; waited < ASLEEP_POLL_MS; waited++) {
		if (is_asleep(k))
			return true;
		selftest_sleep_ms(1);
	}
	return false;
}

static bool
finished(int k)
{
	return selftest_threads_wait(groups[k], WAIT_MS) == 1;
}

/* A channel other than c that hashes to c's chain. */
static const void *
same_chain_as(const void *c)
{
	for (size_t i = 0; i < sizeof(chans); i++)
		if (&chans[i] != c && sleepq_chain_index(&chans[i]) == sleepq_chain_index(c))
			return &chans[i];
	panic("selftest: no two channels share a chain");
}

static void
reset(void)
{
	memset(sleepers, 0, sizeof(sleepers));
	wake_order = 0;
}

static void
test_wakeup(void)
{
	const void *a = &chans[0], *b = same_chain_as(a);
	bool asleep = true, ok;

	reset();
	for (int k = 0; k < 6; k++) {
		start_sleeper(k, (struct sleeper){ .chan = k < 4 ? a : b });
		asleep &= wait_asleep(k);
	}
	if (!selftest_ok(asleep, "wakeup: four threads asleep on a channel, two on another of its chain"))
		return;
	wakeup_one(a);
	ok = finished(0);
	selftest_ok(ok && sleepers[0].result == 0 && sleepers[0].order == 1 &&
	    is_asleep(1) && is_asleep(2) && is_asleep(3),
	    "wakeup_one wakes the thread that slept first, and only it (result %d)",
	    sleepers[0].result);
	wakeup(a);
	ok = finished(1) & finished(2) & finished(3);
	selftest_ok(ok && sleepers[1].result == 0 && sleepers[2].result == 0 &&
	    sleepers[3].result == 0 && is_asleep(4) && is_asleep(5),
	    "wakeup wakes every sleeper on the channel, none on the other channel");
	wakeup(b);
	ok = finished(4) & finished(5);
	selftest_ok(ok && sleepers[4].result == 0 && sleepers[5].result == 0,
	    "wakeup of the other channel wakes its two sleepers");
}

static void
test_timeouts(void)
{
	static const uint64_t ms[3] = { 90, 30, 60 };
	struct pcpu *pc = curcpu();
	uint64_t switches, t0;
	bool ok = true;
	int r;

	/*
	 * On one cpu, so that they run in the order they are woken even
	 * when a slow host makes two deadlines fall due in one tick.
	 */
	reset();
	for (int k = 0; k < 3; k++)
		start_sleeper_on(k, (struct sleeper){ .chan = &chans[1], .timeout_ms = ms[k] }, 0);
	for (int k = 0; k < 3; k++) {
		struct sleeper *s = &sleepers[k];

		ok &= finished(k);
		selftest_ok(s->result == ETIMEDOUT && s->elapsed_us >= ms[k] * 1000 &&
		    s->elapsed_us < (ms[k] + LATE_MS) * 1000,
		    "timeout: a %lu ms sleep ends with ETIMEDOUT after %lu us", ms[k],
		    s->elapsed_us);
	}
	selftest_ok(ok && sleepers[1].order == 1 && sleepers[2].order == 2 &&
	    sleepers[0].order == 3, "timeout: three sleepers on one chain wake in deadline order");

	/* This thread is bound to cpu 0: its switch count shows whether it slept. */
	KASSERT(curthread()->td_cpumask == 1UL << pc->pc_cpuid, ("selftest thread not bound"));
	switches = pc->pc_switches;
	r = sleep_on_timed(&chans[2], NULL, 0, cpu_time() - 1);
	selftest_ok(r == ETIMEDOUT && pc->pc_switches == switches,
	    "timeout: a deadline already past returns ETIMEDOUT without sleeping");

	reset();
	start_sleeper(0, (struct sleeper){ .chan = &chans[3], .timeout_ms = SAFETY_MS });
	t0 = selftest_now_us();
	ok = wait_asleep(0);
	wakeup(&chans[3]);
	ok &= finished(0);
	selftest_ok(ok && sleepers[0].result == 0 &&
	    selftest_now_us() - t0 < SAFETY_MS * 1000 / 2,
	    "timeout: a timed sleeper woken before its deadline returns 0");
}

static void
sig_proc_reset(void)
{
	selftest_fake_proc(&sig_proc, 999998);
	sig_proc.p_sigacts[SIGUSR1].sa_handler = FAKE_HANDLER;
}

/* Start a sleeper in sig_proc, let it fall asleep, post SIGUSR1. */
static bool
signal_sleeper(struct sleeper s)
{
	bool asleep;

	reset();
	sig_proc_reset();
	s.proc = &sig_proc;
	start_sleeper(0, s);
	asleep = wait_asleep(0);
	psignal(&sig_proc, SIGUSR1);
	return finished(0) && asleep;
}

static void
test_signals(void)
{
	struct sleeper *s = &sleepers[0];
	bool ok;

	ok = signal_sleeper((struct sleeper){ .chan = &chans[4], .flags = SLEEPQ_INTR });
	selftest_ok(ok && s->result == ERESTARTSYS && s->elapsed_us < SAFETY_MS * 1000 / 2,
	    "signal: an interruptible sleep ends with ERESTARTSYS (result %d)", s->result);

	ok = signal_sleeper((struct sleeper){ .chan = &chans[4], .timeout_ms = 200 });
	selftest_ok(ok && s->result == ETIMEDOUT,
	    "signal: an uninterruptible sleep goes on to its timeout (result %d)", s->result);

	ok = signal_sleeper((struct sleeper){ .chan = &chans[4], .flags = SLEEPQ_INTR,
	    .timeout_ms = 200, .sigmask = sigmask(SIGUSR1) });
	selftest_ok(ok && s->result == ETIMEDOUT,
	    "signal: a blocked signal does not end an interruptible sleep (result %d)", s->result);

	/* Pending before the sleep: it never sleeps. */
	reset();
	sig_proc_reset();
	sig_proc.p_sigpending = sigmask(SIGUSR1);
	start_sleeper(0, (struct sleeper){ .chan = &chans[4], .flags = SLEEPQ_INTR,
	    .proc = &sig_proc });
	ok = finished(0);
	selftest_ok(ok && s->result == ERESTARTSYS && s->elapsed_us < SAFETY_MS * 1000 / 2,
	    "signal: a signal already pending ends an interruptible sleep at once (result %d)",
	    s->result);
	sig_proc_reset();
}

/*
 * The ring: threads 0 .. n-1 on every cpu pass a token round and round;
 * each sleeps on its own channel until the token is its, under one spin
 * lock.  A lost wakeup leaves a thread asleep with the token, and the
 * ring stops (its sleeps time out).
 */
static struct {
	struct spinlock	lock;
	int		n;
	int		turn;		/* (lock) whose the token is */
	int		passes;		/* (lock) */
	int		timeouts;	/* (lock) */
	char		chan[RING_MAX];
} ring = { .lock = SPINLOCK_INITIALIZER("selftest ring") };

static void
ring_main(void *arg, int i)
{
	(void)arg;
	spin_lock(&ring.lock);
	for (int round = 0; round < RING_ROUNDS; round++) {
		while (ring.turn != i) {
			if (sleep_on_timed(&ring.chan[i], &ring.lock, 0,
			    sleepq_deadline_ns(SAFETY_MS * 1000000UL)) == ETIMEDOUT) {
				ring.timeouts++;
				goto out;
			}
		}
		ring.passes++;
		ring.turn = (i + 1) % ring.n;
		wakeup_one(&ring.chan[ring.turn]);
	}
out:
	spin_unlock(&ring.lock);
}

static void
test_ring(void)
{
	int done;

	ring.n = MIN(RING_MAX, (int)(2 * ncpu + 1));
	ring.turn = 0;
	ring.passes = 0;
	ring.timeouts = 0;
	done = selftest_threads(ring.n, ring_main, NULL, 60000);
	selftest_ok(done == ring.n && ring.passes == ring.n * RING_ROUNDS && ring.timeouts == 0,
	    "ring: %d threads on %u cpus passed the token %d times (want %d, %d timeouts)",
	    ring.n, ncpu, ring.passes, ring.n * RING_ROUNDS, ring.timeouts);
}

static void
run_sleepqueue_tests(void)
{
	test_wakeup();
	test_timeouts();
	test_signals();
	test_ring();
}
SELFTEST(sleepqueue, run_sleepqueue_tests);
