/*
 * The swap pager (see swap_pager.h): reading and writing anonymous pages
 * and ramfs file pages on the swap devices, the metadata that says where
 * they are, and swapoff's bringing them back.
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <kern/sleepqueue.h>
#include <vm/pmap.h>
#include <vm/swap_device.h>
#include <vm/swap_meta.h>
#include <vm/swap_pager.h>
#include <vm/vm_laundry.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pager.h>
#include <vm/vm_wait.h>
#include <vm/vm_workingset.h>

MALLOC_DEFINE(M_SWAPIO, "swapio", "swap pager writes in flight");

#define UNUSE_WAITS_MAX		8	/* vm_waits swapoff spends on one page before ENOMEM */
#define CHECK_MSG_MAX		160
#define COUNT_OUT_BATCH		256	/* copies counted per hold of the object lock */

/* Every object with swap metadata, for swapoff and the check. */
static struct spinlock swap_objects_lock = SPINLOCK_INITIALIZER("swap objects");
static struct list_node swap_objects = LIST_HEAD_INIT(swap_objects);	/* (L) */

/*
 * Asynchronous writes in flight (the laundry's) are bounded, as FreeBSD
 * bounds its swap buffers for them: each holds a request's memory, taken
 * from the last free pages when memory is short, and a laundry that sent
 * its whole queue at once to a slow disk would spend them all on
 * requests that finish late.  The count is guarded by its own sleep
 * queue chain.
 */
#define ASYNC_WRITES_MAX	16
static uint32_t async_writes;

/* Take a place among the asynchronous writes in flight, sleeping until there is one. */
static void
async_write_begin(void)
{
	sleepq_lock(&async_writes);
	while (async_writes >= ASYNC_WRITES_MAX) {
		SWAP_STAT_ADD(write_throttled, 1);
		(void)sleepq_wait(&async_writes, SLEEPQ_EXCLUSIVE, 0, 0);
		sleepq_lock(&async_writes);
	}
	async_writes++;
	sleepq_release(&async_writes);
}

/* Give the place back (the write completed, or was not sent). */
static void
async_write_end(void)
{
	sleepq_lock(&async_writes);
	async_writes--;
	(void)sleepq_signal(&async_writes, SLEEPQ_EXCLUSIVE);
	sleepq_release(&async_writes);
}

/* The writes a synchronous putpages waits for; the count is guarded by its own sleep queue chain. */
struct swap_wait {
	uint32_t	pending;
};

/* One write: npages pages of obj at consecutive indices, to consecutive slots from slot. */
struct swap_io {
	struct bio	bio;
	struct vm_object *obj;		/* its paging count held until done */
	uint64_t	slot;
	uint32_t	npages;
	struct swap_wait *wait;		/* NULL: nobody waits */
	struct vm_page	*pages[BIO_MAX_PAGES];
};

void
swap_pager_init(void)
{
	swap_meta_zinit();
}

/*
 * Metadata.  Every change goes through here, so an object is on the
 * list from its first copy on, and becomes a swap object then.
 */

/*
 * obj (locked) has its first copy: anonymous memory becomes swap-backed
 * (a ramfs file's object keeps its type and pager, the vnode pager's).
 */
static void
adopt(struct vm_object *obj)
{
	KASSERT(spin_owned(&obj->lock), ("swap: adopting unlocked object %p", obj));
	if (obj->swap_link.next != NULL)
		return;
	if (obj->type == OBJT_ANON)
		vm_object_set_swap(obj, &swap_pager_ops);
	spin_lock(&swap_objects_lock);
	list_append(&swap_objects, &obj->swap_link);
	spin_unlock(&swap_objects_lock);
}

static struct vm_page *busy_page_in(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end);

/* Record slot as obj's copy at pindex; a copy it replaces is freed.  0 or ENOMEM. */
static int
meta_set(struct vm_object *obj, vm_pindex_t pindex, uint64_t slot)
{
	uint64_t old;
	int error;

	if ((error = swap_meta_set(&obj->swap, pindex, slot, &old)) != 0)
		return error;
	adopt(obj);
	if (old != SWAP_SLOT_NONE)
		swap_free(old, 1);
	return 0;
}

