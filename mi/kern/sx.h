/*
 * Shared/exclusive locks: held by any number of readers ("shared") or by
 * one writer ("exclusive"), and slept for, after FreeBSD's sx(9).  A
 * reader may try to upgrade to exclusive (it succeeds if it is the only
 * reader); a writer may downgrade to shared.
 *
 * Rules:
 *  - Taking one may sleep, so it is never taken with a spin lock held,
 *    in a critical section, or in interrupt context (witness.h asserts
 *    it, for the try variants too).
 *  - Other sleep locks may be held while taking one, always in the same
 *    order (the lock-order checker watches); it may be held across
 *    sleeps (I/O, other locks, condition variables).
 *  - Neither side is recursive.  A reader must not take the same lock
 *    shared again: with a writer waiting, new readers wait (so writers
 *    are not starved) and it would wait for itself.
 *  - Spin locks may be taken while holding it.
 *
 * The lock word: exclusively held, the owner's struct thread pointer;
 * otherwise SX_SHARED and the count of readers (zero: unlocked); plus
 * SX_SHARED_WAITERS and SX_EXCL_WAITERS when threads sleep for it, on
 * the lock's two sleep queues.  Unlocking prefers a waiting writer; when
 * none waits, it lets every waiting reader in.
 */
#ifndef _KERN_SX_H_
#define _KERN_SX_H_

#include <kern/types.h>

struct thread;

struct sx {
	uintptr_t	sx_lock;	/* (A) see above */
	uint32_t	sx_cpu;		/* (A) where the writer ran when it took it (a hint) */
	uint16_t	sx_class;	/* (A) lock-order class, 0 until first taken */
	const char	*sx_name;	/* (C) for diagnostics; the lock-order class */
};

#define SX_SHARED		0x1UL	/* held shared, or unlocked */
#define SX_SHARED_WAITERS	0x2UL	/* readers sleep for it */
#define SX_EXCL_WAITERS		0x4UL	/* writers sleep for it */
#define SX_FLAGS		0x7UL
#define SX_WAITERS		(SX_SHARED_WAITERS | SX_EXCL_WAITERS)
#define SX_READERS_SHIFT	3
#define SX_ONE_READER		(1UL << SX_READERS_SHIFT)
#define SX_UNLOCKED		SX_SHARED

#define SX_INITIALIZER(name)	{ SX_UNLOCKED, 0, 0, (name) }

void sx_init(struct sx *sx, const char *name);
void sx_destroy(struct sx *sx);		/* it must be unlocked */
void sx_slock(struct sx *sx);
void sx_sunlock(struct sx *sx);
void sx_xlock(struct sx *sx);
void sx_xunlock(struct sx *sx);
/* Take it, shared or exclusive, only if that needs no waiting; whether it did. */
bool sx_try_slock(struct sx *sx);
bool sx_try_xlock(struct sx *sx);
/* Shared to exclusive if this is the only reader; whether it did (else still shared). */
bool sx_try_upgrade(struct sx *sx);
/* Exclusive to shared, letting waiting readers in unless a writer waits. */
void sx_downgrade(struct sx *sx);
/* Whether the current thread holds it exclusive; whether anyone holds it shared. */
bool sx_xlocked(const struct sx *sx);
bool sx_slocked_by_any(const struct sx *sx);

#endif
