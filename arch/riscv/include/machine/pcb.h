/*
 * What a thread keeps of the machine when it is not running: the callee-
 * saved registers cpu_switch preserves, and the user's floating-point
 * registers (the kernel itself never uses floating point).  The hooks
 * that use them are in machine/machdep.h.
 */
#ifndef _MACHINE_PCB_H_
#define _MACHINE_PCB_H_

#include <kern/types.h>

struct switchframe {
	uint64_t	sf_ra;
	uint64_t	sf_sp;
	uint64_t	sf_s[12];	/* s0 .. s11 */
};

struct fpstate {
	uint64_t	fp_f[32];
	uint64_t	fp_fcsr;
};

#endif
