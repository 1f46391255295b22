/* signals: handlers, siginfo, ucontext, sigreturn, masks and default actions. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

static volatile int hits;
static volatile int got_sig, got_code;
static void *volatile got_addr;
static volatile unsigned long got_pc, got_mask;
static volatile pid_t got_pid;
static char *volatile fix_page;		/* the handler makes this writable */

extern char fault_insn[];
extern char regs_insn[];

/* Records the fault and steps over the 2- or 4-byte faulting instruction. */
static void
on_segv_skip(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;
	unsigned long pc = uc->uc_mcontext.__gregs[REG_PC];
	uint16_t insn = *(uint16_t *)pc;

	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	got_pc = pc;
	/* Trash temporaries so a missing restore would show. */
	__asm__ volatile("li t3, 0\n li t4, 0\n fmv.d.x ft0, zero"
	    ::: "t3", "t4", "ft0");
	uc->uc_mcontext.__gregs[REG_PC] = pc + ((insn & 3) == 3 ? 4 : 2);
}

static void
install(int sig, void (*fn)(int, siginfo_t *, void *), int flags,
    sigset_t mask)
{
	struct sigaction sa;

	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sa.sa_mask = mask;
	sigaction(sig, &sa, NULL);
}

/* A load from addr at the global label fault_insn. */
__attribute__((noinline)) static long
load_at_label(volatile long *addr)
{
	long v = 77;

	__asm__ volatile(".globl fault_insn\nfault_insn:\n\tld %0, 0(%1)"
	    : "+r"(v) : "r"(addr) : "memory");
	return v;
}

/* siginfo has the address; ucontext's pc is the faulting instruction. */
static void
test_siginfo_pc(void)
{
	char *hole = unmapped_pages(1);
	long v;

	install(SIGSEGV, on_segv_skip, 0, 0);
	v = load_at_label((long *)(hole + 24));
	tap_ok(got_sig == SIGSEGV && got_code == SEGV_MAPERR &&
	    got_addr == hole + 24,
	    "siginfo: SIGSEGV, SEGV_MAPERR, si_addr (%p)", got_addr);
	tap_ok(got_pc == (unsigned long)fault_insn,
	    "ucontext pc is the faulting instruction (%#lx vs %p)", got_pc,
	    fault_insn);
	tap_ok(v == 77, "changing pc in the context resumes after the load");
	signal(SIGSEGV, SIG_DFL);
}

/* Registers (integer and FP) survive a fault and sigreturn. */
__attribute__((noinline)) static void
regs_across_fault(volatile long *bad, long out[3])
{
	__asm__ volatile(
	    "li t3, 0x13579bdf\n"
	    "li t4, -77\n"
	    "fmv.d.x ft0, t3\n"
	    ".globl regs_insn\n"
	    "regs_insn:\n"
	    "ld t5, 0(%0)\n"
	    "sd t3, 0(%1)\n"
	    "sd t4, 8(%1)\n"
	    "fmv.x.d t6, ft0\n"
	    "sd t6, 16(%1)\n"
	    : : "r"(bad), "r"(out) : "t3", "t4", "t5", "t6", "ft0", "memory");
}

static void
test_registers(void)
{
	long out[3] = { 0, 0, 0 };

	install(SIGSEGV, on_segv_skip, 0, 0);
	got_pc = 0;
	regs_across_fault((long *)unmapped_pages(1), out);
	tap_ok(got_pc == (unsigned long)regs_insn && out[0] == 0x13579bdf &&
	    out[1] == -77 && out[2] == 0x13579bdf,
	    "t3, t4 and ft0 survive the handler (%#lx %ld %#lx)", out[0],
	    out[1], out[2]);
	signal(SIGSEGV, SIG_DFL);
}

static void
on_segv_fix(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	hits++;
	got_addr = si->si_addr;
	mprotect(fix_page, PGSZ, PROT_READ | PROT_WRITE);
}

/* A handler that fixes the protection returns and the write is retried. */
static void
test_fix_and_retry(void)
{
	fix_page = map_pages(1);
	mprotect(fix_page, PGSZ, PROT_READ);
	hits = 0;
	install(SIGSEGV, on_segv_fix, 0, 0);
	((volatile char *)fix_page)[5] = 'r';
	tap_ok(hits == 1 && fix_page[5] == 'r' && got_addr == fix_page + 5,
	    "mprotect in the handler, return, the write succeeds (%d hits)",
	    hits);
	signal(SIGSEGV, SIG_DFL);
	munmap(fix_page, PGSZ);
}

static int
child_null_deref(void *arg)
{
	(void)arg;
	return *(volatile int *)0;
}

static int
child_segv_blocked(void *arg)
{
	sigset_t set = 1UL << (SIGSEGV - 1);

	install(SIGSEGV, on_segv_fix, 0, 0);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return *(volatile int *)arg;
}

