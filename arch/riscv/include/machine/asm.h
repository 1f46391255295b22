/*
 * Offsets of structure fields that assembly uses, and the size of ecall.  Static asserts in
 * arch/riscv/trap.c keep them equal to the C structures.
 */
#ifndef _MACHINE_ASM_H_
#define _MACHINE_ASM_H_

/* The system call instruction: the trap code steps past it. */
#define ECALL_INSN_SIZE	4

/* struct pcpu */
#define PC_SCRATCH	0
#define PC_KSTACK_TOP	8
#define PC_KSTACK_LO	16
#define PC_PANIC_STACK	24
#define PC_CURTHREAD	32

/* struct thread */
#define TD_ONFAULT	0
#define TD_FRAME	56
#define TD_SWITCH	64

/* struct trapframe: x1..x31 at (n-1)*8, then the CSRs */
#define TF_X(n)		(((n) - 1) * 8)
#define TF_RA		TF_X(1)
#define TF_SP		TF_X(2)
#define TF_GP		TF_X(3)
#define TF_TP		TF_X(4)
#define TF_SEPC		(31 * 8)
#define TF_SSTATUS	(32 * 8)
#define TF_STVAL	(33 * 8)
#define TF_SCAUSE	(34 * 8)
#define TF_FLAGS	(35 * 8)
#define TF_SIZE		(36 * 8)	/* multiple of 16 */

#endif
