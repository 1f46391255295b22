/*
 * Processes: an address space, files, credentials and signal handlers
 * shared by one or more threads (kern_thread.c).  The first thread's tid
 * is the pid.
 *
 * Locking:
 *   (P) proc_lock, a global spin lock for the process tree, states and
 *       exit status
 *   (C) constant after creation
 *   (L) only the process's own threads touch it; (Ls) the process is
 *       single-threaded when it changes (exec, exit)
 *   (T) p_threadlock, a spin lock: the thread list.  Order: proc_lock,
 *       p_threadlock, then sched_lock, sig_info_lock or p_timer_lock
 *   (F) the file table's lock
 *   (t) p_timer_lock, a spin lock: the CPU-time interval timers, which the
 *       clock interrupt of any cpu running the process's threads updates,
 *       and the last user/system split reported
 *   (A) atomic
 *   (c) credentials: written by the process's own thread under proc_lock;
 *       it reads them freely, others under proc_lock
 */
#ifndef _KERN_PROC_H_
#define _KERN_PROC_H_

#include <kern/types.h>
#include <kern/list.h>
#include <kern/spinlock.h>
#include <kern/signal.h>
#include <kern/resourcevar.h>
#include <kern/imgact.h>		/* struct exec_layout */
#include <uapi/resource.h>

struct groups;
struct proc_exe;
struct thread;
struct trapframe;
struct vmspace;
struct vnode;
struct file;
struct tty;

#define NOFILE_MAX	256		/* file descriptors per process */

struct sigaction_k {			/* the kernel's copy of a handler */
	__sighandler_t	sa_handler;	/* a user address, SIG_DFL or SIG_IGN */
	uint64_t	sa_flags;
	uint64_t	sa_mask;
};

#define FD_MAP_BITS	64		/* descriptors per word of fd_open */

struct filedesc {
	struct spinlock	fd_lock;
	struct file	*fd_files[NOFILE_MAX];	/* (F) */
	uint8_t		fd_cloexec[NOFILE_MAX];	/* (F) */
	/* (F) bit fd set exactly when fd_files[fd] is: fork and exit visit only these */
	uint64_t	fd_open[NOFILE_MAX / FD_MAP_BITS];
	bool		fd_posix_locks;	/* (A) has owned POSIX record locks (lockf.h) */
};

enum proc_state { PRS_NEW, PRS_ALIVE, PRS_ZOMBIE };

struct proc {
	int		p_pid;		/* (C) = its first thread's tid */
	enum proc_state	p_state;	/* (P) */
	uint32_t	p_flags;	/* (P) P_*: read on every return to user mode, so
					 * near the start, where one load reaches it */
	int		p_xstat;	/* (P) wait status, as wait4 reports it */
	struct proc	*p_parent;	/* (P) */
	struct list_node p_children;	/* (P) */
	struct list_node p_sibling;	/* (P) on the parent's p_children */
	struct list_node p_allproc;	/* (P) */
	/* Threads (kern_thread.c). */
	struct spinlock	p_threadlock;
	struct list_node p_threads;	/* (T) its living threads, by td_plist */
	uint32_t	p_numthreads;	/* (T) how many */
	struct thread	*p_singler;	/* (T) the thread ending all others (exit_group,
					 * execve), or NULL */
	struct thread_totals p_dead_totals;	/* (T) what its exited threads used */
	uint32_t	p_unfreed_threads; /* (A) threads made and not yet freed: an exited
					 * one may still take a clock tick, charged here,
					 * until it has switched away (then it is freed) */
	struct vmspace	*p_vmspace;	/* (Ls) read freely by its threads, written (exec,
					 * exit) holding proc_lock; (P) for others */
	struct filedesc	*p_fd;		/* (Ls) set; (P) cleared at exit, for /proc readers */
	struct vnode	*p_cwd;		/* (P) changed (chdir) and read for a reference
					 * (proc_cwd_hold) under proc_lock */
	int		p_pgid;		/* (P) process group */
	int		p_sid;		/* (P) session: its leader's pid */
	struct tty	*p_tty;		/* (P) controlling terminal, or NULL */
	int		p_stopsig;	/* (P) the signal that stopped it (wait4 reports it) */
	uint32_t	p_stopgen;	/* (T) stops begun; a thread that has stopped for
					 * the current one has td_stopgen equal to it */
	uint32_t	p_stop_pending;	/* (T) threads yet to stop before the stop is
					 * complete and reported; 0 when none is under way.
					 * stopped_wait reads both unlocked, to decide to
					 * count itself (under the lock) again */
	uint32_t	p_contgen;	/* (P) SIGCONTs posted: a stop being acted on is void */
	/* Credentials (kern_prot.c): Linux's real, effective, saved and fs ids. */
	uint32_t	p_uid;		/* (c) effective user id: what permission checks use */
	uint32_t	p_ruid;		/* (c) real user id */
	uint32_t	p_suid;		/* (c) saved set-user-id */
	uint32_t	p_fsuid;	/* (c) file-system user id (follows p_uid) */
	uint32_t	p_gid;		/* (c) effective group id */
	uint32_t	p_rgid;		/* (c) */
	uint32_t	p_sgid;		/* (c) */
	uint32_t	p_fsgid;	/* (c) */
	struct groups	*p_groups;	/* (c) supplementary groups, shared; NULL: none */
	uint32_t	p_umask;	/* (L) file mode creation mask */
	struct sigaction_k p_sigacts[NSIG_LINUX + 1];	/* (I) sig_info_lock (kern_sig.c); a
					 * thread reads its handler's address atomically */
	uint64_t	p_sigpending;	/* (A) signals sent, not yet delivered */
	struct ksiginfo	p_siginfo[NSIG_LINUX + 1];	/* (S) details of pending signals */
	struct rlimit p_rlimit[RLIM_NLIMITS];	/* (P) written; its threads read a field
						 * at a time */
	struct spinlock	p_timer_lock;
	struct cpu_itimer p_cpu_itimer[CPU_ITIMERS];	/* (t) ITIMER_VIRTUAL, ITIMER_PROF */
	struct cputime_split p_cputime_prev;	/* (t) times last reported for it */
	struct kusage	p_cusage;	/* (P) its reaped children's, theirs included */
	uint64_t	p_maxrss_kb;	/* (A) the largest resident set seen */
	uint64_t	p_maxvm_kb;	/* (A) the largest address space seen */
	uint64_t	p_start_ns;	/* (C) uptime_ns when it was created */
	uint64_t	p_itimer_real_next;	/* (P) SIGALRM deadline (timebase), 0 off */
	uint64_t	p_itimer_real_interval;	/* (P) */
	char		p_comm[16];	/* (Ls) */
	struct exec_layout p_exec;	/* (P) set by exec */
	struct proc_exe	*p_exe;		/* (P) the program it runs (/proc/PID/exe); NULL after exit */
};