static int
child_illegal(void *arg)
{
	(void)arg;
	__asm__ volatile(".4byte 0");	/* an all-zero word is illegal */
	return 0;
}

/* Default actions: the child dies by the signal, and wait4 says so. */
static void
test_default_kill(void)
{
	int st;
	pid_t pid;

	st = run_child(child_null_deref, NULL);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	    "unhandled SIGSEGV kills the child (status %#x)", st);
	st = run_child(child_segv_blocked, unmapped_pages(1));
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV,
	    "a fault with SIGSEGV blocked kills, the handler is not run");
	st = run_child(child_illegal, NULL);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGILL,
	    "an illegal instruction kills with SIGILL (status %#x)", st);
	pid = fork();
	if (pid == 0) {
		for (;;)
			sched_yield();
	}
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	    "kill(SIGKILL) of a spinning child");
}

static void
on_usr1(int sig, siginfo_t *si, void *ctx)
{
	sigset_t cur;

	(void)ctx;
	hits++;
	got_sig = sig;
	got_code = si->si_code;
	got_pid = si->si_pid;
	sigprocmask(SIG_BLOCK, NULL, &cur);
	got_mask = cur;
}

#define BIT(s) (1UL << ((s) - 1))

/* raise: the handler runs with the signal and sa_mask blocked, then the mask is restored. */
static void
test_raise_mask(void)
{
	sigset_t cur;

	hits = 0;
	install(SIGUSR1, on_usr1, 0, BIT(SIGUSR2));
	raise(SIGUSR1);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	tap_ok(hits == 1 && got_sig == SIGUSR1 && got_code == SI_TKILL &&
	    got_pid == getpid(),
	    "raise(SIGUSR1): handler ran, si_code SI_TKILL, si_pid ours");
	tap_ok((got_mask & BIT(SIGUSR1)) && (got_mask & BIT(SIGUSR2)) &&
	    (cur & (BIT(SIGUSR1) | BIT(SIGUSR2))) == 0,
	    "inside: SIGUSR1 and sa_mask blocked; after: restored (%#lx)",
	    (unsigned long)got_mask);
}

/* A blocked signal stays pending until it is unblocked. */
static void
test_pending(void)
{
	sigset_t set = BIT(SIGUSR1), pend = 0;

	hits = 0;
	install(SIGUSR1, on_usr1, 0, 0);
	sigprocmask(SIG_BLOCK, &set, NULL);
	kill(getpid(), SIGUSR1);
	sigpending(&pend);
	tap_ok(hits == 0 && (pend & BIT(SIGUSR1)),
	    "blocked SIGUSR1 is pending, not delivered");
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	tap_ok(hits == 1 && got_code == SI_USER,
	    "unblocking delivers it (si_code SI_USER)");
}

/* SA_RESETHAND: the disposition returns to SIG_DFL after one delivery. */
static void
test_resethand(void)
{
	struct sigaction old;

	install(SIGUSR2, on_usr1, SA_RESETHAND, 0);
	raise(SIGUSR2);
	sigaction(SIGUSR2, NULL, &old);
	tap_ok(old.sa_handler == SIG_DFL, "SA_RESETHAND resets the handler");
}

static volatile int chld_status, chld_code;

static void
on_chld(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)ctx;
	chld_code = si->si_code;
	chld_status = si->si_status;
	got_pid = si->si_pid;
}

/* SIGCHLD tells the parent how its child ended. */
static void
test_sigchld(void)
{
	sigset_t set = BIT(SIGCHLD), old;
	pid_t pid;
	int st;

	install(SIGCHLD, on_chld, 0, 0);
	sigprocmask(SIG_BLOCK, &set, &old);
	pid = fork();
	if (pid == 0)
		_exit(42);
	waitpid(pid, &st, 0);
	sigprocmask(SIG_SETMASK, &old, NULL);	/* delivered here */
	tap_ok(chld_code == CLD_EXITED && chld_status == 42 && got_pid == pid,
	    "SIGCHLD: CLD_EXITED, status 42, si_pid of the child");
	signal(SIGCHLD, SIG_DFL);
}

static sigjmp_buf jb;

static void
on_segv_jump(int sig)
{
	siglongjmp(jb, sig);
}

/* siglongjmp out of a handler restores the mask, so a second fault is caught too. */
static void
test_longjmp_twice(void)
{
	char *hole = unmapped_pages(1);
	int n = 0, i;

	signal(SIGSEGV, on_segv_jump);
	for (i = 0; i < 2; i++) {
		if (sigsetjmp(jb, 1) == 0)
			(void)*(volatile char *)hole;
		else
			n++;
	}
	tap_ok(n == 2, "two faults each caught with siglongjmp");
	signal(SIGSEGV, SIG_DFL);
}

static volatile int alarms;

