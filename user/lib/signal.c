/* signal.c: sigaction and the signal-mask calls. */
#include <errno.h>
#include <signal.h>
#include <unistd.h>
#include "syscall_impl.h"

/*
 * The kernel reads and writes a struct kernel_sigaction.  qemu-user 7
 * wrongly expects a restorer slot before the mask on riscv64, so a second
 * copy of the mask follows: a correct kernel never looks at it, and qemu
 * finds the mask there.
 */
struct ksigaction {
	struct kernel_sigaction k;
	sigset_t mask_qemu;
};

int
sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
	struct ksigaction kact, kold;
	long r;

	if (act != NULL) {
		kact.k.handler = act->sa_handler;
		kact.k.flags = (unsigned int)act->sa_flags;
		kact.k.mask = act->sa_mask;
		kact.mask_qemu = act->sa_mask;
	}
	r = SC4(SYS_rt_sigaction, sig, act != NULL ? &kact : NULL,
	    old != NULL ? &kold : NULL, sizeof(sigset_t));
	if (RET(r) < 0)
		return -1;
	if (old != NULL) {
		old->sa_handler = kold.k.handler;
		old->sa_flags = (int)kold.k.flags;
		old->sa_mask = kold.k.mask;
	}
	return 0;
}

sighandler_t
signal(int sig, sighandler_t handler)
{
	struct sigaction sa, old;

	sa.sa_handler = handler;
	sa.sa_mask = 0;
	sa.sa_flags = SA_RESTART;
	if (sigaction(sig, &sa, &old) < 0)
		return SIG_ERR;
	return old.sa_handler;
}

int
sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
	return RET(SC4(SYS_rt_sigprocmask, how, set, old, sizeof(sigset_t)));
}

int
sigpending(sigset_t *set)
{
	return RET(SC2(SYS_rt_sigpending, set, sizeof(sigset_t)));
}

int
sigemptyset(sigset_t *set)
{
	*set = 0;
	return 0;
}

int
sigfillset(sigset_t *set)
{
	*set = ~0UL;
	return 0;
}

static int
sigbit(int sig, sigset_t *bit)
{
	if (sig < 1 || sig >= NSIG) {
		errno = EINVAL;
		return -1;
	}
	*bit = 1UL << (sig - 1);
	return 0;
}

int
sigaddset(sigset_t *set, int sig)
{
	sigset_t bit;

	if (sigbit(sig, &bit) < 0)
		return -1;
	*set |= bit;
	return 0;
}

int
sigdelset(sigset_t *set, int sig)
{
	sigset_t bit;

	if (sigbit(sig, &bit) < 0)
		return -1;
	*set &= ~bit;
	return 0;
}

int
sigismember(const sigset_t *set, int sig)
{
	sigset_t bit;

	if (sigbit(sig, &bit) < 0)
		return -1;
	return (*set & bit) != 0;
}

int
kill(pid_t pid, int sig)
{
	return RET(SC2(SYS_kill, pid, sig));
}

int
tgkill(pid_t tgid, pid_t tid, int sig)
{
	return RET(SC3(SYS_tgkill, tgid, tid, sig));
}

int
raise(int sig)
{
	return tgkill(getpid(), gettid(), sig);
}

int
sigsuspend(const sigset_t *mask)
{
	return RET(SC2(SYS_rt_sigsuspend, mask, sizeof(*mask)));
}

/* riscv64 has no pause call: wait with the current mask, as the C libraries do. */
int
pause(void)
{
	sigset_t cur;

	if (sigprocmask(SIG_BLOCK, NULL, &cur) != 0)
		return -1;
	return sigsuspend(&cur);
}

int
sigaltstack(const stack_t *ss, stack_t *old)
{
	return RET(SC2(SYS_sigaltstack, ss, old));
}
