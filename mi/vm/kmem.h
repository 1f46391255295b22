/*
 * Wired kernel memory.
 *
 * kmem_alloc returns page-granular, zero-filled, wired memory at kernel
 * virtual addresses from the KVA arena, backed by pages that need not be
 * physically contiguous.  kmem_alloc_contig returns physically contiguous
 * memory (for DMA, or 2 MiB runs).  kmem_page_alloc/free hand out
 * direct-mapped blocks of 2^order contiguous pages: no KVA is used, so the
 * zone allocator and vmem's boundary tags can call them without recursion.
 *
 * flags: M_WAITOK or M_NOWAIT (interrupt context), optionally M_ZERO
 * (kmem_alloc always zeroes).  Every call takes its own locks.
 */
#ifndef _VM_KMEM_H_
#define _VM_KMEM_H_

#include <kern/types.h>
#include <kern/mflags.h>
#include <vm/vmem.h>

extern vmem_t *kernel_arena;	/* kernel virtual addresses */

void kmem_init(void);

void *kmem_alloc(size_t size, int flags);
void kmem_free(void *addr, size_t size);

void *kmem_alloc_contig(size_t size, paddr_t low, paddr_t high,
    size_t alignment, size_t boundary, int flags);
void kmem_free_contig(void *addr, size_t size);

/*
 * Direct-mapped blocks of 2^order pages, naturally aligned (the address is
 * a multiple of PAGE_SIZE << order).  A block can carry an owner cookie,
 * set on all its pages, that kmem_page_owner() returns for any address
 * inside the block: zones use it to find an item's slab.
 */
void *kmem_page_alloc(int order, int flags);
void kmem_page_free(void *addr, int order);
void kmem_page_set_owner(void *block, int order, void *owner);
void *kmem_page_owner(const void *addr);	/* NULL when none was set */
bool kmem_is_page_block(const void *addr);	/* in the direct map */

/* The size kmem_alloc was asked for (page rounded), from any address it returned. */
size_t kmem_alloc_size(const void *addr);

/* Map device registers [pa, pa+size) uncached into KVA; NULL on failure. */
void *kmem_mapdev(paddr_t pa, size_t size);
void kmem_unmapdev(void *va, size_t size);

/*
 * Kernel stacks: KSTACK_PAGES wired pages above an unmapped guard page,
 * each an entry of kstack_map (vm_map.h), which spans KSTACK_MAP_SIZE.
 * A freed stack may stay mapped for the next (kmem.c) until
 * zone_reclaim_all, and is handed out as the last thread left it: a
 * stack's contents are undefined (as FreeBSD's and Linux's are: no code
 * reads a stack slot it did not write, and zeroing 16 KiB was a tenth of
 * a fork).
 */
#define KSTACK_MAP_SIZE	(1UL << 30)
vaddr_t kstack_alloc(int flags);	/* returns the stack top, or 0 */
void kstack_free(vaddr_t top);

#endif
