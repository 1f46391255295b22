/*
 * ld-sable.so: a dynamic loader small enough to read, for testing execve's
 * PT_INTERP path and the memory calls a real loader makes.  It links
 * nothing (the programs that name it are static), but it starts the way
 * a real one does:
 *
 *   - As a program's interpreter: the kernel has mapped the program and
 *     this loader (at a random base, AT_BASE) and started here.  The
 *     loader relocates itself, checks what the auxiliary vector says
 *     about the program (AT_PHDR, AT_PHNUM, AT_ENTRY: its headers are
 *     mapped where the vector says, its PT_INTERP names a loader, its
 *     entry lies in an executable segment) and jumps to AT_ENTRY, with
 *     its finalizer in a0 as the ABI has it.  A check that fails ends
 *     the process with status LDS_EXIT_BAD_AUXV and a message.
 *   - Run as a program, "ld-sable.so PROGRAM ARGS...": it maps PROGRAM
 *     itself with mmap (private file mappings for the segments, anonymous
 *     memory for the bss, mprotect back after zeroing a read-only tail),
 *     drops its own name from the arguments, points the auxiliary vector
 *     at PROGRAM, and jumps to its entry, as glibc's ld.so does when run
 *     directly.
 *
 * It is a static position-independent executable with no C library: the
 * system calls are inline assembly below, and nothing may use a global's
 * address before relocate_self has run.
 */
#include <stdint.h>
#include <stddef.h>
#include <uapi/auxvec.h>
#include <uapi/elf.h>
#include <uapi/fcntl.h>
#include <uapi/mman.h>
#include <uapi/unistd.h>

#define LDS_EXIT_USAGE		127
#define LDS_EXIT_BAD_AUXV	120	/* the kernel's vector is wrong */
#define LDS_EXIT_LOAD		121	/* run directly: PROGRAM cannot be loaded */

#define PAGE_SIZE	4096UL
#define PAGE_MASK	(PAGE_SIZE - 1)
#define TRUNC(x)	((x) & ~PAGE_MASK)
#define ROUND(x)	(((x) + PAGE_MASK) & ~PAGE_MASK)
#define MAX_PHDRS	32

#define R_RISCV_NONE	0
#define R_RISCV_RELATIVE 3	/* base + addend: the only relocation a loader has */

/* The linker's symbols for this file's own header and dynamic section. */
extern const struct elf64_ehdr __ehdr_start __attribute__((visibility("hidden")));
extern const struct elf64_dyn _DYNAMIC[] __attribute__((visibility("hidden")));
extern char _start[] __attribute__((visibility("hidden")));

/*
 * System calls.
 */

static long
syscall6(long n, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r_a0 __asm__("a0") = a0;
	register long r_a1 __asm__("a1") = a1;
	register long r_a2 __asm__("a2") = a2;
	register long r_a3 __asm__("a3") = a3;
	register long r_a4 __asm__("a4") = a4;
	register long r_a5 __asm__("a5") = a5;
	register long r_a7 __asm__("a7") = n;

	__asm__ volatile("ecall" : "+r"(r_a0) : "r"(r_a1), "r"(r_a2), "r"(r_a3), "r"(r_a4),
	    "r"(r_a5), "r"(r_a7) : "memory");
	return r_a0;
}

static long
sys_write(int fd, const void *buf, size_t len)
{
	return syscall6(__NR_write, fd, (long)buf, (long)len, 0, 0, 0);
}

static __attribute__((noreturn)) void
sys_exit_group(int status)
{
	for (;;)
		syscall6(__NR_exit_group, status, 0, 0, 0, 0, 0);
}

static long
sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t off)
{
	return syscall6(__NR_mmap, (long)addr, (long)len, prot, flags, fd, (long)off);
}

static long
sys_pread(int fd, void *buf, size_t len, uint64_t off)
{
	return syscall6(__NR_pread64, fd, (long)buf, (long)len, (long)off, 0, 0);
}

static size_t
slen(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0')
		n++;
	return n;
}

static void
say(const char *a, const char *b)
{
	sys_write(2, "ld-sable: ", 10);
	sys_write(2, a, slen(a));
	if (b != NULL) {
		sys_write(2, ": ", 2);
		sys_write(2, b, slen(b));
	}
	sys_write(2, "\n", 1);
}

static __attribute__((noreturn)) void
die(int status, const char *a, const char *b)
{
	say(a, b);
	sys_exit_group(status);
}

/*
 * Self-relocation: a position-independent executable's absolute
 * addresses (pointers in data) are R_RISCV_RELATIVE entries, each "the
 * load base plus an addend".  Nothing here may read such a pointer
 * before this runs.
 */
