/*
 * Multiprocessor support: starting the other harts through SBI HSM,
 * inter-processor interrupts, and TLB shootdowns (kernel and user).
 *
 * Only harts the device tree marks usable (enabled, with an Sv39/Sv48
 * MMU) are started: the VisionFive 2's hart 0 is an S7 monitor core with
 * no MMU.  Started harts do not idle in the firmware, where QEMU would
 * spin them: they wait in wfi in the kernel.
 */
#include <kern/systm.h>
#include <kern/intr.h>
#include <kern/pcpu.h>
#include <kern/sched.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <machine/csr.h>
#include <machine/harts.h>
#include <vm/kmem.h>
#include <vm/pmap.h>
#include "riscv.h"
#include "sbi.h"

/*
 * How long a started hart may take to come online.  A real hart needs
 * microseconds; under QEMU without KVM on a loaded host the timebase runs
 * in host time while the guest crawls, so the wait is generous: it only
 * matters when a hart is truly broken.
 */
#define HART_START_TIMEOUT_MS	15000

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
start_hart(const struct hart *cpu)
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

	/* The boot cpu too must be a target of IPIs and remote fences. */
	__atomic_store_n(&curcpu()->pc_online, 1, __ATOMIC_RELEASE);
	if (!sbi_probe_extension(SBI_EXT_HSM)) {
		printf("mp: firmware has no HSM extension: one cpu only\n");
		return;
	}
	for (int i = 0; i < harts.nharts && ncpu < MAXCPU; i++) {
		const struct hart *cpu = &harts.hart[i];

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

	csr_write(scounteren, SCOUNTEREN_CY | SCOUNTEREN_TM | SCOUNTEREN_IR);
	intr_init_cpu();
	csr_set(sie, SIE_SSIE | SIE_STIE | SIE_SEIE);
	timer_init();
	__atomic_store_n(&pc->pc_online, 1, __ATOMIC_RELEASE);
	intr_enable();
	/* Idle until the boot cpu has set up the scheduler, then schedule. */
	while (!sched_is_running())
		cpu_wait_for_interrupt();
	sched_loop();
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

/* One cpu_call request slot per target cpu. */
struct cpu_call_req {
	void		(*fn)(void *);	/* (A) stored last by the caller, taken by the target */
	void		*arg;
	uint32_t	busy;		/* (A) from posting until fn has returned */
} __aligned(CACHE_LINE_SIZE);
static struct cpu_call_req cpu_call_reqs[MAXCPU];

static void
cpu_call_run(void)
{
	struct cpu_call_req *req = &cpu_call_reqs[cpu_id()];
	void (*fn)(void *) = __atomic_exchange_n(&req->fn, NULL, __ATOMIC_ACQUIRE);

	if (fn == NULL)
		return;
	fn(req->arg);
	__atomic_store_n(&req->busy, 0, __ATOMIC_RELEASE);
}

/*
 * Self-tests that need another cpu to touch memory (to hold TLB entries
 * that a shootdown must kill, say): run fn(arg) on cpu cpuid, in its IPI
 * handler, so with its interrupts off.  cpu_call_async returns at once
 * (after any earlier call to that cpu has finished); cpu_call_wait waits
 * until fn has returned.
 */
void
cpu_call_async(uint32_t cpuid, void (*fn)(void *), void *arg)
{
	struct cpu_call_req *req = &cpu_call_reqs[cpuid];
	uint32_t idle = 0;

	KASSERT(cpuid < ncpu && cpuid != cpu_id(), ("cpu_call: bad cpu %u", cpuid));
	while (!__atomic_compare_exchange_n(&req->busy, &idle, 1, false, __ATOMIC_ACQUIRE,
	    __ATOMIC_RELAXED)) {
		idle = 0;
		cpu_spinwait();
	}
	req->arg = arg;
	__atomic_store_n(&req->fn, fn, __ATOMIC_RELEASE);
	cpu_send_ipi(cpuid, IPI_CALL);
}

void
cpu_call_wait(uint32_t cpuid)
{
	while (__atomic_load_n(&cpu_call_reqs[cpuid].busy, __ATOMIC_ACQUIRE))
		cpu_spinwait();
}

void
cpu_call(uint32_t cpuid, void (*fn)(void *), void *arg)
{
	cpu_call_async(cpuid, fn, arg);
	cpu_call_wait(cpuid);
}

/*
 * Run fn(arg) on cpu cpuid, interrupts off, and wait for it to return;
 * here, if the caller is (or has moved onto) that cpu.  The slot is
 * taken and the wait done with interrupts on, as the caller must have
 * them, so that two cpus calling each other both get through.
 */
void
cpu_run_on(uint32_t cpuid, void (*fn)(void *), void *arg)
{
	struct cpu_call_req *req = &cpu_call_reqs[cpuid];
	uint32_t idle = 0;
	bool was_on;

	KASSERT(cpuid < ncpu && intr_enabled(), ("cpu_run_on: cpu %u, interrupts %s", cpuid,
	    intr_enabled() ? "on" : "off"));
	while (!__atomic_compare_exchange_n(&req->busy, &idle, 1, false, __ATOMIC_ACQUIRE,
	    __ATOMIC_RELAXED)) {
		idle = 0;
		cpu_spinwait();
	}
	was_on = intr_disable();
	if (cpuid == cpu_id()) {
		__atomic_store_n(&req->busy, 0, __ATOMIC_RELEASE);
		fn(arg);
		intr_restore(was_on);
		return;
	}
	req->arg = arg;
	__atomic_store_n(&req->fn, fn, __ATOMIC_RELEASE);
	cpu_send_ipi(cpuid, IPI_CALL);
	intr_restore(was_on);
	cpu_call_wait(cpuid);
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
	if (pending & (1UL << IPI_CALL))
		cpu_call_run();
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

/*
 * The remote half of a user TLB flush: invalidate [va, va+size) (size ~0:
 * everything) of address space asid (-1 on harts without ASIDs) on the
 * online cpus in the mask cpus, other than this one.  The SBI remote
 * fence returns when they have all done it.  True if any was asked.
 */
bool
tlb_shootdown_user(uint64_t cpus, vaddr_t va, vm_size_t size, int asid)
{
	struct pcpu *pc;
	uint64_t harts = 0;

	PCPU_FOREACH(pc)
		if ((cpus & (1UL << pc->pc_cpuid)) && pc != curcpu() &&
		    __atomic_load_n(&pc->pc_online, __ATOMIC_ACQUIRE))
			harts |= 1UL << pc->pc_hartid;
	if (harts == 0)
		return false;
	if (size == ~0UL)
		va = 0;
	if (asid < 0)
		sbi_remote_sfence_vma(harts, 0, va, size);
	else
		sbi_remote_sfence_vma_asid(harts, 0, va, size, (uint64_t)asid);
	return true;
}

static uint64_t remote_fence_i_sent;	/* (A) SBI remote fence.i calls */
static uint64_t remote_fence_i_failed;	/* (A) of those, refused by the firmware */

/*
 * Make instruction fetch see memory written as data (new code pages), on
 * every hart: locally with fence.i, elsewhere through the firmware.
 */
void
icache_sync_all(void)
{
	uint64_t mask;

	__asm__ volatile("fence.i" ::: "memory");
	mask = other_harts_mask();
	if (mask == 0)
		return;
	__atomic_add_fetch(&remote_fence_i_sent, 1, __ATOMIC_RELAXED);
	if (sbi_remote_fence_i(mask, 0) != SBI_SUCCESS)
		__atomic_add_fetch(&remote_fence_i_failed, 1, __ATOMIC_RELAXED);
}

void
icache_sync_counts(uint64_t *sent, uint64_t *failed)
{
	*sent = __atomic_load_n(&remote_fence_i_sent, __ATOMIC_RELAXED);
	*failed = __atomic_load_n(&remote_fence_i_failed, __ATOMIC_RELAXED);
}
