/*
 * The threads of a process (after FreeBSD's kern_thread.c and Linux's
 * thread groups), with Linux's semantics:
 *
 *   - clone with CLONE_THREAD (and the sharing it implies: CLONE_VM,
 *     CLONE_SIGHAND, CLONE_FILES, CLONE_FS, as glibc's pthread_create
 *     asks) adds a thread to the caller's process: its own registers,
 *     stack, TLS pointer, signal mask and pending signals, everything
 *     else the process's.
 *   - exit ends the calling thread; the process ends with its last
 *     thread, with that thread's status.
 *   - exit_group, and a signal whose action is to terminate, end the
 *     whole process: the thread doing it becomes the singler
 *     (p_singler), sends every other thread a SIGKILL of its own, and
 *     waits for them to be gone before it tears the process down.
 *     execve does the same before its point of no return, and the
 *     thread that execs takes the process's pid as its tid (Linux's
 *     de_thread), so the new program's only thread is its leader.
 *   - a thread that exits leaves its CPU and fault counts to the process
 *     (p_dead_totals); its structure and stack are freed by the idle
 *     thread of the cpu it last ran on once it has switched away.  Until
 *     then a clock tick may still charge its process, so wait4 frees a
 *     process only when all its threads are freed (p_unfreed_threads).
 *
 * Locking: p_threadlock guards the thread list, p_numthreads and
 * p_singler; it nests inside proc_lock and outside sched_lock,
 * sig_info_lock and p_timer_lock.  A thread is on the list while it may
 * still run user code; pointers to other threads are used only under the
 * lock (they are freed after they leave the list).
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/futex.h>
#include <kern/pid.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/sleepqueue.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <machine/machdep.h>
#include <vm/pmap.h>
#include <uapi/sched.h>
#include <uapi/wait.h>

/* What a new thread must share with its creator (the rest we cannot keep apart). */
#define CLONE_THREAD_NEEDS	(CLONE_VM | CLONE_SIGHAND | CLONE_FILES | CLONE_FS)

void
proc_thread_init(struct proc *p, struct thread *leader)
{
	spin_init(&p->p_threadlock, "proc threads");
	list_init(&p->p_threads);
	list_append(&p->p_threads, &leader->td_plist);
	p->p_numthreads = 1;
	p->p_unfreed_threads = 1;
}

void
thread_freed(struct thread *td)
{
	struct proc *p = td->td_proc;

	/* The channel is only an address: p may be freed as soon as the count is 0. */
	if (p != NULL && __atomic_sub_fetch(&p->p_unfreed_threads, 1, __ATOMIC_ACQ_REL) == 0)
		wakeup(&p->p_unfreed_threads);
}

void
proc_wait_threads_freed(struct proc *p)
{
	/* The count drops before the wakeup takes the chain lock: no wakeup is lost. */
	for (;;) {
		sleepq_lock(&p->p_unfreed_threads);
		if (__atomic_load_n(&p->p_unfreed_threads, __ATOMIC_ACQUIRE) == 0) {
			sleepq_release(&p->p_unfreed_threads);
			return;
		}
		(void)sleepq_wait(&p->p_unfreed_threads, SLEEPQ_EXCLUSIVE, 0, 0);
	}
}

struct thread *
proc_first_thread(struct proc *p)
{
	KASSERT(spin_owned(&p->p_threadlock), ("proc_first_thread: p_threadlock not held"));
	return list_empty(&p->p_threads) ? NULL :
	    list_entry(p->p_threads.next, struct thread, td_plist);
}

struct thread *
proc_thread_by_tid(struct proc *p, int tid)
{
	struct list_node *n;

	KASSERT(spin_owned(&p->p_threadlock), ("proc_thread_by_tid: p_threadlock not held"));
	list_foreach(n, &p->p_threads) {
		struct thread *td = list_entry(n, struct thread, td_plist);

		if (td->td_tid == tid)
			return td;
	}
	return NULL;
}

struct proc *
proc_of_tid(int tid)
{
	struct list_node *n;

	KASSERT(spin_owned(&proc_lock), ("proc_of_tid: proc_lock not held"));
	list_foreach(n, &allproc) {
		struct proc *p = list_entry(n, struct proc, p_allproc);
		bool found;

		if (p->p_state != PRS_ALIVE)
			continue;
		spin_lock(&p->p_threadlock);
		found = proc_thread_by_tid(p, tid) != NULL;
		spin_unlock(&p->p_threadlock);
		if (found)
			return p;
	}
	return NULL;
}

/*
 * Creation.
 */

