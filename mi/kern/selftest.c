/*
 * The self-test runner (see selftest.h).
 */
#include <kern/systm.h>
#include <kern/selftest.h>

extern const struct selftest __start_selftests[], __stop_selftests[];

static int checks_run, checks_failed;

bool
selftest_ok(bool cond, const char *fmt, ...)
{
	char desc[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(desc, sizeof(desc), fmt, ap);
	va_end(ap);
	checks_run++;
	if (!cond)
		checks_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", checks_run, desc);
	return cond;
}

void
selftest_skip(const char *fmt, ...)
{
	char reason[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	checks_run++;
	printf("ok %d # SKIP %s\n", checks_run, reason);
}

/* Is name in the comma-separated list (or is the list empty or "all")? */
static bool
selected(const char *selection, const char *name)
{
	size_t n = strlen(name);
	const char *p = selection;

	if (*selection == '\0' || strcmp(selection, "all") == 0)
		return true;
	while (*p) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		p += len + (end != NULL);
	}
	return false;
}

int
selftest_run(const char *selection)
{
	int tests = 0;

	for (const struct selftest *t = __start_selftests; t < __stop_selftests; t++) {
		if (!selected(selection, t->name))
			continue;
		printf("# selftest %s\n", t->name);
		t->fn();
		tests++;
	}
	printf("1..%d\n", checks_run);
	printf("# %d self-tests, %d checks, %d failed\n", tests, checks_run, checks_failed);
	return checks_failed;
}
