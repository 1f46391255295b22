/*
 * The platform description: everything the kernel learns from the device
 * tree, read once at boot by platform_from_fdt().  See platform.h.
 *
 * Only the blob's structure is reason to fail (EINVAL from fdt_init()).
 * A property that is malformed is treated as absent, and a device whose
 * registers cannot be translated to a CPU address is skipped, with one
 * exception: a reservation that does not fit in struct platform is an
 * error (ENOSPC), since silently ignoring it could let the kernel reuse
 * firmware memory.
 */
#include <kern/systm.h>
#include <kern/errno.h>
#include <kern/types.h>
#include <kern/fdt.h>
#include <kern/platform.h>

/* The cpu-intc interrupt number of the S-mode external interrupt. */
#define CPU_INTC_IRQ_S_EXT	9
#define UART_MAX_REG_SHIFT	3
#define INTR_MAX_CELLS		4	/* sanity bound on #interrupt-cells */

static const struct uart_compat {
	const char		*compat;
	enum plat_uart_kind	kind;
} uart_compats[] = {
	/* DesignWare first: some DW nodes also claim 16550 compatibility. */
	{ "snps,dw-apb-uart",	PLAT_UART_DW_APB },
	{ "ns16550a",		PLAT_UART_NS16550 },
	{ "ns16550",		PLAT_UART_NS16550 },
};

static const char *const plic_compats[] = {
	"sifive,plic-1.0.0", "riscv,plic0", NULL
};

static const char *const test_compats[] = {
	"sifive,test1", "sifive,test0", NULL
};

/* The first enabled node, in tree order, compatible with one of compats. */
static int
find_enabled_compatible(const struct fdt *fdt, const char *const *compats)
{
	const char *const *c;
	int node, depth = 0;

	for (node = fdt_root(fdt); node >= 0;
	    node = fdt_next_node(fdt, node, &depth)) {
		if (!fdt_node_enabled(fdt, node))
			continue;
		for (c = compats; *c != NULL; c++)
			if (fdt_node_is_compatible(fdt, node, *c))
				return node;
	}
	return -ENOENT;
}

/* Is the string property name of node equal to value? */
static bool
prop_is(const struct fdt *fdt, int node, const char *name, const char *value)
{
	const char *s = fdt_getprop_string(fdt, node, name);

	return s != NULL && strcmp(s, value) == 0;
}

static void
copy_string_prop(const struct fdt *fdt, int node, const char *name,
    char *buf, size_t size)
{
	const char *s = fdt_getprop_string(fdt, node, name);

	if (s != NULL)
		strlcpy(buf, s, size);
}

/* Memory: every device_type = "memory" node, every reg tuple. */
static void
read_memory(const struct fdt *fdt, struct platform *p)
{
	uint64_t base, size, end;
	int node, depth = 0, i;

	for (node = fdt_root(fdt); node >= 0;
	    node = fdt_next_node(fdt, node, &depth)) {
		if (!prop_is(fdt, node, "device_type", "memory") ||
		    !fdt_node_enabled(fdt, node))
			continue;
		for (i = 0; fdt_reg_phys(fdt, node, i, &base, &size) == 0;
		    i++) {
			/* RAM we cannot describe is RAM we do without. */
			if (size == 0 || add_overflows(base, size - 1, &end) ||
			    p->nmem == PLAT_MAX_MEM)
				continue;
			p->mem[p->nmem].base = base;
			p->mem[p->nmem].size = size;
			p->nmem++;
		}
	}
}

static int
add_reserved(struct platform *p, uint64_t base, uint64_t size)
{
	uint64_t end;

	if (size == 0)
		return 0;
	if (p->nrsv == PLAT_MAX_RSV)
		return ENOSPC;
	/* Reserve too much rather than too little: clamp at the top. */
	if (add_overflows(base, size - 1, &end))
		size = UINT64_MAX - base + 1;
	p->rsv[p->nrsv].base = base;
	p->rsv[p->nrsv].size = size;
	p->nrsv++;
	return 0;
}

/*
 * Reservations: /memreserve/ entries and the reg of every
 * /reserved-memory child (reserved even when disabled, to be safe;
 * children without reg are dynamic allocations requests, not regions).
 * The reserved-memory binding puts these in the root's address space, so
 * reg is used untranslated.
 */
static int
read_reserved(const struct fdt *fdt, struct platform *p)
{
	uint64_t base, size;
	int rsv, child, i, error;

	for (i = 0; fdt_memreserve(fdt, i, &base, &size) == 0; i++)
		if ((error = add_reserved(p, base, size)) != 0)
			return error;
	if ((rsv = fdt_find_path(fdt, "/reserved-memory")) < 0)
		return 0;
	for (child = fdt_first_child(fdt, rsv); child >= 0;
	    child = fdt_next_sibling(fdt, child))
		for (i = 0; fdt_reg(fdt, child, i, &base, &size) == 0; i++)
			if ((error = add_reserved(p, base, size)) != 0)
				return error;
	return 0;
}

