/*
 * libc: the C library functions the kernel shares (common/): memcpy,
 * memmove, memset and memcmp at every alignment, the string functions,
 * the number parser behind strtoul and strtol, and the printf engine,
 * each against what the C standard says.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tap.h>

#define SPAN	200		/* crosses the 64-byte unrolled blocks, more than once */

static unsigned char a[SPAN + 16], b[SPAN + 16], want[SPAN + 16];

static void
fill(unsigned char *p, unsigned char seed)
{
	for (int i = 0; i < SPAN + 16; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

/* memcpy and memset against byte loops, for every offset pair and length. */
static void
test_mem(void)
{
	int copy_ok = 1, set_ok = 1, move_ok = 1;

	for (int doff = 0; doff < 8; doff++)
		for (int soff = 0; soff < 8; soff++)
			for (int n = 0; n <= SPAN; n += (n < 40 ? 1 : 13)) {
				fill(a, 1);
				fill(b, 100);
				memcpy(want, a, sizeof(want));
				for (int i = 0; i < n; i++)
					want[doff + i] = b[soff + i];
				memcpy(a + doff, b + soff, n);
				copy_ok &= memcmp(a, want, sizeof(a)) == 0;
			}
	for (int off = 0; off < 8; off++)
		for (int n = 0; n <= SPAN; n++) {
			fill(a, 3);
			memcpy(want, a, sizeof(want));
			for (int i = 0; i < n; i++)
				want[off + i] = 0xa5;
			memset(a + off, 0xa5, n);
			set_ok &= memcmp(a, want, sizeof(a)) == 0;
		}
	for (int shift = -9; shift <= 9; shift++) {
		fill(a, 5);
		memcpy(want, a, sizeof(want));
		for (int i = SPAN / 2 - 1; shift > 0 && i >= 0; i--)
			want[16 + shift + i] = want[16 + i];
		for (int i = 0; shift <= 0 && i < SPAN / 2; i++)
			want[16 + shift + i] = want[16 + i];
		memmove(a + 16 + shift, a + 16, SPAN / 2);
		move_ok &= memcmp(a, want, sizeof(a)) == 0;
	}
	tap_ok(copy_ok, "memcpy: every alignment and length");
	tap_ok(set_ok, "memset: every alignment and length");
	tap_ok(move_ok, "memmove: overlapping either way");
	tap_ok(memcmp("abc", "abd", 3) < 0 && memcmp("abd", "abc", 3) > 0 &&
	    memcmp("\x80", "\x01", 1) > 0, "memcmp: unsigned bytes");
}

static void
test_strings(void)
{
	char buf[8];

	tap_ok(strlen("") == 0 && strlen("hello") == 5 && strnlen("hello", 3) == 3,
	    "strlen, strnlen");
	tap_ok(strcmp("a", "b") < 0 && strcmp("b", "a") > 0 && strcmp("x", "x") == 0 &&
	    strcmp("\xff", "a") > 0 && strncmp("abcd", "abce", 3) == 0, "strcmp, strncmp");
	tap_ok(strchr("hello", 'l') != NULL && *strchr("hello", 'l') == 'l' &&
	    strchr("hello", 'z') == NULL && strchr("hi", '\0') != NULL, "strchr");
	tap_ok(strlcpy(buf, "truncated", sizeof(buf)) == 9 && strcmp(buf, "truncat") == 0,
	    "strlcpy: truncates, NUL-terminates, returns the source length");
}

static void
test_numbers(void)
{
	char *end;

	tap_ok(strtoul("  0x1f!", &end, 0) == 31 && *end == '!', "strtoul: base 0 hex");
	tap_ok(strtoul("0755", &end, 0) == 0755 && *end == '\0', "strtoul: base 0 octal");
	tap_ok(strtoul("0xg", &end, 16) == 0 && *end == 'x', "strtoul: a bare 0x is the 0");
	tap_ok(strtoul("zz", &end, 36) == 35 * 36 + 35, "strtoul: base 36");
	tap_ok(strtoul("abc", &end, 10) == 0 && strcmp(end, "abc") == 0,
	    "strtoul: no digits leaves end at the start");
	errno = 0;
	tap_ok(strtoul("99999999999999999999", &end, 10) == ULONG_MAX && errno == ERANGE &&
	    *end == '\0', "strtoul: overflow is ULONG_MAX and ERANGE");
	errno = 0;
	tap_ok(strtol("-9223372036854775808", NULL, 10) == LONG_MIN && errno == 0,
	    "strtol: LONG_MIN fits");
	tap_ok(strtol("9223372036854775808", NULL, 10) == LONG_MAX && errno == ERANGE,
	    "strtol: LONG_MAX + 1 is ERANGE");
	tap_ok(strtol("\t\n -42", NULL, 10) == -42, "strtol: leading space and sign");
}

/* One snprintf against the C standard's result. */
static int
fmt_is(const char *want_str, const char *fmt, ...)
{
	char buf[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n == (int)strlen(want_str) && strcmp(buf, want_str) == 0)
		return 1;
	tap_diag("\"%s\": got \"%s\" (%d), want \"%s\"", fmt, buf, n, want_str);
	return 0;
}

static void
test_format(void)
{
	char small[4];

	tap_ok(fmt_is("42|-7|+5| 5", "%d|%i|%+d|% d", 42, -7, 5, 5), "printf: signed");
	tap_ok(fmt_is("ff|FF|0xff|0|17|017", "%x|%X|%#x|%#x|%o|%#o", 255, 255, 255, 0, 15, 15),
	    "printf: hex and octal, # only for nonzero");
	tap_ok(fmt_is("[   7]|[7   ]|[0007]|[  -7]|[-007]", "[%4d]|[%-4d]|[%04d]|[%4d]|[%04d]",
	    7, 7, 7, -7, -7), "printf: width, left, zero padding");
	tap_ok(fmt_is("[  007]|[]|[ab]|[  ab]", "[%5.3d]|[%.0d]|[%.2s]|[%*s]", 7, 0, "abc", 4, "ab"),
	    "printf: precision and *");
	tap_ok(fmt_is("-9223372036854775808|18446744073709551615|5",
	    "%ld|%lu|%zu", LONG_MIN, ULONG_MAX, (size_t)5), "printf: long and size_t");
	tap_ok(fmt_is("[  x]|[x  ]|%|(null)", "[%3c]|[%-3c]|%%|%s", 'x', 'x', (char *)NULL),
	    "printf: %%c with width, %%%%, NULL string");
	tap_ok(fmt_is("0x1234|0x0", "%p|%p", (void *)0x1234, (void *)0), "printf: %%p");
	tap_ok(snprintf(small, sizeof(small), "%s", "overflow") == 8 &&
	    strcmp(small, "ove") == 0, "snprintf: truncates and counts the whole");
}

int
main(void)
{
	tap_plan(25);
	test_mem();
	test_strings();
	test_numbers();
	test_format();
	return tap_done();
}
