/*
 * clone3.S: clone3_run(args, size, fn, arg): the clone3 system call with
 * its struct clone_args; the new thread or process runs fn(arg) and ends
 * with exit(fn's result) -- the thread alone, for CLONE_THREAD.  Returns
 * the new tid to the caller, or -1 with errno.
 *
 * fn and arg travel in callee-saved registers, which the child inherits:
 * its stack (args->stack + args->stack_size, or a copy of the caller's)
 * holds nothing of ours.
 */
#include <uapi/errno.h>
#include <uapi/unistd.h>

	.text
	.globl clone3_run
	.type clone3_run, @function
clone3_run:
	addi	sp, sp, -16
	sd	s1, 0(sp)
	sd	s2, 8(sp)
	mv	s1, a2			/* fn */
	mv	s2, a3			/* arg */
	li	a7, __NR_clone3
	ecall
	beqz	a0, 1f
	ld	s1, 0(sp)
	ld	s2, 8(sp)
	addi	sp, sp, 16
	li	t0, -MAX_ERRNO
	bgeu	a0, t0, 2f		/* -MAX_ERRNO..-1: an error */
	ret
1:	/* The child. */
	li	ra, 0			/* the end of the call chain */
	li	s0, 0
	mv	a0, s2
	jalr	s1
	li	a7, __NR_exit
	ecall
3:	j	3b
2:	tail	__syscall_ret		/* sets errno, returns -1 */
	.size clone3_run, . - clone3_run
