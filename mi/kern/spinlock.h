/*
 * Spin locks.
 *
 * Acquiring a spin lock disables interrupts on this hart (nested
 * acquisitions count, and the outermost release restores the state found
 * by the first), so an interrupt handler can never deadlock against the
 * code it interrupted.  The holder's cpu id is recorded for KASSERTs and
 * for panic messages, and each cpu lists the lock-order classes of the
 * spin locks it holds (pc_spin_class) for the lock checker (witness.h),
 * which also checks the order every spin lock is taken in against the
 * locks held.
 *
 * Rules: a spin lock may be taken anywhere, interrupt handlers included,
 * and with any lock held; while one is held the thread must not sleep,
 * take a sleep lock, allocate with M_WAITOK or touch user memory
 * (witness.h asserts all of these).
 */
#ifndef _KERN_SPINLOCK_H_
#define _KERN_SPINLOCK_H_

#include <kern/types.h>
#include <kern/systm.h>
#include <kern/pcpu.h>
#include <machine/cpu.h>

#define SPIN_NOOWNER	0xffff

struct spinlock {
	uint32_t	locked;		/* (A) 0 or 1 */
	uint16_t	owner;		/* cpu id of the holder, or SPIN_NOOWNER */
	uint16_t	wclass;		/* (A) its lock-order class, 0 until first taken */
	const char	*name;		/* (C) for diagnostics; the lock-order class */
};

#define SPINLOCK_INITIALIZER(n)	{ 0, SPIN_NOOWNER, 0, (n) }

void spin_init(struct spinlock *lk, const char *name);
void spin_lock(struct spinlock *lk);
bool spin_trylock(struct spinlock *lk);
void spin_unlock(struct spinlock *lk);

/* Is lk held by this cpu?  Inline: the KASSERTs of every hot path ask. */
static inline bool
spin_owned(const struct spinlock *lk)
{
	return __atomic_load_n(&lk->locked, __ATOMIC_RELAXED) &&
	    *(volatile const uint16_t *)&lk->owner == (uint16_t)cpu_id();
}

/*
 * Interrupt-disable nesting, used by spin locks and by code that must not
 * be interrupted or migrated (per-cpu caches).  Inline: every spin lock
 * pair goes through both.
 */
static inline void
critical_enter(void)
{
	bool was_on = intr_disable();
	struct pcpu *pc = curcpu();

	if (pc->pc_spin_depth++ == 0)
		pc->pc_intr_was_on = was_on;
}

static inline void
critical_exit(void)
{
	struct pcpu *pc = curcpu();

	KASSERT(!intr_enabled(), ("critical_exit: interrupts are on"));
	KASSERT(pc->pc_spin_depth > 0, ("critical_exit: not in a critical section"));
	if (--pc->pc_spin_depth == 0)
		intr_restore(pc->pc_intr_was_on);
}

#endif
