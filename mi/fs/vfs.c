/*
 * The file-system-independent layer: vnode allocation and reference
 * counting, path lookup, stat, and directory records.
 *
 * Path lookup walks one component at a time from the start directory,
 * holding a reference on the directory it stands in and nothing else;
 * each step asks the directory's file system (vop_lookup) under that
 * file system's own locks.  "." and ".." are answered here from the
 * vnode itself: every directory knows its parent (v_parent, referenced)
 * and its own name, which is also how getcwd builds a path.  There are
 * no symbolic links and no mount points: /dev and /proc are ordinary
 * directory entries of the root whose vnodes belong to other file
 * systems.
 *
 * Reference counting (see vnode.h for the rules): v_refcnt goes up
 * atomically and down under v_lock; the thread that finds both the
 * references and the links at zero marks the vnode VV_DOOMED and
 * reclaims it, then drops the reference the vnode held on its parent.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/malloc.h>
#include <kern/mutex.h>
#include <kern/sched.h>
#include <kern/time.h>
#include <machine/param.h>
#include <vm/vm_object.h>
#include <vm/zone.h>
#include <fs/vnode.h>
#include <uapi/dirent.h>
#include <uapi/stat.h>

MALLOC_DEFINE(M_VNAME, "vnode name", "directory names kept for getcwd");

struct vnode *rootvnode;
static zone_t vnode_zone;		/* (A) made at first use */
/* A sleep mutex: making the zone allocates with M_WAITOK. */
static struct mtx vfs_init_lock = MTX_INITIALIZER("vfs init");
static uint64_t next_ino = 2;		/* (A) the root gets 2, as on Linux */

static void
vfs_init(void)
{
	zone_t z;

	if (__atomic_load_n(&vnode_zone, __ATOMIC_ACQUIRE) != NULL)
		return;
	mtx_lock(&vfs_init_lock);
	if (vnode_zone == NULL) {
		if ((z = zone_create("vnode", sizeof(struct vnode), 8, 0)) == NULL)
			panic("vfs_init: no vnode zone");
		__atomic_store_n(&vnode_zone, z, __ATOMIC_RELEASE);
	}
	mtx_unlock(&vfs_init_lock);
}

struct vnode *
vnode_alloc(enum vtype type, uint32_t mode, const struct vnode_ops *ops,
    struct vnode *parent, const char *name, size_t namelen)
{
	struct vnode *vp;

	vfs_init();
	if ((vp = zone_alloc(vnode_zone, M_WAITOK | M_ZERO)) == NULL)
		return NULL;
	if (type == VDIR && namelen > 0) {
		if ((vp->v_name = malloc(namelen + 1, M_VNAME, M_WAITOK)) == NULL) {
			zone_free(vnode_zone, vp);
			return NULL;
		}
		memcpy(vp->v_name, name, namelen);
		vp->v_name[namelen] = '\0';
		vp->v_namelen = namelen;
	}
	spin_init(&vp->v_lock, "vnode");
	sx_init(&vp->v_iolock, "vnode io");
	vp->v_type = type;
	vp->v_refcnt = 1;
	vp->v_mode = mode & S_IALLUGO;
	vp->v_ino = __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
	vp->v_mtime_ns = uptime_ns();
	vp->v_ops = ops;
	if (type == VDIR && parent != NULL) {
		vref(parent);
		vp->v_parent = parent;
	}
	return vp;
}

void
vnode_free(struct vnode *vp)
{
	KASSERT(vp->v_flags & VV_DOOMED, ("vnode_free: vnode %lu is alive", vp->v_ino));
	KASSERT(vp->v_refcnt == 0 && vp->v_nlink == 0,
	    ("vnode_free: vnode %lu has %u references, %u links", vp->v_ino, vp->v_refcnt,
	    vp->v_nlink));
	sx_destroy(&vp->v_iolock);
	free(vp->v_name, M_VNAME);
	zone_free(vnode_zone, vp);
}

void
vref(struct vnode *vp)
{
	uint32_t was __unused = __atomic_fetch_add(&vp->v_refcnt, 1, __ATOMIC_RELAXED);

	KASSERT(!(vp->v_flags & VV_DOOMED), ("vref: vnode %lu is being reclaimed", vp->v_ino));
	KASSERT(was + 1 != 0, ("vref: vnode %lu reference count overflows", vp->v_ino));
}

