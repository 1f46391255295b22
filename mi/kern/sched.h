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
#include <kern/pcpu.h>
#include <kern/spinlock.h>
#include <machine/cpu.h>

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
void sched_clock(void);				/* from the clock interrupt */
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

/* The thread running on this cpu (inline: every system call asks). */
static inline struct thread *
curthread(void)
{
	return curcpu()->pc_curthread;
}

/* Sleeping with a deadline: sleep on clock_tick_chan, woken every tick. */
extern const char clock_tick_chan;
void clock_wake_sleepers(void);		/* the clock interrupt, cpu 0 */

#endif
