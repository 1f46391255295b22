/*
 * Swap devices: the disks pages are paged out to, their slots, and
 * swapon(2)/swapoff(2) with Linux's behaviour.
 *
 * A device is a disk (/dev/vdX) prepared by Debian's mkswap: its first
 * page is the Linux swap header (swap_header.h), the pages after it are
 * slots, less the bad pages the header lists.  Each device hands out its
 * slots from a blist (blist.h): runs of contiguous slots, next-fit, so a
 * cluster of neighbouring dirty pages goes to neighbouring slots in one
 * request.
 *
 * Slots.  A slot (uint64_t) names one page of swap space: the device's
 * index in the table plus one in the bits above SWAP_SLOT_PAGE_BITS, the
 * page on the device below.  Page 0 of a device is its header and no
 * device has index -1, so 0 is never a slot: SWAP_SLOT_NONE (swap_meta.h).
 * SWAP_SLOT_LOST marks a copy that swapoff could not read back (a disk
 * error): the page's contents are gone, and touching it is SIGBUS, as
 * Linux marks such a page; it occupies no device.
 *
 * Choosing a device.  The device of highest priority that has a run of
 * the length asked for; devices of equal priority take turns, one
 * allocation each (Linux's round robin).  When no device has a run that
 * long, swap_alloc halves the length, down to one slot (FreeBSD's
 * swp_pager_getswapspace), so a fragmented device still takes clusters.
 *
 * Priorities are Linux's: swapon with SWAP_FLAG_PREFER gives one of
 * 0..32767; otherwise devices get -2, -3, ... in the order they are
 * enabled, and swapoff of such a device moves the automatic priorities
 * below it up by one.
 *
 * Lifetime.  swapon adds a device, writable; swapoff first makes it
 * unwritable (no new slots are handed out on it), pages every page with
 * a copy there back into memory (swap_pager_unuse), and removes it only
 * once no slot on it is in use.  A read or write on a device holds a
 * slot there for as long as it is in flight (the pager allocates before
 * writing and frees after reading), so an unused device has no I/O.
 *
 * Locking:
 *   (S) swap_lock, a spin lock: the table, each device's blist, counters
 *       and priority.  Taken with an object lock held (freeing a slot
 *       from the object's metadata), so it ranks after object locks;
 *       never held across I/O or a sleep.
 *   (W) swapon_lock, a sleep mutex: swapon and swapoff run one at a time
 *       under it, across their I/O.  Taken with no spin lock held.
 *   (C) constant while the device is in the table.
 */
#ifndef _VM_SWAP_DEVICE_H_
#define _VM_SWAP_DEVICE_H_

#include <kern/types.h>
#include <kern/bio.h>
#include <vm/swap_meta.h>

#define SWAP_DEVICES_MAX	32		/* Linux's MAX_SWAPFILES */
#define SWAP_SLOT_PAGE_BITS	40		/* up to 4 PiB of 4 KiB pages per device */
#define SWAP_SLOT_LOST		UINT64_MAX	/* the copy could not be read back */
#define SWAP_PRIO_MAX		32767
#define SWAP_PATH_MAX		64

static inline uint64_t
swap_slot(int device, uint64_t page)
{
	return ((uint64_t)(device + 1) << SWAP_SLOT_PAGE_BITS) | page;
}
static inline int swap_slot_device(uint64_t slot) { return (int)(slot >> SWAP_SLOT_PAGE_BITS) - 1; }
static inline uint64_t swap_slot_page(uint64_t slot)
{
	return slot & ((1ULL << SWAP_SLOT_PAGE_BITS) - 1);
}

/* What /proc/swaps and /proc/meminfo show of one device. */
struct swap_device_info {
	char		path[SWAP_PATH_MAX];	/* "/dev/vdb" */
	uint64_t	pages;			/* usable slots (Linux's Size, in pages) */
	uint64_t	used;			/* slots in use */
	int		priority;
	bool		writable;		/* false while swapoff empties it */
};

