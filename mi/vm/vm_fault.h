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
 * The faulting thread holds a lock a pager's fetch might need (a copy
 * helper's fault under a file's I/O lock): a fault that would sleep for
 * a pager fails with EWOULDBLOCK instead; the caller drops its lock,
 * faults the page in with vm_fault_user_range and tries again.
 */
#define VM_FAULT_NOSLEEP	0x0002

/*
 * Resolve a fault of type access (VM_PROT_READ, _WRITE or _EXECUTE) at va
 * in map.  Called with no locks held; it may sleep for a pager.  Returns
 * 0, EFAULT (no mapping: SEGV_MAPERR), EACCES (protection: SEGV_ACCERR),
 * ENOMEM, EIO (the pager failed: SIGBUS), or EWOULDBLOCK (only with
 * VM_FAULT_NOSLEEP).
 */
int vm_fault(struct vm_map *map, vaddr_t va, vm_prot_t access, int flags);
/*
 * Fault in every page of the current thread's user range [uaddr, uaddr +
 * len) for access, as a copy helper's fault would (before a copy retried
 * without a lock it held).  0 or vm_fault's error.
 */
int vm_fault_user_range(const void *uaddr, size_t len, vm_prot_t access);

struct vm_fault_stats {
	uint64_t	faults;		/* calls to vm_fault */
	uint64_t	pmap_fixups;	/* resolved by pmap_fault (A/D emulation) */
	uint64_t	zero_fills;
	uint64_t	cow_copies;
	uint64_t	cow_moves;	/* COW resolved by moving a page no one else sees */
	uint64_t	pageins;	/* filled by a pager */
	uint64_t	busy_waits;	/* waited for a page another cpu was filling */
	uint64_t	fetches;	/* backed out for a pager to fetch a page, sleeping */
	uint64_t	enomem_retries;
	uint64_t	segv_maperr;
	uint64_t	segv_accerr;
};
extern struct vm_fault_stats vm_fault_stats;

#endif
