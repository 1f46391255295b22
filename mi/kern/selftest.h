/*
 * In-kernel self-tests, run at boot when the command line says
 * "selftest" (all) or "selftest=name,name".  Each test is a function
 * registered with SELFTEST(); it reports through selftest_ok(), which
 * prints one TAP line per check.  The plan line ("1..N") is printed after
 * the last test, which TAP allows.
 *
 * The tests run in a kernel thread bound to cpu 0, with the scheduler
 * running on every cpu, so a test may sleep and start threads of its own
 * (on chosen cpus, with thread_start or selftest_threads); nothing else
 * runs.
 */
#ifndef _KERN_SELFTEST_H_
#define _KERN_SELFTEST_H_

#include <kern/types.h>

struct selftest {
	const char	*name;
	void		(*fn)(void);
};

#define SELFTEST(name, fn)						\
	static const struct selftest selftest_##name			\
	__attribute__((used, section("selftests"), aligned(8))) = { #name, fn }

/* Report one check: "ok N - <desc>" or "not ok N - <desc>". Returns cond. */
bool selftest_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Report a check that cannot run here: "ok N # SKIP <why>". */
void selftest_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * For tests that borrow the running (kernel) thread as a user thread:
 * run on vm (NULL: no user address space), this cpu's translation and
 * the thread's fault context both; and a new address space with npages
 * of read-write, copy-on-write anonymous memory at base (NULL if none).
 */
struct vmspace;
void selftest_use_vmspace(struct vmspace *vm);
struct vmspace *selftest_scratch_vmspace(vaddr_t base, size_t npages);

/* Run the tests the command line selects; returns the number that failed. */
int selftest_run(const char *selection);
/*
 * Start a thread that runs the selection, prints the allocators' figures
 * if stats, and powers the machine off with the verdict.
 */
void selftest_start(const char *selection, bool stats);

/*
 * Threads for tests: start fn(arg, i) for i = 0 .. n-1, each in a kernel
 * thread of its own bound to cpu i % ncpu (or to cpu, if not
 * SCHED_ANY_CPU); then wait up to timeout_ms for every one to return.
 * Waiting returns how many did; a thread still running after that keeps
 * its (leaked) bookkeeping, and arg must outlive it.  selftest_threads
 * does both.
 */
struct selftest_group;
struct selftest_group *selftest_threads_start(int n, void (*fn)(void *arg, int i), void *arg,
    int cpu);
int selftest_threads_wait(struct selftest_group *g, uint64_t timeout_ms);
int selftest_threads(int n, void (*fn)(void *arg, int i), void *arg, uint64_t timeout_ms);
/* Sleep (uninterruptibly) for at least ms milliseconds. */
void selftest_sleep_ms(uint64_t ms);
/* Microseconds of cpu_time() (the timebase counter). */
uint64_t selftest_now_us(void);

/*
 * Made-up processes for signal tests: selftest_fake_proc clears p and
 * makes it a living process numbered pid with no threads; the current
 * kernel thread then joins it (its signals reach the thread) and leaves
 * it again before it exits.
 */
struct proc;
void selftest_fake_proc(struct proc *p, int pid);
void selftest_join_proc(struct proc *p);
void selftest_leave_proc(void);

#endif
