/*
 * Flattened device tree reader.  See fdt.h for the interface.
 *
 * The blob is untrusted: it comes from firmware, possibly rewritten by a
 * boot loader.  fdt_init() therefore checks the header and then walks the
 * whole structure block once, so that a blob it accepts is well formed:
 * every token lies inside the block, names and property names are
 * NUL-terminated inside their blocks, nodes nest properly (and no deeper
 * than FDT_MAX_DEPTH), properties precede subnodes, and the block ends
 * with FDT_END.  The accessors go through the same bounds-checked token
 * reader anyway, so a caller passing a bad offset gets an error, not a
 * wild read.
 *
 * All multi-byte values are read a byte at a time: the blob need not be
 * aligned in memory, and the reader works on hosts of either byte order.
 */
#include <kern/systm.h>
#include <kern/errno.h>
#include <kern/types.h>
#include <kern/fdt.h>

/* Structure block tokens. */
#define FDT_BEGIN_NODE	1
#define FDT_END_NODE	2
#define FDT_PROP	3
#define FDT_NOP		4
#define FDT_END		9

#define FDT_TOKEN_SIZE	4
#define FDT_RSV_ENTRY_SIZE 16		/* (u64 address, u64 size) */
#define FDT_RSV_ALIGN	8
#define FDT_MAX_CELLS	4		/* #address-cells/#size-cells limit */
#define FDT_ALIAS_MAX	64		/* longest alias name we look up */
#define FDT_MAX_INTR_CELLS 4		/* sanity bound on #interrupt-cells */

#define FDT_MIN_VERSION	16		/* oldest format we read */
#define FDT_MAX_COMPAT	17		/* newest last_comp_version we read */
#define FDT_V17		17		/* added size_dt_struct */

/* Header fields: byte offsets of big-endian 32-bit words. */
#define HDR_MAGIC	0
#define HDR_TOTALSIZE	4
#define HDR_OFF_STRUCT	8
#define HDR_OFF_STRINGS	12
#define HDR_OFF_RSVMAP	16
#define HDR_VERSION	20
#define HDR_LAST_COMP	24
#define HDR_BOOT_CPUID	28
#define HDR_SIZE_STRINGS 32
#define HDR_SIZE_STRUCT	36		/* version 17 and later */
#define HDR_LEN_V16	36
#define HDR_LEN_V17	40

#define FDT_DEFAULT_ADDRESS_CELLS 2
#define FDT_DEFAULT_SIZE_CELLS	1

/* One decoded token of the structure block. */
struct fdt_token {
	uint32_t	tag;
	uint32_t	next;		/* offset of the following token */
	const char	*name;		/* BEGIN_NODE: node name; PROP: prop name */
	const uint8_t	*data;		/* PROP: the value */
	uint32_t	len;		/* PROP: its length */
};

