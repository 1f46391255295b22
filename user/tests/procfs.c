/*
 * procfs: process information as Linux's /proc shows it: the directory
 * per process (stat, status, cmdline, fd/), the listing of /proc,
 * cpuinfo, uptime, loadavg (a real load average), stat, and sysinfo(2).
 *
 * Under qemu-user, /proc/self/stat and /proc/self/cmdline are the
 * emulator's own imitation and another process's files describe the
 * emulator running it (its threads, its signal handlers, its name): the
 * checks that cannot hold there are skipped, each saying why.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define TEXT_MAX	16384

static char text[TEXT_MAX];
static int qemu;		/* under qemu-user */

/* Read a whole /proc file into text; its length, or -1. */
static int
slurp(const char *path)
{
	int fd = open(path, O_RDONLY), n, total = 0;

	if (fd < 0)
		return -1;
	while (total < TEXT_MAX - 1 && (n = read(fd, text + total, TEXT_MAX - 1 - total)) > 0)
		total += n;
	close(fd);
	text[total] = '\0';
	return total;
}

/* The value after "name:" at the start of a line of the text, or -1. */
static long
status_field(const char *name)
{
	char want[64];
	const char *p;

	snprintf(want, sizeof(want), "\n%s:", name);
	if (strncmp(text, want + 1, strlen(want + 1)) == 0)
		p = text - 1;
	else if ((p = strstr(text, want)) == NULL)
		return -1;
	p += strlen(want);
	while (*p == ' ' || *p == '\t')
		p++;
	return strtol(p, NULL, 10);
}

/* The status line for name, without the name, or NULL. */
static const char *
status_line(const char *name, char *buf, size_t size)
{
	char want[64];
	const char *p, *end;

	snprintf(want, sizeof(want), "\n%s:\t", name);
	if ((p = strstr(text, want)) == NULL)
		return NULL;
	p += strlen(want);
	end = strchr(p, '\n');
	snprintf(buf, size, "%.*s", end != NULL ? (int)(end - p) : (int)strlen(p), p);
	return buf;
}

/* A decimal with two places ("12.34") in hundredths; *end after it. */
static long
hundredths(const char *s, const char **end)
{
	char *e;
	long whole = strtol(s, &e, 10), frac = 0;

	if (*e == '.') {
		frac = strtol(e + 1, &e, 10);
	}
	*end = e;
	return whole * 100 + frac;
}

/* Field n (1-based, as proc(5) numbers them) of a stat line; 0 if absent. */
static long
stat_field(int n)
{
	const char *p = strrchr(text, ')');

	if (n <= 2 || p == NULL)
		return 0;
	p += 2;			/* field 3 */
	for (int i = 3; i < n && p != NULL; i++) {
		p = strchr(p, ' ');
		if (p != NULL)
			p++;
	}
	return p != NULL ? strtol(p, NULL, 10) : 0;
}

static char
stat_state(void)
{
	const char *p = strrchr(text, ')');

	return p != NULL ? p[2] : '?';
}

static int
read_stat(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	return slurp(path);
}

static int
read_status(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	return slurp(path);
}

static volatile uint64_t sink;

static void
on_term(int sig)
{
	(void)sig;
}

/*
 * A child that computes for about 300 ms of CPU time, sets ids and
 * signal dispositions, says so on the pipe pfd, and sleeps reading
 * another pipe (the caller's read of pfd then waits for all that).
 */
static pid_t
sleeper(int pfd[2])
{
	int block[2];
	pid_t pid;

	pipe(pfd);
	pipe(block);
	pid = fork();
	if (pid == 0) {
		struct timespec t0, t;
		sigset_t set;
		char c;

		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
		do {
			for (int i = 0; i < 500000; i++)
				sink += (uint64_t)i * i;
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
		} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 300);
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		sigprocmask(SIG_BLOCK, &set, NULL);
		signal(SIGUSR2, SIG_IGN);
		signal(SIGTERM, on_term);
		setresgid(100, 101, 102);
		setresuid(1000, 1001, 1002);
		write(pfd[1], "x", 1);
		read(block[0], &c, 1);	/* no one writes: it sleeps here */
		_exit(0);
	}
	close(block[0]);
	close(block[1]);
	return pid;
}

