/*
 * The ELF image activator (see imgact.h): ELF64 programs for this
 * machine, static (ET_EXEC), position-independent (ET_DYN), and
 * dynamically linked ones, whose PT_INTERP names the program that links
 * them (the dynamic loader, itself ET_DYN).
 *
 * Every segment is a private (copy-on-write) mapping of the file's own
 * vm_object, so every process running a program or loader shares its
 * pages until it writes one (text normally never is written); the tail
 * of a writable segment's last file page is zeroed (which copies just
 * that page), and the rest of the bss is anonymous zero-fill.
 *
 * Placement follows Linux on this machine.  A position-independent
 * program goes at ELF_ET_DYN_BASE, two thirds of the way up user space,
 * plus a random number of pages; its interpreter goes below the stack's
 * reservation, also a random number of pages down.  "norandmaps" on the
 * command line turns the randomness off, as on Linux.
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/copy.h>
#include <kern/imgact.h>
#include <kern/random.h>
#include <machine/machdep.h>
#include <machine/param.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <vm/vm_object.h>
#include <fs/vnode.h>

#define ELF_ET_DYN_BASE		(USER_MAX / 3 * 2 & ~(uint64_t)PAGE_MASK)
#define INTERP_TOP		(USER_MAX - (4UL << 30))	/* 4 GiB below the top: past the stack */
#define RANDOM_PAGES_BITS	18	/* Linux's mmap_rnd_bits here: up to 1 GiB of offset */

bool
exec_randomize(void)
{
	return !cmdline_has("norandmaps");
}

/* A random page-aligned offset of up to 2^RANDOM_PAGES_BITS pages, or 0. */
static uint64_t
random_offset(void)
{
	uint64_t r;

	if (!exec_randomize())
		return 0;
	random_bytes(&r, sizeof(r));
	return (r & ((1UL << RANDOM_PAGES_BITS) - 1)) << PAGE_SHIFT;
}

bool
elf_is_elf(const uint8_t *hdr, size_t len)
{
	return len >= 4 && memcmp(hdr, "\177ELF", 4) == 0;
}

/* Read all of [off, off+len) of the file; a short file is ENOEXEC. */
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
check_header(const struct elf64_ehdr *eh)
{
	if (memcmp(eh->e_ident, "\177ELF", 4) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_ident[EI_DATA] != ELFDATA2LSB || eh->e_machine != ELF_MACHINE ||
	    (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) ||
	    eh->e_phentsize != sizeof(struct elf64_phdr) || eh->e_phnum == 0 ||
	    eh->e_phnum > ELF_MAX_PHDRS)
		return ENOEXEC;
	return 0;
}

int
elf_image_open(struct elf_image *im, struct vnode *vp)
{
	int error;

	im->vp = vp;
	if ((error = read_file(vp, &im->eh, sizeof(im->eh), 0)) != 0)
		return error;
	if ((error = check_header(&im->eh)) != 0)
		return error;
	return read_file(vp, im->ph, sizeof(struct elf64_phdr) * im->eh.e_phnum, im->eh.e_phoff);
}

void
elf_image_close(struct elf_image *im)
{
	if (im->vp != NULL)
		vrele(im->vp);
	im->vp = NULL;
}

