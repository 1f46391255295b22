/*
 * Host unit test for the buddy allocator (mi/vm/vm_phys.c), printing TAP.
 *
 * The vm_page arrays are ordinary heap memory and the "physical"
 * addresses are made up: vm_phys never touches page contents.  Segments
 * have realistic, unaligned boundaries, and two of them are adjacent so
 * a merge across segments would be caught.
 *
 * Build and run:
 *   gcc -std=gnu11 -g -O1 -Wall -Wextra -Werror \
 *       -fsanitize=address,undefined -fno-sanitize-recover=all \
 *       -I tests/host/include -I mi tests/test_vm_phys.c mi/vm/vm_phys.c \
 *       tests/host/host_support.c tests/host/tap.c mi/kern/spinlock.c \
 *       -lpthread -o /tmp/test_vm_phys && /tmp/test_vm_phys
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/systm.h>
#include <vm/vm_phys.h>
#include <machine/param.h>

#include "host/tap.h"

/*
 * The fake machine: three segments.  The second and third are adjacent,
 * and the page below their junction has its buddy across it.
 */

struct fake_seg {
	paddr_t		start;
	uint64_t	npages;
	struct vm_page	*pages;
	uint64_t	first_index;	/* of its first page in the page model */
};

static struct fake_seg fsegs[] = {
	{ 0x80200000UL + 0x3000, 4099, NULL, 0 },	/* ends 0x81205000 */
	{ 0x90000000UL + 0x7000, 2046, NULL, 0 },	/* ends 0x90805000 */
	{ 0x90805000UL, 1537, NULL, 0 },		/* ends 0x90e06000 */
};
#define NFSEGS		((int)nitems(fsegs))

static uint64_t total_pages;
static uint64_t baseline_blocks[VM_NFREEORDER];

static paddr_t
fseg_end(const struct fake_seg *fs)
{
	return fs->start + ptoa(fs->npages);
}

/* Register the segments and free all of their pages. */
static void
machine_setup(void)
{
	uint64_t index = 0;
	int i;

	vm_phys_reset();
	for (i = 0; i < NFSEGS; i++) {
		free(fsegs[i].pages);
		fsegs[i].pages = calloc(fsegs[i].npages, sizeof(struct vm_page));
		if (fsegs[i].pages == NULL)
			abort();
		fsegs[i].first_index = index;
		index += fsegs[i].npages;
		if (vm_phys_add_seg(fsegs[i].start, fseg_end(&fsegs[i]),
		    fsegs[i].pages) != 0)
			abort();
	}
	total_pages = index;
	/* One range for the first segment, one across the adjacent pair. */
	vm_phys_free_range(fsegs[0].start, fseg_end(&fsegs[0]));
	vm_phys_free_range(fsegs[1].start, fseg_end(&fsegs[2]));
}

/* The model's index of a managed page. */
static uint64_t
page_index(const struct vm_page *m)
{
	const struct fake_seg *fs = &fsegs[m->segind];

	return fs->first_index + (uint64_t)(m - fs->pages);
}

/*
 * Walk every page and check the buddy invariants: free heads aligned to
 * their order and inside their segment, no free page inside another free
 * block, and the counts the allocator reports.  Fills 'is_free' (one byte
 * per model page) when given.
 */
static bool
check_invariants(const char **why, uint8_t *is_free)
{
	uint64_t blocks[VM_NFREEORDER] = { 0 };
	uint64_t pages = 0;

	for (int s = 0; s < NFSEGS; s++) {
		const struct fake_seg *fs = &fsegs[s];
		uint64_t i = 0;

		while (i < fs->npages) {
			struct vm_page *m = &fs->pages[i];
			uint64_t n;

			if (m->phys_addr != fs->start + ptoa(i) || m->segind != s) {
				*why = "page identity";
				return false;
			}
			if ((m->flags & PG_FREE) == 0) {
				if (m->order != VM_ORDER_NONE) {
					*why = "allocated page with an order";
					return false;
				}
				if (is_free != NULL)
					is_free[fs->first_index + i] = 0;
				i++;
				continue;
			}
			if (m->order >= VM_NFREEORDER) {
				*why = "free head with a bad order";
				return false;
			}
			n = 1UL << m->order;
			if ((m->phys_addr & (ptoa(n) - 1)) != 0) {
				*why = "free block not naturally aligned";
				return false;
			}
			if (i + n > fs->npages) {
				*why = "free block leaves its segment";
				return false;
			}
			for (uint64_t j = 1; j < n; j++) {
				if ((m[j].flags & PG_FREE) != 0 ||
				    m[j].order != VM_ORDER_NONE) {
					*why = "free page inside a free block";
					return false;
				}
			}
			if (is_free != NULL)
				memset(&is_free[fs->first_index + i], 1, n);
			blocks[m->order]++;
			pages += n;
			i += n;
		}
	}
	for (int o = 0; o < VM_NFREEORDER; o++) {
		if (blocks[o] != vm_phys_free_blocks(o)) {
			*why = "free block count per order";
			return false;
		}
	}
	if (pages != vm_phys_free_count()) {
		*why = "free page count";
		return false;
	}
	*why = "";
	return true;
}

/* One TAP line for the invariants, saying which one broke. */
static void
ok_invariants(const char *when)
{
	const char *why = "";
	bool good = check_invariants(&why, NULL);

	tap_ok(good, "buddy invariants %s%s%s", when, good ? "" : ": ", why);
}

