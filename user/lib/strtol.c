/* strtol.c: string to integer conversions, on the parser shared with the kernel (common/strtoul.c). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <common/common.h>

long
strtol(const char *s, char **end, int base)
{
	bool neg, overflow;
	unsigned long v = strtoul_parse(s, end, base, &neg, &overflow);

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
	bool neg, overflow;
	unsigned long v = strtoul_parse(s, end, base, &neg, &overflow);

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