int
thread_clone(struct thread *td, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t tls,
    uint64_t ctid)
{
	struct proc *p = td->td_proc;
	struct thread *ntd;
	int tid, error;

	if ((flags & CLONE_THREAD_NEEDS) != CLONE_THREAD_NEEDS || (flags & CLONE_VFORK))
		return -EINVAL;
	if ((ntd = thread_new(p->p_comm, &error)) == NULL)
		return -error;
	tid = ntd->td_tid;
	ntd->td_proc = p;
	ntd->td_vmspace = td->td_vmspace;
	ntd->td_frame = (struct trapframe *)(ntd->td_kstack_top - sizeof(struct trapframe));
	ntd->td_sigmask = td->td_sigmask;
	ntd->td_cpumask = sched_get_cpumask(td);
	/* It continues from the caller's registers (clone returning 0 there), on its own stack. */
	cpu_fork(td, ntd);
	if (stack != 0)
		cpu_set_user_sp(ntd, stack);
	if (flags & CLONE_SETTLS)
		cpu_set_user_tls(ntd, tls);
	if (flags & CLONE_CHILD_CLEARTID)
		ntd->td_clear_child_tid = ctid;
	/* The ids are written before the thread runs, as Linux does (faults ignored). */
	if (flags & CLONE_PARENT_SETTID)
		(void)copyout(&tid, (void *)ptid, sizeof(tid));
	if ((flags & CLONE_CHILD_SETTID) && copyout(&tid, (void *)ctid, sizeof(tid)) != 0)
		ntd->td_clear_child_tid = 0;
	cpu_thread_init(ntd, fork_return, NULL);
	spin_lock(&p->p_threadlock);
	if (p->p_singler != NULL) {
		/* The process is ending, or exec is replacing it. */
		spin_unlock(&p->p_threadlock);
		thread_free(ntd);
		return -EAGAIN;
	}
	list_append(&p->p_threads, &ntd->td_plist);
	p->p_numthreads++;
	proc_stop_join(ntd);
	__atomic_add_fetch(&p->p_unfreed_threads, 1, __ATOMIC_RELAXED);
	spin_unlock(&p->p_threadlock);
	sched_add(ntd);
	return tid;
}

/*
 * Ending.
 */

void
thread_clear_child_tid(struct thread *td)
{
	uint32_t zero = 0;

	if (td->td_clear_child_tid == 0 || td->td_vmspace == NULL)
		return;
	if (copyout(&zero, (void *)td->td_clear_child_tid, sizeof(zero)) == 0)
		futex_wake_addr(td->td_vmspace, td->td_clear_child_tid, 1);
	td->td_clear_child_tid = 0;
}

void
thread_leave(struct thread *td)
{
	struct proc *p = td->td_proc;

	KASSERT(spin_owned(&p->p_threadlock), ("thread_leave: p_threadlock not held"));
	thread_totals_add(td, &p->p_dead_totals);
	list_remove(&td->td_plist);
	p->p_numthreads--;
	if (p->p_singler != NULL)
		wakeup(&p->p_numthreads);
}

void
thread_exit_user(int wstatus)
{
	struct thread *td = curthread();
	struct proc *p = td->td_proc;
	bool stop_done;

	thread_clear_child_tid(td);
	spin_lock(&proc_lock);		/* for a stop it may complete */
	spin_lock(&p->p_threadlock);
	if (p->p_numthreads == 1) {
		/* The last one: the process ends, with this thread's status. */
		spin_unlock(&p->p_threadlock);
		spin_unlock(&proc_lock);
		proc_exit(wstatus);
	}
	/*
	 * Off the address space before off the list: whoever frees the
	 * address space (the last thread, exec) waits for the list to shrink,
	 * and no cpu may be running it then.
	 */
	td->td_vmspace = NULL;
	pmap_activate_kernel();
	stop_done = proc_stop_leave(td);
	thread_leave(td);
	spin_unlock(&p->p_threadlock);
	if (stop_done)
		proc_stop_report(p);
	spin_unlock(&proc_lock);
	thread_exit();
}

/*
 * Make td its process's only thread: every other one gets a SIGKILL of
 * its own (and is woken, even from a stop) and td waits until they have
 * left.  False if another thread got there first: td is being killed
 * and must leave too.  With keep, td stays the singler (the process is
 * ending); else it lets go when done (exec).
 */
static bool
single_thread(struct thread *td, bool keep)
{
	struct proc *p = td->td_proc;
	struct list_node *n;

	spin_lock(&p->p_threadlock);
	if (p->p_singler != NULL && p->p_singler != td) {
		spin_unlock(&p->p_threadlock);
		return false;
	}
	p->p_singler = td;
	list_foreach(n, &p->p_threads) {
		struct thread *other = list_entry(n, struct thread, td_plist);

		if (other != td)
			signal_kill_thread(other);
	}
	wakeup(&p->p_stopsig);		/* stopped ones too */
	while (p->p_numthreads > 1)
		sleep_on(&p->p_numthreads, &p->p_threadlock);
	if (!keep)
		p->p_singler = NULL;
	spin_unlock(&p->p_threadlock);
	return true;
}

void
proc_exit_group(int wstatus)
{
	struct thread *td = curthread();

	if (!single_thread(td, true))
		thread_exit_user(wstatus);	/* another thread ends the process */
	proc_exit(wstatus);
}

bool
proc_single_thread_exec(struct thread *td)
{
	struct proc *p = td->td_proc;

	if (!single_thread(td, false))
		return false;
	/* The survivor leads: it takes the pid as its tid. */
	if (td->td_tid != p->p_pid) {
		spin_lock(&p->p_threadlock);
		tid_set(td, p->p_pid);
		spin_unlock(&p->p_threadlock);
	}
	return true;
}

void
thread_interrupt(struct thread *td)
{
	sleepq_interrupt(td);
	sched_kick(td);
}

bool
thread_is_doomed(struct thread *td)
{
	struct proc *p = td->td_proc;
	struct thread *singler = __atomic_load_n(&p->p_singler, __ATOMIC_ACQUIRE);

	return singler != NULL && singler != td;
}
