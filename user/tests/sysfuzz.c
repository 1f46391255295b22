/*
 * sysfuzz: hostile arguments from user space never crash the kernel, and
 * leave every address space consistent.
 *
 * A deterministic system-call fuzzer.  The parent keeps NPAR children
 * running at once (one per hart of a four-hart machine), replacing each
 * that finishes or dies, until they have made TARGET_CALLS calls between
 * them.  Child i seeds its generator from (seed, i), gives up root (so
 * RLIMIT_MEMLOCK binds), ignores the signals it may send itself, and makes
 * up to CHILD_CALLS random system calls with hostile arguments (NULL, -1,
 * kernel-half pointers, unmapped and USER_MAX-straddling addresses, valid
 * buffers with huge lengths, valid and invalid fds).  Every address
 * argument of the memory calls is often an edge of the address space
 * (page 0, below the lowest user page, the top page, USER_MAX, kernel
 * addresses, ranges that wrap), and mmap and mremap often map there with
 * MAP_FIXED and MREMAP_FIXED.  A child may die by a signal (it unmapped its
 * own stack, installed a garbage handler, sent itself SIGKILL...), which
 * is fine; one that gets to the end has the kernel check its own address
 * space (/proc/self/vmcheck) and exits 0 if it is consistent.  Meanwhile
 * the parent checks live children's spaces from outside
 * (/proc/PID/vmcheck).  Unknown numbers must give ENOSYS.  Afterwards
 * every process passes the check (/proc/vmcheck), free memory, object
 * counts and wirings are back at their starting values (after removing
 * the files and System V segments the children created), and the system
 * still works.
 *
 * Usage: sysfuzz [SEED [CHILD [VERBOSE [CALLS]]]]
 *   SEED     base seed (default below; printed).
 *   CHILD    run only child number CHILD (-1: all).
 *   VERBOSE  1: each child logs every call to fd 2 before making it, so
 *            the last line before a panic or hang is the culprit.
 *   CALLS    how many calls to make in all (default TARGET_CALLS).
 * On our kernel: --append 'rdinit=/tests/sysfuzz -- SEED CHILD 1'.
 *
 * Never called by a child: reboot, clone, execve, rt_sigreturn, exit and
 * exit_group (until the end), rt_sigsuspend; kill/tkill/tgkill only at
 * itself; setpgid/prlimit64 only on itself; fds 0..2 are never passed as
 * fd arguments (nothing reads the console or scribbles on the TAP stream).
 * Calls that could block get safe arguments: O_NONBLOCK pipes (and
 * F_SETFL keeps O_NONBLOCK), WNOHANG, short or invalid timeouts.  A parent
 * watchdog SIGKILLs a child that still runs after WATCHDOG_MS anyway.
 *
 * Kernel bugs found with this program: a failed wiring under
 * mlockall(MCL_FUTURE) left a mapping behind whose object reference the
 * caller also dropped, and the process's exit panicked; and MCL_FUTURE
 * mappings were wired with no RLIMIT_MEMLOCK check.  Both are fixed and
 * checked by wirefuture_survives().  And mremap(MREMAP_FIXED) to page 0
 * reached the map-entry tree with a range below the map (a panic; seed 1
 * found it once edges were generated).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

#define DEFAULT_SEED	0x5eed2026UL
#define TARGET_CALLS	100000UL	/* calls made in all, at least */
#define QEMU_TARGET	20000UL		/* under qemu-user, whose children are slow to start */
#define CHILD_CALLS	1000		/* calls a child makes before it checks itself */
#define MAX_CHILDREN	2000		/* children that die early are replaced: a bound */
#define NPAR		4		/* children at a time, one per hart */
#define WATCHDOG_MS	8000
#define CHECK_EVERY_MS	250		/* how often the parent checks a live child's space */
#define SLACK_KB	256		/* allocator caches may keep a little after the run */

#define PAGE		4096UL
#define USER_MIN	0x10000UL	/* the lowest user page (mmap_min_addr) */
#define USER_MAX	0x4000000000UL
#define ENOSYS_FAIL	3	/* child exit status: an unknown number did not give ENOSYS */
#define VMCHECK_FAIL	4	/* child exit status: its address space failed the check */
#define QEMU_DIED	127	/* qemu-user's own exit when it trips an assertion */
#define NSIG_MAX	65	/* signals 1..64 */
#define MAX_PATHS	1024	/* paths in the file system remembered before the run */
#define PATH_LEN	320	/* room for a few levels of names up to 255 bytes */
#define MAX_DEPTH	6	/* how deep the file system is walked */
#define NOBODY		65534	/* a uid that is not root */

static uint64_t rng;

static uint64_t
rnd(void)
{
	/* xorshift64* */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}

static uint64_t
pick(uint64_t n)
{
	return rnd() % n;
}

/* Child state. */
static char *scratch;		/* SCRATCH_PAGES of random bytes */
#define SCRATCH_PAGES	4
static char *ro_page;		/* read-only page */
static char *edge;		/* one page of 'a's, then an unmapped page */
static char *hole;		/* unmapped */
static char *victim;		/* VICTIM_PAGES that mremap moves to the edges */
#define VICTIM_PAGES	4
#define QEMU_MAX_LEN	(1UL << 30)
#define MAX_POPULATE	(1UL << 20)	/* MAP_POPULATE only for mappings up to this */
#define SHM_FUZZ_MAX	(1UL << 20)	/* segments the children make: at most this big */
#define SHM_FUZZ_KEY	0x5f000000	/* and with these keys, or IPC_PRIVATE */
static int pipes[4];		/* two O_NONBLOCK pipes */
static int dirfd_root = -1, filefd = -1, exefd = -1;
static struct timespec short_ts = { 0, 1000000 };	/* 1 ms */
static struct timespec bad_ts = { 0, 1000000000 };	/* invalid nsec */
static struct timespec zero_ts = { 0, 0 };
static char longpath[5000];
static const char *exe_path;
static int verbose;
/*
 * Set when an unknown number did not give ENOSYS: a static with a magic
 * value, since the fuzzed calls may scribble on the child's own stack.
 */
