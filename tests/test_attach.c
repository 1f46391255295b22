/*
 * Host unit test of the real drivers (drivers/plic.c, uart.c, sifive_test.c) attaching themselves
 * through the device layer (mi/kern/device.c) on one board's device tree.
 *
 *	test_attach BOARD FIXTURE_DIR DTB_DIR
 *
 * BOARD is vf2 (VisionFive 2 v1.3B), qemu (QEMU virt), board-a or board-b
 * (tests/fixtures/platform-{a,b}.dts).  One board per process: the drivers
 * keep their one console, PLIC and finisher in static variables, as in the
 * kernel.  The kernel services the drivers call are recorded here:
 * kmem_mapdev hands out zeroed host memory standing in for the device's
 * registers, so the checks read back what the drivers wrote there.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/types.h>
#include <kern/errno.h>
#include <kern/cons.h>
#include <kern/device.h>
#include <kern/intr.h>
#include <kern/platform.h>
#include <kern/reboot.h>
#include <machine/cpu.h>
#include <machine/harts.h>
#include <vm/kmem.h>

#include "host/host_support.h"
#include "host/tap.h"

struct harts harts;

/* ---- What the drivers asked of the kernel. ---- */

#define MAX_MAPPINGS	8

struct mapping {
	paddr_t		pa;
	size_t		size;
	uint8_t		*regs;
};
static struct mapping mappings[MAX_MAPPINGS];
static int nmappings;
static const struct consdev *console;
static const struct poweroff_dev *poweroff;

void *
kmem_mapdev(paddr_t pa, size_t size)
{
	struct mapping *m;

	if (nmappings == MAX_MAPPINGS)
		return NULL;
	m = &mappings[nmappings++];
	m->pa = pa;
	m->size = size;
	m->regs = calloc(1, size);
	return m->regs;
}

void *
kmem_alloc(size_t size, int flags)
{
	return calloc(1, size);
}

void
kmem_free(void *addr, size_t size)
{
	free(addr);
}

void
cons_register(const struct consdev *cd)
{
	console = cd;
}

void
cons_rx_input(int c)
{
}

void
poweroff_register(const struct poweroff_dev *dev)
{
	poweroff = dev;
}

/* The registers kmem_mapdev handed out for pa, or NULL. */
static uint8_t *
regs_of(paddr_t pa, size_t size)
{
	for (int i = 0; i < nmappings; i++)
		if (mappings[i].pa == pa && mappings[i].size == size)
			return mappings[i].regs;
	return NULL;
}

static uint32_t
reg32(const uint8_t *regs, size_t off)
{
	uint32_t v;

	memcpy(&v, regs + off, sizeof(v));
	return v;
}

static void
set_reg(uint8_t *regs, size_t off, uint32_t v, int width)
{
	if (width == 4)
		memcpy(regs + off, &v, 4);
	else if (width == 2)
		memcpy(regs + off, &(uint16_t){ (uint16_t)v }, 2);
	else
		regs[off] = (uint8_t)v;
}

static uint32_t
get_reg(const uint8_t *regs, size_t off, int width)
{
	uint16_t v16;

	if (width == 4)
		return reg32(regs, off);
	if (width == 2) {
		memcpy(&v16, regs + off, 2);
		return v16;
	}
	return regs[off];
}

/* ---- The PLIC's registers (drivers/plic.c). ---- */

#define PLIC_PRIORITY(irq)	(4 * (irq))
#define PLIC_ENABLE(ctx, irq)	(0x2000 + 0x80 * (ctx) + 4 * ((irq) / 32))
#define PLIC_THRESHOLD(ctx)	(0x200000 + 0x1000 * (ctx))

/* On the cpu with logical id cpuid, running on hart hartid: intr_init_cpu. */
static void
init_cpu(uint32_t cpuid, uint64_t hartid)
{
	host_pcpu.pc_cpuid = cpuid;
	host_pcpu.pc_hartid = hartid;
	intr_init_cpu();
}

static bool
source_enabled(const uint8_t *plic, int ctx, uint32_t irq)
{
	return (reg32(plic, PLIC_ENABLE(ctx, irq)) & (1U << (irq % 32))) != 0;
}

static void
noop_handler(void *arg)
{
}

/*
 * The PLIC at pa (size bytes, ndev sources) is mapped, the console's irq
 * has priority 1, the sources beyond ndev are refused, and a cpu on hart
 * hartid enables it on context ctx (and, threshold 0, takes it).
 */
static void
check_plic(paddr_t pa, size_t size, uint32_t ndev, uint32_t irq, uint64_t hartid, int ctx)
{
	uint8_t *plic = regs_of(pa, size);

	if (!tap_ok(plic != NULL, "PLIC mapped at %#lx, %#zx bytes", (unsigned long)pa, size))
		return;
	tap_ok(reg32(plic, PLIC_PRIORITY(irq)) == 1, "the console's source %u has priority 1", irq);
	tap_ok(intr_establish(ndev + 1, noop_handler, NULL) == EINVAL &&
	    intr_establish(ndev, noop_handler, NULL) == 0 &&
	    intr_establish(irq, noop_handler, NULL) == EBUSY,
	    "riscv,ndev = %u sources: %u is refused, %u taken once", ndev, ndev + 1, irq);
	set_reg(plic, PLIC_THRESHOLD(ctx), 7, 4);
	init_cpu(1, hartid);
	tap_ok(source_enabled(plic, ctx, irq) && source_enabled(plic, ctx, ndev) &&
	    reg32(plic, PLIC_THRESHOLD(ctx)) == 0,
	    "hart %lu enables the sources on its S context %d, threshold 0",
	    (unsigned long)hartid, ctx);
	tap_ok(!source_enabled(plic, ctx - 1, irq) && !source_enabled(plic, ctx + 1, irq),
	    "and on no neighbouring context");
}

