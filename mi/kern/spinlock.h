/*
 * Spin locks.
 *
 * Acquiring a spin lock disables interrupts on this hart (nested
 * acquisitions count, and the outermost release restores the state found
 * by the first), so an interrupt handler can never deadlock against the
 * code it interrupted.  The holder's cpu id is recorded for KASSERTs and
 * for panic messages, and each cpu keeps the list of the spin locks it
 * holds (pc_spin_held), for the lock checker (witness.h).
 *
 * Rules: a spin lock may be taken anywhere, interrupt handlers included,
 * and with any lock held; while one is held the thread must not sleep,
 * take a sleep lock, allocate with M_WAITOK or touch user memory
 * (witness.h asserts all of these).
 */
#ifndef _KERN_SPINLOCK_H_
#define _KERN_SPINLOCK_H_

#include <kern/types.h>

#define SPIN_NOOWNER	(-1)

struct spinlock {
	uint32_t	locked;		/* (A) 0 or 1 */
	int32_t		owner;		/* cpu id of the holder, or SPIN_NOOWNER */
	const char	*name;		/* (C) for diagnostics */
};

#define SPINLOCK_INITIALIZER(n)	{ 0, SPIN_NOOWNER, (n) }

void spin_init(struct spinlock *lk, const char *name);
void spin_lock(struct spinlock *lk);
bool spin_trylock(struct spinlock *lk);
void spin_unlock(struct spinlock *lk);
bool spin_owned(const struct spinlock *lk);	/* held by this cpu */

/*
 * Interrupt-disable nesting, used by spin locks and by code that must not
 * be interrupted or migrated (per-cpu caches).
 */
void critical_enter(void);
void critical_exit(void);

#endif
