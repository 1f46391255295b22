/*
 * The RISC-V Platform-Level Interrupt Controller.
 *
 * Each hart's S-mode external interrupt is one PLIC "context"; which
 * context belongs to which hart comes from the device tree's
 * interrupts-extended (struct plat_cpu.plic_s_context), because boards
 * number them differently (QEMU: 2h+1; the JH7110, whose hart 0 has no
 * S-mode: 2h).  Every source is enabled on every usable hart; the first
 * hart to claim it handles it.
 *
 * Locking: handlers[] is written under plic_lock before the source is
 * enabled and only read afterwards.
 */
#include <kern/systm.h>
#include <kern/intr.h>
#include <kern/pcpu.h>
#include <kern/platform.h>
#include <kern/spinlock.h>
#include <machine/cpu.h>
#include <vm/kmem.h>
#include "plic.h"

#define PLIC_PRIORITY(irq)	(4 * (irq))
#define PLIC_ENABLE(ctx)	(0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx)	(0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)		(0x200000 + 0x1000 * (ctx) + 4)
#define PLIC_MAX_SOURCES	1024

struct intr_source {
	intr_handler_t	*handler;
	void		*arg;
	uint64_t	count;
};

static volatile uint8_t *plic_base;
static uint32_t plic_ndev;
static struct intr_source *sources;	/* [plic_ndev + 1] */
static int context_of_cpu[MAXCPU];	/* (C) by logical cpu id */
static struct spinlock plic_lock = SPINLOCK_INITIALIZER("plic");

static inline volatile uint32_t *
plic_reg(uint64_t off)
{
	return (volatile uint32_t *)(plic_base + off);
}

int
plic_attach(const struct platform *p)
{
	if (p->plic_base == 0 || p->plic_ndev == 0)
		return ENODEV;
	plic_ndev = MIN(p->plic_ndev, PLIC_MAX_SOURCES - 1);
	plic_base = kmem_mapdev(p->plic_base, p->plic_size);
	sources = kmem_alloc(round_page((plic_ndev + 1) * sizeof(*sources)), M_WAITOK);
	if (plic_base == NULL || sources == NULL)
		return ENOMEM;
	for (int i = 0; i < MAXCPU; i++)
		context_of_cpu[i] = -1;
	return 0;
}

/* Record which context the cpu with this logical id uses. */
void
plic_set_cpu_context(uint32_t cpuid, int context)
{
	KASSERT(cpuid < MAXCPU, ("plic: cpu %u", cpuid));
	context_of_cpu[cpuid] = context;
}

static void
enable_source_on(int ctx, uint32_t irq)
{
	volatile uint32_t *en = plic_reg(PLIC_ENABLE(ctx) + 4 * (irq / 32));

	*en |= 1U << (irq % 32);
}

int
intr_establish(uint32_t irq, intr_handler_t *handler, void *arg)
{
	if (plic_base == NULL)
		return ENODEV;
	if (irq == 0 || irq > plic_ndev)
		return EINVAL;
	spin_lock(&plic_lock);
	if (sources[irq].handler != NULL) {
		spin_unlock(&plic_lock);
		return EBUSY;
	}
	sources[irq].handler = handler;
	sources[irq].arg = arg;
	*plic_reg(PLIC_PRIORITY(irq)) = 1;
	for (int c = 0; c < MAXCPU; c++)
		if (context_of_cpu[c] >= 0)
			enable_source_on(context_of_cpu[c], irq);
	spin_unlock(&plic_lock);
	return 0;
}

void
intr_init_cpu(void)
{
	int ctx;

	if (plic_base == NULL)
		return;
	ctx = context_of_cpu[cpu_id()];
	if (ctx < 0)
		return;
	spin_lock(&plic_lock);
	for (uint32_t irq = 1; irq <= plic_ndev; irq++)
		if (sources[irq].handler != NULL)
			enable_source_on(ctx, irq);
	spin_unlock(&plic_lock);
	*plic_reg(PLIC_THRESHOLD(ctx)) = 0;
}

void
intr_dispatch(void)
{
	int ctx = context_of_cpu[cpu_id()];
	uint32_t irq;

	if (ctx < 0)
		return;
	while ((irq = *plic_reg(PLIC_CLAIM(ctx))) != 0) {
		if (irq <= plic_ndev && sources[irq].handler != NULL) {
			__atomic_add_fetch(&sources[irq].count, 1, __ATOMIC_RELAXED);
			sources[irq].handler(sources[irq].arg);
		}
		*plic_reg(PLIC_CLAIM(ctx)) = irq;
	}
}

uint64_t
plic_source_count(uint32_t irq)
{
	if (sources == NULL || irq == 0 || irq > plic_ndev)
		return 0;
	return __atomic_load_n(&sources[irq].count, __ATOMIC_RELAXED);
}
