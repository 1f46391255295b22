/*
 * System calls: the Linux riscv64 (asm-generic) numbering and convention.
 * The machine hands over the number and six arguments and takes back the
 * result, with errors as -errno (cpu_fetch_syscall_args() and
 * cpu_set_syscall_retval() in machine/machdep.h).  Each handler takes the
 * calling thread and the six arguments and returns the result.
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
