/*
 * Signals: posting, delivery and the system calls, with Linux semantics.
 *
 * State:
 *
 *   p->p_sigpending  signals posted to the process (kill) and not yet
 *                    delivered; any of its threads that does not block
 *                    one may take it.  Any cpu may post, so it changes
 *                    only atomically.
 *   td->td_sigpending signals posted to one thread (tgkill, and the
 *                    SIGKILL that ends a thread when its process exits),
 *                    which only that thread takes, before the process's.
 *   td->td_sigmask   the thread's blocked set.  Only the thread writes
 *                    it (signal_setmask); posters on other cpus read it.
 *   p->p_sigacts[]   dispositions, shared by the threads.  Written, and
 *                    read as a whole, under sig_info_lock; posters read
 *                    sa_handler alone to discard ignored signals.
 *
 * Standard signals do not queue: posting one that is already pending
 * changes nothing, and the first sender's siginfo is the one delivered.
 * Real-time signals (32..64) behave the same way here (no queue).
 *
 * Posting (psignal, kill): a signal that the process ignores and does not
 * block is discarded at once, as POSIX requires; otherwise its bit is set
 * and the first thread that does not block it (all of them, for SIGKILL)
 * is woken from an interruptible sleep so the system call it is in
 * returns a restart code (ERESTARTSYS and its kind, see "Restarting"
 * below).  A signal whose action ends the process ends all its threads,
 * whichever takes it (proc_exit_group).  The
 * poster sets the bit and then reads the mask; a thread that changes its
 * mask and then sleeps writes the mask and then reads the pending set
 * (under sched_lock): with sequentially consistent accesses on both
 * sides one of them always sees the other, so no wakeup is lost.
 *
 * Delivery (signal_deliver, on every return to user mode): each pending,
 * unblocked signal in turn, lowest number first but synchronous fault
 * signals before the rest.  SIG_IGN and default-ignore signals are
 * dropped, other defaults terminate the process, and a handler gets a
 * frame on the user stack (sendsig, machine-dependent) and runs with its
 * sa_mask and the signal itself blocked.  Several handlers can be set up
 * at one return; they nest, the last one set up running first.
 *
 * Restarting (signal(7), "Interruption of system calls"): when a handler
 * is set up, an interrupted call fails with EINTR, unless it returned
 * ERESTARTSYS and the handler has SA_RESTART: then it runs again after
 * the handler.  When no handler runs, every interrupted call runs again,
 * and one that returned ERESTART_RESTARTBLOCK continues through
 * restart_syscall (a relative sleep goes on to its original deadline).
 * Job control (kern_jobctl.c): the default action of SIGSTOP, SIGTSTP,
 * SIGTTIN and SIGTTOU stops the process at delivery; posting SIGCONT
 * continues it at once, whatever SIGCONT's disposition or mask, and
 * discards pending stop signals, as posting a stop signal discards a
 * pending SIGCONT.  SIGKILL ends a stop.
 *
 * Faults (trapsignal) are delivered at once rather than posted: the
 * handler's frame is built before the faulting thread returns to user
 * mode.  A fault signal that is blocked or ignored cannot be, so the
 * process is killed, as Linux does.
 *
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/copy.h>
#include <kern/list.h>
#include <kern/proc.h>
#include <kern/ratelimit.h>
#include <kern/sched.h>
#include <kern/signal.h>
#include <kern/spinlock.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <machine/cpu.h>
#include <machine/machdep.h>
#include <uapi/unistd.h>
#include <uapi/wait.h>

/* Signals whose default action is to do nothing (SIGCONT continues when posted). */
#define SIG_DFL_IGNORE	(sigmask(SIGCHLD) | sigmask(SIGCONT) | sigmask(SIGURG) | \
	sigmask(SIGWINCH))
/* Signals whose default action is to stop the process (kern_jobctl.c). */
#define SIG_STOPS	(sigmask(SIGSTOP) | sigmask(SIGTSTP) | sigmask(SIGTTIN) | \
	sigmask(SIGTTOU))
/* Signals a fault raises; delivered before the others. */
#define SIG_SYNCHRONOUS	(sigmask(SIGSEGV) | sigmask(SIGBUS) | sigmask(SIGILL) | \
	sigmask(SIGTRAP) | sigmask(SIGFPE) | sigmask(SIGSYS))
/* The sa_flags rt_sigaction keeps (others read back as 0, as Linux does). */
#define SA_KNOWN	(SA_NOCLDSTOP | SA_NOCLDWAIT | SA_SIGINFO | SA_EXPOSE_TAGBITS | \
	SA_ONSTACK | SA_RESTART | SA_NODEFER | SA_RESETHAND)


/*
 * Guards the siginfo of pending signals and the dispositions (a leaf lock;
 * posters may hold proc_lock or p_threadlock).
 */
