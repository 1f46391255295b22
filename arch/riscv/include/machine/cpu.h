/*
 * The machine-dependent CPU interface the MI kernel may use: the current
 * cpu, interrupt enable state, spin-wait hints and counters.
 */
#ifndef _MACHINE_CPU_H_
#define _MACHINE_CPU_H_

#include <kern/types.h>
#include <kern/pcpu.h>

#define SSTATUS_SIE_BIT	(1UL << 1)

static inline struct pcpu *
curcpu(void)
{
	struct pcpu *pc;

	__asm__ volatile("mv %0, tp" : "=r"(pc));
	return pc;
}

static inline uint32_t cpu_id(void) { return curcpu()->pc_cpuid; }

/* Disable interrupts; returns whether they were enabled. */
static inline bool
intr_disable(void)
{
	uint64_t s;

	/* SIE is bit 1: the immediate forms need no register for the mask. */
	__asm__ volatile("csrrci %0, sstatus, %1" : "=r"(s) : "i"(SSTATUS_SIE_BIT)
	    : "memory");
	return (s & SSTATUS_SIE_BIT) != 0;
}

static inline void
intr_enable(void)
{
	__asm__ volatile("csrsi sstatus, %0" :: "i"(SSTATUS_SIE_BIT) : "memory");
}

static inline void
intr_restore(bool was_on)
{
	if (was_on)
		intr_enable();
}

static inline bool
intr_enabled(void)
{
	uint64_t s;

	__asm__ volatile("csrr %0, sstatus" : "=r"(s));
	return (s & SSTATUS_SIE_BIT) != 0;
}

/* Hint to the hart that it is spinning (Zihintpause; a no-op elsewhere). */
static inline void cpu_spinwait(void) { __asm__ volatile(".insn i 0x0f, 0, x0, x0, 0x010"); }

static inline void cpu_wait_for_interrupt(void) { __asm__ volatile("wfi"); }

static inline uint64_t
cpu_instret(void)
{
	uint64_t v;

	__asm__ volatile("rdinstret %0" : "=r"(v));
	return v;
}

uint64_t cpu_time(void);		/* the time CSR, in timebase ticks */
uint64_t cpu_timebase_hz(void);
void cpu_halt(void) __attribute__((noreturn));
void cpu_send_ipi(uint32_t cpuid, int reason);	/* IPI_* */
void cpu_stop_others(void);		/* halt every other cpu (panic) */
/*
 * Run fn(arg) on another cpu, in its interrupt handler (interrupts off),
 * and wait for it to finish (cpu_call_wait).  For tests and rare
 * rendezvous: the other cpu must not be holding a lock fn needs.
 */
void cpu_call_async(uint32_t cpuid, void (*fn)(void *), void *arg);
void cpu_call_wait(uint32_t cpuid);
void cpu_backtrace(void);		/* print the caller's stack */
void cpu_poweroff_firmware(int status);	/* ask the firmware; returns on failure */
/*
 * The machine's lines of /proc/cpuinfo for cpu cpuid (as Linux prints
 * them for this architecture), into buf: the length, as snprintf returns it.
 */
int cpu_info_format(uint32_t cpuid, char *buf, size_t size);

#define IPI_NOP		0	/* just interrupt (wake from wfi) */
#define IPI_HALT	1	/* stop: the system is going down */
#define IPI_TLB		2	/* reserved for TLB shootdowns */

#endif
