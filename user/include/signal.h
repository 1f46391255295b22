/* signal.h: signals, sigaction and siginfo (Linux riscv64 values). */
#ifndef _SIGNAL_H
#define _SIGNAL_H

#include <sys/types.h>
#include <sys/ucontext.h>

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
#define NSIG		65

#define SA_NOCLDSTOP	0x00000001
#define SA_NOCLDWAIT	0x00000002
#define SA_SIGINFO	0x00000004
#define SA_ONSTACK	0x08000000
#define SA_RESTART	0x10000000
#define SA_NODEFER	0x40000000
#define SA_RESETHAND	0x80000000

#define SIG_BLOCK	0
#define SIG_UNBLOCK	1
#define SIG_SETMASK	2

/* si_code values. */
#define SI_USER		0
#define SI_KERNEL	0x80
#define SI_TKILL	(-6)
#define ILL_ILLOPC	1
#define SEGV_MAPERR	1
#define SEGV_ACCERR	2
#define BUS_ADRALN	1
#define BUS_ADRERR	2
#define BUS_OBJERR	3
#define CLD_EXITED	1
#define CLD_KILLED	2
#define CLD_DUMPED	3

typedef void (*sighandler_t)(int);
#define SIG_DFL	((sighandler_t)0)
#define SIG_IGN	((sighandler_t)1)
#define SIG_ERR	((sighandler_t)-1)

/* 128 bytes; the union starts at offset 16 (si_addr, si_pid). */
typedef struct {
	int si_signo;
	int si_errno;
	int si_code;
	int __pad0;
	union {
		unsigned char __pad[128 - 16];
		struct {
			pid_t __pid;
			uid_t __uid;
			int __status;
		} __chld;
		struct {
			void *__addr;
		} __fault;
	} __u;
} siginfo_t;

#define si_pid		__u.__chld.__pid
#define si_uid		__u.__chld.__uid
#define si_status	__u.__chld.__status
#define si_addr		__u.__fault.__addr

_Static_assert(sizeof(siginfo_t) == 128, "siginfo_t size");

/*
 * What rt_sigaction(sig, act, old, 8) reads and writes on riscv64:
 * 24 bytes, no sa_restorer (the kernel provides the return trampoline).
 */
struct kernel_sigaction {
	void *handler;
	unsigned long flags;
	sigset_t mask;
};

_Static_assert(sizeof(struct kernel_sigaction) == 24, "kernel sigaction");

/* The C library's sigaction; sigaction() converts it for the kernel. */
struct sigaction {
	union {
		void (*__handler)(int);
		void (*__sigaction)(int, siginfo_t *, void *);
	} __sa_u;
	sigset_t sa_mask;
	int sa_flags;
};
#define sa_handler	__sa_u.__handler
#define sa_sigaction	__sa_u.__sigaction

int sigaction(int sig, const struct sigaction *act, struct sigaction *old);
sighandler_t signal(int sig, sighandler_t handler);
int sigprocmask(int how, const sigset_t *set, sigset_t *old);
int sigpending(sigset_t *set);
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);
int kill(pid_t pid, int sig);
int tgkill(pid_t tgid, pid_t tid, int sig);
int raise(int sig);

#endif
