/*
 * futex: how a futex is named, and FUTEX_WAIT_BITSET's timeout.
 *
 * Keys, as Linux has them: a futex in a shared mapping is named by what
 * is mapped (the file or shared memory object and the offset in it), so
 * processes that map it at different addresses meet there; one in a
 * private mapping, or any used with FUTEX_PRIVATE_FLAG, by the address
 * space and the address, so after fork a child's private copy of the
 * page is not the parent's futex even while the two still share the
 * page copy-on-write.
 *
 * FUTEX_WAIT_BITSET's timeout is an absolute time on CLOCK_MONOTONIC, or
 * on CLOCK_REALTIME with FUTEX_CLOCK_REALTIME (FUTEX_WAIT's is relative);
 * the bitsets choose which waiters a FUTEX_WAKE_BITSET wakes.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <sys/futex.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define FILE_PATH	"/tmp/futex-test-%d"	/* with the pid: the host's /tmp is shared */
#define MS		(1000L * 1000)		/* nanoseconds */
#define TIMEOUT_MS	200
#define WAKE_TRIES_MS	10000
#define LATE_MS		2000			/* how late a timeout may end on a busy host */
#define MIN_UPTIME_S	4			/* read as relative, a deadline is this late */
#define ALARM_S		8			/* a wait that does not end: EINTR, not a hang */
#define WORD_OFFSET	64			/* the futex word's offset in its page */
#define BITSET_ANY	0xffffffffU
#define KERNEL_ADDRESS	0xffffffff80000000UL	/* never a user address (Sv39, Sv48) */

static void
on_alarm(int sig)
{
	(void)sig;
}

static long
ms_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

/* clock's time plus ms milliseconds (negative: in the past). */
static struct timespec
clock_plus_ms(clockid_t clock, long ms)
{
	struct timespec t;

	clock_gettime(clock, &t);
	t.tv_nsec += (ms % 1000) * MS;
	t.tv_sec += ms / 1000;
	if (t.tv_nsec >= 1000 * MS) {
		t.tv_nsec -= 1000 * MS;
		t.tv_sec++;
	} else if (t.tv_nsec < 0) {
		t.tv_nsec += 1000 * MS;
		t.tv_sec--;
	}
	return t;
}

/* A timeout of TIMEOUT_MS that took took ms: not early, and not as late as a relative reading. */
static int
on_time(long took)
{
	return took >= TIMEOUT_MS - 10 && took < TIMEOUT_MS + LATE_MS;
}

static char *
map_shared_anon(void)
{
	char *p = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * FUTEX_WAIT_BITSET until the absolute time deadline: the call's result
 * and errno, and how long it took.  An alarm ends a wait that would not
 * end by itself (a deadline taken as relative) with EINTR.
 */
static long
wait_until(uint32_t *w, int flags, struct timespec deadline, int *err, long *took)
{
	struct timespec t0;
	long r;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	alarm(ALARM_S);
	r = futex(w, FUTEX_WAIT_BITSET | flags, *w, &deadline, NULL, BITSET_ANY);
	*err = errno;
	alarm(0);
	*took = ms_since(&t0);
	return r;
}

static void
test_absolute_timeouts(void)
{
	uint32_t *w = (uint32_t *)map_shared_anon();
	struct timespec now;
	struct sigaction sa;
	long took, r;
	int err;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	/* Late enough that a deadline read as a relative timeout would show. */
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < MIN_UPTIME_S)
		sleep((unsigned int)(MIN_UPTIME_S - now.tv_sec));
	*w = 0;
	r = wait_until(w, 0, clock_plus_ms(CLOCK_MONOTONIC, TIMEOUT_MS), &err, &took);
	tap_ok(r == -1 && err == ETIMEDOUT && on_time(took),
	    "FUTEX_WAIT_BITSET: an absolute CLOCK_MONOTONIC deadline %d ms ahead times out "
	    "then (%ld ms, errno %d)", TIMEOUT_MS, took, err);
	r = wait_until(w, 0, (struct timespec){ 0, 0 }, &err, &took);
	tap_ok(r == -1 && err == ETIMEDOUT && took < LATE_MS,
	    "FUTEX_WAIT_BITSET: a deadline long past (time 0) times out at once (%ld ms, errno %d)",
	    took, err);
	r = wait_until(w, FUTEX_CLOCK_REALTIME, clock_plus_ms(CLOCK_REALTIME, TIMEOUT_MS), &err,
	    &took);
	tap_ok(r == -1 && err == ETIMEDOUT && on_time(took),
	    "FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME: an absolute CLOCK_REALTIME deadline "
	    "(%ld ms, errno %d)", took, err);
	r = wait_until(w, FUTEX_PRIVATE_FLAG, clock_plus_ms(CLOCK_MONOTONIC, TIMEOUT_MS), &err,
	    &took);
	tap_ok(r == -1 && err == ETIMEDOUT && on_time(took),
	    "FUTEX_WAIT_BITSET|FUTEX_PRIVATE_FLAG: the same (%ld ms, errno %d)", took, err);
	munmap(w, PGSZ);
}