static volatile uint64_t enosys_bad;
#define ENOSYS_MAGIC	0x5eedbad0e05e5UL
static int on_qemu;		/* under qemu-user */

static const char *const paths[] = {
	"/", "", ".", "..", "/nonexistent-sysfuzz/x", "//nonexistent-sysfuzz",
	"/proc/self/nonexistent-sysfuzz",
};

/* Any integer. */
static uint64_t
gen_int(void)
{
	static const uint64_t v[] = {
		0, 1, 2, 3, 4, 7, 8, 0xff, 0x100, 0xfff, 0x1000, 0x7fffffff,
		0x80000000, 0xffffffff, 0x100000000UL, 0x7fffffffffffffffUL,
		0x8000000000000000UL, (uint64_t)-1, (uint64_t)-2, (uint64_t)-4095,
		(uint64_t)-100,
	};

	switch (pick(4)) {
	case 0: return v[pick(sizeof(v) / sizeof(v[0]))];
	case 1: return pick(64);
	case 2: return rnd() & 0xffffffff;
	default: return rnd();
	}
}

/* A length. */
static uint64_t
gen_len(void)
{
	static const uint64_t v[] = {
		0, 1, 8, 16, 64, 4095, 4096, 4097, 8192, 3 * 4096 + 5,
		SCRATCH_PAGES * 4096, SCRATCH_PAGES * 4096 + 1, 0x7fffffff,
		0x80000000, 0xffffffff, 0x100000000UL, 1UL << 40, USER_MAX,
		USER_MAX - 4096, 0x7ffffffffffff000UL, (uint64_t)-4096,
		(uint64_t)-1,
	};

	if (pick(4) == 0)
		return pick(0x3000);
	return v[pick(sizeof(v) / sizeof(v[0]))];
}

/* A pointer: bad ones and valid ones. */
static uint64_t
gen_ptr(void)
{
	static const uint64_t bad[] = {
		0, 1, 8, 0xfff, 0x1000, 0x10000, (uint64_t)-1, (uint64_t)-4096,
		0xffffffc000000000UL, 0xffffffff80200000UL, 0x8000000000000000UL,
		0x0000800000000000UL, USER_MAX, USER_MAX - 4096, USER_MAX - 8,
		USER_MAX - 1, USER_MAX - 0x10000, USER_MAX + 4096,
		0x3ffffff000UL + 0xffc, 0x7fffffffffffffffUL,
	};
	int local;

	switch (pick(12)) {
	case 0: case 1: case 2:
		return bad[pick(sizeof(bad) / sizeof(bad[0]))];
	case 3: case 4: case 5:		/* inside scratch, maybe unaligned */
		return (uint64_t)(scratch + pick(SCRATCH_PAGES * 4096));
	case 6:
		return (uint64_t)scratch;
	case 7:
		return (uint64_t)ro_page + pick(2) * pick(4096);
	case 8:				/* straddles into an unmapped page */
		return (uint64_t)edge + 4096 - 1 - pick(16);
	case 9:
		return (uint64_t)hole + pick(4096);
	case 10:			/* page-aligned and unaligned huge */
		return pick(2) ? (rnd() & ~0xfffUL) : rnd();
	default:			/* own stack and text: may well kill us */
		if (pick(4) == 0)
			return pick(2) ? (uint64_t)&local : (uint64_t)gen_ptr;
		return (uint64_t)(scratch + 4096 * pick(SCRATCH_PAGES));
	}
}

/*
 * The edges of the address space: page 0 and the pages below the lowest
 * user page, the top user page, USER_MAX, kernel addresses, and pages
 * whose ranges wrap around the top of the 64-bit space.
 */
static int last_shmid;		/* the segment a child's last shmget gave it */

static const uint64_t edges[] = {
	0, PAGE, USER_MIN - PAGE, USER_MIN, USER_MIN + PAGE, USER_MAX - 2 * PAGE,
	USER_MAX - PAGE, USER_MAX, USER_MAX + PAGE, 0xffffffc000000000UL,
	0xffffffff80200000UL, 0x8000000000000000UL, 0UL - 2 * PAGE, 0UL - PAGE,
};
#define NEDGES	(sizeof(edges) / sizeof(edges[0]))

/* An address for the memory-management calls. */
static uint64_t
gen_addr(void)
{
	switch (pick(4)) {
	case 0: return (rnd() & (USER_MAX - 1) & ~0xfffUL);
	case 1: return edges[pick(NEDGES)];
	default: return gen_ptr();
	}
}

/* An fd: never 0..2. */
static uint64_t
gen_fd(void)
{
	switch (pick(10)) {
	case 0: return pipes[pick(4)];
	case 1: return dirfd_root;
	case 2: return filefd;
	case 3: return exefd;
	case 4: return 3 + pick(20);		/* whatever is open there */
	case 5: return (uint64_t)(int64_t)-100;	/* AT_FDCWD */
	case 6: return (uint64_t)-1;
	case 7: return pick(2) ? 1000000 : 0x7fffffff;
	case 8: return pipes[pick(4)];
	default: return rnd() | 3;		/* garbage, upper bits */
	}
}

