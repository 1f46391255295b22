/*
 * Self-tests of the swap pager (swap_pager.h), on the objects directly:
 * pages written out and read back through the pager's operations, what
 * haspage reports, read-around, a written page's copy freed, copies
 * moving with a collapse (down into a larger backing object, or up into
 * a shadow of part of it) and a bypass, freespace, a
 * failed write keeping its page dirty, and every slot freed at the end;
 * and a ramfs file's pages in swap: written out, read back by read(2),
 * made stale by write(2), freed by a punched hole, a truncation and the
 * file's death, brought back by swapoff's object walk.
 *
 * Needs swap in service (the command line's swap=, scripts/swap-test
 * --selftest swap); otherwise it is skipped.  A second area labelled
 * sable-swap-badw, whose slot 1 QEMU fails to write, is used for the
 * write error if there is one.  And a laundry write for an object whose
 * last reference went while it held the paging count starts no I/O.
 */
#include <kern/systm.h>
#include <kern/disk.h>
#include <kern/malloc.h>
#include <kern/pcpu.h>
#include <kern/selftest.h>
#include <kern/uio.h>
#include <vm/pmap.h>
#include <vm/swap_device.h>
#include <vm/swap_pager.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pager.h>
#include <fs/ramfs.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>
#include <uapi/mman.h>
#include <uapi/stat.h>
#include <uapi/swap.h>

#define NPAGES		64
#define WORDS		(PAGE_SIZE / sizeof(uint64_t))
#define LABEL_OFFSET	1052

static uint64_t
pattern(unsigned gen, vm_pindex_t idx, size_t w)
{
	return ((uint64_t)gen << 56) ^ (idx << 24) ^ (w * 0x9e3779b97f4a7c15ULL);
}

static uint64_t *
page_words(struct vm_page *m)
{
	return (uint64_t *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m));
}

static void
page_fill(struct vm_page *m, unsigned gen)
{
	uint64_t *w = page_words(m);

	for (size_t i = 0; i < WORDS; i++)
		w[i] = pattern(gen, m->pindex, i);
}

/* Does m hold generation gen as written at index written? */
static bool
page_holds_as(struct vm_page *m, unsigned gen, vm_pindex_t written)
{
	uint64_t *w = page_words(m);

	for (size_t i = 0; i < WORDS; i++)
		if (w[i] != pattern(gen, written, i))
			return false;
	return true;
}


/* Give obj (locked) new pages [first, first + n) of generation gen, dirty. */
static bool
add_pages(struct vm_object *obj, vm_pindex_t first, vm_pindex_t n, unsigned gen)
{
	for (vm_pindex_t i = first; i < first + n; i++) {
		struct vm_page *m = vm_page_alloc(obj, i, VM_ALLOC_NORMAL);

		if (m == NULL)
			return false;
		page_fill(m, gen);
		vm_page_set_dirty(m);
		vm_page_xunbusy(m);
	}
	return true;
}

static struct vm_object *
new_object(vm_pindex_t size, vm_pindex_t n, unsigned gen)
{
	struct vm_object *obj = vm_object_allocate_private(size);
	bool ok;

	if (obj == NULL)
		return NULL;
	spin_lock(&obj->lock);
	ok = add_pages(obj, 0, n, gen);
	spin_unlock(&obj->lock);
	if (!ok) {
		vm_object_deallocate(obj);
		return NULL;
	}
	return obj;
}

/*
 * Fault-like page-in of idx (not resident) through the pager, reading
 * behind/ahead around it: 0 or the pager's error.
 */
static int
page_in(struct vm_object *obj, vm_pindex_t idx, int behind, int ahead)
{
	struct vm_page *m;
	int error;

	spin_lock(&obj->lock);
	if ((m = vm_page_alloc(obj, idx, VM_ALLOC_NORMAL)) == NULL) {
		spin_unlock(&obj->lock);
		return ENOMEM;
	}
	vm_object_pip_add(obj);
	spin_unlock(&obj->lock);
	error = obj->pager->getpages(obj, m, behind, ahead, MADV_NORMAL);
	spin_lock(&obj->lock);
	vm_page_xunbusy(m);
	if (error != 0)
		vm_page_free(m);
	vm_object_pip_wakeup(obj);
	spin_unlock(&obj->lock);
	return error;
}

