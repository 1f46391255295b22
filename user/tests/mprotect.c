/* mprotect: permission changes, the faults they cause, and argument checks. */
#include <errno.h>
#include <probe.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

/* Downgrading to read-only makes writes fault with SEGV_ACCERR at the address. */
static void
test_readonly(void)
{
	char *p = map_pages(2);
	struct fault f;

	p[100] = 'k';
	tap_ok(mprotect(p, 2 * PGSZ, PROT_READ) == 0, "RW -> R");
	probe_write(p + PGSZ + 5, 'w', &f);
	tap_ok(f.signo == SIGSEGV && f.code == SEGV_ACCERR &&
	    f.addr == p + PGSZ + 5,
	    "write to R page: SIGSEGV SEGV_ACCERR at the address (%d %d %p)",
	    f.signo, f.code, f.addr);
	tap_ok(probe_read(p + 100, NULL) == 0 && p[100] == 'k' &&
	    p[PGSZ + 5] == 0,
	    "R page is still readable and was not modified");
	tap_ok(mprotect(p, 2 * PGSZ, PROT_READ | PROT_WRITE) == 0 &&
	    probe_write(p + PGSZ + 5, 'w', NULL) == 0 && p[PGSZ + 5] == 'w',
	    "upgrade back to RW: the write succeeds");
	munmap(p, 2 * PGSZ);
}

/* PROT_NONE forbids reads and writes; the data survives a round trip. */
static void
test_none(void)
{
	char *p = map_pages(1);
	struct fault f;

	p[0] = 'n';
	mprotect(p, PGSZ, PROT_NONE);
	probe_read(p, &f);
	tap_ok(f.signo == SIGSEGV && f.code == SEGV_ACCERR && f.addr == p,
	    "read of PROT_NONE page: SIGSEGV SEGV_ACCERR");
	tap_ok(probe_write(p, 'q', NULL) == SIGSEGV,
	    "write of PROT_NONE page faults");
	mprotect(p, PGSZ, PROT_READ);
	tap_ok(p[0] == 'n', "contents survive PROT_NONE");
	munmap(p, PGSZ);
}

/* Changing the middle page of three splits the permissions correctly. */
static void
test_split(void)
{
	char *p = map_pages(3);

	mprotect(p + PGSZ, PGSZ, PROT_READ);
	tap_ok(probe_write(p, 1, NULL) == 0 &&
	    probe_write(p + PGSZ, 1, NULL) == SIGSEGV &&
	    probe_write(p + 2 * PGSZ, 1, NULL) == 0,
	    "middle page read-only, neighbours writable");
	munmap(p, 3 * PGSZ);
}

/* Protection changes on a page shared copy-on-write with nobody still work. */
static void
test_zero_page(void)
{
	char *p = map_pages(1);

	tap_ok(p[10] == 0 && mprotect(p, PGSZ, PROT_READ) == 0 &&
	    probe_write(p, 1, NULL) == SIGSEGV &&
	    mprotect(p, PGSZ, PROT_READ | PROT_WRITE) == 0 &&
	    probe_write(p, 1, NULL) == 0 && p[0] == 1 && p[10] == 0,
	    "read-faulted (zero) page: R faults on write, RW then writes");
	munmap(p, PGSZ);
}

/* Code copied into a page runs after it is made executable. */
static void
test_exec(void)
{
	/* li a0, 42; ret */
	static const unsigned int code[] = { 0x02a00513, 0x00008067 };
	char *p = map_pages(1);
	long (*fn)(void) = (long (*)(void))p;
	struct fault f;

	memcpy(p, code, sizeof(code));
	mprotect(p, PGSZ, PROT_READ | PROT_EXEC);
	__asm__ volatile("fence.i" ::: "memory");
	tap_ok(fn() == 42, "code in a PROT_EXEC page runs");
	mprotect(p, PGSZ, PROT_READ);
	probe_call(p, &f);
	tap_ok(f.signo == SIGSEGV && f.code == SEGV_ACCERR && f.addr == p,
	    "calling into it after removing EXEC: SIGSEGV SEGV_ACCERR at pc "
	    "(%d %d %p)", f.signo, f.code, f.addr);
	tap_ok(probe_read(p, NULL) == 0, "the page is still readable");
	munmap(p, PGSZ);
}

