/*
 * sigaltstack: the alternate signal stack with Linux's rules: setting and
 * reading it, SA_ONSTACK handlers running on it (and others not), nesting
 * on it, EPERM while on it, SS_AUTODISARM, the frame's uc_stack and what
 * sigreturn does with it, surviving a stack overflow, fork and exec.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/ucontext.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define ALT_SIZE	(64 * 1024)

static char alt[ALT_SIZE] __attribute__((aligned(16)));
static char alt2[ALT_SIZE] __attribute__((aligned(16)));

static int
on_alt(const void *p, const char *base, size_t size)
{
	return (const char *)p >= base && (const char *)p < base + size;
}

static int
set_alt(char *base, size_t size, int flags)
{
	stack_t ss = { .ss_sp = base, .ss_flags = flags, .ss_size = size };

	return sigaltstack(&ss, NULL);
}

static void
handle(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigaction(sig, &sa, NULL);
}

/* What the last handler saw. */
static volatile int h_on_alt, h_query_flags, h_set_error, h_uc_flags, h_nested_on_alt;
static void *volatile h_uc_sp;
static volatile size_t h_uc_size;

static void
on_usr2(int sig, siginfo_t *si, void *uc)
{
	char local;

	(void)sig;
	(void)si;
	(void)uc;
	h_nested_on_alt = on_alt(&local, alt, ALT_SIZE);
}

static void
on_usr1(int sig, siginfo_t *si, void *ucp)
{
	ucontext_t *uc = ucp;
	stack_t cur;
	char local;

	(void)sig;
	(void)si;
	h_on_alt = on_alt(&local, alt, ALT_SIZE);
	memset(&cur, 0, sizeof(cur));
	sigaltstack(NULL, &cur);
	h_query_flags = cur.ss_flags;
	h_set_error = set_alt(alt2, ALT_SIZE, 0) == 0 ? 0 : errno;
	h_uc_sp = uc->uc_stack.ss_sp;
	h_uc_size = uc->uc_stack.ss_size;
	h_uc_flags = uc->uc_stack.ss_flags;
	raise(SIGUSR2);		/* nested: a frame further down the same stack */
}

static void
test_setting(void)
{
	stack_t cur;

	memset(&cur, 0xff, sizeof(cur));
	tap_ok(sigaltstack(NULL, &cur) == 0 && cur.ss_flags == SS_DISABLE && cur.ss_sp == NULL &&
	    cur.ss_size == 0, "at first there is none (SS_DISABLE)");
	tap_ok(set_alt(alt, MINSIGSTKSZ - 1, 0) == -1 && errno == ENOMEM,
	    "smaller than MINSIGSTKSZ -> ENOMEM");
	tap_ok(set_alt(alt, ALT_SIZE, 0x10) == -1 && errno == EINVAL, "unknown flags -> EINVAL");
	tap_ok(sigaltstack((stack_t *)8, NULL) == -1 && errno == EFAULT, "a bad pointer -> EFAULT");
	tap_ok(set_alt(alt, ALT_SIZE, 0) == 0 && sigaltstack(NULL, &cur) == 0 &&
	    cur.ss_sp == alt && cur.ss_size == ALT_SIZE && cur.ss_flags == 0,
	    "set, it reads back (flags 0: not on it)");
}

static void
test_delivery(void)
{
	char local;

	handle(SIGUSR1, on_usr1, SA_ONSTACK);
	handle(SIGUSR2, on_usr2, SA_ONSTACK);
	raise(SIGUSR1);
	tap_ok(h_on_alt, "an SA_ONSTACK handler runs on the alternate stack");
	tap_ok(h_query_flags == SS_ONSTACK, "where sigaltstack reports SS_ONSTACK");
	tap_ok(h_set_error == EPERM, "and changing it is EPERM");
	tap_ok(h_uc_sp == alt && h_uc_size == ALT_SIZE,
	    "the frame's uc_stack holds the stack");
	tap_ok(h_nested_on_alt, "a signal while on it nests further down the same stack");
	tap_ok(!on_alt(&local, alt, ALT_SIZE), "back on the normal stack afterwards");
	handle(SIGUSR1, on_usr1, 0);
	raise(SIGUSR1);
	tap_ok(!h_on_alt && h_query_flags == 0 && h_set_error == 0,
	    "a handler without SA_ONSTACK stays on the normal stack (and may change it)");
	set_alt(alt, ALT_SIZE, 0);
}

static volatile int a_query_flags, a_set_error;