static struct spinlock sig_info_lock = SPINLOCK_INITIALIZER("siginfo");

/*
 * rt_sigsuspend and rt_sigtimedwait sleep on sig_wait_chan.  A poster
 * wakes it when sig_waiters says anyone is there (sigtimedwait waits for
 * blocked signals, which do not wake the thread otherwise).
 */
static const char sig_wait_chan;
static uint32_t sig_waiters;		/* (A) */

static inline bool
sig_valid(int sig)
{
	return sig >= 1 && sig <= NSIG_LINUX;
}

/* The lowest signal in set, synchronous ones first; 0 if set is empty. */
static int
sig_first(uint64_t set)
{
	if (set & SIG_SYNCHRONOUS)
		set &= SIG_SYNCHRONOUS;
	return set == 0 ? 0 : __builtin_ctzl(set) + 1;
}

/* What is pending for td: its own signals and its process's. */
static inline uint64_t
sig_pending_set(struct thread *td)
{
	return __atomic_load_n(&td->td_sigpending, __ATOMIC_SEQ_CST) |
	    __atomic_load_n(&td->td_proc->p_sigpending, __ATOMIC_SEQ_CST);
}

static inline uint64_t
sig_blocked(struct thread *td)
{
	return __atomic_load_n(&td->td_sigmask, __ATOMIC_SEQ_CST);
}

static inline __sighandler_t
sig_handler(struct proc *p, int sig)
{
	return __atomic_load_n(&p->p_sigacts[sig].sa_handler, __ATOMIC_RELAXED);
}

/* Whether sig, delivered now, would do nothing. */
static bool
sig_ignored(struct proc *p, int sig)
{
	__sighandler_t h = sig_handler(p, sig);

	if (sig == SIGKILL)
		return false;
	return h == SIG_IGN || (h == SIG_DFL && (SIG_DFL_IGNORE & sigmask(sig)));
}

/* set without the signals p ignores. */
static uint64_t
sig_acting(struct proc *p, uint64_t set)
{
	uint64_t acting = 0;

	for (uint64_t s = set; s != 0; s &= s - 1) {
		int sig = __builtin_ctzl(s) + 1;

		if (!sig_ignored(p, sig))
			acting |= sigmask(sig);
	}
	return acting;
}

/* Pending signals td does not block (ignored ones included). */
static uint64_t
sig_deliverable(struct thread *td)
{
	return sig_pending_set(td) & ~(sig_blocked(td) & ~SIG_CANTMASK);
}

/*
 * Mark sig pending in *pending, keeping ksi in info[] unless an instance
 * is already pending: the process's set, or one thread's.
 */
static void
sig_post_to(uint64_t *pending, struct ksiginfo *info, const struct ksiginfo *ksi)
{
	int sig = ksi->ksi_signo;
	uint64_t old;

	spin_lock(&sig_info_lock);
	old = __atomic_fetch_or(pending, sigmask(sig), __ATOMIC_SEQ_CST);
	if (!(old & sigmask(sig)))
		info[sig] = *ksi;
	spin_unlock(&sig_info_lock);
}

static void
sig_post(struct proc *p, const struct ksiginfo *ksi)
{
	sig_post_to(&p->p_sigpending, p->p_siginfo, ksi);
}

/* Take sig off *pending; *ksi gets its information.  False if it was not pending. */
static bool
sig_take(uint64_t *pending, const struct ksiginfo *info, int sig, struct ksiginfo *ksi)
{
	uint64_t old;

	spin_lock(&sig_info_lock);
	old = __atomic_fetch_and(pending, ~sigmask(sig), __ATOMIC_SEQ_CST);
	*ksi = info[sig];
	ksi->ksi_signo = sig;
	spin_unlock(&sig_info_lock);
	return (old & sigmask(sig)) != 0;
}

/*
 * Take sig off td's pending signals, its own first, then its process's;
 * *ksi gets its information.  False if it was not pending (discarded
 * since it was seen).
 */
static bool
sig_dequeue(struct thread *td, int sig, struct ksiginfo *ksi)
{
	struct proc *p = td->td_proc;

	if (__atomic_load_n(&td->td_sigpending, __ATOMIC_SEQ_CST) & sigmask(sig))
		return sig_take(&td->td_sigpending, td->td_siginfo, sig, ksi);
	return sig_take(&p->p_sigpending, p->p_siginfo, sig, ksi);
}

/* Forget every pending instance of sig in p, its threads' too (it is now ignored). */
static void
sig_discard(struct proc *p, int sig)
{
	struct ksiginfo unused;
	struct list_node *n;

	(void)sig_take(&p->p_sigpending, p->p_siginfo, sig, &unused);
	spin_lock(&p->p_threadlock);
	list_foreach(n, &p->p_threads) {
		struct thread *td = list_entry(n, struct thread, td_plist);

		(void)sig_take(&td->td_sigpending, td->td_siginfo, sig, &unused);
	}
	spin_unlock(&p->p_threadlock);
}

