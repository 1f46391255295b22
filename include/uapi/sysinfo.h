/*
 * sysinfo(2) (Linux linux/sysinfo.h, 64-bit: 112 bytes).  Shared by the
 * kernel and the user C library.
 */
#ifndef _UAPI_SYSINFO_H
#define _UAPI_SYSINFO_H

#define SI_LOAD_SHIFT	16		/* loads[] are fixed point with this many bits */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct sysinfo {
	long		uptime;		/* seconds since boot */
	unsigned long	loads[3];	/* 1, 5 and 15 minute load averages */
	unsigned long	totalram;	/* in mem_unit bytes */
	unsigned long	freeram;
	unsigned long	sharedram;
	unsigned long	bufferram;
	unsigned long	totalswap;
	unsigned long	freeswap;
	uint16_t	procs;		/* threads that exist */
	uint16_t	pad;
	unsigned long	totalhigh;
	unsigned long	freehigh;
	uint32_t	mem_unit;
	char		_f[20 - 2 * sizeof(unsigned long) - sizeof(uint32_t)];
};
_Static_assert(sizeof(struct sysinfo) == 112, "struct sysinfo");
#endif

#endif
