/* errno.h: error numbers (the kernel's own, uapi/errno.h). */
#ifndef _ERRNO_H
#define _ERRNO_H

#include <uapi/errno.h>

extern int errno;

#endif
