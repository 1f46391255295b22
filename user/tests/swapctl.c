/*
 * swapctl: swapon(2) and swapoff(2) as Linux has them, /proc/swaps in
 * Linux's format, SwapTotal and SwapFree in /proc/meminfo.
 *
 * Everywhere (Sable without swap disks, Linux through qemu-user): the
 * errors that need no swap area -- flags outside SWAP_FLAG_* (EINVAL,
 * checked before privilege), not root (EPERM), no such file, a
 * directory, a character device and a regular file that are not swap
 * (EINVAL), a bad pointer (EFAULT) -- and /proc/swaps's header line.
 * Nothing here ever offers the host a valid swap area.
 *
 * With the disks scripts/swap-test makes (found by the label mkswap -L
 * wrote into their headers): a second swap area goes on with a chosen
 * priority and off again, appearing in and leaving /proc/swaps and the
 * meminfo totals; one already in use is EBUSY; one made for 64 KiB pages
 * or without a signature is EINVAL; automatic priorities are -2, -3, ...
 * and close up when one goes away.  Every device the test found in use
 * is in use again at the end, with the priority it had.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/swap.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define LABEL_OFFSET	1052		/* mkswap -L's label in the swap header */
#define LABEL_LEN	16
#define MAX_DISKS	8
#define NOBODY		65534
#define BOGUS_FLAG	0x80000		/* above SWAP_FLAG_DISCARD_PAGES */
#define SWAPS_HEADER	"Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n"
#define TEXT_MAX	4096

enum kind { GOOD, PAGE64K, NOSIG };

struct disk {
	char		path[16];
	enum kind	kind;
	long		size_kb;	/* from /proc/swaps, once in use */
};

static struct disk disks[MAX_DISKS];
static int ndisks;

