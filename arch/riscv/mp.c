/*
 * Multiprocessor support: starting the other harts through SBI HSM,
 * inter-processor interrupts, and kernel TLB shootdowns.
 *
 * Only harts the device tree marks usable (enabled, with an Sv39/Sv48
 * MMU) are started: the VisionFive 2's hart 0 is an S7 monitor core with
 * no MMU.  Started harts do not idle in the firmware, where QEMU would
 * spin them: they wait in wfi in the kernel.
 */
#include <kern/systm.h>
#include <kern/intr.h>
#include <kern/pcpu.h>
#include <kern/platform.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <machine/csr.h>
#include <vm/kmem.h>
#include <vm/pmap.h>
#include <drivers/plic.h>
#include "riscv.h"
#include "sbi.h"

#define HART_START_TIMEOUT_MS	1000

static paddr_t
kernel_va_to_pa(const void *va)
{
	return kernel_pa_base + ((vaddr_t)va - (vaddr_t)_start_image);
}

static bool
wait_online(struct pcpu *pc)
{
	uint64_t deadline = cpu_time() + cpu_timebase_hz() * HART_START_TIMEOUT_MS / 1000;

	while (!__atomic_load_n(&pc->pc_online, __ATOMIC_ACQUIRE)) {
		if (cpu_time() > deadline)
			return false;
		cpu_spinwait();
	}
	return true;
}

static void
start_hart(const struct plat_cpu *cpu)
{
	uint32_t id = ncpu;
	struct pcpu *pc = &pcpu_array[id];
	vaddr_t top = kstack_alloc(M_WAITOK);
	int error;

	if (top == 0) {
		printf("mp: no stack for hart %lu\n", cpu->hartid);
		return;
	}
	pcpu_setup(id, cpu->hartid, top, top - KSTACK_PAGES * PAGE_SIZE);
	plic_set_cpu_context(id, cpu->plic_s_context);
	error = sbi_hart_start(cpu->hartid, kernel_va_to_pa(mp_entry), (uint64_t)pc);
	if (error != SBI_SUCCESS) {
		printf("mp: hart %lu did not start (SBI error %d)\n", cpu->hartid, error);
		kstack_free(top);
		return;
	}
	if (!wait_online(pc)) {
		printf("mp: hart %lu did not come online\n", cpu->hartid);
		return;		/* its stack stays: it may still be running */
	}
	__atomic_store_n(&ncpu, id + 1, __ATOMIC_RELEASE);
}

void
mp_start_secondaries(void)
{
	uint64_t boot_hart = curcpu()->pc_hartid;

	if (!sbi_probe_extension(SBI_EXT_HSM)) {
		printf("mp: firmware has no HSM extension: one cpu only\n");
		return;
	}
	for (int i = 0; i < platform.ncpus && ncpu < MAXCPU; i++) {
		const struct plat_cpu *cpu = &platform.cpus[i];

		if (!cpu->usable || cpu->hartid == boot_hart)
			continue;
		if (cpu->hartid >= 64) {
			printf("mp: hart %lu beyond the 64-hart masks we use\n", cpu->hartid);
			continue;
		}
		start_hart(cpu);
	}
}

void
mp_secondary_main(void)
{
	struct pcpu *pc = curcpu();

	intr_init_cpu();
	csr_set(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
	timer_init();
	__atomic_store_n(&pc->pc_online, 1, __ATOMIC_RELEASE);
	intr_enable();
	for (;;)
		cpu_wait_for_interrupt();
}

/* Harts other than this one that run the kernel, as an SBI hart mask. */
static uint64_t
other_harts_mask(void)
{
	struct pcpu *pc;
	uint64_t mask = 0;

	PCPU_FOREACH(pc)
		if (pc != curcpu() && __atomic_load_n(&pc->pc_online, __ATOMIC_ACQUIRE))
			mask |= 1UL << pc->pc_hartid;
	return mask;
}

void
cpu_send_ipi(uint32_t cpuid, int reason)
{
	struct pcpu *pc = &pcpu_array[cpuid];

	__atomic_or_fetch(&pc->pc_ipi_pending, 1UL << reason, __ATOMIC_RELEASE);
	sbi_send_ipi(1UL << pc->pc_hartid, 0);
}

void
ipi_intr(void)
{
	struct pcpu *pc = curcpu();
	uint64_t pending = __atomic_exchange_n(&pc->pc_ipi_pending, 0, __ATOMIC_ACQUIRE);

	pc->pc_ipis++;
	if (pending & (1UL << IPI_HALT))
		cpu_halt();
}

void
cpu_stop_others(void)
{
	struct pcpu *pc;

	PCPU_FOREACH(pc)
		if (pc != curcpu() && pc->pc_online) {
			__atomic_or_fetch(&pc->pc_ipi_pending, 1UL << IPI_HALT, __ATOMIC_RELEASE);
			sbi_send_ipi(1UL << pc->pc_hartid, 0);
		}
}

/*
 * Invalidate kernel (global) translations for [va, va+size) everywhere.
 * Remote harts are reached through the firmware's RFENCE call.
 */
void
tlb_shootdown_kernel(vaddr_t va, vm_size_t size)
{
	uint64_t mask;

	for (vaddr_t a = va; a < va + size; a += PAGE_SIZE)
		sfence_vma_page(a);
	mask = other_harts_mask();
	if (mask != 0)
		sbi_remote_sfence_vma(mask, 0, va, size);
}
