/* start.c: the C side of process entry, called from crt0. */
#include <stdlib.h>
#include <unistd.h>

char **environ;
unsigned long *__auxv;

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
	if (fini != NULL)
		atexit(fini);
	exit(main(argc, argv, envp));
}