extern struct spinlock proc_lock;
extern struct proc *initproc;
extern struct list_node allproc;	/* (P) every process, by p_allproc */
extern uint64_t proc_forks;		/* (A) processes made since boot (/proc/stat) */

struct proc *curproc(void);
struct proc *proc_find(int pid);	/* proc_lock held */

/*
 * Threads (kern_thread.c).  proc_thread_init makes leader p's first
 * thread.  The lookups hold p_threadlock (proc_of_tid: proc_lock).
 */
void proc_thread_init(struct proc *p, struct thread *leader);
struct thread *proc_first_thread(struct proc *p);	/* NULL once all have exited */
struct thread *proc_thread_by_tid(struct proc *p, int tid);	/* NULL: not p's */
struct proc *proc_of_tid(int tid);		/* the living process with that thread */
/* clone(CLONE_THREAD...): a new thread in td's process; its tid, or -errno. */
int thread_clone(struct thread *td, uint64_t flags, uint64_t stack, uint64_t ptid,
    uint64_t tls, uint64_t ctid);
/* What CLONE_CHILD_CLEARTID asked for: zero the tid word and wake a futex waiter. */
void thread_clear_child_tid(struct thread *td);
/* exit(2): the calling thread ends; with the last, the process (proc_exit). */
void thread_exit_user(int wstatus) __attribute__((noreturn));
/* exit_group(2) and fatal signals: every thread ends, then the process. */
void proc_exit_group(int wstatus) __attribute__((noreturn));
/*
 * execve's point of no return: every other thread of td's process is
 * ended, and td takes the pid as its tid.  False if another thread is
 * already ending the process: td must exit (thread_exit_user).
 */
bool proc_single_thread_exec(struct thread *td);
/* Is another thread ending td's process (td will be killed)? */
bool thread_is_doomed(struct thread *td);
/*
 * Send td to take what was just posted for it (a signal, a stop): woken
 * from an interruptible sleep, or interrupted if it runs on another cpu
 * (sched_kick), it sees it on its way back to user mode.
 */
void thread_interrupt(struct thread *td);
/* td leaves its process for good: its counts go to p_dead_totals.  p_threadlock held. */
void thread_leave(struct thread *td);
/* An exited user thread td is being freed (sched_loop): one fewer for its process. */
void thread_freed(struct thread *td);
/* Wait until every thread of p, which has exited, is freed (wait4, before freeing p). */
void proc_wait_threads_freed(struct proc *p);

/* Process life cycle (proc.c). */
void proc_init(void);
/* Create pid 1 running path with argv (kernel strings); panics on failure. */
void proc_create_init(const char *path, char *const argv[], char *const envp[]);
/* The end of a single-threaded process (its last thread, or the singler). */
void proc_exit(int wstatus) __attribute__((noreturn));
/* Return to user mode in td's trap frame (a new thread's first entry). */
void fork_return(void *arg);
int kern_execve(struct thread *td, const char *path, char *const argv[], int argc,
    char *const envp[], int envc);
