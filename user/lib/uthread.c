/* uthread.c: threads for the test programs (see uthread.h). */
#include <errno.h>
#include <sched.h>
#include <sys/futex.h>
#include <sys/mman.h>
#include <uthread.h>
#include <unistd.h>

#define UTHREAD_STACK	(64UL << 10)

_Static_assert(UTHREAD_CLONE_FLAGS == (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
    CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID),
    "glibc's pthread_create flags");

int
uthread_create(struct uthread *t, int (*fn)(void *), void *arg)
{
	void *stack = mmap(NULL, UTHREAD_STACK, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	int tid;

	if (stack == MAP_FAILED)
		return -1;
	t->stack = stack;
	t->stack_size = UTHREAD_STACK;
	t->tid = -1;
	tid = clone(fn, (char *)stack + UTHREAD_STACK, UTHREAD_CLONE_FLAGS, arg,
	    (pid_t *)&t->tid, t, (pid_t *)&t->tid);
	if (tid < 0) {
		munmap(stack, UTHREAD_STACK);
		return -1;
	}
	return 0;
}

void
uthread_join(struct uthread *t)
{
	pid_t tid;

	while ((tid = t->tid) != 0)
		futex((uint32_t *)&t->tid, FUTEX_WAIT, (uint32_t)tid, NULL, NULL, 0);
	munmap(t->stack, t->stack_size);
}

void *
uthread_tp(void)
{
	void *tp;

	__asm__ volatile("mv %0, tp" : "=r"(tp));
	return tp;
}
