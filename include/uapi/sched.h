/*
 * clone(2) flags (Linux linux/sched.h); the low byte is the signal sent
 * to the parent when the child exits.  Shared by the kernel and the user
 * C library.
 */
#ifndef _UAPI_SCHED_H
#define _UAPI_SCHED_H

#define CSIGNAL			0x000000ff
#define CLONE_VM		0x00000100
#define CLONE_FS		0x00000200
#define CLONE_FILES		0x00000400
#define CLONE_SIGHAND		0x00000800
#define CLONE_VFORK		0x00004000
#define CLONE_PARENT		0x00008000
#define CLONE_THREAD		0x00010000
#define CLONE_SYSVSEM		0x00040000
#define CLONE_SETTLS		0x00080000
#define CLONE_PARENT_SETTID	0x00100000
#define CLONE_CHILD_CLEARTID	0x00200000
#define CLONE_CHILD_SETTID	0x01000000
#define CLONE_PTRACE		0x00002000
#define CLONE_DETACHED		0x00400000
#define CLONE_UNTRACED		0x00800000

/* clone3's argument block: its first version, and the one with cgroup. */
#define CLONE_ARGS_SIZE_VER0	64
#define CLONE_ARGS_SIZE_VER2	88

/* Scheduling policies (sched_getscheduler, sched_get_priority_max) */
#define SCHED_NORMAL		0	/* SCHED_OTHER, the time-sharing policy */
#define SCHED_FIFO		1
#define SCHED_RR		2
#define SCHED_BATCH		3
#define SCHED_IDLE		5
#define SCHED_DEADLINE		6

#ifndef __ASSEMBLER__
/* clone3(args, size): what clone passes in registers, and more. */
struct clone_args {
	unsigned long long	flags;		/* CLONE_*, without the signal */
	unsigned long long	pidfd;
	unsigned long long	child_tid;	/* CLONE_CHILD_SETTID, CLONE_CHILD_CLEARTID */
	unsigned long long	parent_tid;	/* CLONE_PARENT_SETTID */
	unsigned long long	exit_signal;	/* sent to the parent at exit */
	unsigned long long	stack;		/* lowest address of the child's stack */
	unsigned long long	stack_size;
	unsigned long long	tls;		/* CLONE_SETTLS */
	unsigned long long	set_tid;
	unsigned long long	set_tid_size;
	unsigned long long	cgroup;
};

/* sched_getparam, sched_setparam */
struct sched_param {
	int	sched_priority;
};
#endif

#endif
