/*
 * The physical map: the only interface through which machine-independent
 * code changes page tables (after pmap(9)).  Implemented by
 * arch/riscv/pmap.c for Sv39.
 *
 * Kernel mappings made with pmap_kenter* are wired, global, and visible
 * in every address space; they are not tracked in the reverse map.  They
 * take the kernel pmap's lock internally; callers hold nothing and must
 * own the virtual range (from kmem/vmem).  pmap_kremove invalidates the
 * TLB entry on every cpu before it returns.
 */
#ifndef _VM_PMAP_H_
#define _VM_PMAP_H_

#include <kern/types.h>

struct vm_page;

/*
 * Build the kernel's page table: the direct map of all RAM, the kernel
 * image W^X, and the page-table pages under the kernel virtual arena;
 * then switch to it.  Boot cpu only, before vm_page_startup.
 */
void pmap_bootstrap(void);

void pmap_kenter(vaddr_t va, paddr_t pa, vm_prot_t prot);
void pmap_kenter_device(vaddr_t va, paddr_t pa);
void pmap_kremove(vaddr_t va);
paddr_t pmap_kextract(vaddr_t va);	/* 0 when not mapped */

/* Protection of a kernel address as the page tables have it; VM_PROT_NONE if unmapped. */
vm_prot_t pmap_kprotection(vaddr_t va);

void pmap_zero_page(struct vm_page *m);
void pmap_copy_page(struct vm_page *src, struct vm_page *dst);

#endif
