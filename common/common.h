/*
 * The C library functions the kernel and the user C library share (after
 * NetBSD's common/lib/libc): one source in common/, compiled once for
 * each side, so both have the same semantics.  Each side declares these
 * again in its own headers (kern/systm.h; string.h, stdlib.h, stdio.h);
 * the sources here include only the compiler's freestanding headers.
 */
#ifndef _COMMON_COMMON_H_
#define _COMMON_COMMON_H_

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* mem.c: word at a time where alignment allows (page zeroing and copying are hot). */
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* string.c */
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* strlcpy.c: copy src into dst (size bytes), always NUL-terminated; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

/*
 * strtoul.c: the number parser behind strtoul and strtol.  Skips white
 * space, reads an optional sign and, for base 0 or 16, a "0x" prefix
 * (base 0 with a leading 0: octal); *end is past the last digit (s
 * itself if there was none).  Returns the magnitude and sets *negative;
 * a value that does not fit sets *overflow and returns ULONG_MAX.
 */
unsigned long strtoul_parse(const char *s, char **end, int base, bool *negative,
    bool *overflow);
/* c's value as a digit in bases up to 36 (0-9, then a-z or A-Z); 99 if it is none. */
int digit_value(char c);

/*
 * format.c: the printf engine, writing through a sink.  Formats: %d %i
 * %u %x %X %o %c %s %p %%, flags - 0 + space #, width and precision
 * (numbers or *), length modifiers h hh l ll z j t.  No floating point.
 * A side embeds struct format_sink first in its own sink.
 */
struct format_sink {
	void	(*put)(struct format_sink *sink, char c);
};
void format(struct format_sink *sink, const char *fmt, va_list ap);
/* snprintf (format.c) on each side's vsnprintf. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(__printf__, 3, 4)));

#endif
