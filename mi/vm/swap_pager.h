/*
 * The swap pager (after FreeBSD's swap_pager.c): anonymous memory's
 * backing store, on the swap devices (swap_device.h).
 *
 * Objects.  An anonymous object (OBJT_ANON) has no pager: its missing
 * pages are zero-filled.  The first time one of its pages is written to
 * swap it becomes OBJT_SWAP, with this pager, for good, as FreeBSD's
 * default objects became swap objects.  Its swap metadata (vm_object's
 * swap, swap_meta.h) records which page indices have a copy in swap and
 * in which slot.  A page may be resident and have a copy at once (read
 * back from swap, not written since): the copy is then as good as the
 * page, and the page can be dropped without a write.
 *
 * Clean and dirty.  An object page is dirty when its contents are newer
 * than its copy (vm_page_is_dirty: written through a mapping, or marked
 * dirty by the VM); a page with no copy must be written before it is
 * freed, whatever its dirty state.  The moment a page with a copy is
 * written, the copy is stale and freed (swap_pager_page_dirtied, from
 * the write fault): a page that has a copy is never dirty for long.
 *
 * Writing (putpages).  The pages of a range that need a write, not busy
 * and not wired, are gathered in runs of consecutive indices, each run
 * written to a run of consecutive slots in one request (a cluster), as
 * long as the device takes in one request and swap_alloc finds in one
 * piece.  The pages are shared-busy and write-protected while written:
 * they can still be read and mapped read-only, and a write to one waits
 * for its busy state to end.  The object's paging count keeps it alive
 * meanwhile.  The request completes (usually in the disk's interrupt)
 * with swap_write_done: a page written makes it clean; a failed write
 * forgets the slot, keeps the page dirty, and counts the error.
 *
 * Reading (getpages).  A fault reads the page it needs and, in the same
 * request, the neighbours whose copies sit in the neighbouring slots,
 * up to the window the fault asks for (which follows madvise), where no
 * page is resident and free pages can be had without waiting.  Pages
 * read keep their copies.  A failed read is EIO: the fault sends SIGBUS.
 *
 * Freeing.  A copy is freed when its page is written (above), when the
 * memory it backs is discarded (MADV_DONTNEED, MADV_FREE, an unmap of
 * memory no one else sees: swap_pager_freespace), when a collapse finds
 * it shadowed, and when its object dies (dealloc).  A slot is never
 * freed while a read or write of it is in flight: those hold the page
 * busy, and freespace waits for busy pages.
 *
 * swapoff (swap_pager_unuse) walks every object with swap metadata
 * (they are on one list) and brings each page with a copy on the device
 * back into memory, dirty, freeing the copy; a copy that cannot be read
 * becomes SWAP_SLOT_LOST, and touching its page is SIGBUS, as Linux does.
 *
 * Locking: the object's lock guards its metadata; the swap object list
 * has its own spin lock, taken after an object's.  The slot allocator's
 * swap_lock ranks after both.
 */
#ifndef _VM_SWAP_PAGER_H_
#define _VM_SWAP_PAGER_H_

#include <kern/types.h>
#include <vm/vm_object.h>

struct vm_page;

extern const struct vm_pager_ops swap_pager_ops;

/* Read-around windows (pages before, after the faulting one), by madvise advice. */
#define SWAP_READ_BEHIND_NORMAL		7
#define SWAP_READ_AHEAD_NORMAL		8
#define SWAP_READ_AHEAD_SEQUENTIAL	63
#define SWAP_READ_WINDOW_MAX		(SWAP_READ_BEHIND_NORMAL + 1 + SWAP_READ_AHEAD_NORMAL)

/*
 * The read-around of an MADV_NORMAL fault follows its use, as Linux's
 * swap readahead does (swapin_nr_pages): a page read in around a fault
 * and later faulted on itself is a hit (VPO_READAHEAD, which the fault
 * that finds it gives to swap_pager_read_hit; object locked).  The next
 * window (swap_pager_read_window) is the hits since the last one plus
 * two, rounded up to a power of two, at most SWAP_READ_WINDOW_MAX pages;
 * with no hit, one page -- no read-around -- unless the fault is next to
 * the last fault or hit, in which case two; and never less than half the
 * last window, so a few misses do not end a run.  A fault next to the
 * last one reads only in the direction of the walk.  Random faults under
 * pressure, whose neighbours would be evicted unused, so read one page
 * each; a sequential walk soon reads the whole window.
 */
void swap_pager_read_window(struct vm_object *obj, vm_pindex_t idx, int *behind, int *ahead);
void swap_pager_read_hit(struct vm_page *m);

void swap_pager_init(void);

/*
 * Does obj have a copy in swap of the page at pindex?  obj locked.  On
 * every fault: an object with no copies at all answers in one load.
 */
bool swap_pager_lookup_copy(struct vm_object *obj, vm_pindex_t pindex);

static inline bool
swap_pager_has_copy(struct vm_object *obj, vm_pindex_t pindex)
{
	return !swap_meta_empty(&obj->swap) && swap_pager_lookup_copy(obj, pindex);
}

/*
 * m (obj locked) is being written: its copy, if it has one, is stale.
 * Mark it dirty and free the copy.
 */
void swap_pager_page_dirtied(struct vm_page *m);

/*
 * Forget and free obj's copies in [start, end).  A copy whose page is
 * busy (in flight) is waited for first.
 * => obj locked, the only spin lock held; it may be unlocked meanwhile
 */
void swap_pager_freespace(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end);

/*
 * For collapse: take the copy at pindex out of obj's metadata without
 * freeing it (the slot, or SWAP_SLOT_NONE), and record slot as obj's
 * copy at pindex (0, or ENOMEM with nothing changed); obj locked.
 */
uint64_t swap_pager_take(struct vm_object *obj, vm_pindex_t pindex);
int swap_pager_give(struct vm_object *obj, vm_pindex_t pindex, uint64_t slot);
/*
 * For collapse: every copy of src becomes dst's (which has none); and
 * the copies of [start, end) are freed, as swap_pager_freespace but for
 * a caller that knows no page there is busy (no paging in progress).
 * The objects locked.
 */
void swap_pager_move_all(struct vm_object *src, struct vm_object *dst);
void swap_pager_discard(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end);
/* The first copy in obj at or after pindex (its index in *found), or SWAP_SLOT_NONE. */
uint64_t swap_pager_next(struct vm_object *obj, vm_pindex_t pindex, vm_pindex_t *found);

/*
 * swapoff: bring every page with a copy on device dev back into memory.
 * 0, or ENOMEM when memory ran out (what came back stays in).
 * => no lock held
 */
int swap_pager_unuse(int dev);

/*
 * Check every object with swap metadata: its blocks sound, its slots in
 * use on their devices; *held gets the slots all of them hold (equal to
 * the devices' slots in use when no write is starting meanwhile).  Each
 * problem goes to report (one line, no newline), or to the console when
 * report is NULL; returns how many.  For /proc/vmcheck.
 * => no lock held
 */
int swap_pager_check(void (*report)(void *arg, const char *msg), void *arg, uint64_t *held);

#endif
