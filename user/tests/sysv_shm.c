/*
 * sysv_shm: System V shared memory.  shmget's keys and errors, shmat and
 * shmdt, attachments across fork, exec and exit, a segment removed while
 * attached, read-only attachments, IPC_STAT/IPC_SET/IPC_INFO/SHM_INFO,
 * SHM_LOCK's wiring and the memory a destroyed segment gives back.
 */
#include <errno.h>
#include <probe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

#define SEG_PAGES	4
#define SEG_BYTES	(SEG_PAGES * PGSZ)
#define BIG_PAGES	256		/* 1 MiB: what MemFree must get back */
#define FREE_SLACK_KB	128		/* MemFree may move this much for other reasons */
#define LOCK_PAGES	8
#define NOBODY		65534		/* a uid that is not root */
#define EXEC_CHECK	"--exec-check"	/* argv[1] of the re-executed image */

extern char **environ;

static const char *self;	/* argv[0]: the exec test runs it again */
static int qemu;

/* A key of this run's own (the host may run several at once). */
static key_t
test_key(int n)
{
	return (key_t)(0x5ab10000 | ((getpid() & 0xfff) << 4) | n);
}

static int
stat_of(int id, struct shmid_ds *ds)
{
	memset(ds, 0xa5, sizeof(*ds));
	return shmctl(id, IPC_STAT, ds);
}

static unsigned long
nattch(int id)
{
	struct shmid_ds ds;

	return stat_of(id, &ds) == 0 ? ds.shm_nattch : (unsigned long)-1;
}

