/*
 * Counting zero bits, for the kernel: its own __ctzdi2 and __clzdi2,
 * which the compiler calls for __builtin_ctzl and __builtin_clzl on a
 * machine without the bit-manipulation extension (the kernel is built
 * for rv64imac, which runs on QEMU 7.2's default cpu and on the U74s
 * alike, so it has no Zbb ctz/clz).  libgcc's versions look for the byte holding the bit in
 * a loop, up to 8 rounds; these take a fixed dozen instructions with a
 * multiply, as the de Bruijn method does it (Leiserson, Prokop and
 * Randall, 1998).  The kernel's bitmap scans (descriptor tables, signal
 * sets, pv buckets, ASIDs, blists) call them on hot paths.
 *
 * As the compiler's builtins, both are undefined for 0.
 */
#include <stdint.h>

int __ctzdi2(unsigned long x);
int __clzdi2(unsigned long x);

/* A de Bruijn sequence of order 6: its 64 windows of 6 bits are all different. */
#define DEBRUIJN64	0x03f79d71b4cb0a89UL

/* The position of each window in the sequence: log2 of the bit that shifted it there. */
static const uint8_t debruijn_log2[64] = {
	 0,  1, 48,  2, 57, 49, 28,  3, 61, 58, 50, 42, 38, 29, 17,  4,
	62, 55, 59, 36, 53, 51, 43, 22, 45, 39, 33, 30, 24, 18, 12,  5,
	63, 47, 56, 27, 60, 41, 37, 16, 54, 35, 52, 21, 44, 32, 23, 11,
	46, 26, 40, 15, 34, 20, 31, 10, 25, 14, 19,  9, 13,  8,  7,  6,
};

/* log2 of a power of two. */
static inline int
log2_pow2(unsigned long bit)
{
	return debruijn_log2[(bit * DEBRUIJN64) >> 58];
}

int
__ctzdi2(unsigned long x)
{
	return log2_pow2(x & -x);		/* the lowest set bit alone */
}

int
__clzdi2(unsigned long x)
{
	/* Smear the highest set bit down, then keep it alone. */
	x |= x >> 1;
	x |= x >> 2;
	x |= x >> 4;
	x |= x >> 8;
	x |= x >> 16;
	x |= x >> 32;
	return 63 - log2_pow2(x - (x >> 1));
}
