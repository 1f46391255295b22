/*
 * disk_rw: raw block devices (/dev/vda, ...) as Linux offers them.
 *
 * Works only on scratch disks: a disk whose first sector holds a label
 * written by the test runner (scripts/disk-test), which says how big it
 * is and where the runner has injected faults.  Any other disk is left
 * alone, and with none the program skips.  (It also skips under
 * qemu-user: the host's disks are not ours to write.)
 *
 * On every scratch disk at once, four processes each:
 *   A  write chunks of arbitrary offset and length (most not whole
 *      sectors, so the kernel reads, modifies and writes sectors that
 *      other processes are writing too) with pattern generation 1, then
 *      read them back;
 *   B  once all four are done with A, sweep one small region together,
 *      each writing every fourth 24-byte piece (generation 2), so that
 *      the four pieces of a moment share a sector: every write is a
 *      read-modify-write racing three others on the same sector, and a
 *      kernel that let two interleave would lose a piece; half the
 *      pieces by pwrite, half by lseek + write;
 * then the parent reads the whole disk back, checks the edges (reads and
 * writes at and past the end, lseek, ioctl, fstat, fsync), and, where the
 * label lists them, that reads and writes of sectors the runner made fail
 * (QEMU's blkdebug) return EIO while their neighbours work; and finally
 * /proc/diskstats and /proc/disks.  After QEMU exits the runner checks
 * every byte of the image on the host.
 *
 * With the argument "hang", a disk whose label cannot be read because it
 * does not answer (the runner gives it a 5 s latency, the kernel a 1 s
 * timeout) must fail that read with EIO in bounded time, counted as a
 * timeout in /proc/disks.
 *
 * The pattern: byte o of generation g is byte (o % 8) of the
 * little-endian 64-bit word (o rounded down to 8) + (g << 48) + (0x5a << 56).
 * scripts/disk-test computes the same.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define LABEL_MAGIC	"SABLE-SCRATCH-DISK v1\n"
#define LABEL_AREA	4096		/* the runner's; never written here */
#define MAX_DISKS	8
#define WORKERS		4
#define KIB		1024UL
#define MIB		(1024 * KIB)
#define B_REGION	(12 * KIB)	/* region B: unaligned pieces */
#define B_PIECE		24
#define C_REGION	(8 * KIB)	/* the last bytes of the disk */
#define GEN_A		1
#define GEN_B		2
#define GEN_C		7
#define GEN_F_HOST	9		/* the runner's fill of the fault region */
#define GEN_F		10
#define CHUNK_MAX	(300 * KIB)	/* longer than one window of bios */
#define VERIFY_CHUNK	(1 * MIB)
#define FAULT_CHUNK	4096
#define HANG_MIN_MS	900		/* the kernel's timeout is 1000 ms */
#define DISKSTATS_FIELDS 20
#define DISK_MAJOR	254
#define TESTS_PER_DISK	24
#define BAD_ADDRESS	8UL		/* never mapped */
#define TESTS_FAULTS	8
#define TESTS_HANG	3

struct disk {
	char		path[32];
	char		name[8];
	unsigned long	size;
	unsigned long	sector;
	long		bad_read;	/* byte offset of a failing sector, or -1 */
	long		bad_write;
	int		hung;		/* its label read failed: the hang test's disk */
	long		hang_ms;	/* how long that read took */
	pid_t		workers[WORKERS];
	int		index;
};

static struct disk disks[MAX_DISKS];
static int ndisks;
static char *buf;
static unsigned *barrier;		/* shared: workers done with region A, per disk */

static long
ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

/* A small deterministic generator (xorshift), for chunk boundaries. */
static unsigned long
next_random(unsigned long *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Region A: [LABEL_AREA, size / 2).  Chunk k is the k'th of a fixed
 * sequence of random lengths; worker k % WORKERS owns it.
 */
static unsigned long
a_end(const struct disk *d)
{
	return d->size / 2;
}

static unsigned long
b_start(const struct disk *d)
{
	return d->size / 2;
}

/* Read the label; 0, or -1 if this is not a scratch disk. */
static int
read_label(struct disk *d, int fd)
{
	char label[512], *p;
	ssize_t n;

	memset(label, 0, sizeof(label));
	n = pread(fd, label, sizeof(label) - 1, 0);
	if (n < 0 && errno == EIO)
		d->hung = 1;
	if (n <= 0 || strncmp(label, LABEL_MAGIC, strlen(LABEL_MAGIC)) != 0)
		return -1;
	d->bad_read = d->bad_write = -1;
	for (p = label; p != NULL && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, "size ", 5) == 0)
			d->size = strtoul(p + 5, NULL, 10);
		else if (strncmp(p, "sector ", 7) == 0)
			d->sector = strtoul(p + 7, NULL, 10);
		else if (strncmp(p, "bad-read ", 9) == 0)
			d->bad_read = strtol(p + 9, NULL, 10);
		else if (strncmp(p, "bad-write ", 10) == 0)
			d->bad_write = strtol(p + 10, NULL, 10);
	}
	return d->size >= 2 * MIB && d->sector >= 512 ? 0 : -1;
}

