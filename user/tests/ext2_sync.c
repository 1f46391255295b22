/*
 * ext2_sync: write-back of files on a disk, run by scripts/fs-test as
 * init with an ext2 image as /dev/vda, in one of three modes (the first
 * argument); the runner checks the image on the host afterwards.
 *
 *   syncer     dirty pages reach the disk without fsync, within the
 *              syncer's interval (/proc/sys/vm/dirty_writeback_centisecs
 *              set to 1 s here); fsync, fdatasync, sync and syncfs write
 *              and wait; drop_caches frees clean pages, which read back
 *              from the disk; then exit without unmounting: powering off
 *              must write everything and leave the disk clean.
 *   powerfail  a file written and fsync'ed, one made sparse and stored
 *              to through a mapping and msync'ed, another changed without
 *              either, then power off at once, without any syncing
 *              (/proc/sysrq-trigger 'o'): the synced data must be on the
 *              disk, the other change must not.
 *   errors     the runner has QEMU's blkdebug fail reads of one block of
 *              /err/readbad.bin and writes of one block of
 *              /err/writebad.bin: read gives EIO for that page only, a
 *              mapped load from it SIGBUS; a write that cannot be written
 *              back gives EIO from fsync, once per open file, a store
 *              through a mapping EIO from msync(MS_SYNC); nothing else is
 *              affected.
 *
 * Without fs-test's disk (or under qemu-user) it skips.  Sizes and
 * generations are scripts/fs-test's; the pattern is disk_rw's.
 */
#include <errno.h>
#include <probe.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

#define MNT		"/mnt/disk"
#define KIB		1024UL
#define MIB		(1024 * KIB)
#define PAGE		4096UL

#define SYNCER_SIZE	(1 * MIB + 5)
#define GEN_SYNCER	10
#define GEN_DURABLE	11
#define GEN_LOST	12
#define DURABLE_MAPPED_SIZE (128 * KIB + 17)
#define GEN_DURABLE_MAPPED 24
#define WRITEBAD_PAGE	20		/* the page whose block the runner makes unwritable */
#define ERR_SIZE	(256 * KIB)
#define GEN_READBAD	6
#define GEN_WRITEBAD	7
#define GEN_REWRITE	8
#define READBAD_PAGE	10		/* the page whose block the runner makes unreadable */
#define HOST_PATTERN_SIZE (3 * MIB + 123)

static char buf[512 * 1024];

/* Write [0, size) of gen to path (created or overwritten in place). */
static int
write_file(const char *path, uint64_t size, uint64_t gen, int flags)
{
	int fd = open(path, O_WRONLY | O_CREAT | flags, 0644);
	uint64_t off = 0;

	if (fd < 0)
		return -1;
	while (off < size) {
		size_t n = size - off < sizeof(buf) ? size - off : sizeof(buf);

		pattern_fill(buf, off, n, gen);
		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
			break;
		off += n;
	}
	return off == size ? fd : (close(fd), -1);
}

static int
file_is(const char *path, uint64_t size, uint64_t gen)
{
	int fd = open(path, O_RDONLY);
	uint64_t off = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		if (pattern_mismatch(buf, off, (size_t)n, gen) >= 0)
			break;
		off += (uint64_t)n;
	}
	close(fd);
	return n == 0 && off == size;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static void
