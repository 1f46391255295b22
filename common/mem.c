/*
 * memset, memcpy, memmove, memcmp for the kernel and the C library.
 * memset and memcpy work a word at a time when alignment allows: the
 * kernel's page zeroing and copying sit on the fault path.
 */
#include <stdint.h>
#include "common.h"

/*
 * The word loops move 64 bytes per pass: 8 stores (and 8 loads) to 3
 * instructions of loop upkeep.  A 4 KiB page is 64 passes.
 */
#define WORDS_PER_PASS	8

void *
memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;
	uint64_t word = 0x0101010101010101UL * (unsigned char)c;

	while (n > 0 && ((uintptr_t)d & 7)) {
		*d++ = (unsigned char)c;
		n--;
	}
	for (; n >= WORDS_PER_PASS * 8; n -= WORDS_PER_PASS * 8, d += WORDS_PER_PASS * 8) {
		uint64_t *w = (uint64_t *)d;

		w[0] = word;
		w[1] = word;
		w[2] = word;
		w[3] = word;
		w[4] = word;
		w[5] = word;
		w[6] = word;
		w[7] = word;
	}
	for (; n >= 8; n -= 8, d += 8)
		*(uint64_t *)d = word;
	while (n-- > 0)
		*d++ = (unsigned char)c;
	return dst;
}

void *
memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		while (n > 0 && ((uintptr_t)d & 7)) {
			*d++ = *s++;
			n--;
		}
		for (; n >= WORDS_PER_PASS * 8;
		    n -= WORDS_PER_PASS * 8, d += WORDS_PER_PASS * 8, s += WORDS_PER_PASS * 8) {
			uint64_t *w = (uint64_t *)d;
			const uint64_t *r = (const uint64_t *)s;
			uint64_t a0 = r[0], a1 = r[1], a2 = r[2], a3 = r[3];
			uint64_t a4 = r[4], a5 = r[5], a6 = r[6], a7 = r[7];

			w[0] = a0;
			w[1] = a1;
			w[2] = a2;
			w[3] = a3;
			w[4] = a4;
			w[5] = a5;
			w[6] = a6;
			w[7] = a7;
		}
		for (; n >= 8; n -= 8, d += 8, s += 8)
			*(uint64_t *)d = *(const uint64_t *)s;
	}
	while (n-- > 0)
		*d++ = *s++;
	return dst;
}

void *
memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	while (n-- > 0)		/* overlapping, dst above src: copy backwards */
		d[n] = s[n];
	return dst;
}

int
memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}
