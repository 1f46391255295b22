#ifndef _VM_DEVICE_PAGER_H_
#define _VM_DEVICE_PAGER_H_
#include <kern/types.h>
#include <machine/param.h>
struct vm_object;
/* An object whose page i is the device memory at base + i pages (page aligned). */
struct vm_object *device_pager_alloc(paddr_t base, vm_size_t size);
#endif
