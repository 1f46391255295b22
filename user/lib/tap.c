/* tap.c: Test Anything Protocol output, optionally indented as a subtest. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tap.h>
#include <unistd.h>

static int planned = -1;
static int count;
static int failed;

static const char *
indent(void)
{
	const char *v = getenv("TAP_INDENT");

	return v != NULL && strcmp(v, "1") == 0 ? "    " : "";
}

/* Formats one whole line and writes it with a single write(2). */
static void
line(const char *head, const char *tail, const char *fmt, va_list ap)
{
	char buf[512];
	int n;

	n = snprintf(buf, sizeof(buf), "%s%s", indent(), head);
	if (fmt != NULL && n < (int)sizeof(buf))
		n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	if (n < (int)sizeof(buf))
		n += snprintf(buf + n, sizeof(buf) - n, "%s\n", tail);
	if (n >= (int)sizeof(buf)) {
		n = sizeof(buf);
		buf[n - 1] = '\n';
	}
	write(1, buf, n);
}

static void
linef(const char *head, const char *tail, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line(head, tail, fmt, ap);
	va_end(ap);
}

void
tap_plan(int n)
{
	planned = n;
	linef("", "", "1..%d", n);
}

int
tap_ok(int cond, const char *fmt, ...)
{
	char head[32];
	va_list ap;

	count++;
	if (!cond)
		failed++;
	snprintf(head, sizeof(head), "%sok %d - ", cond ? "" : "not ", count);
	va_start(ap, fmt);
	line(head, "", fmt, ap);
	va_end(ap);
	return cond;
}

void
tap_skip(const char *fmt, ...)
{
	char head[32];
	va_list ap;

	count++;
	snprintf(head, sizeof(head), "ok %d # SKIP ", count);
	va_start(ap, fmt);
	line(head, "", fmt, ap);
	va_end(ap);
}

void
tap_skip_all(const char *fmt, ...)
{
	va_list ap;

	planned = 0;
	va_start(ap, fmt);
	line("1..0 # SKIP ", "", fmt, ap);
	va_end(ap);
}

void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	line("# ", "", fmt, ap);
	va_end(ap);
}

int
tap_done(void)
{
	if (planned != count)
		tap_diag("planned %d tests but ran %d", planned, count);
	if (failed > 0)
		tap_diag("failed %d of %d", failed, count);
	return failed == 0 && planned == count ? 0 : 1;
}

int
tap_done_late_plan(void)
{
	if (planned == -1)
		tap_plan(count);
	return tap_done();
}