void
signal_setmask(struct thread *td, uint64_t mask)
{
	__atomic_store_n(&td->td_sigmask, mask & ~SIG_CANTMASK, __ATOMIC_SEQ_CST);
}

void
sigexit(struct thread *td, int sig)
{
	KASSERT(td == curthread(), ("sigexit: not the current thread"));
	proc_exit_group(W_EXITCODE(0, sig));
}

/*
 * Posting.
 */

/*
 * What posting sig to p (or to one of its threads) does at once for job
 * control: a stop signal discards a pending SIGCONT; SIGCONT discards
 * pending stop signals and continues p, blocked or not.  proc_lock held
 * for SIGCONT; p_threadlock not held.
 */
static void
sig_job_control(struct proc *p, int sig)
{
	if (sigmask(sig) & SIG_STOPS) {
		sig_discard(p, SIGCONT);
	} else if (sig == SIGCONT) {
		KASSERT(spin_owned(&proc_lock), ("psignal: SIGCONT without proc_lock"));
		for (uint64_t s = SIG_STOPS; s != 0; s &= s - 1)
			sig_discard(p, __builtin_ctzl(s) + 1);
		proc_continue(p);
	}
}

/*
 * Send the threads of p that should see sig now to take it
 * (thread_interrupt): the first that does not block it, or every one for
 * SIGKILL.  A thread that blocks it sees it when it unblocks it.  Returns
 * whether every thread blocks it.
 */
static bool
sig_wake_threads(struct proc *p, int sig)
{
	bool all_block = true, woke = false;
	struct list_node *n;

	spin_lock(&p->p_threadlock);
	list_foreach(n, &p->p_threads) {
		struct thread *td = list_entry(n, struct thread, td_plist);

		/* Read the mask only after the bit is visible (see the top of the file). */
		if (sig != SIGKILL && (sig_blocked(td) & sigmask(sig)))
			continue;
		all_block = false;
		if (!woke || sig == SIGKILL)
			thread_interrupt(td);
		woke = true;
	}
	spin_unlock(&p->p_threadlock);
	return all_block;
}

/* Does every thread of p block sig? */
static bool
sig_blocked_by_all(struct proc *p, int sig)
{
	bool all = true;
	struct list_node *n;

	spin_lock(&p->p_threadlock);
	list_foreach(n, &p->p_threads)
		if (!(sig_blocked(list_entry(n, struct thread, td_plist)) & sigmask(sig)))
			all = false;
	spin_unlock(&p->p_threadlock);
	return all;
}

/*
 * Is sig, sent to p, one init never gets?  Init is sent only signals it
 * has a handler for (Linux's SIGNAL_UNKILLABLE), SIGKILL and SIGSTOP
 * included: a default action would end or stop it, and the system with
 * it.  One it blocks is posted, as any (sigwaitinfo may take it), and
 * spared at delivery.  (A fault in init is not sent but delivered,
 * trapsignal; and the SIGKILL that ends a thread of an exiting process
 * is init's own doing.)
 */
static bool
sig_spares_init(struct proc *p, int sig)
{
	return p == initproc && sig_handler(p, sig) == SIG_DFL && !sig_blocked_by_all(p, sig);
}

void
psignal_info(struct proc *p, const struct ksiginfo *ksi)
{
	int sig = ksi->ksi_signo;

	KASSERT(sig_valid(sig), ("psignal: bad signal %d", sig));
	if (__atomic_load_n(&p->p_state, __ATOMIC_ACQUIRE) != PRS_ALIVE || sig_spares_init(p, sig))
		return;
	sig_job_control(p, sig);
	/* An ignored signal is dropped now, unless blocked (its handler may change). */
	if (sig_ignored(p, sig) && !sig_blocked_by_all(p, sig))
		return;
	sig_post(p, ksi);
	sig_wake_threads(p, sig);
	if (sig == SIGKILL)
		wakeup(&p->p_stopsig);		/* a stopped process dies too */
	if (__atomic_load_n(&sig_waiters, __ATOMIC_SEQ_CST) != 0)
		wakeup(&sig_wait_chan);
}

/*
 * Post ksi to thread td alone (tgkill): it is pending for td only, and
 * wakes td unless td blocks it.  The caller keeps td from leaving (holds
 * its process's p_threadlock).
 */
