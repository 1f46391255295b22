/*
 * Physical pages.
 *
 * Every usable page of RAM has one struct vm_page, in one array made at
 * boot (vm_page_startup).  A page is in exactly one of these states:
 *   free     - on a buddy free list (vm_phys.c); only the head page of a
 *              free block has order != VM_ORDER_NONE;
 *   wired    - allocated and held by its user (kernel memory, page tables),
 *              or an object's page with wirings (mlock): on no paging queue;
 *   queued   - owned by a vm_object, unwired, and on exactly one paging
 *              queue (vm_pagequeue.h), which its astate names.
 *
 * A page of a file on a disk (an OBJT_VNODE object whose vnode has a
 * block map, vm/vnode_pager.c) also has a cache state in oflags: dirty
 * (written by write(2) since it was last written back; writes through
 * mappings are the pmap's modified bit), under write-back (its data are
 * on their way to the disk: the page must not be freed until the request
 * completes: it is share-busy meanwhile), or failed to read (busy while
 * the read was in flight; the next lookup frees it and reports EIO).
 *
 * Locking annotations:
 *   (C) constant after vm_page_startup
 *   (F) vm_phys free-list lock
 *   (O) the owning object's lock
 *   (A) atomic
 *   (M) the pmap's pv lock
 *   (P) the pmap lock of the pmap a page-table page belongs to
 *   (Q) the lock of the paging queue astate.queue names (vm_pagequeue.h)
 *
 * The busy lock (after FreeBSD's): a page whose contents or identity are
 * changing is busy, and whoever needs it meanwhile sleeps until it is
 * not, never spins.
 *   exclusive (VPB_XBUSY): being filled (zero-fill, a pager's read, a
 *       copy); no one else may map it, read it, write it or free it;
 *   shared (a count of VPB_ONE_SHARER): being read (a pager writing it
 *       out); it may be mapped read-only and copied from, not written or
 *       freed, and several readers may hold it at once.
 * Busying a page needs its object's lock (so it cannot change identity
 * meanwhile); unbusying does not.  VPB_WAITERS says threads sleep on the
 * page (its address is their wait channel): a sleeper sets it, under the
 * page's sleep queue chain lock, only while the page is busy; the release
 * that ends the busy state clears it and wakes them.  A thread that drops
 * an object's lock while a page of it is busy holds a paging-in-progress
 * count on the object (vm_object.h), which keeps the object alive.
 *
 * The structure is kept to 64 bytes (one cache line; a static assert
 * holds it there): FreeBSD's is about 104 bytes, Linux's 64.
 */
#ifndef _VM_VM_PAGE_H_
#define _VM_VM_PAGE_H_

#include <kern/types.h>
#include <kern/list.h>
#include <machine/param.h>
#include <machine/vm_page_md.h>

struct vm_object;
struct spinlock;

/*
 * A page's paging-queue state, one atomic word (after FreeBSD 13's
 * vm_page_astate): which queue it belongs to, its activity count and
 * the PGA_* flags, changed together by compare-and-swap so that the
 * fault path can queue a page without a queue lock (vm_pagequeue.h
 * gives the rules).
 */
union vm_page_astate {
	struct {
		uint16_t flags;		/* PGA_* */
		uint8_t	queue;		/* PQ_*, or PQ_NONE */
		uint8_t	act_count;	/* activity: raised by references, aged by the daemon */
	};
	uint32_t	bits;
};

/* The state of a page on no paging queue (free, kernel, wired). */
#define PQ_NONE		255
#define VM_PAGE_ASTATE_NONE	((union vm_page_astate){ .queue = PQ_NONE })

struct vm_page {
	struct list_node plinks;	/* (F) free list; (P) a page-table page's place in
					 * its pmap's TLB batch until the flush frees it;
					 * (Q) its paging queue */
	struct vm_object *object;	/* (O) owner, or NULL */
	union {
		vm_pindex_t pindex;	/* (O) page index within object; (A) a pmap's
					 * pv chunk: its entries in use */
		void	*kmem_owner;	/* (C) kmem page block: its user's cookie */
		uint64_t kmem_npages;	/* (C) kmem_alloc: pages in the allocation */
		uint64_t free_zeroed;	/* (F) free: the zeroed pages of the buddy-tree
					 * node it heads (vm_phys.c) */
	};
	paddr_t		phys_addr;	/* (C) */
	struct md_page	md;		/* (M) machine-dependent */
	uint32_t	wire_count;	/* (A) wirings (one per wiring of each wired map entry
					 * that sees it, plus the kernel's own); a wired page is
					 * never paged out */
	uint32_t	busy;		/* (A) the busy lock (below) */
	uint8_t		flags;		/* (A) PG_* */
	uint8_t		order;		/* (F) buddy order of a free block head */
	uint8_t		segind;		/* (C) index of its physical segment */
	uint8_t		oflags;		/* (O) VPO_* */
	union vm_page_astate astate;	/* (A) paging queue state (vm_pagequeue.h) */
};

