/*
 * The scheduling system calls, on top of the scheduler (sched.c).
 */
#include <kern/systm.h>
#include <kern/sched.h>
#include <kern/syscall.h>

SYSCALL(sched_yield)
{
	sched_yield();
	return 0;
}
