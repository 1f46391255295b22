/*
 * Spin locks and critical sections (see spinlock.h).
 */
#include <kern/spinlock.h>
#include <kern/systm.h>
#include <kern/witness.h>
#include <machine/cpu.h>

void
spin_init(struct spinlock *lk, const char *name)
{
	lk->locked = 0;
	lk->owner = SPIN_NOOWNER;
	lk->wclass = 0;
	lk->name = name;
}

/*
 * The fast paths below (spin_lock, spin_unlock) call nothing: whatever
 * is slow (a lock-order check to make, a lock released out of order)
 * goes to a function of its own as a tail call.  So they need no stack
 * frame, and are built without one (a backtrace from inside them skips
 * their caller; the slow functions have frames as usual).
 */
#define NO_FRAME	__attribute__((optimize("omit-frame-pointer")))

/*
 * Note lk, which this cpu has just taken, as held: held-list entry is
 * its class, marked WITNESS_UNCHAINED if its order is not vouched for.
 * The caller has made sure the list has room.
 */
static inline void
note_held(struct pcpu *pc, struct spinlock *lk, uint32_t entry)
{
	uint64_t n = pc->pc_spin_nheld;

	*(volatile uint16_t *)&lk->owner = (uint16_t)pc->pc_cpuid;
	pc->pc_spin_class[n] = (uint16_t)entry;
	pc->pc_spin_nheld = n + 1;
}

/* Take lk (interrupts off), spinning while someone else has it, and note it held. */
static inline void
acquire(struct pcpu *pc, struct spinlock *lk, uint32_t entry)
{
	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0) {
		while (__atomic_load_n(&lk->locked, __ATOMIC_RELAXED) != 0)
			cpu_spinwait();
	}
	note_held(pc, lk, entry);
}

/*
 * Let lk go (this cpu no longer lists it) and leave the critical
 * section: critical_exit's steps, its checks made by the caller.
 */
static inline void
release(struct pcpu *pc, struct spinlock *lk)
{
	*(volatile uint16_t *)&lk->owner = SPIN_NOOWNER;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	if (--pc->pc_spin_depth == 0)
		intr_restore(pc->pc_intr_was_on);
}

/*
 * Is anything about this acquisition unusual: lk held by this cpu
 * already (with INVARIANTS), the held list full, or an order to check
 * the slow way?  Then spin_lock_slow takes it.
 */
static inline bool
lock_needs_care(const struct pcpu *pc, const struct spinlock *lk)
{
#ifndef NO_INVARIANTS
	if (spin_owned(lk))
		return true;
#endif
	return pc->pc_spin_nheld == SPIN_HELD_MAX || !witness_order_known(pc, lk->wclass);
}

/*
 * spin_lock when lock_needs_care says so: panic on a lock taken twice or
 * one too many, else check the order the slow way (or look the class
 * up).  Reached by a tail call, so its return address is that of
 * spin_lock's caller: the place the order is learnt at.
 */
static void __attribute__((noinline))
spin_lock_slow(struct spinlock *lk)
{
	struct pcpu *pc = curcpu();

	KASSERT(!spin_owned(lk), ("spin_lock: %s already held by this cpu", lk->name));
	if (pc->pc_spin_nheld == SPIN_HELD_MAX)
		panic("spin_lock: %s: more than %d spin locks held", lk->name, SPIN_HELD_MAX);
	if (witness_order_known(pc, lk->wclass) ||
	    witness_spin_lock_slow(lk, (uintptr_t)__builtin_return_address(0))) {
		acquire(pc, lk, lk->wclass);
		return;
	}
	/* A reversal let through (a self-test): the chain is broken under this lock. */
	acquire(pc, lk, lk->wclass | WITNESS_UNCHAINED);
	pc->pc_spin_unchained++;
}

/* Calls nothing: no stack frame (the slow path is a tail call). */
void NO_FRAME
spin_lock(struct spinlock *lk)
{
	struct pcpu *pc;

	critical_enter();
	pc = curcpu();
	if (__predict_false(lock_needs_care(pc, lk))) {
		spin_lock_slow(lk);
		return;
	}
	acquire(pc, lk, lk->wclass);
}

/*
 * A try lock cannot deadlock: it is recorded as held, and teaches no
 * order; if its order after the locks held is not known, its entry is
 * marked unchained.
 */
bool
spin_trylock(struct spinlock *lk)
{
	struct pcpu *pc;
	uint32_t cls;

	critical_enter();
	if (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0) {
		critical_exit();
		return false;
	}
	pc = curcpu();
	if (pc->pc_spin_nheld == SPIN_HELD_MAX)
		panic("spin_trylock: %s: more than %d spin locks held", lk->name, SPIN_HELD_MAX);
	cls = witness_class(&lk->wclass, lk->name, 0);
	if (witness_order_known(pc, cls)) {
		note_held(pc, lk, cls);
	} else {
		note_held(pc, lk, cls | WITNESS_UNCHAINED);
		pc->pc_spin_unchained++;
	}
	return true;
}

/*
 * Is anything about this release unusual: lk not held by this cpu, or
 * not in a critical section with interrupts off (with INVARIANTS), or
 * not the last lock this cpu took, or marked unchained?  Then
 * spin_unlock_slow lets it go.
 */
static inline bool
unlock_needs_care(const struct pcpu *pc, const struct spinlock *lk)
{
	uint64_t n = pc->pc_spin_nheld;

#ifndef NO_INVARIANTS
	if (!spin_owned(lk) || intr_enabled() || pc->pc_spin_depth <= 0)
		return true;
#endif
	return n == 0 || pc->pc_spin_class[n - 1] != lk->wclass;
}

/* spin_unlock when unlock_needs_care says so. */
static void __attribute__((noinline))
spin_unlock_slow(struct spinlock *lk)
{
	struct pcpu *pc = curcpu();
	uint64_t i = pc->pc_spin_nheld;

	KASSERT(spin_owned(lk), ("spin_unlock: %s not held by this cpu", lk->name));
	KASSERT(!intr_enabled(), ("spin_unlock: %s held with interrupts on", lk->name));
	KASSERT(pc->pc_spin_depth > 0, ("spin_unlock: %s held outside a critical section",
	    lk->name));
	while (i > 0 && (pc->pc_spin_class[i - 1] & ~WITNESS_UNCHAINED) != lk->wclass)
		i--;
	if (i == 0)
		panic("spin_unlock: %s: no lock of its class held", lk->name);
	if (pc->pc_spin_class[i - 1] & WITNESS_UNCHAINED)
		pc->pc_spin_unchained--;
	for (; i < pc->pc_spin_nheld; i++)
		pc->pc_spin_class[i - 1] = pc->pc_spin_class[i];
	pc->pc_spin_nheld--;
	release(pc, lk);
}

/* Calls nothing: no stack frame (the slow path is a tail call). */
void NO_FRAME
spin_unlock(struct spinlock *lk)
{
	struct pcpu *pc = curcpu();

	if (__predict_false(unlock_needs_care(pc, lk))) {
		spin_unlock_slow(lk);
		return;
	}
	pc->pc_spin_nheld--;
	release(pc, lk);
}
