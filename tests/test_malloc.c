/*
 * Host unit test for kernel malloc (mi/kern/malloc.c), TAP output.
 *
 * The kernel's malloc/free/realloc/malloc_usable_size clash with libc's,
 * so malloc.c and this file are compiled with them renamed, and the rest
 * without:
 *
 *   R="-Dmalloc=kmalloc -Dfree=kfree -Drealloc=krealloc \
 *      -Dmalloc_usable_size=kmalloc_usable_size"
 *   F="-std=gnu11 -g -O1 -Wall -Wextra -Werror \
 *      -fsanitize=address,undefined -fno-sanitize-recover=all \
 *      -I tests/host/include -I mi"
 *   gcc $F $R -c mi/kern/malloc.c -o /tmp/tm_malloc.o
 *   gcc $F $R -c tests/test_malloc.c -o /tmp/tm_test.o
 *   gcc $F /tmp/tm_test.o /tmp/tm_malloc.o mi/vm/zone.c \
 *       tests/host/host_support.c tests/host/tap.c mi/kern/spinlock.c \
 *       -lpthread -o /tmp/test_malloc && /tmp/test_malloc
 *
 * Bucket zones get their pages from host_support.c; large allocations
 * come from the kmem_alloc/kmem_free/kmem_alloc_size defined below.
 */

/* libc first, under its own names. */
#undef malloc
#undef free
#undef realloc
#undef malloc_usable_size
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *libc_aligned_alloc(size_t align, size_t size) { return aligned_alloc(align, size); }
static void libc_free(void *p) { free(p); }

/* From here on the kernel's names mean the kernel's functions. */
#define malloc kmalloc
#define free kfree
#define realloc krealloc
#define malloc_usable_size kmalloc_usable_size

#include <kern/systm.h>
#include <kern/malloc.h>
#include <kern/pcpu.h>
#include <machine/cpu.h>
#include <machine/param.h>
#include <vm/kmem.h>
#include <vm/zone.h>

#include "host/host_support.h"
#include "host/tap.h"

/*
 * Host kmem_alloc: page-rounded, zeroed, page-aligned heap memory
 * recorded in a small table so kmem_alloc_size and leak checks work.
 */
#define LARGE_MAX	256

static pthread_mutex_t large_lock = PTHREAD_MUTEX_INITIALIZER;
static struct { void *addr; size_t size; } large[LARGE_MAX];
static int large_count;
static int kmem_fail_next;	/* tests: fail this many kmem_allocs */

void *
kmem_alloc(size_t size, int flags)
{
	void *p = NULL;
	int i;

	(void)flags;
	if (size == 0 || size % PAGE_SIZE != 0)
		panic("kmem_alloc: size %zu is not page-rounded", size);
	pthread_mutex_lock(&large_lock);
	if (kmem_fail_next > 0) {
		kmem_fail_next--;
		goto out;
	}
	for (i = 0; i < LARGE_MAX && large[i].addr != NULL; i++)
		continue;
	if (i == LARGE_MAX)
		panic("kmem_alloc: host table full");
	p = libc_aligned_alloc(PAGE_SIZE, size);
	memset(p, 0, size);
	large[i].addr = p;
	large[i].size = size;
	large_count++;
out:
	pthread_mutex_unlock(&large_lock);
	return p;
}

static int
large_find(const void *addr)
{
	int i;

	for (i = 0; i < LARGE_MAX; i++)
		if (large[i].addr == addr)
			return i;
	panic("kmem: %p was not returned by kmem_alloc", addr);
}

size_t
kmem_alloc_size(const void *addr)
{
	size_t size;

	pthread_mutex_lock(&large_lock);
	size = large[large_find(addr)].size;
	pthread_mutex_unlock(&large_lock);
	return size;
}

void
kmem_free(void *addr, size_t size)
{
	int i;

	pthread_mutex_lock(&large_lock);
	i = large_find(addr);
	if (large[i].size != size)
		panic("kmem_free: %p has size %zu, not %zu", addr,
		    large[i].size, size);
	large[i].addr = NULL;
	large_count--;
	pthread_mutex_unlock(&large_lock);
	libc_free(addr);
}

MALLOC_DEFINE(M_TEST, "test", "host test allocations");
MALLOC_DEFINE(M_OTHER, "other", "a second test type");
MALLOC_DEFINE(M_UNUSED, "unused", "a type never allocated from");
MALLOC_DEFINE(M_THREADS, "threads", "allocations of the thread test");

static size_t
bucket_for(size_t size)
{
	size_t b = MALLOC_MIN_BUCKET;

	if (size > MALLOC_MAX_BUCKET)
		return round_page(size);
	while (b < size)
		b <<= 1;
	return b;
}