bool
swap_pager_lookup_copy(struct vm_object *obj, vm_pindex_t pindex)
{
	KASSERT(spin_owned(&obj->lock), ("swap_pager_has_copy: object %p not locked", obj));
	return swap_meta_lookup(&obj->swap, pindex) != SWAP_SLOT_NONE;
}

void
swap_pager_page_dirtied(struct vm_page *m)
{
	struct vm_object *obj = m->object;
	uint64_t slot;

	KASSERT(obj != NULL && spin_owned(&obj->lock), ("swap_pager_page_dirtied: page %lx "
	    "not in a locked object", m->phys_addr));
	vm_page_set_dirty(m);
	if (swap_meta_empty(&obj->swap))
		return;
	if ((slot = swap_meta_remove(&obj->swap, m->pindex)) != SWAP_SLOT_NONE)
		swap_free(slot, 1);
}

uint64_t
swap_pager_take(struct vm_object *obj, vm_pindex_t pindex)
{
	KASSERT(spin_owned(&obj->lock), ("swap_pager_take: object %p not locked", obj));
	return swap_meta_remove(&obj->swap, pindex);
}

int
swap_pager_give(struct vm_object *obj, vm_pindex_t pindex, uint64_t slot)
{
	KASSERT(spin_owned(&obj->lock) && swap_meta_lookup(&obj->swap, pindex) == SWAP_SLOT_NONE,
	    ("swap_pager_give: object %p unlocked, or index %lu taken", obj, pindex));
	return meta_set(obj, pindex, slot);
}

void
swap_pager_move_all(struct vm_object *src, struct vm_object *dst)
{
	KASSERT(spin_owned(&src->lock) && spin_owned(&dst->lock) && swap_meta_empty(&dst->swap),
	    ("swap_pager_move_all: %p to %p", src, dst));
	if (swap_meta_empty(&src->swap))
		return;
	dst->swap = src->swap;
	swap_meta_init(&src->swap);
	adopt(dst);
}

void
swap_pager_discard(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end)
{
	KASSERT(spin_owned(&obj->lock) && busy_page_in(obj, start, end) == NULL,
	    ("swap_pager_discard: object %p unlocked or paging", obj));
	if (!swap_meta_empty(&obj->swap))
		swap_meta_remove_range(&obj->swap, start, end, swap_free_run, NULL);
}

uint64_t
swap_pager_next(struct vm_object *obj, vm_pindex_t pindex, vm_pindex_t *found)
{
	KASSERT(spin_owned(&obj->lock), ("swap_pager_next: object %p not locked", obj));
	return swap_meta_empty(&obj->swap) ? SWAP_SLOT_NONE :
	    swap_meta_next(&obj->swap, pindex, found);
}

/* The first busy page of obj in [start, end), or NULL. */
static struct vm_page *
busy_page_in(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end)
{
	struct vm_page *m;
	uint64_t idx = start;

	while (idx < end && (m = vm_radix_lookup_ge(&obj->pages, idx, &idx)) != NULL &&
	    idx < end) {
		if (vm_page_busied(m))
			return m;
		if (idx == UINT64_MAX)
			break;
		idx++;
	}
	return NULL;
}

/*
 * The copies of [start, end) are about to go; the pages still resident
 * there (a wired page that a discard left) then hold the only copy of
 * their contents: they are dirty.
 */
static void
dirty_resident(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end)
{
	struct vm_page *m;
	uint64_t idx = start;

	while (idx < end && (m = vm_radix_lookup_ge(&obj->pages, idx, &idx)) != NULL &&
	    idx < end) {
		if (swap_meta_lookup(&obj->swap, idx) != SWAP_SLOT_NONE)
			vm_page_set_dirty(m);
		if (idx == UINT64_MAX)
			break;
		idx++;
	}
}

