/*
 * execve: replace the process's program (see imgact.h for the kinds of
 * file it runs).
 *
 * The file's first EXEC_HEADER_BYTES say what it is.  A script ("#!")
 * names its interpreter: execve starts over with that file, the script's
 * path among the arguments, at most SHELL_DEPTH_MAX times.  An ELF
 * program is loaded into a new address space with its own interpreter,
 * when it names one; the stack gets argv, envp and the auxiliary vector
 * the Linux ABI promises (AT_BASE, AT_PHDR, AT_ENTRY for the dynamic
 * loader among them).  Nothing of the old image is touched until the new
 * one is complete: the point of no return is in kern_execve.
 *
 * The program that runs (the last file opened, not the loader it asked
 * for) is the process's exe: a reference to its vnode and the absolute
 * path it was found by, shared by fork, for /proc/PID/exe.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/imgact.h>
#include <kern/malloc.h>
#include <kern/proc.h>
#include <kern/resourcevar.h>
#include <kern/random.h>
#include <kern/signal.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <machine/machdep.h>
#include <vm/kmem.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <kern/file.h>
#include <fs/mount.h>
#include <fs/vnode.h>
#include <uapi/auxvec.h>
#include <uapi/wait.h>

MALLOC_DEFINE(M_EXEC, "exec", "execve arguments and headers");

#define ARG_MAX_BYTES	(256UL << 10)
#define MAX_ARGS	4096
#define PATH_MAX_BYTES	4096
#define STACK_GUARD	(64UL << 10)
#define STACK_MAX_BYTES	(64UL << 20)	/* the stack reservation, whatever RLIMIT_STACK says */
#define AUXV_MAX_PAIRS	18
#define CLOCK_HZ	100
#define EXE_DELETED	" (deleted)"	/* after the path of a program since removed, as Linux */

/*
 * The program being started: the files on the way (scripts), the ELF
 * images at the end of it, and what the new stack holds.
 */
struct exec_state {
	/* The first bytes of each file opened, NUL-padded; scripts' names point in here. */
	char		hdr[SHELL_DEPTH_MAX + 1][EXEC_HEADER_BYTES + 1];
	char		**script_argv[SHELL_DEPTH_MAX + 1];	/* argument arrays made for scripts */
	struct elf_image prog;		/* the program */
	struct elf_image interp;	/* its dynamic loader, if it names one (vp != NULL) */
	char		interp_path[PATH_MAX_BYTES];
	struct proc_exe	*exe;		/* what /proc/PID/exe will name */
	uint64_t	sp;		/* the new stack pointer */
	struct exec_layout layout;	/* the program's segments, the strings on the stack */
};

/*
 * The program's identity for /proc/PID/exe.
 */

struct proc_exe {
	uint32_t	pe_refcnt;	/* (A) */
	struct vnode	*pe_vp;		/* (C) referenced */
	char		pe_path[];	/* (C) absolute, NUL-terminated */
};

struct proc_exe *
exe_hold(struct proc_exe *pe)
{
	if (pe != NULL)
		__atomic_add_fetch(&pe->pe_refcnt, 1, __ATOMIC_RELAXED);
	return pe;
}

void
exe_release(struct proc_exe *pe)
{
	if (pe == NULL || __atomic_sub_fetch(&pe->pe_refcnt, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	vrele(pe->pe_vp);
	free(pe, M_EXEC);
}

/* Process pid's exe record, held; NULL when there is no such process (or it has exited). */
static struct proc_exe *
exe_of(int pid)
{
	struct proc_exe *pe = NULL;
	struct proc *p;

	spin_lock(&proc_lock);
	if ((p = proc_find(pid)) != NULL)
		pe = exe_hold(p->p_exe);
	spin_unlock(&proc_lock);
	return pe;
}

int
proc_exe_path(int pid, char *buf, size_t size, size_t *len)
{
	struct proc_exe *pe = exe_of(pid);
	size_t n;

	if (pe == NULL)
		return ENOENT;
	n = strlcpy(buf, pe->pe_path, size);
	if (vn_removed(pe->pe_vp) && n < size)
		n += strlcpy(buf + n, EXE_DELETED, size - n);
	exe_release(pe);
	if (n >= size)
		return ERANGE;
	*len = n;
	return 0;
}

int
proc_exe_vnode(int pid, struct vnode **vpp)
{
	struct proc_exe *pe = exe_of(pid);

	if (pe == NULL)
		return ENOENT;
	vref(pe->pe_vp);
	*vpp = pe->pe_vp;
	exe_release(pe);
	return 0;
}

/* The exe record of vp, found by path from the process's directory; NULL when memory is short. */
static struct proc_exe *
exe_make(struct proc *p, const char *path, struct vnode *vp)
{
	char *buf = malloc(PATH_MAX_BYTES, M_TEMP, M_WAITOK);
	struct proc_exe *pe = NULL;
	struct vnode *cwd;
	size_t len;

	if (buf == NULL)
		return NULL;
	/*
	 * The program's own path, through symbolic links; through a magic
	 * link (/proc/self/exe) the path the link reads.  A path that cannot
	 * be written out (its directory since removed) is kept as given.
	 */
	cwd = proc_cwd_hold(p);
	if (vfs_fullpath_at(cwd, path, buf, PATH_MAX_BYTES, &len) != 0)
		len = strlcpy(buf, path, PATH_MAX_BYTES);
	vrele(cwd);
	if (len < PATH_MAX_BYTES &&
	    (pe = malloc(sizeof(*pe) + len + 1, M_EXEC, M_WAITOK)) != NULL) {
		pe->pe_refcnt = 1;
		vref(vp);
		pe->pe_vp = vp;
		memcpy(pe->pe_path, buf, len + 1);
	}
	free(buf, M_TEMP);
	return pe;
}

/*
 * Finding the program.
 */

/*
 * Look path up for execution, from the process's directory: a regular,
 * executable file with pages (*vpp referenced), and its first bytes in
 * hdr (EXEC_HEADER_BYTES, NUL-padded).
 */
static int
open_exec(struct proc *p, const char *path, struct vnode **vpp, char *hdr)
{
	struct vnode *vp, *cwd;
	size_t done;
	int error;

	if (path[0] == '\0')
		return ENOENT;
	cwd = proc_cwd_hold(p);
	error = vfs_lookup(cwd, path, 0, VNON, 0, &vp);
	vrele(cwd);
	if (error)
		return error;
	if (vp->v_type != VREG || vn_access(vp, X_OK) != 0 || vp->v_object == NULL ||
	    (mount_flags(vp->v_mount) & MNT_NOEXEC))
		error = EACCES;
	memset(hdr, 0, EXEC_HEADER_BYTES + 1);
	if (!error)
		error = vn_read_kernel(vp, hdr, EXEC_HEADER_BYTES, 0, &done);
	if (error) {
		vrele(vp);
		return error;
	}
	*vpp = vp;
	return 0;
}

/*
 * A script's arguments: interp, its argument (if any), the script's own
 * path, then argv without its first (Linux's order).  The array is the
 * state's to free.
 */
static int
script_args(struct exec_state *es, int depth, const char *interp, const char *arg,
    const char *path, char *const **argvp, int *argcp)
{
	char *const *argv = *argvp;
	int argc = *argcp, n = 0;
	char **nv;

	if (argc + 2 > MAX_ARGS)
		return E2BIG;
	if ((nv = malloc(sizeof(char *) * (size_t)(argc + 4), M_EXEC, M_WAITOK)) == NULL)
		return ENOMEM;
	es->script_argv[depth] = nv;
	nv[n++] = (char *)interp;
	if (arg != NULL)
		nv[n++] = (char *)arg;
	nv[n++] = (char *)path;
	for (int i = 1; i < argc; i++)
		nv[n++] = argv[i];
	nv[n] = NULL;
	*argvp = nv;
	*argcp = n;
	return 0;
}

/*
 * Follow scripts from *pathp to the ELF program that runs them:
 * es->prog opened, *pathp the path it was found by, *argvp and *argcp
 * the arguments it gets.
 */
static int
find_program(struct proc *p, struct exec_state *es, const char **pathp, char *const **argvp,
    int *argcp)
{
	struct vnode *vp;
	int error;

	for (int depth = 0;; depth++) {
		const char *interp, *arg;
		char *hdr;

		if (depth > SHELL_DEPTH_MAX)
			return ELOOP;
		hdr = es->hdr[depth];
		if ((error = open_exec(p, *pathp, &vp, hdr)) != 0)
			return error;
		if (elf_is_elf((const uint8_t *)hdr, EXEC_HEADER_BYTES))
			return elf_image_open(&es->prog, vp);
		vrele(vp);
		if (!shell_is_script((const uint8_t *)hdr, EXEC_HEADER_BYTES))
			return ENOEXEC;
		if ((error = shell_parse(hdr, EXEC_HEADER_BYTES, &interp, &arg)) != 0)
			return error;
		if ((error = script_args(es, depth, interp, arg, *pathp, argvp, argcp)) != 0)
			return error;
		*pathp = interp;
	}
}

/* Open the dynamic loader es->interp_path names; a file that is no loader is ELIBBAD. */
static int
open_interp(struct proc *p, struct exec_state *es)
{
	char hdr[EXEC_HEADER_BYTES + 1];
	struct vnode *vp;
	int error;

	if ((error = open_exec(p, es->interp_path, &vp, hdr)) != 0)
		return error;
	if (!elf_is_elf((const uint8_t *)hdr, EXEC_HEADER_BYTES)) {
		vrele(vp);
		return ELIBBAD;
	}
	error = elf_image_open(&es->interp, vp);
	return error == ENOEXEC ? ELIBBAD : error;
}

/*
 * The new stack.
 */

/* The stack region, with an unmapped guard below it, at the top of user space. */
static int
map_stack(struct vmspace *vm, struct proc *p, vm_prot_t prot, uint64_t *top)
{
	uint64_t size = MIN(p->p_rlimit[RLIMIT_STACK].rlim_cur, STACK_MAX_BYTES);
	uint64_t stack_top = SIGCODE_VA - PAGE_SIZE;
	uint64_t base = trunc_page(stack_top - size);
	uint64_t guard = base - STACK_GUARD;
	struct vm_map_entry *e;
	int error;

	/* The reservation is not committed (vm_commit.h says why). */
	error = vm_map_find(&vm->vm_map, NULL, 0, &base, stack_top - base, 0, VMFS_FIXED,
	    prot, VM_PROT_ALL, MAP_ENTRY_COW);
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
 * Push n strings one after another, in order, as one block (Linux's
 * layout: a program may treat its argument strings as one area, as
 * setproctitle does); strs[i] gets the address of each.
 */
static int
push_strings(uint64_t *sp, char *const v[], int n, uint64_t *strs)
{
	size_t total = 0;
	uint64_t at;
	int error = 0;

	for (int i = 0; i < n; i++)
		total += strlen(v[i]) + 1;
	*sp -= total;
	at = *sp;
	for (int i = 0; i < n && !error; i++) {
		size_t len = strlen(v[i]) + 1;

		strs[i] = at;
		error = copyout(v[i], (void *)at, len);
		at += len;
	}
	return error;
}

/*
 * Lay out the initial stack: the program's path, then the environment
 * and argument strings (the arguments lowest) and random bytes at the
 * top, then (16-byte aligned) argc, argv[], NULL, envp[], NULL, auxv
 * pairs.
 */
static int
build_stack(struct proc *p, struct exec_state *es, uint64_t top, char *const argv[], int argc,
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
	if (!error)
		error = push_strings(&sp, envp, envc, &strs[argc]);
	es->layout.el_env_start = sp;
	es->layout.el_env_end = execfn;
	if (!error)
		error = push_strings(&sp, argv, argc, strs);
	es->layout.el_arg_start = sp;
	es->layout.el_arg_end = es->layout.el_env_start;
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
	AUX(AT_PHDR, es->prog.phdr_va);
	AUX(AT_PHENT, sizeof(struct elf64_phdr));
	AUX(AT_PHNUM, es->prog.eh.e_phnum);
	AUX(AT_PAGESZ, PAGE_SIZE);
	AUX(AT_BASE, es->interp.vp != NULL ? es->interp.bias : 0);
	AUX(AT_FLAGS, 0);
	AUX(AT_ENTRY, es->prog.entry);
	AUX(AT_UID, p->p_ruid);
	AUX(AT_EUID, p->p_uid);
	AUX(AT_GID, p->p_rgid);
	AUX(AT_EGID, p->p_gid);
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
	es->sp = sp;
	es->layout.el_start_stack = sp;
	free(vec, M_EXEC);
	free(strs, M_EXEC);
	return error;
}

/*
 * Point td at vm (for copyout into it), returning the previous one.  The
 * process's other threads, if any, run on in the old one until exec's
 * point of no return.
 */
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

/* Build the new image in vm, the current address space: the program, its loader, the stack. */
static int
build_image(struct proc *p, struct exec_state *es, struct vmspace *vm, char *const argv[],
    int argc, char *const envp[], int envc, const char *path)
{
	uint64_t top;
	int error;

	if ((error = elf_load_program(vm, &es->prog)) != 0)
		return error;
	es->layout = es->prog.layout;
	if (es->interp.vp != NULL && (error = elf_load_interp(vm, &es->interp)) != 0)
		return error;
	error = map_stack(vm, p, es->prog.exec_stack ? VM_PROT_ALL : VM_PROT_RW, &top);
	if (!error)
		error = signal_map_trampoline(vm);
	if (!error)
		error = build_stack(p, es, top, argv, argc, envp, envc, path);
	return error;
}

static void
exec_state_free(struct exec_state *es)
{
	elf_image_close(&es->prog);
	elf_image_close(&es->interp);
	for (int i = 0; i <= SHELL_DEPTH_MAX; i++)
		free(es->script_argv[i], M_EXEC);
	exe_release(es->exe);
	free(es, M_EXEC);
}

int
kern_execve(struct thread *td, const char *path, char *const argv[], int argc,
    char *const envp[], int envc)
{
	struct proc *p = td->td_proc;
	struct exec_state *es = malloc(sizeof(*es), M_EXEC, M_WAITOK | M_ZERO);
	const char *prog_path = path;
	struct vmspace *vm = NULL, *old;
	struct proc_exe *old_exe;
	bool has_interp = false;
	int error;

	if (es == NULL)
		return ENOMEM;
	error = find_program(p, es, &prog_path, &argv, &argc);
	if (!error)
		error = elf_interp_path(&es->prog, es->interp_path, sizeof(es->interp_path),
		    &has_interp);
	if (!error && has_interp)
		error = open_interp(p, es);
	if (!error && (es->exe = exe_make(p, prog_path, es->prog.vp)) == NULL)
		error = ENOMEM;
	if (!error && (vm = vmspace_alloc()) == NULL)
		error = ENOMEM;
	if (error) {
		exec_state_free(es);
		return error;
	}
	old = switch_vmspace(td, vm);
	error = build_image(p, es, vm, argv, argc, envp, envc, path);
	/* The point of no return: the other threads end (or another thread is ending us). */
	if (error == 0 && !proc_single_thread_exec(td))
		error = EINTR;
	if (error != 0) {
		switch_vmspace(td, old);
		vmspace_free(vm);
		exec_state_free(es);
		if (thread_is_doomed(td))
			thread_exit_user(W_EXITCODE(0, SIGKILL));
		return error;
	}
	/* The new image replaces the old. */
	vm->vm_brk_start = vm->vm_brk = es->prog.brk;
	spin_lock(&proc_lock);		/* /proc/PID reads these under proc_lock */
	p->p_vmspace = vm;
	p->p_flags |= P_EXECED;		/* its parent's setpgid now fails (EACCES) */
	p->p_exec = es->layout;
	old_exe = p->p_exe;
	p->p_exe = es->exe;
	es->exe = old_exe;		/* released with the state */
	spin_unlock(&proc_lock);
	if (old != NULL) {
		proc_note_rss(p, old);		/* the peak outlives the image, as in Linux */
		vmspace_free(old);
	}
	exec_setregs(td, es->interp.vp != NULL ? es->interp.entry : es->prog.entry, es->sp);
	td->td_clear_child_tid = 0;	/* an address in the old image (Linux forgets it too) */
	signal_exec_reset(td);
	filedesc_exec(p->p_fd);
	strlcpy(p->p_comm, basename(path), sizeof(p->p_comm));
	proc_release_vfork_parent(p);
	exec_state_free(es);
	return 0;
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
