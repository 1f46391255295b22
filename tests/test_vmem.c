/*
 * Host unit test for the vmem arena (mi/vm/vmem.c), printing TAP.
 *
 * Allocations are checked against a model: one byte per quantum of each
 * span, set while the quantum is handed out.  A failed allocation is
 * checked too: the model must confirm that nothing fits.
 *
 * Build and run:
 *   gcc -std=gnu11 -g -O1 -Wall -Wextra -Werror \
 *       -fsanitize=address,undefined -fno-sanitize-recover=all \
 *       -I tests/host/include -I mi tests/test_vmem.c mi/vm/vmem.c \
 *       tests/host/host_support.c tests/host/tap.c mi/kern/spinlock.c \
 *       -lpthread -o /tmp/test_vmem && /tmp/test_vmem
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/systm.h>
#include <kern/pcpu.h>
#include <machine/cpu.h>
#include <vm/vmem.h>
#include <machine/param.h>
#include "host/host_support.h"
#include "host/tap.h"

#define Q	PAGE_SIZE			/* the quantum of most arenas */
#define BASE	0xffffffe000000000UL		/* KVA_BASE */

/*
 * The model: spans and one byte per quantum.
 */

struct span {
	vmem_addr_t	start;
	uint64_t	size;
	uint8_t		*used;		/* one byte per quantum */
};

struct model {
	struct span	span[4];
	int		nspans;
	uint64_t	inuse;		/* bytes */
};

static void
model_add_span(struct model *mo, vmem_addr_t start, uint64_t size)
{
	struct span *sp = &mo->span[mo->nspans++];

	sp->start = start;
	sp->size = size;
	sp->used = calloc(size / Q, 1);
}

static void
model_destroy(struct model *mo)
{
	for (int i = 0; i < mo->nspans; i++)
		free(mo->span[i].used);
	memset(mo, 0, sizeof(*mo));
}

/* The span wholly holding [addr, addr+size), or NULL. */
static struct span *
model_span(struct model *mo, vmem_addr_t addr, uint64_t size)
{
	for (int i = 0; i < mo->nspans; i++) {
		struct span *sp = &mo->span[i];

		if (addr >= sp->start && addr - sp->start <= sp->size &&
		    sp->size - (addr - sp->start) >= size)
			return sp;
	}
	return NULL;
}

/* Mark [addr, addr+size) used; false if outside every span or overlapping. */
static bool
model_take(struct model *mo, vmem_addr_t addr, uint64_t size)
{
	struct span *sp = model_span(mo, addr, size);
	bool fresh = true;

	if (sp == NULL)
		return false;
	for (uint64_t i = 0; i < size / Q; i++) {
		uint8_t *u = &sp->used[(addr - sp->start) / Q + i];

		if (*u)
			fresh = false;
		*u = 1;
	}
	mo->inuse += size;
	return fresh;
}

static void
model_release(struct model *mo, vmem_addr_t addr, uint64_t size)
{
	struct span *sp = model_span(mo, addr, size);

	memset(&sp->used[(addr - sp->start) / Q], 0, size / Q);
	mo->inuse -= size;
}

/* A request, as vmem_xalloc takes it. */
struct req {
	uint64_t	size, align, phase, nocross;
	vmem_addr_t	minaddr, maxaddr;
	int		flags;
};

static bool
req_met(const struct req *r, vmem_addr_t a)
{
	if (r->align != 0 && (a & (r->align - 1)) != r->phase)
		return false;
	if (r->nocross != 0 &&
	    (a & ~(r->nocross - 1)) != ((a + r->size - 1) & ~(r->nocross - 1)))
		return false;
	if (a < r->minaddr)
		return false;
	return r->maxaddr == 0 || (a < r->maxaddr && r->maxaddr - a >= r->size);
}

/*
 * Does the model have room for r?  free_run[i] is the number of free
 * quanta starting at i in its span, so each candidate costs O(1).
 */
