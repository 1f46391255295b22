/*
 * Process and thread ids (kern_pid.c), one number space as in Linux.
 *
 * Every thread has an id, its tid; a process's pid is its first thread's
 * tid, and a process group or a session is named by its leader's pid.
 * An id is in use while it names a thread not yet freed, a process not
 * yet reaped, or a process group or session that still has a member
 * (a zombie counts).  New ids count up from the last one handed out; at
 * pid_max (/proc/sys/kernel/pid_max) they wrap around to PID_RESERVED,
 * skipping every id in use.  init alone is given INIT_PID.
 *
 * Locking: tid_lock, a spin lock taken after proc_lock and p_threadlock
 * (the allocator reads the process list under proc_lock); nothing is
 * taken while it is held.
 */
#ifndef _KERN_PID_H_
#define _KERN_PID_H_

#include <kern/types.h>

struct thread;

#define INIT_PID		1	/* init's, whoever starts first */
#define PID_RESERVED		300	/* where ids start again after a wrap (Linux's RESERVED_PIDS) */
#define PID_MAX_MIN		(PID_RESERVED + 1)
#define PID_MAX_LIMIT		(4 * 1024 * 1024)	/* Linux's PID_MAX_LIMIT on 64-bit */
#define PID_MAX_DEFAULT		32768

/*
 * Give td a free id (td->td_tid) and count it in use until tid_free:
 * 0, or EAGAIN when every id below pid_max is in use.  Nothing locked.
 */
int tid_alloc(struct thread *td);
/* td (which has an id) is being freed: its id is no longer a thread's. */
void tid_free(struct thread *td);
/* td's id becomes id, one already in use (init's, or the pid exec gives its survivor). */
void tid_set(struct thread *td, int id);
/* The last id handed out (/proc/loadavg). */
int tid_last(void);

/* The limit ids stay below, and setting it: 0, or EINVAL outside [PID_MAX_MIN, PID_MAX_LIMIT]. */
int pid_max_get(void);
int pid_max_set(int64_t max);

#endif
