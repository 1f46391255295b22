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
 * as needed, taking only locks it can try (its caller may hold some), and
 * setting *busy when it passed over something it could not lock.  The
 * number of pages it freed.
 */
typedef uint64_t (*vm_lowmem_handler_t)(uint64_t want, bool *busy);

/* Call fn whenever memory is short, from now on (boot: no removal). */
void vm_lowmem_register(vm_lowmem_handler_t fn);

/*
 * Memory is short: reclaim.  When nothing could be freed because the
 * caches were busy (a writer holds a file, and will free its pages or let
 * go of them), wait a clock tick and try again, for up to a second.  The
 * number of pages the handlers freed (the zones' slabs not counted).
 * => no spin lock held; may sleep
 */
uint64_t vm_lowmem(void);

/* Counters, in /proc/vmstat. */
struct vm_lowmem_stats {
	uint64_t	calls;		/* vm_lowmem calls */
	uint64_t	freed;		/* pages the handlers freed */
	uint64_t	busy_waits;	/* ticks waited for busy caches */
};
extern struct vm_lowmem_stats vm_lowmem_stats;

/* Free pages vm_page_alloc leaves for kernel allocations. */
uint64_t vm_page_reserve(void);

#endif