static bool
model_has_fit(struct model *mo, const struct req *r)
{
	for (int s = 0; s < mo->nspans; s++) {
		struct span *sp = &mo->span[s];
		uint64_t n = sp->size / Q, run = 0;
		uint64_t *free_run = calloc(n + 1, sizeof(*free_run));
		bool found = false;

		for (uint64_t i = n; i-- > 0;) {
			run = sp->used[i] ? 0 : run + 1;
			free_run[i] = run;
		}
		for (uint64_t i = 0; i < n && !found; i++) {
			vmem_addr_t a = sp->start + i * Q;

			found = free_run[i] * Q >= r->size && req_met(r, a);
		}
		free(free_run);
		if (found)
			return true;
	}
	return false;
}

/*
 * Small tests.
 */

static void
test_basic(void)
{
	uint64_t pages0 = host_pages_in_use;
	vmem_t *vm = vmem_create("basic", BASE, 64 * Q, Q, VMEM_WAITOK);
	vmem_addr_t a = 0, b = 0, c = 0;

	tap_ok(vm != NULL && vmem_size_free(vm) == 64 * Q &&
	    vmem_size_allocated(vm) == 0, "create: 64 quanta free");
	vmem_check(vm);
	tap_ok(vmem_alloc(vm, 1, VMEM_WAITOK, &a) == 0 && a >= BASE &&
	    a < BASE + 64 * Q && (a & (Q - 1)) == 0 &&
	    vmem_size_allocated(vm) == Q, "alloc of 1 byte takes one quantum");
	tap_ok(vmem_alloc(vm, 3 * Q, VMEM_WAITOK, &b) == 0 && b != a &&
	    vmem_size_allocated(vm) == 4 * Q, "alloc of 3 quanta");
	vmem_check(vm);
	vmem_free(vm, a, 1);
	vmem_free(vm, b, 3 * Q);
	tap_ok(vmem_size_free(vm) == 64 * Q, "free gives everything back");
	vmem_check(vm);

	tap_ok(vmem_alloc(vm, 64 * Q, VMEM_NOWAIT, &a) == 0 && a == BASE,
	    "the whole arena in one allocation");
	tap_ok(vmem_alloc(vm, Q, VMEM_NOWAIT, &b) == ENOMEM,
	    "ENOMEM when exhausted");
	vmem_free(vm, a, 64 * Q);
	tap_ok(vmem_alloc(vm, 65 * Q, VMEM_NOWAIT, &c) == ENOMEM,
	    "ENOMEM for more than the arena");
	vmem_check(vm);
	vmem_destroy(vm);
	tap_ok(host_pages_in_use == pages0, "destroy returns every page");

	vm = vmem_create("bytes", 0x1000, 0x100, 16, VMEM_WAITOK);
	tap_ok(vm != NULL && vmem_alloc(vm, 1, VMEM_WAITOK, &a) == 0 &&
	    a == 0x1000 && vmem_alloc(vm, 17, VMEM_WAITOK, &b) == 0 &&
	    b == 0x1010 && vmem_size_allocated(vm) == 48,
	    "quantum 16: sizes round up");
	vmem_free(vm, b, 17);
	vmem_free(vm, a, 1);
	vmem_check(vm);
	vmem_destroy(vm);

	vm = vmem_create("empty", 0, 0, Q, VMEM_WAITOK);
	tap_ok(vm != NULL && vmem_size_free(vm) == 0 &&
	    vmem_alloc(vm, Q, VMEM_NOWAIT, &a) == ENOMEM,
	    "an arena created empty has nothing to give");
	tap_ok(vmem_add(vm, BASE, 8 * Q, VMEM_WAITOK) == 0 &&
	    vmem_alloc(vm, 8 * Q, VMEM_NOWAIT, &a) == 0 && a == BASE,
	    "until a span is added");
	vmem_free(vm, a, 8 * Q);
	vmem_check(vm);
	vmem_destroy(vm);
	tap_ok(host_pages_in_use == pages0,
	    "no pages leaked by the small arenas");
}

/*
 * Holes of 3 and 5 quanta, everything else allocated: instant fit for 3
 * takes the 5 (its list, [4, 8), surely fits), best fit takes the 3.
 */