/* The label mkswap wrote into path's header, into label (LABEL_LEN + 1 bytes). */
static int
read_label(const char *path, char *label)
{
	char page[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = pread(fd, page, sizeof(page), 0);
	close(fd);
	if (n != (ssize_t)sizeof(page))
		return -1;
	memcpy(label, page + LABEL_OFFSET, LABEL_LEN);
	label[LABEL_LEN] = '\0';
	return 0;
}

static void
find_disks(void)
{
	char path[16], label[LABEL_LEN + 1];

	for (char c = 'a'; c <= 'z' && ndisks < MAX_DISKS; c++) {
		snprintf(path, sizeof(path), "/dev/vd%c", c);
		if (read_label(path, label) != 0)
			break;
		struct disk *d = &disks[ndisks];

		if (strcmp(label, "sable-swap") == 0)
			d->kind = GOOD;
		else if (strcmp(label, "sable-swap-64k") == 0)
			d->kind = PAGE64K;
		else if (strcmp(label, "sable-swap-bare") == 0)
			d->kind = NOSIG;
		else
			continue;
		strcpy(d->path, path);
		ndisks++;
	}
}

/*
 * /proc/swaps.
 */

struct swaps_line {
	char	path[64];
	long	size, used;
	int	prio;
	int	exact;		/* laid out as Linux's swap_show lays it out */
};

/* The next whitespace-separated word at *p into word (size bytes); advances *p.  0 or -1. */
static int
next_word(const char **p, char *word, size_t size)
{
	size_t n = 0;

	while (**p == ' ' || **p == '\t')
		(*p)++;
	while (**p != '\0' && **p != ' ' && **p != '\t' && **p != '\n') {
		if (n + 1 < size)
			word[n++] = **p;
		(*p)++;
	}
	word[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* A /proc/swaps line's fields: path, type, size, used, priority.  0 or -1. */
static int
parse_line(const char *p, struct swaps_line *out)
{
	char type[16], num[3][24];

	memset(out, 0, sizeof(*out));
	if (next_word(&p, out->path, sizeof(out->path)) != 0 ||
	    next_word(&p, type, sizeof(type)) != 0 || strcmp(type, "partition") != 0)
		return -1;
	for (int i = 0; i < 3; i++)
		if (next_word(&p, num[i], sizeof(num[i])) != 0)
			return -1;
	out->size = strtol(num[0], NULL, 10);
	out->used = strtol(num[1], NULL, 10);
	out->prio = (int)strtol(num[2], NULL, 10);
	return 0;
}

/* path's line in /proc/swaps (0), or -1 when it is not there. */
static int
swaps_find(const char *path, struct swaps_line *out)
{
	char text[TEXT_MAX], want[160], *line;
	size_t len = strlen(path);

	if (read_text_file("/proc/swaps", text, sizeof(text)) < 0)
		return -1;
	for (line = strchr(text, '\n'); line != NULL && line[1] != '\0';
	    line = strchr(line + 1, '\n')) {
		char *p = line + 1;

		if (strncmp(p, path, len) != 0 || p[len] != ' ')
			continue;
		if (parse_line(p, out) != 0)
			return -1;
		snprintf(want, sizeof(want), "%s%*s%s\t%ld\t%s%ld\t%s%d\n", path,
		    (int)(len < 40 ? 40 - len : 1), " ", "partition", out->size,
		    out->size < 10000000 ? "\t" : "", out->used, out->used < 10000000 ? "\t" : "",
		    out->prio);
		out->exact = strncmp(p, want, strlen(want)) == 0;
		return 0;
	}
	return -1;
}

/* The sums of /proc/swaps's sizes and uses (KiB). */
static void
swaps_totals(long *size, long *used)
{
	char text[TEXT_MAX], *line;
	struct swaps_line l;

	*size = *used = 0;
	if (read_text_file("/proc/swaps", text, sizeof(text)) < 0)
		return;
	for (line = strchr(text, '\n'); line != NULL && line[1] != '\0';
	    line = strchr(line + 1, '\n')) {
		if (parse_line(line + 1, &l) == 0) {
			*size += l.size;
			*used += l.used;
		}
	}
}

static int
in_use(const char *path)
{
	struct swaps_line l;

	return swaps_find(path, &l) == 0;
}

/*
 * Errors that need no swap area.
 */

static int
errno_of(int ret)
{
	return ret == 0 ? 0 : errno;
}

static int
as_nobody(void *arg)
{
	(void)arg;
	if (setuid(NOBODY) != 0)
		return 10;
	if (swapon("/nonexistent/swap", 0) != -1 || errno != EPERM)
		return 1;
	if (swapon("/nonexistent/swap", BOGUS_FLAG) != -1 || errno != EINVAL)
		return 2;
	if (swapoff("/nonexistent/swap") != -1 || errno != EPERM)
		return 3;
	return 0;
}

static void
test_errors(void)
{
	char tmpl[32], zeros[4096];
	int st, fd, e;

	memset(zeros, 0, sizeof(zeros));
	snprintf(tmpl, sizeof(tmpl), "/tmp/swapctl.%d", getpid());
	e = errno_of(swapon("/nonexistent/swap", BOGUS_FLAG));
	tap_ok(e == EINVAL, "swapon with a flag outside SWAP_FLAG_*: EINVAL (%s)", strerror(e));
	st = run_child(as_nobody, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "not root: swapon and swapoff are EPERM, "
	    "but bad flags are EINVAL first (child status %#x)", st);
	e = errno_of(swapon("/nonexistent/swap", 0));
	tap_ok(e == ENOENT, "swapon of a missing file: ENOENT (%s)", strerror(e));
	e = errno_of(swapoff("/nonexistent/swap"));
	tap_ok(e == ENOENT, "swapoff of a missing file: ENOENT (%s)", strerror(e));
	e = errno_of(swapon("/", 0));
	tap_ok(e == EISDIR, "swapon of a directory: EISDIR (%s)", strerror(e));
	e = errno_of(swapon("/dev/null", SWAP_FLAG_PREFER | 5));
	tap_ok(e == EINVAL, "swapon of a character device: EINVAL (%s)", strerror(e));
	e = errno_of(swapoff("/dev/null"));
	tap_ok(e == EINVAL, "swapoff of something that is not swap: EINVAL (%s)", strerror(e));
	fd = open(tmpl, O_RDWR | O_CREAT | O_EXCL, 0600);
	tap_ok(fd >= 0 && write(fd, zeros, sizeof(zeros)) == (ssize_t)sizeof(zeros),
	    "a regular file of zeros");
	e = errno_of(swapon(tmpl, 0));
	tap_ok(e == EINVAL, "swapon of a file with no swap signature: EINVAL (%s)", strerror(e));
	e = errno_of(swapoff(tmpl));
	tap_ok(e == EINVAL, "swapoff of a regular file not in use: EINVAL (%s)", strerror(e));
	close(fd);
	unlink(tmpl);
	e = errno_of(swapon((const char *)1, 0));
	tap_ok(e == EFAULT, "swapon of an unmapped path: EFAULT (%s)", strerror(e));
	e = errno_of(swapoff((const char *)1));
	tap_ok(e == EFAULT, "swapoff of an unmapped path: EFAULT (%s)", strerror(e));
}

/* /proc/swaps and /proc/meminfo agree, whatever is in use. */
static void
test_proc(void)
{
	char text[TEXT_MAX];
	long size, used, total = meminfo_get("SwapTotal"), free = meminfo_get("SwapFree");

	tap_ok(read_text_file("/proc/swaps", text, sizeof(text)) > 0 &&
	    strncmp(text, SWAPS_HEADER, strlen(SWAPS_HEADER)) == 0,
	    "/proc/swaps starts with Linux's header line");
	swaps_totals(&size, &used);
	tap_ok(total == size && free == size - used, "meminfo SwapTotal %ld kB, SwapFree %ld kB: "
	    "/proc/swaps's sizes (%ld) and uses (%ld)", total, free, size, used);
}

/*
 * With swap disks.
 */

/* Is some device the host or scripts/swap-test put in use there to be swapped on again? */
static void
test_busy(void)
{
	char text[TEXT_MAX];
	struct swaps_line l;
	const char *path = l.path;
	int e;

	if (read_text_file("/proc/swaps", text, sizeof(text)) <= 0 || strchr(text, '\n') == NULL ||
	    parse_line(strchr(text, '\n') + 1, &l) != 0) {
		tap_skip("no swap device in use to swapon twice");
		return;
	}
	e = errno_of(swapon(path, 0));
	tap_ok(e == EBUSY, "swapon of %s, already in use: EBUSY (%s)", path, strerror(e));
}

static struct disk *
disk_of(enum kind kind, int active, struct disk *not)
{
	for (int i = 0; i < ndisks; i++)
		if (disks[i].kind == kind && &disks[i] != not && in_use(disks[i].path) == active)
			return &disks[i];
	return NULL;
}

/* A second area on and off, with chosen priorities. */
static void
test_on_off(struct disk *d)
{
	long total0 = meminfo_get("SwapTotal"), free0 = meminfo_get("SwapFree");
	struct swaps_line l;
	int e;

	e = errno_of(swapon(d->path, SWAP_FLAG_PREFER | 7));
	tap_ok(e == 0, "swapon %s with priority 7 (%s)", d->path, strerror(e));
	tap_ok(swaps_find(d->path, &l) == 0 && l.prio == 7 && l.used == 0 && l.size > 0 &&
	    l.exact, "/proc/swaps: %s, %ld kB, %ld used, priority %d, laid out as Linux's",
	    d->path, l.size, l.used, l.prio);
	tap_ok(meminfo_get("SwapTotal") == total0 + l.size &&
	    meminfo_get("SwapFree") == free0 + l.size, "meminfo's totals grew by its %ld kB",
	    l.size);
	e = errno_of(swapon(d->path, SWAP_FLAG_PREFER | 7));
	tap_ok(e == EBUSY, "swapon of it again: EBUSY (%s)", strerror(e));
	e = errno_of(swapoff(d->path));
	tap_ok(e == 0 && !in_use(d->path) && meminfo_get("SwapTotal") == total0 &&
	    meminfo_get("SwapFree") == free0, "swapoff: gone from /proc/swaps and the totals (%s)",
	    strerror(e));
	e = errno_of(swapoff(d->path));
	tap_ok(e == EINVAL, "swapoff of it again: EINVAL (%s)", strerror(e));
	e = errno_of(swapon(d->path, SWAP_FLAG_PREFER | SWAP_FLAG_PRIO_MASK | SWAP_FLAG_DISCARD));
	tap_ok(e == 0 && swaps_find(d->path, &l) == 0 && l.prio == 32767,
	    "the highest priority, 32767, with SWAP_FLAG_DISCARD (%s)", strerror(e));
	tap_ok(swapoff(d->path) == 0, "and off again");
}

/*
 * Automatic priorities (Linux's): each new area one below the lowest so
 * far, and when one goes, those below it move up.  first is in use with
 * an automatic priority; second is not in use.
 */
static void
test_auto_priorities(struct disk *first, struct disk *second)
{
	struct swaps_line a, b;
	int p;

	if (swaps_find(first->path, &a) != 0 || a.prio >= 0) {
		tap_skip("%s has no automatic priority", first->path);
		return;
	}
	p = a.prio;
	tap_ok(swapon(second->path, 0) == 0 && swaps_find(second->path, &b) == 0 &&
	    b.prio == p - 1, "swapon %s without a priority: %d, one below %s's",
	    second->path, b.prio, first->path);
	tap_ok(swapoff(first->path) == 0 && swaps_find(second->path, &b) == 0 && b.prio == p,
	    "swapoff %s: %s moves up to %d", first->path, second->path, b.prio);
	tap_ok(swapon(first->path, 0) == 0 && swaps_find(first->path, &a) == 0 &&
	    a.prio == p - 1, "swapon %s again: %d", first->path, a.prio);
	tap_ok(swapoff(second->path) == 0 && swaps_find(first->path, &a) == 0 && a.prio == p,
	    "swapoff %s: %s is back at %d, as it started", second->path, first->path, a.prio);
}

static void
test_bad_areas(void)
{
	struct disk *d;
	int e;

	if ((d = disk_of(PAGE64K, 0, NULL)) == NULL) {
		tap_skip("no area made for 64 KiB pages");
	} else {
		e = errno_of(swapon(d->path, 0));
		tap_ok(e == EINVAL && !in_use(d->path), "swapon of %s, made by mkswap -p 65536: "
		    "EINVAL (%s)", d->path, strerror(e));
	}
	if ((d = disk_of(NOSIG, 0, NULL)) == NULL) {
		tap_skip("no area without a signature");
	} else {
		e = errno_of(swapon(d->path, 0));
		tap_ok(e == EINVAL && !in_use(d->path), "swapon of %s, its signature wiped: EINVAL "
		    "(%s)", d->path, strerror(e));
	}
}

int
main(void)
{
	long total0 = meminfo_get("SwapTotal"), free0 = meminfo_get("SwapFree");
	struct disk *on, *off;

	test_errors();
	test_proc();
	test_busy();
	if (under_qemu_user()) {
		tap_skip("under qemu-user the disks are the host's: no swap areas to try");
		return tap_done_late_plan();
	}
	find_disks();
	if (ndisks == 0) {
		tap_skip("no swap disks (scripts/swap-test makes them)");
		return tap_done_late_plan();
	}
	on = disk_of(GOOD, 1, NULL);
	off = disk_of(GOOD, 0, NULL);
	if (off != NULL)
		test_on_off(off);
	else
		tap_skip("no second swap area to turn on and off");
	if (on != NULL && off != NULL)
		test_auto_priorities(on, off);
	else
		tap_skip("automatic priorities need an area in use and another not");
	test_bad_areas();
	test_proc();
	tap_ok(meminfo_get("SwapTotal") == total0 && meminfo_get("SwapFree") == free0,
	    "swap totals back where they started (%ld, %ld kB)", total0, free0);
	return tap_done_late_plan();
}
