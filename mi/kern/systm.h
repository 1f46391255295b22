/*
 * The kernel's everyday helpers: console output, panic, assertions,
 * string and memory functions, arithmetic helpers.
 */
#ifndef _KERN_SYSTM_H_
#define _KERN_SYSTM_H_

#include <stdarg.h>
#include <common/common.h>	/* memcpy, memset, string functions, the printf engine */
#include <kern/types.h>
#include <kern/errno.h>

#define __unused	__attribute__((unused))
#define __noreturn	__attribute__((noreturn))
#define __noinline	__attribute__((noinline))	/* keep a rare path out of its caller */
#ifndef __always_inline		/* the host's headers have it too */
#define __always_inline	inline __attribute__((always_inline))
#endif
#define __printflike(f, a) __attribute__((format(__printf__, f, a)))	/* survives -Dprintf= */
#define __aligned(n)	__attribute__((aligned(n)))
#define __packed	__attribute__((packed))
#define __predict_true(x)	__builtin_expect(!!(x), 1)
#define __predict_false(x)	__builtin_expect(!!(x), 0)

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)	((a) < (b) ? (a) : (b))
#define MAX(a, b)	((a) > (b) ? (a) : (b))
#define howmany(x, y)	(((x) + ((y) - 1)) / (y))
#define roundup2(x, y)	(((x) + ((y) - 1)) & ~((__typeof__(x))(y) - 1))
#define rounddown2(x, y) ((x) & ~((__typeof__(x))(y) - 1))
#define powerof2(x)	((((x) - 1) & (x)) == 0)

int printf(const char *fmt, ...) __printflike(1, 2);
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printflike(3, 4);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
void panic(const char *fmt, ...) __printflike(1, 2) __noreturn;

/*
 * KASSERT(cond, (fmt, args...)): an invariant.  Compiled in unless the
 * kernel is built with -DNO_INVARIANTS.
 */
#ifndef NO_INVARIANTS
#define KASSERT(cond, msg) do {						\
	if (__predict_false(!(cond)))					\
		kassert_panic msg;					\
} while (0)
#else
#define KASSERT(cond, msg) do { } while (0)
#endif
void kassert_panic(const char *fmt, ...) __printflike(1, 2) __noreturn;

/* Overflow-checked arithmetic: true when the result does not fit. */
#define add_overflows(a, b, res)	__builtin_add_overflow(a, b, res)
#define mul_overflows(a, b, res)	__builtin_mul_overflow(a, b, res)

/* strtoul(3) without errno (libkern.c); too large a value gives ULONG_MAX. */
unsigned long strtoul(const char *s, char **end, int base);

#endif