static void
relocate_self(uint64_t base)
{
	const struct elf64_rela *rela = NULL;
	uint64_t relasz = 0;

	for (const struct elf64_dyn *d = _DYNAMIC; d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_RELA)
			rela = (const struct elf64_rela *)(base + d->d_val);
		else if (d->d_tag == DT_RELASZ)
			relasz = d->d_val;
	}
	for (uint64_t i = 0; rela != NULL && i < relasz / sizeof(*rela); i++) {
		uint32_t type = (uint32_t)rela[i].r_info;

		if (type == R_RISCV_RELATIVE)
			*(uint64_t *)(base + rela[i].r_offset) = base + (uint64_t)rela[i].r_addend;
		else if (type != R_RISCV_NONE)
			sys_exit_group(LDS_EXIT_LOAD);	/* nothing else may appear in a loader */
	}
}

/* The finalizer a loader hands the program (a0 at its entry): nothing to undo here. */
static void
ld_sable_fini(void)
{
}

/*
 * Handed over through a pointer in data, which only relocation makes
 * right: a program that finds its a0 outside the loader sees a loader
 * that did not relocate itself.
 */
static void (*volatile fini_pointer)(void) = ld_sable_fini;

/*
 * As an interpreter: check the program the kernel mapped.
 */

static uint64_t *
aux_slot(uint64_t *auxv, uint64_t type)
{
	for (; auxv[0] != AT_NULL; auxv += 2)
		if (auxv[0] == type)
			return &auxv[1];
	return NULL;
}

static uint64_t
aux_get(uint64_t *auxv, uint64_t type)
{
	uint64_t *slot = aux_slot(auxv, type);

	return slot != NULL ? *slot : 0;
}

static void
check_program(uint64_t *auxv, uint64_t base)
{
	const struct elf64_phdr *ph = (const struct elf64_phdr *)aux_get(auxv, AT_PHDR);
	uint64_t phnum = aux_get(auxv, AT_PHNUM), entry = aux_get(auxv, AT_ENTRY);
	uint64_t bias = 0;
	int found_interp = 0, entry_ok = 0;
	volatile uint8_t sink;

	if (aux_get(auxv, AT_BASE) != base)
		die(LDS_EXIT_BAD_AUXV, "AT_BASE is not where this loader is", NULL);
	if (ph == NULL || phnum == 0 || phnum > MAX_PHDRS ||
	    aux_get(auxv, AT_PHENT) != sizeof(struct elf64_phdr))
		die(LDS_EXIT_BAD_AUXV, "no program headers in the vector", NULL);
	for (uint64_t i = 0; i < phnum; i++)
		if (ph[i].p_type == PT_PHDR)
			bias = (uint64_t)ph - ph[i].p_vaddr;
	for (uint64_t i = 0; i < phnum; i++) {
		uint64_t start = bias + ph[i].p_vaddr;

		if (ph[i].p_type == PT_INTERP) {
			const char *name = (const char *)start;

			found_interp = name[0] == '/' && name[ph[i].p_filesz - 1] == '\0';
		} else if (ph[i].p_type == PT_LOAD) {
			sink = *(volatile uint8_t *)start;	/* mapped and readable */
			if ((ph[i].p_flags & PF_X) && entry >= start &&
			    entry < start + ph[i].p_memsz)
				entry_ok = 1;
		}
	}
	(void)sink;
	if (!found_interp)
		die(LDS_EXIT_BAD_AUXV, "the program's PT_INTERP is not where AT_PHDR says", NULL);
	if (!entry_ok)
		die(LDS_EXIT_BAD_AUXV, "AT_ENTRY is in no executable segment", NULL);
}

/*
 * Run as a program: load PROGRAM with mmap.
 */

static int
segment_prot(uint32_t flags)
{
	return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0) |
	    ((flags & PF_X) ? PROT_EXEC : 0);
}

static int
mmap_failed(long r)
{
	return r < 0 && r > -4096;
}

/* Map one segment of fd at bias: file pages privately, the bss as anonymous memory. */
static void
map_segment(int fd, const struct elf64_phdr *ph, uint64_t bias, const char *path)
{
	uint64_t start = TRUNC(bias + ph->p_vaddr), file_end = bias + ph->p_vaddr + ph->p_filesz;
	uint64_t mem_end = ROUND(bias + ph->p_vaddr + ph->p_memsz);
	int prot = segment_prot(ph->p_flags);
	/* The bss's part of the last file page is zeroed by hand: writable for that. */
	int tail = ph->p_memsz > ph->p_filesz && (file_end & PAGE_MASK) != 0;

	if (ph->p_filesz != 0 &&
	    mmap_failed(sys_mmap(start, ROUND(file_end) - start, prot | (tail ? PROT_WRITE : 0),
	    MAP_PRIVATE | MAP_FIXED, fd, TRUNC(ph->p_offset))))
		die(LDS_EXIT_LOAD, "cannot map a segment of", path);
	if (tail) {
		for (uint64_t a = file_end; a < ROUND(file_end); a++)
			*(volatile uint8_t *)a = 0;
		if (!(prot & PROT_WRITE) &&
		    syscall6(__NR_mprotect, (long)TRUNC(file_end), (long)PAGE_SIZE, prot, 0, 0, 0))
			die(LDS_EXIT_LOAD, "mprotect failed for", path);
	}
	if (mem_end > ROUND(file_end) &&
	    mmap_failed(sys_mmap(ROUND(file_end), mem_end - ROUND(file_end), prot,
	    MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0)))
		die(LDS_EXIT_LOAD, "cannot map the bss of", path);
}

