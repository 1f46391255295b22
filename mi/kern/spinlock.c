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
 */
static inline void
note_held(struct pcpu *pc, struct spinlock *lk, uint32_t entry)
{
	uint64_t n = pc->pc_spin_nheld;

	*(volatile int16_t *)&lk->owner = (int16_t)pc->pc_cpuid;
	if (__predict_false(n == SPIN_HELD_MAX))
		panic("spin_lock: %s: more than %d spin locks held", lk->name, SPIN_HELD_MAX);
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

/* Let lk go (this cpu no longer lists it) and leave the critical section. */
static inline void
release(struct spinlock *lk)
{
	*(volatile int16_t *)&lk->owner = SPIN_NOOWNER;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	critical_exit();
}

/*
 * spin_lock when the order must be checked the slow way (or the class
 * looked up).  Reached by a tail call, so its return address is that of
 * spin_lock's caller: the place the order is learnt at.
 */
static void __attribute__((noinline))
spin_lock_checked(struct spinlock *lk)
{
	struct pcpu *pc;

	if (witness_spin_lock_slow(lk, (uintptr_t)__builtin_return_address(0))) {
		acquire(curcpu(), lk, lk->wclass);
		return;
	}
	/* A reversal let through (a self-test): the chain is broken under this lock. */
	pc = curcpu();
	acquire(pc, lk, lk->wclass | WITNESS_UNCHAINED);
	pc->pc_spin_unchained++;
}

void NO_FRAME
spin_lock(struct spinlock *lk)
{
	struct pcpu *pc;

	critical_enter();
	pc = curcpu();
	KASSERT(!spin_owned(lk), ("spin_lock: %s already held by this cpu", lk->name));
	if (__predict_false(!witness_order_known(pc, lk->wclass))) {
		spin_lock_checked(lk);
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
	cls = witness_class(&lk->wclass, lk->name, 0);
	if (witness_order_known(pc, cls)) {
		note_held(pc, lk, cls);
	} else {
		note_held(pc, lk, cls | WITNESS_UNCHAINED);
		pc->pc_spin_unchained++;
	}
	return true;
}

/* spin_unlock of a lock that is not the last this cpu took, or is marked unchained. */
static void __attribute__((noinline))
spin_unlock_slow(struct spinlock *lk)
{
	struct pcpu *pc = curcpu();
	uint64_t i = pc->pc_spin_nheld;

	while (i > 0 && (pc->pc_spin_class[i - 1] & ~WITNESS_UNCHAINED) != lk->wclass)
		i--;
	if (i == 0)
		panic("spin_unlock: %s: no lock of its class held", lk->name);
	if (pc->pc_spin_class[i - 1] & WITNESS_UNCHAINED)
		pc->pc_spin_unchained--;
	for (; i < pc->pc_spin_nheld; i++)
		pc->pc_spin_class[i - 1] = pc->pc_spin_class[i];
	pc->pc_spin_nheld--;
	release(lk);
}

void NO_FRAME
spin_unlock(struct spinlock *lk)
{
	struct pcpu *pc = curcpu();
	uint64_t n = pc->pc_spin_nheld;

	KASSERT(spin_owned(lk), ("spin_unlock: %s not held by this cpu", lk->name));
	if (__predict_false(n == 0 || pc->pc_spin_class[n - 1] != lk->wclass)) {
		spin_unlock_slow(lk);
		return;
	}
	pc->pc_spin_nheld = n - 1;
	release(lk);
}