void
swap_pager_freespace(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end)
{
	struct vm_page *m;

	KASSERT(spin_owned(&obj->lock), ("swap_pager_freespace: object %p not locked", obj));
	if (swap_meta_empty(&obj->swap))
		return;
	/* A busy page may be reading or writing its slot: the slot must outlive the I/O. */
	while ((m = busy_page_in(obj, start, end)) != NULL) {
		if (vm_page_busy_sleep(m, &obj->lock, false))
			spin_lock(&obj->lock);
	}
	dirty_resident(obj, start, end);
	swap_meta_remove_range(&obj->swap, start, end, swap_free_run, NULL);
}

/*
 * Reading.
 */

/* Read npages consecutive slots from slot into pages[] (busy, their object's paging count held). */
static int
read_slots(struct vm_page **pages, uint32_t npages, uint64_t slot)
{
	struct bio bio = { .bio_pages = pages };
	int error;

	swap_io_start(&bio, BIO_READ, slot, npages);
	error = bio_wait(&bio);
	SWAP_STAT_ADD(read_requests, 1);
	swap_stat_max(&swap_stats.read_cluster_max, npages);
	if (error == 0)
		SWAP_STAT_ADD(pswpin, npages);
	else
		SWAP_STAT_ADD(read_errors, npages);
	return error;
}

/* A new busy page at idx of obj (locked) to read into, if idx is free and a page can be had. */
static struct vm_page *
neighbour_page(struct vm_object *obj, vm_pindex_t idx)
{
	if (idx >= obj->size || vm_page_lookup(obj, idx) != NULL)
		return NULL;
	return vm_page_alloc(obj, idx, VM_ALLOC_NORMAL);
}

/*
 * The pages one read brings in with the page at pindex (obj locked; its
 * copy in slot): new busy pages for the neighbours within behind/ahead
 * whose copies are in the neighbouring slots, up to the first resident
 * one or the first page that cannot be had.  pages[] gets them in index
 * order, with center (already busy, or NULL to allocate here) at
 * *at; returns how many, 0 when center could not be had.
 */
static uint32_t
gather_reads(struct vm_object *obj, vm_pindex_t pindex, uint64_t slot, struct vm_page *center,
    uint32_t behind, uint32_t ahead, struct vm_page **pages, uint32_t *at)
{
	uint32_t max = swap_io_max_pages(slot), nb = 0, na = 0;
	uint64_t before, after;
	struct vm_page *m;

	behind = MIN(behind, max - 1);
	ahead = MIN(ahead, max - 1 - behind);
	swap_meta_run(&obj->swap, pindex, behind, ahead, &before, &after);
	if (center == NULL && (center = neighbour_page(obj, pindex)) == NULL)
		return 0;
	/* Behind first, into the top of the array, then moved down. */
	while (nb < before && (m = neighbour_page(obj, pindex - nb - 1)) != NULL)
		pages[max - 1 - nb++] = m;
	for (uint32_t i = 0; i < nb; i++)
		pages[i] = pages[max - nb + i];
	pages[nb] = center;
	while (na < after && (m = neighbour_page(obj, pindex + na + 1)) != NULL)
		pages[nb + 1 + na++] = m;
	*at = nb;
	return nb + 1 + na;
}

/*
 * After a read of pages[0, n) (obj locked again): the neighbours of
 * pages[keep] are unbusied, clean, with their copies kept, or freed if
 * the read failed; pages[keep] itself is left to the caller.  A
 * neighbour evicted not long ago goes to active as the faulting page
 * does (vm_workingset.h): most of a working set comes back by read-around.
 */
static void
finish_reads(struct vm_page **pages, uint32_t n, uint32_t keep, int error)
{
	for (uint32_t i = 0; i < n; i++) {
		if (i == keep)
			continue;
		if (error == 0) {
			(void)vm_workingset_refault(pages[i]);
			pages[i]->oflags |= VPO_READAHEAD;
		}
		vm_page_xunbusy(pages[i]);
		if (error != 0)
			vm_page_free(pages[i]);
	}
}

/*
 * Read-around that follows its use (swap_pager.h).  A heuristic shared
 * by every fault: the fields are read and written without a lock, and a
 * race only makes one window a little off.
 */
