/*
 * vmstat: report virtual memory figures, like BSD's and Linux's vmstat.
 *
 *   vmstat [INTERVAL [COUNT]]   a table: memory (kB) free, active,
 *                               inactive, laundry (dirty, to be written
 *                               or waiting for swap), wired; swap in and
 *                               out (kB/s); faults, major faults, pages
 *                               the daemon scanned and freed (per
 *                               second).  The first line covers the
 *                               time since boot, each next one the last
 *                               INTERVAL seconds; COUNT lines in all
 *                               (without it, forever; without INTERVAL,
 *                               just the first).
 *   vmstat -s                   /proc/vmstat and /proc/meminfo whole
 *   vmstat NAME...              just those /proc/vmstat counters
 *
 * Counters the kernel lacks (no swap yet) read as 0 in the table.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

#define HEADER_EVERY	20	/* repeat the header like Linux's vmstat */
#define KB_PER_PAGE	4

struct sample {
	long	ms;			/* milliseconds since boot */
	long	free, active, inactive, laundry, wired;	/* kB */
	long	pswpin, pswpout, pgfault, pgmajfault, pgscan, pgsteal;	/* counts */
};

static int
cat(const char *path)
{
	char buf[1024];
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY);
	if (fd < 0) {
		perror(path);
		return 1;
	}
	printf("==> %s <==\n", path);
	fflush(stdout);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		write(1, buf, n);
	close(fd);
	return 0;
}

/* A /proc/vmstat counter, 0 when the kernel has none of that name. */
static long
counter(const char *name)
{
	long v = vmstat_get(name);

	return v < 0 ? 0 : v;
}

static long
pages_kb(const char *name)
{
	return counter(name) * KB_PER_PAGE;
}

static struct sample
take(void)
{
	struct timespec ts;
	struct sample s;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s.ms = ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	s.free = meminfo_get("MemFree");
	s.active = pages_kb("nr_active_anon") + pages_kb("nr_active_file");
	s.inactive = pages_kb("nr_inactive_anon") + pages_kb("nr_inactive_file");
	s.laundry = pages_kb("nr_laundry") + pages_kb("nr_unswappable");
	s.wired = pages_kb("wired_pages");
	s.pswpin = counter("pswpin");
	s.pswpout = counter("pswpout");
	s.pgfault = counter("pgfault");
	s.pgmajfault = counter("pgmajfault");
	s.pgscan = counter("pgscan_kswapd");
	s.pgsteal = counter("pgsteal_kswapd");
	return s;
}

static void
header(void)
{
	printf("%-48s %-13s %-16s %s\n%9s %9s %9s %9s %8s %6s %6s %8s %7s %8s %8s\n",
	    "memory (kB)", "swap (kB/s)", "faults/s", "daemon (pages/s)",
	    "free", "active", "inactive", "laundry", "wired", "si", "so", "flt", "majflt",
	    "scan", "steal");
}

/* One line: memory now, rates over the time since prev (a zero sample: since boot). */
static void
line(const struct sample *now, const struct sample *prev)
{
	long ms = now->ms - prev->ms;

#define RATE(f, scale)	((now->f - prev->f) * (scale) * 1000 / (ms > 0 ? ms : 1))
	printf("%9ld %9ld %9ld %9ld %8ld %6ld %6ld %8ld %7ld %8ld %8ld\n", now->free, now->active,
	    now->inactive, now->laundry, now->wired, RATE(pswpin, KB_PER_PAGE),
	    RATE(pswpout, KB_PER_PAGE), RATE(pgfault, 1), RATE(pgmajfault, 1), RATE(pgscan, 1),
	    RATE(pgsteal, 1));
#undef RATE
	fflush(stdout);
}

static int
is_number(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static int
table(long interval, long count)
{
	struct sample boot = { 0 }, prev, now;

	header();
	now = take();
	line(&now, &boot);
	for (long n = 1; interval > 0 && (count <= 0 || n < count); n++) {
		struct timespec ts = { interval, 0 };

		nanosleep(&ts, NULL);
		prev = now;
		now = take();
		if (n % HEADER_EVERY == 0)
			header();
		line(&now, &prev);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	int status = 0;

	if (argc == 1)
		return table(0, 1);
	if (strcmp(argv[1], "-s") == 0)
		return cat("/proc/vmstat") | cat("/proc/meminfo");
	if (is_number(argv[1])) {
		if (argc > 3 || (argc == 3 && !is_number(argv[2]))) {
			fprintf(stderr, "usage: vmstat [interval [count]] | -s | name...\n");
			return 2;
		}
		return table(atol(argv[1]), argc == 3 ? atol(argv[2]) : 0);
	}
	for (int i = 1; i < argc; i++) {
		long v = vmstat_get(argv[i]);

		if (v < 0) {
			printf("%s missing\n", argv[i]);
			status = 1;
		} else {
			printf("%s %ld\n", argv[i], v);
		}
	}
	return status;
}
