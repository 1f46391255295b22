/*
 * shared: MAP_SHARED anonymous memory between processes, under memory
 * pressure.
 *
 * 64 MiB of shared anonymous memory; two children each write their half
 * and then check the other's, round after round, while a third process
 * writes through 128 MiB of its own to press the machine (128 MiB of
 * RAM): the shared pages go to swap and come back, and every process
 * must see every write of the others.  At the end the parent checks it
 * all.
 *
 * On Linux (qemu-user) the sizes are 16 and 32 MiB: the checks, not paging.
 */
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define MIB		(1UL << 20)
#define SHARED		(64 * MIB)
#define PRESS		(128 * MIB)
#define ROUNDS		3

static uint64_t *shared;
static unsigned long len;

static uint64_t
word(int who, int round, unsigned long off)
{
	return ((uint64_t)who << 60) ^ ((uint64_t)round << 48) ^ off;
}

static void
write_half(int who, int round)
{
	for (unsigned long off = who * len / 2; off < (who + 1) * len / 2; off += PGSZ)
		shared[off / 8] = word(who, round, off);
}

/* Does half 'who' hold round 'round' or later (the writer may be ahead)? */
static int
half_at_least(int who, int round, int rounds)
{
	for (unsigned long off = who * len / 2; off < (who + 1) * len / 2; off += PGSZ) {
		int found = -1;

		for (int r = round; r < rounds && found < 0; r++)
			if (shared[off / 8] == word(who, r, off))
				found = r;
		if (found < 0)
			return 0;
	}
	return 1;
}

static int
sharer(int who)
{
	for (int r = 0; r < ROUNDS; r++) {
		write_half(who, r);
		if (!half_at_least(who, r, r + 1))
			return 1;
		/* The other half: what the other wrote, this round or a later one (never older). */
		while (!half_at_least(1 - who, r, ROUNDS))
			usleep(1000);
	}
	return 0;
}

static int
presser(unsigned long press)
{
	uint64_t *p = (uint64_t *)map_pages(press / PGSZ);

	if (p == NULL)
		return 1;
	for (int pass = 0; pass < 2; pass++)
		for (unsigned long off = 0; off < press; off += PGSZ)
			p[off / 8] = off + pass;
	return 0;
}

int
main(void)
{
	unsigned long press = vmstat_is_sable() ? PRESS : 32 * MIB;
	pid_t pids[3];
	int st, ok = 1;

	tap_plan(4);
	len = vmstat_is_sable() ? SHARED : 16 * MIB;
	shared = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!tap_ok(shared != MAP_FAILED, "%lu MiB of shared anonymous memory mapped", len >> 20))
		return tap_done();
	for (int w = 0; w < 2; w++)
		if ((pids[w] = fork()) == 0)
			_exit(sharer(w));
	if ((pids[2] = fork()) == 0)
		_exit(presser(press));
	for (int i = 0; i < 3; i++) {
		waitpid(pids[i], &st, 0);
		ok &= WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	tap_ok(ok, "two processes saw each other's writes to shared memory, %d rounds, under "
	    "pressure", ROUNDS);
	tap_ok(half_at_least(0, ROUNDS - 1, ROUNDS) && half_at_least(1, ROUNDS - 1, ROUNDS),
	    "the parent sees the last round of both");
	tap_ok(!vmstat_is_sable() || vmcheck_problems("/proc/vmcheck") == 0,
	    "/proc/vmcheck consistent");
	munmap(shared, len);
	return tap_done();
}
