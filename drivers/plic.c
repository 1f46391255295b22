/*
 * The RISC-V Platform-Level Interrupt Controller, behind kern/intr.h.
 *
 * Each hart's S-mode external interrupt is one PLIC "context"; which
 * context belongs to which hart comes from the device tree's
 * interrupts-extended (harts_plic_contexts()), because boards number
 * them differently (QEMU: 2h+1; the JH7110, whose hart 0 has no S-mode:
 * 2h).  Every source is enabled on every cpu that has run
 * intr_init_cpu(); the first hart to claim it handles it.
 *
 * Locking: sources[] and context_of_cpu[] are written under plic_lock
 * (a source before it is enabled, a cpu's context by that cpu before it
 * takes interrupts) and only read afterwards.  The rest is (C) after
 * attach.
 */
#include <kern/systm.h>
#include <kern/device.h>
#include <kern/intr.h>
#include <kern/pcpu.h>
#include <kern/spinlock.h>
#include <machine/cpu.h>
#include <machine/harts.h>
#include <vm/kmem.h>

#define PLIC_PRIORITY(irq)	(4 * (irq))
#define PLIC_ENABLE(ctx)	(0x2000 + 0x80 * (ctx))
#define PLIC_THRESHOLD(ctx)	(0x200000 + 0x1000 * (ctx))
#define PLIC_CLAIM(ctx)		(0x200000 + 0x1000 * (ctx) + 4)
#define PLIC_MAX_SOURCES	1024

struct intr_source {
	intr_handler_t	*handler;
	void		*arg;
	uint64_t	count;		/* (A) */
};

static volatile uint8_t *plic_base;
static uint32_t plic_ndev;
static struct intr_source *sources;	/* [plic_ndev + 1] */
static int context_of_hart[HARTS_MAX];	/* (C) indexed like harts.hart[] */
static int context_of_cpu[MAXCPU];	/* by logical cpu id; -1: none */
static struct spinlock plic_lock = SPINLOCK_INITIALIZER("plic");

static inline volatile uint32_t *
plic_reg(uint64_t off)
{
	return (volatile uint32_t *)(plic_base + off);
}

/* Map the first PLIC in the tree; a second one is not driven (ENXIO). */
static int
plic_attach(struct device *dev)
{
	uint32_t ndev;
	size_t size;

	if (plic_base != NULL)
		return ENXIO;
	ndev = fdt_getprop_u32(dev->dv_fdt, dev->dv_node, "riscv,ndev", 0);
	if (dev->dv_nreg == 0 || ndev == 0)
		return ENODEV;
	plic_ndev = MIN(ndev, PLIC_MAX_SOURCES - 1);
	harts_plic_contexts(dev->dv_fdt, dev->dv_node, &harts, context_of_hart);
	for (int i = 0; i < MAXCPU; i++)
		context_of_cpu[i] = -1;
	size = round_page((plic_ndev + 1) * sizeof(*sources));
	if ((sources = kmem_alloc(size, M_WAITOK)) == NULL)
		return ENOMEM;
	plic_base = kmem_mapdev(dev->dv_reg[0].base, dev->dv_reg[0].size);
	if (plic_base == NULL) {
		kmem_free(sources, size);
		sources = NULL;
		return ENOMEM;
	}
	return 0;
}

static const char *const plic_compat[] = { "sifive,plic-1.0.0", "riscv,plic0", NULL };
DRIVER(plic, plic_compat, DRIVER_PASS_INTERRUPT, plic_attach);

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
	const struct hart *hart;
	int ctx;

	if (plic_base == NULL)
		return;
	hart = harts_find(&harts, curcpu()->pc_hartid);
	if (hart == NULL || (ctx = context_of_hart[hart - harts.hart]) < 0)
		return;
	spin_lock(&plic_lock);
	context_of_cpu[cpu_id()] = ctx;
	for (uint32_t irq = 1; irq <= plic_ndev; irq++)
		if (sources[irq].handler != NULL)
			enable_source_on(ctx, irq);
	spin_unlock(&plic_lock);
	*plic_reg(PLIC_THRESHOLD(ctx)) = 0;
}

void
intr_dispatch(void)
{
	int ctx;
	uint32_t irq;

	if (plic_base == NULL || (ctx = context_of_cpu[cpu_id()]) < 0)
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
intr_source_count(uint32_t irq)
{
	if (sources == NULL || irq == 0 || irq > plic_ndev)
		return 0;
	return __atomic_load_n(&sources[irq].count, __ATOMIC_RELAXED);
}
