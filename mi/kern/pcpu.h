/*
 * Per-cpu data.  While a cpu runs in the kernel, a register the machine
 * code reserves for it points at its struct pcpu (curcpu(), machine/cpu.h);
 * the trap entry code finds it again on the way in from user mode.
 *
 * Fields marked (T) are read by the trap entry code at fixed offsets
 * (checked by static asserts in arch/riscv/trap.c).  Fields marked (L) are
 * touched only by the owning cpu, with interrupts disabled.
 */
#ifndef _KERN_PCPU_H_
#define _KERN_PCPU_H_

#include <kern/types.h>
#include <machine/param.h>

struct thread;

#define SPIN_HELD_MAX	16	/* spin locks one cpu may hold at once */

/* What a clock tick found the cpu doing (pc_cp_time, /proc/stat). */
#define CP_USER		0
#define CP_SYS		1
#define CP_IDLE		2
#define CPUSTATES	3

struct pcpu {
	uint64_t	pc_scratch;	/* (T) trap entry scratch slot */
	vaddr_t		pc_kstack_top;	/* (T) stack for traps from user mode */
	vaddr_t		pc_kstack_lo;	/* (T) lowest valid byte of current stack */
	vaddr_t		pc_panic_stack;	/* (T) top of the stack-overflow stack */
	struct thread	*pc_curthread;	/* (L) */
	struct thread	*pc_idlethread;	/* (C) runs the scheduler loop */
	uint32_t	pc_cpuid;	/* (C) logical id, 0 .. ncpu-1 */
	uint32_t	pc_online;	/* (A) set once the cpu runs the kernel */
	uint64_t	pc_hartid;	/* (C) hart id from the device tree */
	int		pc_spin_depth;	/* (L) spin locks / critical sections held */
	bool		pc_intr_was_on;	/* (L) interrupt state before the outermost */
	uint64_t	pc_ipi_pending;	/* (A) bit mask of IPI reasons */
	uint64_t	pc_ipis;	/* (L) IPIs taken */
	uint64_t	pc_ticks;	/* (L) timer interrupts taken */
	uint64_t	pc_intrs;	/* (L) device interrupts taken */
	uint64_t	pc_switchtime;	/* (S) when the running thread was switched to */
	uint64_t	pc_switches;	/* (S) threads switched to (/proc/stat ctxt) */
	uint64_t	pc_clock_last;	/* (L) cpu_time() at the last clock tick */
	uint64_t	pc_cp_time[CPUSTATES];	/* (L) clock ticks by what they found */
	uint32_t	pc_intr_depth;	/* (L) interrupt handlers running (nested) */
	uint64_t	pc_spin_nheld;	/* (L) spin locks held (a word: an index on fast paths) */
	uint32_t	pc_spin_unchained; /* (L) entries of pc_spin_class marked unchained */
	uint16_t	pc_spin_class[SPIN_HELD_MAX];	/* (L) their lock-order classes, oldest first */
	uint64_t	pc_idle_instret; /* (L) instructions retired waiting for an interrupt
					 * in the idle loop (under -icount: time asleep) */
} __attribute__((aligned(CACHE_LINE_SIZE)));

extern struct pcpu pcpu_array[MAXCPU];
extern uint32_t ncpu;		/* cpus brought up (at most MAXCPU) */

#define PCPU_FOREACH(pc) \
	for ((pc) = &pcpu_array[0]; (pc) < &pcpu_array[ncpu]; (pc)++)

#endif