/* Find /dev/vda..: scratch disks go in disks[], hung ones too (hang mode). */
static void
find_disks(int hang)
{
	struct timespec t0;
	struct disk *d;
	int fd;

	for (char c = 'a'; c <= 'z' && ndisks < MAX_DISKS; c++) {
		d = &disks[ndisks];
		memset(d, 0, sizeof(*d));
		snprintf(d->name, sizeof(d->name), "vd%c", c);
		snprintf(d->path, sizeof(d->path), "/dev/%s", d->name);
		if ((fd = open(d->path, O_RDONLY)) < 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		d->index = ndisks;
		if (read_label(d, fd) == 0) {
			ndisks++;
		} else if (hang && d->hung) {
			tap_diag("%s did not answer its label read in %ld ms", d->name,
			    ms_since(&t0));
			d->hang_ms = ms_since(&t0);
			ndisks++;
		}
		close(fd);
	}
}

/*
 * Workers.
 */

static int
write_all_at(int fd, const char *p, unsigned long len, unsigned long off)
{
	return pwrite(fd, p, len, (off_t)off) == (ssize_t)len ? 0 : -1;
}

/* Region A: write this worker's chunks, then read them back. */
static int
worker_a(const struct disk *d, int fd, int w)
{
	unsigned long seed = 0x9e3779b97f4a7c15UL, off = LABEL_AREA, len;
	char *p = buf;
	long bad;

	for (int pass = 0; pass < 2; pass++) {
		seed = 0x9e3779b97f4a7c15UL;
		off = LABEL_AREA;
		for (int k = 0; off < a_end(d); k++, off += len) {
			unsigned long r = next_random(&seed);

			len = r % 8 == 0 ? CHUNK_MAX : 1 + (r >> 8) % (24 * KIB);
			len = len < a_end(d) - off ? len : a_end(d) - off;
			if (k % WORKERS != w)
				continue;
			if (pass == 0) {
				pattern_fill(p, off, len, GEN_A);
				if (write_all_at(fd, p, len, off) != 0) {
					tap_diag("%s: pwrite %lu at %lu: %s", d->name, len, off,
					    strerror(errno));
					return 1;
				}
			} else {
				memset(p, 0, len);
				if (pread(fd, p, len, (off_t)off) != (ssize_t)len) {
					tap_diag("%s: pread %lu at %lu: %s", d->name, len, off,
					    strerror(errno));
					return 2;
				}
				if ((bad = pattern_mismatch(p, off, len, GEN_A)) >= 0) {
					tap_diag("%s: worker %d reads back a wrong byte at %ld", d->name,
					    w, bad);
					return 3;
				}
			}
		}
	}
	return 0;
}

/*
 * Region B, once every worker of the disk is there: this worker's
 * pieces, every WORKERS'th; odd pieces by lseek + write.
 */
static int
worker_b(const struct disk *d, int fd, int w)
{
	unsigned long base = b_start(d);
	char piece[B_PIECE];

	__atomic_add_fetch(&barrier[d->index], 1, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&barrier[d->index], __ATOMIC_SEQ_CST) < WORKERS)
		sched_yield();
	for (unsigned long j = (unsigned long)w; j * B_PIECE < B_REGION; j += WORKERS) {
		unsigned long off = base + j * B_PIECE;
		unsigned long len = B_REGION - j * B_PIECE < B_PIECE ? B_REGION - j * B_PIECE : B_PIECE;

		pattern_fill(piece, off, len, GEN_B);
		if (j % 2 == 0) {
			if (write_all_at(fd, piece, len, off) != 0)
				return 4;
		} else if (lseek(fd, (off_t)off, SEEK_SET) != (off_t)off ||
		    write(fd, piece, len) != (ssize_t)len) {
			return 5;
		}
	}
	return 0;
}

