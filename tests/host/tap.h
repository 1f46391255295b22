/*
 * TAP output for the host unit tests (tests/host/tap.c): numbered checks,
 * diagnostics, the plan, checks that must end in abort(), and a small
 * deterministic random number generator.
 */
#ifndef _TAP_H_
#define _TAP_H_
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

bool	tap_ok(bool cond, const char *fmt, ...)
	    __attribute__((format(__printf__, 2, 3)));
void	tap_diag(const char *fmt, ...) __attribute__((format(__printf__, 1, 2)));
void	tap_plan(int n);
int	tap_done(void);
bool	tap_expect_abort(void (*fn)(void), const char *want, const char *desc);

/* Report the first failed condition of a long check, with a reason. */
#define CHECK(good, why, cond) do {					\
	if ((good) && !(cond)) {					\
		(good) = false;						\
		printf("# %s: %s (line %d)\n", (why), #cond, __LINE__);	\
	}								\
} while (0)

/* xorshift64*: per thread, or on a state of the caller's. */
uint64_t	tap_rand(void);
uint64_t	tap_rand_below(uint64_t n);
uint64_t	tap_rand_r(uint64_t *state);
void		tap_srand(uint64_t seed);
void		tap_seed_from_env(const char *var);
#endif