/* Map the program at path; point the vector's AT_PHDR, AT_PHNUM, AT_ENTRY at it. */
static uint64_t
load_program(const char *path, uint64_t *auxv)
{
	struct elf64_phdr ph[MAX_PHDRS];
	struct elf64_ehdr eh;
	uint64_t lo = UINT64_MAX, hi = 0, bias = 0, phdr_va = 0;
	long fd = syscall6(__NR_openat, AT_FDCWD, (long)path, O_RDONLY | O_CLOEXEC, 0, 0, 0);

	if (fd < 0)
		die(LDS_EXIT_LOAD, "cannot open", path);
	if (sys_pread((int)fd, &eh, sizeof(eh), 0) != sizeof(eh) ||
	    eh.e_ident[0] != 0x7f || eh.e_ident[1] != 'E' || eh.e_ident[2] != 'L' ||
	    eh.e_ident[3] != 'F' || eh.e_machine != EM_RISCV ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) || eh.e_phnum == 0 ||
	    eh.e_phnum > MAX_PHDRS || eh.e_phentsize != sizeof(struct elf64_phdr) ||
	    sys_pread((int)fd, ph, eh.e_phnum * sizeof(struct elf64_phdr), eh.e_phoff) !=
	    (long)(eh.e_phnum * sizeof(struct elf64_phdr)))
		die(LDS_EXIT_LOAD, "not a program for this machine", path);
	for (int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (TRUNC(ph[i].p_vaddr) < lo)
			lo = TRUNC(ph[i].p_vaddr);
		if (ROUND(ph[i].p_vaddr + ph[i].p_memsz) > hi)
			hi = ROUND(ph[i].p_vaddr + ph[i].p_memsz);
	}
	if (lo == UINT64_MAX)
		die(LDS_EXIT_LOAD, "nothing to load in", path);
	if (eh.e_type == ET_DYN) {
		/* Reserve the whole span, then map the segments over it. */
		long base = sys_mmap(0, hi - lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (mmap_failed(base))
			die(LDS_EXIT_LOAD, "no room for", path);
		bias = (uint64_t)base - lo;
	}
	for (int i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD)
			map_segment((int)fd, &ph[i], bias, path);
		if (ph[i].p_type == PT_PHDR)
			phdr_va = bias + ph[i].p_vaddr;
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0 && phdr_va == 0)
			phdr_va = bias + ph[i].p_vaddr + eh.e_phoff;
	}
	syscall6(__NR_close, fd, 0, 0, 0, 0, 0);
	*aux_slot(auxv, AT_PHDR) = phdr_va;
	*aux_slot(auxv, AT_PHNUM) = eh.e_phnum;
	*aux_slot(auxv, AT_ENTRY) = bias + eh.e_entry;
	return bias + eh.e_entry;
}

/*
 * Drop argv[0] (this loader's name) in place: argc - 1, then argv[1..],
 * the environment and the vector each move down a slot, so the stack
 * pointer, and its alignment, stay as the kernel left them.
 */
static void
drop_first_arg(uint64_t *sp)
{
	uint64_t *p = sp + 1, *end = p + sp[0] + 1;	/* past argv's NULL */

	while (*end != 0)
		end++;				/* the environment */
	end++;
	while (end[0] != AT_NULL)
		end += 2;			/* the vector */
	end += 2;
	sp[0]--;
	for (; p + 1 < end; p++)
		p[0] = p[1];
}

/*
 * Called from _start with the stack pointer the kernel set: returns the
 * address to jump to; *fini gets the finalizer for a0.
 */
uint64_t ld_sable_main(uint64_t *sp, uint64_t *fini);

uint64_t
ld_sable_main(uint64_t *sp, uint64_t *fini)
{
	uint64_t base = (uint64_t)&__ehdr_start, entry;
	uint64_t *auxv = sp + 1 + sp[0] + 1;

	relocate_self(base);
	while (*auxv != 0)
		auxv++;
	auxv++;
	*fini = (uint64_t)fini_pointer;
	if (aux_get(auxv, AT_ENTRY) != (uint64_t)_start) {
		check_program(auxv, base);
		return aux_get(auxv, AT_ENTRY);
	}
	if (sp[0] < 2)
		die(LDS_EXIT_USAGE, "usage: ld-sable.so PROGRAM [ARGS...]", NULL);
	entry = load_program((const char *)sp[2], auxv);
	*aux_slot(auxv, AT_BASE) = base;
	drop_first_arg(sp);
	return entry;
}
