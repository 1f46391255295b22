/*
 * Host stand-in for machine/param.h: the real constants, but "physical"
 * addresses in host tests are ordinary heap addresses, so the direct map
 * is the identity.
 */
#ifndef _HOST_MACHINE_PARAM_H_
#define _HOST_MACHINE_PARAM_H_
#include "../../../../arch/riscv/include/machine/param.h"
#undef PHYS_TO_DMAP
#undef DMAP_TO_PHYS
#define PHYS_TO_DMAP(pa)	((vaddr_t)(pa))
#define DMAP_TO_PHYS(va)	((paddr_t)(va))
#endif
