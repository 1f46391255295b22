/*
 * A small reader for flattened device trees (the "DTB" the firmware passes
 * to the kernel at boot).  Read-only, allocation-free, and safe on hostile input:
 * fdt_init() validates the header and walks the whole structure block once
 * (every token, name, property and string bounds-checked, nesting
 * balanced), and every accessor re-checks the bounds it relies on, so a
 * malformed blob yields EINVAL or "not found", never a stray read.
 *
 * Nodes are named by their offset within the structure block, an int
 * >= 0.  Functions that return a node return its offset, or -ENOENT when
 * there is none (-EINVAL if the argument is not a node).  Functions that
 * return a status return 0 or a positive errno value.
 *
 * Property values are big-endian; fdt_be32()/fdt_be64()/fdt_read_cells()
 * decode them and make no alignment assumption.
 *
 *	struct fdt fdt;
 *	if (fdt_init(&fdt, blob, maxsize) != 0) ...;
 *	int chosen = fdt_find_path(&fdt, "/chosen");
 *	const char *args = fdt_getprop_string(&fdt, chosen, "bootargs");
 */
#ifndef _KERN_FDT_H_
#define _KERN_FDT_H_

#include <kern/types.h>

#define FDT_MAGIC		0xd00dfeedU
#define FDT_CELL_SIZE		4	/* bytes in a property cell */
#define FDT_MAX_DEPTH		32	/* deeper trees are rejected */

struct fdt {
	const uint8_t	*blob;
	uint32_t	totalsize;	/* header totalsize (<= maxsize) */
	uint32_t	version;
	uint32_t	boot_cpuid;	/* boot_cpuid_phys from the header */
	const uint8_t	*structs;	/* structure block */
	uint32_t	struct_size;
	const uint8_t	*strings;	/* strings block */
	uint32_t	strings_size;
	const uint8_t	*rsvmap;	/* memory reservation block */
	uint32_t	rsvmap_count;	/* entries before the (0, 0) terminator */
};

/* Validate the blob (at most maxsize bytes readable): 0 or EINVAL. */
int	fdt_init(struct fdt *fdt, const void *blob, size_t maxsize);

/* Decoding big-endian values; ncells 0..2 (more: the low two cells). */
uint32_t fdt_be32(const void *p);
uint64_t fdt_be64(const void *p);
uint64_t fdt_read_cells(const void *p, int ncells);

/* Walking the tree. */
int	fdt_root(const struct fdt *fdt);
int	fdt_first_child(const struct fdt *fdt, int node);
int	fdt_next_sibling(const struct fdt *fdt, int node);
/* Depth-first pre-order successor; *depth is adjusted (root is 0). */
int	fdt_next_node(const struct fdt *fdt, int node, int *depth);
int	fdt_parent(const struct fdt *fdt, int node);
int	fdt_node_depth(const struct fdt *fdt, int node);
/* "name@unit"; "" for the root; NULL if node is not a node. */
const char *fdt_node_name(const struct fdt *fdt, int node);

/*
 * Find a node by path: "/soc/serial@10000000", or an alias with an
 * optional rest ("serial0", "serial0/child").  A component without a unit
 * address matches "name" or the first "name@...".  A ':' ends the path,
 * so the stdout-path form "serial0:115200n8" works as is.
 */
int	fdt_find_path(const struct fdt *fdt, const char *path);
int	fdt_find_phandle(const struct fdt *fdt, uint32_t phandle);
/* The next node after 'from' (-ENOENT: from the root) compatible with compat. */
int	fdt_find_compatible(const struct fdt *fdt, int from, const char *compat);

/* Properties: the value and its length, or NULL when absent. */
const void *fdt_getprop(const struct fdt *fdt, int node, const char *name,
	    int *lenp);
/* The value if it is exactly one NUL-terminated string, else NULL. */
const char *fdt_getprop_string(const struct fdt *fdt, int node,
	    const char *name);
/* A one-cell property, or dflt when absent or not 4 bytes long. */
uint32_t fdt_getprop_u32(const struct fdt *fdt, int node, const char *name,
	    uint32_t dflt);
/* A one- or two-cell property (length 4 or 8): 0, or ENOENT/EINVAL. */
int	fdt_getprop_u64(const struct fdt *fdt, int node, const char *name,
	    uint64_t *valp);
/* Is the property exactly the string value? */
bool	fdt_prop_is(const struct fdt *fdt, int node, const char *name,
	    const char *value);
uint32_t fdt_node_phandle(const struct fdt *fdt, int node);	/* 0: none */
bool	fdt_node_enabled(const struct fdt *fdt, int node);
bool	fdt_node_is_compatible(const struct fdt *fdt, int node,
	    const char *compat);
/* Is str one of the NUL-separated strings of a stringlist value? */
bool	fdt_stringlist_contains(const void *list, int len, const char *str);

/*
 * Addresses.  fdt_bus_cells() gives the #address-cells/#size-cells a
 * node imposes on its children (defaults 2 and 1).  fdt_reg() decodes the
 * index'th (address, size) tuple of a node's reg in its parent's address
 * space; fdt_translate() maps a parent-bus address to a CPU physical
 * address through each ancestor's ranges; fdt_reg_phys() does both.
 * Return 0, ENOENT (no such tuple), ENXIO (not translatable: a bus
 * without ranges, or an address outside every range) or EINVAL.
 */
int	fdt_bus_cells(const struct fdt *fdt, int bus, int *acells, int *scells);
int	fdt_reg(const struct fdt *fdt, int node, int index, uint64_t *addrp,
	    uint64_t *sizep);
int	fdt_translate(const struct fdt *fdt, int node, uint64_t *addrp);
int	fdt_reg_phys(const struct fdt *fdt, int node, int index,
	    uint64_t *addrp, uint64_t *sizep);

/*
 * Interrupts.  A node's interrupts are the entries of its
 * interrupts-extended, <&controller specifier> ..., or else of its
 * interrupts, whose controller is the interrupt-parent of the node or of
 * its nearest ancestor that names one.  Each specifier is as many cells
 * as its controller's #interrupt-cells; fdt_intr_next() gives the
 * controller's phandle and the specifier's first cell, which is the
 * interrupt number for every controller we know (PLIC, riscv,cpu-intc).
 *
 *	struct fdt_intr_iter it;
 *	fdt_intr_first(&fdt, node, &it);
 *	while (fdt_intr_next(&fdt, &it, &ctrl, &irq) == 0) ...
 *
 * fdt_intr_next returns 0, ENOENT after the last entry, or EINVAL for an
 * entry it cannot decode (an unknown controller, a missing or absurd
 * #interrupt-cells, a short value), which also ends the list.
 */
struct fdt_intr_iter {
	const uint8_t	*cells;		/* the next entry */
	int		len;		/* bytes left */
	bool		extended;	/* entries begin with their controller */
	uint32_t	ctrl;		/* the controller of the last entry */
	uint32_t	ncells;		/* its #interrupt-cells; 0: unusable */
};
void	fdt_intr_first(const struct fdt *fdt, int node, struct fdt_intr_iter *it);
int	fdt_intr_next(const struct fdt *fdt, struct fdt_intr_iter *it,
	    uint32_t *ctrlp, uint32_t *irqp);

/* The index'th /memreserve/ entry: 0 or ENOENT. */
int	fdt_memreserve(const struct fdt *fdt, int index, uint64_t *addrp,
	    uint64_t *sizep);

#endif