static void
test_bitset_errors(void)
{
	uint32_t *w = (uint32_t *)map_shared_anon();
	struct timespec ts = { 0, MS };

	*w = 0;
	/* The bitset is checked before the word (a wrong value here, so no wait either way). */
	tap_ok(futex(w, FUTEX_WAIT_BITSET, 1, NULL, NULL, 0) == -1 && errno == EINVAL,
	    "FUTEX_WAIT_BITSET with an empty bitset -> EINVAL");
	tap_ok(futex(w, FUTEX_WAKE_BITSET, 1, NULL, NULL, 0) == -1 && errno == EINVAL,
	    "FUTEX_WAKE_BITSET with an empty bitset -> EINVAL");
	tap_ok(futex(w, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0) == -1 &&
	    errno == ENOSYS, "FUTEX_WAKE|FUTEX_CLOCK_REALTIME -> ENOSYS");
	tap_ok(futex(w, FUTEX_WAIT, 0, &ts, NULL, 0) == -1 && errno == ETIMEDOUT,
	    "FUTEX_WAIT's timeout stays relative");
	if (under_qemu_user())
		tap_skip("qemu-user hands a wake beyond user space to the host as it is");
	else
		tap_ok(futex((uint32_t *)KERNEL_ADDRESS, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL,
		    NULL, 0) == -1 && errno == EFAULT,
		    "FUTEX_WAKE|FUTEX_PRIVATE_FLAG beyond user space -> EFAULT");
	munmap(w, PGSZ);
}

/*
 * The parent's end of a two-process futex test: w is the futex word as
 * the waiter (a child) sees it, wake its address as the parent sees it,
 * at the same word or not.  The waiter waits with bitset wait_bits and
 * op flags; the parent wakes with wake_op until the child is done or
 * WAKE_TRIES_MS pass.  Returns how many waiters the wakes woke in all;
 * *child_woken says whether the child's wait ended with a wakeup (0)
 * rather than its timeout.
 */
struct pair {
	uint32_t	*wait_at;	/* the child's address of the word */
	int		wait_op;
	uint32_t	wait_bits;
	long		wait_ms;	/* the child's relative-ish timeout */
	uint32_t	*wake_at;	/* the parent's address of the word */
	int		wake_op;
	uint32_t	wake_bits;
};

/* The child: wait, and exit 0 if woken, 1 on its timeout, 2 otherwise. */
static int
pair_child(const struct pair *p)
{
	struct timespec rel = { p->wait_ms / 1000, (p->wait_ms % 1000) * MS };
	struct timespec abs = clock_plus_ms(CLOCK_MONOTONIC, p->wait_ms);
	int bitset = (p->wait_op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)) ==
	    FUTEX_WAIT_BITSET;
	long r;

	r = futex(p->wait_at, p->wait_op, 0, bitset ? &abs : &rel, NULL, p->wait_bits);
	if (r == 0)
		return 0;
	return errno == ETIMEDOUT ? 1 : 2;
}

static long
pair_run(const struct pair *p, int *child_status)
{
	struct timespec t0;
	long woken = 0, r;
	pid_t pid;
	int st = -1;

	pid = fork();
	if (pid == 0)
		_exit(pair_child(p));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		r = futex(p->wake_at, p->wake_op, 1, NULL, NULL, p->wake_bits);
		if (r > 0)
			woken += r;
		if (waitpid(pid, &st, WNOHANG) == pid)
			break;
		if (ms_since(&t0) > WAKE_TRIES_MS) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			break;
		}
		sched_yield();
	}
	*child_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return woken;
}

