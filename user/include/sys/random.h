/* sys/random.h: getrandom(2) (uapi/random.h). */
#ifndef _SYS_RANDOM_H
#define _SYS_RANDOM_H

#include <sys/types.h>
#include <uapi/random.h>

ssize_t getrandom(void *buf, size_t len, unsigned int flags);

#endif
