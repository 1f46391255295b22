/*
 * execve: replace the process's address space with a static ELF64
 * program (ET_EXEC, or ET_DYN for static PIE) from a file.
 *
 * Text is mapped shared and read-only from the file's own vm_object, so
 * every process running a program shares its pages; writable segments
 * are private copy-on-write mappings of the same object, the tail of their
 * last file page is zeroed (which copies just that page), and the rest of
 * the bss is anonymous zero-fill.  The stack gets argv, envp and the
 * auxiliary vector the Linux ABI promises.  Nothing of the old image is
 * touched until the new one is complete.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/malloc.h>
#include <kern/proc.h>
#include <kern/random.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <machine/machdep.h>
#include <vm/kmem.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <kern/file.h>
#include <fs/vnode.h>

MALLOC_DEFINE(M_EXEC, "exec", "execve arguments and headers");

#define EI_NIDENT	16
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define ET_EXEC		2
#define ET_DYN		3
#define PT_LOAD		1
#define PT_INTERP	3
#define PT_PHDR		6
#define PT_GNU_STACK	0x6474e551
#define PF_X		1
#define PF_W		2
#define PF_R		4
#define MAX_PHDRS	64

#define AT_NULL		0
#define AT_PHDR		3
#define AT_PHENT	4
#define AT_PHNUM	5
#define AT_PAGESZ	6
#define AT_BASE		7
#define AT_FLAGS	8
#define AT_ENTRY	9
#define AT_UID		11
#define AT_EUID		12
#define AT_GID		13
#define AT_EGID		14
#define AT_HWCAP	16
#define AT_CLKTCK	17
#define AT_SECURE	23
#define AT_RANDOM	25
#define AT_EXECFN	31

#define ET_DYN_BASE	0x0000002aaaa00000UL	/* where static PIE programs load */
#define ARG_MAX_BYTES	(256UL << 10)
#define PATH_MAX_BYTES	4096
#define STACK_GUARD	(64UL << 10)
#define STACK_MAX_BYTES	(64UL << 20)	/* the stack reservation, whatever RLIMIT_STACK says */
#define AUXV_MAX_PAIRS	18
#define MODE_EXEC_ANY	0111		/* some execute permission bit */
#define CLOCK_HZ	100

struct elf64_ehdr {
	uint8_t		e_ident[EI_NIDENT];
	uint16_t	e_type;
	uint16_t	e_machine;
	uint32_t	e_version;
	uint64_t	e_entry;
	uint64_t	e_phoff;
	uint64_t	e_shoff;
	uint32_t	e_flags;
	uint16_t	e_ehsize;
	uint16_t	e_phentsize;
	uint16_t	e_phnum;
	uint16_t	e_shentsize;
	uint16_t	e_shnum;
	uint16_t	e_shstrndx;
};

struct elf64_phdr {
	uint32_t	p_type;
	uint32_t	p_flags;
	uint64_t	p_offset;
	uint64_t	p_vaddr;
	uint64_t	p_paddr;
	uint64_t	p_filesz;
	uint64_t	p_memsz;
	uint64_t	p_align;
};

/* What the loader learned, for the stack and the registers. */
struct image {
	struct vnode	*vp;
	struct elf64_ehdr eh;
	struct elf64_phdr ph[MAX_PHDRS];
	uint64_t	bias;		/* added to every address (static PIE) */
	uint64_t	phdr_va;
	vm_prot_t	stack_prot;
	uint64_t	entry;
	uint64_t	sp;
	uint64_t	brk;		/* end of the highest segment */
};

/* Read all of [off, off+len) of the executable; a short file is ENOEXEC. */
static int
read_file(struct vnode *vp, void *buf, size_t len, uint64_t off)
{
	size_t done;
	int error = vn_read_kernel(vp, buf, len, off, &done);

	if (error)
		return error;
	return done == len ? 0 : ENOEXEC;
}

static int
check_header(struct image *im)
{
	const struct elf64_ehdr *eh = &im->eh;

	if (memcmp(eh->e_ident, "\177ELF", 4) != 0 || eh->e_ident[4] != ELFCLASS64 ||
	    eh->e_ident[5] != ELFDATA2LSB || eh->e_machine != ELF_MACHINE ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > MAX_PHDRS)
		return ENOEXEC;
	return 0;
}

static vm_prot_t
segment_prot(uint32_t flags)
{
	return ((flags & PF_R) ? VM_PROT_READ : 0) | ((flags & PF_W) ? VM_PROT_WRITE : 0) |
	    ((flags & PF_X) ? VM_PROT_EXECUTE : 0);
}