_Static_assert(sizeof(struct vm_page) == 64, "struct vm_page must stay 64 bytes");

/* busy */
#define VPB_UNBUSIED	0x00000000u
#define VPB_XBUSY	0x80000000u	/* exclusively busy */
#define VPB_WAITERS	0x40000000u	/* threads sleep on the page */
#define VPB_SHARERS	0x3fffffffu	/* shared busy holders */
#define VPB_ONE_SHARER	0x00000001u

/* flags */
#define PG_FREE		0x0001	/* on a buddy free list */
#define PG_ZERO		0x0002	/* known to be zero-filled */
#define PG_FICTITIOUS	0x0004	/* device memory, no real vm_page behind it */
#define PG_KMEM		0x0008	/* kernel memory (kmem, zones, page tables) */
#define PG_MARKER	0x0010	/* (C) not a page: a scan's place holder in a queue */
#define PG_MD_MODIFIED	0x0040	/* pmap: written through a mapping since gone */
#define PG_MD_REFERENCED 0x0080	/* pmap: accessed through a mapping since gone */

/* oflags */
#define VPO_DIRTY	0x01	/* written by the kernel (not through a mapping) since it
				 * was last clean: must be written before it is freed */
#define VPO_WRITEBACK	0x02	/* a file page's write to the disk is in flight (the page
				 * is share-busy meanwhile: vnode_pager.c) */
#define VPO_IOERR	0x04	/* its read failed: not valid; free it at the next lookup */
#define VPO_READAHEAD	0x08	/* read in around another page's fault and not faulted on
				 * since: a hit of swap read-around when it is (swap_pager.h) */

#define VM_ORDER_NONE	0xff

/*
 * Allocation flags for vm_page_alloc_*.  Free pages are handed out in
 * three tiers, so that each kind of memory user finds pages when the one
 * before it has run out:
 *  - user pages (VM_ALLOC_NORMAL) leave vm_page_reserved() free pages;
 *  - the kernel's own allocations (VM_ALLOC_SYSTEM: page tables, map
 *    entries, the exit of the process that has to go) take that reserve
 *    down to its last part, vm_page_pageout_reserved();
 *  - the threads that free memory (TDF_MEMRESERVE: the page daemon and
 *    the laundry) take the rest: a page written to swap needs a little
 *    memory of its own (the request, the swap metadata), and with none
 *    left for it nothing could ever be freed again.
 * Without VM_ALLOC_WAITOK an allocation fails (NULL) when it finds no
 * page; with it, it sleeps in vm_wait() until pages are freed, and never
 * returns NULL.
 */
#define VM_ALLOC_NORMAL	0x0000	/* user memory: leave the reserve */
#define VM_ALLOC_ZERO	0x0001	/* return zero-filled pages */
#define VM_ALLOC_NOWAIT	0x0002	/* fail rather than wait for memory (the default) */
#define VM_ALLOC_WAITOK	0x0004	/* sleep until there is memory: never NULL */
#define VM_ALLOC_SYSTEM	0x0008	/* the kernel's own memory: may use the reserve */
#define VM_ALLOC_PREZEROED 0x0010	/* order 0: a free page known to be zero if there is
					 * one (PG_ZERO set on it: the caller clears it), else
					 * one not zeroed (vm_page_zero.h) */

static inline paddr_t VM_PAGE_TO_PHYS(const struct vm_page *m) { return m->phys_addr; }

/*
 * The vm_page of managed physical address pa, or NULL.  Inline for the
 * common case, RAM in one flat run of the page array (vm_phys_set_flat:
 * written at boot, read-only after); the rest is vm_phys_to_page's.
 */
struct vm_phys_flat {
	paddr_t		base;
	uint64_t	npages;		/* 0: no flat view */
	struct vm_page	*pages;
};
extern struct vm_phys_flat vm_phys_flat;
#define VM_PHYS_SEG_NONE	UINT8_MAX	/* segind of a flat view's entry for a hole */
struct vm_page *vm_phys_to_page(paddr_t pa);

static inline struct vm_page *
PHYS_TO_VM_PAGE(paddr_t pa)
{
	uint64_t idx = (pa - vm_phys_flat.base) >> PAGE_SHIFT;	/* below base: wraps */

	if (__predict_true(idx < vm_phys_flat.npages &&
	    vm_phys_flat.pages[idx].segind != VM_PHYS_SEG_NONE))
		return &vm_phys_flat.pages[idx];
	return vm_phys_to_page(pa);
}

