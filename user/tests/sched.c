/*
 * sched: the scheduling calls as Linux answers them: the policies'
 * priority ranges, the caller's policy and parameters, and affinity:
 * sched_getaffinity, sched_setaffinity (of the caller, of a child, of a
 * child already running elsewhere), getcpu agreeing with it, inheritance
 * by fork, and the errors; and /proc/sys/kernel/sched_child_runs_first
 * (ours on by default; Linux's was off, and is gone since 6.6: skipped).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>
#include <vmstat.h>

static cpu_set_t all;		/* the cpus the test may use */

static void
test_policies(void)
{
	struct sched_param sp = { .sched_priority = 5 };

	tap_ok(sched_get_priority_max(SCHED_OTHER) == 0 && sched_get_priority_min(SCHED_OTHER) == 0 &&
	    sched_get_priority_max(SCHED_BATCH) == 0 && sched_get_priority_min(SCHED_IDLE) == 0,
	    "SCHED_OTHER, SCHED_BATCH, SCHED_IDLE: priority 0");
	tap_ok(sched_get_priority_max(SCHED_FIFO) == 99 && sched_get_priority_min(SCHED_FIFO) == 1 &&
	    sched_get_priority_max(SCHED_RR) == 99 && sched_get_priority_min(SCHED_RR) == 1,
	    "SCHED_FIFO and SCHED_RR: 1..99");
	tap_ok(sched_get_priority_max(4) == -1 && errno == EINVAL &&
	    sched_get_priority_min(100) == -1 && errno == EINVAL, "an unknown policy -> EINVAL");
	tap_ok(sched_getscheduler(0) == SCHED_OTHER && sched_getparam(0, &sp) == 0 &&
	    sp.sched_priority == 0, "the caller is SCHED_OTHER, priority 0");
	tap_ok(sched_getscheduler(-1) == -1 && errno == EINVAL &&
	    sched_getscheduler(0x3fffffff) == -1 && errno == ESRCH,
	    "a negative pid -> EINVAL, a missing one -> ESRCH");
}

static cpu_set_t
one_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return set;
}

/* Stay on cpu until the scheduler agrees; true if getcpu says cpu. */
static int
runs_on(int cpu)
{
	cpu_set_t set = one_cpu(cpu);

	if (sched_setaffinity(0, sizeof(set), &set) != 0)
		return 0;
	for (int i = 0; i < 3; i++)
		sched_yield();
	return sched_getcpu() == cpu;
}

static void
test_own_affinity(void)
{
	cpu_set_t set;
	int ok = 1, n = 0;

	tap_ok(sched_getaffinity(0, sizeof(all), &all) == 0 && CPU_COUNT(&all) >= 1 &&
	    CPU_ISSET(sched_getcpu(), &all),
	    "sched_getaffinity: %d cpus, the current one among them", CPU_COUNT(&all));
	for (int cpu = 0; cpu < CPU_SETSIZE; cpu++) {
		if (!CPU_ISSET(cpu, &all))
			continue;
		n++;
		ok &= runs_on(cpu);
	}
	tap_ok(ok, "limited to each cpu in turn, getcpu reports that cpu (%d cpus)", n);
	tap_ok(sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) == 1,
	    "and sched_getaffinity reports the one cpu");
	CPU_ZERO(&set);
	tap_ok(sched_setaffinity(0, sizeof(set), &set) == -1 && errno == EINVAL,
	    "an empty set -> EINVAL");
	set = one_cpu(CPU_SETSIZE - 1);
	tap_ok(sched_setaffinity(0, sizeof(set), &set) == -1 && errno == EINVAL,
	    "a set of no existing cpu -> EINVAL");
	tap_ok(sched_getaffinity(0, 4, &set) == -1 && errno == EINVAL,
	    "sched_getaffinity with a size not a multiple of a long -> EINVAL");
	tap_ok(sched_setaffinity(0, sizeof(set), (cpu_set_t *)8) == -1 && errno == EFAULT,
	    "a bad mask address -> EFAULT");
	tap_ok(sched_setaffinity(0x3fffffff, sizeof(all), &all) == -1 && errno == ESRCH,
	    "a missing pid -> ESRCH");
	sched_setaffinity(0, sizeof(all), &all);
}

static int
first_cpu(const cpu_set_t *set, int after)
{
	for (int cpu = after + 1; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, set))
			return cpu;
	return -1;
}

