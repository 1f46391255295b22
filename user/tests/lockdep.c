/*
 * lockdep: the lock checker's /proc files, as a program sees them after
 * the kernel has done some work (forks, sleeps, faults): /proc/lockdep
 * lists the lock classes and the orders learnt (a sleep queue chain
 * before the scheduler lock, which every sleep teaches; VM objects
 * marked as nesting), and /proc/lockdep_stats counts classes,
 * dependencies and reversals (none, or the kernel would have stopped).
 *
 * Linux has these files only in kernels built with CONFIG_LOCKDEP, in
 * another format: where they are missing, or are not ours, the checks
 * are skipped.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/futex.h>
#include <sys/wait.h>
#include <tap.h>
#include <unistd.h>

#define TEXT_MAX	(256 * 1024)
#define NCHECKS		7

static char text[TEXT_MAX];

/* Read path into text; its length, or -1. */
static long
slurp(const char *path)
{
	long n = 0, r;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while (n < TEXT_MAX - 1 && (r = read(fd, text + n, TEXT_MAX - 1 - n)) > 0)
		n += r;
	close(fd);
	text[n] = '\0';
	return n;
}

/* The block of /proc/lockdep for the class named name: from its line to the next class. */
static const char *
class_block(const char *name, char *block, size_t size)
{
	char line[128];
	const char *p, *end;

	snprintf(line, sizeof(line), ": %s", name);
	for (p = strstr(text, line); p != NULL; p = strstr(p + 1, line)) {
		const char *eol = strchr(p, '\n');

		/* The name must end the line (or be followed by the nesting mark). */
		if (eol != NULL && (eol - p == (long)strlen(line) || strncmp(p + strlen(line),
		    " (may nest)", 11) == 0))
			break;
	}
	if (p == NULL)
		return NULL;
	end = strchr(p, '\n');
	while (p > text && p[-1] != '\n')
		p--;			/* from the start of the class's line */
	while (end != NULL && strncmp(end + 1, " -> ", 4) == 0)
		end = strchr(end + 1, '\n');
	end = end != NULL ? end + 1 : p + strlen(p);	/* its last line's newline too */
	if ((size_t)(end - p) >= size)
		return NULL;
	memcpy(block, p, end - p);
	block[end - p] = '\0';
	return block;
}

/* The number after "key: " in text, or -1. */
static long
stat_value(const char *key)
{
	const char *p = strstr(text, key);

	return p != NULL ? (long)strtoul(p + strlen(key), NULL, 10) : -1;
}

int
main(void)
{
	static char block[16384];
	static uint32_t word;
	int status;
	pid_t pid;

	tap_plan(NCHECKS);
	/* Some work that sleeps: a child that sleeps a little, and a wait for it. */
	if ((pid = fork()) == 0) {
		usleep(20000);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	/* And a futex wake (on a word that is mapped), which takes the futex lock. */
	word = 1;
	futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0);

	if (slurp("/proc/lockdep") < 0 || strncmp(text, "all lock classes:", 17) != 0 ||
	    strstr(text, " FD: ") == NULL) {
		for (int i = 0; i < NCHECKS; i++)
			tap_skip("no /proc/lockdep of this kernel's kind (not our kernel)");
		return tap_done();
	}
	tap_ok(class_block("sleepq chain", block, sizeof(block)) != NULL &&
	    strstr(block, "] sched\n") != NULL,
	    "/proc/lockdep: a sleep queue chain comes before sched_lock");
	tap_ok(class_block("vm object", block, sizeof(block)) != NULL &&
	    strstr(block, "(may nest)") != NULL,
	    "/proc/lockdep: VM object locks are marked as nesting");
	tap_ok(class_block("vm map", block, sizeof(block)) != NULL &&
	    strstr(block, "] vm object\n") != NULL,
	    "/proc/lockdep: the map lock comes before VM object locks");
	tap_ok(class_block("futex", block, sizeof(block)) != NULL &&
	    strstr(block, "sleep: futex") != NULL,
	    "/proc/lockdep: the futex lock is a sleep lock");

	tap_ok(slurp("/proc/lockdep_stats") > 0 && stat_value(" lock-classes: ") > 10,
	    "/proc/lockdep_stats: %ld lock classes", stat_value(" lock-classes: "));
	tap_ok(stat_value(" direct dependencies: ") > 10,
	    "/proc/lockdep_stats: %ld direct dependencies",
	    stat_value(" direct dependencies: "));
	tap_ok(stat_value(" lock order reversals: ") == 0,
	    "/proc/lockdep_stats: no lock order reversals");
	return tap_done();
}