static bool
counts_equal_baseline(void)
{
	for (int o = 0; o < VM_NFREEORDER; o++)
		if (vm_phys_free_blocks(o) != baseline_blocks[o])
			return false;
	return vm_phys_free_count() == total_pages;
}

static bool
block_in_a_segment(const struct vm_page *m, int order)
{
	const struct fake_seg *fs;
	uint64_t i;

	if (m->segind >= NFSEGS)
		return false;
	fs = &fsegs[m->segind];
	if (m < fs->pages || m >= fs->pages + fs->npages)
		return false;
	i = (uint64_t)(m - fs->pages);
	return m->phys_addr == fs->start + ptoa(i) &&
	    i + (1UL << order) <= fs->npages;
}

static void
shuffle(struct vm_page **v, uint64_t n)
{
	for (uint64_t i = n; i > 1; i--) {
		uint64_t j = tap_rand_below(i);
		struct vm_page *t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
}

/*
 * Tests.
 */

static void
test_segments(void)
{
	struct vm_page spare[4], *m;

	machine_setup();
	tap_ok(vm_phys_nsegs() == NFSEGS, "three segments registered");
	tap_ok(vm_phys_free_count() == total_pages,
	    "free count (%lu) equals pages freed (%lu)",
	    (unsigned long)vm_phys_free_count(), (unsigned long)total_pages);
	ok_invariants("after boot");
	tap_ok(vm_phys_add_seg(fsegs[0].start + PAGE_SIZE,
	    fsegs[0].start + 3 * PAGE_SIZE, spare) == EINVAL,
	    "overlapping segment refused");
	tap_ok(vm_phys_add_seg(0x1000, 0x1800, spare) == EINVAL &&
	    vm_phys_add_seg(0x3000, 0x2000, spare) == EINVAL,
	    "unaligned or empty segment refused");

	/* The page below the junction of segments 1 and 2 has its buddy above it. */
	m = vm_phys_to_page(fsegs[2].start - PAGE_SIZE);
	tap_ok(fseg_end(&fsegs[1]) == fsegs[2].start && m != NULL &&
	    m->segind == 1 && (m->phys_addr ^ PAGE_SIZE) == fsegs[2].start,
	    "adjacent segments with buddies across the junction");
	tap_ok((m->flags & PG_FREE) != 0 && m->order == 0,
	    "the page below the junction did not merge across it");

	for (int o = 0; o < VM_NFREEORDER; o++)
		baseline_blocks[o] = vm_phys_free_blocks(o);
}

static void
test_phys_to_page(void)
{
	bool good = true;

	for (int s = 0; s < NFSEGS; s++) {
		const struct fake_seg *fs = &fsegs[s];

		good &= vm_phys_to_page(fs->start) == &fs->pages[0];
		good &= vm_phys_to_page(fs->start + 0x123) == &fs->pages[0];
		good &= vm_phys_to_page(fseg_end(fs) - 1) ==
		    &fs->pages[fs->npages - 1];
		good &= vm_phys_to_page(fs->start + ptoa(17)) == &fs->pages[17];
	}
	tap_ok(good, "vm_phys_to_page finds pages in every segment");
	tap_ok(vm_phys_to_page(fsegs[0].start - 1) == NULL &&
	    vm_phys_to_page(fseg_end(&fsegs[0])) == NULL &&
	    vm_phys_to_page(0) == NULL && vm_phys_to_page(~(paddr_t)0) == NULL,
	    "vm_phys_to_page returns NULL outside RAM");
	tap_ok(vm_phys_seg(2)->start == fsegs[2].start &&
	    vm_phys_seg(2)->first_page == fsegs[2].pages,
	    "vm_phys_seg describes a segment");
}

static void
test_exhaust_and_coalesce(void)
{
	struct vm_page **all = calloc(total_pages, sizeof(*all));
	uint8_t *seen = calloc(total_pages, 1);
	uint64_t n = 0;
	bool unique = true, in_seg = true, flags_clear = true;
	struct vm_page *m;

	while ((m = vm_phys_alloc_pages(0)) != NULL && n < total_pages + 1) {
		uint64_t i;

		if (!block_in_a_segment(m, 0)) {
			in_seg = false;
			break;
		}
		i = page_index(m);
		if (seen[i])
			unique = false;
		seen[i] = 1;
		if ((m->flags & PG_FREE) != 0 || m->order != VM_ORDER_NONE)
			flags_clear = false;
		all[n++] = m;
	}
	tap_ok(in_seg && n == total_pages,
	    "order-0 allocations exhaust memory after %lu pages",
	    (unsigned long)n);
	tap_ok(unique, "no page handed out twice");
	tap_ok(flags_clear, "allocated pages have no PG_FREE and no order");
	tap_ok(vm_phys_free_count() == 0, "free count is zero when exhausted");
	tap_ok(vm_phys_alloc_pages(0) == NULL && vm_phys_alloc_pages(5) == NULL,
	    "allocation fails cleanly when empty");
	tap_ok(vm_phys_alloc_contig(1, 0, ~(paddr_t)0, PAGE_SIZE, 0) == NULL,
	    "alloc_contig fails cleanly when empty");

	shuffle(all, n);
	for (uint64_t i = 0; i < n; i++)
		vm_phys_free_pages(all[i], 0);
	tap_ok(counts_equal_baseline(),
	    "freeing all in random order coalesces back to the boot counts");
	ok_invariants("after coalescing");
	free(all);
	free(seen);
}

static void
test_each_order(void)
{
	struct vm_page **held = calloc(total_pages, sizeof(*held));

	for (int order = 0; order < VM_NFREEORDER; order++) {
		uint64_t n = 0, expect = 0;
		bool aligned = true, in_seg = true;
		struct vm_page *m;
		char when[64];

		for (int o = order; o < VM_NFREEORDER; o++)
			expect += vm_phys_free_blocks(o) << (o - order);
		while ((m = vm_phys_alloc_pages(order)) != NULL) {
			if ((m->phys_addr & (ptoa(1UL << order) - 1)) != 0)
				aligned = false;
			if (!block_in_a_segment(m, order))
				in_seg = false;
			held[n++] = m;
		}
		tap_ok(aligned && in_seg && n == expect,
		    "order %d: %lu blocks, all naturally aligned and inside a segment",
		    order, (unsigned long)n);
		snprintf(when, sizeof(when), "with order %d exhausted", order);
		ok_invariants(when);
		shuffle(held, n);
		for (uint64_t i = 0; i < n; i++)
			vm_phys_free_pages(held[i], order);
		if (order == VM_NFREEORDER - 1)
			tap_ok(counts_equal_baseline(),
			    "every order returns to the boot counts");
	}
	free(held);
}

/*
 * Long random stress with mixed orders and contiguous runs, checked
 * against a model of which pages are handed out.
 */

struct held {
	struct vm_page	*m;
	uint64_t	npages;
	int		order;		/* -1: a contig run */
};

static bool
model_take(uint8_t *inuse, struct vm_page *m, uint64_t npages)
{
	uint64_t base = page_index(m);
	bool fresh = true;

	for (uint64_t i = 0; i < npages; i++) {
		if (inuse[base + i])
			fresh = false;
		inuse[base + i] = 1;
	}
	return fresh;
}

/* Give a held block or run back to the allocator. */
static void
held_free(struct held h)
{
	if (h.order >= 0)
		vm_phys_free_pages(h.m, h.order);
	else
		vm_phys_free_contig(h.m, h.npages);
}

static void
model_release(uint8_t *inuse, struct vm_page *m, uint64_t npages)
{
	memset(&inuse[page_index(m)], 0, npages);
}

static bool
contig_fits(const struct vm_page *m, uint64_t npages, paddr_t low, paddr_t high,
    uint64_t align, uint64_t boundary)
{
	paddr_t pa = m->phys_addr, last = pa + ptoa(npages) - 1;
	const struct fake_seg *fs = &fsegs[m->segind];

	if (pa < low || last >= high || (pa & (align - 1)) != 0)
		return false;
	if (boundary != 0 && (pa & ~(boundary - 1)) != (last & ~(boundary - 1)))
		return false;
	return m >= fs->pages && (uint64_t)(m - fs->pages) + npages <= fs->npages;
}

static void
test_stress(void)
{
	enum { NOPS = 200000, MAXHELD = 3000 };
	struct held *held = calloc(MAXHELD, sizeof(*held));
	uint8_t *inuse = calloc(total_pages, 1);
	uint8_t *is_free = calloc(total_pages, 1);
	uint64_t nheld = 0, pages_out = 0, contig_ok = 0;
	bool no_overlap = true, fits = true, counts = true, invariants = true;
	bool model_agrees = true;
	const char *why = "";

	for (int op = 0; op < NOPS; op++) {
		bool do_alloc = nheld == 0 ||
		    (nheld < MAXHELD && tap_rand_below(100) < 55);

		if (do_alloc && tap_rand_below(10) != 0) {
			/* Small orders most of the time. */
			int order = (int)(tap_rand_below(100) < 80 ?
			    tap_rand_below(3) : tap_rand_below(VM_NFREEORDER));
			struct vm_page *m = vm_phys_alloc_pages(order);

			if (m == NULL)
				continue;
			if ((m->phys_addr & (ptoa(1UL << order) - 1)) != 0 ||
			    !block_in_a_segment(m, order))
				fits = false;
			if (!model_take(inuse, m, 1UL << order))
				no_overlap = false;
			held[nheld++] = (struct held){ m, 1UL << order, order };
			pages_out += 1UL << order;
		} else if (do_alloc) {
			uint64_t npages = 1 + tap_rand_below(40);
			uint64_t align = PAGE_SIZE << tap_rand_below(5);
			uint64_t boundary = tap_rand_below(2) ? 0 :
			    (PAGE_SIZE << (6 + tap_rand_below(3)));
			int s = (int)tap_rand_below(NFSEGS);
			paddr_t low = fsegs[s].start +
			    ptoa(tap_rand_below(fsegs[s].npages / 2));
			paddr_t high = tap_rand_below(4) == 0 ? ~(paddr_t)0 :
			    low + ptoa(npages + tap_rand_below(600));
			struct vm_page *m = vm_phys_alloc_contig(npages, low, high,
			    align, boundary);

			if (m == NULL)
				continue;
			contig_ok++;
			if (!contig_fits(m, npages, low, high, align, boundary))
				fits = false;
			if (!model_take(inuse, m, npages))
				no_overlap = false;
			held[nheld++] = (struct held){ m, npages, -1 };
			pages_out += npages;
		} else {
			uint64_t k = tap_rand_below(nheld);
			struct held h = held[k];

			held[k] = held[--nheld];
			model_release(inuse, h.m, h.npages);
			held_free(h);
			pages_out -= h.npages;
		}
		if (vm_phys_free_count() != total_pages - pages_out)
			counts = false;
		if (op % 2000 == 0 && invariants) {
			invariants = check_invariants(&why, is_free);
			/* Free in the allocator exactly when not held in the model. */
			for (uint64_t i = 0; i < total_pages; i++)
				if (is_free[i] == inuse[i])
					model_agrees = false;
		}
	}
	tap_ok(no_overlap,
	    "stress: no page handed out twice (%d ops, %lu contig runs)", NOPS,
	    (unsigned long)contig_ok);
	tap_ok(fits,
	    "stress: blocks aligned, inside segments, contig constraints met");
	tap_ok(counts,
	    "stress: free count tracks the model after every operation");
	tap_ok(invariants, "stress: buddy invariants hold throughout%s%s",
	    invariants ? "" : ": ", why);
	tap_ok(model_agrees,
	    "stress: free pages are exactly the pages not held");

	while (nheld > 0) {
		struct held h = held[--nheld];

		held_free(h);
	}
	tap_ok(counts_equal_baseline(),
	    "stress: everything coalesces back at the end");
	free(held);
	free(inuse);
	free(is_free);
}

static void
test_contig(void)
{
	const struct fake_seg *s0 = &fsegs[0], *s1 = &fsegs[1], *s2 = &fsegs[2];
	struct vm_page *m, *m2;
	uint64_t evens = 0;
	uint64_t before = vm_phys_free_count();
	bool all_clear = true;

	m = vm_phys_alloc_contig(5, 0, ~(paddr_t)0, 64 * 1024, 0);
	tap_ok(m != NULL && (m->phys_addr & 0xffff) == 0 &&
	    block_in_a_segment(m, 0) && vm_phys_free_count() == before - 5,
	    "contig: 5 pages aligned to 64 KiB");
	for (int i = 0; m != NULL && i < 5; i++)
		if ((m[i].flags & PG_FREE) != 0 || m[i].order != VM_ORDER_NONE)
			all_clear = false;
	tap_ok(all_clear, "contig: the run's pages are marked allocated");
	ok_invariants("after a contig split");
	if (m != NULL)
		vm_phys_free_contig(m, 5);
	tap_ok(counts_equal_baseline(),
	    "contig: freeing merges back to the boot counts");

	/* Boundary: 3 pages never across a 16 KiB line; place one near it. */
	m = vm_phys_alloc_contig(3, s0->start + ptoa(2), ~(paddr_t)0, PAGE_SIZE,
	    16 * 1024);
	tap_ok(m != NULL && contig_fits(m, 3, s0->start + ptoa(2), ~(paddr_t)0,
	    PAGE_SIZE, 16 * 1024), "contig: 3 pages within a 16 KiB boundary");
	if (m != NULL)
		vm_phys_free_contig(m, 3);

	/* A window inside the second segment only. */
	m = vm_phys_alloc_contig(7, s1->start + ptoa(100), s1->start + ptoa(120),
	    PAGE_SIZE, 0);
	tap_ok(m != NULL && m->segind == 1 &&
	    contig_fits(m, 7, s1->start + ptoa(100), s1->start + ptoa(120),
	    PAGE_SIZE, 0), "contig: [low, high) honoured");
	m2 = vm_phys_alloc_contig(14, s1->start + ptoa(100), s1->start + ptoa(120),
	    PAGE_SIZE, 0);
	tap_ok(m2 == NULL,
	    "contig: NULL when the rest of the window is too small");
	if (m != NULL)
		vm_phys_free_contig(m, 7);

	/* A run larger than the biggest buddy block, across block edges. */
	m = vm_phys_alloc_contig(1500, 0, ~(paddr_t)0, PAGE_SIZE, 0);
	tap_ok(m != NULL && block_in_a_segment(m, 0) &&
	    (uint64_t)(m - fsegs[m->segind].pages) + 1500 <= fsegs[m->segind].npages,
	    "contig: 1500 pages over several blocks");
	ok_invariants("after taking a run of 1500 pages");
	if (m != NULL)
		vm_phys_free_contig(m, 1500);

	/* No run may straddle the junction of two adjacent segments. */
	m = vm_phys_alloc_contig(2, fseg_end(s1) - PAGE_SIZE, s2->start + PAGE_SIZE,
	    PAGE_SIZE, 0);
	tap_ok(m == NULL, "contig: no run across two segments");
	tap_ok(vm_phys_alloc_contig(s0->npages + 1, 0, ~(paddr_t)0, PAGE_SIZE,
	    0) == NULL &&
	    vm_phys_alloc_contig(8, 0, ~(paddr_t)0, PAGE_SIZE,
	    4 * PAGE_SIZE) == NULL, "contig: impossible requests return NULL");

	/* Checkerboard: free every other page; only a freed pair fits 2 pages. */
	for (uint64_t i = 0; i < total_pages; i++)
		(void)vm_phys_alloc_pages(0);
	for (int s = 0; s < NFSEGS; s++) {
		for (uint64_t i = 0; i < fsegs[s].npages; i += 2)
			vm_phys_free_pages(&fsegs[s].pages[i], 0);
		evens += (fsegs[s].npages + 1) / 2;
	}
	tap_ok(vm_phys_free_count() == evens &&
	    vm_phys_alloc_contig(2, 0, ~(paddr_t)0, PAGE_SIZE, 0) == NULL,
	    "contig: fails on a checkerboard");
	vm_phys_free_pages(&s2->pages[301], 0);	/* 300..302 are now free */
	m = vm_phys_alloc_contig(2, 0, ~(paddr_t)0, PAGE_SIZE, 0);
	tap_ok(m == &s2->pages[300],
	    "contig: finds the only pair, lowest first");
	if (m != NULL)
		vm_phys_free_contig(m, 2);
	for (int s = 0; s < NFSEGS; s++)
		for (uint64_t i = 1; i < fsegs[s].npages; i += 2)
			if (!(s == 2 && i == 301))
				vm_phys_free_pages(&fsegs[s].pages[i], 0);
	tap_ok(counts_equal_baseline(),
	    "contig: checkerboard freed back to the boot counts");
}

/*
 * The allocator must abort on misuse; each case runs in a child.
 */
static void
double_free(void)
{
	struct vm_page *m = vm_phys_alloc_pages(0);

	vm_phys_free_pages(m, 0);
	vm_phys_free_pages(m, 0);
}

static void
free_inside_free_block(void)
{
	struct vm_page *m = vm_phys_alloc_pages(3);

	vm_phys_free_pages(m, 3);
	vm_phys_free_pages(m + 5, 0);	/* page 5 of a free order-3 block */
}

static void
free_block_over_free_page(void)
{
	struct vm_page *m = vm_phys_alloc_pages(2);

	vm_phys_free_pages(m + 2, 0);
	vm_phys_free_pages(m, 2);	/* contains the free page */
}

static void
free_misaligned(void)
{
	struct vm_page *m = vm_phys_alloc_pages(2);

	vm_phys_free_pages(m + 1, 1);
}

static void
alloc_bad_order(void)
{
	(void)vm_phys_alloc_pages(VM_NFREEORDER);
}

static void
test_misuse(void)
{
	tap_expect_abort(double_free, NULL, "double free aborts");
	tap_expect_abort(free_inside_free_block, NULL,
	    "freeing a page inside a free block aborts");
	tap_expect_abort(free_block_over_free_page, NULL,
	    "freeing a block holding a free page aborts");
	tap_expect_abort(free_misaligned, NULL,
	    "freeing a misaligned block aborts");
	tap_expect_abort(alloc_bad_order, NULL, "an order out of range aborts");
	tap_ok(counts_equal_baseline(), "the parent's allocator is untouched");
}

/*
 * The flat view: two segments with a hole between them and one past a
 * gap at the end, in one array that spans them all.  Indexing must give
 * what the search gives, NULL in the holes and outside.
 */
static void
test_flat_view(void)
{
	enum { BASE = 0x80000000UL, SPAN = 64 };
	static struct vm_page pages[SPAN];
	const struct { uint64_t first, n; } segs[] = { { 0, 10 }, { 13, 20 }, { 40, 20 } };
	bool good = true;

	vm_phys_reset();
	memset(pages, 0xa5, sizeof(pages));	/* the holes' entries: whatever was there */
	for (size_t i = 0; i < nitems(segs); i++)
		good &= vm_phys_add_seg(BASE + ptoa(segs[i].first), BASE + ptoa(segs[i].first +
		    segs[i].n), &pages[segs[i].first]) == 0;
	vm_phys_set_flat(BASE, SPAN, pages);
	for (uint64_t i = 0; i < SPAN; i++) {
		bool managed = false;

		for (size_t k = 0; k < nitems(segs); k++)
			managed |= i >= segs[k].first && i < segs[k].first + segs[k].n;
		good &= vm_phys_to_page(BASE + ptoa(i) + 0x234) == (managed ? &pages[i] : NULL);
	}
	tap_ok(good, "the flat view finds every managed page and none in the holes");
	tap_ok(vm_phys_to_page(BASE - 1) == NULL && vm_phys_to_page(BASE + ptoa(SPAN)) == NULL &&
	    vm_phys_to_page(0) == NULL && vm_phys_to_page(~(paddr_t)0) == NULL,
	    "the flat view finds nothing outside its span");
	vm_phys_reset();
	tap_ok(vm_phys_to_page(BASE) == NULL, "reset forgets the flat view");
}

static void
test_max_segments(void)
{
	static struct vm_page tiny[VM_PHYS_MAXSEG + 1][2];
	bool all_added = true;

	vm_phys_reset();
	tap_ok(vm_phys_nsegs() == 0 && vm_phys_free_count() == 0 &&
	    vm_phys_alloc_pages(0) == NULL, "reset forgets everything");
	for (int i = 0; i < VM_PHYS_MAXSEG; i++)
		if (vm_phys_add_seg(0x100000UL * (i + 1), 0x100000UL * (i + 1) +
		    2 * PAGE_SIZE, tiny[i]) != 0)
			all_added = false;
	tap_ok(all_added && vm_phys_add_seg(0x7000000, 0x7002000,
	    tiny[VM_PHYS_MAXSEG]) == ENOSPC,
	    "segment %d is refused with ENOSPC", VM_PHYS_MAXSEG + 1);
	tap_ok(vm_phys_free_count() == 0, "a new segment starts allocated");
	vm_phys_free_range(0x100000, 0x100000 + 2 * PAGE_SIZE);
	tap_ok(vm_phys_free_count() == 2 && vm_phys_free_blocks(1) == 1,
	    "two aligned pages merge into one order-1 block");
	vm_phys_reset();
}

/*
 * Pages known zero, on one tiny segment of 8 pages: taken to be zeroed
 * and put back they stay free in every count and merge as any free page
 * (a whole block of them comes back with PG_ZERO); a request for a
 * zeroed page takes one of them, a plain request leaves them alone while
 * it can.
 */
static void
test_zeroed_small(void)
{
	static struct vm_page pages[8];
	struct vm_page *taken[8], *m, *z;
	const paddr_t base = 0x40000000;
	bool counts_kept = true, all_taken = true;
	int n;

	vm_phys_reset();
	memset(pages, 0, sizeof(pages));
	if (vm_phys_add_seg(base, base + ptoa(8), pages) != 0)
		abort();
	vm_phys_free_range(base, base + ptoa(8));
	tap_ok(vm_phys_free_count() == 8 && vm_phys_free_blocks(3) == 1, "8 pages, one block");
	for (n = 0; n < 8 && (taken[n] = vm_phys_take_to_zero(3)) != NULL; n++)
		counts_kept &= vm_phys_free_count() == 8;
	tap_ok(n == 3 && counts_kept, "take_to_zero stops at its target (3 taken), "
	    "and the pages being zeroed stay free (%d taken)", n);
	for (int i = 0; i < n; i++)
		vm_phys_put_zeroed(taken[i]);
	tap_ok(vm_phys_zeroed_count() == 3 && vm_phys_free_count() == 8 &&
	    vm_phys_free_blocks(3) == 1 && vm_phys_take_to_zero(3) == NULL,
	    "three pages known zero, free, and merged back into the one block");

	m = vm_phys_alloc_pages(0);
	tap_ok(m != NULL && !(m->flags & PG_ZERO) && vm_phys_zeroed_count() == 3,
	    "a plain request takes a page not known zero");
	vm_phys_free_pages(m, 0);
	z = vm_phys_alloc_zeroed();
	tap_ok(z != NULL && (z->flags & PG_ZERO) && vm_phys_zeroed_count() == 2 &&
	    vm_phys_free_count() == 7, "a request for a zeroed page takes one known zero");
	z->flags &= ~PG_ZERO;
	vm_phys_free_pages(z, 0);
	tap_ok(vm_phys_zeroed_count() == 2 && vm_phys_free_blocks(3) == 1,
	    "freed, it is not known zero any more, and merges");

	/* Zero every page (the target past the segment). */
	for (n = 0; (m = vm_phys_take_to_zero(100)) != NULL; n++)
		vm_phys_put_zeroed(m);
	tap_ok(n == 6 && vm_phys_zeroed_count() == 8 && vm_phys_free_blocks(3) == 1,
	    "the other 6 zeroed: all 8 known zero, still one block");
	m = vm_phys_alloc_pages(0);
	tap_ok(m != NULL && (m->flags & PG_ZERO) && vm_phys_zeroed_count() == 7,
	    "with nothing else left a plain request takes a zeroed page (PG_ZERO set)");
	m->flags &= ~PG_ZERO;
	vm_phys_free_pages(m, 0);
	m = vm_phys_alloc_pages(2);
	tap_ok(m != NULL && !(m->flags & PG_ZERO) && vm_phys_zeroed_count() == 4,
	    "a plain request for 4 takes the half with the page freed since (3 zeroed pages)");
	z = vm_phys_alloc_pages(2);
	tap_ok(z != NULL && (z->flags & PG_ZERO) && vm_phys_zeroed_count() == 0,
	    "the next takes the other: 4 zeroed pages, whole, PG_ZERO on its head");
	z->flags &= ~PG_ZERO;
	vm_phys_free_pages(z, 2);
	vm_phys_free_pages(m, 2);
	tap_ok(vm_phys_free_blocks(3) == 1 && vm_phys_zeroed_count() == 0,
	    "both freed: one block again, none known zero");
	for (n = 0; (m = vm_phys_take_to_zero(100)) != NULL; n++)
		vm_phys_put_zeroed(m);
	m = vm_phys_alloc_contig(8, 0, ~(paddr_t)0, PAGE_SIZE, 0);
	tap_ok(m == &pages[0] && vm_phys_zeroed_count() == 0 && vm_phys_free_count() == 0,
	    "a contiguous run takes them all, the known zero ones too");
	vm_phys_free_contig(m, 8);
	for (int i = 0; i < 8; i++)
		all_taken &= vm_phys_alloc_zeroed() != NULL;
	tap_ok(all_taken && vm_phys_alloc_zeroed() == NULL && vm_phys_free_count() == 0,
	    "a zeroed request falls back to plain pages, and fails when all is taken");
	vm_phys_reset();
	tap_ok(vm_phys_zeroed_count() == 0, "reset forgets them");
}

/*
 * Is the zeroed-page count of the free node of 2^order pages at m (count
 * c) consistent -- a mixed node's halves' counts, read from their heads,
 * within their sizes -- with every page it calls zero so in the model?
 */
static bool
node_claims_hold(const struct vm_page *m, int order, uint64_t c, const uint8_t *zero)
{
	uint64_t half = 1UL << order >> 1, upper;

	if (c == 0)
		return true;
	if (c == 1UL << order) {
		for (uint64_t i = 0; i < c; i++)
			if (!zero[page_index(m) + i])
				return false;
		return true;
	}
	if (order == 0)
		return false;
	upper = m[half].free_zeroed;
	return upper <= half && c >= upper && c - upper <= half &&
	    node_claims_hold(m, order - 1, c - upper, zero) &&
	    node_claims_hold(m + half, order - 1, upper, zero);
}

/* Does ok(head, zero) hold for the head of every free block? */
static bool
every_free_block(bool (*ok)(const struct vm_page *, const uint8_t *), const uint8_t *zero)
{
	for (int s = 0; s < NFSEGS; s++) {
		const struct fake_seg *fs = &fsegs[s];

		for (uint64_t i = 0; i < fs->npages; i++)
			if ((fs->pages[i].flags & PG_FREE) && !ok(&fs->pages[i], zero))
				return false;
	}
	return true;
}

/* A free block's zeroed counts against the model (zero: one byte a page). */
static bool
block_claims_hold(const struct vm_page *m, const uint8_t *zero)
{
	return node_claims_hold(m, m->order, m->free_zeroed, zero);
}

/*
 * Preferences give way to superpages: with a 2 MiB run free and 32 one-
 * page holes, a plain request takes a hole even when every hole is
 * zeroed, and a request for a zeroed page takes a plain hole rather than
 * split a run that holds a zeroed page.
 */
static void
test_zeroed_keeps_runs(void)
{
	enum { NPAGES = 2 * SUPERPAGE_PAGES, HOLES = 32 };
	static struct vm_page pages[NPAGES];
	const paddr_t base = 0x40000000;	/* aligned to the largest block */
	struct vm_page *m, *taken[HOLES];
	bool holes_taken = true;
	int n;

	vm_phys_reset();
	memset(pages, 0, sizeof(pages));
	if (vm_phys_add_seg(base, base + ptoa(NPAGES), pages) != 0)
		abort();
	vm_phys_free_range(base, base + ptoa(NPAGES));
	for (n = 0; n < NPAGES; n++)
		if (vm_phys_alloc_pages(0) == NULL)
			abort();
	/* The upper run whole, and the odd pages 1, 3, ... 63 of the lower. */
	for (n = SUPERPAGE_PAGES; n < NPAGES; n++)
		vm_phys_free_pages(&pages[n], 0);
	for (n = 0; n < HOLES; n++)
		vm_phys_free_pages(&pages[2 * n + 1], 0);
	tap_ok(vm_phys_free_blocks(SUPERPAGE_ORDER) == 1 && vm_phys_free_blocks(0) == HOLES,
	    "runs: one 2 MiB run and %d holes free", HOLES);
	for (n = 0; n < HOLES && (taken[n] = vm_phys_take_to_zero(HOLES)) != NULL; n++)
		holes_taken &= taken[n] < &pages[2 * HOLES];
	for (int i = 0; i < n; i++)
		vm_phys_put_zeroed(taken[i]);
	tap_ok(n == HOLES && holes_taken && vm_phys_zeroed_count() == HOLES,
	    "runs: zeroing takes the holes first");
	m = vm_phys_alloc_pages(0);
	tap_ok(m != NULL && m < &pages[2 * HOLES] && (m->flags & PG_ZERO) &&
	    vm_phys_free_blocks(SUPERPAGE_ORDER) == 1,
	    "runs: a plain request takes a zeroed hole rather than split the run");
	m->flags &= ~PG_ZERO;
	vm_phys_free_pages(m, 0);

	/* Now one zeroed page inside the run, and the holes plain. */
	for (n = 0; n < HOLES; n++) {
		if ((m = vm_phys_alloc_zeroed()) == NULL)
			abort();
		m->flags &= ~PG_ZERO;
		taken[n] = m;
	}
	m = vm_phys_take_to_zero(1);
	tap_ok(m != NULL && m >= &pages[SUPERPAGE_PAGES] && vm_phys_zeroed_count() == 0,
	    "runs: with the holes taken, zeroing takes a page of the run");
	vm_phys_put_zeroed(m);
	for (n = 0; n < HOLES; n++)
		vm_phys_free_pages(taken[n], 0);
	tap_ok(vm_phys_free_blocks(SUPERPAGE_ORDER) == 1 && vm_phys_zeroed_count() == 1,
	    "runs: the page back in the run, zeroed; the holes free and plain");
	m = vm_phys_alloc_zeroed();
	tap_ok(m != NULL && m < &pages[2 * HOLES] && !(m->flags & PG_ZERO) &&
	    vm_phys_free_blocks(SUPERPAGE_ORDER) == 1 && vm_phys_zeroed_count() == 1,
	    "runs: a request for a zeroed page takes a plain hole rather than split the run");
	vm_phys_reset();
}

/* Is no page of the free block at m zero in the model, unless the block is a superpage's run or more? */
static bool
zero_only_if_run(const struct vm_page *m, const uint8_t *zero)
{
	if (m->order >= SUPERPAGE_ORDER)
		return true;
	for (uint64_t j = 0; j < 1UL << m->order; j++)
		if (zero[page_index(m) + j])
			return false;
	return true;
}

/*
 * Random work on the fake machine against a model of which pages are
 * zero (put back zeroed, not handed out since): the allocator claims
 * zero (PG_ZERO) only for pages that are, knows every one while no
 * contiguous run is taken (a run forgets the blocks it splits), and
 * pins nothing -- everything freed merges back to the first blocks.
 */
static void
test_zeroed_stress(bool with_contig)
{
	enum { NOPS = 100000, MAXHELD = 2000, ZEROING_MAX = 8 };
	struct held *held = calloc(MAXHELD, sizeof(*held));
	uint8_t *zero = calloc(total_pages, 1);
	uint64_t nheld = 0, pages_out = 0, model_zero = 0, claims = 0, zeroed_handed = 0;
	bool sound = true, complete = true, counts = true, claims_ok = true;
	struct vm_page *zeroing[ZEROING_MAX];
	uint64_t nzeroing = 0;

	machine_setup();
	tap_ok(counts_equal_baseline() && vm_phys_zeroed_count() == 0,
	    "zeroed%s: the machine as at first, nothing known zero", with_contig ? ", with runs" : "");
	for (int op = 0; op < NOPS; op++) {
		unsigned r = (unsigned)tap_rand_below(100);
		struct vm_page *m = NULL;
		uint64_t npages = 1;
		int order = 0;

		if (nheld > 0 && (r < 40 || nheld == MAXHELD)) {
			uint64_t k = tap_rand_below(nheld);
			struct held h = held[k];

			held[k] = held[--nheld];
			held_free(h);
			pages_out -= h.npages;
			continue;
		}
		if (r < 60) {
			/* Pages being zeroed stay out a while, as on an idle hart. */
			if (nzeroing < ZEROING_MAX && tap_rand_below(2) == 0) {
				if ((m = vm_phys_take_to_zero(total_pages)) != NULL) {
					/* A run forgets what the blocks it split held: zeroed again. */
					sound &= with_contig || !zero[page_index(m)];
					zeroing[nzeroing++] = m;
				}
			} else if (nzeroing > 0) {
				uint64_t k = tap_rand_below(nzeroing);

				m = zeroing[k];
				zeroing[k] = zeroing[--nzeroing];
				vm_phys_put_zeroed(m);
				model_zero += !zero[page_index(m)];
				zero[page_index(m)] = 1;
			}
			m = NULL;
		} else if (r < 75) {
			bool any = model_zero > 0;

			/* A zeroed page inside a 2 MiB run is left there if a smaller block will do. */
			bool runs_only = any && every_free_block(zero_only_if_run, zero);

			m = vm_phys_alloc_zeroed();
			complete &= with_contig || m == NULL || !any || (m->flags & PG_ZERO) || runs_only;
		} else if (r < 95 || !with_contig) {
			order = (int)(tap_rand_below(100) < 80 ? tap_rand_below(3) :
			    tap_rand_below(VM_NFREEORDER));
			npages = 1UL << order;
			m = vm_phys_alloc_pages(order);
		} else {
			npages = 1 + tap_rand_below(40);
			order = -1;
			m = vm_phys_alloc_contig(npages, 0, ~(paddr_t)0, PAGE_SIZE, 0);
		}
		if (m != NULL) {
			uint64_t base = page_index(m), had = 0;

			for (uint64_t i = 0; i < npages; i++)
				had += zero[base + i];
			if (m->flags & PG_ZERO) {
				if (sound && had != npages)
					tap_diag("zeroed: op %d: a block of %lu (order %d) claimed zero, "
					    "%lu of its pages are", op, (unsigned long)npages, order,
					    (unsigned long)had);
				sound &= had == npages;
				claims++;
			}
			zeroed_handed += had;
			/* Users write the pages' fields vm_phys keeps counts in while free. */
			for (uint64_t i = 0; i < npages; i++) {
				zero[base + i] = 0;
				m[i].pindex = tap_rand_below(1UL << 20);
			}
			model_zero -= had;
			m->flags &= ~PG_ZERO;
			held[nheld++] = (struct held){ m, npages, order };
			pages_out += npages;
		}
		if (op % 100 == 0 && claims_ok && !(claims_ok = every_free_block(block_claims_hold, zero)))
			tap_diag("zeroed: a free block's counts are wrong after op %d", op);
		counts &= vm_phys_free_count() == total_pages - pages_out &&
		    (with_contig ? vm_phys_zeroed_count() <= model_zero :
		    vm_phys_zeroed_count() == model_zero);
	}
	tap_ok(sound && claims > 1000, "zeroed%s: PG_ZERO only on pages zeroed and not handed out "
	    "since (%lu claims, %lu zeroed pages handed out)", with_contig ? ", with runs" : "",
	    (unsigned long)claims, (unsigned long)zeroed_handed);
	tap_ok(claims_ok, "zeroed%s: every free block's counts consistent and true",
	    with_contig ? ", with runs" : "");
	tap_ok(complete, "zeroed%s: a request for a zeroed page gets one whenever there is one "
	    "outside a 2 MiB run",
	    with_contig ? ", with runs" : "");
	tap_ok(counts, "zeroed%s: free count exact, zeroed count %s the model's after every step",
	    with_contig ? ", with runs" : "", with_contig ? "at most" : "equal to");
	while (nheld > 0) {
		struct held h = held[--nheld];

		held_free(h);
	}
	while (nzeroing > 0)
		vm_phys_put_zeroed(zeroing[--nzeroing]);
	tap_ok(counts_equal_baseline(), "zeroed%s: everything merges back at the end",
	    with_contig ? ", with runs" : "");
	free(held);
	free(zero);
}

int
main(void)
{
	tap_seed_from_env("VM_PHYS_SEED");
	test_segments();
	test_phys_to_page();
	test_exhaust_and_coalesce();
	test_each_order();
	test_contig();
	test_stress();
	test_misuse();
	test_flat_view();
	test_zeroed_stress(false);
	test_zeroed_stress(true);
	test_max_segments();
	test_zeroed_small();
	test_zeroed_keeps_runs();

	for (int i = 0; i < NFSEGS; i++)
		free(fsegs[i].pages);
	return tap_done();
}
