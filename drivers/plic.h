#ifndef _DRIVERS_PLIC_H_
#define _DRIVERS_PLIC_H_
#include <kern/platform.h>
int plic_attach(const struct platform *p);
void plic_set_cpu_context(uint32_t cpuid, int context);
uint64_t plic_source_count(uint32_t irq);	/* interrupts handled from irq */
#endif
