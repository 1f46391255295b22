/*
 * Self-tests of signals that need no user program: the shared trampoline
 * page, a signal frame's round trip through sendsig and rt_sigreturn,
 * posting and masking against a made-up process, the system calls on
 * user memory, and the real interval timer.
 *
 * The tests borrow the running (kernel) thread: they give it a user
 * address space, a trap frame and, for the system calls, a made-up
 * process, and put everything back at the end.  The frame test reads
 * RISC-V trap frame fields, so it is not entirely machine-independent.
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
#include <machine/frame.h>
#include <machine/pcb.h>
#include <machine/ucontext.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <vm/zone.h>

#define UBASE		0x10000000UL	/* scratch user memory */
#define UPAGES		4

static struct proc fake_proc;
static struct thread fake_thread;

/* Run on vm: this cpu's translation and the thread's fault context. */
static void
use_vmspace(struct vmspace *vm)
{
	curthread()->td_vmspace = vm;
	if (vm != NULL)
		pmap_activate(vm->vm_pmap);
	else
		pmap_activate_kernel();
}

/* A new address space with UPAGES of read-write memory at UBASE. */
static struct vmspace *
scratch_vmspace(void)
{
	struct vmspace *vm = vmspace_alloc();
	vaddr_t va = UBASE;

	if (vm == NULL)
		return NULL;
	if (vm_map_find(&vm->vm_map, NULL, 0, &va, ptoa(UPAGES), 0, VMFS_FIXED,
	    VM_PROT_RW, VM_PROT_ALL, MAP_ENTRY_COW) != 0) {
		vmspace_free(vm);
		return NULL;
	}
	return vm;
}

static bool
sigcode_is_there(void)
{
	uint32_t insn[2] = { 0, 0 };

	return copyin((const void *)SIGCODE_VA, insn, sizeof(insn)) == 0 &&
	    insn[0] == 0x08b00893 && insn[1] == 0x00000073;
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
	use_vmspace(a);
	selftest_ok(sigcode_is_there(), "trampoline: li a7, 139; ecall at SIGCODE_VA");
	selftest_ok(copyout(&zero, (void *)SIGCODE_VA, sizeof(zero)) == EFAULT,
	    "trampoline: not writable");
	selftest_ok(vm_map_protect(&a->vm_map, SIGCODE_VA, SIGCODE_VA + PAGE_SIZE,
	    VM_PROT_ALL) != 0, "trampoline: cannot be made writable");
	use_vmspace(b);
	selftest_ok(sigcode_is_there(), "trampoline: there in the second space too");
	pa_a = pmap_extract(a->vm_pmap, SIGCODE_VA);
	pa_b = pmap_extract(b->vm_pmap, SIGCODE_VA);
	selftest_ok(pa_a != 0 && pa_a == pa_b, "trampoline: one physical page for both");
	c = vmspace_fork(a);
	if (selftest_ok(c != NULL, "trampoline: fork")) {
		use_vmspace(c);
		selftest_ok(sigcode_is_there(), "trampoline: inherited by fork");
		pa_c = pmap_extract(c->vm_pmap, SIGCODE_VA);
		selftest_ok(pa_c == pa_a, "trampoline: the child shares the page");
	}
	use_vmspace(NULL);
	if (c != NULL)
		vmspace_free(c);
	vmspace_free(a);
	vmspace_free(b);
	/* The page outlives every address space. */
	a = vmspace_alloc();
	if (a != NULL && signal_map_trampoline(a) == 0) {
		use_vmspace(a);
		selftest_ok(sigcode_is_there() && pmap_extract(a->vm_pmap, SIGCODE_VA) == pa_b,
		    "trampoline: the same page after every map using it is gone");
		use_vmspace(NULL);
	}
	if (a != NULL)
		vmspace_free(a);
}

