/*
 * Self-tests of the RISC-V half of signals: the trampoline's instructions,
 * and a signal frame's round trip through sendsig and rt_sigreturn (the
 * registers the handler starts with, the Linux frame layout, and every
 * register and the FP state coming back).
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
#include <machine/cpu.h>
#include <machine/frame.h>
#include <machine/machdep.h>
#include <machine/pcb.h>
#include <machine/ucontext.h>
#include <vm/kmem.h>
#include <vm/vm_map.h>
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

static void
signal_md_selftests(void)
{
	test_sigcode();
	test_frame();
}

SELFTEST(signal_md, signal_md_selftests);