/* Map one PT_LOAD segment into vm. */
static int
map_segment(struct vmspace *vm, struct image *im, const struct elf64_phdr *ph)
{
	struct vm_map *map = &vm->vm_map;
	vm_prot_t prot = segment_prot(ph->p_flags);
	uint64_t va = ph->p_vaddr + im->bias, end_file, end_mem, start;
	uint64_t file_off = trunc_page(ph->p_offset);
	int error;

	if ((ph->p_vaddr & PAGE_MASK) != (ph->p_offset & PAGE_MASK) ||
	    ph->p_filesz > ph->p_memsz ||
	    add_overflows(va, ph->p_memsz, &end_mem) || end_mem > USER_MAX ||
	    add_overflows(ph->p_offset, ph->p_filesz, &end_file) ||
	    end_file > im->vp->v_size)
		return ENOEXEC;
	start = trunc_page(va);
	end_file = round_page(va + ph->p_filesz);
	end_mem = round_page(end_mem);
	if (ph->p_filesz > 0) {
		bool writable = (prot & VM_PROT_WRITE) != 0;
		struct vm_object *obj = im->vp->v_object;

		vm_object_reference(obj);
		/* Text is shared and can never become writable; data is private. */
		error = vm_map_find(map, obj, file_off, &start, end_file - start, 0, VMFS_FIXED,
		    prot, writable ? VM_PROT_ALL : VM_PROT_READ | VM_PROT_EXECUTE,
		    writable ? MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY | MAP_ENTRY_ACCOUNTED : 0);
		if (error) {
			vm_object_deallocate(obj);
			return error;
		}
	} else {
		end_file = start;
	}
	if (end_mem > end_file) {
		uint64_t bss = end_file;

		error = vm_map_find(map, NULL, 0, &bss, end_mem - end_file, 0, VMFS_FIXED,
		    prot, VM_PROT_ALL, MAP_ENTRY_COW |
		    ((prot & VM_PROT_WRITE) ? MAP_ENTRY_ACCOUNTED : 0));
		if (error)
			return error;
	}
	return 0;
}

/* Zero the bss part of each writable segment's last file page (a private copy). */
static int
zero_bss_tails(struct image *im)
{
	static const uint8_t zeros[256];

	for (int i = 0; i < im->eh.e_phnum; i++) {
		const struct elf64_phdr *ph = &im->ph[i];
		uint64_t from = ph->p_vaddr + im->bias + ph->p_filesz;
		uint64_t to = MIN(round_page(from), ph->p_vaddr + im->bias + ph->p_memsz);

		if (ph->p_type != PT_LOAD || ph->p_filesz == 0 || ph->p_memsz == ph->p_filesz)
			continue;
		while (from < to) {
			size_t n = MIN(to - from, sizeof(zeros));

			if (copyout(zeros, (void *)from, n) != 0)
				return EFAULT;
			from += n;
		}
	}
	return 0;
}

static int
load_segments(struct vmspace *vm, struct image *im)
{
	uint64_t first_va = UINT64_MAX, first_off = 0;
	int error;

	im->bias = im->eh.e_type == ET_DYN ? ET_DYN_BASE : 0;
	im->stack_prot = VM_PROT_RW;
	im->phdr_va = 0;
	for (int i = 0; i < im->eh.e_phnum; i++) {
		const struct elf64_phdr *ph = &im->ph[i];

		switch (ph->p_type) {
		case PT_LOAD:
			if ((error = map_segment(vm, im, ph)) != 0)
				return error;
			im->brk = MAX(im->brk, round_page(ph->p_vaddr + im->bias + ph->p_memsz));
			if (ph->p_vaddr < first_va) {
				first_va = ph->p_vaddr;
				first_off = ph->p_offset;
			}
			break;
		case PT_INTERP:
			return ENOEXEC;		/* static programs only */
		case PT_PHDR:
			im->phdr_va = ph->p_vaddr + im->bias;
			break;
		case PT_GNU_STACK:
			if (ph->p_flags & PF_X)
				im->stack_prot |= VM_PROT_EXECUTE;
			break;
		}
	}
	if (first_va == UINT64_MAX)
		return ENOEXEC;
	if (im->phdr_va == 0)
		im->phdr_va = first_va - first_off + im->eh.e_phoff + im->bias;
	im->entry = im->eh.e_entry + im->bias;
	return 0;
}

