/* sys/syscall.h: system call numbers under their C library names (uapi/unistd.h). */
#ifndef _SYS_SYSCALL_H
#define _SYS_SYSCALL_H

#include <uapi/unistd.h>

#define SYS_getcwd		__NR_getcwd
#define SYS_dup			__NR_dup
#define SYS_dup3		__NR_dup3
#define SYS_fcntl		__NR_fcntl
#define SYS_ioctl		__NR_ioctl
#define SYS_mkdirat		__NR_mkdirat
#define SYS_unlinkat		__NR_unlinkat
#define SYS_statfs		__NR_statfs
#define SYS_fstatfs		__NR_fstatfs
#define SYS_truncate		__NR_truncate
#define SYS_ftruncate		__NR_ftruncate
#define SYS_fallocate		__NR_fallocate
#define SYS_faccessat		__NR_faccessat
#define SYS_chdir		__NR_chdir
#define SYS_fchdir		__NR_fchdir
#define SYS_openat		__NR_openat
#define SYS_close		__NR_close
#define SYS_pipe2		__NR_pipe2
#define SYS_getdents64		__NR_getdents64
#define SYS_lseek		__NR_lseek
#define SYS_read		__NR_read
#define SYS_write		__NR_write
#define SYS_readv		__NR_readv
#define SYS_writev		__NR_writev
#define SYS_pread64		__NR_pread64
#define SYS_pselect6		__NR_pselect6
#define SYS_ppoll		__NR_ppoll
#define SYS_pwrite64		__NR_pwrite64
#define SYS_readlinkat		__NR_readlinkat
#define SYS_newfstatat		__NR_newfstatat
#define SYS_fstat		__NR_fstat
#define SYS_sync		__NR_sync
#define SYS_fsync		__NR_fsync
#define SYS_fdatasync		__NR_fdatasync
#define SYS_exit		__NR_exit
#define SYS_exit_group		__NR_exit_group
#define SYS_set_tid_address	__NR_set_tid_address
#define SYS_futex		__NR_futex
#define SYS_set_robust_list	__NR_set_robust_list
#define SYS_nanosleep		__NR_nanosleep
#define SYS_getitimer		__NR_getitimer
#define SYS_setitimer		__NR_setitimer
#define SYS_clock_settime	__NR_clock_settime
#define SYS_clock_gettime	__NR_clock_gettime
#define SYS_clock_getres	__NR_clock_getres
#define SYS_clock_nanosleep	__NR_clock_nanosleep
#define SYS_sched_getaffinity	__NR_sched_getaffinity
#define SYS_sched_yield		__NR_sched_yield
#define SYS_kill		__NR_kill
#define SYS_tkill		__NR_tkill
#define SYS_tgkill		__NR_tgkill
#define SYS_sigaltstack		__NR_sigaltstack
#define SYS_rt_sigsuspend	__NR_rt_sigsuspend
#define SYS_rt_sigaction	__NR_rt_sigaction
#define SYS_rt_sigprocmask	__NR_rt_sigprocmask
#define SYS_rt_sigpending	__NR_rt_sigpending
#define SYS_rt_sigtimedwait	__NR_rt_sigtimedwait
#define SYS_rt_sigreturn	__NR_rt_sigreturn
#define SYS_reboot		__NR_reboot
#define SYS_times		__NR_times
#define SYS_setpgid		__NR_setpgid
#define SYS_getpgid		__NR_getpgid
#define SYS_getsid		__NR_getsid
#define SYS_setsid		__NR_setsid
#define SYS_uname		__NR_uname
#define SYS_getrlimit		__NR_getrlimit
#define SYS_setrlimit		__NR_setrlimit
#define SYS_getrusage		__NR_getrusage
#define SYS_sysinfo		__NR_sysinfo
#define SYS_sched_getscheduler	__NR_sched_getscheduler
#define SYS_sched_getparam	__NR_sched_getparam
#define SYS_sched_setaffinity	__NR_sched_setaffinity
#define SYS_sched_get_priority_max	__NR_sched_get_priority_max
#define SYS_sched_get_priority_min	__NR_sched_get_priority_min
#define SYS_getcpu	__NR_getcpu
#define SYS_setregid	__NR_setregid
#define SYS_setgid		__NR_setgid
#define SYS_setreuid	__NR_setreuid
#define SYS_setuid		__NR_setuid
#define SYS_setresuid	__NR_setresuid
#define SYS_getresuid	__NR_getresuid
#define SYS_setresgid	__NR_setresgid
#define SYS_getresgid	__NR_getresgid
#define SYS_setfsuid	__NR_setfsuid
#define SYS_setfsgid	__NR_setfsgid
#define SYS_getgroups	__NR_getgroups
#define SYS_setgroups	__NR_setgroups
#define SYS_gettimeofday	__NR_gettimeofday
#define SYS_settimeofday	__NR_settimeofday
#define SYS_getpid		__NR_getpid
#define SYS_getppid		__NR_getppid
#define SYS_getuid		__NR_getuid
#define SYS_geteuid		__NR_geteuid
#define SYS_getgid		__NR_getgid
#define SYS_getegid		__NR_getegid
#define SYS_gettid		__NR_gettid
#define SYS_brk			__NR_brk
#define SYS_munmap		__NR_munmap
#define SYS_mremap		__NR_mremap
#define SYS_socket	__NR_socket
#define SYS_socketpair	__NR_socketpair
#define SYS_bind	__NR_bind
#define SYS_listen	__NR_listen
#define SYS_accept	__NR_accept
#define SYS_connect	__NR_connect
#define SYS_getsockname	__NR_getsockname
#define SYS_getpeername	__NR_getpeername
#define SYS_sendto	__NR_sendto
#define SYS_recvfrom	__NR_recvfrom
#define SYS_setsockopt	__NR_setsockopt
#define SYS_getsockopt	__NR_getsockopt
#define SYS_shutdown	__NR_shutdown
#define SYS_sendmsg	__NR_sendmsg
#define SYS_recvmsg	__NR_recvmsg
#define SYS_accept4	__NR_accept4
#define SYS_clone		__NR_clone
#define SYS_execve		__NR_execve
#define SYS_mmap		__NR_mmap
#define SYS_mprotect		__NR_mprotect
#define SYS_msync		__NR_msync
#define SYS_mlock		__NR_mlock
#define SYS_munlock		__NR_munlock
#define SYS_mlockall		__NR_mlockall
#define SYS_munlockall		__NR_munlockall
#define SYS_mincore		__NR_mincore
#define SYS_madvise		__NR_madvise
#define SYS_swapon		__NR_swapon
#define SYS_swapoff		__NR_swapoff
#define SYS_wait4		__NR_wait4
#define SYS_prlimit64		__NR_prlimit64
#define SYS_getrandom		__NR_getrandom
#define SYS_rseq		__NR_rseq
#define SYS_close_range	__NR_close_range
#define SYS_faccessat2		__NR_faccessat2

/* The raw trap: returns the kernel's a0 unchanged (-errno on failure). */
long __syscall6(long n, long a, long b, long c, long d, long e, long f);

/* syscall(2): sets errno and returns -1 on failure. */
long syscall(long n, ...);

#endif
