/* sys/reboot.h: reboot(2) commands (uapi/reboot.h) under their C library names. */
#ifndef _SYS_REBOOT_H
#define _SYS_REBOOT_H

#include <uapi/reboot.h>

#define RB_AUTOBOOT	LINUX_REBOOT_CMD_RESTART
#define RB_HALT_SYSTEM	LINUX_REBOOT_CMD_HALT
#define RB_POWER_OFF	LINUX_REBOOT_CMD_POWER_OFF

/* Passes both magic numbers and cmd to the kernel. */
int reboot(int cmd);

#endif
