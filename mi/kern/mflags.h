/*
 * Allocation flags shared by malloc, zones, kmem and vmem callers.
 */
#ifndef _KERN_MFLAGS_H_
#define _KERN_MFLAGS_H_

#define M_NOWAIT	0x0001	/* fail rather than sleep: interrupt context */
#define M_WAITOK	0x0002	/* may sleep until memory is available */
#define M_ZERO		0x0100	/* zero the memory */

#endif
