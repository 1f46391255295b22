/*
 * The boot-time physical memory map: RAM from the device tree, minus
 * everything that is not ours to hand out (firmware, the kernel image,
 * the device tree, the initrd).  Early code steals pages from it (page
 * tables, the vm_page array) before the page allocator exists; what is
 * left becomes the page allocator's memory.
 *
 * Only the boot cpu uses it, before other cpus start: no locking.
 */
#ifndef _VM_PHYSMEM_H_
#define _VM_PHYSMEM_H_

#include <vm/vm_page.h>

#define PHYSMEM_MAX_RANGES	32

void physmem_add_ram(paddr_t start, paddr_t end);
void physmem_exclude(paddr_t start, paddr_t end);

/* Take size bytes aligned to align from available memory; panics when none. */
paddr_t physmem_steal(uint64_t size, uint64_t align);

/* The available ranges, sorted and page aligned. */
int physmem_avail(const struct phys_range **ranges);
uint64_t physmem_ram_bytes(void);	/* all RAM, including what was excluded */
paddr_t physmem_ram_end(void);		/* highest RAM address + 1 */
void physmem_reset(void);		/* host tests only */

#endif
