/* syscall_impl.h: shorthands for the wrappers (private to the library). */
#ifndef _SYSCALL_IMPL_H
#define _SYSCALL_IMPL_H

#include <sys/syscall.h>

long __syscall_ret(long r);

/*
 * The trap, inline, as musl and glibc make it: the number in a7, only the
 * argument registers the call takes loaded (a0..a5), the result in a0.
 * The kernel reads no argument a call does not take (Linux does not
 * either), so the others may hold anything.
 */
#define __SC_REGS0(n)	register long __a7 __asm__("a7") = (n); \
			register long __a0 __asm__("a0")
#define __SC_ECALL(...)	__asm__ volatile("ecall" : "+r"(__a0) : "r"(__a7) __VA_ARGS__ : "memory")

static inline long
__sc0(long n)
{
	__SC_REGS0(n);

	__asm__ volatile("ecall" : "=r"(__a0) : "r"(__a7) : "memory");
	return __a0;
}

static inline long
__sc1(long n, long a)
{
	__SC_REGS0(n) = a;

	__SC_ECALL();
	return __a0;
}

static inline long
__sc2(long n, long a, long b)
{
	__SC_REGS0(n) = a;
	register long __a1 __asm__("a1") = b;

	__SC_ECALL(, "r"(__a1));
	return __a0;
}

static inline long
__sc3(long n, long a, long b, long c)
{
	__SC_REGS0(n) = a;
	register long __a1 __asm__("a1") = b;
	register long __a2 __asm__("a2") = c;

	__SC_ECALL(, "r"(__a1), "r"(__a2));
	return __a0;
}

static inline long
__sc6(long n, long a, long b, long c, long d, long e, long f)
{
	__SC_REGS0(n) = a;
	register long __a1 __asm__("a1") = b;
	register long __a2 __asm__("a2") = c;
	register long __a3 __asm__("a3") = d;
	register long __a4 __asm__("a4") = e;
	register long __a5 __asm__("a5") = f;

	__SC_ECALL(, "r"(__a1), "r"(__a2), "r"(__a3), "r"(__a4), "r"(__a5));
	return __a0;
}

#define SC0(n)			__sc0(n)
#define SC1(n, a)		__sc1(n, (long)(a))
#define SC2(n, a, b)		__sc2(n, (long)(a), (long)(b))
#define SC3(n, a, b, c)		__sc3(n, (long)(a), (long)(b), (long)(c))
/* Four to six arguments: every register loaded (zero if unused), as before. */
#define SC4(n, a, b, c, d)	__sc6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define SC5(n, a, b, c, d, e)	__sc6(n, (long)(a), (long)(b), (long)(c), (long)(d), \
				    (long)(e), 0)
#define SC6(n, a, b, c, d, e, f) __sc6(n, (long)(a), (long)(b), (long)(c), (long)(d), \
				    (long)(e), (long)(f))

/* The same, with errno set and -1 returned on failure. */
#define RET(x)			__syscall_ret(x)

#endif