static int
exited_ok(int status)
{
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* A read of /proc/sys/kernel/NAME as a number, or 0 if it cannot be read. */
static unsigned long
sysctl_get(const char *name)
{
	char path[64], buf[32];

	snprintf(path, sizeof(path), "/proc/sys/kernel/%s", name);
	if (read_text_file(path, buf, sizeof(buf)) <= 0)
		return 0;
	return strtoul(buf, NULL, 10);
}

/* A new private segment, its status as made, and the first attachment. */
static void
test_create_attach(void)
{
	struct shmid_ds ds;
	time_t now = time(NULL);
	int id = shmget(IPC_PRIVATE, SEG_BYTES - 100, IPC_CREAT | 0600);
	char *p;

	tap_ok(id >= 0, "shmget(IPC_PRIVATE) makes a segment (id %d)", id);
	tap_ok(stat_of(id, &ds) == 0 && ds.shm_segsz == SEG_BYTES - 100 && ds.shm_nattch == 0 &&
	    ds.shm_cpid == getpid() && ds.shm_lpid == 0 && ds.shm_atime == 0 &&
	    ds.shm_dtime == 0 && (ds.shm_perm.mode & 0777) == 0600 && ds.shm_perm.key == 0 &&
	    ds.shm_perm.uid == geteuid() && ds.shm_perm.cuid == geteuid() &&
	    ds.shm_perm.gid == getegid() && ds.shm_perm.cgid == getegid() &&
	    ds.shm_ctime >= now - 5 && ds.shm_ctime <= now + 5,
	    "IPC_STAT of a new segment: size, creator, mode, owner, times, no attachments");
	p = shmat(id, NULL, 0);
	tap_ok(p != (void *)-1 && ((unsigned long)p & (PGSZ - 1)) == 0,
	    "shmat anywhere gives a page-aligned address (%p)", p);
	if (p == (void *)-1) {
		shmctl(id, IPC_RMID, NULL);
		return;
	}
	tap_ok(p[0] == 0 && p[SEG_BYTES - 1] == 0 && (p[SEG_BYTES - 1] = 7) == 7,
	    "its pages are zero-filled, and the rounded-up last page is usable");
	tap_ok(stat_of(id, &ds) == 0 && ds.shm_nattch == 1 && ds.shm_lpid == getpid() &&
	    ds.shm_atime >= now - 5 && ds.shm_dtime == 0,
	    "after shmat: nattch 1, shm_lpid and shm_atime set");
	tap_ok(shmdt(p) == 0 && stat_of(id, &ds) == 0 && ds.shm_nattch == 0 &&
	    ds.shm_dtime >= now - 5, "after shmdt: nattch 0, shm_dtime set");
	tap_ok(probe_read(p, NULL) == SIGSEGV, "the detached range is unmapped");
	tap_ok(shmctl(id, IPC_RMID, NULL) == 0 && stat_of(id, &ds) < 0 && errno == EINVAL,
	    "IPC_RMID of an unattached segment destroys it at once");
	tap_ok(shmat(id, NULL, 0) == (void *)-1 && errno == EINVAL,
	    "shmat of a destroyed id -> EINVAL");
}

/* A child sees what the parent wrote and the parent what the child wrote; both count. */
static void
test_fork(void)
{
	int id = shmget(IPC_PRIVATE, SEG_BYTES, 0600), status;
	char *p = shmat(id, NULL, 0);
	struct shmid_ds ds;
	pid_t pid;

	if (!tap_ok(id >= 0 && p != (void *)-1, "a segment for the fork test")) {
		tap_skip("no segment");
		tap_skip("no segment");
		tap_skip("no segment");
		return;
	}
	strcpy(p, "from the parent");
	if ((pid = fork()) == 0) {
		int ok = strcmp(p, "from the parent") == 0 && nattch(id) == 2;

		strcpy(p + PGSZ, "from the child");
		_exit(ok ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	tap_ok(exited_ok(status), "a forked child sees the parent's data and nattch 2");
	tap_ok(strcmp(p + PGSZ, "from the child") == 0, "the parent sees what the child wrote");
	tap_ok(stat_of(id, &ds) == 0 && ds.shm_nattch == 1 && ds.shm_lpid == pid,
	    "the child's exit detached it (nattch %lu, shm_lpid the child's)", ds.shm_nattch);
	shmdt(p);
	shmctl(id, IPC_RMID, NULL);
}

/* The re-executed image: the exec dropped its attachment, the parent's is left. */
static int
exec_check(const char *idstr)
{
	return nattch(atoi(idstr)) == 1 ? 0 : 1;
}

/* exec detaches: a child attached twice (inherited, and its own) execs; then it exits. */
static void
test_exec(void)
{
	int id = shmget(IPC_PRIVATE, SEG_BYTES, 0600), status;
	char *p = shmat(id, NULL, 0), idstr[16];
	pid_t pid;

	snprintf(idstr, sizeof(idstr), "%d", id);
	if ((pid = fork()) == 0) {
		char *argv[] = { (char *)self, EXEC_CHECK, idstr, NULL };

		if (shmat(id, NULL, SHM_RDONLY) == (void *)-1 || nattch(id) != 3)
			_exit(2);
		execve_riscv(self, argv, environ);
		_exit(3);
	}
	waitpid(pid, &status, 0);
	tap_ok(exited_ok(status), "exec detaches both of the child's attachments (status %#x)",
	    status);
	tap_ok(nattch(id) == 1, "and the parent's one is left");
	shmdt(p);
	shmctl(id, IPC_RMID, NULL);
}

/* Keys: ENOENT, IPC_CREAT, finding it again, IPC_EXCL, a size larger than the segment's. */
static void
test_keys(void)
{
	key_t key = test_key(1);
	int id, other;

	tap_ok(shmget(key, SEG_BYTES, 0600) < 0 && errno == ENOENT,
	    "shmget of a key with no segment, without IPC_CREAT -> ENOENT");
	id = shmget(key, SEG_BYTES, IPC_CREAT | 0600);
	tap_ok(id >= 0, "IPC_CREAT makes it");
	tap_ok(shmget(key, SEG_BYTES, 0600) == id && shmget(key, 1, 0) == id &&
	    shmget(key, SEG_BYTES, IPC_CREAT | 0600) == id,
	    "the key finds the same segment (any size up to its own, with or without IPC_CREAT)");
	tap_ok(shmget(key, SEG_BYTES + 1, 0600) < 0 && errno == EINVAL,
	    "a size larger than the existing segment's -> EINVAL");
	tap_ok(shmget(key, SEG_BYTES, IPC_CREAT | IPC_EXCL | 0600) < 0 && errno == EEXIST,
	    "IPC_CREAT|IPC_EXCL on an existing key -> EEXIST");
	other = shmget(IPC_PRIVATE, SEG_BYTES, IPC_CREAT | IPC_EXCL | 0600);
	tap_ok(other >= 0 && other != id, "IPC_PRIVATE always makes a new segment");
	shmctl(other, IPC_RMID, NULL);
	shmctl(id, IPC_RMID, NULL);
}

/*
 * IPC_RMID while attached: the segment lives on, marked, without its key;
 * the key makes a new segment; the last detach destroys the old one.
 */
static void
test_rmid_attached(void)
{
	key_t key = test_key(2);
	int id = shmget(key, SEG_BYTES, IPC_CREAT | 0600), id2, status;
	char *p = shmat(id, NULL, 0), *q;
	struct shmid_ds ds;
	pid_t pid;

	strcpy(p, "old");
	if ((pid = fork()) == 0)
		_exit(pause());		/* holds an attachment of its own */
	tap_ok(shmctl(id, IPC_RMID, NULL) == 0 && stat_of(id, &ds) == 0 &&
	    (ds.shm_perm.mode & SHM_DEST) && ds.shm_perm.key == 0 && ds.shm_nattch == 2,
	    "IPC_RMID with attachments: still there, SHM_DEST, key gone, nattch 2");
	tap_ok(shmget(key, SEG_BYTES, 0600) < 0 && errno == ENOENT,
	    "its key no longer finds it");
	q = shmat(id, NULL, SHM_RDONLY);
	tap_ok(q != (void *)-1 && strcmp(q, "old") == 0 && nattch(id) == 3 && shmdt(q) == 0,
	    "its id still attaches until it is destroyed (Linux's extension)");
	id2 = shmget(key, SEG_BYTES, IPC_CREAT | IPC_EXCL | 0600);
	q = id2 >= 0 ? shmat(id2, NULL, 0) : (void *)-1;
	tap_ok(id2 >= 0 && id2 != id && q != (void *)-1 && q[0] == 0 && strcmp(p, "old") == 0,
	    "the key makes a new, zeroed segment; the old one keeps its data");
	tap_ok(shmdt(p) == 0 && nattch(id) == 1, "the parent detaches: the child's is left");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	tap_ok(stat_of(id, &ds) < 0 && errno == EINVAL && shmat(id, NULL, 0) == (void *)-1 &&
	    errno == EINVAL, "the child's exit was the last detach: the id is gone (EINVAL)");
	shmdt(q);
	shmctl(id2, IPC_RMID, NULL);
}

/* shmdt takes only the start of an attachment. */
static void
test_shmdt_errors(void)
{
	int id = shmget(IPC_PRIVATE, SEG_BYTES, 0600);
	char *p = shmat(id, NULL, 0), *anon = map_pages(1);

	tap_ok(shmdt(p + 1) < 0 && errno == EINVAL, "shmdt of an unaligned address -> EINVAL");
	tap_ok(shmdt(p + PGSZ) < 0 && errno == EINVAL,
	    "shmdt inside an attachment, not at its start -> EINVAL");
	tap_ok(shmdt(anon) < 0 && errno == EINVAL, "shmdt of an anonymous mapping -> EINVAL");
	tap_ok(shmdt(unmapped_pages(1)) < 0 && errno == EINVAL,
	    "shmdt of an unmapped address -> EINVAL");
	tap_ok(anon[0] == 0 && (p[PGSZ] = 1) == 1 && nattch(id) == 1,
	    "both mappings are still there after the failed shmdts");
	tap_ok(shmdt(p) == 0 && shmdt(p) < 0 && errno == EINVAL, "a second shmdt -> EINVAL");
	munmap(anon, PGSZ);
	shmctl(id, IPC_RMID, NULL);
}

/* SHM_RDONLY: reads work, writes fault, mprotect cannot make it writable. */
static void
test_rdonly(void)
{
	int id = shmget(IPC_PRIVATE, SEG_BYTES, 0600);
	char *w = shmat(id, NULL, 0), *r = shmat(id, NULL, SHM_RDONLY);
	struct fault f;

	w[5] = 'x';
	tap_ok(r != (void *)-1 && r != w && r[5] == 'x', "a read-only attachment sees the data");
	tap_ok(probe_write(r + 5, 'y', &f) == SIGSEGV && f.addr == r + 5 && w[5] == 'x',
	    "writing through it -> SIGSEGV at the address (si_code %d)", f.code);
	tap_ok(mprotect(r, PGSZ, PROT_READ | PROT_WRITE) < 0 && errno == EACCES,
	    "mprotect(PROT_WRITE) of it -> EACCES");
	tap_ok(nattch(id) == 2, "two attachments of one segment in one process count 2");
	shmdt(r);
	shmdt(w);
	shmctl(id, IPC_RMID, NULL);
}

/* Given addresses: exact, SHM_RND, overlapping without and with SHM_REMAP. */
static void
test_addresses(void)
{
	int id = shmget(IPC_PRIVATE, SEG_BYTES, 0600);
	char *want = unmapped_pages(SEG_PAGES + 2) + PGSZ, *p, *q;

	p = shmat(id, want, 0);
	tap_ok(p == want, "shmat at a given free address maps it there");
	tap_ok(shmat(id, want, 0) == (void *)-1 && errno == EINVAL,
	    "at an address in use, without SHM_REMAP -> EINVAL");
	q = shmat(id, want, SHM_REMAP);
	tap_ok(q == want && nattch(id) == 1,
	    "with SHM_REMAP it replaces what is there, the attachment it replaced too");
	tap_ok(shmat(id, want + 100, 0) == (void *)-1 && errno == EINVAL,
	    "an unaligned address without SHM_RND -> EINVAL");
	if (qemu)
		tap_skip("qemu-user attaches at an address of its own choosing with SHM_REMAP");
	else
		tap_ok(shmat(id, NULL, SHM_REMAP) == (void *)-1 && errno == EINVAL,
		    "SHM_REMAP without an address -> EINVAL");
	tap_ok(shmdt(want) == 0 && nattch(id) == 0 && shmdt(want) < 0 && errno == EINVAL,
	    "shmdt of the replacing attachment leaves none");
	if (qemu)
		tap_skip("qemu-user places attachments itself");
	else
		tap_ok(shmat(id, (void *)-PGSZ, 0) == (void *)-1 && errno == EINVAL &&
		    shmat(id, (void *)PGSZ, 0) == (void *)-1 && errno == EPERM,
		    "an address whose range wraps -> EINVAL; one below mmap_min_addr -> EPERM");
	p = shmat(id, want + SEG_BYTES + 100, SHM_RND);
	tap_ok(p == want + SEG_BYTES, "SHM_RND rounds the address down (%p)", p);
	shmdt(p);
	shmctl(id, IPC_RMID, NULL);
}

/* shmget's size limits, and the tunables IPC_INFO reports. */
static void
test_limits(void)
{
	unsigned long shmmax = sysctl_get("shmmax"), shmall = sysctl_get("shmall");
	unsigned long shmmni = sysctl_get("shmmni");
	struct shminfo info;
	struct shm_info usage;
	int id = shmget(IPC_PRIVATE, PGSZ, 0600);

	tap_ok(shmget(IPC_PRIVATE, 0, 0600) < 0 && errno == EINVAL,
	    "size 0 (below SHMMIN) -> EINVAL");
	tap_ok(shmmax > 0 && shmall > 0 && shmmni > 0,
	    "/proc/sys/kernel/shmmax, shmall, shmmni (%lu, %lu, %lu)", shmmax, shmall, shmmni);
	if (shmmax != 0 && shmmax < ~0UL)
		tap_ok(shmget(IPC_PRIVATE, shmmax + 1, 0600) < 0 && errno == EINVAL,
		    "size shmmax + 1 -> EINVAL");
	else
		tap_skip("shmmax is the largest size");
	tap_ok(shmctl(0, IPC_INFO, (struct shmid_ds *)&info) >= 0 && info.shmmax == shmmax &&
	    info.shmall == shmall && info.shmmni == shmmni && info.shmmin == 1,
	    "IPC_INFO reports the same limits, shmmin 1");
	tap_ok(shmctl(0, SHM_INFO, (struct shmid_ds *)&usage) >= 0 && usage.used_ids >= 1 &&
	    usage.shm_tot >= 1, "SHM_INFO counts segments (%d) and pages (%lu)",
	    usage.used_ids, usage.shm_tot);
	tap_ok(shmctl(id, 99, NULL) < 0 && errno == EINVAL, "an unknown command -> EINVAL");
	shmctl(id, IPC_RMID, NULL);
}

/*
 * Permissions: a segment of mode 0444 is read-only to everyone.  A root
 * test drops to another uid in the child (then it is not the owner
 * either: IPC_RMID and IPC_SET are EPERM).
 */
static void
test_permissions(void)
{
	key_t key = test_key(3);
	int id = shmget(key, SEG_BYTES, IPC_CREAT | 0444), status;
	int root = geteuid() == 0;
	struct shmid_ds ds;
	pid_t pid;

	if ((pid = fork()) == 0) {
		int bad = 0;

		if (root && setuid(NOBODY) != 0)
			_exit(10);
		bad |= !(shmat(id, NULL, 0) == (void *)-1 && errno == EACCES) << 0;
		bad |= !(shmat(id, NULL, SHM_RDONLY) != (void *)-1) << 1;
		bad |= !(shmget(key, 0, 0600) < 0 && errno == EACCES) << 2;
		bad |= !(shmget(key, 0, 0) == id) << 3;
		bad |= !(stat_of(id, &ds) == 0) << 4;
		if (root) {
			bad |= !(shmctl(id, IPC_RMID, NULL) < 0 && errno == EPERM) << 5;
			bad |= !(shmctl(id, IPC_SET, &ds) < 0 && errno == EPERM) << 6;
		}
		_exit(bad);
	}
	waitpid(pid, &status, 0);
	tap_ok(exited_ok(status),
	    "mode 0444: rw shmat and shmget(0600) -> EACCES, read-only ones work%s (status %#x)",
	    root ? ", not the owner: IPC_RMID, IPC_SET -> EPERM" : "", status);
	stat_of(id, &ds);
	ds.shm_perm.mode = 0640;
	tap_ok(shmctl(id, IPC_SET, &ds) == 0 && stat_of(id, &ds) == 0 &&
	    (ds.shm_perm.mode & 0777) == 0640 && shmat(id, NULL, 0) != (void *)-1,
	    "IPC_SET changes the mode; now it attaches read-write");
	/* The attachment goes at exit. */
	shmctl(id, IPC_RMID, NULL);
}

/* SHM_LOCK wires every page (counted as mlock's are), SHM_UNLOCK and destruction unwire. */
static void
test_lock(void)
{
	int id = shmget(IPC_PRIVATE, LOCK_PAGES * PGSZ, 0600), sable = vmstat_is_sable();
	long wired0 = vmstat_get("wired_pages"), mlocked0 = meminfo_get("Mlocked");
	long wired1, mlocked1, problems;
	struct shmid_ds ds;

	tap_ok(shmctl(id, SHM_LOCK, NULL) == 0 && stat_of(id, &ds) == 0 &&
	    (ds.shm_perm.mode & SHM_LOCKED), "SHM_LOCK: the segment is marked SHM_LOCKED");
	wired1 = vmstat_get("wired_pages");
	mlocked1 = meminfo_get("Mlocked");
	if (sable) {
		tap_ok(wired1 == wired0 + LOCK_PAGES && mlocked1 == mlocked0 + LOCK_PAGES * 4,
		    "its %d pages are wired: wired_pages %ld -> %ld, Mlocked %ld -> %ld kB",
		    LOCK_PAGES, wired0, wired1, mlocked0, mlocked1);
		problems = vmcheck_problems("/proc/vmcheck");
		tap_ok(problems == 0, "/proc/vmcheck counts the segment's wirings (%ld problems)",
		    problems);
	} else {
		tap_skip("no wired_pages counter (not our kernel)");
		tap_skip("no /proc/vmcheck (not our kernel)");
	}
	tap_ok(shmctl(id, SHM_UNLOCK, NULL) == 0 && stat_of(id, &ds) == 0 &&
	    !(ds.shm_perm.mode & SHM_LOCKED) && (!sable || vmstat_get("wired_pages") == wired0),
	    "SHM_UNLOCK unwires them");
	shmctl(id, SHM_LOCK, NULL);
	tap_ok(shmctl(id, IPC_RMID, NULL) == 0 && (!sable || vmstat_get("wired_pages") == wired0),
	    "a locked segment's destruction unwires it");
}

/*
 * Without root, SHM_LOCK is counted against RLIMIT_MEMLOCK: every segment
 * the user has locked, not each on its own; a limit of 0 is EPERM.
 */
static int
lock_limit_child(void *arg)
{
	struct rlimit rl = { 3 * PGSZ, 3 * PGSZ }, none = { 0, 0 };
	int a, b, bad = 0;

	(void)arg;
	if (geteuid() == 0 && setuid(NOBODY) != 0)
		return 10;
	a = shmget(IPC_PRIVATE, 2 * PGSZ, 0600);
	b = shmget(IPC_PRIVATE, 2 * PGSZ, 0600);
	bad |= !(setrlimit(RLIMIT_MEMLOCK, &rl) == 0 && shmctl(a, SHM_LOCK, NULL) == 0) << 0;
	bad |= !(shmctl(b, SHM_LOCK, NULL) < 0 && errno == ENOMEM) << 1;
	bad |= !(shmctl(a, SHM_UNLOCK, NULL) == 0 && shmctl(b, SHM_LOCK, NULL) == 0) << 2;
	bad |= !(setrlimit(RLIMIT_MEMLOCK, &none) == 0 && shmctl(a, SHM_LOCK, NULL) < 0 &&
	    errno == EPERM) << 3;
	shmctl(a, IPC_RMID, NULL);
	shmctl(b, IPC_RMID, NULL);
	return bad;
}

static void
test_lock_limit(void)
{
	int status = run_child(lock_limit_child, NULL);

	tap_ok(exited_ok(status), "without root, RLIMIT_MEMLOCK counts all the user's locked "
	    "segments (ENOMEM past it), and 0 is EPERM (status %#x)", status);
}

/* The pages of a destroyed segment are free again. */
static void
test_memory_back(void)
{
	int id = shmget(IPC_PRIVATE, BIG_PAGES * PGSZ, 0600);
	long free0, free1, free2;
	char *p;

	if (!vmstat_is_sable()) {
		tap_skip("MemFree is the whole host's under qemu-user: not measurable");
		tap_skip("MemFree is the whole host's under qemu-user: not measurable");
		shmctl(id, IPC_RMID, NULL);
		return;
	}
	free0 = meminfo_get("MemFree");
	p = shmat(id, NULL, 0);
	for (unsigned long i = 0; i < BIG_PAGES; i++)
		p[i * PGSZ] = 1;
	shmdt(p);
	free1 = meminfo_get("MemFree");
	tap_ok(free0 - free1 >= BIG_PAGES * 4 - FREE_SLACK_KB,
	    "a detached segment keeps its %d pages (MemFree %ld -> %ld kB)", BIG_PAGES, free0,
	    free1);
	shmctl(id, IPC_RMID, NULL);
	free2 = meminfo_get("MemFree");
	tap_ok(free2 >= free0 - FREE_SLACK_KB && free2 <= free0 + FREE_SLACK_KB,
	    "its destruction frees them (MemFree back to %ld kB, from %ld)", free2, free0);
}

/* riscv64's Linux takes no IPC_64 version bit in the command. */
static void
test_ipc64(void)
{
	int id = shmget(IPC_PRIVATE, PGSZ, 0600);
	struct shmid_ds ds;

	if (qemu)
		tap_skip("qemu-user strips the version bits itself");
	else
		tap_ok(shmctl(id, IPC_STAT | IPC_64, &ds) < 0 && errno == EINVAL,
		    "IPC_STAT|IPC_64 -> EINVAL, as riscv64's Linux");
	tap_ok(shmctl(id, IPC_STAT, (struct shmid_ds *)1) < 0 && errno == EFAULT,
	    "IPC_STAT to a bad buffer -> EFAULT");
	shmctl(id, IPC_RMID, NULL);
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], EXEC_CHECK) == 0)
		return exec_check(argv[2]);
	self = argv[0];
	qemu = under_qemu_user();
	tap_plan(64);
	test_create_attach();
	test_fork();
	test_exec();
	test_keys();
	test_rmid_attached();
	test_shmdt_errors();
	test_rdonly();
	test_addresses();
	test_limits();
	test_permissions();
	test_lock();
	test_lock_limit();
	test_memory_back();
	test_ipc64();
	tap_vm_consistent("the shared memory tests");
	return tap_done();
}
