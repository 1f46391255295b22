/*
 * fs_lock: an interim sleeping lock (see fs_lock.h).
 */
#include <kern/fs_lock.h>
#include <kern/sched.h>
#include <kern/systm.h>

void
fs_lock_init(struct fs_lock *l, const char *name)
{
	spin_init(&l->fl_spin, name);
	l->fl_owner = NULL;
	l->fl_name = name;
}

/* Take l, sleeping while another thread holds it. */
void
fs_lock(struct fs_lock *l)
{
	struct thread *td = curthread();

	KASSERT(td != NULL, ("fs_lock: %s taken with no thread", l->fl_name));
	spin_lock(&l->fl_spin);
	KASSERT(l->fl_owner != td, ("fs_lock: %s already held by this thread",
	    l->fl_name));
	while (l->fl_owner != NULL)
		sleep_on(l, &l->fl_spin);
	l->fl_owner = td;
	spin_unlock(&l->fl_spin);
}

/* Take l if it is free: true if taken. */
bool
fs_trylock(struct fs_lock *l)
{
	bool taken;

	spin_lock(&l->fl_spin);
	taken = l->fl_owner == NULL;
	if (taken)
		l->fl_owner = curthread();
	spin_unlock(&l->fl_spin);
	return taken;
}

/* Release l, which this thread holds, and wake its waiters. */
void
fs_unlock(struct fs_lock *l)
{
	spin_lock(&l->fl_spin);
	KASSERT(l->fl_owner == curthread(), ("fs_unlock: %s not held by this thread",
	    l->fl_name));
	l->fl_owner = NULL;
	wakeup(l);
	spin_unlock(&l->fl_spin);
}

bool
fs_lock_owned(const struct fs_lock *l)
{
	return __atomic_load_n(&l->fl_owner, __ATOMIC_RELAXED) == curthread();
}
