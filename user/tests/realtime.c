/*
 * realtime: the time of day.  On QEMU's virt machine the kernel reads it
 * from the device tree's google,goldfish-rtc at boot, so CLOCK_REALTIME
 * is today, not 1970; gettimeofday and CLOCK_REALTIME_COARSE agree with
 * it, it moves with CLOCK_MONOTONIC, /proc/stat's btime is its start,
 * absolute sleeps against it end on time, and only root may set it
 * (clock_settime, settimeofday), only it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

#define Y2024		1704067200L	/* 2024-01-01T00:00:00Z */
#define Y2000		946684800L	/* 2000-01-01T00:00:00Z */
#define MS		1000000L

static long
ns_of(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void
test_reading(void)
{
	struct timeval tv;
	long real = ns_of(CLOCK_REALTIME), coarse = ns_of(CLOCK_REALTIME_COARSE);
	long diff0 = ns_of(CLOCK_REALTIME) - ns_of(CLOCK_MONOTONIC), diff1;
	struct timespec nap = { 0, 200 * MS };
	char stat[4096], *btime;

	tap_ok(real / 1000000000L > Y2024, "CLOCK_REALTIME is the time of day, not 1970 (%ld s)",
	    real / 1000000000L);
	gettimeofday(&tv, NULL);
	tap_ok(labs(tv.tv_sec - real / 1000000000L) <= 1 &&
	    labs(coarse - real) < 1000 * MS, "gettimeofday and CLOCK_REALTIME_COARSE agree (%ld s)",
	    (long)tv.tv_sec);
	nanosleep(&nap, NULL);
	diff1 = ns_of(CLOCK_REALTIME) - ns_of(CLOCK_MONOTONIC);
	tap_ok(labs(diff1 - diff0) < 50 * MS, "it moves with CLOCK_MONOTONIC (%ld ns apart)",
	    diff1 - diff0);
	if (read_text_file("/proc/stat", stat, sizeof(stat)) > 0 &&
	    (btime = strstr(stat, "\nbtime ")) != NULL)
		tap_ok(labs(strtol(btime + 7, NULL, 10) - (ns_of(CLOCK_REALTIME) -
		    ns_of(CLOCK_BOOTTIME)) / 1000000000L) <= 2,
		    "/proc/stat's btime is when the time of day says the boot was");
	else
		tap_ok(0, "/proc/stat has a btime line");
}

static void
test_absolute_sleep(void)
{
	struct timespec until;
	long start = ns_of(CLOCK_MONOTONIC), slept;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += 150 * MS;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &until, NULL);
	slept = ns_of(CLOCK_MONOTONIC) - start;
	tap_ok(slept >= 140 * MS && slept < 2000 * MS,
	    "clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME) wakes at that time of day (%ld ms)",
	    slept / MS);
}

static int
settime_unprivileged(void *arg)
{
	struct timespec ts = { Y2000, 0 };
	struct timeval tv = { Y2000, 0 };

	(void)arg;
	if (setuid(1000) != 0)
		return 1;
	if (clock_settime(CLOCK_REALTIME, &ts) != -1 || errno != EPERM)
		return 2;
	if (settimeofday(&tv, NULL) != -1 || errno != EPERM)
		return 3;
	return 0;
}

static void
test_setting(void)
{
	struct timespec ts = { Y2000, 0 }, back;
	long saved, mono;
	int st;

	tap_ok(clock_settime(CLOCK_MONOTONIC, &ts) == -1 && errno == EINVAL,
	    "only CLOCK_REALTIME can be set (EINVAL)");
	st = run_child(settime_unprivileged, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "without root: clock_settime and settimeofday -> EPERM (status %#x)", st);
	if (under_qemu_user()) {
		tap_skip("qemu-user would set the host's clock");
		return;
	}
	saved = ns_of(CLOCK_REALTIME);
	mono = ns_of(CLOCK_MONOTONIC);
	clock_settime(CLOCK_REALTIME, &ts);
	clock_gettime(CLOCK_REALTIME, &back);
	/* Put it back as it would have been. */
	saved += ns_of(CLOCK_MONOTONIC) - mono;
	ts = (struct timespec){ saved / 1000000000L, saved % 1000000000L };
	clock_settime(CLOCK_REALTIME, &ts);
	tap_ok(back.tv_sec >= Y2000 && back.tv_sec <= Y2000 + 2 &&
	    labs(ns_of(CLOCK_REALTIME) - saved) < 1000 * MS,
	    "root sets it (read back %ld s) and back", (long)back.tv_sec);
}

int
main(void)
{
	tap_plan(8);
	test_reading();
	test_absolute_sleep();
	test_setting();
	return tap_done();
}
