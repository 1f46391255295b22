/*
 * Reclaiming memory when an allocation failed (see vm_lowmem.h).
 */
#include <kern/systm.h>
#include <kern/sched.h>
#include <vm/vm_lowmem.h>
#include <vm/vm_page.h>
#include <vm/zone.h>

#define LOWMEM_HANDLERS_MAX	4
#define RESERVE_DIVISOR		64	/* a 64th of memory is kept for the kernel */
#define RESERVE_MIN		64	/* pages */
#define RESERVE_MAX		1024
#define RECLAIM_DIVISOR		64	/* a call asks for a 64th of memory back */
#define RECLAIM_MIN		256
#define BUSY_TICKS_MAX		100	/* about a second of waiting for busy caches */

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

/* Sleep until the next clock tick. */
static void
wait_tick(void)
{
	spin_lock(&sched_lock);
	sleep_on(&clock_tick_chan, &sched_lock);
	spin_unlock(&sched_lock);
}

uint64_t
vm_lowmem(void)
{
	uint64_t want = MAX(vm_page_count_total() / RECLAIM_DIVISOR, (uint64_t)RECLAIM_MIN);
	uint64_t freed = 0;
	bool busy = false;

	__atomic_add_fetch(&vm_lowmem_stats.calls, 1, __ATOMIC_RELAXED);
	for (int ticks = 0;; ticks++) {
		zone_reclaim_all();
		busy = false;
		for (uint32_t i = 0; i < nhandlers && freed < want; i++)
			freed += handlers[i](want - freed, &busy);
		if (freed > 0 || !busy || ticks == BUSY_TICKS_MAX)
			break;
		__atomic_add_fetch(&vm_lowmem_stats.busy_waits, 1, __ATOMIC_RELAXED);
		wait_tick();
	}
	__atomic_add_fetch(&vm_lowmem_stats.freed, freed, __ATOMIC_RELAXED);
	return freed;
}
