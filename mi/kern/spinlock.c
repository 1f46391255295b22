/*
 * Spin locks and critical sections (see spinlock.h).
 */
#include <kern/spinlock.h>
#include <kern/systm.h>
#include <machine/cpu.h>

void
spin_init(struct spinlock *lk, const char *name)
{
	lk->locked = 0;
	lk->owner = SPIN_NOOWNER;
	lk->name = name;
}

void
critical_enter(void)
{
	bool was_on = intr_disable();
	struct pcpu *pc = curcpu();

	if (pc->pc_spin_depth++ == 0)
		pc->pc_intr_was_on = was_on;
}

void
critical_exit(void)
{
	struct pcpu *pc = curcpu();

	KASSERT(!intr_enabled(), ("critical_exit: interrupts are on"));
	KASSERT(pc->pc_spin_depth > 0, ("critical_exit: not in a critical section"));
	if (--pc->pc_spin_depth == 0)
		intr_restore(pc->pc_intr_was_on);
}

/* This cpu now holds lk. */
static inline void
held_push(struct pcpu *pc, const struct spinlock *lk)
{
	if (__predict_false(pc->pc_spin_nheld == SPIN_HELD_MAX))
		panic("spin_lock: %s: more than %d spin locks held", lk->name, SPIN_HELD_MAX);
	pc->pc_spin_held[pc->pc_spin_nheld++] = lk;
}

/* This cpu no longer holds lk (most often the last one it took). */
static inline void
held_remove(struct pcpu *pc, const struct spinlock *lk)
{
	uint32_t i = pc->pc_spin_nheld;

	while (i > 0 && pc->pc_spin_held[i - 1] != lk)
		i--;
	KASSERT(i > 0, ("spin_unlock: %s is not on this cpu's list", lk->name));
	for (; i < pc->pc_spin_nheld; i++)
		pc->pc_spin_held[i - 1] = pc->pc_spin_held[i];
	pc->pc_spin_nheld--;
}

bool
spin_owned(const struct spinlock *lk)
{
	return __atomic_load_n(&lk->locked, __ATOMIC_RELAXED) &&
	    __atomic_load_n(&lk->owner, __ATOMIC_RELAXED) == (int32_t)cpu_id();
}

void
spin_lock(struct spinlock *lk)
{
	critical_enter();
	KASSERT(!spin_owned(lk), ("spin_lock: %s already held by this cpu",
	    lk->name));
	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0) {
		while (__atomic_load_n(&lk->locked, __ATOMIC_RELAXED) != 0)
			cpu_spinwait();
	}
	__atomic_store_n(&lk->owner, (int32_t)cpu_id(), __ATOMIC_RELAXED);
	held_push(curcpu(), lk);
}

bool
spin_trylock(struct spinlock *lk)
{
	critical_enter();
	if (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0) {
		critical_exit();
		return false;
	}
	__atomic_store_n(&lk->owner, (int32_t)cpu_id(), __ATOMIC_RELAXED);
	held_push(curcpu(), lk);
	return true;
}

void
spin_unlock(struct spinlock *lk)
{
	KASSERT(spin_owned(lk), ("spin_unlock: %s not held by this cpu",
	    lk->name));
	held_remove(curcpu(), lk);
	__atomic_store_n(&lk->owner, SPIN_NOOWNER, __ATOMIC_RELAXED);
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	critical_exit();
}
