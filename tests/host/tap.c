/*
 * TAP output for the host unit tests; see tap.h.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tap.h"

static int tap_count, tap_failed, tap_planned = -1;
static _Thread_local uint64_t tap_rng_state = 0x9e3779b97f4a7c15ULL;

/* One numbered check: "ok N - desc" or "not ok N - desc". */
bool
tap_ok(bool cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

void
tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Announce the number of checks up front; tap_done() holds us to it. */
void
tap_plan(int n)
{
	tap_planned = n;
	printf("1..%d\n", n);
	fflush(stdout);
}

/* The plan, if not given up front, and main's exit status. */
int
tap_done(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_count);
	else if (tap_count != tap_planned)
		tap_diag("planned %d tests but ran %d", tap_planned, tap_count);
	if (tap_failed != 0)
		tap_diag("%d of %d checks failed", tap_failed, tap_count);
	fflush(stdout);
	return tap_failed != 0 ||
	    (tap_planned >= 0 && tap_count != tap_planned);
}

/*
 * Run fn in a child, which must die of SIGABRT (panic and failed
 * assertions call abort()).  The child's stderr goes to a pipe and, if
 * want is not NULL, must contain it.  One check, named desc, or
 * desc ("want") when want is given.
 */
bool
tap_expect_abort(void (*fn)(void), const char *want, const char *desc)
{
	char buf[1024], chunk[256], *line;
	int fds[2], status;
	size_t got = 0, n;
	ssize_t len;
	bool pass;
	pid_t pid;

	fflush(stdout);
	if (pipe(fds) != 0 || (pid = fork()) < 0)
		return tap_ok(false, "%s: cannot start a child", desc);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], STDERR_FILENO);
		fn();
		_exit(0);	/* no abort: the parent reports the failure */
	}
	close(fds[1]);
	/* Keep the start, but read to the end so the child never blocks. */
	while ((len = read(fds[0], chunk, sizeof(chunk))) > 0) {
		n = (size_t)len < sizeof(buf) - 1 - got ?
		    (size_t)len : sizeof(buf) - 1 - got;
		memcpy(buf + got, chunk, n);
		got += n;
	}
	buf[got] = '\0';
	close(fds[0]);
	pass = waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) &&
	    WTERMSIG(status) == SIGABRT &&
	    (want == NULL || strstr(buf, want) != NULL);
	if (want == NULL)
		tap_ok(pass, "%s", desc);
	else
		tap_ok(pass, "%s (\"%s\")", desc, want);
	if (!pass && got > 0) {
		tap_diag("child said:");
		for (line = strtok(buf, "\n"); line != NULL;
		    line = strtok(NULL, "\n"))
			tap_diag("  %s", line);
	}
	return pass;
}

uint64_t
tap_rand_r(uint64_t *state)
{
	*state ^= *state >> 12;
	*state ^= *state << 25;
	*state ^= *state >> 27;
	return *state * 0x2545f4914f6cdd1dULL;
}

uint64_t
tap_rand(void)
{
	return tap_rand_r(&tap_rng_state);
}

/* Uniform enough for tests in [0, n); 0 when n is 0. */
uint64_t
tap_rand_below(uint64_t n)
{
	return n == 0 ? 0 : tap_rand() % n;
}

void
tap_srand(uint64_t seed)
{
	tap_rng_state = seed;
}

/* Seed this thread from the variable var if it is set, and say so. */
void
tap_seed_from_env(const char *var)
{
	const char *s = getenv(var);

	if (s != NULL)
		tap_rng_state = strtoull(s, NULL, 0) | 1;
	tap_diag("%s=%#llx replays this run", var,
	    (unsigned long long)tap_rng_state);
}
