/*
 * In-kernel self-tests, run at boot when the command line says
 * "selftest" (all) or "selftest=name,name".  Each test is a function
 * registered with SELFTEST(); it reports through selftest_ok(), which
 * prints one TAP line per check.  The plan line ("1..N") is printed after
 * the last test, which TAP allows.
 */
#ifndef _KERN_SELFTEST_H_
#define _KERN_SELFTEST_H_

#include <kern/types.h>

struct selftest {
	const char	*name;
	void		(*fn)(void);
};

#define SELFTEST(name, fn)						\
	static const struct selftest selftest_##name			\
	__attribute__((used, section("selftests"), aligned(8))) = { #name, fn }

/* Report one check: "ok N - <desc>" or "not ok N - <desc>". Returns cond. */
bool selftest_ok(bool cond, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Report a check that cannot run here: "ok N # SKIP <reason>" (TAP's skip). */
void selftest_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Run the tests the command line selects; returns the number that failed. */
int selftest_run(const char *selection);

#endif
