/*
 * System calls: the Linux riscv64 (asm-generic) numbering and convention.
 * The number is in a7, arguments in a0..a5; the result goes back in a0,
 * with errors as -errno.  Each handler takes the calling thread and the
 * six argument registers and returns the value for a0.
 */
#ifndef _KERN_SYSCALL_H_
#define _KERN_SYSCALL_H_

#include <kern/types.h>

struct thread;
typedef long syscall_fn_t(struct thread *td, const uint64_t a[6]);

#define SYSCALL(name)	long sys_##name(struct thread *td, const uint64_t a[6])

/* Dispatch the system call in td's trap frame. */
void syscall_dispatch(struct thread *td);

#endif
