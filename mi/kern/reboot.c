/*
 * machine_poweroff: the registered power-off device if there is one,
 * then the machine-dependent fallback (firmware), then a halt.
 */
#include <kern/systm.h>
#include <kern/reboot.h>
#include <machine/cpu.h>

static const struct poweroff_dev *poweroff_dev;

void
poweroff_register(const struct poweroff_dev *dev)
{
	poweroff_dev = dev;
}

void
machine_poweroff(int status)
{
	if (poweroff_dev != NULL)
		poweroff_dev->poweroff(poweroff_dev->arg, status);
	cpu_poweroff_firmware(status);
	cpu_halt();
}