/*
 * vp (locked) may have just lost its last reference or link: if so, mark
 * it for reclaiming.  True if the caller must reclaim it.
 */
static bool
vnode_should_reclaim(struct vnode *vp)
{
	KASSERT(spin_owned(&vp->v_lock), ("vnode_should_reclaim: not locked"));
	if (vp->v_refcnt != 0 || vp->v_nlink != 0 || (vp->v_flags & VV_DOOMED))
		return false;
	vp->v_flags |= VV_DOOMED;
	return true;
}

/* Free vp through its file system; return its parent, whose reference it held. */
static struct vnode *
vnode_reclaim(struct vnode *vp)
{
	struct vnode *parent = vp->v_parent;

	vp->v_ops->vop_reclaim(vp);
	return parent;
}

void
vrele(struct vnode *vp)
{
	while (vp != NULL) {
		bool reclaim;

		spin_lock(&vp->v_lock);
		KASSERT(vp->v_refcnt > 0, ("vrele: vnode %lu has no references", vp->v_ino));
		__atomic_sub_fetch(&vp->v_refcnt, 1, __ATOMIC_RELEASE);
		reclaim = vnode_should_reclaim(vp);
		spin_unlock(&vp->v_lock);
		vp = reclaim ? vnode_reclaim(vp) : NULL;
	}
}

void
vnode_unlinked(struct vnode *vp)
{
	bool reclaim;

	spin_lock(&vp->v_lock);
	KASSERT(vp->v_nlink > 0, ("vnode_unlinked: vnode %lu has no links", vp->v_ino));
	if (--vp->v_nlink == 0)
		vp->v_flags |= VV_UNLINKED;
	reclaim = vnode_should_reclaim(vp);
	spin_unlock(&vp->v_lock);
	if (reclaim)
		vrele(vnode_reclaim(vp));
}

/*
 * The I/O lock: held only around ramfs data transfers, which never take
 * it twice.
 */
void
vn_iolock(struct vnode *vp)
{
	sx_xlock(&vp->v_iolock);
}

void
vn_iolock_shared(struct vnode *vp)
{
	sx_slock(&vp->v_iolock);
}

void
vn_iounlock(struct vnode *vp)
{
	if (sx_xlocked(&vp->v_iolock))
		sx_xunlock(&vp->v_iolock);
	else
		sx_sunlock(&vp->v_iolock);
}

/*
 * Path lookup.
 */

int
vfs_lookup_component(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	if (dir->v_type != VDIR)
		return ENOTDIR;
	if (len > NAME_MAX)
		return ENAMETOOLONG;
	if (len == 1 && name[0] == '.') {
		vref(dir);
		*out = dir;
		return 0;
	}
	if (len == 2 && name[0] == '.' && name[1] == '.') {
		struct vnode *up = dir->v_parent != NULL ? dir->v_parent : dir;

		vref(up);	/* dir's own reference keeps up alive meanwhile */
		*out = up;
		return 0;
	}
	if (dir->v_ops->vop_lookup == NULL)
		return ENOENT;
	return dir->v_ops->vop_lookup(dir, name, len, out);
}

int
vfs_lookup_parent(struct vnode *start, const char *path, struct vnode **parentp,
    const char **namep, size_t *lenp, bool *trailing_slash)
{
	struct vnode *dir;
	const char *p = path;

	if (path[0] == '\0')
		return ENOENT;
	if (path[0] == '/' || start == NULL)
		start = rootvnode;
	if (start == NULL)
		return ENOENT;
	dir = start;
	vref(dir);
	for (;;) {
		const char *comp, *next;
		struct vnode *child;
		size_t len;
		int error;

		while (*p == '/')
			p++;
		if (*p == '\0') {
			/* "/" or only slashes: the directory itself. */
			*namep = ".";
			*lenp = 1;
			if (trailing_slash != NULL)
				*trailing_slash = false;
			break;
		}
		comp = p;
		while (*p != '\0' && *p != '/')
			p++;
		len = (size_t)(p - comp);
		for (next = p; *next == '/'; next++)
			;
		if (len > NAME_MAX) {
			vrele(dir);
			return ENAMETOOLONG;
		}
		if (*next == '\0') {
			*namep = comp;
			*lenp = len;
			if (trailing_slash != NULL)
				*trailing_slash = next != p;
			break;
		}
		error = vfs_lookup_component(dir, comp, len, &child);
		vrele(dir);
		if (error)
			return error;
		dir = child;
		p = next;
	}
	if (dir->v_type != VDIR) {
		vrele(dir);
		return ENOTDIR;
	}
	*parentp = dir;
	return 0;
}