static void
test_frame(void)
{
	struct thread *td = curthread();
	struct trapframe *saved_frame = td->td_frame, tf, orig;
	uint64_t saved_mask = td->td_sigmask;
	uint32_t saved_flags = td->td_flags;
	struct fpstate saved_fp = td->td_fp, fp;
	struct ksiginfo ksi = { .ksi_signo = SIGSEGV, .ksi_code = SEGV_MAPERR,
	    .ksi_addr = 0xdead0 };
	struct linux_rt_sigframe sf;
	struct vmspace *vm = scratch_vmspace();
	const uint64_t args[6] = { 0 };
	vaddr_t frame;
	bool same;
	long rv;

	if (!selftest_ok(vm != NULL, "frame: scratch address space"))
		return;
	use_vmspace(vm);
	memset(&tf, 0, sizeof(tf));
	for (int n = 1; n <= 31; n++)
		tf.tf_x[n - 1] = 0x1000 * n + n;
	tf.tf_sp = UBASE + ptoa(UPAGES) - 8;		/* misaligned on purpose */
	tf.tf_sepc = 0x12344;
	for (int i = 0; i < 32; i++)
		fp.fp_f[i] = 0x4000000000000000UL + i;
	fp.fp_fcsr = 0x61;
	orig = tf;
	/* FP off, so td_fp rather than whatever is in the registers is the state. */
	fpu_switch_out(td);
	td->td_frame = &tf;
	td->td_fp = fp;
	td->td_flags |= TDF_FPUSED;

	selftest_ok(sendsig(td, 0x50000, &ksi, 0x5) == 0, "frame: sendsig");
	frame = tf.tf_sp;
	selftest_ok(frame % 16 == 0 && frame + sizeof(sf) <= orig.tf_sp &&
	    orig.tf_sp - frame < sizeof(sf) + 16, "frame: just below sp, 16-byte aligned");
	selftest_ok(tf.tf_sepc == 0x50000 && tf.tf_a0 == SIGSEGV && tf.tf_a1 == frame &&
	    tf.tf_x[11] == frame + 128 && tf.tf_ra == SIGCODE_VA,
	    "frame: pc, a0, a1, a2, ra set for the handler");
	selftest_ok(copyin((const void *)frame, &sf, sizeof(sf)) == 0, "frame: readable");
	selftest_ok(sf.sf_info.si_signo == SIGSEGV && sf.sf_info.si_code == SEGV_MAPERR &&
	    sf.sf_info.si_fields.si_fault.addr == 0xdead0, "frame: siginfo");
	selftest_ok(sf.sf_uc.uc_sigmask == 0x5 && sf.sf_uc.uc_stack.ss_flags == SS_DISABLE,
	    "frame: saved mask, no alternate stack");
	same = sf.sf_uc.uc_mcontext.sc_regs[0] == orig.tf_sepc;
	for (int n = 1; n <= 31; n++)
		same = same && sf.sf_uc.uc_mcontext.sc_regs[n] == orig.tf_x[n - 1];
	selftest_ok(same, "frame: pc and x1..x31 saved");
	selftest_ok(memcmp(sf.sf_uc.uc_mcontext.sc_fpregs.fs_d.f, fp.fp_f, sizeof(fp.fp_f)) == 0 &&
	    sf.sf_uc.uc_mcontext.sc_fpregs.fs_d.fcsr == 0x61, "frame: f0..f31 and fcsr saved");

	/* The handler changes things; sigreturn must bring the old ones back. */
	sf.sf_uc.uc_sigmask = sigmask(SIGKILL) | sigmask(SIGUSR1);
	sf.sf_uc.uc_mcontext.sc_regs[10] = 0xabc;		/* a0 */
	sf.sf_uc.uc_mcontext.sc_fpregs.fs_d.f[3] = 0x77;
	copyout(&sf, (void *)frame, sizeof(sf));
	memset(&td->td_fp, 0, sizeof(td->td_fp));
	for (int n = 1; n <= 31; n++)
		tf.tf_x[n - 1] = 0xbad;
	tf.tf_sp = frame;
	rv = sys_rt_sigreturn(td, args);
	orig.tf_a0 = 0xabc;
	same = tf.tf_sepc == orig.tf_sepc;
	for (int n = 1; n <= 31; n++)
		same = same && tf.tf_x[n - 1] == orig.tf_x[n - 1];
	selftest_ok(rv == 0xabc && same, "sigreturn: pc and x1..x31 restored, a0 returned");
	fp.fp_f[3] = 0x77;
	selftest_ok(memcmp(td->td_fp.fp_f, fp.fp_f, sizeof(fp.fp_f)) == 0 &&
	    td->td_fp.fp_fcsr == 0x61 && (td->td_flags & TDF_FPUSED),
	    "sigreturn: FP registers restored");
	selftest_ok(td->td_sigmask == sigmask(SIGUSR1), "sigreturn: mask restored without SIGKILL");

	tf.tf_sp = UBASE + ptoa(UPAGES) + ptoa(64);	/* unmapped */
	selftest_ok(sendsig(td, 0x50000, &ksi, 0) == EFAULT && tf.tf_sepc == orig.tf_sepc,
	    "frame: a bad stack gives EFAULT and leaves the registers");

	fpu_switch_out(td);		/* FP instructions off again for this kernel thread */
	td->td_frame = saved_frame;
	td->td_fp = saved_fp;
	td->td_flags = saved_flags;
	td->td_sigmask = saved_mask;
	use_vmspace(NULL);
	vmspace_free(vm);
}

