/*
 * System identification: uname(2).
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/syscall.h>
#include <machine/machdep.h>
#include <uapi/utsname.h>

#define UTSNAME_FIELDS		6	/* sysname nodename release version machine domainname */

/* uname: our own name, and the Linux ABI level we implement. */
SYSCALL(uname)
{
	static const char fields[UTSNAME_FIELDS][UTSNAME_LEN] = {
		"Sable", "sable", "5.15.0-sable", "#1 SMP", MACHINE_ARCH, "(none)",
	};

	return copyout(fields, (void *)a[0], sizeof(fields)) ? -EFAULT : 0;
}
