/*
 * Self-tests of signals that need no user program: the shared trampoline
 * page, posting and masking against a made-up process, the system calls
 * on user memory, and the real interval timer.  The signal frame's round
 * trip through sendsig and rt_sigreturn is the machine's
 * (arch/riscv/selftest_sig_md.c).
 *
 * The tests borrow the running (kernel) thread: they give it a user
 * address space and, for the system calls, a made-up process, and put
 * everything back at the end.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/pcpu.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/selftest.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <machine/machdep.h>
#include <vm/kmem.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <vm/zone.h>

#define UBASE		0x10000000UL	/* scratch user memory */
#define UPAGES		4

static struct proc fake_proc;
static struct thread fake_thread;

#define SIGCODE_CHECK	64	/* bytes of the page compared */

/* Does SIGCODE_VA hold the machine's trampoline, as sig_md_fill_sigcode writes it? */
static bool
sigcode_is_there(void)
{
	uint8_t *want = kmem_alloc(PAGE_SIZE, M_WAITOK);
	uint8_t got[SIGCODE_CHECK];
	bool same;

	if (want == NULL)
		return false;
	sig_md_fill_sigcode(want);
	same = copyin((const void *)SIGCODE_VA, got, sizeof(got)) == 0 &&
	    memcmp(got, want, sizeof(got)) == 0;
	kmem_free(want, PAGE_SIZE);
	return same;
}

static void
test_trampoline(void)
{
	struct vmspace *a = vmspace_alloc(), *b = vmspace_alloc(), *c;
	paddr_t pa_a, pa_b, pa_c;
	uint32_t zero = 0;

	if (!selftest_ok(a != NULL && b != NULL, "trampoline: two address spaces"))
		return;
	selftest_ok(signal_map_trampoline(a) == 0 && signal_map_trampoline(b) == 0,
	    "trampoline: mapped into both");
	selftest_use_vmspace(a);
	selftest_ok(sigcode_is_there(), "trampoline: the machine's sigreturn code at SIGCODE_VA");
	selftest_ok(copyout(&zero, (void *)SIGCODE_VA, sizeof(zero)) == EFAULT,
	    "trampoline: not writable");
	selftest_ok(vm_map_protect(&a->vm_map, SIGCODE_VA, SIGCODE_VA + PAGE_SIZE,
	    VM_PROT_ALL) != 0, "trampoline: cannot be made writable");
	selftest_use_vmspace(b);
	selftest_ok(sigcode_is_there(), "trampoline: there in the second space too");
	pa_a = pmap_extract(a->vm_pmap, SIGCODE_VA);
	pa_b = pmap_extract(b->vm_pmap, SIGCODE_VA);
	selftest_ok(pa_a != 0 && pa_a == pa_b, "trampoline: one physical page for both");
	c = vmspace_fork(a);
	if (selftest_ok(c != NULL, "trampoline: fork")) {
		selftest_use_vmspace(c);
		selftest_ok(sigcode_is_there(), "trampoline: inherited by fork");
		pa_c = pmap_extract(c->vm_pmap, SIGCODE_VA);
		selftest_ok(pa_c == pa_a, "trampoline: the child shares the page");
	}
	selftest_use_vmspace(NULL);
	if (c != NULL)
		vmspace_free(c);
	vmspace_free(a);
	vmspace_free(b);
	/* The page outlives every address space. */
	a = vmspace_alloc();
	if (a != NULL && signal_map_trampoline(a) == 0) {
		selftest_use_vmspace(a);
		selftest_ok(sigcode_is_there() && pmap_extract(a->vm_pmap, SIGCODE_VA) == pa_b,
		    "trampoline: the same page after every map using it is gone");
		selftest_use_vmspace(NULL);
	}
	if (a != NULL)
		vmspace_free(a);
}

static void
fake_reset(void)
{
	memset(&fake_proc, 0, sizeof(fake_proc));
	memset(&fake_thread, 0, sizeof(fake_thread));
	fake_proc.p_pid = 999999;
	fake_proc.p_state = PRS_ALIVE;
	proc_thread_init(&fake_proc, &fake_thread);
	fake_thread.td_proc = &fake_proc;
	fake_thread.td_tid = fake_proc.p_pid;
	fake_thread.td_state = TDS_RUNNING;	/* not asleep: sleepq_interrupt leaves it alone */
}

