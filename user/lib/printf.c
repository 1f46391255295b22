/*
 * printf.c: the printf family on top of the shared printf engine
 * (common/format.c).
 *
 * Output goes into a buffer that is either the caller's (snprintf: excess
 * is counted and dropped) or a local one flushed to a file descriptor
 * when full (printf: no state survives the call).
 */
#include <stdio.h>
#include <unistd.h>
#include <common/common.h>

struct out {
	struct format_sink sink;	/* first: the engine's view */
	char *buf;
	size_t size;		/* capacity of buf */
	size_t len;		/* bytes held in buf */
	size_t total;		/* bytes produced, stored or not */
	int fd;			/* >= 0: flush buf to this descriptor */
};

static FILE files[3] = { { 0 }, { 1 }, { 2 } };
FILE *stdin = &files[0];
FILE *stdout = &files[1];
FILE *stderr = &files[2];

static void
out_flush(struct out *o)
{
	size_t off = 0;
	ssize_t n;

	while (o->fd >= 0 && off < o->len) {
		n = write(o->fd, o->buf + off, o->len - off);
		if (n <= 0)
			break;
		off += n;
	}
	o->len = 0;
}

static void
out_put(struct format_sink *sink, char c)
{
	struct out *o = (struct out *)sink;

	if (o->fd >= 0 && o->len == o->size)
		out_flush(o);
	if (o->len < o->size)
		o->buf[o->len++] = c;
	o->total++;
}

int
vdprintf(int fd, const char *fmt, va_list ap)
{
	char buf[512];
	struct out o = { { out_put }, buf, sizeof(buf), 0, 0, fd };

	format(&o.sink, fmt, ap);
	out_flush(&o);
	return (int)o.total;
}

int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { { out_put }, buf, size > 0 ? size - 1 : 0, 0, 0, -1 };

	format(&o.sink, fmt, ap);
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
