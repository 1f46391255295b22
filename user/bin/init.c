/*
 * init: the first process.
 *
 * "init test [DIR] [NAME...]" runs every program in DIR (default /tests),
 * or only the NAMEs given, one after another and prints one TAP stream:
 * a plan with one line per program,
 * each program's own TAP output nested above its line as a subtest
 * (indented by four spaces, TAP_INDENT=1).  "init bench" runs
 * /bench/bench.  As pid 1 it then powers the machine off; otherwise it
 * exits with the verdict.  With neither word it runs a shell forever
 * (/bin/busybox's when there is one, else /bin/sh), with the console as
 * its controlling terminal.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/reboot.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TESTS	128
#define TEST_TIMEOUT	600		/* seconds per program */

static char *shell_env[] = { "PATH=/bin:/sbin:/tests:/bench", "HOME=/",
	"TERM=vt100", NULL };
/* The last slot is for QEMU_LD_PREFIX, passed on under qemu-user (run_tests). */
static char *test_env[] = { "TAP_INDENT=1", "PATH=/bin:/sbin:/tests:/bench",
	"HOME=/", NULL, NULL };

static volatile int timed_out;

static void
on_alarm(int sig)
{
	(void)sig;
	timed_out = 1;
}

/* Sets (or with secs 0 clears) a one-shot real-time alarm. */
static void
alarm_in(int secs)
{
	struct itimerval it = { { 0, 0 }, { secs, 0 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * busybox init's shutdown signals, which busybox's halt, poweroff and
 * reboot send to pid 1: SIGUSR1 halts, SIGUSR2 powers off, SIGTERM
 * reboots.  (The kernel spares init every signal it has no handler for,
 * as Linux does, so without these they would do nothing.)
 */
static void
on_shutdown_signal(int sig)
{
	dprintf(2, "init: signal %d: the system is going down\n", sig);
	sync();
	reboot(sig == SIGTERM ? LINUX_REBOOT_CMD_RESTART :
	    sig == SIGUSR1 ? LINUX_REBOOT_CMD_HALT : LINUX_REBOOT_CMD_POWER_OFF);
}

/*
 * In the child: execs path, or with INIT_EXEC_WRAPPER set (for running
 * under qemu-user without binfmt_misc) execs "WRAPPER path argv[1]...".
 */
static void
exec_program(const char *path, char *const argv[], char *const envp[])
{
	const char *wrapper = getenv("INIT_EXEC_WRAPPER");
	char *wargv[16];
	int i;

	if (wrapper != NULL && *wrapper != '\0') {
		wargv[0] = (char *)wrapper;
		wargv[1] = (char *)path;
		for (i = 1; argv[i] != NULL && i < 14; i++)
			wargv[i + 1] = argv[i];
		wargv[i + 1] = NULL;
		execve(wrapper, wargv, envp);
	} else {
		execve(path, argv, envp);
	}
	dprintf(2, "init: exec %s: %s\n", path, strerror(errno));
	_exit(127);
}

/* Starts path with argv and envp; returns the pid or -1. */
static pid_t
spawn(const char *path, char *const argv[], char *const envp[])
{
	pid_t pid = fork();

	if (pid == 0)
		exec_program(path, argv, envp);
	return pid;
}

/*
 * Waits for pid, reaping any orphans (re-parented to us as pid 1) on the
 * way.  With a timeout the child is killed when it expires.
 */
static int
wait_for(pid_t pid, int timeout)
{
	int st;
	pid_t w;

	timed_out = 0;
	if (timeout > 0)
		alarm_in(timeout);
	for (;;) {
		w = wait4(-1, &st, 0, NULL);
		if (w == pid)
			break;
		if (w < 0 && errno == EINTR && timed_out) {
			dprintf(1, "# init: pid %d timed out, killing it\n", pid);
			kill(pid, SIGKILL);
			timed_out = 0;
		} else if (w < 0 && errno != EINTR) {
			st = -1;
			break;
		}
	}
	if (timeout > 0)
		alarm_in(0);
	return st;
}

/* Reads the program names in dir, sorted; returns how many. */
static int
list_tests(const char *dir, char **names)
{
	struct dirent *e;
	DIR *d;
	int n = 0, i, j;
	char *t;

	d = opendir(dir);
	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL && n < MAX_TESTS) {
		if (e->d_name[0] == '.')
			continue;
		if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN)
			continue;
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	for (i = 1; i < n; i++) {		/* insertion sort */
		t = names[i];
		for (j = i; j > 0 && strcmp(names[j - 1], t) > 0; j--)
			names[j] = names[j - 1];
		names[j] = t;
	}
	return n;
}

/* Describes a wait status for a "not ok" line. */
static void
describe(int st, char *buf, size_t size)
{
	if (st == -1)
		snprintf(buf, size, "wait failed");
	else if (WIFEXITED(st))
		snprintf(buf, size, "exit status %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(buf, size, "killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, size, "wait status %#x", st);
}

/* Milliseconds of CLOCK_MONOTONIC. */
static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/*
 * Runs the programs in dir (those named by only[0, nonly), or all) as one
 * TAP subtest each, timed; returns the failures.
 */
static int
run_tests(const char *dir, char **only, int nonly)
{
	char *names[MAX_TESTS], path[256], why[64];
	char *argv[2];
	int n, i, st, failed = 0;
	long start;
	pid_t pid;

	if (nonly > 0) {
		for (n = 0; n < nonly && n < MAX_TESTS; n++)
			names[n] = only[n];
	} else {
		n = list_tests(dir, names);
	}
	if (n < 0) {
		printf("1..0 # SKIP cannot open %s: %s\n", dir, strerror(errno));
		return 1;
	}
	/* Under qemu-user, dynamically linked tests need their loaders' prefix. */
	if (getenv("INIT_EXEC_WRAPPER") != NULL && getenv("QEMU_LD_PREFIX") != NULL) {
		static char prefix[512];

		snprintf(prefix, sizeof(prefix), "QEMU_LD_PREFIX=%s", getenv("QEMU_LD_PREFIX"));
		test_env[3] = prefix;
	}
	printf("TAP version 14\n1..%d\n", n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		argv[0] = path;
		argv[1] = NULL;
		printf("# Subtest: %s\n", names[i]);
		start = now_ms();
		pid = spawn(path, argv, test_env);
		st = pid < 0 ? -1 : wait_for(pid, TEST_TIMEOUT);
		printf("# %s took %ld.%ld s\n", names[i], (now_ms() - start) / 1000,
		    (now_ms() - start) / 100 % 10);
		if (st == 0) {
			printf("ok %d - %s\n", i + 1, names[i]);
		} else {
			describe(st, why, sizeof(why));
			printf("not ok %d - %s # %s\n", i + 1, names[i], why);
			failed++;
		}
	}
	printf("# init: %d programs, %d failed\n", n, failed);
	return failed;
}

static int
run_one(const char *path)
{
	char *argv[] = { (char *)path, NULL };
	pid_t pid = spawn(path, argv, shell_env);

	return pid < 0 ? -1 : wait_for(pid, 0);
}

/*
 * The interactive shells, in order of preference: Debian's busybox (its
 * ash, with every applet built in) when the initramfs carries it
 * (build/initramfs-debian.cpio), else the project's own sh.
 */
static const char *const shells[] = { "/bin/busybox", "/bin/sh" };

/* The first of shells that can be executed. */
static const char *
pick_shell(void)
{
	size_t i;

	for (i = 0; i < sizeof(shells) / sizeof(shells[0]) - 1; i++)
		if (access(shells[i], X_OK) == 0)
			return shells[i];
	return shells[i];
}

/*
 * Runs the shell, again whenever it exits: in a session of its own whose
 * controlling terminal is the console (so it has job control, and ^C
 * reaches the program it runs).  argv[0] is "sh", which is also what
 * makes busybox run its shell.
 */
static void
run_shell(void)
{
	char *argv[] = { "sh", NULL };
	const char *shell = pick_shell();
	struct sigaction sa = { .sa_handler = on_shutdown_signal };
	pid_t pid;

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	for (;;) {
		pid = fork();
		if (pid == 0) {
			setsid();
			if (ioctl(0, TIOCSCTTY, 0) < 0)
				dprintf(2, "init: no controlling terminal: %s\n", strerror(errno));
			exec_program(shell, argv, shell_env);
		}
		if (pid < 0 || wait_for(pid, 0) != 0) {
			struct timespec ts = { 1, 0 };

			nanosleep(&ts, NULL);	/* do not spin on a broken sh */
		}
	}
}

/* As pid 1: power off (never return). Otherwise: exit with the verdict. */
static void
finish(int status)
{
	struct timespec ts = { 3600, 0 };

	if (getpid() != 1)
		exit(status);
	reboot(LINUX_REBOOT_CMD_POWER_OFF);
	dprintf(2, "init: reboot: %s\n", strerror(errno));
	for (;;)
		nanosleep(&ts, NULL);
}

int
main(int argc, char **argv)
{
	const char *dir = "/tests";
	char *only[MAX_TESTS];
	int i, test = 0, bench = 0, failed = 0, nonly = 0;
	struct sigaction sa;

	/* Like Linux's inits, pid 1 leads a session (1) of its own: the kernel starts it in none. */
	if (getpid() == 1)
		setsid();
	sa.sa_handler = on_alarm;	/* no SA_RESTART: wait4 must see EINTR */
	sa.sa_flags = 0;
	sa.sa_mask = 0;
	sigaction(SIGALRM, &sa, NULL);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "test") == 0) {
			test = 1;
			if (i + 1 < argc && argv[i + 1][0] == '/')
				dir = argv[++i];
			while (i + 1 < argc && strcmp(argv[i + 1], "bench") != 0 &&
			    nonly < MAX_TESTS)
				only[nonly++] = argv[++i];
		} else if (strcmp(argv[i], "bench") == 0) {
			bench = 1;
		}
	}
	if (!test && !bench)
		run_shell();
	if (test)
		failed = run_tests(dir, only, nonly);
	if (bench && run_one("/bench/bench") != 0)
		failed++;
	finish(failed != 0);
	return 0;
}
