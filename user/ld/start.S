/*
 * ld-sable.so's entry: the kernel's stack pointer goes to ld_sable_main,
 * which returns where to go and the finalizer for a0; sp is left as it
 * was, so the program finds argc, argv, the environment and the vector
 * where a kernel would have put them.
 */
	.text
	.globl _start
	.hidden _start
	.type _start, @function
_start:
	mv	s0, sp
	addi	sp, sp, -16
	mv	a0, s0
	mv	a1, sp			/* the finalizer, written here */
	call	ld_sable_main
	ld	a1, 0(sp)
	mv	sp, s0
	mv	t0, a0
	mv	a0, a1
	li	ra, 0
	li	s0, 0
	jr	t0
	.size _start, . - _start
