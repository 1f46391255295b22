/*
 * Host unit test for the buffer cache (mi/kern/buf.c) over memory disks
 * (tests/host/blockdev_host.c), TAP output.
 *
 * The cache runs with the kernel's own sleep locks (kern/mutex.c,
 * kern/sx.c) over pthread sleep queues (tests/host/host_sleep.c).  Every check compares the
 * cache's view with the bytes on the "disk" and with the device's request
 * counters, so a write that happens too early, too late or never shows.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/systm.h>
#include <kern/buf.h>
#include <kern/pcpu.h>
#include <machine/cpu.h>

#include "host/blockdev_host.h"
#include "host/tap.h"

#define BSIZE		1024
#define DISK_BLOCKS	64

static struct host_disk *
new_disk(void)
{
	static uint8_t image[DISK_BLOCKS * BSIZE];

	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i / BSIZE);	/* block n is full of n */
	return host_disk_mem(image, sizeof(image), 512);
}

static bool
block_is(struct host_disk *hd, uint64_t blkno, uint8_t val)
{
	for (size_t i = 0; i < BSIZE; i++)
		if (hd->hd_mem[blkno * BSIZE + i] != val)
			return false;
	return true;
}

static void
test_read_and_hit(void)
{
	struct host_disk *hd = new_disk();
	struct bcache_stats before, after;
	struct buf *bp;
	bool good = true;

	bcache_set_limit(16);
	bcache_get_stats(&before);
	CHECK(good, "bread", bread(&hd->hd_bd, 5, BSIZE, &bp) == 0);
	CHECK(good, "block 5 holds 5s", good && ((uint8_t *)bp->b_data)[0] == 5 &&
	    ((uint8_t *)bp->b_data)[BSIZE - 1] == 5);
	if (good)
		brelse(bp);
	CHECK(good, "bread again", bread(&hd->hd_bd, 5, BSIZE, &bp) == 0);
	if (good)
		brelse(bp);
	bcache_get_stats(&after);
	CHECK(good, "one disk read", hd->hd_reads == 1);
	CHECK(good, "one miss, one hit", after.bs_misses - before.bs_misses == 1 &&
	    after.bs_hits - before.bs_hits == 1);
	tap_ok(good, "bread reads a block once and then finds it cached");
	bcache_purge(&hd->hd_bd);
	host_disk_close(hd);
}

static void
test_delayed_write(void)
{
	struct host_disk *hd = new_disk();
	struct buf *bp;
	bool good = true;

	bcache_set_limit(16);
	CHECK(good, "bread", bread(&hd->hd_bd, 7, BSIZE, &bp) == 0);
	memset(bp->b_data, 0xee, BSIZE);
	bdwrite(bp);
	CHECK(good, "not written yet", hd->hd_writes == 0 && block_is(hd, 7, 7));
	CHECK(good, "bflush", bflush(&hd->hd_bd) == 0);
	CHECK(good, "written once", hd->hd_writes == 1 && block_is(hd, 7, 0xee));
	CHECK(good, "second bflush", bflush(&hd->hd_bd) == 0);
	CHECK(good, "nothing more to write", hd->hd_writes == 1);
	/* getblk of a block we fill ourselves: no read at all. */
	bp = getblk(&hd->hd_bd, 9, BSIZE);
	CHECK(good, "getblk of an uncached block is not valid", !(bp->b_flags & B_VALID));
	memset(bp->b_data, 0x99, BSIZE);
	CHECK(good, "bwrite", bwrite(bp) == 0);
	CHECK(good, "getblk+bwrite: no read, one write", hd->hd_reads == 1 &&
	    hd->hd_writes == 2 && block_is(hd, 9, 0x99));
	tap_ok(good, "bdwrite waits for bflush; bwrite writes at once");
	bcache_purge(&hd->hd_bd);
	host_disk_close(hd);
}

