/*
 * The harts, as the device tree's /cpus describes them: hart ids, MMUs,
 * the ISA extensions the kernel cares about, and each hart's local
 * interrupt controller (riscv,cpu-intc), which is how a PLIC context is
 * tied to a hart.  harts_from_fdt() fills struct harts once at boot; the
 * boot code, the timer, SMP start-up and the PLIC driver read it.
 *
 * Pure functions of the tree (no allocation, no global state), so the
 * host unit tests run them on the real VisionFive 2 and QEMU blobs.
 * Malformed properties are treated as absent.
 */
#ifndef _MACHINE_HARTS_H_
#define _MACHINE_HARTS_H_

#include <kern/types.h>
#include <kern/fdt.h>

#define HARTS_MAX	32

/* The cpu-intc interrupt number of a hart's S-mode external interrupt. */
#define CPU_INTC_IRQ_S_EXT	9

enum hart_mmu { HART_MMU_NONE = 0, HART_MMU_SV39, HART_MMU_SV48, HART_MMU_SV57 };

struct hart {
	uint64_t	hartid;		/* the cpu node's reg */
	enum hart_mmu	mmu;		/* mmu-type */
	bool		enabled;	/* status absent, "okay" or "ok" */
	bool		usable;		/* enabled, and has Sv39, Sv48 or Sv57 */
	bool		has_sstc;	/* riscv,isa or riscv,isa-extensions lists sstc */
	bool		has_fpu;	/* 'f' and 'd' (or 'g') in the ISA */
	uint32_t	intc_phandle;	/* its riscv,cpu-intc child; 0: none */
};

/* All fields (C) after boot. */
struct harts {
	uint64_t	timebase_hz;	/* /cpus (or a cpu node's) timebase-frequency */
	struct hart	hart[HARTS_MAX];
	int		nharts;
};

/* The machine's harts, read at boot (arch/riscv/machdep.c). */
extern struct harts harts;

/* Read /cpus: every node with device_type "cpu" and a hart id, in order. */
void harts_from_fdt(const struct fdt *fdt, struct harts *h);

/* The hart with this id, or NULL. */
const struct hart *harts_find(const struct harts *h, uint64_t hartid);

/*
 * The PLIC's contexts are the entries of its interrupts-extended, in
 * order: <&cpu-intc irq>.  Set context[i] to the number of the context
 * that delivers S-mode external interrupts (irq CPU_INTC_IRQ_S_EXT) to
 * h->hart[i], or -1 when there is none.  Hart ids say nothing about
 * context numbers: QEMU has 2h+1, the JH7110 2h (its hart 0 has no S mode).
 */
void harts_plic_contexts(const struct fdt *fdt, int plic_node,
    const struct harts *h, int context[HARTS_MAX]);

#endif
