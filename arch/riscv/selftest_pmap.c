/*
 * Self-tests of the user pmap, through real translations: the tests
 * activate their pmaps on this cpu and reach the pages with the
 * user-copy helpers, which run with sstatus.SUM set and so go through
 * the user page table.  This thread has no vmspace, so a fault there
 * comes straight back as EFAULT, and the tests play the VM system's
 * part by calling pmap_fault.
 *
 * Also covered: superpages (entering a 2 MiB leaf, the changes made to
 * it whole, demotion by each path, shootdown of a superpage), the copy helpers' range checks and error paths, ASID
 * rollovers in a shrunken ASID space, TLB flushes as this and the other
 * cpus see them, the other cpus racing this one through pmap- and
 * page-centric calls, running out of memory, and that every page,
 * page-table page and pv entry comes back at the end.
 *
 * The other cpus are borrowed through cpu_call (their IPI handlers):
 * the tests run at boot, before the scheduler gives them anything else
 * to do.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/device.h>
#include <kern/pcpu.h>
#include <kern/selftest.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <machine/csr.h>
#include <machine/pte.h>
#include <vm/pmap.h>
#include <vm/vm_page.h>
#include <vm/zone.h>
#include "pmap_var.h"
#include "riscv.h"

/* Each test has its own user addresses. */
#define VA_COPY		0x00100000UL
#define VA_UNMAPPED	0x00f00000UL
#define VA_ENTER	0x01000000UL
#define VA_REF		0x02000000UL
#define VA_RANGE	0x40200000UL	/* 1 GiB + 2 MiB: on an L0 table boundary */
#define VA_GIG		0x80000000UL	/* on an L1 table (1 GiB) boundary */
#define VA_SHARED	0x03000000UL
#define VA_WIRED	0x04000000UL
#define VA_ASID		0x05000000UL
#define VA_REMOTE	0x06000000UL
#define VA_NOMEM	0x07000000UL
#define VA_NOMEM_FAR	0xc0000000UL	/* a gigabyte with no tables yet */
#define VA_DEVICE	0x08000000UL
#define VA_STRESS	0x09000000UL
#define VA_EXEC		0x0a000000UL
#define VA_SPARSE	0x0b000000UL	/* on an L0 table (2 MiB) boundary */
#define VA_LAZY		0x0c000000UL
#define VA_SUPER	0x100000000UL	/* 4 GiB: a gigabyte of its own, 2 MiB aligned */

#define U(va)		((void *)(vaddr_t)(va))

static bool helper_leaked;	/* a helper returned with SUM set or td_onfault armed */

static uint8_t *
page_kva(struct vm_page *m)
{
	return (uint8_t *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m));
}

static struct vm_page *
page_new(uint8_t fill)
{
	struct vm_page *m = vm_page_alloc_pages(0, VM_ALLOC_SYSTEM | VM_ALLOC_NOWAIT);

	if (m == NULL)
		panic("selftest pmap: no free page");
	memset(page_kva(m), fill, PAGE_SIZE);
	/* The pmap's page flags outlive vm_page_free_pages: start clean. */
	pmap_clear_modify(m);
	pmap_ts_referenced(m);
	return m;
}

static void
page_put(struct vm_page *m)
{
	vm_page_free_pages(m, 0);
}

static void
after_helper(void)
{
	if ((csr_read(sstatus) & SSTATUS_SUM) || curcpu()->pc_curthread->td_onfault != 0)
		helper_leaked = true;
}

static int
cin(vaddr_t va, void *buf, size_t len)
{
	int error = copyin(U(va), buf, len);

	after_helper();
	return error;
}

static int
cout(const void *buf, vaddr_t va, size_t len)
{
	int error = copyout(buf, U(va), len);

	after_helper();
	return error;
}

static int
fetch32(vaddr_t va, uint32_t *v)
{
	int error = fetch_u32(U(va), v);

	after_helper();
	return error;
}

static int
store32(vaddr_t va, uint32_t v)
{
	int error = store_u32(U(va), v);

	after_helper();
	return error;
}

static bool
clean(pmap_t p)
{
	return pmap_check(p) == 0;
}

static uint64_t
pt_pages(void)
{
	struct pmap_stats st;

	pmap_get_stats(&st);
	return st.pt_pages;
}

/*
 * The copy helpers.
 */

static uint8_t kbuf[2 * PAGE_SIZE], kbuf2[2 * PAGE_SIZE];

static void
test_copy_bulk(struct vm_page *a, struct vm_page *b)
{
	const size_t len = 6000, first = PAGE_SIZE - 5;

	for (size_t i = 0; i < sizeof(kbuf); i++)
		kbuf[i] = (uint8_t)(i * 7 + 3);
	selftest_ok(cout(kbuf, VA_COPY + 5, len) == 0 &&
	    memcmp(page_kva(a) + 5, kbuf, first) == 0 &&
	    memcmp(page_kva(b), kbuf + first, len - first) == 0,
	    "copyout: 6000 unaligned bytes across a page boundary");
	memset(kbuf2, 0, sizeof(kbuf2));
	selftest_ok(cin(VA_COPY + 5, kbuf2 + 5, len) == 0 && memcmp(kbuf2 + 5, kbuf, len) == 0,
	    "copyin: both sides equally misaligned (word copy)");
	selftest_ok(cin(VA_COPY + 5, kbuf2 + 2, len) == 0 && memcmp(kbuf2 + 2, kbuf, len) == 0,
	    "copyin: different alignments (byte copy)");
	selftest_ok(cin(VA_COPY + 2 * PAGE_SIZE - 4, kbuf2, 8) == EFAULT,
	    "copyin running into an unmapped page fails with EFAULT");
	selftest_ok(cin(VA_UNMAPPED, kbuf2, 1) == EFAULT && cout(kbuf, VA_UNMAPPED, 1) == EFAULT,
	    "copyin and copyout at an unmapped address fail with EFAULT");
}

static void
test_copy_ranges(void)
{
	uint32_t secret = 42;

	selftest_ok(cin((vaddr_t)&secret, kbuf2, sizeof(secret)) == EFAULT &&
	    cout(kbuf, (vaddr_t)kbuf2, 4) == EFAULT,
	    "a kernel address passed as a user pointer is refused");
	selftest_ok(cin(~0UL - 3, kbuf2, 8) == EFAULT && copy_check_range(U(0x1000), ~0UL) == EFAULT,
	    "a range wrapping around 2^64 is refused");
	selftest_ok(copy_check_range(U(USER_MAX - 4), 8) == EFAULT &&
	    copy_check_range(U(USER_MAX - 8), 8) == 0,
	    "a range must end at or below USER_MAX");
}

static void
test_copy_strings(struct vm_page *a, struct vm_page *b)
{
	char s[64];
	size_t done = 99;

	strlcpy((char *)page_kva(a) + 100, "hello, world", 64);
	selftest_ok(copyinstr(U(VA_COPY + 100), s, sizeof(s), &done) == 0 && done == 13 &&
	    strcmp(s, "hello, world") == 0, "copyinstr copies a string and its NUL");
	after_helper();
	selftest_ok(copyinstr(U(VA_COPY + 100), s, 13, &done) == 0 &&
	    copyinstr(U(VA_COPY + 100), s, 12, &done) == ENAMETOOLONG && done == 12,
	    "copyinstr: no NUL within maxlen gives ENAMETOOLONG");
	after_helper();
	memset(page_kva(b) + PAGE_SIZE - 16, 'x', 16);
	selftest_ok(copyinstr(U(VA_COPY + 2 * PAGE_SIZE - 16), s, sizeof(s), &done) == EFAULT,
	    "copyinstr of a string running into an unmapped page: EFAULT");
	after_helper();
	selftest_ok(copyinstr("kernel", s, sizeof(s), &done) == EFAULT &&
	    copyinstr(U(USER_MAX - 2), s, sizeof(s), &done) == EFAULT,
	    "copyinstr refuses kernel addresses and the end of user space");
	after_helper();
}

static void
test_copy_words(struct vm_page *a)
{
	uint64_t v64 = 0;
	uint32_t v32 = 0;
	uint16_t v16 = 0;
	uint8_t v8 = 0;

	selftest_ok(store32(VA_COPY + 8, 0xdeadbeef) == 0 && fetch32(VA_COPY + 8, &v32) == 0 &&
	    v32 == 0xdeadbeef && *(uint32_t *)(page_kva(a) + 8) == 0xdeadbeef,
	    "store_u32 and fetch_u32");
	selftest_ok(store_u64(U(VA_COPY + 16), 0x0123456789abcdefUL) == 0 &&
	    fetch_u64(U(VA_COPY + 16), &v64) == 0 && v64 == 0x0123456789abcdefUL &&
	    store_u16(U(VA_COPY + 30), 0xbeef) == 0 && fetch_u16(U(VA_COPY + 30), &v16) == 0 &&
	    v16 == 0xbeef && store_u8(U(VA_COPY + 33), 0x7f) == 0 &&
	    fetch_u8(U(VA_COPY + 33), &v8) == 0 && v8 == 0x7f,
	    "store and fetch of 64, 16 and 8 bits");
	after_helper();
	selftest_ok(fetch32(VA_COPY + 2, &v32) == EFAULT && store_u64(U(VA_COPY + 4), 0) == EFAULT,
	    "misaligned user words are refused");
	after_helper();
	selftest_ok(fetch_u64(U(&v64), &v64) == EFAULT && store32(VA_UNMAPPED, 1) == EFAULT,
	    "word access to a kernel or unmapped address: EFAULT");
	after_helper();
}

