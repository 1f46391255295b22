/* mremap: growing in place, moving, shrinking, and argument checks. */
#include <errno.h>
#include <fcntl.h>
#include <probe.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

static void
fill(char *p, size_t npages, char base)
{
	size_t i;

	for (i = 0; i < npages; i++)
		p[i * PGSZ] = base + i;
}

static int
check(const char *p, size_t npages, char base)
{
	size_t i;

	for (i = 0; i < npages; i++) {
		if (p[i * PGSZ] != (char)(base + i))
			return 0;
	}
	return 1;
}

/* With free space after it, a mapping grows in place. */
static void
test_grow_in_place(void)
{
	char *p = map_pages(4), *q;

	munmap(p + 2 * PGSZ, 2 * PGSZ);
	fill(p, 2, 'a');
	q = mremap(p, 2 * PGSZ, 4 * PGSZ, 0);
	tap_ok(q == p, "grow 2 -> 4 pages in place (%p -> %p)", p, q);
	tap_ok(q == p && check(q, 2, 'a') && q[2 * PGSZ] == 0 &&
	    q[4 * PGSZ - 1] == 0,
	    "old contents kept, new pages zero");
	munmap(p, 4 * PGSZ);
}

/* Blocked by a neighbour: fails without MAYMOVE, moves with it. */
static void
test_move(void)
{
	char *p = map_pages(3), *q;

	munmap(p + 2 * PGSZ, PGSZ);
	/* p[0..1] is the mapping, p+2 is free; put a blocker at p+2. */
	mmap(p + 2 * PGSZ, PGSZ, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_FIXED, -1, 0);
	fill(p, 2, 'm');
	q = mremap(p, 2 * PGSZ, 8 * PGSZ, 0);
	tap_ok(q == MAP_FAILED && errno == ENOMEM,
	    "blocked growth without MREMAP_MAYMOVE -> ENOMEM");
	q = mremap(p, 2 * PGSZ, 8 * PGSZ, MREMAP_MAYMOVE);
	tap_ok(q != MAP_FAILED && q != p, "MREMAP_MAYMOVE moves it (%p)", q);
	if (q == MAP_FAILED) {
		tap_ok(0, "moved contents");
		tap_ok(0, "old range unmapped");
		return;
	}
	tap_ok(check(q, 2, 'm') && q[7 * PGSZ] == 0,
	    "contents moved along, new pages zero");
	tap_ok(probe_read(p, NULL) == SIGSEGV, "the old range is unmapped");
	tap_ok(probe_read(p + 2 * PGSZ, NULL) == 0,
	    "the blocking neighbour is untouched");
	munmap(q, 8 * PGSZ);
	munmap(p + 2 * PGSZ, PGSZ);
}

/* Shrinking keeps the head and unmaps the tail. */
static void
test_shrink(void)
{
	char *p = map_pages(4), *q;

	fill(p, 4, 's');
	q = mremap(p, 4 * PGSZ, PGSZ, 0);
	tap_ok(q == p && check(q, 1, 's'), "shrink 4 -> 1 page in place");
	tap_ok(probe_read(p + PGSZ, NULL) == SIGSEGV &&
	    probe_read(p + 3 * PGSZ, NULL) == SIGSEGV,
	    "the released tail faults");
	munmap(p, PGSZ);
}

/*
 * Shrinking unmaps the tail whatever it holds, as Linux does: more than
 * one mapping, and holes; only the head must be mapped.  With
 * MREMAP_FIXED the tail goes first, and the head, in one mapping, moves.
 */
