/*
 * Rate limits for kernel messages (see ratelimit.h).
 */
#include <kern/systm.h>
#include <kern/ratelimit.h>

bool
ratelimit_allow(struct ratelimit *rl, uint64_t now_ns, uint64_t *suppressed)
{
	bool allow;

	*suppressed = 0;
	spin_lock(&rl->rl_lock);
	/* A clock read on another cpu may be a little behind: not a new window. */
	if (!rl->rl_started || (now_ns > rl->rl_begin_ns &&
	    now_ns - rl->rl_begin_ns >= rl->rl_interval_ns)) {
		rl->rl_started = true;
		rl->rl_begin_ns = now_ns;
		rl->rl_allowed = 0;
	}
	allow = rl->rl_allowed < rl->rl_burst;
	if (allow) {
		rl->rl_allowed++;
		*suppressed = rl->rl_missed;
		rl->rl_missed = 0;
	} else {
		rl->rl_missed++;
	}
	spin_unlock(&rl->rl_lock);
	return allow;
}
