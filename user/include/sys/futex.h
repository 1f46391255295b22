/* sys/futex.h: the futex call and its operations (uapi/futex.h). */
#ifndef _SYS_FUTEX_H
#define _SYS_FUTEX_H

#include <stdint.h>
#include <time.h>
#include <uapi/futex.h>

/* futex(2): the call's result, or -1 with errno set. */
long futex(uint32_t *uaddr, int op, uint32_t val,
    const struct timespec *timeout, uint32_t *uaddr2, uint32_t val3);

#endif
