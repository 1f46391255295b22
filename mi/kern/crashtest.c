/*
 * Deliberate crashes, chosen with "crash=NAME" on the command line, so
 * tests can prove that failures are caught and reported:
 *   stack    recurse until the kernel stack runs into its guard page
 *   kassert  fail an assertion
 *   null     dereference a null pointer
 *   lockorder take two spin locks in one order, then in the other
 *   sleeprule allocate with M_WAITOK holding a spin lock
 */
#include <kern/systm.h>
#include <kern/crashtest.h>
#include <kern/malloc.h>
#include <kern/spinlock.h>

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

static struct spinlock crash_first = SPINLOCK_INITIALIZER("crashtest first");
static struct spinlock crash_second = SPINLOCK_INITIALIZER("crashtest second");

/* The lock checker must stop the second order: it could deadlock against the first. */
static void
lock_order_reversal(void)
{
	spin_lock(&crash_first);
	spin_lock(&crash_second);
	spin_unlock(&crash_second);
	spin_unlock(&crash_first);
	spin_lock(&crash_second);
	spin_lock(&crash_first);
}

static void
sleep_rule(void)
{
	spin_lock(&crash_first);
	(void)malloc(16, M_TEMP, M_WAITOK);
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
	else if (strcmp(name, "lockorder") == 0)
		lock_order_reversal();
	else if (strcmp(name, "sleeprule") == 0)
		sleep_rule();
	printf("crashtest: unknown test %s\n", name);
}
