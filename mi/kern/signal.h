/*
 * Signals, with Linux riscv64 numbers, flags and frame layout.
 *
 * A signal is posted to a process (kill) or raised by a fault in its
 * thread (trapsignal); delivery happens on the way back to user mode,
 * where signal_deliver() either acts on the default disposition
 * (terminate, ignore, stop is treated as ignore) or builds a signal frame
 * on the user stack (siginfo, then ucontext with the general and
 * floating-point registers) and enters the handler with its return
 * address set to the kernel's sigreturn trampoline, mapped read-only and
 * executable in every process at SIGCODE_VA.
 *
 * The machine-independent half is mi/kern/kern_sig.c; the frame itself
 * (its layout is in machine/ucontext.h) and sigreturn are in
 * arch/<arch>/sig_machdep.c.
 */
#ifndef _KERN_SIGNAL_H_
#define _KERN_SIGNAL_H_

#include <kern/types.h>
#include <kern/syscall.h>
#include <machine/param.h>

struct thread;
struct proc;
struct restart_block;
struct vmspace;

#define SIGHUP		1
#define SIGINT		2
#define SIGQUIT		3
#define SIGILL		4
#define SIGTRAP		5
#define SIGABRT		6
#define SIGBUS		7
#define SIGFPE		8
#define SIGKILL		9
#define SIGUSR1		10
#define SIGSEGV		11
#define SIGUSR2		12
#define SIGPIPE		13
#define SIGALRM		14
#define SIGTERM		15
#define SIGSTKFLT	16
#define SIGCHLD		17
#define SIGCONT		18
#define SIGSTOP		19
#define SIGTSTP		20
#define SIGTTIN		21
#define SIGTTOU		22
#define SIGURG		23
#define SIGXCPU		24
#define SIGXFSZ		25
#define SIGVTALRM	26
#define SIGPROF		27
#define SIGWINCH	28
#define SIGIO		29
#define SIGPWR		30
#define SIGSYS		31
#define SIGRTMIN	32
#define SIGRTMAX	64	/* = NSIG_LINUX */

/* si_code values. */
#define SI_USER		0	/* kill */
#define SI_KERNEL	0x80	/* the kernel (SIGALRM from the real timer) */
#define SI_TKILL	(-6)	/* tkill, tgkill */
#define ILL_ILLOPC	1
#define ILL_ILLOPN	2
#define ILL_ILLADR	3
#define ILL_PRVOPC	5
#define FPE_INTDIV	1
#define SEGV_MAPERR	1
#define SEGV_ACCERR	2
#define BUS_ADRALN	1
#define BUS_ADRERR	2
#define BUS_OBJERR	3
#define TRAP_BRKPT	1
#define CLD_EXITED	1
#define CLD_KILLED	2
#define CLD_DUMPED	3

#define SA_NOCLDSTOP	0x00000001
#define SA_NOCLDWAIT	0x00000002
#define SA_SIGINFO	0x00000004
#define SA_UNSUPPORTED	0x00000400	/* never kept: lets libc probe flag support */
#define SA_EXPOSE_TAGBITS 0x00000800
#define SA_ONSTACK	0x08000000
#define SA_RESTART	0x10000000
#define SA_NODEFER	0x40000000
#define SA_RESETHAND	0x80000000

#define SIG_DFL		0
#define SIG_IGN		1

#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

#define SS_ONSTACK	1
#define SS_DISABLE	2

#define ITIMER_REAL	0
#define ITIMER_VIRTUAL	1
#define ITIMER_PROF	2

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
/* Set td's (the current thread's) blocked set; SIGKILL, SIGSTOP stay unblocked. */
void signal_setmask(struct thread *td, uint64_t mask);
/* Terminate the current process as killed by sig. */
void sigexit(struct thread *td, int sig) __attribute__((noreturn));

/*
 * Restarting system calls.  A call whose sleep a signal ended returns an
 * ERESTART* code (errno.h), which syscall_dispatch records in
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
 * Whether p's children are reaped without wait (SIGCHLD set to SIG_IGN
 * or SA_NOCLDWAIT), for exit.
 */
bool signal_child_autoreap(struct proc *p);

/* exec resets handlers to default (keeping ignored ones ignored). */
void signal_exec_reset(struct proc *p);
/* Map the sigreturn trampoline into a new address space; 0 or errno. */
int signal_map_trampoline(struct vmspace *vm);

/*
 * The clock interrupt, cpu 0, once per tick: post SIGALRM to processes
 * whose real interval timer (setitimer ITIMER_REAL) has expired.
 * Takes proc_lock.
 */
void itimer_tick(void);

/* Wait status encodings, as wait4 reports them. */
#define W_EXITCODE(ret, sig)	(((ret) << 8) | (sig))
#define W_TERMSIG(status)	((status) & 0x7f)
#define W_EXITSTATUS(status)	(((status) >> 8) & 0xff)

void proc_exit(int wstatus) __attribute__((noreturn));	/* proc.c */

/*
 * The machine-dependent half (arch/<arch>/sig_machdep.c).
 */
/*
 * Build td's signal frame for sig on its user stack and point its trap
 * frame at handler; mask is what sigreturn will restore.  0, or EFAULT
 * when the frame cannot be written.
 */
int sendsig(struct thread *td, uint64_t handler, const struct ksiginfo *ksi,
    uint64_t mask);
/* Copy ksi out as the user's siginfo_t; 0 or EFAULT. */
int sig_copyout_siginfo(const struct ksiginfo *ksi, void *uaddr);
/* The system call's a0 in td's trap frame, read and written. */
long sig_md_get_retval(struct thread *td);
void sig_md_set_retval(struct thread *td, long rv);
/* Back the user pc up so the system call instruction runs again. */
void sig_md_restart_syscall(struct thread *td);
/* Make the system call instruction, run again, call number num instead. */
void sig_md_set_syscall_number(struct thread *td, long num);
/* Fill the trampoline page (at its kernel address) and sync the icache. */
void sig_md_fill_sigcode(void *page);

/* System calls (kern_sig.c and sig_machdep.c). */
SYSCALL(rt_sigaction);
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
