/*
 * The scheduler: one run queue shared by all cpus, round robin with a
 * time slice, and sleep/wakeup on channels (after 4.4BSD and xv6).
 *
 * Locking: sched_lock (a spin lock) guards every thread's state, the run
 * queue and the sleep queue.  A thread gives up the cpu holding
 * sched_lock and nothing else; the thread that runs next releases it.
 */
#ifndef _KERN_SCHED_H_
#define _KERN_SCHED_H_

#include <kern/types.h>
#include <kern/spinlock.h>

struct thread;

#define SCHED_SLICE_TICKS	5	/* 50 ms at 100 Hz */

extern struct spinlock sched_lock;

void sched_init(void);
/* Make a new kernel thread that runs fn(arg); it starts when scheduled. */
struct thread *thread_create(const char *name, void (*fn)(void *), void *arg);
struct thread *thread_alloc(const char *name);	/* stack and structure only */
void thread_free(struct thread *td);		/* a dead thread's stack and structure */
void thread_exit(void) __attribute__((noreturn));

void sched_add(struct thread *td);		/* make runnable (sched_lock not held) */
void sched_loop(void) __attribute__((noreturn));	/* each cpu's idle thread */
void sched_start_secondaries(void);	/* let the other cpus into sched_loop */
bool sched_is_running(void);
void sched_yield(void);
void sched_clock(void);				/* from the clock interrupt (kern_clock.c) */
bool sched_should_yield(void);

/*
 * Sleep on chan, atomically releasing lk (which must be held, and is
 * held again on return).  lk may be &sched_lock itself.
 */
void sleep_on(const void *chan, struct spinlock *lk);
/*
 * Like sleep_on, but a signal ends the sleep: EINTR if a signal is
 * pending before or after sleeping, else 0.
 */
int sleep_on_intr(const void *chan, struct spinlock *lk);
void wakeup(const void *chan);
/* Wake td if it is in an interruptible sleep (a signal arrived). */
void sched_signal_thread(struct thread *td);
void wakeup_one(const void *chan);

struct thread *curthread(void);

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
/* The thread id handed out last (/proc/loadavg's last field). */
int sched_last_tid(void);

/*
 * The clock interrupt, HZ times a second on every cpu (kern_clock.c):
 * usermode says whether it interrupted user code.
 */
void hardclock(bool usermode);

/* Sleeping with a deadline: sleep on clock_tick_chan, woken every tick. */
extern const char clock_tick_chan;
void clock_wake_sleepers(void);		/* the clock interrupt, cpu 0 */

#endif