static void
fake_reset(void)
{
	memset(&fake_proc, 0, sizeof(fake_proc));
	memset(&fake_thread, 0, sizeof(fake_thread));
	fake_proc.p_pid = 999999;
	fake_proc.p_state = PRS_ALIVE;
	fake_proc.p_thread = &fake_thread;
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
	p->p_sigacts[SIGUSR1] = (struct sigaction_k){ 0x1000, SA_RESTART, 0x3 };
	p->p_sigacts[SIGUSR2] = (struct sigaction_k){ SIG_IGN, SA_RESTART, 0x3 };
	p->p_sigacts[SIGCHLD] = (struct sigaction_k){ SIG_DFL, SA_NOCLDWAIT, 0 };
	selftest_ok(signal_child_autoreap(p), "exit: SA_NOCLDWAIT reaps children");
	signal_setmask(td, 0x30);
	psignal(p, SIGTERM);
	signal_exec_reset(p);
	selftest_ok(p->p_sigacts[SIGUSR1].sa_handler == SIG_DFL &&
	    p->p_sigacts[SIGUSR1].sa_flags == 0 && p->p_sigacts[SIGUSR1].sa_mask == 0,
	    "exec: a handler becomes SIG_DFL");
	selftest_ok(p->p_sigacts[SIGUSR2].sa_handler == SIG_IGN, "exec: SIG_IGN stays");
	selftest_ok(td->td_sigmask == 0x30 && is_pending(SIGTERM), "exec: mask and pending kept");
	selftest_ok(!signal_child_autoreap(p), "exec: SA_NOCLDWAIT cleared");
}

/* Call a system call as the made-up process. */
static long
call_as_fake(long (*fn)(struct thread *, const uint64_t[6]), uint64_t a0, uint64_t a1,
    uint64_t a2, uint64_t a3)
{
	struct thread *td = curthread();
	struct proc *saved_proc = td->td_proc;
	uint64_t saved_mask = td->td_sigmask;
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };
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
	struct vmspace *vm = scratch_vmspace();
	uint64_t act[3] = { 0x2000, SA_SIGINFO | SA_RESTART | 0x400, ~0UL }, old[3], set;
	uint64_t *uact = (uint64_t *)UBASE, *uold = (uint64_t *)(UBASE + 64);
	uint64_t *uset = (uint64_t *)(UBASE + 128);
	struct sigaction_k *sa = &fake_proc.p_sigacts[SIGUSR1];

	if (!selftest_ok(vm != NULL, "syscalls: scratch address space"))
		return;
	use_vmspace(vm);
	fake_reset();
	copyout(act, uact, sizeof(act));
	selftest_ok(call_as_fake(sys_rt_sigaction, SIGUSR1, (uint64_t)uact, 0, 8) == 0 &&
	    sa->sa_handler == 0x2000 && sa->sa_flags == (SA_SIGINFO | SA_RESTART) &&
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
	act[0] = SIG_IGN;
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
	use_vmspace(NULL);
	vmspace_free(vm);
}

