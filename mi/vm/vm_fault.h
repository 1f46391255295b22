/*
 * The page-fault handler (after the seeds' four steps): find the map
 * entry, compute the object offset, walk the shadow chain for the page,
 * and otherwise ask the bottom object's pager (zero-fill for anonymous
 * memory).  A write to a page found below the first object copies it up
 * (copy-on-write), or moves it when no one else can see it.
 */
#ifndef _VM_VM_FAULT_H_
#define _VM_VM_FAULT_H_

#include <kern/types.h>

struct vm_map;

/*
 * Wire the page (vm_map_wire, on an entry it is wiring): the page the
 * entry sees takes one wiring when the fault succeeds.  Other faults on a
 * wired entry wire no page (the entry's pages already carry its wirings),
 * only the leaf.
 */
#define VM_FAULT_WIRE	0x0001

/*
 * Resolve a fault of type access (VM_PROT_READ, _WRITE or _EXECUTE) at va
 * in map.  It may sleep (for a busy page, for memory, for a pager), with
 * no lock of its own held meanwhile.
 * => no spin lock held, map not locked by the caller
 * <= 0, EFAULT (no mapping: SEGV_MAPERR), EACCES (protection:
 *    SEGV_ACCERR), ENOMEM (no memory, and none coming back: vm_wait.h),
 *    or EIO (the pager failed: SIGBUS)
 */
int vm_fault(struct vm_map *map, vaddr_t va, vm_prot_t access, int flags);

struct vm_fault_stats {
	uint64_t	faults;		/* calls to vm_fault */
	uint64_t	pmap_fixups;	/* resolved by pmap_fault (A/D emulation) */
	uint64_t	zero_fills;
	uint64_t	cow_copies;
	uint64_t	cow_moves;	/* COW resolved by moving a page no one else sees */
	uint64_t	pageins;	/* filled by a pager */
	uint64_t	restarts;	/* passes started over after a wait (busy page, pager) */
	uint64_t	memory_waits;	/* waits for free memory that ended with some */
	uint64_t	oom;		/* failed: no memory, none coming back */
	uint64_t	segv_maperr;
	uint64_t	segv_accerr;
};
extern struct vm_fault_stats vm_fault_stats;

#endif
