/*
 * syscall.S: the raw system-call trap.
 *
 * long __syscall6(long n, long a, long b, long c, long d, long e, long f)
 * Linux convention: number in a7, arguments in a0-a5, result in a0,
 * failures as -errno in [-4095, -1].
 */
	.text
	.globl __syscall6
	.type __syscall6, @function
__syscall6:
	mv	a7, a0
	mv	a0, a1
	mv	a1, a2
	mv	a2, a3
	mv	a3, a4
	mv	a4, a5
	mv	a5, a6
	ecall
	ret
	.size __syscall6, . - __syscall6
