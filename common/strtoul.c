/* The number parser behind strtoul and strtol, for the kernel and the C library. */
#include "common.h"

static bool
is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

int
digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

unsigned long
strtoul_parse(const char *s, char **end, int base, bool *negative, bool *overflow)
{
	const unsigned long max = ~0UL;
	const char *p = s;
	unsigned long v = 0;
	bool any = false;
	int d;

	*negative = false;
	*overflow = false;
	while (is_space(*p))
		p++;
	if (*p == '+' || *p == '-')
		*negative = *p++ == '-';
	if ((base == 0 || base == 16) && p[0] == '0' && (p[1] == 'x' || p[1] == 'X') &&
	    digit_value(p[2]) < 16) {
		p += 2;
		base = 16;
	} else if (base == 0) {
		base = p[0] == '0' ? 8 : 10;
	}
	for (; (d = digit_value(*p)) < base; p++) {
		any = true;
		if (v > (max - (unsigned long)d) / (unsigned long)base)
			*overflow = true;
		else
			v = v * (unsigned long)base + (unsigned long)d;
	}
	if (end != NULL)
		*end = (char *)(any ? p : s);
	return *overflow ? max : v;
}