/*
 * A writable mapping is readable too, as on Linux (RISC-V has no
 * write-only pages): a read of PROT_WRITE memory succeeds whether or not
 * the page was touched, a page read-faulted under PROT_READ|PROT_WRITE
 * stays readable after mprotect(PROT_WRITE), and the kernel's check of
 * the space finds nothing wrong with the read-only leaf that leaves.
 * A child forked meanwhile sees the parent's data copy-on-write.
 */
static void
test_write_only(void)
{
	char *p = map_pages(3);
	pid_t pid;
	int st;

	p[2 * PGSZ] = 'c';
	tap_ok(p[PGSZ] == 0 && mprotect(p, 3 * PGSZ, PROT_WRITE) == 0,
	    "a page read-faulted under RW, then the range made write-only");
	tap_ok(probe_read(p, NULL) == 0 && probe_read(p + PGSZ, NULL) == 0 &&
	    p[0] == 0 && p[PGSZ] == 0 && p[2 * PGSZ] == 'c',
	    "write-only pages read back: untouched, read-faulted and written");
	tap_ok(probe_write(p + 8, 'w', NULL) == 0 && probe_write(p + PGSZ + 8, 'x', NULL) == 0 &&
	    p[8] == 'w' && p[PGSZ + 8] == 'x', "write-only pages take writes");
	if (!vmstat_is_sable())
		tap_skip("the kernel's consistency check is our kernel's (/proc/self/vmcheck)");
	else
		tap_ok(vmcheck_problems("/proc/self/vmcheck") == 0,
		    "the address space passes the kernel's check");
	if ((pid = fork()) == 0)
		_exit(p[8] == 'w' && p[PGSZ + 8] == 'x' && p[2 * PGSZ] == 'c' ? 0 : 1);
	tap_ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0 && probe_write(p + 9, 'v', NULL) == 0 && p[8] == 'w',
	    "after fork, the child reads the write-only pages and the parent still writes");
	munmap(p, 3 * PGSZ);
}

/* An unmapped access is SEGV_MAPERR, not SEGV_ACCERR. */
static void
test_maperr(void)
{
	char *p = unmapped_pages(1);
	struct fault f;

	probe_write(p + 8, 1, &f);
	tap_ok(f.signo == SIGSEGV && f.code == SEGV_MAPERR && f.addr == p + 8,
	    "write to unmapped page: SIGSEGV SEGV_MAPERR at the address");
}

/* Argument checks. */
static void
test_errors(void)
{
	char *p = map_pages(2);

	tap_ok(mprotect(unmapped_pages(2), PGSZ, PROT_READ) == -1 &&
	    errno == ENOMEM, "unmapped range -> ENOMEM");
	munmap(p + PGSZ, PGSZ);
	tap_ok(mprotect(p, 2 * PGSZ, PROT_READ) == -1 && errno == ENOMEM,
	    "range with an unmapped tail -> ENOMEM");
	tap_ok(mprotect(p + 1, PGSZ, PROT_READ) == -1 && errno == EINVAL,
	    "unaligned address -> EINVAL");
	tap_ok(mprotect(p, PGSZ, 0x100) == -1 && errno == EINVAL,
	    "unknown PROT bit -> EINVAL");
	if (under_qemu_user())
		tap_skip("qemu-user 7 fails a zero-length mprotect with ENOMEM");
	else
		tap_ok(mprotect(p, 0, PROT_READ) == 0, "length 0 -> 0");
	munmap(p, PGSZ);
}

int
main(void)
{
	tap_plan(23);
	test_readonly();
	test_none();
	test_split();
	test_zero_page();
	test_exec();
	test_write_only();
	test_maperr();
	test_errors();
	return tap_done();
}
