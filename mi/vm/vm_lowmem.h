/*
 * Memory is short (vm_lowmem.c): what vm_wait does for a user allocation
 * (VM_ALLOC_NORMAL) that found no page, before it sleeps or gives up.
 * Every registered cache gives back what it can: the file systems write
 * their files' dirty pages back and free clean ones (after FreeBSD's
 * vm_lowmem event).  It stands in for the page daemon and its laundry,
 * which will do this ahead of need.  Kernel allocations (VM_ALLOC_SYSTEM)
 * do not reclaim this way: they have the reserve, and may hold the locks
 * that reclaiming takes.
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
 * go of them), wait a little and try again, for up to a second.  The
 * number of pages the handlers freed (the zones' slabs not counted).
 * => no spin lock held; may sleep
 */
uint64_t vm_lowmem(void);
/*
 * Are the free pages outside the kernel's reserve fewer than one
 * vm_lowmem batch?  A waiter reclaims a batch then, not just the page it
 * wants: a few pages freed by the zones would let it take one page per
 * wait, one disk request each.
 */
bool vm_lowmem_due(void);

/* Counters, in /proc/vmstat. */
struct vm_lowmem_stats {
	uint64_t	calls;		/* vm_lowmem calls */
	uint64_t	freed;		/* pages the handlers freed */
	uint64_t	busy_waits;	/* waits for busy caches */
};
extern struct vm_lowmem_stats vm_lowmem_stats;

#endif
