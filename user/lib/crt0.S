/*
 * crt0.S: process entry.
 *
 * The kernel starts us with sp pointing at argc, then argv[], NULL,
 * envp[], NULL and the auxiliary vector.  a0 may hold a function for
 * atexit (a dynamic linker's finalizer); static programs get 0.
 */
	.section .text.start, "ax"
	.globl _start
	.type _start, @function
_start:
	.option push
	.option norelax
	lla	gp, __global_pointer$	/* gp-relative accesses need gp set */
	.option pop
	mv	a3, a0			/* fini, or 0 */
	ld	a0, 0(sp)		/* argc */
	addi	a1, sp, 8		/* argv */
	slli	t0, a0, 3
	add	a2, a1, t0
	addi	a2, a2, 8		/* envp = argv + argc + 1 */
	andi	sp, sp, -16
	li	ra, 0			/* end of the call chain for debuggers */
	li	s0, 0
	call	__libc_start		/* does not return */
1:	j	1b
	.size _start, . - _start
