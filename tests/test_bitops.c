/*
 * Host unit test for the kernel's __ctzdi2 and __clzdi2 (common/bitops.c),
 * TAP output: every single bit, every run of ones from bit 0 and to bit
 * 63, and a million random values against a plain loop.
 */
#include <stdint.h>
#include <stdlib.h>

#include "host/tap.h"

int __ctzdi2(unsigned long x);
int __clzdi2(unsigned long x);

static int
ctz_loop(unsigned long x)
{
	int n = 0;

	while (!(x & 1)) {
		x >>= 1;
		n++;
	}
	return n;
}

static int
clz_loop(unsigned long x)
{
	int n = 0;

	while (!(x & (1UL << 63))) {
		x <<= 1;
		n++;
	}
	return n;
}

static bool
agrees(unsigned long x)
{
	return __ctzdi2(x) == ctz_loop(x) && __clzdi2(x) == clz_loop(x);
}

int
main(void)
{
	bool bits = true, runs = true, random_ok = true;
	uint64_t s = 0x9e3779b97f4a7c15ULL;

	tap_plan(3);
	for (int i = 0; i < 64; i++)
		bits &= __ctzdi2(1UL << i) == i && __clzdi2(1UL << i) == 63 - i;
	tap_ok(bits, "each single bit: ctz is its index, clz 63 minus it");
	for (int i = 1; i <= 64; i++)
		runs &= agrees(~0UL >> (64 - i)) && agrees(~0UL << (64 - i));
	tap_ok(runs, "runs of ones from bit 0 and up to bit 63");
	for (int i = 0; i < 1000000; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		/* Sparse values too: keep a random number of the high or low bits. */
		unsigned long x = (unsigned long)s >> (i % 64), y = x << (i % 61);

		if (x != 0)
			random_ok &= agrees(x);
		if (y != 0)
			random_ok &= agrees(y);
	}
	tap_ok(random_ok, "a million random values agree with a loop");
	return tap_done();
}
