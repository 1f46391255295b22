/*
 * printf and friends for the kernel: the formats the kernel uses
 * (%d %i %u %x %X %o %c %s %p %%, flags - 0 + space #, width, precision,
 * and the h, hh, l, ll, z, j, t length modifiers).  No floating point.
 */
#include <kern/systm.h>
#include <kern/cons.h>

struct sink {
	void	(*put)(struct sink *s, char c);
	char	*buf;
	size_t	len;		/* characters produced */
	size_t	cap;
};

static void
put_padding(struct sink *s, char c, int n)
{
	while (n-- > 0)
		s->put(s, c);
}

static void
put_string(struct sink *s, const char *str, int width, int prec, bool left)
{
	int n = (int)strnlen(str, prec >= 0 ? (size_t)prec : SIZE_MAX);

	if (!left)
		put_padding(s, ' ', width - n);
	for (int i = 0; i < n; i++)
		s->put(s, str[i]);
	if (left)
		put_padding(s, ' ', width - n);
}

struct numfmt {
	int	base;
	bool	upper, left, zero, plus, space, alt;
	int	width, prec;
};

static void
put_number(struct sink *s, uint64_t v, bool negative, const struct numfmt *f)
{
	const char *digits = f->upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24], sign = 0;
	const char *prefix = "";
	int n = 0, zeros, pad;

	do {
		tmp[n++] = digits[v % f->base];
		v /= f->base;
	} while (v != 0);
	if (f->prec == 0 && n == 1 && tmp[0] == '0')
		n = 0;
	if (negative)
		sign = '-';
	else if (f->plus)
		sign = '+';
	else if (f->space)
		sign = ' ';
	if (f->alt && f->base == 16)
		prefix = f->upper ? "0X" : "0x";
	zeros = f->prec > n ? f->prec - n : 0;
	pad = f->width - n - zeros - (sign != 0) - (int)strlen(prefix);
	if (f->zero && !f->left && f->prec < 0) {
		zeros += pad > 0 ? pad : 0;
		pad = 0;
	}
	if (!f->left)
		put_padding(s, ' ', pad);
	if (sign)
		s->put(s, sign);
	for (const char *p = prefix; *p; p++)
		s->put(s, *p);
	put_padding(s, '0', zeros);
	while (n > 0)
		s->put(s, tmp[--n]);
	if (f->left)
		put_padding(s, ' ', pad);
}

static int
parse_int(const char **fmt, va_list *ap)
{
	int v = 0;

	if (**fmt == '*') {
		(*fmt)++;
		return va_arg(*ap, int);
	}
	while (**fmt >= '0' && **fmt <= '9')
		v = v * 10 + (*(*fmt)++ - '0');
	return v;
}

static void
format(struct sink *s, const char *fmt, va_list ap0)
{
	va_list ap;

	va_copy(ap, ap0);
	for (; *fmt; fmt++) {
		struct numfmt f = { .prec = -1 };
		int lng = 0;
		uint64_t u;
		int64_t d;

		if (*fmt != '%') {
			s->put(s, *fmt);
			continue;
		}
		for (fmt++;; fmt++) {
			if (*fmt == '-') f.left = true;
			else if (*fmt == '0') f.zero = true;
			else if (*fmt == '+') f.plus = true;
			else if (*fmt == ' ') f.space = true;
			else if (*fmt == '#') f.alt = true;
			else break;
		}
		f.width = parse_int(&fmt, &ap);
		if (f.width < 0) {
			f.left = true;
			f.width = -f.width;
		}
		if (*fmt == '.') {
			fmt++;
			f.prec = parse_int(&fmt, &ap);
		}
		for (;; fmt++) {
			if (*fmt == 'l' || *fmt == 'z' || *fmt == 'j' || *fmt == 't')
				lng = 1;
			else if (*fmt != 'h')
				break;
		}
		switch (*fmt) {
		case 'd':
		case 'i':
			d = lng ? va_arg(ap, int64_t) : va_arg(ap, int);
			f.base = 10;
			put_number(s, d < 0 ? -(uint64_t)d : (uint64_t)d, d < 0, &f);
			break;
		case 'u': case 'x': case 'X': case 'o':
			u = lng ? va_arg(ap, uint64_t) : va_arg(ap, unsigned int);
			f.base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
			f.upper = *fmt == 'X';
			put_number(s, u, false, &f);
			break;
		case 'p':
			f.base = 16;
			f.alt = true;
			put_number(s, (uint64_t)va_arg(ap, void *), false, &f);
			break;
		case 'c':
			s->put(s, (char)va_arg(ap, int));
			break;
		case 's': {
			const char *str = va_arg(ap, const char *);

			put_string(s, str ? str : "(null)", f.width, f.prec, f.left);
			break;
		}
		case '%':
			s->put(s, '%');
			break;
		case '\0':
			fmt--;
			break;
		default:
			s->put(s, '%');
			s->put(s, *fmt);
			break;
		}
	}
	va_end(ap);
}

static void
put_buffer(struct sink *s, char c)
{
	if (s->len + 1 < s->cap)
		s->buf[s->len] = c;
	s->len++;
}

int
vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink s = { put_buffer, buf, 0, size };

	format(&s, fmt, ap);
	if (size > 0)
		buf[MIN(s.len, size - 1)] = '\0';
	return (int)s.len;
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

/* Console output is batched so one printf's line is written in one piece. */
#define PRINTF_CHUNK	256

static void
put_console(struct sink *s, char c)
{
	s->buf[s->len++ % PRINTF_CHUNK] = c;
	if (s->len % PRINTF_CHUNK == 0)
		cons_write(s->buf, PRINTF_CHUNK);
}

int
vprintf(const char *fmt, va_list ap)
{
	char chunk[PRINTF_CHUNK];
	struct sink s = { put_console, chunk, 0, PRINTF_CHUNK };

	format(&s, fmt, ap);
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