static int
worker(struct disk *d, int w)
{
	int fd = open(d->path, O_RDWR), error;

	if (fd < 0)
		return 10;
	error = worker_a(d, fd, w);
	if (error != 0)
		__atomic_add_fetch(&barrier[d->index], 1, __ATOMIC_SEQ_CST);	/* let the others on */
	else
		error = worker_b(d, fd, w);
	close(fd);
	return error;
}

/*
 * The parent's checks, one disk at a time.
 */

/* Read [off, off + len) in big reads and compare with generation gen. */
static int
verify_region(const struct disk *d, int fd, unsigned long off, unsigned long len, unsigned gen)
{
	long bad;

	while (len > 0) {
		unsigned long n = len < VERIFY_CHUNK ? len : VERIFY_CHUNK;

		if (pread(fd, buf, n, (off_t)off) != (ssize_t)n) {
			tap_diag("%s: pread %lu at %lu: %s", d->name, n, off, strerror(errno));
			return 0;
		}
		if ((bad = pattern_mismatch(buf, off, n, gen)) >= 0) {
			tap_diag("%s: byte %ld is %#x, not generation %u's %#x", d->name, bad,
			    (unsigned char)buf[bad - (long)off], gen, pattern_byte((unsigned long)bad, gen));
			return 0;
		}
		off += n;
		len -= n;
	}
	return 1;
}

static void
check_edges(const struct disk *d, int fd)
{
	unsigned long size = d->size, sectors = 0, u64 = 0;
	int ssz = 0, ro = -1;
	struct stat st;

	tap_ok(lseek(fd, 0, SEEK_END) == (off_t)size, "%s: SEEK_END is the size, %lu", d->name,
	    size);
	errno = 0;
	tap_ok(lseek(fd, (off_t)size + 1, SEEK_SET) == -1 && errno == EINVAL,
	    "%s: lseek past the end: EINVAL", d->name);
	tap_ok(ioctl(fd, BLKGETSIZE64, &u64) == 0 && u64 == size, "%s: BLKGETSIZE64 %lu",
	    d->name, u64);
	tap_ok(ioctl(fd, BLKGETSIZE, &sectors) == 0 && sectors == size / 512,
	    "%s: BLKGETSIZE %lu sectors", d->name, sectors);
	tap_ok(ioctl(fd, BLKSSZGET, &ssz) == 0 && (unsigned long)ssz == d->sector,
	    "%s: BLKSSZGET %d", d->name, ssz);
	tap_ok(ioctl(fd, BLKROGET, &ro) == 0 && ro == 0, "%s: BLKROGET says writable", d->name);
	tap_ok(fstat(fd, &st) == 0 && S_ISBLK(st.st_mode) && st.st_size == 0 &&
	    (st.st_rdev >> 8) == DISK_MAJOR, "%s: fstat: a block device, size 0, major %lu",
	    d->name, st.st_rdev >> 8);
	tap_ok(pread(fd, buf, 512, (off_t)size) == 0, "%s: pread at the end: 0", d->name);
	tap_ok(pread(fd, buf, 300, (off_t)size - 100) == 100, "%s: pread across the end: short",
	    d->name);
	errno = 0;
	tap_ok(pwrite(fd, buf, 512, (off_t)size) == -1 && errno == ENOSPC,
	    "%s: pwrite at the end: ENOSPC", d->name);
	pattern_fill(buf, size - C_REGION, C_REGION + 4096, GEN_C);
	tap_ok(pwrite(fd, buf, C_REGION + 4096, (off_t)(size - C_REGION)) == (ssize_t)C_REGION,
	    "%s: pwrite across the end: cut short at it", d->name);
	tap_ok(verify_region(d, fd, size - C_REGION, C_REGION, GEN_C),
	    "%s: the last %lu bytes read back", d->name, C_REGION);
	tap_ok(fsync(fd) == 0, "%s: fsync", d->name);
	errno = 0;
	tap_ok(pread(fd, (void *)BAD_ADDRESS, 512, 0) == -1 && errno == EFAULT,
	    "%s: pread into a bad address: EFAULT", d->name);
	errno = 0;	/* (region A is checked whole afterwards: nothing was written) */
	tap_ok(pwrite(fd, (void *)BAD_ADDRESS, 700, LABEL_AREA + 100) == -1 && errno == EFAULT,
	    "%s: pwrite from a bad address: EFAULT", d->name);
}

