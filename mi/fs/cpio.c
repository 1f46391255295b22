/*
 * cpio newc unpacking.
 *
 * An archive is a sequence of entries, each a 110-byte ASCII header
 *
 *     magic "070701" (or "070702", with checksums we do not check), then
 *     13 fields of 8 hex digits: ino mode uid gid nlink mtime filesize
 *     devmajor devminor rdevmajor rdevminor namesize check
 *
 * followed by the name (namesize bytes, with its NUL) padded so the data
 * start 4-aligned, then the data (filesize bytes) padded to 4 bytes.  The
 * entry named "TRAILER!!!" ends the archive; zero padding may follow, and
 * after it another archive (Linux concatenates them the same way).
 *
 * The archive is untrusted input: every offset is checked against the
 * length before anything is read, and sums are computed so they cannot
 * overflow (every quantity added is at most len).  Hard links are not
 * recognised: each name gets the data stored with it.
 */
#include <kern/systm.h>
#include <fs/cpio.h>
#include <fs/vnode.h>
#include <uapi/stat.h>

#define CPIO_MAGIC_NEWC	"070701"
#define CPIO_MAGIC_CRC	"070702"
#define CPIO_FIELDS	13

/* Field indices in the header. */
enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR, F_DEVMINOR,
	F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK };

struct cpio_entry {
	const char	*name;
	size_t		namelen;	/* without the NUL */
	uint32_t	mode;
	uint32_t	mtime;
	const uint8_t	*data;
	size_t		size;
};

static int
parse_hex8(const char *p, uint32_t *out)
{
	uint32_t v = 0;

	for (int i = 0; i < 8; i++) {
		int d = digit_value(p[i]);

		if (d >= 16)
			return EINVAL;
		v = (v << 4) | (uint32_t)d;
	}
	*out = v;
	return 0;
}

static inline size_t
pad4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

/*
 * Parse the entry at *offp of buf[0, len).  On success *offp is the start
 * of the next entry (at most len).  EINVAL if it is malformed.
 */
static int
parse_entry(const uint8_t *buf, size_t len, size_t *offp, struct cpio_entry *e,
    bool *trailer)
{
	size_t off = *offp, name_off, data_off;
	uint32_t f[CPIO_FIELDS];
	const char *hdr;

	if (len - off < CPIO_HEADER_SIZE)
		return EINVAL;
	hdr = (const char *)buf + off;
	if (memcmp(hdr, CPIO_MAGIC_NEWC, 6) != 0 && memcmp(hdr, CPIO_MAGIC_CRC, 6) != 0)
		return EINVAL;
	for (int i = 0; i < CPIO_FIELDS; i++)
		if (parse_hex8(hdr + 6 + 8 * i, &f[i]) != 0)
			return EINVAL;
	name_off = off + CPIO_HEADER_SIZE;
	if (f[F_NAMESIZE] == 0 || f[F_NAMESIZE] > len - name_off)
		return EINVAL;
	e->name = (const char *)buf + name_off;
	e->namelen = f[F_NAMESIZE] - 1;
	if (e->name[e->namelen] != '\0' || strnlen(e->name, e->namelen) != e->namelen)
		return EINVAL;		/* not terminated, or a NUL inside */
	*trailer = strcmp(e->name, CPIO_TRAILER) == 0;
	data_off = pad4(name_off + f[F_NAMESIZE]);
	if (*trailer) {
		*offp = MIN(data_off, len);
		return 0;
	}
	if (data_off > len || f[F_FILESIZE] > len - data_off)
		return EINVAL;
	e->mode = f[F_MODE];
	e->mtime = f[F_MTIME];
	e->data = buf + data_off;
	e->size = f[F_FILESIZE];
	*offp = MIN(pad4(data_off + e->size), len);
	return 0;
}

/* The directory component comp (len bytes) of dir, made if missing. */
static int
dir_component(struct vnode *dir, const char *comp, size_t len, uint32_t mode,
    struct vnode **out)
{
	int error = vfs_lookup_component(dir, comp, len, out);

	if (error == ENOENT) {
		if (dir->v_ops->vop_create == NULL)
			return EACCES;
		error = dir->v_ops->vop_create(dir, comp, len, VDIR, mode, out);
		if (error == EEXIST)
			error = vfs_lookup_component(dir, comp, len, out);
	}
	if (error == 0 && (*out)->v_type != VDIR) {
		vrele(*out);
		error = ENOTDIR;
	}
	return error;
}

/* Skip slashes and "." components. */
static const char *
skip_separators(const char *p)
{
	while (*p == '/' || (p[0] == '.' && (p[1] == '/' || p[1] == '\0')))
		p++;
	return p;
}

