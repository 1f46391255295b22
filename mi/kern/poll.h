/*
 * Waiting for files to become ready: what a kind of file does for
 * ppoll(2) and pselect6(2) (after 4.4BSD's selinfo and selrecord, and
 * Linux's poll tables).
 *
 * A kind's fo_poll(fp, events, pw) answers "what is possible now" as a
 * mask of POLL* bits (uapi/poll.h), and first, when pw is not NULL,
 * records the poller on the selinfo of its object with selrecord(pw,
 * si).  Whenever the object's state changes in a way that can make a
 * poller's answer change (data arrives, room appears, an end closes), the
 * code that changed it calls selwakeup(si) afterwards.  A poller records
 * itself before it looks at the state, and a changer changes the state
 * before it wakes: either the poller sees the new state, or its record
 * is already there to be woken.  The poller then sleeps only if no
 * wakeup has come since it started looking (pollwait's triggered flag).
 *
 * One selinfo per object is enough: a wakeup only makes pollers look
 * again, so waking a reader when only room for writing appeared costs a
 * scan, never a wrong answer.  A file's fo_poll records on at most one
 * selinfo per call.
 *
 * Records live as long as the poll call: the poller holds a reference to
 * every file it polls, so an object cannot be freed while records are on
 * its selinfo; seldrain asserts that none is left when it is.
 *
 * Locking: si_lock, a spin lock, guards a selinfo's records; selwakeup
 * may be called from interrupt handlers and with other spin locks held
 * (it takes si_lock, then the scheduler's).  selrecord must not be called
 * with a lock the waker holds while it calls selwakeup.
 */
#ifndef _KERN_POLL_H_
#define _KERN_POLL_H_

#include <kern/types.h>
#include <kern/list.h>
#include <kern/spinlock.h>
#include <uapi/poll.h>

/* What a file with no fo_poll always answers (Linux's DEFAULT_POLLMASK). */
#define POLL_DEFAULT_MASK	(POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

struct selinfo {
	struct spinlock	si_lock;
	struct list_node si_records;	/* (si_lock) pollers' struct selrecord */
};

struct pollwait;			/* one poll call's waiting state (sys_poll.c) */

void selinfo_init(struct selinfo *si, const char *name);
/* The object is going away: no poller may still be recorded on it. */
void seldrain(struct selinfo *si);
/* Record the poller pw (NULL: none, nothing to do) on si. */
void selrecord(struct pollwait *pw, struct selinfo *si);
/* Make every poller recorded on si look again. */
void selwakeup(struct selinfo *si);

#endif