static void
on_usr1_autodisarm(int sig, siginfo_t *si, void *ucp)
{
	stack_t cur;
	char local;

	(void)sig;
	(void)si;
	(void)ucp;
	h_on_alt = on_alt(&local, alt, ALT_SIZE);
	sigaltstack(NULL, &cur);
	a_query_flags = cur.ss_flags;
}

static void
test_autodisarm(void)
{
	stack_t cur;

	if (under_qemu_user()) {
		/* qemu 7.2's sigaltstack emulation refuses the flag (EINVAL). */
		for (int i = 0; i < 3; i++)
			tap_skip("SS_AUTODISARM: qemu-user 7.2 does not emulate it");
		return;
	}
	tap_ok(set_alt(alt, ALT_SIZE, SS_AUTODISARM) == 0 && sigaltstack(NULL, &cur) == 0 &&
	    cur.ss_flags == (int)SS_AUTODISARM, "SS_AUTODISARM is accepted and reported");
	handle(SIGUSR1, on_usr1_autodisarm, SA_ONSTACK);
	raise(SIGUSR1);
	tap_ok(h_on_alt && a_query_flags == SS_DISABLE,
	    "its handler runs on it, with the stack disabled meanwhile");
	tap_ok(sigaltstack(NULL, &cur) == 0 && cur.ss_sp == alt && cur.ss_flags == (int)SS_AUTODISARM,
	    "and sigreturn puts it back");
	set_alt(alt, ALT_SIZE, 0);
}

/* A handler that swaps the stack in its saved context: sigreturn installs it. */
static void
on_usr1_swap(int sig, siginfo_t *si, void *ucp)
{
	ucontext_t *uc = ucp;

	(void)sig;
	(void)si;
	uc->uc_stack.ss_sp = alt2;
	uc->uc_stack.ss_size = ALT_SIZE / 2;
}

static void
test_sigreturn_restores(void)
{
	stack_t cur;

	handle(SIGUSR1, on_usr1_swap, SA_ONSTACK);
	raise(SIGUSR1);
	tap_ok(sigaltstack(NULL, &cur) == 0 && cur.ss_sp == alt2 && cur.ss_size == ALT_SIZE / 2,
	    "sigreturn installs the uc_stack the handler left");
	set_alt(alt, ALT_SIZE, 0);
}

static void
on_segv(int sig, siginfo_t *si, void *ucp)
{
	char local;

	(void)sig;
	(void)si;
	(void)ucp;
	_exit(on_alt(&local, alt, ALT_SIZE) ? 42 : 1);
}

static volatile int keep_going = 1;

/* Recurse until the stack runs out (the flag keeps the compiler from calling it endless). */
static int
recurse(int depth)
{
	volatile char pad[16384];

	pad[0] = (char)depth;
	for (size_t i = 0; i < sizeof(pad); i += 4096)
		pad[i] = 1;
	return keep_going ? recurse(depth + 1) + pad[0] : 0;
}

/* The reason sigaltstack exists: a handler for running out of stack. */
static int
overflow(void *arg)
{
	struct rlimit rl = { 8UL << 20, 8UL << 20 };

	(void)arg;
	setrlimit(RLIMIT_STACK, &rl);
	set_alt(alt, ALT_SIZE, 0);
	handle(SIGSEGV, on_segv, SA_ONSTACK);
	return recurse(0);
}

static int
inherited(void *arg)
{
	stack_t cur;

	(void)arg;
	return sigaltstack(NULL, &cur) == 0 && cur.ss_sp == alt && cur.ss_size == ALT_SIZE ? 0 : 1;
}

static void
test_processes(const char *self)
{
	int st = run_child(overflow, NULL);
	char *argv[] = { (char *)self, "exec-check", NULL };
	pid_t pid;

	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 42,
	    "overflowing the stack: the SIGSEGV handler runs on the alternate stack (status %#x)",
	    st);
	st = run_child(inherited, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "fork keeps it in the child");
	if (under_qemu_user()) {
		tap_skip("exec: qemu-user cannot exec a riscv64 program without binfmt_misc");
		return;
	}
	pid = fork();
	if (pid == 0) {
		execve(self, argv, NULL);
		_exit(3);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "exec removes it (status %#x)", st);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "exec-check") == 0) {
		stack_t cur;

		return sigaltstack(NULL, &cur) == 0 && cur.ss_flags == SS_DISABLE ? 0 : 1;
	}
	tap_plan(19);
	test_setting();
	test_delivery();
	test_autodisarm();
	test_sigreturn_restores();
	test_processes(argv[0]);
	return tap_done();
}
