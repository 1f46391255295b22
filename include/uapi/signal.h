/*
 * Signals (Linux asm-generic/signal.h, signal-defs.h and siginfo.h, as
 * riscv64 uses them): numbers, sigaction flags and the structure
 * rt_sigaction exchanges, mask operations and si_code values.  Shared by
 * the kernel and the user C library; the signal frame's layout is the
 * machine's (the kernel's machine/ucontext.h, libc's sys/ucontext.h).
 */
#ifndef _UAPI_SIGNAL_H
#define _UAPI_SIGNAL_H

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
#define SIGRTMAX	64
#define _NSIG		64	/* signals 1.._NSIG; a sigset is one 64-bit word */

#define SA_NOCLDSTOP	0x00000001
#define SA_NOCLDWAIT	0x00000002
#define SA_SIGINFO	0x00000004
#define SA_UNSUPPORTED	0x00000400	/* never kept: lets libc probe flag support */
#define SA_EXPOSE_TAGBITS 0x00000800
#define SA_ONSTACK	0x08000000
#define SA_RESTART	0x10000000
#define SA_NODEFER	0x40000000
#define SA_RESETHAND	0x80000000

/* rt_sigprocmask how */
#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

/* stack_t ss_flags */
#define SS_ONSTACK	1
#define SS_DISABLE	2
#define SS_AUTODISARM	(1U << 31)	/* disable the stack while a handler runs on it */

/* sigaltstack(2) sizes (asm-generic) */
#define MINSIGSTKSZ	2048
#define SIGSTKSZ	8192

/* si_code values */
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
#define CLD_TRAPPED	4
#define CLD_STOPPED	5
#define CLD_CONTINUED	6

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef void (*__sighandler_t)(int);

#define SIG_DFL		((__sighandler_t)0)	/* the default action */
#define SIG_IGN		((__sighandler_t)1)	/* ignore */
#define SIG_ERR		((__sighandler_t)-1)	/* libc's error return */

/*
 * What rt_sigaction(sig, act, oldact, 8) reads and writes on riscv64: no
 * sa_restorer (the kernel provides the return trampoline).  The fields
 * are not named sa_*, which the C library's struct sigaction defines as
 * macros.
 */
struct kernel_sigaction {
	__sighandler_t	handler;	/* SIG_DFL, SIG_IGN or a function */
	unsigned long	flags;		/* SA_* */
	uint64_t	mask;		/* blocked while the handler runs */
};
_Static_assert(sizeof(struct kernel_sigaction) == 24, "struct kernel_sigaction");

/* stack_t, as sigaltstack(2) and the signal frame's uc_stack hold it. */
struct kernel_sigaltstack {
	uint64_t	ss_sp;
	int32_t		ss_flags;	/* SS_ONSTACK, SS_DISABLE, | SS_AUTODISARM */
	int32_t		ss_pad;
	uint64_t	ss_size;
};
_Static_assert(sizeof(struct kernel_sigaltstack) == 24, "struct kernel_sigaltstack");
#endif

#endif
