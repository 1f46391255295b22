/* Knobs of the host kernel-malloc stand-in (host_kmalloc.c). */
#ifndef _HOST_KMALLOC_H_
#define _HOST_KMALLOC_H_
#include <stdint.h>
extern int host_kmalloc_fail_after;	/* fail after N more allocations; -1: never */
extern uint64_t host_kmalloc_outstanding; /* allocations not yet freed, all types */
#endif
