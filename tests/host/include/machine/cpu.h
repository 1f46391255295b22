/*
 * Host stand-in for the machine CPU interface, so MI data structures can
 * be unit-tested as ordinary programs.  Each host thread is a "cpu".
 */
#ifndef _MACHINE_CPU_H_
#define _MACHINE_CPU_H_

#include <kern/types.h>
#include <kern/pcpu.h>

extern _Thread_local struct pcpu host_pcpu;
void host_pcpu_init(void);	/* gives the host thread's "cpu" its own kernel thread */

static inline struct pcpu *
curcpu(void)
{
	if (__builtin_expect(host_pcpu.pc_curthread == NULL, 0))
		host_pcpu_init();
	return &host_pcpu;
}

static inline uint32_t cpu_id(void) { return host_pcpu.pc_cpuid; }
static inline bool intr_disable(void) { return false; }
static inline void intr_enable(void) { }
static inline void intr_restore(bool was_on) { (void)was_on; }
static inline bool intr_enabled(void) { return false; }
static inline void cpu_spinwait(void) { }

#endif
