/* brk: growing and shrinking the heap through the raw brk call. */
#include <probe.h>
#include <signal.h>
#include <stdint.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define GROW (64 * 1024)

int
main(void)
{
	char *start, *cur, *p;
	int ok, i;

	tap_plan(8);
	start = sys_brk(NULL);
	/* brk(0) reports the current break without changing it. */
	tap_ok(start != NULL && sys_brk(NULL) == start,
	    "brk(0) returns the current break (%p)", start);
	/* Growing returns the new break; the new memory is zero and usable. */
	cur = sys_brk(start + GROW);
	tap_ok(cur == start + GROW, "grow by 64 KiB");
	for (ok = 1, p = start; p < cur; p += 512)
		ok &= *p == 0;
	tap_ok(ok, "the new memory reads zero");
	for (i = 0, p = start; p < cur; p += PGSZ, i++)
		*p = (char)(i + 1);
	for (ok = 1, i = 0, p = start; p < cur; p += PGSZ, i++)
		ok &= *p == (char)(i + 1);
	tap_ok(ok, "the new memory is writable");
	/* Shrinking gives back the pages above the new break. */
	tap_ok(sys_brk(start + PGSZ) == start + PGSZ, "shrink to one page");
	if (under_qemu_user())
		tap_skip("qemu-user 7 keeps brk pages mapped after a shrink");
	else
		tap_ok(probe_read(start + 2 * PGSZ, NULL) == SIGSEGV,
		    "memory above the lowered break faults");
	/* Growing again brings zeroed memory, not the old contents. */
	cur = sys_brk(start + GROW);
	tap_ok(cur == start + GROW && start[0] == 1 && start[2 * PGSZ] == 0 &&
	    start[3 * PGSZ] == 0,
	    "regrown memory is zero again, the kept page is not (%d %d)",
	    start[0], start[3 * PGSZ]);
	/* An impossible request fails and leaves the break where it was. */
	tap_ok(sys_brk((void *)(1UL << 62)) == cur && sys_brk(NULL) == cur,
	    "a huge brk fails, break unchanged");
	sys_brk(start);
	return tap_done();
}
