/*
 * The user-visible signal frame, in the Linux riscv64 layout (the UAPI
 * headers asm/ucontext.h, asm/sigcontext.h, asm/ptrace.h and the generic
 * siginfo_t), so that a C library built for Linux finds every field
 * where it expects it.  The static asserts below pin each offset.
 *
 * On the user stack, from the frame's (16-byte aligned) lowest address:
 *
 *	struct linux_rt_sigframe {
 *		siginfo_t	info;	  128 bytes; the handler's a1
 *		ucontext_t	uc;	  960 bytes; the handler's a2
 *	};
 *
 * and uc.uc_mcontext holds pc, x1..x31 and the F/D registers with fcsr.
 * The 528-byte FP union is sized for the Q extension; we fill only the D
 * view and leave the rest zero, which also reads as Linux's "end of
 * extension records" header (magic 0, size 0) in its last 8 bytes.
 */
#ifndef _MACHINE_UCONTEXT_H_
#define _MACHINE_UCONTEXT_H_

#include <kern/types.h>

/* siginfo_t: three ints, padding, then a union at offset 16. */
struct linux_siginfo {
	int32_t		si_signo;
	int32_t		si_errno;
	int32_t		si_code;
	int32_t		si_pad0;
	union {
		uint8_t	si_pad[128 - 16];
		struct {			/* kill, tkill, SI_USER */
			int32_t		pid;
			uint32_t	uid;
		} si_kill;
		struct {			/* SIGCHLD */
			int32_t		pid;
			uint32_t	uid;
			int32_t		status;
			int32_t		pad;
			int64_t		utime;
			int64_t		stime;
		} si_chld;
		struct {			/* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
			uint64_t	addr;
		} si_fault;
	} si_fields;
};

/* stack_t */
struct linux_sigaltstack {
	uint64_t	ss_sp;
	int32_t		ss_flags;	/* SS_ONSTACK, SS_DISABLE */
	int32_t		ss_pad;
	uint64_t	ss_size;
};

/* union __riscv_fp_state: the F, D and Q views of the FP registers. */
union linux_fp_state {
	struct {
		uint32_t	f[32];
		uint32_t	fcsr;
	} fs_f;
	struct {
		uint64_t	f[32];
		uint32_t	fcsr;
	} fs_d;
	struct {
		uint64_t	f[64] __attribute__((aligned(16)));
		uint32_t	fcsr;
		uint32_t	reserved[3];
	} fs_q;
};

/* struct sigcontext (mcontext_t): user_regs_struct, then the FP union. */
#define SC_REG_PC	0	/* sc_regs[0] is pc, sc_regs[n] is xn for n >= 1 */
#define SC_NREGS	32

struct linux_sigcontext {
	uint64_t		sc_regs[SC_NREGS];
	union linux_fp_state	sc_fpregs;
};

/* struct ucontext: sigset_t padded to 1024 bits, then the machine context. */
struct linux_ucontext {
	uint64_t		uc_flags;	/* 0 */
	uint64_t		uc_link;	/* 0 */
	struct linux_sigaltstack uc_stack;	/* no alternate stack: SS_DISABLE */
	uint64_t		uc_sigmask;	/* restored by sigreturn */
	uint8_t			uc_unused[1024 / 8 - 8];
	struct linux_sigcontext	uc_mcontext;	/* aligned 16 by the FP union */
};

struct linux_rt_sigframe {
	struct linux_siginfo	sf_info;
	struct linux_ucontext	sf_uc;
};

_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo_t size");
_Static_assert(offsetof(struct linux_siginfo, si_code) == 8, "si_code");
_Static_assert(offsetof(struct linux_siginfo, si_fields.si_fault.addr) == 16, "si_addr");
_Static_assert(offsetof(struct linux_siginfo, si_fields.si_kill.pid) == 16, "si_pid");
_Static_assert(offsetof(struct linux_siginfo, si_fields.si_kill.uid) == 20, "si_uid");
_Static_assert(offsetof(struct linux_siginfo, si_fields.si_chld.status) == 24, "si_status");
_Static_assert(offsetof(struct linux_siginfo, si_fields.si_chld.utime) == 32, "si_utime");
_Static_assert(sizeof(struct linux_sigaltstack) == 24, "stack_t size");
_Static_assert(offsetof(struct linux_sigaltstack, ss_size) == 16, "ss_size");
_Static_assert(sizeof(union linux_fp_state) == 528, "__riscv_fp_state size");
_Static_assert(_Alignof(union linux_fp_state) == 16, "__riscv_fp_state alignment");
_Static_assert(offsetof(union linux_fp_state, fs_d.fcsr) == 256, "d.fcsr");
_Static_assert(offsetof(union linux_fp_state, fs_q.fcsr) == 512, "q.fcsr");
_Static_assert(offsetof(struct linux_sigcontext, sc_fpregs) == 256, "sc_fpregs");
_Static_assert(sizeof(struct linux_sigcontext) == 784, "sigcontext size");
_Static_assert(offsetof(struct linux_ucontext, uc_stack) == 16, "uc_stack");
_Static_assert(offsetof(struct linux_ucontext, uc_sigmask) == 40, "uc_sigmask");
_Static_assert(offsetof(struct linux_ucontext, uc_mcontext) == 176, "uc_mcontext");
_Static_assert(sizeof(struct linux_ucontext) == 960, "ucontext size");
_Static_assert(offsetof(struct linux_rt_sigframe, sf_uc) == 128, "rt_sigframe uc");
_Static_assert(sizeof(struct linux_rt_sigframe) == 1088, "rt_sigframe size");

#endif
