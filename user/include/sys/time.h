/* sys/time.h: timevals and interval timers (uapi/time.h). */
#ifndef _SYS_TIME_H
#define _SYS_TIME_H

#include <sys/types.h>
#include <uapi/time.h>

/* The time of day; the time zone argument is ignored, as Linux mostly does. */
int gettimeofday(struct timeval *tv, void *tz);
int settimeofday(const struct timeval *tv, const void *tz);
int getitimer(int which, struct itimerval *cur);
int setitimer(int which, const struct itimerval *new, struct itimerval *old);

#endif
