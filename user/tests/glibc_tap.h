/*
 * glibc_tap.h: TAP output for the test programs built against Debian's
 * glibc (which cannot use the project's libc and its tap.c): a plan, one
 * line per check (indented under init, TAP_INDENT=1), and the verdict.
 */
#ifndef _GLIBC_TAP_H
#define _GLIBC_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int glibc_tap_count, glibc_tap_failed, glibc_tap_planned;
static const char *glibc_tap_indent = "";

/* The plan; stdout unbuffered so a fork duplicates nothing. */
static void
tap_plan(int n)
{
	const char *e = getenv("TAP_INDENT");

	if (e != NULL && strcmp(e, "1") == 0)
		glibc_tap_indent = "    ";
	setvbuf(stdout, NULL, _IONBF, 0);
	glibc_tap_planned = n;
	printf("%s1..%d\n", glibc_tap_indent, n);
}

/* One check, with a detail in parentheses (NULL: none); ok() has none. */
#define ok(cond, what)	ok_detail((cond), (what), NULL)
static void
ok_detail(int cond, const char *what, const char *detail)
{
	glibc_tap_count++;
	if (!cond)
		glibc_tap_failed++;
	printf("%s%sok %d - %s%s%s%s\n", glibc_tap_indent, cond ? "" : "not ", glibc_tap_count,
	    what, detail != NULL ? " (" : "", detail != NULL ? detail : "",
	    detail != NULL ? ")" : "");
}

/* The exit status: 0 if every check passed and the plan was met. */
static int
tap_done(void)
{
	return glibc_tap_failed == 0 && glibc_tap_count == glibc_tap_planned ? 0 : 1;
}

#endif