/*
 * Split name into its directory part and last component, making the
 * directories; *parent is referenced.  Leading "/" and "./" are dropped;
 * ".." is refused.  *last is empty for the archive's root entry (".").
 */
static int
walk_to_parent(struct vnode *root, const char *name, struct vnode **parent,
    const char **last, size_t *lastlen)
{
	struct vnode *dir = root, *next;
	const char *p = name;

	vref(dir);
	for (;;) {
		const char *comp;
		size_t len;
		int error;

		p = skip_separators(p);
		comp = p;
		while (*p != '\0' && *p != '/')
			p++;
		len = (size_t)(p - comp);
		if (len == 2 && comp[0] == '.' && comp[1] == '.') {
			vrele(dir);
			return EINVAL;
		}
		if (len > NAME_MAX) {
			vrele(dir);
			return ENAMETOOLONG;
		}
		p = skip_separators(p);
		if (*p == '\0') {
			*parent = dir;
			*last = comp;
			*lastlen = len;
			return 0;
		}
		error = dir_component(dir, comp, len, 0755, &next);
		vrele(dir);
		if (error)
			return error;
		dir = next;
	}
}

static void
set_attributes(struct vnode *vp, uint32_t mode, uint32_t mtime)
{
	spin_lock(&vp->v_lock);
	vp->v_mode = mode & S_IALLUGO;
	vp->v_mtime_ns = (uint64_t)mtime * 1000000000UL;
	spin_unlock(&vp->v_lock);
}

static int
make_file(struct vnode *parent, const char *name, size_t len, const struct cpio_entry *e)
{
	struct uio uio = { (void *)e->data, e->size, 0, false, true, 0 };
	struct vnode *vp;
	ssize_t n;
	int error;

	error = vfs_lookup_component(parent, name, len, &vp);
	if (error == ENOENT) {
		if (parent->v_ops->vop_create == NULL)
			return EACCES;
		error = parent->v_ops->vop_create(parent, name, len, VREG, e->mode, &vp);
	}
	if (error)
		return error;
	if (vp->v_type != VREG || vp->v_ops->vop_write == NULL) {
		error = vp->v_type == VDIR ? EISDIR : EEXIST;
		vrele(vp);
		return error;
	}
	error = vp->v_ops->vop_truncate(vp, 0);
	if (error == 0 && e->size > 0) {
		n = vp->v_ops->vop_write(vp, &uio);
		if (n < 0)
			error = (int)-n;
		else if ((size_t)n != e->size)
			error = ENOSPC;
	}
	if (error == 0)
		set_attributes(vp, e->mode, e->mtime);
	vrele(vp);
	return error;
}

static int
unpack_entry(struct vnode *root, const struct cpio_entry *e, struct cpio_stats *st)
{
	uint32_t type = e->mode & S_IFMT;
	struct vnode *parent, *vp;
	const char *last;
	size_t lastlen;
	int error;

	if (type != S_IFDIR && type != S_IFREG) {
		st->skipped++;
		return 0;
	}
	if ((error = walk_to_parent(root, e->name, &parent, &last, &lastlen)) != 0)
		return error;
	if (lastlen == 0) {
		/* The archive's root: its attributes are the root's own. */
		error = type == S_IFDIR ? 0 : EINVAL;
	} else if (type == S_IFDIR) {
		if ((error = dir_component(parent, last, lastlen, e->mode & S_IALLUGO, &vp)) == 0) {
			set_attributes(vp, e->mode, e->mtime);
			vrele(vp);
			st->dirs++;
		}
	} else if ((error = make_file(parent, last, lastlen, e)) == 0) {
		st->files++;
		st->bytes += e->size;
	}
	vrele(parent);
	return error;
}

int
cpio_unpack(struct vnode *dir, const void *buf, size_t len, struct cpio_stats *stp)
{
	const uint8_t *p = buf;
	struct cpio_stats st = { 0 };
	size_t off = 0;
	int error = 0;

	if (dir == NULL || dir->v_type != VDIR)
		return ENOTDIR;
	while (error == 0) {
		struct cpio_entry e;
		bool trailer;

		if ((error = parse_entry(p, len, &off, &e, &trailer)) != 0)
			break;
		if (trailer) {
			/* Padding may follow, and then another archive. */
			while (off < len && p[off] == '\0')
				off++;
			if (off == len)
				break;
			continue;
		}
		error = unpack_entry(dir, &e, &st);
	}
	if (stp != NULL)
		*stp = st;
	return error;
}
