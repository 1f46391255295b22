/*
 * Host unit test for the device-tree reader (mi/kern/fdt.c), the
 * platform description (mi/kern/platform.c), the harts
 * (arch/riscv/harts.c) and device matching and attach ordering
 * (mi/kern/device.c, with drivers of the test's own that record what
 * they are given; tests/test_attach.c runs the real drivers).
 *
 *	test_platform FIXTURE_DIR DTB_DIR
 *
 * FIXTURE_DIR holds the real blobs (VisionFive 2 v1.3B and v1.2A, QEMU
 * virt); DTB_DIR holds tests/fixtures/platform-{a,b,c}.dts compiled with
 * "dtc -I dts -O dtb" (as platform-{a,b,c}.dtb).  Prints TAP; exits nonzero if any check failed.
 * Meant to run under ASan/UBSan: the mutation tests only prove something
 * if every stray read is caught.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kern/types.h>
#include <kern/errno.h>
#include <kern/fdt.h>
#include <kern/device.h>
#include <kern/platform.h>
#include <machine/harts.h>

#include "host/host_support.h"
#include "host/tap.h"

#define GiB	(1ULL << 30)
#define MiB	(1ULL << 20)

#define VF2_DW_UART_IRQ	32
#define VF2_PLIC_NDEV	136
#define QEMU_PLIC_NDEV	96

static bool
check_u64(uint64_t got, uint64_t want, const char *what, const char *blob)
{
	if (!tap_ok(got == want, "%s: %s == %#llx", blob, what,
	    (unsigned long long)want))
		tap_diag("got %#llx", (unsigned long long)got);
	return got == want;
}

static bool
check_str(const char *got, const char *want, const char *what,
    const char *blob)
{
	bool ok = strcmp(got, want) == 0;

	if (!tap_ok(ok, "%s: %s is \"%s\"", blob, what, want))
		tap_diag("got \"%s\"", got);
	return ok;
}

/*
 * Drivers for matching: the compatible strings of the kernel's drivers,
 * with an attach that records the order it is called in.
 */
#define TEST_MAX_DEVS	16
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static const char *const uart_compat[] = { "snps,dw-apb-uart", "ns16550a", "ns16550", NULL };
static const char *const plic_compat[] = { "sifive,plic-1.0.0", "riscv,plic0", NULL };
static const char *const finisher_compat[] = { "sifive,test1", "sifive,test0", NULL };

static int attach_log[TEST_MAX_DEVS];	/* dv_node of each attach call */
static int attach_calls;

static int
record_attach(struct device *dev)
{
	if (attach_calls < TEST_MAX_DEVS)
		attach_log[attach_calls] = dev->dv_node;
	attach_calls++;
	return 0;
}

static const struct driver test_drivers[] = {
	{ "uart", uart_compat, DRIVER_PASS_SYSTEM, record_attach },
	{ "plic", plic_compat, DRIVER_PASS_INTERRUPT, record_attach },
	{ "sifive_test", finisher_compat, DRIVER_PASS_SYSTEM, record_attach },
};

/* The first matched device of the named driver, or NULL. */
static const struct device *
matched(const struct device *devs, int n, const char *driver)
{
	for (int i = 0; i < n && i < TEST_MAX_DEVS; i++)
		if (strcmp(devs[i].dv_driver->dr_name, driver) == 0)
			return &devs[i];
	return NULL;
}

/* Match p's tree against test_drivers; the number matched. */
static int
match_board(const struct platform *p, struct device *devs)
{
	return device_match(&p->fdt, test_drivers, nitems(test_drivers), devs,
	    TEST_MAX_DEVS);
}

/* The S-mode PLIC context of hart id, through the matched PLIC. */
static int
s_context(const struct platform *p, const struct harts *h,
    const struct device *plic, uint64_t hartid)
{
	int context[HARTS_MAX];
	const struct hart *hart = harts_find(h, hartid);

	if (plic == NULL || hart == NULL)
		return -2;
	harts_plic_contexts(&p->fdt, plic->dv_node, h, context);
	return context[hart - h->hart];
}

