/*
 * diskbench: the cost of raw disk I/O through /dev/vda, per 4 KiB.
 *
 * Sequential writes and reads of 64 MiB of the disk named on the command
 * line (it is overwritten) in 1 MiB calls and in 4 KiB calls, with
 * retired instructions (rdinstret) around the loop: under QEMU's -icount
 * shift=0 they are exact, and the device model's own work (QEMU's) is not
 * among them.  scripts/bench gives it a null-co disk, which completes
 * every request at once: the hart never waits, so no clock tick (whose
 * number would depend on how fast the host answers) lands inside a
 * measurement.  The same reads and
 * writes of a file in memory (/tmp, ramfs) give the cost of the system
 * call and the copy alone; the difference is the block layer's and the
 * driver's (and the window pages'), per 4 KiB.  The requests in flight:
 * the mean queue depth a request found when it was submitted (itself
 * included), and the deepest queue, from /proc/disks.  (Linux's average
 * queue size, weighted over busy time in /proc/diskstats, is in
 * milliseconds, too coarse under -icount.)
 */
#include <fcntl.h>
#include <rdcsr.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LABEL_AREA	4096		/* left alone, as on a scratch disk */
#define KIB		1024UL
#define MIB		(1024 * KIB)
#define TOTAL		(64 * MIB)
#define BIG		MIB
#define SMALL		(4 * KIB)
#define SMALL_TOTAL	(4 * MIB)	/* 4 KiB calls: 1,024 of them */
#define FILE_BYTES	MIB
#define PER		(4 * KIB)

struct queue {
	unsigned long	requests, depth_sum, deepest;
};

static char *buf;

/* vda's requests, summed queue depths and deepest queue, from /proc/disks. */
static void
queue_stats(struct queue *q)
{
	char text[1024], *p;
	unsigned long v[12] = { 0 };
	int fd = open("/proc/disks", O_RDONLY), n = 0;
	ssize_t len;

	memset(q, 0, sizeof(*q));
	if (fd < 0)
		return;
	len = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (len <= 0 || (p = strstr((text[len] = '\0', text), "\nvda ")) == NULL)
		return;
	/* bytes sector pages maxqueue rd_errs wr_errs fl_errs timeouts resets requests depth_sum */
	for (p += 5; n < 11 && *p != '\0' && *p != '\n'; n++) {
		v[n] = strtoul(p, &p, 10);
		while (*p == ' ')
			p++;
	}
	q->deepest = v[3];
	q->requests = v[9];
	q->depth_sum = v[10];
}

static void
report(const char *name, unsigned long instret, unsigned long bytes,
    const struct queue *a, const struct queue *b)
{
	unsigned long reqs, depth;

	printf("%-24s %10lu instret/4k\n", name, instret / (bytes / PER));
	if (a == NULL || b == NULL || b->requests == a->requests)
		return;
	reqs = b->requests - a->requests;
	depth = (b->depth_sum - a->depth_sum) * 100 / reqs;
	printf("%-24s %7lu.%02lu in flight (mean depth a request found, of %lu; deepest so far %lu)\n",
	    name, depth / 100, depth % 100, reqs, b->deepest);
}

/* Move total bytes at offset base of fd in calls of size each; instructions. */
static unsigned long
sequential(int fd, int write_it, unsigned long base, unsigned long total, unsigned long size)
{
	unsigned long t;

	lseek(fd, (off_t)base, SEEK_SET);
	t = rdinstret();
	for (unsigned long done = 0; done < total; done += size)
		if ((write_it ? write(fd, buf, size) : read(fd, buf, size)) != (ssize_t)size) {
			printf("# diskbench: %s failed at %lu\n", write_it ? "write" : "read", done);
			break;
		}
	return rdinstret() - t;
}

static void
bench_disk(int fd)
{
	static const struct { const char *name; int write; unsigned long total, size; } runs[] = {
		{ "disk_write_1m", 1, TOTAL, BIG },
		{ "disk_read_1m", 0, TOTAL, BIG },
		{ "disk_write_4k", 1, SMALL_TOTAL, SMALL },
		{ "disk_read_4k", 0, SMALL_TOTAL, SMALL },
	};
	struct queue a, b;
	unsigned long n;

	for (size_t i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		queue_stats(&a);
		n = sequential(fd, runs[i].write, LABEL_AREA, runs[i].total, runs[i].size);
		queue_stats(&b);
		report(runs[i].name, n, runs[i].total, &a, &b);
	}
}

/* The same calls on a file in memory: the system call and the copy. */
static void
bench_memory_file(void)
{
	int fd = open("/tmp/diskbench", O_RDWR | O_CREAT | O_TRUNC, 0600);
	unsigned long n = 0;

	if (fd < 0 || write(fd, buf, FILE_BYTES) != (ssize_t)FILE_BYTES) {
		printf("# diskbench: no /tmp file\n");
		return;
	}
	for (unsigned long done = 0; done < TOTAL; done += FILE_BYTES)
		n += sequential(fd, 1, 0, FILE_BYTES, BIG);
	report("file_write_1m", n, TOTAL, NULL, NULL);
	n = 0;
	for (unsigned long done = 0; done < TOTAL; done += FILE_BYTES)
		n += sequential(fd, 0, 0, FILE_BYTES, BIG);
	report("file_read_1m", n, TOTAL, NULL, NULL);
	close(fd);
	unlink("/tmp/diskbench");
}

int
main(int argc, char **argv)
{
	int fd = argc == 2 ? open(argv[1], O_RDWR) : -1;

	if (fd < 0) {
		printf("# usage: diskbench DEVICE (it overwrites the first %lu MiB)\n",
		    (TOTAL + LABEL_AREA + MIB - 1) / MIB);
		return 1;
	}
	buf = malloc(BIG);
	memset(buf, 0x5a, BIG);
	printf("# name value unit (instret per 4 KiB moved)\n");
	bench_disk(fd);
	bench_memory_file();
	close(fd);
	return 0;
}
