/*
 * Signals, with Linux riscv64 numbers and flags (uapi/signal.h) and
 * frame layout (machine/ucontext.h).
 *
 * A signal is posted to a process (kill) or raised by a fault in its
 * thread (trapsignal); delivery happens on the way back to user mode,
 * where signal_deliver() either acts on the default disposition
 * (terminate, ignore, or stop: kern_jobctl.c) or builds a signal frame
 * on the user stack (siginfo, then ucontext with the general and
 * floating-point registers) and enters the handler with its return
 * address set to the kernel's sigreturn trampoline, mapped read-only and
 * executable in every process at SIGCODE_VA.
 *
 * The machine-independent half is mi/kern/kern_sig.c, with the shared
 * page that holds the trampoline in kern_sharedpage.c; the frame itself
 * (its layout is in machine/ucontext.h) and sigreturn are in
 * arch/<arch>/sig_machdep.c.
 */
#ifndef _KERN_SIGNAL_H_
#define _KERN_SIGNAL_H_

#include <kern/types.h>
#include <kern/syscall.h>
#include <machine/param.h>
#include <uapi/signal.h>

struct thread;
struct proc;
struct restart_block;
struct vmspace;

#define NSIG_LINUX	_NSIG		/* the highest signal number */
#define sigmask(sig)	(1UL << ((sig) - 1))
/* Signals no mask may block and no handler may catch. */
#define SIG_CANTMASK	(sigmask(SIGKILL) | sigmask(SIGSTOP))

/* The sigreturn trampoline's page, the same in every process. */
#define SIGCODE_VA	(USER_MAX - PAGE_SIZE)

/*
 * What the kernel knows about one signal instance; the machine-dependent
 * code turns it into the user's siginfo_t.
 */
struct ksiginfo {
	int32_t		ksi_signo;
	int32_t		ksi_code;	/* SI_*, or the fault's *_ code */
	int32_t		ksi_pid;	/* sender (SI_USER, SI_TKILL), child (SIGCHLD) */
	uint32_t	ksi_uid;
	int32_t		ksi_status;	/* SIGCHLD: exit status or signal */
	int32_t		ksi_pad;
	vaddr_t		ksi_addr;	/* faults: the address */
};

/*
 * Post sig to p (kill, alarms, SIGCHLD) with si_code SI_KERNEL; wakes it
 * if it sleeps interruptibly and the signal is not blocked.  A signal
 * that p ignores (and does not block) is discarded at once.  The caller
 * keeps p from being freed (holds proc_lock, or p is its own process);
 * psignal takes sched_lock, so proc_lock may be held, sched_lock not.
 */
void psignal(struct proc *p, int sig);
/* The same with full information (kill, SIGCHLD with CLD_*). */
void psignal_info(struct proc *p, const struct ksiginfo *ksi);
/*
 * A synchronous fault in td (the current thread, user trap path,
 * interrupts on): the handler's frame is built at once; a blocked or
 * ignored fault signal, or one with the default action, kills the
 * process (does not return).
 */
void trapsignal(struct thread *td, int sig, int code, vaddr_t addr);
/*
 * On the way back to user mode (interrupts on, no locks held): act on
 * every pending, unblocked signal.  May not return (default action).
 */
void signal_deliver(struct thread *td);
bool signal_pending(struct thread *td);	/* any deliverable signal */
/* Does td block sig, or its process ignore it (SIG_IGN)?  (Terminal job control.) */
bool signal_ignored_or_blocked(struct thread *td, int sig);
/* Set td's (the current thread's) blocked set; SIGKILL, SIGSTOP stay unblocked. */
void signal_setmask(struct thread *td, uint64_t mask);
/* Terminate the current process as killed by sig. */
void sigexit(struct thread *td, int sig) __attribute__((noreturn));

/*
 * Restarting system calls.  A call whose sleep a signal ended returns an
 * ERESTARTSYS* code (errno.h), which syscall_dispatch records in
 * td_sysrestart; when a handler is set up for the signal, the call fails
 * with EINTR or (ERESTARTSYS with SA_RESTART) runs again once the handler
 * returns; when none is, signal_syscall_restart runs it again at once,
 * through restart_syscall for ERESTART_RESTARTBLOCK.
 */