static void
test_copy(void)
{
	pmap_t p = pmap_create();
	struct vm_page *a = page_new(0), *b = page_new(0);
	uint32_t v;

	if (!selftest_ok(p != NULL, "pmap_create"))
		return;
	pmap_activate(p);
	selftest_ok(pmap_enter(p, VA_COPY, a, VM_PROT_RW, VM_PROT_WRITE) == 0 &&
	    pmap_enter(p, VA_COPY + PAGE_SIZE, b, VM_PROT_RW, VM_PROT_WRITE) == 0,
	    "enter two writable pages");
	test_copy_bulk(a, b);
	test_copy_ranges();
	test_copy_strings(a, b);
	test_copy_words(a);
	pmap_protect(p, VA_COPY, VA_COPY + PAGE_SIZE, VM_PROT_READ);
	selftest_ok(store32(VA_COPY, 1) == EFAULT && fetch32(VA_COPY, &v) == 0,
	    "after pmap_protect(READ) stores fault and loads work");
	selftest_ok(!helper_leaked,
	    "SUM is clear and td_onfault disarmed whenever a helper returns");
	selftest_ok(clean(p), "pmap_check clean after the copy tests");
	pmap_remove(p, VA_COPY, VA_COPY + 2 * PAGE_SIZE);
	pmap_activate_kernel();
	pmap_destroy(p);
	page_put(a);
	page_put(b);
}

/*
 * Entering pages, write faults and the modified state.
 */

static void
test_read_only(pmap_t p, struct vm_page *ro)
{
	uint8_t buf[16];

	selftest_ok(pmap_enter(p, VA_ENTER, ro, VM_PROT_READ, VM_PROT_READ) == 0,
	    "enter a read-only page");
	selftest_ok(cin(VA_ENTER + 8, buf, sizeof(buf)) == 0 && buf[0] == 0xa5 && buf[15] == 0xa5,
	    "copyin reads it through the user page table");
	selftest_ok(cout(buf, VA_ENTER, 1) == EFAULT, "copyout to it fails with EFAULT");
	selftest_ok(!pmap_fault(p, VA_ENTER, VM_PROT_WRITE),
	    "pmap_fault refuses a write to a read-only page");
	selftest_ok(pmap_extract(p, VA_ENTER + 5) == VM_PAGE_TO_PHYS(ro) + 5 &&
	    pmap_extract_prot(p, VA_ENTER) == VM_PROT_READ &&
	    pmap_extract(p, VA_ENTER + 64 * PAGE_SIZE) == 0,
	    "pmap_extract and pmap_extract_prot");
}

static void
test_clean_writable(pmap_t p, struct vm_page *rw)
{
	vaddr_t va = VA_ENTER + PAGE_SIZE;
	struct pmap_stats s0, s1;
	uint32_t v = 0x11223344;

	selftest_ok(pmap_enter(p, va, rw, VM_PROT_RW, VM_PROT_READ) == 0 &&
	    !pmap_is_modified(rw) && pmap_extract_prot(p, va) == VM_PROT_RW,
	    "a writable page entered for a read is clean, and reported writable");
	pmap_get_stats(&s0);
	selftest_ok(cout(&v, va + 4, 4) == EFAULT, "the first write to it faults");
	selftest_ok(pmap_fault(p, va + 4, VM_PROT_WRITE), "pmap_fault resolves that fault");
	pmap_get_stats(&s1);
	selftest_ok(s1.dirty_faults == s0.dirty_faults + 1, "counted as a dirty fault");
	selftest_ok(cout(&v, va + 4, 4) == 0 && *(uint32_t *)(page_kva(rw) + 4) == v,
	    "the retried write lands in the page");
	selftest_ok(pmap_is_modified(rw), "and the page is modified");
	selftest_ok(clean(p), "pmap_check clean after a dirty fault");
	pmap_clear_modify(rw);
	selftest_ok(!pmap_is_modified(rw) && cout(&v, va, 4) == EFAULT &&
	    pmap_extract_prot(p, va) == VM_PROT_RW,
	    "pmap_clear_modify: clean again, still writable, the next write faults");
	selftest_ok(pmap_fault(p, va, VM_PROT_WRITE) && cout(&v, va, 4) == 0 &&
	    pmap_is_modified(rw), "which pmap_fault resolves again");
	selftest_ok(clean(p), "pmap_check clean after pmap_clear_modify");
}

static void
test_dirty_at_once(pmap_t p, struct vm_page *wr)
{
	vaddr_t va = VA_ENTER + 2 * PAGE_SIZE;
	uint32_t v = 7;

	selftest_ok(pmap_enter(p, va, wr, VM_PROT_RW, VM_PROT_WRITE) == 0 &&
	    pmap_is_modified(wr) && cout(&v, va, 4) == 0,
	    "a page entered for a write is modified and writable at once");
	selftest_ok(pmap_enter(p, va, wr, VM_PROT_READ, VM_PROT_READ) == 0 &&
	    cout(&v, va, 4) == EFAULT && pmap_is_modified(wr) && pmap_page_mapping_count(wr) == 1,
	    "entered again read-only: writes fault, the modification is kept");
	selftest_ok(clean(p), "pmap_check clean after re-entering a page");
}

static void
test_enter(void)
{
	pmap_t p = pmap_create();
	struct vm_page *ro = page_new(0xa5), *rw = page_new(0), *wr = page_new(0);
	uint8_t byte;

	if (!selftest_ok(p != NULL, "pmap_create"))
		return;
	pmap_activate(p);
	test_read_only(p, ro);
	test_clean_writable(p, rw);
	test_dirty_at_once(p, wr);
	selftest_ok(pmap_resident_count(p) == 3, "three pages resident");
	pmap_remove(p, VA_ENTER, VA_ENTER + 3 * PAGE_SIZE);
	selftest_ok(pmap_resident_count(p) == 0 && !pmap_page_is_mapped(ro) &&
	    cin(VA_ENTER, &byte, 1) == EFAULT, "pmap_remove unmaps them");
	selftest_ok(clean(p), "pmap_check clean after pmap_remove");
	pmap_activate_kernel();
	pmap_destroy(p);
	page_put(ro);
	page_put(rw);
	page_put(wr);
}

/*
 * The referenced state.
 */

static void
test_referenced(void)
{
	pmap_t p = pmap_create();
	struct vm_page *m = page_new(0x5a);
	struct pmap_stats s0, s1;
	bool faulted = false;
	uint8_t byte = 0;
	int error;

	pmap_activate(p);
	pmap_enter(p, VA_REF, m, VM_PROT_RW, VM_PROT_READ);
	selftest_ok(pmap_is_referenced(m), "a new mapping is referenced (A set at entry)");
	selftest_ok(pmap_ts_referenced(m) == 1 && !pmap_is_referenced(m),
	    "pmap_ts_referenced counts one reference and clears it");
	/* Hardware may set A itself (QEMU); the U74 faults and pmap_fault does it. */
	if ((error = cin(VA_REF, &byte, 1)) == EFAULT) {
		faulted = pmap_fault(p, VA_REF, VM_PROT_READ);
		error = cin(VA_REF, &byte, 1);
	}
	selftest_ok(error == 0 && byte == 0x5a && pmap_is_referenced(m),
	    "an access references the page again (%s)", faulted ? "by a fault" : "by hardware");
	pmap_ts_referenced(m);
	pmap_get_stats(&s0);
	selftest_ok(pmap_fault(p, VA_REF, VM_PROT_READ) && pmap_is_referenced(m),
	    "pmap_fault sets a cleared A bit");
	pmap_get_stats(&s1);
	selftest_ok(s1.ref_faults == s0.ref_faults + 1, "counted as a reference fault");
	pmap_remove(p, VA_REF, VA_REF + PAGE_SIZE);
	selftest_ok(pmap_is_referenced(m) && pmap_ts_referenced(m) == 1 && !pmap_is_referenced(m),
	    "a removed mapping's reference is remembered, and counted once");
	selftest_ok(clean(p), "pmap_check clean after the reference tests");
	pmap_activate_kernel();
	pmap_destroy(p);
	page_put(m);
}

/*
 * Ranges across table boundaries: protect, remove, free tables.
 */

#define RANGE_PAGES	8
#define RANGE_START	(VA_RANGE - 4 * PAGE_SIZE)
#define RANGE_END	(VA_RANGE + L1_SIZE + 4 * PAGE_SIZE)	/* 520 pages, 3 L0 tables */

/* Map RANGE_PAGES pages round-robin over [sva, eva); write each va's index at its own offset. */
static bool
map_round_robin(pmap_t p, struct vm_page **pages, vaddr_t sva, vaddr_t eva, uint64_t *n)
{
	bool ok = true;

	for (vaddr_t va = sva; va < eva; va += PAGE_SIZE, (*n)++) {
		struct vm_page *m = pages[*n % RANGE_PAGES];
		vaddr_t off = (*n / RANGE_PAGES) * sizeof(uint32_t);

		ok &= pmap_enter(p, va, m, VM_PROT_RW, VM_PROT_WRITE) == 0;
		ok &= store32(va + off, (uint32_t)*n) == 0;
		ok &= *(uint32_t *)(page_kva(m) + off) == (uint32_t)*n;
	}
	return ok;
}

