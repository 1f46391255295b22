/*
 * The scheduling system calls, on top of the scheduler (sched.c).
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/pcpu.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/spinlock.h>
#include <kern/syscall.h>

/* The bytes of a cpu mask, as Linux's cpumask_size(): whole longs. */
#define CPU_MASK_BYTES	(howmany(MAXCPU, 64) * sizeof(uint64_t))

/*
 * sched_getaffinity(pid, len, mask): every process may run on every cpu.
 * The mask's size in bytes, or EINVAL (len too short for the mask, or
 * not whole longs), ESRCH, EFAULT.
 */
SYSCALL(sched_getaffinity)
{
	uint64_t mask[howmany(MAXCPU, 64)] = { 0 };
	bool found;

	if (a[1] < CPU_MASK_BYTES || (a[1] & (sizeof(uint64_t) - 1)) != 0)
		return -EINVAL;
	spin_lock(&proc_lock);
	found = (int)a[0] == 0 || proc_find((int)a[0]) != NULL;
	spin_unlock(&proc_lock);
	if (!found)
		return -ESRCH;
	for (uint32_t cpu = 0; cpu < ncpu; cpu++)
		mask[cpu / 64] |= 1UL << (cpu % 64);
	if (copyout(mask, (void *)a[2], CPU_MASK_BYTES))
		return -EFAULT;
	return CPU_MASK_BYTES;
}

SYSCALL(sched_yield)
{
	sched_yield();
	return 0;
}
