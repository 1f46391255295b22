/*
 * exec: execve of programs that are not simply static ELF files.
 *
 *   - PT_INTERP: helpers/dyn_report names /lib/ld-sable.so.1 (user/ld/),
 *     which the kernel loads as a second image at a random base and
 *     starts first; the report says what the auxiliary vector held
 *     (AT_BASE, AT_ENTRY, AT_PHDR, AT_PHNUM), where the loader's
 *     finalizer was, and /proc/self/exe (the program, not the loader).
 *   - the loader run as a program maps the program itself with mmap;
 *   - bad interpreters: missing (ENOENT), not executable (EACCES), not
 *     a loader (ELIBBAD), a malformed PT_INTERP (ENOEXEC);
 *   - "#!" scripts: the arguments Linux builds, scripts run by scripts,
 *     the depth limit (ELOOP), and the errors;
 *   - /proc/PID/exe: absolute, " (deleted)" once the file is removed,
 *     inherited by fork, gone with the process; followed (open, stat,
 *     execve) it is the program itself, a removed one too (a magic link).
 *
 * On Linux through qemu-user the programs are started through the
 * emulator (execve_riscv), which loads interpreters from QEMU_LD_PREFIX
 * as Linux would; what only a kernel's own execve shows (its errors,
 * scripts, other processes' exe links) is skipped there.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <unistd.h>
#include <vmstat.h>

#define OUT_MAX		4096
#define LOADER		"/lib/ld-sable.so.1"
#define EXEC_FAILED	"execve-errno "		/* what a child says when execve fails */
#define SCRIPT_DEPTH	5			/* Linux: scripts may run scripts this deep */

extern char **environ;

static char self[512];		/* this program's absolute path */
static char report[512];	/* helpers/dyn_report's */
static char loader[512];	/* the loader's file (under the qemu-user prefix on Linux) */
static int qemu;