static bool
all_bytes(const void *p, int c, size_t n)
{
	const unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (unsigned char)c)
			return false;
	return true;
}

static bool
type_is_zero(const struct malloc_type *t)
{
	return t->mt_inuse == 0 && t->mt_bytes == 0;
}

/*
 * Tests.
 */

static void
test_buckets(void)
{
	static const size_t sizes[] = {
		0, 1, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 128, 129, 255,
		256, 257, 511, 512, 513, 1000, 1024, 1025, 2047, 2048, 2049,
		4000, 4095, 4096,
	};
	void *p[nitems(sizes)];
	char name[32];
	bool good = true;
	uint64_t bytes = 0, peak;
	struct zone_stats st;
	size_t i, want;

	for (i = 0; i < nitems(sizes); i++) {
		want = bucket_for(sizes[i] ? sizes[i] : 1);
		p[i] = malloc(sizes[i], M_TEST, M_WAITOK);
		CHECK(good, "alloc", p[i] != NULL);
		CHECK(good, "usable", malloc_usable_size(p[i]) == want);
		CHECK(good, "in a slab", kmem_is_page_block(p[i]));
		CHECK(good, "aligned", (uintptr_t)p[i] % 16 == 0);
		zone_get_stats(zone_of_item(p[i]), &st);
		snprintf(name, sizeof(name), "malloc-%zu", want);
		CHECK(good, "zone", strcmp(st.name, name) == 0);
		memset(p[i], 0x5a, want);
		bytes += want;
		CHECK(good, "counts", M_TEST->mt_inuse == i + 1 &&
		    M_TEST->mt_bytes == bytes && M_TEST->mt_requests == i + 1 &&
		    M_TEST->mt_highwater == bytes);
	}
	peak = bytes;
	tap_ok(good, "sizes 0..4096 go to the right power-of-two bucket, "
	    "counted exactly");
	good = true;
	for (i = 0; i < nitems(sizes); i++) {
		want = malloc_usable_size(p[i]);
		CHECK(good, "contents", all_bytes(p[i], 0x5a, want));
		free(p[i], M_TEST);
		bytes -= want;
		CHECK(good, "counts", M_TEST->mt_inuse == nitems(sizes) - i - 1 &&
		    M_TEST->mt_bytes == bytes);
	}
	tap_ok(good && type_is_zero(M_TEST) && M_TEST->mt_highwater == peak,
	    "freeing them all brings inuse and bytes back to zero "
	    "(highwater %lu)", (unsigned long)peak);
}

static void
test_large(void)
{
	uint64_t req = M_TEST->mt_requests;
	void *a, *b;

	a = malloc(MALLOC_MAX_BUCKET + 1, M_TEST, M_WAITOK);
	b = malloc(100000, M_TEST, M_NOWAIT);
	tap_ok(a != NULL && b != NULL && !kmem_is_page_block(a) &&
	    !kmem_is_page_block(b) && large_count == 2,
	    "sizes above MALLOC_MAX_BUCKET come from kmem_alloc");
	tap_ok(malloc_usable_size(a) == 2 * PAGE_SIZE &&
	    malloc_usable_size(b) == round_page(100000UL),
	    "large sizes are page-rounded (%zu, %zu)", malloc_usable_size(a),
	    malloc_usable_size(b));
	tap_ok(M_TEST->mt_inuse == 2 && M_TEST->mt_requests == req + 2 &&
	    M_TEST->mt_bytes == 2 * PAGE_SIZE + round_page(100000UL),
	    "large allocations are counted in pages");
	memset(a, 1, malloc_usable_size(a));
	memset(b, 2, malloc_usable_size(b));
	free(a, M_TEST);
	free(b, M_TEST);
	tap_ok(large_count == 0 && type_is_zero(M_TEST),
	    "large frees go back to kmem_free with the right size");
}

static void
test_highwater(void)
{
	void *p[10];
	uint64_t high;
	int i;

	for (i = 0; i < 10; i++)
		p[i] = malloc(1000, M_OTHER, M_WAITOK);	/* 1024 each */
	for (i = 0; i < 5; i++)
		free(p[i], M_OTHER);
	p[0] = malloc(64, M_OTHER, M_WAITOK);
	high = M_OTHER->mt_highwater;
	tap_ok(high == 10 * 1024 && M_OTHER->mt_bytes == 5 * 1024 + 64 &&
	    M_OTHER->mt_inuse == 6, "highwater keeps the peak (%lu bytes)",
	    (unsigned long)high);
	tap_ok(M_TEST->mt_inuse == 0, "types are counted separately");
	free(p[0], M_OTHER);
	for (i = 5; i < 10; i++)
		free(p[i], M_OTHER);
	tap_ok(type_is_zero(M_OTHER) && M_OTHER->mt_highwater == high &&
	    M_OTHER->mt_requests == 11, "back to zero; highwater stays");
}

