/*
 * Transparent superpages for anonymous memory: a fault in never-touched
 * anonymous memory fills the whole aligned 2 MiB around it with one
 * physically contiguous run and maps it with one superpage leaf
 * (pmap_enter_superpage), as Linux's THP does at fault time.
 * vm_superpage.c says why this way and not FreeBSD's reservations.
 *
 * When: /proc/sys/vm/transparent_hugepage says always (every eligible
 * fault), madvise (only in ranges given MADV_HUGEPAGE) or never; an
 * entry given MADV_NOHUGEPAGE never.  Eligible: the aligned 2 MiB lies
 * inside the entry, the entry is not wired, and its object is anonymous,
 * with no backing object, never paged out, and holds no page in that
 * range.  The pages are ordinary pages of the object afterwards: one by
 * one they are paged out, freed, copied on write, wired; the pmap demotes
 * the leaf when any of that touches part of it.
 *
 * Counters (/proc/vmstat, Linux's names): thp_fault_alloc,
 * thp_fault_fallback (an eligible fault that found no free 2 MiB run, or
 * no memory to map it, and went on with a 4 KiB page: never a failed
 * fault), thp_split_pmd (demotions, the pmap's count) and
 * nr_anon_transparent_hugepages (superpage mappings now).
 *
 * Locking: the mode is atomic; the fault runs under the map lock (shared)
 * and the object lock, dropped while the run is zeroed (vm_fault.c).
 */
#ifndef _VM_VM_SUPERPAGE_H_
#define _VM_VM_SUPERPAGE_H_

#include <kern/types.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>

struct vm_object;
struct vm_page;

/* /proc/sys/vm/transparent_hugepage, Linux's three words. */
enum vm_superpage_mode { THP_ALWAYS, THP_MADVISE, THP_NEVER, THP_MODES };
extern uint32_t vm_superpage_mode;	/* (A) */
extern const char *const vm_superpage_mode_names[];	/* indexed by mode, NULL-ended */
uint64_t vm_superpage_get_mode(void);
int vm_superpage_set_mode(uint64_t mode);		/* 0 or EINVAL */

struct vm_superpage_stats {
	uint64_t	fault_alloc;	/* (A) superpages made and mapped by faults */
	uint64_t	fault_fallback;	/* (A) eligible faults that went on with 4 KiB */
};
extern struct vm_superpage_stats vm_superpage_stats;

/*
 * May a fault at va in e (map locked) fill va's 2 MiB with a superpage,
 * as far as the entry and the mode say?  (The object is checked later.)
 * Inline: the zero-fill fault asks.
 */
static inline bool
vm_superpage_entry_allows(const struct vm_map_entry *e, vaddr_t va)
{
	vaddr_t sva = va & ~SUPERPAGE_MASK;
	uint32_t mode = __atomic_load_n(&vm_superpage_mode, __ATOMIC_RELAXED);

	if (mode == THP_NEVER || (mode == THP_MADVISE && !(e->eflags & MAP_ENTRY_HUGEPAGE)))
		return false;
	return !(e->eflags & (MAP_ENTRY_NOHUGEPAGE | MAP_ENTRY_IN_WIRING)) &&
	    e->wired_count == 0 && sva >= e->start && sva + SUPERPAGE_SIZE <= e->end;
}

/*
 * Fill the aligned 2 MiB of obj around index pindex, seen at va, with a
 * zeroed run of SUPERPAGE_PAGES pages and map it in pmap with prot, for
 * access (pmap_enter's flags).  *mapped says whether the superpage was
 * mapped; if not, the pages stay in obj and the fault maps the page at
 * pindex, *mp, as any other.
 * => obj anonymous with no backing object, locked, and the map locked
 *    (shared): obj is unlocked while the run is zeroed (its pages, in
 *    obj and busy, keep other faults off the range), and locked again on
 *    return
 * <= 0 with *mp; ENOENT when obj cannot have one there, or no 2 MiB run
 *    could be had (obj was not unlocked: the fault zero-fills one page)
 */
int vm_superpage_fault(struct vm_object *obj, vm_pindex_t pindex, pmap_t pmap, vaddr_t va,
    vm_prot_t prot, vm_prot_t access, struct vm_page **mp, bool *mapped);

#endif
