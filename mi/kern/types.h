/*
 * Basic kernel types.  Freestanding: only the compiler's own headers.
 */
#ifndef _KERN_TYPES_H_
#define _KERN_TYPES_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t paddr_t;	/* physical address */
typedef uint64_t vaddr_t;	/* virtual address */
typedef uint64_t vm_size_t;
typedef uint64_t vm_pindex_t;	/* page index within a vm_object */
typedef int64_t ssize_t;
typedef int64_t off_t;
typedef int vm_prot_t;

#define VM_PROT_NONE	0x0
#define VM_PROT_READ	0x1
#define VM_PROT_WRITE	0x2
#define VM_PROT_EXECUTE	0x4
#define VM_PROT_RW	(VM_PROT_READ | VM_PROT_WRITE)
#define VM_PROT_ALL	(VM_PROT_READ | VM_PROT_WRITE | VM_PROT_EXECUTE)

#endif