static void
psignal_thread(struct thread *td, const struct ksiginfo *ksi)
{
	struct proc *p = td->td_proc;
	int sig = ksi->ksi_signo;

	KASSERT(spin_owned(&p->p_threadlock), ("psignal_thread: p_threadlock not held"));
	if (!(sig_blocked(td) & sigmask(sig)) && sig_ignored(p, sig))
		return;
	sig_post_to(&td->td_sigpending, td->td_siginfo, ksi);
	if (sig == SIGKILL || !(sig_blocked(td) & sigmask(sig)))
		thread_interrupt(td);
	if (__atomic_load_n(&sig_waiters, __ATOMIC_SEQ_CST) != 0)
		wakeup(&sig_wait_chan);
}

void
psignal_curthread(int sig)
{
	struct thread *td = curthread();
	struct ksiginfo ksi = { .ksi_signo = sig, .ksi_code = SI_KERNEL };
	struct proc *p = td->td_proc;

	if (p == NULL || sig_spares_init(p, sig))
		return;
	spin_lock(&p->p_threadlock);
	psignal_thread(td, &ksi);
	spin_unlock(&p->p_threadlock);
}

void
signal_kill_thread(struct thread *td)
{
	struct ksiginfo ksi = { .ksi_signo = SIGKILL, .ksi_code = SI_KERNEL };

	psignal_thread(td, &ksi);
}

void
psignal(struct proc *p, int sig)
{
	struct ksiginfo ksi = { .ksi_signo = sig, .ksi_code = SI_KERNEL };

	psignal_info(p, &ksi);
}

bool
signal_pending(struct thread *td)
{
	struct proc *p = td->td_proc;

	if (p == NULL)
		return false;
	return sig_acting(p, sig_deliverable(td)) != 0;
}

bool
signal_ignored_or_blocked(struct thread *td, int sig)
{
	return (sig_blocked(td) & sigmask(sig)) || sig_handler(td->td_proc, sig) == SIG_IGN;
}

/*
 * Delivery.
 */

/* Make td's interrupted system call run again when it returns to user mode. */
static void
syscall_run_again(struct thread *td)
{
	cpu_set_syscall_retval(td, (long)td->td_sysarg0);
	cpu_syscall_restart(td);
}

/*
 * A handler with sa_flags is about to run: if a system call was
 * interrupted, make it fail with EINTR or, for ERESTARTSYS and
 * SA_RESTART, run again once the handler returns.  Before the frame is
 * built, which saves what the call will return.
 */
static void
syscall_restart_for_handler(struct thread *td, uint64_t sa_flags)
{
	int code = td->td_sysrestart;

	if (code == 0)
		return;
	td->td_sysrestart = 0;
	if (code == ERESTARTSYS && (sa_flags & SA_RESTART)) {
		syscall_run_again(td);
	} else {
		cpu_set_syscall_retval(td, -EINTR);
		td->td_restart.rb_fn = NULL;
	}
}

void
signal_syscall_restart(struct thread *td)
{
	int code = td->td_sysrestart;

	KASSERT(code == ERESTARTSYS || code == ERESTARTNOHAND || code == ERESTART_RESTARTBLOCK,
	    ("signal_syscall_restart: code %d", code));
	td->td_sysrestart = 0;
	if (code == ERESTART_RESTARTBLOCK)
		cpu_set_syscall_number(td, __NR_restart_syscall);
	syscall_run_again(td);
}

long
syscall_restart_block(struct thread *td, long (*fn)(struct thread *, const struct restart_block *),
    uint64_t deadline, uint64_t arg0, uint64_t arg1)
{
	td->td_restart = (struct restart_block){ fn, deadline, { arg0, arg1 } };
	return -ERESTART_RESTARTBLOCK;
}

/*
 * restart_syscall(): continue the call the restart block describes (a
 * call that no handler interrupted); EINTR if there is none.
 */
SYSCALL(restart_syscall)
{
	struct restart_block rb = td->td_restart;

	td->td_restart.rb_fn = NULL;
	if (rb.rb_fn == NULL)
		return -EINTR;
	return rb.rb_fn(td, &rb);
}

/*
 * Run sig's handler: build its frame (saving mask for sigreturn), block
 * what the handler asks for.  A frame that cannot be written kills the
 * process with SIGSEGV.
 */
static void
sig_handle(struct thread *td, const struct ksiginfo *ksi, uint64_t mask)
{
	int sig = ksi->ksi_signo;
	struct sigaction_k *sa = &td->td_proc->p_sigacts[sig], act;
	uint64_t block;

	/* The disposition as one piece: another thread may be changing it. */
	spin_lock(&sig_info_lock);
	act = *sa;
	if (act.sa_flags & SA_RESETHAND)
		__atomic_store_n(&sa->sa_handler, SIG_DFL, __ATOMIC_RELAXED);
	spin_unlock(&sig_info_lock);
	if (act.sa_handler == SIG_DFL || act.sa_handler == SIG_IGN)
		return;			/* changed since the caller looked: nothing to run */
	syscall_restart_for_handler(td, act.sa_flags);
	block = act.sa_mask;
	if (!(act.sa_flags & SA_NODEFER))
		block |= sigmask(sig);
	if (sendsig(td, (uint64_t)(uintptr_t)act.sa_handler, ksi, mask,
	    (act.sa_flags & SA_ONSTACK) != 0) != 0)
		sigexit(td, SIGSEGV);
	signal_setmask(td, sig_blocked(td) | block);
}

