/*
 * The "sifive,test" finisher device (QEMU virt): writing 0x5555 powers
 * off with exit status 0; (code << 16) | 0x3333 powers off and QEMU exits
 * with status code.  Found through the device tree.
 */
#include <kern/systm.h>
#include <kern/reboot.h>
#include <machine/param.h>
#include <vm/kmem.h>
#include "sifive_test.h"

#define FINISHER_PASS	0x5555
#define FINISHER_FAIL	0x3333
#define FINISHER_CODE_MAX 0xffff

static volatile uint32_t *finisher;

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

int
sifive_test_attach(paddr_t base, uint64_t size)
{
	if (base == 0)
		return ENODEV;
	finisher = kmem_mapdev(base, MAX(size, (uint64_t)PAGE_SIZE));
	if (finisher == NULL)
		return ENOMEM;
	poweroff_register(&finisher_dev);
	return 0;
}
