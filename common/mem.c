/*
 * memset, memcpy, memmove, memcmp for the kernel and the C library.
 * memset and memcpy work a word at a time when alignment allows: the
 * kernel's page zeroing and copying sit on the fault path.
 */
#include <stdint.h>
#include "common.h"

/*
 * The word loops move 64 bytes per pass: 8 stores (and 8 loads) to 3
 * instructions of loop upkeep.  A 4 KiB page is 64 passes.  memcpy
 * between addresses 4-aligned apart moves 32-bit words (never a
 * misaligned access: the U74 traps on those).
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

/*
 * memcpy's word copy, for d and s equally aligned for type T: bytes up
 * to T's alignment, passes of 8 words, words, leaving n < sizeof(T).
 */
#define COPY_IN_WORDS(T, d, s, n) do {						\
	while ((n) > 0 && ((uintptr_t)(d) & (sizeof(T) - 1))) {			\
		*(d)++ = *(s)++;						\
		(n)--;								\
	}									\
	for (; (n) >= WORDS_PER_PASS * sizeof(T); (n) -= WORDS_PER_PASS * sizeof(T),	\
	    (d) += WORDS_PER_PASS * sizeof(T), (s) += WORDS_PER_PASS * sizeof(T)) {	\
		T *w_ = (T *)(d);						\
		const T *r_ = (const T *)(s);					\
		T a0_ = r_[0], a1_ = r_[1], a2_ = r_[2], a3_ = r_[3];		\
		T a4_ = r_[4], a5_ = r_[5], a6_ = r_[6], a7_ = r_[7];		\
										\
		w_[0] = a0_;							\
		w_[1] = a1_;							\
		w_[2] = a2_;							\
		w_[3] = a3_;							\
		w_[4] = a4_;							\
		w_[5] = a5_;							\
		w_[6] = a6_;							\
		w_[7] = a7_;							\
	}									\
	for (; (n) >= sizeof(T); (n) -= sizeof(T), (d) += sizeof(T), (s) += sizeof(T))	\
		*(T *)(d) = *(const T *)(s);					\
} while (0)

void *
memcpy(void *restrict dst, const void *restrict src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0)
		COPY_IN_WORDS(uint64_t, d, s, n);
	else if ((((uintptr_t)d ^ (uintptr_t)s) & 3) == 0)
		COPY_IN_WORDS(uint32_t, d, s, n);	/* cpio file data, say */
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
