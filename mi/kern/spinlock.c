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

/* Take lk (interrupts off) and note it as held, of class cls. */
static inline void
acquire(struct pcpu *pc, struct spinlock *lk, uint32_t cls)
{
	uint32_t n;

	while (__atomic_exchange_n(&lk->locked, 1, __ATOMIC_ACQUIRE) != 0) {
		while (__atomic_load_n(&lk->locked, __ATOMIC_RELAXED) != 0)
			cpu_spinwait();
	}
	*(volatile int16_t *)&lk->owner = (int16_t)pc->pc_cpuid;
	n = pc->pc_spin_nheld;
	if (__predict_false(n == SPIN_HELD_MAX))
		panic("spin_lock: %s: more than %d spin locks held", lk->name, SPIN_HELD_MAX);
	pc->pc_spin_class[n] = (uint16_t)cls;
	pc->pc_spin_nheld = n + 1;
}

/* Let lk go (this cpu no longer lists it) and leave the critical section. */
static inline void
release(struct spinlock *lk)
{
	*(volatile int16_t *)&lk->owner = SPIN_NOOWNER;
	__atomic_store_n(&lk->locked, 0, __ATOMIC_RELEASE);
	critical_exit();
}

bool
spin_owned(const struct spinlock *lk)
{
	return __atomic_load_n(&lk->locked, __ATOMIC_RELAXED) &&
	    __atomic_load_n(&lk->owner, __ATOMIC_RELAXED) == (int16_t)cpu_id();
}

/*
 * spin_lock when the order must be checked the slow way (or the class
 * looked up).  Reached by a tail call, so its return address is that of
 * spin_lock's caller: the place the order is learnt at.
 */
static void __attribute__((noinline))
spin_lock_checked(struct spinlock *lk)
{
	witness_spin_lock_slow(lk, (uintptr_t)__builtin_return_address(0));
	acquire(curcpu(), lk, lk->wclass);
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

/* A try lock cannot deadlock: it is recorded as held, its order is not checked. */
bool
spin_trylock(struct spinlock *lk)
{
	critical_enter();
	if (__atomic_load_n(&lk->locked, __ATOMIC_RELAXED) != 0) {
		critical_exit();
		return false;
	}
	acquire(curcpu(), lk, witness_class(&lk->wclass, lk->name, 0));
	return true;
}

/* spin_unlock of a lock that is not the last this cpu took. */
static void __attribute__((noinline))
spin_unlock_out_of_order(struct spinlock *lk)
{
	struct pcpu *pc = curcpu();
	uint32_t i = pc->pc_spin_nheld;

	while (i > 0 && pc->pc_spin_class[i - 1] != lk->wclass)
		i--;
	if (i == 0)
		panic("spin_unlock: %s: no lock of its class held", lk->name);
	for (; i < pc->pc_spin_nheld; i++)
		pc->pc_spin_class[i - 1] = pc->pc_spin_class[i];
	pc->pc_spin_nheld--;
	release(lk);
}

void NO_FRAME
spin_unlock(struct spinlock *lk)
{
	struct pcpu *pc = curcpu();
	uint32_t n = pc->pc_spin_nheld;

	KASSERT(spin_owned(lk), ("spin_unlock: %s not held by this cpu", lk->name));
	if (__predict_false(n == 0 || pc->pc_spin_class[n - 1] != lk->wclass)) {
		spin_unlock_out_of_order(lk);
		return;
	}
	pc->pc_spin_nheld = n - 1;
	release(lk);
}
