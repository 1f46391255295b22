/*
 * Reclaiming memory when an allocation failed (see vm_lowmem.h).
 */
#include <kern/systm.h>
#include <vm/vm_lowmem.h>
#include <vm/vm_page.h>
#include <vm/zone.h>

#define LOWMEM_HANDLERS_MAX	4
#define RESERVE_DIVISOR		64	/* a 64th of memory is kept for the kernel */
#define RESERVE_MIN		64	/* pages */
#define RESERVE_MAX		1024
#define RECLAIM_DIVISOR		64	/* a call asks for a 64th of memory back */
#define RECLAIM_MIN		256

static vm_lowmem_handler_t handlers[LOWMEM_HANDLERS_MAX];	/* (C) after boot */
static uint32_t nhandlers;					/* (C) after boot */

struct vm_lowmem_stats vm_lowmem_stats;

void
vm_lowmem_register(vm_lowmem_handler_t fn)
{
	KASSERT(nhandlers < LOWMEM_HANDLERS_MAX, ("vm_lowmem_register: too many handlers"));
	handlers[nhandlers++] = fn;
}

uint64_t
vm_page_reserve(void)
{
	return MIN(MAX(vm_page_count_total() / RESERVE_DIVISOR, (uint64_t)RESERVE_MIN),
	    (uint64_t)RESERVE_MAX);
}

uint64_t
vm_lowmem(void)
{
	uint64_t want = MAX(vm_page_count_total() / RECLAIM_DIVISOR, (uint64_t)RECLAIM_MIN);
	uint64_t freed = 0;

	__atomic_add_fetch(&vm_lowmem_stats.calls, 1, __ATOMIC_RELAXED);
	zone_reclaim_all();
	for (uint32_t i = 0; i < nhandlers && freed < want; i++)
		freed += handlers[i](want - freed);
	__atomic_add_fetch(&vm_lowmem_stats.freed, freed, __ATOMIC_RELAXED);
	return freed;
}