static uint32_t ra_hits;			/* (A) hits since the last window */
static uint32_t ra_window = SWAP_READ_WINDOW_MAX;	/* (A) the last window, in pages */
static struct vm_object *ra_last_obj;		/* (A) the last fault or hit ... */
static vm_pindex_t ra_last_idx;			/* (A) ... and its index */

static void
ra_note(struct vm_object *obj, vm_pindex_t idx)
{
	__atomic_store_n(&ra_last_obj, obj, __ATOMIC_RELAXED);
	__atomic_store_n(&ra_last_idx, idx, __ATOMIC_RELAXED);
}

void
swap_pager_read_hit(struct vm_page *m)
{
	KASSERT(spin_owned(&m->object->lock), ("swap_pager_read_hit: object not locked"));
	m->oflags &= ~VPO_READAHEAD;
	__atomic_add_fetch(&ra_hits, 1, __ATOMIC_RELAXED);
	SWAP_STAT_ADD(ra_hit, 1);
	ra_note(m->object, m->pindex);
}

static uint32_t
round_up_pow2(uint32_t n)
{
	uint32_t p = 1;

	while (p < n)
		p <<= 1;
	return p;
}

void
swap_pager_read_window(struct vm_object *obj, vm_pindex_t idx, int *behind, int *ahead)
{
	uint32_t hits = __atomic_exchange_n(&ra_hits, 0, __ATOMIC_RELAXED), pages;
	bool same = __atomic_load_n(&ra_last_obj, __ATOMIC_RELAXED) == obj;
	vm_pindex_t last = __atomic_load_n(&ra_last_idx, __ATOMIC_RELAXED);
	bool forward = same && idx == last + 1, backward = same && idx + 1 == last;

	if (hits == 0)
		pages = forward || backward ? 2 : 1;
	else
		pages = round_up_pow2(hits + 2);
	pages = MIN(pages, SWAP_READ_WINDOW_MAX);
	pages = MAX(pages, __atomic_load_n(&ra_window, __ATOMIC_RELAXED) / 2);
	__atomic_store_n(&ra_window, pages, __ATOMIC_RELAXED);
	ra_note(obj, idx);
	if (forward) {
		*behind = 0;
	} else if (backward) {
		*behind = (int)MIN(idx, (vm_pindex_t)pages - 1);
	} else {
		*behind = (int)MIN(idx, (vm_pindex_t)(pages - 1) / 2);
	}
	*ahead = backward ? 0 : (int)pages - 1 - *behind;
}

int
swap_pager_read(struct vm_object *obj, struct vm_page *m, int behind, int ahead)
{
	struct vm_page *pages[BIO_MAX_PAGES];
	uint32_t n, at;
	uint64_t slot;
	int error;

	spin_lock(&obj->lock);
	KASSERT(m->object == obj && vm_page_xbusied(m), ("swap_pager_read: page %lx",
	    m->phys_addr));
	slot = swap_meta_lookup(&obj->swap, m->pindex);
	if (slot == SWAP_SLOT_NONE || slot == SWAP_SLOT_LOST) {
		/* No copy: it was discarded meanwhile (zeros, as discarded memory reads), or lost. */
		spin_unlock(&obj->lock);
		if (slot == SWAP_SLOT_LOST)
			return EIO;
		pmap_zero_page(m);
		return 0;
	}
	n = gather_reads(obj, m->pindex, slot, m, (uint32_t)behind, (uint32_t)ahead, pages, &at);
	spin_unlock(&obj->lock);
	error = read_slots(pages, n, slot - at);
	spin_lock(&obj->lock);
	finish_reads(pages, n, at, error);
	spin_unlock(&obj->lock);
	if (error == 0)
		SWAP_STAT_ADD(ra, n - 1);
	return error;
}

static int
swap_pager_getpages(struct vm_object *obj, struct vm_page *m, int behind, int ahead,
    int advice __unused)
{
	return swap_pager_read(obj, m, behind, ahead);
}

bool
swap_pager_haspage(struct vm_object *obj, vm_pindex_t pindex, int *before, int *after)
{
	uint64_t b, a;

	if (!swap_pager_has_copy(obj, pindex))
		return false;
	if (before != NULL || after != NULL) {
		swap_meta_run(&obj->swap, pindex, BIO_MAX_PAGES - 1, BIO_MAX_PAGES - 1, &b, &a);
		if (before != NULL)
			*before = (int)b;
		if (after != NULL)
			*after = (int)a;
	}
	return true;
}