/* dev has reg[0] = (base, size) and its first interrupt is irq. */
static bool
dev_is(const struct device *dev, uint64_t base, uint64_t size, uint32_t irq)
{
	return dev != NULL && dev->dv_nreg >= 1 && dev->dv_reg[0].base == base &&
	    dev->dv_reg[0].size == size &&
	    (irq == 0 ? dev->dv_nintr == 0 : dev->dv_nintr >= 1 && dev->dv_intr[0].irq == irq);
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* ---- The real boards. ---- */

static void
test_vf2(const char *dir, const char *file, const char *model)
{
	struct platform *p = calloc(1, sizeof(*p));
	struct harts *hs = calloc(1, sizeof(*hs));
	struct device devs[TEST_MAX_DEVS];
	const struct device *uart, *plic;
	const struct hart *c;
	size_t len;
	uint8_t *blob = host_load_file(dir, file, &len);
	int rc, h, n;

	rc = platform_from_fdt(blob, len, p);
	if (!tap_ok(rc == 0, "%s: platform_from_fdt succeeds", file)) {
		tap_diag("rc %d", rc);
		goto out;
	}
	check_u64(p->dtb_size, get_be32(blob + 4), "dtb_size = header totalsize",
	    file);
	check_str(p->model, model, "model", file);
	check_u64(p->nmem, 1, "one memory range", file);
	check_u64(p->mem[0].base, 0x40000000, "memory base", file);
	check_u64(p->mem[0].size, 4 * GiB, "memory size (4 GiB placeholder)",
	    file);
	check_u64(p->nrsv, 0, "no reservations", file);
	check_str(p->bootargs, "", "bootargs", file);
	tap_ok(p->initrd_start == 0 && p->initrd_end == 0, "%s: no initrd",
	    file);

	harts_from_fdt(&p->fdt, hs);
	n = match_board(p, devs);
	plic = matched(devs, n, "plic");
	check_u64(hs->timebase_hz, 4000000, "timebase", file);
	check_u64(hs->nharts, 5, "five cpus", file);
	c = harts_find(hs, 0);
	tap_ok(c != NULL && !c->enabled && !c->usable &&
	    c->mmu == HART_MMU_NONE && !c->has_fpu && !c->has_sstc &&
	    s_context(p, hs, plic, 0) == -1,
	    "%s: hart 0 (S7) disabled, no MMU, no FPU, no S context", file);
	for (h = 1; h <= 4; h++) {
		c = harts_find(hs, (uint64_t)h);
		if (!tap_ok(c != NULL, "%s: hart %d present", file, h))
			continue;
		tap_ok(c->enabled && c->usable && c->mmu == HART_MMU_SV39,
		    "%s: hart %d enabled, usable, Sv39", file, h);
		tap_ok(c->has_fpu && !c->has_sstc, "%s: hart %d FPU, no Sstc",
		    file, h);
		check_u64(c->intc_phandle, 0x0d + (uint64_t)h, "intc phandle",
		    file);
		check_u64((uint64_t)s_context(p, hs, plic, (uint64_t)h), 2 * (uint64_t)h,
		    "S context = 2*hart", file);
	}
	tap_ok(harts_find(hs, 5) == NULL, "%s: no hart 5", file);

	check_u64(n, 2, "two devices match: the PLIC and uart0 (the others are disabled)", file);
	uart = matched(devs, n, "uart");
	tap_ok(uart != NULL && strcmp(uart->dv_compat, "snps,dw-apb-uart") == 0 &&
	    uart->dv_stdout, "%s: console is DW APB, named by stdout-path", file);
	tap_ok(dev_is(uart, 0x10000000, 0x10000, VF2_DW_UART_IRQ) &&
	    plic != NULL && uart->dv_intr[0].ctrl == plic->dv_phandle,
	    "%s: uart reg, size and PLIC irq %d", file, VF2_DW_UART_IRQ);
	tap_ok(plic != NULL && plic->dv_reg[0].base == 0x0c000000 &&
	    plic->dv_reg[0].size == 0x4000000 &&
	    fdt_getprop_u32(&p->fdt, plic->dv_node, "riscv,ndev", 0) == VF2_PLIC_NDEV,
	    "%s: plic base, size, ndev", file);
	tap_ok(devs[0].dv_driver->dr_pass == DRIVER_PASS_INTERRUPT,
	    "%s: the PLIC attaches first", file);
	tap_ok(matched(devs, n, "sifive_test") == NULL, "%s: no test device", file);
out:
	free(hs);
	free(p);
	free(blob);
}

static void
test_qemu(const char *dir)
{
	const char *file = "qemu-virt-smp4-512m.dtb";
	struct platform *p = calloc(1, sizeof(*p));
	struct harts *hs = calloc(1, sizeof(*hs));
	struct device devs[TEST_MAX_DEVS];
	const struct device *uart, *plic, *finisher;
	const struct hart *c;
	size_t len;
	uint8_t *blob = host_load_file(dir, file, &len);
	int rc, h, n;

	rc = platform_from_fdt(blob, len, p);
	if (!tap_ok(rc == 0, "%s: platform_from_fdt succeeds (1 MiB file)",
	    file)) {
		tap_diag("rc %d", rc);
		goto out;
	}
	check_u64(p->dtb_size, 0x14ce, "dtb_size is totalsize, not file size",
	    file);
	check_str(p->model, "riscv-virtio,qemu", "model", file);
	check_u64(p->nmem, 1, "one memory range", file);
	check_u64(p->mem[0].base, 0x80000000, "memory base", file);
	check_u64(p->mem[0].size, 512 * MiB, "memory size", file);
	check_u64(p->nrsv, 0, "no reservations", file);

	harts_from_fdt(&p->fdt, hs);
	n = match_board(p, devs);
	plic = matched(devs, n, "plic");
	check_u64(hs->timebase_hz, 10000000, "timebase", file);
	check_u64(hs->nharts, 4, "four cpus", file);
	for (h = 0; h < 4; h++) {
		c = harts_find(hs, (uint64_t)h);
		if (!tap_ok(c != NULL, "%s: hart %d present", file, h))
			continue;
		tap_ok(c->enabled && c->usable && c->mmu == HART_MMU_SV48,
		    "%s: hart %d enabled, usable, Sv48", file, h);
		tap_ok(c->has_fpu && c->has_sstc, "%s: hart %d FPU and Sstc",
		    file, h);
		check_u64((uint64_t)s_context(p, hs, plic, (uint64_t)h), 2 * (uint64_t)h + 1,
		    "S context = 2*hart+1", file);
	}

	check_u64(n, 3, "three devices match: PLIC, UART, test device", file);
	uart = matched(devs, n, "uart");
	finisher = matched(devs, n, "sifive_test");
	tap_ok(uart != NULL && strcmp(uart->dv_compat, "ns16550a") == 0 && uart->dv_stdout,
	    "%s: console is NS16550, named by stdout-path", file);
	tap_ok(dev_is(uart, 0x10000000, 0x100, 10), "%s: uart reg, size, irq 10", file);
	tap_ok(plic != NULL && plic->dv_reg[0].base == 0x0c000000 &&
	    plic->dv_reg[0].size == 0x600000 &&
	    fdt_getprop_u32(&p->fdt, plic->dv_node, "riscv,ndev", 0) == QEMU_PLIC_NDEV,
	    "%s: plic base, size, ndev", file);
	tap_ok(dev_is(finisher, 0x100000, 0x1000, 0) &&
	    strcmp(finisher->dv_compat, "sifive,test1") == 0,
	    "%s: test device base, size; its first compatible string matched", file);
	tap_ok(n == 3 && devs[0].dv_node == plic->dv_node && devs[1].dv_node == uart->dv_node &&
	    devs[2].dv_node == finisher->dv_node,
	    "%s: attach order: PLIC, the stdout UART, then the test device", file);

	/* Exactly totalsize readable is enough; one byte less is not. */
	tap_ok(platform_from_fdt(blob, 0x14ce, p) == 0,
	    "%s: maxsize == totalsize accepted", file);
	tap_ok(platform_from_fdt(blob, 0x14cd, p) == EINVAL,
	    "%s: maxsize < totalsize is EINVAL", file);
out:
	free(hs);
	free(p);
	free(blob);
}

/* ---- The synthetic trees. ---- */

static void
test_board_a(const char *dir)
{
	const char *file = "platform-a.dtb";
	struct platform *p = calloc(1, sizeof(*p));
	struct harts *hs = calloc(1, sizeof(*hs));
	struct device devs[TEST_MAX_DEVS];
	const struct device *uart, *plic, *finisher;
	const struct hart *c;
	size_t len;
	uint8_t *blob = host_load_file(dir, file, &len);
	int rc, n;

	rc = platform_from_fdt(blob, len, p);
	if (!tap_ok(rc == 0, "%s: platform_from_fdt succeeds", file)) {
		tap_diag("rc %d", rc);
		goto out;
	}
	tap_ok(strlen(p->model) == sizeof(p->model) - 1 &&
	    strncmp(p->model, "Synthetic test board A", 22) == 0,
	    "%s: long model truncated to fit", file);

	check_u64(p->nmem, 3, "three memory ranges (disabled node skipped)",
	    file);
	tap_ok(p->mem[0].base == 0x80000000 && p->mem[0].size == GiB &&
	    p->mem[1].base == 0x100000000 && p->mem[1].size == GiB &&
	    p->mem[2].base == 0x200000000 && p->mem[2].size == 256 * MiB,
	    "%s: memory ranges, two reg tuples in one node", file);

	check_u64(p->nrsv, 4, "four reservations", file);
	tap_ok(p->rsv[0].base == 0x80000000 && p->rsv[0].size == 0x80000 &&
	    p->rsv[1].base == 0x88000000 && p->rsv[1].size == 0x1000,
	    "%s: /memreserve/ entries", file);
	tap_ok(p->rsv[2].base == 0x80000000 && p->rsv[2].size == 0x40000 &&
	    p->rsv[3].base == 0x9f000000 && p->rsv[3].size == 0x2000,
	    "%s: /reserved-memory regions (no-reg child ignored)", file);

	check_str(p->bootargs, "console=ttyS0 root=/dev/vda rw", "bootargs",
	    file);
	check_u64(p->initrd_start, 0x84000000, "initrd start (32-bit cells)",
	    file);
	check_u64(p->initrd_end, 0x84200000, "initrd end (32-bit cells)", file);

	harts_from_fdt(&p->fdt, hs);
	n = match_board(p, devs);
	plic = matched(devs, n, "plic");
	check_u64(hs->timebase_hz, 1000000, "timebase from a cpu node", file);
	check_u64(hs->nharts, 4, "four cpus", file);
	c = harts_find(hs, 0);
	tap_ok(c != NULL && c->usable && c->mmu == HART_MMU_SV39 &&
	    c->has_fpu && !c->has_sstc && s_context(p, hs, plic, 0) == 1,
	    "%s: hart 0 Sv39, FPU, no Sstc, S context 1", file);
	c = harts_find(hs, 1);
	tap_ok(c != NULL && c->usable && c->mmu == HART_MMU_SV57 &&
	    c->has_fpu && c->has_sstc && s_context(p, hs, plic, 1) == 2,
	    "%s: hart 1 status ok, Sv57 usable, 'g' gives FPU, "
	    "isa-extensions Sstc, S context 2", file);
	c = harts_find(hs, 2);
	tap_ok(c != NULL && c->enabled && !c->usable &&
	    c->mmu == HART_MMU_NONE && !c->has_fpu && c->has_sstc &&
	    s_context(p, hs, plic, 2) == 5,
	    "%s: hart 2 riscv,none not usable, versioned ISA string, "
	    "S context 5", file);
	c = harts_find(hs, 3);
	tap_ok(c != NULL && !c->enabled && !c->usable && c->has_fpu &&
	    c->has_sstc && s_context(p, hs, plic, 3) == 6,
	    "%s: hart 3 status fail, \"rv64imafdcsstc\", S context 6", file);

	check_u64(n, 3, "three devices: disabled and untranslatable UARTs skipped", file);
	uart = matched(devs, n, "uart");
	finisher = matched(devs, n, "sifive_test");
	tap_ok(uart != NULL && strcmp(uart->dv_compat, "snps,dw-apb-uart") == 0 &&
	    !uart->dv_stdout,
	    "%s: the one usable UART is DW APB (stdout-path names a disabled one)", file);
	tap_ok(dev_is(uart, 0x50001000, 0x100, 7) && plic != NULL &&
	    uart->dv_intr[0].ctrl == plic->dv_phandle,
	    "%s: uart base through ranges, size, irq 7 of its interrupt-parent", file);
	tap_ok(plic != NULL && strcmp(plic->dv_compat, "riscv,plic0") == 0 &&
	    plic->dv_reg[0].base == 0x0c000000 &&
	    fdt_getprop_u32(&p->fdt, plic->dv_node, "riscv,ndev", 0) == 53,
	    "%s: plic base (riscv,plic0), ndev", file);
	tap_ok(dev_is(finisher, 0x40003100, 0x10, 0),
	    "%s: test device through two ranges, size", file);
	tap_ok(n == 3 && devs[0].dv_node == plic->dv_node &&
	    devs[1].dv_node == uart->dv_node && devs[2].dv_node == finisher->dv_node,
	    "%s: PLIC first, then tree order (uart before test device)", file);
out:
	free(hs);
	free(p);
	free(blob);
}

static void
test_board_b(const char *dir)
{
	const char *file = "platform-b.dtb";
	struct platform *p = calloc(1, sizeof(*p));
	struct harts *hs = calloc(1, sizeof(*hs));
	struct device devs[TEST_MAX_DEVS];
	const struct device *uart;
	const struct hart *c;
	size_t len;
	uint8_t *blob = host_load_file(dir, file, &len);
	int rc, n;

	rc = platform_from_fdt(blob, len, p);
	if (!tap_ok(rc == 0, "%s: platform_from_fdt succeeds", file)) {
		tap_diag("rc %d", rc);
		goto out;
	}
	tap_ok(p->nmem == 1 && p->mem[0].base == 0x40000000 &&
	    p->mem[0].size == 512 * MiB, "%s: memory with one-cell reg", file);
	check_u64(p->nrsv, 0, "no reservations", file);
	check_str(p->bootargs, "quiet", "bootargs", file);
	check_u64(p->initrd_start, 0x90000000, "initrd start (64-bit cells)",
	    file);
	check_u64(p->initrd_end, 0x90800000, "initrd end (64-bit cells)", file);
	harts_from_fdt(&p->fdt, hs);
	n = match_board(p, devs);
	check_u64(hs->timebase_hz, 25000000, "64-bit timebase", file);
	check_u64(hs->nharts, 1, "one cpu", file);
	c = harts_find(hs, 0x500000000);
	tap_ok(c != NULL && c->usable && c->mmu == HART_MMU_SV48 &&
	    !c->has_fpu && !c->has_sstc && c->intc_phandle == 0 &&
	    matched(devs, n, "plic") == NULL,
	    "%s: two-cell hart id, rv64imac, no intc, no PLIC", file);
	uart = matched(devs, n, "uart");
	tap_ok(n == 2 && uart != NULL && uart->dv_stdout &&
	    strcmp(uart->dv_compat, "ns16550") == 0 && uart->dv_reg[0].base == 0x20000000,
	    "%s: stdout-path alias with options puts serial@20000000 first", file);
	tap_ok(dev_is(uart, 0x20000000, 0x1000, 21) && uart->dv_intr[0].ctrl != 0,
	    "%s: uart size, irq from interrupts-extended", file);
	tap_ok(matched(devs, n, "sifive_test") == NULL, "%s: disabled test device ignored",
	    file);
out:
	free(hs);
	free(p);
	free(blob);
}

static void
test_board_c(const char *dir)
{
	const char *file = "platform-c.dtb";
	struct platform *p = calloc(1, sizeof(*p));
	size_t len;
	uint8_t *blob = host_load_file(dir, file, &len);

	tap_ok(platform_from_fdt(blob, len, p) == ENOSPC,
	    "%s: 33 reservations do not fit: ENOSPC", file);
	free(p);
	free(blob);
}

/* ---- Matching devices to drivers, and attaching them. ---- */

static const char *const a_compat[] = { "test,a", NULL };
static const char *const b_compat[] = { "test,b", NULL };
static const char *const console_compat[] = { "test,console", NULL };
static const char *const intc_compat[] = { "test,intc", NULL };

/* Attach by node name: some decline, some fail, the rest attach. */
static int
scripted_attach(struct device *dev)
{
	record_attach(dev);
	if (strcmp(dev->dv_name, "early@8000") == 0)
		return ENXIO;
	if (strcmp(dev->dv_name, "plain@a000") == 0 ||
	    strcmp(dev->dv_name, "intc@20000000") == 0)
		return EIO;
	return 0;
}

static const struct driver devices_drivers[] = {
	{ "a", a_compat, DRIVER_PASS_DEVICE, scripted_attach },
	{ "b", b_compat, DRIVER_PASS_DEVICE, scripted_attach },
	{ "console", console_compat, DRIVER_PASS_SYSTEM, scripted_attach },
	{ "intc", intc_compat, DRIVER_PASS_INTERRUPT, scripted_attach },
};
/* The same drivers, listed the other way round. */
static const struct driver devices_drivers_rev[] = {
	{ "intc", intc_compat, DRIVER_PASS_INTERRUPT, scripted_attach },
	{ "console", console_compat, DRIVER_PASS_SYSTEM, scripted_attach },
	{ "b", b_compat, DRIVER_PASS_DEVICE, scripted_attach },
	{ "a", a_compat, DRIVER_PASS_DEVICE, scripted_attach },
};

/* One driver in the linker set, for device_attach_all. */
DRIVER(set_member, console_compat, DRIVER_PASS_SYSTEM, scripted_attach);

/* What device_setup_intr passed on to the interrupt controller. */
static uint32_t established_irq;
static int established_calls;

int
intr_establish(uint32_t irq, intr_handler_t *handler, void *arg)
{
	established_irq = irq;
	established_calls++;
	return 0;
}

static void
dummy_handler(void *arg)
{
}

static bool
names_are(const struct device *devs, int n, const char *const *names)
{
	for (int i = 0; i < n; i++)
		if (names[i] == NULL || strcmp(devs[i].dv_name, names[i]) != 0)
			return false;
	return names[n] == NULL;
}

static void
test_device_matching(const char *dtbs)
{
	static const char *const order[] = { "intc@9000", "intc@20000000",
		"console@3000", "early@8000", "both@1000", "plain@a000", NULL };
	static const char *const first3[] = { "intc@9000", "intc@20000000",
		"console@3000", NULL };
	const char *f = "devices.dtb";
	struct platform *p = calloc(1, sizeof(*p));
	struct device devs[TEST_MAX_DEVS], rev[TEST_MAX_DEVS];
	size_t len;
	uint8_t *blob = host_load_file(dtbs, f, &len);
	struct device *both, *con, *early, *plain, *intc1;
	int n;

	if (!tap_ok(platform_from_fdt(blob, len, p) == 0, "%s: parsed", f))
		goto out;
	n = device_match(&p->fdt, devices_drivers, nitems(devices_drivers), devs,
	    TEST_MAX_DEVS);
	tap_ok(n == 6 && names_are(devs, n, order),
	    "%s: interrupt controllers, then the stdout node first in its pass, "
	    "then tree order; disabled, untranslatable and driverless nodes skipped", f);
	tap_ok(device_match(&p->fdt, devices_drivers_rev, nitems(devices_drivers_rev),
	    rev, TEST_MAX_DEVS) == 6 && names_are(rev, 6, order),
	    "%s: the order of the driver table does not matter", f);
	if (n != 6)
		goto out;
	both = &devs[4];
	con = &devs[2];
	early = &devs[3];
	plain = &devs[5];
	intc1 = &devs[1];
	tap_ok(strcmp(both->dv_driver->dr_name, "b") == 0 &&
	    strcmp(both->dv_compat, "test,b") == 0,
	    "%s: the node's first compatible string with a driver decides", f);
	tap_ok(con->dv_stdout && !early->dv_stdout, "%s: stdout-path marks its node", f);
	tap_ok(dev_is(both, 0x10001000, 0x100, 5) && both->dv_nintr == 2 &&
	    both->dv_intr[1].irq == 6 && both->dv_intr[0].ctrl == intc1->dv_phandle &&
	    intc1->dv_phandle != 0,
	    "%s: reg through ranges; two-cell interrupts of the root's interrupt-parent", f);
	tap_ok(con->dv_nreg == DEVICE_MAX_REG && con->dv_reg[3].base == 0x10006000 &&
	    con->dv_nintr == DEVICE_MAX_INTR && con->dv_intr[0].irq == 7 &&
	    con->dv_intr[1].irq == 8 && con->dv_intr[2].irq == 9 &&
	    con->dv_intr[3].irq == 10 && con->dv_intr[3].ctrl == intc1->dv_phandle &&
	    con->dv_intr[1].ctrl == devs[0].dv_phandle,
	    "%s: interrupts-extended across controllers of 1 and 2 cells; "
	    "reg and interrupts capped at %d and %d", f, DEVICE_MAX_REG, DEVICE_MAX_INTR);
	tap_ok(early->dv_nintr == 1 && early->dv_intr[0].irq == 12,
	    "%s: an unknown controller phandle ends the interrupt list", f);
	tap_ok(plain->dv_nintr == 0,
	    "%s: a controller without #interrupt-cells gives no interrupts", f);
	tap_ok(device_match(&p->fdt, devices_drivers, nitems(devices_drivers), rev, 3) == 6 &&
	    names_are(rev, 3, first3),
	    "%s: with room for 3 of 6, the first 3 in attach order are kept", f);
	tap_ok(device_match(&p->fdt, devices_drivers, 0, rev, 3) == 0,
	    "%s: no drivers, no devices", f);

	attach_calls = 0;
	device_attach(devs, n);
	tap_ok(attach_calls == 6 && attach_log[0] == devs[0].dv_node &&
	    attach_log[5] == devs[5].dv_node, "%s: every device offered once, in order", f);
	tap_ok(device_find("intc", 0) == &devs[0] && device_find("intc", 1) == NULL &&
	    device_find("console", 0) == con && device_find("console", 1) == NULL &&
	    device_find("b", 0) == both && device_find("a", 0) == NULL &&
	    con->dv_unit == 0 && both->dv_unit == 0,
	    "%s: device_find sees attached devices only; declined ones take no unit", f);
	tap_ok(device_next(NULL) == &devs[0] && device_next(&devs[0]) == con &&
	    device_next(con) == both && device_next(both) == NULL &&
	    devs[0].dv_order == 0 && con->dv_order == 1 && both->dv_order == 2 &&
	    early->dv_error == ENXIO && plain->dv_error == EIO && plain->dv_order == -1,
	    "%s: device_next walks the attached in attach order", f);
	established_calls = 0;
	tap_ok(device_setup_intr(con, 1, dummy_handler, NULL) == 0 &&
	    established_calls == 1 && established_irq == 8,
	    "%s: an interrupt of an attached controller is established", f);
	tap_ok(device_setup_intr(con, 0, dummy_handler, NULL) == ENODEV &&
	    device_setup_intr(both, 0, dummy_handler, NULL) == ENODEV &&
	    device_setup_intr(con, DEVICE_MAX_INTR, dummy_handler, NULL) == ENOENT &&
	    device_setup_intr(plain, 0, dummy_handler, NULL) == ENOENT &&
	    device_setup_intr(con, -1, dummy_handler, NULL) == ENOENT &&
	    established_calls == 1,
	    "%s: not when the controller failed to attach, nor beyond the list", f);

	attach_calls = 0;
	device_attach_all(&p->fdt);
	tap_ok(attach_calls == 2 && attach_log[0] == con->dv_node &&
	    attach_log[1] == early->dv_node && device_find("set_member", 0) != NULL &&
	    device_find("set_member", 0)->dv_node == con->dv_node &&
	    device_find("console", 0) == NULL,
	    "%s: device_attach_all matches the DRIVER() linker set", f);
	device_attach(NULL, 0);
out:
	free(p);
	free(blob);
}

/* ---- The fdt interface itself. ---- */

static int
count_subtree(const struct fdt *fdt, int node)
{
	int child, n = 1;

	for (child = fdt_first_child(fdt, node); child >= 0;
	    child = fdt_next_sibling(fdt, child))
		n += count_subtree(fdt, child);
	return n;
}

static void
test_fdt_api(const char *fixtures, const char *dtbs)
{
	const char *q = "qemu", *v = "vf2", *a = "platform-a";
	size_t qlen, vlen, alen;
	uint8_t *qb = host_load_file(fixtures, "qemu-virt-smp4-512m.dtb", &qlen);
	uint8_t *vb = host_load_file(fixtures, "jh7110-starfive-visionfive-2-v1.3b.dtb",
	    &vlen);
	uint8_t *ab = host_load_file(dtbs, "platform-a.dtb", &alen);
	struct fdt fq, fv, fa;
	uint64_t addr, size;
	int root, cpus, n, depth, count, ndfs;
	const char *s;
	const void *pv;
	int len;

	tap_ok(fdt_init(&fq, qb, qlen) == 0 && fdt_init(&fv, vb, vlen) == 0 &&
	    fdt_init(&fa, ab, alen) == 0, "fdt_init accepts all fixtures");

	root = fdt_root(&fq);
	tap_ok(root >= 0 && strcmp(fdt_node_name(&fq, root), "") == 0 &&
	    fdt_parent(&fq, root) == -ENOENT && fdt_node_depth(&fq, root) == 0,
	    "%s: root has empty name, no parent, depth 0", q);
	tap_ok(fdt_find_path(&fq, "/") == root, "%s: \"/\" is the root", q);
	cpus = fdt_find_path(&fq, "/cpus");
	n = fdt_find_path(&fq, "/cpus/cpu@2");
	tap_ok(n >= 0 && strcmp(fdt_node_name(&fq, n), "cpu@2") == 0 &&
	    fdt_parent(&fq, n) == cpus && fdt_node_depth(&fq, n) == 2,
	    "%s: /cpus/cpu@2 found, parent /cpus, depth 2", q);
	n = fdt_find_path(&fq, "/cpus/cpu");
	tap_ok(n >= 0 && strcmp(fdt_node_name(&fq, n), "cpu@0") == 0,
	    "%s: a component without unit address matches the first", q);
	tap_ok(fdt_find_path(&fq, "/cpus/cpu@7") == -ENOENT &&
	    fdt_find_path(&fq, "/nope") == -ENOENT &&
	    fdt_find_path(&fq, "") == -ENOENT &&
	    fdt_find_path(&fq, "/soc/serial@1000000") == -ENOENT,
	    "%s: missing paths are -ENOENT", q);
	n = fdt_find_path(&fq, "/soc/serial@10000000:115200");
	tap_ok(n >= 0 && strcmp(fdt_node_name(&fq, n), "serial@10000000") == 0,
	    "%s: ':' ends a path", q);

	for (count = 0, n = fdt_first_child(&fq, cpus); n >= 0;
	    n = fdt_next_sibling(&fq, n))
		count++;
	tap_ok(count == 5, "%s: /cpus has 5 children (4 cpus, cpu-map)", q);
	tap_ok(fdt_first_child(&fq, fdt_find_path(&fq, "/memory")) == -ENOENT,
	    "%s: a leaf has no first child", q);

	for (ndfs = 0, depth = 0, n = root; n >= 0;
	    n = fdt_next_node(&fq, n, &depth))
		ndfs++;
	tap_ok(ndfs == count_subtree(&fq, root) && ndfs > 30,
	    "%s: fdt_next_node visits every node (%d)", q, ndfs);

	for (count = 0, n = fdt_find_compatible(&fq, -ENOENT, "virtio,mmio");
	    n >= 0; n = fdt_find_compatible(&fq, n, "virtio,mmio"))
		count++;
	tap_ok(count == 8, "%s: 8 virtio,mmio nodes", q);
	n = fdt_find_phandle(&fq, 9);
	tap_ok(n >= 0 && strcmp(fdt_node_name(&fq, n), "plic@c000000") == 0,
	    "%s: phandle 9 is the PLIC", q);
	tap_ok(fdt_find_phandle(&fq, 0) == -ENOENT &&
	    fdt_find_phandle(&fq, 0xffffffff) == -ENOENT &&
	    fdt_find_phandle(&fq, 0x4242) == -ENOENT,
	    "%s: invalid or unknown phandles are -ENOENT", q);
	tap_ok(fdt_node_is_compatible(&fq, n, "riscv,plic0") &&
	    fdt_node_is_compatible(&fq, n, "sifive,plic-1.0.0") &&
	    !fdt_node_is_compatible(&fq, n, "riscv"),
	    "%s: compatible is matched as a string list", q);
	tap_ok(fdt_getprop_u32(&fq, n, "riscv,ndev", 0) == 96 &&
	    fdt_getprop_u32(&fq, n, "no-such-prop", 77) == 77 &&
	    fdt_getprop_u32(&fq, n, "compatible", 77) == 77,
	    "%s: fdt_getprop_u32 value and defaults", q);
	pv = fdt_getprop(&fq, n, "interrupt-controller", &len);
	tap_ok(pv != NULL && len == 0, "%s: empty property present, length 0",
	    q);
	tap_ok(fdt_getprop_string(&fq, n, "interrupts-extended") == NULL,
	    "%s: cell data is not a string", q);
	tap_ok(fdt_memreserve(&fq, 0, &addr, &size) == ENOENT,
	    "%s: no /memreserve/ entries", q);
	tap_ok(fdt_node_name(&fq, 1) == NULL &&
	    fdt_node_name(&fq, -1) == NULL &&
	    fdt_first_child(&fq, 0x7ffffff0) < 0 && fdt_parent(&fq, 4) < 0,
	    "%s: bad node offsets are rejected", q);
	tap_ok(!fdt_stringlist_contains("abc", 3, "abc") &&
	    !fdt_stringlist_contains("x\0abc", 5, "abc") &&
	    fdt_stringlist_contains("x\0abc", 6, "abc") &&
	    !fdt_stringlist_contains(NULL, 0, "abc"),
	    "fdt_stringlist_contains needs terminated strings");

	n = fdt_find_path(&fv, "serial0");
	tap_ok(n >= 0 &&
	    strcmp(fdt_node_name(&fv, n), "serial@10000000") == 0 &&
	    n == fdt_find_path(&fv, "serial0:115200n8") &&
	    n == fdt_find_path(&fv, "/soc/serial@10000000"),
	    "%s: alias serial0, with options, and full path agree", v);
	n = fdt_find_path(&fv, "mmc1");
	tap_ok(n >= 0 && strcmp(fdt_node_name(&fv, n), "mmc@16020000") == 0,
	    "%s: alias mmc1", v);
	tap_ok(fdt_find_path(&fv, "nosuchalias") == -ENOENT,
	    "%s: unknown alias is -ENOENT", v);
	s = fdt_getprop_string(&fv, fdt_find_path(&fv, "/chosen"),
	    "stdout-path");
	tap_ok(s != NULL && strcmp(s, "serial0:115200n8") == 0,
	    "%s: /chosen/stdout-path", v);

	tap_ok(fdt_memreserve(&fa, 1, &addr, &size) == 0 &&
	    addr == 0x88000000 && size == 0x1000 &&
	    fdt_memreserve(&fa, 2, &addr, &size) == ENOENT,
	    "%s: fdt_memreserve", a);
	n = fdt_find_path(&fa, "/memory@80000000");
	tap_ok(fdt_reg(&fa, n, 1, &addr, &size) == 0 && addr == 0x100000000 &&
	    size == GiB && fdt_reg(&fa, n, 2, &addr, &size) == ENOENT,
	    "%s: fdt_reg second tuple, then ENOENT", a);
	n = fdt_find_path(&fa, "/soc/bus@40000000/serial@201000");
	tap_ok(fdt_reg(&fa, n, 0, &addr, &size) == 0 && addr == 0x201000 &&
	    fdt_reg_phys(&fa, n, 0, &addr, &size) == 0 && addr == 0x50001000,
	    "%s: fdt_reg is bus-relative, fdt_reg_phys translated", a);
	n = fdt_find_path(&fa, "/hidden-bus/serial@0");
	tap_ok(n >= 0 && fdt_reg_phys(&fa, n, 0, &addr, &size) == ENXIO,
	    "%s: a bus without ranges is not translatable", a);
	n = fdt_find_path(&fa, "/soc/bus@40000000");
	addr = 0x180000;
	tap_ok(n >= 0 && fdt_translate(&fa, fdt_first_child(&fa, n), &addr) ==
	    ENXIO, "%s: an address outside every range is ENXIO", a);

	free(qb);
	free(vb);
	free(ab);
}

/* ---- Malformed blobs. ---- */

#define HDR_TOTALSIZE	4
#define HDR_OFF_STRUCT	8
#define HDR_OFF_STRINGS	12
#define HDR_OFF_RSVMAP	16
#define HDR_VERSION	20
#define HDR_LAST_COMP	24
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT	36

/*
 * Is what the harts and the device layer read from an accepted blob
 * consistent?  Counts within their bounds, every device with a name, a
 * matched compatible string and in-bounds reg and interrupt lists, and
 * PLIC contexts that are entries of the PLIC's list.
 */
static bool
devices_consistent(const struct platform *p)
{
	struct harts *hs = calloc(1, sizeof(*hs));
	struct device devs[TEST_MAX_DEVS];
	int context[HARTS_MAX];
	bool ok;
	int n;

	harts_from_fdt(&p->fdt, hs);
	n = match_board(p, devs);
	ok = hs->nharts >= 0 && hs->nharts <= HARTS_MAX && n >= 0;
	for (int i = 0; ok && i < n && i < TEST_MAX_DEVS; i++) {
		ok = devs[i].dv_name != NULL && devs[i].dv_compat != NULL &&
		    devs[i].dv_nreg <= DEVICE_MAX_REG && devs[i].dv_nintr <= DEVICE_MAX_INTR;
		if (strcmp(devs[i].dv_driver->dr_name, "plic") != 0)
			continue;
		harts_plic_contexts(&p->fdt, devs[i].dv_node, hs, context);
		for (int h = 0; h < HARTS_MAX; h++)
			ok = ok && context[h] >= -1 && (h < hs->nharts || context[h] == -1);
	}
	free(hs);
	return ok;
}

/*
 * Run platform_from_fdt, and the harts and device matching on what it
 * accepts, on an exactly-sized heap copy, so that ASan catches any read
 * past the end.
 */
static int
parse_copy(const uint8_t *blob, size_t len, size_t maxsize)
{
	struct platform *p = calloc(1, sizeof(*p));
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, blob, len);
	rc = platform_from_fdt(copy, maxsize, p);
	if (rc == 0 && (p->nmem > PLAT_MAX_MEM || p->nrsv > PLAT_MAX_RSV ||
	    p->model[sizeof(p->model) - 1] != '\0' ||
	    p->bootargs[sizeof(p->bootargs) - 1] != '\0' || !devices_consistent(p)))
		rc = -1;		/* an accepted but inconsistent result */
	free(copy);
	free(p);
	return rc;
}

