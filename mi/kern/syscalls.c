/*
 * The system call table: each implemented call at its Linux riscv64
 * (asm-generic) number, __NR_<name> from uapi/unistd.h.  A number with
 * no entry returns ENOSYS and is logged, one line naming the number and
 * the program, at most UNKNOWN_LOG_BURST lines every UNKNOWN_LOG_INTERVAL
 * (a program probing for calls must not flood the console).
 */
#include <kern/systm.h>
#include <kern/proc.h>
#include <kern/ratelimit.h>
#include <kern/syscall.h>
#include <kern/signal.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <kern/user_return.h>
#include <machine/machdep.h>
#include <uapi/unistd.h>

#define SYSCALLS(X)			\
	X(getcwd)			\
	X(dup)				\
	X(dup3)				\
	X(fcntl)			\
	X(ioctl)			\
	X(mknodat)			\
	X(mkdirat)			\
	X(unlinkat)			\
	X(symlinkat)			\
	X(linkat)			\
	X(umount2)			\
	X(mount)			\
	X(fallocate)			\
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
	X(fchmod)			\
	X(fchmodat)			\
	X(setxattr)			\
	X(lsetxattr)			\
	X(fsetxattr)			\
	X(getxattr)			\
	X(lgetxattr)			\
	X(fgetxattr)			\
	X(listxattr)			\
	X(llistxattr)			\
	X(flistxattr)			\
	X(removexattr)			\
	X(lremovexattr)			\
	X(fremovexattr)			\
	X(fchownat)			\
	X(fchown)			\
	X(readv)			\
	X(pread64)			\
	X(pwrite64)			\
	X(sendfile)			\
	X(copy_file_range)		\
	X(pselect6)			\
	X(ppoll)			\
	X(sync)				\
	X(syncfs)			\
	X(fsync)			\
	X(fdatasync)			\
	X(utimensat)			\
	X(exit)				\
	X(exit_group)			\
	X(set_tid_address)		\
	X(futex)			\
	X(set_robust_list)		\
	X(nanosleep)			\
	X(getitimer)			\
	X(setitimer)			\
	X(clock_settime)		\
	X(clock_gettime)		\
	X(clock_getres)			\
	X(clock_nanosleep)		\
	X(sched_getscheduler)		\
	X(sched_getparam)		\
	X(sched_setaffinity)		\
	X(sched_getaffinity)		\
	X(sched_yield)			\
	X(restart_syscall)		\
	X(sched_get_priority_max)	\
	X(sched_get_priority_min)	\
	X(kill)				\
	X(tkill)			\
	X(tgkill)			\
	X(sigaltstack)			\
	X(rt_sigsuspend)		\
	X(rt_sigtimedwait)		\
	X(rt_sigaction)			\
	X(rt_sigprocmask)		\
	X(rt_sigpending)		\
	X(rt_sigreturn)			\
	X(reboot)			\
	X(setregid)			\
	X(setgid)			\
	X(setreuid)			\
	X(setuid)			\
	X(setresuid)			\
	X(getresuid)			\
	X(setresgid)			\
	X(getresgid)			\
	X(setfsuid)			\
	X(setfsgid)			\
	X(times)			\
	X(setpgid)			\
	X(getpgid)			\
	X(getsid)			\
	X(setsid)			\
	X(getgroups)			\
	X(setgroups)			\
	X(uname)			\
	X(getrlimit)			\
	X(setrlimit)			\
	X(getrusage)			\
	X(prctl)			\
	X(getcpu)			\
	X(gettimeofday)			\
	X(settimeofday)			\
	X(getpid)			\
	X(getppid)			\
	X(umask)			\
	X(getuid)			\
	X(geteuid)			\
	X(getgid)			\
	X(getegid)			\
	X(gettid)			\
	X(sysinfo)			\
	X(shmget)			\
	X(shmctl)			\
	X(shmat)			\
	X(shmdt)			\
	X(socket)			\
	X(socketpair)			\
	X(bind)				\
	X(listen)			\
	X(accept)			\
	X(connect)			\
	X(getsockname)			\
	X(getpeername)			\
	X(sendto)			\
	X(recvfrom)			\
	X(setsockopt)			\
	X(getsockopt)			\
	X(shutdown)			\
	X(sendmsg)			\
	X(recvmsg)			\
	X(brk)				\
	X(munmap)			\
	X(mremap)			\
	X(clone)			\
	X(clone3)			\
	X(execve)			\
	X(mmap)				\
	X(fadvise64)			\
	X(mprotect)			\
	X(msync)			\
	X(mlock)			\
	X(munlock)			\
	X(mlockall)			\
	X(munlockall)			\
	X(mincore)			\
	X(madvise)			\
	X(swapon)			\
	X(swapoff)			\
	X(accept4)			\
	X(wait4)			\
	X(prlimit64)			\
	X(renameat2)			\
	X(getrandom)			\
	X(statx)			\
	X(close_range)			\
	X(faccessat2)

