/*
 * filebench: the cost of files on a disk, per 4 KiB, and the disk
 * requests behind them.
 *
 * scripts/bench (through scripts/fs-test --bench) boots with an ext2
 * image holding /bench.bin (64 MiB, made by mke2fs -d on the host) as
 * /dev/vda and this program as init, under QEMU's -icount shift=0, where
 * retired instructions (rdinstret) are exact.  The disk is a raw image
 * file, which QEMU answers from another thread: while a request is in
 * flight the hart sleeps in the idle loop, and under -icount instret is
 * virtual time, which runs on while it sleeps.  The kernel counts what
 * instret says across those sleeps (/proc/vmstat idle_instret), and it is
 * taken off: what remains is the instructions executed, the kernel's and
 * this loop's.  Clock ticks that fall inside a measurement (times(2)) add
 * a few thousand instructions each, and their number depends on the host;
 * each line says how many there were.
 *
 *   seq_read_cold      read(2) of the whole file in 1 MiB calls, nothing cached
 *   seq_read_warm      the same again, every page cached
 *   seq_map_cold       a MAP_SHARED mapping of it walked, one load per page
 *   seq_map_warm       the same again (the pages cached, the mapping new)
 *   rand_read_cold     pread(2) of 4 KiB at 256 random pages, nothing cached
 *   rand_read_fadv     the same with POSIX_FADV_RANDOM (no read-ahead)
 *   map_write_msync    one byte stored through a mapping, msync(MS_SYNC),
 *                      256 times (one page each time: the write-back, the
 *                      metadata and the disk's cache flush)
 *
 * The numbers are instructions per 4 KiB moved (the kernel's and this
 * loop's), disk read and write requests, and pages per request.
 */
#include <fcntl.h>
#include <rdcsr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/times.h>
#include <unistd.h>
#include <vmstat.h>

#define MNT		"/mnt/disk"
#define FILE_PATH	MNT "/bench.bin"
#define KIB		1024UL
#define MIB		(1024 * KIB)
#define SIZE		(64 * MIB)
#define PAGE		(4 * KIB)
#define CALL		MIB
#define RANDOM_READS	256
#define MSYNCS		256

static char *buf;

struct sample {
	unsigned long	instret;
	long		reads, writes, pageins, ticks, idle;
};

static long
ticks_now(void)
{
	struct tms t;

	return (long)times(&t);
}

static void
sample(struct sample *s)
{
	s->reads = vmstat_get("file_read_requests");
	s->writes = vmstat_get("file_write_requests");
	s->pageins = vmstat_get("file_pageins");
	s->ticks = ticks_now();
	s->idle = vmstat_get("idle_instret");
	s->instret = rdinstret();
}

static void
report(const char *name, const struct sample *a, unsigned long bytes)
{
	struct sample b;
	long reads, writes;

	b.instret = rdinstret();
	b.idle = vmstat_get("idle_instret");
	b.reads = vmstat_get("file_read_requests");
	b.writes = vmstat_get("file_write_requests");
	b.pageins = vmstat_get("file_pageins");
	b.ticks = ticks_now();
	reads = b.reads - a->reads;
	writes = b.writes - a->writes;
	printf("%-18s %9lu instret/4k %6ld reads %6ld writes", name,
	    (b.instret - a->instret - (unsigned long)(b.idle - a->idle)) / (bytes / PAGE), reads,
	    writes);
	if (reads > 0) {
		long tenths = (b.pageins - a->pageins) * 10 / reads;

		printf(" %3ld.%ld pages/read", tenths / 10, tenths % 10);
	}
	printf(" %4ld ticks %9lu idle/4k\n", b.ticks - a->ticks,
	    (unsigned long)(b.idle - a->idle) / (bytes / PAGE));
}

static void
cold(void)
{
	sync();
	write_text_file("/proc/sys/vm/drop_caches", "3\n");
}

static void
seq_read(const char *name)
{
	int fd = open(FILE_PATH, O_RDONLY);
	struct sample a;

	sample(&a);
	while (read(fd, buf, CALL) > 0)
		;
	report(name, &a, SIZE);
	close(fd);
}

static void
seq_map(const char *name)
{
	int fd = open(FILE_PATH, O_RDONLY);
	volatile char *p = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);
	struct sample a;
	char sum = 0;

	close(fd);
	if (p == MAP_FAILED) {
		printf("# filebench: mmap failed\n");
		return;
	}
	sample(&a);
	for (unsigned long off = 0; off < SIZE; off += PAGE)
		sum += p[off];
	report(name, &a, SIZE);
	munmap((void *)p, SIZE);
	(void)sum;
}

static void
rand_read(const char *name, int advice)
{
	int fd = open(FILE_PATH, O_RDONLY);
	unsigned long x = 0x2545f4914f6cdd1dUL;
	struct sample a;

	posix_fadvise(fd, 0, 0, advice);
	sample(&a);
	for (int i = 0; i < RANDOM_READS; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		pread(fd, buf, PAGE, (off_t)((x % (SIZE / PAGE)) * PAGE));
	}
	report(name, &a, RANDOM_READS * PAGE);
	close(fd);
}

static void
map_write_msync(const char *name)
{
	int fd = open(FILE_PATH, O_RDWR);
	char *p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	struct sample a;

	close(fd);
	if (p == MAP_FAILED) {
		printf("# filebench: mmap failed\n");
		return;
	}
	for (int i = 0; i < MSYNCS; i++)
		(void)*(volatile char *)(p + (unsigned long)i * 97 * PAGE % SIZE);	/* resident first */
	sample(&a);
	for (int i = 0; i < MSYNCS; i++) {
		char *page = p + (unsigned long)i * 97 * PAGE % SIZE;

		page[0] ^= 1;
		msync(page, PAGE, MS_SYNC);
	}
	report(name, &a, MSYNCS * PAGE);
	munmap(p, SIZE);
}

int
main(void)
{
	mkdir("/mnt", 0755);
	mkdir(MNT, 0755);
	if (mount("/dev/vda", MNT, "ext2", 0, NULL) != 0) {
		printf("# filebench: no ext2 disk with %s\n", FILE_PATH);
		return 1;
	}
	buf = malloc(CALL);
	memset(buf, 0, CALL);
	printf("# name instret/4k reads writes pages/read ticks\n");
	cold();
	seq_read("seq_read_cold");
	seq_read("seq_read_warm");
	cold();
	seq_map("seq_map_cold");
	seq_map("seq_map_warm");
	cold();
	rand_read("rand_read_cold", POSIX_FADV_NORMAL);
	cold();
	rand_read("rand_read_fadv", POSIX_FADV_RANDOM);
	map_write_msync("map_write_msync");
	umount(MNT);
	return 0;
}