static int
create_last(struct vnode *parent, const char *name, size_t len, bool trailing,
    enum vtype type, uint32_t mode, struct vnode **out)
{
	if (trailing && type != VDIR)
		return EISDIR;
	if (parent->v_ops->vop_create == NULL)
		return EACCES;
	return parent->v_ops->vop_create(parent, name, len, type, mode, out);
}

/* Replace *vpp (referenced) by the file it stands for when it is a magic link. */
static int
follow_magic(struct vnode **vpp)
{
	struct vnode *vp = *vpp, *target;
	int error;

	if (vp->v_type != VLNK || vp->v_ops->vop_follow == NULL)
		return 0;
	error = vp->v_ops->vop_follow(vp, &target);
	vrele(vp);
	if (error == 0)
		*vpp = target;
	return error;
}

int
vfs_lookup(struct vnode *dir, const char *path, int flags, enum vtype type, uint32_t mode,
    struct vnode **out)
{
	struct vnode *parent, *vp = NULL;
	const char *name;
	size_t len;
	bool trailing, created = false;
	int error;

	if ((error = vfs_lookup_parent(dir, path, &parent, &name, &len, &trailing)) != 0)
		return error;
	for (int tries = 0; tries < 2; tries++) {
		error = vfs_lookup_component(parent, name, len, &vp);
		if (error != ENOENT || !(flags & VFS_CREATE))
			break;
		error = create_last(parent, name, len, trailing, type, mode, &vp);
		if (error == 0) {
			created = true;
			break;
		}
		if (error != EEXIST || (flags & VFS_EXCL))
			break;
		/* Someone else created it meanwhile: look again. */
	}
	if (error == 0 && !created && (flags & VFS_CREATE) && (flags & VFS_EXCL)) {
		vrele(vp);
		error = EEXIST;
	}
	vrele(parent);
	if (error)
		return error;
	if ((flags & VFS_FOLLOW) && (error = follow_magic(&vp)) != 0)
		return error;
	if (trailing && vp->v_type != VDIR) {
		vrele(vp);
		return ENOTDIR;
	}
	*out = vp;
	return 0;
}

int
vn_fullpath(struct vnode *vp, char *buf, size_t size, size_t *lenp)
{
	size_t pos = size;

	if (size == 0)
		return ERANGE;
	buf[--pos] = '\0';
	while (vp != rootvnode && vp->v_parent != NULL) {
		bool removed;

		spin_lock(&vp->v_lock);
		removed = (vp->v_flags & VV_UNLINKED) != 0;
		spin_unlock(&vp->v_lock);
		if (removed)
			return ENOENT;
		if (pos < vp->v_namelen + 1)
			return ERANGE;
		pos -= vp->v_namelen;
		memcpy(buf + pos, vp->v_name, vp->v_namelen);
		buf[--pos] = '/';
		vp = vp->v_parent;	/* held by the child below it */
	}
	if (vp != rootvnode)
		return ENOENT;		/* a directory of a tree that is not mounted */
	if (pos == size - 1) {
		if (pos == 0)
			return ERANGE;
		buf[--pos] = '/';
	}
	memmove(buf, buf + pos, size - pos);
	*lenp = size - pos - 1;
	return 0;
}

bool
vn_removed(struct vnode *vp)
{
	bool removed;

	if (vp == NULL)
		return false;
	spin_lock(&vp->v_lock);
	removed = (vp->v_flags & VV_UNLINKED) != 0;
	spin_unlock(&vp->v_lock);
	return removed;
}

int
vfs_fullpath_at(struct vnode *dir, const char *path, char *buf, size_t size, size_t *lenp)
{
	struct vnode *parent, *vp = NULL;
	const char *name;
	size_t namelen, len;
	int error;

	if ((error = vfs_lookup_parent(dir, path, &parent, &name, &namelen, NULL)) != 0)
		return error;
	/* "." and ".." name directories, which know their own paths. */
	if ((namelen == 1 && name[0] == '.') || (namelen == 2 && name[0] == '.' && name[1] == '.')) {
		error = vfs_lookup_component(parent, name, namelen, &vp);
		vrele(parent);
		if (error)
			return error;
		error = vn_fullpath(vp, buf, size, lenp);
		vrele(vp);
		return error;
	}
	error = vn_fullpath(parent, buf, size, &len);
	vrele(parent);
	if (error)
		return error;
	if (len > 1)
		buf[len++] = '/';	/* room: vn_fullpath left the NUL's byte */
	if (len + namelen + 1 > size)
		return ERANGE;
	memcpy(buf + len, name, namelen);
	len += namelen;
	buf[len] = '\0';
	*lenp = len;
	return 0;
}

