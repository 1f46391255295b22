/*
 * Kernel malloc(9) for host tests of MI code that allocates with types,
 * built with -Dmalloc=kmalloc -Dfree=kfree: each allocation is an
 * ordinary heap block, so AddressSanitizer sees overruns and leaks, and
 * each type counts what it has outstanding.  host_kmalloc_fail_after
 * makes allocations fail, for error paths.
 */
#include <stdlib.h>
#include <string.h>

#define malloc kmalloc
#define free kfree
#define realloc krealloc
#define malloc_usable_size kmalloc_usable_size
#include <kern/malloc.h>
#undef malloc
#undef free
#undef realloc
#undef malloc_usable_size

#include "host_kmalloc.h"

int host_kmalloc_fail_after = -1;
uint64_t host_kmalloc_outstanding;

void *
kmalloc(size_t size, struct malloc_type *type, int flags)
{
	void *p;

	if (host_kmalloc_fail_after == 0) {
		__atomic_fetch_add(&type->mt_failures, 1, __ATOMIC_RELAXED);
		return NULL;
	}
	if (host_kmalloc_fail_after > 0)
		host_kmalloc_fail_after--;
	if ((p = malloc(size != 0 ? size : 1)) == NULL)
		abort();
	/* Fill what the caller did not ask to be zeroed, to catch its readers. */
	memset(p, (flags & M_ZERO) ? 0 : 0xa5, size);
	__atomic_fetch_add(&type->mt_inuse, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&type->mt_requests, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&host_kmalloc_outstanding, 1, __ATOMIC_RELAXED);
	return p;
}

void
kfree(void *addr, struct malloc_type *type)
{
	if (addr == NULL)
		return;
	__atomic_fetch_sub(&type->mt_inuse, 1, __ATOMIC_RELAXED);
	__atomic_fetch_sub(&host_kmalloc_outstanding, 1, __ATOMIC_RELAXED);
	free(addr);
}
