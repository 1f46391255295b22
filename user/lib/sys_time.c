/* sys_time.c: wrappers for clocks, sleeping, timers and randomness. */
#include <sys/random.h>
#include <sys/time.h>
#include <sys/times.h>
#include <time.h>
#include <unistd.h>
#include "syscall_impl.h"

int
clock_gettime(clockid_t clk, struct timespec *ts)
{
	return RET(SC2(SYS_clock_gettime, clk, ts));
}

int
gettimeofday(struct timeval *tv, void *tz)
{
	return RET(SC2(SYS_gettimeofday, tv, tz));
}

int
settimeofday(const struct timeval *tv, const void *tz)
{
	return RET(SC2(SYS_settimeofday, tv, tz));
}

int
clock_settime(clockid_t clk, const struct timespec *ts)
{
	return RET(SC2(SYS_clock_settime, clk, ts));
}

int
clock_getres(clockid_t clk, struct timespec *res)
{
	return RET(SC2(SYS_clock_getres, clk, res));
}

/* A process's CPU-time clock, in Linux's encoding (as glibc makes it). */
int
clock_getcpuclockid(pid_t pid, clockid_t *clk)
{
	*clk = (clockid_t)((~(unsigned)pid << 3) | 2);	/* CPUCLOCK_SCHED */
	return 0;
}

int
clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
    struct timespec *rem)
{
	long r;

	/* This call returns the error number itself, not -1 and errno. */
	r = SC4(SYS_clock_nanosleep, clk, flags, req, rem);
	return (int)-r;
}

int
nanosleep(const struct timespec *req, struct timespec *rem)
{
	return RET(SC2(SYS_nanosleep, req, rem));
}

time_t
time(time_t *t)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return -1;
	if (t != NULL)
		*t = ts.tv_sec;
	return ts.tv_sec;
}

unsigned int
sleep(unsigned int secs)
{
	struct timespec ts = { secs, 0 };

	if (nanosleep(&ts, &ts) < 0)
		return (unsigned int)ts.tv_sec;
	return 0;
}

int
usleep(unsigned long usecs)
{
	struct timespec ts = { usecs / 1000000, (usecs % 1000000) * 1000 };

	return nanosleep(&ts, NULL);
}

clock_t
times(struct tms *t)
{
	return RET(SC1(SYS_times, t));
}

int
getitimer(int which, struct itimerval *cur)
{
	return RET(SC2(SYS_getitimer, which, cur));
}

int
setitimer(int which, const struct itimerval *new, struct itimerval *old)
{
	return RET(SC3(SYS_setitimer, which, new, old));
}

/* alarm(secs): SIGALRM in secs seconds (0: cancel); the seconds that were left. */
unsigned int
alarm(unsigned int secs)
{
	struct itimerval new = { { 0, 0 }, { secs, 0 } }, old;

	if (setitimer(ITIMER_REAL, &new, &old) != 0)
		return 0;
	return (unsigned int)old.it_value.tv_sec + (old.it_value.tv_usec != 0);
}

ssize_t
getrandom(void *buf, size_t len, unsigned int flags)
{
	return RET(SC3(SYS_getrandom, buf, len, flags));
}
