/*
 * The RISC-V half of signals: the signal frame, sigreturn and the
 * trampoline.
 *
 * sendsig() writes a struct linux_rt_sigframe (machine/ucontext.h) just
 * below the interrupted user sp, or at the top of the alternate signal
 * stack (sigstack_frame_sp), 16-byte aligned (the RISC-V psABI has no
 * red zone), and enters the handler as Linux does:
 *
 *	pc = handler, a0 = signal, a1 = &frame->info, a2 = &frame->uc,
 *	sp = frame, ra = SIGCODE_VA
 *
 * When the handler returns it jumps to the trampoline, "li a7, 139;
 * ecall", so sp is the frame's address again when rt_sigreturn runs; it
 * reloads pc, x1..x31, the FP registers, the signal mask and the
 * alternate stack from the ucontext.  Nothing in the frame reaches sstatus: the thread goes back
 * to user mode with interrupts enabled, whatever the frame says.
 *
 * Floating point: the live FP registers are the current thread's; when
 * sstatus.FS is Dirty they are newer than td_fp.  Both directions work
 * with interrupts off, so no context switch (which saves and reloads the
 * registers through td_fp) can come between td_fp and the registers.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/proc.h>
#include <kern/signal.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <machine/csr.h>
#include <machine/frame.h>
#include <machine/machdep.h>
#include <machine/pcb.h>
#include <machine/ucontext.h>
#include "riscv.h"

#define FCSR_MASK		0xffUL	/* frm (7:5) and fflags (4:0) */

/* The trampoline: rt_sigreturn() on the handler's return. */
static const uint32_t sigcode[] = {
	0x08b00893,		/* li	a7, 139		(addi a7, zero, 139) */
	0x00000073,		/* ecall */
};
_Static_assert(sizeof(sigcode) <= PAGE_SIZE, "sigcode fits its page");

void
sig_md_fill_sigcode(void *page)
{
	memcpy(page, sigcode, sizeof(sigcode));
	/*
	 * The page is new and written through the direct map; make this
	 * hart fetch what was stored.  (Other harts never executed this
	 * physical page's old contents as user code.)
	 */
	__asm__ volatile("fence.i" ::: "memory");
}

/* Set the FS field of sstatus, live and in td's trap frame. */
static void
fpu_set_fs(struct thread *td, uint64_t fs)
{
	csr_clear(sstatus, SSTATUS_FS_MASK);
	csr_set(sstatus, fs);
	td->td_frame->tf_sstatus = (td->td_frame->tf_sstatus & ~SSTATUS_FS_MASK) | fs;
}

/* Bring td_fp up to date with td's live FP registers. */
static void
fpu_capture(struct thread *td)
{
	bool on = intr_disable();

	if ((csr_read(sstatus) & SSTATUS_FS_MASK) == SSTATUS_FS_DIRTY) {
		fpu_save(&td->td_fp);
		__atomic_fetch_or(&td->td_flags, TDF_FPUSED, __ATOMIC_RELAXED);
		fpu_set_fs(td, SSTATUS_FS_CLEAN);
	}
	intr_restore(on);
}

/* Make fp td's FP state, in td_fp and in the live registers. */
static void
fpu_install(struct thread *td, const struct fpstate *fp)
{
	bool on = intr_disable();

	td->td_fp = *fp;
	__atomic_fetch_or(&td->td_flags, TDF_FPUSED, __ATOMIC_RELAXED);
	fpu_set_fs(td, SSTATUS_FS_CLEAN);	/* FP instructions legal */
	fpu_restore(&td->td_fp);
	fpu_set_fs(td, SSTATUS_FS_CLEAN);	/* the loads made it Dirty */
	intr_restore(on);
}

static void
siginfo_fill(struct linux_siginfo *si, const struct ksiginfo *ksi)
{
	memset(si, 0, sizeof(*si));
	si->si_signo = ksi->ksi_signo;
	si->si_code = ksi->ksi_code;
	/* Sent by a process or by the kernel: the sender's layout. */
	if (ksi->ksi_code <= 0 || ksi->ksi_code == SI_KERNEL) {
		si->si_fields.si_kill.pid = ksi->ksi_pid;
		si->si_fields.si_kill.uid = ksi->ksi_uid;
		return;
	}
	switch (ksi->ksi_signo) {
	case SIGSEGV:
	case SIGBUS:
	case SIGILL:
	case SIGFPE:
	case SIGTRAP:
		si->si_fields.si_fault.addr = ksi->ksi_addr;
		break;
	case SIGCHLD:
		si->si_fields.si_chld.pid = ksi->ksi_pid;
		si->si_fields.si_chld.uid = ksi->ksi_uid;
		si->si_fields.si_chld.status = ksi->ksi_status;
		break;
	default:
		si->si_fields.si_kill.pid = ksi->ksi_pid;
		si->si_fields.si_kill.uid = ksi->ksi_uid;
		break;
	}
}

