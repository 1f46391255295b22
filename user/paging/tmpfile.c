/*
 * tmpfile: a /tmp file bigger than memory (issue 10).
 *
 * /tmp is ramfs, whose pages have no file behind them: under memory
 * pressure they go to swap, as Linux's tmpfs sends its pages there.  The
 * program writes a file of one and a half times MemTotal with write(2),
 * so that at least half of memory's worth of it must be in swap; maps a
 * third of it MAP_SHARED, checks it through the mapping and stores into
 * every page there (a store to a page whose copy is in swap makes the
 * copy stale); reads the whole file back with read(2), checking every
 * word; truncates it to half and unlinks it.  After that the swap it
 * used and the memory it held are free again, and every slot in use is
 * held by some object (none leaked).  (SwapFree does not come back to
 * where it started: the pressure sends the initramfs's files, ramfs
 * too, to swap as well.  What must come back is every slot of the file:
 * at least its pages that mincore says are not resident.)
 *
 * On Linux (qemu-user) the file is 8 MiB: the checks, not paging; what
 * reads this kernel's counters is skipped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define MIB		(1UL << 20)
#define HOST_SIZE	(8 * MIB)
#define TIMES_RAM_NUM	3		/* the file is 3/2 of MemTotal */
#define TIMES_RAM_DEN	2
#define CHUNK		(256 * 1024UL)
#define SLACK_KB	(4 * 1024L)	/* MemFree: what init and the shell may take meanwhile */
#define PATH		"/tmp/paging-tmpfile"

static uint64_t buf[CHUNK / 8];

/* The word at byte offset off, as written (gen 0) or stored through the mapping (gen 1). */
static uint64_t
word(unsigned long off, int gen)
{
	return (off * 0x9e3779b97f4a7c15ULL) ^ ((uint64_t)gen << 63) ^ 0x5ab1e;
}

/* What the file holds at off: the mapped third's pages have gen 1 in their first word. */
static uint64_t
expected(unsigned long off, unsigned long map_lo, unsigned long map_hi)
{
	return word(off, off >= map_lo && off < map_hi && (off % PGSZ) == 0);
}

static int
write_file(int fd, unsigned long size)
{
	for (unsigned long off = 0; off < size; off += CHUNK) {
		for (unsigned long w = 0; w < CHUNK / 8; w++)
			buf[w] = word(off + w * 8, 0);
		if (write(fd, buf, CHUNK) != (ssize_t)CHUNK) {
			tap_diag("write at %lu MiB: errno %d", off / MIB, errno);
			return 0;
		}
	}
	return 1;
}

/* Check [lo, hi) through the mapping at p (of the file from lo), then store gen 1 in each page. */
static int
check_and_store(uint64_t *p, unsigned long lo, unsigned long hi)
{
	int ok = 1;

	for (unsigned long off = lo; off < hi; off += 8) {
		if (p[(off - lo) / 8] != word(off, 0) && ok) {
			tap_diag("mapped word at %lu: %#lx", off, (unsigned long)p[(off - lo) / 8]);
			ok = 0;
		}
	}
	for (unsigned long off = lo; off < hi; off += PGSZ)
		p[(off - lo) / 8] = word(off, 1);
	return ok;
}

static int
read_back(int fd, unsigned long size, unsigned long map_lo, unsigned long map_hi)
{
	if (lseek(fd, 0, SEEK_SET) != 0)
		return 0;
	for (unsigned long off = 0; off < size; off += CHUNK) {
		if (read(fd, buf, CHUNK) != (ssize_t)CHUNK) {
			tap_diag("read at %lu MiB: errno %d", off / MIB, errno);
			return 0;
		}
		for (unsigned long w = 0; w < CHUNK / 8; w++) {
			if (buf[w] != expected(off + w * 8, map_lo, map_hi)) {
				tap_diag("word at %lu: %#lx", off + w * 8, (unsigned long)buf[w]);
				return 0;
			}
		}
	}
	return 1;
}

