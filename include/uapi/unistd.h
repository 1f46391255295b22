/*
 * System call numbers: Linux's asm-generic table, which riscv64 uses
 * (asm-generic/unistd.h), for the calls Sable implements or its C
 * library makes.  The kernel's dispatch table and the C library's SYS_*
 * names are both built from these.  Shared by the kernel and the user C
 * library; usable from assembly.
 */
#ifndef _UAPI_UNISTD_H
#define _UAPI_UNISTD_H

#define __NR_getcwd		17
#define __NR_dup		23
#define __NR_dup3		24
#define __NR_fcntl		25
#define __NR_ioctl		29
#define __NR_mkdirat		34
#define __NR_unlinkat		35
#define __NR_statfs		43
#define __NR_fstatfs		44
#define __NR_truncate		45
#define __NR_fallocate		47
#define __NR_ftruncate		46
#define __NR_faccessat		48
#define __NR_chdir		49
#define __NR_fchdir		50
#define __NR_openat		56
#define __NR_close		57
#define __NR_pipe2		59
#define __NR_getdents64		61
#define __NR_lseek		62
#define __NR_read		63
#define __NR_write		64
#define __NR_readv		65
#define __NR_writev		66
#define __NR_pread64		67
#define __NR_pwrite64		68
#define __NR_pselect6		72
#define __NR_ppoll		73
#define __NR_readlinkat		78
#define __NR_newfstatat		79
#define __NR_fstat		80
#define __NR_sync		81
#define __NR_fsync		82
#define __NR_fdatasync		83
#define __NR_exit		93
#define __NR_exit_group		94
#define __NR_set_tid_address	96
#define __NR_futex		98
#define __NR_set_robust_list	99
#define __NR_nanosleep		101
#define __NR_getitimer		102
#define __NR_setitimer		103
#define __NR_clock_settime	112
#define __NR_clock_gettime	113
#define __NR_clock_getres	114
#define __NR_clock_nanosleep	115
#define __NR_sched_getscheduler	120
#define __NR_sched_getparam	121
#define __NR_sched_setaffinity	122
#define __NR_sched_getaffinity	123
#define __NR_sched_yield	124
#define __NR_sched_get_priority_max	125
#define __NR_sched_get_priority_min	126
#define __NR_kill		129
#define __NR_tkill		130
#define __NR_tgkill		131
#define __NR_sigaltstack	132
#define __NR_rt_sigsuspend	133
#define __NR_rt_sigaction	134
#define __NR_rt_sigprocmask	135
#define __NR_rt_sigpending	136
#define __NR_rt_sigtimedwait	137
#define __NR_rt_sigreturn	139
#define __NR_reboot		142
#define __NR_setregid		143
#define __NR_setgid		144
#define __NR_setreuid		145
#define __NR_setuid		146
#define __NR_setresuid		147
#define __NR_getresuid		148
#define __NR_setresgid		149
#define __NR_getresgid		150
#define __NR_setfsuid		151
#define __NR_setfsgid		152
#define __NR_times		153
#define __NR_setpgid		154
#define __NR_getpgid		155
#define __NR_getsid		156
#define __NR_setsid		157
#define __NR_getgroups		158
#define __NR_setgroups		159
#define __NR_uname		160
#define __NR_getrlimit		163
#define __NR_setrlimit		164
#define __NR_getrusage		165
#define __NR_getcpu		168
#define __NR_gettimeofday	169
#define __NR_settimeofday	170
#define __NR_getpid		172
#define __NR_getppid		173
#define __NR_getuid		174
#define __NR_geteuid		175
#define __NR_getgid		176
#define __NR_getegid		177
#define __NR_gettid		178
#define __NR_sysinfo		179
#define __NR_brk		214
#define __NR_munmap		215
#define __NR_mremap		216
#define __NR_clone		220
#define __NR_execve		221
#define __NR_mmap		222
#define __NR_mprotect		226
#define __NR_msync		227
#define __NR_mlock		228
#define __NR_munlock		229
#define __NR_mlockall		230
#define __NR_munlockall		231
#define __NR_mincore		232
#define __NR_madvise		233
#define __NR_wait4		260
#define __NR_prlimit64		261
#define __NR_getrandom		278
#define __NR_rseq		293
#define __NR_close_range	436
#define __NR_faccessat2		439

#endif
