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
 * overflow (every quantity added is at most len).
 *
 * Hard links.  The names of a file with several links each have an entry
 * with the same (ino, devmajor, devminor); GNU cpio stores the data with
 * the last of them only, the others having size 0.  As Linux's
 * init/initramfs.c does, the first such entry makes the file and later
 * ones become links to it, writing their data (if any) into it, so every
 * name ends up with the data.  A table of the files seen so far, each
 * referenced, lives for one cpio_unpack call.
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <fs/cpio.h>
#include <fs/vnode.h>
#include <uapi/stat.h>

#define CPIO_MAGIC_NEWC	"070701"
#define CPIO_MAGIC_CRC	"070702"
#define CPIO_FIELDS	13

/* Field indices in the header. */
enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJOR, F_DEVMINOR,
	F_RDEVMAJOR, F_RDEVMINOR, F_NAMESIZE, F_CHECK };

MALLOC_DEFINE(M_CPIO, "cpio", "cpio unpacking: the table of hard-linked files");

#define LINKS_MIN	16

struct cpio_entry {
	const char	*name;
	size_t		namelen;	/* without the NUL */
	uint32_t	ino;
	uint32_t	mode;
	uint32_t	uid;
	uint32_t	gid;
	uint32_t	nlink;
	uint32_t	mtime;
	uint32_t	dev;		/* devmajor, devminor: the archived file system's */
	uint32_t	rdev;		/* rdevmajor, rdevminor, as Linux encodes a dev_t */
	const uint8_t	*data;
	size_t		size;
};

/* A file with several links, made by an earlier entry. */
struct cpio_link {
	uint32_t	ino;
	uint32_t	dev;
	uint32_t	mode;
	struct vnode	*vp;		/* referenced */
};

/* One cpio_unpack call's state. */
struct unpacker {
	struct vnode	*root;
	struct cpio_stats st;
	struct cpio_link *links;
	size_t		nlinks;
	size_t		maxlinks;
};

/* Linux's dev_t encoding (new_encode_dev). */
static uint32_t
encode_dev(uint32_t major, uint32_t minor)
{
	return (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffU) << 12);
}

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
	e->ino = f[F_INO];
	e->mode = f[F_MODE];
	e->uid = f[F_UID];
	e->gid = f[F_GID];
	e->nlink = f[F_NLINK];
	e->mtime = f[F_MTIME];
	e->dev = encode_dev(f[F_DEVMAJOR], f[F_DEVMINOR]);
	e->rdev = encode_dev(f[F_RDEVMAJOR], f[F_RDEVMINOR]);
	e->data = buf + data_off;
	e->size = f[F_FILESIZE];
	*offp = MIN(pad4(data_off + e->size), len);
	return 0;
}

/* Make name in dir as vc says: *out referenced. */
static int
create(struct vnode *dir, const char *name, size_t len, struct vcreate *vc,
    struct vnode **out)
{
	if (dir->v_ops->vop_create == NULL)
		return EACCES;
	return dir->v_ops->vop_create(dir, name, len, vc, out);
}

/* The directory component comp (len bytes) of dir, made if missing. */
static int
dir_component(struct vnode *dir, const char *comp, size_t len, uint32_t mode,
    struct vnode **out)
{
	int error = vfs_lookup_component(dir, comp, len, out);

	if (error == ENOENT) {
		struct vcreate vc = { .vc_type = VDIR, .vc_mode = mode };

		error = create(dir, comp, len, &vc, out);
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

/* Give vp the entry's mode, owners and times. */
static void
set_attributes(struct vnode *vp, const struct cpio_entry *e)
{
	struct vsetattr va = {
		.va_mask = VA_MODE | VA_UID | VA_GID | VA_ATIME | VA_MTIME,
		.va_mode = e->mode & S_IALLUGO, .va_uid = e->uid, .va_gid = e->gid,
		.va_atime = { e->mtime, 0 }, .va_mtime = { e->mtime, 0 },
	};

	vn_setattr(vp, &va);
}

/*
 * Remove what name is in dir unless it is a directory and a directory is
 * coming (Linux's clean_path): an archive entry replaces what was there.
 */
static int
clear_name(struct vnode *dir, const char *name, size_t len, uint32_t type)
{
	struct vnode *vp;
	int error;

	if ((error = vfs_lookup_component(dir, name, len, &vp)) != 0)
		return error == ENOENT ? 0 : error;
	if (vp->v_type == VDIR && type == S_IFDIR)
		error = 0;
	else if (vp->v_type == VREG && type == S_IFREG)
		error = 0;	/* overwritten in place, as Linux's O_TRUNC */
	else if (dir->v_ops->vop_unlink == NULL)
		error = EACCES;
	else
		error = dir->v_ops->vop_unlink(dir, name, len, vp, vp->v_type == VDIR);
	vrele(vp);
	return error;
}

/* The file an earlier entry of the same hard-linked file made, or NULL. */
static struct vnode *
find_link(struct unpacker *u, const struct cpio_entry *e)
{
	for (size_t i = 0; i < u->nlinks; i++) {
		struct cpio_link *l = &u->links[i];

		if (l->ino == e->ino && l->dev == e->dev && l->mode == e->mode)
			return l->vp;
	}
	return NULL;
}

/* Remember vp as the file of e, for its later links.  0 or ENOMEM. */
static int
remember_link(struct unpacker *u, const struct cpio_entry *e, struct vnode *vp)
{
	if (u->nlinks == u->maxlinks) {
		size_t n = u->maxlinks == 0 ? LINKS_MIN : 2 * u->maxlinks;
		struct cpio_link *bigger = realloc(u->links, n * sizeof(*bigger), M_CPIO, M_WAITOK);

		if (bigger == NULL)
			return ENOMEM;
		u->links = bigger;
		u->maxlinks = n;
	}
	vref(vp);
	u->links[u->nlinks++] = (struct cpio_link){ e->ino, e->dev, e->mode, vp };
	return 0;
}

/* Write e's data into the regular file vp, from offset 0. */
static int
write_data(struct vnode *vp, const struct cpio_entry *e, bool truncate)
{
	struct uio uio = { (void *)e->data, e->size, 0, false, true, 0 };
	int error = 0;
	ssize_t n;

	if (vp->v_ops->vop_write == NULL)
		return EISDIR;
	if (truncate)
		error = vp->v_ops->vop_truncate(vp, 0);
	if (error == 0 && e->size > 0) {
		n = vp->v_ops->vop_write(vp, &uio);
		if (n < 0)
			error = (int)-n;
		else if ((size_t)n != e->size)
			error = ENOSPC;
	}
	return error;
}

/* A regular file, or a new name of one made earlier (a hard link). */
static int
make_file(struct unpacker *u, struct vnode *parent, const char *name, size_t len,
    const struct cpio_entry *e)
{
	struct vnode *linked = e->nlink >= 2 ? find_link(u, e) : NULL, *vp;
	int error;

	if (linked != NULL) {
		if (parent->v_ops->vop_link == NULL)
			return EACCES;
		if ((error = clear_name(parent, name, len, S_IFLNK)) != 0 ||
		    (error = parent->v_ops->vop_link(parent, name, len, linked)) != 0)
			return error;
		u->st.hardlinks++;
		vp = linked;
		vref(vp);
	} else {
		struct vcreate vc = { .vc_type = VREG, .vc_mode = e->mode & S_IALLUGO };

		error = vfs_lookup_component(parent, name, len, &vp);
		if (error == ENOENT)
			error = create(parent, name, len, &vc, &vp);
		if (error)
			return error;
		if (vp->v_type != VREG) {
			error = vp->v_type == VDIR ? EISDIR : EEXIST;
			vrele(vp);
			return error;
		}
		if (e->nlink >= 2 && (error = remember_link(u, e, vp)) != 0) {
			vrele(vp);
			return error;
		}
		u->st.files++;
	}
	if ((error = write_data(vp, e, linked == NULL)) == 0) {
		set_attributes(vp, e);
		u->st.bytes += e->size;
	}
	vrele(vp);
	return error;
}

/* A symbolic link (its target is the data) or a special file. */
static int
make_node(struct unpacker *u, struct vnode *parent, const char *name, size_t len,
    const struct cpio_entry *e)
{
	uint32_t type = e->mode & S_IFMT;
	struct vcreate vc = { .vc_type = ifmt_to_vtype(e->mode), .vc_mode = e->mode & S_IALLUGO,
	    .vc_rdev = e->rdev, .vc_target = (const char *)e->data, .vc_targetlen = e->size };
	struct vnode *vp;
	int error;

	if (type == S_IFLNK && (e->size == 0 || e->size >= PATH_MAX))
		return EINVAL;
	if ((error = clear_name(parent, name, len, type)) != 0 ||
	    (error = create(parent, name, len, &vc, &vp)) != 0)
		return error;
	set_attributes(vp, e);
	vrele(vp);
	if (type == S_IFLNK)
		u->st.symlinks++;
	else
		u->st.specials++;
	return 0;
}

static int
unpack_entry(struct unpacker *u, const struct cpio_entry *e)
{
	uint32_t type = e->mode & S_IFMT;
	struct vnode *parent, *vp;
	const char *last;
	size_t lastlen;
	int error;

	if (ifmt_to_vtype(e->mode) == VNON) {
		u->st.skipped++;
		return 0;
	}
	if ((error = walk_to_parent(u->root, e->name, &parent, &last, &lastlen)) != 0)
		return error;
	if (lastlen == 0) {
		/* The archive's root: its attributes are the root's own. */
		error = type == S_IFDIR ? 0 : EINVAL;
	} else if (type == S_IFDIR) {
		if ((error = dir_component(parent, last, lastlen, e->mode & S_IALLUGO, &vp)) == 0) {
			set_attributes(vp, e);
			vrele(vp);
			u->st.dirs++;
		}
	} else if (type == S_IFREG) {
		error = make_file(u, parent, last, lastlen, e);
	} else {
		error = make_node(u, parent, last, lastlen, e);
	}
	vrele(parent);
	return error;
}

int
cpio_unpack(struct vnode *dir, const void *buf, size_t len, struct cpio_stats *stp)
{
	struct unpacker u = { .root = dir };
	const uint8_t *p = buf;
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
		error = unpack_entry(&u, &e);
	}
	for (size_t i = 0; i < u.nlinks; i++)
		vrele(u.links[i].vp);
	free(u.links, M_CPIO);
	if (stp != NULL)
		*stp = u.st;
	return error;
}
