/* reboot(2)'s magic numbers and commands (Linux linux/reboot.h).  Shared by the kernel and the user C library. */
#ifndef _UAPI_REBOOT_H
#define _UAPI_REBOOT_H

#define LINUX_REBOOT_MAGIC1		0xfee1deadU
#define LINUX_REBOOT_MAGIC2		672274793U
#define LINUX_REBOOT_CMD_RESTART	0x01234567U
#define LINUX_REBOOT_CMD_HALT		0xcdef0123U
#define LINUX_REBOOT_CMD_POWER_OFF	0x4321fedcU

#endif