mode_syncer(void)
{
	long out0, passes0, dropped0, in0;
	char interval[16] = "";
	int fd, waited;

	tap_ok(write_text_file("/proc/sys/vm/dirty_writeback_centisecs", "100\n") == 0 &&
	    read_text_file("/proc/sys/vm/dirty_writeback_centisecs", interval, sizeof(interval)) > 0 &&
	    strcmp(interval, "100\n") == 0, "dirty_writeback_centisecs: set to 100, reads back");
	out0 = vmstat_get("file_pageouts");
	passes0 = vmstat_get("syncer_passes");
	fd = write_file(MNT "/syncer.bin", SYNCER_SIZE, GEN_SYNCER, O_TRUNC);
	tap_ok(fd >= 0 && vmstat_get("nr_dirty") >= (long)(SYNCER_SIZE / PAGE),
	    "a 1 MiB write leaves its pages dirty (%ld)", vmstat_get("nr_dirty"));
	/* The pass ends after its writes are sent, which may be after nr_dirty falls to 0. */
	for (waited = 0; waited < 5000 && (vmstat_get("nr_dirty") > 0 ||
	    vmstat_get("nr_writeback") > 0 || vmstat_get("syncer_passes") == passes0); waited += 100)
		sleep_ms(100);
	tap_ok(vmstat_get("nr_dirty") == 0 && vmstat_get("file_pageouts") - out0 >=
	    (long)(SYNCER_SIZE / PAGE) && vmstat_get("syncer_passes") > passes0,
	    "the syncer wrote them back within its interval, no fsync (%d ms)", waited);
	tap_ok(fsync(fd) == 0 && fdatasync(fd) == 0, "fsync and fdatasync: nothing failed");
	close(fd);
	write_text_file("/proc/sys/vm/dirty_writeback_centisecs", "3000\n");
	fd = write_file(MNT "/synced.bin", SYNCER_SIZE, GEN_SYNCER + 1, O_TRUNC);
	out0 = vmstat_get("file_pageouts");
	tap_ok(fd >= 0 && syscall(SYS_syncfs, fd) == 0 && vmstat_get("nr_dirty") == 0 &&
	    vmstat_get("file_pageouts") > out0, "syncfs writes the file system's dirty pages");
	close(fd);
	fd = write_file(MNT "/synced2.bin", 64 * KIB, GEN_SYNCER + 2, O_TRUNC);
	close(fd);
	sync();
	tap_ok(vmstat_get("nr_dirty") == 0, "sync writes everything");
	dropped0 = vmstat_get("file_pages_dropped");
	in0 = vmstat_get("file_pageins");
	tap_ok(write_text_file("/proc/sys/vm/drop_caches", "3\n") == 0 &&
	    vmstat_get("file_pages_dropped") - dropped0 >= (long)(SYNCER_SIZE / PAGE),
	    "drop_caches frees the clean file pages (%ld)",
	    vmstat_get("file_pages_dropped") - dropped0);
	tap_ok(file_is(MNT "/syncer.bin", SYNCER_SIZE, GEN_SYNCER) &&
	    vmstat_get("file_pageins") - in0 >= (long)(SYNCER_SIZE / PAGE),
	    "and they read back from the disk, intact");
	/* Left dirty for the power-off to write (the runner checks it and a clean disk). */
	fd = write_file(MNT "/at-exit.bin", 200 * KIB + 3, GEN_SYNCER + 3, O_TRUNC);
	close(fd);
	tap_ok(vmstat_get("nr_dirty") > 0, "a last file left dirty for the power-off");
}