static void
test_range_protect(pmap_t p, struct vm_page **pages)
{
	uint32_t v;

	pmap_protect(p, RANGE_START, RANGE_END, VM_PROT_READ);
	selftest_ok(store32(RANGE_START, 1) == EFAULT && store32(VA_RANGE + 100 * PAGE_SIZE, 1) == EFAULT &&
	    store32(RANGE_END - PAGE_SIZE, 1) == EFAULT && fetch32(RANGE_START, &v) == 0 &&
	    !pmap_fault(p, RANGE_START, VM_PROT_WRITE),
	    "pmap_protect(READ) over 520 pages: no page is writable any more");
	selftest_ok(store32(VA_GIG, 1) == 0, "pages outside the range stay writable");
	selftest_ok(pmap_is_modified(pages[3]), "write-protected pages stay modified");
	selftest_ok(clean(p), "pmap_check clean after pmap_protect");
}

static void
test_range_remove(pmap_t p, struct vm_page **pages, uint64_t pt0)
{
	uint32_t v;

	pmap_remove(p, VA_RANGE, VA_RANGE + L1_SIZE);
	selftest_ok(pt_pages() == pt0 + 6 && pmap_resident_count(p) == 528 - 512,
	    "removing the middle 2 MiB frees its page table (%lu table pages)", pt_pages() - pt0);
	selftest_ok(pmap_extract(p, VA_RANGE + PAGE_SIZE) == 0 && fetch32(VA_RANGE, &v) == EFAULT &&
	    fetch32(VA_RANGE - PAGE_SIZE, &v) == 0 && fetch32(VA_RANGE + L1_SIZE, &v) == 0,
	    "the middle is unmapped, its neighbours are not");
	selftest_ok(clean(p), "pmap_check clean after removing a table's worth");
	pmap_remove(p, RANGE_START, RANGE_START + 2 * PAGE_SIZE);
	selftest_ok(pt_pages() == pt0 + 6 && pmap_resident_count(p) == 14,
	    "removing two pages of a table keeps the table");
	pmap_remove(p, VA_GIG - 4 * PAGE_SIZE, VA_GIG + 4 * PAGE_SIZE);
	selftest_ok(pt_pages() == pt0 + 3 && pmap_resident_count(p) == 6,
	    "removing across a 1 GiB boundary frees two L0 tables and an L1 table");
	selftest_ok(clean(p), "pmap_check clean after removing across 1 GiB");
	pmap_remove(p, 0, USER_MAX);
	selftest_ok(pt_pages() == pt0 && pmap_resident_count(p) == 0 &&
	    pmap_page_mapping_count(pages[0]) == 0,
	    "removing all of user space leaves only the root");
	selftest_ok(clean(p), "pmap_check clean after removing everything");
}

static void
test_ranges(void)
{
	pmap_t p = pmap_create();
	struct vm_page *pages[RANGE_PAGES];
	uint64_t pt0 = pt_pages(), n = 0;
	bool ok;

	pmap_activate(p);
	for (int i = 0; i < RANGE_PAGES; i++)
		pages[i] = page_new(0);
	ok = map_round_robin(p, pages, RANGE_START, RANGE_END, &n);
	ok &= map_round_robin(p, pages, VA_GIG - 4 * PAGE_SIZE, VA_GIG + 4 * PAGE_SIZE, &n);
	selftest_ok(ok && pmap_resident_count(p) == 528,
	    "528 mappings across 2 MiB and 1 GiB boundaries, each reaching its page");
	selftest_ok(pt_pages() == pt0 + 7, "they took 2 L1 and 5 L0 tables (%lu)", pt_pages() - pt0);
	selftest_ok(pmap_page_mapping_count(pages[0]) == 66, "a page mapped 66 times has 66 pv entries");
	selftest_ok(clean(p), "pmap_check clean with 528 mappings");
	test_range_protect(p, pages);
	test_range_remove(p, pages, pt0);
	pmap_activate_kernel();
	pmap_destroy(p);
	for (int i = 0; i < RANGE_PAGES; i++)
		page_put(pages[i]);
}

/* Whether the leaf for va is writable now (a store goes through). */
static bool
writable(vaddr_t va)
{
	return store32(va, 1) == 0;
}

/*
 * A table with leaves only at both ends and in the middle: the range
 * calls walk it from both ends and stop once they have met every leaf,
 * so a sub-range must still reach exactly its own leaves.
 */
static void
test_sparse_table(void)
{
	static const int slots[] = { 0, 1, 255, 510, 511 };
	pmap_t p = pmap_create();
	struct vm_page *m = page_new(0);
	uint64_t pt0 = pt_pages();
	bool ok = true;

	pmap_activate(p);
	for (int i = 0; i < (int)nitems(slots); i++)
		ok &= pmap_enter(p, VA_SPARSE + ptoa(slots[i]), m, VM_PROT_RW, VM_PROT_WRITE) == 0;
	selftest_ok(ok && pmap_resident_count(p) == 5, "sparse table: leaves 0, 1, 255, 510, 511");
	pmap_protect(p, VA_SPARSE + ptoa(1), VA_SPARSE + ptoa(511), VM_PROT_READ);
	selftest_ok(writable(VA_SPARSE) && !writable(VA_SPARSE + ptoa(1)) &&
	    !writable(VA_SPARSE + ptoa(255)) && !writable(VA_SPARSE + ptoa(510)) &&
	    writable(VA_SPARSE + ptoa(511)),
	    "sparse table: pmap_protect of slots 1..510 takes write from 1, 255, 510 only");
	pmap_remove(p, VA_SPARSE + ptoa(1), VA_SPARSE + ptoa(510));
	selftest_ok(pmap_resident_count(p) == 3 && pmap_extract(p, VA_SPARSE + ptoa(255)) == 0 &&
	    pmap_extract(p, VA_SPARSE + ptoa(510)) != 0 && pt_pages() > pt0,
	    "sparse table: pmap_remove of slots 1..509 removes 1 and 255, keeps the table");
	selftest_ok(clean(p), "pmap_check clean after the sparse-table calls");
	pmap_remove(p, VA_SPARSE, VA_SPARSE + L1_SIZE);
	selftest_ok(pmap_resident_count(p) == 0 && pt_pages() == pt0,
	    "sparse table: removing its 2 MiB frees it and its L1 table");
	pmap_activate_kernel();
	pmap_destroy(p);
	page_put(m);
}

/*
 * Emptied tables and a destroyed pmap's root are kept for reuse (no
 * zeroing, no page allocation), checked empty by pmap_check, and given
 * back by zone_reclaim_all.
 */
static void
test_table_cache(void)
{
	struct vm_page *m = page_new(0);
	uint64_t free0, free1;
	pmap_t p;
	bool ok;

	zone_reclaim_all();
	free0 = vm_page_count_free();
	p = pmap_create();
	pmap_activate(p);
	ok = pmap_enter(p, VA_SPARSE, m, VM_PROT_RW, VM_PROT_WRITE) == 0;
	free1 = vm_page_count_free();
	selftest_ok(ok && free1 <= free0 - 3,
	    "table cache: a root and two tables from the allocator (and slabs: %lu pages)",
	    free0 - free1);
	pmap_remove(p, VA_SPARSE, VA_SPARSE + PAGE_SIZE);
	selftest_ok(vm_page_count_free() == free1 && clean(p),
	    "table cache: the emptied tables are kept, and they are empty");
	selftest_ok(pmap_enter(p, VA_SPARSE + L1_SIZE, m, VM_PROT_RW, VM_PROT_WRITE) == 0 &&
	    vm_page_count_free() == free1 && store32(VA_SPARSE + L1_SIZE, 7) == 0 &&
	    *(uint32_t *)page_kva(m) == 7, "table cache: the next mapping takes them back, and works");
	pmap_remove(p, 0, USER_MAX);
	pmap_activate_kernel();
	pmap_destroy(p);
	p = pmap_create();
	selftest_ok(p != NULL && vm_page_count_free() == free1 && clean(p),
	    "table cache: a new pmap takes the old root, its user half empty");
	pmap_destroy(p);
	zone_reclaim_all();
	selftest_ok(vm_page_count_free() == free0, "table cache: zone_reclaim_all gives them back");
	page_put(m);
}

/*
 * One page in two pmaps: the page-centric calls.
 */

static void
test_shared_protect(pmap_t p1, pmap_t p2, struct vm_page *s)
{
	uint32_t v = 0, w = 0;

	pmap_activate(p2);
	selftest_ok(store32(VA_SHARED + 2 * PAGE_SIZE, 0xfeed) == EFAULT &&
	    pmap_fault(p2, VA_SHARED + 2 * PAGE_SIZE, VM_PROT_WRITE) &&
	    store32(VA_SHARED + 2 * PAGE_SIZE, 0xfeed) == 0, "p2 writes the page (after a dirty fault)");
	pmap_activate(p1);
	selftest_ok(fetch32(VA_SHARED, &v) == 0 && fetch32(VA_SHARED + PAGE_SIZE, &w) == 0 &&
	    v == 0xfeed && w == 0xfeed, "p1 reads what p2 wrote, through both its mappings");
	pmap_page_protect(s, VM_PROT_READ);
	selftest_ok(store32(VA_SHARED, 1) == EFAULT && !pmap_fault(p1, VA_SHARED, VM_PROT_WRITE) &&
	    fetch32(VA_SHARED, &v) == 0 && pmap_extract_prot(p2, VA_SHARED + 2 * PAGE_SIZE) ==
	    VM_PROT_READ && pmap_is_modified(s),
	    "pmap_page_protect(READ) write-protects every mapping; the page stays modified");
	selftest_ok(clean(p1) && clean(p2), "pmap_check clean after pmap_page_protect(READ)");
}