/*
 * The console UART at pa (mapped size bytes) with registers shift bits
 * apart, width bytes wide: output lands in THR, and the receive interrupt
 * is enabled exactly when it has one.
 */
static void
check_uart(paddr_t pa, size_t size, uint32_t shift, int width, bool rx_intr)
{
	uint8_t *uart = regs_of(pa, size);

	if (!tap_ok(uart != NULL && console != NULL && strcmp(console->cn_name, "uart") == 0,
	    "uart mapped at %#lx, %#zx bytes, and made the console", (unsigned long)pa, size))
		return;
	set_reg(uart, 5u << shift, 0x20, width);	/* LSR: THR empty */
	console->cn_putc(console->cn_arg, 'x');
	tap_ok(get_reg(uart, 0, width) == 'x', "reg-shift %u, reg-io-width %d: putc writes THR",
	    shift, width);
	tap_ok(console->cn_getc(console->cn_arg) == -1, "getc: no data ready");
	set_reg(uart, 5u << shift, 0x21, width);	/* LSR: data ready */
	set_reg(uart, 0, 'q', width);
	tap_ok(console->cn_getc(console->cn_arg) == 'q', "getc reads RBR");
	tap_ok((get_reg(uart, 1u << shift, width) == 1) == rx_intr,
	    "receive interrupt %s", rx_intr ? "enabled" : "not enabled: no controller");
}

static void
check_finisher(paddr_t pa, size_t size)
{
	uint32_t *finisher = (uint32_t *)regs_of(pa, size);

	if (!tap_ok(finisher != NULL && poweroff != NULL,
	    "sifive,test mapped at %#lx, %#zx bytes, registered for power-off",
	    (unsigned long)pa, size))
		return;
	poweroff->poweroff(poweroff->arg, 0);
	tap_ok(*finisher == 0x5555, "power-off status 0 writes PASS");
	poweroff->poweroff(poweroff->arg, 3);
	tap_ok(*finisher == 0x33333, "power-off status 3 writes (3 << 16) | FAIL");
}

int
main(int argc, char **argv)
{
	static struct platform p;
	const char *board;
	uint8_t *blob;
	size_t len;

	if (argc != 4) {
		fprintf(stderr, "usage: test_attach vf2|qemu|board-a|board-b FIXTURE_DIR DTB_DIR\n");
		return 2;
	}
	board = argv[1];
	if (strcmp(board, "vf2") == 0)
		blob = host_load_file(argv[2], "jh7110-starfive-visionfive-2-v1.3b.dtb", &len);
	else if (strcmp(board, "qemu") == 0)
		blob = host_load_file(argv[2], "qemu-virt-smp4-512m.dtb", &len);
	else if (strcmp(board, "board-a") == 0)
		blob = host_load_file(argv[3], "platform-a.dtb", &len);
	else if (strcmp(board, "board-b") == 0)
		blob = host_load_file(argv[3], "platform-b.dtb", &len);
	else
		return 2;
	if (!tap_ok(platform_from_fdt(blob, len, &p) == 0, "%s: device tree read", board))
		return tap_done();
	harts_from_fdt(&p.fdt, &harts);
	device_attach_all(&p.fdt);

	if (strcmp(board, "vf2") == 0) {
		tap_ok(nmappings == 2, "two devices mapped (%d)", nmappings);
		check_uart(0x10000000, 0x10000, 2, 4, true);
		check_plic(0x0c000000, 0x4000000, 136, 32, 3, 6);
		init_cpu(2, 0);		/* the S7 hart has no S context */
		tap_ok(!source_enabled(regs_of(0x0c000000, 0x4000000), 0, 32),
		    "hart 0 (no S mode) enables nothing");
		tap_ok(poweroff == NULL, "no sifive,test: power-off stays with the firmware");
	} else if (strcmp(board, "qemu") == 0) {
		tap_ok(nmappings == 3, "three devices mapped (%d)", nmappings);
		check_uart(0x10000000, 0x100, 0, 1, true);
		check_plic(0x0c000000, 0x600000, 96, 10, 2, 5);
		check_finisher(0x100000, 0x1000);
	} else if (strcmp(board, "board-a") == 0) {
		tap_ok(nmappings == 3, "three devices mapped (%d)", nmappings);
		check_uart(0x50001000, 0x100, 2, 4, true);
		check_plic(0x0c000000, 0x4000000, 53, 7, 1, 2);
		check_finisher(0x40003100, 4096);	/* a page at least */
	} else {
		tap_ok(nmappings == 1, "one device mapped (%d): the stdout UART, not the other",
		    nmappings);
		check_uart(0x20000000, 0x1000, 1, 2, false);
		tap_ok(intr_establish(21, noop_handler, NULL) == ENODEV,
		    "no PLIC: intr_establish is ENODEV");
		tap_ok(poweroff == NULL, "the disabled sifive,test is not driven");
	}
	for (int i = 0; i < nmappings; i++)
		free(mappings[i].regs);
	free(blob);
	return tap_done();
}
