/*
 * Self-tests of the block I/O layer, on a scratch disk: one whose first
 * sector holds the label scripts/disk-test writes (its size, sector size
 * and the sectors it made fail).  No other disk is ever written; with no
 * scratch disk the tests are skipped.
 *
 *   scatter-gather  one bio over pages that are not contiguous, starting
 *                   inside its first page, written and read back
 *   asynchronous    dozens of one-page writes in flight at once, then
 *                   reads, completing through callbacks
 *   malformed       bad ranges and sizes complete with EINVAL, uncounted
 *   EIO             reads and writes of the failing sectors complete with
 *                   EIO, synchronously and through callbacks
 *   blockdev        the buffer cache's interface, over malloc and kmem
 *                   buffers
 *   counters        /proc/diskstats' numbers move by what was done
 *   reset           a device reset with requests in flight completes each
 *                   of them exactly once, and the disk works afterwards
 *
 * Everything written is pattern generation SELFTEST_GEN over
 * [SELFTEST_OFFSET, +SELFTEST_BYTES), which the runner checks on the
 * host afterwards.  (The pattern is user/tests/disk_rw.c's.)
 *
 * These run before the scheduler: bio_wait spins, and so do the waits
 * for callbacks here, with interrupts on.
 */
#include <kern/systm.h>
#include <kern/bio.h>
#include <kern/blockdev.h>
#include <kern/disk.h>
#include <kern/malloc.h>
#include <kern/pcpu.h>
#include <kern/selftest.h>
#include <kern/spinlock.h>
#include <machine/cpu.h>
#include <vm/kmem.h>
#include <vm/vm_page.h>

#define LABEL_MAGIC	"SABLE-SCRATCH-DISK v1\n"
#define LABEL_BYTES	512
#define SELFTEST_GEN	11
#define GEN_F_HOST	9		/* the runner's fill around the failing sectors */
#define SELFTEST_OFFSET	(1UL << 20)
#define SELFTEST_BYTES	(512UL << 10)
#define SELFTEST_PAGES	(SELFTEST_BYTES / PAGE_SIZE)
#define SG_PAGE_OFFSET	512		/* where the scatter-gather bio starts in its first page */
#define READ_BIO_PAGES	8
#define NRESET_BIOS	16
#define WAIT_SECONDS	30
#define WATCH_PER_SEC	100		/* disk_check while waiting, as bio_wait does */
#define FAULT_CHUNK	4096

struct scratch {
	struct disk	*dp;
	uint64_t	bad_read;	/* byte offsets of failing sectors; 0: none */
	uint64_t	bad_write;
};

/* Requests counted by this test, to compare with the disk's counters. */
static uint64_t issued[BIO_NCMD], failed[BIO_NCMD];

static uint8_t
pat(uint64_t off, unsigned gen)
{
	uint64_t w = (off & ~7UL) + ((uint64_t)gen << 48) + (0x5aUL << 56);

	return (uint8_t)(w >> (8 * (off & 7)));
}

static uint8_t *
page_va(struct vm_page *m)
{
	return (uint8_t *)PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m));
}

/* Fill (or check) len bytes of the pages from page_off with disk bytes from off. */
static bool
pages_pattern(struct vm_page **pages, uint32_t page_off, uint64_t off, size_t len,
    unsigned gen, bool check)
{
	for (size_t i = 0; i < len; i++) {
		size_t at = page_off + i;
		uint8_t *p = page_va(pages[at / PAGE_SIZE]) + at % PAGE_SIZE;

		if (!check)
			*p = pat(off + i, gen);
		else if (*p != pat(off + i, gen))
			return false;
	}
	return true;
}

/*
 * n pages that are mostly not contiguous: every other page of 2n taken
 * one at a time, the spares held until all are taken (freed at once, a
 * spare would be the next one handed out, and its neighbour after it).
 * Returns how many runs of contiguous pages they form.
 */
static int
pages_alloc_scattered(struct vm_page **pages, int n)
{
	struct vm_page **spares = malloc(sizeof(*spares) * (size_t)n, M_TEMP, M_WAITOK);
	int runs = 0;

	KASSERT(spares != NULL, ("selftest_bio: out of memory"));
	for (int i = 0; i < n; i++) {
		spares[i] = vm_page_alloc_pages(0, VM_ALLOC_NORMAL);
		pages[i] = vm_page_alloc_pages(0, VM_ALLOC_NORMAL);
		KASSERT(spares[i] != NULL && pages[i] != NULL, ("selftest_bio: out of pages"));
		runs += i == 0 || VM_PAGE_TO_PHYS(pages[i]) != VM_PAGE_TO_PHYS(pages[i - 1]) + PAGE_SIZE;
	}
	for (int i = 0; i < n; i++)
		vm_page_free_pages(spares[i], 0);
	free(spares, M_TEMP);
	return runs;
}

