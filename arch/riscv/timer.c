/*
 * The per-cpu clock interrupt, HZ (kern/time.h) times a second.  Harts
 * with Sstc (QEMU's default cpu) program stimecmp directly; others (the
 * U74) ask the firmware through SBI TIME.
 */
#include <kern/systm.h>
#include <kern/pcpu.h>
#include <kern/time.h>
#include <machine/cpu.h>
#include <machine/csr.h>
#include <machine/harts.h>
#include "riscv.h"
#include "sbi.h"

static uint64_t ticks_interval;		/* (C) timebase ticks per clock tick */
static bool use_sstc;			/* (C) every usable hart has Sstc */

uint64_t
cpu_time(void)
{
	uint64_t t;

	__asm__ volatile("rdtime %0" : "=r"(t));
	return t;
}

uint64_t
cpu_timebase_hz(void)
{
	return harts.timebase_hz;
}

static bool
all_harts_have_sstc(void)
{
	for (int i = 0; i < harts.nharts; i++)
		if (harts.hart[i].usable && !harts.hart[i].has_sstc)
			return false;
	return true;
}

static void
timer_program(uint64_t when)
{
	if (use_sstc)
		__asm__ volatile("csrw %0, %1" :: "i"(CSR_STIMECMP), "r"(when));
	else
		sbi_set_timer(when);
}

void
timer_init(void)
{
	if (curcpu()->pc_cpuid == 0) {
		KASSERT(harts.timebase_hz >= HZ, ("timebase %lu Hz", harts.timebase_hz));
		ticks_interval = harts.timebase_hz / HZ;
		use_sstc = all_harts_have_sstc();
	}
	timer_program(cpu_time() + ticks_interval);
}

void
timer_intr(void)
{
	curcpu()->pc_ticks++;
	timer_program(cpu_time() + ticks_interval);
}

bool
timer_uses_sstc(void)
{
	return use_sstc;
}
