/* mem.c: memchr (memcpy, memmove, memset and memcmp are common/mem.c, shared with the kernel). */
#include <string.h>

void *
memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n > 0; n--, p++) {
		if (*p == (unsigned char)c)
			return (void *)p;
	}
	return NULL;
}
