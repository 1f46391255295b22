/*
 * Error numbers: the Linux (asm-generic) values, because the system call
 * ABI is Linux riscv64's.  Kernel functions return 0 or one of these.
 */
#ifndef _KERN_ERRNO_H_
#define _KERN_ERRNO_H_

#define EPERM		1
#define ENOENT		2
#define ESRCH		3
#define EINTR		4
#define EIO		5
#define ENXIO		6
#define E2BIG		7
#define ENOEXEC		8
#define EBADF		9
#define ECHILD		10
#define EAGAIN		11
#define ENOMEM		12
#define EACCES		13
#define EFAULT		14
#define EBUSY		16
#define EEXIST		17
#define ENODEV		19
#define ENOTDIR		20
#define EISDIR		21
#define EINVAL		22
#define ENFILE		23
#define EMFILE		24
#define ENOTTY		25
#define EFBIG		27
#define ENOSPC		28
#define ESPIPE		29
#define EROFS		30
#define EPIPE		32
#define ERANGE		34
#define ENAMETOOLONG	36
#define ENOSYS		38
#define ENOTEMPTY	39
#define ELOOP		40
#define EOVERFLOW	75
#define EOPNOTSUPP	95
#define ETIMEDOUT	110

/*
 * Kernel-internal codes, never seen by user space (Linux's numbers).  An
 * interruptible sleep that a signal ends returns ERESTART; the system
 * call returns it (as -ERESTARTSYS) or one of the other codes, and signal
 * delivery decides whether the call runs again or fails with EINTR (see
 * signal_syscall_restart in kern_sig.c).
 */
#define ERESTARTSYS		512	/* restart if the handler has SA_RESTART or none runs */
#define ERESTARTNOHAND		514	/* restart only if no handler runs */
#define ERESTART_RESTARTBLOCK	516	/* like ERESTARTNOHAND, through restart_syscall */
#define ERESTART		ERESTARTSYS	/* what an interrupted sleep returns */

#endif
