/*
 * Futexes (see futex.h).  Waiters sit on one list under futex_lock; a
 * waiter sleeps on its own record's condition variable, so FUTEX_WAKE
 * wakes exactly the threads it chooses.  futex_lock is a sleep mutex,
 * not a spin lock: FUTEX_WAIT reads the user's word under it, so that a
 * waker's store and wake cannot come between the read and the sleep, and
 * that read may fault (a fault may sleep, and takes the map lock: so the
 * map lock, taken to name a futex, is let go before futex_lock).
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
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <uapi/futex.h>

#define FUTEX_CMD_MASK		(~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY	0xffffffffU	/* FUTEX_WAIT and FUTEX_WAKE's bitset */
#define ROBUST_LIST_HEAD_SIZE	24	/* struct robust_list_head on 64-bit */
/* In a restart block's rb_arg[0], with the word's address (4-aligned: bit 0 is free). */
#define RESTART_PRIVATE		0x1UL

/* What names a futex (futex.h). */
struct futex_key {
	const void	*space;		/* the object mapped, or the address space */
	uint64_t	offset;		/* the word's byte offset in the object, or its address */
	struct vm_object *object;	/* the object, referenced (NULL: a private key) */
};

struct futex_waiter {
	struct list_node link;		/* (futex_lock) */
	struct futex_key key;		/* (C) */
	uint32_t	bitset;		/* (C) which FUTEX_WAKE_BITSETs may wake it */
	bool		woken;		/* (futex_lock) */
	struct cv	cv;		/* FUTEX_WAKE signals it */
};

static struct mtx futex_lock = MTX_INITIALIZER("futex");
static struct list_node waiters = LIST_HEAD_INIT(waiters);

/*
 * The key of the futex word at uaddr in vm: private (the address space
 * and the address) with private, or when the word is in a private
 * mapping; else the object mapped and the offset.  The object is
 * referenced until futex_key_release, so that no other object can take
 * its address meanwhile and be mistaken for it.  The map lock is let go
 * before the caller takes futex_lock (which a fault under it follows).
 * 0 or EFAULT (nothing mapped there; for a private key, not a user
 * address).
 */
static int
futex_key_get(struct vmspace *vm, vaddr_t uaddr, bool private, struct futex_key *key)
{
	struct vm_map *map = &vm->vm_map;
	struct vm_map_entry *e;
	int error = 0;

	*key = (struct futex_key){ .space = vm, .offset = uaddr, .object = NULL };
	if (private)
		return copy_check_range((const void *)uaddr, sizeof(uint32_t));
	vm_map_lock_read(map);
	if ((e = vm_map_lookup_entry(map, uaddr)) == NULL) {
		error = EFAULT;
	} else if (!(e->eflags & MAP_ENTRY_COW) && e->object != NULL) {
		vm_object_reference(e->object);
		key->object = e->object;
		key->space = e->object;
		key->offset = e->offset + (uaddr - e->start);
	}
	vm_map_unlock_read(map);
	return error;
}

static void
futex_key_release(struct futex_key *key)
{
	vm_object_deallocate(key->object);
}

static bool
futex_key_equal(const struct futex_key *a, const struct futex_key *b)
{
	return a->space == b->space && a->offset == b->offset;
}

/* Wake up to n waiters on the futex at uaddr whose bitset meets bitset. */
static int
futex_wake(struct vmspace *vm, vaddr_t uaddr, bool private, int n, uint32_t bitset)
{
	struct list_node *it, *tmp;
	struct futex_key key;
	int woken = 0, error;

	if ((error = futex_key_get(vm, uaddr, private, &key)) != 0)
		return -error;
	mtx_lock(&futex_lock);
	list_foreach_safe(it, tmp, &waiters) {
		struct futex_waiter *w = list_entry(it, struct futex_waiter, link);

		if (woken >= n)
			break;
		if (!futex_key_equal(&w->key, &key) || (w->bitset & bitset) == 0)
			continue;
		list_remove(it);
		w->woken = true;
		cv_signal(&w->cv);
		woken++;
	}
	mtx_unlock(&futex_lock);
	futex_key_release(&key);
	return woken;
}

int
futex_wake_addr(struct vmspace *vm, vaddr_t uaddr, int n)
{
	int woken = futex_wake(vm, uaddr, false, n, FUTEX_BITSET_MATCH_ANY);

	return woken < 0 ? 0 : woken;
}

/*
 * Wait at uaddr while it holds expected, until woken by a wake whose
 * bitset meets bitset, or until deadline (0: none).  0, or EAGAIN,
 * EFAULT, ETIMEDOUT, ERESTARTSYS (a signal).
 */