struct phys_range {
	paddr_t	start;
	paddr_t	end;		/* exclusive */
};

/*
 * Make the vm_page array for every page that physmem still has available
 * (stealing the array itself from physmem first) and give all those pages
 * to the free lists.  Called once at boot, after pmap_bootstrap.
 */
void vm_page_startup(void);

/*
 * Allocate 2^order contiguous, naturally aligned pages (wired, no object).
 * => with VM_ALLOC_WAITOK, no spin lock held (it may sleep)
 */
struct vm_page *vm_page_alloc_pages(int order, int flags);
/* Free them; threads waiting for memory (vm_wait) are woken. */
void vm_page_free_pages(struct vm_page *m, int order);
/*
 * Could an allocation of 2^order pages with flags succeed now?  (A
 * snapshot: vm_wait's test of whether to sleep.)
 */
bool vm_page_alloc_could_succeed(int order, int flags);
/* Free pages user memory must leave to the kernel. */
uint64_t vm_page_reserved(void);
uint64_t vm_page_pageout_reserved(void);

/*
 * The busy lock.  vm_page_tryxbusy and vm_page_trysbusy need the page's
 * object locked; they fail if the page is exclusively busy (or, to
 * busy it exclusively, busy at all).
 */
static inline bool
vm_page_busied(const struct vm_page *m)
{
	return (__atomic_load_n(&m->busy, __ATOMIC_ACQUIRE) & (VPB_XBUSY | VPB_SHARERS)) != 0;
}

static inline bool
vm_page_xbusied(const struct vm_page *m)
{
	return (__atomic_load_n(&m->busy, __ATOMIC_ACQUIRE) & VPB_XBUSY) != 0;
}

bool vm_page_tryxbusy(struct vm_page *m);
bool vm_page_trysbusy(struct vm_page *m);
void vm_page_xunbusy(struct vm_page *m);
/* The same for n pages in a row, each queued already (a superpage's run). */
void vm_page_xunbusy_run(struct vm_page *m, uint64_t n);
void vm_page_sunbusy(struct vm_page *m);
/*
 * Wait for m to stop being busy (only exclusively busy, with
 * shared_ok): if it is, sleep until the holder lets go, and return true
 * with interlock released; if it is not, return false with interlock
 * still held.  The caller rechecks whatever it looked at after a sleep
 * (the page may have been freed and reused meanwhile).
 * => interlock (m's object's lock) is the only spin lock held
 */
bool vm_page_busy_sleep(struct vm_page *m, struct spinlock *interlock, bool shared_ok);

/* Counters, exported through /proc/vmstat. */
struct vm_page_stats {
	uint64_t	busy_sleeps;	/* (A) sleeps in vm_page_busy_sleep */
};
extern struct vm_page_stats vm_page_stats;

/*
 * User wiring (mlock, vm_map_wire) of an object's page: a wired page is
 * never paged out, and is on no paging queue.  Counted, for /proc/vmstat's
 * wired_pages.  The object is locked.  The last unwiring puts the page on
 * the active queue (it was in use).
 */
void vm_page_wire(struct vm_page *m);
void vm_page_unwire(struct vm_page *m);
uint64_t vm_page_count_wired(void);
/*
 * A wiring of an object page held by the kernel itself, not by a map
 * entry (the signal trampoline's page; a page read(2) or write(2) is
 * copying): counted apart, so that every other wiring can be matched
 * with the entries that hold it.  The last unwiring puts the page on the
 * inactive queue, marked referenced (one use).
 */
void vm_page_wire_kernel(struct vm_page *m);
void vm_page_unwire_kernel(struct vm_page *m);
uint64_t vm_page_count_kernel_wirings(void);
/*
 * The object pages wired now, counted by a walk of the page array (for
 * the consistency check: it must equal vm_page_count_wired() whenever
 * nothing is being wired or unwired).
 */
uint64_t vm_page_scan_wired(void);
/* The wirings of all object pages, summed by the same walk. */
uint64_t vm_page_scan_wirings(void);

/* Allocations that found no page (the page daemon's sign that someone is short). */
extern uint64_t vm_page_alloc_failures;

uint64_t vm_page_count_total(void);	/* pages under management */
/*
 * Entry i of the page array, i < vm_page_array_entries(), for scans of
 * every page.  Where the array spans holes in RAM (vm_page.c), their
 * entries are no pages: no object, no wirings, never on a queue.
 */
struct vm_page *vm_page_by_index(uint64_t i);
uint64_t vm_page_array_entries(void);
uint64_t vm_page_count_free(void);

#endif
