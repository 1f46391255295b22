/*
 * vfork.S: vfork in assembly.
 *
 * The child borrows the parent's stack until it calls execve or _exit,
 * so this function must not touch the stack: ra stays in its register
 * and the parent returns through it after the child is done.
 */
#include <uapi/errno.h>
#include <uapi/sched.h>
#include <uapi/signal.h>
#include <uapi/unistd.h>

	.text
	.globl vfork
	.type vfork, @function
vfork:
	li	a0, CLONE_VM | CLONE_VFORK | SIGCHLD
	li	a1, 0			/* same stack */
	li	a2, 0
	li	a3, 0
	li	a4, 0
	li	a7, __NR_clone
	ecall
	li	t0, -MAX_ERRNO
	bgeu	a0, t0, 1f		/* -MAX_ERRNO..-1: an error */
	ret
1:	tail	__syscall_ret		/* sets errno, returns -1 */
	.size vfork, . - vfork
