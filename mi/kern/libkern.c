/*
 * The kernel's own C library pieces.  memcpy, memset, the string
 * functions, the number parser and the printf engine are shared with the
 * user C library (common/); what is left here is the kernel's way of
 * using them.
 */
#include <kern/systm.h>

unsigned long
strtoul(const char *s, char **end, int base)
{
	bool negative, overflow;
	unsigned long v = strtoul_parse(s, end, base, &negative, &overflow);

	if (overflow)
		return v;
	return negative ? 0UL - v : v;
}
