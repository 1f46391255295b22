/*
 * What a thread keeps of the machine when it is not running: the callee-
 * saved registers cpu_switch preserves, and the user's floating-point
 * registers (the kernel itself never uses floating point).
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

struct thread;

/* Save the current registers in *from and continue with *to. */
void cpu_switch(struct switchframe *from, struct switchframe *to);

/*
 * Make td, which has never run, start in fn(arg) on its own stack when
 * first switched to (with the scheduler lock held, as after cpu_switch).
 */
void cpu_thread_init(struct thread *td, void (*fn)(void *), void *arg);

/* Floating-point state across context switches (sstatus.FS). */
void fpu_switch_out(struct thread *td);
void fpu_switch_in(struct thread *td);

#endif