static void
test_fit_policies(void)
{
	vmem_t *vm = vmem_create("fit", BASE, 64 * Q, Q, VMEM_WAITOK);
	vmem_addr_t a[5], x = 0, y = 0;
	uint64_t sizes[5] = { 3 * Q, Q, 5 * Q, Q, 54 * Q };

	for (int i = 0; i < 5; i++)
		vmem_alloc(vm, sizes[i], VMEM_WAITOK, &a[i]);
	vmem_free(vm, a[0], sizes[0]);
	vmem_free(vm, a[2], sizes[2]);
	vmem_check(vm);

	tap_ok(vmem_alloc(vm, 3 * Q, VMEM_INSTANTFIT, &x) == 0 && x == a[2],
	    "instant fit of 3 takes the 5-quantum hole");
	vmem_free(vm, x, 3 * Q);
	tap_ok(vmem_alloc(vm, 3 * Q, VMEM_BESTFIT, &x) == 0 && x == a[0],
	    "best fit of 3 takes the 3-quantum hole");
	vmem_free(vm, x, 3 * Q);
	tap_ok(vmem_alloc(vm, 5 * Q, VMEM_INSTANTFIT, &x) == 0 && x == a[2],
	    "instant fit of 5 finds the only fit in its own list");
	tap_ok(vmem_alloc(vm, 2 * Q, 0, &y) == 0 && y == a[0],
	    "the default is instant fit");
	vmem_free(vm, x, 5 * Q);
	vmem_free(vm, y, 2 * Q);
	tap_ok(vmem_alloc(vm, 6 * Q, VMEM_NOWAIT, &x) == ENOMEM &&
	    vmem_alloc(vm, 6 * Q, VMEM_BESTFIT | VMEM_NOWAIT, &x) == ENOMEM,
	    "ENOMEM when no hole is big enough");
	vmem_check(vm);
	for (int i = 1; i < 5; i += 2)
		vmem_free(vm, a[i], sizes[i]);
	vmem_free(vm, a[4], sizes[4]);
	tap_ok(vmem_size_free(vm) == 64 * Q &&
	    vmem_alloc(vm, 64 * Q, VMEM_NOWAIT, &x) == 0,
	    "coalesced back into one segment");
	vmem_free(vm, x, 64 * Q);
	vmem_check(vm);
	vmem_destroy(vm);
}

/*
 * Holes of 7 and 5 quanta share free list [4, 8), the 7 at its head: best
 * fit of 5 must search past it; instant fit, with nothing in [8, 16),
 * falls back to the first fit, the 7.
 */
static void
test_best_fit_same_list(void)
{
	vmem_t *vm = vmem_create("samelist", BASE, 64 * Q, Q, VMEM_WAITOK);
	vmem_addr_t b[5], x = 0;
	uint64_t sizes[5] = { 7 * Q, Q, 5 * Q, Q, 50 * Q };

	for (int i = 0; i < 5; i++)
		vmem_alloc(vm, sizes[i], VMEM_WAITOK, &b[i]);
	vmem_free(vm, b[2], sizes[2]);
	vmem_free(vm, b[0], sizes[0]);
	tap_ok(vmem_alloc(vm, 5 * Q, VMEM_INSTANTFIT, &x) == 0 && x == b[0],
	    "instant fit falls back to the first hole that fits");
	vmem_free(vm, x, 5 * Q);
	tap_ok(vmem_alloc(vm, 5 * Q, VMEM_BESTFIT, &x) == 0 && x == b[2],
	    "best fit searches its list for the smallest hole");
	vmem_free(vm, x, 5 * Q);
	for (int i = 1; i < 5; i += 2)
		vmem_free(vm, b[i], sizes[i]);
	vmem_free(vm, b[4], sizes[4]);
	vmem_check(vm);
	tap_ok(vmem_size_free(vm) == 64 * Q, "samelist arena empty again");
	vmem_destroy(vm);
}

