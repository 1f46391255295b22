/*
 * Kernel entry.
 *
 * The image starts with the RISC-V Linux Image header, so QEMU's -kernel,
 * OpenSBI's fw_jump/fw_dynamic and U-Boot's booti all load it.  The
 * firmware enters at _start in S-mode with the MMU off: a0 = hart id,
 * a1 = physical address of the device tree.  We may have been loaded at
 * any page-aligned address, so everything before paging is on uses only
 * PC-relative addressing.
 *
 * The boot page table maps:
 *   - the 1 GiB around the load address one-to-one, so the instruction
 *     after the satp write can still be fetched;
 *   - the first BOOT_DMAP_GB GiB of physical memory at DMAP_BASE, so C code
 *     can read the device tree before pmap_bootstrap builds the real map;
 *   - the image at its link address with 4 KiB pages.
 * Secondary harts enter at mp_entry and use the same table to get to the
 * high addresses, where they switch to the kernel's own page table
 * (kernel_satp, set by pmap_bootstrap).
 */
#include <machine/param.h>
#include <machine/pte.h>
#include <machine/csr.h>
#include <machine/asm.h>

#define BOOT_DMAP_GB	32
#define BOOT_L0_TABLES	8		/* images up to 16 MiB */
#define LEAF_KERNEL	(PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D | PTE_G)
#define LEAF_DMAP	(PTE_V | PTE_R | PTE_W | PTE_A | PTE_D | PTE_G)
#define BOOT_STACK_SIZE	16384

	.section .text.boot, "ax"
	.option push
	.option norvc
	.globl _start
_start:
	j	boot_entry		/* code0 */
	.word	0			/* code1 */
	.dword	0x200000		/* text_offset */
	.dword	_image_size		/* image_size, including bss */
	.dword	0			/* flags: little-endian */
	.word	2			/* header version 0.2 */
	.word	0
	.dword	0
	.ascii	"RISCV\0\0\0"		/* magic (deprecated) */
	.ascii	"RSC\x05"		/* magic2 */
	.word	0			/* reserved (PE/COFF offset) */
	.option pop

boot_entry:
	rdinstret s3			/* for the boot instruction count */
	csrw	sie, zero
	csrw	sip, zero
	csrw	satp, zero

	/* One hart boots; any other that arrives here waits forever. */
	lla	t0, boot_lottery
	li	t1, 1
	amoswap.w t1, t1, (t0)
	bnez	t1, park

	mv	s0, a0			/* hart id */
	mv	s1, a1			/* device tree */
	lla	s2, _start		/* where we were loaded */

	lla	t0, __bss_start
	lla	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:
	/* Identity gigapage around the image: PTE = (pa >> 2) | bits. */
	lla	t0, boot_root
	srli	t1, s2, L2_SHIFT
	slli	t2, t1, 3
	add	t2, t0, t2
	slli	t3, t1, L2_SHIFT - 2
	ori	t3, t3, LEAF_KERNEL
	sd	t3, 0(t2)

	/* Direct map: root[256 + i] = gigapage at i GiB. */
	li	t2, (256 * 8)
	add	t2, t0, t2
	li	t1, 0
	li	t4, BOOT_DMAP_GB
3:	slli	t3, t1, L2_SHIFT - 2
	ori	t3, t3, LEAF_DMAP
	sd	t3, 0(t2)
	addi	t2, t2, 8
	addi	t1, t1, 1
	blt	t1, t4, 3b

	/* root[510] -> boot_l1; boot_l1[1 + t] -> boot_l0 table t. */
	lla	t1, boot_l1
	srli	t3, t1, 2
	ori	t3, t3, PTE_V
	li	t2, (510 * 8)
	add	t2, t0, t2
	sd	t3, 0(t2)
	lla	t2, boot_l0
	addi	t1, t1, 8
	li	t4, BOOT_L0_TABLES
4:	srli	t3, t2, 2
	ori	t3, t3, PTE_V
	sd	t3, 0(t1)
	addi	t1, t1, 8
	li	t5, 4096
	add	t2, t2, t5
	addi	t4, t4, -1
	bnez	t4, 4b

	/* boot_l0[i] = image page i, for every page up to _end. */
	lla	t1, boot_l0
	lla	t4, _end
	mv	t2, s2
5:	bgeu	t2, t4, 6f
	srli	t3, t2, 2
	ori	t3, t3, LEAF_KERNEL
	sd	t3, 0(t1)
	addi	t1, t1, 8
	li	t5, 4096
	add	t2, t2, t5
	j	5b
6:
	call	boot_enable_paging
	lla	t0, boot_virt_addr
	ld	t0, 0(t0)
	jr	t0

boot_virt:
	/* Now running at the link address. */
	la	sp, boot_stack_top
	mv	tp, zero
	la	t0, trap_entry
	csrw	stvec, t0
	csrw	sscratch, zero
	mv	a0, s0
	mv	a1, s1
	mv	a2, s2
	mv	a3, s3
	call	riscv_boot
	j	park

/* Turn on Sv39 with boot_root; the caller runs from the identity map. */
boot_enable_paging:
	lla	t0, boot_root
	srli	t0, t0, 12
	li	t1, SATP_MODE_SV39
	or	t0, t0, t1
	sfence.vma
	csrw	satp, t0
	sfence.vma
	ret

/*
 * Secondary harts start here (SBI HSM hart_start) with the MMU off:
 * a0 = hart id, a1 = virtual address of the hart's struct pcpu, whose
 * pc_kstack_top the boot hart has set.
 */
	.globl mp_entry
mp_entry:
	csrw	sie, zero
	csrw	sip, zero
	call	boot_enable_paging
	lla	t0, mp_virt_addr
	ld	t0, 0(t0)
	jr	t0
mp_virt:
	/* The kernel's page table maps our stack; the boot table does not. */
	la	t0, kernel_satp
	ld	t0, 0(t0)
	sfence.vma
	csrw	satp, t0
	sfence.vma
	mv	tp, a1
	ld	sp, PC_KSTACK_TOP(tp)
	la	t0, trap_entry
	csrw	stvec, t0
	csrw	sscratch, zero
	call	mp_secondary_main
park:
	wfi
	j	park

	.section .rodata
	.align 3
boot_virt_addr:	.dword	boot_virt
mp_virt_addr:	.dword	mp_virt

	.section .data
	.align 2
boot_lottery:	.word	0

	.section .bss
	.align 12
	.globl boot_root
boot_root:	.space	4096
boot_l1:	.space	4096
boot_l0:	.space	4096 * BOOT_L0_TABLES
	.align 4
boot_stack:	.space	BOOT_STACK_SIZE
	.globl boot_stack_top
boot_stack_top:
