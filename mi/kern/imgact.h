/*
 * Image activators: what execve does with a file, by its first bytes
 * (after FreeBSD's imgact_elf.c and imgact_shell.c).
 *
 *   imgact_elf.c    an ELF64 program for this machine: its PT_LOAD
 *                   segments, and the interpreter PT_INTERP names (the
 *                   dynamic loader) as a second image at a random base
 *   imgact_shell.c  "#!interpreter [arg]": execve starts over with the
 *                   interpreter, the script's path among its arguments
 *
 * kern_exec.c reads EXEC_HEADER_BYTES of the file, offers them to each
 * activator, and owns everything else: the arguments, the new address
 * space, the stack and the point of no return.
 *
 * Locking: none.  Everything here works on the exec in progress, which
 * only the calling thread sees; the new address space is not yet any
 * process's.
 */
#ifndef _KERN_IMGACT_H_
#define _KERN_IMGACT_H_

#include <kern/types.h>
#include <uapi/elf.h>

struct vnode;
struct vmspace;

#define EXEC_HEADER_BYTES	256	/* what is read to tell files apart (Linux's BINPRM_BUF_SIZE) */
#define SHELL_DEPTH_MAX		5	/* interpreters that are scripts themselves; more: ELOOP */
#define ELF_MAX_PHDRS		64

/*
 * Where exec put the program in its address space (Linux keeps these in
 * mm_struct): /proc/PID/stat reports them, /proc/PID/cmdline reads the
 * arguments from [arg_start, arg_end).
 */
struct exec_layout {
	uint64_t	el_start_code;		/* the executable segments */
	uint64_t	el_end_code;
	uint64_t	el_start_data;		/* the writable segment's file part */
	uint64_t	el_end_data;
	uint64_t	el_start_stack;		/* sp at entry: argc */
	uint64_t	el_arg_start;		/* argv strings, one after another */
	uint64_t	el_arg_end;
	uint64_t	el_env_start;		/* then the environment strings */
	uint64_t	el_env_end;
};

/* One ELF file being loaded: the program, or its interpreter. */
struct elf_image {
	struct vnode	*vp;		/* referenced */
	struct elf64_ehdr eh;
	struct elf64_phdr ph[ELF_MAX_PHDRS];
	uint64_t	bias;		/* added to every p_vaddr (0 for ET_EXEC) */
	uint64_t	phdr_va;	/* where its program headers are, loaded */
	uint64_t	entry;		/* e_entry + bias */
	uint64_t	brk;		/* end of its highest segment */
	bool		exec_stack;	/* PT_GNU_STACK asks for an executable stack */
	struct exec_layout layout;	/* its segments (the program's only count) */
};

/*
 * Is hdr (len bytes, the start of a file) an ELF image execve could run?
 * Only the magic number: elf_image_open checks the rest.
 */
bool elf_is_elf(const uint8_t *hdr, size_t len);
/*
 * Read and check the headers of the file vp (referenced; the image takes
 * the reference, also on an error, and drops it in elf_image_close).
 * ENOEXEC if it is no program for this machine, EIO.
 */
int elf_image_open(struct elf_image *im, struct vnode *vp);
void elf_image_close(struct elf_image *im);
/*
 * The interpreter the program im asks for (PT_INTERP), into buf: 0 with
 * *has = false when there is none, ENOEXEC when the request is
 * malformed (empty, too long, not NUL-terminated).
 */
int elf_interp_path(struct elf_image *im, char *buf, size_t size, bool *has);
/*
 * Map the program's segments into vm (the current address space).  An
 * ET_DYN program goes at a random offset above ELF_ET_DYN_BASE.
 */
int elf_load_program(struct vmspace *vm, struct elf_image *im);
/* Map the interpreter's segments into vm at a free, random base below the stack. */
int elf_load_interp(struct vmspace *vm, struct elf_image *interp);
/* Are addresses in new images randomized (not with "norandmaps" on the command line)? */
bool exec_randomize(void);

/*
 * Parse a script's first line in hdr (len bytes, starting "#!"; a short
 * file padded with NULs to EXEC_HEADER_BYTES) in place, as Linux does:
 * *interp is the interpreter's path and *arg its one optional argument
 * (NULL if none), NUL-terminated inside hdr; spaces and tabs separate,
 * and the rest of the line is one argument.  ENOEXEC when hdr is no
 * script, names no interpreter, or has no newline and the interpreter's
 * name runs to its end (it may be cut short).
 */
int shell_parse(char *hdr, size_t len, const char **interp, const char **arg);
/* Does hdr (len bytes) start a script? */
bool shell_is_script(const uint8_t *hdr, size_t len);

#endif