void signal_syscall_restart(struct thread *td);
/* Set td's restart block to continue in fn; returns -ERESTART_RESTARTBLOCK. */
long syscall_restart_block(struct thread *td,
    long (*fn)(struct thread *, const struct restart_block *), uint64_t deadline,
    uint64_t arg0, uint64_t arg1);
/*
 * The return of a system call that ran with a temporary signal mask
 * (ppoll, pselect6, rt_sigsuspend), with result rv; old is the caller's
 * own mask.  If the call was interrupted (rv is -ERESTARTNOHAND or
 * -EINTR), pending signals are delivered now, under the temporary mask,
 * and the first handler's frame restores old and shows the call failing
 * with EINTR: the return value is then the handler's first argument.  If
 * no handler runs, or the call was not interrupted, old is restored at
 * once and rv returned (a pending signal that old blocks stays pending).
 */
long signal_return_from_tempmask(struct thread *td, uint64_t old, long rv);

/*
 * Whether p's children are reaped without wait (SIGCHLD set to SIG_IGN
 * or SA_NOCLDWAIT), for exit.
 */
bool signal_child_autoreap(struct proc *p);

/*
 * exec resets handlers to default (keeping ignored ones ignored) and
 * removes the calling thread's alternate signal stack.  td is its
 * process's only thread.
 */
void signal_exec_reset(struct thread *td);
/* Post sig to the calling thread alone (SIGPIPE: Linux sends it to the writer). */
void psignal_curthread(int sig);
/*
 * Post SIGKILL to td alone and wake it: its process is ending (or
 * exec'ing) and td must leave.  Its process's p_threadlock held.
 */
void signal_kill_thread(struct thread *td);

/*
 * The alternate signal stack, for the machine's sendsig and sigreturn.
 * sigstack_frame_sp: where td's handler frame goes, given the user sp it
 * was interrupted at and whether the handler asked for SA_ONSTACK: the
 * top of the alternate stack if there is one and td is not on it
 * already, else sp.  *saved is what the frame's uc_stack records; an
 * SS_AUTODISARM stack is disabled until sigreturn restores it.
 * sigstack_restore: sigreturn puts back the frame's uc_stack, if td (at
 * the restored sp) is not on the alternate stack, as Linux does.
 */
struct kernel_sigaltstack;
uint64_t sigstack_frame_sp(struct thread *td, uint64_t sp, bool onstack,
    struct kernel_sigaltstack *saved);
void sigstack_restore(struct thread *td, const struct kernel_sigaltstack *ss, uint64_t sp);
/* fork: the child thread's alternate stack (none for a thread sharing the address space). */
void sigstack_fork(struct thread *child, struct thread *parent, bool shares_vm);
/* Map the shared page with the sigreturn trampoline into a new address space; 0 or errno. */
int signal_map_trampoline(struct vmspace *vm);	/* kern_sharedpage.c */

/*
 * The clock interrupt, cpu 0, once per tick (kern_time.c): post SIGALRM to
 * processes whose real interval timer (setitimer ITIMER_REAL) has
 * expired.  Takes proc_lock.
 */
void itimer_tick(void);


/* The machine-dependent half (sendsig and the trampoline) is in machine/machdep.h. */

/* System calls (kern_sig.c, sig_machdep.c and, for the timer, kern_time.c). */
SYSCALL(rt_sigaction);
SYSCALL(sigaltstack);
SYSCALL(rt_sigprocmask);
SYSCALL(rt_sigpending);
SYSCALL(rt_sigsuspend);
SYSCALL(rt_sigtimedwait);
SYSCALL(rt_sigreturn);
SYSCALL(restart_syscall);
SYSCALL(kill);
SYSCALL(tkill);
SYSCALL(tgkill);
SYSCALL(getitimer);
SYSCALL(setitimer);

#endif
