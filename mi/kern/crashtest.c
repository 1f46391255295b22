/*
 * Deliberate crashes, chosen with "crash=NAME" on the command line, so
 * tests can prove that failures are caught and reported:
 *   stack    recurse until the kernel stack runs into its guard page
 *   kassert  fail an assertion
 *   null     dereference a null pointer
 */
#include <kern/systm.h>
#include <kern/crashtest.h>

static volatile int depth_reached;

/* Bounded only by a limit no stack can reach, so the compiler keeps the recursion. */
static int __attribute__((noinline))
recurse(int depth)
{
	volatile char frame[256];

	frame[0] = (char)depth;
	depth_reached = depth;
	if (depth == INT32_MAX)
		return 0;
	return recurse(depth + 1) + frame[0];
}

void
crashtest(const char *name)
{
	printf("crashtest: %s\n", name);
	if (strcmp(name, "stack") == 0)
		recurse(0);
	else if (strcmp(name, "kassert") == 0)
		KASSERT(depth_reached < 0, ("crashtest: assertion %s", name));
	else if (strcmp(name, "null") == 0)
		depth_reached = *(volatile int *)NULL;
	printf("crashtest: unknown test %s\n", name);
}
