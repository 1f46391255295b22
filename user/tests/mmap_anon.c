/* mmap_anon: anonymous mmap, fixed placement, hints and argument checks. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define RW (PROT_READ | PROT_WRITE)
#define PA (MAP_PRIVATE | MAP_ANONYMOUS)

static int
all_zero(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] != 0)
			return 0;
	}
	return 1;
}

/* A private anonymous mapping is page-aligned, zero-filled and writable. */
static void
test_private(void)
{
	char *p = mmap(NULL, 4 * PGSZ, RW, PA, -1, 0);

	if (!tap_ok(p != MAP_FAILED && ((uintptr_t)p & (PGSZ - 1)) == 0,
	    "private anon mapping is page-aligned (%p)", p)) {
		tap_ok(0, "private anon mapping is zero-filled and writable");
		return;
	}
	tap_ok(all_zero(p, 4 * PGSZ) && (p[0] = 1, p[4 * PGSZ - 1] = 2,
	    p[0] == 1 && p[4 * PGSZ - 1] == 2),
	    "private anon mapping is zero-filled and writable");
	munmap(p, 4 * PGSZ);
}

/* A shared anonymous mapping is zero-filled and writable too. */
static void
test_shared(void)
{
	char *p = mmap(NULL, 2 * PGSZ, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	tap_ok(p != MAP_FAILED && all_zero(p, 2 * PGSZ) &&
	    (p[PGSZ] = 7, p[PGSZ] == 7),
	    "shared anon mapping is zero-filled and writable");
	if (p != MAP_FAILED)
		munmap(p, 2 * PGSZ);
}

/* MAP_FIXED places the mapping exactly and replaces what was there. */
static void
test_fixed(void)
{
	char *base = mmap(NULL, 4 * PGSZ, PROT_NONE, PA, -1, 0);
	char *p;

	if (base == MAP_FAILED) {
		tap_ok(0, "reserve 4 pages");
		tap_ok(0, "MAP_FIXED replaces contents");
		return;
	}
	p = mmap(base + PGSZ, 2 * PGSZ, RW, PA | MAP_FIXED, -1, 0);
	tap_ok(p == base + PGSZ, "MAP_FIXED maps at the given address");
	p[0] = 'x';
	p = mmap(base + PGSZ, PGSZ, RW, PA | MAP_FIXED, -1, 0);
	tap_ok(p == base + PGSZ && p[0] == 0,
	    "MAP_FIXED over a mapping replaces its contents with zeros");
	munmap(base, 4 * PGSZ);
}

/* MAP_FIXED_NOREPLACE refuses an occupied range and takes a free one. */
static void
test_noreplace(void)
{
	char *base = map_pages(3);
	char *p;

	p = mmap(base + PGSZ, PGSZ, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
	if (p != MAP_FAILED && p != base + PGSZ && under_qemu_user()) {
		tap_skip("qemu-user 7 treats MAP_FIXED_NOREPLACE as a hint");
		munmap(p, PGSZ);
	} else {
		tap_ok(p == MAP_FAILED && errno == EEXIST,
		    "MAP_FIXED_NOREPLACE over a mapping fails with EEXIST");
	}
	munmap(base + PGSZ, PGSZ);
	p = mmap(base + PGSZ, PGSZ, RW, PA | MAP_FIXED_NOREPLACE, -1, 0);
	tap_ok(p == base + PGSZ, "MAP_FIXED_NOREPLACE in a hole maps there");
	munmap(base, 3 * PGSZ);
}

/* A free hint is honoured; an occupied one is moved, not clobbered. */
static void
test_hint(void)
{
	char *busy = map_pages(1);
	char *hole = unmapped_pages(2);
	char *p;

	p = mmap(hole, PGSZ, RW, PA, -1, 0);
	tap_ok(p == hole, "a free hint address is used (%p == %p)", p, hole);
	if (p != MAP_FAILED)
		munmap(p, PGSZ);
	busy[0] = 'b';
	p = mmap(busy, PGSZ, RW, PA, -1, 0);
	tap_ok(p != MAP_FAILED && p != busy && busy[0] == 'b',
	    "an occupied hint gives another address and keeps the old data");
	if (p != MAP_FAILED)
		munmap(p, PGSZ);
	munmap(busy, PGSZ);
}

/* Argument checks with their Linux errno values. */
static void
test_errors(void)
{
	char *p;

	p = mmap(NULL, 0, RW, PA, -1, 0);
	tap_ok(p == MAP_FAILED && errno == EINVAL, "length 0 -> EINVAL");
	p = mmap((void *)0x10000123, PGSZ, RW, PA | MAP_FIXED, -1, 0);
	tap_ok(p == MAP_FAILED && errno == EINVAL,
	    "unaligned MAP_FIXED address -> EINVAL");
	p = mmap(NULL, PGSZ, RW, PA, -1, 100);
	tap_ok(p == MAP_FAILED && errno == EINVAL,
	    "offset not page-aligned -> EINVAL");
	p = mmap(NULL, PGSZ, RW, MAP_PRIVATE, -1, 0);
	tap_ok(p == MAP_FAILED && errno == EBADF,
	    "file mapping of fd -1 -> EBADF");
	p = mmap(NULL, PGSZ, RW, MAP_SHARED, 1000, 0);
	tap_ok(p == MAP_FAILED && errno == EBADF,
	    "file mapping of a closed fd -> EBADF");
	p = mmap(NULL, ~0UL - PGSZ, RW, PA, -1, 0);
	tap_ok(p == MAP_FAILED && errno == ENOMEM,
	    "length that overflows when rounded -> ENOMEM (errno %d)", errno);
	p = mmap(NULL, 1UL << 60, RW, PA, -1, 0);
	tap_ok(p == MAP_FAILED && errno == ENOMEM,
	    "length beyond the address space -> ENOMEM");
	p = mmap(NULL, PGSZ, RW, MAP_ANONYMOUS, -1, 0);
	tap_ok(p == MAP_FAILED && errno == EINVAL,
	    "neither MAP_SHARED nor MAP_PRIVATE -> EINVAL");
}

/* A large sparse mapping only needs the pages that are touched. */
static void
test_sparse(void)
{
	size_t len = 256UL << 20, off;
	char *p = mmap(NULL, len, RW, PA | MAP_NORESERVE, -1, 0);
	int ok = p != MAP_FAILED;

	for (off = 0; ok && off < len; off += 16UL << 20) {
		p[off] = (char)(off >> 20);
		ok = p[off] == (char)(off >> 20) && p[off + 1] == 0;
	}
	tap_ok(ok, "256 MiB sparse mapping, one page per 16 MiB touched");
	if (p != MAP_FAILED)
		munmap(p, len);
}

/* MAP_POPULATE maps pages up front with the same zero contents. */
static void
test_populate(void)
{
	char *p = mmap(NULL, 8 * PGSZ, RW, PA | MAP_POPULATE, -1, 0);

	tap_ok(p != MAP_FAILED && all_zero(p, 8 * PGSZ),
	    "MAP_POPULATE mapping is zero-filled");
	if (p != MAP_FAILED)
		munmap(p, 8 * PGSZ);
}

/* Separate mappings do not alias one another. */
static void
test_distinct(void)
{
	char *a = map_pages(1), *b = map_pages(1);

	a[0] = 'a';
	b[0] = 'b';
	tap_ok(a != b && a[0] == 'a' && b[0] == 'b',
	    "two mappings are distinct memory");
	munmap(a, PGSZ);
	munmap(b, PGSZ);
}

int
main(void)
{
	tap_plan(20);
	test_private();
	test_shared();
	test_fixed();
	test_noreplace();
	test_hint();
	test_errors();
	test_sparse();
	test_populate();
	test_distinct();
	return tap_done();
}
