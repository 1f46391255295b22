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
 * A system call that was interrupted by a signal and may be restarted
 * returns -ERESTARTSYS instead of -EINTR.  syscall() then calls
 * signal_syscall_restart(), which either arranges for the system call to run
 * again (the handler has SA_RESTART, or no handler will run) or turns the
 * result into -EINTR.  Same number as Linux.
 */
#define ERESTARTSYS	512

#endif