static void
test_shrink_across(void)
{
	char *p = map_pages(4), *dst = unmapped_pages(2), *q;

	fill(p, 4, 'a');
	mprotect(p + PGSZ, PGSZ, PROT_READ);	/* two more mappings */
	munmap(p + 2 * PGSZ, PGSZ);		/* and a hole */
	q = mremap(p, 4 * PGSZ, PGSZ, 0);
	tap_ok(q == p && check(p, 1, 'a') && probe_read(p + PGSZ, NULL) == SIGSEGV &&
	    probe_read(p + 3 * PGSZ, NULL) == SIGSEGV,
	    "shrinking across mappings and a hole unmaps the tail (%p)", q);
	munmap(p, 4 * PGSZ);
	p = map_pages(3);
	fill(p, 3, 'b');
	mprotect(p + 2 * PGSZ, PGSZ, PROT_READ);
	q = mremap(p, 3 * PGSZ, 2 * PGSZ, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	tap_ok(q == dst && check(dst, 2, 'b') && probe_read(p, NULL) == SIGSEGV &&
	    probe_read(p + 2 * PGSZ, NULL) == SIGSEGV,
	    "MREMAP_FIXED shrinking across two mappings moves the head, unmaps the rest (%p)", q);
	munmap(p, 3 * PGSZ);
	munmap(dst, 2 * PGSZ);
}

/*
 * The same size, in place, with a mapping right after (here the rest of
 * the same one): nothing changes (the kernel once clipped the next entry
 * to nothing: an empty entry, a panic with INVARIANTS).
 */
static void
test_same_size(void)
{
	char *p = map_pages(2), *q;

	fill(p, 2, 'z');
	q = mremap(p, PGSZ, PGSZ, 0);
	tap_ok(q == p && check(p, 2, 'z'), "the same size with the next page mapped: a no-op");
	munmap(p, 2 * PGSZ);
}

/* MREMAP_FIXED puts the mapping exactly where asked. */
static void
test_fixed(void)
{
	char *p = map_pages(2), *dst = unmapped_pages(4), *q;

	fill(p, 2, 'f');
	q = mremap(p, 2 * PGSZ, 2 * PGSZ, MREMAP_MAYMOVE | MREMAP_FIXED,
	    dst + PGSZ);
	tap_ok(q == dst + PGSZ && check(q, 2, 'f'),
	    "MREMAP_FIXED moves to the given address with the contents");
	tap_ok(mremap(q, 2 * PGSZ, 2 * PGSZ, MREMAP_FIXED, dst) ==
	    MAP_FAILED && errno == EINVAL,
	    "MREMAP_FIXED without MREMAP_MAYMOVE -> EINVAL");
	munmap(q, 2 * PGSZ);
}

/* Argument checks. */
static void
test_errors(void)
{
	char *p = map_pages(1);

	tap_ok(mremap(p + 1, PGSZ, 2 * PGSZ, MREMAP_MAYMOVE) == MAP_FAILED &&
	    errno == EINVAL, "unaligned old address -> EINVAL");
	if (under_qemu_user())
		tap_skip("qemu-user 7 fails new size 0 with ENOMEM");
	else
		tap_ok(mremap(p, PGSZ, 0, MREMAP_MAYMOVE) == MAP_FAILED &&
		    errno == EINVAL, "new size 0 -> EINVAL");
	tap_ok(mremap(p, PGSZ, PGSZ, 0x80) == MAP_FAILED && errno == EINVAL,
	    "unknown flag -> EINVAL");
	tap_ok(mremap(unmapped_pages(1), PGSZ, 2 * PGSZ, MREMAP_MAYMOVE) ==
	    MAP_FAILED && errno == EFAULT, "unmapped old range -> EFAULT");
	munmap(p, PGSZ);
}

/*
 * Growth is fresh memory: moving and growing the first page of a three-page
 * mapping must not expose (or share) the two pages after it, nor may
 * growing in place over an unmapped tail bring its old data back.
 */
static void
test_growth_is_fresh(void)
{
	char *p = map_pages(3), *q;

	p[0] = 'a';
	p[PGSZ] = 'b';
	p[2 * PGSZ] = 'c';
	q = mremap(p, PGSZ, 3 * PGSZ, MREMAP_MAYMOVE);
	tap_ok(q != MAP_FAILED && q[0] == 'a' && q[PGSZ] == 0 && q[2 * PGSZ] == 0,
	    "move+grow of part of a mapping: the new pages are zero");
	if (q != MAP_FAILED) {
		q[PGSZ] = 'Q';
		tap_ok(p[PGSZ] == 'b', "and writing them does not reach the old neighbours");
		munmap(q, 3 * PGSZ);
	}
	munmap(p, 3 * PGSZ);

	p = map_pages(3);
	p[0] = 'a';
	p[PGSZ] = 'b';
	p[2 * PGSZ] = 'c';
	munmap(p + PGSZ, 2 * PGSZ);
	q = mremap(p, PGSZ, 3 * PGSZ, 0);
	tap_ok(q == p && q[0] == 'a' && q[PGSZ] == 0 && q[2 * PGSZ] == 0,
	    "growing in place over an unmapped tail gives zeros, not its old data");
	munmap(p, 3 * PGSZ);

	p = map_pages(2);
	mprotect(p + PGSZ, PGSZ, PROT_READ);
	q = mremap(p, 2 * PGSZ, 4 * PGSZ, MREMAP_MAYMOVE);
	tap_ok(q == MAP_FAILED && errno == EFAULT,
	    "a range spanning two mappings -> EFAULT");
	munmap(p, 2 * PGSZ);
}

#define FILE_PAGES	4

/* A file of FILE_PAGES pages, page i full of 'F' + i; unlinked. -1 on failure. */
static int
make_file(void)
{
	char name[64], buf[PGSZ];
	int fd, i;

	snprintf(name, sizeof(name), "/tmp/mremap.%d", getpid());
	fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	unlink(name);
	for (i = 0; fd >= 0 && i < FILE_PAGES; i++) {
		memset(buf, 'F' + i, sizeof(buf));
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return -1;
	}
	return fd;
}

/* Page i of a grown private mapping of the file shows page i of the file. */
static int
shows_file(const char *q, int from, int to)
{
	for (int i = from; i < to; i++)
		if (q[i * PGSZ] != 'F' + i || q[i * PGSZ + PGSZ - 1] != 'F' + i)
			return 0;
	return 1;
}

/*
 * Growing a private file mapping that has been written: the new pages go
 * on showing the file (the written page is the process's own copy, the
 * rest is the file), in place and when moved.
 */
static void
test_grow_written_file(void)
{
	int fd = make_file();
	char *r = unmapped_pages(FILE_PAGES), *p, *q;

	p = mmap(r, 2 * PGSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, fd, 0);
	p[0] = 'w';
	q = mremap(p, 2 * PGSZ, FILE_PAGES * PGSZ, 0);
	tap_ok(q == p && q[0] == 'w' && shows_file(q, 1, FILE_PAGES),
	    "a written private file mapping grown in place shows the file beyond");
	munmap(r, FILE_PAGES * PGSZ);

	p = mmap(NULL, 2 * PGSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	p[PGSZ] = 'w';
	/* A neighbour right after it makes the growth move. */
	mmap(p + 2 * PGSZ, PGSZ, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	q = mremap(p, 2 * PGSZ, FILE_PAGES * PGSZ, MREMAP_MAYMOVE);
	tap_ok(q != MAP_FAILED && q != p && q[PGSZ] == 'w' && shows_file(q, 0, 1) &&
	    shows_file(q, 2, FILE_PAGES), "and so does one grown by moving it");
	if (q != MAP_FAILED)
		munmap(q, FILE_PAGES * PGSZ);
	munmap(p, 3 * PGSZ);
	close(fd);
}

/*
 * A mapping grown in place is one mapping: it can be moved, or grown
 * again, as a whole.
 */
static void
test_grown_is_whole(void)
{
	char *r = unmapped_pages(8), *p, *q;

	p = mmap(r, 2 * PGSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
	    -1, 0);
	fill(p, 2, 'g');
	q = mremap(p, 2 * PGSZ, 4 * PGSZ, 0);
	tap_ok(q == p, "grow 2 -> 4 pages in place");
	q[3 * PGSZ] = 'h';
	q = mremap(p, 4 * PGSZ, 4 * PGSZ, MREMAP_MAYMOVE | MREMAP_FIXED, r + 4 * PGSZ);
	tap_ok(q == r + 4 * PGSZ && check(q, 2, 'g') && q[2 * PGSZ] == 0 && q[3 * PGSZ] == 'h',
	    "the grown mapping moves as a whole (%p)", q);
	munmap(r, 8 * PGSZ);
}

int
main(void)
{
	tap_plan(27);
	test_grow_in_place();
	test_move();
	test_shrink();
	test_same_size();
	test_shrink_across();
	test_fixed();
	test_errors();
	test_growth_is_fresh();
	test_grow_written_file();
	test_grown_is_whole();
	tap_vm_consistent("growing, moving and shrinking mappings");
	return tap_done();
}
