/* printf.c: the printf family on top of the format engine. */
#include <stdio.h>
#include "format.h"

static FILE files[3] = { { 0 }, { 1 }, { 2 } };
FILE *stdin = &files[0];
FILE *stdout = &files[1];
FILE *stderr = &files[2];

int
vdprintf(int fd, const char *fmt, va_list ap)
{
	char buf[512];
	struct out o = { buf, sizeof(buf), 0, 0, fd };

	out_format(&o, fmt, ap);
	out_flush(&o);
	return (int)o.total;
}

int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size > 0 ? size - 1 : 0, 0, 0, -1 };

	out_format(&o, fmt, ap);
	if (size > 0)
		buf[o.len] = '\0';
	return (int)o.total;
}

int
vfprintf(FILE *f, const char *fmt, va_list ap)
{
	return vdprintf(f->fd, fmt, ap);
}

int
vprintf(const char *fmt, va_list ap)
{
	return vdprintf(1, fmt, ap);
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vdprintf(1, fmt, ap);
	va_end(ap);
	return n;
}

int
fprintf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vdprintf(f->fd, fmt, ap);
	va_end(ap);
	return n;
}

int
dprintf(int fd, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vdprintf(fd, fmt, ap);
	va_end(ap);
	return n;
}

int
snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
