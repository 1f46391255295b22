/*
 * Fast user-space mutexes: FUTEX_WAIT and FUTEX_WAKE.  A futex is named
 * by the physical address of its word, so processes sharing a page
 * (MAP_SHARED) share futexes, and private pages work the same way.
 */
#ifndef _KERN_FUTEX_H_
#define _KERN_FUTEX_H_

#include <kern/types.h>

struct vmspace;

/* Wake up to n waiters on the futex at uaddr in vm; returns how many. */
int futex_wake_addr(struct vmspace *vm, vaddr_t uaddr, int n);

#endif