static void
test_itimer(void)
{
	struct vmspace *vm = scratch_vmspace();
	int64_t it[4] = { 1, 0, 10, 0 }, got[4];	/* interval 1 s, value 10 s */
	int64_t *uit = (int64_t *)UBASE, *ugot = (int64_t *)(UBASE + 64);
	uint64_t deadline;

	if (!selftest_ok(vm != NULL, "itimer: scratch address space"))
		return;
	use_vmspace(vm);
	fake_reset();
	copyout(it, uit, sizeof(it));
	selftest_ok(call_as_fake(sys_setitimer, ITIMER_REAL, (uint64_t)uit, 0, 0) == 0,
	    "setitimer: arm 10 s, interval 1 s");
	selftest_ok(call_as_fake(sys_getitimer, ITIMER_REAL, (uint64_t)ugot, 0, 0) == 0 &&
	    copyin(ugot, got, sizeof(got)) == 0 && got[0] == 1 && got[1] == 0 &&
	    (got[2] == 9 || (got[2] == 10 && got[3] == 0)), "getitimer: interval and time left");
	selftest_ok(call_as_fake(sys_getitimer, ITIMER_VIRTUAL, (uint64_t)ugot, 0, 0) == -EINVAL,
	    "getitimer: ITIMER_VIRTUAL unsupported");
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
	use_vmspace(NULL);
	vmspace_free(vm);
}

/*
 * Restarting interrupted system calls.  The current thread plays a user
 * thread of the made-up process: it gets a trap frame on which
 * syscall_dispatch and user_return act as they would on the way back to
 * user mode.
 */

#define RESTART_PC	0x12344		/* the ecall's address + 4, as dispatched */
#define RESTART_ARG0	0x5a5a		/* the call's first argument */
#define RESTART_HANDLER	0x50000
#define SYS_NANOSLEEP	101
#define SYS_RESTART_SYSCALL 128

struct restart_case {
	int		code;		/* what the call returned (ERESTART*) */
	uint64_t	handler;	/* SIGUSR1's handler, or SIG_DFL: none runs */
	uint64_t	flags;		/* its sa_flags */
	bool		again;		/* the call runs again (else EINTR) */
	uint64_t	a7;		/* the call number it runs again as */
};

static struct trapframe restart_tf;

/* Borrow the current thread as fake_proc's thread, with restart_tf. */
static struct thread *
restart_borrow(void)
{
	struct thread *td = curthread();

	fake_reset();
	fake_proc.p_thread = td;
	td->td_proc = &fake_proc;
	td->td_frame = &restart_tf;
	td->td_sigmask = 0;
	memset(&restart_tf, 0, sizeof(restart_tf));
	restart_tf.tf_sp = UBASE + ptoa(UPAGES);
	return td;
}

static void
restart_return(struct thread *td, struct trapframe *saved_frame)
{
	td->td_proc = NULL;
	td->td_frame = saved_frame;
	td->td_sigmask = 0;
	td->td_sysrestart = 0;
	td->td_restart.rb_fn = NULL;
	fake_reset();
}

/* The way back to user mode, from a kernel thread: interrupts on again after. */
static void
return_to_user(struct thread *td)
{
	user_return(td);
	intr_enable();
}

static long
restart_block_fn(struct thread *td, const struct restart_block *rb)
{
	(void)td;
	return (long)rb->rb_arg[0];
}