static int
futex_wait(struct thread *td, vaddr_t uaddr, uint32_t expected, uint64_t deadline,
    bool private, uint32_t bitset)
{
	struct futex_waiter w = { .bitset = bitset, .woken = false };
	uint32_t cur;
	int error = 0;

	/* Read once without the lock to fault the page in, then name it. */
	if (copyin((const void *)uaddr, &cur, sizeof(cur)))
		return EFAULT;
	if ((error = futex_key_get(td->td_vmspace, uaddr, private, &w.key)) != 0)
		return error;
	cv_init(&w.cv, "futex");
	mtx_lock(&futex_lock);
	/* Check again under the lock: a waker changes the word before waking. */
	if (copyin((const void *)uaddr, &cur, sizeof(cur)) != 0 || cur != expected) {
		error = cur != expected ? EAGAIN : EFAULT;
	} else {
		list_append(&waiters, &w.link);
		while (!w.woken && error == 0)
			error = cv_timedwait_sig(&w.cv, &futex_lock, deadline);
		if (!w.woken)
			list_remove(&w.link);
		else
			error = 0;
	}
	mtx_unlock(&futex_lock);
	cv_destroy(&w.cv);
	futex_key_release(&w.key);
	return error;
}

static long futex_wait_restart(struct thread *td, const struct restart_block *rb);

/*
 * FUTEX_WAIT and FUTEX_WAIT_BITSET as a system call.  A signal restarts
 * a wait with no timeout after an SA_RESTART handler (ERESTARTSYS); a
 * timed wait fails with EINTR after any handler and, when none runs,
 * goes on to its deadline through restart_syscall, as Linux's does.
 */
static long
futex_wait_call(struct thread *td, vaddr_t uaddr, uint32_t expected, uint64_t deadline,
    bool private, uint32_t bitset)
{
	int error = futex_wait(td, uaddr, expected, deadline, private, bitset);

	if (error == ERESTARTSYS && deadline != 0)
		return syscall_restart_block(td, futex_wait_restart, deadline,
		    uaddr | (private ? RESTART_PRIVATE : 0), expected | (uint64_t)bitset << 32);
	return -error;
}

static long
futex_wait_restart(struct thread *td, const struct restart_block *rb)
{
	return futex_wait_call(td, rb->rb_arg[0] & ~RESTART_PRIVATE, (uint32_t)rb->rb_arg[1],
	    rb->rb_deadline, (rb->rb_arg[0] & RESTART_PRIVATE) != 0,
	    (uint32_t)(rb->rb_arg[1] >> 32));
}

/*
 * futex(uaddr, op, val, timeout, uaddr2, val3).  FUTEX_WAIT's timeout is
 * relative; FUTEX_WAIT_BITSET's is an absolute time, on CLOCK_MONOTONIC
 * or (FUTEX_CLOCK_REALTIME) CLOCK_REALTIME, and val3 its bitset.
 */
SYSCALL(futex)
{
	vaddr_t uaddr = a[0];
	int op = (int)a[1], cmd = op & FUTEX_CMD_MASK, error;
	bool private = (op & FUTEX_PRIVATE_FLAG) != 0;
	uint32_t bitset = FUTEX_BITSET_MATCH_ANY, dummy;
	uint64_t deadline = 0;
	int n = (int)MIN(a[2], (uint64_t)INT32_MAX);

	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	if (uaddr & 3)
		return -EINVAL;
	switch (cmd) {
	case FUTEX_WAIT_BITSET:
		if ((bitset = (uint32_t)a[5]) == 0)
			return -EINVAL;
		if (a[3] != 0 && (error = abstime_copyin(a[3], (op & FUTEX_CLOCK_REALTIME) != 0, &deadline)) != 0)
			return -error;
		return futex_wait_call(td, uaddr, (uint32_t)a[2], deadline, private, bitset);
	case FUTEX_WAIT:
		if (a[3] != 0 && (error = timeout_copyin(a[3], &deadline)) != 0)
			return -error;
		return futex_wait_call(td, uaddr, (uint32_t)a[2], deadline, private, bitset);
	case FUTEX_WAKE_BITSET:
		if ((bitset = (uint32_t)a[5]) == 0)
			return -EINVAL;
		/* FALLTHROUGH */
	case FUTEX_WAKE:
		/* A shared key needs the mapping; a private one only names an address. */
		if (!private && copyin((const void *)uaddr, &dummy, sizeof(dummy)))
			return -EFAULT;
		return futex_wake(td->td_vmspace, uaddr, private, n, bitset);
	default:
		return -ENOSYS;
	}
}

SYSCALL(set_robust_list)
{
	/*
	 * Accepted, not kept: a thread that exits holding a robust mutex is
	 * not yet cleaned up after (Linux marks it FUTEX_OWNER_DIED and
	 * wakes a waiter); glibc's ordinary mutexes do not rely on it.
	 */
	return a[1] == ROBUST_LIST_HEAD_SIZE ? 0 : -EINVAL;
}