/*
 * Writing.
 */

/*
 * Must m (resident in its locked object) be written, and may it be now?
 * A clean anonymous page with no copy must, as it may hide a backing
 * object's page; a clean ramfs page with no copy holds zeros, which a
 * hole gives back.
 */
static bool
wants_write(struct vm_page *m)
{
	if (vm_page_busied(m) || m->wire_count > 0)
		return false;
	return vm_page_is_dirty(m) || (vm_object_is_anon(m->object) &&
	    !swap_pager_has_copy(m->object, m->pindex));
}

/* A write completed (in any context, usually the disk's interrupt). */
static void
swap_write_done(struct bio *bp)
{
	struct swap_io *io = bp->bio_caller;
	struct vm_object *obj = io->obj;
	struct swap_wait *wait = io->wait;
	int error = bp->bio_error;

	spin_lock(&obj->lock);
	for (uint32_t i = 0; i < io->npages; i++) {
		struct vm_page *m = io->pages[i];

		if (error != 0) {
			/* The copy is not good: forget it (if still ours); the page is dirty again. */
			if (swap_meta_lookup(&obj->swap, m->pindex) == io->slot + i) {
				swap_meta_remove(&obj->swap, m->pindex);
				swap_free(io->slot + i, 1);
			}
			vm_page_set_dirty(m);
		}
		vm_page_sunbusy(m);
		if (error == 0)
			vm_laundry_written(m);
	}
	vm_object_pip_wakeup(obj);
	spin_unlock(&obj->lock);
	SWAP_STAT_ADD(write_requests, 1);
	swap_stat_max(&swap_stats.write_cluster_max, io->npages);
	if (error == 0)
		SWAP_STAT_ADD(pswpout, io->npages);
	else
		SWAP_STAT_ADD(write_errors, io->npages);
	if (wait != NULL) {
		sleepq_lock(&wait->pending);
		if (--wait->pending == 0)
			(void)sleepq_broadcast(&wait->pending, SLEEPQ_EXCLUSIVE);
		sleepq_release(&wait->pending);
	} else {
		async_write_end();
	}
	free(io, M_SWAPIO);
}

/*
 * Gather the next run of pages to write in [*idx, end) of obj (locked)
 * into io: consecutive indices, each wanting a write, at most
 * BIO_MAX_PAGES; each is shared-busied, write-protected and made clean.
 * *idx moves past what was looked at.  Returns the run's length (0: none
 * left, or obj is dying).
 */
static uint32_t
gather_writes(struct vm_object *obj, vm_pindex_t *idx, vm_pindex_t end, struct swap_io *io)
{
	struct vm_page *m;
	uint32_t n = 0;

	/*
	 * Its last reference went while an earlier run was written (the
	 * caller's paging count keeps it, not its pages' worth): no one will
	 * read them again, and a dying object takes no new paging count.
	 */
	if (obj->flags & OBJ_DEAD)
		return 0;
	while (*idx < end && (m = vm_radix_lookup_ge(&obj->pages, *idx, idx)) != NULL &&
	    *idx < end) {
		if (n > 0 && m->pindex != io->pages[n - 1]->pindex + 1)
			break;			/* a gap ends the run */
		(*idx)++;
		if (!wants_write(m)) {
			if (n > 0)
				break;
			continue;
		}
		if (!vm_page_trysbusy(m))
			continue;
		io->pages[n++] = m;
		if (n == BIO_MAX_PAGES)
			break;
	}
	/*
	 * What is written is what the pages hold now: no one can write them
	 * until the busy state ends, so they are clean from here on (a failed
	 * write makes one dirty again).  Write-protected all at once: one TLB
	 * shootdown for the run, not one per page.  The completion runs in an
	 * interrupt handler, where the pmap is better left alone.
	 */
	pmap_remove_write_pages(io->pages, (int)n);
	for (uint32_t i = 0; i < n; i++)
		vm_page_undirty(io->pages[i]);
	return n;
}

