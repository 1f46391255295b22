/* sys/resource.h: resource limits and usage (uapi/resource.h). */
#ifndef _SYS_RESOURCE_H
#define _SYS_RESOURCE_H

#include <sys/types.h>
#include <sys/time.h>
#include <uapi/resource.h>

typedef unsigned long rlim_t;

int getrlimit(int res, struct rlimit *rl);
int setrlimit(int res, const struct rlimit *rl);
int prlimit(pid_t pid, int res, const struct rlimit *nrl, struct rlimit *orl);
int getrusage(int who, struct rusage *ru);

#endif