static uint64_t
gen_path(void)
{
	switch (pick(5)) {
	case 0: return gen_ptr();
	case 1: return (uint64_t)longpath;
	case 2: return (uint64_t)edge + 4096 - 1 - pick(16);	/* no NUL before the hole */
	default: return (uint64_t)paths[pick(sizeof(paths) / sizeof(paths[0]))];
	}
}

/* A signal to send ourselves: never a stop signal. */
static uint64_t
gen_sig(void)
{
	uint64_t s;

	if (pick(4) != 0) {		/* mostly harmless: keep the child going */
		static const uint64_t v[] = { 0, 0, 65, 1000, (uint64_t)-1, 0x80000000 };
		return v[pick(6)];
	}
	do
		s = pick(65);
	while (s >= SIGSTOP && s <= SIGTTOU);
	return s;
}

/* A timeout pointer that never means "forever". */
static uint64_t
gen_timeout(void)
{
	switch (pick(5)) {
	case 0: return (uint64_t)&bad_ts;
	case 1: return (uint64_t)&zero_ts;
	case 2: {			/* bad, but never mappable, never NULL */
		/*
		 * Not any gen_ptr(): a fuzzed mmap may put data (a huge
		 * time) there.  qemu-user does not check wild guest
		 * pointers against its guest space at all.
		 */
		static const uint64_t v[] = {
			0xffffffc000000000UL, 0xffffffff80200000UL,
			(uint64_t)-1, (uint64_t)-4096, 0x8000000000000000UL,
			USER_MAX, USER_MAX - 8, USER_MAX + 4096,
		};
		if (on_qemu)
			return (uint64_t)&bad_ts;
		return v[pick(sizeof(v) / sizeof(v[0]))];
	}
	default: return (uint64_t)&short_ts;
	}
}

/* Syscalls a child may make, with the kind of each argument. */
enum { X = 0, I, P, L, F, S, G, A, T };	/* any, int, ptr, len, fd, path, sig, addr, timeout */
struct sc {
	int nr;
	unsigned char arg[6];
};
static const struct sc calls[] = {
	{ 17, { P, L } },		/* getcwd */
	{ 23, { F } },			/* dup */
	{ 24, { F, F, I } },		/* dup3 */
	{ 25, { F, I, X } },		/* fcntl */
	{ 29, { F, I, P } },		/* ioctl */
	{ 34, { F, S, I } },		/* mkdirat */
	{ 35, { F, S, I } },		/* unlinkat */
	{ 46, { F, L } },		/* ftruncate */
	{ 48, { F, S, I, I } },		/* faccessat */
	{ 49, { S } },			/* chdir */
	{ 56, { F, S, I, I } },		/* openat */
	{ 57, { F } },			/* close */
	{ 59, { P, I } },		/* pipe2 */
	{ 61, { F, P, L } },		/* getdents64 */
	{ 62, { F, X, I } },		/* lseek */
	{ 63, { F, P, L } },		/* read */
	{ 64, { F, P, L } },		/* write */
	{ 65, { F, P, I } },		/* readv */
	{ 66, { F, P, I } },		/* writev */
	{ 67, { F, P, L, X } },		/* pread64 */
	{ 68, { F, P, L, X } },		/* pwrite64 */
	{ 78, { F, S, P, L } },		/* readlinkat */
	{ 79, { F, S, P, I } },		/* newfstatat */
	{ 80, { F, P } },		/* fstat */
	{ 43, { S, P } },		/* statfs */
	{ 44, { F, P } },		/* fstatfs */
	{ 45, { S, L } },		/* truncate */
	{ 50, { F } },			/* fchdir */
	{ 81, { 0 } },			/* sync */
	{ 82, { F } },			/* fsync */
	{ 83, { F } },			/* fdatasync */
	{ 96, { P } },			/* set_tid_address */
	{ 98, { P, I, I, T, P, I } },	/* futex */
	{ 99, { P, L } },		/* set_robust_list */
	{ 101, { T, P } },		/* nanosleep */
	{ 102, { I, P } },		/* getitimer */
	{ 103, { I, P, P } },		/* setitimer */
	{ 113, { I, P } },		/* clock_gettime */
	{ 114, { I, P } },		/* clock_getres */
	{ 115, { I, I, T, P } },	/* clock_nanosleep */
	{ 124, { 0 } },			/* sched_yield */
	{ 129, { 0, G } },		/* kill(getpid()) */
	{ 130, { 0, G } },		/* tkill(gettid()) */
	{ 131, { 0, 0, G } },		/* tgkill(getpid(), gettid()) */
	{ 134, { I, P, P, I } },	/* rt_sigaction */
	{ 135, { I, P, P, I } },	/* rt_sigprocmask */
	{ 136, { P, I } },		/* rt_sigpending */
	{ 137, { P, P, T, I } },	/* rt_sigtimedwait */
	{ 153, { P } },			/* times */
	{ 154, { 0, I } },		/* setpgid(self) */
	{ 155, { I } },			/* getpgid */
	{ 160, { P } },			/* uname */
	{ 163, { I, P } },		/* getrlimit */
	{ 164, { I, P } },		/* setrlimit */
	{ 169, { P, P } },		/* gettimeofday */
	{ 172, { 0 } }, { 173, { 0 } }, { 174, { 0 } }, { 175, { 0 } },
	{ 176, { 0 } }, { 177, { 0 } }, { 178, { 0 } },
	{ 194, { I, L, I } },		/* shmget (fixup: our kernel only) */
	{ 195, { I, I, P } },		/* shmctl */
	{ 196, { I, A, I } },		/* shmat */
	{ 197, { A } },			/* shmdt */
	{ 214, { A } },			/* brk */
	{ 215, { A, L } },		/* munmap */
	{ 216, { A, L, L, I, A } },	/* mremap */
	{ 222, { A, L, I, I, F, X } },	/* mmap */
	{ 226, { A, L, I } },		/* mprotect */
	{ 227, { A, L, I } },		/* msync */
	{ 228, { A, L } },		/* mlock */
	{ 229, { A, L } },		/* munlock */
	{ 230, { I } },			/* mlockall */
	{ 231, { 0 } },			/* munlockall */
	{ 232, { A, L, P } },		/* mincore */
	{ 233, { A, L, I } },		/* madvise */
	{ 260, { I, P, I, P } },	/* wait4, WNOHANG */
	{ 261, { 0, I, P, P } },	/* prlimit64(self) */
	{ 278, { P, L, I } },		/* getrandom */
	{ 293, { P, L, I, I } },	/* rseq */
	{ 439, { F, S, I, I } },	/* faccessat2 */
};
#define NCALLS_TABLE	(sizeof(calls) / sizeof(calls[0]))

