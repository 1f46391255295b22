/*
 * ELF64, as far as execve and a loader read it (Linux linux/elf.h): the
 * file header, the program headers, the dynamic section.  Shared by the
 * kernel (imgact_elf.c), the loader ld-sable.so.1 and the tests.
 */
#ifndef _UAPI_ELF_H
#define _UAPI_ELF_H

#define EI_NIDENT	16
#define EI_CLASS	4
#define EI_DATA		5
#define ELFCLASS64	2
#define ELFDATA2LSB	1

#define ET_EXEC		2	/* at fixed addresses */
#define ET_DYN		3	/* position-independent: a PIE, a shared object */
#define EM_RISCV	243

#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3	/* the path of the program's dynamic loader */
#define PT_PHDR		6	/* where the program headers themselves are loaded */
#define PT_GNU_STACK	0x6474e551	/* PF_X: the stack must be executable */
#define PT_GNU_RELRO	0x6474e552	/* read-only after relocation */

#define PF_X		1
#define PF_W		2
#define PF_R		4

#define DT_NULL		0
#define DT_RELA		7
#define DT_RELASZ	8

#ifndef __ASSEMBLER__
#include <stdint.h>

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

struct elf64_dyn {
	int64_t		d_tag;
	uint64_t	d_val;
};

struct elf64_rela {
	uint64_t	r_offset;
	uint64_t	r_info;
	int64_t		r_addend;
};
#endif

#endif
