/*
 * vmem: a general resource-range allocator (Bonwick and Adams, 2001),
 * used for kernel virtual address space.
 *
 * An arena manages [base, base+size) in multiples of its quantum.
 * Segments (free or allocated spans) are kept in address order; free
 * segments also sit on power-of-two free lists so an instant-fit
 * allocation takes O(1) list lookups, and allocated segments are found
 * by address through a hash table for vmem_free.  Adjacent free
 * segments are always coalesced.
 *
 * Locking: each arena has a spin lock taken inside every call.
 * Boundary tags come from a small reserve refilled from the page
 * allocator (never from the arena itself), so vmem_alloc with
 * VMEM_NOWAIT can run in interrupt context.
 */
#ifndef _VM_VMEM_H_
#define _VM_VMEM_H_

#include <kern/types.h>

typedef uint64_t vmem_addr_t;
typedef struct vmem vmem_t;

/* flags */
#define VMEM_WAITOK	0x0001	/* may sleep (today: may panic) for tags */
#define VMEM_NOWAIT	0x0002	/* fail with ENOMEM rather than wait */
#define VMEM_BESTFIT	0x0010	/* smallest free segment that fits */
#define VMEM_INSTANTFIT	0x0020	/* first segment from a list that surely fits (default) */


/*
 * Create an arena over [base, base+size).  quantum is a power of two;
 * base and size are multiples of it.  Returns NULL on no memory.
 */
vmem_t *vmem_create(const char *name, vmem_addr_t base, uint64_t size,
    uint64_t quantum, int flags);
void vmem_destroy(vmem_t *vm);		/* arena must be empty of allocations */

/* Allocate size bytes (rounded up to the quantum). 0 or ENOMEM. */
int vmem_alloc(vmem_t *vm, uint64_t size, int flags, vmem_addr_t *addrp);

/*
 * Allocate with constraints: alignment (power of two or 0), phase (offset
 * from alignment), nocross (a power-of-two boundary not to cross, or 0),
 * and the address window [minaddr, maxaddr) (0, 0 for the whole arena).
 */
int vmem_xalloc(vmem_t *vm, uint64_t size, uint64_t align, uint64_t phase,
    uint64_t nocross, vmem_addr_t minaddr, vmem_addr_t maxaddr, int flags,
    vmem_addr_t *addrp);

/* Free what vmem_alloc/vmem_xalloc returned, with the same size. */
void vmem_free(vmem_t *vm, vmem_addr_t addr, uint64_t size);

/* Add another span [base, base+size) to an arena. 0 or ENOMEM. */
int vmem_add(vmem_t *vm, vmem_addr_t base, uint64_t size, int flags);

uint64_t vmem_size_free(vmem_t *vm);
uint64_t vmem_size_allocated(vmem_t *vm);

/* Walk every segment and check the invariants; panics on a broken one. */
void vmem_check(vmem_t *vm);

#endif
