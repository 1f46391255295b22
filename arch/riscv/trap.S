/*
 * Trap entry and return.
 *
 * sscratch is 0 while a hart runs in the kernel and holds its struct pcpu
 * while it runs in user mode, so one swap tells where the trap came from:
 * from user mode we switch to the thread's kernel stack and keep the
 * user's tp in the frame; from the kernel we stay on the current stack,
 * after checking that the frame fits above the stack's guard page (a
 * kernel stack overflow would otherwise fault again on every push).
 */
#include <machine/asm.h>
#include <machine/csr.h>
#include <kern/errno.h>

.macro SAVE_GPRS
	sd	ra, TF_X(1)(sp)
	sd	gp, TF_X(3)(sp)
	sd	t0, TF_X(5)(sp)
	sd	t1, TF_X(6)(sp)
	sd	t2, TF_X(7)(sp)
	sd	s0, TF_X(8)(sp)
	sd	s1, TF_X(9)(sp)
	sd	a0, TF_X(10)(sp)
	sd	a1, TF_X(11)(sp)
	sd	a2, TF_X(12)(sp)
	sd	a3, TF_X(13)(sp)
	sd	a4, TF_X(14)(sp)
	sd	a5, TF_X(15)(sp)
	sd	a6, TF_X(16)(sp)
	sd	a7, TF_X(17)(sp)
	sd	s2, TF_X(18)(sp)
	sd	s3, TF_X(19)(sp)
	sd	s4, TF_X(20)(sp)
	sd	s5, TF_X(21)(sp)
	sd	s6, TF_X(22)(sp)
	sd	s7, TF_X(23)(sp)
	sd	s8, TF_X(24)(sp)
	sd	s9, TF_X(25)(sp)
	sd	s10, TF_X(26)(sp)
	sd	s11, TF_X(27)(sp)
	sd	t3, TF_X(28)(sp)
	sd	t4, TF_X(29)(sp)
	sd	t5, TF_X(30)(sp)
	sd	t6, TF_X(31)(sp)
.endm

/* The registers a C function may change: ra, t0..t6, a0..a7. */
.macro RESTORE_CALLER_SAVED
	ld	ra, TF_X(1)(sp)
	ld	t0, TF_X(5)(sp)
	ld	t1, TF_X(6)(sp)
	ld	t2, TF_X(7)(sp)
	ld	a0, TF_X(10)(sp)
	ld	a1, TF_X(11)(sp)
	ld	a2, TF_X(12)(sp)
	ld	a3, TF_X(13)(sp)
	ld	a4, TF_X(14)(sp)
	ld	a5, TF_X(15)(sp)
	ld	a6, TF_X(16)(sp)
	ld	a7, TF_X(17)(sp)
	ld	t3, TF_X(28)(sp)
	ld	t4, TF_X(29)(sp)
	ld	t5, TF_X(30)(sp)
	ld	t6, TF_X(31)(sp)
.endm

/* Every register but sp and tp. */
.macro RESTORE_GPRS
	RESTORE_CALLER_SAVED
	ld	gp, TF_X(3)(sp)
	ld	s0, TF_X(8)(sp)
	ld	s1, TF_X(9)(sp)
	ld	s2, TF_X(18)(sp)
	ld	s3, TF_X(19)(sp)
	ld	s4, TF_X(20)(sp)
	ld	s5, TF_X(21)(sp)
	ld	s6, TF_X(22)(sp)
	ld	s7, TF_X(23)(sp)
	ld	s8, TF_X(24)(sp)
	ld	s9, TF_X(25)(sp)
	ld	s10, TF_X(26)(sp)
	ld	s11, TF_X(27)(sp)
.endm

	.text
	.align 4
	.globl trap_entry
trap_entry:
	csrrw	tp, sscratch, tp
	bnez	tp, trap_from_user

	/* From the kernel: sscratch now holds our tp. */
	csrr	tp, sscratch
	sd	t0, PC_SCRATCH(tp)
	csrw	sscratch, t1
	addi	t0, sp, -TF_SIZE
	ld	t1, PC_KSTACK_LO(tp)
	bltu	t0, t1, kernel_stack_overflow
	csrrw	t1, sscratch, zero
	ld	t0, PC_SCRATCH(tp)
	addi	sp, sp, -TF_SIZE
	SAVE_GPRS
	sd	tp, TF_TP(sp)
	addi	t0, sp, TF_SIZE
	sd	t0, TF_SP(sp)
	j	trap_save_csrs

trap_from_user:
	sd	sp, PC_SCRATCH(tp)
	ld	sp, PC_KSTACK_TOP(tp)
	addi	sp, sp, -TF_SIZE
	SAVE_GPRS
	ld	t0, PC_SCRATCH(tp)
	sd	t0, TF_SP(sp)
	csrrw	t0, sscratch, zero	/* the user's tp */
	sd	t0, TF_TP(sp)

