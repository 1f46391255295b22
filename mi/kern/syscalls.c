/*
 * The system call table: each implemented call at its Linux riscv64
 * (asm-generic) number, __NR_<name> from uapi/unistd.h.  A number with
 * no entry returns ENOSYS.
 */
#include <kern/systm.h>
#include <kern/syscall.h>
#include <kern/signal.h>
#include <kern/thread.h>
#include <kern/user_return.h>
#include <machine/machdep.h>
#include <uapi/unistd.h>

#define SYSCALLS(X)			\
	X(getcwd)			\
	X(dup)				\
	X(dup3)				\
	X(fcntl)			\
	X(ioctl)			\
	X(mkdirat)			\
	X(unlinkat)			\
	X(ftruncate)			\
	X(faccessat)			\
	X(chdir)			\
	X(openat)			\
	X(close)			\
	X(pipe2)			\
	X(getdents64)			\
	X(lseek)			\
	X(read)				\
	X(write)			\
	X(writev)			\
	X(readlinkat)			\
	X(newfstatat)			\
	X(fstat)			\
	X(statfs)			\
	X(fstatfs)			\
	X(truncate)			\
	X(fchdir)			\
	X(readv)			\
	X(pread64)			\
	X(pwrite64)			\
	X(sync)				\
	X(fsync)			\
	X(fdatasync)			\
	X(exit)				\
	X(exit_group)			\
	X(set_tid_address)		\
	X(futex)			\
	X(set_robust_list)		\
	X(nanosleep)			\
	X(getitimer)			\
	X(setitimer)			\
	X(clock_gettime)		\
	X(clock_getres)			\
	X(clock_nanosleep)		\
	X(sched_yield)			\
	X(kill)				\
	X(tkill)			\
	X(tgkill)			\
	X(rt_sigsuspend)		\
	X(rt_sigtimedwait)		\
	X(rt_sigaction)			\
	X(rt_sigprocmask)		\
	X(rt_sigpending)		\
	X(rt_sigreturn)			\
	X(reboot)			\
	X(setuid)			\
	X(times)			\
	X(setpgid)			\
	X(getpgid)			\
	X(uname)			\
	X(getrlimit)			\
	X(setrlimit)			\
	X(gettimeofday)			\
	X(getpid)			\
	X(getppid)			\
	X(getuid)			\
	X(geteuid)			\
	X(getgid)			\
	X(getegid)			\
	X(gettid)			\
	X(brk)				\
	X(munmap)			\
	X(mremap)			\
	X(clone)			\
	X(execve)			\
	X(mmap)				\
	X(mprotect)			\
	X(msync)			\
	X(mlock)			\
	X(munlock)			\
	X(mlockall)			\
	X(munlockall)			\
	X(mincore)			\
	X(madvise)			\
	X(wait4)			\
	X(prlimit64)			\
	X(getrandom)			\
	X(faccessat2)

#define DECLARE(name)	long sys_##name(struct thread *, const uint64_t[6]);
SYSCALLS(DECLARE)

#define ENTRY(name)	[__NR_##name] = sys_##name,
static syscall_fn_t *const syscall_table[] = {
	SYSCALLS(ENTRY)
};

void
syscall(struct thread *td)
{
	uint64_t num;
	const uint64_t *args = cpu_syscall_args(td, &num);
	long ret = -ENOSYS;

	if (__predict_true(num < nitems(syscall_table) && syscall_table[num] != NULL))
		ret = syscall_table[num](td, args);
	/* A sleep ended by a signal: restart the call, or fail it with EINTR. */
	if (__predict_false(ret == -ERESTARTSYS))
		ret = signal_syscall_restart(td, cpu_syscall_args(td, &num)[0]);
	cpu_set_syscall_retval(td, ret);
	user_return(td);
}