/* How many pages of the file's first bytes are not resident (mincore of a mapping). */
static long
pages_out(int fd, unsigned long bytes)
{
	static unsigned char vec[(1UL << 30) / PGSZ];
	unsigned long n = bytes / PGSZ;
	void *p;
	long out = 0;

	if (n > sizeof(vec))
		return -1;
	p = mmap(NULL, bytes, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -1;
	if (mincore(p, bytes, vec) != 0)
		out = -1;
	for (unsigned long i = 0; out >= 0 && i < n; i++)
		out += !(vec[i] & 1);
	munmap(p, bytes);
	return out;
}

static long
blocks(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (long)st.st_blocks : -1;
}

/*
 * Does st_blocks count bytes' worth of pages?  Exactly here; on Linux
 * /tmp may be a disk's, whose blocks may include the file's metadata.
 */
static int
blocks_are(int fd, unsigned long bytes, int sable)
{
	return sable ? blocks(fd) == (long)(bytes / 512) : blocks(fd) >= (long)(bytes / 512);
}

int
main(void)
{
	long ram_kb = meminfo_get("MemTotal"), swapfree0 = meminfo_get("SwapFree");
	long out0 = vmstat_get("pswpout"), in0 = vmstat_get("pswpin"), out1, out, swapfree1;
	int sable = vmstat_is_sable();
	unsigned long size, map_lo, map_hi;
	struct vm_snapshot before, after;
	uint64_t *p;
	int fd;

	if (ram_kb <= 0) {
		tap_skip_all("no /proc/meminfo");
		return tap_done();
	}
	tap_plan(12);
	size = sable ? (unsigned long)ram_kb * 1024 * TIMES_RAM_NUM / TIMES_RAM_DEN : HOST_SIZE;
	size -= size % CHUNK;
	map_lo = (size / 3) & ~(PGSZ - 1);
	map_hi = (2 * size / 3) & ~(PGSZ - 1);
	tap_diag("a %lu MiB file in /tmp, %ld MiB of memory", size / MIB, ram_kb / 1024);
	unlink(PATH);
	before = vm_snapshot_take();
	fd = open(PATH, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (!tap_ok(fd >= 0 && write_file(fd, size), "%lu MiB written to " PATH " with write(2)",
	    size / MIB))
		return tap_done();
	out1 = vmstat_get("pswpout");
	if (sable)
		tap_ok(out1 - out0 >= (long)((size - (unsigned long)ram_kb * 1024) / PGSZ),
		    "at least what memory cannot hold went to swap (pswpout +%ld)", out1 - out0);
	else
		tap_skip("the pressure is our test machine's");
	tap_ok(blocks_are(fd, size, sable), "st_blocks counts every page, in swap or not "
	    "(%ld)", blocks(fd));

	p = mmap(NULL, map_hi - map_lo, PROT_READ | PROT_WRITE, MAP_SHARED, fd, (off_t)map_lo);
	if (!tap_ok(p != MAP_FAILED, "its middle third mapped MAP_SHARED"))
		return tap_done();
	tap_ok(check_and_store(p, map_lo, map_hi),
	    "the mapping holds what write(2) wrote; a word stored in each of its pages");
	munmap(p, map_hi - map_lo);
	tap_ok(read_back(fd, size, map_lo, map_hi),
	    "read(2) gives back every word, the mapping's stores included");
	if (sable)
		tap_ok(vmstat_get("pswpin") > in0, "pages came back from swap (pswpin +%ld)",
		    vmstat_get("pswpin") - in0);
	else
		tap_skip("swap counters are our kernel's");

	tap_ok(ftruncate(fd, (off_t)(size / 2)) == 0 && blocks_are(fd, size / 2, sable),
	    "truncated to half: st_blocks halves (%ld)", blocks(fd));
	out = pages_out(fd, size / 2);
	swapfree1 = meminfo_get("SwapFree");
	close(fd);
	tap_ok(out >= 0 && unlink(PATH) == 0, "unlinked, %ld of its pages not resident", out);
	if (!sable) {
		for (int i = 0; i < 3; i++)
			tap_skip("swap in use and objects are our kernel's");
		return tap_done();
	}
	tap_ok(vm_snapshot_back(&before, &after, SLACK_KB), "its memory is free again, its object "
	    "gone (MemFree %ld -> %ld kB, file objects %ld -> %ld)", before.free_kb, after.free_kb,
	    before.vnode, after.vnode);
	tap_ok(meminfo_get("SwapFree") - swapfree1 >= out * (long)(PGSZ / 1024),
	    "its swap is free again: SwapFree %ld -> %ld -> %ld kB (the pressure sent other "
	    "files to swap too)", swapfree0, swapfree1, meminfo_get("SwapFree"));
	tap_ok(vmcheck_problems("/proc/vmcheck") == 0 &&
	    vmcheck_value("swap_slots_used") == vmcheck_value("swap_slots_held"),
	    "/proc/vmcheck consistent, every slot in use held (%ld used, %ld held)",
	    vmcheck_value("swap_slots_used"), vmcheck_value("swap_slots_held"));
	return tap_done();
}
