/*
 * ext2_mmap: mappings of files on a disk, run by scripts/fs-test as init
 * (--check mmap) with an ext2 image as /dev/vda; the runner checks the
 * image on the host afterwards (e2fsck -fn, and the files written here
 * through mappings, with debugfs).
 *
 *   - A cold sequential walk through a mapping, or read(2), reads
 *     clusters, not pages (one disk request per 64 KiB or more);
 *     MADV_RANDOM and POSIX_FADV_RANDOM read only the pages touched;
 *     MADV_SEQUENTIAL frees the clean pages behind.
 *   - A file made sparse with ftruncate and written only through a
 *     MAP_SHARED mapping gets its blocks at write-back (fsync), and the
 *     syncer writes pages a mapping dirtied, with no msync or fsync.
 *   - A MAP_PRIVATE mapping never changes the file; two processes that
 *     map the file on their own see each other's stores at once.
 *   - Stores past the end of the file in its last page never reach the
 *     disk: the file grown later reads zeros there.
 *   - read(2) from a file into a mapping of the same file (or of another
 *     file on the disk), with the mapped pages not resident: the copy's
 *     fault needs the disk while the read holds the file.
 *   - mlock of a mapping of a disk file brings it all in.
 *   - A program on the disk runs; a second run finds its text resident.
 *
 * "ext2_mmap big MIB" (fs-test --check big, on a machine with less memory
 * than that): a MIB-MiB file made sparse and written through one
 * MAP_SHARED mapping of it all, unmapped, and read back with read(2),
 * every page checked.  It fits only if dirty file pages are written back
 * and clean ones freed (and taken from the mapping) when memory runs
 * short, and read in again: /proc/vmstat must show all three.  The host
 * then compares the file with debugfs.
 *
 * Without fs-test's disk (or under qemu-user) it skips.  Sizes and
 * generations are scripts/fs-test's.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <probe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

#define MNT		"/mnt/disk"
#define KIB		1024UL
#define MIB		(1024 * KIB)
#define RW		(PROT_READ | PROT_WRITE)
#define MIN(a, b)	((a) < (b) ? (a) : (b))

#define HOST_PATTERN_SIZE (3 * MIB + 123)
#define GEN_HOST	1
#define MAPPED_SIZE	(2 * MIB + 300)	/* /mapped.bin: written through a mapping only */
#define GEN_MAPPED	20
#define SYNCED_SIZE	(256 * KIB)	/* /syncer-mapped.bin: the syncer writes it */
#define GEN_SYNCED	21
#define TAIL_SIZE	(5000)		/* /tail.bin: stores past its end */
#define TAIL_GROWN	(8192)
#define GEN_TAIL	22
#define PRIVATE_SIZE	(64 * KIB)	/* /private.bin: a private mapping writes it */
#define GEN_PRIVATE	23
#define RANDOM_TOUCHES	20
#define EXEC_CHILD_STATUS 42
#define GEN_BIG		30

static char buf[256 * 1024];

/* Cold caches: everything written and every clean file page let go. */
static void
drop_caches(void)
{
	sync();
	write_text_file("/proc/sys/vm/drop_caches", "3\n");
}

/* Does path hold [0, size) of gen (zeros in [zfrom, size) if zfrom < size)? */
static int
file_is(const char *path, unsigned long size, unsigned long gen, unsigned long zfrom)
{
	int fd = open(path, O_RDONLY);
	unsigned long off = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			unsigned char want = off + i < zfrom ? pattern_byte(off + i, gen) : 0;

			if ((unsigned char)buf[i] != want) {
				tap_diag("%s: byte %lu is %#x, not %#x", path, off + i,
				    (unsigned char)buf[i], want);
				close(fd);
				return 0;
			}
		}
		off += (unsigned long)n;
	}
	close(fd);
	return n == 0 && off == size;
}

