/*
 * Kernel text symbols, for naming addresses in backtraces.  The table is
 * made at build time from a first link of the kernel (scripts/gen-ksyms).
 */
#ifndef _KERN_KSYMS_H_
#define _KERN_KSYMS_H_

#include <kern/types.h>

/* The function containing pc and pc's offset in it, or NULL. */
const char *ksym_lookup(vaddr_t pc, vaddr_t *offset);

#endif
