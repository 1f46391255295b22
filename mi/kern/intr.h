/*
 * Device interrupts.  The interrupt controller driver (drivers/plic.c)
 * implements this; drivers reach it through device_setup_intr()
 * (kern/device.h), each cpu calls intr_init_cpu() once before it enables
 * interrupts, and the trap code calls intr_dispatch() for an external
 * interrupt on the current cpu.  Handlers run with interrupts disabled.
 */
#ifndef _KERN_INTR_H_
#define _KERN_INTR_H_

#include <kern/types.h>

typedef void intr_handler_t(void *arg);

/* Route source irq to handler on every cpu; 0 or EINVAL/EBUSY/ENODEV. */
int intr_establish(uint32_t irq, intr_handler_t *handler, void *arg);
void intr_init_cpu(void);	/* enable this cpu's context */
void intr_dispatch(void);	/* claim, handle and complete pending sources */
uint64_t intr_source_count(uint32_t irq);	/* interrupts handled from irq */

#endif
