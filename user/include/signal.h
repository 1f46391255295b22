/* signal.h: signals (uapi/signal.h), sigaction and siginfo. */
#ifndef _SIGNAL_H
#define _SIGNAL_H

#include <sys/types.h>
#include <sys/ucontext.h>
#include <uapi/signal.h>

#define NSIG		(_NSIG + 1)	/* one more than the highest signal */

typedef __sighandler_t sighandler_t;

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
int sigsuspend(const sigset_t *mask);
int sigaltstack(const stack_t *ss, stack_t *old);
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);
int kill(pid_t pid, int sig);
int tgkill(pid_t tgid, pid_t tid, int sig);
int raise(int sig);

#endif
