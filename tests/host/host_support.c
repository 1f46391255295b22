/*
 * What MI kernel code needs from its surroundings, provided on the host so
 * data structures can be unit-tested under the sanitizers: panic, the
 * current "cpu" (one per host thread), and kmem's direct-mapped page
 * blocks (aligned heap blocks, with owner cookies kept in a table).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/systm.h>
#include <kern/pcpu.h>
#include <kern/thread.h>
#include <kern/spinlock.h>
#include <kern/witness.h>
#include <machine/cpu.h>
#include <vm/kmem.h>

/*
 * Every host thread runs as a kernel thread of its own (curthread, the
 * owner the sleep locks record), which lists the sleep locks it holds as
 * the kernel's do.
 */
static _Thread_local struct thread host_thread;
_Thread_local struct pcpu host_pcpu;

void
host_pcpu_init(void)
{
	host_pcpu.pc_curthread = &host_thread;
}

/* curthread for host_sleep.c, which cannot include the kernel's headers next to pthread.h. */
struct thread *
host_curthread(void)
{
	return curcpu()->pc_curthread;
}
struct pcpu pcpu_array[MAXCPU];
uint32_t ncpu = 1;

/* Print "what: message" on stderr and abort (tap_expect_abort watches for it). */
static void __attribute__((noreturn))
die(const char *what, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", what);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	abort();
}

void
panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	die("panic", fmt, ap);
}

char host_klog_last[512];
unsigned host_klog_count;
bool host_klog_quiet;

/*
 * The kernel's printf, for MI code built with -Dprintf=host_kprintf: its
 * lines become TAP comments (unless host_klog_quiet), and the last one is
 * kept, without its newline, for tests that check what the code said.
 * Callers print whole lines.
 */
int
host_kprintf(const char *fmt, ...)
{
	va_list ap, again;
	size_t len;
	int n = 0;

	va_start(ap, fmt);
	va_copy(again, ap);
	vsnprintf(host_klog_last, sizeof(host_klog_last), fmt, ap);
	len = strlen(host_klog_last);
	if (len > 0 && host_klog_last[len - 1] == '\n')
		host_klog_last[len - 1] = '\0';
	host_klog_count++;
	if (!host_klog_quiet) {
		printf("# ");
		n = vprintf(fmt, again);
	}
	va_end(again);
	va_end(ap);
	return n;
}

/* Read dir/name; exits on failure (a missing fixture is a broken build). */
uint8_t *
host_load_file(const char *dir, const char *name, size_t *lenp)
{
	char path[1024];
	uint8_t *buf;
	FILE *f;
	long len;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "rb")) == NULL ||
	    fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	buf = malloc((size_t)len + 1);
	if (buf == NULL || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	*lenp = (size_t)len;
	return buf;
}

void
kassert_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	die("assertion failed", fmt, ap);
}

/* A broken sleeping rule (an M_WAITOK allocation with a spin lock held) is fatal here too. */
void
witness_sleep_rule_broken(enum witness_rule rule, const struct spinlock *except, uintptr_t where)
{
	(void)except;
	panic("witness: rule %d broken at %#lx", (int)rule, (unsigned long)where);
}

/*
 * Lock order is not checked on the host (tests/test_witness_graph.c tests
 * the graph itself): every lock is in the class that is never checked.
 */
struct witness_graph witness_graph;
static pthread_once_t witness_once = PTHREAD_ONCE_INIT;

static void
witness_graph_setup(void)
{
	wg_init(&witness_graph);
}

int
witness_class_resolve(uint16_t *cache, const char *name, uint32_t flags)
{
	(void)name;
	(void)flags;
	pthread_once(&witness_once, witness_graph_setup);
	*cache = WG_UNCHECKED;
	return WG_UNCHECKED;
}

/* Reached for a lock not looked up yet: it becomes unchecked, which every order allows. */
bool
witness_spin_lock_slow(struct spinlock *lk, uintptr_t where)
{
	(void)where;
	(void)witness_class_resolve(&lk->wclass, lk->name, 0);
	return true;
}

/* The same for sleep locks (kern/mutex.c, kern/sx.c). */
bool
witness_check_lock_slow(uint16_t *cache, const char *name, uint32_t flags, uintptr_t where)
{
	(void)where;
	(void)witness_class_resolve(cache, name, flags);
	return true;
}

