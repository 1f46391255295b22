/* sys/syscall.h: system call numbers (asm-generic, as Linux riscv64 uses). */
#ifndef _SYS_SYSCALL_H
#define _SYS_SYSCALL_H

#define SYS_getcwd		17
#define SYS_dup			23
#define SYS_dup3		24
#define SYS_fcntl		25
#define SYS_ioctl		29
#define SYS_mkdirat		34
#define SYS_unlinkat		35
#define SYS_ftruncate		46
#define SYS_faccessat		48
#define SYS_chdir		49
#define SYS_openat		56
#define SYS_close		57
#define SYS_pipe2		59
#define SYS_getdents64		61
#define SYS_lseek		62
#define SYS_read		63
#define SYS_write		64
#define SYS_writev		66
#define SYS_readlinkat		78
#define SYS_newfstatat		79
#define SYS_fstat		80
#define SYS_exit		93
#define SYS_exit_group		94
#define SYS_set_tid_address	96
#define SYS_futex		98
#define SYS_set_robust_list	99
#define SYS_nanosleep		101
#define SYS_getitimer		102
#define SYS_setitimer		103
#define SYS_clock_gettime	113
#define SYS_clock_nanosleep	115
#define SYS_sched_yield		124
#define SYS_kill		129
#define SYS_tgkill		131
#define SYS_sigaltstack		132
#define SYS_rt_sigaction	134
#define SYS_rt_sigprocmask	135
#define SYS_rt_sigpending	136
#define SYS_rt_sigtimedwait	137
#define SYS_rt_sigreturn	139
#define SYS_reboot		142
#define SYS_times		153
#define SYS_setpgid		154
#define SYS_uname		160
#define SYS_getrlimit		163
#define SYS_setrlimit		164
#define SYS_getpid		172
#define SYS_getppid		173
#define SYS_getuid		174
#define SYS_geteuid		175
#define SYS_getgid		176
#define SYS_getegid		177
#define SYS_gettid		178
#define SYS_brk			214
#define SYS_munmap		215
#define SYS_mremap		216
#define SYS_clone		220
#define SYS_execve		221
#define SYS_mmap		222
#define SYS_mprotect		226
#define SYS_msync		227
#define SYS_mlock		228
#define SYS_munlock		229
#define SYS_mlockall		230
#define SYS_munlockall		231
#define SYS_mincore		232
#define SYS_madvise		233
#define SYS_wait4		260
#define SYS_prlimit64		261
#define SYS_getrandom		278

/* The raw trap: returns the kernel's a0 unchanged (-errno on failure). */
long __syscall6(long n, long a, long b, long c, long d, long e, long f);

/* syscall(2): sets errno and returns -1 on failure. */
long syscall(long n, ...);

#endif
