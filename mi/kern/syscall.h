/*
 * System calls: the Linux riscv64 (asm-generic) numbering and convention.
 * The machine hands over the number and six arguments and takes back the
 * result, with errors as -errno (cpu_syscall_args() and
 * cpu_set_syscall_retval() in machine/machdep.h).  Each handler takes the
 * calling thread and the six arguments and returns the result.  The
 * arguments are the caller's registers as saved in its trap frame, not a
 * copy: a handler that changes the caller's registers (execve,
 * rt_sigreturn, a signal frame set up during the call) reads its
 * arguments first.
 */
#ifndef _KERN_SYSCALL_H_
#define _KERN_SYSCALL_H_

#include <kern/types.h>

struct thread;
typedef long syscall_fn_t(struct thread *td, const uint64_t a[6]);

#define SYSCALL(name)	long sys_##name(struct thread *td, const uint64_t a[6])

/*
 * Run the system call in td's trap frame, then what the way back to user
 * mode needs (user_return).  The machine's trap code calls it.
 * => td is the current thread, interrupts on.
 * <= interrupts off, nothing left to do but return to user mode.
 */
void syscall(struct thread *td);
/* Only the call, not the way back (self-tests run the two apart). */
void syscall_dispatch(struct thread *td);

#endif
