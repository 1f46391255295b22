/*
 * glibc_hello: a static program built against Debian's riscv64 glibc, to
 * show that an ordinary libc's start-up (TLS, auxv, IRELATIVE relocs,
 * stdio buffering) works.  Prints TAP like the other tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int count, failed;
static const char *indent = "";

static void
ok(int cond, const char *what)
{
	count++;
	if (!cond)
		failed++;
	printf("%s%sok %d - %s\n", indent, cond ? "" : "not ", count, what);
}

int
main(int argc, char **argv)
{
	char *heap, *map, buf[64];
	const char *e = getenv("TAP_INDENT");
	pid_t pid;
	int st;

	(void)argc;
	if (e != NULL && strcmp(e, "1") == 0)
		indent = "    ";
	setvbuf(stdout, NULL, _IONBF, 0);	/* no duplicated output at fork */
	printf("%s1..6\n", indent);
	/* printf formats through glibc's stdio. */
	snprintf(buf, sizeof(buf), "%s %d %#lx %5.2f", "x", -7, 255UL, 3.14159);
	ok(strcmp(buf, "x -7 0xff  3.14") == 0, "snprintf with %d %#lx %f");
	/* malloc, small and large (the large one is an mmap in glibc). */
	heap = malloc(100);
	map = malloc(1 << 20);
	ok(heap != NULL && map != NULL, "malloc 100 B and 1 MiB");
	memset(map, 0x5a, 1 << 20);
	ok(map[(1 << 20) - 1] == 0x5a, "the large block is usable");
	free(map);
	free(heap);
	/* mmap through glibc's wrapper. */
	map = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ok(map != MAP_FAILED && map[0] == 0 && (map[4096] = 1) == 1,
	    "mmap an anonymous region");
	/* fork and wait, with the status carried back. */
	pid = fork();
	if (pid == 0)
		_exit(33);
	ok(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 33, "fork, _exit(33), waitpid");
	ok(argv[0] != NULL && getpid() > 0, "argv and getpid");
	return failed == 0 && count == 6 ? 0 : 1;
}
