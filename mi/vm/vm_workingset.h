/*
 * Refault detection: a memory of recently evicted pages (2Q's A1out
 * ghost list, kept as eviction stamps the way Linux's mm/workingset.c
 * keeps them).
 *
 * Each page the daemon evicts leaves a stamp, the value of an eviction
 * clock, under a hash of its (object, index).  When a pager brings the
 * page back, the distance from its stamp to the clock is how many pages
 * were evicted in between.  If fewer than the pages memory holds for
 * programs (active + inactive) were, the page was used again within one
 * memory-full of evictions: a working set page that lost the race to a
 * second reference on the inactive queue (its reuse distance is longer
 * than a trip through inactive).  It goes to the active queue at once.
 * A page coming back only after more evictions than that (a stream's, a
 * cold page's) starts on inactive like any new page.  vm_pageout.c says
 * why this makes the daemon scan resistant.
 *
 * The table: two entries per page of RAM (16 bytes per 4 KiB, 0.4%),
 * buckets of two, each entry 32 bits of the key's hash and a 32-bit
 * stamp; a new stamp replaces its bucket's older one.  It forgets:
 * a lost stamp makes a refault look new (the page is promoted later, on
 * a second reference), and a stale or colliding one may promote a page
 * early.  Neither is ever wrong, only less well informed.
 *
 * Locking: none; entries are single words written and read atomically.
 */
#ifndef _VM_VM_WORKINGSET_H_
#define _VM_VM_WORKINGSET_H_

#include <kern/types.h>

struct vm_object;
struct vm_page;

struct vm_workingset_stats {
	uint64_t	refault[2];	/* page-ins that found their stamp, by PQ_KIND_* */
	uint64_t	activate[2];	/* ... close enough to go to active */
};
extern struct vm_workingset_stats vm_workingset_stats;

/* Make the table for npages of RAM. */
void vm_workingset_init(uint64_t npages);

/* m (object locked) is being evicted: remember when. */
void vm_workingset_evict(struct vm_page *m);

/* Evictions so far, modulo 2^32: the clock reuse is measured in. */
uint32_t vm_workingset_evictions(void);

/*
 * m (busy, its object locked) has just been read in by a pager: if it
 * was evicted within one memory-full of evictions, put it on the active
 * queue now (otherwise its unbusy puts it on inactive).  Returns whether
 * it did.
 */
bool vm_workingset_refault(struct vm_page *m);

#endif
