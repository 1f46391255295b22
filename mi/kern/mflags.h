/*
 * Allocation flags shared by malloc, zones, kmem and vmem callers.
 */
#ifndef _KERN_MFLAGS_H_
#define _KERN_MFLAGS_H_

/*
 * M_NOWAIT fails (NULL) when memory is short.  M_WAITOK sleeps until
 * memory is freed (vm_wait.h) and does not return NULL for want of
 * memory; only a request that no wait could ever meet (more than half of
 * all memory, more than the kernel's address space) returns NULL.
 */
#define M_NOWAIT	0x0001	/* fail rather than sleep: interrupt context */
#define M_WAITOK	0x0002	/* sleep until memory is available */
#define M_ZERO		0x0100	/* zero the memory */

#endif
