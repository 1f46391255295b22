/*
 * mlocked: a locked region stays resident while everything around it
 * pages.
 *
 * 16 MiB are locked (mlock) and filled; then the program writes twice
 * through 192 MiB (one and a half times the machine's memory), which
 * pages out everything that can go.  At every eighth of the way, and at
 * the end, mincore must report every locked page resident, Mlocked in
 * /proc/meminfo must count them, and they must hold what was written.
 * Then, with memory still full, the program forks a few times: a child's
 * copy of locked memory is made at fork (it cannot wait for
 * copy-on-write), 16 MiB at once, far more than is free; fork must wait
 * for the page daemon to make room, not fail with ENOMEM, and each child
 * must find the locked data.
 *
 * On Linux (qemu-user) the stream is 16 MiB (the host is not to be
 * pressed); mlock needs RLIMIT_MEMLOCK room there, or it is skipped.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define MIB		(1UL << 20)
#define LOCKED		(16 * MIB)
#define STREAM		(192 * MIB)
#define HOST_STREAM	(16 * MIB)
#define LOOKS		8
#define FORKS		4

static int
all_resident(const void *p, unsigned long len)
{
	unsigned char vec[LOCKED / PGSZ];

	if (mincore((void *)p, len, vec) != 0)
		return 0;
	for (unsigned long i = 0; i < len / PGSZ; i++)
		if (!(vec[i] & 1))
			return 0;
	return 1;
}

static int
intact(const uint64_t *p, unsigned long len)
{
	for (unsigned long off = 0; off < len; off += PGSZ)
		if (p[off / 8] != (uintptr_t)p + off)
			return 0;
	return 1;
}

/* The child's side of forks_with_lock: is its copy of the locked memory intact? */
static int
check_copy(void *locked)
{
	return intact(locked, LOCKED) ? 0 : 1;
}

/*
 * Fork FORKS times, one child at a time, each after a part of the stream
 * is written again (a child's exit frees its copy: fill memory back up);
 * how many forks made a child that found its copy intact.
 */
static int
forks_with_lock(uint64_t *locked, uint64_t *s, unsigned long stream, int *first_errno)
{
	int good = 0;

	*first_errno = 0;
	for (int i = 0; i < FORKS; i++) {
		int st;

		for (unsigned long off = i * stream / FORKS; off < (i + 1) * stream / FORKS; off += PGSZ)
			s[off / 8] = off + 2;
		st = run_child(check_copy, locked);

		if (st == -1 && *first_errno == 0)
			*first_errno = errno;
		good += st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	}
	return good;
}

int
main(void)
{
	unsigned long stream = vmstat_is_sable() ? STREAM : HOST_STREAM;
	uint64_t *locked = (uint64_t *)map_pages(LOCKED / PGSZ), *s;
	long out0 = vmstat_get("pswpout");
	int resident = 1, forked, fork_errno;

	if (locked == NULL || mlock(locked, LOCKED) != 0) {
		if (!vmstat_is_sable()) {
			tap_skip_all("cannot lock 16 MiB here (errno %d)", errno);
			return tap_done();
		}
		tap_plan(1);
		tap_ok(0, "lock 16 MiB (errno %d)", errno);
		return tap_done();
	}
	tap_plan(6);
	for (unsigned long off = 0; off < LOCKED; off += PGSZ)
		locked[off / 8] = (uintptr_t)locked + off;
	s = (uint64_t *)map_pages(stream / PGSZ);
	if (!tap_ok(s != NULL, "a stream of %lu MiB mapped", stream >> 20))
		return tap_done();
	for (int pass = 0; pass < 2; pass++) {
		for (int part = 0; part < LOOKS; part++) {
			for (unsigned long off = part * stream / LOOKS; off < (part + 1) * stream / LOOKS;
			    off += PGSZ)
				s[off / 8] = off + pass;
			resident &= all_resident(locked, LOCKED);
		}
	}
	tap_ok(resident, "mincore found every locked page resident at each of %d looks", 2 * LOOKS);
	tap_ok(intact(locked, LOCKED), "and holding what was written");
	forked = forks_with_lock(locked, s, stream, &fork_errno);
	tap_ok(forked == FORKS, "with memory full, %d of %d forks made a child with an intact "
	    "copy of the locked memory (first fork error %d)", forked, FORKS, fork_errno);
	if (!vmstat_is_sable()) {
		tap_skip("the pressure is our test machine's");
		tap_skip("Mlocked counts the whole system");
		return tap_done();
	}
	tap_ok(vmstat_get("pswpout") - out0 > (long)(LOCKED / PGSZ),
	    "while the stream went through swap (%ld pages out)", vmstat_get("pswpout") - out0);
	tap_ok(meminfo_get("Mlocked") >= (long)(LOCKED / 1024), "Mlocked counts them (%ld kB)",
	    meminfo_get("Mlocked"));
	munmap(s, stream);
	munlock(locked, LOCKED);
	munmap(locked, LOCKED);
	return tap_done();
}