/*
 * Are pages [first, first + n) of obj, paged in where they are not
 * resident, generation gen as written shift pages further on (in the
 * object they were written in)?
 */
static bool
pages_hold_shifted(struct vm_object *obj, vm_pindex_t first, vm_pindex_t n, unsigned gen,
    vm_pindex_t shift)
{
	for (vm_pindex_t i = first; i < first + n; i++) {
		struct vm_page *m;
		bool ok;

		spin_lock(&obj->lock);
		m = vm_page_lookup(obj, i);
		spin_unlock(&obj->lock);
		if (m == NULL && page_in(obj, i, 0, 0) != 0)
			return false;
		spin_lock(&obj->lock);
		ok = (m = vm_page_lookup(obj, i)) != NULL && page_holds_as(m, gen, i + shift);
		spin_unlock(&obj->lock);
		if (!ok)
			return false;
	}
	return true;
}

static bool
pages_hold(struct vm_object *obj, vm_pindex_t first, vm_pindex_t n, unsigned gen)
{
	return pages_hold_shifted(obj, first, n, gen, 0);
}

static uint64_t
swap_used(void)
{
	return swap_total_pages() - swap_free_pages();
}

static uint64_t
copies(struct vm_object *obj, vm_pindex_t first, vm_pindex_t n)
{
	uint64_t count = 0;

	spin_lock(&obj->lock);
	for (vm_pindex_t i = first; i < first + n; i++)
		count += swap_pager_has_copy(obj, i);
	spin_unlock(&obj->lock);
	return count;
}

static uint64_t
resident(struct vm_object *obj)
{
	uint64_t n;

	spin_lock(&obj->lock);
	n = obj->resident_count;
	spin_unlock(&obj->lock);
	return n;
}

/* Out, haspage, in with read-around, a write frees the copy, only dirty pages go out again. */
static void
test_put_get(void)
{
	uint64_t used0 = swap_used();
	struct swap_stats s0 = swap_stats, s1;
	struct vm_object *obj = new_object(NPAGES, NPAGES, 1);
	int before = -1, after = -1;
	struct vm_page *m;
	bool has;

	if (!selftest_ok(obj != NULL, "swap: an object of %d written pages", NPAGES))
		return;
	selftest_ok(vm_pager_put_pages(obj, 0, NPAGES, VM_PAGER_PUT_SYNC | VM_PAGER_PUT_FREE) == 0,
	    "swap: putpages of all of them, synchronously, freeing them");
	s1 = swap_stats;
	selftest_ok(resident(obj) == 0 && swap_used() == used0 + NPAGES &&
	    s1.pswpout - s0.pswpout == NPAGES, "swap: none resident, %d slots used, pswpout +%lu",
	    NPAGES, s1.pswpout - s0.pswpout);
	selftest_ok(s1.write_requests - s0.write_requests <= NPAGES / 32,
	    "swap: written in %lu requests (clusters)", s1.write_requests - s0.write_requests);
	selftest_ok(obj->type == OBJT_SWAP && obj->pager == &swap_pager_ops,
	    "swap: the anonymous object became a swap object");
	spin_lock(&obj->lock);
	has = obj->pager->haspage(obj, 10, &before, &after);
	spin_unlock(&obj->lock);
	selftest_ok(has && before == 10 && after == NPAGES - 11,
	    "swap: haspage(10): yes, %d before and %d after in neighbouring slots", before, after);
	spin_lock(&obj->lock);
	has = obj->pager->haspage(obj, NPAGES, NULL, NULL);
	spin_unlock(&obj->lock);
	selftest_ok(!has, "swap: haspage past the pages written: no");

	s0 = swap_stats;
	selftest_ok(page_in(obj, 20, 3, 4) == 0 && resident(obj) == 8 &&
	    swap_stats.pswpin - s0.pswpin == 8 && swap_stats.read_requests - s0.read_requests == 1,
	    "swap: getpages(20, 3 behind, 4 ahead): pages 17..24 in one request");
	selftest_ok(pages_hold(obj, 17, 8, 1) && copies(obj, 0, NPAGES) == NPAGES,
	    "swap: they hold what was written, and keep their copies");

	spin_lock(&obj->lock);
	m = vm_page_lookup(obj, 20);
	swap_pager_page_dirtied(m);
	spin_unlock(&obj->lock);
	selftest_ok(copies(obj, 20, 1) == 0 && swap_used() == used0 + NPAGES - 1,
	    "swap: a page written frees its copy");
	s0 = swap_stats;
	selftest_ok(vm_pager_put_pages(obj, 0, NPAGES, VM_PAGER_PUT_SYNC) == 0 &&
	    swap_stats.pswpout - s0.pswpout == 1, "swap: putpages again writes only that page");
	selftest_ok(pages_hold(obj, 0, NPAGES, 1), "swap: every page reads back");
	vm_object_deallocate(obj);
	selftest_ok(swap_used() == used0, "swap: the object's death frees its slots");
}