static void
test_recycling(void)
{
	struct host_disk *hd = new_disk();
	struct buf *bp;
	uint32_t held;
	bool good = true;

	bcache_set_limit(4);
	for (uint64_t b = 0; b < 12 && good; b++) {
		CHECK(good, "bread", bread(&hd->hd_bd, b, BSIZE, &bp) == 0);
		if (!good)
			break;
		CHECK(good, "right contents", ((uint8_t *)bp->b_data)[17] == b);
		if (b == 1)
			memset(bp->b_data, 0x11, BSIZE);
		if (b == 1)
			bdwrite(bp);
		else
			brelse(bp);
	}
	CHECK(good, "at most 4 buffers kept", bcache_count(&hd->hd_bd, &held) <= 4 && held == 0);
	CHECK(good, "the dirty block was written when recycled", block_is(hd, 1, 0x11));
	/* Over the limit while every buffer is held: the cache grows, then shrinks. */
	struct buf *hold[6];
	for (int i = 0; i < 6 && good; i++)
		CHECK(good, "bread held", bread(&hd->hd_bd, 20 + (uint64_t)i, BSIZE, &hold[i]) == 0);
	CHECK(good, "6 held buffers", bcache_count(&hd->hd_bd, &held) >= 6 && held == 6);
	for (int i = 0; i < 6 && good; i++)
		brelse(hold[i]);
	CHECK(good, "back to the limit", bcache_count(&hd->hd_bd, NULL) <= 4);
	tap_ok(good, "a small cache recycles buffers, writing dirty ones first");
	bcache_purge(&hd->hd_bd);
	host_disk_close(hd);
}

static void
test_binval(void)
{
	struct host_disk *hd = new_disk();
	struct buf *bp, *bp2;
	bool good = true;

	bcache_set_limit(16);
	CHECK(good, "bread", bread(&hd->hd_bd, 3, BSIZE, &bp) == 0);
	memset(bp->b_data, 0x33, BSIZE);
	bdwrite(bp);
	binval(&hd->hd_bd, 3);
	CHECK(good, "bflush", bflush(&hd->hd_bd) == 0);
	CHECK(good, "the forgotten dirty block is never written", hd->hd_writes == 0 &&
	    block_is(hd, 3, 3));
	bp = getblk(&hd->hd_bd, 3, BSIZE);
	CHECK(good, "a forgotten block comes back empty", !(bp->b_flags & B_VALID));
	brelse(bp);
	/* Forgotten while held: the holder's buffer is dropped at release. */
	CHECK(good, "bread 4", bread(&hd->hd_bd, 4, BSIZE, &bp) == 0);
	binval(&hd->hd_bd, 4);
	CHECK(good, "bread 4 anew", bread(&hd->hd_bd, 4, BSIZE, &bp2) == 0);
	CHECK(good, "a second buffer", bp2 != bp && ((uint8_t *)bp2->b_data)[0] == 4);
	memset(bp->b_data, 0x44, BSIZE);
	CHECK(good, "bwrite of a forgotten buffer", bwrite(bp) == 0);
	CHECK(good, "does not reach the disk", block_is(hd, 4, 4));
	brelse(bp2);
	CHECK(good, "blocks 3 and the new 4 are cached", bcache_count(&hd->hd_bd, NULL) == 2);
	tap_ok(good, "binval forgets a block, dirty or held");
	bcache_purge(&hd->hd_bd);
	host_disk_close(hd);
}

static void
test_errors(void)
{
	struct host_disk *hd = new_disk();
	struct buf *bp;
	bool good = true;

	bcache_set_limit(2);
	hd->hd_fail_read_lo = 10 * BSIZE;
	hd->hd_fail_read_hi = 11 * BSIZE;
	CHECK(good, "a failing read is EIO", bread(&hd->hd_bd, 10, BSIZE, &bp) == EIO &&
	    bp == NULL);
	hd->hd_fail_read_hi = 0;
	CHECK(good, "the next read tries again", bread(&hd->hd_bd, 10, BSIZE, &bp) == 0 &&
	    ((uint8_t *)bp->b_data)[5] == 10);
	if (good)
		brelse(bp);
	CHECK(good, "a block past the end is EIO",
	    bread(&hd->hd_bd, DISK_BLOCKS, BSIZE, &bp) == EIO);
	CHECK(good, "a block number that overflows is EIO",
	    bread(&hd->hd_bd, UINT64_MAX / 2, BSIZE, &bp) == EIO);

	/* Two dirty buffers whose writes fail, in a cache of two. */
	hd->hd_fail_write_lo = 0;
	hd->hd_fail_write_hi = 2 * BSIZE;
	for (uint64_t b = 0; b < 2 && good; b++) {
		CHECK(good, "bread", bread(&hd->hd_bd, b, BSIZE, &bp) == 0);
		memset(bp->b_data, 0xaa, BSIZE);
		bdwrite(bp);
	}
	CHECK(good, "bflush reports the failure", bflush(&hd->hd_bd) == EIO);
	CHECK(good, "and again", bflush(&hd->hd_bd) == EIO);
	/* Recycling must not spin on buffers it cannot write. */
	for (uint64_t b = 30; b < 34 && good; b++) {
		CHECK(good, "bread past failed buffers", bread(&hd->hd_bd, b, BSIZE, &bp) == 0);
		if (good)
			brelse(bp);
	}
	hd->hd_fail_write_hi = 0;
	CHECK(good, "bflush succeeds once the disk works", bflush(&hd->hd_bd) == 0);
	CHECK(good, "both blocks written", block_is(hd, 0, 0xaa) && block_is(hd, 1, 0xaa));
	tap_ok(good, "read and write errors are EIO, retried, and never lose a dirty block");

	/* bwrite of a failing block: EIO, stays dirty, purge discards it. */
	hd->hd_fail_write_lo = 5 * BSIZE;
	hd->hd_fail_write_hi = 6 * BSIZE;
	good = true;
	CHECK(good, "bread", bread(&hd->hd_bd, 5, BSIZE, &bp) == 0);
	memset(bp->b_data, 0x55, BSIZE);
	CHECK(good, "bwrite fails", bwrite(bp) == EIO);
	CHECK(good, "purge discards one dirty buffer", bcache_purge(&hd->hd_bd) == 1);
	CHECK(good, "nothing left", bcache_count(&hd->hd_bd, NULL) == 0);
	tap_ok(good, "a failed bwrite leaves the buffer dirty; purge discards it");
	host_disk_close(hd);
}

