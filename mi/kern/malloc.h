/*
 * Kernel malloc with types, after malloc(9).
 *
 * Every allocation names a malloc type, which counts its requests, bytes
 * and allocations in use and the high-water mark, so a leak shows up as a
 * count that does not return to zero.  Small sizes come from power-of-two
 * bucket zones; sizes above MALLOC_MAX_BUCKET come from kmem_alloc.
 *
 * Define a type once with MALLOC_DEFINE(M_FOO, "foo", "description") and
 * declare it elsewhere with MALLOC_DECLARE(M_FOO).  Types register
 * themselves at first use.
 */
#ifndef _KERN_MALLOC_H_
#define _KERN_MALLOC_H_

#include <kern/types.h>
#include <kern/mflags.h>

/* Bucket zones hold 16, 32, ... MALLOC_MAX_BUCKET bytes (powers of two). */
#define MALLOC_MIN_BUCKET	16
#define MALLOC_MAX_BUCKET	4096

struct malloc_type {
	struct malloc_type *mt_next;	/* (G) registered types */
	const char	*mt_shortdesc;	/* (C) */
	const char	*mt_longdesc;	/* (C) */
	uint64_t	mt_inuse;	/* (A) allocations outstanding */
	uint64_t	mt_bytes;	/* (A) bytes outstanding (bucket sizes) */
	uint64_t	mt_highwater;	/* (A) largest mt_bytes seen */
	uint64_t	mt_requests;	/* (A) total successful mallocs */
	uint64_t	mt_failures;	/* (A) mallocs that returned NULL */
	uint32_t	mt_registered;	/* (A) */
};

#define MALLOC_DEFINE(type, shortdesc, longdesc) \
	struct malloc_type type[1] = { { NULL, shortdesc, longdesc, 0, 0, 0, 0, 0, 0 } }
#define MALLOC_DECLARE(type) extern struct malloc_type type[1]

MALLOC_DECLARE(M_TEMP);
MALLOC_DECLARE(M_DEVBUF);

void malloc_init(void);
void *malloc(size_t size, struct malloc_type *type, int flags);
void free(void *addr, struct malloc_type *type);
void *realloc(void *addr, size_t size, struct malloc_type *type, int flags);
size_t malloc_usable_size(const void *addr);

/* Print every registered type's statistics (like vmstat -m). */
void malloc_print_stats(void);
struct malloc_type *malloc_type_first(void);	/* for walkers; list is append-only */

#endif