/* The stack region, with an unmapped guard below it, at the top of user space. */
static int
map_stack(struct vmspace *vm, struct proc *p, struct image *im, uint64_t *top)
{
	uint64_t size = MIN(p->p_rlimit[RLIMIT_STACK].rlim_cur, STACK_MAX_BYTES);
	uint64_t stack_top = SIGCODE_VA - PAGE_SIZE;
	uint64_t base = trunc_page(stack_top - size);
	uint64_t guard = base - STACK_GUARD;
	struct vm_map_entry *e;
	int error;

	/* The reservation is not committed (vm_commit.h says why). */
	error = vm_map_find(&vm->vm_map, NULL, 0, &base, stack_top - base, 0, VMFS_FIXED,
	    im->stack_prot, VM_PROT_ALL, MAP_ENTRY_COW);
	if (error == 0)
		error = vm_map_find(&vm->vm_map, NULL, 0, &guard, STACK_GUARD, 0, VMFS_FIXED,
		    VM_PROT_NONE, VM_PROT_NONE, MAP_ENTRY_COW);
	if (error)
		return error;
	vm_map_lock(&vm->vm_map);
	if ((e = vm_map_lookup_entry(&vm->vm_map, base)) != NULL)
		e->eflags |= MAP_ENTRY_STACK;
	if ((e = vm_map_lookup_entry(&vm->vm_map, guard)) != NULL)
		e->eflags |= MAP_ENTRY_GUARD | MAP_ENTRY_NOFAULT;
	vm_map_unlock(&vm->vm_map);
	*top = stack_top;
	return 0;
}

/* Push bytes below *sp (in the new address space, active now). */
static int
push_bytes(uint64_t *sp, const void *data, size_t len, uint64_t *where)
{
	*sp -= len;
	*where = *sp;
	return copyout(data, (void *)*sp, len);
}

/*
 * Lay out the initial stack: strings and random bytes at the top, then
 * (16-byte aligned) argc, argv[], NULL, envp[], NULL, auxv pairs.
 */
static int
build_stack(struct image *im, uint64_t top, char *const argv[], int argc,
    char *const envp[], int envc, const char *path)
{
	uint64_t sp = top, execfn = 0, random_va = 0, *vec;
	uint8_t random[16];
	int nvec = 1 + argc + 1 + envc + 1 + 2 * AUXV_MAX_PAIRS, v = 0, error = 0;
	uint64_t *strs = malloc(sizeof(uint64_t) * (argc + envc + 1), M_EXEC, M_WAITOK);

	vec = malloc(sizeof(uint64_t) * nvec, M_EXEC, M_WAITOK | M_ZERO);
	if (vec == NULL || strs == NULL) {
		free(vec, M_EXEC);
		free(strs, M_EXEC);
		return ENOMEM;
	}
	error = push_bytes(&sp, path, strlen(path) + 1, &execfn);
	for (int i = 0; i < argc && !error; i++)
		error = push_bytes(&sp, argv[i], strlen(argv[i]) + 1, &strs[i]);
	for (int i = 0; i < envc && !error; i++)
		error = push_bytes(&sp, envp[i], strlen(envp[i]) + 1, &strs[argc + i]);
	random_bytes(random, sizeof(random));
	sp &= ~15UL;
	if (!error)
		error = push_bytes(&sp, random, sizeof(random), &random_va);

	vec[v++] = argc;
	for (int i = 0; i < argc; i++)
		vec[v++] = strs[i];
	vec[v++] = 0;
	for (int i = 0; i < envc; i++)
		vec[v++] = strs[argc + i];
	vec[v++] = 0;
#define AUX(k, val)	do { vec[v++] = (k); vec[v++] = (val); } while (0)
	AUX(AT_PHDR, im->phdr_va);
	AUX(AT_PHENT, sizeof(struct elf64_phdr));
	AUX(AT_PHNUM, im->eh.e_phnum);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_BASE, 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, im->entry);
	AUX(AT_UID, 0);
	AUX(AT_EUID, 0);
	AUX(AT_GID, 0);
	AUX(AT_EGID, 0);
	AUX(AT_SECURE, 0);
	AUX(AT_CLKTCK, CLOCK_HZ);
	AUX(AT_HWCAP, ELF_HWCAP);
	AUX(AT_RANDOM, random_va);
	AUX(AT_EXECFN, execfn);
	AUX(AT_NULL, 0);
#undef AUX
	KASSERT(v <= nvec, ("build_stack: vector overflow"));
	sp = (sp - sizeof(uint64_t) * v) & ~15UL;
	if (!error)
		error = copyout(vec, (void *)sp, sizeof(uint64_t) * v);
	im->sp = sp;
	free(vec, M_EXEC);
	free(strs, M_EXEC);
	return error;
}

static int
open_image(struct proc *p, const char *path, struct image *im)
{
	int error = vfs_lookup(p->p_cwd, path, 0, VNON, 0, &im->vp);

	if (error)
		return error;
	if (im->vp->v_type != VREG || (im->vp->v_mode & MODE_EXEC_ANY) == 0 ||
	    im->vp->v_object == NULL)
		error = EACCES;
	if (!error)
		error = read_file(im->vp, &im->eh, sizeof(im->eh), 0);
	if (!error)
		error = check_header(im);
	if (!error)
		error = read_file(im->vp, im->ph, sizeof(struct elf64_phdr) * im->eh.e_phnum,
		    im->eh.e_phoff);
	if (error) {
		vrele(im->vp);
		im->vp = NULL;
	}
	return error;
}