static void
test_shared(void)
{
	pmap_t p1 = pmap_create(), p2 = pmap_create();
	struct vm_page *s = page_new(0);
	uint64_t pt0 = pt_pages();
	uint32_t v;

	pmap_enter(p1, VA_SHARED, s, VM_PROT_RW, VM_PROT_WRITE);
	pmap_enter(p1, VA_SHARED + PAGE_SIZE, s, VM_PROT_READ, VM_PROT_READ);
	pmap_enter(p2, VA_SHARED + 2 * PAGE_SIZE, s, VM_PROT_RW, VM_PROT_READ);
	selftest_ok(pmap_page_mapping_count(s) == 3 && pmap_page_is_mapped(s),
	    "a page mapped twice in one pmap and once in another has three mappings");
	test_shared_protect(p1, p2, s);
	pmap_page_protect(s, VM_PROT_NONE);
	selftest_ok(pmap_page_mapping_count(s) == 0 && !pmap_page_is_mapped(s) &&
	    pmap_extract(p1, VA_SHARED) == 0 && pmap_extract(p2, VA_SHARED + 2 * PAGE_SIZE) == 0 &&
	    pmap_resident_count(p1) == 0 && pmap_resident_count(p2) == 0 &&
	    fetch32(VA_SHARED, &v) == EFAULT,
	    "pmap_page_protect(NONE) removes the page from both pmaps");
	selftest_ok(pt_pages() == pt0, "and frees the page tables it emptied");
	selftest_ok(clean(p1) && clean(p2), "pmap_check clean after pmap_page_protect(NONE)");
	pmap_enter(p1, VA_SHARED, s, VM_PROT_RW, VM_PROT_WRITE);
	pmap_enter(p2, VA_SHARED, s, VM_PROT_RW, VM_PROT_WRITE);
	pmap_remove_write(s);
	selftest_ok(store32(VA_SHARED, 1) == EFAULT && pmap_extract_prot(p2, VA_SHARED) == VM_PROT_READ,
	    "pmap_remove_write");
	pmap_remove_all(s);
	selftest_ok(!pmap_page_is_mapped(s) && clean(p1) && clean(p2), "pmap_remove_all");
	pmap_activate_kernel();
	pmap_destroy(p1);
	pmap_destroy(p2);
	page_put(s);
}

/*
 * Wiring, and device memory.
 */

static void
test_wired(void)
{
	pmap_t p = pmap_create();
	struct vm_page *m[3];

	for (int i = 0; i < 3; i++) {
		m[i] = page_new(0);
		pmap_enter(p, VA_WIRED + ptoa(i), m[i], VM_PROT_RW,
		    VM_PROT_READ | PMAP_ENTER_WIRED);
	}
	selftest_ok(pmap_wired_count(p) == 3 && pmap_resident_count(p) == 3, "three wired pages");
	pmap_unwire(p, VA_WIRED, VA_WIRED + 2 * PAGE_SIZE);
	selftest_ok(pmap_wired_count(p) == 1 && pmap_resident_count(p) == 3,
	    "pmap_unwire of two: one stays wired, all stay resident");
	selftest_ok(clean(p), "pmap_check clean after pmap_unwire");
	pmap_enter(p, VA_WIRED + 2 * PAGE_SIZE, m[2], VM_PROT_RW, VM_PROT_READ);
	selftest_ok(pmap_wired_count(p) == 0, "entering the page again unwired unwires it");
	pmap_enter(p, VA_WIRED, m[0], VM_PROT_READ, VM_PROT_READ | PMAP_ENTER_WIRED);
	pmap_remove(p, VA_WIRED, VA_WIRED + 3 * PAGE_SIZE);
	selftest_ok(pmap_wired_count(p) == 0 && pmap_resident_count(p) == 0,
	    "pmap_remove takes wired mappings too");
	selftest_ok(clean(p), "pmap_check clean after the wiring tests");
	pmap_destroy(p);
	for (int i = 0; i < 3; i++)
		page_put(m[i]);
}

static void
test_device(void)
{
	const struct device *uart = device_find("uart", 0);
	pmap_t p = pmap_create();
	paddr_t pa = uart != NULL ? uart->dv_reg[0].base : 0;	/* entered, never touched */

	if (pa == 0 || PHYS_TO_VM_PAGE(pa) != NULL) {
		pmap_destroy(p);
		return;
	}
	selftest_ok(pmap_enter_device(p, VA_DEVICE, pa, VM_PROT_RW) == 0 &&
	    pmap_extract(p, VA_DEVICE) == trunc_page(pa) &&
	    pmap_extract_prot(p, VA_DEVICE) == VM_PROT_RW && pmap_resident_count(p) == 1,
	    "pmap_enter_device maps device memory");
	selftest_ok(clean(p), "pmap_check clean with a device mapping (no pv entry)");
	pmap_remove(p, VA_DEVICE, VA_DEVICE + PAGE_SIZE);
	selftest_ok(pmap_resident_count(p) == 0 && clean(p), "and pmap_remove takes it away");
	pmap_destroy(p);
}

/*
 * ASIDs: many pmaps at the same va in an ASID space of 8, so that ASIDs
 * are reused for other pmaps after rollovers; a stale TLB entry would
 * show another pmap's page.
 */

#define ASID_PMAPS	20

static bool
asid_round(pmap_t *p, bool *all_clean)
{
	bool ok = true;
	uint32_t v;

	for (int i = 0; i < ASID_PMAPS; i++) {
		pmap_activate(p[i]);
		ok &= fetch32(VA_ASID, &v) == 0 && v == (uint32_t)i + 1;
		*all_clean &= clean(p[i]);
	}
	return ok;
}

static void
test_asid(void)
{
	pmap_t p[ASID_PMAPS];
	struct vm_page *m[ASID_PMAPS + 1];
	uint32_t old = pmap_set_asid_limit(8), v;
	struct pmap_stats s0, s1;
	bool ok = true, all_clean = true;

	pmap_get_stats(&s0);
	for (int i = 0; i <= ASID_PMAPS; i++) {
		m[i] = page_new(0);
		*(uint32_t *)page_kva(m[i]) = (uint32_t)i + 1;
	}
	for (int i = 0; i < ASID_PMAPS; i++) {
		p[i] = pmap_create();
		pmap_enter(p[i], VA_ASID, m[i], VM_PROT_READ, VM_PROT_READ);
	}
	for (int round = 0; round < 3; round++)
		ok &= asid_round(p, &all_clean);
	pmap_get_stats(&s1);
	selftest_ok(ok, "%d pmaps at one va each see their own page, 3 rounds (%lu ASID rollovers)",
	    ASID_PMAPS, s1.asid_rollovers - s0.asid_rollovers);
	if (old != 0)
		selftest_ok(s1.asid_rollovers - s0.asid_rollovers >= 6,
		    "an ASID space of 8 rolls over again and again");
	/* Changed while not running; this cpu may still hold its entries. */
	pmap_remove(p[5], VA_ASID, VA_ASID + PAGE_SIZE);
	pmap_enter(p[7], VA_ASID, m[ASID_PMAPS], VM_PROT_READ, VM_PROT_READ);
	pmap_activate(p[5]);
	selftest_ok(fetch32(VA_ASID, &v) == EFAULT,
	    "a mapping removed while its pmap was not running is gone when it runs");
	pmap_activate(p[7]);
	selftest_ok(fetch32(VA_ASID, &v) == 0 && v == ASID_PMAPS + 1,
	    "a mapping replaced while its pmap was not running shows the new page");
	selftest_ok(all_clean, "pmap_check clean on every pmap");
	pmap_activate_kernel();
	for (int i = 0; i < ASID_PMAPS; i++) {
		pmap_remove(p[i], VA_ASID, VA_ASID + PAGE_SIZE);
		pmap_destroy(p[i]);
	}
	for (int i = 0; i <= ASID_PMAPS; i++)
		page_put(m[i]);
	if (old != 0)
		pmap_set_asid_limit(old);
}

/*
 * TLB flushes as the cpus see them: a cpu loads translations into its
 * TLB, pmap calls take them away, and its next access must fault.  QEMU
 * drops its whole software TLB whenever sstatus.SUM changes, which would
 * hide a missing flush from the copy helpers; so these tests hold SUM
 * set throughout and touch user memory with the probes of trap.S.
 */

/* With SUM held: 0 or EFAULT, and the byte read. */
static int
probe_user(vaddr_t va, uint8_t *byte)
{
	return probe_load_u8(U(va), byte);
}

