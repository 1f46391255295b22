/*
 * Powering off: machine_poweroff tries the registered power-off device if
 * there is one, then the machine-dependent fallback (firmware), then
 * halts; reboot(2) is how a process asks for it.
 */
#include <kern/systm.h>
#include <kern/proc.h>
#include <kern/reboot.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <fs/mount.h>
#include <uapi/reboot.h>

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

/* reboot(magic1, magic2, cmd, arg) */
SYSCALL(reboot)
{
	if ((uint32_t)a[0] != LINUX_REBOOT_MAGIC1 || (uint32_t)a[1] != LINUX_REBOOT_MAGIC2)
		return -EINVAL;
	if (td->td_proc->p_uid != 0)
		return -EPERM;
	switch ((uint32_t)a[2]) {
	case LINUX_REBOOT_CMD_POWER_OFF:
	case LINUX_REBOOT_CMD_HALT:
	case LINUX_REBOOT_CMD_RESTART:
		/* Disks are written and left clean first (Linux leaves that to user space). */
		vfs_shutdown();
		/* Linux's words; a restart powers off too: the machines here are reset by hand. */
		printf("reboot: %s\n", (uint32_t)a[2] == LINUX_REBOOT_CMD_HALT ? "System halted" :
		    "Power down");
		machine_poweroff(POWEROFF_SUCCESS);
	default:
		return -EINVAL;
	}
}
