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

#include "glibc_tap.h"

int
main(int argc, char **argv)
{
	char *heap, *map, buf[64];
	pid_t pid;
	int st;

	(void)argc;
	tap_plan(6);
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
	return tap_done();
}