/* Give up writing pages[from, n) of io: dirty again (gathering cleaned them), unbusied. */
static void
drop_tail(struct swap_io *io, uint32_t from, uint32_t n)
{
	for (uint32_t i = from; i < n; i++) {
		vm_page_set_dirty(io->pages[i]);
		vm_page_sunbusy(io->pages[i]);
	}
}

/*
 * Give io's n gathered pages slots and record them in obj (locked);
 * pages that get none are unbusied.  The number that got one (0: swap
 * is full, or no memory for the metadata).
 */
static uint32_t
assign_slots(struct vm_object *obj, struct swap_io *io, uint32_t n)
{
	uint64_t count = n, slot = swap_alloc(&count);
	uint32_t i;

	if (slot == SWAP_SLOT_NONE) {
		drop_tail(io, 0, n);
		return 0;
	}
	for (i = 0; i < count; i++)
		if (meta_set(obj, io->pages[i]->pindex, slot + i) != 0)
			break;
	if (i < count)
		swap_free(slot + i, count - i);
	drop_tail(io, i, n);
	io->slot = slot;
	io->npages = i;
	return i;
}

/* Free the pages of [start, end) that are clean, have copies and are used by no one. */
static void
free_written(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end)
{
	struct vm_page *m;
	uint64_t idx = start;

	spin_lock(&obj->lock);
	while (idx < end && (m = vm_radix_lookup_ge(&obj->pages, idx, &idx)) != NULL &&
	    idx < end) {
		idx++;
		if (vm_page_busied(m) || m->wire_count > 0 || vm_page_is_dirty(m) ||
		    !swap_pager_has_copy(obj, m->pindex) || pmap_page_is_mapped(m))
			continue;
		pmap_remove_all(m);	/* waits for a remover's TLB flush (see vm_object.c) */
		vm_page_free(m);
	}
	spin_unlock(&obj->lock);
}

int
swap_pager_write(struct vm_object *obj, vm_pindex_t start, vm_pindex_t end, int flags)
{
	bool sync = (flags & VM_PAGER_PUT_SYNC) != 0;
	struct swap_wait wait = { 0 };
	vm_pindex_t idx = start;
	int error = 0;

	for (;;) {
		struct swap_io *io;
		uint32_t n;

		if ((io = malloc(sizeof(*io), M_SWAPIO, M_NOWAIT)) == NULL) {
			error = ENOMEM;
			break;
		}
		if (!sync)
			async_write_begin();
		spin_lock(&obj->lock);
		if ((n = gather_writes(obj, &idx, end, io)) == 0 ||
		    assign_slots(obj, io, n) == 0) {
			spin_unlock(&obj->lock);
			if (!sync)
				async_write_end();
			free(io, M_SWAPIO);
			error = n == 0 ? 0 : ENOMEM;	/* swap full, or no memory for the metadata */
			break;
		}
		idx = io->pages[io->npages - 1]->pindex + 1;
		io->obj = obj;
		io->wait = sync ? &wait : NULL;
		io->bio = (struct bio){ .bio_pages = io->pages, .bio_done = swap_write_done,
		    .bio_caller = io };
		vm_object_pip_add(obj);
		if (sync)
			__atomic_add_fetch(&wait.pending, 1, __ATOMIC_RELAXED);
		spin_unlock(&obj->lock);
		swap_io_start(&io->bio, BIO_WRITE, io->slot, io->npages);	/* the completion frees io */
	}
	if (sync) {
		sleepq_lock(&wait.pending);
		while (__atomic_load_n(&wait.pending, __ATOMIC_RELAXED) != 0) {
			(void)sleepq_wait(&wait.pending, SLEEPQ_EXCLUSIVE, 0, 0);
			sleepq_lock(&wait.pending);
		}
		sleepq_release(&wait.pending);
		if (flags & VM_PAGER_PUT_FREE)
			free_written(obj, start, end);
	}
	return error;
}

