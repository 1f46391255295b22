/*
 * vm_bounds: every memory system call that takes an address range checks
 * it against the bounds of the address space, with Linux's errno values.
 *
 * The ranges tried sit on the edges: page 0, the pages below the lowest
 * user page (Linux's mmap_min_addr, 64 KiB; USER_MIN here), the top user
 * page and USER_MAX itself (riscv64 Sv39: 256 GiB), kernel addresses and
 * ranges that wrap around the top of the 64-bit space.
 *
 * On Linux through qemu-user only the low edge is checked: the emulator's
 * guest address space is not Sv39's (it reaches well past 256 GiB), it
 * ignores madvise, and it aborts on ranges that wrap.  And Linux lets
 * root (CAP_SYS_RAWIO) map page 0, which this kernel never does (EPERM,
 * as Linux answers everyone else).
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define USER_MIN	0x10000UL		/* Linux's default mmap_min_addr */
#define USER_MAX	0x4000000000UL		/* riscv64 Sv39 TASK_SIZE */
#define KERNEL_VA	0xffffffc000000000UL
#define WRAP_VA		(0UL - PGSZ)		/* the last page of the 64-bit space */

static int sable;

/* A raw system call's result: the value, or -errno. */
static long
sc(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return __syscall6(nr, (long)a0, (long)a1, (long)a2, (long)a3, (long)a4, (long)a5);
}

static long
mmap_fixed(uint64_t addr, uint64_t len, int extra)
{
	return sc(SYS_mmap, addr, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | extra, (uint64_t)-1, 0);
}

/* A non-fixed mmap with a hint must land inside user space, whatever the hint. */
static int
hint_is_ignored(uint64_t hint, uint64_t len)
{
	long r = sc(SYS_mmap, hint, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
	    (uint64_t)-1, 0);

	if (r < 0)
		return 0;
	munmap((void *)r, len);
	/* qemu-user's guest space reaches past USER_MAX. */
	return (uint64_t)r >= USER_MIN && (!sable || (uint64_t)r + len <= USER_MAX);
}

/* The low edge: nothing can be mapped below the lowest user page. */
static void
test_low_edge(void)
{
	unsigned char vec[32];
	char *buf = map_pages(1);
	long r;

	tap_ok(sc(SYS_munmap, 0, USER_MIN, 0, 0, 0, 0) == 0,
	    "munmap of [0, USER_MIN) -> 0 (nothing there)");
	tap_ok(sc(SYS_munmap, 0, PGSZ, 0, 0, 0, 0) == 0, "munmap of page 0 -> 0");
	tap_ok(sc(SYS_mprotect, 0, PGSZ, PROT_READ, 0, 0, 0) == -ENOMEM,
	    "mprotect of page 0 -> ENOMEM");
	tap_ok(sc(SYS_mprotect, USER_MIN - PGSZ, 2 * PGSZ, PROT_READ, 0, 0, 0) == -ENOMEM,
	    "mprotect across the lowest user page -> ENOMEM");
	tap_ok(sc(SYS_mincore, 0, PGSZ, (uint64_t)vec, 0, 0, 0) == -ENOMEM,
	    "mincore of page 0 -> ENOMEM");
	tap_ok(sc(SYS_mlock, 0, PGSZ, 0, 0, 0, 0) == -ENOMEM, "mlock of page 0 -> ENOMEM");
	tap_ok(sc(SYS_munlock, 0, PGSZ, 0, 0, 0, 0) == -ENOMEM,
	    "munlock of page 0 -> ENOMEM");
	tap_ok(sc(SYS_msync, 0, PGSZ, MS_SYNC, 0, 0, 0) == -ENOMEM,
	    "msync of page 0 -> ENOMEM");
	tap_ok(sc(SYS_mremap, 0, PGSZ, 2 * PGSZ, MREMAP_MAYMOVE, 0, 0) == -EFAULT,
	    "mremap of page 0 -> EFAULT");
	/* qemu-user places mappings itself and takes a hint below mmap_min_addr. */
	tap_ok(hint_is_ignored(0, PGSZ) && (!sable || hint_is_ignored(PGSZ, PGSZ)),
	    "mmap hints 0 and 4096 are ignored");
	if (!sable) {
		tap_skip("madvise: qemu-user does not pass it to Linux");
	} else {
		tap_ok(sc(SYS_madvise, 0, PGSZ, MADV_NORMAL, 0, 0, 0) == -ENOMEM,
		    "madvise of page 0 -> ENOMEM");
	}
	if (getuid() == 0 && !sable) {
		tap_skip("root may map page 0 on Linux (CAP_SYS_RAWIO)");
		tap_skip("root may map page 0 on Linux (CAP_SYS_RAWIO)");
		tap_skip("root may map page 0 on Linux (CAP_SYS_RAWIO)");
	} else {
		tap_ok(mmap_fixed(0, PGSZ, MAP_FIXED) == -EPERM,
		    "mmap MAP_FIXED at page 0 -> EPERM");
		tap_ok(mmap_fixed(USER_MIN - PGSZ, PGSZ, MAP_FIXED) == -EPERM,
		    "mmap MAP_FIXED just below the lowest user page -> EPERM");
		/* The call that panicked: an insert of [0, 4096) into the map. */
		r = sc(SYS_mremap, (uint64_t)buf, PGSZ, PGSZ, MREMAP_MAYMOVE | MREMAP_FIXED, 0, 0);
		tap_ok(r == -EPERM && buf[0] == 0,
		    "mremap MREMAP_FIXED to page 0 -> EPERM, the source stays (%ld)", r);
	}
	munmap(buf, PGSZ);
}