/* The faults the label lists: EIO for them, the neighbours fine. */
static void
check_faults(const struct disk *d, int fd)
{
	unsigned long r = (unsigned long)d->bad_read & ~(FAULT_CHUNK - 1UL);
	unsigned long w = (unsigned long)d->bad_write & ~(FAULT_CHUNK - 1UL);
	ssize_t n;

	errno = 0;
	tap_ok(pread(fd, buf, FAULT_CHUNK, (off_t)r) == -1 && errno == EIO,
	    "%s: reading the bad sector at %ld: EIO", d->name, d->bad_read);
	tap_ok(verify_region(d, fd, r - FAULT_CHUNK, FAULT_CHUNK, GEN_F_HOST) &&
	    verify_region(d, fd, r + FAULT_CHUNK, FAULT_CHUNK, GEN_F_HOST),
	    "%s: the chunks on either side read fine", d->name);
	errno = 0;
	n = pread(fd, buf, 16 * FAULT_CHUNK, (off_t)(r - 8 * FAULT_CHUNK));
	tap_ok((n == -1 && errno == EIO) || (n >= 0 && n < 8 * FAULT_CHUNK),
	    "%s: a long read over it fails or stops short (%ld)", d->name, (long)n);
	errno = 0;
	pattern_fill(buf, w, FAULT_CHUNK, GEN_F);
	tap_ok(pwrite(fd, buf, FAULT_CHUNK, (off_t)w) == -1 && errno == EIO,
	    "%s: writing the bad sector at %ld: EIO", d->name, d->bad_write);
	pattern_fill(buf, w - FAULT_CHUNK, FAULT_CHUNK, GEN_F);
	pattern_fill(buf + FAULT_CHUNK, w + FAULT_CHUNK, FAULT_CHUNK, GEN_F);
	tap_ok(write_all_at(fd, buf, FAULT_CHUNK, w - FAULT_CHUNK) == 0 &&
	    write_all_at(fd, buf + FAULT_CHUNK, FAULT_CHUNK, w + FAULT_CHUNK) == 0,
	    "%s: the chunks on either side write fine", d->name);
	errno = 0;
	pattern_fill(buf, (unsigned long)d->bad_write + 100, 200, GEN_F);
	tap_ok(pwrite(fd, buf, 200, (off_t)d->bad_write + 100) == -1 && errno == EIO,
	    "%s: a partial write into the bad sector: EIO", d->name);
	tap_ok(verify_region(d, fd, w - FAULT_CHUNK, FAULT_CHUNK, GEN_F) &&
	    verify_region(d, fd, w + FAULT_CHUNK, FAULT_CHUNK, GEN_F),
	    "%s: and read back", d->name);
	tap_ok(fsync(fd) == 0, "%s: fsync after the errors", d->name);
}

/* The line of /proc/FILE that starts with (or, "diskstats", has third) field name. */
static int
proc_line(const char *file, const char *name, char *line, size_t size)
{
	static char text[8192];
	char path[64], want[16], *p, *e;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s", file);
	if ((fd = open(path, O_RDONLY)) < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	snprintf(want, sizeof(want), " %s ", name);
	for (p = text; *p; p = e + 1) {
		e = strchr(p, '\n');
		if (e == NULL)
			e = p + strlen(p);
		if ((size_t)(e - p) < size && (strncmp(p, want + 1, strlen(want) - 1) == 0 ||
		    (strstr(p, want) != NULL && strstr(p, want) < e))) {
			memcpy(line, p, (size_t)(e - p));
			line[e - p] = '\0';
			return 0;
		}
		if (*e == '\0')
			break;
	}
	return -1;
}

/* The space-separated fields of line as numbers (a word reads as 0); how many. */
static int
fields(const char *line, unsigned long *v, int max)
{
	const char *p = line;
	int n = 0;

	while (n < max) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		v[n++] = strtoul(p, NULL, 10);
		while (*p != ' ' && *p != '\0')
			p++;
	}
	return n;
}