static int
header_mutation(const uint8_t *blob, size_t total, int field, uint32_t value)
{
	uint8_t *b = malloc(total);
	int rc;

	memcpy(b, blob, total);
	put_be32(b + field, value);
	rc = parse_copy(b, total, total);
	free(b);
	return rc;
}

static void
test_bad_headers(const char *dir)
{
	const char *file = "qemu-virt-smp4-512m.dtb";
	size_t len;
	uint8_t *blob = host_load_file(dir, file, &len);
	size_t total = get_be32(blob + HDR_TOTALSIZE);
	uint32_t off_struct = get_be32(blob + HDR_OFF_STRUCT);
	struct platform p;

	tap_ok(platform_from_fdt(NULL, 0, &p) == EINVAL &&
	    platform_from_fdt(blob, 0, &p) == EINVAL &&
	    platform_from_fdt(blob, 39, &p) == EINVAL,
	    "NULL and tiny blobs are EINVAL");
	tap_ok(header_mutation(blob, total, 0, 0xedfe0dd0) == EINVAL,
	    "byte-swapped magic is EINVAL");
	tap_ok(header_mutation(blob, total, HDR_VERSION, 15) == EINVAL,
	    "version 15 is EINVAL");
	tap_ok(header_mutation(blob, total, HDR_LAST_COMP, 18) == EINVAL,
	    "last_comp_version 18 is EINVAL");
	tap_ok(header_mutation(blob, total, HDR_TOTALSIZE,
	    (uint32_t)total + 1) == EINVAL,
	    "totalsize beyond maxsize is EINVAL");
	tap_ok(header_mutation(blob, total, HDR_TOTALSIZE,
	    0x80000000) == EINVAL, "huge totalsize is EINVAL");
	tap_ok(header_mutation(blob, total, HDR_OFF_STRUCT, off_struct + 2) ==
	    EINVAL, "misaligned structure block is EINVAL");
	tap_ok(header_mutation(blob, total, HDR_OFF_STRINGS, (uint32_t)total) ==
	    EINVAL, "strings block beyond totalsize is EINVAL");
	tap_ok(header_mutation(blob, total, HDR_SIZE_STRUCT, 0xfffffff0) ==
	    EINVAL, "huge size_dt_struct is EINVAL");
	tap_ok(header_mutation(blob, total, HDR_OFF_RSVMAP, 0x2c) == EINVAL,
	    "misaligned memory reservation block is EINVAL");
	tap_ok(header_mutation(blob, total, HDR_OFF_RSVMAP,
	    off_struct) == EINVAL,
	    "reservation block inside the structure block is EINVAL");
	tap_ok(header_mutation(blob, total, HDR_OFF_STRINGS, off_struct) ==
	    EINVAL, "overlapping structure and strings blocks are EINVAL");
	tap_ok(header_mutation(blob, total, HDR_VERSION, 16) == 0,
	    "version 16 (no size_dt_struct) is still read");
	free(blob);
}

