/* getrandom(2) flags (Linux linux/random.h).  Shared by the kernel and the user C library. */
#ifndef _UAPI_RANDOM_H
#define _UAPI_RANDOM_H

#define GRND_NONBLOCK	1
#define GRND_RANDOM	2

#endif