#define DECLARE(name)	long sys_##name(struct thread *, const uint64_t[6]);
SYSCALLS(DECLARE)

/*
 * Calls left out as a Linux kernel may leave them out: rseq (built
 * without CONFIG_RSEQ) and riscv_hwprobe (new in 6.4, after the 5.15
 * uname reports).  ENOSYS without a console line: glibc tries both in
 * every program it starts and does without them.
 */
#define ABSENT_SYSCALLS(X)		\
	X(rseq)				\
	X(riscv_hwprobe)

static long
sys_absent(struct thread *td, const uint64_t args[6])
{
	return -ENOSYS;
}

#define ENTRY(name)	[__NR_##name] = sys_##name,
#define ABSENT(name)	[__NR_##name] = sys_absent,
static syscall_fn_t *const syscall_table[] = {
	SYSCALLS(ENTRY)
	ABSENT_SYSCALLS(ABSENT)
};

static inline bool
is_restart_code(long ret)
{
	return ret == -ERESTARTSYS || ret == -ERESTARTNOHAND || ret == -ERESTART_RESTARTBLOCK;
}

#define UNKNOWN_LOG_INTERVAL	(5 * NSEC_PER_SEC)
#define UNKNOWN_LOG_BURST	10

static struct ratelimit unknown_log = RATELIMIT_INITIALIZER("unknown syscall log",
    UNKNOWN_LOG_INTERVAL, UNKNOWN_LOG_BURST);

/* A number with no handler: say so (within the rate limit). */
static long
syscall_unknown(struct thread *td, uint64_t num)
{
	struct proc *p = td->td_proc;
	uint64_t missed;

	if (!ratelimit_allow(&unknown_log, uptime_ns(), &missed))
		return -ENOSYS;
	if (missed != 0)
		printf("syscall: %lu unknown system call messages suppressed\n", missed);
	printf("syscall: unknown system call %lu from pid %d (%s)\n", num,
	    p != NULL ? p->p_pid : 0, p != NULL ? p->p_comm : td->td_name);
	return -ENOSYS;
}

/*
 * A call ended with a restart code: record it, and the call's first
 * argument, for the way back (signal delivery runs the call again or
 * makes it fail with EINTR), then set the value.  The argument is still
 * where the call found it: a call that returns a restart code has not
 * replaced the user registers.  The two that do, rt_sigreturn (whose
 * value is the restored first register, whatever it holds) and execve,
 * say so in the frame.  Out of line, so that syscall() keeps nothing
 * but td across the call.
 */
static void __attribute__((noinline))
syscall_note_restart(struct thread *td, long ret)
{
	uint64_t num;

	if (!cpu_syscall_frame_replaced(td)) {
		td->td_sysrestart = (int)-ret;
		td->td_sysarg0 = cpu_syscall_args(td, &num)[0];
	}
	cpu_set_syscall_retval(td, ret);
}

/* The call itself, and its value.  Inline in both callers: syscall() is every system call's path. */
static inline void
syscall_run(struct thread *td)
{
	uint64_t num;
	const uint64_t *args = cpu_syscall_args(td, &num);
	long ret;

	if (__predict_true(num < nitems(syscall_table) && syscall_table[num] != NULL))
		ret = syscall_table[num](td, args);
	else
		ret = syscall_unknown(td, num);
	if (__predict_false(is_restart_code(ret)))
		syscall_note_restart(td, ret);
	else
		cpu_set_syscall_retval(td, ret);
}

void
syscall_dispatch(struct thread *td)
{
	syscall_run(td);
}

void
syscall(struct thread *td)
{
	syscall_run(td);
	user_return(td);
}
