/*
 * Reclaiming cached memory when a user allocation found none (see
 * vm_lowmem.h).
 */
#include <kern/systm.h>
#include <kern/sleepqueue.h>
#include <kern/time.h>
#include <vm/vm_lowmem.h>
#include <vm/vm_page.h>
#include <vm/vm_phys.h>
#include <vm/zone.h>

#define LOWMEM_HANDLERS_MAX	4
#define RECLAIM_DIVISOR		64	/* a call asks for a 64th of memory back */
#define RECLAIM_MIN		256	/* pages */
#define BUSY_WAIT_NS		(NSEC_PER_SEC / 100)	/* between looks at busy caches */
#define BUSY_WAITS_MAX		100	/* about a second in all */

static vm_lowmem_handler_t handlers[LOWMEM_HANDLERS_MAX];	/* (C) after boot */
static uint32_t nhandlers;					/* (C) after boot */
static const char busy_chan;	/* slept on with a deadline only: no one wakes it */

struct vm_lowmem_stats vm_lowmem_stats;

void
vm_lowmem_register(vm_lowmem_handler_t fn)
{
	KASSERT(nhandlers < LOWMEM_HANDLERS_MAX, ("vm_lowmem_register: too many handlers"));
	handlers[nhandlers++] = fn;
}

/* The pages one vm_lowmem call asks the caches for. */
static uint64_t
reclaim_batch(void)
{
	return MAX(vm_page_count_total() / RECLAIM_DIVISOR, (uint64_t)RECLAIM_MIN);
}

bool
vm_lowmem_due(void)
{
	return vm_phys_free_count() < vm_page_reserved() + reclaim_batch();
}

uint64_t
vm_lowmem(void)
{
	uint64_t want = reclaim_batch();
	uint64_t freed = 0;
	bool busy;

	__atomic_add_fetch(&vm_lowmem_stats.calls, 1, __ATOMIC_RELAXED);
	for (int waits = 0;; waits++) {
		zone_reclaim_all();
		busy = false;
		for (uint32_t i = 0; i < nhandlers && freed < want; i++)
			freed += handlers[i](want - freed, &busy);
		if (freed > 0 || !busy || waits == BUSY_WAITS_MAX)
			break;
		__atomic_add_fetch(&vm_lowmem_stats.busy_waits, 1, __ATOMIC_RELAXED);
		(void)sleep_on_timed(&busy_chan, NULL, 0, sleepq_deadline_ns(BUSY_WAIT_NS));
	}
	__atomic_add_fetch(&vm_lowmem_stats.freed, freed, __ATOMIC_RELAXED);
	return freed;
}