static void
test_xalloc(void)
{
	vmem_t *vm = vmem_create("xalloc", BASE, 1024 * Q, Q, VMEM_WAITOK);
	vmem_addr_t a = 0, b = 0, c = 0;

	vmem_alloc(vm, Q, VMEM_WAITOK, &c);	/* so BASE is taken */
	tap_ok(vmem_xalloc(vm, Q, 64 * 1024, 0, 0, 0, 0, VMEM_WAITOK,
	    &a) == 0 && (a & 0xffff) == 0 && a != BASE, "align 64 KiB");
	tap_ok(vmem_xalloc(vm, 2 * Q, 64 * 1024, 3 * Q, 0, 0, 0, VMEM_WAITOK,
	    &b) == 0 && (b & 0xffff) == 3 * Q, "align 64 KiB, phase 12 KiB");
	vmem_free(vm, a, Q);
	vmem_free(vm, b, 2 * Q);
	vmem_free(vm, c, Q);

	/* The first free address is BASE+8K, where 12K would cross 16K. */
	vmem_alloc(vm, 2 * Q, VMEM_WAITOK, &c);
	tap_ok(vmem_xalloc(vm, 3 * Q, 0, 0, 16 * 1024, 0, 0, VMEM_WAITOK,
	    &a) == 0 && a == BASE + 16 * 1024,
	    "nocross moves the allocation to the line");
	tap_ok(vmem_xalloc(vm, 2 * Q, 0, 0, 16 * 1024, 0, 0, VMEM_WAITOK,
	    &b) == 0 && b == BASE + 8 * 1024,
	    "nocross leaves a fitting hole alone");
	vmem_free(vm, a, 3 * Q);
	vmem_free(vm, b, 2 * Q);
	vmem_free(vm, c, 2 * Q);

	tap_ok(vmem_xalloc(vm, 4 * Q, 0, 0, 0, BASE + 100 * Q, BASE + 110 * Q,
	    VMEM_WAITOK, &a) == 0 && a == BASE + 100 * Q, "minaddr honoured");
	tap_ok(vmem_xalloc(vm, 6 * Q, 0, 0, 0, BASE + 100 * Q, BASE + 110 * Q,
	    VMEM_WAITOK, &b) == 0 && b == BASE + 104 * Q, "maxaddr honoured");
	tap_ok(vmem_xalloc(vm, Q, 0, 0, 0, BASE + 100 * Q, BASE + 110 * Q,
	    VMEM_NOWAIT, &c) == ENOMEM, "ENOMEM when the window is full");
	tap_ok(vmem_xalloc(vm, 2 * Q, 0, 0, 0, 0, BASE + 2 * Q, VMEM_NOWAIT,
	    &c) == 0 && c == BASE, "maxaddr alone");
	vmem_free(vm, c, 2 * Q);
	tap_ok(vmem_xalloc(vm, Q, 0, 0, 0, BASE + 1023 * Q, 0, VMEM_NOWAIT,
	    &c) == 0 && c == BASE + 1023 * Q,
	    "minaddr alone, at the last quantum");
	vmem_free(vm, c, Q);
	vmem_free(vm, a, 4 * Q);
	vmem_free(vm, b, 6 * Q);
	tap_ok(vmem_xalloc(vm, Q, 8 * 1024 * 1024, 0, 0, 0, 0, VMEM_NOWAIT,
	    &c) == 0 && c == 0xffffffe000000000UL,
	    "alignment larger than the arena");
	vmem_free(vm, c, Q);
	tap_ok(vmem_xalloc(vm, Q, 8 * 1024 * 1024, 4 * 1024 * 1024, 0, 0, 0,
	    VMEM_NOWAIT, &c) == ENOMEM,
	    "ENOMEM when no address has the alignment and phase");
	tap_ok(vmem_size_free(vm) == 1024 * Q,
	    "xalloc tests leave the arena empty");
	vmem_check(vm);
	vmem_destroy(vm);
}