void
swap_pager_release(struct vm_object *obj)
{
	swap_meta_remove_range(&obj->swap, 0, UINT64_MAX, swap_free_run, NULL);
	if (obj->swap_link.next != NULL) {
		spin_lock(&swap_objects_lock);
		list_remove(&obj->swap_link);
		spin_unlock(&swap_objects_lock);
	}
}

uint64_t
swap_pager_count_out(struct vm_object *obj)
{
	vm_pindex_t idx = 0;
	uint64_t n = 0;
	uint32_t batch = 0;

	spin_lock(&obj->lock);
	while (swap_pager_next(obj, idx, &idx) != SWAP_SLOT_NONE) {
		if (vm_page_lookup(obj, idx) == NULL)
			n++;
		if (idx == UINT64_MAX)
			break;
		idx++;
		if (++batch == COUNT_OUT_BATCH) {
			/* Let the faults and the daemon in: the walk may be long. */
			spin_unlock(&obj->lock);
			spin_lock(&obj->lock);
			batch = 0;
		}
	}
	spin_unlock(&obj->lock);
	return n;
}

uint64_t
swap_pager_file_pages(void)
{
	struct list_node *node;
	uint64_t n = 0;

	spin_lock(&swap_objects_lock);
	list_foreach(node, &swap_objects) {
		struct vm_object *obj = list_entry(node, struct vm_object, swap_link);

		/* A live object's type is constant but for anonymous memory's; the count a glance. */
		if (!vm_object_is_anon(obj))
			n += __atomic_load_n(&obj->swap.sm_count, __ATOMIC_RELAXED);
	}
	spin_unlock(&swap_objects_lock);
	return n;
}

const struct vm_pager_ops swap_pager_ops = {
	.name = "swap",
	.getpages = swap_pager_getpages,
	.haspage = swap_pager_haspage,
	.putpages = swap_pager_write,
	.dealloc = swap_pager_release,
};

/*
 * swapoff.
 */