/* Counters, exported through /proc/vmstat. */
struct swap_stats {
	uint64_t	pswpin;			/* pages read from swap */
	uint64_t	pswpout;		/* pages written to swap */
	uint64_t	read_requests;		/* bios that read pages (pswpin / this: pages per read) */
	uint64_t	write_requests;		/* bios that wrote pages */
	uint64_t	read_cluster_max;	/* the most pages one read carried */
	uint64_t	write_cluster_max;	/* the most pages one write carried */
	uint64_t	read_errors;		/* pages a failed read did not bring in */
	uint64_t	write_errors;		/* pages a failed write left dirty */
	uint64_t	alloc_failures;		/* swap_alloc found no slot at all */
	uint64_t	alloc_short;		/* swap_alloc gave fewer slots than asked */
	uint64_t	lost_pages;		/* copies swapoff could not read (SWAP_SLOT_LOST) */
	uint64_t	write_throttled;	/* waits for an asynchronous write to complete first */
	uint64_t	ra;			/* pages read in around a fault (Linux's swap_ra) */
	uint64_t	ra_hit;			/* ... and faulted on later (swap_ra_hit) */
};
extern struct swap_stats swap_stats;

#define SWAP_STAT_ADD(field, n)	__atomic_add_fetch(&swap_stats.field, (n), __ATOMIC_RELAXED)

/* Raise a *_max counter to n. */
static inline void
swap_stat_max(uint64_t *max, uint64_t n)
{
	uint64_t old = __atomic_load_n(max, __ATOMIC_RELAXED);

	while (n > old && !__atomic_compare_exchange_n(max, &old, n, true, __ATOMIC_RELAXED,
	    __ATOMIC_RELAXED))
		;
}

/* The command line's swap=/dev/vdb[,/dev/vdc...]: enable those, after the file systems. */
void swap_device_boot(void);

/*
 * swapon(path, flags) with Linux's checks and errors: EINVAL (flags
 * outside SWAP_FLAG_*, not a block device, no valid swap header), EPERM
 * (not root; too many devices), EBUSY (already swap), ENOMEM, and the
 * open errors (ENOENT, ENOTDIR, EISDIR, ...).  path is a kernel string;
 * relative paths start at dir (NULL: the root).
 */
struct vnode;
int swap_on(struct vnode *dir, const char *path, int flags);
/* swapoff(path): EINVAL (not swap), ENOMEM (its pages do not fit), EIO. */
int swap_off(struct vnode *dir, const char *path);

/*
 * Allocate *count (>= 1) contiguous slots on one writable device: the
 * first, with *count lowered when only a shorter run was found or the
 * device takes fewer pages in one request; or SWAP_SLOT_NONE when swap
 * is full (or there is none).
 */
uint64_t swap_alloc(uint64_t *count);
/* Free count slots from slot (one device, all in use). */
void swap_free(uint64_t slot, uint64_t count);
/* swap_meta_remove_range's callback: swap_free(slot, count); arg unused. */
void swap_free_run(void *arg, uint64_t slot, uint64_t count);

/*
 * Start bp, a read or write of count pages at slot (one device, in use),
 * on the device's disk; bp's pages, bio_done and bio_caller are set by
 * the caller, the rest here.  A read reads what the slots hold.
 */
void swap_io_start(struct bio *bp, enum bio_cmd cmd, uint64_t slot, uint32_t count);
/* The most pages one request may carry on slot's device. */
uint32_t swap_io_max_pages(uint64_t slot);

/* Totals over the devices (SwapTotal, SwapFree in pages), and one device's info. */
uint64_t swap_total_pages(void);
uint64_t swap_free_pages(void);
/* Fill *info for the i-th device in /proc/swaps order; false past the last. */
bool swap_device_info(int i, struct swap_device_info *info);

/* Is slot a slot in use on some device (for assertions)? */
bool swap_slot_in_use(uint64_t slot);

#endif