/* A wired page is never paged out; its unwired neighbours are. */
static void
test_wired(void)
{
	uint64_t used0 = swap_used();
	struct vm_object *obj = new_object(8, 8, 8);
	struct vm_page *m;

	if (!selftest_ok(obj != NULL, "wired: an object of 8 pages"))
		return;
	spin_lock(&obj->lock);
	vm_page_wire(m = vm_page_lookup(obj, 3));
	spin_unlock(&obj->lock);
	vm_pager_put_pages(obj, 0, 8, VM_PAGER_PUT_SYNC | VM_PAGER_PUT_FREE);
	selftest_ok(resident(obj) == 1 && copies(obj, 0, 8) == 7 && copies(obj, 3, 1) == 0 &&
	    swap_used() == used0 + 7, "wired: 7 pages went out, the wired one stayed, uncopied");
	spin_lock(&obj->lock);
	vm_page_unwire(m);
	spin_unlock(&obj->lock);
	selftest_ok(pages_hold(obj, 0, 8, 8), "wired: all 8 read back");

	/* A page read back keeps its copy; wired, then its copy discarded, it holds the only one. */
	spin_lock(&obj->lock);
	m = vm_page_lookup(obj, 5);
	vm_page_wire(m);
	swap_pager_freespace(obj, 0, 8);
	selftest_ok(vm_page_lookup(obj, 5) == m && vm_page_is_dirty(m) &&
	    !swap_pager_has_copy(obj, 5), "wired: a resident page whose copy is discarded is dirty");
	vm_page_unwire(m);
	spin_unlock(&obj->lock);
	vm_object_deallocate(obj);
	selftest_ok(swap_used() == used0, "wired: all slots freed");
}

/* freespace frees the copies of a range. */
static void
test_freespace(void)
{
	uint64_t used0 = swap_used();
	struct vm_object *obj = new_object(NPAGES, NPAGES, 2);

	if (!selftest_ok(obj != NULL, "swap: another object"))
		return;
	vm_pager_put_pages(obj, 0, NPAGES, VM_PAGER_PUT_SYNC | VM_PAGER_PUT_FREE);
	spin_lock(&obj->lock);
	swap_pager_freespace(obj, 10, 30);
	spin_unlock(&obj->lock);
	selftest_ok(copies(obj, 0, NPAGES) == NPAGES - 20 && swap_used() == used0 + NPAGES - 20,
	    "swap: freespace(10, 30) freed those 20 copies");
	selftest_ok(pages_hold(obj, 0, 10, 2) && pages_hold(obj, 30, NPAGES - 30, 2),
	    "swap: the others still read back");
	vm_object_deallocate(obj);
	selftest_ok(swap_used() == used0, "swap: all freed");
}

/*
 * A collapse: backing (all in swap, or half) under a shadow that has
 * written some pages (some of those in swap too), then the backing's
 * other reference goes: the shadow takes the backing's copies where it
 * has nothing of its own, and the shadowed copies are freed.
 */
