/* start.c: the C side of process entry, called from crt0. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/auxv.h>

char **environ;
unsigned long *__auxv;
void (*__libc_fini)(void);

int main(int argc, char **argv, char **envp);
void __libc_start(int argc, char **argv, char **envp, void (*fini)(void))
    __attribute__((noreturn));

void
__libc_start(int argc, char **argv, char **envp, void (*fini)(void))
{
	char **p;

	environ = envp;
	for (p = envp; *p != NULL; p++)
		;
	__auxv = (unsigned long *)(p + 1);
	__libc_fini = fini;
	if (fini != NULL)
		atexit(fini);
	exit(main(argc, argv, envp));
}

unsigned long
getauxval(unsigned long type)
{
	for (unsigned long *a = __auxv; a != NULL && a[0] != AT_NULL; a += 2)
		if (a[0] == type)
			return a[1];
	errno = ENOENT;
	return 0;
}