static int
inherits(void *arg)
{
	cpu_set_t set;

	return sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) == 1 &&
	    CPU_ISSET(*(int *)arg, &set) ? 0 : 1;
}

static int
may_not_set_root(void *arg)
{
	pid_t root = *(pid_t *)arg;

	if (setresuid(1000, 1000, 1000) != 0)
		return 1;
	return sched_setaffinity(root, sizeof(all), &all) == -1 && errno == EPERM ? 0 : 2;
}

/* A child that spins until getcpu says cpu (then exits 0), or 5 s pass. */
static pid_t
spinner(int cpu, int pfd[2])
{
	pid_t pid = fork();

	if (pid == 0) {
		struct timespec t0, t;

		write(pfd[1], "x", 1);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		do {
			if (sched_getcpu() == cpu)
				_exit(0);
			clock_gettime(CLOCK_MONOTONIC, &t);
		} while (t.tv_sec - t0.tv_sec < 5);
		_exit(1);
	}
	return pid;
}

static void
test_others(void)
{
	int cpu0 = first_cpu(&all, -1), cpu1 = first_cpu(&all, cpu0), st, pfd[2];
	pid_t self = getpid(), pid;
	cpu_set_t set;
	char c;

	set = one_cpu(cpu0);
	sched_setaffinity(0, sizeof(set), &set);
	st = run_child(inherits, &cpu0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "a forked child inherits the affinity");
	sched_setaffinity(0, sizeof(all), &all);
	st = run_child(may_not_set_root, &self);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "another user may not change our affinity (EPERM)");
	if (cpu1 < 0) {
		tap_skip("moving a running child: only one cpu");
		return;
	}
	/* The child starts on cpu0 only and spins; we move it to cpu1 while it runs. */
	pipe(pfd);
	set = one_cpu(cpu0);
	sched_setaffinity(0, sizeof(set), &set);
	pid = spinner(cpu1, pfd);
	sched_setaffinity(0, sizeof(all), &all);
	read(pfd[0], &c, 1);
	set = one_cpu(cpu1);
	tap_ok(sched_setaffinity(pid, sizeof(set), &set) == 0 && waitpid(pid, &st, 0) == pid &&
	    WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "a running child moved from cpu %d to cpu %d gets there", cpu0, cpu1);
	close(pfd[0]);
	close(pfd[1]);
}

#define CHILD_FIRST	"/proc/sys/kernel/sched_child_runs_first"

/*
 * With the switch on, a child forked on the parent's only cpu has run
 * (and here exited) before fork returns in the parent; its mark is in a
 * shared page.  Values are 0 or not, any int.
 */
static void
test_child_runs_first(void)
{
	volatile int *mark = mmap(NULL, PGSZ, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cpu_set_t set = one_cpu(first_cpu(&all, -1));
	char text[16];
	int seen, st;
	pid_t pid;

	if (read_text_file(CHILD_FIRST, text, sizeof(text)) <= 0) {
		for (int i = 0; i < 3; i++)
			tap_skip("no %s (Linux 6.6 and later)", CHILD_FIRST);
		return;
	}
	tap_ok(strcmp(text, "1\n") == 0, "sched_child_runs_first is on by default (%c)", text[0]);
	sched_setaffinity(0, sizeof(set), &set);
	*mark = 0;
	if ((pid = fork()) == 0) {
		*mark = 1;
		_exit(0);
	}
	seen = *mark;
	waitpid(pid, &st, 0);
	sched_setaffinity(0, sizeof(all), &all);
	tap_ok(seen == 1 && WIFEXITED(st), "a child forked on our only cpu ran before fork returned here");
	tap_ok(write_text_file(CHILD_FIRST, "0") == 0 &&
	    read_text_file(CHILD_FIRST, text, sizeof(text)) > 0 && strcmp(text, "0\n") == 0 &&
	    write_text_file(CHILD_FIRST, "5") == 0 && read_text_file(CHILD_FIRST, text, sizeof(text)) > 0 &&
	    strcmp(text, "1\n") == 0 && write_text_file(CHILD_FIRST, "-1") == -1 && errno == EINVAL &&
	    write_text_file(CHILD_FIRST, "4294967296") == -1 && errno == EINVAL,
	    "it takes 0 and any other int (read back as 1); not a negative or a long");
	write_text_file(CHILD_FIRST, "1");
	munmap((void *)mark, PGSZ);
}

int
main(void)
{
	tap_plan(19);
	test_policies();
	test_own_affinity();
	test_others();
	test_child_runs_first();
	return tap_done();
}
