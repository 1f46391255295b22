/* testutil.c: helpers shared by the test programs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tap.h>
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
map_aligned(unsigned long len, unsigned long align)
{
	char *raw = mmap(NULL, len + align, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	unsigned long a, head;

	if (raw == MAP_FAILED)
		return NULL;
	a = ((unsigned long)raw + align - 1) & ~(align - 1);
	head = a - (unsigned long)raw;
	if (head > 0)
		munmap(raw, head);
	munmap((char *)a + len, align - head);
	return (char *)a;
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
fails_with(long ret, int err)
{
	return ret == -1 && errno == err;
}

static char test_base[256];

int
test_dir_make(const char *name)
{
	const char *dir = getenv("TEST_DIR");

	snprintf(test_base, sizeof(test_base), "%s/%s.%d", dir != NULL ? dir : "/tmp", name,
	    getpid());
	if (mkdir(test_base, 0755) != 0 || chmod(test_base, 0755) != 0) {
		tap_diag("cannot make %s: %s", test_base, strerror(errno));
		return -1;
	}
	return 0;
}

const char *
test_dir(void)
{
	return test_base;
}

const char *
tpath(const char *name)
{
	static char bufs[4][512];
	static int next;
	char *b = bufs[next++ & 3];

	snprintf(b, sizeof(bufs[0]), "%s/%s", test_base, name);
	return b;
}

unsigned char
pattern_byte(unsigned long off, unsigned long gen)
{
	unsigned long word = (off & ~7UL) + (gen << 48) + (0x5aUL << 56);

	return (unsigned char)(word >> (8 * (off & 7)));
}

void
pattern_fill(void *p, unsigned long off, unsigned long len, unsigned long gen)
{
	unsigned char *c = p;

	for (unsigned long i = 0; i < len; i++)
		c[i] = pattern_byte(off + i, gen);
}

long
pattern_mismatch(const void *p, unsigned long off, unsigned long len, unsigned long gen)
{
	const unsigned char *c = p;

	for (unsigned long i = 0; i < len; i++)
		if (c[i] != pattern_byte(off + i, gen))
			return (long)(off + i);
	return -1;
}

#define EXT2_SUPER_OFFSET	1024
#define EXT2_MAGIC_OFFSET	56
#define EXT2_MAGIC		0xef53

/* Does /proc/mounts name path as a mounted file system's source? */
static int
is_mounted(const char *path)
{
	static char mounts[4096];
	size_t len = strlen(path);
	int fd = open("/proc/mounts", O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, mounts, sizeof(mounts) - 1) : -1;

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return 0;
	mounts[n] = '\0';
	for (char *line = mounts; line != NULL && *line != '\0'; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (strncmp(line, path, len) == 0 && line[len] == ' ')
			return 1;
	}
	return 0;
}

int
spare_ext2_disk(const char *path)
{
	unsigned short magic = 0;
	int fd;

	if (is_mounted(path) || (fd = open(path, O_RDONLY)) < 0)
		return 0;
	if (pread(fd, &magic, sizeof(magic), EXT2_SUPER_OFFSET + EXT2_MAGIC_OFFSET) != sizeof(magic))
		magic = 0;
	close(fd);
	return magic == EXT2_MAGIC;
}

int
cpus_available(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return 1;
	return CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : 1;
}

uint64_t
test_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

void
test_permutation(unsigned long *order, unsigned long n, unsigned long seed)
{
	uint64_t x = seed | 1;

	for (unsigned long i = 0; i < n; i++)
		order[i] = i;
	for (unsigned long i = n; i > 1; i--) {
		unsigned long j, t;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		j = x % i;
		t = order[i - 1];
		order[i - 1] = order[j];
		order[j] = t;
	}
}
