/* sched.h: clone flags (uapi/sched.h) and yielding. */
#ifndef _SCHED_H
#define _SCHED_H

#include <sys/types.h>
#include <uapi/sched.h>

/* The raw call, riscv argument order; no new stack is switched to here. */
long sys_clone(unsigned long flags, void *stack, pid_t *ptid, void *tls,
    pid_t *ctid);
int sched_yield(void);
/* The raw call: the mask's size in bytes, or -1 with errno set. */
long sched_getaffinity(pid_t pid, unsigned long len, unsigned long *mask);

#endif