static void
test_stat(void)
{
	long self_start, ticks;
	int pfd[2], st;
	pid_t pid;
	char c;

	/* (qemu-user's imitation has the state as 0.) */
	tap_ok(slurp("/proc/self/stat") > 0 && strtol(text, NULL, 10) == getpid() &&
	    strstr(text, "(procfs) ") != NULL && (qemu || stat_state() == 'R') &&
	    stat_field(4) == getppid(), "/proc/self/stat: pid, (comm), R while reading it, ppid");
	self_start = stat_field(22);
	pid = sleeper(pfd);
	read(pfd[0], &c, 1);
	usleep(100000);		/* let it reach its read */
	tap_ok(read_stat(pid) > 0 && stat_state() == 'S' && stat_field(4) == getpid(),
	    "a child blocked in read: state S, our pid as its ppid");
	ticks = stat_field(14);
	tap_ok(ticks >= 20, "its utime shows its 300 ms of computing (%ld ticks)", ticks);
	tap_ok(stat_field(10) > 0 && stat_field(23) > 0 && stat_field(24) > 0,
	    "minflt, vsize and rss are counted (%ld, %ld, %ld)", stat_field(10), stat_field(23),
	    stat_field(24));
	tap_ok(stat_field(22) >= self_start, "it started after us (%ld >= %ld)", stat_field(22),
	    self_start);
	if (qemu)
		tap_skip("num_threads: the emulator runs more than one thread");
	else
		tap_ok(stat_field(20) == 1, "num_threads 1");
	tap_ok(read_status(pid) > 0 && status_field("Pid") == pid && status_field("PPid") == getpid(),
	    "its status: Pid and PPid");
	{
		char buf[128];

		tap_ok(status_line("State", buf, sizeof(buf)) != NULL &&
		    strcmp(buf, "S (sleeping)") == 0, "State: S (sleeping)");
		tap_ok(status_line("Uid", buf, sizeof(buf)) != NULL &&
		    strcmp(buf, "1000\t1001\t1002\t1001") == 0 &&
		    status_line("Gid", buf, sizeof(buf)) != NULL &&
		    strcmp(buf, "100\t101\t102\t101") == 0,
		    "Uid and Gid: real, effective, saved, fs");
		if (qemu) {
			tap_skip("SigBlk, SigIgn, SigCgt: the emulator's own, not the program's");
		} else {
			tap_ok(status_line("SigBlk", buf, sizeof(buf)) != NULL &&
			    strcmp(buf, "0000000000000200") == 0 &&
			    status_line("SigIgn", buf, sizeof(buf)) != NULL &&
			    strcmp(buf, "0000000000000800") == 0 &&
			    status_line("SigCgt", buf, sizeof(buf)) != NULL &&
			    strcmp(buf, "0000000000004000") == 0,
			    "SigBlk, SigIgn, SigCgt: SIGUSR1 blocked, SIGUSR2 ignored, SIGTERM caught");
		}
		tap_ok(status_field("VmRSS") > 0 && status_field("VmHWM") >= status_field("VmRSS") &&
		    status_field("VmSize") > 0 && status_field("voluntary_ctxt_switches") >= 1,
		    "VmRSS, VmHWM >= VmRSS, VmSize, voluntary switches");
	}
	kill(pid, SIGKILL);
	usleep(100000);
	tap_ok(read_stat(pid) > 0 && stat_state() == 'Z', "killed and not yet waited for: Z");
	waitpid(pid, &st, 0);
	tap_ok(read_stat(pid) == -1, "waited for: its directory is gone");
	close(pfd[0]);
	close(pfd[1]);
}

static void
test_self_status(void)
{
	const size_t npages = 2048;	/* 8 MiB */
	long hwm0, hwm1, lck;
	char *p;

	slurp("/proc/self/status");
	hwm0 = status_field("VmHWM");
	p = map_pages(npages);
	for (size_t i = 0; p != NULL && i < npages; i++)
		p[i * PGSZ] = 1;
	munmap(p, npages * PGSZ);
	slurp("/proc/self/status");
	hwm1 = status_field("VmHWM");
	tap_ok(hwm1 >= 8192 && hwm1 >= hwm0, "VmHWM keeps an 8 MiB peak after munmap (%ld kB)", hwm1);
	p = map_pages(4);
	mlock(p, 4 * PGSZ);
	slurp("/proc/self/status");
	lck = status_field("VmLck");
	tap_ok(lck >= 16, "VmLck counts 4 locked pages (%ld kB)", lck);
	munlock(p, 4 * PGSZ);
	munmap(p, 4 * PGSZ);
	tap_ok(status_field("VmSwap") == 0 && status_field("Threads") >= 1,
	    "VmSwap and Threads are there");
}