static void
test_collapse(bool backing_resident)
{
	const char *how = backing_resident ? "half-resident backing" : "backing all in swap";
	uint64_t used0 = swap_used(), collapses = vm_object_stats.collapses, offset = 0, used;
	struct vm_object *backing = new_object(NPAGES, NPAGES, 3), *shadow = backing;

	if (!selftest_ok(backing != NULL, "collapse (%s): a backing object", how))
		return;
	vm_pager_put_pages(backing, 0, backing_resident ? NPAGES / 2 : NPAGES,
	    VM_PAGER_PUT_SYNC | VM_PAGER_PUT_FREE);
	vm_object_reference(backing);			/* the other user (a fork's parent) */
	if (vm_object_shadow(&shadow, &offset, ptoa(NPAGES)) != 0) {
		selftest_ok(false, "collapse (%s): a shadow", how);
		vm_object_deallocate(backing);
		vm_object_deallocate(backing);
		return;
	}
	spin_lock(&shadow->lock);
	add_pages(shadow, 36, 8, 4);			/* the shadow's own writes, 36..43 */
	spin_unlock(&shadow->lock);
	vm_pager_put_pages(shadow, 40, 44, VM_PAGER_PUT_SYNC | VM_PAGER_PUT_FREE);
	used = swap_used() - used0;
	selftest_ok(used == (backing_resident ? NPAGES / 2 : NPAGES) + 4,
	    "collapse (%s): %lu copies before", how, used);
	vm_object_deallocate(backing);		/* the shadow is its only user now: collapse */
	selftest_ok(vm_object_stats.collapses == collapses + 1 && shadow->backing_object == NULL,
	    "collapse (%s): the shadow absorbed its backing object", how);
	used = swap_used() - used0;
	selftest_ok(used == (backing_resident ? NPAGES / 2 : NPAGES - 8) + 4,
	    "collapse (%s): the backing's copies moved up, those shadowed freed (%lu left)", how,
	    used);
	selftest_ok(pages_hold(shadow, 0, 36, 3) && pages_hold(shadow, 36, 8, 4) &&
	    pages_hold(shadow, 44, NPAGES - 44, 3), "collapse (%s): every page reads what the "
	    "shadow saw", how);
	vm_object_deallocate(shadow);
	selftest_ok(swap_used() == used0, "collapse (%s): all slots freed", how);
}

/*
 * A shadow of part of its backing object (from page 8, 48 pages): its
 * window is not the backing's, so the collapse moves the backing's pages
 * up, shifted, and frees what lies outside the window as well as what
 * the shadow's own pages and copies cover.
 */
static void
test_collapse_window(void)
{
	uint64_t used0 = swap_used(), offset = ptoa(8), used;
	struct vm_object *backing = new_object(NPAGES, NPAGES, 3), *shadow = backing;

	if (!selftest_ok(backing != NULL, "collapse (window): a backing object"))
		return;
	vm_pager_put_pages(backing, 0, NPAGES, VM_PAGER_PUT_SYNC | VM_PAGER_PUT_FREE);
	vm_object_reference(backing);
	if (vm_object_shadow(&shadow, &offset, ptoa(48)) != 0) {
		selftest_ok(false, "collapse (window): a shadow");
		vm_object_deallocate(backing);
		vm_object_deallocate(backing);
		return;
	}
	spin_lock(&shadow->lock);
	add_pages(shadow, 28, 8, 4);			/* backing indices 36..43 */
	spin_unlock(&shadow->lock);
	vm_pager_put_pages(shadow, 32, 36, VM_PAGER_PUT_SYNC | VM_PAGER_PUT_FREE);
	vm_object_deallocate(backing);
	used = swap_used() - used0;
	selftest_ok(shadow->backing_object == NULL && used == 28 + 12 + 4,
	    "collapse (window): 40 copies moved up into the window, 24 outside it or shadowed "
	    "freed (%lu left)", used);
	selftest_ok(pages_hold_shifted(shadow, 0, 28, 3, 8) && pages_hold(shadow, 28, 8, 4) &&
	    pages_hold_shifted(shadow, 36, 12, 3, 8), "collapse (window): every page reads what "
	    "the shadow saw");
	vm_object_deallocate(shadow);
	selftest_ok(swap_used() == used0, "collapse (window): all slots freed");
}

