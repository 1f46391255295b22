/*
 * The machine as the device tree describes it, in the terms every
 * architecture shares: RAM, reserved memory, the boot arguments and the
 * initrd.  platform_from_fdt() reads a flattened device tree once at boot
 * and fills struct platform; it keeps the validated tree in p->fdt for
 * the rest: the harts (the architecture's, e.g. machine/harts.h) and the
 * devices (kern/device.h, which the drivers find there).  No board
 * address is written anywhere in the kernel.
 */
#ifndef _KERN_PLATFORM_H_
#define _KERN_PLATFORM_H_

#include <kern/types.h>
#include <kern/fdt.h>

#define PLAT_MAX_MEM	16
#define PLAT_MAX_RSV	32
#define PLAT_BOOTARGS_MAX 512

struct plat_range {
	paddr_t	base;
	uint64_t size;
};

struct platform {
	struct fdt	fdt;			/* the validated tree */
	char		model[64];
	struct plat_range mem[PLAT_MAX_MEM];	/* /memory nodes' reg */
	int		nmem;
	struct plat_range rsv[PLAT_MAX_RSV];	/* /memreserve/ and /reserved-memory */
	int		nrsv;
	char		bootargs[PLAT_BOOTARGS_MAX]; /* /chosen/bootargs, or "" */
	paddr_t		initrd_start;		/* /chosen linux,initrd-*, or 0 */
	paddr_t		initrd_end;
	paddr_t		dtb_size;		/* header totalsize */
};

/*
 * Parse the blob at fdt (at most maxsize bytes readable).  Returns 0,
 * EINVAL for a blob that is not a valid FDT (bad magic, version < 16,
 * totalsize beyond maxsize, offsets out of range, unterminated strings),
 * or ENOSPC when there are more than PLAT_MAX_RSV reserved regions
 * (dropping one could hand firmware memory to the allocator).
 * Missing optional properties are not errors; malformed ones are treated
 * as missing.  The blob must stay mapped and unchanged while p is used.
 */
int platform_from_fdt(const void *fdt, size_t maxsize, struct platform *p);

/* The machine this kernel runs on, read from the device tree at boot. */
extern struct platform platform;

#endif
