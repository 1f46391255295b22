/*
 * Job control: sessions, process groups, stopping and continuing
 * processes, and orphaned process groups, with Linux's (and POSIX's)
 * rules (after FreeBSD's kern_proc.c and kern_sig.c).
 *
 * A session (p_sid, its leader's pid) holds process groups (p_pgid, the
 * group leader's pid); a process belongs to one group, and a group lies
 * in one session.  A process starts a session with setsid and moves
 * between groups of its session with setpgid.  There are no session or
 * group structures: membership is the ids, looked up on allproc under
 * proc_lock (processes are few; Linux keeps lists per id).
 *
 * Stopping (Linux's group stop).  A stop signal (SIGSTOP, SIGTSTP,
 * SIGTTIN, SIGTTOU) whose action is the default stops the process when
 * it is delivered (proc_stop, from signal delivery): the process is
 * marked stopped, and its threads stop -- the one that took the signal at
 * once, the others on their next way back to user mode, which they are
 * sent to take (woken if asleep, interrupted if running on another cpu;
 * thread_stop_check).  When the last of them has stopped (or left), the
 * stop is complete: the parent is told (SIGCHLD with CLD_STOPPED unless
 * SA_NOCLDSTOP) and wait4 with WUNTRACED reports it once.  A thread made
 * meanwhile stops too before that.  The threads sleep until SIGCONT
 * continues the process (proc_continue, when SIGCONT is posted, even if
 * blocked or ignored: CLD_CONTINUED, wait4 with WCONTINUED; a stop cut
 * short is reported as CLD_STOPPED, as Linux does) or SIGKILL comes.
 * Other signals stay pending meanwhile.  Posting SIGCONT discards pending
 * stop signals, and a stop signal discards a pending SIGCONT
 * (kern_sig.c); a SIGCONT posted while a stop signal is being acted on
 * voids that stop (p_contgen).  A stop signal taken while the process is
 * already stopping joins that stop (wait4 reports the first signal, as
 * Linux does).
 *
 * Orphaned process groups: a group none of whose members has a parent in
 * another group of the same session (a parent that is init does not
 * count) has nobody to continue it.  Its members are not stopped by
 * SIGTSTP, SIGTTIN or SIGTTOU (the signal is discarded), and a group
 * that becomes orphaned when a process exits, and has a stopped member,
 * gets SIGHUP and then SIGCONT.
 */
#include <kern/systm.h>
#include <kern/proc.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/sleepqueue.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/tty.h>

static inline uint32_t
proc_flags(struct proc *p)
{
	return __atomic_load_n(&p->p_flags, __ATOMIC_SEQ_CST);
}

/* Set and clear p_flags bits.  proc_lock held; the stopped thread reads them unlocked. */
static void
proc_flags_change(struct proc *p, uint32_t set, uint32_t clear)
{
	KASSERT(spin_owned(&proc_lock), ("proc_flags_change: proc_lock not held"));
	__atomic_store_n(&p->p_flags, (p->p_flags | set) & ~clear, __ATOMIC_SEQ_CST);
}

int
pgrp_session(int pgid)
{
	struct list_node *n;

	list_foreach(n, &allproc) {
		struct proc *q = list_entry(n, struct proc, p_allproc);

		if (q->p_state != PRS_NEW && q->p_pgid == pgid)
			return q->p_sid;
	}
	return -1;
}

/*
 * Is group pgid orphaned -- or would it be without gone (a member no
 * more, its children init's)?  Only living members count, and a parent
 * that is init never keeps a group from being orphaned (as Linux).
 * proc_lock held.
 */
static bool
pgrp_orphaned_without(int pgid, struct proc *gone)
{
	struct list_node *n;

	list_foreach(n, &allproc) {
		struct proc *q = list_entry(n, struct proc, p_allproc), *parent;

		if (q == gone || q->p_state != PRS_ALIVE || q->p_pgid != pgid)
			continue;
		parent = q->p_parent == gone ? initproc : q->p_parent;
		if (parent != NULL && parent != initproc && parent->p_pgid != pgid &&
		    parent->p_sid == q->p_sid)
			return false;
	}
	return true;
}

bool
pgrp_orphaned(int pgid)
{
	return pgrp_orphaned_without(pgid, NULL);
}

/* Has group pgid a stopped member other than gone?  proc_lock held. */
static bool
pgrp_has_stopped(int pgid, struct proc *gone)
{
	struct list_node *n;

	list_foreach(n, &allproc) {
		struct proc *q = list_entry(n, struct proc, p_allproc);

		if (q != gone && q->p_state == PRS_ALIVE && q->p_pgid == pgid &&
		    (q->p_flags & P_STOPPED))
			return true;
	}
	return false;
}

int
pgsignal(int pgid, int sig)
{
	struct list_node *n;
	int error = ESRCH;

	KASSERT(spin_owned(&proc_lock), ("pgsignal: proc_lock not held"));
	list_foreach(n, &allproc) {
		struct proc *q = list_entry(n, struct proc, p_allproc);

		if (q->p_state == PRS_NEW || q->p_pgid != pgid)
			continue;
		psignal(q, sig);
		error = 0;
	}
	return error;
}

