/* mincore: which pages of a mapping are resident. */
#include <errno.h>
#include <sys/mman.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

int
main(void)
{
	unsigned char vec[8];
	char *p = map_pages(4);
	int i, ok, r;

	tap_plan(8);
	/* Untouched anonymous pages are not resident. */
	tap_ok(mincore(p, 4 * PGSZ, vec) == 0 &&
	    !(vec[0] & 1) && !(vec[1] & 1) && !(vec[2] & 1) && !(vec[3] & 1),
	    "untouched pages are not resident");
	/* Written pages are, and only those. */
	p[0] = 1;
	p[2 * PGSZ] = 1;
	r = mincore(p, 4 * PGSZ, vec);
	tap_ok(r == 0 && (vec[0] & 1) &&
	    !(vec[1] & 1) && (vec[2] & 1) && !(vec[3] & 1),
	    "written pages 0 and 2 are resident, 1 and 3 not (%d %d %d %d)",
	    vec[0], vec[1], vec[2], vec[3]);
	/* Only bit 0 is defined; the rest must be clear. */
	for (ok = 1, i = 0; i < 4; i++)
		ok &= (vec[i] & ~1) == 0;
	tap_ok(ok, "reserved bits are zero");
	/* MADV_DONTNEED drops residency. */
	madvise(p, 4 * PGSZ, MADV_DONTNEED);
	tap_ok(mincore(p, 4 * PGSZ, vec) == 0 && !(vec[0] & 1) && !(vec[2] & 1),
	    "after MADV_DONTNEED nothing is resident");
	/* A length that is not a page multiple covers the partial page. */
	p[PGSZ] = 1;
	vec[1] = 0;
	tap_ok(mincore(p, PGSZ + 1, vec) == 0 && (vec[1] & 1),
	    "a partial last page is reported");
	/* Argument checks. */
	tap_ok(mincore(p + 1, PGSZ, vec) == -1 && errno == EINVAL,
	    "unaligned address -> EINVAL");
	tap_ok(mincore(unmapped_pages(2), 2 * PGSZ, vec) == -1 &&
	    errno == ENOMEM, "unmapped range -> ENOMEM");
	tap_ok(mincore(p, PGSZ, (unsigned char *)8) == -1 && errno == EFAULT,
	    "bad vector pointer -> EFAULT");
	munmap(p, 4 * PGSZ);
	return tap_done();
}