/* A word in a page of a file, mapped shared twice: at two addresses, one futex. */
static void
test_shared_file_key(void)
{
	char path[64], *a, *b;
	struct pair p;
	long woken;
	int fd, st;

	snprintf(path, sizeof(path), FILE_PATH, (int)getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || ftruncate(fd, 2 * PGSZ) != 0) {
		tap_ok(0, "a scratch file (%s): errno %d", path, errno);
		return;
	}
	a = mmap(NULL, 2 * PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	b = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PGSZ);
	tap_ok(a != MAP_FAILED && b != MAP_FAILED && a + PGSZ != b,
	    "the file's second page mapped shared at two addresses");
	p = (struct pair){ (uint32_t *)(a + PGSZ + WORD_OFFSET), FUTEX_WAIT, 0, WAKE_TRIES_MS,
	    (uint32_t *)(b + WORD_OFFSET), FUTEX_WAKE, 0 };
	woken = pair_run(&p, &st);
	tap_ok(woken == 1 && st == 0,
	    "shared file mapping: a wake at one address wakes a wait at the other "
	    "(keyed by file and offset; woke %ld, child %d)", woken, st);
	p.wake_at = (uint32_t *)(b + WORD_OFFSET + 4);
	p.wait_ms = TIMEOUT_MS;
	woken = pair_run(&p, &st);
	tap_ok(woken == 0 && st == 1,
	    "shared file mapping: the next word of the page is another futex (woke %ld, child %d)",
	    woken, st);
	munmap(a, 2 * PGSZ);
	munmap(b, PGSZ);
	close(fd);
	unlink(path);
}

/*
 * Private memory shared copy-on-write after fork (the page not yet
 * copied): the child's futex is not the parent's.  And FUTEX_PRIVATE_FLAG
 * on shared memory: private to the process.
 */
static void
test_private_keys(void)
{
	uint32_t *priv = (uint32_t *)map_pages(1), *shared = (uint32_t *)map_shared_anon();
	struct pair p;
	long woken;
	int st;

	*priv = 0;		/* resident, then shared with the child copy-on-write */
	*shared = 0;
	p = (struct pair){ priv, FUTEX_WAIT, 0, TIMEOUT_MS, priv, FUTEX_WAKE, 0 };
	woken = pair_run(&p, &st);
	tap_ok(woken == 0 && st == 1,
	    "private mapping: the parent's wake does not reach the child's wait at the same "
	    "address, same page (woke %ld, child %d)", woken, st);
	p = (struct pair){ shared, FUTEX_WAIT, 0, WAKE_TRIES_MS, shared, FUTEX_WAKE, 0 };
	woken = pair_run(&p, &st);
	tap_ok(woken == 1 && st == 0,
	    "shared anonymous mapping across fork: one futex (woke %ld, child %d)", woken, st);
	p = (struct pair){ shared, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, TIMEOUT_MS, shared,
	    FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 0 };
	woken = pair_run(&p, &st);
	tap_ok(woken == 0 && st == 1,
	    "FUTEX_PRIVATE_FLAG: the same shared word is a futex of each process's own "
	    "(woke %ld, child %d)", woken, st);
	munmap(priv, PGSZ);
	munmap(shared, PGSZ);
}

/* The bitsets: a wake reaches only waiters whose bits it names. */
static void
test_bitsets(void)
{
	uint32_t *w = (uint32_t *)map_shared_anon();
	struct pair p;
	long woken;
	int st;

	*w = 0;
	p = (struct pair){ w, FUTEX_WAIT_BITSET, 0x1, TIMEOUT_MS, w, FUTEX_WAKE_BITSET, 0x2 };
	woken = pair_run(&p, &st);
	tap_ok(woken == 0 && st == 1,
	    "FUTEX_WAKE_BITSET 0x2 does not wake a waiter on 0x1 (woke %ld, child %d)", woken, st);
	p = (struct pair){ w, FUTEX_WAIT_BITSET, 0x3, WAKE_TRIES_MS, w, FUTEX_WAKE_BITSET, 0x2 };
	woken = pair_run(&p, &st);
	tap_ok(woken == 1 && st == 0,
	    "FUTEX_WAKE_BITSET 0x2 wakes a waiter on 0x3 (woke %ld, child %d)", woken, st);
	p = (struct pair){ w, FUTEX_WAIT_BITSET, 0x4, WAKE_TRIES_MS, w, FUTEX_WAKE, 0 };
	woken = pair_run(&p, &st);
	tap_ok(woken == 1 && st == 0,
	    "FUTEX_WAKE wakes a waiter on any bitset (woke %ld, child %d)", woken, st);
	munmap(w, PGSZ);
}

int
main(void)
{
	tap_plan(18);
	test_absolute_timeouts();
	test_bitset_errors();
	test_shared_file_key();
	test_private_keys();
	test_bitsets();
	return tap_done();
}
