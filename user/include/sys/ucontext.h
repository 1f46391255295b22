/* sys/ucontext.h: the signal frame's user context, in Linux riscv64 layout. */
#ifndef _SYS_UCONTEXT_H
#define _SYS_UCONTEXT_H

#include <stddef.h>
#include <stdint.h>

typedef unsigned long sigset_t;		/* the kernel's 64-signal set */

typedef struct {
	void *ss_sp;
	int ss_flags;
	size_t ss_size;
} stack_t;

/* Indices into __gregs: slot 0 holds pc, slot n (n >= 1) holds x_n. */
#define REG_PC	0
#define REG_RA	1
#define REG_SP	2
#define REG_GP	3
#define REG_TP	4
#define REG_S0	8
#define REG_A0	10
#define REG_NREGS 32

/* Floating-point state: the union sized for the Q extension (528 bytes). */
union __riscv_fp_state {
	struct {
		uint32_t __f[32];
		uint32_t __fcsr;
	} __f;
	struct {
		uint64_t __f[32];
		uint32_t __fcsr;
	} __d;
	struct {
		uint64_t __f[64] __attribute__((aligned(16)));
		uint32_t __fcsr;
		uint32_t __reserved[3];
	} __q;
};

typedef struct {
	unsigned long __gregs[32];
	union __riscv_fp_state __fpregs;
} mcontext_t;

typedef struct ucontext {
	unsigned long uc_flags;
	struct ucontext *uc_link;
	stack_t uc_stack;
	sigset_t uc_sigmask;
	unsigned char __sigmask_pad[128 - sizeof(sigset_t)];
	mcontext_t uc_mcontext;
} ucontext_t;

_Static_assert(sizeof(union __riscv_fp_state) == 528, "fp state size");
_Static_assert(offsetof(ucontext_t, uc_sigmask) == 40, "uc_sigmask offset");
_Static_assert(offsetof(ucontext_t, uc_mcontext) == 176, "uc_mcontext offset");
_Static_assert(sizeof(mcontext_t) == 784, "mcontext size");

#endif
