/*
 * The physical page allocator: a binary buddy system over the vm_page
 * array (Knowlton's; FreeBSD's vm_phys has the same shape).
 *
 * Blocks of 2^order pages, order 0 .. VM_NFREEORDER-1, are naturally
 * aligned in physical address.  A free block's head page carries
 * PG_FREE and its order; the other pages of the block have order
 * VM_ORDER_NONE.  Freeing a block merges it with its buddy while the
 * buddy is free and of the same order.
 *
 * The allocator also knows which free pages are zero-filled (idle harts
 * zero some, vm_page_zero.c); they stay in the buddy lists, merge as any
 * free pages, and are handed out to requests for a zeroed page first and
 * to other requests last.
 *
 * Locking: one spin lock guards every free list and count; it is taken
 * and released inside each call, so callers hold nothing.
 */
#ifndef _VM_VM_PHYS_H_
#define _VM_VM_PHYS_H_

#include <vm/vm_page.h>

#define VM_NFREEORDER	11	/* largest block 2^10 pages = 4 MiB */
#define VM_PHYS_MAXSEG	16

/* A physically contiguous range of RAM with its slice of the page array. */
struct vm_phys_seg {
	paddr_t		start;
	paddr_t		end;		/* exclusive */
	struct vm_page	*first_page;	/* vm_page of 'start' */
};

/*
 * Register a segment [start, end) (page aligned) whose vm_pages are
 * pages[0 .. npages-1].  Every page is initialized (phys_addr, segind)
 * and left allocated: nothing is free until vm_phys_free_range().
 * Returns 0, or EINVAL/ENOSPC.
 */
int vm_phys_add_seg(paddr_t start, paddr_t end, struct vm_page *pages);

/* Give the pages of [start, end) to the allocator, in the largest blocks that fit. */
void vm_phys_free_range(paddr_t start, paddr_t end);

/*
 * 2^order pages, zeroed ones last; PG_ZERO set if all are known zero (the
 * caller clears it).  NULL when none.  Freed (PG_ZERO clear) with
 * vm_phys_free_pages, not known zero any more.
 */
struct vm_page *vm_phys_alloc_pages(int order);
void vm_phys_free_pages(struct vm_page *m, int order);

/* A free page known zero, PG_ZERO set; else any free page, PG_ZERO clear.  NULL when none. */
struct vm_page *vm_phys_alloc_zeroed(void);

/*
 * For the zeroing of free pages: a free page not known zero (still
 * counted as free) while the free pages known zero and those being
 * zeroed number fewer than target, else NULL.  The caller zeroes it and
 * hands it to vm_phys_put_zeroed, which frees it as known zero.
 */
struct vm_page *vm_phys_take_to_zero(uint64_t target);
void vm_phys_put_zeroed(struct vm_page *m);

/*
 * Allocate npages contiguous pages in [low, high) whose first page is
 * aligned to 'alignment' bytes (a power of two >= PAGE_SIZE) and which do
 * not cross a 'boundary' (a power of two, or 0 for none).  NULL when none.
 * Freed with vm_phys_free_contig().
 */
struct vm_page *vm_phys_alloc_contig(uint64_t npages, paddr_t low, paddr_t high,
    uint64_t alignment, uint64_t boundary);
void vm_phys_free_contig(struct vm_page *m, uint64_t npages);

struct vm_page *vm_phys_to_page(paddr_t pa);	/* NULL when not managed RAM */
/*
 * Declare that pages[i] is the vm_page of base + ptoa(i) for every page of
 * a segment in [base, base + ptoa(npages)), the segments registered
 * already: vm_phys_to_page then indexes instead of searching.  The
 * entries for the holes between segments are set here to no page: no
 * object, no wirings (walks of the whole array skip them as free pages).
 */
void vm_phys_set_flat(paddr_t base, uint64_t npages, struct vm_page *pages);

uint64_t vm_phys_free_count(void);		/* free pages in all orders */
uint64_t vm_phys_zeroed_count(void);		/* free pages known zero */
uint64_t vm_phys_free_blocks(int order);	/* free blocks of one order */
bool vm_phys_has_block(int order);		/* a free block of order or larger? */
int vm_phys_nsegs(void);
const struct vm_phys_seg *vm_phys_seg(int i);

/* Forget every segment: host unit tests only. */
void vm_phys_reset(void);

#endif