static void
pages_free(struct vm_page **pages, int n)
{
	for (int i = 0; i < n; i++)
		vm_page_free_pages(pages[i], 0);
}

/* Asynchronous completions land here. */
struct async {
	uint32_t	done;		/* (A) callbacks run */
	uint32_t	eio;		/* (A) of them with EIO */
};

static void
async_done(struct bio *bp)
{
	struct async *a = bp->bio_caller;

	if (bp->bio_error == EIO)
		__atomic_add_fetch(&a->eio, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&a->done, 1, __ATOMIC_RELEASE);
}

/*
 * Wait (spinning: no scheduler yet) until n callbacks have run, doing the
 * watchdog's rounds (which poll a polled disk); false after WAIT_SECONDS.
 */
static bool
async_wait(struct async *a, uint32_t n)
{
	uint64_t tick = cpu_timebase_hz() / WATCH_PER_SEC, next = cpu_time() + tick;
	uint64_t deadline = cpu_time() + WAIT_SECONDS * cpu_timebase_hz();

	while (__atomic_load_n(&a->done, __ATOMIC_ACQUIRE) < n) {
		if (cpu_time() > deadline)
			return false;
		if (cpu_time() >= next) {
			disk_check();
			next = cpu_time() + tick;
		}
	}
	return true;
}

static void
async_submit(struct disk *dp, struct bio *bp, enum bio_cmd cmd, uint64_t off, size_t len,
    struct vm_page **pages, struct async *a)
{
	*bp = (struct bio){ .bio_cmd = cmd, .bio_offset = off, .bio_length = len,
	    .bio_pages = pages, .bio_done = async_done, .bio_caller = a };
	issued[cmd]++;
	bio_submit(dp, bp);
}

static int
sync_rw(struct disk *dp, enum bio_cmd cmd, uint64_t off, size_t len, struct vm_page **pages,
    uint32_t page_off)
{
	int error = bio_rw(dp, cmd, off, len, pages, page_off);

	issued[cmd]++;
	failed[cmd] += error == EIO;
	return error;
}

/* A disk whose first sector is a scratch label, or NULL. */
static bool
find_scratch(struct scratch *sc)
{
	char *label = malloc(PAGE_SIZE, M_TEMP, M_WAITOK | M_ZERO);
	bool found = false;

	for (struct disk *dp = disk_next(NULL); dp != NULL && !found; dp = disk_next(dp)) {
		memset(label, 0, PAGE_SIZE);
		if (blockdev_read(disk_blockdev(dp), 0, label, dp->d_sector_size) != 0 ||
		    strncmp(label, LABEL_MAGIC, strlen(LABEL_MAGIC)) != 0)
			continue;
		sc->dp = dp;
		sc->bad_read = sc->bad_write = 0;
		for (char *p = label; p != NULL && *p != '\0'; p = strchr(p, '\n'), p = p ? p + 1 : p) {
			if (strncmp(p, "bad-read ", 9) == 0)
				sc->bad_read = strtoul(p + 9, NULL, 10);
			else if (strncmp(p, "bad-write ", 10) == 0)
				sc->bad_write = strtoul(p + 10, NULL, 10);
		}
		found = true;
	}
	free(label, M_TEMP);
	return found;
}