static void
test_local_flush(void)
{
	pmap_t p = pmap_create();
	struct vm_page *m = page_new(0x34), *m2 = page_new(0x99);
	uint8_t b = 0;

	pmap_enter(p, VA_REMOTE, m, VM_PROT_RW, VM_PROT_WRITE);
	pmap_activate(p);
	csr_set(sstatus, SSTATUS_SUM);
	selftest_ok(probe_store_u8(U(VA_REMOTE), 0x34) == 0, "this cpu writes (TLB loaded)");
	pmap_protect(p, VA_REMOTE, VA_REMOTE + PAGE_SIZE, VM_PROT_READ);
	selftest_ok(probe_store_u8(U(VA_REMOTE), 1) == EFAULT && probe_user(VA_REMOTE, &b) == 0,
	    "after pmap_protect this cpu's TLB lets no write through");
	pmap_remove(p, VA_REMOTE, VA_REMOTE + PAGE_SIZE);
	selftest_ok(probe_user(VA_REMOTE, &b) == EFAULT, "after pmap_remove nor a read");
	pmap_enter(p, VA_REMOTE, m, VM_PROT_READ, VM_PROT_READ);
	probe_user(VA_REMOTE, &b);
	pmap_enter(p, VA_REMOTE, m2, VM_PROT_READ, VM_PROT_READ);
	selftest_ok(probe_user(VA_REMOTE, &b) == 0 && b == 0x99,
	    "after pmap_enter replaces a page this cpu sees the new one");
	pmap_remove_all(m2);
	selftest_ok(probe_user(VA_REMOTE, &b) == EFAULT, "after pmap_remove_all the page is gone");
	csr_clear(sstatus, SSTATUS_SUM);
	pmap_activate_kernel();
	selftest_ok(clean(p), "pmap_check clean after the local flush tests");
	pmap_destroy(p);
	page_put(m);
	page_put(m2);
}

/*
 * R_AWAY runs another address space (its TLB keeps the pmap's entries),
 * R_BACK the pmap again; R_ACTIVATE_FETCH activates the pmap again
 * first (a thread of it running again where it ran last); R_EXIT_LAZY
 * stops without leaving the pmap, as the idle thread does after a
 * thread stops.
 */
enum remote_op { R_FETCH, R_STORE, R_AWAY, R_BACK, R_ACTIVATE_FETCH, R_EXIT, R_EXIT_LAZY };

/* A mailbox to a cpu running remote_service. */
struct remote {
	pmap_t		pmap;		/* what it runs on */
	uint32_t	posted;		/* (A) sequence number of the last command */
	uint32_t	done;		/* (A) of the last command carried out */
	enum remote_op	op;
	vaddr_t		va;
	uint8_t		val;
	int		error;
};

static struct remote remotes[MAXCPU];

/*
 * On another cpu, in its IPI handler: run on r->pmap with SUM set and
 * carry out commands until told to stop.  Interrupts stay off all the
 * while, as on a cpu spinning on a lock: the remote fences must get
 * through anyway.  (SUM stays set: QEMU drops its whole TLB whenever SUM
 * changes, which would hide a stale entry.)
 */
static void
remote_service(void *arg)
{
	struct remote *r = arg;
	uint32_t seq = 0;

	pmap_activate(r->pmap);
	csr_set(sstatus, SSTATUS_SUM);
	for (;;) {
		while (__atomic_load_n(&r->posted, __ATOMIC_ACQUIRE) == seq)
			cpu_spinwait();
		seq++;
		if (r->op == R_EXIT || r->op == R_EXIT_LAZY)
			break;
		r->error = 0;
		if (r->op == R_AWAY)
			pmap_activate_kernel();		/* another address space: its TLB keeps p's */
		else if (r->op == R_BACK)
			pmap_activate(r->pmap);
		else if (r->op == R_STORE)
			r->error = probe_store_u8(U(r->va), r->val);
		else {
			if (r->op == R_ACTIVATE_FETCH)
				pmap_activate(r->pmap);
			r->error = probe_load_u8(U(r->va), &r->val);
		}
		__atomic_store_n(&r->done, seq, __ATOMIC_RELEASE);
	}
	csr_clear(sstatus, SSTATUS_SUM);
	if (r->op == R_EXIT)
		pmap_activate_kernel();
	__atomic_store_n(&r->done, seq, __ATOMIC_RELEASE);
}

static void
remote_do(struct remote *r, enum remote_op op, vaddr_t va, uint8_t val)
{
	uint32_t seq = r->posted + 1;

	r->op = op;
	r->va = va;
	r->val = val;
	__atomic_store_n(&r->posted, seq, __ATOMIC_RELEASE);
	while (__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) != seq)
		cpu_spinwait();
}

/* Do op on every other cpu; true if each got error and (reading) value. */
static bool
on_others(enum remote_op op, vaddr_t va, int error, uint8_t value)
{
	bool ok = true;

	for (uint32_t c = 0; c < ncpu; c++) {
		if (c == cpu_id())
			continue;
		remote_do(&remotes[c], op, va, value);
		ok &= remotes[c].error == error &&
		    (op == R_STORE || error != 0 || remotes[c].val == value);
	}
	return ok;
}

static void
remotes_start(pmap_t p)
{
	for (uint32_t c = 0; c < ncpu; c++) {
		if (c == cpu_id())
			continue;
		memset(&remotes[c], 0, sizeof(remotes[c]));
		remotes[c].pmap = p;
		cpu_call_async(c, remote_service, &remotes[c]);
	}
}

/* Stop the remote cpus: leaving the pmap (R_EXIT), or keeping it loaded (R_EXIT_LAZY). */
static void
remotes_stop_as(enum remote_op how)
{
	for (uint32_t c = 0; c < ncpu; c++) {
		if (c == cpu_id())
			continue;
		remote_do(&remotes[c], how, 0, 0);
		cpu_call_wait(c);
	}
}

static void
remotes_stop(void)
{
	remotes_stop_as(R_EXIT);
}

static void
read_satp(void *arg)
{
	((uint64_t *)arg)[cpu_id()] = csr_read(satp);
}

/*
 * Lazy switching: a cpu whose thread stops keeps its pmap loaded, TLB
 * and all, in pm_cpus, and activating the same pmap again there does
 * nothing.  Changes made meanwhile must still reach its TLB, and
 * pmap_destroy must take the pmap off it.
 */
static void
test_lazy(void)
{
	pmap_t p;
	struct vm_page *m, *m2;
	struct pmap_stats s0, s1;
	uint64_t satp[MAXCPU];
	uint32_t off = 0;
	bool ok;

	if (ncpu < 2)
		return;
	p = pmap_create();
	m = page_new(0x5a);
	m2 = page_new(0xa5);
	pmap_enter(p, VA_LAZY, m, VM_PROT_RW, VM_PROT_WRITE);
	remotes_start(p);
	ok = on_others(R_FETCH, VA_LAZY, 0, 0x5a);	/* they are on p now */
	pmap_get_stats(&s0);
	selftest_ok(ok && on_others(R_ACTIVATE_FETCH, VA_LAZY, 0, 0x5a),
	    "lazy: the other cpus read, activate the same pmap again, read again");
	pmap_get_stats(&s1);
	selftest_ok(s1.switch_flushes == s0.switch_flushes,
	    "lazy: activating the pmap a cpu has loaded flushes nothing");
	pmap_remove(p, VA_LAZY, VA_LAZY + PAGE_SIZE);
	selftest_ok(on_others(R_ACTIVATE_FETCH, VA_LAZY, EFAULT, 0),
	    "lazy: after pmap_remove, activated again, no cpu reads through an old entry");
	pmap_enter(p, VA_LAZY, m, VM_PROT_READ, VM_PROT_READ);
	on_others(R_FETCH, VA_LAZY, 0, 0x5a);
	pmap_enter(p, VA_LAZY, m2, VM_PROT_READ, VM_PROT_READ);
	selftest_ok(on_others(R_ACTIVATE_FETCH, VA_LAZY, 0, 0xa5),
	    "lazy: a page replaced by pmap_enter: every cpu sees the new one");
	remotes_stop_as(R_EXIT_LAZY);
	selftest_ok(pmap_running_cpu(p) >= 0,
	    "lazy: cpus whose work on the pmap ended keep it loaded");
	pmap_remove_all(m2);
	selftest_ok(clean(p), "pmap_check clean after the lazy tests");
	pmap_destroy(p);
	for (uint32_t c = 0; c < ncpu; c++) {
		if (c == cpu_id())
			continue;
		cpu_call(c, read_satp, satp);
		off += satp[c] == kernel_satp;
	}
	selftest_ok(off == ncpu - 1 && pmap_running_cpu(p) < 0,
	    "lazy: pmap_destroy takes the pmap off the %u cpus keeping it", off);
	page_put(m);
	page_put(m2);
}

static void
test_remote_large(pmap_t p, struct vm_page *m)
{
	const vaddr_t end = VA_REMOTE + 100 * PAGE_SIZE;

	for (vaddr_t va = VA_REMOTE; va < end; va += PAGE_SIZE)
		pmap_enter(p, va, m, VM_PROT_READ, VM_PROT_READ);
	selftest_ok(on_others(R_FETCH, VA_REMOTE, 0, 0x99) &&
	    on_others(R_FETCH, end - PAGE_SIZE, 0, 0x99), "100 pages: others read both ends");
	pmap_remove(p, VA_REMOTE, end);
	selftest_ok(on_others(R_FETCH, VA_REMOTE, EFAULT, 0) &&
	    on_others(R_FETCH, end - PAGE_SIZE, EFAULT, 0),
	    "removing 100 pages (a whole-space flush) reaches every cpu");
}

#define BATCH_PAGES	8

/*
 * Eight pages the other cpus write through p: write-protected, then
 * removed, a batch at a time: one shootdown per batch, and no cpu writes
 * (then reaches) any of them through an old entry.
 */
