/*
 * Byte-range record locks, as fcntl(2) sets them (F_SETLK, F_SETLKW,
 * F_GETLK and the open-file-description F_OFD_* variants), with Linux's
 * semantics; FreeBSD's kern_lockf.c is the model.
 *
 * A lock covers the bytes [start, end] of one lockable object (a vnode,
 * or a pipe: whatever a file is open on) and belongs to an owner:
 *
 *   POSIX  the descriptor table of the process that set it (Linux's
 *          fl_owner is the files_struct): it is released when that
 *          process closes ANY descriptor of the object, even while other
 *          descriptors stay open, and at exit; a child of fork has none.
 *   OFD    the open file description (struct file): shared by dup and
 *          fork, released when the last reference to the file goes.
 *
 * One owner's locks never conflict with each other: a new lock replaces
 * whatever the owner held in its range, and the owner's locks of one type
 * that touch or overlap are merged; unlocking part of a lock splits it.
 * Locks of different owners conflict when they overlap and either is a
 * write lock; POSIX and OFD locks are different owners even in one
 * process.
 *
 * Waiting (F_SETLKW) is interruptible.  A POSIX request that would wait
 * for a chain of POSIX owners, each waiting for the next, ending in the
 * requester fails with EDEADLK instead (Linux follows up to
 * LOCKF_DEADLOCK_DEPTH links, and does not look at OFD locks).
 *
 * The state of an object (struct lockf_state) exists while it has locks
 * or waiters, in a hash table keyed by the object's address, so nothing
 * in the object itself is needed.  The number of lock records in the
 * system is capped at LOCKF_MAX_RECORDS (ENOLCK beyond), so a program
 * cannot exhaust kernel memory by splitting locks.
 *
 * Locking: one spin lock, lockf_lock, guards every object's state, the
 * hash table and the waiters (deadlock detection needs the global view).
 * Nothing sleeps holding it except through sleep_on_intr, which drops it.
 */
#ifndef _KERN_LOCKF_H_
#define _KERN_LOCKF_H_

#include <kern/types.h>

#define LOCKF_EOF		INT64_MAX	/* an end that runs to the end of file */
#define LOCKF_DEADLOCK_DEPTH	10		/* links followed looking for a cycle */
#ifndef LOCKF_MAX_RECORDS			/* (the host test makes it small) */
#define LOCKF_MAX_RECORDS	65536		/* lock records in the whole system */
#endif

enum lockf_flavor { LOCKF_POSIX, LOCKF_OFD };

struct lockf_owner {
	const void	*lo_id;		/* POSIX: the descriptor table; OFD: the file */
	enum lockf_flavor lo_flavor;
	int		lo_pid;		/* who sets it (F_GETLK's l_pid, /proc/locks) */
};

/* A range and type; type is F_RDLCK, F_WRLCK or F_UNLCK (uapi/fcntl.h). */
struct lockf_range {
	int		lr_type;
	int64_t		lr_start;	/* first byte, >= 0 */
	int64_t		lr_end;		/* last byte (>= lr_start), or LOCKF_EOF */
};

/* Where an object's locks are, for /proc/locks (its st_dev and st_ino). */
struct lockf_ident {
	uint32_t	li_dev;
	uint64_t	li_ino;
};

/*
 * Set (or, with F_UNLCK, remove) owner's lock on range of obj.  If
 * another owner's lock conflicts: EAGAIN, or with wait, sleep until none
 * does (EINTR if a signal comes first; EDEADLK if a POSIX owner would
 * wait for itself).  ENOLCK when the record limit or memory runs out.
 * No locks held; may sleep.
 */
int lockf_set(const void *obj, const struct lockf_ident *ident,
    const struct lockf_owner *owner, const struct lockf_range *range, bool wait);

/*
 * F_GETLK: true if a lock of another owner conflicts with range, which
 * is then described in *conflict (its type and extent) and *pid (-1 for
 * an OFD lock).  range->lr_type is F_RDLCK or F_WRLCK.
 */
bool lockf_test(const void *obj, const struct lockf_owner *owner,
    const struct lockf_range *range, struct lockf_range *conflict, int *pid);

/* Remove every lock owner_id (of flavor) holds on obj (close, exit). */
void lockf_release(const void *obj, const void *owner_id, enum lockf_flavor flavor);

/* One line of /proc/locks: a lock, or a request waiting for it (waiting). */
struct lockf_info {
	uint32_t	id;		/* the lock's number (a waiter has its blocker's) */
	bool		waiting;
	enum lockf_flavor flavor;
	int		type;
	int		pid;		/* -1 for OFD locks, as Linux shows them */
	struct lockf_ident ident;
	int64_t		start;
	int64_t		end;
};

/*
 * Call fn for every lock, each followed by the requests waiting for it,
 * under lockf_lock: fn must not sleep.
 */
void lockf_foreach(void (*fn)(void *arg, const struct lockf_info *info), void *arg);

/* Lock records in use (tests, and the limit). */
uint64_t lockf_record_count(void);

#endif
