/*
 * uthread.h: threads for the test programs, made as glibc's
 * pthread_create makes them (clone with CLONE_VM, CLONE_FS, CLONE_FILES,
 * CLONE_SIGHAND, CLONE_THREAD, CLONE_SYSVSEM, CLONE_SETTLS,
 * CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID), and joined as glibc joins
 * them (a futex wait on the tid word the kernel clears at exit).
 */
#ifndef _UTHREAD_H
#define _UTHREAD_H

#include <sys/types.h>

#define UTHREAD_CLONE_FLAGS	0x003d0f00	/* the flags above (glibc's, without CLONE_DETACHED) */

struct uthread {
	volatile pid_t	tid;		/* the kernel writes it (CLONE_PARENT_SETTID), clears it at exit */
	void		*stack;		/* its own mapping */
	unsigned long	stack_size;
};

/* Clone flags, in case a test wants its own clone(). */
int clone(int (*fn)(void *), void *stack, int flags, void *arg, pid_t *ptid, void *tls,
    pid_t *ctid);
struct clone_args;
/*
 * clone3(args, size) with the child running fn(arg) and exiting with its
 * result: the child's tid, or -1 with errno.
 */
int clone3_run(struct clone_args *args, unsigned long size, int (*fn)(void *), void *arg);
/*
 * Start fn(arg) in a new thread with a 64 KiB stack and t as its TLS
 * pointer (tp): 0, or -1 with errno.  The thread ends when fn returns.
 */
int uthread_create(struct uthread *t, int (*fn)(void *), void *arg);
/* Wait for t to end, and free its stack. */
void uthread_join(struct uthread *t);
/* This thread's tp register (its TLS pointer). */
void *uthread_tp(void);

#endif