static bool
is_pending(int sig)
{
	return (fake_proc.p_sigpending & sigmask(sig)) != 0;
}

static void
test_posting(void)
{
	struct proc *p = &fake_proc;
	struct thread *td = &fake_thread;

	fake_reset();
	psignal(p, SIGCHLD);
	selftest_ok(!is_pending(SIGCHLD), "post: SIGCHLD (default ignore) is discarded");
	psignal(p, SIGUSR1);
	selftest_ok(is_pending(SIGUSR1) && signal_pending(td), "post: SIGUSR1 pending, deliverable");
	signal_setmask(td, sigmask(SIGUSR1) | sigmask(SIGKILL) | sigmask(SIGSTOP));
	selftest_ok(td->td_sigmask == sigmask(SIGUSR1), "mask: SIGKILL and SIGSTOP cannot be blocked");
	selftest_ok(!signal_pending(td), "mask: a blocked signal is not deliverable");
	fake_reset();
	p->p_sigacts[SIGUSR2].sa_handler = SIG_IGN;
	psignal(p, SIGUSR2);
	selftest_ok(!is_pending(SIGUSR2), "post: an ignored signal is discarded");
	signal_setmask(td, sigmask(SIGCHLD) | sigmask(SIGUSR2));
	psignal(p, SIGCHLD);
	psignal(p, SIGUSR2);
	selftest_ok(is_pending(SIGCHLD) && is_pending(SIGUSR2),
	    "post: blocked signals are kept even when ignored");
	selftest_ok(!signal_pending(td), "post: ignored ones do not count as deliverable");
	psignal(p, SIGKILL);
	selftest_ok(is_pending(SIGKILL) && signal_pending(td), "post: SIGKILL is always deliverable");
	fake_reset();
	p->p_state = PRS_ZOMBIE;
	psignal(p, SIGTERM);
	selftest_ok(!is_pending(SIGTERM), "post: nothing reaches a zombie");

	fake_reset();
	p->p_sigacts[SIGUSR1] = (struct sigaction_k){ (__sighandler_t)0x1000, SA_RESTART, 0x3 };
	p->p_sigacts[SIGUSR2] = (struct sigaction_k){ SIG_IGN, SA_RESTART, 0x3 };
	p->p_sigacts[SIGCHLD] = (struct sigaction_k){ SIG_DFL, SA_NOCLDWAIT, 0 };
	selftest_ok(signal_child_autoreap(p), "exit: SA_NOCLDWAIT reaps children");
	signal_setmask(td, 0x30);
	psignal(p, SIGTERM);
	signal_exec_reset(td);
	selftest_ok(p->p_sigacts[SIGUSR1].sa_handler == SIG_DFL &&
	    p->p_sigacts[SIGUSR1].sa_flags == 0 && p->p_sigacts[SIGUSR1].sa_mask == 0,
	    "exec: a handler becomes SIG_DFL");
	selftest_ok(p->p_sigacts[SIGUSR2].sa_handler == SIG_IGN, "exec: SIG_IGN stays");
	selftest_ok(td->td_sigmask == 0x30 && is_pending(SIGTERM), "exec: mask and pending kept");
	selftest_ok(!signal_child_autoreap(p), "exec: SA_NOCLDWAIT cleared");
}

/* Call a system call as the made-up process. */
static long
call_as_fake(long (*fn)(struct thread *, const uint64_t[6]), uint64_t arg0, uint64_t arg1,
    uint64_t arg2, uint64_t arg3)
{
	struct thread *td = curthread();
	struct proc *saved_proc = td->td_proc;
	uint64_t saved_mask = td->td_sigmask;
	const uint64_t args[6] = { arg0, arg1, arg2, arg3, 0, 0 };
	long rv;

	td->td_proc = &fake_proc;
	td->td_sigmask = fake_thread.td_sigmask;
	rv = fn(td, args);
	fake_thread.td_sigmask = td->td_sigmask;
	td->td_proc = saved_proc;
	td->td_sigmask = saved_mask;
	return rv;
}

