/* Knobs that host unit tests turn in tests/host/host_support.c. */
#ifndef _HOST_SUPPORT_H_
#define _HOST_SUPPORT_H_
#include <stdint.h>
extern uint64_t host_pages_in_use;		/* pages held through kmem_page_alloc */
extern int host_page_alloc_fail_after;		/* fail after N more allocations; -1: never */
#endif
