/* msync: flag and range checks on anonymous memory. */
#include <errno.h>
#include <sys/mman.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

int
main(void)
{
	char *p = map_pages(4);

	tap_plan(15);
	p[0] = 1;
	/* Each flag alone is accepted on anonymous memory. */
	tap_ok(msync(p, 4 * PGSZ, MS_SYNC) == 0, "MS_SYNC on anon -> 0");
	tap_ok(msync(p, 4 * PGSZ, MS_ASYNC) == 0, "MS_ASYNC on anon -> 0");
	tap_ok(msync(p, PGSZ, MS_INVALIDATE) == 0,
	    "MS_INVALIDATE on anon -> 0");
	tap_ok(msync(p, 0, MS_SYNC) == 0, "length 0 -> 0");
	/* The two are exclusive, and unknown bits are refused. */
	tap_ok(msync(p, PGSZ, MS_SYNC | MS_ASYNC) == -1 && errno == EINVAL,
	    "MS_SYNC | MS_ASYNC -> EINVAL");
	tap_ok(msync(p, PGSZ, 0x10) == -1 && errno == EINVAL,
	    "unknown flag -> EINVAL");
	/* The address must be page-aligned; the range must be mapped. */
	tap_ok(msync(p + 8, PGSZ, MS_SYNC) == -1 && errno == EINVAL,
	    "misaligned address -> EINVAL");
	tap_ok(msync(unmapped_pages(2), 2 * PGSZ, MS_SYNC) == -1 &&
	    errno == ENOMEM, "unmapped range -> ENOMEM");
	munmap(p + 2 * PGSZ, PGSZ);
	tap_ok(msync(p, 4 * PGSZ, MS_SYNC) == -1 && errno == ENOMEM,
	    "range with a hole -> ENOMEM");
	/* msync does not disturb the contents. */
	tap_ok(p[0] == 1, "contents unchanged");
	/* Locked pages cannot be invalidated (Linux: EBUSY), only synced. */
	mlock(p, PGSZ);
	tap_ok(msync(p, PGSZ, MS_INVALIDATE) == -1 && errno == EBUSY,
	    "MS_INVALIDATE on locked pages -> EBUSY");
	tap_ok(msync(p, PGSZ, MS_SYNC | MS_INVALIDATE) == -1 && errno == EBUSY &&
	    msync(p, PGSZ, MS_SYNC) == 0, "MS_SYNC | MS_INVALIDATE too; MS_SYNC alone -> 0");
	munlock(p, PGSZ);
	tap_ok(msync(p, PGSZ, MS_INVALIDATE) == 0, "after munlock MS_INVALIDATE -> 0");
	/*
	 * Past a hole, as Linux: MS_SYNC alone stops there (ENOMEM); other
	 * flags go on to the mappings after it (a locked one refuses
	 * MS_INVALIDATE) and report the hole at the end.
	 */
	mlock(p + 3 * PGSZ, PGSZ);
	tap_ok(msync(p, 4 * PGSZ, MS_INVALIDATE) == -1 && errno == EBUSY,
	    "MS_INVALIDATE across a hole reaches the locked page after it -> EBUSY");
	tap_ok(msync(p, 4 * PGSZ, MS_SYNC | MS_INVALIDATE) == -1 && errno == EBUSY &&
	    msync(p, 4 * PGSZ, MS_SYNC) == -1 && errno == ENOMEM &&
	    msync(p, 4 * PGSZ, MS_ASYNC) == -1 && errno == ENOMEM,
	    "MS_SYNC | MS_INVALIDATE too; MS_SYNC or MS_ASYNC alone -> ENOMEM");
	munlock(p + 3 * PGSZ, PGSZ);
	return tap_done();
}
