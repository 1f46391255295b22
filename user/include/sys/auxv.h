/* sys/auxv.h: the auxiliary vector the kernel passed at exec. */
#ifndef _SYS_AUXV_H
#define _SYS_AUXV_H

#include <uapi/auxvec.h>

/* The value of entry type, or 0 (errno ENOENT) if the vector has none. */
unsigned long getauxval(unsigned long type);

/* The finalizer a dynamic loader passed at entry (a0), or NULL. */
extern void (*__libc_fini)(void);

#endif
