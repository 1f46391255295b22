/*
 * fs_lock: the sleeping exclusive lock of the buffer cache and the file
 * systems on disk.  Unlike a spin lock it may be held across a sleep,
 * above all across disk I/O (a buffer is locked while it is read).
 *
 * INTERIM.  The kernel's sleep locks (struct mtx, struct sx and condition
 * variables) are being written on branch sleep9; until they land this is
 * xv6's sleep lock: a spin lock guarding an owner field, and sleep_on /
 * wakeup on the lock's address.  It has no priority propagation, no
 * lock-order checking and no adaptive spinning.  When sleep9 lands, the
 * functions below become sx_xlock/sx_xunlock/sx_xlocked (an sx, not a
 * mutex, because holders sleep on I/O) and this header goes away.  The
 * host tests run this same code; tests/host/host_sleep.c provides
 * sleep_on, wakeup and curthread over pthreads.
 *
 * Rules: never taken from interrupt context or with a spin lock held;
 * not recursive.
 */
#ifndef _KERN_FS_LOCK_H_
#define _KERN_FS_LOCK_H_

#include <kern/types.h>
#include <kern/spinlock.h>

struct thread;

struct fs_lock {
	struct spinlock	fl_spin;	/* guards fl_owner */
	struct thread	*fl_owner;	/* (fl_spin) the holder, or NULL */
	const char	*fl_name;	/* (C) */
};

void fs_lock_init(struct fs_lock *l, const char *name);
void fs_lock(struct fs_lock *l);		/* may sleep */
bool fs_trylock(struct fs_lock *l);
void fs_unlock(struct fs_lock *l);
bool fs_lock_owned(const struct fs_lock *l);	/* held by this thread */

#endif
