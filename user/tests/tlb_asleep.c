/*
 * tlb_asleep: a process asleep still has its translations taken away.
 *
 * A cpu whose process goes to sleep keeps that address space loaded, with
 * its TLB entries, until another one runs there (the kernel switches
 * lazily, as Linux does).  When another process takes the sleeper's
 * pages away meanwhile, by truncating a file the sleeper maps, the TLB
 * shootdown must reach that cpu too: woken, the sleeper must fault
 * (SIGBUS), not read the page it had through a stale entry.  Many rounds,
 * with the truncating process on whichever cpu it lands (four harts in
 * system-tests-smp4).
 */
#include <fcntl.h>
#include <probe.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>

#define ROUNDS	200

/* One round: map, read, sleep while a child truncates, read again. */
static int
round_faults(int fd, int wake[2])
{
	char byte = 'r', *p;
	pid_t pid;
	int st, sig;

	if (ftruncate(fd, PGSZ) != 0 || pwrite(fd, "tlb", 3, 0) != 3)
		return -1;
	p = mmap(NULL, PGSZ, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED || p[0] != 't')		/* the TLB now holds it */
		return -1;
	pid = fork();
	if (pid == 0) {
		/* The parent sleeps in read: its cpu keeps its address space. */
		_exit(ftruncate(fd, 0) == 0 && write(wake[1], &byte, 1) == 1 ? 0 : 1);
	}
	if (pid < 0 || read(wake[0], &byte, 1) != 1 || waitpid(pid, &st, 0) != pid || st != 0)
		return -1;
	sig = probe_read(p, NULL);
	munmap(p, PGSZ);
	return sig;
}

int
main(void)
{
	char path[64];
	int fd, wake[2], stale = 0, broken = 0;

	tap_plan(1);
	snprintf(path, sizeof(path), "/tmp/tlb_asleep.%d", getpid());
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || pipe(wake) != 0) {
		tap_ok(0, "a file and a pipe");
		return tap_done();
	}
	unlink(path);
	for (int i = 0; i < ROUNDS; i++) {
		int sig = round_faults(fd, wake);

		stale += sig == 0;
		broken += sig < 0;
	}
	tap_ok(stale == 0 && broken == 0, "%d rounds: a page truncated away while its process "
	    "slept faults when it wakes (%d read through a stale entry, %d rounds failed)",
	    ROUNDS, stale, broken);
	return tap_done();
}