static void
test_cmdline(int argc, char **argv, const char *self)
{
	char want[256];
	int len = 0, n, st;
	pid_t pid;

	for (int i = 0; i < argc; i++)
		len += snprintf(want + len, sizeof(want) - len, "%s", argv[i]) + 1;
	n = slurp("/proc/self/cmdline");
	tap_ok(n == len && memcmp(text, want, len) == 0, "/proc/self/cmdline is argv, NUL-separated");
	if (qemu) {
		tap_skip("exec and setproctitle: qemu-user imitates cmdline from its own copy");
		return;
	}
	pid = fork();
	if (pid == 0) {
		char *args[] = { (char *)self, "cmdline-check", "x y", "", "z", NULL };

		execve(self, args, NULL);
		_exit(3);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "after exec: five arguments, one with a space, one empty (status %#x)", st);
}

/* In the exec'd child: its own cmdline, and the one setproctitle-style rewriting makes. */
static int
cmdline_check(int argc, char **argv)
{
	static const char want[] = "procfs\0cmdline-check\0x y\0\0z";
	int n = slurp("/proc/self/cmdline");

	(void)argc;
	if (n != (int)strlen(argv[0]) + (int)sizeof(want) - 6 ||
	    memcmp(text + strlen(argv[0]) + 1, want + 7, sizeof(want) - 7) != 0)
		return 1;
	/* Overwrite the argument area as setproctitle does, running past its end. */
	memset(argv[0], 'A', argv[4] + strlen(argv[4]) - argv[0] + 1);
	strcpy(argv[0], "renamed");
	n = slurp("/proc/self/cmdline");
	return n == 7 && memcmp(text, "renamed", 7) == 0 ? 0 : 2;
}

static int
fd_listed(int fd)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int found = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (atoi(de->d_name) == fd && de->d_name[0] != '.' &&
		    (de->d_type == DT_LNK || de->d_type == DT_UNKNOWN))
			found = 1;
	closedir(d);
	return found;
}

static void
test_fd(void)
{
	int fd = 57, tmp = open("/dev/null", O_RDONLY);	/* high: opendir takes the lowest */
	char path[64];
	struct stat st;

	dup2(tmp, fd);
	close(tmp);
	tap_ok(fd_listed(0) == 1 && fd_listed(1) == 1 && fd_listed(fd) == 1,
	    "/proc/self/fd lists 0, 1 and a new descriptor %d as links", fd);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	tap_ok(lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && (st.st_mode & 0777) == 0500,
	    "lstat of a descriptor open for reading: a link, r-x------ (%o)", st.st_mode);
	close(fd);
	tap_ok(fd_listed(fd) == 0 && lstat(path, &st) == -1 && errno == ENOENT,
	    "closed, it is gone");
}

static void
test_listing(void)
{
	DIR *d = opendir("/proc");
	int self = 0, child = 0, cpuinfo = 0, pfd[2], st;
	pid_t pid = sleeper(pfd);
	struct dirent *de;
	char c;

	read(pfd[0], &c, 1);
	while (d != NULL && (de = readdir(d)) != NULL) {
		self |= atoi(de->d_name) == getpid() && de->d_type == DT_DIR;
		child |= atoi(de->d_name) == pid && de->d_type == DT_DIR;
		cpuinfo |= strcmp(de->d_name, "cpuinfo") == 0;
	}
	if (d != NULL)
		closedir(d);
	tap_ok(self && child && cpuinfo, "/proc lists our directory, our child's and cpuinfo");
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	close(pfd[0]);
	close(pfd[1]);
}

static void
test_system_files(void)
{
	struct timespec boot;
	long up, idle;
	cpu_set_t set;
	int n = 0, ncpu;
	const char *p, *end;

	sched_getaffinity(0, sizeof(set), &set);
	ncpu = CPU_COUNT(&set);
	slurp("/proc/cpuinfo");
	for (p = text; (p = strstr(p, "processor\t: ")) != NULL; p++)
		n++;
	tap_ok(n >= ncpu && n > 0, "/proc/cpuinfo: a processor entry per cpu (%d, %d usable)", n,
	    ncpu);
	if (qemu)
		tap_skip("cpuinfo's isa line: the host is not riscv");
	else
		tap_ok(n == ncpu && strstr(text, "isa\t\t: rv64") != NULL &&
		    strstr(text, "mmu\t\t: sv39") != NULL, "each with isa rv64... and mmu sv39");
	slurp("/proc/uptime");
	clock_gettime(CLOCK_BOOTTIME, &boot);
	up = hundredths(text, &end);
	idle = hundredths(end + 1, &end);
	tap_ok(up > 0 && up / 100 >= boot.tv_sec - 1 && up / 100 <= boot.tv_sec + 1 && idle >= 0 &&
	    *end == '\n', "/proc/uptime: %ld.%02ld s up (CLOCK_BOOTTIME %ld), %ld.%02ld s idle",
	    up / 100, up % 100, (long)boot.tv_sec, idle / 100, idle % 100);
	slurp("/proc/stat");
	tap_ok(strncmp(text, "cpu ", 4) == 0 && strstr(text, "\ncpu0 ") != NULL &&
	    strstr(text, "\nctxt ") != NULL && strstr(text, "\nbtime ") != NULL &&
	    strstr(text, "\nprocesses ") != NULL && strstr(text, "\nprocs_running ") != NULL,
	    "/proc/stat: cpu, cpu0, ctxt, btime, processes, procs_running");
}