/* Make path absolute against the current directory. */
static void
absolute(const char *path, char *out, size_t size)
{
	char cwd[256];

	if (path[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		snprintf(out, size, "%s", path);
	else
		snprintf(out, size, "%s/%s", cwd, path);
}

/*
 * Run path with argv, its output in out: the wait status, with out
 * starting EXEC_FAILED and the errno if execve failed.
 */
static int
run(const char *path, char *const argv[], char *out)
{
	int fds[2], status, n = 0;
	ssize_t got;
	pid_t pid;

	if (pipe(fds) != 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		execve_riscv(path, argv, environ);
		dprintf(1, EXEC_FAILED "%d\n", errno);
		_exit(127);
	}
	close(fds[1]);
	while (n < OUT_MAX - 1 && (got = read(fds[0], out + n, (size_t)(OUT_MAX - 1 - n))) > 0)
		n += (int)got;
	out[n] = '\0';
	close(fds[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* execve's errno for path (0 if it ran and exited 0). */
static int
exec_errno(const char *path, char *const argv[])
{
	char out[OUT_MAX];
	int status = run(path, argv, out);

	if (strncmp(out, EXEC_FAILED, strlen(EXEC_FAILED)) == 0)
		return atoi(out + strlen(EXEC_FAILED));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The value of the report line "key value" in out (one of 4 static copies), or "". */
static const char *
get(const char *out, const char *key)
{
	static char values[4][512];
	static int next;
	char *value = values[next++ % 4];
	size_t klen = strlen(key);

	for (const char *line = out; *line != '\0';) {
		const char *end = strchr(line, '\n');
		size_t len = end != NULL ? (size_t)(end - line) : strlen(line);

		if (len > klen && strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			snprintf(value, sizeof(values[0]), "%.*s", (int)(len - klen - 1),
			    line + klen + 1);
			return value;
		}
		line += len + (end != NULL);
	}
	value[0] = '\0';
	return value;
}

static unsigned long
get_num(const char *out, const char *key)
{
	return strtoul(get(out, key), NULL, 0);
}

/* Did the report say the program came up through a loader that checked it? */
static int
ran_through_loader(const char *out)
{
	unsigned long base = get_num(out, "base"), fini = get_num(out, "fini");

	return base != 0 && (base & (PGSZ - 1)) == 0 && get_num(out, "base_is_elf") == 1 &&
	    strncmp(get(out, "base_perms"), "r-x", 3) == 0 && fini >= base &&
	    fini < base + 16 * PGSZ && get_num(out, "entry_ok") == 1 &&
	    get_num(out, "phdr_ok") == 1 && get_num(out, "phnum_ok") == 1;
}

static void
test_interp(void)
{
	char *argv[] = { report, "one", "two words", NULL };
	char out[OUT_MAX], tail[512];
	int status = run(report, argv, out);

	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && get_num(out, "argc") == 3 &&
	    strcmp(get(out, "argv1"), "one") == 0 && strcmp(get(out, "argv2"), "two words") == 0,
	    "a program naming ld-sable.so.1 runs, with its arguments (status %#x)", status);
	tap_ok(ran_through_loader(out),
	    "AT_BASE is the loader's (%s, %s), AT_ENTRY/AT_PHDR/AT_PHNUM the program's, a0 "
	    "the loader's finalizer (%s)", get(out, "base"), get(out, "base_perms"),
	    get(out, "fini"));
	tap_ok(strcmp(get(out, "exe"), report) == 0 && strcmp(get(out, "execfn"), report) == 0,
	    "/proc/self/exe and AT_EXECFN name the program, not its loader (%s)",
	    get(out, "exe"));
	tap_ok(get_num(out, "bss_tail_zero") == 1,
	    "the bss's last page is zero past the bss's end, as Linux leaves it");
	snprintf(tail, sizeof(tail), "%s", report);
	snprintf(strrchr(tail, '/'), sizeof(tail) - (size_t)(strrchr(tail, '/') - tail),
	    "/bss_tail");
	argv[0] = tail;
	argv[1] = NULL;
	status = run(tail, argv, out);
	tap_ok(status == 0, "and where the data's page also holds the bss and file bytes after "
	    "it (status %#x)", status);
}

/* The loader goes at a random base: four runs see at least two bases. */
static void
test_interp_random(void)
{
	char *argv[] = { report, NULL };
	unsigned long bases[4];
	char out[OUT_MAX];
	int distinct = 0;

	for (int i = 0; i < 4; i++) {
		run(report, argv, out);
		bases[i] = get_num(out, "base");
		distinct += bases[i] != 0;
		for (int j = 0; j < i; j++)
			if (bases[j] == bases[i])
				distinct -= bases[i] != 0, j = i;
	}
	if (qemu && distinct == 1)
		tap_skip("qemu-user places the interpreter at one address");
	else
		tap_ok(distinct >= 2, "the loader's base is random (%d of 4 runs differ: %#lx %#lx)",
		    distinct, bases[0], bases[1]);
}

/* "ld-sable.so.1 PROGRAM ARGS": the loader maps the program itself. */
static void
test_loader_direct(void)
{
	char *argv[] = { loader, report, "x", NULL };
	char out[OUT_MAX];
	int status = run(loader, argv, out);

	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && get_num(out, "argc") == 2 &&
	    strcmp(get(out, "argv0"), report) == 0 && strcmp(get(out, "argv1"), "x") == 0,
	    "the loader run as a program maps and starts another (status %#x, argv0 %s)",
	    status, get(out, "argv0"));
	tap_ok(ran_through_loader(out) && strcmp(get(out, "exe"), loader) == 0,
	    "its vector describes the program it mapped; /proc/self/exe is the loader (%s)",
	    get(out, "exe"));
}

/* Copy from into a new file at to with mode; returns 0 or -1. */
static int
copy_file(const char *from, const char *to, mode_t mode)
{
	char buf[4096];
	int in = open(from, O_RDONLY), out;
	ssize_t n;

	unlink(to);
	out = open(to, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (in < 0 || out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -1;
	close(in);
	close(out);
	return n == 0 ? 0 : -1;
}

static int
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)) < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len)
		return -1;
	return close(fd);
}

/*
 * A copy of dyn_report at path whose PT_INTERP string is replaced by
 * interp (no longer than LOADER); with unterminated, its NUL becomes 'x'.
 */
static int
with_interp(const char *path, const char *interp, int unterminated)
{
	static char image[1 << 20];
	size_t len = strlen(LOADER);
	int fd = open(report, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, image, sizeof(image)) : -1;

	if (fd >= 0)
		close(fd);
	if (strlen(interp) > len)
		return -1;
	for (ssize_t i = 0; n > 0 && i + (ssize_t)len < n; i++) {
		if (memcmp(image + i, LOADER, len + 1) != 0)
			continue;
		memset(image + i, '\0', len);
		memcpy(image + i, interp, strlen(interp));
		if (unterminated)
			image[i + len] = 'x';
		return write_file(path, image, (size_t)n, 0755);
	}
	return -1;
}

static void
test_interp_errors(void)
{
	static const char not_elf[] = "this is no loader\n";
	char *argv[] = { "/tmp/exec_prog", NULL };
	char wrong[64];
	int fd;

	if (qemu) {
		tap_skip("qemu-user reports a bad interpreter itself, not as execve's errno");
		tap_skip("qemu-user reports a bad interpreter itself, not as execve's errno");
		tap_skip("qemu-user reports a bad interpreter itself, not as execve's errno");
		tap_skip("qemu-user reports a bad interpreter itself, not as execve's errno");
		tap_skip("qemu-user reports a bad interpreter itself, not as execve's errno");
		return;
	}
	with_interp("/tmp/exec_prog", "/tmp/no_loader", 0);
	tap_ok(exec_errno(argv[0], argv) == ENOENT, "a missing interpreter -> ENOENT");
	copy_file(loader, "/tmp/exec_ld", 0644);
	with_interp("/tmp/exec_prog", "/tmp/exec_ld", 0);
	tap_ok(exec_errno(argv[0], argv) == EACCES, "an interpreter without x permission -> EACCES");
	write_file("/tmp/exec_ld", not_elf, sizeof(not_elf) - 1, 0755);
	tap_ok(exec_errno(argv[0], argv) == ELIBBAD, "an interpreter that is not ELF -> ELIBBAD");
	/* The loader for another machine: e_machine 62 (x86-64). */
	copy_file(loader, "/tmp/exec_ld", 0755);
	fd = open("/tmp/exec_ld", O_WRONLY);
	snprintf(wrong, sizeof(wrong), "%c", 62);
	pwrite(fd, wrong, 1, 18);
	close(fd);
	tap_ok(exec_errno(argv[0], argv) == ELIBBAD,
	    "an interpreter for another machine -> ELIBBAD");
	with_interp("/tmp/exec_prog", LOADER, 1);
	tap_ok(exec_errno(argv[0], argv) == ENOEXEC, "a PT_INTERP without its NUL -> ENOEXEC");
	unlink("/tmp/exec_prog");
	unlink("/tmp/exec_ld");
}

/*
 * Scripts.  This program is an interpreter too: "--args" prints its
 * arguments, one "argvN" line each.
 */

static int
print_args(int argc, char **argv)
{
	char exe[512];
	ssize_t n;

	printf("argc %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv%d %s\n", i, argv[i]);
	printf("execfn %s\n", (const char *)getauxval(AT_EXECFN));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	printf("exe %s\n", exe);
	return 0;
}

static int
script(const char *path, const char *first_line)
{
	char text[512];

	snprintf(text, sizeof(text), "%s\nthe rest is for the interpreter\n", first_line);
	return write_file(path, text, strlen(text), 0755);
}

/* Do out's argv lines read exactly want[]? */
static int
args_are(const char *out, const char *const want[], int n)
{
	char key[16];

	if ((int)get_num(out, "argc") != n)
		return 0;
	for (int i = 0; i < n; i++) {
		snprintf(key, sizeof(key), "argv%d", i);
		if (strcmp(get(out, key), want[i]) != 0)
			return 0;
	}
	return 1;
}

static void
test_scripts(void)
{
	char line[600], out[OUT_MAX], path[64], prev[64];
	char *argv[] = { "/tmp/s1", "a", "b c", NULL };
	int status;

	if (qemu) {
		for (int i = 0; i < 10; i++)
			tap_skip("qemu-user cannot exec a riscv64 script's interpreter without "
			    "binfmt_misc");
		return;
	}
	snprintf(line, sizeof(line), "#!%s --args", self);
	script("/tmp/s1", line);
	status = run("/tmp/s1", argv, out);
	{
		const char *want[] = { self, "--args", "/tmp/s1", "a", "b c" };

		tap_ok(status == 0 && args_are(out, want, 5) &&
		    strcmp(get(out, "execfn"), "/tmp/s1") == 0,
		    "#!interp arg: argv is interp, arg, the script, then argv[1..]; AT_EXECFN "
		    "the script");
	}
	snprintf(line, sizeof(line), "#! \t%s   --args  one arg \t ", self);
	script("/tmp/s1", line);
	status = run("/tmp/s1", argv, out);
	{
		const char *want[] = { self, "--args  one arg", "/tmp/s1", "a", "b c" };

		tap_ok(status == 0 && args_are(out, want, 5),
		    "blanks separate the name; the rest of the line is one argument (%s)",
		    get(out, "argv1"));
	}
	/* A script run by a program that has an interpreter of its own. */
	snprintf(line, sizeof(line), "#!%s", report);
	script("/tmp/s2", line);
	argv[0] = "/tmp/s2";
	status = run("/tmp/s2", argv, out);
	{
		const char *want[] = { report, "/tmp/s2", "a", "b c" };

		tap_ok(status == 0 && args_are(out, want, 4) && ran_through_loader(out) &&
		    strcmp(get(out, "exe"), report) == 0 && strcmp(get(out, "comm"), "s2") == 0,
		    "a script whose interpreter has a loader: exe is the interpreter, comm the "
		    "script (%s, %s)", get(out, "exe"), get(out, "comm"));
	}
	/* A script run by a script. */
	script("/tmp/s3", "#!/tmp/s2 y");
	argv[0] = "/tmp/s3";
	status = run("/tmp/s3", argv, out);
	{
		const char *want[] = { report, "/tmp/s2", "y", "/tmp/s3", "a", "b c" };

		tap_ok(status == 0 && args_are(out, want, 6),
		    "a script's interpreter may be a script: each adds its own name");
	}
	/* SCRIPT_DEPTH scripts in a chain run; one more is ELOOP. */
	snprintf(prev, sizeof(prev), "%s", report);
	for (int i = 1; i <= SCRIPT_DEPTH + 1; i++) {
		snprintf(path, sizeof(path), "/tmp/chain%d", i);
		snprintf(line, sizeof(line), "#!%s", prev);
		script(path, line);
		snprintf(prev, sizeof(prev), "%s", path);
	}
	argv[0] = "/tmp/chain5";
	status = run(argv[0], argv, out);
	tap_ok(status == 0 && get_num(out, "argc") == 8, "%d scripts in a chain run (argc %lu)",
	    SCRIPT_DEPTH, get_num(out, "argc"));
	argv[0] = "/tmp/chain6";
	tap_ok(exec_errno(argv[0], argv) == ELOOP, "%d scripts in a chain -> ELOOP",
	    SCRIPT_DEPTH + 1);
	argv[0] = "/tmp/s1";
	script("/tmp/s1", "#!");
	tap_ok(exec_errno("/tmp/s1", argv) == ENOEXEC, "#! and no interpreter -> ENOEXEC");
	script("/tmp/s1", "#!/tmp/no_such_interpreter");
	tap_ok(exec_errno("/tmp/s1", argv) == ENOENT, "a missing interpreter -> ENOENT");
	script("/tmp/s1", "#!/tmp");
	tap_ok(exec_errno("/tmp/s1", argv) == EACCES, "a directory as interpreter -> EACCES");
	snprintf(line, sizeof(line), "#!%s --args\n", self);
	write_file("/tmp/s1", line, strlen(line), 0644);
	tap_ok(exec_errno("/tmp/s1", argv) == EACCES, "a script without x permission -> EACCES");
	unlink("/tmp/s1");
	unlink("/tmp/s2");
	unlink("/tmp/s3");
	for (int i = 1; i <= SCRIPT_DEPTH + 1; i++) {
		snprintf(path, sizeof(path), "/tmp/chain%d", i);
		unlink(path);
	}
}

/*
 * /proc/PID/exe.
 */

static void
test_exe(void)
{
	char buf[600], path[64], out[OUT_MAX], rel[64], magic[4] = { 0 };
	char *argv[] = { NULL, "--sleep", NULL };
	struct stat st;
	int fds[2], status, fd;
	ssize_t n;
	pid_t pid;

	n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	tap_ok(n > 0 && strcmp(buf, self) == 0, "/proc/self/exe is this program's absolute path (%s)",
	    buf);
	tap_ok(readlink("/proc/self/exe", buf, 5) == 5 && strncmp(buf, self, 5) == 0,
	    "readlink cuts it to the buffer, without a NUL");
	/* A relative path is made absolute. */
	snprintf(rel, sizeof(rel), "./%s", strrchr(report, '/') + 1);
	*strrchr(report, '/') = '\0';
	chdir(report);
	report[strlen(report)] = '/';
	argv[0] = rel;
	argv[1] = NULL;
	status = run(rel, argv, out);
	chdir("/");
	tap_ok(status == 0 && strcmp(get(out, "exe"), report) == 0,
	    "run as %s, exe is still absolute (%s)", rel, get(out, "exe"));
	/* Through a symbolic link: the program's own path, as Linux's d_path of the file. */
	unlink("/tmp/exec_link");
	symlink(report, "/tmp/exec_link");
	argv[0] = "/tmp/exec_link";
	status = run(argv[0], argv, out);
	unlink("/tmp/exec_link");
	tap_ok(status == 0 && strcmp(get(out, "exe"), report) == 0,
	    "run through a symbolic link, exe is the program's path (%s)", get(out, "exe"));
	if (qemu) {
		for (int i = 0; i < 5; i++)
			tap_skip("qemu-user shows other processes' exe as the emulator");
		return;
	}
	/* A fork child runs the same program. */
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	tap_ok(n > 0 && strcmp(buf, self) == 0, "a fork child's exe is its parent's");
	kill(pid, SIGKILL);
	/* Gone with the process: a zombie has none. */
	usleep(100000);
	tap_ok(readlink(path, buf, sizeof(buf)) == -1 && errno == ENOENT,
	    "a zombie's exe link -> ENOENT");
	waitpid(pid, &status, 0);
	/* A removed program: " (deleted)". */
	copy_file(report, "/tmp/exec_gone", 0755);
	pipe(fds);
	pid = fork();
	if (pid == 0) {
		char *args[] = { "/tmp/exec_gone", "--sleep", NULL };

		dup2(fds[1], 1);
		execve(args[0], args, environ);
		_exit(127);
	}
	close(fds[1]);
	n = read(fds[0], out, sizeof(out) - 1);	/* the report: it is running */
	unlink("/tmp/exec_gone");
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	tap_ok(strcmp(buf, "/tmp/exec_gone (deleted)") == 0,
	    "a program removed while it runs: exe says (deleted) (%s)", buf);
	/* Followed, the link is the program itself, not the path it reads. */
	fd = open(path, O_RDONLY);
	tap_ok(fd >= 0 && read(fd, magic, 4) == 4 && memcmp(magic, "\177ELF", 4) == 0,
	    "its exe link still opens the removed program (errno %d)", fd < 0 ? errno : 0);
	if (fd >= 0)
		close(fd);
	tap_ok(stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_nlink == 0,
	    "stat of its exe link is the removed program's (a regular file, no links)");
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(fds[0]);
}

/*
 * /proc/self/exe followed, as Linux follows it: to the program itself
 * (busybox runs its applets by executing it).
 */
static void
test_exe_follow(void)
{
	char *argv[] = { "/proc/self/exe", "--args", "followed", NULL };
	const char *want[] = { "/proc/self/exe", "--args", "followed" };
	char out[OUT_MAX], magic[4] = { 0 };
	struct stat st, self_st, link_st;
	int fd, status;

	tap_ok(stat("/proc/self/exe/x", &st) == -1 && errno == ENOTDIR &&
	    stat("/proc/self/exe/", &st) == -1 && errno == ENOTDIR,
	    "/proc/self/exe/x and /proc/self/exe/ -> ENOTDIR (a file, not a directory)");
	if (qemu) {
		/* Its exec and stat reach the emulator; it opens the program by its path as run. */
		for (int i = 0; i < 4; i++)
			tap_skip("qemu-user's /proc/self/exe is the emulator's own");
		return;
	}
	status = run("/proc/self/exe", argv, out);
	tap_ok(status == 0 && args_are(out, want, 3) && strcmp(get(out, "exe"), self) == 0,
	    "execve(\"/proc/self/exe\") runs this program again; its exe is the program's "
	    "path (status %#x, exe %s)", status, get(out, "exe"));
	fd = open("/proc/self/exe", O_RDONLY);
	tap_ok(fd >= 0 && read(fd, magic, 4) == 4 && memcmp(magic, "\177ELF", 4) == 0,
	    "open(\"/proc/self/exe\") reads the program's ELF header");
	if (fd >= 0)
		close(fd);
	tap_ok(stat("/proc/self/exe", &st) == 0 && stat(self, &self_st) == 0 &&
	    S_ISREG(st.st_mode) && st.st_ino == self_st.st_ino && st.st_size == self_st.st_size,
	    "stat(\"/proc/self/exe\") is the program's (a regular file, its inode and size)");
	tap_ok(lstat("/proc/self/exe", &link_st) == 0 && S_ISLNK(link_st.st_mode),
	    "lstat(\"/proc/self/exe\") is the link");
}

/*
 * Another user's process: its exe and fd/ links are not followed or read
 * (Linux's ptrace access check, EACCES), one's own still are.  pid 1 is
 * root's init; a child takes uid and gid 1000 and looks.
 */
static void
test_exe_access(void)
{
	char buf[512];
	pid_t pid;
	int st;

	if (getuid() != 0 || readlink("/proc/1/exe", buf, sizeof(buf)) < 0) {
		for (int i = 0; i < 2; i++)
			tap_skip("not root, or no /proc/1/exe to look at");
		return;
	}
	if ((pid = fork()) == 0) {
		struct stat sb;
		int bad = 0;

		if (setresgid(1000, 1000, 1000) != 0 || setresuid(1000, 1000, 1000) != 0)
			_exit(100);
		bad |= !(readlink("/proc/1/exe", buf, sizeof(buf)) < 0 && errno == EACCES);
		bad |= !(open("/proc/1/exe", O_RDONLY) < 0 && errno == EACCES) << 1;
		bad |= !(readlink("/proc/1/fd/0", buf, sizeof(buf)) < 0 && errno == EACCES) << 2;
		bad |= !(open("/proc/1/fd", O_RDONLY | O_DIRECTORY) < 0 && errno == EACCES) << 4;
		bad |= !(lstat("/proc/1/fd/0", &sb) < 0 && errno == EACCES) << 5;
		bad |= !(readlink("/proc/self/exe", buf, sizeof(buf)) > 0) << 3;
		_exit(bad);
	}
	waitpid(pid, &st, 0);
	tap_ok(WIFEXITED(st) && (WEXITSTATUS(st) & ~8) == 0,
	    "as uid 1000, root's /proc/1/exe cannot be read or opened, nor its fd/ listed, nor "
	    "fd/0 looked up or read: EACCES (status %#x)", st);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "... while its own /proc/self/exe still reads");
}

int
main(int argc, char **argv)
{
	const char *prefix = getenv("QEMU_LD_PREFIX");

	/* As a script's interpreter, with whatever the script adds after "--args". */
	if (argc >= 2 && strncmp(argv[1], "--args", 6) == 0)
		return print_args(argc, argv);
	qemu = under_qemu_user();
	absolute(argv[0], self, sizeof(self));
	snprintf(report, sizeof(report), "%s", self);
	snprintf(strrchr(report, '/'), sizeof(report) - (size_t)(strrchr(report, '/') - report),
	    "/helpers/dyn_report");
	snprintf(loader, sizeof(loader), "%s%s", qemu && prefix != NULL ? prefix : "", LOADER);
	if (access(report, X_OK) != 0 || access(loader, R_OK) != 0) {
		tap_skip_all("no %s or %s (the Linux cross compiler builds them)", report, loader);
		return tap_done();
	}
	tap_plan(39);
	test_interp();
	test_interp_random();
	test_loader_direct();
	test_interp_errors();
	test_scripts();
	test_exe();
	test_exe_follow();
	test_exe_access();
	return tap_done();
}