/* Numbers no kernel (ours, Linux) implements. */
static const uint64_t unknown[] = {
	1000, 5000, 0x7fffffff, 0xffffffff, (uint64_t)-1, 0x8000000000000000UL,
	1UL << 32 | 64,			/* write, if the upper bits were dropped */
};

static uint64_t
gen_arg(int kind)
{
	switch (kind) {
	case I: return gen_int();
	case P: return gen_ptr();
	case L: return gen_len();
	case F: return gen_fd();
	case S: return gen_path();
	case G: return gen_sig();
	case A: return gen_addr();
	case T: return gen_timeout();
	default:
		switch (pick(4)) {
		case 0: return gen_int();
		case 1: return gen_ptr();
		case 2: return gen_len();
		default: return gen_fd();
		}
	}
}

static void
logcall(int child, int i, uint64_t nr, const uint64_t a[6])
{
	char buf[200];
	int n;

	n = snprintf(buf, sizeof(buf),
	    "sysfuzz: c%d #%d nr=%lu a=%#lx %#lx %#lx %#lx %#lx %#lx\n",
	    child, i, (unsigned long)nr, (unsigned long)a[0], (unsigned long)a[1],
	    (unsigned long)a[2], (unsigned long)a[3], (unsigned long)a[4],
	    (unsigned long)a[5]);
	__syscall6(SYS_write, 2, (long)buf, n, 0, 0, 0);
}

static void
child_setup(int idx, uint64_t seed)
{
	char name[64];
	unsigned long i;

	rng = seed ^ (0x9e3779b97f4a7c15ULL * (uint64_t)(idx + 1));
	if (rng == 0)
		rng = 1;
	/*
	 * Nothing of a child's belongs on the TAP stream: qemu-user, should it
	 * trip over its own assertions in a child, prints "Bail out!" on the
	 * child's stdout.
	 */
	dup2(2, 1);
	/* Not root: RLIMIT_MEMLOCK then keeps mlock and MCL_FUTURE from wiring all memory. */
	setuid(NOBODY);
	/*
	 * Signals sent to itself are ignored unless a fuzzed sigaction says
	 * otherwise: a child then lives for thousands of calls, not a hundred,
	 * and the run spends its time in system calls rather than in forks.
	 */
	for (int sig = 1; sig < NSIG_MAX; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_IGN);
	scratch = map_pages(SCRATCH_PAGES);
	ro_page = map_pages(1);
	edge = map_pages(2);
	hole = unmapped_pages(4);
	victim = map_pages(VICTIM_PAGES);
	if (scratch == NULL || ro_page == NULL || edge == NULL || victim == NULL)
		_exit(2);
	memset(victim, 'v', VICTIM_PAGES * PAGE);
	for (i = 0; i < SCRATCH_PAGES * 4096 / 8; i++)
		((uint64_t *)scratch)[i] = pick(4) == 0 ? gen_ptr() : rnd();
	memset(ro_page, 0x5a, 4096);
	mprotect(ro_page, 4096, PROT_READ);
	memset(edge, 'a', 4096);
	munmap(edge + 4096, 4096);
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	pipe2(pipes, O_NONBLOCK);
	pipe2(pipes + 2, O_NONBLOCK);
	write(pipes[3], "data", 4);
	dirfd_root = open("/", O_RDONLY | O_DIRECTORY);
	exefd = open(exe_path, O_RDONLY);
	snprintf(name, sizeof(name), "/tmp/sysfuzz.%d", getpid());
	filefd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (filefd >= 0) {
		write(filefd, scratch, 3 * 4096 + 17);
		unlink(name);
	}
}

/* Mapping flags, mostly valid ones, fixed at an edge of the address space. */
static uint64_t
fixed_mmap_flags(void)
{
	static const uint64_t type[] = { MAP_PRIVATE | MAP_ANONYMOUS, MAP_SHARED | MAP_ANONYMOUS,
	    MAP_PRIVATE, MAP_SHARED };

	return type[pick(4)] | (pick(3) == 0 ? MAP_FIXED_NOREPLACE : MAP_FIXED) |
	    (pick(8) == 0 ? MAP_POPULATE : 0);
}

/*
 * Does [addr, addr + len) wrap around the top of the 64-bit space?  qemu-user
 * aborts on such ranges (an assertion in its page-flag table), so they are
 * not made under it.
 */
static bool
wraps(uint64_t addr, uint64_t len)
{
	return addr + len < addr || addr + len + PAGE - 1 < addr;
}

