/* strtol.c: string to integer conversions. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

static int
digitval(int c)
{
	if (isdigit(c))
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

/*
 * The shared parser: skips space, reads a sign and a base prefix, and
 * returns the magnitude, saturated at ULONG_MAX with *overflow set.
 */
static unsigned long
parse(const char *s, char **end, int base, int *neg, int *overflow)
{
	const char *p = s;
	unsigned long v = 0;
	int any = 0, d;

	*neg = 0;
	*overflow = 0;
	while (isspace(*p))
		p++;
	if (*p == '+' || *p == '-')
		*neg = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' &&
	    (p[1] == 'x' || p[1] == 'X') && isxdigit(p[2])) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (; (d = digitval(*p)) < base; p++) {
		any = 1;
		if (v > (ULONG_MAX - d) / base)
			*overflow = 1;
		else
			v = v * base + d;
	}
	if (end != NULL)
		*end = (char *)(any ? p : s);
	return *overflow ? ULONG_MAX : v;
}

long
strtol(const char *s, char **end, int base)
{
	unsigned long v;
	int neg, overflow;

	v = parse(s, end, base, &neg, &overflow);
	if (!neg && (overflow || v > (unsigned long)LONG_MAX)) {
		errno = ERANGE;
		return LONG_MAX;
	}
	if (neg && (overflow || v > (unsigned long)LONG_MAX + 1)) {
		errno = ERANGE;
		return LONG_MIN;
	}
	return neg ? (long)(0UL - v) : (long)v;
}

unsigned long
strtoul(const char *s, char **end, int base)
{
	unsigned long v;
	int neg, overflow;

	v = parse(s, end, base, &neg, &overflow);
	if (overflow) {
		errno = ERANGE;
		return ULONG_MAX;
	}
	return neg ? 0UL - v : v;
}

long long
strtoll(const char *s, char **end, int base)
{
	return strtol(s, end, base);
}

unsigned long long
strtoull(const char *s, char **end, int base)
{
	return strtoul(s, end, base);
}

int
atoi(const char *s)
{
	return (int)strtol(s, NULL, 10);
}

long
atol(const char *s)
{
	return strtol(s, NULL, 10);
}

int
abs(int x)
{
	return x < 0 ? -x : x;
}

long
labs(long x)
{
	return x < 0 ? -x : x;
}
