/*
 * Machine parameters for rv64 with Sv39 paging: page size and the layout
 * of the kernel's half of the address space.
 *
 *   0xffffffc000000000  direct map of physical memory (128 GiB): va = DMAP_BASE + pa
 *   0xffffffe000000000  kernel virtual arena: kmem, stacks, device windows (16 GiB)
 *   0xffffffff80000000  kernel image (linked at KERNBASE + 2 MiB)
 */
#ifndef _MACHINE_PARAM_H_
#define _MACHINE_PARAM_H_

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(PAGE_SIZE - 1)
#define CACHE_LINE_SIZE	64

/* Superpages: the pmap maps an aligned run of this many bytes with one leaf (Sv39 level 1). */
#define SUPERPAGE_SHIFT	21
#define SUPERPAGE_SIZE	(1UL << SUPERPAGE_SHIFT)
#define SUPERPAGE_MASK	(SUPERPAGE_SIZE - 1)
#define SUPERPAGE_ORDER	(SUPERPAGE_SHIFT - PAGE_SHIFT)	/* buddy order of a run */
#define SUPERPAGE_PAGES	(1UL << SUPERPAGE_ORDER)

#define MAXCPU		8	/* harts the kernel will use */
#define KSTACK_PAGES	4	/* per-thread kernel stack, plus one guard page */

#define DMAP_BASE	0xffffffc000000000UL
#define DMAP_SIZE	(128UL << 30)
#define KVA_BASE	0xffffffe000000000UL
#define KVA_SIZE	(16UL << 30)
#define KERNBASE	0xffffffff80000000UL

/* Lowest and highest+1 user virtual address (Sv39 lower half). */
#define USER_MIN	0x0000000000010000UL
#define USER_MAX	0x0000004000000000UL

#ifndef __ASSEMBLER__
#define PHYS_TO_DMAP(pa)	((vaddr_t)(pa) + DMAP_BASE)
#define DMAP_TO_PHYS(va)	((paddr_t)(va) - DMAP_BASE)
#define trunc_page(x)		((x) & ~(__typeof__(x))PAGE_MASK)
#define round_page(x)		(((x) + PAGE_MASK) & ~(__typeof__(x))PAGE_MASK)
#define atop(x)			((x) >> PAGE_SHIFT)
#define ptoa(x)			((paddr_t)(x) << PAGE_SHIFT)
#endif

#endif