/* Tell p's parent that p stopped or continued (code CLD_*).  proc_lock held. */
static void
notify_parent(struct proc *p, int code, int sig)
{
	struct proc *pp = p->p_parent;
	struct ksiginfo ksi = { .ksi_signo = SIGCHLD, .ksi_code = code, .ksi_pid = p->p_pid,
	    .ksi_uid = p->p_uid, .ksi_status = sig };

	if (pp == NULL)
		return;
	wakeup(pp);		/* its wait4 */
	if (!(pp->p_sigacts[SIGCHLD].sa_flags & SA_NOCLDSTOP))
		psignal_info(pp, &ksi);
}

/* Is SIGKILL pending for td, sent to it or to its process? */
static bool
kill_pending(struct thread *td)
{
	return ((__atomic_load_n(&td->td_proc->p_sigpending, __ATOMIC_SEQ_CST) |
	    __atomic_load_n(&td->td_sigpending, __ATOMIC_SEQ_CST)) & sigmask(SIGKILL)) != 0;
}

/*
 * td has stopped, or is leaving, during its process's stop: count it
 * once.  True if it was the last thread the stop waited for: the caller
 * reports the stop (proc_stop_report) once it has let go of p_threadlock.
 * p_threadlock held.
 */
static bool
stop_count(struct thread *td)
{
	struct proc *p = td->td_proc;

	KASSERT(spin_owned(&p->p_threadlock), ("stop_count: p_threadlock not held"));
	if (p->p_stop_pending == 0 || td->td_stopgen == p->p_stopgen)
		return false;
	td->td_stopgen = p->p_stopgen;
	return --p->p_stop_pending == 0;
}

void
proc_stop_report(struct proc *p)
{
	KASSERT(spin_owned(&proc_lock), ("proc_stop_report: proc_lock not held"));
	if (__atomic_load_n(&p->p_singler, __ATOMIC_ACQUIRE) != NULL)
		return;
	proc_flags_change(p, P_WAITSTOP, 0);
	notify_parent(p, CLD_STOPPED, p->p_stopsig);
}

/* td stops: count it, and report the stop if it is the last. */
static void
stop_take_part(struct thread *td)
{
	struct proc *p = td->td_proc;
	bool last;

	spin_lock(&proc_lock);
	spin_lock(&p->p_threadlock);
	last = stop_count(td);
	spin_unlock(&p->p_threadlock);
	if (last)
		proc_stop_report(p);
	spin_unlock(&proc_lock);
}

/* Take part in td's process's stop, and sleep while it lasts, unless SIGKILL comes. */
static void
stopped_wait(struct thread *td)
{
	struct proc *p = td->td_proc;

	/*
	 * proc_continue and SIGKILL change what is tested, then wake, which
	 * takes the chain lock it is tested under: no lost wakeup.  Woken by
	 * a SIGCONT, td may find a new stop begun before it ran (stop_begin
	 * writes p_stopgen before P_STOPPED): it takes part in that one too.
	 */
	for (;;) {
		stop_take_part(td);
		sleepq_lock(&p->p_stopsig);
		if (!(proc_flags(p) & P_STOPPED) || kill_pending(td)) {
			sleepq_release(&p->p_stopsig);
			return;
		}
		if (__atomic_load_n(&p->p_stopgen, __ATOMIC_SEQ_CST) != td->td_stopgen &&
		    __atomic_load_n(&p->p_stop_pending, __ATOMIC_SEQ_CST) != 0) {
			sleepq_release(&p->p_stopsig);
			continue;
		}
		(void)sleepq_wait(&p->p_stopsig, SLEEPQ_EXCLUSIVE, 0, 0);
	}
}

/*
 * Begin a stop of td's process for sig: every thread is to stop, and the
 * others stop on their way back to user mode: send them there.
 * proc_lock and p_threadlock held.
 */
static void
stop_begin(struct thread *td, int sig)
{
	struct proc *p = td->td_proc;
	struct list_node *n;

	p->p_stopsig = sig;
	if (++p->p_stopgen == 0)
		p->p_stopgen = 1;	/* a new thread's td_stopgen, 0, never matches */
	p->p_stop_pending = p->p_numthreads;
	proc_flags_change(p, P_STOPPED, P_WAITCONT | P_WAITSTOP);
	list_foreach(n, &p->p_threads) {
		struct thread *other = list_entry(n, struct thread, td_plist);

		if (other != td)
			thread_interrupt(other);
	}
}

void
proc_stop(struct thread *td, int sig, uint32_t contgen)
{
	struct proc *p = td->td_proc;

	spin_lock(&proc_lock);
	if (p->p_contgen != contgen || (sig != SIGSTOP && pgrp_orphaned(p->p_pgid))) {
		spin_unlock(&proc_lock);
		return;
	}
	spin_lock(&p->p_threadlock);
	if (!(p->p_flags & P_STOPPED))
		stop_begin(td, sig);	/* else it joins the stop under way, which keeps its signal */
	spin_unlock(&p->p_threadlock);
	spin_unlock(&proc_lock);
	stopped_wait(td);
}