static void
fixup(uint64_t nr, uint64_t a[6])
{
	switch (nr) {
	case 194:			/* shmget: small segments, a few keys */
		a[0] = pick(2) ? 0 : SHM_FUZZ_KEY + pick(4);
		a[1] &= SHM_FUZZ_MAX - 1;
		if (pick(2))
			a[2] = 01000 | 0600;	/* IPC_CREAT */
		break;
	case 195:			/* shmctl: often on a real segment */
	case 196:			/* shmat: likewise, often at an edge */
		if (pick(2))
			a[0] = (uint64_t)last_shmid;
		if (nr == 195 && pick(2))
			a[1] = pick(16);
		if (nr == 196 && pick(3) == 0)
			a[1] = edges[pick(NEDGES)];
		break;
	case 222:			/* mmap: often fixed, at an edge */
		if (pick(3) == 0) {
			a[0] = edges[pick(NEDGES)];
			a[1] = PAGE * (1 + pick(3));
			a[3] = fixed_mmap_flags();
		}
		/*
		 * Populating gigabytes would fill memory on every other call and
		 * have the children fight over it: big mappings stay lazy.
		 * (Running out of memory has tests of its own: fault_oom.)
		 */
		if (a[1] > MAX_POPULATE)
			a[3] &= ~(uint64_t)MAP_POPULATE;
		break;
	case 216:			/* mremap: often a real mapping moved to an edge */
		if (pick(3) == 0) {
			a[0] = (uint64_t)victim + PAGE * pick(VICTIM_PAGES);
			a[1] = PAGE * (1 + pick(2));
			a[2] = PAGE * (1 + pick(3));
			a[3] = MREMAP_MAYMOVE | MREMAP_FIXED;
			a[4] = edges[pick(NEDGES)];
		}
		break;
	case 25:			/* fcntl */
		if (a[1] == 4)		/* F_SETFL: stay non-blocking */
			a[2] |= O_NONBLOCK;
		if (a[1] == 8 || a[1] == 10 || a[1] == 15)	/* F_SETOWN/SIG/_EX */
			a[1] = 1;
		if (a[1] == 7 && pick(2))	/* F_SETLKW */
			a[1] = 6;
		break;
	case 29:			/* ioctl: not FIONBIO, TIOCSTI */
		if (a[1] == 0x5421 || a[1] == 0x5412)
			a[1] = 0x5413;
		break;
	case 61:			/* getdents64 */
		/*
		 * A count over a page makes the kernel allocate (and zero) a
		 * buffer of up to 32 KiB from the kernel arena, whose free
		 * sends every hart a TLB shootdown: on four harts that took
		 * seconds a call and most of a run.  Kept to a page here.
		 */
		a[2] &= PAGE - 1;
		break;
	case 59:			/* pipe2 */
		a[1] |= O_NONBLOCK;
		break;
	case 98:			/* futex: no unbounded waits */
		if (pick(2))
			a[1] = pick(14) | (pick(2) ? 0x80 : 0);
		if (a[3] == 0)
			a[3] = (uint64_t)&short_ts;
		break;
	case 129: case 131:
		a[0] = getpid();
		if (nr == 131)
			a[1] = gettid();
		break;
	case 130:
		a[0] = gettid();
		break;
	case 134: case 135: case 136: case 137:
		if (pick(4) != 0)	/* mostly the right sigsetsize */
			a[nr == 136 ? 1 : 3] = 8;
		if (nr == 134 && pick(2))
			a[0] = pick(66);
		if (nr == 135 && pick(2))
			a[0] = pick(4);
		break;
	case 154: case 261:
		a[0] = pick(2) ? 0 : (uint64_t)getpid();
		break;
	case 115:			/* clock_nanosleep: not on our own CPU clock */
		if (a[0] == 2 || a[0] == 3 || (int64_t)a[0] < 0)
			a[0] = 1;
		break;
	case 260:
		a[2] |= WNOHANG;
		break;
	}
}