/*
 * Take sig off the pending set and act on it; mask is what a handler's
 * sigreturn restores.  True if a handler was set up.
 */
static bool
sig_deliver_one(struct thread *td, int sig, uint64_t mask)
{
	struct proc *p = td->td_proc;
	/* Read before the dequeue: a SIGCONT posted after it voids a stop. */
	uint32_t contgen = __atomic_load_n(&p->p_contgen, __ATOMIC_SEQ_CST);
	struct ksiginfo ksi;
	__sighandler_t handler;

	if (!sig_dequeue(td, sig, &ksi))
		return false;
	handler = sig_handler(p, sig);
	if (sig == SIGKILL)
		handler = SIG_DFL;
	if (handler == SIG_IGN)
		return false;
	if (handler == SIG_DFL) {
		if ((SIG_DFL_IGNORE & sigmask(sig)) || (p == initproc && sig != SIGKILL))
			return false;	/* init: see sig_spares_init */
		if (SIG_STOPS & sigmask(sig)) {
			proc_stop(td, sig, contgen);
			return false;
		}
		sigexit(td, sig);
	}
	sig_handle(td, &ksi, mask);
	return true;
}

void
signal_deliver(struct thread *td)
{
	int sig;

	KASSERT(td == curthread() && td->td_proc != NULL,
	    ("signal_deliver: thread %p is not the current user thread", td));
	while ((sig = sig_first(sig_deliverable(td))) != 0)
		(void)sig_deliver_one(td, sig, sig_blocked(td));
}

/*
 * Deliver until one handler is set up, its frame saving mask rather than
 * the current mask (rt_sigsuspend).  False if none was.
 */
static bool
sig_deliver_saving(struct thread *td, uint64_t mask)
{
	int sig;

	while ((sig = sig_first(sig_deliverable(td))) != 0)
		if (sig_deliver_one(td, sig, mask))
			return true;
	return false;
}

#define UNHANDLED_LOG_INTERVAL	(5 * NSEC_PER_SEC)
#define UNHANDLED_LOG_BURST	10

static struct ratelimit unhandled_log = RATELIMIT_INITIALIZER("unhandled signal log",
    UNHANDLED_LOG_INTERVAL, UNHANDLED_LOG_BURST);

/*
 * A fault is about to kill its process: with "show_unhandled_signals" on
 * the command line (Linux's sysctl of that name), say which, where and at
 * what pc, within a rate limit.
 */
static void
log_unhandled(struct thread *td, const struct ksiginfo *ksi)
{
	struct proc *p = td->td_proc;
	uint64_t missed;

	if (!cmdline_has("show_unhandled_signals") ||
	    !ratelimit_allow(&unhandled_log, uptime_ns(), &missed))
		return;
	if (missed != 0)
		printf("signal: %lu unhandled signal messages suppressed\n", missed);
	printf("%s[%d]: unhandled signal %d code %#x at %#lx pc %#lx\n", p->p_comm, p->p_pid,
	    ksi->ksi_signo, ksi->ksi_code, ksi->ksi_addr, cpu_get_user_pc(td));
}

void
trapsignal(struct thread *td, int sig, int code, vaddr_t addr)
{
	struct proc *p = td->td_proc;
	struct sigaction_k *sa = &p->p_sigacts[sig];
	struct ksiginfo ksi = { .ksi_signo = sig, .ksi_code = code, .ksi_addr = addr };
	uint64_t mask = sig_blocked(td);

	KASSERT(td == curthread() && sig_valid(sig), ("trapsignal: td %p sig %d", td, sig));
	if ((mask & sigmask(sig)) || sig_handler(p, sig) == SIG_IGN) {
		/* A fault cannot be blocked or ignored: the default action it is. */
		spin_lock(&sig_info_lock);
		__atomic_store_n(&sa->sa_handler, SIG_DFL, __ATOMIC_RELAXED);
		spin_unlock(&sig_info_lock);
		mask &= ~sigmask(sig);
		signal_setmask(td, mask);
	}
	if (sig_handler(p, sig) == SIG_DFL) {
		if (SIG_DFL_IGNORE & sigmask(sig))
			return;
		log_unhandled(td, &ksi);
		sigexit(td, sig);
	}
	sig_handle(td, &ksi, mask);
}