bool
proc_stop_leave(struct thread *td)
{
	KASSERT(spin_owned(&proc_lock), ("proc_stop_leave: proc_lock not held"));
	return stop_count(td);
}

void
proc_stop_join(struct thread *ntd)
{
	struct proc *p = ntd->td_proc;

	KASSERT(spin_owned(&p->p_threadlock), ("proc_stop_join: p_threadlock not held"));
	if (p->p_stop_pending != 0)
		p->p_stop_pending++;
}

void
thread_stop_check(struct thread *td)
{
	if (proc_flags(td->td_proc) & P_STOPPED)
		stopped_wait(td);
}

void
proc_continue(struct proc *p)
{
	bool complete;

	KASSERT(spin_owned(&proc_lock), ("proc_continue: proc_lock not held"));
	__atomic_add_fetch(&p->p_contgen, 1, __ATOMIC_SEQ_CST);
	if (!(p->p_flags & P_STOPPED))
		return;
	spin_lock(&p->p_threadlock);
	complete = p->p_stop_pending == 0;
	p->p_stop_pending = 0;
	spin_unlock(&p->p_threadlock);
	proc_flags_change(p, P_WAITCONT, P_STOPPED | P_WAITSTOP);
	/* A stop cut short is reported as one that happened (Linux). */
	if (complete)
		notify_parent(p, CLD_CONTINUED, SIGCONT);
	else
		notify_parent(p, CLD_STOPPED, p->p_stopsig);
	wakeup(&p->p_stopsig);
}

/* Group pgid just became orphaned because gone left it: SIGHUP, SIGCONT if anyone is stopped. */
static void
orphan_check(int pgid, struct proc *gone)
{
	if (!pgrp_orphaned_without(pgid, NULL) && pgrp_orphaned_without(pgid, gone) &&
	    pgrp_has_stopped(pgid, gone)) {
		pgsignal(pgid, SIGHUP);
		pgsignal(pgid, SIGCONT);
	}
}

void
jobctl_exit(struct proc *p)
{
	struct list_node *n, *m;

	KASSERT(spin_owned(&proc_lock), ("jobctl_exit: proc_lock not held"));
	tty_session_exit(p);
	orphan_check(p->p_pgid, p);
	/* Each of the children's groups once. */
	list_foreach(n, &p->p_children) {
		struct proc *c = list_entry(n, struct proc, p_sibling);
		bool seen = c->p_pgid == p->p_pgid;

		for (m = p->p_children.next; m != n && !seen; m = m->next)
			seen = list_entry(m, struct proc, p_sibling)->p_pgid == c->p_pgid;
		if (!seen)
			orphan_check(c->p_pgid, p);
	}
}

/*
 * System calls.
 */

/* setsid(): start a session and a group, led by the caller; EPERM if a group has its id. */
SYSCALL(setsid)
{
	struct proc *p = td->td_proc;
	int error = 0;

	spin_lock(&proc_lock);
	if (pgrp_session(p->p_pid) >= 0)
		error = EPERM;
	else {
		p->p_sid = p->p_pgid = p->p_pid;
		p->p_tty = NULL;	/* a new session has no terminal */
	}
	spin_unlock(&proc_lock);
	return error ? -error : p->p_pid;
}

/* getsid(pid): the session of pid (0: the caller). */
SYSCALL(getsid)
{
	struct proc *p;
	int sid = -ESRCH;

	spin_lock(&proc_lock);
	p = (int)a[0] == 0 ? td->td_proc : proc_find((int)a[0]);
	if (p != NULL)
		sid = p->p_sid;
	spin_unlock(&proc_lock);
	return sid;
}

/* May self move p (itself or a child) into group pgid?  0 or the errno.  proc_lock held. */
static int
setpgid_check(struct proc *self, struct proc *p, int pgid)
{
	if (p == NULL)
		return ESRCH;
	if (p != self) {
		if (p->p_parent != self)
			return ESRCH;
		if (p->p_sid != self->p_sid)
			return EPERM;
		if (p->p_flags & P_EXECED)
			return EACCES;
	}
	if (p->p_sid == p->p_pid)
		return EPERM;		/* a session leader stays where it is */
	if (pgid != p->p_pid && pgrp_session(pgid) != self->p_sid)
		return EPERM;		/* no such group in the caller's session */
	return 0;
}

/*
 * setpgid(pid, pgid): pid (0: the caller; or one of its children that
 * has not exec'd, in its session) joins group pgid (0: its own pid, a
 * new group), which must exist in the caller's session unless new.
 */
SYSCALL(setpgid)
{
	struct proc *self = td->td_proc, *p;
	int pid = (int)a[0], pgid = (int)a[1], error;

	if (pgid < 0)
		return -EINVAL;
	spin_lock(&proc_lock);
	p = pid == 0 ? self : proc_find(pid);
	if (pgid == 0 && p != NULL)
		pgid = p->p_pid;
	if ((error = setpgid_check(self, p, pgid)) == 0)
		p->p_pgid = pgid;
	spin_unlock(&proc_lock);
	return -error;
}
