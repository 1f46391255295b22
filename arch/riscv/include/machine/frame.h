/*
 * The register state saved on every trap (layout in machine/asm.h).
 */
#ifndef _MACHINE_FRAME_H_
#define _MACHINE_FRAME_H_

#include <kern/types.h>

struct trapframe {
	uint64_t	tf_x[31];	/* x1 .. x31; tf_x[n - 1] is xn */
	uint64_t	tf_sepc;
	uint64_t	tf_sstatus;
	uint64_t	tf_stval;
	uint64_t	tf_scause;
	uint64_t	tf_flags;	/* TF_* */
};

/*
 * The user registers were replaced, not just the a-registers, ra, sp and
 * sepc a system call or a signal frame sets (execve, rt_sigreturn): the
 * way out of the system call reloads every register from the frame, not
 * only the ones the kernel may have changed (trap.S).  Whoever writes
 * s1..s11 of the frame of a thread in a system call sets it.
 */
#define TF_RELOAD_ALL	0x1

#define tf_ra	tf_x[0]
#define tf_sp	tf_x[1]
#define tf_tp	tf_x[3]
#define tf_s0	tf_x[7]
#define tf_a0	tf_x[9]
#define tf_a1	tf_x[10]
#define tf_a2	tf_x[11]
#define tf_a3	tf_x[12]
#define tf_a4	tf_x[13]
#define tf_a5	tf_x[14]
#define tf_a7	tf_x[16]

#endif