static int
exit42(void *arg)
{
	(void)arg;
	return 42;
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/*
 * The child's last act: the kernel's consistency check of its own address
 * space, after everything the fuzzing did to it.  VMCHECK_FAIL with the
 * problems shown if it finds any; the file may be out of reach (all fds
 * used up, say), which proves nothing either way.
 */
static int
child_self_check(int idx)
{
	long n = on_qemu ? -1 : vmcheck_problems("/proc/self/vmcheck");

	if (n > 0) {
		char buf[120];
		int len = snprintf(buf, sizeof(buf),
		    "# sysfuzz: child %d: its address space has %ld problems\n", idx, n);

		__syscall6(SYS_write, 2, (long)buf, len, 0, 0, 0);
		return VMCHECK_FAIL;
	}
	return 0;
}

/*
 * Remove every System V segment the children made (no one is attached
 * any more: each goes at once), found by index as ipcs finds them.
 */
static int
remove_segments(void)
{
	struct shmid_ds ds;
	int max = shmctl(0, IPC_INFO, (struct shmid_ds *)&(struct shminfo){ 0 }), n = 0;

	for (int idx = 0; idx <= max; idx++) {
		int id = shmctl(idx, SHM_STAT_ANY, &ds);

		if (id >= 0 && shmctl(id, IPC_RMID, NULL) == 0)
			n++;
	}
	return n;
}

static int
child_main(int idx, uint64_t seed, volatile uint64_t *progress)
{
	int i;

	child_setup(idx, seed);
	for (i = 0; i < CHILD_CALLS; i++) {
		uint64_t a[6], nr;
		const struct sc *c = NULL;
		long r, t = 0;
		int j;

		if (pick(16) == 0) {
			nr = unknown[pick(sizeof(unknown) / sizeof(unknown[0]))];
			if (on_qemu && nr >> 32 != 0 && nr >> 63 == 0)
				nr = 5000;	/* qemu-user drops the upper bits */
			if (pick(4) == 0 && !on_qemu)
				nr = 440;	/* the first number past our table */
		} else {
			c = &calls[pick(NCALLS_TABLE)];
			nr = c->nr;
		}
		for (j = 0; j < 6; j++)
			a[j] = c != NULL ? gen_arg(c->arg[j]) : gen_arg(X);
		if (c != NULL)
			fixup(nr, a);
		/*
		 * System V segments are the host's, shared with every other
		 * test running there: the shm calls are fuzzed on our kernel only.
		 */
		if (on_qemu && nr >= 194 && nr <= 197)
			nr = 172;		/* getpid */
		if (on_qemu && nr >= 215 && nr <= 233) {	/* the memory calls */
			/* qemu-user walks its page-flag table a page at a time: keep it short. */
			if (a[1] > QEMU_MAX_LEN)
				a[1] &= QEMU_MAX_LEN - 1;
			if (wraps(a[0], a[1]))
				a[0] = (uint64_t)scratch;
			if (nr == 216 && wraps(a[4], a[2]))
				a[4] = 0;
		}
		if (verbose) {
			logcall(idx, i, nr, a);
			t = now_ms();
		}
		*progress = *progress + 1;	/* the fuzzing may unmap it: then we die */
		r = __syscall6((long)nr, (long)a[0], (long)a[1], (long)a[2],
		    (long)a[3], (long)a[4], (long)a[5]);
		if (verbose) {
			char buf[80];
			int n = snprintf(buf, sizeof(buf),
			    "sysfuzz: c%d #%d = %ld (%ld ms)\n", idx, i, r,
			    now_ms() - t);
			__syscall6(SYS_write, 2, (long)buf, n, 0, 0, 0);
		}
		if (nr == 194 && r >= 0)
			last_shmid = (int)r;
		if (c == NULL && r != -ENOSYS) {
			char buf[100];
			int n = snprintf(buf, sizeof(buf),
			    "# sysfuzz: child %d call %d: nr %#lx gave %ld, not -ENOSYS\n",
			    idx, i, (unsigned long)nr, r);
			__syscall6(SYS_write, 2, (long)buf, n, 0, 0, 0);
			enosys_bad = ENOSYS_MAGIC;
		}
	}
	__syscall6(SYS_exit_group, enosys_bad == ENOSYS_MAGIC ? ENOSYS_FAIL :
	    child_self_check(idx), 0, 0, 0, 0, 0);
	return 0;
}

/*
 * Under mlockall(MCL_FUTURE) a new mapping is wired as it is made.  One
 * over RLIMIT_MEMLOCK must fail at once (EAGAIN); with no limit, one larger
 * than memory must fail when wiring runs out (ENOMEM) and leave nothing
 * behind, so the process can still exit.  (Once a panic at that exit.)
 */
static int
wirefuture_child(long limit, unsigned long len, long want)
{
	struct rlimit_raw { unsigned long cur, max; } lim = { (unsigned long)limit,
	    (unsigned long)limit };
	long r;

	/* RLIMIT_MEMLOCK does not bind root (CAP_IPC_LOCK on Linux). */
	if (limit == 0 && setuid(NOBODY) != 0)
		return 4;
	if (limit != 0 && __syscall6(SYS_prlimit64, 0, 8 /* RLIMIT_MEMLOCK */, (long)&lim,
	    0, 0, 0) != 0)
		return 2;
	if (__syscall6(SYS_mlockall, 3, 0, 0, 0, 0, 0) != 0)
		return 3;
	r = __syscall6(SYS_mmap, 0, (long)len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	dprintf(1, "# mlockall(MCL_FUTURE), mmap of %lu MiB: %ld\n", len >> 20, r);
	return r == want ? 0 : 1;
}

/* More bytes than this machine has RAM (from /proc/meminfo's MemTotal). */
static unsigned long
more_than_memory(void)
{
	long total_kb = meminfo_get("MemTotal");

	if (total_kb <= 0)
		return 1UL << 30;
	return ((unsigned long)total_kb << 10) + (256UL << 20);
}

static bool
wirefuture_survives(void)
{
	const struct { long limit; unsigned long len; long want; } cases[] = {
		{ 0, 1UL << 32, -EAGAIN },		/* over the default 8 MiB limit, not root */
		{ -1, more_than_memory(), -ENOMEM },	/* unlimited, larger than memory */
	};
	bool ok = true;

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pid_t pid = fork();
		int st = -1;

		if (pid == 0)
			_exit(wirefuture_child(cases[i].limit, cases[i].len, cases[i].want));
		wait4(pid, &st, 0, NULL);
		ok &= st == 0;
	}
	return ok;
}

/* What the run saw, for the report. */
struct run {
	uint64_t	target;		/* calls to make in all */
	uint64_t	calls;		/* calls the reaped children made */
	int		started, reaped, exit0, bysig, enosys, vmfail, qemu_died, bad;
	int		watchdog, checks, checks_failed;
	int		sigcount[65];
};

/* A child's status into the run's tallies. */
static void
tally(struct run *r, int idx, pid_t pid, int st)
{
	r->reaped++;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		r->exit0++;
	else if (WIFEXITED(st) && WEXITSTATUS(st) == ENOSYS_FAIL)
		r->enosys++;
	else if (WIFEXITED(st) && WEXITSTATUS(st) == VMCHECK_FAIL)
		r->vmfail++;
	else if (on_qemu && WIFEXITED(st) && WEXITSTATUS(st) == QEMU_DIED)
		r->qemu_died++;		/* the emulator's own assertion, not the kernel's */
	else if (WIFSIGNALED(st)) {
		r->bysig++;
		r->sigcount[WTERMSIG(st) < 65 ? WTERMSIG(st) : 0]++;
	} else {
		r->bad++;
		tap_diag("child %d (pid %d): status %#x", idx, pid, st);
	}
}

/* The kernel's check of a live child's address space, read from outside it. */
static void
check_live_child(struct run *r, pid_t pid, int idx)
{
	char path[48];
	long n;

	snprintf(path, sizeof(path), "/proc/%d/vmcheck", pid);
	if ((n = vmcheck_problems(path)) < 0)
		return;			/* it has just exited */
	r->checks++;
	if (n > 0) {
		r->checks_failed++;
		tap_diag("child %d (pid %d): its address space has %ld problems mid-run", idx,
		    pid, n);
		vmcheck_diag();
	}
}

/*
 * Keep NPAR children fuzzing, each on its own seed, replacing those that
 * finish or die, until the reaped ones have made r->target calls.  Each
 * child counts its calls in its slot of the shared page progress.
 */
static void
fuzz(struct run *r, uint64_t seed, int only, volatile uint64_t *progress)
{
	pid_t pids[NPAR] = { 0 };
	int idx[NPAR];
	uint64_t base[NPAR];
	long started_at[NPAR], last_check = now_ms();
	int next = only >= 0 ? only : 0, live = 0;

	for (;;) {
		for (int k = 0; k < NPAR; k++) {
			bool enough = only >= 0 ? r->started > 0 :
			    r->calls + (uint64_t)live * CHILD_CALLS >= r->target;

			if (pids[k] != 0 || enough || r->started >= MAX_CHILDREN)
				continue;
			base[k] = progress[k * 8];
			idx[k] = next++;
			fflush(stdout);
			if ((pids[k] = fork()) == 0)
				child_main(idx[k], seed, &progress[k * 8]);
			if (pids[k] < 0) {
				tap_diag("fork for child %d: errno %d", idx[k], errno);
				r->bad++;
				pids[k] = 0;
				continue;
			}
			started_at[k] = now_ms();
			r->started++;
			live++;
		}
		if (live == 0)
			return;
		for (int k = 0; k < NPAR; k++) {
			int st;
			pid_t got;

			if (pids[k] == 0 || (got = wait4(pids[k], &st, WNOHANG, NULL)) == 0)
				continue;
			if (got == pids[k]) {
				r->calls += progress[k * 8] - base[k];
				tally(r, idx[k], pids[k], st);
			} else {
				tap_diag("wait4(%d): %ld errno %d", pids[k], (long)got, errno);
				r->bad++;
			}
			pids[k] = 0;
			live--;
		}
		for (int k = 0; k < NPAR; k++) {
			if (pids[k] != 0 && now_ms() - started_at[k] > WATCHDOG_MS) {
				tap_diag("watchdog: SIGKILL to pid %d (seed %#lx, child %d)", pids[k],
				    (unsigned long)seed, idx[k]);
				kill(pids[k], SIGKILL);
				started_at[k] = now_ms();	/* once more before the next kill */
				r->watchdog++;
			}
		}
		if (!on_qemu && now_ms() - last_check >= CHECK_EVERY_MS) {
			int k = (int)pick(NPAR);

			if (pids[k] != 0)
				check_live_child(r, pids[k], idx[k]);
			last_check = now_ms();
		}
		nanosleep(&short_ts, NULL);
	}
}

/*
 * Every path under dir, depth first (not under /proc, whose entries come
 * and go with processes), stored from paths[n] on; returns the new count.
 */
static int
walk_tree(const char *dir, char (*paths)[PATH_LEN], int n, int depth)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d != NULL && n < MAX_PATHS && (de = readdir(d)) != NULL) {
		char *path = paths[n];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(path, PATH_LEN, "%s/%s", strcmp(dir, "/") == 0 ? "" : dir, de->d_name);
		n++;
		if (depth < MAX_DEPTH && strcmp(path, "/proc") != 0)
			n = walk_tree(path, paths, n, depth + 1);	/* fails on files */
	}
	if (d != NULL)
		closedir(d);
	return n;
}

