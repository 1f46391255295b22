/* ipc: futexes, shared /dev/zero and /dev/shm mappings, RLIMIT_AS, pipes. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/futex.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

#define MIB		(1024UL * 1024)
#define SHM_PATH	"/dev/shm/ipc-test"
#define PIPE_BYTES	20000		/* > a page, < a pipe's capacity */

static int
exited_ok(int st)
{
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static long
ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 +
	    (b.tv_nsec - a->tv_nsec) / 1000000;
}

static char *
map_shared_anon(unsigned long npages)
{
	char *p = mmap(NULL, npages * PGSZ, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * Waits on the word's current value until woken, so it cannot miss the
 * parent's store; exits 0 only if a FUTEX_WAIT returned 0 and the word
 * then holds the parent's 1.
 */
static int
futex_waiter(void *arg)
{
	volatile uint32_t *w = arg;
	uint32_t v;

	for (;;) {
		v = *w;
		if (futex((uint32_t *)w, FUTEX_WAIT, v, NULL, NULL, 0) == 0)
			return *w == 1 ? 0 : 2;
		if (errno != EAGAIN)
			return 1;
	}
}

/* Waits up to 10 s for pid to exit, then kills it; returns the wait status. */
static int
reap(pid_t pid)
{
	struct timespec t0;
	int st;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (waitpid(pid, &st, WNOHANG) != pid) {
		if (ms_since(&t0) > 10000) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		sched_yield();
	}
	return st;
}

/* A shared futex wakes a waiter in another process after fork. */
static void
test_futex_fork(void)
{
	volatile uint32_t *w = (uint32_t *)map_shared_anon(1);
	struct timespec t0;
	long woke;
	pid_t pid;
	int st;

	*w = 0;
	pid = fork();
	if (pid == 0)
		_exit(futex_waiter((void *)w));
	*w = 1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* The child may not be waiting yet: wake until it is, or is gone. */
	for (;;) {
		woke = futex((uint32_t *)w, FUTEX_WAKE, 1, NULL, NULL, 0);
		if (woke != 0 || waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (ms_since(&t0) > 10000) {
			woke = -2;
			break;
		}
		sched_yield();
	}
	if (woke != 0)
		st = reap(pid);
	tap_ok(woke == 1, "FUTEX_WAKE on a MAP_SHARED word returned 1 (%ld)",
	    woke);
	tap_ok(exited_ok(st),
	    "the child's FUTEX_WAIT returned 0, then saw the store (status %#x)",
	    st);
	munmap((void *)w, PGSZ);
}

/*
 * A timeout too long to count in nanoseconds (here one whose nanoseconds
 * wrap a 64-bit counter to 0.29 s) means "a very long time", as on
 * Linux: the waiter is still waiting when woken 1 s later.
 */
static int
futex_long_waiter(void *arg)
{
	volatile uint32_t *w = arg;
	struct timespec forever = { 18446744074L, 0 };

	if (futex((uint32_t *)w, FUTEX_WAIT, 0, &forever, NULL, 0) == 0)
		return 0;
	return errno == ETIMEDOUT ? 3 : errno == EAGAIN ? 0 : 1;
}

static void
test_futex_long_timeout(void)
{
	volatile uint32_t *w = (uint32_t *)map_shared_anon(1);
	struct timespec t0;
	int st, reaped = 0;
	pid_t pid;

	*w = 0;
	pid = fork();
	if (pid == 0)
		_exit(futex_long_waiter((void *)w));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (ms_since(&t0) < 1000 && !(reaped = waitpid(pid, &st, WNOHANG) == pid))
		sched_yield();
	*w = 1;
	futex((uint32_t *)w, FUTEX_WAKE, 1, NULL, NULL, 0);
	if (!reaped)
		st = reap(pid);
	tap_ok(exited_ok(st),
	    "FUTEX_WAIT with a timeout of 2^64 ns and more waits until woken (status %#x)", st);
	munmap((void *)w, PGSZ);
}

/* The error and timeout cases of FUTEX_WAIT and FUTEX_WAKE. */
static void
test_futex_errors(void)
{
	uint32_t *w = (uint32_t *)map_shared_anon(1);
	struct timespec t0, ts = { 0, 50 * 1000 * 1000 };
	long r;

	*w = 5;
	tap_ok(futex(w, FUTEX_WAIT, 6, NULL, NULL, 0) == -1 && errno == EAGAIN,
	    "FUTEX_WAIT with a mismatched value -> EAGAIN");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	r = futex(w, FUTEX_WAIT, 5, &ts, NULL, 0);
	tap_ok(r == -1 && errno == ETIMEDOUT && ms_since(&t0) >= 50,
	    "FUTEX_WAIT with a 50 ms timeout -> ETIMEDOUT after %ld ms",
	    ms_since(&t0));
	tap_ok(futex(w, FUTEX_WAKE, 1, NULL, NULL, 0) == 0,
	    "FUTEX_WAKE with no waiters -> 0");
	r = futex((uint32_t *)((char *)w + 1), FUTEX_WAIT, 0, NULL, NULL, 0);
	tap_ok(r == -1 && errno == EINVAL,
	    "FUTEX_WAIT on an unaligned word -> EINVAL");
	munmap(w, PGSZ);
}

static int
child_writes(void *arg)
{
	char *p = arg;

	p[0] = 'c';
	p[PGSZ + 7] = 'd';
	return 0;
}

static int
all_zero(const char *p, unsigned long len)
{
	unsigned long i;

	for (i = 0; i < len; i++) {
		if (p[i] != 0)
			return 0;
	}
	return 1;
}

/* /dev/zero: a private map is zero-fill memory, a shared one shared memory. */
static void
test_dev_zero(void)
{
	char *p, *q, buf[64];
	int fd, st;

	fd = open("/dev/zero", O_RDWR);
	p = mmap(NULL, 2 * PGSZ, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p != MAP_FAILED && all_zero(p, 2 * PGSZ)) {
		p[0] = 'a';
		p[PGSZ + 1] = 'b';
	}
	memset(buf, 0xff, sizeof(buf));
	tap_ok(fd >= 0 && p != MAP_FAILED && p[0] == 'a' &&
	    p[PGSZ + 1] == 'b' && read(fd, buf, sizeof(buf)) == sizeof(buf) &&
	    all_zero(buf, sizeof(buf)),
	    "MAP_PRIVATE /dev/zero reads zeros, is writable, device stays zero");
	if (p != MAP_FAILED)
		munmap(p, 2 * PGSZ);

	p = mmap(NULL, 2 * PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	q = mmap(NULL, 2 * PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	st = -1;
	if (p != MAP_FAILED && q != MAP_FAILED)
		st = run_child(child_writes, p);
	tap_ok(exited_ok(st) && p[0] == 'c' && p[PGSZ + 7] == 'd',
	    "MAP_SHARED /dev/zero: the parent sees the child's writes");
	tap_ok(st != -1 && all_zero(q, 2 * PGSZ),
	    "a second MAP_SHARED /dev/zero mapping is separate memory");
	if (p != MAP_FAILED)
		munmap(p, 2 * PGSZ);
	if (q != MAP_FAILED)
		munmap(q, 2 * PGSZ);
	close(fd);

	fd = open("/dev/zero", O_RDONLY);
	p = mmap(NULL, PGSZ, PROT_READ, MAP_SHARED, fd, 0);
	tap_ok(p != MAP_FAILED && mprotect(p, PGSZ, PROT_READ | PROT_WRITE) == -1 &&
	    errno == EACCES &&
	    mmap(NULL, PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED &&
	    errno == EACCES,
	    "MAP_SHARED /dev/zero opened read-only cannot be written (EACCES)");
	if (p != MAP_FAILED)
		munmap(p, PGSZ);
	close(fd);
}

static int
child_writes_hello(void *arg)
{
	char *p = arg;

	memcpy(p, "hello", 5);
	p[PGSZ] = 'Z';
	return 0;
}

/* A /dev/shm file mapped MAP_SHARED: one memory for both processes and read(). */
static void
test_dev_shm(void)
{
	char *p = MAP_FAILED, buf[8];
	int fd, st = -1;

	unlink(SHM_PATH);
	fd = open(SHM_PATH, O_CREAT | O_RDWR, 0600);
	if (fd >= 0 && ftruncate(fd, 2 * PGSZ) == 0)
		p = mmap(NULL, 2 * PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		    0);
	if (!tap_ok(p != MAP_FAILED && all_zero(p, 2 * PGSZ),
	    "create, ftruncate and map " SHM_PATH " (fd %d)", fd)) {
		tap_skip("no mapping");
		tap_skip("no mapping");
		tap_skip("no mapping");
		if (fd >= 0) {
			close(fd);
			unlink(SHM_PATH);
		}
		return;
	}
	st = run_child(child_writes_hello, p);
	tap_ok(exited_ok(st) && memcmp(p, "hello", 5) == 0 && p[PGSZ] == 'Z',
	    "the parent sees the child's writes through its mapping");
	memset(buf, 0, sizeof(buf));
	tap_ok(lseek(fd, 0, SEEK_SET) == 0 && read(fd, buf, 5) == 5 &&
	    memcmp(buf, "hello", 5) == 0 && lseek(fd, PGSZ, SEEK_SET) ==
	    (off_t)PGSZ && read(fd, buf, 1) == 1 && buf[0] == 'Z',
	    "read() of the file shows the child's writes");
	close(fd);
	tap_ok(unlink(SHM_PATH) == 0 && open(SHM_PATH, O_RDWR) == -1 &&
	    errno == ENOENT && memcmp(p, "hello", 5) == 0,
	    "unlink removes the name; the mapping stays");
	munmap(p, 2 * PGSZ);
}

/* Bytes of address space mapped, summed from /proc/self/maps; -1 on error. */
static long
mapped_bytes(void)
{
	static char buf[32768];
	unsigned long lo, hi, sum = 0;
	ssize_t len = read_text_file("/proc/self/maps", buf, sizeof(buf));
	char *s, *e;

	if (len < 0)
		return -1;
	for (s = buf; *s != '\0'; s = e + 1) {
		lo = strtoul(s, &e, 16);
		if (*e != '-')
			return -1;
		hi = strtoul(e + 1, &e, 16);
		sum += hi - lo;
		if ((e = strchr(e, '\n')) == NULL)
			break;
	}
	return len > 0 ? (long)sum : -1;
}

/* RLIMIT_AS caps the address space: mmap beyond it fails with ENOMEM. */
static void
test_rlimit_as(void)
{
	struct rlimit old, rl;
	long used = mapped_bytes();
	char *p, *q;
	int err;

	getrlimit(RLIMIT_AS, &old);
	rl = old;
	rl.rlim_cur = used + MIB;
	tap_ok(used > 0 && setrlimit(RLIMIT_AS, &rl) == 0,
	    "setrlimit(RLIMIT_AS) to usage + 1 MiB (%ld KiB)", used / 1024);
	p = mmap(NULL, 4 * MIB, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	err = errno;		/* under_qemu_user() may change errno */
	if (under_qemu_user())
		tap_skip("qemu-user accepts RLIMIT_AS but does not enforce it");
	else
		tap_ok(p == MAP_FAILED && err == ENOMEM,
		    "a 4 MiB mmap over the limit -> ENOMEM");
	if (p != MAP_FAILED)
		munmap(p, 4 * MIB);
	q = mmap(NULL, 16 * PGSZ, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tap_ok(q != MAP_FAILED, "a 64 KiB mmap under the limit succeeds");
	if (q != MAP_FAILED)
		munmap(q, 16 * PGSZ);
	p = MAP_FAILED;
	if (setrlimit(RLIMIT_AS, &old) == 0)
		p = mmap(NULL, 4 * MIB, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tap_ok(p != MAP_FAILED,
	    "with the limit restored the 4 MiB mmap succeeds");
	if (p != MAP_FAILED)
		munmap(p, 4 * MIB);
}

/* A pipe carries a child's bytes, then EOF; with no readers a write fails. */
static void
test_pipes(void)
{
	static char buf[PIPE_BYTES];
	int fds[2], i, ok, st;
	long got = 0, n = -1;
	pid_t pid;

	signal(SIGPIPE, SIG_IGN);
	if (pipe2(fds, O_CLOEXEC) != 0) {
		tap_ok(0, "pipe2");
		tap_skip("no pipe");
	} else {
		pid = fork();
		if (pid == 0) {
			close(fds[0]);
			for (i = 0; i < PIPE_BYTES; i++)
				buf[i] = (char)(i * 7);
			n = write(fds[1], buf, PIPE_BYTES);
			_exit(n == PIPE_BYTES ? 0 : 1);
		}
		close(fds[1]);
		while (got < PIPE_BYTES &&
		    (n = read(fds[0], buf + got, PIPE_BYTES - got)) > 0)
			got += n;
		for (ok = 1, i = 0; i < got; i++)
			ok &= buf[i] == (char)(i * 7);
		tap_ok(got == PIPE_BYTES && ok,
		    "the parent reads the child's %d bytes in order (%ld)",
		    PIPE_BYTES, got);
		n = read(fds[0], buf, 1);
		waitpid(pid, &st, 0);
		tap_ok(n == 0 && exited_ok(st),
		    "read returns 0 (EOF) once the writer has closed (%ld)", n);
		close(fds[0]);
	}

	pipe2(fds, 0);
	close(fds[0]);
	tap_ok(write(fds[1], "x", 1) == -1 && errno == EPIPE,
	    "write with no readers (SIGPIPE ignored) -> EPIPE");
	pid = fork();
	if (pid == 0) {
		signal(SIGPIPE, SIG_DFL);
		write(fds[1], "x", 1);
		_exit(1);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE,
	    "with SIGPIPE default the writer is killed by SIGPIPE (status %#x)",
	    st);
	close(fds[1]);
	signal(SIGPIPE, SIG_DFL);
}

int
main(void)
{
	tap_plan(23);
	test_futex_fork();
	test_futex_long_timeout();
	test_futex_errors();
	test_dev_zero();
	test_dev_shm();
	test_rlimit_as();
	test_pipes();
	return tap_done();
}