static void
test_remote_batch(pmap_t p)
{
	struct vm_page *ma[BATCH_PAGES];
	struct pmap_stats s0, s1, s2;
	bool ok = true, wp = true, gone = true;

	for (int i = 0; i < BATCH_PAGES; i++) {
		ma[i] = page_new((uint8_t)(0x40 + i));
		pmap_enter(p, VA_REMOTE + ptoa(i), ma[i], VM_PROT_RW, VM_PROT_WRITE);
		ok &= on_others(R_STORE, VA_REMOTE + ptoa(i), 0, (uint8_t)(0x40 + i));
	}
	selftest_ok(ok, "batch: the others write %d pages", BATCH_PAGES);
	pmap_get_stats(&s0);
	pmap_remove_write_pages(ma, BATCH_PAGES);
	pmap_get_stats(&s1);
	for (int i = 0; i < BATCH_PAGES; i++)
		wp &= on_others(R_STORE, VA_REMOTE + ptoa(i), EFAULT, 0) &&
		    on_others(R_FETCH, VA_REMOTE + ptoa(i), 0, (uint8_t)(0x40 + i));
	selftest_ok(wp && s1.shootdowns == s0.shootdowns + 1,
	    "batch: pmap_remove_write_pages: one shootdown (%lu), none writes any of them",
	    s1.shootdowns - s0.shootdowns);
	pmap_remove_all_pages(ma, BATCH_PAGES);
	pmap_get_stats(&s2);
	for (int i = 0; i < BATCH_PAGES; i++)
		gone &= on_others(R_FETCH, VA_REMOTE + ptoa(i), EFAULT, 0) &&
		    !pmap_page_is_mapped(ma[i]) && pmap_is_modified(ma[i]);
	selftest_ok(gone && s2.shootdowns == s1.shootdowns + 1,
	    "batch: pmap_remove_all_pages: one shootdown, all gone, the writes remembered");
	for (int i = 0; i < BATCH_PAGES; i++)
		page_put(ma[i]);
}

/*
 * The other cpus cached p's translation of VA_REMOTE, then went to run
 * another address space: a removal interrupts none of them, and each
 * flushes p's ASID before it runs on p again (pmap.c: lazy shootdowns).
 */
static void
test_remote_lazy(pmap_t p, struct vm_page *m)
{
	struct pmap_stats s0, s1;

	if (!asids_enabled) {
		selftest_skip("lazy shootdowns: without ASIDs every switch flushes");
		return;
	}
	pmap_enter(p, VA_REMOTE, m, VM_PROT_RW, VM_PROT_WRITE);
	selftest_ok(on_others(R_FETCH, VA_REMOTE, 0, 0x34), "lazy: the others cache the page");
	on_others(R_AWAY, 0, 0, 0);
	pmap_get_stats(&s0);
	pmap_remove(p, VA_REMOTE, VA_REMOTE + PAGE_SIZE);
	pmap_get_stats(&s1);
	selftest_ok(s1.shootdowns == s0.shootdowns && s1.lazy_shootdowns > s0.lazy_shootdowns,
	    "lazy: removing it interrupts none of the cpus that left the pmap");
	on_others(R_BACK, 0, 0, 0);
	selftest_ok(on_others(R_FETCH, VA_REMOTE, EFAULT, 0),
	    "lazy: back on the pmap, none of them reads through its old TLB entry");
}

static void
test_remote(void)
{
	pmap_t p;
	struct vm_page *m, *m2;
	struct pmap_stats s0, s1;

	if (ncpu < 2)
		return;
	p = pmap_create();
	m = page_new(0x34);
	m2 = page_new(0x99);
	pmap_enter(p, VA_REMOTE, m, VM_PROT_RW, VM_PROT_WRITE);
	pmap_activate(p);
	remotes_start(p);
	selftest_ok(on_others(R_FETCH, VA_REMOTE, 0, 0x34) &&
	    on_others(R_STORE, VA_REMOTE, 0, 0x34),
	    "the other %u cpus read and write through the pmap", ncpu - 1);
	pmap_get_stats(&s0);
	pmap_protect(p, VA_REMOTE, VA_REMOTE + PAGE_SIZE, VM_PROT_READ);
	pmap_get_stats(&s1);
	selftest_ok(s1.shootdowns > s0.shootdowns, "pmap_protect sent a shootdown");
	selftest_ok(on_others(R_STORE, VA_REMOTE, EFAULT, 0) &&
	    on_others(R_FETCH, VA_REMOTE, 0, 0x34),
	    "after pmap_protect no cpu can write through an old TLB entry");
	pmap_remove(p, VA_REMOTE, VA_REMOTE + PAGE_SIZE);
	selftest_ok(on_others(R_FETCH, VA_REMOTE, EFAULT, 0),
	    "after pmap_remove no cpu can read through an old TLB entry");
	pmap_enter(p, VA_REMOTE, m, VM_PROT_RW, VM_PROT_WRITE);
	on_others(R_FETCH, VA_REMOTE, 0, 0x34);
	pmap_remove_all(m);
	selftest_ok(on_others(R_FETCH, VA_REMOTE, EFAULT, 0), "likewise after pmap_remove_all");
	pmap_enter(p, VA_REMOTE, m, VM_PROT_READ, VM_PROT_READ);
	on_others(R_FETCH, VA_REMOTE, 0, 0x34);
	pmap_enter(p, VA_REMOTE, m2, VM_PROT_READ, VM_PROT_READ);
	selftest_ok(on_others(R_FETCH, VA_REMOTE, 0, 0x99),
	    "a mapping replaced by pmap_enter: every cpu sees the new page");
	pmap_remove(p, VA_REMOTE, VA_REMOTE + PAGE_SIZE);
	test_remote_large(p, m2);
	test_remote_batch(p);
	test_remote_lazy(p, m);
	remotes_stop();
	pmap_activate_kernel();
	selftest_ok(clean(p) && pmap_resident_count(p) == 0, "pmap_check clean after the shootdowns");
	pmap_destroy(p);
	page_put(m);
	page_put(m2);
}

/*
 * Concurrency: the other cpus enter, remove and protect mappings of a
 * few shared pages in two pmaps (two cpus per pmap when there are
 * enough), with interrupts off, while this cpu runs the page-centric
 * calls on the same pages.  Shootdowns fly between spinning cpus.
 */

#define STRESS_PAGES	8
#define STRESS_SLOTS	64
#define STRESS_ITERS	3000

struct stress {
	pmap_t		pmap;
	struct vm_page	**pages;
	uint64_t	seed;
	int		failures;
};

static struct stress stressors[MAXCPU];
static uint32_t stress_running;		/* (A) workers not yet finished */

static uint64_t
xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void
stress_worker(void *arg)
{
	struct stress *w = arg;

	pmap_activate(w->pmap);
	for (int i = 0; i < STRESS_ITERS; i++) {
		uint64_t r = xorshift(&w->seed);
		vaddr_t va = VA_STRESS + ptoa(r % STRESS_SLOTS);
		struct vm_page *m = w->pages[(r >> 8) % STRESS_PAGES];

		switch ((r >> 16) % 4) {
		case 0:
		case 1:
			w->failures += pmap_enter(w->pmap, va, m, VM_PROT_RW,
			    (r >> 20) & 1 ? VM_PROT_WRITE : VM_PROT_READ) != 0;
			break;
		case 2:
			pmap_remove(w->pmap, va, va + ptoa((r >> 24) % 8 + 1));
			break;
		case 3:
			pmap_protect(w->pmap, va, va + ptoa(16), VM_PROT_READ);
			break;
		}
	}
	pmap_activate_kernel();
	__atomic_sub_fetch(&stress_running, 1, __ATOMIC_RELEASE);
}

/* This cpu's side: page-centric calls until the workers are done. */
static int
stress_pages(struct vm_page **pages)
{
	uint64_t seed = 0x2545f4914f6cdd1dUL;
	int calls = 0;

	while (__atomic_load_n(&stress_running, __ATOMIC_ACQUIRE) != 0) {
		uint64_t r = xorshift(&seed);
		struct vm_page *m = pages[r % STRESS_PAGES];

		switch ((r >> 8) % 6) {
		case 0:
			pmap_remove_all(m);
			break;
		case 1:
			pmap_remove_write(m);
			break;
		case 2:
			pmap_ts_referenced(m);
			break;
		case 3:
			pmap_clear_modify(m);
			break;
		case 4:
			pmap_page_protect(m, VM_PROT_READ);
			break;
		case 5:
			(void)pmap_is_modified(m);
			(void)pmap_page_mapping_count(m);
			break;
		}
		calls++;
	}
	return calls;
}

static void
test_stress(void)
{
	pmap_t p[2] = { pmap_create(), pmap_create() };
	struct vm_page *pages[STRESS_PAGES];
	bool ok = true;
	int failures = 0, calls;

	if (ncpu < 2)
		goto out;
	for (int i = 0; i < STRESS_PAGES; i++)
		pages[i] = page_new(0);
	stress_running = ncpu - 1;
	for (uint32_t c = 0; c < ncpu; c++) {
		if (c == cpu_id())
			continue;
		stressors[c] = (struct stress){ p[c % 2], pages, 0x9e3779b97f4a7c15UL * (c + 1), 0 };
		cpu_call_async(c, stress_worker, &stressors[c]);
	}
	calls = stress_pages(pages);
	for (uint32_t c = 0; c < ncpu; c++) {
		if (c == cpu_id())
			continue;
		cpu_call_wait(c);
		failures += stressors[c].failures;
	}
	ok = clean(p[0]) && clean(p[1]);
	selftest_ok(failures == 0 && ok,
	    "%u other cpu(s) entering/removing/protecting vs. %d page-centric calls: consistent",
	    ncpu - 1, calls);
	for (int i = 0; i < 2; i++)
		pmap_remove(p[i], 0, USER_MAX);
	for (int i = 0; i < STRESS_PAGES; i++) {
		ok &= !pmap_page_is_mapped(pages[i]);
		page_put(pages[i]);
	}
	selftest_ok(ok && pmap_resident_count(p[0]) == 0 && pmap_resident_count(p[1]) == 0,
	    "and cleans up completely");
out:
	pmap_destroy(p[0]);
	pmap_destroy(p[1]);
}