/* The child moves a page onto the top user page: allowed, and the page goes along. */
static int
move_to_top(void *arg)
{
	char *buf = arg;
	long r;

	buf[0] = 't';
	r = sc(SYS_mremap, (uint64_t)buf, PGSZ, PGSZ, MREMAP_MAYMOVE | MREMAP_FIXED,
	    USER_MAX - PGSZ, 0);
	return r == (long)(USER_MAX - PGSZ) && *(volatile char *)(USER_MAX - PGSZ) == 't' ? 0 : 1;
}

/* The high edge: USER_MAX, kernel addresses and ranges that wrap. */
static void
test_high_edge(void)
{
	static const struct { uint64_t addr; const char *name; } far[] = {
		{ USER_MAX, "USER_MAX" }, { KERNEL_VA, "a kernel address" },
		{ WRAP_VA, "the last 64-bit page" },
	};
	unsigned char vec[32];
	char *buf = map_pages(1);
	uint64_t brk0 = (uint64_t)sc(SYS_brk, 0, 0, 0, 0, 0, 0);
	unsigned i;
	int st;

	tap_ok(mmap_fixed(USER_MAX - PGSZ, 2 * PGSZ, MAP_FIXED) == -ENOMEM,
	    "mmap MAP_FIXED across USER_MAX -> ENOMEM");
	tap_ok(sc(SYS_munmap, USER_MAX - PGSZ, 2 * PGSZ, 0, 0, 0, 0) == -EINVAL,
	    "munmap across USER_MAX -> EINVAL");
	tap_ok(sc(SYS_mprotect, USER_MAX - PGSZ, 2 * PGSZ, PROT_READ, 0, 0, 0) == -ENOMEM,
	    "mprotect across USER_MAX -> ENOMEM");
	tap_ok(hint_is_ignored(USER_MAX - PGSZ, 2 * PGSZ),
	    "an mmap hint across USER_MAX is ignored");
	for (i = 0; i < sizeof(far) / sizeof(far[0]); i++) {
		uint64_t a = far[i].addr;
		int wraps = a + PGSZ < a || a + PGSZ == 0;

		tap_ok(mmap_fixed(a, PGSZ, MAP_FIXED) == -ENOMEM,
		    "mmap MAP_FIXED at %s -> ENOMEM", far[i].name);
		tap_ok(hint_is_ignored(a, PGSZ), "an mmap hint at %s is ignored", far[i].name);
		tap_ok(sc(SYS_munmap, a, PGSZ, 0, 0, 0, 0) == -EINVAL,
		    "munmap at %s -> EINVAL", far[i].name);
		tap_ok(sc(SYS_mprotect, a, PGSZ, PROT_READ, 0, 0, 0) == -ENOMEM,
		    "mprotect at %s -> ENOMEM", far[i].name);
		tap_ok(sc(SYS_madvise, a, PGSZ, MADV_NORMAL, 0, 0, 0) ==
		    (wraps ? -EINVAL : -ENOMEM), "madvise at %s -> %s", far[i].name,
		    wraps ? "EINVAL" : "ENOMEM");
		tap_ok(sc(SYS_mincore, a, PGSZ, (uint64_t)vec, 0, 0, 0) == -ENOMEM,
		    "mincore at %s -> ENOMEM", far[i].name);
		tap_ok(sc(SYS_mlock, a, PGSZ, 0, 0, 0, 0) == (wraps ? -EINVAL : -ENOMEM) &&
		    sc(SYS_munlock, a, PGSZ, 0, 0, 0, 0) == (wraps ? -EINVAL : -ENOMEM),
		    "mlock and munlock at %s -> %s", far[i].name, wraps ? "EINVAL" : "ENOMEM");
		tap_ok(sc(SYS_msync, a, PGSZ, MS_SYNC, 0, 0, 0) == -ENOMEM,
		    "msync at %s -> ENOMEM", far[i].name);
		tap_ok(sc(SYS_mremap, a, PGSZ, 2 * PGSZ, MREMAP_MAYMOVE, 0, 0) == -EFAULT,
		    "mremap of %s -> EFAULT", far[i].name);
		tap_ok(sc(SYS_mremap, (uint64_t)buf, PGSZ, PGSZ, MREMAP_MAYMOVE | MREMAP_FIXED,
		    a, 0) == -EINVAL, "mremap MREMAP_FIXED to %s -> EINVAL", far[i].name);
		tap_ok((uint64_t)sc(SYS_brk, a, 0, 0, 0, 0, 0) == brk0,
		    "brk(%s) leaves the break alone", far[i].name);
	}
	tap_ok(sc(SYS_mremap, (uint64_t)buf, PGSZ, 2 * PGSZ, MREMAP_MAYMOVE | MREMAP_FIXED,
	    USER_MAX - PGSZ, 0) == -EINVAL, "mremap MREMAP_FIXED across USER_MAX -> EINVAL");
	st = run_child(move_to_top, buf);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "mremap MREMAP_FIXED onto the top user page moves the page there");
	munmap(buf, PGSZ);
}

int
main(void)
{
	sable = vmstat_is_sable();
	tap_plan(14 + 6 + 3 * 11 + 1);
	test_low_edge();
	if (!sable) {
		for (int i = 0; i < 6 + 3 * 11; i++)
			tap_skip("the high edge: qemu-user's guest space is not Sv39's");
	} else {
		test_high_edge();
	}
	tap_vm_consistent("calls at the edges of the address space");
	return tap_done();
}
