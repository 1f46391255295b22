/*
 * Rate limits for kernel messages a user program can provoke at will (an
 * unknown system call, say), after Linux's printk_ratelimit and FreeBSD's
 * ppsratecheck: at most `burst` events are let through in any window of
 * `interval_ns`; the rest are counted, and the first event let through in
 * a later window learns how many were suppressed, so the log can say so.
 *
 * The caller passes the time, which keeps this a pure function of its
 * inputs (host-tested in tests/test_ratelimit.c).
 *
 * Locking:
 *   (l) rl_lock, a leaf spin lock
 *   (C) constant
 */
#ifndef _KERN_RATELIMIT_H_
#define _KERN_RATELIMIT_H_

#include <kern/types.h>
#include <kern/spinlock.h>

struct ratelimit {
	struct spinlock	rl_lock;
	uint64_t	rl_interval_ns;	/* (C) window length */
	uint32_t	rl_burst;	/* (C) events allowed per window */
	uint32_t	rl_allowed;	/* (l) events let through in this window */
	uint64_t	rl_begin_ns;	/* (l) start of this window */
	uint64_t	rl_missed;	/* (l) events suppressed, not yet reported */
	bool		rl_started;	/* (l) a window has begun */
};

#define RATELIMIT_INITIALIZER(name, interval, burst) \
	{ .rl_lock = SPINLOCK_INITIALIZER(name), .rl_interval_ns = (interval), \
	  .rl_burst = (burst) }

/*
 * One event at time now_ns: true if it may be logged.  When it may,
 * *suppressed is the number of events refused since the last one that
 * was allowed (then reset to 0); when it may not, *suppressed is 0.
 */
bool ratelimit_allow(struct ratelimit *rl, uint64_t now_ns, uint64_t *suppressed);

#endif
