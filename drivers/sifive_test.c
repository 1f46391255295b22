/*
 * The "sifive,test" finisher device (QEMU virt): writing 0x5555 powers
 * off with exit status 0; (code << 16) | 0x3333 powers off and QEMU exits
 * with status code.
 */
#include <kern/systm.h>
#include <kern/device.h>
#include <kern/reboot.h>
#include <machine/param.h>
#include <vm/kmem.h>

#define FINISHER_PASS	0x5555
#define FINISHER_FAIL	0x3333
#define FINISHER_CODE_MAX 0xffff

static volatile uint32_t *finisher;	/* (C) after attach */

static void
finisher_poweroff(void *arg __unused, int status)
{
	if (status == 0)
		*finisher = FINISHER_PASS;
	else
		*finisher = ((uint32_t)(status & FINISHER_CODE_MAX) << 16) | FINISHER_FAIL;
}

static const struct poweroff_dev finisher_dev = {
	.name = "sifive,test",
	.poweroff = finisher_poweroff,
};

/* The first finisher in the tree powers the machine off. */
static int
sifive_test_attach(struct device *dev)
{
	if (finisher != NULL)
		return ENXIO;
	if (dev->dv_nreg == 0)
		return ENODEV;
	finisher = kmem_mapdev(dev->dv_reg[0].base, MAX(dev->dv_reg[0].size, (uint64_t)PAGE_SIZE));
	if (finisher == NULL)
		return ENOMEM;
	poweroff_register(&finisher_dev);
	return 0;
}

static const char *const sifive_test_compat[] = { "sifive,test1", "sifive,test0", NULL };
DRIVER(sifive_test, sifive_test_compat, DRIVER_PASS_SYSTEM, sifive_test_attach);
