/*
 * Error numbers.  Kernel functions return 0 or one of Linux's, since the
 * system call ABI is Linux riscv64's (uapi/errno.h, shared with the C
 * library), plus the kernel-internal ones below, which never reach user
 * space.
 */
#ifndef _KERN_ERRNO_H_
#define _KERN_ERRNO_H_

#include <uapi/errno.h>

/*
 * Kernel-internal codes, never seen by user space (Linux's numbers).  An
 * interruptible sleep that a signal ends returns ERESTARTSYS; the system
 * call returns it (as -ERESTARTSYS) or one of the other codes, and signal
 * delivery decides whether the call runs again or fails with EINTR (see
 * signal_syscall_restart in kern_sig.c).
 */
#define ERESTARTSYS		512	/* restart if the handler has SA_RESTART or none runs */
#define ERESTARTNOHAND		514	/* restart only if no handler runs */
#define ERESTART_RESTARTBLOCK	516	/* like ERESTARTNOHAND, through restart_syscall */

#endif
