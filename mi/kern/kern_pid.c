/*
 * Process and thread ids (see pid.h): handing them out, wrapping around
 * at pid_max, skipping the ones in use.
 *
 * Threads are found by id on allthreads, processes (with their group and
 * session ids) on allproc.  An id above the highest ever handed out is in
 * use by nothing, so until the first wrap no list is searched; after it,
 * each candidate is looked for on both lists (a few hundred entries at
 * most), which is what Linux's pid bitmap saves, at the price of a bit
 * per possible id.
 *
 * Locking:
 *   (I) tid_lock
 *   (A) atomic
 */
#include <kern/systm.h>
#include <kern/list.h>
#include <kern/pid.h>
#include <kern/proc.h>
#include <kern/spinlock.h>
#include <kern/thread.h>

static struct spinlock tid_lock = SPINLOCK_INITIALIZER("tids");
static struct list_node allthreads = LIST_HEAD_INIT(allthreads);	/* (I) by td_alltid */
static int last_id = INIT_PID;		/* (I) the last handed out (read (A)) */
static int highest_id = INIT_PID;	/* (I) the highest ever in use */
static int pid_max = PID_MAX_DEFAULT;	/* (A) */

/* Does id name a thread, a process, a group or a session?  proc_lock and tid_lock held. */
static bool
id_in_use(int id)
{
	struct list_node *n;

	if (id > highest_id)
		return false;
	list_foreach(n, &allthreads)
		if (list_entry(n, struct thread, td_alltid)->td_tid == id)
			return true;
	list_foreach(n, &allproc) {
		struct proc *p = list_entry(n, struct proc, p_allproc);

		if (p->p_pid == id || p->p_pgid == id || p->p_sid == id)
			return true;
	}
	return false;
}

/*
 * The first free id after last_id, wrapping from max to PID_RESERVED
 * once; 0 if all of [PID_RESERVED, max) and (last_id, max) are in use.
 * proc_lock and tid_lock held.
 */
static int
id_find_free(int max)
{
	int start = last_id, id = last_id;
	bool wrapped = false;

	for (;;) {
		if (++id >= max) {
			if (wrapped)
				return 0;
			wrapped = true;
			id = PID_RESERVED;
		}
		if (wrapped && id > start)
			return 0;		/* round to where it began */
		if (!id_in_use(id))
			return id;
	}
}

int
tid_alloc(struct thread *td)
{
	int id;

	spin_lock(&proc_lock);
	spin_lock(&tid_lock);
	if ((id = id_find_free(pid_max_get())) != 0) {
		td->td_tid = id;
		__atomic_store_n(&last_id, id, __ATOMIC_RELAXED);
		highest_id = MAX(highest_id, id);
		list_append(&allthreads, &td->td_alltid);
	}
	spin_unlock(&tid_lock);
	spin_unlock(&proc_lock);
	return id != 0 ? 0 : EAGAIN;
}

void
tid_free(struct thread *td)
{
	spin_lock(&tid_lock);
	list_remove(&td->td_alltid);
	spin_unlock(&tid_lock);
}

void
tid_set(struct thread *td, int id)
{
	spin_lock(&tid_lock);
	td->td_tid = id;
	highest_id = MAX(highest_id, id);
	spin_unlock(&tid_lock);
}

int
tid_last(void)
{
	return __atomic_load_n(&last_id, __ATOMIC_RELAXED);
}

int
pid_max_get(void)
{
	return __atomic_load_n(&pid_max, __ATOMIC_RELAXED);
}

int
pid_max_set(int64_t max)
{
	if (max < PID_MAX_MIN || max > PID_MAX_LIMIT)
		return EINVAL;
	__atomic_store_n(&pid_max, (int)max, __ATOMIC_RELAXED);
	return 0;
}
