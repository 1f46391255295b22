/*
 * CPU odds and ends: halting, powering off through the firmware, the
 * cpu's description for /proc/cpuinfo, and stack backtraces from the frame-pointer chain (the kernel is built with
 * -fno-omit-frame-pointer: s0 is the frame's top, with the return address
 * at s0-8 and the caller's s0 at s0-16).
 */
#include <kern/systm.h>
#include <kern/ksyms.h>
#include <kern/pcpu.h>
#include <kern/reboot.h>
#include <kern/thread.h>
#include <machine/cpu.h>
#include <machine/harts.h>
#include "riscv.h"
#include "sbi.h"

/*
 * What user programs may use on every hart (ELF_HWCAP's letters, the CSR
 * and fence.i instructions, the user counters the kernel enables), as
 * Linux's isa line spells it.
 */
#define CPUINFO_ISA	"rv64imafdc_zicntr_zicsr_zifencei"

#define BACKTRACE_MAX_FRAMES	32

void
cpu_halt(void)
{
	intr_disable();
	for (;;)
		cpu_wait_for_interrupt();
}

void
cpu_poweroff_firmware(int status)
{
	sbi_system_reset(SBI_RESET_SHUTDOWN,
	    status == POWEROFF_SUCCESS ? SBI_RESET_REASON_NONE : SBI_RESET_REASON_FAILURE);
}

int
cpu_info_format(uint32_t cpuid, char *buf, size_t size)
{
	const struct pcpu *pc = &pcpu_array[cpuid];
	const struct hart *h = harts_find(&harts, pc->pc_hartid);

	return snprintf(buf, size, "hart\t\t: %lu\nisa\t\t: %s%s\nmmu\t\t: sv39\n",
	    pc->pc_hartid, CPUINFO_ISA, h != NULL && h->has_sstc ? "_sstc" : "");
}

static bool
frame_ok(uint64_t fp, vaddr_t lo, vaddr_t hi)
{
	return fp >= lo + 16 && fp <= hi && (fp & 7) == 0;
}

/*
 * Print one frame.  A return address points after its call, possibly at
 * the next function (after a call that does not return), so it is named
 * by the byte before it.
 */
static void
print_frame(uint64_t pc, bool return_address)
{
	vaddr_t offset;
	const char *name = ksym_lookup(pc - return_address, &offset);

	if (name != NULL)
		printf("  %016lx %s+%#lx\n", pc, name, offset + return_address);
	else
		printf("  %016lx\n", pc);
}

void
backtrace_from(uint64_t fp, uint64_t pc)
{
	struct thread *td = curcpu()->pc_curthread;
	vaddr_t lo = td ? td->td_kstack_lo : 0, hi = td ? td->td_kstack_top : 0;

	printf("backtrace:\n");
	print_frame(pc, false);
	for (int i = 0; i < BACKTRACE_MAX_FRAMES && frame_ok(fp, lo, hi); i++) {
		print_frame(((uint64_t *)fp)[-1], true);
		fp = ((uint64_t *)fp)[-2];
	}
}

void
cpu_backtrace(void)
{
	uint64_t fp;

	__asm__ volatile("mv %0, s0" : "=r"(fp));
	backtrace_from(fp, (uint64_t)__builtin_return_address(0));
}