/* Map the whole of path (read-only, shared) with advice; NULL on failure. */
static char *
map_file(const char *path, int prot, int flags, unsigned long *sizep)
{
	int fd = open(path, (prot & PROT_WRITE) && (flags & MAP_SHARED) ? O_RDWR : O_RDONLY);
	struct stat st;
	char *p;

	if (fd < 0 || fstat(fd, &st) != 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	p = mmap(NULL, (size_t)st.st_size, prot, flags, fd, 0);
	close(fd);
	*sizep = (unsigned long)st.st_size;
	return p == MAP_FAILED ? NULL : p;
}

/* Walk every page of a mapping of the host's pattern file with advice. */
static int
walk_pattern(int advice, long *requests, long *pageins)
{
	unsigned long size;
	long r0, i0;
	char *p;
	int ok;

	drop_caches();
	if ((p = map_file(MNT "/host/pattern.bin", PROT_READ, MAP_SHARED, &size)) == NULL)
		return 0;
	ok = madvise(p, size, advice) == 0;
	r0 = vmstat_get("file_read_requests");
	i0 = vmstat_get("file_pageins");
	for (unsigned long off = 0; ok && off < size; off += PGSZ)
		ok = pattern_mismatch(p + off, off, MIN(PGSZ, size - off), GEN_HOST) < 0;
	*requests = vmstat_get("file_read_requests") - r0;
	*pageins = vmstat_get("file_pageins") - i0;
	munmap(p, size);
	return ok && size == HOST_PATTERN_SIZE;
}

static void test_read_advice(unsigned long pages);

static void
test_read_ahead(void)
{
	unsigned long pages = (HOST_PATTERN_SIZE + PGSZ - 1) / PGSZ, size;
	long requests, normal_requests, pageins, freed0, r0, i0;
	char *p;
	int ok;

	ok = walk_pattern(MADV_NORMAL, &requests, &pageins);
	tap_ok(ok && pageins >= (long)pages && requests > 0 && requests <= (long)(pages / 16),
	    "a cold walk through a mapping: %ld pages in %ld disk requests (at most one per "
	    "64 KiB: %lu)", pageins, requests, pages / 16);
	normal_requests = requests;
	freed0 = vmstat_get("file_pages_freed_behind");
	ok = walk_pattern(MADV_SEQUENTIAL, &requests, &pageins);
	tap_ok(ok && requests <= normal_requests && vmstat_get("file_pages_freed_behind") - freed0 > 0,
	    "MADV_SEQUENTIAL: no more requests (%ld, %ld without), clean pages behind freed (%ld)",
	    requests, normal_requests, vmstat_get("file_pages_freed_behind") - freed0);
	drop_caches();
	p = map_file(MNT "/host/pattern.bin", PROT_READ, MAP_SHARED, &size);
	ok = p != NULL && madvise(p, size, MADV_RANDOM) == 0;
	r0 = vmstat_get("file_read_requests");
	i0 = vmstat_get("file_pageins");
	for (int i = 0; ok && i < RANDOM_TOUCHES; i++) {
		unsigned long off = (unsigned long)(i * 37 % (int)pages) * PGSZ + 8;

		ok = pattern_mismatch(p + off, off, 8, GEN_HOST) < 0;
	}
	tap_ok(ok && vmstat_get("file_pageins") - i0 == RANDOM_TOUCHES &&
	    vmstat_get("file_read_requests") - r0 == RANDOM_TOUCHES,
	    "MADV_RANDOM: %d pages touched, %ld read in %ld requests", RANDOM_TOUCHES,
	    vmstat_get("file_pageins") - i0, vmstat_get("file_read_requests") - r0);
	if (p != NULL)
		munmap(p, size);
	test_read_advice(pages);
}

/* The same through read(2): windows by default, one page under POSIX_FADV_RANDOM. */
static void
test_read_advice(unsigned long pages)
{
	int fd;
	long r0, i0;
	ssize_t n;
	int ok = 1;

	drop_caches();
	fd = open(MNT "/host/pattern.bin", O_RDONLY);
	r0 = vmstat_get("file_read_requests");
	i0 = vmstat_get("file_pageins");
	while (fd >= 0 && (n = read(fd, buf, 64 * KIB)) > 0)
		;
	tap_ok(fd >= 0 && vmstat_get("file_pageins") - i0 >= (long)pages &&
	    vmstat_get("file_read_requests") - r0 <= (long)(pages / 16),
	    "a cold read(2) of the file: %ld pages in %ld requests",
	    vmstat_get("file_pageins") - i0, vmstat_get("file_read_requests") - r0);
	close(fd);
	drop_caches();
	fd = open(MNT "/host/pattern.bin", O_RDONLY);
	ok = fd >= 0 && posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM) == 0;
	r0 = vmstat_get("file_read_requests");
	i0 = vmstat_get("file_pageins");
	for (int i = 0; ok && i < RANDOM_TOUCHES; i++) {
		unsigned long off = (unsigned long)(i * 37 % (int)pages) * PGSZ;

		ok = pread(fd, buf, 16, (off_t)off) == 16 && pattern_mismatch(buf, off, 16, GEN_HOST) < 0;
	}
	tap_ok(ok && vmstat_get("file_pageins") - i0 == RANDOM_TOUCHES &&
	    vmstat_get("file_read_requests") - r0 == RANDOM_TOUCHES,
	    "POSIX_FADV_RANDOM: %d preads, %ld pages read in %ld requests", RANDOM_TOUCHES,
	    vmstat_get("file_pageins") - i0, vmstat_get("file_read_requests") - r0);
	close(fd);
}