/* Remove path, a file or a directory tree; returns how many entries went. */
static int
remove_tree(const char *path)
{
	static char inside[MAX_PATHS][PATH_LEN];
	int n, removed = 0;

	if (unlink(path) == 0)
		return 1;
	n = walk_tree(path, inside, 0, 0);
	for (int i = n; i-- > 0;)		/* deepest last listed: remove backwards */
		removed += unlink(inside[i]) == 0 || rmdir(inside[i]) == 0;
	return removed + (rmdir(path) == 0);
}

/*
 * Remove what the children created anywhere in the file system (a fuzzed
 * open with O_CREAT, or mkdir, makes files and directories, some with
 * random names; a child killed before it unlinks its scratch file leaves
 * that), so the objects and memory they hold do not count against the
 * run.  before holds the nbefore paths from before the run.
 */
static void
remove_junk(char (*before)[PATH_LEN], int nbefore)
{
	static char now[MAX_PATHS][PATH_LEN];
	int n = walk_tree("/", now, 0, 0), removed = 0;

	for (int i = 0; i < n; i++) {
		bool old = false;

		for (int j = 0; j < nbefore && !old; j++)
			old = strcmp(now[i], before[j]) == 0;
		if (!old)
			removed += remove_tree(now[i]);
	}
	if (removed > 0)
		tap_diag("removed %d files and directories the children made", removed);
}

