#ifndef _KERN_MAIN_H_
#define _KERN_MAIN_H_
/* The machine-independent kernel, entered on the boot cpu once the machine is set up. */
void mi_startup(void) __attribute__((noreturn));
#endif
