/*
 * Futexes (see futex.h).  Waiters sit on one list under futex_lock; a
 * waiter sleeps on its own record's condition variable, so FUTEX_WAKE
 * wakes exactly the threads it chooses.  futex_lock is a sleep mutex,
 * not a spin lock: FUTEX_WAIT reads the user's word under it, so that a
 * waker's store and wake cannot come between the read and the sleep, and
 * that read may fault (a fault may sleep).
 */
#include <kern/systm.h>
#include <kern/condvar.h>
#include <kern/copy.h>
#include <kern/futex.h>
#include <kern/mutex.h>
#include <kern/list.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <uapi/futex.h>

#define FUTEX_CMD_MASK		(~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define ROBUST_LIST_HEAD_SIZE	24	/* struct robust_list_head on 64-bit */

struct futex_waiter {
	struct list_node link;		/* (futex_lock) */
	paddr_t		key;		/* (futex_lock) */
	bool		woken;		/* (futex_lock) */
	struct cv	cv;		/* FUTEX_WAKE signals it */
};

static struct mtx futex_lock = MTX_INITIALIZER("futex");
static struct list_node waiters = LIST_HEAD_INIT(waiters);

/* The physical address naming the futex word at uaddr (faulted in by the caller). */
static paddr_t
futex_key(struct vmspace *vm, vaddr_t uaddr)
{
	paddr_t pa = pmap_extract(vm->vm_pmap, uaddr);

	return pa;
}

int
futex_wake_addr(struct vmspace *vm, vaddr_t uaddr, int n)
{
	struct list_node *it, *tmp;
	paddr_t key = futex_key(vm, uaddr);
	int woken = 0;

	if (key == 0)
		return 0;
	mtx_lock(&futex_lock);
	list_foreach_safe(it, tmp, &waiters) {
		struct futex_waiter *w = list_entry(it, struct futex_waiter, link);

		if (woken >= n)
			break;
		if (w->key != key)
			continue;
		list_remove(it);
		w->woken = true;
		cv_signal(&w->cv);
		woken++;
	}
	mtx_unlock(&futex_lock);
	return woken;
}

/*
 * Wait at uaddr while it holds expected, until woken or deadline (0:
 * none).  0, or EAGAIN, EFAULT, ETIMEDOUT, ERESTARTSYS (a signal).
 */
static int
futex_wait(struct thread *td, vaddr_t uaddr, uint32_t expected, uint64_t deadline)
{
	struct futex_waiter w = { .woken = false };
	uint32_t cur;
	int error = 0;

	/* Read once without the lock to fault the page in and name it. */
	if (copyin((const void *)uaddr, &cur, sizeof(cur)))
		return EFAULT;
	w.key = futex_key(td->td_vmspace, uaddr);
	cv_init(&w.cv, "futex");
	mtx_lock(&futex_lock);
	/* Check again under the lock: a waker changes the word before waking. */
	if (copyin((const void *)uaddr, &cur, sizeof(cur)) != 0 || cur != expected) {
		mtx_unlock(&futex_lock);
		return cur != expected ? EAGAIN : EFAULT;
	}
	list_append(&waiters, &w.link);
	while (!w.woken && error == 0)
		error = cv_timedwait_sig(&w.cv, &futex_lock, deadline);
	if (!w.woken)
		list_remove(&w.link);
	mtx_unlock(&futex_lock);
	cv_destroy(&w.cv);
	return w.woken ? 0 : error;
}

static long futex_wait_restart(struct thread *td, const struct restart_block *rb);

/*
 * FUTEX_WAIT as a system call.  A signal restarts a wait with no timeout
 * after an SA_RESTART handler (ERESTARTSYS); a timed wait fails with
 * EINTR after any handler and, when none runs, goes on to its deadline
 * through restart_syscall, as Linux's does.
 */
static long
futex_wait_call(struct thread *td, vaddr_t uaddr, uint32_t expected, uint64_t deadline)
{
	int error = futex_wait(td, uaddr, expected, deadline);

	if (error == ERESTARTSYS && deadline != 0)
		return syscall_restart_block(td, futex_wait_restart, deadline, uaddr, expected);
	return -error;
}

static long
futex_wait_restart(struct thread *td, const struct restart_block *rb)
{
	return futex_wait_call(td, rb->rb_arg[0], (uint32_t)rb->rb_arg[1], rb->rb_deadline);
}

/* futex(uaddr, op, val, timeout, uaddr2, val3) */
SYSCALL(futex)
{
	vaddr_t uaddr = a[0];
	int op = (int)a[1] & FUTEX_CMD_MASK, error;
	uint64_t deadline = 0;
	uint32_t dummy;

	if (uaddr & 3)
		return -EINVAL;
	switch (op) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (a[3] != 0 && (error = timeout_copyin(a[3], &deadline)) != 0)
			return -error;
		return futex_wait_call(td, uaddr, (uint32_t)a[2], deadline);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (copyin((const void *)uaddr, &dummy, sizeof(dummy)))
			return -EFAULT;
		return futex_wake_addr(td->td_vmspace, uaddr, (int)MIN(a[2], (uint64_t)INT32_MAX));
	default:
		return -ENOSYS;
	}
}

SYSCALL(set_robust_list)
{
	/* Accepted; with one thread per process there is nothing to do at exit. */
	return a[1] == ROBUST_LIST_HEAD_SIZE ? 0 : -EINVAL;
}