/* The program a process runs (kern_exec.c): shared by fork, referenced. */
struct proc_exe *exe_hold(struct proc_exe *pe);		/* NULL: NULL */
void exe_release(struct proc_exe *pe);			/* NULL: nothing */
/*
 * The absolute path of process pid's program into buf, with " (deleted)"
 * after it if it has been removed: 0, ENOENT (no such process, or it has
 * exited), ERANGE.  No locks held.
 */
int proc_exe_path(int pid, char *buf, size_t size, size_t *len);
/* Process pid's program, referenced, into *vpp: 0 or ENOENT (as above). */
int proc_exe_vnode(int pid, struct vnode **vpp);

/*
 * Credentials (kern_prot.c).  The caller of proc_cred_fork holds nothing;
 * the child gets the parent's ids and shares its groups.
 */
void proc_cred_fork(struct proc *child, struct proc *parent);
void proc_cred_free(struct proc *p);
/* Does p hold the privilege Linux calls CAP_SETUID, CAP_KILL...: effective uid 0. */
bool proc_privileged(const struct proc *p);
/* p's supplementary groups, held (proc_lock held); and their reading. */
struct groups *proc_groups_hold(struct proc *p);
void groups_release(struct groups *g);		/* NULL: nothing */
uint32_t groups_count(const struct groups *g);	/* NULL: 0 */
uint32_t groups_gid(const struct groups *g, uint32_t i);
/* Is gid p's effective group or one of its supplementary groups (Linux's in_group_p)?  Nothing locked. */
bool proc_in_group(struct proc *p, uint32_t gid);
/* May sender signal target (Linux's kill permission)?  proc_lock held. */
bool proc_can_signal(const struct proc *sender, const struct proc *target);
/*
 * May reader see what target has open and runs (/proc/PID/exe, fd/:
 * Linux's ptrace access check in its PTRACE_MODE_READ_FSCREDS mode)?
 * Itself, or as root, or as the same user and group on every count
 * (reader's file-system ids against target's effective, real and saved
 * ones).  proc_lock held.
 */
bool proc_can_inspect(const struct proc *reader, const struct proc *target);

#define P_PPWAIT_FLAG	0x1	/* vfork parent waits for exec or exit */
#define P_EXECED	0x2	/* it has called execve: its parent's setpgid fails */
#define P_STOPPED	0x4	/* stopped by a job-control signal; (A) read */
#define P_WAITSTOP	0x8	/* stopped, not yet reported by wait4(WUNTRACED) */
#define P_WAITCONT	0x10	/* continued, not yet reported by wait4(WCONTINUED) */
void proc_release_vfork_parent(struct proc *p);

/*
 * Job control (kern_jobctl.c): sessions and process groups, stopping and
 * continuing, orphaned process groups.
 */
/*
 * The current process stops for sig (a stop signal whose action is the
 * default), unless a SIGCONT came after contgen was read or the stop is
 * a terminal one (SIGTSTP, SIGTTIN, SIGTTOU) in an orphaned process
 * group; it returns when continued or killed.  No locks held.
 */
void proc_stop(struct thread *td, int sig, uint32_t contgen);
/*
 * A thread's way back to user mode while its process is stopped (a stop
 * signal another thread took): it waits until continued or killed.
 */
void thread_stop_check(struct thread *td);
/*
 * Thread td leaves its process (proc_lock and p_threadlock held): a stop
 * under way no longer waits for it.  True if it was the last the stop
 * waited for: the caller calls proc_stop_report(p) once it has let go of
 * p_threadlock, still holding proc_lock.
 */
bool proc_stop_leave(struct thread *td);
void proc_stop_report(struct proc *p);
/* New thread ntd joins its process (p_threadlock held): a stop under way waits for it too. */
void proc_stop_join(struct thread *ntd);
/* SIGCONT was posted to p: continue it if it is stopped.  proc_lock held. */
void proc_continue(struct proc *p);
/* The session of group pgid, or -1 if no process (alive or a zombie) is in it.  proc_lock held. */
int pgrp_session(int pgid);
/* Is pgid an orphaned process group (no member's parent is in another group of its session)? */
bool pgrp_orphaned(int pgid);			/* proc_lock held */
/* Post sig to every process in group pgid: 0, or ESRCH if it has none.  proc_lock held. */
int pgsignal(int pgid, int sig);
/*
 * p is exiting and its children go to init: a session leader gives up
 * its controlling terminal (tty_session_exit), and groups that this
 * leaves orphaned with stopped members get SIGHUP and SIGCONT, as POSIX
 * asks.  proc_lock held, before the children are handed over.
 */
void jobctl_exit(struct proc *p);

#endif
