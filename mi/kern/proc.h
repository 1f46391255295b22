/*
 * Processes.  Each has one thread today (td) but keeps per-thread state
 * in struct thread so threads can be added.
 *
 * Locking:
 *   (P) proc_lock, a global spin lock for the process tree, states and
 *       exit status
 *   (C) constant after creation
 *   (L) only the process's own thread touches it
 *   (F) the file table's lock
 */
#ifndef _KERN_PROC_H_
#define _KERN_PROC_H_

#include <kern/types.h>
#include <kern/list.h>
#include <kern/spinlock.h>
#include <kern/signal.h>
#include <uapi/resource.h>

struct thread;
struct trapframe;
struct vmspace;
struct vnode;
struct file;

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
};

enum proc_state { PRS_NEW, PRS_ALIVE, PRS_ZOMBIE };

struct proc {
	int		p_pid;		/* (C) = its first thread's tid */
	enum proc_state	p_state;	/* (P) */
	int		p_xstat;	/* (P) wait status, as wait4 reports it */
	struct proc	*p_parent;	/* (P) */
	struct list_node p_children;	/* (P) */
	struct list_node p_sibling;	/* (P) on the parent's p_children */
	struct list_node p_allproc;	/* (P) */
	struct thread	*p_thread;	/* (P) its one thread */
	struct vmspace	*p_vmspace;	/* (L) read freely by its thread, which writes it
					 * (exec, exit) holding proc_lock; (P) for others */
	struct filedesc	*p_fd;		/* (L) */
	struct vnode	*p_cwd;		/* (L) */
	int		p_pgid;		/* (P) */
	uint32_t	p_uid;		/* (L) changed by its own thread (setuid); others read it */
	struct sigaction_k p_sigacts[NSIG_LINUX + 1];	/* (L) */
	uint64_t	p_sigpending;	/* (A) signals sent, not yet delivered */
	struct ksiginfo	p_siginfo[NSIG_LINUX + 1];	/* (S) details of pending signals */
	struct rlimit p_rlimit[RLIM_NLIMITS];	/* (L) */
	uint64_t	p_utime_ticks;	/* (A) clock ticks charged in user mode */
	uint64_t	p_stime_ticks;	/* (A) and in the kernel */
	uint64_t	p_cutime_ticks;	/* (L) the same of the children it reaped (wait4) */
	uint64_t	p_cstime_ticks;	/* (L) */
	uint64_t	p_itimer_real_next;	/* (P) SIGALRM deadline (timebase), 0 off */
	uint64_t	p_itimer_real_interval;	/* (P) */
	char		p_comm[16];	/* (L) */
	uint32_t	p_flags;	/* (P) P_* */
	uint64_t	p_locked_bytes;	/* (L) wired by mlock, against RLIMIT_MEMLOCK */
};

extern struct spinlock proc_lock;
extern struct proc *initproc;
extern struct list_node allproc;	/* (P) every process, by p_allproc */

struct proc *curproc(void);
struct proc *proc_find(int pid);	/* proc_lock held */

/* Process life cycle (proc.c). */
void proc_init(void);
/* Create pid 1 running path with argv (kernel strings); panics on failure. */
void proc_create_init(const char *path, char *const argv[], char *const envp[]);
void proc_exit(int wstatus) __attribute__((noreturn));
/* Return to user mode in td's trap frame (a new thread's first entry). */
void fork_return(void *arg);
int kern_execve(struct thread *td, const char *path, char *const argv[], int argc,
    char *const envp[], int envc);

#define P_PPWAIT_FLAG	0x1	/* vfork parent waits for exec or exit */
void proc_release_vfork_parent(struct proc *p);
/* A clock tick on this cpu: charge it to the running process as user or system time. */
void proc_charge_tick(bool user_mode);

#endif