static void
test_zero(void)
{
	size_t size;
	bool good = true;
	void *p, *q;

	for (size = MALLOC_MIN_BUCKET; size <= MALLOC_MAX_BUCKET; size *= 2) {
		p = malloc(size, M_TEST, M_WAITOK);
		memset(p, 0xee, size);
		free(p, M_TEST);
		q = malloc(size, M_TEST, M_WAITOK | M_ZERO);
		CHECK(good, "same item", q == p);	/* LIFO per-cpu cache */
		CHECK(good, "zeroed", all_bytes(q, 0, size));
		free(q, M_TEST);
	}
	p = malloc(3 * PAGE_SIZE, M_TEST, M_WAITOK | M_ZERO);
	CHECK(good, "large zeroed", all_bytes(p, 0, 3 * PAGE_SIZE));
	free(p, M_TEST);
	tap_ok(good && type_is_zero(M_TEST),
	    "M_ZERO zeroes reused items of every "
	    "bucket and large allocations");
}

static void
test_realloc(void)
{
	static const size_t steps[] = {
		10, 20, 31, 60, 200, 1000, 3000, 4096, 5000, 20000, 200000,
	};
	unsigned char *p, *q;
	bool good = true;
	size_t i, j, have;

	p = realloc(NULL, 10, M_TEST, M_WAITOK);
	tap_ok(p != NULL && M_TEST->mt_inuse == 1, "realloc(NULL) is malloc");
	for (j = 0; j < 10; j++)
		p[j] = (unsigned char)(j * 7 + 1);
	have = 10;
	for (i = 1; i < nitems(steps); i++) {
		q = realloc(p, steps[i], M_TEST, M_WAITOK);
		CHECK(good, "alloc", q != NULL);
		CHECK(good, "usable", malloc_usable_size(q) >= steps[i]);
		for (j = 0; j < have; j++)
			CHECK(good, "contents", q[j] == (unsigned char)(j * 7 + 1));
		for (j = have; j < steps[i]; j++)
			q[j] = (unsigned char)(j * 7 + 1);
		have = steps[i];
		CHECK(good, "one allocation", M_TEST->mt_inuse == 1 &&
		    M_TEST->mt_bytes == malloc_usable_size(q));
		p = q;
	}
	tap_ok(good, "realloc grows 10 -> 200000 bytes keeping the contents");

	q = realloc(p, 150000, M_TEST, M_WAITOK);
	tap_ok(q == p, "shrinking by less than half stays in place");
	q = realloc(p, 50, M_TEST, M_WAITOK);
	good = q != NULL && malloc_usable_size(q) == 64;
	for (j = 0; good && j < 50; j++)
		CHECK(good, "contents", q[j] == (unsigned char)(j * 7 + 1));
	tap_ok(good && large_count == 0 && M_TEST->mt_bytes == 64,
	    "shrinking 200000 -> 50 moves to the 64 bucket, keeps the prefix");
	p = q;
	q = realloc(p, 60, M_TEST, M_WAITOK);
	tap_ok(q == p, "growing within the bucket stays in place");

	/* M_ZERO: bytes past the old usable size are zero. */
	q = realloc(p, 5000, M_TEST, M_WAITOK | M_ZERO);
	tap_ok(q != NULL && all_bytes(q + 64, 0, malloc_usable_size(q) - 64) &&
	    q[0] == 1, "realloc with M_ZERO zeroes the new tail");
	free(q, M_TEST);
	tap_ok(type_is_zero(M_TEST) && large_count == 0,
	    "realloc leaves one allocation behind, freed to zero");
}

static void
test_failures(void)
{
	uint64_t fails = M_TEST->mt_failures;
	unsigned char *p, *q;

	kmem_fail_next = 1;
	p = malloc(50000, M_TEST, M_NOWAIT);
	tap_ok(p == NULL && M_TEST->mt_failures == fails + 1 &&
	    type_is_zero(M_TEST), "a failed large malloc returns NULL, "
	    "counts a failure");

	/* Empty every bucket so the next small malloc needs a page. */
	zone_reclaim_all();
	host_page_alloc_fail_after = 0;
	p = malloc(700, M_TEST, M_NOWAIT);
	host_page_alloc_fail_after = -1;
	tap_ok(p == NULL && M_TEST->mt_failures == fails + 2 &&
	    type_is_zero(M_TEST), "a failed bucket malloc returns NULL, "
	    "counts a failure");

	p = malloc(100, M_TEST, M_WAITOK);
	memset(p, 0x33, 100);
	kmem_fail_next = 1;
	q = realloc(p, 60000, M_TEST, M_NOWAIT);
	tap_ok(q == NULL && all_bytes(p, 0x33, 100) && M_TEST->mt_inuse == 1 &&
	    M_TEST->mt_bytes == 128 && M_TEST->mt_failures == fails + 3,
	    "a failed realloc leaves the old allocation alone");
	free(p, M_TEST);
}

