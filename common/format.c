/*
 * The printf engine for the kernel and the C library: it parses the
 * format and hands each output character to a sink (see common.h), so
 * each side decides where characters go (a buffer, the console, a file
 * descriptor) and keeps no state between calls.  snprintf is the same on
 * both sides, on each side's vsnprintf.
 */
#include <stdint.h>
#include "common.h"

#define F_LEFT	0x01	/* '-' */
#define F_ZERO	0x02	/* '0' */
#define F_PLUS	0x04	/* '+' */
#define F_SPACE	0x08	/* ' ' */
#define F_ALT	0x10	/* '#' */

struct spec {
	int flags;
	int width;
	int prec;		/* -1: none */
};

static void
pad(struct format_sink *o, char c, int n)
{
	while (n-- > 0)
		o->put(o, c);
}

static void
put_str(struct format_sink *o, const char *s, const struct spec *sp)
{
	int n, i;

	if (s == NULL)
		s = "(null)";
	n = (int)strnlen(s, sp->prec >= 0 ? (size_t)sp->prec : SIZE_MAX);
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', sp->width - n);
	for (i = 0; i < n; i++)
		o->put(o, s[i]);
	if (sp->flags & F_LEFT)
		pad(o, ' ', sp->width - n);
}

/* Prints v in base with an optional sign or "0x" prefix, honouring sp. */
static void
put_num(struct format_sink *o, unsigned long v, int base, int upper, const char *prefix,
    const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, zeros, plen = (int)strlen(prefix), width;

	do {
		tmp[n++] = digits[v % (unsigned long)base];
		v /= (unsigned long)base;
	} while (v != 0);
	if (sp->prec == 0 && n == 1 && tmp[0] == '0')
		n = 0;		/* "%.0d" of 0 prints nothing */
	zeros = sp->prec > n ? sp->prec - n : 0;
	width = sp->width - plen - zeros - n;
	if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->prec < 0) {
		zeros += width > 0 ? width : 0;
		width = 0;
	}
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', width);
	while (*prefix != '\0')
		o->put(o, *prefix++);
	pad(o, '0', zeros);
	while (n > 0)
		o->put(o, tmp[--n]);
	if (sp->flags & F_LEFT)
		pad(o, ' ', width);
}

/* The '#' prefix: "0x" or "0X" for nonzero hex, "0" for octal. */
static const char *
alt_prefix(char conv, unsigned long v, const struct spec *sp)
{
	if (!(sp->flags & F_ALT) || v == 0)
		return "";
	if (conv == 'x')
		return "0x";
	if (conv == 'X')
		return "0X";
	return conv == 'o' ? "0" : "";
}

static const char *
parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	sp->flags = 0;
	sp->width = 0;
	sp->prec = -1;
	for (;; f++) {
		if (*f == '-')
			sp->flags |= F_LEFT;
		else if (*f == '0')
			sp->flags |= F_ZERO;
		else if (*f == '+')
			sp->flags |= F_PLUS;
		else if (*f == ' ')
			sp->flags |= F_SPACE;
		else if (*f == '#')
			sp->flags |= F_ALT;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->flags |= F_LEFT;
			sp->width = -sp->width;
		}
		f++;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		sp->width = sp->width * 10 + (*f - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		for (; *f >= '0' && *f <= '9'; f++)
			sp->prec = sp->prec * 10 + (*f - '0');
	}
	return f;
}

void
format(struct format_sink *o, const char *f, va_list ap0)
{
	struct spec sp;
	va_list ap;
	int lng;
	long sv;
	unsigned long uv;
	char c;

	va_copy(ap, ap0);
	for (; *f != '\0'; f++) {
		if (*f != '%') {
			o->put(o, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp, &ap);
		lng = 0;
		while (*f == 'l' || *f == 'z' || *f == 'h' || *f == 't' || *f == 'j') {
			if (*f != 'h')
				lng = 1;
			f++;
		}
		switch (*f) {
		case 'd':
		case 'i':
			sv = lng ? va_arg(ap, long) : va_arg(ap, int);
			uv = sv < 0 ? 0UL - (unsigned long)sv : (unsigned long)sv;
			put_num(o, uv, 10, 0, sv < 0 ? "-" : (sp.flags & F_PLUS) ? "+" :
			    (sp.flags & F_SPACE) ? " " : "", &sp);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			uv = lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			put_num(o, uv, *f == 'u' ? 10 : *f == 'o' ? 8 : 16, *f == 'X',
			    alt_prefix(*f, uv, &sp), &sp);
			break;
		case 'p':
			uv = (uintptr_t)va_arg(ap, void *);
			put_num(o, uv, 16, 0, "0x", &sp);
			break;
		case 's':
			put_str(o, va_arg(ap, const char *), &sp);
			break;
		case 'c':
			c = (char)va_arg(ap, int);
			if (!(sp.flags & F_LEFT))
				pad(o, ' ', sp.width - 1);
			o->put(o, c);
			if (sp.flags & F_LEFT)
				pad(o, ' ', sp.width - 1);
			break;
		case '%':
			o->put(o, '%');
			break;
		case '\0':
			f--;	/* a lone '%' at the end */
			break;
		default:
			o->put(o, '%');
			o->put(o, *f);
			break;
		}
	}
	va_end(ap);
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