/* Take a reference to obj unless it is already dying (no references left). */
static bool
try_reference(struct vm_object *obj)
{
	uint32_t refs = __atomic_load_n(&obj->ref_count, __ATOMIC_ACQUIRE);

	while (refs != 0)
		if (__atomic_compare_exchange_n(&obj->ref_count, &refs, refs + 1, false,
		    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

/*
 * The listed object after prev (referenced by the caller, or NULL for the
 * first), referenced; NULL at the end.  prev stays on the list while it
 * is referenced (objects leave it only when they die).
 */
static struct vm_object *
next_listed(struct vm_object *prev)
{
	struct list_node *n;
	struct vm_object *obj = NULL;

	spin_lock(&swap_objects_lock);
	for (n = prev != NULL ? prev->swap_link.next : swap_objects.next; n != &swap_objects;
	    n = n->next) {
		if (try_reference(list_entry(n, struct vm_object, swap_link))) {
			obj = list_entry(n, struct vm_object, swap_link);
			break;
		}
	}
	spin_unlock(&swap_objects_lock);
	return obj;
}

/* obj's first copy at or after *idx on dev (*idx moves to it), or SWAP_SLOT_NONE. */
static uint64_t
next_on_device(struct vm_object *obj, vm_pindex_t *idx, int dev)
{
	uint64_t slot;

	while ((slot = swap_pager_next(obj, *idx, idx)) != SWAP_SLOT_NONE) {
		if (slot != SWAP_SLOT_LOST && swap_slot_device(slot) == dev)
			return slot;
		if (*idx == UINT64_MAX)
			break;
		(*idx)++;
	}
	return SWAP_SLOT_NONE;
}

/*
 * Bring back the run of copies from idx (obj locked, its copy in slot,
 * not resident): read, dirty, copies freed; a copy that cannot be read
 * is marked lost.  ENOMEM when no page can be had even after waiting.
 * Returns with obj locked; *idx moves past the run.
 */
static int
unuse_run(struct vm_object *obj, vm_pindex_t *idx, uint64_t slot, int *waits)
{
	struct vm_page *pages[BIO_MAX_PAGES];
	uint32_t n, at;
	int error;

	if ((n = gather_reads(obj, *idx, slot, NULL, 0, BIO_MAX_PAGES - 1, pages, &at)) == 0) {
		int error;

		if (++*waits > UNUSE_WAITS_MAX)
			return ENOMEM;
		spin_unlock(&obj->lock);
		error = vm_wait(0, VM_ALLOC_NORMAL, VM_WAIT_FAILOK);
		spin_lock(&obj->lock);
		return error;		/* 0: look again, things may have moved */
	}
	vm_object_pip_add(obj);
	spin_unlock(&obj->lock);
	error = read_slots(pages, n, slot);
	spin_lock(&obj->lock);
	for (uint32_t i = 0; i < n; i++) {
		struct vm_page *m = pages[i];

		if (error == 0) {
			swap_pager_page_dirtied(m);	/* its contents live in memory only now */
			vm_page_xunbusy(m);
			continue;
		}
		/* Lost: a later touch is SIGBUS.  The slot goes back to the device (meta_set). */
		if (meta_set(obj, m->pindex, SWAP_SLOT_LOST) != 0)
			panic("swapoff: no memory to mark a lost page");	/* its block exists */
		SWAP_STAT_ADD(lost_pages, 1);
		vm_page_xunbusy(m);
		vm_page_free(m);
	}
	vm_object_pip_wakeup(obj);
	*idx += n;
	*waits = 0;
	return 0;
}

/* Bring everything obj (referenced, unlocked) has on dev back. */
static int
unuse_object(struct vm_object *obj, int dev)
{
	vm_pindex_t idx = 0;
	int error = 0, waits = 0;
	uint64_t slot;

	spin_lock(&obj->lock);
	while (error == 0 && (slot = next_on_device(obj, &idx, dev)) != SWAP_SLOT_NONE) {
		struct vm_page *m = vm_page_lookup(obj, idx);

		if (m == NULL) {
			error = unuse_run(obj, &idx, slot, &waits);
		} else if (vm_page_busy_sleep(m, &obj->lock, false)) {
			spin_lock(&obj->lock);		/* waited: look again */
		} else {
			swap_pager_page_dirtied(m);	/* resident already: just drop the copy */
			idx++;
		}
	}
	spin_unlock(&obj->lock);
	return error;
}

int
swap_pager_unuse(int dev)
{
	struct vm_object *obj, *next;
	int error = 0;

	for (obj = next_listed(NULL); obj != NULL; obj = next) {
		if (error == 0)
			error = unuse_object(obj, dev);
		next = error == 0 ? next_listed(obj) : NULL;
		vm_object_deallocate(obj);
	}
	return error;
}

/*
 * The check.
 */

static void
check_report(void (*report)(void *, const char *), void *arg, const char *fmt, ...)
{
	char msg[CHECK_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (report != NULL)
		report(arg, msg);
	else
		printf("swap check: %s\n", msg);
}

/* Check obj (referenced): its blocks, and each slot in use.  Adds its slots to *held. */
static int
check_object(struct vm_object *obj, void (*report)(void *, const char *), void *arg,
    uint64_t *held)
{
	vm_pindex_t idx = 0;
	uint64_t slot;
	int problems = 0;

	spin_lock(&obj->lock);
	if (swap_meta_check(&obj->swap) != 0) {
		check_report(report, arg, "object %p: swap metadata unsound", obj);
		problems++;
	}
	while ((slot = swap_pager_next(obj, idx, &idx)) != SWAP_SLOT_NONE) {
		if (slot != SWAP_SLOT_LOST)
			(*held)++;
		if (!swap_slot_in_use(slot)) {
			check_report(report, arg, "object %p: index %lu holds slot %lx, which is free",
			    obj, idx, slot);
			problems++;
		}
		if (idx == UINT64_MAX)
			break;
		idx++;
	}
	spin_unlock(&obj->lock);
	return problems;
}

int
swap_pager_check(void (*report)(void *arg, const char *msg), void *arg, uint64_t *held)
{
	struct vm_object *obj, *next;
	int problems = 0;

	*held = 0;
	for (obj = next_listed(NULL); obj != NULL; obj = next) {
		problems += check_object(obj, report, arg, held);
		next = next_listed(obj);
		vm_object_deallocate(obj);
	}
	return problems;
}