int
main(int argc, char **argv)
{
	uint64_t seed = DEFAULT_SEED;
	static uint64_t shared_fallback[NPAR * 8];
	volatile uint64_t *progress;
	static char paths_before[MAX_PATHS][PATH_LEN];
	int nbefore;
	struct vm_snapshot before, after;
	struct run r;
	int only = -1, i, ok;
	uint64_t target = 0;
	long t0 = now_ms();

	if (argc > 1)
		seed = strtoull(argv[1], NULL, 0);
	if (argc > 2)
		only = atoi(argv[2]);
	if (argc > 3)
		verbose = atoi(argv[3]);
	if (argc > 4)
		target = strtoul(argv[4], NULL, 0);
	exe_path = argv[0];
	on_qemu = under_qemu_user();
	memset(&r, 0, sizeof(r));
	r.target = target != 0 ? target : on_qemu ? QEMU_TARGET : TARGET_CALLS;
	if (only >= 0)
		r.target = 0;		/* one child, however far it gets */
	progress = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (progress == MAP_FAILED)
		progress = shared_fallback;	/* counts stay 0: the run reports it */
	tap_plan(10);
	tap_diag("seed %#lx: at least %lu calls, %d children at a time, %d calls each%s",
	    (unsigned long)seed, (unsigned long)r.target, NPAR, CHILD_CALLS,
	    on_qemu ? " (qemu-user)" : "");
	nbefore = walk_tree("/", paths_before, 0, 0);
	before = vm_snapshot_take();

	fuzz(&r, seed, only, progress);
	if (!on_qemu) {		/* never remove anything from the host's directories */
		remove_junk(paths_before, nbefore);
		tap_diag("%d System V segments left by the children removed", remove_segments());
	}

	tap_ok(r.reaped == r.started, "all %d children reaped (%d)", r.started, r.reaped);
	tap_diag("%lu calls by %d children in %ld ms: exit 0: %d, by signal: %d, watchdog "
	    "kills: %d%s", (unsigned long)r.calls, r.reaped, now_ms() - t0, r.exit0, r.bysig,
	    r.watchdog, r.qemu_died ? ", qemu-user died of its own assertion" : "");
	for (i = 0; i < 65; i++)
		if (r.sigcount[i] != 0)
			tap_diag("  signal %d: %d children", i, r.sigcount[i]);
	tap_ok(r.bad == 0 && r.exit0 + r.bysig + r.enosys + r.vmfail + r.qemu_died == r.reaped,
	    "each child exited 0 or by a signal");
	tap_ok(r.calls >= r.target, "%lu calls made (at least %lu)", (unsigned long)r.calls,
	    (unsigned long)r.target);

	/* Unknown numbers, in the parent as well. */
	ok = r.enosys == 0;
	for (i = 0; i < (int)(sizeof(unknown) / sizeof(unknown[0])); i++) {
		long res;

		if (on_qemu && unknown[i] >> 32 != 0 && unknown[i] >> 63 == 0)
			continue;	/* qemu-user truncates the number to 32 bits */
		res = __syscall6((long)unknown[i], 0, 0, 0, 0, 0, 0);
		if (res != -ENOSYS) {
			tap_diag("syscall %#lx gave %ld", (unsigned long)unknown[i], res);
			ok = 0;
		}
	}
	if (!on_qemu && __syscall6(440, 0, 0, 0, 0, 0, 0) != -ENOSYS) {
		tap_diag("syscall 440 did not give ENOSYS");
		ok = 0;
	}
	tap_ok(ok, "unknown system call numbers give ENOSYS (%d children disagreed)",
	    r.enosys);

	if (on_qemu) {
		tap_skip("the kernel's consistency check is our kernel's (/proc/PID/vmcheck)");
		tap_skip("the kernel's consistency check is our kernel's (/proc/vmcheck)");
		tap_skip("system-wide counters are our kernel's");
	} else {
		tap_ok(r.vmfail == 0 && r.checks_failed == 0,
		    "every address space passed the consistency check: %d children's own at "
		    "their end (%d failed), %d live ones checked from outside (%d failed)",
		    r.exit0 + r.vmfail, r.vmfail, r.checks, r.checks_failed);
		tap_ok(vmcheck_problems("/proc/vmcheck") == 0,
		    "afterwards every process and the wired-page count pass the check");
		tap_ok(vm_snapshot_back(&before, &after, SLACK_KB),
		    "free memory, objects and wirings back: MemFree %ld -> %ld kB, anonymous "
		    "%ld -> %ld, vnode %ld -> %ld, shadows %ld -> %ld, wired %ld -> %ld",
		    before.free_kb, after.free_kb, before.anon, after.anon, before.vnode,
		    after.vnode, before.shadows, after.shadows, before.wired, after.wired);
	}

	/* The system still works. */
	{
		char *p = mmap(NULL, 2 * PGSZ, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		int fds[2], good = 0;
		char buf[16];

		if (p != MAP_FAILED && pipe(fds) == 0) {
			memcpy(p + PGSZ - 4, "sanity!", 8);
			if (write(fds[1], p + PGSZ - 4, 8) == 8 &&
			    read(fds[0], buf, 8) == 8 && memcmp(buf, "sanity!", 8) == 0 &&
			    munmap(p, 2 * PGSZ) == 0)
				good = 1;
			close(fds[0]);
			close(fds[1]);
		}
		tap_ok(good, "post-fuzz sanity: mmap, write, read back, munmap");
	}
	{
		int st = run_child(exit42, NULL);
		tap_ok(st >= 0 && WIFEXITED(st) && WEXITSTATUS(st) == 42,
		    "post-fuzz sanity: fork a child that exits 42, reap it");
	}
	if (on_qemu)	/* it would try to wire a GiB of the host */
		tap_skip("mlockall(MCL_FUTURE) limits are checked on our kernel only");
	else
		tap_ok(wirefuture_survives(),
		    "MCL_FUTURE: over-limit mmap is EAGAIN, unwirable mmap is ENOMEM, exit is clean");
	return tap_done();
}
