/* sys/sysinfo.h: sysinfo(2) (uapi/sysinfo.h). */
#ifndef _SYS_SYSINFO_H
#define _SYS_SYSINFO_H

#include <uapi/sysinfo.h>

int sysinfo(struct sysinfo *info);

#endif