int
sig_copyout_siginfo(const struct ksiginfo *ksi, void *uaddr)
{
	struct linux_siginfo si;

	siginfo_fill(&si, ksi);
	return copyout(&si, uaddr, sizeof(si));
}

/* Save td's user registers in mc. */
static void
mcontext_save(struct thread *td, struct linux_sigcontext *mc)
{
	const struct trapframe *tf = td->td_frame;

	mc->sc_regs[SC_REG_PC] = tf->tf_sepc;
	for (int n = 1; n < SC_NREGS; n++)
		mc->sc_regs[n] = tf->tf_x[n - 1];
	fpu_capture(td);
	/* A thread that never used FP has zeros in its registers. */
	if (td->td_flags & TDF_FPUSED) {
		memcpy(mc->sc_fpregs.fs_d.f, td->td_fp.fp_f, sizeof(mc->sc_fpregs.fs_d.f));
		mc->sc_fpregs.fs_d.fcsr = (uint32_t)(td->td_fp.fp_fcsr & FCSR_MASK);
	}
}

/* Load td's user registers from mc. */
static void
mcontext_restore(struct thread *td, const struct linux_sigcontext *mc)
{
	struct trapframe *tf = td->td_frame;
	struct fpstate fp;

	tf->tf_sepc = mc->sc_regs[SC_REG_PC];
	for (int n = 1; n < SC_NREGS; n++)
		tf->tf_x[n - 1] = mc->sc_regs[n];
	/* Back to user mode, interrupts on: the frame has no say. */
	tf->tf_sstatus = (tf->tf_sstatus & ~SSTATUS_SPP) | SSTATUS_SPIE;
	tf->tf_flags |= TF_RELOAD_ALL;
	memcpy(fp.fp_f, mc->sc_fpregs.fs_d.f, sizeof(fp.fp_f));
	fp.fp_fcsr = mc->sc_fpregs.fs_d.fcsr & FCSR_MASK;
	fpu_install(td, &fp);
}

int
sendsig(struct thread *td, uint64_t handler, const struct ksiginfo *ksi, uint64_t mask,
    bool onstack)
{
	struct trapframe *tf = td->td_frame;
	struct linux_rt_sigframe sf;
	struct kernel_sigaltstack saved;
	vaddr_t sp, frame;

	memset(&sf, 0, sizeof(sf));
	sp = sigstack_frame_sp(td, tf->tf_sp, onstack, &saved);
	if (sp < sizeof(sf) + USER_MIN)
		return EFAULT;
	frame = rounddown2(sp - sizeof(sf), 16);
	siginfo_fill(&sf.sf_info, ksi);
	sf.sf_uc.uc_stack = (struct linux_sigaltstack){ .ss_sp = saved.ss_sp,
	    .ss_flags = saved.ss_flags, .ss_size = saved.ss_size };
	sf.sf_uc.uc_sigmask = mask;
	mcontext_save(td, &sf.sf_uc.uc_mcontext);
	if (copyout(&sf, (void *)frame, sizeof(sf)))
		return EFAULT;
	tf->tf_sepc = handler;
	tf->tf_a0 = (uint64_t)ksi->ksi_signo;
	tf->tf_a1 = frame + offsetof(struct linux_rt_sigframe, sf_info);
	tf->tf_x[11] = frame + offsetof(struct linux_rt_sigframe, sf_uc);	/* a2 */
	tf->tf_sp = frame;
	tf->tf_ra = SIGCODE_VA;
	return 0;
}

/*
 * rt_sigreturn(): the trampoline's call, with sp at the frame sendsig
 * built.  The value returned is the restored a0, which the dispatcher
 * stores back into a0.  A frame that cannot be read kills the process.
 */
SYSCALL(rt_sigreturn)
{
	struct trapframe *tf = td->td_frame;
	struct linux_ucontext uc;
	vaddr_t frame = tf->tf_sp;

	if (frame >= USER_MAX || copyin((const void *)(frame + offsetof(struct linux_rt_sigframe, sf_uc)),
	    &uc, sizeof(uc)))
		sigexit(td, SIGSEGV);
	mcontext_restore(td, &uc.uc_mcontext);
	signal_setmask(td, uc.uc_sigmask);
	/* At the sp just restored, as Linux judges "on the alternate stack". */
	sigstack_restore(td, &(struct kernel_sigaltstack){ .ss_sp = uc.uc_stack.ss_sp,
	    .ss_flags = uc.uc_stack.ss_flags, .ss_size = uc.uc_stack.ss_size }, tf->tf_sp);
	return (long)tf->tf_a0;
}
