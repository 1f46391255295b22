/*
 * setjmp.S: setjmp, longjmp and the register half of sigsetjmp.
 *
 * jmp_buf layout (8-byte slots): ra, sp, s0-s11, fs0-fs11, then the
 * saved-mask flag and the mask (handled in C by __sigsetjmp_mask).
 */
	.text

	.macro SAVE_REGS
	sd	ra, 0(a0)
	sd	sp, 8(a0)
	sd	s0, 16(a0)
	sd	s1, 24(a0)
	sd	s2, 32(a0)
	sd	s3, 40(a0)
	sd	s4, 48(a0)
	sd	s5, 56(a0)
	sd	s6, 64(a0)
	sd	s7, 72(a0)
	sd	s8, 80(a0)
	sd	s9, 88(a0)
	sd	s10, 96(a0)
	sd	s11, 104(a0)
	fsd	fs0, 112(a0)
	fsd	fs1, 120(a0)
	fsd	fs2, 128(a0)
	fsd	fs3, 136(a0)
	fsd	fs4, 144(a0)
	fsd	fs5, 152(a0)
	fsd	fs6, 160(a0)
	fsd	fs7, 168(a0)
	fsd	fs8, 176(a0)
	fsd	fs9, 184(a0)
	fsd	fs10, 192(a0)
	fsd	fs11, 200(a0)
	.endm

/* int setjmp(jmp_buf env) */
	.globl setjmp
	.type setjmp, @function
setjmp:
	SAVE_REGS
	li	a0, 0
	ret
	.size setjmp, . - setjmp

/*
 * int sigsetjmp(sigjmp_buf env, int savemask)
 * Saves the registers, then tail-calls the C helper that records the
 * mask; the helper returns 0 straight to our caller.
 */
	.globl sigsetjmp
	.type sigsetjmp, @function
sigsetjmp:
	SAVE_REGS
	tail	__sigsetjmp_mask
	.size sigsetjmp, . - sigsetjmp

/* void longjmp(jmp_buf env, int val): setjmp returns val (1 if val is 0). */
	.globl longjmp
	.type longjmp, @function
longjmp:
	ld	ra, 0(a0)
	ld	sp, 8(a0)
	ld	s0, 16(a0)
	ld	s1, 24(a0)
	ld	s2, 32(a0)
	ld	s3, 40(a0)
	ld	s4, 48(a0)
	ld	s5, 56(a0)
	ld	s6, 64(a0)
	ld	s7, 72(a0)
	ld	s8, 80(a0)
	ld	s9, 88(a0)
	ld	s10, 96(a0)
	ld	s11, 104(a0)
	fld	fs0, 112(a0)
	fld	fs1, 120(a0)
	fld	fs2, 128(a0)
	fld	fs3, 136(a0)
	fld	fs4, 144(a0)
	fld	fs5, 152(a0)
	fld	fs6, 160(a0)
	fld	fs7, 168(a0)
	fld	fs8, 176(a0)
	fld	fs9, 184(a0)
	fld	fs10, 192(a0)
	fld	fs11, 200(a0)
	seqz	a0, a1
	add	a0, a0, a1
	ret
	.size longjmp, . - longjmp