/* Adjacent and separate spans; spans are never merged. */
static void
test_spans(void)
{
	vmem_t *vm = vmem_create("spans", BASE + 0x100000, 16 * Q, Q, VMEM_WAITOK);
	vmem_addr_t a = 0, b = 0, c = 0, d = 0;

	tap_ok(vmem_add(vm, BASE + 0x100000 + 16 * Q, 16 * Q,
	    VMEM_WAITOK) == 0 && vmem_add(vm, BASE, 16 * Q, VMEM_WAITOK) == 0 &&
	    vmem_size_free(vm) == 48 * Q,
	    "two more spans, one adjacent, one below");
	vmem_check(vm);
	tap_ok(vmem_alloc(vm, 32 * Q, VMEM_NOWAIT, &a) == ENOMEM,
	    "no allocation across two adjacent spans");
	tap_ok(vmem_alloc(vm, 16 * Q, VMEM_NOWAIT, &a) == 0 &&
	    vmem_alloc(vm, 16 * Q, VMEM_NOWAIT, &b) == 0 &&
	    vmem_alloc(vm, 16 * Q, VMEM_NOWAIT, &c) == 0 &&
	    vmem_alloc(vm, Q, VMEM_NOWAIT, &d) == ENOMEM,
	    "each span gives one 16-quantum allocation");
	tap_ok(a != b && b != c && a != c &&
	    (a == BASE || b == BASE || c == BASE), "the three spans are used");
	vmem_check(vm);
	vmem_free(vm, b, 16 * Q);
	vmem_free(vm, a, 16 * Q);
	vmem_free(vm, c, 16 * Q);
	tap_ok(vmem_size_free(vm) == 48 * Q && vmem_size_allocated(vm) == 0,
	    "all spans free again");
	vmem_check(vm);
	vmem_destroy(vm);
}

/*
 * Boundary tags with VMEM_NOWAIT fail cleanly when no page is to be had.
 * The allocations need two new tags each (a free part on either side),
 * after an optional first one that needs one, so that whatever the
 * parity of the tags per page, one run meets a reserve of exactly one.
 */
static int
alloc_until_no_tags(vmem_t *vm, bool odd_first, vmem_addr_t *addrs, int max,
    int *errorp)
{
	int n = 0, error = 0;

	while (n < max) {
		if (n == 0 && odd_first)
			error = vmem_alloc(vm, Q, VMEM_NOWAIT, &addrs[n]);
		else
			error = vmem_xalloc(vm, Q, 4 * Q, 2 * Q, 0, 0, 0,
			    VMEM_NOWAIT, &addrs[n]);
		if (error != 0)
			break;
		n++;
	}
	*errorp = error;
	return n;
}

static void
test_tag_exhaustion(void)
{
	uint64_t pages0 = host_pages_in_use;
	vmem_addr_t addrs[400];

	host_page_alloc_fail_after = 0;
	tap_ok(vmem_create("nomem", BASE, 4096 * Q, Q, VMEM_NOWAIT) == NULL,
	    "create returns NULL without memory");
	host_page_alloc_fail_after = 1;		/* the arena, but no tags */
	tap_ok(vmem_create("notags", BASE, 4096 * Q, Q, VMEM_NOWAIT) == NULL &&
	    host_pages_in_use == pages0, "create without tags cleans up");
	host_page_alloc_fail_after = -1;

	for (int odd = 0; odd < 2; odd++) {
		vmem_t *vm = vmem_create("tags", BASE, 4096 * Q, Q, VMEM_WAITOK);
		int n, error;

		host_page_alloc_fail_after = 0;
		n = alloc_until_no_tags(vm, odd, addrs, 400, &error);
		tap_ok(error == ENOMEM && n > 0 && n < 400 &&
		    vmem_size_free(vm) > 0,
		    "ENOMEM after %d allocations when tags run out", n);
		vmem_check(vm);
		host_page_alloc_fail_after = -1;
		tap_ok(vmem_xalloc(vm, Q, 4 * Q, 2 * Q, 0, 0, 0, VMEM_NOWAIT,
		    &addrs[n]) == 0, "allocations resume when pages come back");
		n++;
		vmem_check(vm);
		while (n > 0) {
			n--;
			vmem_free(vm, addrs[n], Q);
		}
		vmem_check(vm);
		vmem_destroy(vm);
	}
	tap_ok(host_pages_in_use == pages0, "no pages leaked");
}

/*
 * Random stress against the model, over two spans, with every kind of
 * request.  vmem_check runs every few operations.
 */

struct held {
	vmem_addr_t	addr;
	uint64_t	size;
};