/* Truncate: first with the header untouched, then rewritten to agree. */
static void
test_truncation(const char *dir, const char *file)
{
	size_t len, cut, total, step;
	uint8_t *blob = host_load_file(dir, file, &len);
	uint8_t *b;
	int runs = 0, einval = 0, bad = 0, rc;
	uint32_t off, size;

	total = get_be32(blob + HDR_TOTALSIZE);
	for (cut = 0; cut < total; cut += cut < 512 ? 1 : 37) {
		runs++;
		if (parse_copy(blob, cut, cut) == EINVAL)
			einval++;
	}
	tap_ok(runs > 0 && einval == runs,
	    "%s: %d truncated copies (maxsize < totalsize) are EINVAL",
	    file, runs);

	runs = 0;
	b = malloc(total);
	step = total > 8192 ? 11 : 3;
	for (cut = 40; cut < total; cut += step) {
		memcpy(b, blob, cut);
		put_be32(b + HDR_TOTALSIZE, (uint32_t)cut);
		off = get_be32(b + HDR_OFF_STRUCT);
		size = get_be32(b + HDR_SIZE_STRUCT);
		if (off < cut && size > cut - off)
			put_be32(b + HDR_SIZE_STRUCT, (uint32_t)(cut - off));
		off = get_be32(b + HDR_OFF_STRINGS);
		size = get_be32(b + HDR_SIZE_STRINGS);
		if (off < cut && size > cut - off)
			put_be32(b + HDR_SIZE_STRINGS, (uint32_t)(cut - off));
		rc = parse_copy(b, cut, cut);
		runs++;
		if (rc != 0 && rc != EINVAL)
			bad++;
	}
	free(b);
	tap_ok(runs > 0 && bad == 0,
	    "%s: %d truncations with a consistent header give 0 or EINVAL",
	    file, runs);
	free(blob);
}

