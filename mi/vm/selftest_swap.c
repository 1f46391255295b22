/*
 * Self-tests of the swap pager (swap_pager.h), on the objects directly:
 * pages written out and read back through the pager's operations, what
 * haspage reports, read-around, a written page's copy freed, copies
 * moving with a collapse (down into a larger backing object, or up into
 * a shadow of part of it) and a bypass, freespace, a
 * failed write keeping its page dirty, and every slot freed at the end.
 *
 * Needs swap in service (the command line's swap=, scripts/swap-test
 * --selftest swap); otherwise it is skipped.  A second area labelled
 * sable-swap-badw, whose slot 1 QEMU fails to write, is used for the
 * write error if there is one.
 */
#include <kern/systm.h>
#include <kern/disk.h>
#include <kern/selftest.h>
#include <vm/pmap.h>
#include <vm/swap_device.h>
#include <vm/swap_pager.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_pager.h>
#include <uapi/mman.h>
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
	test_write_error();
}

SELFTEST(swap, swap_selftests);
