/*
 * bss_tail: a program with a little data and a little bss that end in the
 * same page, followed in its file by other bytes (its symbols).  Linux
 * zeroes all of that page past the data, not only the bss: the page's
 * tail after the bss is where a dynamic loader's first allocations go
 * (glibc's ld.so starts its minimal malloc at _end and trusts the memory
 * to be zero).  Exits 0 if the whole tail is zero, 1 if not.  No C
 * library: just the program's own memory and exit_group.
 */
#include <uapi/unistd.h>

extern char _end[];

int answer = 42;		/* data */
char small_bss[16];		/* bss, in the data's page */

void _start(void) __attribute__((noreturn));

void
_start(void)
{
	register long a0 __asm__("a0") = 0;
	register long a7 __asm__("a7") = __NR_exit_group;

	for (const volatile char *p = _end; ((unsigned long)p & 4095) != 0; p++)
		if (*p != 0)
			a0 = 1;
	if (answer != 42 || small_bss[15] != 0)
		a0 = 1;
	for (;;)
		__asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
}
