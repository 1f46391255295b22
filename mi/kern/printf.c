/*
 * printf and friends for the kernel: the shared printf engine
 * (common/format.c) writing into a buffer (snprintf) or to the console.
 */
#include <kern/systm.h>
#include <kern/cons.h>

struct sink {
	struct format_sink fs;	/* first: the engine's view */
	char	*buf;
	size_t	len;		/* characters produced */
	size_t	cap;
};

static void
put_buffer(struct format_sink *fs, char c)
{
	struct sink *s = (struct sink *)fs;

	if (s->len + 1 < s->cap)
		s->buf[s->len] = c;
	s->len++;
}

int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { { put_buffer }, buf, 0, size };

	format(&s.fs, fmt, ap);
	if (size > 0)
		buf[MIN(s.len, size - 1)] = '\0';
	return (int)s.len;
}

/* Console output is batched so one printf's line is written in one piece. */
#define PRINTF_CHUNK	256

static void
put_console(struct format_sink *fs, char c)
{
	struct sink *s = (struct sink *)fs;

	s->buf[s->len++ % PRINTF_CHUNK] = c;
	if (s->len % PRINTF_CHUNK == 0)
		cons_write(s->buf, PRINTF_CHUNK);
}

int
vprintf(const char *fmt, va_list ap)
{
	char chunk[PRINTF_CHUNK];
	struct sink s = { { put_console }, chunk, 0, PRINTF_CHUNK };

	format(&s.fs, fmt, ap);
	if (s.len % PRINTF_CHUNK)
		cons_write(chunk, s.len % PRINTF_CHUNK);
	return (int)s.len;
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}