/* One bio over scattered pages, from SG_PAGE_OFFSET into the first; its length. */
static size_t
test_scatter_gather(struct disk *dp)
{
	uint32_t n = dp->d_max_pages;
	struct vm_page *w[BIO_MAX_PAGES], *r[BIO_MAX_PAGES];
	size_t len = rounddown2(ptoa(n) - SG_PAGE_OFFSET, (size_t)dp->d_sector_size);
	int wruns = pages_alloc_scattered(w, (int)n), rruns = pages_alloc_scattered(r, (int)n);

	pages_pattern(w, SG_PAGE_OFFSET, SELFTEST_OFFSET, len, SELFTEST_GEN, false);
	selftest_ok(sync_rw(dp, BIO_WRITE, SELFTEST_OFFSET, len, w, SG_PAGE_OFFSET) == 0,
	    "bio: a %zu-byte write from %u pages in %d runs, starting %u bytes in", len, n,
	    wruns, SG_PAGE_OFFSET);
	selftest_ok(sync_rw(dp, BIO_READ, SELFTEST_OFFSET, len, r, 0) == 0 &&
	    pages_pattern(r, 0, SELFTEST_OFFSET, len, SELFTEST_GEN, true) && wruns > 1 && rruns > 1,
	    "bio: read back into %d other runs of pages, byte for byte", rruns);
	pages_free(w, (int)n);
	pages_free(r, (int)n);
	return len;
}

/* The rest of the region as one-page writes all in flight, then 8-page reads. */
static void
test_async(struct disk *dp, size_t done)
{
	uint64_t start = SELFTEST_OFFSET + done, end = SELFTEST_OFFSET + SELFTEST_BYTES;
	uint32_t nw = (uint32_t)howmany(end - start, PAGE_SIZE), nr = SELFTEST_PAGES / READ_BIO_PAGES;
	struct vm_page **pages = malloc(sizeof(*pages) * SELFTEST_PAGES, M_TEMP, M_WAITOK);
	struct bio *bios = malloc(sizeof(*bios) * SELFTEST_PAGES, M_TEMP, M_WAITOK);
	struct async wa = { 0, 0 }, ra = { 0, 0 };
	struct disk_stats st;
	bool same = true;

	pages_alloc_scattered(pages, SELFTEST_PAGES);
	for (uint32_t i = 0; i < nw; i++) {
		uint64_t off = start + ptoa(i);
		size_t len = MIN(PAGE_SIZE, end - off);

		pages_pattern(&pages[i], 0, off, len, SELFTEST_GEN, false);
		async_submit(dp, &bios[i], BIO_WRITE, off, len, &pages[i], &wa);
	}
	selftest_ok(async_wait(&wa, nw) && wa.done == nw && wa.eio == 0,
	    "bio: %u asynchronous writes, every callback run once, no errors", nw);
	disk_get_stats(dp, &st);
	selftest_ok(st.ds_inflight_max >= 4, "bio: many requests in flight at once (%u at most)",
	    st.ds_inflight_max);
	for (uint32_t i = 0; i < SELFTEST_PAGES; i++)
		memset(page_va(pages[i]), 0, PAGE_SIZE);
	for (uint32_t i = 0; i < nr; i++)
		async_submit(dp, &bios[i], BIO_READ, SELFTEST_OFFSET + ptoa(i * READ_BIO_PAGES),
		    ptoa(READ_BIO_PAGES), &pages[i * READ_BIO_PAGES], &ra);
	selftest_ok(async_wait(&ra, nr) && ra.eio == 0, "bio: %u asynchronous %u-page reads", nr,
	    READ_BIO_PAGES);
	for (uint32_t i = 0; i < SELFTEST_PAGES; i++)
		same &= pages_pattern(&pages[i], 0, SELFTEST_OFFSET + ptoa(i), PAGE_SIZE,
		    SELFTEST_GEN, true);
	selftest_ok(same, "bio: the whole %lu KiB region reads back", SELFTEST_BYTES >> 10);
	pages_free(pages, SELFTEST_PAGES);
	free(bios, M_TEMP);
	free(pages, M_TEMP);
}

/* Malformed requests: EINVAL, and the disk never sees them. */
static void
test_malformed(struct disk *dp)
{
	struct vm_page *m[BIO_MAX_PAGES + 1];
	struct bio flush = { .bio_cmd = BIO_FLUSH, .bio_length = 512 };
	bool all = true;

	for (int i = 0; i <= BIO_MAX_PAGES; i++)
		m[i] = vm_page_alloc_pages(0, VM_ALLOC_NORMAL);
	all &= bio_rw(dp, BIO_READ, 0, dp->d_sector_size / 2, m, 0) == EINVAL;
	all &= bio_rw(dp, BIO_READ, dp->d_sector_size / 2, dp->d_sector_size, m, 0) == EINVAL;
	all &= bio_rw(dp, BIO_READ, dp->d_size, dp->d_sector_size, m, 0) == EINVAL;
	all &= bio_rw(dp, BIO_WRITE, UINT64_MAX - 511, dp->d_sector_size, m, 0) == EINVAL;
	all &= bio_rw(dp, BIO_READ, 0, ptoa(dp->d_max_pages + 1), m, 0) == EINVAL;
	all &= bio_rw(dp, BIO_READ, 0, PAGE_SIZE, m, PAGE_SIZE) == EINVAL;
	bio_submit(dp, &flush);
	all &= bio_wait(&flush) == EINVAL;
	selftest_ok(all, "bio: bad sizes, ranges, page counts and offsets: EINVAL");
	pages_free(m, BIO_MAX_PAGES + 1);
}