static void
mode_powerfail(void)
{
	int fd = write_file(MNT "/durable.bin", 300 * KIB + 1, GEN_DURABLE, O_TRUNC);
	char *p;

	tap_ok(fd >= 0 && fsync(fd) == 0, "a file written and fsync'ed");
	close(fd);
	write_text_file("/proc/sys/vm/dirty_writeback_centisecs", "360000\n");
	/* Made sparse, stored to through a mapping, msync'ed: blocks, data, size all durable. */
	fd = open(MNT "/durable-mapped.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
	p = fd >= 0 && ftruncate(fd, DURABLE_MAPPED_SIZE) == 0 ?
	    mmap(NULL, DURABLE_MAPPED_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) : MAP_FAILED;
	if (p != MAP_FAILED)
		pattern_fill(p, 0, DURABLE_MAPPED_SIZE, GEN_DURABLE_MAPPED);
	tap_ok(p != MAP_FAILED && msync(p, DURABLE_MAPPED_SIZE, MS_SYNC) == 0,
	    "a file stored to through a mapping and msync'ed (MS_SYNC)");
	close(fd);
	/* Overwritten in place (no new blocks, no new size), never synced. */
	fd = write_file(MNT "/host/pattern.bin", 64 * KIB, GEN_LOST, 0);
	tap_ok(fd >= 0 && vmstat_get("nr_dirty") >= 16, "another changed, not synced");
	close(fd);
	tap_ok(1, "power off now, through /proc/sysrq-trigger, nothing synced");
	fflush(stdout);
	write_text_file("/proc/sysrq-trigger", "o");
	tap_diag("still running after sysrq o");
	exit(1);
}

static void
mode_errors(void)
{
	int fd, early, late, other;
	long errors0 = vmstat_get("file_write_errors");
	struct fault f;
	char *p;
	ssize_t n;

	/* Reading: only the unreadable page fails. */
	fd = open(MNT "/err/readbad.bin", O_RDONLY);
	n = pread(fd, buf, PAGE, READBAD_PAGE * PAGE);
	tap_ok(n == -1 && errno == EIO, "read of the page with the bad block: EIO");
	tap_ok(pread(fd, buf, PAGE, 0) == (ssize_t)PAGE && pattern_mismatch(buf, 0, PAGE, GEN_READBAD) < 0 &&
	    pread(fd, buf, PAGE, (READBAD_PAGE - 1) * PAGE) == (ssize_t)PAGE &&
	    pread(fd, buf, PAGE, (READBAD_PAGE + 1) * PAGE) == (ssize_t)PAGE &&
	    pattern_mismatch(buf, (READBAD_PAGE + 1) * PAGE, PAGE, GEN_READBAD) < 0,
	    "its neighbours, read in the same cluster, read fine");
	n = read(fd, buf, sizeof(buf));
	tap_ok(n == (ssize_t)(READBAD_PAGE * PAGE), "a read across it stops short before it (%ld)",
	    (long)n);
	tap_ok(pread(fd, buf, PAGE, READBAD_PAGE * PAGE) == -1 && errno == EIO,
	    "and it still fails: the page was not kept");
	p = mmap(NULL, ERR_SIZE, PROT_READ, MAP_SHARED, fd, 0);
	tap_ok(p != MAP_FAILED && probe_read(p + READBAD_PAGE * PAGE + 8, &f) == SIGBUS &&
	    f.code == BUS_ADRERR && f.addr == p + READBAD_PAGE * PAGE + 8,
	    "a mapped load from that page: SIGBUS BUS_ADRERR at the address");
	tap_ok(p != MAP_FAILED && pattern_mismatch(p + (READBAD_PAGE + 1) * PAGE,
	    (READBAD_PAGE + 1) * PAGE, PAGE, GEN_READBAD) < 0 &&
	    pattern_mismatch(p, 0, PAGE, GEN_READBAD) < 0, "the mapping's other pages read fine");
	if (p != MAP_FAILED)
		munmap(p, ERR_SIZE);
	close(fd);
	/* Writing: the write-back fails; fsync says so, once per open file. */
	early = open(MNT "/err/writebad.bin", O_RDONLY);
	fd = write_file(MNT "/err/writebad.bin", ERR_SIZE, GEN_REWRITE, 0);
	tap_ok(fd >= 0, "write(2) of the file whose block cannot be written: fine at first");
	tap_ok(fails_with(fsync(fd), EIO), "fsync: EIO");
	tap_ok(vmstat_get("file_write_errors") > errors0, "counted in /proc/vmstat");
	tap_ok(fsync(fd) == 0, "fsync again: 0 (reported once)");
	late = open(MNT "/err/writebad.bin", O_RDONLY);
	tap_ok(fails_with(fsync(early), EIO) && fsync(early) == 0,
	    "a file open before the failure gets EIO once too");
	tap_ok(fsync(late) == 0, "a file opened after it does not");
	close(fd);
	fd = open(MNT "/err/writebad.bin", O_RDWR);
	p = mmap(NULL, ERR_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p != MAP_FAILED)
		p[WRITEBAD_PAGE * PAGE + 5] ^= 1;
	tap_ok(p != MAP_FAILED && fails_with(msync(p, ERR_SIZE, MS_SYNC), EIO),
	    "a store through a mapping to that block: msync(MS_SYNC) gives EIO");
	if (p != MAP_FAILED) {
		p[5] ^= 1;
		tap_ok(msync(p, PAGE, MS_SYNC) == 0, "msync of another page of it: fine");
		munmap(p, ERR_SIZE);
	}
	close(fd);
	close(early);
	close(late);
	other = write_file(MNT "/err/good.bin", ERR_SIZE, GEN_REWRITE, O_TRUNC);
	tap_ok(other >= 0 && fsync(other) == 0, "another file writes and syncs fine");
	close(other);
	tap_ok(file_is(MNT "/host/pattern.bin", HOST_PATTERN_SIZE, 1), "other files read fine");
}

int
main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";

	if (under_qemu_user() || !spare_ext2_disk("/dev/vda") || argc < 2) {
		tap_skip_all("no ext2 disk made by scripts/fs-test at /dev/vda, or no mode");
		return tap_done();
	}
	tap_plan(strcmp(mode, "syncer") == 0 ? 10 : strcmp(mode, "powerfail") == 0 ? 5 : 17);
	mkdir("/mnt", 0755);
	mkdir(MNT, 0755);
	if (!tap_ok(mount("/dev/vda", MNT, "ext2", 0, NULL) == 0, "mount /dev/vda"))
		return tap_done();
	if (strcmp(mode, "syncer") == 0)
		mode_syncer();
	else if (strcmp(mode, "powerfail") == 0)
		mode_powerfail();
	else
		mode_errors();
	return tap_done();
}
