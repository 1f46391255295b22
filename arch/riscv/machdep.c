/*
 * Machine-dependent start-up of the boot cpu: from locore's jump to the
 * high addresses until the machine-independent kernel takes over.
 *
 * Order matters: the device tree tells us where RAM is; physmem learns
 * what of it is free; pmap builds the real kernel page table from stolen
 * pages; vm_page takes over the rest of RAM; then the allocators, the
 * devices (each driver attaches what it finds in the device tree, see
 * kern/device.h), a guarded stack, interrupts, and the other harts.
 */
#include <kern/systm.h>
#include <kern/cmdline.h>
#include <kern/cons.h>
#include <kern/device.h>
#include <kern/intr.h>
#include <kern/main.h>
#include <kern/malloc.h>
#include <kern/pcpu.h>
#include <kern/platform.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <machine/csr.h>
#include <machine/harts.h>
#include <vm/kmem.h>
#include <vm/physmem.h>
#include <vm/pmap.h>
#include <vm/vm_page.h>
#include "riscv.h"
#include "sbi.h"

#define FDT_MAX_SIZE	(2UL << 20)
#define PANIC_STACK_SIZE 4096
#define BOOT_STACK_SIZE	16384		/* locore.S */

struct platform platform;
struct harts harts;
paddr_t kernel_pa_base;
struct pcpu pcpu_array[MAXCPU];
uint32_t ncpu = 1;
struct thread thread0[MAXCPU];		/* each cpu's boot, then idle, thread */
static char panic_stacks[MAXCPU][PANIC_STACK_SIZE] __aligned(16);
uint64_t boot_instret_start;

static void
sbi_cons_putc(void *arg __unused, int c)
{
	sbi_console_putchar(c);
}

static int
sbi_cons_getc(void *arg __unused)
{
	return sbi_console_getchar();
}

static const struct consdev sbi_consdev = {
	.cn_name = "sbi",
	.cn_putc = sbi_cons_putc,
	.cn_getc = sbi_cons_getc,
};

/* Per-cpu data and boot thread for logical cpu id, running on hart hartid. */
void
pcpu_setup(uint32_t id, uint64_t hartid, vaddr_t kstack_top, vaddr_t kstack_lo)
{
	struct pcpu *pc = &pcpu_array[id];
	struct thread *td = &thread0[id];

	pc->pc_cpuid = id;
	pc->pc_hartid = hartid;
	pc->pc_curthread = td;
	pc->pc_kstack_top = kstack_top;
	pc->pc_kstack_lo = kstack_lo;
	pc->pc_panic_stack = (vaddr_t)&panic_stacks[id][PANIC_STACK_SIZE];
	td->td_kstack_top = kstack_top;
	td->td_kstack_lo = kstack_lo;
	td->td_name = "idle";
	td->td_tid = (int)id;
}

static void
physmem_setup(paddr_t dtb_pa)
{
	const struct platform *p = &platform;

	for (int i = 0; i < p->nmem; i++)
		physmem_add_ram(p->mem[i].base, p->mem[i].base + p->mem[i].size);
	for (int i = 0; i < p->nrsv; i++)
		physmem_exclude(p->rsv[i].base, p->rsv[i].base + p->rsv[i].size);
	physmem_exclude(kernel_pa_base, kernel_pa_base + (_end - _start_image));
	physmem_exclude(dtb_pa, dtb_pa + p->dtb_size);
	if (p->initrd_end > p->initrd_start)
		physmem_exclude(p->initrd_start, p->initrd_end);
}

static void __noreturn
switch_stack(vaddr_t top, void (*fn)(void))
{
	__asm__ volatile("mv sp, %0\n\tmv s0, zero\n\tjr %1" :: "r"(top), "r"(fn));
	__builtin_unreachable();
}

static void __noreturn
riscv_boot_on_kstack(void)
{
	csr_write(scounteren, SCOUNTEREN_CY | SCOUNTEREN_TM | SCOUNTEREN_IR);
	intr_init_cpu();
	csr_set(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
	timer_init();
	intr_enable();
	mp_start_secondaries();
	mi_startup();
}

void
riscv_boot(uint64_t hartid, paddr_t dtb_pa, paddr_t kernel_pa, uint64_t instret)
{
	vaddr_t top;
	int error;

	pcpu_setup(0, hartid, (vaddr_t)boot_stack_top,
	    (vaddr_t)boot_stack_top - BOOT_STACK_SIZE);
	__asm__ volatile("mv tp, %0" :: "r"(&pcpu_array[0]));
	kernel_pa_base = kernel_pa;
	boot_instret_start = instret;
	cons_register(&sbi_consdev);

	error = platform_from_fdt((const void *)PHYS_TO_DMAP(dtb_pa), FDT_MAX_SIZE,
	    &platform);
	if (error)
		panic("cannot read the device tree at %lx (error %d)", dtb_pa, error);
	harts_from_fdt(&platform.fdt, &harts);
	cmdline_init(platform.bootargs);
	physmem_setup(dtb_pa);
	pmap_bootstrap();
	vm_page_startup();
	pmap_bootstrap_done();
	kmem_init();
	malloc_init();
	pmap_init();
	device_attach_all(&platform.fdt);
	printf("kernel loaded at %#lx (%lu KiB), device tree at %#lx, boot hart %lu\n",
	    kernel_pa_base, (uint64_t)(_end - _start_image) / 1024, dtb_pa, hartid);

	top = kstack_alloc(M_WAITOK);
	if (top == 0)
		panic("no memory for the boot cpu's kernel stack");
	pcpu_setup(0, hartid, top, top - KSTACK_PAGES * PAGE_SIZE);
	switch_stack(top, riscv_boot_on_kstack);
}