static uint32_t
vtype_to_ifmt(enum vtype type)
{
	switch (type) {
	case VREG:	return S_IFREG;
	case VDIR:	return S_IFDIR;
	case VCHR:	return S_IFCHR;
	case VBLK:	return S_IFBLK;
	case VFIFO:	return S_IFIFO;
	case VLNK:	return S_IFLNK;
	case VSOCK:	return S_IFSOCK;
	default:	return 0;
	}
}

uint64_t
vn_size(struct vnode *vp)
{
	uint64_t size;

	spin_lock(&vp->v_lock);
	size = vp->v_size;
	spin_unlock(&vp->v_lock);
	return size;
}

void
vn_stat(struct vnode *vp, struct stat *st)
{
	uint64_t mtime;

	memset(st, 0, sizeof(*st));
	spin_lock(&vp->v_lock);
	st->st_dev = vp->v_fsid;
	st->st_ino = vp->v_ino;
	st->st_mode = vtype_to_ifmt(vp->v_type) | vp->v_mode;
	st->st_nlink = vp->v_type == VDIR ? vp->v_nlink + 1 : vp->v_nlink;
	st->st_rdev = vp->v_rdev;
	st->st_size = vp->v_type == VBLK ? 0 : (int64_t)vp->v_size;	/* as devtmpfs */
	mtime = vp->v_mtime_ns;
	spin_unlock(&vp->v_lock);
	st->st_blksize = PAGE_SIZE;
	if (vp->v_object != NULL)
		st->st_blocks = (int64_t)(vp->v_object->resident_count * (PAGE_SIZE / 512));
	st->st_atime_sec = st->st_mtime_sec = st->st_ctime_sec = (int64_t)(mtime / 1000000000UL);
	st->st_atime_nsec = st->st_mtime_nsec = st->st_ctime_nsec = mtime % 1000000000UL;
}

int
vn_read_kernel(struct vnode *vp, void *buf, size_t len, uint64_t off, size_t *done)
{
	struct uio uio = { buf, len, off, false, false, 0 };
	ssize_t n;

	if (vp->v_ops->vop_read == NULL)
		return EINVAL;
	n = vp->v_ops->vop_read(vp, &uio);
	if (n < 0)
		return (int)-n;
	*done = (size_t)n;
	return 0;
}

int
vn_readlink_kernel(struct vnode *vp, char *buf, size_t size, size_t *len)
{
	struct uio uio = { buf, size, 0, false, false, 0 };
	ssize_t n;

	if (vp->v_type != VLNK || vp->v_ops->vop_readlink == NULL)
		return EINVAL;
	if ((n = vp->v_ops->vop_readlink(vp, &uio)) < 0)
		return (int)-n;
	*len = (size_t)n;
	return 0;
}

static uint8_t
vtype_to_dtype(enum vtype type)
{
	switch (type) {
	case VREG:	return DT_REG;
	case VDIR:	return DT_DIR;
	case VCHR:	return DT_CHR;
	case VBLK:	return DT_BLK;
	case VFIFO:	return DT_FIFO;
	case VLNK:	return DT_LNK;
	case VSOCK:	return DT_SOCK;
	default:	return DT_UNKNOWN;
	}
}

size_t
dirent_add(void *buf, size_t len, size_t used, uint64_t ino, uint64_t next_off,
    enum vtype type, const char *name, size_t namelen)
{
	size_t reclen = roundup2(DIRENT_NAME_OFFSET + namelen + 1, 8);
	struct linux_dirent64 *d;

	if (used > len || reclen > len - used)
		return 0;
	d = (struct linux_dirent64 *)((char *)buf + used);
	memset(d, 0, reclen);
	d->d_ino = ino;
	d->d_off = (int64_t)next_off;
	d->d_reclen = (uint16_t)reclen;
	d->d_type = vtype_to_dtype(type);
	memcpy(d->d_name, name, namelen);
	return used + reclen;
}