/*
 * Superpages.
 */

/* A 2 MiB run whose page i holds i in its first and last words; NULL if none is free. */
static struct vm_page *
super_run_new(void)
{
	struct vm_page *m = vm_page_alloc_pages(SUPERPAGE_ORDER, VM_ALLOC_SYSTEM |
	    VM_ALLOC_NOWAIT);

	if (m == NULL)
		return NULL;
	for (unsigned i = 0; i < SUPERPAGE_PAGES; i++) {
		uint64_t *w = (uint64_t *)page_kva(&m[i]);

		w[0] = w[PAGE_SIZE / 8 - 1] = i;
		pmap_clear_modify(&m[i]);
		pmap_ts_referenced(&m[i]);
	}
	return m;
}

static void
super_run_put(struct vm_page *m)
{
	for (unsigned i = 0; i < SUPERPAGE_PAGES; i++) {
		pmap_clear_modify(&m[i]);
		pmap_ts_referenced(&m[i]);
	}
	vm_page_free_pages(m, SUPERPAGE_ORDER);
}

/*
 * Does every page of the run at m translate at va + i pages to page i,
 * with protection prot (except page skip: unmapped), wired or not, and
 * read back its index through the user page table?
 */
static bool
super_translations_ok(pmap_t p, vaddr_t va, struct vm_page *m, vm_prot_t prot, bool wired,
    unsigned skip)
{
	for (unsigned i = 0; i < SUPERPAGE_PAGES; i++) {
		vaddr_t a = va + ptoa(i);
		uint64_t first = ~0UL, last = ~0UL;

		if (i == skip) {
			if (pmap_extract(p, a) != 0 || cin(a, &first, 8) != EFAULT)
				return false;
			continue;
		}
		if (pmap_extract(p, a + 12) != VM_PAGE_TO_PHYS(&m[i]) + 12 ||
		    pmap_extract_prot(p, a) != prot || pmap_is_wired(p, a) != wired ||
		    pmap_page_mapping_count(&m[i]) != 1)
			return false;
		if (cin(a, &first, 8) != 0 || cin(a + PAGE_SIZE - 8, &last, 8) != 0 ||
		    first != i || last != i)
			return false;
	}
	return true;
}

static uint64_t
super_stat(int which)
{
	struct pmap_stats st;

	pmap_get_stats(&st);
	return which == 0 ? st.sp_mappings : st.sp_demotions;
}

/* Enter, whole-leaf changes, demotion by a partial pmap_protect. */
static void
test_super_enter(pmap_t p, struct vm_page *m, uint64_t pt0)
{
	uint64_t v = 0x5151, d0 = super_stat(1);

	selftest_ok(pmap_enter_superpage(p, VA_SUPER, m, VM_PROT_RW,
	    VM_PROT_READ | PMAP_ENTER_WIRED) == 0 && pmap_is_superpage(p, VA_SUPER + 77 * PAGE_SIZE),
	    "superpage: enter a 2 MiB leaf");
	/* A root entry, an L1 table and the table kept for demotion; no L0 table. */
	selftest_ok(pt_pages() == pt0 + 2 && pmap_resident_count(p) == SUPERPAGE_PAGES &&
	    pmap_wired_count(p) == SUPERPAGE_PAGES && super_stat(0) == 1,
	    "superpage: 512 pages resident and wired, two page-table pages");
	selftest_ok(super_translations_ok(p, VA_SUPER, m, VM_PROT_RW, true, ~0U),
	    "superpage: every 4 KiB page translates to its page, reads through the leaf");
	selftest_ok(clean(p), "superpage: pmap_check clean");
	selftest_ok(pmap_enter_superpage(p, VA_SUPER, m, VM_PROT_RW, VM_PROT_READ) == EEXIST,
	    "superpage: entering over it fails with EEXIST");
	selftest_ok(cout(&v, VA_SUPER + ptoa(3) + 8, 8) == EFAULT &&
	    pmap_fault(p, VA_SUPER + ptoa(3) + 8, VM_PROT_WRITE) &&
	    cout(&v, VA_SUPER + ptoa(3) + 8, 8) == 0 &&
	    ((uint64_t *)page_kva(&m[3]))[1] == v && pmap_is_modified(&m[3]) &&
	    pmap_is_modified(&m[400]) && pmap_is_superpage(p, VA_SUPER),
	    "superpage: the first write faults once, sets D on the leaf (all pages modified)");
	pmap_unwire(p, VA_SUPER, VA_SUPER + SUPERPAGE_SIZE);
	pmap_protect(p, VA_SUPER, VA_SUPER + SUPERPAGE_SIZE, VM_PROT_READ);
	selftest_ok(pmap_is_superpage(p, VA_SUPER) && pmap_wired_count(p) == 0 &&
	    cout(&v, VA_SUPER, 8) == EFAULT && !pmap_fault(p, VA_SUPER, VM_PROT_WRITE) &&
	    pmap_is_modified(&m[511]) && super_stat(1) == d0,
	    "superpage: unwired and write-protected whole, it stays one leaf, modified kept");
	pmap_protect(p, VA_SUPER + ptoa(7), VA_SUPER + ptoa(8), VM_PROT_NONE);
	selftest_ok(!pmap_is_superpage(p, VA_SUPER) && super_stat(1) == d0 + 1 &&
	    super_stat(0) == 0 && pt_pages() == pt0 + 2,
	    "superpage: pmap_protect of one page demotes it, into the table kept for it");
	selftest_ok(super_translations_ok(p, VA_SUPER, m, VM_PROT_READ, false, 7) &&
	    pmap_resident_count(p) == SUPERPAGE_PAGES - 1 && pmap_is_modified(&m[200]),
	    "superpage: after demotion each 4 KiB leaf keeps its page and bits");
	selftest_ok(clean(p), "superpage: pmap_check clean after demotion");
	pmap_remove(p, VA_SUPER, VA_SUPER + SUPERPAGE_SIZE);
	selftest_ok(pmap_resident_count(p) == 0 && !pmap_page_is_mapped(&m[0]) &&
	    pt_pages() == pt0, "superpage: pmap_remove frees the tables");
}

/* Demotion by the page-centric calls, and by pmap_enter of one page inside. */
static void
test_super_page_calls(pmap_t p, struct vm_page *m, struct vm_page *other)
{
	uint64_t d0 = super_stat(1), x = 0;

	pmap_enter_superpage(p, VA_SUPER, m, VM_PROT_RW, VM_PROT_WRITE);
	pmap_remove_all(&m[100]);
	selftest_ok(!pmap_is_superpage(p, VA_SUPER) && super_stat(1) == d0 + 1 &&
	    super_translations_ok(p, VA_SUPER, m, VM_PROT_RW, false, 100) && clean(p),
	    "superpage: pmap_remove_all of one page demotes, the others stay");
	pmap_remove(p, VA_SUPER, VA_SUPER + SUPERPAGE_SIZE);
	pmap_enter_superpage(p, VA_SUPER, m, VM_PROT_RW, VM_PROT_READ);
	selftest_ok(pmap_ts_referenced(&m[5]) >= 1 && !pmap_is_superpage(p, VA_SUPER) &&
	    pmap_ts_referenced(&m[5]) == 0 && pmap_ts_referenced(&m[6]) >= 1,
	    "superpage: pmap_ts_referenced demotes, and counts each page on its own");
	pmap_remove(p, VA_SUPER, VA_SUPER + SUPERPAGE_SIZE);
	pmap_enter_superpage(p, VA_SUPER, m, VM_PROT_RW, VM_PROT_READ);
	pmap_enter(p, VA_SUPER + ptoa(9), other, VM_PROT_READ, VM_PROT_READ);
	selftest_ok(!pmap_is_superpage(p, VA_SUPER) && cin(VA_SUPER + ptoa(9), &x, 1) == 0 &&
	    x == 0x77 && pmap_page_mapping_count(&m[9]) == 0 && clean(p) &&
	    pmap_resident_count(p) == SUPERPAGE_PAGES,
	    "superpage: pmap_enter of another page inside demotes and replaces one page");
	pmap_remove(p, VA_SUPER, VA_SUPER + SUPERPAGE_SIZE);
	pmap_enter_superpage(p, VA_SUPER, m, VM_PROT_RW, VM_PROT_WRITE);
	pmap_remove_write(&m[511]);
	selftest_ok(!pmap_is_superpage(p, VA_SUPER) &&
	    pmap_extract_prot(p, VA_SUPER + ptoa(511)) == VM_PROT_READ &&
	    pmap_extract_prot(p, VA_SUPER + ptoa(510)) == VM_PROT_RW && clean(p),
	    "superpage: pmap_remove_write of one page demotes, write-protects that one");
	pmap_remove(p, VA_SUPER, VA_SUPER + SUPERPAGE_SIZE);
}

