/*
 * The system call table: Linux riscv64 (asm-generic) numbers.  A number
 * with no entry returns ENOSYS.
 */
#include <kern/systm.h>
#include <kern/syscall.h>
#include <kern/signal.h>
#include <kern/thread.h>
#include <machine/frame.h>

#define SYSCALLS(X)			\
	X(17, getcwd)			\
	X(23, dup)			\
	X(24, dup3)			\
	X(25, fcntl)			\
	X(29, ioctl)			\
	X(34, mkdirat)			\
	X(35, unlinkat)			\
	X(46, ftruncate)		\
	X(48, faccessat)		\
	X(49, chdir)			\
	X(56, openat)			\
	X(57, close)			\
	X(59, pipe2)			\
	X(61, getdents64)		\
	X(62, lseek)			\
	X(63, read)			\
	X(64, write)			\
	X(66, writev)			\
	X(78, readlinkat)		\
	X(79, newfstatat)		\
	X(80, fstat)			\
	X(43, statfs)			\
	X(44, fstatfs)			\
	X(45, truncate)			\
	X(50, fchdir)			\
	X(65, readv)			\
	X(67, pread64)			\
	X(68, pwrite64)			\
	X(81, sync)			\
	X(82, fsync)			\
	X(83, fdatasync)		\
	X(93, exit)			\
	X(94, exit_group)		\
	X(96, set_tid_address)		\
	X(98, futex)			\
	X(99, set_robust_list)		\
	X(101, nanosleep)		\
	X(102, getitimer)		\
	X(103, setitimer)		\
	X(113, clock_gettime)		\
	X(114, clock_getres)		\
	X(115, clock_nanosleep)		\
	X(124, sched_yield)		\
	X(128, restart_syscall)		\
	X(129, kill)			\
	X(130, tkill)			\
	X(131, tgkill)			\
	X(133, rt_sigsuspend)		\
	X(137, rt_sigtimedwait)		\
	X(134, rt_sigaction)		\
	X(135, rt_sigprocmask)		\
	X(136, rt_sigpending)		\
	X(139, rt_sigreturn)		\
	X(142, reboot)			\
	X(153, times)			\
	X(154, setpgid)			\
	X(155, getpgid)			\
	X(160, uname)			\
	X(163, getrlimit)		\
	X(164, setrlimit)		\
	X(169, gettimeofday)		\
	X(172, getpid)			\
	X(173, getppid)			\
	X(174, getuid)			\
	X(175, geteuid)			\
	X(176, getgid)			\
	X(177, getegid)			\
	X(178, gettid)			\
	X(214, brk)			\
	X(215, munmap)			\
	X(216, mremap)			\
	X(220, clone)			\
	X(221, execve)			\
	X(222, mmap)			\
	X(226, mprotect)		\
	X(227, msync)			\
	X(228, mlock)			\
	X(229, munlock)			\
	X(230, mlockall)		\
	X(231, munlockall)		\
	X(232, mincore)			\
	X(233, madvise)			\
	X(260, wait4)			\
	X(261, prlimit64)		\
	X(278, getrandom)		\
	X(293, rseq)			\
	X(439, faccessat2)

#define SYS_RT_SIGRETURN	139

#define DECLARE(num, name)	long sys_##name(struct thread *, const uint64_t[6]);
SYSCALLS(DECLARE)

#define ENTRY(num, name)	[num] = sys_##name,
static syscall_fn_t *const syscall_table[] = {
	SYSCALLS(ENTRY)
};

static inline bool
is_restart_code(long ret)
{
	return ret == -ERESTARTSYS || ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK;
}

void
syscall_dispatch(struct thread *td)
{
	struct trapframe *tf = td->td_frame;
	uint64_t num = tf->tf_a7;
	const uint64_t args[6] = { tf->tf_x[9], tf->tf_x[10], tf->tf_x[11],
	    tf->tf_x[12], tf->tf_x[13], tf->tf_x[14] };
	long ret = -ENOSYS;

	if (num < nitems(syscall_table) && syscall_table[num] != NULL)
		ret = syscall_table[num](td, args);
	/*
	 * A sleep ended by a signal: signal delivery will run the call again
	 * or make it fail with EINTR.  rt_sigreturn's value is the restored
	 * a0, whatever it holds.
	 */
	if (is_restart_code(ret) && num != SYS_RT_SIGRETURN) {
		td->td_sysrestart = (int)-ret;
		td->td_sysarg0 = args[0];
	}
	tf->tf_a0 = (uint64_t)ret;
}
