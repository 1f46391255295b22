/*
 * Machine-dependent self-tests: the kernel image is mapped W^X, kernel
 * stacks have guard pages, and every usable hart is running and takes
 * timer interrupts and IPIs.
 */
#include <kern/systm.h>
#include <kern/pcpu.h>
#include <kern/selftest.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <machine/harts.h>
#include <vm/kmem.h>
#include <vm/pmap.h>
#include <vm/vm_map.h>
#include <vm/zone.h>
#include "riscv.h"

int probe_exec(const void *addr);	/* trap.S: 0, or EFAULT if not executable */

/* An instruction ("ret") in writable data: executing it must fault. */
static uint32_t data_ret_insn = 0x00008067;
static const uint32_t rodata_word = 0x12345678;

static void
test_wx(void)
{
	vaddr_t text = (vaddr_t)_start_image, rodata = (vaddr_t)_etext;
	vaddr_t data = (vaddr_t)_erodata, end = (vaddr_t)_end;
	bool no_wx = true;
	uint8_t byte;

	for (vaddr_t va = text; va < end; va += PAGE_SIZE) {
		vm_prot_t p = pmap_kprotection(va);

		if ((p & VM_PROT_WRITE) && (p & VM_PROT_EXECUTE))
			no_wx = false;
	}
	selftest_ok(no_wx, "no kernel image page is both writable and executable");
	selftest_ok(pmap_kprotection(text) == (VM_PROT_READ | VM_PROT_EXECUTE),
	    "kernel text is read+execute");
	selftest_ok(pmap_kprotection(rodata) == VM_PROT_READ, "kernel rodata is read-only");
	selftest_ok(pmap_kprotection(data) == VM_PROT_RW, "kernel data is read+write");
	selftest_ok(probe_store_u8((void *)text, 0) == EFAULT,
	    "a write to kernel text faults and is caught");
	selftest_ok(probe_store_u8((void *)&rodata_word, 0) == EFAULT,
	    "a write to kernel rodata faults");
	selftest_ok(probe_store_u8((void *)PHYS_TO_DMAP(kernel_pa_base), 0) == EFAULT,
	    "a write to kernel text through the direct map faults");
	selftest_ok(probe_load_u8((void *)text, &byte) == 0, "kernel text is readable");
	selftest_ok(probe_exec(&data_ret_insn) == EFAULT,
	    "executing kernel data faults");
	selftest_ok(probe_exec((void *)PHYS_TO_DMAP(kernel_pa_base + 0x40)) == EFAULT,
	    "executing through the direct map faults");
}

static void
test_stack_guard(void)
{
	uint64_t stacks;
	vaddr_t top, guard;
	void *kmem = kmem_alloc(PAGE_SIZE, M_WAITOK);
	uint8_t byte;

	zone_reclaim_all();		/* no freed stacks kept: this one is new */
	stacks = vm_map_entry_count(kstack_map);
	top = kstack_alloc(M_WAITOK);
	guard = top - ptoa(KSTACK_PAGES + 1);
	if (!selftest_ok(top != 0, "kstack_alloc"))
		return;
	selftest_ok(vm_map_entry_count(kstack_map) == stacks + 1 &&
	    vm_map_kernel_lookup(top - 1) == kstack_map &&
	    vm_map_kernel_lookup(guard) == kstack_map,
	    "the stack and its guard are one entry of kernel_map's kstack submap");
	selftest_ok(kmem != NULL && vm_map_kernel_lookup((vaddr_t)kmem) == kernel_map,
	    "kmem memory lies in kernel_map's kmem arena");
	kmem_free(kmem, PAGE_SIZE);
	selftest_ok(probe_store_u8((void *)(top - 1), 1) == 0, "top of a kernel stack is writable");
	selftest_ok(probe_store_u8((void *)(guard + PAGE_SIZE), 1) == 0,
	    "bottom of a kernel stack is writable");
	selftest_ok(probe_load_u8((void *)(guard + PAGE_SIZE - 1), &byte) == EFAULT,
	    "the guard page below a kernel stack faults");
	kstack_free(top);
	selftest_ok(kstack_alloc(M_WAITOK) == top && probe_store_u8((void *)(top - 1), 2) == 0 &&
	    probe_store_u8((void *)(guard + PAGE_SIZE), 2) == 0,
	    "a freed stack is kept for the next one, mapped top to bottom");
	kstack_free(top);
	zone_reclaim_all();
	selftest_ok(probe_load_u8((void *)(top - 1), &byte) == EFAULT,
	    "zone_reclaim_all unmaps the kept kernel stacks");
	selftest_ok(vm_map_entry_count(kstack_map) == stacks &&
	    vm_map_kernel_lookup(top - 1) == NULL, "and their kstack_map entries go");
}

static int
usable_harts(void)
{
	int n = 0;

	for (int i = 0; i < harts.nharts; i++)
		n += harts.hart[i].usable;
	return MIN(n, MAXCPU);
}

static bool
wait_until(volatile uint64_t *counter, uint64_t above, uint64_t ms)
{
	uint64_t deadline = cpu_time() + cpu_timebase_hz() * ms / 1000;

	while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) <= above)
		if (cpu_time() > deadline)
			return false;
	return true;
}

static void
test_smp(void)
{
	struct pcpu *pc;
	bool ticking = true, ipis = true, distinct = true;

	selftest_ok((int)ncpu == usable_harts(), "%u cpus online, %d usable harts in the device tree",
	    ncpu, usable_harts());
	PCPU_FOREACH(pc) {
		ticking &= wait_until(&pc->pc_ticks, pc->pc_ticks, 500);
		if (pc != curcpu()) {
			uint64_t before = pc->pc_ipis;

			cpu_send_ipi(pc->pc_cpuid, IPI_NOP);
			ipis &= wait_until(&pc->pc_ipis, before, 500);
		}
		for (struct pcpu *o = &pcpu_array[0]; o < pc; o++)
			distinct &= o->pc_hartid != pc->pc_hartid;
	}
	selftest_ok(ticking, "every cpu takes clock interrupts (%s)",
	    timer_uses_sstc() ? "Sstc stimecmp" : "SBI set_timer");
	selftest_ok(ipis, "every other cpu takes an IPI");
	selftest_ok(distinct, "each cpu runs on its own hart");
}

SELFTEST(wx, test_wx);
SELFTEST(kstack, test_stack_guard);
SELFTEST(smp, test_smp);
