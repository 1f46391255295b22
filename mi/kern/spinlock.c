/*
 * Spin locks and critical sections (see spinlock.h).
 *
 * Every lock and unlock enters or leaves a critical section, so both
 * are written once, inline, and used by the exported functions and by the
 * locks alike; the locks look at this cpu's struct pcpu once.
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

/* Interrupts off, one level deeper; returns this cpu (fixed from here on). */
static inline struct pcpu *
crit_enter(void)
{
	bool was_on = intr_disable();
	struct pcpu *pc = curcpu();

	if (pc->pc_spin_depth++ == 0)
		pc->pc_intr_was_on = was_on;
	return pc;
}

/* One level out of pc's (this cpu's) critical sections; interrupts back on at the last. */
static inline void
crit_exit(struct pcpu *pc)
{
	KASSERT(!intr_enabled(), ("critical_exit: interrupts are on"));
	KASSERT(pc->pc_spin_depth > 0, ("critical_exit: not in a critical section"));
	if (--pc->pc_spin_depth == 0)
		intr_restore(pc->pc_intr_was_on);
}

/* Whether lk is held by cpu (this one). */
static inline bool
owned_by(const struct spinlock *lk, int32_t cpu)
{
	return __atomic_load_n(&lk->locked, __ATOMIC_RELAXED) &&
	    __atomic_load_n(&lk->owner, __ATOMIC_RELAXED) == cpu;
}

void
critical_enter(void)
{
	(void)crit_enter();
}

void
critical_exit(void)
{
	crit_exit(curcpu());
}

bool
spin_owned(const struct spinlock *lk)
{
	return owned_by(lk, (int32_t)cpu_id());
}

void
spin_lock(struct spinlock *lk)
{
	struct pcpu *pc = crit_enter();

	KASSERT(!owned_by(lk, (int32_t)pc->pc_cpuid), ("spin_lock: %s already held by this cpu",
	    lk->name));
	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0) {
		while (__atomic_load_n(&lk->locked, __ATOMIC_RELAXED) != 0)
			cpu_spinwait();
	}
	__atomic_store_n(&lk->owner, (int32_t)pc->pc_cpuid, __ATOMIC_RELAXED);
}

bool
spin_trylock(struct spinlock *lk)
{
	struct pcpu *pc = crit_enter();

	if (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0) {
		crit_exit(pc);
		return false;
	}
	__atomic_store_n(&lk->owner, (int32_t)pc->pc_cpuid, __ATOMIC_RELAXED);
	return true;
}

void
spin_unlock(struct spinlock *lk)
{
	struct pcpu *pc = curcpu();

	KASSERT(owned_by(lk, (int32_t)pc->pc_cpuid), ("spin_unlock: %s not held by this cpu",
	    lk->name));
	__atomic_store_n(&lk->owner, SPIN_NOOWNER, __ATOMIC_RELAXED);
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	crit_exit(pc);
}
