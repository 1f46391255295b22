/* sched.h: clone flags and policies (uapi/sched.h), yielding, affinity. */
#ifndef _SCHED_H
#define _SCHED_H

#include <sys/types.h>
#include <uapi/sched.h>

#define SCHED_OTHER	SCHED_NORMAL

/* The raw call, riscv argument order; no new stack is switched to here. */
long sys_clone(unsigned long flags, void *stack, pid_t *ptid, void *tls,
    pid_t *ctid);
int sched_yield(void);
int sched_get_priority_max(int policy);
int sched_get_priority_min(int policy);
int sched_getscheduler(pid_t pid);
int sched_getparam(pid_t pid, struct sched_param *param);

/* A set of cpus, 1024 bits as in glibc. */
#define CPU_SETSIZE	1024
typedef struct {
	unsigned long __bits[CPU_SETSIZE / (8 * sizeof(unsigned long))];
} cpu_set_t;

#define __CPU_WORD(cpu)	((cpu) / (8 * sizeof(unsigned long)))
#define __CPU_BIT(cpu)	(1UL << ((cpu) % (8 * sizeof(unsigned long))))
#define CPU_ZERO(set)	__builtin_memset((set), 0, sizeof(cpu_set_t))
#define CPU_SET(cpu, set)	((set)->__bits[__CPU_WORD(cpu)] |= __CPU_BIT(cpu))
#define CPU_CLR(cpu, set)	((set)->__bits[__CPU_WORD(cpu)] &= ~__CPU_BIT(cpu))
#define CPU_ISSET(cpu, set)	(((set)->__bits[__CPU_WORD(cpu)] & __CPU_BIT(cpu)) != 0)
int __cpu_count(const cpu_set_t *set);
#define CPU_COUNT(set)	__cpu_count(set)

/* As glibc's: 0 on success (the part of *set past what the kernel wrote is zeroed). */
int sched_setaffinity(pid_t pid, size_t size, const cpu_set_t *set);
int sched_getaffinity(pid_t pid, size_t size, cpu_set_t *set);
/* The cpu the caller runs on, or -1. */
int sched_getcpu(void);
/* The raw call. */
int getcpu(unsigned int *cpu, unsigned int *node);

#endif
