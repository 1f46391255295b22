/*
 * malloc.c: a size-class allocator over mmap (single-threaded).
 *
 * Every block starts with a 16-byte header giving its class.  Small
 * blocks come in power-of-two sizes from 32 bytes to 32 KiB (header
 * included); each class owns 64 KiB runs carved from 1 MiB chunks and
 * keeps freed blocks on a list.  Anything larger is its own mapping,
 * returned with munmap when freed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define HDR		16
#define MIN_SHIFT	5			/* 32-byte blocks */
#define NCLASS		11			/* ... up to 32 KiB */
#define RUN_SIZE	(64 * 1024)
#define CHUNK_SIZE	(1024 * 1024)
#define PAGE		4096
#define LARGE		0xffff			/* class of a large block */
#define MAGIC		0xa110c000

struct hdr {
	size_t size;		/* usable bytes after the header */
	uint32_t class;		/* 0..NCLASS-1, or LARGE */
	uint32_t magic;
};

struct freeblk {
	struct freeblk *next;
};

static struct freeblk *freelist[NCLASS];
static char *chunk_next, *chunk_end;	/* unused part of the current chunk */

static size_t
class_size(int c)
{
	return (size_t)1 << (c + MIN_SHIFT);
}

/* The smallest class whose blocks hold n bytes plus the header, or -1. */
static int
size_to_class(size_t n)
{
	int c;

	for (c = 0; c < NCLASS; c++) {
		if (n + HDR <= class_size(c))
			return c;
	}
	return -1;
}

static void *
map(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Takes a run from the current chunk and splits it into free blocks. */
static int
refill(int c)
{
	size_t bs = class_size(c);
	char *run, *p;

	if (chunk_next == NULL || chunk_end - chunk_next < RUN_SIZE) {
		chunk_next = map(CHUNK_SIZE);
		if (chunk_next == NULL)
			return -1;
		chunk_end = chunk_next + CHUNK_SIZE;
	}
	run = chunk_next;
	chunk_next += RUN_SIZE;
	for (p = run + RUN_SIZE - bs; p >= run; p -= bs) {
		((struct freeblk *)p)->next = freelist[c];
		freelist[c] = (struct freeblk *)p;
	}
	return 0;
}

static void *
large_alloc(size_t n)
{
	size_t len;
	struct hdr *h;

	if (n > SIZE_MAX - HDR - PAGE)
		return NULL;
	len = (n + HDR + PAGE - 1) & ~(size_t)(PAGE - 1);
	h = map(len);
	if (h == NULL)
		return NULL;
	h->size = len - HDR;
	h->class = LARGE;
	h->magic = MAGIC;
	return (char *)h + HDR;
}

void *
malloc(size_t n)
{
	int c = size_to_class(n);
	struct hdr *h;

	if (c < 0)
		return large_alloc(n);
	if (freelist[c] == NULL && refill(c) < 0)
		return NULL;
	h = (struct hdr *)freelist[c];
	freelist[c] = freelist[c]->next;
	h->size = class_size(c) - HDR;
	h->class = c;
	h->magic = MAGIC;
	return (char *)h + HDR;
}

static struct hdr *
header(void *p)
{
	struct hdr *h = (struct hdr *)((char *)p - HDR);

	if (h->magic != MAGIC)
		abort();	/* not ours, or already freed */
	return h;
}

void
free(void *p)
{
	struct hdr *h;
	struct freeblk *b;

	if (p == NULL)
		return;
	h = header(p);
	h->magic = 0;
	if (h->class == LARGE) {
		munmap(h, h->size + HDR);
		return;
	}
	b = (struct freeblk *)h;
	b->next = freelist[h->class];
	freelist[h->class] = b;
}

size_t
malloc_usable_size(void *p)
{
	return p == NULL ? 0 : header(p)->size;
}

void *
calloc(size_t count, size_t size)
{
	void *p;

	if (size != 0 && count > SIZE_MAX / size)
		return NULL;
	p = malloc(count * size);
	if (p != NULL)
		memset(p, 0, count * size);
	return p;
}

void *
realloc(void *p, size_t n)
{
	size_t have;
	void *q;

	if (p == NULL)
		return malloc(n);
	if (n == 0) {
		free(p);
		return NULL;
	}
	have = malloc_usable_size(p);
	if (n <= have && n >= have / 4)
		return p;
	q = malloc(n);
	if (q == NULL)
		return NULL;
	memcpy(q, p, n < have ? n : have);
	free(p);
	return q;
}
