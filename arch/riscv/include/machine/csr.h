/*
 * RISC-V supervisor CSRs and their bits.  Only arch/riscv includes this.
 */
#ifndef _MACHINE_CSR_H_
#define _MACHINE_CSR_H_

#define SSTATUS_SIE	(1UL << 1)
#define SSTATUS_SPIE	(1UL << 5)
#define SSTATUS_SPP	(1UL << 8)
#define SSTATUS_FS_MASK	(3UL << 13)
#define SSTATUS_FS_OFF	(0UL << 13)
#define SSTATUS_FS_INITIAL (1UL << 13)
#define SSTATUS_FS_CLEAN (2UL << 13)
#define SSTATUS_FS_DIRTY (3UL << 13)
#define SSTATUS_SUM	(1UL << 18)
#define SSTATUS_MXR	(1UL << 19)

#define SIE_SSIE	(1UL << 1)
#define SIE_STIE	(1UL << 5)
#define SIE_SEIE	(1UL << 9)

#define SCAUSE_INTR	(1UL << 63)
#define IRQ_S_SOFT	1
#define IRQ_S_TIMER	5
#define IRQ_S_EXT	9

#define EXC_INST_MISALIGNED	0
#define EXC_INST_ACCESS		1
#define EXC_ILLEGAL		2
#define EXC_BREAKPOINT		3
#define EXC_LOAD_MISALIGNED	4
#define EXC_LOAD_ACCESS		5
#define EXC_STORE_MISALIGNED	6
#define EXC_STORE_ACCESS	7
#define EXC_ECALL_U		8
#define EXC_ECALL_S		9
#define EXC_INST_PAGE_FAULT	12
#define EXC_LOAD_PAGE_FAULT	13
#define EXC_STORE_PAGE_FAULT	15

#define SATP_MODE_SV39	(8UL << 60)
#define SATP_MODE_SV48	(9UL << 60)
#define SATP_ASID_SHIFT	44
#define SATP_ASID_MASK	0xffffUL
#define SATP_PPN_MASK	((1UL << 44) - 1)

#define CSR_STIMECMP	0x14d

/* scounteren: user mode may read cycle, time and instret (benchmarks do). */
#define SCOUNTEREN_CY	(1UL << 0)
#define SCOUNTEREN_TM	(1UL << 1)
#define SCOUNTEREN_IR	(1UL << 2)

#ifndef __ASSEMBLER__
#define csr_read(csr) ({						\
	uint64_t __v;							\
	__asm__ volatile("csrr %0, " #csr : "=r"(__v) :: "memory");	\
	__v; })
#define csr_write(csr, val) \
	__asm__ volatile("csrw " #csr ", %0" :: "rK"(val) : "memory")
#define csr_set(csr, bits) \
	__asm__ volatile("csrs " #csr ", %0" :: "rK"(bits) : "memory")
#define csr_clear(csr, bits) \
	__asm__ volatile("csrc " #csr ", %0" :: "rK"(bits) : "memory")

static inline void sfence_vma_all(void) { __asm__ volatile("sfence.vma" ::: "memory"); }
static inline void sfence_vma_page(uint64_t va)
{ __asm__ volatile("sfence.vma %0, zero" :: "r"(va) : "memory"); }
#endif

#endif
