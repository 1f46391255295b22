/* sched.h: clone flags and yielding. */
#ifndef _SCHED_H
#define _SCHED_H

#include <sys/types.h>

#define CSIGNAL			0x000000ff
#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_VFORK		0x00004000
#define CLONE_PARENT		0x00008000
#define CLONE_THREAD		0x00010000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_CHILD_SETTID	0x01000000

/* The raw call, riscv argument order; no new stack is switched to here. */
long sys_clone(unsigned long flags, void *stack, pid_t *ptid, void *tls,
    pid_t *ctid);
int sched_yield(void);

#endif