/* A call returned c->code as syscall_dispatch records it; what does the way back do? */
static void
test_restart_case(struct thread *td, const struct restart_case *c)
{
	struct linux_rt_sigframe sf;
	uint64_t pc, a0, a7;

	restart_tf = (struct trapframe){ 0 };
	restart_tf.tf_sp = UBASE + ptoa(UPAGES);
	restart_tf.tf_sepc = RESTART_PC;
	restart_tf.tf_a0 = (uint64_t)-c->code;
	restart_tf.tf_a7 = SYS_NANOSLEEP;
	td->td_sysrestart = c->code;
	td->td_sysarg0 = RESTART_ARG0;
	td->td_sigmask = 0;
	td->td_restart = (struct restart_block){ restart_block_fn, 0, { 7, 0 } };
	fake_proc.p_sigacts[SIGUSR1] = (struct sigaction_k){ c->handler, c->flags, 0 };
	if (c->handler != SIG_DFL)
		psignal(&fake_proc, SIGUSR1);
	return_to_user(td);
	pc = restart_tf.tf_sepc;
	a0 = restart_tf.tf_a0;
	a7 = restart_tf.tf_a7;
	if (c->handler != SIG_DFL) {
		/* The handler runs first: what the call does shows in the frame it returns to. */
		if (restart_tf.tf_sepc != RESTART_HANDLER ||
		    copyin((const void *)restart_tf.tf_sp, &sf, sizeof(sf)) != 0) {
			selftest_ok(false, "restart: code %d: no handler frame", c->code);
			return;
		}
		pc = sf.sf_uc.uc_mcontext.sc_regs[SC_REG_PC];
		a0 = sf.sf_uc.uc_mcontext.sc_regs[10];
		a7 = sf.sf_uc.uc_mcontext.sc_regs[17];
	}
	if (c->again)
		selftest_ok(pc == RESTART_PC - 4 && a0 == RESTART_ARG0 && a7 == c->a7 &&
		    td->td_sysrestart == 0,
		    "restart: code %d, %s%s: the call runs again as %lu (pc %#lx, a0 %#lx)",
		    c->code, c->handler != SIG_DFL ? "a handler" : "no handler",
		    (c->flags & SA_RESTART) ? " with SA_RESTART" : "", a7, pc, a0);
	else
		selftest_ok(pc == RESTART_PC && a0 == (uint64_t)-EINTR &&
		    td->td_restart.rb_fn == NULL && td->td_sysrestart == 0,
		    "restart: code %d, a handler%s: EINTR, restart block cleared (pc %#lx, a0 %ld)",
		    c->code, (c->flags & SA_RESTART) ? " with SA_RESTART" : "", pc, (long)a0);
}

/* Post SIGUSR1 to fake_proc after RESTART_SIGNAL_MS. */
#define RESTART_SIGNAL_MS	200
#define RESTART_SLEEP_MS	600
#define RESTART_LATE_MS		150	/* less than RESTART_SIGNAL_MS */

static void
post_later(void *arg, int i)
{
	(void)arg;
	(void)i;
	selftest_sleep_ms(RESTART_SIGNAL_MS);
	psignal(&fake_proc, SIGUSR1);
}

/*
 * nanosleep interrupted by a signal that no handler takes: it writes the
 * time left, and restart_syscall sleeps on to the first deadline.
 */