/* A sparse file written through a shared mapping only. */
static void
test_write_holes(void)
{
	int fd = open(MNT "/mapped.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
	struct stat st, st2;
	char *p;

	tap_ok(fd >= 0 && ftruncate(fd, MAPPED_SIZE) == 0 && fstat(fd, &st) == 0 &&
	    st.st_blocks == 0, "ftruncate makes a %lu-byte file of holes", MAPPED_SIZE);
	p = mmap(NULL, MAPPED_SIZE, RW, MAP_SHARED, fd, 0);
	if (!tap_ok(p != MAP_FAILED, "mapped shared, writable")) {
		close(fd);
		return;
	}
	pattern_fill(p, 0, MAPPED_SIZE, GEN_MAPPED);
	tap_ok(fsync(fd) == 0 && fstat(fd, &st2) == 0 &&
	    st2.st_blocks * 512 >= (long)MAPPED_SIZE, "fsync writes it: blocks allocated at "
	    "write-back (%ld sectors)", (long)st2.st_blocks);
	munmap(p, MAPPED_SIZE);
	close(fd);
	drop_caches();
	tap_ok(file_is(MNT "/mapped.bin", MAPPED_SIZE, GEN_MAPPED, MAPPED_SIZE),
	    "read(2) from the disk finds what the mapping stored");
}

/* The syncer writes what a mapping dirtied, with no msync. */
static void
test_syncer(void)
{
	int fd = open(MNT "/syncer-mapped.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
	long out0 = vmstat_get("file_pageouts"), waited;
	char *p;

	write_text_file("/proc/sys/vm/dirty_writeback_centisecs", "100\n");
	p = fd >= 0 && ftruncate(fd, SYNCED_SIZE) == 0 ?
	    mmap(NULL, SYNCED_SIZE, RW, MAP_SHARED, fd, 0) : MAP_FAILED;
	close(fd);
	if (!tap_ok(p != MAP_FAILED, "a file mapped shared"))
		return;
	pattern_fill(p, 0, SYNCED_SIZE, GEN_SYNCED);
	for (waited = 0; waited < 5000 &&
	    vmstat_get("file_pageouts") - out0 < (long)(SYNCED_SIZE / PGSZ); waited += 100)
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	tap_ok(vmstat_get("file_pageouts") - out0 >= (long)(SYNCED_SIZE / PGSZ),
	    "the syncer wrote the pages the mapping dirtied (%ld ms), no msync", waited);
	/* Stores after that pass are seen by the next one too. */
	out0 = vmstat_get("file_pageouts");
	p[100] = (char)pattern_byte(100, GEN_SYNCED);
	for (waited = 0; waited < 5000 && vmstat_get("file_pageouts") == out0; waited += 100)
		nanosleep(&(struct timespec){ 0, 100000000 }, NULL);
	tap_ok(vmstat_get("file_pageouts") > out0, "and a later store through the same mapping "
	    "(%ld ms)", waited);
	munmap(p, SYNCED_SIZE);
	write_text_file("/proc/sys/vm/dirty_writeback_centisecs", "3000\n");
}

/* A private mapping's stores stay private, even written all over. */
static void
test_private(void)
{
	int fd = open(MNT "/private.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char *p;

	pattern_fill(buf, 0, PRIVATE_SIZE, GEN_PRIVATE);
	tap_ok(fd >= 0 && write(fd, buf, PRIVATE_SIZE) == (ssize_t)PRIVATE_SIZE,
	    "a file written");
	p = mmap(NULL, PRIVATE_SIZE, RW, MAP_PRIVATE, fd, 0);
	if (p != MAP_FAILED) {
		memset(p, 'P', PRIVATE_SIZE);
		msync(p, PRIVATE_SIZE, MS_SYNC);
		munmap(p, PRIVATE_SIZE);
	}
	close(fd);
	drop_caches();
	tap_ok(p != MAP_FAILED && file_is(MNT "/private.bin", PRIVATE_SIZE, GEN_PRIVATE,
	    PRIVATE_SIZE), "MAP_PRIVATE stores, msync, drop_caches: the file is unchanged");
}

/* Two processes that each map the file see each other's stores. */
static void
test_two_processes(void)
{
	int to_child[2], to_parent[2], status = -1;
	unsigned long size;
	char *p, c = 0;
	pid_t pid;

	drop_caches();
	if (pipe(to_child) != 0 || pipe(to_parent) != 0)
		return;
	if ((pid = fork()) == 0) {
		char *q = map_file(MNT "/mapped.bin", RW, MAP_SHARED, &size);

		if (q == NULL || read(to_child[0], &c, 1) != 1 || q[PGSZ * 100] != 'A')
			_exit(1);
		q[PGSZ * 200] = 'B';
		write(to_parent[1], "b", 1);
		_exit(0);
	}
	p = map_file(MNT "/mapped.bin", RW, MAP_SHARED, &size);
	if (p != NULL) {
		p[PGSZ * 100] = 'A';
		write(to_child[1], "a", 1);
		read(to_parent[0], &c, 1);
	}
	waitpid(pid, &status, 0);
	tap_ok(p != NULL && status == 0 && p[PGSZ * 200] == 'B',
	    "two processes mapping the file on their own see each other's stores");
	if (p != NULL) {
		/* Put the pattern back for the host's check. */
		p[PGSZ * 100] = (char)pattern_byte(PGSZ * 100, GEN_MAPPED);
		p[PGSZ * 200] = (char)pattern_byte(PGSZ * 200, GEN_MAPPED);
		tap_ok(msync(p, size, MS_SYNC) == 0, "msync(MS_SYNC) of the restored bytes");
		munmap(p, size);
	}
	close(to_child[0]);
	close(to_child[1]);
	close(to_parent[0]);
	close(to_parent[1]);
}

/* Stores past the end of the file in its last page never reach the disk. */
static void
test_tail(void)
{
	int fd = open(MNT "/tail.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
	char *p;

	pattern_fill(buf, 0, TAIL_SIZE, GEN_TAIL);
	if (fd < 0 || write(fd, buf, TAIL_SIZE) != TAIL_SIZE ||
	    (p = mmap(NULL, 2 * PGSZ, RW, MAP_SHARED, fd, 0)) == MAP_FAILED) {
		tap_ok(0, "a %d-byte file mapped", TAIL_SIZE);
		return;
	}
	memset(p + TAIL_SIZE, 'T', 2 * PGSZ - TAIL_SIZE);
	msync(p, 2 * PGSZ, MS_SYNC);
	munmap(p, 2 * PGSZ);
	drop_caches();
	tap_ok(ftruncate(fd, TAIL_GROWN) == 0 && file_is(MNT "/tail.bin", TAIL_GROWN, GEN_TAIL,
	    TAIL_SIZE), "stores past the end in the last page: the file grown reads zeros there");
	close(fd);
}

/* read(2) into mappings of disk files whose pages are not in memory. */
static void
test_read_into_mapping(void)
{
	unsigned long size, size2;
	char *self, *other;
	int fd, ok;

	drop_caches();
	fd = open(MNT "/mapped.bin", O_RDONLY);
	self = map_file(MNT "/mapped.bin", RW, MAP_PRIVATE, &size);
	other = map_file(MNT "/host/pattern.bin", RW, MAP_PRIVATE, &size2);
	/* The file's first 256 KiB into its own mapping at 1 MiB (a private copy). */
	ok = fd >= 0 && self != NULL && pread(fd, self + MIB, 256 * KIB, 0) == 256 * KIB &&
	    pattern_mismatch(self + MIB, 0, 256 * KIB, GEN_MAPPED) < 0;
	tap_ok(ok, "read(2) of a file into a cold mapping of itself");
	ok = fd >= 0 && other != NULL && pread(fd, other, 256 * KIB, 0) == 256 * KIB &&
	    pattern_mismatch(other, 0, 256 * KIB, GEN_MAPPED) < 0 &&
	    pattern_mismatch(other + 256 * KIB, 256 * KIB, 4096, GEN_HOST) < 0;
	tap_ok(ok, "read(2) of a file into a cold mapping of another file on the disk");
	if (self != NULL)
		munmap(self, size);
	if (other != NULL)
		munmap(other, size2);
	close(fd);
}

static void
test_mlock(void)
{
	unsigned long size;
	char *p;
	long i0;
	int ok;

	drop_caches();
	i0 = vmstat_get("file_pageins");
	p = map_file(MNT "/host/pattern.bin", PROT_READ, MAP_SHARED, &size);
	ok = p != NULL && mlock(p, size) == 0;
	tap_ok(ok && vmstat_get("file_pageins") - i0 >= (long)(size / PGSZ),
	    "mlock of a cold mapping reads the whole file in (%ld pages)",
	    vmstat_get("file_pageins") - i0);
	if (p != NULL) {
		munlock(p, size);
		munmap(p, size);
	}
}

/* Copy this program onto the disk and run it from there, twice. */
static void
test_exec(const char *self)
{
	int in = open(self, O_RDONLY), out = open(MNT "/prog", O_WRONLY | O_CREAT | O_TRUNC, 0755);
	long i0, first, second;
	int status[2] = { -1, -1 };
	ssize_t n;

	while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
		write(out, buf, (size_t)n);
	close(in);
	close(out);
	drop_caches();
	for (int i = 0; i < 2; i++) {
		pid_t pid;

		i0 = vmstat_get("file_pageins");
		if ((pid = fork()) == 0) {
			char *args[] = { MNT "/prog", "exec-child", NULL }, *env[] = { NULL };

			execve(args[0], args, env);
			_exit(127);
		}
		waitpid(pid, &status[i], 0);
		if (i == 0)
			first = vmstat_get("file_pageins") - i0;
		else
			second = vmstat_get("file_pageins") - i0;
	}
	tap_ok(WIFEXITED(status[0]) && WEXITSTATUS(status[0]) == EXEC_CHILD_STATUS &&
	    WIFEXITED(status[1]) && WEXITSTATUS(status[1]) == EXEC_CHILD_STATUS,
	    "a program on the disk runs (twice)");
	tap_ok(first > 0 && second == 0, "its text is paged in from the disk once (%ld pages), "
	    "and the second run shares it (%ld)", first, second);
	unlink(MNT "/prog");
}

/* The pattern word at offset off (a multiple of 8): one store per word, for speed. */
static unsigned long
pattern_word(unsigned long off, unsigned long gen)
{
	return off + (gen << 48) + (0x5aUL << 56);
}

#define BIG_PAGES_PER_READ	8	/* read back under pressure: 32 KiB a request at least */

/* A file bigger than memory through one shared mapping, then read back. */
static void
mode_big(unsigned long mib)
{
	unsigned long size = mib * MIB, bad = 0, off = 0;
	long out0 = vmstat_get("file_pageouts"), freed0 = vmstat_get("pgsteal_kswapd");
	long in0, req0, ins, reqs, total_kb = meminfo_get("MemTotal");
	int fd = open(MNT "/big.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
	unsigned long *p;
	ssize_t n;

	tap_ok(total_kb > 0 && (unsigned long)total_kb < size / KIB,
	    "the file (%lu MiB) is bigger than memory (%ld MiB)", mib, total_kb / 1024);
	/* The syncer's passes meanwhile too: they hold the file while the laundry wants it. */
	write_text_file("/proc/sys/vm/dirty_writeback_centisecs", "100\n");
	p = fd >= 0 && ftruncate(fd, (off_t)size) == 0 ?
	    mmap(NULL, size, RW, MAP_SHARED, fd, 0) : MAP_FAILED;
	if (!tap_ok(p != MAP_FAILED, "mapped shared, all of it")) {
		close(fd);
		return;
	}
	for (unsigned long i = 0; i < size / 8; i++)
		p[i] = pattern_word(i * 8, GEN_BIG);
	tap_ok(munmap(p, size) == 0, "every word stored through the mapping, unmapped");
	tap_ok(vmstat_get("pgsteal_kswapd") - freed0 > (long)(size / PGSZ / 2) &&
	    vmstat_get("file_pageouts") - out0 > (long)(size / PGSZ / 2),
	    "memory ran short: dirty pages written back (%ld), then freed by the page daemon (%ld)",
	    vmstat_get("file_pageouts") - out0, vmstat_get("pgsteal_kswapd") - freed0);
	in0 = vmstat_get("file_pageins");
	req0 = vmstat_get("file_read_requests");
	lseek(fd, 0, SEEK_SET);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		unsigned long *w = (unsigned long *)buf;

		for (ssize_t i = 0; i < n / 8; i++)
			bad += w[i] != pattern_word(off + (unsigned long)i * 8, GEN_BIG);
		off += (unsigned long)n;
	}
	tap_ok(off == size && bad == 0, "read(2) gives back every word (%lu bytes, %lu wrong%s%s)",
	    off, bad, n < 0 ? ", then " : "", n < 0 ? strerror(errno) : "");
	tap_diag("page daemon: %ld passes, %ld laundry clusters, %ld pages freed; free %ld kB",
	    vmstat_get("pageout_passes"), vmstat_get("laundry_clusters"),
	    vmstat_get("pgsteal_kswapd"), meminfo_get("MemFree"));
	/*
	 * Clustered, even with memory short: a reader that waited for memory
	 * must come back to a batch freed, not one page per disk request.
	 */
	ins = vmstat_get("file_pageins") - in0;
	reqs = vmstat_get("file_read_requests") - req0;
	tap_ok(ins > (long)(size / PGSZ / 2) && reqs > 0 && ins / reqs >= BIG_PAGES_PER_READ,
	    "the pages that went were read in again (%ld, %ld a request, want %d or more)", ins,
	    reqs > 0 ? ins / reqs : 0, BIG_PAGES_PER_READ);
	write_text_file("/proc/sys/vm/dirty_writeback_centisecs", "3000\n");
	close(fd);
}

int
main(int argc, char **argv)
{
	bool big = argc > 2 && strcmp(argv[1], "big") == 0;

	if (argc > 1 && strcmp(argv[1], "exec-child") == 0)
		return EXEC_CHILD_STATUS;	/* run from the disk by test_exec */
	if (under_qemu_user() || !spare_ext2_disk("/dev/vda")) {
		tap_skip_all("no spare ext2 disk made by scripts/fs-test at /dev/vda");
		return tap_done();
	}
	tap_plan(big ? 8 : 25);
	mkdir("/mnt", 0755);
	mkdir(MNT, 0755);
	if (!tap_ok(mount("/dev/vda", MNT, "ext2", 0, NULL) == 0, "mount /dev/vda"))
		return tap_done();
	if (big) {
		mode_big(strtoul(argv[2], NULL, 10));
		tap_ok(umount(MNT) == 0, "umount");
		return tap_done();
	}
	test_read_ahead();
	test_write_holes();
	test_syncer();
	test_private();
	test_two_processes();
	test_tail();
	test_read_into_mapping();
	test_mlock();
	test_exec(argv[0]);
	tap_ok(umount(MNT) == 0, "umount: no mapping is left");
	tap_vm_consistent("mappings of disk files");
	return tap_done();
}
