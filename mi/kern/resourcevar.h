/*
 * Resource usage: what getrusage(2), wait4(2), times(2), the CPU-time
 * clocks and the CPU-time interval timers report (after FreeBSD's
 * resourcevar.h and Linux's cputime accounting).
 *
 * Each thread counts its own usage (struct thread): its running time,
 * exact, in timebase ticks, added up by the scheduler at every switch;
 * the clock ticks that found it in user mode and in the kernel (a sample,
 * HZ a second); page faults; and context switches.  User and system time
 * are its running time split in the proportion of those ticks (Linux's
 * cputime_adjust), and never go backwards from one report to the next.
 * A process's usage is that of its threads, living and exited (what an
 * exited thread used is added to p_dead_totals as it leaves); what its
 * reaped children used (with their own children) is kept in p_cusage.
 *
 * The functions take the scheduler lock and the process's p_timer_lock;
 * the caller holds neither.
 */
#ifndef _KERN_RESOURCEVAR_H_
#define _KERN_RESOURCEVAR_H_

#include <kern/types.h>

struct proc;
struct thread;
struct rusage;

/* Usage as getrusage reports it: times in nanoseconds. */
struct kusage {
	uint64_t	ku_utime_ns;
	uint64_t	ku_stime_ns;
	uint64_t	ku_maxrss_kb;	/* the largest resident set */
	uint64_t	ku_minflt;
	uint64_t	ku_majflt;
	uint64_t	ku_nvcsw;
	uint64_t	ku_nivcsw;
};

/* A thread's raw counts (struct thread), summed over threads. */
struct thread_totals {
	uint64_t	tt_runtime;	/* timebase ticks on a cpu, exact */
	uint64_t	tt_uticks;	/* clock ticks that found it in user mode */
	uint64_t	tt_sticks;	/* and in the kernel */
	uint64_t	tt_minflt;
	uint64_t	tt_majflt;
	uint64_t	tt_nvcsw;
	uint64_t	tt_nivcsw;
};

/* Add td's counts so far to *tt.  Takes sched_lock. */
void thread_totals_add(struct thread *td, struct thread_totals *tt);

/* The last user/system split reported, which the next must not undercut. */
struct cputime_split {
	uint64_t	cs_utime_ns;
	uint64_t	cs_stime_ns;
};

/* An interval timer counting CPU time (ITIMER_VIRTUAL, ITIMER_PROF). */
struct cpu_itimer {
	uint64_t	ci_value;	/* timebase ticks left, 0: off */
	uint64_t	ci_interval;	/* reloaded with this, 0: one shot */
};
#define CPU_ITIMERS	2		/* index: ITIMER_VIRTUAL - 1, ITIMER_PROF - 1 */

/* The usage of p (all its threads), of td alone, and of p's reaped children. */
void proc_usage(struct proc *p, struct kusage *ku);
void thread_usage(struct thread *td, struct kusage *ku);
void proc_children_usage(struct proc *p, struct kusage *ku);
/* dst += src (maxrss: the larger). */
void kusage_add(struct kusage *dst, const struct kusage *src);
/* In the user's struct rusage. */
void kusage_to_rusage(const struct kusage *ku, struct rusage *ru);

/* CPU time in nanoseconds, exact (CLOCK_PROCESS_CPUTIME_ID and friends). */
uint64_t proc_runtime_ns(struct proc *p);
uint64_t thread_runtime_ns(struct thread *td);

/*
 * Note the resident set size of vm, p's address space (which the caller
 * keeps alive; NULL: none), in p's peak, before something may shrink it
 * (unmapping, exec, exit).
 */
struct vmspace;
void proc_note_rss(struct proc *p, struct vmspace *vm);

/*
 * The clock interrupt's share (kern_time.c, from kern_clock.c): td has
 * run for tick more timebase ticks, in user mode or not: its process's
 * CPU-time timers run down, posting SIGVTALRM and SIGPROF.
 */
void cpu_itimer_tick(struct thread *td, bool user, uint64_t tick);

#endif