static void
test_misc(void)
{
	struct malloc_type *t;
	int test = 0, temp = 0, unused = 0, n = 0;
	void *p;

	free(NULL, M_TEST);
	tap_ok(malloc_usable_size(NULL) == 0 && type_is_zero(M_TEST),
	    "free(NULL) does nothing; usable size of NULL is 0");
	p = malloc(24, M_TEMP, M_WAITOK);
	free(p, M_TEMP);
	p = malloc(24, M_DEVBUF, M_WAITOK);
	free(p, M_DEVBUF);
	for (t = malloc_type_first(); t != NULL && n < 100; t = t->mt_next, n++) {
		test += t == M_TEST;
		temp += t == M_TEMP;
		unused += t == M_UNUSED;
	}
	tap_ok(test == 1 && temp == 1 && unused == 0,
	    "types register once, at first malloc");
	printf("# malloc_print_stats:\n");
	fflush(stdout);
	malloc_print_stats();
}

/* Many cpus at once: the atomic counters must still come out exact. */
#define THREADS		4
#define THREAD_OPS	20000

static void *
malloc_thread(void *arg)
{
	uint64_t seed = 0x2545f4914f6cdd1dULL * ((uintptr_t)arg + 1);
	void *slots[32] = { NULL };
	size_t size;
	int i, k;

	host_pcpu.pc_cpuid = (uint32_t)(uintptr_t)arg;
	for (i = 0; i < THREAD_OPS; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		k = (int)((seed >> 33) % 32);
		if (slots[k] != NULL) {
			free(slots[k], M_THREADS);
			slots[k] = NULL;
			continue;
		}
		size = (seed >> 40) % 64 == 0 ? 5000 + (seed >> 50) % 9000 :
		    (seed >> 40) % 3000;
		slots[k] = malloc(size, M_THREADS, M_WAITOK);
		memset(slots[k], 0x77, size);
	}
	for (k = 0; k < 32; k++)
		free(slots[k], M_THREADS);
	return NULL;
}

static void
test_threads(void)
{
	pthread_t th[THREADS];
	uintptr_t i;

	for (i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, malloc_thread, (void *)i);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	tap_ok(type_is_zero(M_THREADS) && M_THREADS->mt_failures == 0 &&
	    M_THREADS->mt_requests > THREADS * THREAD_OPS / 3 &&
	    M_THREADS->mt_highwater > 0 && large_count == 0,
	    "%d threads: counters back to zero after %lu requests", THREADS,
	    (unsigned long)M_THREADS->mt_requests);
}

static void
panic_free_zone_item(void)
{
	zone_t z = zone_create("not-malloc", 64, 0, 0);

	free(zone_alloc(z, M_WAITOK), M_TEST);
}

static void
panic_free_wrong_type(void)
{
	free(malloc(64, M_TEST, M_WAITOK), M_UNUSED);
}

static void
test_zones_settle(void)
{
	struct zone_stats st;
	uint64_t pages = 0, bucket_pages = 0;
	zone_t z;

	zone_reclaim_all();
	for (z = zone_first(); z != NULL; z = zone_next(z)) {
		zone_get_stats(z, &st);
		pages += st.pages;
		if (strncmp(st.name, "malloc-", 7) == 0)
			bucket_pages += st.pages + st.inuse;
	}
	tap_ok(bucket_pages == 0 && pages == host_pages_in_use,
	    "after zone_reclaim_all the buckets hold no pages "
	    "(%lu pages in all zones)", (unsigned long)pages);
}

int
main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	malloc_init();
	test_buckets();
	test_large();
	test_highwater();
	test_zero();
	test_realloc();
	test_failures();
	test_misc();
	test_threads();
	tap_expect_abort(panic_free_zone_item, "was not allocated by malloc",
	    "freeing a zone item that malloc did not allocate panics");
	tap_expect_abort(panic_free_wrong_type,
	    "has no allocations outstanding",
	    "freeing with the wrong type panics");
	test_zones_settle();
	tap_ok(type_is_zero(M_TEST) && type_is_zero(M_OTHER) &&
	    type_is_zero(M_TEMP) && type_is_zero(M_DEVBUF) && large_count == 0,
	    "every type is back to zero at the end");
	return tap_done();
}
