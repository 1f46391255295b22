/*
 * The platform description: what every architecture learns from the
 * device tree, read once at boot by platform_from_fdt().  See platform.h.
 *
 * Only the blob's structure is reason to fail (EINVAL from fdt_init()).
 * A property that is malformed is treated as absent, with one exception:
 * a reservation that does not fit in struct platform is an error
 * (ENOSPC), since silently ignoring it could let the kernel reuse
 * firmware memory.
 */
#include <kern/systm.h>
#include <kern/errno.h>
#include <kern/types.h>
#include <kern/fdt.h>
#include <kern/platform.h>

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
		if (!fdt_prop_is(fdt, node, "device_type", "memory") ||
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

/* /chosen: bootargs and the initrd (stdout-path is the console driver's). */
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

int
platform_from_fdt(const void *blob, size_t maxsize, struct platform *p)
{
	int error;

	memset(p, 0, sizeof(*p));
	if ((error = fdt_init(&p->fdt, blob, maxsize)) != 0)
		return error;
	p->dtb_size = p->fdt.totalsize;
	copy_string_prop(&p->fdt, fdt_root(&p->fdt), "model", p->model,
	    sizeof(p->model));
	read_memory(&p->fdt, p);
	if ((error = read_reserved(&p->fdt, p)) != 0)
		return error;
	read_chosen(&p->fdt, p);
	return 0;
}