static void
on_alarm_count(int sig)
{
	(void)sig;
	alarms++;
}

/* Arms a one-shot SIGALRM in ms, caught by on_alarm_count with flags. */
static void
alarm_ms(long ms, int flags)
{
	struct itimerval it = { { 0, 0 }, { 0, ms * 1000 } };
	struct sigaction sa = { 0 };

	sa.sa_handler = on_alarm_count;
	sa.sa_flags = flags;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * A wait4 interrupted by a handler: with SA_RESTART it goes on and reaps
 * the child; without, it fails with EINTR (Linux's rules for wait4).
 */
static void
test_restart_wait(void)
{
	struct timespec nap = { 0, 150 * 1000000 };
	pid_t pid, got;
	int st;

	alarms = 0;
	pid = fork();
	if (pid == 0) {
		nanosleep(&nap, NULL);
		_exit(7);
	}
	alarm_ms(20, SA_RESTART);
	got = waitpid(pid, &st, 0);
	tap_ok(got == pid && WIFEXITED(st) && WEXITSTATUS(st) == 7 && alarms == 1,
	    "SA_RESTART: waitpid goes on after the handler and reaps the child (%d, %d alarms)",
	    (int)got, alarms);

	alarms = 0;
	pid = fork();
	if (pid == 0) {
		nanosleep(&nap, NULL);
		_exit(7);
	}
	alarm_ms(20, 0);
	got = waitpid(pid, &st, 0);
	tap_ok(got == -1 && errno == EINTR && alarms == 1,
	    "no SA_RESTART: waitpid fails with EINTR after the handler");
	waitpid(pid, &st, 0);
	signal(SIGALRM, SIG_DFL);
}

static volatile int forged_calls;

/* Puts -ERESTARTSYS (-512) in the interrupted context's a0: a value, not a restart. */
static void
on_usr1_forge(int sig, siginfo_t *si, void *ctx)
{
	ucontext_t *uc = ctx;

	(void)sig;
	(void)si;
	forged_calls++;
	uc->uc_mcontext.__gregs[REG_A0] = (unsigned long)-512L;
}

/*
 * A handler that makes the interrupted system call's value look like a
 * restart code: rt_sigreturn restores it as the call's value, and the
 * kernel must not take it for its own and run the call again (Linux
 * returns it as it is: kill gives -1 with errno 512, once).
 */
static void
test_forged_restart_code(void)
{
	sigset_t none;
	int r;

	sigemptyset(&none);
	install(SIGUSR1, on_usr1_forge, 0, none);
	forged_calls = 0;
	errno = 0;
	r = kill(getpid(), SIGUSR1);
	tap_ok(r == -1 && errno == 512 && forged_calls == 1,
	    "a restart code a handler puts in the context is returned as a value, the call not "
	    "run again (r %d, errno %d, handler ran %d times)", r, errno, forged_calls);
	signal(SIGUSR1, SIG_DFL);
}

/* pid 1's state letter from /proc/1/stat ('?' if it cannot be read). */
static char
init_state(void)
{
	char buf[256], *paren;
	int fd = open("/proc/1/stat", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return '?';
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren != NULL && paren[1] == ' ' ? paren[2] : '?';
}

/*
 * Init is sent only the signals it handles (Linux's SIGNAL_UNKILLABLE):
 * root's SIGKILL, SIGSTOP, SIGTERM and the rest succeed and do nothing,
 * so the system (and this run of the tests, whose runner is pid 1)
 * goes on.  Our kernel only: on the host, pid 1 is the host's.
 */
static void
test_init_spared(void)
{
	static const int sigs[] = { SIGKILL, SIGSTOP, SIGTERM, SIGUSR2, SIGSEGV, SIGINT };
	struct timespec settle = { 0, 50 * 1000 * 1000 };
	int sent = 0;

	if (under_qemu_user() || getuid() != 0 || getpid() == 1) {
		tap_skip("our kernel's pid 1, signalled by root");
		return;
	}
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sent += kill(1, sigs[i]) == 0;
	sent += syscall(SYS_tgkill, 1, 1, SIGKILL) == 0;
	nanosleep(&settle, NULL);
	tap_ok(sent == 7 && kill(1, 0) == 0 && strchr("RS", init_state()) != NULL,
	    "SIGKILL, SIGSTOP, SIGTERM, SIGUSR2, SIGSEGV, SIGINT and tgkill's SIGKILL to init: "
	    "sent (%d of 7), and init runs on (state %c)", sent, init_state());
}

int
main(void)
{
	tap_plan(20);
	test_siginfo_pc();
	test_registers();
	test_fix_and_retry();
	test_default_kill();
	test_raise_mask();
	test_pending();
	test_resethand();
	test_sigchld();
	test_longjmp_twice();
	test_restart_wait();
	test_forged_restart_code();
	test_init_spared();
	return tap_done();
}