/* A shadow whose copies cover its backing object bypasses it (another shadow keeps it). */
static void
test_bypass(void)
{
	uint64_t used0 = swap_used(), bypasses = vm_object_stats.bypasses, off1 = 0, off2 = 0;
	struct vm_object *backing = new_object(NPAGES, NPAGES, 5), *s1 = backing, *s2 = backing;

	if (!selftest_ok(backing != NULL, "bypass: a backing object"))
		return;
	vm_pager_put_pages(backing, 0, NPAGES, VM_PAGER_PUT_SYNC | VM_PAGER_PUT_FREE);
	vm_object_reference(backing);
	if (vm_object_shadow(&s1, &off1, ptoa(NPAGES)) != 0 ||
	    vm_object_shadow(&s2, &off2, ptoa(NPAGES)) != 0) {
		selftest_ok(false, "bypass: two shadows");
		return;
	}
	spin_lock(&s1->lock);
	add_pages(s1, 0, NPAGES, 6);
	spin_unlock(&s1->lock);
	vm_pager_put_pages(s1, 0, NPAGES, VM_PAGER_PUT_SYNC | VM_PAGER_PUT_FREE);
	vm_object_collapse(s1);
	selftest_ok(vm_object_stats.bypasses == bypasses + 1 && s1->backing_object == NULL,
	    "bypass: a shadow whose copies cover everything no longer needs its backing object");
	selftest_ok(pages_hold(s1, 0, NPAGES, 6) && pages_hold(s2, 0, NPAGES, 5),
	    "bypass: each shadow still reads its own view");
	vm_object_deallocate(s1);
	vm_object_deallocate(s2);
	selftest_ok(swap_used() == used0, "bypass: all slots freed");
}

/* The disk labelled label (by mkswap -L), or NULL. */
static struct disk *
labelled_disk(const char *label)
{
	struct vm_page *m = vm_page_alloc_pages(0, VM_ALLOC_NORMAL);
	struct disk *found = NULL;

	for (struct disk *dp = disk_next(NULL); m != NULL && dp != NULL && found == NULL;
	    dp = disk_next(dp))
		if (bio_rw(dp, BIO_READ, 0, PAGE_SIZE, &m, 0) == 0 &&
		    strcmp((char *)page_words(m) + LABEL_OFFSET, label) == 0)
			found = dp;
	if (m != NULL)
		vm_page_free_pages(m, 0);
	return found;
}

/* A write that fails keeps the page dirty, its slot freed, the error counted. */
static void
test_write_error(void)
{
	struct disk *dp = labelled_disk("sable-swap-badw");
	uint64_t used0 = swap_used(), errors = swap_stats.write_errors;
	struct vm_object *obj;
	char path[SWAP_PATH_MAX];
	struct vm_page *m;
	bool dirty;

	if (dp == NULL) {
		selftest_skip("swap: no area that fails writes (sable-swap-badw)");
		return;
	}
	snprintf(path, sizeof(path), "/dev/%s", dp->d_name);
	if (!selftest_ok(swap_on(NULL, path, SWAP_FLAG_PREFER | SWAP_PRIO_MAX) == 0,
	    "swap: %s in service at the top priority", path))
		return;
	obj = new_object(1, 1, 7);		/* its one page goes to slot 1, which fails */
	selftest_ok(obj != NULL && vm_pager_put_pages(obj, 0, 1, VM_PAGER_PUT_SYNC |
	    VM_PAGER_PUT_FREE) == 0, "swap: a page written to the failing slot");
	spin_lock(&obj->lock);
	m = vm_page_lookup(obj, 0);
	dirty = m != NULL && vm_page_is_dirty(m) && !swap_pager_has_copy(obj, 0);
	spin_unlock(&obj->lock);
	selftest_ok(dirty && swap_stats.write_errors == errors + 1 && swap_used() == used0,
	    "swap: the failed write kept it resident and dirty, freed the slot, counted the error");
	selftest_ok(pages_hold(obj, 0, 1, 7), "swap: with its data");
	vm_object_deallocate(obj);
	selftest_ok(swap_off(NULL, path) == 0, "swap: %s out of service again", path);
}

