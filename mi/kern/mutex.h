/*
 * Sleep mutexes: a lock that one thread holds at a time, and that a
 * thread which finds it taken waits for by sleeping, after spinning a
 * little while the owner is running on another cpu (it may be about to
 * let go).  The owner is recorded.  After FreeBSD's mtx(9) (MTX_DEF)
 * and Linux's mutex.
 *
 * Rules:
 *  - Taking one may sleep, so it is never taken with a spin lock held,
 *    in a critical section, or in interrupt context (witness.h asserts
 *    it, for mtx_trylock too).
 *  - Other sleep locks (mutexes, sx locks) may be held while taking one,
 *    always in the same order (the lock-order checker watches).
 *  - It may be held across a sleep (waiting for another lock, a
 *    condition variable of another lock, I/O); its waiters then sleep.
 *  - Only the owner unlocks it; it is not recursive.
 *  - Spin locks may be taken while holding it.
 *
 * The lock word holds the owner (a struct thread pointer, 8-byte
 * aligned) and MTX_WAITERS, set when threads may be asleep on the
 * mutex's sleep queue (whose wait channel is the mutex itself); with the
 * bit clear, locking and unlocking is one compare-and-swap each.
 */
#ifndef _KERN_MUTEX_H_
#define _KERN_MUTEX_H_

#include <kern/types.h>

struct thread;

struct mtx {
	uintptr_t	mtx_lock;	/* (A) owner | MTX_WAITERS, or MTX_UNOWNED */
	uint32_t	mtx_cpu;	/* (A) where the owner ran when it took it (a hint) */
	uint16_t	mtx_class;	/* (A) lock-order class, 0 until first taken */
	const char	*mtx_name;	/* (C) for diagnostics; the lock-order class */
};

#define MTX_UNOWNED	0UL
#define MTX_WAITERS	0x1UL		/* someone may sleep for it */
#define MTX_FLAGS	0x7UL		/* low bits that are not the owner */

#define MTX_INITIALIZER(name)	{ MTX_UNOWNED, 0, 0, (name) }

void mtx_init(struct mtx *m, const char *name);
/* A mutex about to be freed: it must be unowned. */
void mtx_destroy(struct mtx *m);
void mtx_lock(struct mtx *m);
/* Take m only if that needs no waiting; whether it did. */
bool mtx_trylock(struct mtx *m);
void mtx_unlock(struct mtx *m);
/* Whether the current thread owns m. */
bool mtx_owned(const struct mtx *m);
struct thread *mtx_owner(const struct mtx *m);

#endif
