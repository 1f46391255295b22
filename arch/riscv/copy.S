/*
 * User-memory access primitives, called by copy.c once it has checked
 * that the user range lies below USER_MAX.
 *
 * Each one sets sstatus.SUM (so that supervisor loads and stores may
 * touch U pages) and the current thread's td_onfault for exactly its own
 * duration.  A fault resumes at user_access_fault, which clears both and
 * returns EFAULT from the primitive: the trap restores every register,
 * so the primitive's stack and return address are intact there.
 *
 * Register use: t0 holds SSTATUS_SUM and t1 the current thread between
 * USER_ACCESS_BEGIN and USER_ACCESS_END; t2-t6 are scratch.
 */
#include <machine/asm.h>
#include <machine/csr.h>
#include <kern/errno.h>

.macro USER_ACCESS_BEGIN
	ld	t1, PC_CURTHREAD(tp)
	la	t0, user_access_fault
	sd	t0, TD_ONFAULT(t1)
	li	t0, SSTATUS_SUM
	csrs	sstatus, t0
.endm

.macro USER_ACCESS_END
	csrc	sstatus, t0
	sd	zero, TD_ONFAULT(t1)
.endm

	.text

/*
 * int riscv_copy_user(void *dst, const void *src, size_t len): either
 * side may be the user one.  Eight bytes at a time when dst and src are
 * equally aligned (misaligned accesses trap to the firmware on the U74).
 */
	.globl riscv_copy_user
riscv_copy_user:
	USER_ACCESS_BEGIN
	xor	t2, a0, a1
	andi	t2, t2, 7
	bnez	t2, 4f			/* never aligned together: bytes */
1:	andi	t2, a0, 7		/* bytes up to an 8-byte boundary */
	beqz	t2, 2f
	beqz	a2, 5f
	lbu	t3, 0(a1)
	sb	t3, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	1b
2:	li	t2, 32			/* four words at a time */
	bltu	a2, t2, 3f
	ld	t3, 0(a1)
	ld	t4, 8(a1)
	ld	t5, 16(a1)
	ld	t6, 24(a1)
	sd	t3, 0(a0)
	sd	t4, 8(a0)
	sd	t5, 16(a0)
	sd	t6, 24(a0)
	addi	a0, a0, 32
	addi	a1, a1, 32
	addi	a2, a2, -32
	j	2b
3:	li	t2, 8			/* then single words */
	bltu	a2, t2, 4f
	ld	t3, 0(a1)
	sd	t3, 0(a0)
	addi	a0, a0, 8
	addi	a1, a1, 8
	addi	a2, a2, -8
	j	3b
4:	beqz	a2, 5f			/* the tail, or everything, in bytes */
	lbu	t3, 0(a1)
	sb	t3, 0(a0)
	addi	a0, a0, 1
	addi	a1, a1, 1
	addi	a2, a2, -1
	j	4b
5:	USER_ACCESS_END
	li	a0, 0
	ret

/*
 * int riscv_copyinstr(char *dst, const char *usrc, size_t maxlen,
 * size_t *copied): copy up to and including the NUL; 0, or ENAMETOOLONG
 * if the first maxlen bytes hold none.  *copied counts the bytes copied
 * (not set on EFAULT).
 */
	.globl riscv_copyinstr
riscv_copyinstr:
	USER_ACCESS_BEGIN
	li	t2, 0			/* bytes copied */
1:	beq	t2, a2, 2f
	add	t3, a1, t2
	lbu	t4, 0(t3)
	add	t3, a0, t2
	sb	t4, 0(t3)
	addi	t2, t2, 1
	bnez	t4, 1b
	USER_ACCESS_END
	sd	t2, 0(a3)
	li	a0, 0
	ret
2:	USER_ACCESS_END
	sd	t2, 0(a3)
	li	a0, ENAMETOOLONG
	ret

/* int riscv_fetch_uN(const void *uaddr, uintN_t *out) */
.macro FETCH name, load, store
	.globl \name
\name:
	USER_ACCESS_BEGIN
	\load	t2, 0(a0)
	USER_ACCESS_END
	\store	t2, 0(a1)
	li	a0, 0
	ret
.endm

FETCH	riscv_fetch_u8, lbu, sb
FETCH	riscv_fetch_u16, lhu, sh
FETCH	riscv_fetch_u32, lwu, sw
FETCH	riscv_fetch_u64, ld, sd

/* int riscv_store_uN(void *uaddr, uintN_t v) */
.macro STORE name, store
	.globl \name
\name:
	USER_ACCESS_BEGIN
	\store	a1, 0(a0)
	USER_ACCESS_END
	li	a0, 0
	ret
.endm

STORE	riscv_store_u8, sb
STORE	riscv_store_u16, sh
STORE	riscv_store_u32, sw
STORE	riscv_store_u64, sd

/* Where a faulting access resumes: undo USER_ACCESS_BEGIN, return EFAULT. */
user_access_fault:
	li	t0, SSTATUS_SUM
	csrc	sstatus, t0
	ld	t1, PC_CURTHREAD(tp)
	sd	zero, TD_ONFAULT(t1)
	li	a0, EFAULT
	ret
