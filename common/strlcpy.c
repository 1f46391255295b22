/*
 * strlcpy for the kernel, the C library and the host tests (whose glibc
 * has none), in a file of its own so each can take just this.
 */
#include "common.h"

size_t
strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t c = n < size - 1 ? n : size - 1;

		memcpy(dst, src, c);
		dst[c] = '\0';
	}
	return n;
}
