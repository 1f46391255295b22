/*
 * The scheduler: one run queue shared by all cpus, round robin with a
 * time slice (after 4.4BSD and xv6).  Threads wait for events on sleep
 * queues (sleepqueue.h), which call sched_sleep and sched_wakeup.
 *
 * Locking: sched_lock (a spin lock) guards every thread's state and the
 * run queue; it comes after a sleep queue chain lock in the lock order.
 * A thread gives up the cpu holding sched_lock and nothing else; the
 * thread that runs next releases it.
 */
#ifndef _KERN_SCHED_H_
#define _KERN_SCHED_H_

#include <kern/types.h>
#include <kern/pcpu.h>
#include <kern/spinlock.h>
#include <kern/sleepqueue.h>
#include <machine/cpu.h>

struct thread;

#define SCHED_SLICE_TICKS	5	/* 50 ms at 100 Hz */

extern struct spinlock sched_lock;

#define SCHED_ANY_CPU	(-1)		/* a thread not bound to one cpu */

void sched_init(void);
#define THREAD_JOINABLE	0x1		/* thread_join frees it, not the scheduler */
#define THREAD_MEMRESERVE 0x2		/* it frees memory: may take the last free pages */

/* Make a new kernel thread that runs fn(arg); it starts when scheduled. */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg);
/* The same, for a thread that only ever runs on cpu (or SCHED_ANY_CPU), with THREAD_* flags. */
struct thread *thread_start(const char *name, void (*fn)(void *), void *arg, int cpu,
    int flags);
/*
 * A thread's stack, structure and id (pid.h), not yet running: NULL with
 * *errorp ENOMEM, or EAGAIN when every id below pid_max is in use.
 */
struct thread *thread_new(const char *name, int *errorp);
struct thread *thread_alloc(const char *name);	/* the same, when the reason does not matter */
void thread_free(struct thread *td);		/* a dead thread's stack and structure */
void thread_exit(void) __attribute__((noreturn));
/* Wait until td has exited and switched away from its stack for good. */
void thread_wait_dead(struct thread *td);
/* Wait for the THREAD_JOINABLE td to exit, and free it. */
void thread_join(struct thread *td);

void sched_add(struct thread *td);		/* make runnable (sched_lock not held) */
void sched_loop(void) __attribute__((noreturn));	/* each cpu's idle thread */
void sched_start_secondaries(void);	/* let the other cpus into sched_loop */
bool sched_is_running(void);
void sched_yield(void);
/*
 * A parent's step after making a child runnable by fork: unless
 * /proc/sys/kernel/sched_child_runs_first is 0, give way so that the
 * child runs first.  A child that execs or exits at once (fork+exec,
 * fork+_exit) then drops its share of the parent's copy-on-write pages
 * before the parent writes to them again, which then copies nothing
 * (4.4BSD ran the child first for this; Linux had the same switch, off).
 * => no lock held
 */
void sched_fork_yield(void);
uint64_t sched_child_first_get(void);
int sched_child_first_set(uint64_t value);	/* 0 or EINVAL */
void sched_clock(void);				/* from the clock interrupt (kern_clock.c) */
/* Instructions every cpu retired asleep in its idle loop (/proc/vmstat idle_instret). */
uint64_t sched_idle_instret(void);
bool sched_should_yield(void);
/*
 * For sleep queues: the current thread, which they have marked
 * TDS_SLEEPING, gives up the cpu until sched_wakeup.
 * => sched_lock held, and no other spin lock; held again on return
 */
void sched_sleep(void);
/* Make td, which sleeps, runnable.  sched_lock not held. */
void sched_wakeup(struct thread *td);
/*
 * If td runs on another cpu, interrupt it: it sees what was just posted
 * for it (a signal, a stop) on its way back to user mode, not at its next
 * clock tick (Linux's kick_process).  sched_lock not held.
 */
void sched_kick(struct thread *td);
/* Whether td is running on cpu now (a racy look, for spinning on a lock's owner). */
bool sched_running_on(const struct thread *td, uint32_t cpu);

/* The thread running on this cpu (inline: every system call asks). */
static inline struct thread *
curthread(void)
{
	return curcpu()->pc_curthread;
}

/*
 * Affinity: the cpus td may run on, a bit per cpu id.  sched_set_cpumask
 * limits td to mask (which must name an online cpu) and moves it off a
 * cpu it may no longer use at its next return to user mode.
 */
#define CPUMASK_ALL	(~0UL)
uint64_t sched_online_cpumask(void);
uint64_t sched_get_cpumask(struct thread *td);
void sched_set_cpumask(struct thread *td, uint64_t mask);

/*
 * td's running time in timebase ticks, its current slice included, and
 * its voluntary and involuntary context switches.
 */
uint64_t sched_thread_runtime(struct thread *td, uint64_t *nvcsw, uint64_t *nivcsw);

/*
 * What the load average counts right now (kern_loadavg.c): threads
 * running or waiting for a cpu (idle threads aside), and user threads
 * in an uninterruptible sleep.  *nthreads: every thread that exists.
 */
void sched_load_sample(uint32_t *nrunning, uint32_t *nuninterruptible, uint32_t *nthreads);

/*
 * The clock interrupt, HZ times a second on every cpu (kern_clock.c):
 * usermode says whether it interrupted user code.
 */
void hardclock(bool usermode);

#endif
