/*
 * The harts from the device tree: /cpus, each cpu node's riscv,isa (or
 * riscv,isa-extensions) and mmu-type, and its riscv,cpu-intc child.  See
 * machine/harts.h.
 */
#include <kern/systm.h>
#include <kern/errno.h>
#include <kern/fdt.h>
#include <machine/harts.h>

struct isa_caps {
	bool	f, d, sstc;
};

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Multi-letter extension names begin with one of these letters. */
static bool
starts_multi_letter(char c)
{
	c = lower(c);
	return c == 's' || c == 'z' || c == 'x';
}

/* A multi-letter extension [s, s+n), possibly with a "2p0" version. */
static void
isa_multi_letter(const char *s, size_t n, struct isa_caps *caps)
{
	const char *want = "sstc";
	size_t i, end = n;

	while (end > 0 && is_digit(s[end - 1]))
		end--;
	if (end < n && end > 1 && lower(s[end - 1]) == 'p' &&
	    is_digit(s[end - 2])) {
		for (end--; end > 0 && is_digit(s[end - 1]); end--)
			;
	}
	if (end != strlen(want))
		return;
	for (i = 0; i < end; i++)
		if (lower(s[i]) != want[i])
			return;
	caps->sstc = true;
}

/*
 * One '_'-separated part of an ISA string: single letters (with optional
 * versions, "i2p1"), possibly running straight into a multi-letter one.
 */
static void
isa_part(const char *s, size_t n, struct isa_caps *caps)
{
	size_t i;
	char c;

	for (i = 0; i < n; i++) {
		c = lower(s[i]);
		if (starts_multi_letter(c)) {
			isa_multi_letter(s + i, n - i, caps);
			return;
		}
		if (c == 'g')			/* imafd_zicsr_zifencei */
			caps->f = caps->d = true;
		else if (c == 'f')
			caps->f = true;
		else if (c == 'd')
			caps->d = true;
		/* Anything else (digits, 'p' of a version, i m a c ...) is
		 * of no interest here. */
	}
}

/* riscv,isa, e.g. "rv64imafdch_zicsr_zifencei_sstc". */
static void
parse_isa(const char *isa, struct isa_caps *caps)
{
	const char *s, *e;

	if (lower(isa[0]) != 'r' || lower(isa[1]) != 'v' ||
	    !((isa[2] == '3' && isa[3] == '2') ||
	    (isa[2] == '6' && isa[3] == '4')))
		return;
	for (s = isa + 4; *s != '\0'; s = e) {
		if (*s == '_') {
			e = s + 1;
			continue;
		}
		for (e = s; *e != '\0' && *e != '_'; e++)
			;
		isa_part(s, (size_t)(e - s), caps);
	}
}

static enum hart_mmu
parse_mmu_type(const char *mmu)
{
	if (mmu == NULL)
		return HART_MMU_NONE;
	if (strcmp(mmu, "riscv,sv39") == 0)
		return HART_MMU_SV39;
	if (strcmp(mmu, "riscv,sv48") == 0)
		return HART_MMU_SV48;
	if (strcmp(mmu, "riscv,sv57") == 0)
		return HART_MMU_SV57;
	return HART_MMU_NONE;		/* "riscv,none" or unknown */
}

/* The phandle of the cpu node's "riscv,cpu-intc" child, or 0. */
static uint32_t
cpu_intc_phandle(const struct fdt *fdt, int cpunode)
{
	int child;

	for (child = fdt_first_child(fdt, cpunode); child >= 0;
	    child = fdt_next_sibling(fdt, child))
		if (fdt_node_is_compatible(fdt, child, "riscv,cpu-intc"))
			return fdt_node_phandle(fdt, child);
	return 0;
}

/* Fill hart from a cpu node; false if it has no usable hart id. */
static bool
read_hart(const struct fdt *fdt, int node, struct hart *hart)
{
	struct isa_caps caps = { false, false, false };
	const char *isa;
	const void *exts;
	int len;

	memset(hart, 0, sizeof(*hart));
	if (fdt_reg(fdt, node, 0, &hart->hartid, NULL) != 0)
		return false;
	hart->mmu = parse_mmu_type(fdt_getprop_string(fdt, node, "mmu-type"));
	hart->enabled = fdt_node_enabled(fdt, node);
	/* Sv48 and Sv57 harts also implement Sv39. */
	hart->usable = hart->enabled && hart->mmu != HART_MMU_NONE;
	if ((isa = fdt_getprop_string(fdt, node, "riscv,isa")) != NULL)
		parse_isa(isa, &caps);
	exts = fdt_getprop(fdt, node, "riscv,isa-extensions", &len);
	if (fdt_stringlist_contains(exts, len, "sstc"))
		caps.sstc = true;
	if (fdt_stringlist_contains(exts, len, "f") &&
	    fdt_stringlist_contains(exts, len, "d"))
		caps.f = caps.d = true;
	hart->has_sstc = caps.sstc;
	hart->has_fpu = caps.f && caps.d;
	hart->intc_phandle = cpu_intc_phandle(fdt, node);
	return true;
}

void
harts_from_fdt(const struct fdt *fdt, struct harts *h)
{
	int cpus, node;

	memset(h, 0, sizeof(*h));
	if ((cpus = fdt_find_path(fdt, "/cpus")) < 0)
		return;
	fdt_getprop_u64(fdt, cpus, "timebase-frequency", &h->timebase_hz);
	for (node = fdt_first_child(fdt, cpus); node >= 0;
	    node = fdt_next_sibling(fdt, node)) {
		if (!fdt_prop_is(fdt, node, "device_type", "cpu"))
			continue;
		/* Some trees put the timebase in each cpu node instead. */
		if (h->timebase_hz == 0)
			fdt_getprop_u64(fdt, node, "timebase-frequency",
			    &h->timebase_hz);
		if (h->nharts < HARTS_MAX &&
		    read_hart(fdt, node, &h->hart[h->nharts]))
			h->nharts++;
	}
}

const struct hart *
harts_find(const struct harts *h, uint64_t hartid)
{
	for (int i = 0; i < h->nharts; i++)
		if (h->hart[i].hartid == hartid)
			return &h->hart[i];
	return NULL;
}

void
harts_plic_contexts(const struct fdt *fdt, int plic_node,
    const struct harts *h, int context[HARTS_MAX])
{
	struct fdt_intr_iter it;
	uint32_t intc, irq;
	int i, n;

	for (i = 0; i < HARTS_MAX; i++)
		context[i] = -1;
	fdt_intr_first(fdt, plic_node, &it);
	for (n = 0; fdt_intr_next(fdt, &it, &intc, &irq) == 0; n++) {
		if (irq != CPU_INTC_IRQ_S_EXT)
			continue;
		for (i = 0; i < h->nharts; i++)
			if (h->hart[i].intc_phandle == intc && context[i] < 0)
				context[i] = n;
	}
}