long
signal_return_from_tempmask(struct thread *td, uint64_t old, long rv)
{
	if (rv == -ERESTARTNOHAND || rv == -EINTR) {
		/* What the handler's frame saves as the call's result. */
		cpu_set_syscall_retval(td, -EINTR);
		if (sig_deliver_saving(td, old))
			return cpu_get_syscall_retval(td);
	}
	signal_setmask(td, old);
	return rv;
}

/*
 * Process life cycle.
 */

void
signal_exec_reset(struct thread *td)
{
	struct proc *p = td->td_proc;

	td->td_sigstk_sp = td->td_sigstk_size = 0;
	td->td_sigstk_flags = 0;
	/* Only td is left: nothing else reads these now. */
	for (int sig = 1; sig <= NSIG_LINUX; sig++) {
		struct sigaction_k *sa = &p->p_sigacts[sig];

		if (sa->sa_handler != SIG_IGN)
			__atomic_store_n(&sa->sa_handler, SIG_DFL, __ATOMIC_RELAXED);
		sa->sa_flags = 0;
		sa->sa_mask = 0;
	}
}

bool
signal_child_autoreap(struct proc *p)
{
	return sig_handler(p, SIGCHLD) == SIG_IGN ||
	    (p->p_sigacts[SIGCHLD].sa_flags & SA_NOCLDWAIT);
}

/*
 * The alternate signal stack (sigaltstack), per thread, with Linux's
 * rules: a thread is "on" it when its sp lies in (sp, sp + size]; an
 * SS_AUTODISARM stack counts as never on, since it is disabled while a
 * handler uses it.
 */

#define SS_MODE_MASK	(~SS_AUTODISARM)

static bool
on_sigstack(const struct thread *td, uint64_t sp)
{
	if (td->td_sigstk_flags & SS_AUTODISARM)
		return false;
	return sp > td->td_sigstk_sp && sp - td->td_sigstk_sp <= td->td_sigstk_size;
}

/* SS_DISABLE, SS_ONSTACK or 0, as sigaltstack reports the state at sp. */
static int
sigstack_state(const struct thread *td, uint64_t sp)
{
	if (td->td_sigstk_size == 0)
		return SS_DISABLE;
	return on_sigstack(td, sp) ? SS_ONSTACK : 0;
}

uint64_t
sigstack_frame_sp(struct thread *td, uint64_t sp, bool onstack, struct kernel_sigaltstack *saved)
{
	uint64_t frame_sp = sp;

	if (onstack && sigstack_state(td, sp) == 0)
		frame_sp = td->td_sigstk_sp + td->td_sigstk_size;
	/* As Linux records it: the flags it was set with, SS_DISABLE if there is none. */
	*saved = (struct kernel_sigaltstack){ .ss_sp = td->td_sigstk_sp,
	    .ss_flags = (int32_t)(td->td_sigstk_size != 0 ? td->td_sigstk_flags :
	    (td->td_sigstk_flags & SS_AUTODISARM) | SS_DISABLE), .ss_size = td->td_sigstk_size };
	if (td->td_sigstk_flags & SS_AUTODISARM) {
		td->td_sigstk_sp = td->td_sigstk_size = 0;
		td->td_sigstk_flags = 0;
	}
	return frame_sp;
}

/* Set td's alternate stack to ss, its sp being sp: 0, EPERM, EINVAL or ENOMEM. */
static int
sigstack_set(struct thread *td, const struct kernel_sigaltstack *ss, uint64_t sp)
{
	uint32_t flags = (uint32_t)ss->ss_flags, mode = flags & SS_MODE_MASK;

	if (on_sigstack(td, sp))
		return EPERM;
	if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
		return EINVAL;
	if (mode == SS_DISABLE) {
		td->td_sigstk_sp = td->td_sigstk_size = 0;
	} else {
		if (ss->ss_size < MINSIGSTKSZ)
			return ENOMEM;
		td->td_sigstk_sp = ss->ss_sp;
		td->td_sigstk_size = ss->ss_size;
	}
	td->td_sigstk_flags = flags;
	return 0;
}

void
sigstack_restore(struct thread *td, const struct kernel_sigaltstack *ss, uint64_t sp)
{
	(void)sigstack_set(td, ss, sp);		/* errors are ignored, as Linux ignores them */
}

void
sigstack_fork(struct thread *child, struct thread *parent, bool shares_vm)
{
	if (shares_vm)
		return;			/* another thread's stack is no use to it */
	child->td_sigstk_sp = parent->td_sigstk_sp;
	child->td_sigstk_size = parent->td_sigstk_size;
	child->td_sigstk_flags = parent->td_sigstk_flags;
}

