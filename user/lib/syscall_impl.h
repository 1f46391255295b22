/* syscall_impl.h: shorthands for the wrappers (private to the library). */
#ifndef _SYSCALL_IMPL_H
#define _SYSCALL_IMPL_H

#include <sys/syscall.h>

long __syscall_ret(long r);

#define SC0(n)			__syscall6(n, 0, 0, 0, 0, 0, 0)
#define SC1(n, a)		__syscall6(n, (long)(a), 0, 0, 0, 0, 0)
#define SC2(n, a, b)		__syscall6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define SC3(n, a, b, c)		__syscall6(n, (long)(a), (long)(b), \
				    (long)(c), 0, 0, 0)
#define SC4(n, a, b, c, d)	__syscall6(n, (long)(a), (long)(b), \
				    (long)(c), (long)(d), 0, 0)
#define SC5(n, a, b, c, d, e)	__syscall6(n, (long)(a), (long)(b), \
				    (long)(c), (long)(d), (long)(e), 0)
#define SC6(n, a, b, c, d, e, f) __syscall6(n, (long)(a), (long)(b), \
				    (long)(c), (long)(d), (long)(e), (long)(f))

/* The same, with errno set and -1 returned on failure. */
#define RET(x)			__syscall_ret(x)

#endif
