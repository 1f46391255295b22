/* errno.c: errno and the conversion of raw kernel results. */
#include <errno.h>
#include <stdarg.h>
#include <sys/syscall.h>

int errno;

long __syscall_ret(long r);

/* Kernel results in [-4095, -1] are -errno: set errno, return -1. */
long
__syscall_ret(long r)
{
	if ((unsigned long)r >= (unsigned long)-MAX_ERRNO) {
		errno = (int)-r;
		return -1;
	}
	return r;
}

long
syscall(long n, ...)
{
	va_list ap;
	long a, b, c, d, e, f;

	va_start(ap, n);
	a = va_arg(ap, long);
	b = va_arg(ap, long);
	c = va_arg(ap, long);
	d = va_arg(ap, long);
	e = va_arg(ap, long);
	f = va_arg(ap, long);
	va_end(ap);
	return __syscall_ret(__syscall6(n, a, b, c, d, e, f));
}
