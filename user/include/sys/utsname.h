/* sys/utsname.h: system identification (uapi/utsname.h: six 65-byte fields). */
#ifndef _SYS_UTSNAME_H
#define _SYS_UTSNAME_H

#include <uapi/utsname.h>

int uname(struct utsname *u);

#endif