/*
 * Mutate single bytes: every 7th byte of the first 4 KiB (header,
 * reservation block, start of the structure block) and of the last 2 KiB
 * (the strings block), and each of the last 16 bytes (the final string's
 * terminator), each with several values.
 */
static void
test_byte_flips(const char *dir, const char *file)
{
	static const int ops[] = { 0x01, 0x80, 0xff, -1 /* zero */ };
	size_t len, total, off, limit;
	uint8_t *blob = host_load_file(dir, file, &len);
	uint8_t *b;
	int runs = 0, ok = 0, einval = 0, bad = 0, rc;
	size_t i;

	total = get_be32(blob + HDR_TOTALSIZE);
	b = malloc(total);
	limit = total < 4096 ? total : 4096;
	for (off = 0; off < total; off++) {
		if (!(off % 7 == 0 && (off < limit || off + 2048 >= total)) &&
		    off + 16 < total)
			continue;
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			memcpy(b, blob, total);
			b[off] = ops[i] < 0 ? 0 : (uint8_t)(b[off] ^ ops[i]);
			rc = parse_copy(b, total, total);
			runs++;
			if (rc == 0)
				ok++;
			else if (rc == EINVAL)
				einval++;
			else
				bad++;
		}
	}
	free(b);
	tap_ok(bad == 0, "%s: %d byte mutations give 0 (%d) or EINVAL (%d)",
	    file, runs, ok, einval);
	free(blob);
}

int
main(int argc, char **argv)
{
	static const char *const real[] = {
		"jh7110-starfive-visionfive-2-v1.3b.dtb",
		"jh7110-starfive-visionfive-2-v1.2a.dtb",
		"qemu-virt-smp4-512m.dtb",
	};
	size_t i;

	if (argc != 3) {
		fprintf(stderr, "usage: test_platform FIXTURE_DIR DTB_DIR\n");
		return 2;
	}
	test_vf2(argv[1], real[0], "StarFive VisionFive 2 v1.3B");
	test_vf2(argv[1], real[1], "StarFive VisionFive 2 v1.2A");
	test_qemu(argv[1]);
	test_board_a(argv[2]);
	test_board_b(argv[2]);
	test_board_c(argv[2]);
	test_device_matching(argv[2]);
	test_fdt_api(argv[1], argv[2]);
	test_bad_headers(argv[1]);
	for (i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
		test_truncation(argv[1], real[i]);
		test_byte_flips(argv[1], real[i]);
	}
	test_truncation(argv[2], "platform-a.dtb");
	test_byte_flips(argv[2], "platform-a.dtb");
	test_byte_flips(argv[2], "platform-b.dtb");
	test_byte_flips(argv[2], "devices.dtb");
	return tap_done();
}