/*
 * Threads increment counters kept in a few blocks, through a cache too
 * small to hold them all: each increment is a bread, a change and a
 * bdwrite, so lost updates would show as a short total.
 */
#define MT_THREADS	4
#define MT_BLOCKS	8
#define MT_ROUNDS	3000

static struct host_disk *mt_disk;

static void *
mt_worker(void *arg)
{
	uint64_t id = (uint64_t)(uintptr_t)arg, rng = id * 7919 + 1;
	struct buf *bp;

	host_pcpu.pc_cpuid = (uint32_t)id + 1;
	for (int i = 0; i < MT_ROUNDS; i++) {
		uint64_t b = tap_rand_r(&rng) % MT_BLOCKS;

		if (bread(&mt_disk->hd_bd, b, BSIZE, &bp) != 0)
			abort();
		((uint32_t *)bp->b_data)[0]++;
		((uint32_t *)bp->b_data)[1 + id]++;
		if (i % 3 == 0)
			bdwrite(bp);
		else if (i % 3 == 1)
			(void)bwrite(bp);
		else
			bdwrite(bp);
		if (i % 500 == 0)
			(void)bflush(&mt_disk->hd_bd);
	}
	return NULL;
}

static void
test_threads(void)
{
	static uint8_t zero[MT_BLOCKS * BSIZE];
	pthread_t th[MT_THREADS];
	uint64_t total = 0, per[MT_THREADS] = { 0 };
	bool good = true;

	mt_disk = host_disk_mem(zero, sizeof(zero), 512);
	bcache_set_limit(3);
	for (uintptr_t i = 0; i < MT_THREADS; i++)
		pthread_create(&th[i], NULL, mt_worker, (void *)i);
	for (int i = 0; i < MT_THREADS; i++)
		pthread_join(th[i], NULL);
	CHECK(good, "final bflush", bflush(&mt_disk->hd_bd) == 0);
	for (int b = 0; b < MT_BLOCKS; b++) {
		uint32_t *w = (uint32_t *)(mt_disk->hd_mem + b * BSIZE);

		total += w[0];
		for (int t = 0; t < MT_THREADS; t++)
			per[t] += w[1 + t];
	}
	CHECK(good, "every increment reached the disk", total == MT_THREADS * MT_ROUNDS);
	for (int t = 0; t < MT_THREADS; t++)
		CHECK(good, "each thread's increments", per[t] == MT_ROUNDS);
	if (!good)
		tap_diag("total %lu, expected %d", (unsigned long)total, MT_THREADS * MT_ROUNDS);
	tap_ok(good, "%d threads, %d blocks, a cache of 3: no update lost", MT_THREADS, MT_BLOCKS);
	bcache_purge(&mt_disk->hd_bd);
	host_disk_close(mt_disk);
}

int
main(void)
{
	bcache_init(16);
	test_read_and_hit();
	test_delayed_write();
	test_recycling();
	test_binval();
	test_errors();
	test_threads();
	return tap_done();
}