static void
test_restart_nanosleep(struct thread *td)
{
	int64_t req[2] = { 0, RESTART_SLEEP_MS * 1000000L }, rem[2] = { -1, -1 };
	const uint64_t ignore[3] = { SIG_IGN, 0, 0 };
	const uint64_t ignore_args[6] = { SIGUSR1, UBASE + 128, 0, sizeof(uint64_t), 0, 0 };
	uint64_t t0, elapsed_ms;
	struct selftest_group *g;

	copyout(req, (void *)UBASE, sizeof(req));
	copyout(rem, (void *)(UBASE + 64), sizeof(rem));
	restart_tf = (struct trapframe){ 0 };
	restart_tf.tf_sp = UBASE + ptoa(UPAGES);
	restart_tf.tf_sepc = RESTART_PC;
	restart_tf.tf_a7 = SYS_NANOSLEEP;
	restart_tf.tf_a0 = UBASE;
	restart_tf.tf_a1 = UBASE + 64;
	fake_proc.p_sigacts[SIGUSR1] = (struct sigaction_k){ RESTART_HANDLER, SA_RESTART, 0 };
	g = selftest_threads_start(1, post_later, NULL, SCHED_ANY_CPU);
	t0 = selftest_now_us();
	syscall_dispatch(td);
	selftest_threads_wait(g, 10000);
	selftest_ok(restart_tf.tf_a0 == (uint64_t)-ERESTART_RESTARTBLOCK &&
	    td->td_sysrestart == ERESTART_RESTARTBLOCK,
	    "restart: nanosleep interrupted returns ERESTART_RESTARTBLOCK (%ld)",
	    (long)restart_tf.tf_a0);
	selftest_ok(copyin((void *)(UBASE + 64), rem, sizeof(rem)) == 0 && rem[0] == 0 &&
	    rem[1] > 0 && rem[1] <= (RESTART_SLEEP_MS - RESTART_SIGNAL_MS) * 1000000L,
	    "restart: nanosleep wrote the time left (%ld ns)", rem[1]);
	/* The signal becomes ignored before delivery (which discards it), so no handler runs. */
	copyout(ignore, (void *)(UBASE + 128), sizeof(ignore));
	selftest_ok(sys_rt_sigaction(td, ignore_args) == 0 && !is_pending(SIGUSR1),
	    "restart: SIG_IGN discards the signal that interrupted the sleep");
	return_to_user(td);
	selftest_ok(restart_tf.tf_a7 == SYS_RESTART_SYSCALL && restart_tf.tf_sepc == RESTART_PC - 4,
	    "restart: with no handler it goes on as restart_syscall (a7 %lu)", restart_tf.tf_a7);
	restart_tf.tf_sepc += 4;		/* what the trap path does for an ecall */
	syscall_dispatch(td);
	elapsed_ms = (selftest_now_us() - t0) / 1000;
	selftest_ok(restart_tf.tf_a0 == 0 && elapsed_ms >= RESTART_SLEEP_MS &&
	    elapsed_ms < RESTART_SLEEP_MS + RESTART_LATE_MS,
	    "restart: restart_syscall slept to the first deadline (%lu ms of %d)", elapsed_ms,
	    RESTART_SLEEP_MS);
	syscall_dispatch(td);
	selftest_ok(restart_tf.tf_a0 == (uint64_t)-EINTR,
	    "restart: restart_syscall with nothing to continue is EINTR");
}

static void
test_restart(void)
{
	static const struct restart_case cases[] = {
		{ ERESTARTSYS, RESTART_HANDLER, SA_RESTART, true, SYS_NANOSLEEP },
		{ ERESTARTSYS, RESTART_HANDLER, 0, false, 0 },
		{ ERESTARTNOHAND, RESTART_HANDLER, SA_RESTART, false, 0 },
		{ ERESTART_RESTARTBLOCK, RESTART_HANDLER, SA_RESTART, false, 0 },
		{ ERESTARTSYS, SIG_DFL, 0, true, SYS_NANOSLEEP },
		{ ERESTARTNOHAND, SIG_DFL, 0, true, SYS_NANOSLEEP },
		{ ERESTART_RESTARTBLOCK, SIG_DFL, 0, true, SYS_RESTART_SYSCALL },
	};
	struct vmspace *vm = scratch_vmspace();
	struct thread *td = curthread();
	struct trapframe *saved_frame = td->td_frame;
	const uint64_t args[6] = { 0 };

	if (!selftest_ok(vm != NULL, "restart: scratch address space"))
		return;
	use_vmspace(vm);
	restart_borrow();
	for (size_t i = 0; i < nitems(cases); i++)
		test_restart_case(td, &cases[i]);
	td->td_restart = (struct restart_block){ restart_block_fn, 0, { 42, 0 } };
	selftest_ok(sys_restart_syscall(td, args) == 42 && td->td_restart.rb_fn == NULL,
	    "restart: restart_syscall runs the restart block once");
	test_restart_nanosleep(td);
	restart_return(td, saved_frame);
	use_vmspace(NULL);
	vmspace_free(vm);
}

static void
signal_selftests(void)
{
	test_trampoline();
	test_frame();
	test_posting();
	test_syscalls();
	test_itimer();
	test_restart();
	/* Give back the zone pages the tests' address spaces left cached. */
	zone_reclaim_all();
}

SELFTEST(signal, signal_selftests);
