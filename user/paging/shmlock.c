/*
 * shmlock: a System V segment paged out to swap, then locked.
 *
 * A 16 MiB segment is attached and filled, then paged out (MADV_PAGEOUT,
 * and a stream through 192 MiB, one and a half times the machine's
 * memory).  Then
 * shmctl(SHM_LOCK): its pages must come back from swap holding what was
 * written (never zero-filled in their place), and stay resident through
 * a second stream, counted as Unevictable.  SHM_UNLOCK and IPC_RMID give
 * it all back.
 *
 * Linux locks a segment's pages as they are touched, not at SHM_LOCK, so
 * the check reads every page after locking before it streams again.  On
 * Linux (qemu-user) the stream is 16 MiB (the host is not to be
 * pressed), and the swap and Unevictable checks are skipped.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define MIB		(1UL << 20)
#define SEGMENT		(16 * MIB)
#define STREAM		(192 * MIB)
#define HOST_STREAM	(16 * MIB)

static unsigned long
resident_pages(const void *p, unsigned long len)
{
	static unsigned char vec[SEGMENT / PGSZ];
	unsigned long n = 0;

	if (mincore((void *)p, len, vec) != 0)
		return 0;
	for (unsigned long i = 0; i < len / PGSZ; i++)
		n += vec[i] & 1;
	return n;
}

static int
intact(const uint64_t *p, unsigned long len)
{
	for (unsigned long off = 0; off < len; off += PGSZ)
		if (p[off / 8] != 0x5e900000000UL + off)
			return 0;
	return 1;
}

static void
stream_through(unsigned long len)
{
	uint64_t *s = (uint64_t *)map_pages(len / PGSZ);

	if (s == NULL)
		return;
	for (unsigned long off = 0; off < len; off += PGSZ)
		s[off / 8] = off;
	munmap(s, len);
}

int
main(void)
{
	int sable = vmstat_is_sable();
	unsigned long stream = sable ? STREAM : HOST_STREAM, before;
	long out0 = vmstat_get("pswpout"), in0, unevictable0 = meminfo_get("Unevictable");
	int id = shmget(IPC_PRIVATE, SEGMENT, IPC_CREAT | 0600);
	uint64_t *seg;

	tap_plan(7);
	seg = id < 0 ? (uint64_t *)-1 : shmat(id, NULL, 0);
	if (!tap_ok(seg != (uint64_t *)-1, "a %lu MiB segment attached (errno %d)", SEGMENT >> 20,
	    errno))
		return tap_done();
	for (unsigned long off = 0; off < SEGMENT; off += PGSZ)
		seg[off / 8] = 0x5e900000000UL + off;
	/* Out for certain (a stream alone may evict its own pages first, by design). */
	madvise(seg, SEGMENT, MADV_PAGEOUT);
	stream_through(stream);
	before = resident_pages(seg, SEGMENT);
	if (sable)
		tap_ok(vmstat_get("pswpout") - out0 > (long)(SEGMENT / PGSZ) / 2 &&
		    before < SEGMENT / PGSZ / 2, "the stream paged it out (%lu of %lu pages resident, "
		    "%ld out)", before, SEGMENT / PGSZ, vmstat_get("pswpout") - out0);
	else
		tap_skip("the pressure is our test machine's");
	in0 = vmstat_get("pswpin");
	if (!tap_ok(shmctl(id, SHM_LOCK, NULL) == 0, "SHM_LOCK (errno %d)", errno)) {
		shmdt(seg);
		shmctl(id, IPC_RMID, NULL);
		return tap_done();
	}
	tap_ok(intact(seg, SEGMENT), "locked, it holds what was written (read back from swap)");
	if (sable)
		tap_ok(vmstat_get("pswpin") - in0 >= (long)(SEGMENT / PGSZ - before),
		    "its pages came back from swap (%ld in)", vmstat_get("pswpin") - in0);
	else
		tap_skip("swap is our test machine's");
	stream_through(stream);
	tap_ok(resident_pages(seg, SEGMENT) == SEGMENT / PGSZ && intact(seg, SEGMENT),
	    "every page stayed resident and intact through another stream");
	if (sable)
		tap_ok(meminfo_get("Unevictable") - unevictable0 >= (long)(SEGMENT / 1024),
		    "Unevictable counts the segment (%ld kB more)",
		    meminfo_get("Unevictable") - unevictable0);
	else
		tap_skip("Unevictable counts the whole system");
	shmctl(id, SHM_UNLOCK, NULL);
	shmdt(seg);
	shmctl(id, IPC_RMID, NULL);
	return tap_done();
}
