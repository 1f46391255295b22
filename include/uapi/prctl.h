/*
 * prctl(2) options (Linux linux/prctl.h), the few Sable answers.  Shared
 * by the kernel and the user C library.
 */
#ifndef _UAPI_PRCTL_H
#define _UAPI_PRCTL_H

#define PR_SET_NAME	15		/* the thread's name: 16 bytes with the NUL */
#define PR_GET_NAME	16

#endif
