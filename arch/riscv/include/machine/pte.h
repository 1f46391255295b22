/*
 * Sv39 page-table entries.  Only arch/riscv includes this.
 *
 * Every leaf is made with A set, and D set when writable: the SiFive U74
 * traps on a clear A or D bit instead of setting it, so the kernel sets
 * them itself (the user pmap tracks dirtiness in software, see pmap.c).
 * Non-leaf entries have only V (A, D and U clear, as the spec requires).
 */
#ifndef _MACHINE_PTE_H_
#define _MACHINE_PTE_H_

#define PTE_V		(1UL << 0)
#define PTE_R		(1UL << 1)
#define PTE_W		(1UL << 2)
#define PTE_X		(1UL << 3)
#define PTE_U		(1UL << 4)
#define PTE_G		(1UL << 5)
#define PTE_A		(1UL << 6)
#define PTE_D		(1UL << 7)
#define PTE_SW_WIRED	(1UL << 8)	/* RSW bits, for the pmap's own use: wired */
#define PTE_SW_WRITE	(1UL << 9)	/* logically writable (W set on first write) */
#define PTE_RWX		(PTE_R | PTE_W | PTE_X)
#define PTE_PPN_SHIFT	10
#define PTE_FLAGS_MASK	0x3ffUL

#define PT_LEVELS	3
#define PT_ENTRIES	512
#define L2_SHIFT	30		/* root level: 1 GiB leaves */
#define L1_SHIFT	21		/* 2 MiB leaves */
#define L0_SHIFT	12		/* 4 KiB pages */
#define L2_SIZE		(1UL << L2_SHIFT)
#define L1_SIZE		(1UL << L1_SHIFT)

#ifndef __ASSEMBLER__
typedef uint64_t pt_entry_t;

static inline bool pte_is_leaf(pt_entry_t pte) { return (pte & PTE_RWX) != 0; }
static inline paddr_t pte_to_pa(pt_entry_t pte)
{ return (pte >> PTE_PPN_SHIFT) << 12; }
static inline pt_entry_t pa_to_pte(paddr_t pa, uint64_t bits)
{ return ((pa >> 12) << PTE_PPN_SHIFT) | bits; }
static inline unsigned pt_index(vaddr_t va, int shift)
{ return (va >> shift) & (PT_ENTRIES - 1); }
#endif

#endif