trap_save_csrs:
	csrr	t0, sepc
	csrr	t1, sstatus
	csrr	t3, scause
	sd	t0, TF_SEPC(sp)
	sd	t1, TF_SSTATUS(sp)
	sd	t3, TF_SCAUSE(sp)
	/* User memory is open to the kernel only inside the copy helpers. */
	li	t0, SSTATUS_SUM
	csrc	sstatus, t0
	mv	s0, zero		/* end of the frame-pointer chain */
	mv	a0, sp
	/* A system call (only user mode makes them; no stval) goes straight to its handler. */
	li	t0, EXC_ECALL_U
	beq	t3, t0, trap_syscall
	csrr	t2, stval
	sd	t2, TF_STVAL(sp)
	call	trap_handler

	/* Return to the context in the frame at sp. */
	.globl trap_return
trap_return:
	csrci	sstatus, SSTATUS_SIE
	ld	t0, TF_SSTATUS(sp)
	ld	t1, TF_SEPC(sp)
	csrw	sstatus, t0
	csrw	sepc, t1
	andi	t0, t0, SSTATUS_SPP
	bnez	t0, 1f
	/* To user mode: park our tp in sscratch, take the user's. */
	csrw	sscratch, tp
	ld	tp, TF_TP(sp)
1:	/* To the kernel: keep tp, which names the cpu we are on now. */
	RESTORE_GPRS
	ld	sp, TF_SP(sp)
	sret

	/*
	 * A system call (the frame at sp is the thread's user frame): step
	 * past the ecall, interrupts on, and run it in the machine-
	 * independent syscall(curthread), which returns with interrupts off,
	 * ready for user mode.  s1..s11 are the user's again then: the C code
	 * and cpu_switch keep them as they found them.  Unless the call
	 * replaced the user registers (TF_RELOAD_ALL), only the others are
	 * reloaded: the ones C may change, s0 (we zeroed it), and gp, which
	 * the kernel never uses but other processes' user code run in
	 * between may have changed.
	 */
trap_syscall:
	ld	t0, TF_SEPC(sp)
	addi	t0, t0, ECALL_INSN_SIZE
	sd	t0, TF_SEPC(sp)
	ld	a0, PC_CURTHREAD(tp)
	csrsi	sstatus, SSTATUS_SIE
	call	syscall
	ld	t0, TF_SSTATUS(sp)
	ld	t1, TF_SEPC(sp)
	ld	t2, TF_FLAGS(sp)
	csrw	sstatus, t0
	csrw	sepc, t1
	csrw	sscratch, tp
	bnez	t2, trap_syscall_reload_all
	ld	tp, TF_TP(sp)
	ld	gp, TF_GP(sp)
	RESTORE_CALLER_SAVED
	ld	s0, TF_X(8)(sp)
	ld	sp, TF_SP(sp)
	sret
trap_syscall_reload_all:
	sd	zero, TF_FLAGS(sp)
	ld	tp, TF_TP(sp)
	RESTORE_GPRS
	ld	sp, TF_SP(sp)
	sret

kernel_stack_overflow:
	ld	sp, PC_PANIC_STACK(tp)
	csrr	a0, sepc
	csrr	a1, stval
	csrr	a2, scause
	call	kernel_stack_overflow_panic
1:	wfi
	j	1b

/*
 * int probe_store_u8(void *addr, uint8_t val) / probe_load_u8(addr, *out):
 * try one access and return 0, or EFAULT if it faulted (the trap handler
 * resumes at the thread's td_onfault).  Used by self-tests to check that
 * protections are enforced; the user-copy helpers work the same way.
 */
	.globl probe_store_u8
probe_store_u8:
	la	t0, probe_fault
	ld	t1, PC_CURTHREAD(tp)
	sd	t0, TD_ONFAULT(t1)
	sb	a1, 0(a0)
	sd	zero, TD_ONFAULT(t1)
	li	a0, 0
	ret

	.globl probe_load_u8
probe_load_u8:
	la	t0, probe_fault
	ld	t1, PC_CURTHREAD(tp)
	sd	t0, TD_ONFAULT(t1)
	lbu	t2, 0(a0)
	sd	zero, TD_ONFAULT(t1)
	sb	t2, 0(a1)
	li	a0, 0
	ret

probe_fault:
	ld	t1, PC_CURTHREAD(tp)
	sd	zero, TD_ONFAULT(t1)
	li	a0, EFAULT
	ret

/* int probe_exec(const void *addr): call addr; EFAULT if it cannot be executed. */
	.globl probe_exec
probe_exec:
	addi	sp, sp, -16
	sd	ra, 8(sp)
	la	t0, probe_exec_fault
	ld	t1, PC_CURTHREAD(tp)
	sd	t0, TD_ONFAULT(t1)
	jalr	a0
	ld	t1, PC_CURTHREAD(tp)
	sd	zero, TD_ONFAULT(t1)
	li	a0, 0
	j	1f
probe_exec_fault:
	ld	t1, PC_CURTHREAD(tp)
	sd	zero, TD_ONFAULT(t1)
	li	a0, EFAULT
1:	ld	ra, 8(sp)
	addi	sp, sp, 16
	ret

/* cpu_return_to_user(frame): leave the kernel into the user context in frame. */
	.globl cpu_return_to_user
cpu_return_to_user:
	csrci	sstatus, SSTATUS_SIE
	mv	sp, a0
	j	trap_return
