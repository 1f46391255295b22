/*
 * Resource limits and usage (Linux asm-generic/resource.h and
 * linux/resource.h).  Shared by the kernel and the user C library.
 */
#ifndef _UAPI_RESOURCE_H
#define _UAPI_RESOURCE_H

#include <stdint.h>
#include <uapi/time.h>

#define RLIMIT_CPU	0
#define RLIMIT_FSIZE	1
#define RLIMIT_DATA	2
#define RLIMIT_STACK	3
#define RLIMIT_CORE	4
#define RLIMIT_RSS	5
#define RLIMIT_NPROC	6
#define RLIMIT_NOFILE	7
#define RLIMIT_MEMLOCK	8
#define RLIMIT_AS	9
#define RLIMIT_LOCKS	10
#define RLIMIT_SIGPENDING	11
#define RLIM_NLIMITS	16

#define RLIM_INFINITY	(~0UL)

/* getrusage(2) who */
#define RUSAGE_SELF	0
#define RUSAGE_CHILDREN	(-1)
#define RUSAGE_BOTH	(-2)		/* the kernel's own: wait4 reports it */
#define RUSAGE_THREAD	1

struct rlimit {
	uint64_t	rlim_cur;
	uint64_t	rlim_max;
};

struct rusage {
	struct timeval	ru_utime;
	struct timeval	ru_stime;
	long		ru_maxrss;
	long		ru_ixrss;
	long		ru_idrss;
	long		ru_isrss;
	long		ru_minflt;
	long		ru_majflt;
	long		ru_nswap;
	long		ru_inblock;
	long		ru_oublock;
	long		ru_msgsnd;
	long		ru_msgrcv;
	long		ru_nsignals;
	long		ru_nvcsw;
	long		ru_nivcsw;
};
_Static_assert(sizeof(struct rusage) == 144, "struct rusage is 144 bytes");

#endif