/* /chosen: bootargs and the initrd (stdout-path is read_console's). */
static void
read_chosen(const struct fdt *fdt, struct platform *p)
{
	uint64_t start, end;
	int chosen;

	if ((chosen = fdt_find_path(fdt, "/chosen")) < 0)
		return;
	copy_string_prop(fdt, chosen, "bootargs", p->bootargs,
	    sizeof(p->bootargs));
	/* U-Boot writes 64-bit cells, QEMU and others 32-bit ones. */
	if (fdt_getprop_u64(fdt, chosen, "linux,initrd-start", &start) == 0 &&
	    fdt_getprop_u64(fdt, chosen, "linux,initrd-end", &end) == 0 &&
	    start <= end) {
		p->initrd_start = start;
		p->initrd_end = end;
	}
}

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

struct isa_caps {
	bool	f, d, sstc;
};

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

static enum plat_mmu
parse_mmu_type(const char *mmu)
{
	if (mmu == NULL)
		return PLAT_MMU_NONE;
	if (strcmp(mmu, "riscv,sv39") == 0)
		return PLAT_MMU_SV39;
	if (strcmp(mmu, "riscv,sv48") == 0)
		return PLAT_MMU_SV48;
	if (strcmp(mmu, "riscv,sv57") == 0)
		return PLAT_MMU_SV57;
	return PLAT_MMU_NONE;		/* "riscv,none" or unknown */
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

/* Fill cpu from a cpu node; false if it has no usable hart id. */
static bool
read_cpu(const struct fdt *fdt, int node, struct plat_cpu *cpu)
{
	struct isa_caps caps = { false, false, false };
	const char *isa;
	const void *exts;
	int len;

	memset(cpu, 0, sizeof(*cpu));
	if (fdt_reg(fdt, node, 0, &cpu->hartid, NULL) != 0)
		return false;
	cpu->mmu = parse_mmu_type(fdt_getprop_string(fdt, node, "mmu-type"));
	cpu->enabled = fdt_node_enabled(fdt, node);
	/* Sv48 and Sv57 harts also implement Sv39. */
	cpu->usable = cpu->enabled && cpu->mmu != PLAT_MMU_NONE;
	if ((isa = fdt_getprop_string(fdt, node, "riscv,isa")) != NULL)
		parse_isa(isa, &caps);
	exts = fdt_getprop(fdt, node, "riscv,isa-extensions", &len);
	if (fdt_stringlist_contains(exts, len, "sstc"))
		caps.sstc = true;
	if (fdt_stringlist_contains(exts, len, "f") &&
	    fdt_stringlist_contains(exts, len, "d"))
		caps.f = caps.d = true;
	cpu->has_sstc = caps.sstc;
	cpu->has_fpu = caps.f && caps.d;
	cpu->intc_phandle = cpu_intc_phandle(fdt, node);
	cpu->plic_s_context = -1;
	return true;
}

/* /cpus: the timebase and every cpu node. */
static void
read_cpus(const struct fdt *fdt, struct platform *p)
{
	int cpus, node;

	if ((cpus = fdt_find_path(fdt, "/cpus")) < 0)
		return;
	fdt_getprop_u64(fdt, cpus, "timebase-frequency", &p->timebase_hz);
	for (node = fdt_first_child(fdt, cpus); node >= 0;
	    node = fdt_next_sibling(fdt, node)) {
		if (!prop_is(fdt, node, "device_type", "cpu"))
			continue;
		/* Some trees put the timebase in each cpu node instead. */
		if (p->timebase_hz == 0)
			fdt_getprop_u64(fdt, node, "timebase-frequency",
			    &p->timebase_hz);
		if (p->ncpus < PLAT_MAX_CPUS &&
		    read_cpu(fdt, node, &p->cpus[p->ncpus]))
			p->ncpus++;
	}
}

static enum plat_uart_kind
uart_kind(const struct fdt *fdt, int node)
{
	size_t i;

	for (i = 0; i < nitems(uart_compats); i++)
		if (fdt_node_is_compatible(fdt, node, uart_compats[i].compat))
			return uart_compats[i].kind;
	return PLAT_UART_NONE;
}

/* The first interrupt of a device node, or 0. */
static uint32_t
first_irq(const struct fdt *fdt, int node)
{
	const uint8_t *v;
	int len;

	if ((v = fdt_getprop(fdt, node, "interrupts", &len)) != NULL &&
	    len >= FDT_CELL_SIZE)
		return fdt_be32(v);
	/* interrupts-extended = <&parent irq ...>. */
	if ((v = fdt_getprop(fdt, node, "interrupts-extended", &len)) != NULL &&
	    len >= 2 * FDT_CELL_SIZE)
		return fdt_be32(v + FDT_CELL_SIZE);
	return 0;
}

/* Describe node as the console UART; false if it is not usable. */
static bool
read_uart(const struct fdt *fdt, int node, struct plat_uart *u)
{
	struct plat_uart found = { 0 };
	uint64_t clock;

	if (!fdt_node_enabled(fdt, node) ||
	    (found.kind = uart_kind(fdt, node)) == PLAT_UART_NONE ||
	    fdt_reg_phys(fdt, node, 0, &found.base, &found.size) != 0)
		return false;
	found.reg_shift = fdt_getprop_u32(fdt, node, "reg-shift", 0);
	found.reg_io_width = fdt_getprop_u32(fdt, node, "reg-io-width", 1);
	if (found.reg_shift > UART_MAX_REG_SHIFT ||
	    (found.reg_io_width != 1 && found.reg_io_width != 2 &&
	    found.reg_io_width != 4))
		return false;
	if (fdt_getprop_u64(fdt, node, "clock-frequency", &clock) == 0 &&
	    clock <= UINT32_MAX)
		found.clock_hz = (uint32_t)clock;
	found.irq = first_irq(fdt, node);
	*u = found;
	return true;
}

/* The console: what stdout-path names, else the first UART we drive. */
static void
read_console(const struct fdt *fdt, struct platform *p)
{
	const char *path = NULL;
	int chosen, node, depth = 0;

	if ((chosen = fdt_find_path(fdt, "/chosen")) >= 0) {
		path = fdt_getprop_string(fdt, chosen, "stdout-path");
		if (path == NULL)
			path = fdt_getprop_string(fdt, chosen,
			    "linux,stdout-path");
	}
	if (path != NULL && (node = fdt_find_path(fdt, path)) >= 0 &&
	    read_uart(fdt, node, &p->uart))
		return;
	for (node = fdt_root(fdt); node >= 0;
	    node = fdt_next_node(fdt, node, &depth))
		if (read_uart(fdt, node, &p->uart))
			return;
}

static void
set_s_context(struct platform *p, uint32_t intc, uint32_t irq, int context)
{
	int i;

	if (irq != CPU_INTC_IRQ_S_EXT)
		return;
	for (i = 0; i < p->ncpus; i++)
		if (p->cpus[i].intc_phandle == intc &&
		    p->cpus[i].plic_s_context < 0)
			p->cpus[i].plic_s_context = context;
}

/*
 * The PLIC's contexts are the entries of its interrupts-extended, in
 * order: <&cpuN_intc irq>.  A hart's S-mode context is the entry naming
 * its intc with irq 9.  Hart ids say nothing about context numbers (the
 * JH7110's monitor hart has only an M context, shifting all others).
 */
static void
read_plic_contexts(const struct fdt *fdt, int plic, struct platform *p)
{
	const uint8_t *v;
	uint32_t phandle, ncells;
	int len, ctrl, context;

	v = fdt_getprop(fdt, plic, "interrupts-extended", &len);
	for (context = 0; v != NULL && len >= 2 * FDT_CELL_SIZE; context++) {
		phandle = fdt_be32(v);
		if ((ctrl = fdt_find_phandle(fdt, phandle)) < 0)
			return;
		/* The specifier's width is the controller's to say. */
		ncells = fdt_getprop_u32(fdt, ctrl, "#interrupt-cells", 0);
		if (ncells == 0 || ncells > INTR_MAX_CELLS ||
		    (uint32_t)len < (1 + ncells) * FDT_CELL_SIZE)
			return;
		set_s_context(p, phandle, fdt_be32(v + FDT_CELL_SIZE), context);
		v += (1 + ncells) * FDT_CELL_SIZE;
		len -= (int)((1 + ncells) * FDT_CELL_SIZE);
	}
}

static void
read_plic(const struct fdt *fdt, struct platform *p)
{
	uint64_t base, size;
	int plic;

	if ((plic = find_enabled_compatible(fdt, plic_compats)) < 0 ||
	    fdt_reg_phys(fdt, plic, 0, &base, &size) != 0)
		return;
	p->plic_base = base;
	p->plic_size = size;
	p->plic_ndev = fdt_getprop_u32(fdt, plic, "riscv,ndev", 0);
	read_plic_contexts(fdt, plic, p);
}

/* The SiFive test device: poweroff and reboot. */
static void
read_test_device(const struct fdt *fdt, struct platform *p)
{
	uint64_t base, size;
	int node;

	if ((node = find_enabled_compatible(fdt, test_compats)) < 0 ||
	    fdt_reg_phys(fdt, node, 0, &base, &size) != 0)
		return;
	p->test_base = base;
	p->test_size = size;
}

int
platform_from_fdt(const void *blob, size_t maxsize, struct platform *p)
{
	struct fdt fdt;
	int error;

	memset(p, 0, sizeof(*p));
	if ((error = fdt_init(&fdt, blob, maxsize)) != 0)
		return error;
	p->dtb_size = fdt.totalsize;
	copy_string_prop(&fdt, fdt_root(&fdt), "model", p->model,
	    sizeof(p->model));
	read_memory(&fdt, p);
	if ((error = read_reserved(&fdt, p)) != 0)
		return error;
	read_chosen(&fdt, p);
	read_cpus(&fdt, p);
	read_console(&fdt, p);
	read_plic(&fdt, p);
	read_test_device(&fdt, p);
	return 0;
}

const struct plat_cpu *
platform_cpu(const struct platform *p, uint64_t hartid)
{
	int i;

	for (i = 0; i < p->ncpus; i++)
		if (p->cpus[i].hartid == hartid)
			return &p->cpus[i];
	return NULL;
}