static void
drop_object(void *arg, int i)
{
	(void)i;
	vm_object_deallocate(arg);
}

/*
 * The laundry holds an object's paging count while it writes; its last
 * reference may go meanwhile (munmap, exit), and the teardown waits for
 * the count.  A write that goes on must not start more I/O for the dying
 * object: it stops, and the slots end free.
 */
static void
test_dying_object(void)
{
	uint64_t used0 = swap_used(), out0 = swap_stats.pswpout;
	struct vm_object *obj = new_object(NPAGES, NPAGES, 9);
	struct selftest_group *g;
	bool dead = false;

	if (!selftest_ok(obj != NULL, "dying: an object of %d written pages", NPAGES))
		return;
	spin_lock(&obj->lock);
	vm_object_pip_add(obj);			/* as the laundry's write_cluster */
	spin_unlock(&obj->lock);
	g = selftest_threads_start(1, drop_object, obj, ncpu > 1 ? 1 : 0);
	/* The teardown marks it dead and sleeps for the paging count (OBJ_PIPWANT). */
	for (int t = 0; t < 1000 && !dead; t++) {
		dead = (__atomic_load_n(&obj->flags, __ATOMIC_ACQUIRE) &
		    (OBJ_DEAD | OBJ_PIPWANT)) == (OBJ_DEAD | OBJ_PIPWANT);
		if (!dead)
			selftest_sleep_ms(1);
	}
	if (!selftest_ok(dead, "dying: the last reference's teardown waits for the laundry"))
		return;			/* leaked: the object and its waiter */
	selftest_ok(vm_pager_put_pages(obj, 0, NPAGES, VM_PAGER_PUT_LAUNDRY) == 0 &&
	    swap_stats.pswpout == out0 && swap_used() == used0,
	    "dying: a laundry write for it starts no I/O (pswpout +%lu)", swap_stats.pswpout - out0);
	spin_lock(&obj->lock);
	vm_object_pip_wakeup(obj);
	spin_unlock(&obj->lock);
	selftest_ok(selftest_threads_wait(g, 1000) == 1 && swap_used() == used0,
	    "dying: the teardown ends, no slot left in use");
}

/*
 * ramfs.
 */

#define RAMFS_PAGES	16

/* Move len bytes at off of the ramfs file vp to (write) or from buf, as read(2) and write(2). */
static ssize_t
file_io(struct vnode *vp, void *buf, size_t len, uint64_t off, bool write)
{
	struct uio uio = { buf, len, off, false, write, 0 };

	return write ? vp->v_ops->vop_write(vp, &uio) : vp->v_ops->vop_read(vp, &uio);
}

/* Does the file's page idx read (read(2)) as generation gen's pattern for idx? */
static bool
file_page_holds(struct vnode *vp, uint64_t *buf, vm_pindex_t idx, unsigned gen)
{
	if (file_io(vp, buf, PAGE_SIZE, ptoa(idx), false) != PAGE_SIZE)
		return false;
	for (size_t i = 0; i < WORDS; i++)
		if (buf[i] != pattern(gen, idx, i))
			return false;
	return true;
}

static bool
file_pages_hold(struct vnode *vp, uint64_t *buf, vm_pindex_t first, vm_pindex_t n, unsigned gen)
{
	for (vm_pindex_t i = first; i < first + n; i++)
		if (!file_page_holds(vp, buf, i, gen))
			return false;
	return true;
}

/* Write pages [first, first + n) of the file with generation gen's patterns. */
static bool
file_fill(struct vnode *vp, uint64_t *buf, vm_pindex_t first, vm_pindex_t n, unsigned gen)
{
	for (vm_pindex_t idx = first; idx < first + n; idx++) {
		for (size_t i = 0; i < WORDS; i++)
			buf[i] = pattern(gen, idx, i);
		if (file_io(vp, buf, PAGE_SIZE, ptoa(idx), true) != PAGE_SIZE)
			return false;
	}
	return true;
}

static bool
all_zeros(const uint64_t *buf, size_t from_byte)
{
	for (size_t b = from_byte; b < PAGE_SIZE; b++)
		if (((const uint8_t *)buf)[b] != 0)
			return false;
	return true;
}