/* sigaltstack(ss, old_ss) */
SYSCALL(sigaltstack)
{
	uint64_t sp = cpu_get_user_sp(td);
	struct kernel_sigaltstack ss, old = { .ss_sp = td->td_sigstk_sp,
	    .ss_flags = sigstack_state(td, sp) | (int32_t)(td->td_sigstk_flags & SS_AUTODISARM),
	    .ss_size = td->td_sigstk_size };
	int error;

	if (a[0] != 0) {
		if (copyin((const void *)a[0], &ss, sizeof(ss)))
			return -EFAULT;
		if ((error = sigstack_set(td, &ss, sp)) != 0)
			return -error;
	}
	if (a[1] != 0 && copyout(&old, (void *)a[1], sizeof(old)))
		return -EFAULT;
	return 0;
}

/*
 * System calls: dispositions and masks.
 */

SYSCALL(rt_sigaction)
{
	int sig = (int)a[0];
	struct proc *p = td->td_proc;
	struct sigaction_k *sa;
	struct kernel_sigaction nsa, osa;

	if (a[3] != sizeof(uint64_t) || !sig_valid(sig))
		return -EINVAL;
	if (a[1] != 0) {
		if (sigmask(sig) & SIG_CANTMASK)
			return -EINVAL;
		if (copyin((const void *)a[1], &nsa, sizeof(nsa)))
			return -EFAULT;
	}
	sa = &p->p_sigacts[sig];
	spin_lock(&sig_info_lock);
	osa = (struct kernel_sigaction){ sa->sa_handler, sa->sa_flags, sa->sa_mask };
	if (a[1] != 0) {
		sa->sa_flags = nsa.flags & SA_KNOWN;
		sa->sa_mask = nsa.mask & ~SIG_CANTMASK;
		__atomic_store_n(&sa->sa_handler, nsa.handler, __ATOMIC_RELAXED);
	}
	spin_unlock(&sig_info_lock);
	/* POSIX: setting a signal to be ignored discards a pending one. */
	if (a[1] != 0 && sig_ignored(p, sig))
		sig_discard(p, sig);
	if (a[2] != 0 && copyout(&osa, (void *)a[2], sizeof(osa)))
		return -EFAULT;
	return 0;
}

SYSCALL(rt_sigprocmask)
{
	uint64_t old = sig_blocked(td), set;

	if (a[3] != sizeof(uint64_t))
		return -EINVAL;
	if (a[1] != 0) {
		if (copyin((const void *)a[1], &set, sizeof(set)))
			return -EFAULT;
		switch (a[0]) {
		case SIG_BLOCK:
			signal_setmask(td, old | set);
			break;
		case SIG_UNBLOCK:
			signal_setmask(td, old & ~set);
			break;
		case SIG_SETMASK:
			signal_setmask(td, set);
			break;
		default:
			return -EINVAL;
		}
	}
	if (a[2] != 0 && copyout(&old, (void *)a[2], sizeof(old)))
		return -EFAULT;
	return 0;
}

SYSCALL(rt_sigpending)
{
	uint64_t set = sig_pending_set(td) & sig_blocked(td);

	if (a[1] > sizeof(set))
		return -EINVAL;
	if (copyout(&set, (void *)a[0], a[1]))
		return -EFAULT;
	return 0;
}

/*
 * rt_sigsuspend(mask, size): wait with mask in place for a signal that
 * runs a handler (or kills).  The handler's frame restores the mask from
 * before the call and shows the call returning EINTR.
 */
SYSCALL(rt_sigsuspend)
{
	uint64_t old = sig_blocked(td), mask;

	if (a[1] != sizeof(uint64_t))
		return -EINVAL;
	if (copyin((const void *)a[0], &mask, sizeof(mask)))
		return -EFAULT;
	signal_setmask(td, mask);
	while (!signal_pending(td))
		(void)sleep_on_intr(&sig_wait_chan, NULL);
	/* A handler's first argument; or, if none ran (a stop), wait again. */
	return signal_return_from_tempmask(td, old, -ERESTARTNOHAND);
}

/*
 * rt_sigtimedwait(set, info, timeout, size): take a pending signal of set
 * (normally blocked) without running its handler; EAGAIN when the
 * timeout passes first, EINTR when another signal arrives.
 */
SYSCALL(rt_sigtimedwait)
{
	struct ksiginfo ksi;
	uint64_t set, deadline = 0;
	bool timed = a[2] != 0;
	long rv;
	int sig, error;

	if (a[3] != sizeof(uint64_t))
		return -EINVAL;
	if (copyin((const void *)a[0], &set, sizeof(set)))
		return -EFAULT;
	set &= ~SIG_CANTMASK;
	if (timed) {
		if ((error = timeout_copyin(a[2], &deadline)) != 0)
			return -error;
	}
	__atomic_add_fetch(&sig_waiters, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		if ((sig = sig_first(sig_pending_set(td) & set)) != 0) {
			sig_dequeue(td, sig, &ksi);
			rv = sig;
			if (a[1] != 0 && sig_copyout_siginfo(&ksi, (void *)a[1]))
				rv = -EFAULT;
			break;
		}
		if (signal_pending(td)) {
			rv = -EINTR;
			break;
		}
		if (timed && cpu_time() >= deadline) {
			rv = -EAGAIN;
			break;
		}
		/* The poster marks the signal pending, then wakes: look under the chain lock. */
		sleepq_lock(&sig_wait_chan);
		if ((sig_pending_set(td) & set) == 0)
			(void)sleepq_wait(&sig_wait_chan, SLEEPQ_EXCLUSIVE, SLEEPQ_INTR, deadline);
		else
			sleepq_release(&sig_wait_chan);
	}
	__atomic_sub_fetch(&sig_waiters, 1, __ATOMIC_SEQ_CST);
	return rv;
}

