/*
 * Machine-dependent parts of threads (machine/machdep.h): the registers a
 * new program or a forked child starts with, the first switch into a new
 * thread, restarting a system call, and the user's floating-point
 * registers across switches (cpu_switch itself is in swtch.S).
 *
 * sstatus.FS says whether the running thread has touched the FP registers
 * since they were last saved (Dirty).  We save them when such a thread is
 * switched out, and load them (or zeros, so nothing leaks between
 * processes) whenever a thread with a user context is switched in: eagerly,
 * not on its first FP instruction.  Threads without a user context (the
 * idle and kernel threads) run with FS Off: the last user thread's
 * switch-out turned it off and their switch-in leaves it off.
 */
#include <kern/systm.h>
#include <kern/sched.h>
#include <kern/thread.h>
#include <machine/asm.h>
#include <machine/csr.h>
#include <machine/frame.h>
#include <machine/machdep.h>
#include <machine/pcb.h>
#include "riscv.h"

void thread_trampoline(void);

void
cpu_thread_init(struct thread *td, void (*fn)(void *), void *arg)
{
	memset(&td->td_switch, 0, sizeof(td->td_switch));
	td->td_switch.sf_ra = (uint64_t)thread_trampoline;
	/* A user thread's kernel code runs below its trap frame. */
	td->td_switch.sf_sp = td->td_frame != NULL ? (uint64_t)td->td_frame : td->td_kstack_top;
	td->td_switch.sf_s[1] = (uint64_t)fn;
	td->td_switch.sf_s[2] = (uint64_t)arg;
}

void
exec_setregs(struct thread *td, uint64_t entry, uint64_t sp)
{
	struct trapframe *tf = td->td_frame;

	memset(tf, 0, sizeof(*tf));
	tf->tf_sepc = entry;
	tf->tf_sp = sp;
	tf->tf_sstatus = SSTATUS_SPIE | SSTATUS_FS_INITIAL;	/* user mode */
	tf->tf_flags = TF_RELOAD_ALL;
	td->td_flags &= ~TDF_FPUSED;
	memset(&td->td_fp, 0, sizeof(td->td_fp));
	/* The old program's FP registers are still live: the new one starts from zeros. */
	if (td == curthread())
		fpu_switch_in(td);
}

void
cpu_fork(struct thread *td, struct thread *child)
{
	*child->td_frame = *td->td_frame;
	/* Bring td_fp up to date (switching out saves a Dirty FPU), then back in. */
	fpu_switch_out(td);
	child->td_fp = td->td_fp;
	child->td_flags |= td->td_flags & TDF_FPUSED;
	fpu_switch_in(td);
	child->td_frame->tf_a0 = 0;
}

void
cpu_syscall_restart(struct thread *td)
{
	/* The trap handler stepped past the ecall; step back onto it. */
	td->td_frame->tf_sepc -= ECALL_INSN_SIZE;
}

void
fpu_switch_out(struct thread *td)
{
	if ((csr_read(sstatus) & SSTATUS_FS_MASK) == SSTATUS_FS_DIRTY) {
		fpu_save(&td->td_fp);
		td->td_flags |= TDF_FPUSED;
	}
	csr_clear(sstatus, SSTATUS_FS_MASK);
}

void
fpu_switch_in(struct thread *td)
{
	if (td->td_frame == NULL)
		return;
	csr_set(sstatus, SSTATUS_FS_INITIAL);
	if (td->td_flags & TDF_FPUSED)
		fpu_restore(&td->td_fp);
	else
		fpu_zero();
	/* The registers now match td_fp: clean until the user writes one. */
	csr_clear(sstatus, SSTATUS_FS_MASK);
	csr_set(sstatus, SSTATUS_FS_CLEAN);
	td->td_frame->tf_sstatus = (td->td_frame->tf_sstatus & ~SSTATUS_FS_MASK) |
	    SSTATUS_FS_CLEAN;
}
