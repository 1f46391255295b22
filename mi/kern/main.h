#ifndef _KERN_MAIN_H_
#define _KERN_MAIN_H_

#include <kern/types.h>

/* The machine-independent kernel, entered on the boot cpu once the machine is set up. */
void mi_startup(void) __attribute__((noreturn));
/* The cpu's instruction counter when the kernel was entered (it runs from power-on). */
extern uint64_t boot_instret_start;
#endif
