/*
 * Fast user-space mutexes: FUTEX_WAIT, FUTEX_WAKE and their _BITSET
 * forms.  A futex is named as Linux names it, never by where its page
 * happens to be in memory (pages move: copy-on-write, paging): a word in
 * a shared mapping by the object mapped and the word's offset in it, so
 * every process that maps the object meets there, wherever it maps it;
 * a word in a private mapping, or any used with FUTEX_PRIVATE_FLAG, by
 * the address space and the word's address.
 */
#ifndef _KERN_FUTEX_H_
#define _KERN_FUTEX_H_

#include <kern/types.h>

struct vmspace;

/*
 * Wake up to n waiters on the futex at uaddr in vm (named as without
 * FUTEX_PRIVATE_FLAG, as Linux's CLONE_CHILD_CLEARTID wake); returns how
 * many.  The word must be mapped (the caller has just written it).
 */
int futex_wake_addr(struct vmspace *vm, vaddr_t uaddr, int n);

#endif