static void
random_req(struct model *mo, struct req *r)
{
	uint64_t quanta = tap_rand_below(100) < 90 ? 1 + tap_rand_below(16) :
	    1 + tap_rand_below(300);

	memset(r, 0, sizeof(*r));
	r->size = quanta * Q - (tap_rand_below(4) == 0 ? tap_rand_below(Q) : 0);
	r->flags = (tap_rand_below(3) == 0 ? VMEM_BESTFIT : VMEM_INSTANTFIT) |
	    VMEM_NOWAIT;
	if (tap_rand_below(2) == 0)
		return;
	if (tap_rand_below(2) == 0) {
		r->align = Q << tap_rand_below(8);
		r->phase = tap_rand_below(r->align / Q) * Q;
	}
	if (tap_rand_below(3) == 0) {
		uint64_t rounded = quanta * Q;

		r->nocross = Q << tap_rand_below(12);
		if ((r->phase & (r->nocross - 1)) + rounded > r->nocross)
			r->nocross = 0;
	}
	if (tap_rand_below(3) == 0) {
		const struct span *sp = &mo->span[tap_rand_below(mo->nspans)];

		r->minaddr = sp->start + tap_rand_below(sp->size / Q) * Q;
		if (tap_rand_below(2) == 0)
			r->maxaddr = r->minaddr + (1 + tap_rand_below(600)) * Q;
	}
}

static void
test_stress(void)
{
	enum { NOPS = 100000, MAXHELD = 1500, CHECK_EVERY = 64 };
	uint64_t pages0 = host_pages_in_use;
	vmem_t *vm = vmem_create("stress", BASE, 4096 * Q, Q, VMEM_WAITOK);
	struct held *held = calloc(MAXHELD, sizeof(*held));
	struct model mo = { 0 };
	int nheld = 0, nalloc = 0, nenomem = 0, nxalloc = 0;
	bool inside = true, constraints = true, totals = true, honest = true;
	bool whole = true;

	model_add_span(&mo, BASE, 4096 * Q);
	vmem_add(vm, BASE + 0x4000000, 2048 * Q, VMEM_WAITOK);
	model_add_span(&mo, BASE + 0x4000000, 2048 * Q);

	for (int op = 0; op < NOPS; op++) {
		if (nheld < MAXHELD &&
		    (nheld == 0 || tap_rand_below(100) < 52)) {
			struct req r;
			vmem_addr_t a;
			bool plain;
			int error;

			random_req(&mo, &r);
			plain = r.align == 0 && r.nocross == 0 && r.minaddr == 0;
			error = plain ? vmem_alloc(vm, r.size, r.flags, &a) :
			    vmem_xalloc(vm, r.size, r.align, r.phase, r.nocross,
			    r.minaddr, r.maxaddr, r.flags, &a);
			r.size = roundup2(r.size, Q);
			if (error != 0) {
				nenomem++;
				if (error != ENOMEM || model_has_fit(&mo, &r))
					honest = false;
			} else {
				nalloc++;
				nxalloc += !plain;
				if (!model_take(&mo, a, r.size))
					inside = false;
				if (!req_met(&r, a))
					constraints = false;
				held[nheld++] = (struct held){ a, r.size };
			}
		} else {
			int k = (int)tap_rand_below(nheld);

			vmem_free(vm, held[k].addr, held[k].size);
			model_release(&mo, held[k].addr, held[k].size);
			held[k] = held[--nheld];
		}
		if (vmem_size_allocated(vm) != mo.inuse ||
		    vmem_size_free(vm) != 6144 * Q - mo.inuse)
			totals = false;
		if (op % CHECK_EVERY == 0)
			vmem_check(vm);
	}
	tap_ok(inside, "stress: %d allocations (%d constrained) inside spans, "
	    "never overlapping", nalloc, nxalloc);
	tap_ok(constraints,
	    "stress: align, phase, nocross, min and max honoured");
	tap_ok(honest, "stress: each of %d ENOMEMs confirmed by the model",
	    nenomem);
	tap_ok(totals, "stress: size_allocated and size_free track the model");

	while (nheld > 0) {
		nheld--;
		vmem_free(vm, held[nheld].addr, held[nheld].size);
	}
	vmem_check(vm);
	for (int s = 0; s < mo.nspans; s++) {
		vmem_addr_t a;

		if (vmem_xalloc(vm, mo.span[s].size, 0, 0, 0, mo.span[s].start, 0,
		    VMEM_NOWAIT, &a) != 0 || a != mo.span[s].start)
			whole = false;
		else
			vmem_free(vm, a, mo.span[s].size);
	}
	tap_ok(vmem_size_free(vm) == 6144 * Q && whole,
	    "stress: each span coalesced back into one free segment");
	vmem_check(vm);
	vmem_destroy(vm);
	tap_ok(host_pages_in_use == pages0,
	    "stress: pages (tags, hash tables) return to baseline after destroy");
	model_destroy(&mo);
	free(held);
}