static void
test_syscalls(void)
{
	struct vmspace *vm = selftest_scratch_vmspace(UBASE, UPAGES);
	uint64_t act[3] = { 0x2000, SA_SIGINFO | SA_RESTART | 0x400, ~0UL }, old[3], set;
	uint64_t *uact = (uint64_t *)UBASE, *uold = (uint64_t *)(UBASE + 64);
	uint64_t *uset = (uint64_t *)(UBASE + 128);
	struct sigaction_k *sa = &fake_proc.p_sigacts[SIGUSR1];

	if (!selftest_ok(vm != NULL, "syscalls: scratch address space"))
		return;
	selftest_use_vmspace(vm);
	fake_reset();
	copyout(act, uact, sizeof(act));
	selftest_ok(call_as_fake(sys_rt_sigaction, SIGUSR1, (uint64_t)uact, 0, 8) == 0 &&
	    sa->sa_handler == (__sighandler_t)0x2000 && sa->sa_flags == (SA_SIGINFO | SA_RESTART) &&
	    sa->sa_mask == ~SIG_CANTMASK, "rt_sigaction: set (unknown flags and SIGKILL dropped)");
	selftest_ok(call_as_fake(sys_rt_sigaction, SIGUSR1, 0, (uint64_t)uold, 8) == 0 &&
	    copyin(uold, old, sizeof(old)) == 0 && old[0] == 0x2000, "rt_sigaction: read back");
	selftest_ok(call_as_fake(sys_rt_sigaction, SIGKILL, (uint64_t)uact, 0, 8) == -EINVAL &&
	    call_as_fake(sys_rt_sigaction, SIGKILL, 0, (uint64_t)uold, 8) == 0,
	    "rt_sigaction: SIGKILL cannot be changed, can be read");
	selftest_ok(call_as_fake(sys_rt_sigaction, 0, 0, 0, 8) == -EINVAL &&
	    call_as_fake(sys_rt_sigaction, 65, 0, 0, 8) == -EINVAL &&
	    call_as_fake(sys_rt_sigaction, SIGUSR1, 0, 0, 16) == -EINVAL,
	    "rt_sigaction: bad signal or size is EINVAL");
	selftest_ok(call_as_fake(sys_rt_sigaction, SIGUSR1, 0x8, 0, 8) == -EFAULT,
	    "rt_sigaction: bad pointer is EFAULT");
	psignal(&fake_proc, SIGUSR2);
	act[0] = (uint64_t)(uintptr_t)SIG_IGN;
	copyout(act, uact, sizeof(act));
	selftest_ok(is_pending(SIGUSR2) &&
	    call_as_fake(sys_rt_sigaction, SIGUSR2, (uint64_t)uact, 0, 8) == 0 &&
	    !is_pending(SIGUSR2), "rt_sigaction: SIG_IGN discards the pending signal");

	set = sigmask(SIGUSR2) | sigmask(SIGKILL);
	copyout(&set, uset, sizeof(set));
	selftest_ok(call_as_fake(sys_rt_sigprocmask, SIG_BLOCK, (uint64_t)uset, 0, 8) == 0 &&
	    fake_thread.td_sigmask == sigmask(SIGUSR2), "rt_sigprocmask: SIG_BLOCK");
	set = sigmask(SIGTERM);
	copyout(&set, uset, sizeof(set));
	selftest_ok(call_as_fake(sys_rt_sigprocmask, SIG_SETMASK, (uint64_t)uset,
	    (uint64_t)uold, 8) == 0 && copyin(uold, old, 8) == 0 && old[0] == sigmask(SIGUSR2) &&
	    fake_thread.td_sigmask == sigmask(SIGTERM), "rt_sigprocmask: SIG_SETMASK, old mask");
	selftest_ok(call_as_fake(sys_rt_sigprocmask, SIG_UNBLOCK, (uint64_t)uset, 0, 8) == 0 &&
	    fake_thread.td_sigmask == 0, "rt_sigprocmask: SIG_UNBLOCK");
	selftest_ok(call_as_fake(sys_rt_sigprocmask, 3, (uint64_t)uset, 0, 8) == -EINVAL &&
	    call_as_fake(sys_rt_sigprocmask, SIG_BLOCK, 0, 0, 4) == -EINVAL,
	    "rt_sigprocmask: bad how or size is EINVAL");
	set = sigmask(SIGTERM);
	copyout(&set, uset, sizeof(set));
	call_as_fake(sys_rt_sigprocmask, SIG_BLOCK, (uint64_t)uset, 0, 8);
	psignal(&fake_proc, SIGTERM);
	psignal(&fake_proc, SIGHUP);
	selftest_ok(call_as_fake(sys_rt_sigpending, (uint64_t)uold, 8, 0, 0) == 0 &&
	    copyin(uold, old, 8) == 0 && old[0] == sigmask(SIGTERM),
	    "rt_sigpending: the pending signals that are blocked");

	selftest_ok(call_as_fake(sys_kill, 999999, 65, 0, 0) == -EINVAL &&
	    call_as_fake(sys_kill, (uint64_t)-2147483647 - 1, 0, 0, 0) == -ESRCH,
	    "kill: bad signal EINVAL, INT_MIN ESRCH");
	selftest_ok(call_as_fake(sys_tgkill, 0, 1, 0, 0) == -EINVAL &&
	    call_as_fake(sys_tgkill, 1, 0, 0, 0) == -EINVAL, "tgkill: bad ids are EINVAL");
	selftest_use_vmspace(NULL);
	vmspace_free(vm);
}