int
elf_interp_path(struct elf_image *im, char *buf, size_t size, bool *has)
{
	*has = false;
	for (int i = 0; i < im->eh.e_phnum; i++) {
		const struct elf64_phdr *ph = &im->ph[i];
		int error;

		if (ph->p_type != PT_INTERP)
			continue;
		/* The first one counts, as in Linux. */
		if (ph->p_filesz < 2 || ph->p_filesz > size)
			return ENOEXEC;
		if ((error = read_file(im->vp, buf, ph->p_filesz, ph->p_offset)) != 0)
			return error;
		if (buf[ph->p_filesz - 1] != '\0')
			return ENOEXEC;
		*has = true;
		return 0;
	}
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
map_segment(struct vmspace *vm, struct elf_image *im, const struct elf64_phdr *ph)
{
	struct vm_map *map = &vm->vm_map;
	vm_prot_t prot = segment_prot(ph->p_flags);
	uint64_t va, end_file, end_mem, start;
	uint64_t file_off = trunc_page(ph->p_offset);
	int error;

	if ((ph->p_vaddr & PAGE_MASK) != (ph->p_offset & PAGE_MASK) ||
	    ph->p_filesz > ph->p_memsz ||
	    add_overflows(ph->p_vaddr, im->bias, &va) ||
	    add_overflows(va, ph->p_memsz, &end_mem) || end_mem > USER_MAX ||
	    add_overflows(ph->p_offset, ph->p_filesz, &end_file) ||
	    end_file > vn_size(im->vp))
		return ENOEXEC;
	start = trunc_page(va);
	end_file = round_page(va + ph->p_filesz);
	end_mem = round_page(end_mem);
	if (ph->p_filesz > 0) {
		struct vm_object *obj = im->vp->v_object;

		vm_object_reference(obj);
		/*
		 * Private, as in Linux: the pages are the file's until written,
		 * so text is shared by everyone running it, and a loader that
		 * must relocate text (DT_TEXTREL) may mprotect it writable and
		 * gets its own copies.
		 */
		error = vm_map_find(map, obj, file_off, &start, end_file - start, 0, VMFS_FIXED,
		    prot, VM_PROT_ALL, MAP_ENTRY_COW | MAP_ENTRY_NEEDS_COPY |
		    ((prot & VM_PROT_WRITE) ? MAP_ENTRY_ACCOUNTED : 0));
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

/*
 * Zero the rest of the last file page of each segment that has a bss (a
 * private copy): its bss part, and past the bss too, as Linux does --
 * glibc's ld.so allocates its first memory after its own _end in that
 * page and trusts it to be zero.
 */
static int
zero_bss_tails(struct elf_image *im)
{
	static const uint8_t zeros[256];

	for (int i = 0; i < im->eh.e_phnum; i++) {
		const struct elf64_phdr *ph = &im->ph[i];
		uint64_t from = ph->p_vaddr + im->bias + ph->p_filesz;
		uint64_t to = round_page(from);

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

/* Record where a loaded segment's code or data is (Linux's start_code, end_data...). */
static void
note_segment(struct exec_layout *el, const struct elf64_phdr *ph, uint64_t bias)
{
	uint64_t start = ph->p_vaddr + bias, end = start + ph->p_filesz;

	if (ph->p_flags & PF_X) {
		if (el->el_start_code == 0 || start < el->el_start_code)
			el->el_start_code = start;
		el->el_end_code = MAX(el->el_end_code, end);
	} else if ((ph->p_flags & PF_W) && el->el_start_data == 0) {
		el->el_start_data = start;
		el->el_end_data = end;
	}
}

/*
 * The page range [*lo, *hi) the PT_LOAD segments span, unbiased;
 * ENOEXEC if there are none.
 */
static int
load_span(const struct elf_image *im, uint64_t *lo, uint64_t *hi)
{
	*lo = UINT64_MAX;
	*hi = 0;
	for (int i = 0; i < im->eh.e_phnum; i++) {
		const struct elf64_phdr *ph = &im->ph[i];
		uint64_t end;

		if (ph->p_type != PT_LOAD)
			continue;
		if (add_overflows(ph->p_vaddr, ph->p_memsz, &end) || end > USER_MAX)
			return ENOEXEC;
		*lo = MIN(*lo, trunc_page(ph->p_vaddr));
		*hi = MAX(*hi, round_page(end));
	}
	return *lo == UINT64_MAX ? ENOEXEC : 0;
}

/* Map every PT_LOAD segment at im->bias and note the headers that say how to run it. */
static int
load_segments(struct vmspace *vm, struct elf_image *im)
{
	uint64_t first_va = UINT64_MAX, first_off = 0;
	int error;

	im->phdr_va = 0;
	im->exec_stack = false;
	for (int i = 0; i < im->eh.e_phnum; i++) {
		const struct elf64_phdr *ph = &im->ph[i];

		switch (ph->p_type) {
		case PT_LOAD:
			if ((error = map_segment(vm, im, ph)) != 0)
				return error;
			im->brk = MAX(im->brk, round_page(ph->p_vaddr + im->bias + ph->p_memsz));
			note_segment(&im->layout, ph, im->bias);
			if (ph->p_vaddr < first_va) {
				first_va = ph->p_vaddr;
				first_off = ph->p_offset;
			}
			break;
		case PT_PHDR:
			im->phdr_va = ph->p_vaddr + im->bias;
			break;
		case PT_GNU_STACK:
			im->exec_stack = (ph->p_flags & PF_X) != 0;
			break;
		}
	}
	if (first_va == UINT64_MAX)
		return ENOEXEC;
	/* Without PT_PHDR, the headers are where the first segment maps the file's start. */
	if (im->phdr_va == 0)
		im->phdr_va = first_va - first_off + im->eh.e_phoff + im->bias;
	im->entry = im->eh.e_entry + im->bias;
	return zero_bss_tails(im);
}

int
elf_load_program(struct vmspace *vm, struct elf_image *im)
{
	uint64_t lo, hi;
	int error;

	if ((error = load_span(im, &lo, &hi)) != 0)
		return error;
	im->bias = im->eh.e_type == ET_DYN ? ELF_ET_DYN_BASE - lo + random_offset() : 0;
	return load_segments(vm, im);
}

int
elf_load_interp(struct vmspace *vm, struct elf_image *interp)
{
	uint64_t lo, hi, base;
	int error;

	if ((error = load_span(interp, &lo, &hi)) != 0)
		return error;
	if (interp->eh.e_type == ET_EXEC) {
		interp->bias = 0;		/* it asked for its own addresses */
		return load_segments(vm, interp);
	}
	if (hi - lo > INTERP_TOP / 2)
		return ENOMEM;
	/*
	 * Find room for the whole span at or above a random point below
	 * INTERP_TOP (held by a reservation only while it is found), then
	 * map the segments into it.
	 */
	base = INTERP_TOP - (hi - lo) - random_offset();
	error = vm_map_find(&vm->vm_map, NULL, 0, &base, hi - lo, 0, VMFS_ANYWHERE,
	    VM_PROT_NONE, VM_PROT_NONE, MAP_ENTRY_COW);
	if (error)
		return error;
	vm_map_remove(&vm->vm_map, base, base + (hi - lo));
	interp->bias = base - lo;
	return load_segments(vm, interp);
}