/* Held sleep locks are listed as in the kernel (every order is allowed anyway). */
void
witness_sleep_acquired(const void *lock, int cls, bool checked)
{
	struct thread *td = curcpu()->pc_curthread;

	(void)checked;
	if (!witness_sleep_acquired_fast(td, lock, (uint32_t)cls))
		panic("witness: a thread holds more than %d sleep locks", TD_SLEEPLOCKS_MAX);
}

void
witness_sleep_released(const void *lock)
{
	struct thread *td = curcpu()->pc_curthread;
	uint32_t i = td->td_nsleeplocks;

	while (i > 0 && td->td_sleeplocks[i - 1] != lock)
		i--;
	if (i == 0)
		panic("witness: releasing a sleep lock the thread does not hold");
	for (; i < td->td_nsleeplocks; i++) {
		td->td_sleeplocks[i - 1] = td->td_sleeplocks[i];
		td->td_sleeplock_class[i - 1] = td->td_sleeplock_class[i];
	}
	td->td_nsleeplocks--;
}

/* Page blocks handed out, for owner look-ups and leak checks. */
struct host_block {
	char	*addr;
	size_t	len;
	void	*owner;
};

static pthread_mutex_t blocks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct host_block *blocks;
static size_t nblocks, blocks_cap;
uint64_t host_pages_in_use;
int host_page_alloc_fail_after = -1;	/* tests: fail the Nth next allocation */

void *
kmem_page_alloc(int order, int flags)
{
	size_t len = PAGE_SIZE << order;
	void *p;

	pthread_mutex_lock(&blocks_lock);
	if (host_page_alloc_fail_after == 0) {
		pthread_mutex_unlock(&blocks_lock);
		return NULL;
	}
	if (host_page_alloc_fail_after > 0)
		host_page_alloc_fail_after--;
	p = aligned_alloc(len, len);
	if (p == NULL)
		abort();
	if (flags & M_ZERO)
		memset(p, 0, len);
	else
		memset(p, 0xa5, len);	/* catch users of uninitialized memory */
	if (nblocks == blocks_cap) {
		blocks_cap = blocks_cap ? 2 * blocks_cap : 64;
		blocks = realloc(blocks, blocks_cap * sizeof(*blocks));
	}
	blocks[nblocks++] = (struct host_block){ p, len, NULL };
	host_pages_in_use += 1UL << order;
	pthread_mutex_unlock(&blocks_lock);
	return p;
}

static struct host_block *
find_block(const void *addr)
{
	for (size_t i = 0; i < nblocks; i++)
		if ((const char *)addr >= blocks[i].addr &&
		    (const char *)addr < blocks[i].addr + blocks[i].len)
			return &blocks[i];
	return NULL;
}

void
kmem_page_free(void *addr, int order)
{
	struct host_block *b;

	pthread_mutex_lock(&blocks_lock);
	b = find_block(addr);
	if (b == NULL || b->addr != addr || b->len != (PAGE_SIZE << order))
		panic("kmem_page_free: %p order %d was not allocated", addr, order);
	*b = blocks[--nblocks];
	host_pages_in_use -= 1UL << order;
	pthread_mutex_unlock(&blocks_lock);
	free(addr);
}

void
kmem_page_set_owner(void *block, int order, void *owner)
{
	struct host_block *b;

	pthread_mutex_lock(&blocks_lock);
	b = find_block(block);
	if (b == NULL || b->len != (PAGE_SIZE << order))
		panic("kmem_page_set_owner: %p is not a block", block);
	b->owner = owner;
	pthread_mutex_unlock(&blocks_lock);
}

void *
kmem_page_owner(const void *addr)
{
	struct host_block *b;
	void *owner;

	pthread_mutex_lock(&blocks_lock);
	b = find_block(addr);
	owner = b ? b->owner : NULL;
	pthread_mutex_unlock(&blocks_lock);
	return owner;
}

bool
kmem_is_page_block(const void *addr)
{
	bool r;

	pthread_mutex_lock(&blocks_lock);
	r = find_block(addr) != NULL;
	pthread_mutex_unlock(&blocks_lock);
	return r;
}
