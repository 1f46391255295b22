/*
 * Memory is short (vm_lowmem.c): what an allocator's caller does when a
 * page allocation failed, before it tries once more.  The allocators'
 * cached free slabs go back first, then every registered cache gives
 * back what it can: the file systems write their files' dirty pages back
 * and free clean ones (after FreeBSD's vm_lowmem event).  It stands in
 * for the page daemon and its laundry, which will do this ahead of need.
 *
 * Page allocations for objects (vm_page_alloc) leave a reserve of free
 * pages for the kernel's own allocations, so that the write-back that
 * frees file pages can always get the little memory it needs.
 */
#ifndef _VM_VM_LOWMEM_H_
#define _VM_VM_LOWMEM_H_

#include <kern/types.h>

/*
 * A cache's handler: give back up to want pages (more is fine), sleeping
 * as needed, taking only locks it can try (its caller may hold some).
 * The number of pages it freed.
 */
typedef uint64_t (*vm_lowmem_handler_t)(uint64_t want);

/* Call fn whenever memory is short, from now on (boot: no removal). */
void vm_lowmem_register(vm_lowmem_handler_t fn);

/*
 * Memory is short: reclaim.  The number of pages the handlers freed (the
 * zones' slabs not counted).  May sleep.
 * => no spin lock held
 */
uint64_t vm_lowmem(void);

/* Counters, in /proc/vmstat. */
struct vm_lowmem_stats {
	uint64_t	calls;		/* vm_lowmem calls */
	uint64_t	freed;		/* pages the handlers freed */
};
extern struct vm_lowmem_stats vm_lowmem_stats;

/* Free pages vm_page_alloc leaves for kernel allocations. */
uint64_t vm_page_reserve(void);

#endif
