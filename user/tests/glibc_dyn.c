/*
 * glibc_dyn: a dynamically linked program built against Debian's riscv64
 * glibc, started through Debian's ld.so (/lib/ld-linux-riscv64-lp64d.so.1,
 * PT_INTERP) with libc.so.6 from /lib: the kernel loads the program (a
 * PIE) and the loader, which maps the libraries itself.  That this
 * prints anything shows execve's dynamic path works; the checks look at
 * what the loader did with the memory calls: the libraries' text mapped
 * privately and executable, their RELRO made read-only with mprotect,
 * dlopen of another library, and a dynamic child started from here.
 * Prints TAP like the other tests.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/wait.h>
#include <unistd.h>

#include "glibc_tap.h"

/* The permissions of the /proc/self/maps line holding addr, in perms (5 bytes). */
static int
perms_of(unsigned long addr, char *perms)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	strcpy(perms, "none");
	while (f != NULL && !found && fgets(line, sizeof(line), f) != NULL) {
		unsigned long lo, hi;

		if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) == 3 && addr >= lo && addr < hi)
			found = 1;
	}
	if (f != NULL)
		fclose(f);
	if (!found)
		strcpy(perms, "none");
	return found;
}

struct relro {
	unsigned long	start;		/* libc.so.6's PT_GNU_RELRO, loaded */
	unsigned long	text;		/* and an address in its executable segment */
};

static int
find_libc(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct relro *r = arg;

	(void)size;
	if (strstr(info->dlpi_name, "libc.so.6") == NULL)
		return 0;
	for (int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];

		if (ph->p_type == PT_GNU_RELRO)
			r->start = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X))
			r->text = info->dlpi_addr + ph->p_vaddr + ph->p_memsz / 2;
	}
	return 1;
}

/* The emulator running this program, if it is qemu-user (its per-thread exe link). */
static int
qemu_path(char *buf, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/task/%d/exe", gettid());
	n = readlink(link, buf, size - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strstr(buf, "/qemu-") != NULL;
}

/* Start this program again with "child": it must run and exit 42. */
static int
dynamic_child(const char *self)
{
	char qemu[256];
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (qemu_path(qemu, sizeof(qemu)))
			execl(qemu, qemu, self, "child", (char *)NULL);
		else
			execl(self, self, "child", (char *)NULL);
		_exit(127);
	}
	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 42;
}

int
main(int argc, char **argv)
{
	struct relro r = { 0, 0 };
	char perms[8], detail[128];
	double (*cosine)(double);
	void *libm;
	unsigned long base = getauxval(AT_BASE);

	if (argc > 1 && strcmp(argv[1], "child") == 0)
		return 42;
	tap_plan(6);
	snprintf(detail, sizeof(detail), "%#lx", base);
	ok_detail(base != 0 && memcmp((void *)base, "\177ELF", 4) == 0,
	    "started through a loader: AT_BASE holds its ELF header", detail);
	dl_iterate_phdr(find_libc, &r);
	perms_of(r.text, perms);
	ok_detail(r.text != 0 && strcmp(perms, "r-xp") == 0,
	    "libc.so.6's text is a private, executable file mapping", perms);
	perms_of(r.start, perms);
	ok_detail(r.start != 0 && strcmp(perms, "r--p") == 0,
	    "libc.so.6's RELRO was made read-only after relocation", perms);
	libm = dlopen("libm.so.6", RTLD_NOW);
	cosine = libm != NULL ? (double (*)(double))dlsym(libm, "cos") : NULL;
	ok_detail(cosine != NULL && cosine(0.0) == 1.0, "dlopen(libm.so.6), dlsym(cos): cos(0) = 1",
	    libm == NULL ? dlerror() : NULL);
	ok_detail(libm != NULL && dlclose(libm) == 0, "dlclose", NULL);
	ok_detail(dynamic_child(argv[0]), "a dynamically linked child runs (fork, execve)", NULL);
	return tap_done();
}
