/* testutil.c: helpers shared by the test programs. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sched.h>
#include <testutil.h>
#include <unistd.h>

int
run_child(int (*fn)(void *), void *arg)
{
	pid_t pid;
	int status;

	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(fn(arg));
	if (wait4(pid, &status, 0, NULL) != pid)
		return -1;
	return status;
}

/*
 * qemu-user forwards most calls to the host kernel.  It fakes
 * /proc/self/exe to name the guest program, but not the per-thread
 * link, which still names the emulator.
 */
/* The emulator running this program (the per-thread exe link), or 0 if none. */
static int
qemu_path(char *exe, size_t size)
{
	char path[64], *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/exe", gettid());
	n = readlink(path, exe, size - 1);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	base = strrchr(exe, '/');
	base = base != NULL ? base + 1 : exe;
	return strncmp(base, "qemu-", 5) == 0;
}

int
under_qemu_user(void)
{
	char exe[256];

	return qemu_path(exe, sizeof(exe));
}

int
execve_riscv(const char *path, char *const argv[], char *const envp[])
{
	static char qemu[256];
	char *wargv[64];
	int n = 0;

	if (!qemu_path(qemu, sizeof(qemu)))
		return execve(path, argv, envp);
	wargv[n++] = qemu;
	if (argv != NULL && argv[0] != NULL) {
		wargv[n++] = "-0";
		wargv[n++] = argv[0];
	}
	wargv[n++] = (char *)path;
	for (int i = 1; argv != NULL && argv[i] != NULL && n < 63; i++)
		wargv[n++] = argv[i];
	wargv[n] = NULL;
	return execve(qemu, wargv, envp);
}

char *
map_pages(unsigned long npages)
{
	char *p = mmap(NULL, npages * PGSZ, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

char *
unmapped_pages(unsigned long npages)
{
	char *p = map_pages(npages);

	if (p != NULL)
		munmap(p, npages * PGSZ);
	return p;
}

int
cpus_available(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	return CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : 1;
}
