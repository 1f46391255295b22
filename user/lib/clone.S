/*
 * clone.S: clone(fn, stack, flags, arg, ptid, tls, ctid), with glibc's
 * arguments: the new thread or process starts in fn(arg) on stack and
 * ends with exit(fn's result) -- the thread alone, for CLONE_THREAD.
 * Returns the new tid to the caller, or -1 with errno.
 *
 * fn and arg travel on the new stack: after the system call the child
 * has only its registers and that stack.
 */
#include <uapi/errno.h>
#include <uapi/unistd.h>

	.text
	.globl clone
	.type clone, @function
clone:
	andi	a1, a1, -16
	addi	a1, a1, -16
	sd	a0, 0(a1)		/* fn */
	sd	a3, 8(a1)		/* arg */
	mv	a0, a2			/* flags */
	mv	a2, a4			/* ptid */
	mv	a3, a5			/* tls */
	mv	a4, a6			/* ctid */
	li	a7, __NR_clone
	ecall
	beqz	a0, 1f
	li	t0, -MAX_ERRNO
	bgeu	a0, t0, 2f		/* -MAX_ERRNO..-1: an error */
	ret
1:	/* The child, on its own stack. */
	li	ra, 0			/* the end of the call chain */
	li	s0, 0
	ld	t1, 0(sp)
	ld	a0, 8(sp)
	jalr	t1
	li	a7, __NR_exit
	ecall
3:	j	3b
2:	tail	__syscall_ret		/* sets errno, returns -1 */
	.size clone, . - clone