static void
check_counters(const struct disk *d, int faults)
{
	unsigned long v[DISKSTATS_FIELDS + 4] = { 0 };
	char line[256];
	int n;

	n = proc_line("diskstats", d->name, line, sizeof(line)) == 0 ?
	    fields(line, v, DISKSTATS_FIELDS + 4) : 0;
	/* v[3] reads, v[5] sectors read, v[7] writes, v[9] sectors written, v[11] in flight */
	tap_ok(n == DISKSTATS_FIELDS && v[0] == DISK_MAJOR && v[3] > 0 && v[7] > 0 &&
	    v[5] >= 2 * (a_end(d) - LABEL_AREA) / 512 && v[9] >= (a_end(d) - LABEL_AREA) / 512 && v[11] == 0 &&
	    v[18] >= 1, "%s: /proc/diskstats: %lu reads (%lu sectors), %lu writes (%lu), "
	    "%lu in flight, %lu flushes", d->name, v[3], v[5], v[7], v[9], v[11], v[18]);
	n = proc_line("disks", d->name, line, sizeof(line)) == 0 ? fields(line, v, 12) : 0;
	/* name bytes sector pages maxqueue rd_errs wr_errs fl_errs timeouts resets */
	tap_ok(n >= 10 && v[1] == d->size && v[2] == d->sector && v[4] >= 2 &&
	    (faults ? v[5] >= 2 && v[6] >= 2 : v[5] == 0 && v[6] == 0) && v[7] == 0 && v[8] == 0,
	    "%s: /proc/disks: deepest queue %lu, %lu read and %lu write errors, %lu timeouts",
	    d->name, v[4], v[5], v[6], v[8]);
}

/* The hang test's disk: its label read failed with EIO after about the timeout. */
static void
check_hung(const struct disk *d)
{
	unsigned long v[12] = { 0 };
	char line[256];
	int n;

	tap_ok(d->hung, "%s: a read of a device that does not answer fails with EIO", d->name);
	tap_ok(d->hang_ms >= HANG_MIN_MS, "%s: after the timeout (%ld ms)", d->name, d->hang_ms);
	n = proc_line("disks", d->name, line, sizeof(line)) == 0 ? fields(line, v, 12) : 0;
	tap_ok(n >= 10 && v[8] >= 1 && v[9] >= 1, "%s: /proc/disks counts %lu timeouts, %lu resets",
	    d->name, v[8], v[9]);
}

static void
check_disk(struct disk *d)
{
	int fd = open(d->path, O_RDWR), st, faults = d->bad_read >= 0 && d->bad_write >= 0;

	for (int w = 0; w < WORKERS; w++) {
		st = -1;
		waitpid(d->workers[w], &st, 0);
		tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: worker %d wrote and read back "
		    "its chunks and pieces (status %#x)", d->name, w, st);
	}
	tap_ok(verify_region(d, fd, LABEL_AREA, a_end(d) - LABEL_AREA, GEN_A),
	    "%s: region A reads back whole", d->name);
	tap_ok(verify_region(d, fd, b_start(d), B_REGION, GEN_B),
	    "%s: region B holds every piece: no update lost", d->name);
	check_edges(d, fd);
	if (faults)
		check_faults(d, fd);
	tap_ok(verify_region(d, fd, LABEL_AREA, a_end(d) - LABEL_AREA, GEN_A),
	    "%s: region A still reads back after everything", d->name);
	close(fd);
	check_counters(d, faults);
}

int
main(int argc, char **argv)
{
	int hang = argc > 1 && strcmp(argv[1], "hang") == 0, plan = 0;

	if (under_qemu_user()) {
		tap_skip_all("under qemu-user the disks are the host's");
		return 0;
	}
	find_disks(hang);
	if (ndisks == 0 && !hang) {
		tap_skip_all("no scratch disk (/dev/vdX labelled by scripts/disk-test)");
		return 0;
	}
	for (int i = 0; i < ndisks; i++)
		plan += disks[i].hung ? TESTS_HANG : TESTS_PER_DISK +
		    (disks[i].bad_read >= 0 && disks[i].bad_write >= 0 ? TESTS_FAULTS : 0);
	tap_plan(plan + hang);
	if (hang) {
		int hung = 0;

		for (int i = 0; i < ndisks; i++)
			hung += disks[i].hung;
		tap_ok(hung > 0, "a disk that does not answer was found (%d)", hung);
	}
	buf = malloc(VERIFY_CHUNK + CHUNK_MAX);
	barrier = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (buf == NULL || barrier == MAP_FAILED) {
		tap_diag("no memory");
		return 1;
	}
	for (int i = 0; i < ndisks; i++)
		for (int w = 0; w < WORKERS && !disks[i].hung; w++)
			if ((disks[i].workers[w] = fork()) == 0)
				_exit(worker(&disks[i], w));
	for (int i = 0; i < ndisks; i++) {
		if (disks[i].hung)
			check_hung(&disks[i]);
		else
			check_disk(&disks[i]);
	}
	return tap_done();
}