/* Point td at vm (for copyout into it), returning the previous one. */
static struct vmspace *
switch_vmspace(struct thread *td, struct vmspace *vm)
{
	struct vmspace *old = td->td_vmspace;

	td->td_vmspace = vm;
	if (vm != NULL)
		pmap_activate(vm->vm_pmap);
	else
		pmap_activate_kernel();
	return old;
}

static const char *
basename(const char *path)
{
	const char *slash = path;

	for (const char *c = path; *c; c++)
		if (*c == '/')
			slash = c + 1;
	return slash;
}

int
kern_execve(struct thread *td, const char *path, char *const argv[], int argc,
    char *const envp[], int envc)
{
	struct proc *p = td->td_proc;
	struct image *im = malloc(sizeof(*im), M_EXEC, M_WAITOK | M_ZERO);
	struct vmspace *vm = NULL, *old;
	uint64_t top;
	int error;

	if (im == NULL)
		return ENOMEM;
	if ((error = open_image(p, path, im)) != 0)
		goto out;
	if ((vm = vmspace_alloc()) == NULL) {
		error = ENOMEM;
		goto out;
	}
	old = switch_vmspace(td, vm);
	error = load_segments(vm, im);
	if (!error)
		error = zero_bss_tails(im);
	if (!error)
		error = map_stack(vm, p, im, &top);
	if (!error)
		error = signal_map_trampoline(vm);
	if (!error)
		error = build_stack(im, top, argv, argc, envp, envc, path);
	if (error) {
		switch_vmspace(td, old);
		vmspace_free(vm);
		goto out;
	}
	/* The point of no return: the new image replaces the old. */
	vm->vm_brk_start = vm->vm_brk = im->brk;
	spin_lock(&proc_lock);		/* /proc/PID/maps reads it under proc_lock */
	p->p_vmspace = vm;
	spin_unlock(&proc_lock);
	if (old != NULL)
		vmspace_free(old);
	exec_setregs(td, im->entry, im->sp);
	signal_exec_reset(p);
	filedesc_exec(p->p_fd);
	strlcpy(p->p_comm, basename(path), sizeof(p->p_comm));
	proc_release_vfork_parent(p);
out:
	if (im->vp != NULL)
		vrele(im->vp);
	free(im, M_EXEC);
	return error;
}

/* Copy a NULL-terminated array of user strings into buf; *count gets the number. */
static int
copyin_strings(uint64_t uvec, char **vec, int max, char *buf, size_t *used, size_t cap,
    int *count)
{
	int n = 0;

	if (uvec == 0) {
		*count = 0;
		return 0;
	}
	for (;; n++) {
		uint64_t uptr;
		size_t len;
		int error;

		if (n >= max)
			return E2BIG;
		if (copyin((const void *)(uvec + 8 * (uint64_t)n), &uptr, sizeof(uptr)) != 0)
			return EFAULT;
		if (uptr == 0)
			break;
		error = copyinstr((const void *)uptr, buf + *used, cap - *used, &len);
		if (error == ENAMETOOLONG)
			return E2BIG;
		if (error)
			return error;
		vec[n] = buf + *used;
		*used += len;
	}
	vec[n] = NULL;
	*count = n;
	return 0;
}

/* execve(path, argv, envp) */
SYSCALL(execve)
{
	enum { MAX_ARGS = 4096 };
	char *buf = kmem_alloc(ARG_MAX_BYTES, M_WAITOK);
	char **argv = kmem_alloc(2 * sizeof(char *) * (MAX_ARGS + 1), M_WAITOK);
	char **envp = argv != NULL ? argv + MAX_ARGS + 1 : NULL;
	size_t used = 0, len;
	int argc = 0, envc = 0, error;

	if (buf == NULL || argv == NULL) {
		error = ENOMEM;
		goto out;
	}
	error = copyinstr((const void *)a[0], buf, PATH_MAX_BYTES, &len);
	if (!error) {
		used = len;
		error = copyin_strings(a[1], argv, MAX_ARGS, buf, &used, ARG_MAX_BYTES, &argc);
	}
	if (!error)
		error = copyin_strings(a[2], envp, MAX_ARGS, buf, &used, ARG_MAX_BYTES, &envc);
	if (!error)
		error = kern_execve(td, buf, argv, argc, envp, envc);
out:
	if (buf != NULL)
		kmem_free(buf, ARG_MAX_BYTES);
	if (argv != NULL)
		kmem_free(argv, 2 * sizeof(char *) * (MAX_ARGS + 1));
	return error ? -error : 0;
}
