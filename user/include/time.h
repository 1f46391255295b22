/* time.h: clocks and sleeping (uapi/time.h). */
#ifndef _TIME_H
#define _TIME_H

#include <sys/types.h>
#include <uapi/time.h>

int clock_gettime(clockid_t clk, struct timespec *ts);
int clock_settime(clockid_t clk, const struct timespec *ts);
int clock_getres(clockid_t clk, struct timespec *res);
int clock_getcpuclockid(pid_t pid, clockid_t *clk);
int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req,
    struct timespec *rem);
int nanosleep(const struct timespec *req, struct timespec *rem);
time_t time(time_t *t);

#endif