/* The laundry's write of the whole file, waited for, the pages written freed (as MADV_PAGEOUT). */
static int
file_out(struct vnode *vp)
{
	return vm_pager_put_pages(vp->v_object, 0, RAMFS_PAGES, VM_PAGER_PUT_SYNC |
	    VM_PAGER_PUT_FREE);
}

/* swapoff's walk over the device holding obj's first copy. */
static void
test_ramfs_unuse(struct vnode *vp, uint64_t *buf)
{
	struct vm_object *obj = vp->v_object;
	vm_pindex_t idx;
	uint64_t slot;

	spin_lock(&obj->lock);
	slot = swap_pager_next(obj, 0, &idx);
	spin_unlock(&obj->lock);
	if (!selftest_ok(slot != SWAP_SLOT_NONE, "ramfs: a copy to bring back"))
		return;
	selftest_ok(swap_pager_unuse(swap_slot_device(slot)) == 0 &&
	    copies(obj, 0, RAMFS_PAGES) == 0 && resident(obj) == RAMFS_PAGES,
	    "ramfs: swapoff's walk brings the file's pages back and frees their copies");
	selftest_ok(file_pages_hold(vp, buf, 0, RAMFS_PAGES, 3), "ramfs: with their data");
}

/*
 * A ramfs file's pages go to swap and come back: read(2) reads them in,
 * write(2) frees a stale copy, a punched hole and a truncation free the
 * copies of what goes (and bring the edges back, which they zero), and
 * the file's death frees the rest.
 */