/* /proc/loadavg's fields; the number of them parsed. */
struct loadavg {
	long	load[3];		/* hundredths */
	long	running, threads, last;
};

static int
read_loadavg(struct loadavg *la)
{
	const char *p = text;
	char *e;
	int n = 0;

	if (slurp("/proc/loadavg") <= 0)
		return 0;
	for (int i = 0; i < 3; i++, n++) {
		la->load[i] = hundredths(p, &p);
		if (*p++ != ' ')
			return n;
	}
	la->running = strtol(p, &e, 10);
	if (*e != '/')
		return n;
	la->threads = strtol(e + 1, &e, 10);
	la->last = strtol(e, &e, 10);
	return *e == '\n' ? n + 3 : n;
}

#define LOADAVG_WAIT_S	60	/* how long the busy processes may take to show */

static void
test_loadavg(void)
{
	struct loadavg la, lb;
	int n, st;
	pid_t pids[3];
	struct timespec t0, t;

	pids[0] = fork();
	if (pids[0] == 0)
		_exit(0);
	waitpid(pids[0], &st, 0);
	n = read_loadavg(&la);
	tap_ok(n == 6 && la.running >= 1 && la.threads >= la.running && la.last >= pids[0],
	    "/proc/loadavg: three averages, %ld/%ld threads, the last pid (%ld >= %d)", la.running,
	    la.threads, la.last, pids[0]);
	if (qemu) {
		tap_skip("the load average rising: the host's load is everyone's");
		return;
	}
	/* Three processes computing through a 5 s sample raise the 1-minute average. */
	for (int i = 0; i < 3; i++) {
		if ((pids[i] = fork()) == 0)
			for (;;)
				sink++;
	}
	/*
	 * A sample is taken every 501 clock ticks, and a tick is programmed
	 * from the last one's handling: on a busy host, whose emulated cpus
	 * take their ticks late, 501 ticks can last far longer than 5 s.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		usleep(200000);
		read_loadavg(&lb);
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while (lb.load[0] < la.load[0] + 20 && t.tv_sec - t0.tv_sec < LOADAVG_WAIT_S);
	for (int i = 0; i < 3; i++) {
		kill(pids[i], SIGKILL);
		waitpid(pids[i], &st, 0);
	}
	tap_ok(lb.load[0] >= la.load[0] + 20,
	    "three busy processes raise the 1-minute load by 0.20 or more (%ld.%02ld -> %ld.%02ld)",
	    la.load[0] / 100, la.load[0] % 100, lb.load[0] / 100, lb.load[0] % 100);
}

static void
test_sysinfo(void)
{
	struct sysinfo si;
	struct timespec boot;
	long total_kb;

	memset(&si, 0xff, sizeof(si));
	clock_gettime(CLOCK_BOOTTIME, &boot);
	tap_ok(sysinfo(&si) == 0 && si.uptime >= boot.tv_sec && si.uptime <= boot.tv_sec + 2 &&
	    si.mem_unit == 1, "sysinfo: uptime %ld s, mem_unit 1", si.uptime);
	slurp("/proc/meminfo");
	total_kb = status_field("MemTotal");
	tap_ok(si.totalram / 1024 == (unsigned long)total_kb && si.freeram > 0 &&
	    si.freeram < si.totalram, "totalram is MemTotal (%lu kB), freeram below it",
	    si.totalram / 1024);
	tap_ok(si.procs >= 1 && sysinfo((struct sysinfo *)8) == -1 && errno == EFAULT,
	    "procs %u; a bad address -> EFAULT", si.procs);
}

int
main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "cmdline-check") == 0)
		return cmdline_check(argc, argv);
	qemu = under_qemu_user();
	tap_plan(31);
	test_stat();
	test_self_status();
	test_cmdline(argc, argv, argv[0]);
	test_fd();
	test_listing();
	test_system_files();
	test_loadavg();
	test_sysinfo();
	return tap_done();
}