uint32_t
fdt_be32(const void *p)
{
	const uint8_t *b = p;

	return ((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) |
	    ((uint32_t)b[2] << 8) | (uint32_t)b[3];
}

uint64_t
fdt_be64(const void *p)
{
	const uint8_t *b = p;

	return ((uint64_t)fdt_be32(b) << 32) | fdt_be32(b + 4);
}

uint64_t
fdt_read_cells(const void *p, int ncells)
{
	const uint8_t *b = p;

	if (ncells <= 0)
		return 0;
	if (ncells == 1)
		return fdt_be32(b);
	/* Wider values (e.g. PCI's 3 cells): the low 64 bits. */
	return fdt_be64(b + (ncells - 2) * FDT_CELL_SIZE);
}

/*
 * The NUL-terminated string at nameoff in the strings block, or NULL
 * when it is out of bounds or unterminated.  fdt_init cut the block
 * after its last NUL, so every string that starts inside it ends inside
 * it: no need to look for the end of each property name as it is read.
 */
static const char *
string_at(const struct fdt *fdt, uint32_t nameoff)
{
	if (nameoff >= fdt->strings_size)
		return NULL;
	return (const char *)fdt->strings + nameoff;
}

/*
 * Decode the token at off, checking that it and everything it covers
 * lie inside the structure block.  0 or EINVAL.
 */
static int
read_token(const struct fdt *fdt, uint32_t off, struct fdt_token *t)
{
	const uint8_t *s = fdt->structs;
	uint32_t size = fdt->struct_size;
	size_t namelen;

	if ((off & (FDT_TOKEN_SIZE - 1)) != 0 || off > size ||
	    size - off < FDT_TOKEN_SIZE)
		return EINVAL;
	t->tag = fdt_be32(s + off);
	t->name = NULL;
	t->data = NULL;
	t->len = 0;
	off += FDT_TOKEN_SIZE;
	switch (t->tag) {
	case FDT_BEGIN_NODE:
		namelen = strnlen((const char *)s + off, size - off);
		if (namelen == size - off)
			return EINVAL;
		t->name = (const char *)s + off;
		t->next = roundup2(off + (uint32_t)namelen + 1, FDT_TOKEN_SIZE);
		return 0;
	case FDT_PROP:
		if (size - off < 2 * FDT_CELL_SIZE)
			return EINVAL;
		t->len = fdt_be32(s + off);
		t->name = string_at(fdt, fdt_be32(s + off + FDT_CELL_SIZE));
		off += 2 * FDT_CELL_SIZE;
		if (t->name == NULL || t->len > size - off)
			return EINVAL;
		t->data = s + off;
		t->next = roundup2(off + t->len, FDT_TOKEN_SIZE);
		return 0;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		t->next = off;
		return 0;
	default:
		return EINVAL;
	}
}

/* Is [off, off + size) inside the blob, past the header, aligned? */
static bool
block_fits(uint32_t off, uint32_t size, uint32_t total, uint32_t hdrlen,
    uint32_t align)
{
	return off >= hdrlen && (off & (align - 1)) == 0 && off <= total &&
	    size <= total - off;
}

/* Do [a, a + asize) and [b, b + bsize) share a byte? */
static bool
overlaps(uint32_t a, uint32_t asize, uint32_t b, uint32_t bsize)
{
	return asize != 0 && bsize != 0 && a < b + bsize && b < a + asize;
}

/*
 * Find the (0, 0) terminator of the memory reservation block, which must
 * not run into the structure or strings block.
 */
static int
check_rsvmap(struct fdt *fdt, uint32_t off)
{
	uint32_t struct_off = (uint32_t)(fdt->structs - fdt->blob);
	uint32_t strings_off = (uint32_t)(fdt->strings - fdt->blob);
	const uint8_t *e;
	uint32_t n;

	for (n = 0;; n++) {
		if (fdt->totalsize - off < FDT_RSV_ENTRY_SIZE ||
		    overlaps(off, FDT_RSV_ENTRY_SIZE, struct_off,
		    fdt->struct_size) ||
		    overlaps(off, FDT_RSV_ENTRY_SIZE, strings_off,
		    fdt->strings_size))
			return EINVAL;
		e = fdt->blob + off;
		if (fdt_be64(e) == 0 && fdt_be64(e + 8) == 0)
			break;
		off += FDT_RSV_ENTRY_SIZE;
	}
	fdt->rsvmap = fdt->blob + (off - n * FDT_RSV_ENTRY_SIZE);
	fdt->rsvmap_count = n;
	return 0;
}

/*
 * Walk every token once: one root node, balanced nesting no deeper than
 * FDT_MAX_DEPTH, properties only directly after their node's start (or
 * another property), then FDT_END.  Offsets strictly increase, so the
 * walk ends.
 */
static int
check_structure(const struct fdt *fdt)
{
	struct fdt_token t;
	uint32_t off = 0, prev = FDT_END;
	int depth = 0;
	bool root_done = false;

	for (;;) {
		if (read_token(fdt, off, &t) != 0)
			return EINVAL;
		switch (t.tag) {
		case FDT_BEGIN_NODE:
			if (root_done || depth == FDT_MAX_DEPTH)
				return EINVAL;
			depth++;
			break;
		case FDT_END_NODE:
			if (depth == 0)
				return EINVAL;
			if (--depth == 0)
				root_done = true;
			break;
		case FDT_PROP:
			if (depth == 0 ||
			    (prev != FDT_BEGIN_NODE && prev != FDT_PROP))
				return EINVAL;
			break;
		case FDT_NOP:
			off = t.next;
			continue;
		case FDT_END:
			return root_done ? 0 : EINVAL;
		}
		prev = t.tag;
		off = t.next;
	}
}

int
fdt_init(struct fdt *fdt, const void *blob, size_t maxsize)
{
	const uint8_t *b = blob;
	uint32_t total, version, hdrlen;
	uint32_t off_struct, size_struct, off_strings, size_strings, off_rsv;
	int error;

	memset(fdt, 0, sizeof(*fdt));
	/* Every valid blob is longer than the v17 header. */
	if (b == NULL || maxsize < HDR_LEN_V17)
		return EINVAL;
	if (fdt_be32(b + HDR_MAGIC) != FDT_MAGIC)
		return EINVAL;
	version = fdt_be32(b + HDR_VERSION);
	if (version < FDT_MIN_VERSION ||
	    fdt_be32(b + HDR_LAST_COMP) > FDT_MAX_COMPAT)
		return EINVAL;
	hdrlen = version >= FDT_V17 ? HDR_LEN_V17 : HDR_LEN_V16;

	/* Honour totalsize: QEMU pads its dump well beyond it. */
	total = fdt_be32(b + HDR_TOTALSIZE);
	if (total > maxsize || total < hdrlen || total > INT32_MAX)
		return EINVAL;

	off_struct = fdt_be32(b + HDR_OFF_STRUCT);
	off_strings = fdt_be32(b + HDR_OFF_STRINGS);
	size_strings = fdt_be32(b + HDR_SIZE_STRINGS);
	off_rsv = fdt_be32(b + HDR_OFF_RSVMAP);
	if (off_struct > total)
		return EINVAL;
	if (version >= FDT_V17)
		size_struct = fdt_be32(b + HDR_SIZE_STRUCT);
	else	/* no size field: up to the strings block or the end */
		size_struct = (off_strings > off_struct ? MIN(off_strings, total) :
		    total) - off_struct;
	if (!block_fits(off_struct, size_struct, total, hdrlen, FDT_TOKEN_SIZE) ||
	    !block_fits(off_strings, size_strings, total, hdrlen, 1) ||
	    !block_fits(off_rsv, 0, total, hdrlen, FDT_RSV_ALIGN) ||
	    overlaps(off_struct, size_struct, off_strings, size_strings))
		return EINVAL;

	fdt->blob = b;
	fdt->totalsize = total;
	fdt->version = version;
	fdt->boot_cpuid = fdt_be32(b + HDR_BOOT_CPUID);
	fdt->structs = b + off_struct;
	fdt->struct_size = size_struct;
	fdt->strings = b + off_strings;
	fdt->strings_size = size_strings;
	if ((error = check_rsvmap(fdt, off_rsv)) == 0) {
		/* Bytes after the last NUL start no valid string: leave them out (string_at). */
		while (fdt->strings_size > 0 && fdt->strings[fdt->strings_size - 1] != '\0')
			fdt->strings_size--;
		error = check_structure(fdt);
	}
	if (error != 0) {
		memset(fdt, 0, sizeof(*fdt));
		return error;
	}
	return 0;
}

/* The first token after node's name, or -EINVAL if node is not a node. */
static int
node_body(const struct fdt *fdt, int node)
{
	struct fdt_token t;

	if (node < 0 || read_token(fdt, (uint32_t)node, &t) != 0 ||
	    t.tag != FDT_BEGIN_NODE)
		return -EINVAL;
	return (int)t.next;
}

/* The first token after node's properties: a child or its END_NODE. */
static int
skip_props(const struct fdt *fdt, int node, struct fdt_token *t)
{
	int off = node_body(fdt, node);

	for (; off >= 0; off = (int)t->next) {
		if (read_token(fdt, (uint32_t)off, t) != 0)
			return -EINVAL;
		if (t->tag != FDT_PROP && t->tag != FDT_NOP)
			return off;
	}
	return off;
}

/* The offset just past node's END_NODE. */
static int
skip_subtree(const struct fdt *fdt, int node)
{
	struct fdt_token t;
	uint32_t off = (uint32_t)node;
	int depth = 0;

	if (node < 0)
		return -EINVAL;
	do {
		if (read_token(fdt, off, &t) != 0 || t.tag == FDT_END)
			return -EINVAL;
		if (t.tag == FDT_BEGIN_NODE)
			depth++;
		else if (t.tag == FDT_END_NODE)
			depth--;
		off = t.next;
	} while (depth > 0);
	return (int)off;
}

int
fdt_root(const struct fdt *fdt)
{
	struct fdt_token t;
	uint32_t off;

	for (off = 0; read_token(fdt, off, &t) == 0; off = t.next) {
		if (t.tag == FDT_BEGIN_NODE)
			return (int)off;
		if (t.tag != FDT_NOP)
			break;
	}
	return -EINVAL;
}

int
fdt_first_child(const struct fdt *fdt, int node)
{
	struct fdt_token t;
	int off = skip_props(fdt, node, &t);

	if (off < 0)
		return off;
	return t.tag == FDT_BEGIN_NODE ? off : -ENOENT;
}

int
fdt_next_sibling(const struct fdt *fdt, int node)
{
	struct fdt_token t;
	int off = skip_subtree(fdt, node);

	for (; off >= 0; off = (int)t.next) {
		if (read_token(fdt, (uint32_t)off, &t) != 0)
			return -EINVAL;
		if (t.tag == FDT_BEGIN_NODE)
			return off;
		if (t.tag != FDT_NOP)
			return -ENOENT;
	}
	return off;
}

int
fdt_next_node(const struct fdt *fdt, int node, int *depth)
{
	struct fdt_token t;
	int off = node_body(fdt, node);
	int d = *depth;

	for (; off >= 0; off = (int)t.next) {
		if (read_token(fdt, (uint32_t)off, &t) != 0)
			return -EINVAL;
		switch (t.tag) {
		case FDT_BEGIN_NODE:
			*depth = d + 1;
			return off;
		case FDT_END_NODE:
			d--;
			break;
		case FDT_END:
			return -ENOENT;
		}
	}
	return off;
}

/*
 * Walk from the root to node, remembering the path: its parent and
 * depth.  0, ENOENT (no node starts at that offset) or EINVAL.
 */
static int
locate(const struct fdt *fdt, int node, int *parentp, int *depthp)
{
	int stack[FDT_MAX_DEPTH];
	struct fdt_token t;
	uint32_t off;
	int depth = -1;

	for (off = 0;; off = t.next) {
		if (read_token(fdt, off, &t) != 0)
			return EINVAL;
		if (t.tag == FDT_END)
			return ENOENT;
		if (t.tag == FDT_END_NODE)
			depth--;
		if (t.tag != FDT_BEGIN_NODE)
			continue;
		if (++depth >= FDT_MAX_DEPTH || depth < 0)
			return EINVAL;
		stack[depth] = (int)off;
		if (off == (uint32_t)node) {
			*parentp = depth > 0 ? stack[depth - 1] : -ENOENT;
			*depthp = depth;
			return 0;
		}
	}
}

int
fdt_parent(const struct fdt *fdt, int node)
{
	int parent, depth, error;

	if (node < 0)
		return -EINVAL;
	error = locate(fdt, node, &parent, &depth);
	return error != 0 ? -error : parent;
}

int
fdt_node_depth(const struct fdt *fdt, int node)
{
	int parent, depth, error;

	if (node < 0)
		return -EINVAL;
	error = locate(fdt, node, &parent, &depth);
	return error != 0 ? -error : depth;
}

const char *
fdt_node_name(const struct fdt *fdt, int node)
{
	struct fdt_token t;

	if (node < 0 || read_token(fdt, (uint32_t)node, &t) != 0 ||
	    t.tag != FDT_BEGIN_NODE)
		return NULL;
	return t.name;
}

const void *
fdt_getprop(const struct fdt *fdt, int node, const char *name, int *lenp)
{
	struct fdt_token t;
	int off = node_body(fdt, node);

	for (; off >= 0; off = (int)t.next) {
		if (read_token(fdt, (uint32_t)off, &t) != 0)
			break;
		if (t.tag == FDT_NOP)
			continue;
		if (t.tag != FDT_PROP)
			break;
		if (strcmp(t.name, name) == 0) {
			if (lenp != NULL)
				*lenp = (int)t.len;
			return t.data;
		}
	}
	if (lenp != NULL)
		*lenp = 0;
	return NULL;
}

const char *
fdt_getprop_string(const struct fdt *fdt, int node, const char *name)
{
	const char *s;
	int len;

	s = fdt_getprop(fdt, node, name, &len);
	if (s == NULL || len == 0 || strnlen(s, (size_t)len) != (size_t)len - 1)
		return NULL;
	return s;
}

uint32_t
fdt_getprop_u32(const struct fdt *fdt, int node, const char *name,
    uint32_t dflt)
{
	const void *v;
	int len;

	v = fdt_getprop(fdt, node, name, &len);
	if (v == NULL || len != FDT_CELL_SIZE)
		return dflt;
	return fdt_be32(v);
}

int
fdt_getprop_u64(const struct fdt *fdt, int node, const char *name,
    uint64_t *valp)
{
	const void *v;
	int len;

	v = fdt_getprop(fdt, node, name, &len);
	if (v == NULL)
		return ENOENT;
	if (len != FDT_CELL_SIZE && len != 2 * FDT_CELL_SIZE)
		return EINVAL;
	*valp = fdt_read_cells(v, len / FDT_CELL_SIZE);
	return 0;
}

bool
fdt_prop_is(const struct fdt *fdt, int node, const char *name, const char *value)
{
	const char *s = fdt_getprop_string(fdt, node, name);

	return s != NULL && strcmp(s, value) == 0;
}

bool
fdt_stringlist_contains(const void *list, int len, const char *str)
{
	const char *s = list;
	size_t want = strlen(str), n;

	while (s != NULL && len > 0) {
		n = strnlen(s, (size_t)len);
		if (n == (size_t)len)
			return false;		/* unterminated */
		if (n == want && memcmp(s, str, n) == 0)
			return true;
		s += n + 1;
		len -= (int)n + 1;
	}
	return false;
}

bool
fdt_node_is_compatible(const struct fdt *fdt, int node, const char *compat)
{
	const void *list;
	int len;

	list = fdt_getprop(fdt, node, "compatible", &len);
	return fdt_stringlist_contains(list, len, compat);
}

bool
fdt_node_enabled(const struct fdt *fdt, int node)
{
	const char *status;
	int len;

	if (fdt_getprop(fdt, node, "status", &len) == NULL)
		return true;
	status = fdt_getprop_string(fdt, node, "status");
	return status != NULL &&
	    (strcmp(status, "okay") == 0 || strcmp(status, "ok") == 0);
}

uint32_t
fdt_node_phandle(const struct fdt *fdt, int node)
{
	uint32_t ph;

	ph = fdt_getprop_u32(fdt, node, "phandle", 0);
	if (ph == 0)
		ph = fdt_getprop_u32(fdt, node, "linux,phandle", 0);
	return ph;
}

int
fdt_find_phandle(const struct fdt *fdt, uint32_t phandle)
{
	int node, depth = 0;

	/* 0 and ~0 are never valid phandles. */
	if (phandle == 0 || phandle == UINT32_MAX)
		return -ENOENT;
	for (node = fdt_root(fdt); node >= 0;
	    node = fdt_next_node(fdt, node, &depth))
		if (fdt_node_phandle(fdt, node) == phandle)
			return node;
	return -ENOENT;
}

int
fdt_find_compatible(const struct fdt *fdt, int from, const char *compat)
{
	int node, depth = 0;

	node = from < 0 ? fdt_root(fdt) : fdt_next_node(fdt, from, &depth);
	for (; node >= 0; node = fdt_next_node(fdt, node, &depth))
		if (fdt_node_is_compatible(fdt, node, compat))
			return node;
	return node == -EINVAL ? -EINVAL : -ENOENT;
}

/*
 * Does node name "name@unit" match the path component [comp, comp+len)?
 * A component without '@' also matches any unit address.
 */
static bool
name_matches(const char *name, const char *comp, size_t len)
{
	size_t i;

	if (name == NULL || strncmp(name, comp, len) != 0)
		return false;
	if (name[len] == '\0')
		return true;
	if (name[len] != '@')
		return false;
	for (i = 0; i < len; i++)
		if (comp[i] == '@')
			return false;
	return true;
}

static int
find_child(const struct fdt *fdt, int node, const char *comp, size_t len)
{
	int child;

	for (child = fdt_first_child(fdt, node); child >= 0;
	    child = fdt_next_sibling(fdt, child))
		if (name_matches(fdt_node_name(fdt, child), comp, len))
			return child;
	return child == -EINVAL ? -EINVAL : -ENOENT;
}

/* Follow the components of [p, end) down from node. */
static int
walk_path(const struct fdt *fdt, int node, const char *p, const char *end)
{
	const char *q;

	while (node >= 0 && p < end) {
		if (*p == '/') {
			p++;
			continue;
		}
		for (q = p; q < end && *q != '/'; q++)
			;
		node = find_child(fdt, node, p, (size_t)(q - p));
		p = q;
	}
	return node;
}

/* The node an alias [name, name+len) in /aliases stands for. */
static int
find_alias(const struct fdt *fdt, const char *name, size_t len)
{
	char alias[FDT_ALIAS_MAX];
	const char *target;
	int aliases;

	if (len == 0 || len >= sizeof(alias))
		return -ENOENT;
	memcpy(alias, name, len);
	alias[len] = '\0';
	aliases = find_child(fdt, fdt_root(fdt), "aliases", strlen("aliases"));
	if (aliases < 0)
		return -ENOENT;
	target = fdt_getprop_string(fdt, aliases, alias);
	/* An alias names a full path; aliases of aliases are not allowed. */
	if (target == NULL || target[0] != '/')
		return -ENOENT;
	return walk_path(fdt, fdt_root(fdt), target, target + strlen(target));
}

int
fdt_find_path(const struct fdt *fdt, const char *path)
{
	const char *end, *slash;
	int node;

	/* A ':' cannot occur in node names: it starts stdout-path options. */
	for (end = path; *end != '\0' && *end != ':'; end++)
		;
	if (end == path)
		return -ENOENT;
	if (*path == '/')
		return walk_path(fdt, fdt_root(fdt), path, end);
	for (slash = path; slash < end && *slash != '/'; slash++)
		;
	node = find_alias(fdt, path, (size_t)(slash - path));
	return walk_path(fdt, node, slash, end);
}

/* Read one of #address-cells/#size-cells: 0 or EINVAL if malformed. */
static int
cells_prop(const struct fdt *fdt, int bus, const char *name, int dflt,
    int *cellsp)
{
	const void *v;
	uint32_t n;
	int len;

	v = fdt_getprop(fdt, bus, name, &len);
	if (v == NULL) {
		*cellsp = dflt;
		return 0;
	}
	if (len != FDT_CELL_SIZE || (n = fdt_be32(v)) > FDT_MAX_CELLS)
		return EINVAL;
	*cellsp = (int)n;
	return 0;
}

int
fdt_bus_cells(const struct fdt *fdt, int bus, int *acells, int *scells)
{
	int ac, sc, error;

	if ((error = cells_prop(fdt, bus, "#address-cells",
	    FDT_DEFAULT_ADDRESS_CELLS, &ac)) != 0 ||
	    (error = cells_prop(fdt, bus, "#size-cells",
	    FDT_DEFAULT_SIZE_CELLS, &sc)) != 0)
		return error;
	if (acells != NULL)
		*acells = ac;
	if (scells != NULL)
		*scells = sc;
	return 0;
}

int
fdt_reg(const struct fdt *fdt, int node, int index, uint64_t *addrp,
    uint64_t *sizep)
{
	const uint8_t *reg;
	int parent, ac, sc, len, tuple, error;

	if ((parent = fdt_parent(fdt, node)) < 0)
		return parent == -ENOENT ? ENOENT : EINVAL;
	if ((error = fdt_bus_cells(fdt, parent, &ac, &sc)) != 0)
		return error;
	/* Addresses wider than 64 bits (PCI) need a bus-specific reader. */
	if (ac == 0 || ac > 2 || sc > 2)
		return EINVAL;
	if ((reg = fdt_getprop(fdt, node, "reg", &len)) == NULL)
		return ENOENT;
	tuple = (ac + sc) * FDT_CELL_SIZE;
	if (len % tuple != 0)
		return EINVAL;
	if (index < 0 || index >= len / tuple)
		return ENOENT;
	reg += index * tuple;
	*addrp = fdt_read_cells(reg, ac);
	if (sizep != NULL)
		*sizep = fdt_read_cells(reg + ac * FDT_CELL_SIZE, sc);
	return 0;
}

/*
 * Map an address on bus's child side to bus's parent side ("up") through
 * bus's ranges: a list of (child address, parent address, size).  An
 * empty ranges is the identity; no ranges at all means the bus's
 * addresses are not visible from the parent (ENXIO), as the device-tree
 * specification says.
 */
static int
translate_one(const struct fdt *fdt, int bus, int up, uint64_t *addrp)
{
	const uint8_t *r;
	uint64_t child, parent, size, addr = *addrp;
	int ca, cs, pa, len, entry, error;

	if ((r = fdt_getprop(fdt, bus, "ranges", &len)) == NULL)
		return ENXIO;
	if (len == 0)
		return 0;
	if ((error = fdt_bus_cells(fdt, bus, &ca, &cs)) != 0 ||
	    (error = fdt_bus_cells(fdt, up, &pa, NULL)) != 0)
		return error;
	if (ca == 0 || pa == 0 || ca > 2 || pa > 2 || cs > 2)
		return ENXIO;
	entry = (ca + pa + cs) * FDT_CELL_SIZE;
	if (len % entry != 0)
		return EINVAL;
	for (; len > 0; r += entry, len -= entry) {
		child = fdt_read_cells(r, ca);
		parent = fdt_read_cells(r + ca * FDT_CELL_SIZE, pa);
		size = fdt_read_cells(r + (ca + pa) * FDT_CELL_SIZE, cs);
		if (addr < child || addr - child >= size)
			continue;
		if (add_overflows(parent, addr - child, addrp))
			return EINVAL;
		return 0;
	}
	return ENXIO;
}

int
fdt_translate(const struct fdt *fdt, int node, uint64_t *addrp)
{
	int bus, up, error;

	if ((bus = fdt_parent(fdt, node)) < 0)
		return EINVAL;
	/* The root's children already see CPU physical addresses. */
	while ((up = fdt_parent(fdt, bus)) >= 0) {
		if ((error = translate_one(fdt, bus, up, addrp)) != 0)
			return error;
		bus = up;
	}
	return up == -ENOENT ? 0 : EINVAL;
}

int
fdt_reg_phys(const struct fdt *fdt, int node, int index, uint64_t *addrp,
    uint64_t *sizep)
{
	int error;

	if ((error = fdt_reg(fdt, node, index, addrp, sizep)) != 0)
		return error;
	return fdt_translate(fdt, node, addrp);
}

/* The #interrupt-cells of the controller phandle names; 0 if unusable. */
static uint32_t
intr_cells(const struct fdt *fdt, uint32_t phandle)
{
	int ctrl = fdt_find_phandle(fdt, phandle);
	uint32_t n;

	if (ctrl < 0)
		return 0;
	n = fdt_getprop_u32(fdt, ctrl, "#interrupt-cells", 0);
	return n <= FDT_MAX_INTR_CELLS ? n : 0;
}

/* The interrupt-parent of node or of its nearest ancestor naming one; 0: none. */
static uint32_t
interrupt_parent(const struct fdt *fdt, int node)
{
	const void *v;
	int len;

	for (; node >= 0; node = fdt_parent(fdt, node))
		if ((v = fdt_getprop(fdt, node, "interrupt-parent", &len)) != NULL)
			return len == FDT_CELL_SIZE ? fdt_be32(v) : 0;
	return 0;
}

void
fdt_intr_first(const struct fdt *fdt, int node, struct fdt_intr_iter *it)
{
	memset(it, 0, sizeof(*it));
	it->cells = fdt_getprop(fdt, node, "interrupts-extended", &it->len);
	if (it->cells != NULL) {
		it->extended = true;
		return;
	}
	it->cells = fdt_getprop(fdt, node, "interrupts", &it->len);
	if (it->cells != NULL && (it->ctrl = interrupt_parent(fdt, node)) != 0)
		it->ncells = intr_cells(fdt, it->ctrl);
}

int
fdt_intr_next(const struct fdt *fdt, struct fdt_intr_iter *it,
    uint32_t *ctrlp, uint32_t *irqp)
{
	uint32_t head = 0, ctrl;

	if (it->cells == NULL || it->len <= 0)
		return ENOENT;
	if (it->extended) {
		if (it->len < FDT_CELL_SIZE)
			goto bad;
		head = FDT_CELL_SIZE;
		/* Consecutive entries often share a controller (the PLIC's do). */
		if ((ctrl = fdt_be32(it->cells)) != it->ctrl) {
			it->ctrl = ctrl;
			it->ncells = intr_cells(fdt, ctrl);
		}
	}
	if (it->ncells == 0 ||
	    (uint32_t)it->len < head + it->ncells * FDT_CELL_SIZE)
		goto bad;
	*ctrlp = it->ctrl;
	*irqp = fdt_be32(it->cells + head);
	it->cells += head + it->ncells * FDT_CELL_SIZE;
	it->len -= (int)(head + it->ncells * FDT_CELL_SIZE);
	return 0;
bad:
	it->len = 0;
	return EINVAL;
}

int
fdt_memreserve(const struct fdt *fdt, int index, uint64_t *addrp,
    uint64_t *sizep)
{
	const uint8_t *e;

	if (index < 0 || (uint32_t)index >= fdt->rsvmap_count)
		return ENOENT;
	e = fdt->rsvmap + (uint32_t)index * FDT_RSV_ENTRY_SIZE;
	*addrp = fdt_be64(e);
	*sizep = fdt_be64(e + 8);
	return 0;
}