/* The other cpus read through a superpage; a demotion and a change must reach them. */
static void
test_super_remote(pmap_t p, struct vm_page *m)
{
	if (ncpu < 2)
		return;
	pmap_enter_superpage(p, VA_SUPER, m, VM_PROT_RW, VM_PROT_WRITE);
	remotes_start(p);
	selftest_ok(on_others(R_FETCH, VA_SUPER + ptoa(20), 0, 20) &&
	    on_others(R_STORE, VA_SUPER + ptoa(21) + 8, 0, 0),
	    "superpage: the other cpus read and write through the 2 MiB leaf");
	pmap_protect(p, VA_SUPER + ptoa(21), VA_SUPER + ptoa(22), VM_PROT_READ);
	selftest_ok(on_others(R_STORE, VA_SUPER + ptoa(21) + 8, EFAULT, 0) &&
	    on_others(R_STORE, VA_SUPER + ptoa(22) + 8, 0, 0),
	    "superpage: after a demoting pmap_protect no cpu writes through its 2 MiB entry");
	pmap_remove(p, VA_SUPER + ptoa(20), VA_SUPER + ptoa(21));
	selftest_ok(on_others(R_FETCH, VA_SUPER + ptoa(20), EFAULT, 0) &&
	    on_others(R_FETCH, VA_SUPER + ptoa(19), 0, 19),
	    "superpage: a page removed is gone on every cpu, its neighbours stay");
	pmap_remove(p, VA_SUPER, VA_SUPER + SUPERPAGE_SIZE);
	pmap_enter_superpage(p, VA_SUPER, m, VM_PROT_RW, VM_PROT_WRITE);
	on_others(R_FETCH, VA_SUPER + ptoa(30), 0, 30);
	pmap_remove(p, VA_SUPER, VA_SUPER + SUPERPAGE_SIZE);
	selftest_ok(on_others(R_FETCH, VA_SUPER + ptoa(30), EFAULT, 0),
	    "superpage: removed whole, it is gone on every cpu");
	remotes_stop();
}

static void
test_superpage(void)
{
	pmap_t p = pmap_create();
	struct vm_page *m = super_run_new(), *other = page_new(0x77);
	uint64_t pt0 = pt_pages();

	if (!selftest_ok(p != NULL && m != NULL, "superpage: a pmap and a free 2 MiB run"))
		return;
	pmap_activate(p);
	test_super_enter(p, m, pt0);
	test_super_page_calls(p, m, other);
	test_super_remote(p, m);
	pmap_activate_kernel();
	selftest_ok(clean(p) && pmap_resident_count(p) == 0 && super_stat(0) == 0,
	    "superpage: pmap_check clean at the end");
	pmap_destroy(p);
	super_run_put(m);
	page_put(other);
}

/*
 * No memory: pmap_enter fails with ENOMEM and leaves nothing behind.
 */

struct hoard {
	struct hoard	*next;
	int		order;
};

/* Take every free page (largest blocks first), listed through the pages themselves. */
static struct hoard *
hoard_all(struct hoard *list)
{
	for (int order = 10; order >= 0; order--) {
		struct vm_page *m;

		while ((m = vm_page_alloc_pages(order, VM_ALLOC_SYSTEM | VM_ALLOC_NOWAIT)) != NULL) {
			struct hoard *h = (struct hoard *)page_kva(m);

			h->next = list;
			h->order = order;
			list = h;
		}
	}
	return list;
}

static void
hoard_release(struct hoard *list)
{
	while (list != NULL) {
		struct hoard *h = list;

		list = h->next;
		vm_page_free_pages(PHYS_TO_VM_PAGE(DMAP_TO_PHYS((vaddr_t)h)), h->order);
	}
}

static void
test_enomem(void)
{
	pmap_t p = pmap_create();
	struct vm_page *m = page_new(0), *run = super_run_new();
	struct pmap_stats s0, s1;
	struct hoard *hoard;
	int error;

	pmap_enter(p, VA_NOMEM, m, VM_PROT_READ, VM_PROT_READ);
	pmap_get_stats(&s0);
	hoard = hoard_all(NULL);
	zone_reclaim_all();
	hoard = hoard_all(hoard);
	error = pmap_enter(p, VA_NOMEM_FAR, m, VM_PROT_READ, VM_PROT_READ);
	pmap_get_stats(&s1);
	selftest_ok(error == ENOMEM, "with no free page, pmap_enter needing new tables fails: ENOMEM");
	selftest_ok(s1.pt_pages == s0.pt_pages && s1.pv_entries == s0.pv_entries &&
	    pmap_resident_count(p) == 1 && pmap_extract(p, VA_NOMEM_FAR) == 0 && clean(p),
	    "and leaves no table or pv entry behind");
	if (run != NULL) {
		error = pmap_enter_superpage(p, VA_SUPER, run, VM_PROT_RW, VM_PROT_READ);
		pmap_get_stats(&s1);
		selftest_ok(error == ENOMEM && s1.pt_pages == s0.pt_pages &&
		    s1.pv_entries == s0.pv_entries && pmap_resident_count(p) == 1 && clean(p),
		    "with no free page, pmap_enter_superpage fails (ENOMEM), leaving nothing");
	}
	pmap_get_stats(&s0);
	/* VA_NOMEM's table exists: these need only pv entries, until none is left. */
	error = 0;
	for (int i = 1; i < PT_ENTRIES && error == 0; i++)
		error = pmap_enter(p, VA_NOMEM + ptoa(i), m, VM_PROT_READ, VM_PROT_READ);
	pmap_get_stats(&s1);
	selftest_ok(error == ENOMEM && s1.pv_reclaims > s0.pv_reclaims,
	    "out of pv entries, pmap_enter reclaims and then fails: ENOMEM");
	selftest_ok(pmap_resident_count(p) == (uint64_t)pmap_page_mapping_count(m) && clean(p),
	    "and leaves the pmap consistent (%lu mappings)", pmap_resident_count(p));
	hoard_release(hoard);
	selftest_ok(pmap_enter(p, VA_NOMEM_FAR, m, VM_PROT_READ, VM_PROT_READ) == 0 &&
	    pmap_extract(p, VA_NOMEM_FAR) == VM_PAGE_TO_PHYS(m), "it succeeds once memory is back");
	if (run != NULL)
		selftest_ok(pmap_enter_superpage(p, VA_SUPER, run, VM_PROT_RW, VM_PROT_READ) == 0 &&
		    pmap_is_superpage(p, VA_SUPER), "and so does pmap_enter_superpage");
	pmap_remove(p, 0, USER_MAX);
	selftest_ok(clean(p), "pmap_check clean after the ENOMEM test");
	pmap_destroy(p);
	page_put(m);
	if (run != NULL)
		super_run_put(run);
}

/*
 * An executable page may hold code just written through the data side;
 * the U74's instruction caches do not see that without a fence.i on every
 * hart (QEMU would not show a missing one): here and, through the
 * firmware's remote fence.i, on the others.
 */
static void
test_exec_sync(void)
{
	pmap_t p = pmap_create();
	struct vm_page *m = page_new(0x13);	/* 0x13131313: addi x6, x6, 305 */
	uint64_t sent0, failed0, sent1, failed1, sent2, failed2;
	uint64_t want = ncpu > 1 ? 1 : 0;

	icache_sync_counts(&sent0, &failed0);
	selftest_ok(pmap_enter(p, VA_EXEC, m, VM_PROT_READ | VM_PROT_EXECUTE, VM_PROT_READ) == 0,
	    "pmap_enter of an executable page");
	icache_sync_counts(&sent1, &failed1);
	selftest_ok(sent1 - sent0 == want, "it sends %lu remote fence.i to the other %u cpu(s)",
	    want, ncpu - 1);
	selftest_ok(failed1 == failed0, "the firmware accepts every remote fence.i (%lu refused)",
	    failed1);
	pmap_enter(p, VA_EXEC + PAGE_SIZE, m, VM_PROT_RW, VM_PROT_WRITE);
	icache_sync_counts(&sent2, &failed2);
	selftest_ok(sent2 == sent1, "a data page sends none");
	pmap_remove(p, VA_EXEC, VA_EXEC + 2 * PAGE_SIZE);
	selftest_ok(clean(p), "pmap_check clean after the instruction-cache tests");
	pmap_destroy(p);
	page_put(m);
}

static void
test_pmap(void)
{
	struct pmap_stats st0, st;
	uint64_t free0;

	zone_reclaim_all();
	free0 = vm_page_count_free();
	pmap_get_stats(&st0);
	printf("# pmap: %u ASID bits, %u cpus\n", st0.asid_bits, ncpu);
	test_copy();
	test_enter();
	test_referenced();
	test_ranges();
	test_sparse_table();
	test_table_cache();
	test_shared();
	test_wired();
	test_device();
	test_exec_sync();
	test_superpage();
	test_asid();
	test_local_flush();
	test_remote();
	test_lazy();
	test_stress();
	test_enomem();
	zone_reclaim_all();
	pmap_get_stats(&st);
	printf("# pmap: %lu shootdowns, %lu dirty faults, %lu ref faults, %lu rollovers\n",
	    st.shootdowns - st0.shootdowns, st.dirty_faults - st0.dirty_faults,
	    st.ref_faults - st0.ref_faults, st.asid_rollovers - st0.asid_rollovers);
	selftest_ok(st.pv_entries == st0.pv_entries && st.pt_pages == st0.pt_pages,
	    "every pv entry and page-table page came back (%lu, %lu)", st.pv_entries,
	    st.pt_pages);
	selftest_ok(vm_page_count_free() == free0, "every page came back (%lu free, %lu before)",
	    vm_page_count_free(), free0);
}

SELFTEST(pmap, test_pmap);
