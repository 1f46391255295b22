/* Knobs of the host kernel-malloc stand-in (host_kmalloc.c). */
#ifndef _HOST_KMALLOC_H_
#define _HOST_KMALLOC_H_
extern int host_kmalloc_fail_after;	/* fail after N more allocations; -1: never */
#endif