/* Enough live segments to grow the hash table several times. */
static void
test_hash_growth(void)
{
	enum { N = 20000 };
	uint64_t pages0 = host_pages_in_use;
	vmem_t *vm = vmem_create("hash", BASE, N * 16, 16, VMEM_WAITOK);
	vmem_addr_t *a = calloc(N, sizeof(*a));
	bool all = true;
	uint64_t peak;

	for (int i = 0; i < N; i++)
		if (vmem_alloc(vm, 16, VMEM_WAITOK, &a[i]) != 0)
			all = false;
	peak = host_pages_in_use - pages0;
	vmem_check(vm);
	tap_ok(all && vmem_size_free(vm) == 0, "%d single-quantum allocations "
	    "fill the arena (%lu pages of tags and tables)", N,
	    (unsigned long)peak);
	for (int i = 0; i < N; i += 2)
		vmem_free(vm, a[i], 16);
	vmem_check(vm);
	for (int i = 1; i < N; i += 2)
		vmem_free(vm, a[i], 16);
	tap_ok(vmem_size_free(vm) == N * 16, "freed in two passes");
	vmem_check(vm);
	vmem_destroy(vm);
	tap_ok(host_pages_in_use == pages0, "hash growth leaks no pages");
	free(a);
}

/*
 * Four threads, each its own "cpu", hammer one arena.  A shared bitmap
 * of quanta catches any range handed to two threads at once.
 */

#define MT_QUANTA	4096
#define MT_THREADS	4
#define MT_OPS		50000

static vmem_t *mt_arena;
static uint8_t mt_used[MT_QUANTA];
static int mt_overlaps, mt_errors;

static void *
mt_worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	struct held held[64];
	int nheld = 0;

	host_pcpu.pc_cpuid = (uint32_t)id + 1;
	tap_srand(0x1234567ULL * (uint64_t)(id + 1) + 1);
	for (int op = 0; op < MT_OPS; op++) {
		if (nheld < 64 && (nheld == 0 || tap_rand_below(2) == 0)) {
			uint64_t size = (1 + tap_rand_below(24)) * Q;
			vmem_addr_t a;
			int error = tap_rand_below(4) == 0 ?
			    vmem_xalloc(mt_arena, size, 4 * Q, 0, 0, 0, 0,
			    VMEM_NOWAIT | VMEM_BESTFIT, &a) :
			    vmem_alloc(mt_arena, size, VMEM_NOWAIT, &a);

			if (error != 0) {
				if (error != ENOMEM)
					__atomic_add_fetch(&mt_errors, 1, __ATOMIC_RELAXED);
				continue;
			}
			for (uint64_t i = 0; i < size / Q; i++)
				if (__atomic_exchange_n(&mt_used[(a - BASE) / Q + i],
				    1, __ATOMIC_RELAXED) != 0)
					__atomic_add_fetch(&mt_overlaps, 1,
					    __ATOMIC_RELAXED);
			held[nheld++] = (struct held){ a, size };
		} else {
			int k = (int)tap_rand_below(nheld);

			for (uint64_t i = 0; i < held[k].size / Q; i++)
				__atomic_store_n(&mt_used[(held[k].addr - BASE) / Q + i],
				    0, __ATOMIC_RELAXED);
			vmem_free(mt_arena, held[k].addr, held[k].size);
			held[k] = held[--nheld];
		}
		if (id == 0 && op % 1000 == 0)
			vmem_check(mt_arena);
	}
	while (nheld > 0) {
		nheld--;
		for (uint64_t i = 0; i < held[nheld].size / Q; i++)
			__atomic_store_n(&mt_used[(held[nheld].addr - BASE) / Q + i],
			    0, __ATOMIC_RELAXED);
		vmem_free(mt_arena, held[nheld].addr, held[nheld].size);
	}
	return NULL;
}