/* The failing sectors: EIO synchronously and through a callback; neighbours fine. */
static void
test_eio(struct scratch *sc)
{
	struct disk *dp = sc->dp;
	uint64_t r = rounddown2(sc->bad_read, (uint64_t)FAULT_CHUNK);
	struct vm_page *m = vm_page_alloc_pages(0, VM_ALLOC_NORMAL);
	struct async a = { 0, 0 };
	struct bio bio;

	if (sc->bad_read == 0 || sc->bad_write == 0) {
		selftest_skip("bio: EIO: the disk has no failing sectors (run with --faults)");
		return;
	}
	selftest_ok(sync_rw(dp, BIO_READ, r, FAULT_CHUNK, &m, 0) == EIO,
	    "bio: reading the failing sector at %lu: EIO", sc->bad_read);
	async_submit(dp, &bio, BIO_READ, r, FAULT_CHUNK, &m, &a);
	failed[BIO_READ]++;
	selftest_ok(async_wait(&a, 1) && a.eio == 1, "bio: and through a callback: EIO");
	selftest_ok(sync_rw(dp, BIO_READ, r - FAULT_CHUNK, FAULT_CHUNK, &m, 0) == 0 &&
	    pages_pattern(&m, 0, r - FAULT_CHUNK, FAULT_CHUNK, GEN_F_HOST, true),
	    "bio: the chunk before it reads fine");
	pages_pattern(&m, 0, sc->bad_write, dp->d_sector_size, GEN_F_HOST, false);
	selftest_ok(sync_rw(dp, BIO_WRITE, rounddown2(sc->bad_write, (uint64_t)dp->d_sector_size),
	    dp->d_sector_size, &m, 0) == EIO, "bio: writing the failing sector at %lu: EIO",
	    sc->bad_write);
	vm_page_free_pages(m, 0);
}

/* The buffer cache's view: byte ranges of kernel buffers. */
static void
test_blockdev(struct disk *dp)
{
	struct blockdev *bd = disk_blockdev(dp);
	size_t klen = 2 * PAGE_SIZE, mlen = PAGE_SIZE;
	uint8_t *kbuf = kmem_alloc(klen, M_WAITOK), *mbuf = malloc(mlen, M_TEMP, M_WAITOK);
	uint64_t off = SELFTEST_OFFSET + PAGE_SIZE;
	bool same = true;

	selftest_ok(bd->bd_size == dp->d_size && bd->bd_sector_size == dp->d_sector_size &&
	    strcmp(bd->bd_name, dp->d_name) == 0, "blockdev: %s, %lu bytes, %u-byte sectors",
	    bd->bd_name, bd->bd_size, bd->bd_sector_size);
	for (size_t i = 0; i < klen; i++)
		kbuf[i] = pat(off + i, SELFTEST_GEN);
	selftest_ok(blockdev_write(bd, off, kbuf, klen) == 0, "blockdev: a %zu-byte write from kmem",
	    klen);
	issued[BIO_WRITE]++;
	selftest_ok(blockdev_read(bd, off + klen - dp->d_sector_size, mbuf, dp->d_sector_size) == 0,
	    "blockdev: a sector read into malloc memory");
	issued[BIO_READ]++;
	for (size_t i = 0; i < dp->d_sector_size; i++)
		same &= mbuf[i] == pat(off + klen - dp->d_sector_size + i, SELFTEST_GEN);
	selftest_ok(same, "blockdev: it holds what was written");
	selftest_ok(blockdev_read(bd, 100, mbuf, dp->d_sector_size) == EINVAL &&
	    blockdev_read(bd, dp->d_size, mbuf, dp->d_sector_size) == EINVAL,
	    "blockdev: unaligned and out-of-range reads: EINVAL");
	selftest_ok(blockdev_flush(bd) == 0, "blockdev: flush");
	issued[BIO_FLUSH] += (dp->d_flags & DISK_WRITE_CACHE) != 0;
	kmem_free(kbuf, klen);
	free(mbuf, M_TEMP);
}

