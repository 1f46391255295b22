/*
 * Threads.  Each cpu has an idle thread (its boot thread), which runs the
 * scheduler loop; every other thread is a kernel thread or the one thread
 * of a user process.
 *
 * Locking:
 *   (T) used by assembly at a fixed offset
 *   (S) sched_lock
 *   (C) constant after creation
 *   (L) only the thread itself touches it
 */
#ifndef _KERN_THREAD_H_
#define _KERN_THREAD_H_

#include <kern/types.h>
#include <kern/list.h>
#include <machine/pcb.h>

struct proc;
struct trapframe;
struct vmspace;

enum thread_state {
	TDS_NEW,		/* made, never run */
	TDS_RUNNABLE,		/* on the run queue */
	TDS_RUNNING,		/* on a cpu */
	TDS_SLEEPING,		/* waiting for a wakeup on td_wchan */
	TDS_DEAD,		/* exited; its stack may be freed by someone else */
};

struct thread {
	vaddr_t		td_onfault;	/* (T) pc to resume at if a copy helper faults */
	vaddr_t		td_kstack_top;	/* (C) top of its kernel stack */
	vaddr_t		td_kstack_lo;	/* (C) lowest byte of its kernel stack */
	const char	*td_name;	/* (C) */
	int		td_tid;		/* (C) */
	struct vmspace	*td_vmspace;	/* (L) user address space it runs in, or NULL */
	struct proc	*td_proc;	/* (C) its process, or NULL for kernel threads */
	struct trapframe *td_frame;	/* (L) user registers, at the top of its stack */
	enum thread_state td_state;	/* (S) */
	const void	*td_wchan;	/* (S) what it sleeps on */
	struct list_node td_runq;	/* (S) run queue or sleep queue */
	uint32_t	td_flags;	/* (A) TDF_* */
	uint32_t	td_cpu;		/* (S) cpu it last ran on */
	uint64_t	td_ticks;	/* (L) clock ticks in this time slice */
	uint64_t	td_sigmask;	/* (L) blocked signals (never SIGKILL, SIGSTOP) */
	uint64_t	td_clear_child_tid; /* (L) user address cleared and woken at exit */
	struct switchframe td_switch;	/* (S) registers while switched out */
	struct fpstate	td_fp;		/* (L) user floating-point registers */
};

#define TDF_NEEDRESCHED	0x0001		/* give up the cpu at the next chance */
#define TDF_FPUSED	0x0002		/* td_fp holds live state */
#define TDF_IDLE	0x0004		/* a cpu's idle thread */
#define TDF_SLEEPINTR	0x0008		/* (S) its sleep can be ended by a signal */


#endif
