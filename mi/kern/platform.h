/*
 * The machine as the device tree describes it.  platform_from_fdt() reads
 * a flattened device tree once at boot and fills struct platform; nothing
 * else in the kernel parses the device tree for these facts, and no board
 * address is written anywhere in the kernel.
 */
#ifndef _KERN_PLATFORM_H_
#define _KERN_PLATFORM_H_

#include <kern/types.h>

#define PLAT_MAX_MEM	16
#define PLAT_MAX_RSV	32
#define PLAT_MAX_CPUS	32
#define PLAT_BOOTARGS_MAX 512

struct plat_range {
	paddr_t	base;
	uint64_t size;
};

enum plat_mmu { PLAT_MMU_NONE = 0, PLAT_MMU_SV39, PLAT_MMU_SV48, PLAT_MMU_SV57 };

struct plat_cpu {
	uint64_t	hartid;		/* from the cpu node's reg */
	enum plat_mmu	mmu;		/* from mmu-type */
	bool		enabled;	/* status absent, "okay" or "ok" */
	bool		usable;		/* enabled and has Sv39, Sv48 or Sv57 */
	bool		has_sstc;	/* riscv,isa or riscv,isa-extensions lists sstc */
	bool		has_fpu;	/* 'f' and 'd' in the base ISA */
	uint32_t	intc_phandle;	/* its interrupt-controller child */
	int		plic_s_context;	/* PLIC context of its S-mode external irq, or -1 */
};

enum plat_uart_kind { PLAT_UART_NONE = 0, PLAT_UART_NS16550, PLAT_UART_DW_APB };

struct plat_uart {
	enum plat_uart_kind kind;
	paddr_t		base;		/* translated to a CPU physical address */
	uint64_t	size;
	uint32_t	reg_shift;	/* reg-shift, default 0 */
	uint32_t	reg_io_width;	/* reg-io-width, default 1 */
	uint32_t	clock_hz;	/* clock-frequency, or 0 when absent */
	uint32_t	irq;		/* PLIC source, or 0 */
};

struct platform {
	char		model[64];
	struct plat_range mem[PLAT_MAX_MEM];	/* /memory nodes' reg */
	int		nmem;
	struct plat_range rsv[PLAT_MAX_RSV];	/* /memreserve/ and /reserved-memory */
	int		nrsv;
	char		bootargs[PLAT_BOOTARGS_MAX]; /* /chosen/bootargs, or "" */
	paddr_t		initrd_start;		/* /chosen linux,initrd-*, or 0 */
	paddr_t		initrd_end;
	uint64_t	timebase_hz;		/* /cpus/timebase-frequency */
	struct plat_cpu	cpus[PLAT_MAX_CPUS];
	int		ncpus;
	struct plat_uart uart;			/* the console: stdout-path, else first UART */
	paddr_t		plic_base;		/* 0 when none */
	uint64_t	plic_size;
	uint32_t	plic_ndev;		/* riscv,ndev */
	paddr_t		test_base;		/* sifive,test0/1 device, or 0 */
	uint64_t	test_size;
	paddr_t		dtb_size;		/* header totalsize */
};

/*
 * Parse the blob at fdt (at most maxsize bytes readable).  Returns 0,
 * EINVAL for a blob that is not a valid FDT (bad magic, version < 16,
 * totalsize beyond maxsize, offsets out of range, unterminated strings),
 * or ENOSPC when there are more than PLAT_MAX_RSV reserved regions
 * (dropping one could hand firmware memory to the allocator).
 * Missing optional properties are not errors; malformed ones are treated
 * as missing, and a device whose reg cannot be translated to a CPU
 * address is ignored.
 */
int platform_from_fdt(const void *fdt, size_t maxsize, struct platform *p);

/* The machine this kernel runs on, read from the device tree at boot. */
extern struct platform platform;

/* The cpu entry for a hart id, or NULL. */
const struct plat_cpu *platform_cpu(const struct platform *p, uint64_t hartid);

#endif
