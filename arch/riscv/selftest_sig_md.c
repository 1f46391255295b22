/*
 * Self-tests of the RISC-V half of signals: the trampoline's instructions,
 * a signal frame's round trip through sendsig and rt_sigreturn (the
 * registers the handler starts with, the Linux frame layout, and every
 * register and the FP state coming back), and interrupted system calls
 * restarted or failed with EINTR as the frame shows them.
 *
 * The frame test borrows the running (kernel) thread: it gives it a user
 * address space and a trap frame of its own, and puts everything back at
 * the end.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/selftest.h>
#include <kern/signal.h>
#include <kern/thread.h>
#include <kern/user_return.h>
#include <machine/cpu.h>
#include <machine/frame.h>
#include <machine/machdep.h>
#include <machine/pcb.h>
#include <machine/ucontext.h>
#include <vm/kmem.h>
#include <vm/vm_map.h>
#include <uapi/unistd.h>
#include "riscv.h"

#define UBASE		0x10000000UL	/* scratch user memory */
#define UPAGES		4

/* The trampoline: li a7, 139 (rt_sigreturn); ecall. */
#define INSN_LI_A7_139	0x08b00893	/* addi a7, zero, 139 */
#define INSN_ECALL	0x00000073

static void
test_sigcode(void)
{
	uint32_t *page = kmem_alloc(PAGE_SIZE, M_WAITOK);

	if (!selftest_ok(page != NULL, "sigcode: a page to fill"))
		return;
	sig_md_fill_sigcode(page);
	selftest_ok(page[0] == INSN_LI_A7_139 && page[1] == INSN_ECALL,
	    "sigcode: li a7, 139; ecall");
	kmem_free(page, PAGE_SIZE);
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
	struct vmspace *vm = selftest_scratch_vmspace(UBASE, UPAGES);
	const uint64_t args[6] = { 0 };
	vaddr_t frame;
	bool same;
	long rv;

	if (!selftest_ok(vm != NULL, "frame: scratch address space"))
		return;
	selftest_use_vmspace(vm);
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

	selftest_ok(sendsig(td, 0x50000, &ksi, 0x5, false) == 0, "frame: sendsig");
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
	selftest_ok(sendsig(td, 0x50000, &ksi, 0, false) == EFAULT && tf.tf_sepc == orig.tf_sepc,
	    "frame: a bad stack gives EFAULT and leaves the registers");

	fpu_switch_out(td);		/* FP instructions off again for this kernel thread */
	td->td_frame = saved_frame;
	td->td_fp = saved_fp;
	td->td_flags = saved_flags;
	td->td_sigmask = saved_mask;
	selftest_use_vmspace(NULL);
	vmspace_free(vm);
}

/*
 * Restarting interrupted system calls: the decision signal delivery makes
 * shows in the trap frame (pc backed up onto the ecall, a0 and a7) or in
 * the handler's signal frame.  The current thread plays the one thread of
 * a made-up process: it gets a trap frame on which syscall_dispatch and
 * user_return act as they would on the way back to user mode.
 */

#define RESTART_PC	0x12344		/* the ecall's address + 4, as dispatched */
#define RESTART_ARG0	0x5a5a		/* the call's first argument */
#define RESTART_HANDLER	((__sighandler_t)0x50000)
#define SYS_NANOSLEEP	__NR_nanosleep
#define SYS_RESTART_SYSCALL __NR_restart_syscall

static struct proc fake_proc;

static void
fake_reset(void)
{
	selftest_fake_proc(&fake_proc, 999998);
}

static bool
is_pending(int sig)
{
	return (fake_proc.p_sigpending & sigmask(sig)) != 0;
}

struct restart_case {
	int		code;		/* what the call returned (ERESTARTSYS*) */
	__sighandler_t	handler;	/* SIGUSR1's handler, or SIG_DFL: none runs */
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
	td->td_sigmask = 0;
	selftest_join_proc(&fake_proc);
	td->td_frame = &restart_tf;
	memset(&restart_tf, 0, sizeof(restart_tf));
	restart_tf.tf_sp = UBASE + ptoa(UPAGES);
	return td;
}

static void
restart_return(struct thread *td, struct trapframe *saved_frame)
{
	selftest_leave_proc();
	td->td_frame = saved_frame;
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
		if (restart_tf.tf_sepc != (uint64_t)(uintptr_t)RESTART_HANDLER ||
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
	const uint64_t ignore[3] = { (uint64_t)(uintptr_t)SIG_IGN, 0, 0 };
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
	struct vmspace *vm = selftest_scratch_vmspace(UBASE, UPAGES);
	struct thread *td = curthread();
	struct trapframe *saved_frame = td->td_frame;
	const uint64_t args[6] = { 0 };

	if (!selftest_ok(vm != NULL, "restart: scratch address space"))
		return;
	selftest_use_vmspace(vm);
	restart_borrow();
	for (size_t i = 0; i < nitems(cases); i++)
		test_restart_case(td, &cases[i]);
	td->td_restart = (struct restart_block){ restart_block_fn, 0, { 42, 0 } };
	selftest_ok(sys_restart_syscall(td, args) == 42 && td->td_restart.rb_fn == NULL,
	    "restart: restart_syscall runs the restart block once");
	test_restart_nanosleep(td);
	restart_return(td, saved_frame);
	selftest_use_vmspace(NULL);
	vmspace_free(vm);
}

static void
signal_md_selftests(void)
{
	test_sigcode();
	test_frame();
	test_restart();
}

SELFTEST(signal_md, signal_md_selftests);