/* The counters moved by exactly what this test did. */
static void
test_counters(struct disk *dp, const struct disk_stats *before)
{
	struct disk_stats st;

	disk_get_stats(dp, &st);
	selftest_ok(st.ds_ios[BIO_READ] - before->ds_ios[BIO_READ] == issued[BIO_READ] &&
	    st.ds_ios[BIO_WRITE] - before->ds_ios[BIO_WRITE] == issued[BIO_WRITE] &&
	    st.ds_ios[BIO_FLUSH] - before->ds_ios[BIO_FLUSH] == issued[BIO_FLUSH],
	    "counters: %lu reads, %lu writes, %lu flushes, as issued",
	    st.ds_ios[BIO_READ] - before->ds_ios[BIO_READ],
	    st.ds_ios[BIO_WRITE] - before->ds_ios[BIO_WRITE],
	    st.ds_ios[BIO_FLUSH] - before->ds_ios[BIO_FLUSH]);
	selftest_ok(st.ds_errors[BIO_READ] - before->ds_errors[BIO_READ] == failed[BIO_READ] &&
	    st.ds_errors[BIO_WRITE] - before->ds_errors[BIO_WRITE] == failed[BIO_WRITE] &&
	    st.ds_inflight == 0 && st.ds_busy_time > before->ds_busy_time,
	    "counters: %lu read and %lu write errors, nothing in flight, busy time grows",
	    st.ds_errors[BIO_READ] - before->ds_errors[BIO_READ],
	    st.ds_errors[BIO_WRITE] - before->ds_errors[BIO_WRITE]);
}

/*
 * A reset with reads in flight: each completes once (EIO or done), then
 * the disk works.  Interrupts stay off on this cpu from the first submit
 * to the reset, so on one cpu every read is still the driver's when the
 * device is reset and must be failed by it.
 */
static void
test_reset(struct disk *dp)
{
	struct vm_page *pages[NRESET_BIOS * READ_BIO_PAGES];
	struct bio bios[NRESET_BIOS];
	struct async a = { 0, 0 };
	uint64_t until;
	bool back;

	pages_alloc_scattered(pages, NRESET_BIOS * READ_BIO_PAGES);
	critical_enter();
	for (int i = 0; i < NRESET_BIOS; i++)
		async_submit(dp, &bios[i], BIO_READ, SELFTEST_OFFSET + ptoa(i * READ_BIO_PAGES),
		    ptoa(READ_BIO_PAGES), &pages[i * READ_BIO_PAGES], &a);
	back = dp->d_ops->d_reset(dp);
	critical_exit();
	selftest_ok(back && async_wait(&a, NRESET_BIOS) && (a.eio > 0 || ncpu > 1),
	    "reset: the device comes back; all %d reads in flight complete, %u failed by the reset",
	    NRESET_BIOS, a.eio);
	failed[BIO_READ] += a.eio;
	for (until = cpu_time() + cpu_timebase_hz() / 10; cpu_time() < until;)
		cpu_spinwait();
	selftest_ok(a.done == NRESET_BIOS, "reset: and none completes twice (%u callbacks)", a.done);
	selftest_ok(sync_rw(dp, BIO_READ, SELFTEST_OFFSET, ptoa(READ_BIO_PAGES), pages, 0) == 0 &&
	    pages_pattern(pages, 0, SELFTEST_OFFSET, ptoa(READ_BIO_PAGES), SELFTEST_GEN, true),
	    "reset: the disk reads correctly afterwards");
	pages_free(pages, NRESET_BIOS * READ_BIO_PAGES);
}

static void
test_bio(void)
{
	struct disk_stats before;
	struct scratch sc;
	size_t sg;

	if (!find_scratch(&sc)) {
		selftest_skip("bio: no scratch disk (scripts/disk-test --selftest attaches one)");
		return;
	}
	disk_get_stats(sc.dp, &before);
	sg = test_scatter_gather(sc.dp);
	test_async(sc.dp, sg);
	test_malformed(sc.dp);
	test_eio(&sc);
	test_blockdev(sc.dp);
	test_counters(sc.dp, &before);
	test_reset(sc.dp);
}

SELFTEST(bio, test_bio);
