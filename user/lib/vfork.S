/*
 * vfork.S: vfork in assembly.
 *
 * The child borrows the parent's stack until it calls execve or _exit,
 * so this function must not touch the stack: ra stays in its register
 * and the parent returns through it after the child is done.
 */
#define SYS_clone	220
#define CLONE_VM	0x100
#define CLONE_VFORK	0x4000
#define SIGCHLD		17

	.text
	.globl vfork
	.type vfork, @function
vfork:
	li	a0, CLONE_VM | CLONE_VFORK | SIGCHLD
	li	a1, 0			/* same stack */
	li	a2, 0
	li	a3, 0
	li	a4, 0
	li	a7, SYS_clone
	ecall
	li	t0, -4095
	bgeu	a0, t0, 1f		/* -4095..-1: an error */
	ret
1:	tail	__syscall_ret		/* sets errno, returns -1 */
	.size vfork, . - vfork