static void
test_ramfs(void)
{
	uint64_t used0 = swap_used(), *buf = NULL;
	struct vnode *root = ramfs_mkroot(), *vp = NULL;
	struct swap_stats s0 = swap_stats;
	struct vm_object *obj;
	int before = -1, after = -1;
	struct vm_page *m;
	struct stat st;
	bool has;

	if (!selftest_ok(root != NULL && (buf = malloc(PAGE_SIZE, M_TEMP, M_WAITOK)) != NULL &&
	    vfs_lookup(root, "f", VFS_CREATE, VREG, 0644, &vp) == 0 &&
	    file_fill(vp, buf, 0, RAMFS_PAGES, 1), "ramfs: a file of %d pages written", RAMFS_PAGES))
		goto out;
	obj = vp->v_object;
	selftest_ok(file_out(vp) == 0 && resident(obj) == 0 &&
	    copies(obj, 0, RAMFS_PAGES) == RAMFS_PAGES && swap_used() == used0 + RAMFS_PAGES &&
	    swap_stats.pswpout - s0.pswpout == RAMFS_PAGES,
	    "ramfs: the laundry's write sends them all to swap, and they are freed");
	selftest_ok(obj->type == OBJT_VNODE && obj->pager != &swap_pager_ops,
	    "ramfs: the file's object stays a vnode object");
	spin_lock(&obj->lock);
	has = obj->pager->haspage(obj, 5, &before, &after);
	spin_unlock(&obj->lock);
	selftest_ok(has && before == 5 && after == RAMFS_PAGES - 6,
	    "ramfs: haspage(5): yes, %d before and %d after in neighbouring slots", before, after);
	s0 = swap_stats;
	selftest_ok(file_pages_hold(vp, buf, 0, RAMFS_PAGES, 1) &&
	    swap_stats.pswpin - s0.pswpin == RAMFS_PAGES &&
	    swap_stats.read_requests - s0.read_requests < RAMFS_PAGES &&
	    copies(obj, 0, RAMFS_PAGES) == RAMFS_PAGES,
	    "ramfs: read(2) reads them back with read-around (%lu requests), copies kept",
	    swap_stats.read_requests - s0.read_requests);
	vn_stat(vp, &st);
	selftest_ok(st.st_blocks == RAMFS_PAGES * (PAGE_SIZE / 512),
	    "ramfs: st_blocks counts a page resident with its copy once (%ld)", st.st_blocks);

	/* write(2) makes a copy stale; the next write-out takes only that page. */
	selftest_ok(file_fill(vp, buf, 3, 1, 2) && copies(obj, 3, 1) == 0 &&
	    swap_used() == used0 + RAMFS_PAGES - 1, "ramfs: write(2) to a page frees its copy");
	s0 = swap_stats;
	selftest_ok(file_out(vp) == 0 && swap_stats.pswpout - s0.pswpout == 1 &&
	    resident(obj) == 0, "ramfs: the next write-out writes that page only");
	selftest_ok(file_page_holds(vp, buf, 3, 2) && file_page_holds(vp, buf, 4, 1),
	    "ramfs: it reads back written, its neighbour as before");

	/* A page written while out: paged in first, never zero-filled over. */
	(void)file_out(vp);
	memset(buf, 0xa5, 8);
	selftest_ok(file_io(vp, buf, 8, ptoa(6) + 16, true) == 8 &&
	    file_io(vp, buf, PAGE_SIZE, ptoa(6), false) == PAGE_SIZE &&
	    buf[0] == pattern(1, 6, 0) && buf[2] == 0xa5a5a5a5a5a5a5a5ULL &&
	    buf[3] == pattern(1, 6, 3), "ramfs: 8 bytes written into a page in swap keep the rest");
	file_fill(vp, buf, 6, 1, 1);

	/* Punch page 7 and truncate in page 10: their copies go, the edge comes back zeroed. */
	(void)file_out(vp);
	vn_stat(vp, &st);
	selftest_ok(st.st_blocks == RAMFS_PAGES * (PAGE_SIZE / 512),
	    "ramfs: st_blocks counts the pages in swap (%ld)", st.st_blocks);
	selftest_ok(vp->v_ops->vop_fallocate(vp, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	    ptoa(7), PAGE_SIZE) == 0 && copies(obj, 7, 1) == 0 &&
	    swap_used() == used0 + RAMFS_PAGES - 1 &&
	    file_io(vp, buf, PAGE_SIZE, ptoa(7), false) == PAGE_SIZE && all_zeros(buf, 0),
	    "ramfs: a punched page's copy is freed, and it reads as zeros");
	(void)file_out(vp);
	selftest_ok(vp->v_ops->vop_truncate(vp, ptoa(10) + 100) == 0 &&
	    copies(obj, 10, RAMFS_PAGES - 10) == 0 && copies(obj, 0, 10) == 9 &&
	    swap_used() == used0 + 9, "ramfs: truncation frees the copies from the new end on");
	selftest_ok(vp->v_ops->vop_truncate(vp, ptoa(RAMFS_PAGES)) == 0 &&
	    file_io(vp, buf, PAGE_SIZE, ptoa(10), false) == PAGE_SIZE &&
	    buf[0] == pattern(1, 10, 0) && buf[11] == pattern(1, 10, 11) && all_zeros(buf, 100),
	    "ramfs: the last page, in swap, came back to have its tail zeroed");
	file_fill(vp, buf, 0, RAMFS_PAGES, 3);
	(void)file_out(vp);
	test_ramfs_unuse(vp, buf);

	/* The file's death frees its copies. */
	(void)file_out(vp);
	spin_lock(&obj->lock);
	m = vm_page_lookup(obj, 0);
	spin_unlock(&obj->lock);
	selftest_ok(m == NULL && swap_used() == used0 + RAMFS_PAGES, "ramfs: out again");
out:
	if (vp != NULL)
		vrele(vp);
	if (root != NULL) {
		struct vnode *dead;

		if (vfs_lookup(root, "f", 0, VNON, 0, &dead) == 0) {
			root->v_ops->vop_unlink(root, "f", 1, dead, false);
			vrele(dead);
		}
		ramfs_rmroot(root);
	}
	free(buf, M_TEMP);
	selftest_ok(swap_used() == used0, "ramfs: the file's death frees its slots");
}

static void
swap_selftests(void)
{
	if (swap_total_pages() == 0) {
		selftest_skip("swap: no swap in service (swap=/dev/vdX)");
		return;
	}
	test_put_get();
	test_wired();
	test_freespace();
	test_collapse(false);
	test_collapse(true);
	test_collapse_window();
	test_bypass();
	test_ramfs();
	test_write_error();
	test_dying_object();
}

SELFTEST(swap, swap_selftests);
