/*
 * dyn_report: a program that names an interpreter (interp_sable.c) and
 * reports how it was started, one "key value" line each, for the exec
 * test to judge: its arguments, the auxiliary vector's AT_BASE, AT_ENTRY,
 * AT_PHDR, AT_PHNUM and AT_EXECFN against where it really is, the
 * finalizer the loader passed in a0, /proc/self/exe and comm, the
 * mapping that holds the loader, and the rest of the bss's last page.  With "--sleep", it then waits for a signal
 * (the test looks at its memory meanwhile).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <sys/auxv.h>
#include <vmstat.h>
#include <uapi/elf.h>

extern const struct elf64_ehdr __ehdr_start;
extern char _start[], _end[];

/*
 * Is the rest of the page after the bss zero?  Linux zeroes all of the
 * last file page past the data (a loader's first allocations live there).
 */
static int
bss_page_tail_zero(void)
{
	for (const volatile char *p = _end; ((unsigned long)p & 4095) != 0; p++)
		if (*p != 0)
			return 0;
	return 1;
}

int
main(int argc, char **argv)
{
	const struct elf64_ehdr *base = (const struct elf64_ehdr *)getauxval(AT_BASE);
	char exe[512], perms[8] = "-";
	unsigned long lo, hi;
	ssize_t n;

	printf("argc %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv%d %s\n", i, argv[i]);
	printf("base %#lx\n", (unsigned long)base);
	/* The loader's own header at AT_BASE: an ELF shared object or PIE. */
	printf("base_is_elf %d\n", base != NULL && memcmp(base->e_ident, "\177ELF", 4) == 0 &&
	    base->e_type == ET_DYN);
	maps_lookup("/proc/self/maps", (unsigned long)base, &lo, &hi, perms, NULL, 0);
	printf("base_perms %s\n", perms);
	printf("entry_ok %d\n", getauxval(AT_ENTRY) == (unsigned long)_start);
	printf("phdr_ok %d\n", getauxval(AT_PHDR) ==
	    (unsigned long)&__ehdr_start + __ehdr_start.e_phoff);
	printf("phnum_ok %d\n", getauxval(AT_PHNUM) == __ehdr_start.e_phnum);
	printf("fini %#lx\n", (unsigned long)__libc_fini);
	printf("bss_tail_zero %d\n", bss_page_tail_zero());
	printf("execfn %s\n", (const char *)getauxval(AT_EXECFN));
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	printf("exe %s\n", exe);
	n = read_text_file("/proc/self/comm", exe, sizeof(exe));
	printf("comm %s", n > 0 ? exe : "-\n");
	fflush(stdout);
	if (argc > 1 && strcmp(argv[1], "--sleep") == 0)
		pause();
	return 0;
}