static void
test_itimer(void)
{
	struct vmspace *vm = selftest_scratch_vmspace(UBASE, UPAGES);
	int64_t it[4] = { 1, 0, 10, 0 }, got[4];	/* interval 1 s, value 10 s */
	int64_t *uit = (int64_t *)UBASE, *ugot = (int64_t *)(UBASE + 64);
	uint64_t deadline;

	if (!selftest_ok(vm != NULL, "itimer: scratch address space"))
		return;
	selftest_use_vmspace(vm);
	fake_reset();
	copyout(it, uit, sizeof(it));
	selftest_ok(call_as_fake(sys_setitimer, ITIMER_REAL, (uint64_t)uit, 0, 0) == 0,
	    "setitimer: arm 10 s, interval 1 s");
	selftest_ok(call_as_fake(sys_getitimer, ITIMER_REAL, (uint64_t)ugot, 0, 0) == 0 &&
	    copyin(ugot, got, sizeof(got)) == 0 && got[0] == 1 && got[1] == 0 &&
	    (got[2] == 9 || (got[2] == 10 && got[3] == 0)), "getitimer: interval and time left");
	selftest_ok(call_as_fake(sys_getitimer, ITIMER_PROF + 1, (uint64_t)ugot, 0, 0) == -EINVAL,
	    "getitimer: an unknown timer is EINVAL");
	it[3] = 1000000;
	copyout(it, uit, sizeof(it));
	selftest_ok(call_as_fake(sys_setitimer, ITIMER_REAL, (uint64_t)uit, 0, 0) == -EINVAL,
	    "setitimer: usec out of range is EINVAL");
	it[0] = it[1] = it[2] = 0;
	it[3] = 1;					/* one shot, 1 us */
	copyout(it, uit, sizeof(it));
	/*
	 * itimer_tick walks allproc: put the made-up process there for a
	 * moment, before it has a timer due, so that a clock tick coming
	 * first finds it too (rather than forgetting its deadline).
	 */
	spin_lock(&proc_lock);
	list_append(&allproc, &fake_proc.p_allproc);
	spin_unlock(&proc_lock);
	selftest_ok(call_as_fake(sys_setitimer, ITIMER_REAL, (uint64_t)uit, (uint64_t)ugot, 0) == 0 &&
	    copyin(ugot, got, sizeof(got)) == 0 && got[0] == 1 && got[2] <= 10,
	    "setitimer: the old value comes back");
	deadline = fake_proc.p_itimer_real_next;
	while (cpu_time() <= deadline)
		cpu_spinwait();
	itimer_tick();
	spin_lock(&proc_lock);
	list_remove(&fake_proc.p_allproc);
	spin_unlock(&proc_lock);
	selftest_ok(is_pending(SIGALRM) && fake_proc.p_itimer_real_next == 0,
	    "itimer_tick: SIGALRM posted, one-shot timer disarmed");
	selftest_ok(call_as_fake(sys_getitimer, ITIMER_REAL, (uint64_t)ugot, 0, 0) == 0 &&
	    copyin(ugot, got, sizeof(got)) == 0 && got[0] == 0 && got[1] == 0 &&
	    got[2] == 0 && got[3] == 0, "getitimer: all zero once expired");
	selftest_use_vmspace(NULL);
	vmspace_free(vm);
}

static void
signal_selftests(void)
{
	test_trampoline();
	test_posting();
	test_syscalls();
	test_itimer();
	/* Give back the zone pages the tests' address spaces left cached. */
	zone_reclaim_all();
}

SELFTEST(signal, signal_selftests);