static void
test_threads(void)
{
	uint64_t pages0 = host_pages_in_use;
	pthread_t t[MT_THREADS];
	bool started = true;

	/* Small enough that the threads also run out of space. */
	mt_arena = vmem_create("mt", BASE, MT_QUANTA * Q, Q, VMEM_WAITOK);
	for (int i = 0; i < MT_THREADS; i++)
		if (pthread_create(&t[i], NULL, mt_worker, (void *)(intptr_t)i) != 0)
			started = false;
	for (int i = 0; i < MT_THREADS; i++)
		pthread_join(t[i], NULL);
	tap_ok(started && mt_overlaps == 0 && mt_errors == 0,
	    "threads: %d threads x %d ops, no range handed out twice",
	    MT_THREADS, MT_OPS);
	vmem_check(mt_arena);
	tap_ok(vmem_size_free(mt_arena) == MT_QUANTA * Q &&
	    vmem_size_allocated(mt_arena) == 0, "threads: everything freed");
	vmem_destroy(mt_arena);
	tap_ok(host_pages_in_use == pages0, "threads: no pages leaked");
}

/*
 * Misuse must panic; each case runs in a child.
 */
static void
free_unallocated(void)
{
	vmem_t *vm = vmem_create("bad", BASE, 64 * Q, Q, VMEM_WAITOK);
	vmem_addr_t a;

	vmem_alloc(vm, 2 * Q, VMEM_WAITOK, &a);
	vmem_free(vm, a + Q, Q);
}

static void
free_twice(void)
{
	vmem_t *vm = vmem_create("bad", BASE, 64 * Q, Q, VMEM_WAITOK);
	vmem_addr_t a;

	vmem_alloc(vm, 2 * Q, VMEM_WAITOK, &a);
	vmem_free(vm, a, 2 * Q);
	vmem_free(vm, a, 2 * Q);
}

static void
free_wrong_size(void)
{
	vmem_t *vm = vmem_create("bad", BASE, 64 * Q, Q, VMEM_WAITOK);
	vmem_addr_t a;

	vmem_alloc(vm, 2 * Q, VMEM_WAITOK, &a);
	vmem_free(vm, a, Q);
}

static void
destroy_busy(void)
{
	vmem_t *vm = vmem_create("bad", BASE, 64 * Q, Q, VMEM_WAITOK);
	vmem_addr_t a;

	vmem_alloc(vm, 2 * Q, VMEM_WAITOK, &a);
	vmem_destroy(vm);
}

static void
overlapping_span(void)
{
	vmem_t *vm = vmem_create("bad", BASE, 64 * Q, Q, VMEM_WAITOK);

	vmem_add(vm, BASE + 63 * Q, 4 * Q, VMEM_WAITOK);
}

static void
impossible_nocross(void)
{
	vmem_t *vm = vmem_create("bad", BASE, 64 * Q, Q, VMEM_WAITOK);
	vmem_addr_t a;

	vmem_xalloc(vm, 3 * Q, 0, 0, 2 * Q, 0, 0, VMEM_WAITOK, &a);
}

static void
test_misuse(void)
{
	tap_expect_abort(free_unallocated, NULL,
	    "freeing an address never allocated panics");
	tap_expect_abort(free_twice, NULL, "double free panics");
	tap_expect_abort(free_wrong_size, NULL,
	    "freeing with the wrong size panics");
	tap_expect_abort(destroy_busy, NULL,
	    "destroying an arena in use panics");
	tap_expect_abort(overlapping_span, NULL,
	    "adding an overlapping span panics");
	tap_expect_abort(impossible_nocross, NULL,
	    "a size larger than nocross panics");
}

int
main(void)
{
	uint64_t pages0 = host_pages_in_use;

	tap_seed_from_env("VMEM_SEED");

	test_basic();
	test_fit_policies();
	test_best_fit_same_list();
	test_xalloc();
	test_spans();
	test_tag_exhaustion();
	test_stress();
	test_hash_growth();
	test_threads();
	test_misuse();
	tap_ok(host_pages_in_use == pages0, "no pages held at the end (%lu)",
	    (unsigned long)host_pages_in_use);
	return tap_done();
}
