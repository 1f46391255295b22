/*
 * Host unit test for the message rate limiter (mi/kern/ratelimit.c), TAP
 * output: the burst within a window, the count of what was suppressed
 * reported once by the next event let through, windows measured from
 * their first event, and a clock that reads slightly behind.
 */
#include <stdio.h>

#include <kern/systm.h>
#include <kern/ratelimit.h>

#include "host/tap.h"

#define SEC	1000000000UL

int
main(void)
{
	struct ratelimit rl = RATELIMIT_INITIALIZER("test", 5 * SEC, 3);
	uint64_t missed, total_missed = 0;
	int allowed = 0;
	bool good = true;

	tap_plan(7);
	for (int i = 0; i < 3; i++) {
		CHECK(good, "burst allowed", ratelimit_allow(&rl, 100 + (uint64_t)i, &missed));
		CHECK(good, "nothing suppressed yet", missed == 0);
	}
	tap_ok(good, "the first 3 events of a window are allowed");
	for (int i = 0; i < 1000; i++) {
		if (ratelimit_allow(&rl, SEC + (uint64_t)i * 1000, &missed))
			allowed++;
		total_missed += missed;
	}
	tap_ok(allowed == 0 && total_missed == 0,
	    "1000 more in the same window are all refused (%d allowed)", allowed);
	tap_ok(!ratelimit_allow(&rl, 5 * SEC + 99, &missed) && missed == 0,
	    "the window lasts its whole interval from its first event");
	good = ratelimit_allow(&rl, 5 * SEC + 100, &missed);
	tap_ok(good && missed == 1001,
	    "the next window's first event learns of the 1001 suppressed (%lu)", missed);
	tap_ok(ratelimit_allow(&rl, 5 * SEC + 101, &missed) && missed == 0,
	    "and the count is reported only once");
	/* Another cpu's clock may read a little earlier than the window's start. */
	tap_ok(ratelimit_allow(&rl, 5 * SEC + 50, &missed) &&
	    !ratelimit_allow(&rl, 5 * SEC + 60, &missed),
	    "a clock reading before the window's start does not open a new window");
	tap_ok(ratelimit_allow(&rl, UINT64_MAX - 1, &missed) && missed == 1,
	    "a late window opens even near the end of the clock");
	return tap_done();
}
