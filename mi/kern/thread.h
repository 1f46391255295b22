/*
 * Threads.  Each cpu has an idle thread (its boot thread), which runs the
 * scheduler loop; every other thread is a kernel thread or one of the
 * threads of a user process (kern_thread.c).  A thread that has exited is
 * freed by the idle thread of the cpu it last ran on, once it has
 * switched away for good.
 *
 * Locking:
 *   (T) used by assembly at a fixed offset
 *   (S) sched_lock
 *   (Q) the lock of the sleep queue chain the thread sleeps on (see
 *       sleepqueue.h); the thread writes these before it sleeps, its
 *       waker while it sleeps
 *   (C) constant after creation
 *   (L) only the thread itself touches it
 *   (c) the clock interrupt of the cpu running the thread; others read it
 *       atomically
 *   (P) its process's p_threadlock
 *   (A) atomic
 *   (I) sig_info_lock (kern_sig.c)
 *   (D) tid_lock (kern_pid.c)
 *   (R) reap_lock (sched.c)
 */
#ifndef _KERN_THREAD_H_
#define _KERN_THREAD_H_

#include <kern/types.h>
#include <kern/list.h>
#include <machine/pcb.h>
#include <kern/signal.h>
#include <kern/resourcevar.h>

struct proc;
struct thread;
struct trapframe;
struct vmspace;

#define TD_SLEEPLOCKS_MAX	8	/* sleep locks one thread may hold at once */

/*
 * How restart_syscall continues a call that a signal interrupted and
 * that must not simply run again from the start (a relative sleep goes
 * on to its first deadline, not a new one).  Set by the call when it
 * returns -ERESTART_RESTARTBLOCK.
 */
struct restart_block {
	long		(*rb_fn)(struct thread *td, const struct restart_block *rb);
	uint64_t	rb_deadline;	/* cpu_time() the call ends at */
	uint64_t	rb_arg[2];	/* the call's own */
};

enum thread_state {
	TDS_NEW,		/* made, never run */
	TDS_RUNNABLE,		/* on the run queue */
	TDS_RUNNING,		/* on a cpu */
	TDS_SLEEPING,		/* waiting for a wakeup on td_wchan */
	TDS_DEAD,		/* exited; its stack may be freed by someone else */
};

struct thread {
	vaddr_t		td_onfault;	/* (T) pc to resume at if a copy helper faults */
	vaddr_t		td_kstack_top;	/* (C) top of its kernel stack */
	vaddr_t		td_kstack_lo;	/* (C) lowest byte of its kernel stack */
	const char	*td_name;	/* (C) */
	int		td_tid;		/* (C, D); exec makes a thread its process's leader,
					 * taking the pid as its tid, when it is the only one */
	struct vmspace	*td_vmspace;	/* (L) user address space it runs in, or NULL */
	struct proc	*td_proc;	/* (C) its process, or NULL for kernel threads */
	struct trapframe *td_frame;	/* (L) user registers, at the top of its stack */
	struct switchframe td_switch;	/* (S, T) registers while switched out */
	enum thread_state td_state;	/* (S); into and out of TDS_SLEEPING also (Q) */
	const void	*td_wchan;	/* (Q) what it sleeps on, NULL when awake; (A) read */
	int		td_sleep_queue;	/* (Q) which of the channel's queues */
	int		td_sleep_result; /* (Q) 0, ETIMEDOUT or ERESTARTSYS, set by the waker */
	uint64_t	td_deadline;	/* (Q) cpu_time() its sleep times out at, 0: never */
	struct list_node td_sleepq;	/* (Q) on its sleep queue chain */
	struct list_node td_runq;	/* (S) on the run queue */
	uint32_t	td_flags;	/* (A) TDF_* */
	uint32_t	td_cpu;		/* (S) cpu it last ran on */
	uint32_t	td_stopgen;	/* its process's p_threadlock: the p_stopgen of the
					 * last stop it took part in (kern_jobctl.c) */
	uint64_t	td_ticks;	/* (L) clock ticks in this time slice */
	uint64_t	td_sigmask;	/* (L) blocked signals (never SIGKILL, SIGSTOP) */
	uint64_t	td_clear_child_tid; /* (L) user address cleared and woken at exit */
	uint32_t	td_nsleeplocks;	/* (L) entries in td_sleeplocks */
	uint32_t	td_sleeplock_unchained; /* (L) of them marked unchained */
	const void	*td_sleeplocks[TD_SLEEPLOCKS_MAX]; /* (L) sleep locks held, oldest first */
	uint16_t	td_sleeplock_class[TD_SLEEPLOCKS_MAX]; /* (L) and their lock-order classes */
	int		td_sysrestart;	/* (L) the ERESTARTSYS* code the last system call returned, or 0 */
	uint64_t	td_sysarg0;	/* (L) and its first argument, to run it again */
	struct restart_block td_restart; /* (L) for restart_syscall; rb_fn NULL: none */
	struct fpstate	td_fp;		/* (L) user floating-point registers */
	/* Resource usage (kern_resource.c turns it into getrusage's answer). */
	uint64_t	td_runtime;	/* (S) timebase ticks on a cpu, this slice not counted */
	uint64_t	td_uticks;	/* (c) clock ticks that found it in user mode */
	uint64_t	td_sticks;	/* (c) clock ticks that found it in the kernel */
	uint64_t	td_minflt;	/* (L) page faults resolved from memory */
	uint64_t	td_majflt;	/* (L) page faults a pager had to fill */
	uint64_t	td_nvcsw;	/* (S) times it gave up the cpu to sleep */
	uint64_t	td_nivcsw;	/* (S) times it gave it up still runnable */
	struct cputime_split td_cputime_prev;	/* its process's p_timer_lock: the last
						 * split RUSAGE_THREAD reported */
	uint64_t	td_cpumask;	/* (S) cpus it may run on (sched_setaffinity) */
	/* The alternate signal stack (sigaltstack; kern_sig.c). */
	uint64_t	td_sigstk_sp;	/* (L) its lowest address */
	uint64_t	td_sigstk_size;	/* (L) 0: there is none */
	uint32_t	td_sigstk_flags; /* (L) the flags it was set with */
	/* Its place among its process's threads, and what is sent to it alone. */
	struct list_node td_plist;	/* (P) on its process's p_threads while it lives */
	struct list_node td_alltid;	/* (D) among the threads whose ids are in use */
	struct list_node td_reapq;	/* (R) dead, waiting for the reaper (sched.c) */
	uint64_t	td_sigpending;	/* (A) signals sent to this thread alone (tgkill,
					 * the kill that ends it with its process) */
	struct ksiginfo	td_siginfo[NSIG_LINUX + 1];	/* (I) details of those */
};

#define TDF_NEEDRESCHED	0x0001		/* give up the cpu at the next chance */
#define TDF_FPUSED	0x0002		/* td_fp holds live state */
#define TDF_IDLE	0x0004		/* a cpu's idle thread */
#define TDF_SLEEPINTR	0x0008		/* (Q) its sleep can be ended by a signal */
#define TDF_JOINABLE	0x0010		/* (C) freed by thread_join, not the scheduler */
#define TDF_MEMRESERVE	0x0020		/* (C) frees memory (page daemon, laundry): may take
					 * the last free pages (vm_page.h) */


#endif