/*
 * System calls: sending.
 */

/* Send ksi from sender to p: EPERM unless Linux's rules allow it.  proc_lock held. */
static int
kill_one(struct proc *sender, struct proc *p, const struct ksiginfo *ksi)
{
	if (!proc_can_signal(sender, p))
		return EPERM;
	if (ksi->ksi_signo != 0)
		psignal_info(p, ksi);
	return 0;
}

/*
 * Send to every process that match() accepts: 0 if any got it, else the
 * last error (ESRCH if there were none).  proc_lock held.
 */
static int
kill_many(struct proc *sender, const struct ksiginfo *ksi, bool (*match)(struct proc *, int),
    int arg)
{
	struct list_node *n;
	int error = ESRCH;
	bool sent = false;

	list_foreach(n, &allproc) {
		struct proc *p = list_entry(n, struct proc, p_allproc);

		if (p->p_state == PRS_NEW || !match(p, arg))
			continue;
		if ((error = kill_one(sender, p, ksi)) == 0)
			sent = true;
	}
	return sent ? 0 : error;
}

static bool
match_pgid(struct proc *p, int pgid)
{
	return p->p_pgid == pgid;
}

/* kill(-1): everyone but init and the caller. */
static bool
match_all_others(struct proc *p, int self)
{
	return p->p_pid > 1 && p->p_pid != self;
}

SYSCALL(kill)
{
	int pid = (int)a[0], sig = (int)a[1];
	struct proc *self = td->td_proc, *p;
	struct ksiginfo ksi = { .ksi_signo = sig, .ksi_code = SI_USER,
	    .ksi_pid = self->p_pid, .ksi_uid = self->p_ruid };
	int error;

	if (sig < 0 || sig > NSIG_LINUX)
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	spin_lock(&proc_lock);
	if (pid > 0)
		error = (p = proc_find(pid)) != NULL ? kill_one(self, p, &ksi) : ESRCH;
	else if (pid == -1)
		error = kill_many(self, &ksi, match_all_others, self->p_pid);
	else
		error = kill_many(self, &ksi, match_pgid, pid == 0 ? self->p_pgid : -pid);
	spin_unlock(&proc_lock);
	return -error;
}

/* A signal to one thread (tgid 0: of any process); ESRCH if tid is not in tgid. */
static long
kill_thread(struct thread *td, int tgid, int tid, int sig)
{
	struct proc *self = td->td_proc, *p;
	struct ksiginfo ksi = { .ksi_signo = sig, .ksi_code = SI_TKILL,
	    .ksi_pid = self->p_pid, .ksi_uid = self->p_ruid };
	struct thread *target;
	int error = ESRCH;

	if (tid <= 0 || tgid < 0 || sig < 0 || sig > NSIG_LINUX)
		return -EINVAL;
	spin_lock(&proc_lock);
	p = tgid != 0 ? proc_find(tgid) : proc_of_tid(tid);
	if (p != NULL && p->p_state == PRS_ALIVE) {
		spin_lock(&p->p_threadlock);
		target = proc_thread_by_tid(p, tid);
		spin_unlock(&p->p_threadlock);
		if (target == NULL)
			error = ESRCH;
		else if (!proc_can_signal(self, p))
			error = EPERM;
		else
			error = 0;
	}
	if (error == 0 && sig != 0 && !sig_spares_init(p, sig)) {
		sig_job_control(p, sig);
		/* Looked up again: it may have exited meanwhile (then the signal is lost, as in Linux). */
		spin_lock(&p->p_threadlock);
		if ((target = proc_thread_by_tid(p, tid)) != NULL)
			psignal_thread(target, &ksi);
		spin_unlock(&p->p_threadlock);
	}
	spin_unlock(&proc_lock);
	return -error;
}

SYSCALL(tkill)
{
	return kill_thread(td, 0, (int)a[0], (int)a[1]);
}

SYSCALL(tgkill)
{
	if ((int)a[0] <= 0)
		return -EINVAL;
	return kill_thread(td, (int)a[0], (int)a[1], (int)a[2]);
}
