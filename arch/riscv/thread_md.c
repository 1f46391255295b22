/*
 * Machine-dependent parts of threads: the first switch into a new thread,
 * and the user's floating-point registers across switches.
 *
 * sstatus.FS says whether the running thread has touched the FP registers
 * since they were last saved (Dirty).  We save them when such a thread is
 * switched out, and load them (or zeros, so nothing leaks between
 * processes) when a thread with a user context is switched in.
 */
#include <kern/systm.h>
#include <kern/thread.h>
#include <machine/csr.h>
#include <machine/frame.h>
#include <machine/pcb.h>

#define SSTATUS_FS_INITIAL	(1UL << 13)
#define SSTATUS_FS_CLEAN	(2UL << 13)
#define SSTATUS_FS_DIRTY	(3UL << 13)

void thread_trampoline(void);
void fpu_save(struct fpstate *fp);
void fpu_restore(const struct fpstate *fp);
void fpu_zero(void);

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
