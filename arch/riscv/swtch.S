/*
 * cpu_switch(from, to), see machine/machdep.h: save the callee-saved
 * registers of the running thread from in from->td_switch, switch the FP
 * state (fpu_switch_out(from), fpu_switch_in(to), for threads with a user
 * context only: the others run with FS Off), and resume to from its
 * td_switch.  Everything else was saved by the C calling convention of
 * our caller.  Once from's registers are saved, s1 is free to hold to,
 * and the C calls run on from's stack below its saved sp.
 */
#include <machine/asm.h>

	.text
	.globl cpu_switch
cpu_switch:
	sd	ra, (TD_SWITCH + 0)(a0)
	sd	sp, (TD_SWITCH + 8)(a0)
	sd	s0, (TD_SWITCH + 16)(a0)
	sd	s1, (TD_SWITCH + 24)(a0)
	sd	s2, (TD_SWITCH + 32)(a0)
	sd	s3, (TD_SWITCH + 40)(a0)
	sd	s4, (TD_SWITCH + 48)(a0)
	sd	s5, (TD_SWITCH + 56)(a0)
	sd	s6, (TD_SWITCH + 64)(a0)
	sd	s7, (TD_SWITCH + 72)(a0)
	sd	s8, (TD_SWITCH + 80)(a0)
	sd	s9, (TD_SWITCH + 88)(a0)
	sd	s10, (TD_SWITCH + 96)(a0)
	sd	s11, (TD_SWITCH + 104)(a0)

	mv	s1, a1			/* to */
	ld	t0, TD_FRAME(a0)
	beqz	t0, 1f
	call	fpu_switch_out		/* a0 is still from */
1:	ld	t0, TD_FRAME(s1)
	beqz	t0, 2f
	mv	a0, s1
	call	fpu_switch_in

2:
	ld	ra, (TD_SWITCH + 0)(s1)
	ld	sp, (TD_SWITCH + 8)(s1)
	ld	s0, (TD_SWITCH + 16)(s1)
	ld	s2, (TD_SWITCH + 32)(s1)
	ld	s3, (TD_SWITCH + 40)(s1)
	ld	s4, (TD_SWITCH + 48)(s1)
	ld	s5, (TD_SWITCH + 56)(s1)
	ld	s6, (TD_SWITCH + 64)(s1)
	ld	s7, (TD_SWITCH + 72)(s1)
	ld	s8, (TD_SWITCH + 80)(s1)
	ld	s9, (TD_SWITCH + 88)(s1)
	ld	s10, (TD_SWITCH + 96)(s1)
	ld	s11, (TD_SWITCH + 104)(s1)
	ld	s1, (TD_SWITCH + 24)(s1)	/* the base register: last */
	ret

/*
 * A new thread's first return from cpu_switch lands here with its entry
 * function in s1 and argument in s2.
 */
	.globl thread_trampoline
thread_trampoline:
	call	sched_new_thread_start
	mv	a0, s2
	jalr	s1
	call	thread_exit
1:	j	1b
