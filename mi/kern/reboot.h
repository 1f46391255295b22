/*
 * Powering the machine off with a status that reaches whoever started it
 * (QEMU's exit status through the sifive,test device).
 */
#ifndef _KERN_REBOOT_H_
#define _KERN_REBOOT_H_

#include <kern/types.h>

#define POWEROFF_SUCCESS	0
#define POWEROFF_TESTS_FAILED	1
#define POWEROFF_PANIC		2

struct poweroff_dev {
	const char	*name;
	void		(*poweroff)(void *arg, int status);	/* returns only on failure */
	void		*arg;
};

void poweroff_register(const struct poweroff_dev *dev);
void machine_poweroff(int status) __attribute__((noreturn));

#endif
