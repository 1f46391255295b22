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
int
under_qemu_user(void)
{
	char path[64], exe[256], *base;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/task/%d/exe", gettid());
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	base = strrchr(exe, '/');
	base = base != NULL ? base + 1 : exe;
	return strncmp(base, "qemu-", 5) == 0;
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
	unsigned long mask[16];
	long bytes = sched_getaffinity(0, sizeof(mask), mask);
	int n = 0;

	for (long i = 0; i < bytes / (long)sizeof(mask[0]); i++)
		n += __builtin_popcountl(mask[i]);
	return n > 0 ? n : 1;
}
