/*
 * The file-system-independent layer: vnode allocation, reference
 * counting and holds, attributes and permission checks, stat, and
 * directory records.  Path lookup is vfs_lookup.c.
 *
 * Reference counting (see vnode.h for the rules): v_refcnt goes up
 * atomically and down under v_lock; holds and links change under
 * v_lock; the thread that finds references, holds and links all at zero
 * marks the vnode VV_DOOMED and reclaims it, then drops the hold the
 * vnode had on its parent.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/malloc.h>
#include <kern/proc.h>
#include <kern/mutex.h>
#include <kern/sched.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <machine/param.h>
#include <vm/swap_pager.h>
#include <vm/vm_object.h>
#include <vm/zone.h>
#include <fs/mount.h>
#include <fs/vnode.h>
#include <uapi/dirent.h>
#include <uapi/fcntl.h>
#include <uapi/stat.h>

MALLOC_DEFINE(M_VNAME, "vnode name", "directory names kept for getcwd");

struct vnode *rootvnode;
struct spinlock vfs_name_lock = SPINLOCK_INITIALIZER("vfs names");
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

void
vfs_now(struct timespec *ts)
{
	uint64_t ns = uptime_ns();

	ts->tv_sec = (long)(ns / NSEC_PER_SEC);
	ts->tv_nsec = (long)(ns % NSEC_PER_SEC);
}

void
vn_touch(struct vnode *vp)
{
	struct timespec now;

	vfs_now(&now);
	spin_lock(&vp->v_lock);
	vp->v_mtime = vp->v_ctime = now;
	spin_unlock(&vp->v_lock);
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
	vfs_now(&vp->v_mtime);
	vp->v_atime = vp->v_ctime = vp->v_mtime;
	vp->v_ops = ops;
	if (type == VDIR && parent != NULL) {
		vhold(parent);
		vp->v_parent = parent;
	}
	return vp;
}

void
vnode_free(struct vnode *vp)
{
	KASSERT(vp->v_flags & VV_DOOMED, ("vnode_free: vnode %lu is alive", vp->v_ino));
	KASSERT(vp->v_refcnt == 0 && vp->v_nlink == 0 && vp->v_holdcnt == 0,
	    ("vnode_free: vnode %lu has %u references, %u holds, %u links", vp->v_ino,
	    vp->v_refcnt, vp->v_holdcnt, vp->v_nlink));
	KASSERT(vp->v_fifo == NULL, ("vnode_free: FIFO %lu still open", vp->v_ino));
	if (vp->v_mount != NULL) {
		spin_lock(&vp->v_mount->mnt_vlock);
		list_remove(&vp->v_mntlink);
		spin_unlock(&vp->v_mount->mnt_vlock);
	}
	sx_destroy(&vp->v_iolock);
	free(vp->v_name, M_VNAME);
	zone_free(vnode_zone, vp);
}

void
vnode_set_mount(struct vnode *vp, struct mount *mp)
{
	KASSERT(vp->v_mount == NULL && vp->v_refcnt == 1, ("vnode_set_mount: vnode %lu in use",
	    vp->v_ino));
	vp->v_mount = mp;
	if (mp != NULL) {
		vp->v_fsid = mp->mnt_fsid;
		spin_lock(&mp->mnt_vlock);
		list_append(&mp->mnt_vnodes, &vp->v_mntlink);
		spin_unlock(&mp->mnt_vlock);
		mount_vnode_active(mp);
	}
}

void
vref(struct vnode *vp)
{
	uint32_t was = __atomic_fetch_add(&vp->v_refcnt, 1, __ATOMIC_RELAXED);

	KASSERT(!(vp->v_flags & VV_DOOMED), ("vref: vnode %lu is being reclaimed", vp->v_ino));
	KASSERT(was + 1 != 0, ("vref: vnode %lu reference count overflows", vp->v_ino));
	if (was == 0 && vp->v_mount != NULL)
		mount_vnode_active(vp->v_mount);
}

/*
 * vp (locked) may have just lost its last reference, hold or link: if
 * so, mark it for reclaiming.  True if the caller must reclaim it.
 */
static bool
vnode_should_reclaim(struct vnode *vp)
{
	KASSERT(spin_owned(&vp->v_lock), ("vnode_should_reclaim: not locked"));
	if (vp->v_refcnt != 0 || vp->v_holdcnt != 0 || vp->v_nlink != 0 ||
	    (vp->v_flags & VV_DOOMED))
		return false;
	vp->v_flags |= VV_DOOMED;
	return true;
}

/*
 * Free vp through its file system, then drop the hold it had on its
 * parent, reclaiming the parent too if that was all that kept it, and so
 * on up.
 */
static void
vnode_reclaim(struct vnode *vp)
{
	while (vp != NULL) {
		struct vnode *parent = vp->v_parent;	/* no one else sees vp now */
		bool reclaim = false;

		vp->v_ops->vop_reclaim(vp);
		if (parent != NULL) {
			spin_lock(&parent->v_lock);
			KASSERT(parent->v_holdcnt > 0, ("vnode_reclaim: parent not held"));
			parent->v_holdcnt--;
			reclaim = vnode_should_reclaim(parent);
			spin_unlock(&parent->v_lock);
		}
		vp = reclaim ? parent : NULL;
	}
}

void
vrele(struct vnode *vp)
{
	struct mount *mp = vp->v_mount;
	bool reclaim, root = mp != NULL && vp == mp->mnt_root;
	uint32_t left;

	spin_lock(&vp->v_lock);
	KASSERT(vp->v_refcnt > 0, ("vrele: vnode %lu has no references", vp->v_ino));
	left = __atomic_sub_fetch(&vp->v_refcnt, 1, __ATOMIC_RELEASE);
	reclaim = vnode_should_reclaim(vp);
	spin_unlock(&vp->v_lock);
	if (reclaim)
		vnode_reclaim(vp);
	/* After the reclaim: a detached mount's last vnode may let it go now. */
	if (mp != NULL && (left == 0 || root))
		mount_vnode_released(mp, left == 0);
}

void
vhold(struct vnode *vp)
{
	spin_lock(&vp->v_lock);
	KASSERT(!(vp->v_flags & VV_DOOMED), ("vhold: vnode %lu is being reclaimed", vp->v_ino));
	vp->v_holdcnt++;
	spin_unlock(&vp->v_lock);
}

void
vdrop(struct vnode *vp)
{
	bool reclaim;

	spin_lock(&vp->v_lock);
	KASSERT(vp->v_holdcnt > 0, ("vdrop: vnode %lu is not held", vp->v_ino));
	vp->v_holdcnt--;
	reclaim = vnode_should_reclaim(vp);
	spin_unlock(&vp->v_lock);
	if (reclaim)
		vnode_reclaim(vp);
}

bool
vnode_evict(struct vnode *vp)
{
	spin_lock(&vp->v_lock);
	if (vp->v_refcnt != 0 || vp->v_holdcnt != 0 || (vp->v_flags & VV_DOOMED)) {
		spin_unlock(&vp->v_lock);
		return false;
	}
	vp->v_flags |= VV_DOOMED;
	vp->v_nlink = 0;	/* the links are the file system's to keep, not the vnode's */
	spin_unlock(&vp->v_lock);
	vnode_reclaim(vp);
	return true;
}

int
vn_set_parent(struct vnode *vp, struct vnode *parent, const char *name, size_t len)
{
	char *newname = malloc(len + 1, M_VNAME, M_WAITOK), *oldname;
	struct vnode *old;

	KASSERT(vp->v_type == VDIR, ("vn_set_parent: vnode %lu is no directory", vp->v_ino));
	if (newname == NULL)
		return ENOMEM;
	memcpy(newname, name, len);
	newname[len] = '\0';
	vhold(parent);
	spin_lock(&vfs_name_lock);
	old = vp->v_parent;
	oldname = vp->v_name;
	vp->v_parent = parent;
	vp->v_name = newname;
	vp->v_namelen = len;
	spin_unlock(&vfs_name_lock);
	free(oldname, M_VNAME);
	if (old != NULL)
		vdrop(old);
	return 0;
}

void
vnode_drop_links(struct vnode *vp, uint32_t n)
{
	bool reclaim;

	spin_lock(&vp->v_lock);
	KASSERT(vp->v_nlink >= n, ("vnode_drop_links: vnode %lu has %u links, not %u",
	    vp->v_ino, vp->v_nlink, n));
	vp->v_nlink -= n;
	if (vp->v_nlink == 0)
		vp->v_flags |= VV_UNLINKED;
	vfs_now(&vp->v_ctime);
	reclaim = vnode_should_reclaim(vp);
	spin_unlock(&vp->v_lock);
	if (reclaim)
		vnode_reclaim(vp);
}

void
vnode_unlinked(struct vnode *vp)
{
	vnode_drop_links(vp, 1);
}

/*
 * The I/O lock (vnode.h's (I)): a thread waits for one file's at a time,
 * so the class does not nest (a writer waiting for memory may hold one
 * while the laundry tries others: vnode_pager.c); a page fault takes none.
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

bool
vn_iolock_try(struct vnode *vp)
{
	return sx_try_xlock(&vp->v_iolock);
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
 * Credentials and permissions.
 */

uint32_t
vfs_cred_uid(void)
{
	struct thread *td = curthread();

	return td != NULL && td->td_proc != NULL ? td->td_proc->p_uid : 0;
}

uint32_t
vfs_cred_gid(void)
{
	struct thread *td = curthread();

	return td != NULL && td->td_proc != NULL ? td->td_proc->p_gid : 0;
}

/* Do writes to vp go to its file system (not a device or FIFO), which is read-only? */
static bool
write_to_rdonly_fs(struct vnode *vp)
{
	return (vp->v_type == VREG || vp->v_type == VDIR || vp->v_type == VLNK) &&
	    (mount_flags(vp->v_mount) & MNT_RDONLY);
}

int
vn_access(struct vnode *vp, int mode)
{
	uint32_t uid = vfs_cred_uid(), vmode, bits;

	if ((mode & W_OK) && write_to_rdonly_fs(vp))
		return EROFS;
	spin_lock(&vp->v_lock);
	vmode = vp->v_mode;
	if (uid == vp->v_uid)
		bits = (vmode >> 6) & 7;
	else if (vfs_cred_gid() == vp->v_gid)
		bits = (vmode >> 3) & 7;
	else
		bits = vmode & 7;
	spin_unlock(&vp->v_lock);
	if (uid == 0) {
		/* Root: everything but executing what nobody may execute. */
		if ((mode & X_OK) && vp->v_type != VDIR && (vmode & 0111) == 0)
			return EACCES;
		return 0;
	}
	/* R_OK, W_OK and X_OK are the bits of one rwx triple. */
	return (mode & ~bits & (R_OK | W_OK | X_OK)) ? EACCES : 0;
}

bool
vn_owner_or_root(struct vnode *vp)
{
	uint32_t uid = vfs_cred_uid();

	return uid == 0 || uid == __atomic_load_n(&vp->v_uid, __ATOMIC_RELAXED);
}

int
vn_setattr(struct vnode *vp, struct vsetattr *va)
{
	if (mount_flags(vp->v_mount) & MNT_RDONLY)
		return EROFS;
	vfs_now(&va->va_ctime);
	if (vp->v_ops->vop_setattr != NULL)
		return vp->v_ops->vop_setattr(vp, va);
	spin_lock(&vp->v_lock);
	if (va->va_mask & VA_MODE)
		vp->v_mode = va->va_mode & S_IALLUGO;
	if (va->va_mask & VA_UID)
		vp->v_uid = va->va_uid;
	if (va->va_mask & VA_GID)
		vp->v_gid = va->va_gid;
	if (va->va_mask & VA_ATIME)
		vp->v_atime = va->va_atime;
	if (va->va_mask & VA_MTIME)
		vp->v_mtime = va->va_mtime;
	vp->v_ctime = va->va_ctime;
	spin_unlock(&vp->v_lock);
	return 0;
}

/*
 * Status.
 */

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

/* The path of nd's last component: its directory's path, then its name. */
static int
fullpath_of_name(struct nameidata *nd, char *buf, size_t size, size_t *lenp)
{
	size_t len;
	int error;

	if ((error = vn_fullpath(nd->nd_dvp, buf, size, &len)) != 0)
		return error;
	if (len > 1)
		buf[len++] = '/';	/* room: vn_fullpath left the NUL's byte */
	if (len + nd->nd_namelen + 1 > size)
		return ERANGE;
	memcpy(buf + len, nd->nd_name, nd->nd_namelen);
	len += nd->nd_namelen;
	buf[len] = '\0';
	*lenp = len;
	return 0;
}

/* What the magic link nd's last component names reads, NUL-terminated: its file's path. */
static int
fullpath_of_magic_link(struct nameidata *nd, char *buf, size_t size, size_t *lenp)
{
	struct vnode *link;
	int error;

	if ((error = vfs_lookup_component(nd->nd_dvp, nd->nd_name, nd->nd_namelen, &link)) != 0)
		return error;
	error = vn_readlink_kernel(link, buf, size, lenp);
	vrele(link);
	if (error == 0 && *lenp >= size)
		error = ERANGE;		/* no room for the NUL */
	if (error == 0)
		buf[*lenp] = '\0';
	return error;
}

int
vfs_fullpath_at(struct vnode *dir, const char *path, char *buf, size_t size, size_t *lenp)
{
	struct nameidata nd;
	struct vnode *vp;
	int error;

	if ((error = namei_parent(&nd, dir, path)) != 0)
		return error;
	if ((error = namei_last(&nd, true, &vp)) == 0) {
		if (nd.nd_jumped)
			error = fullpath_of_magic_link(&nd, buf, size, lenp);
		else if (nd.nd_notname)
			/* ".", ".." and "/" name directories, which know their own paths. */
			error = vn_fullpath(vp, buf, size, lenp);
		else
			error = fullpath_of_name(&nd, buf, size, lenp);
		vrele(vp);
	}
	namei_done(&nd);
	return error;
}

uint32_t
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

enum vtype
ifmt_to_vtype(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:	return VREG;
	case S_IFDIR:	return VDIR;
	case S_IFCHR:	return VCHR;
	case S_IFBLK:	return VBLK;
	case S_IFIFO:	return VFIFO;
	case S_IFLNK:	return VLNK;
	case S_IFSOCK:	return VSOCK;
	default:	return VNON;
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
	memset(st, 0, sizeof(*st));
	spin_lock(&vp->v_lock);
	st->st_dev = vp->v_fsid;
	st->st_ino = vp->v_ino;
	st->st_mode = vtype_to_ifmt(vp->v_type) | vp->v_mode;
	st->st_nlink = vp->v_nlink;
	st->st_uid = vp->v_uid;
	st->st_gid = vp->v_gid;
	st->st_rdev = vp->v_type == VCHR || vp->v_type == VBLK ? vp->v_rdev : 0;
	st->st_size = vp->v_type == VBLK ? 0 : (int64_t)vp->v_size;	/* as devtmpfs */
	st->st_atime_sec = vp->v_atime.tv_sec;
	st->st_atime_nsec = (uint64_t)vp->v_atime.tv_nsec;
	st->st_mtime_sec = vp->v_mtime.tv_sec;
	st->st_mtime_nsec = (uint64_t)vp->v_mtime.tv_nsec;
	st->st_ctime_sec = vp->v_ctime.tv_sec;
	st->st_ctime_nsec = (uint64_t)vp->v_ctime.tv_nsec;
	spin_unlock(&vp->v_lock);
	st->st_blksize = PAGE_SIZE;
	if (vp->v_object != NULL)	/* a ramfs file's pages in swap are its too, as tmpfs's */
		st->st_blocks = (int64_t)((vp->v_object->resident_count +
		    swap_pager_count_out(vp->v_object)) * (PAGE_SIZE / 512));
	if (vp->v_ops->vop_getattr != NULL)
		vp->v_ops->vop_getattr(vp, st);
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

/*
 * Names.
 */

/*
 * The directory whose ".." dir's ".." is: dir itself at the root, else
 * past the mounts whose root dir is, the covered directory's parent.
 * mount_lock and vfs_name_lock held.
 */
static struct vnode *
dotdot_locked(struct vnode *dir)
{
	while (dir != rootvnode && dir->v_mount != NULL && dir == dir->v_mount->mnt_root &&
	    dir->v_mount->mnt_covered != NULL)
		dir = dir->v_mount->mnt_covered;
	return dir->v_parent != NULL && dir != rootvnode ? dir->v_parent : dir;
}

struct vnode *
vn_dotdot(struct vnode *dir)
{
	struct vnode *up;

	spin_lock(&mount_lock);
	spin_lock(&vfs_name_lock);
	up = dotdot_locked(dir);
	vref(up);		/* held by dir (or a mount), which cannot go meanwhile */
	spin_unlock(&vfs_name_lock);
	spin_unlock(&mount_lock);
	return up;
}

int
vn_fullpath(struct vnode *vp, char *buf, size_t size, size_t *lenp)
{
	size_t pos = size;
	int error = 0;

	if (size == 0)
		return ERANGE;
	buf[--pos] = '\0';
	spin_lock(&mount_lock);
	spin_lock(&vfs_name_lock);
	for (;;) {
		/* A mount's root stands for the directory it covers. */
		while (vp != rootvnode && vp->v_mount != NULL && vp == vp->v_mount->mnt_root &&
		    vp->v_mount->mnt_covered != NULL)
			vp = vp->v_mount->mnt_covered;
		if (vp == rootvnode || vp->v_parent == NULL)
			break;
		bool removed = (__atomic_load_n(&vp->v_flags, __ATOMIC_RELAXED) &
		    VV_UNLINKED) != 0;

		if (removed) {
			error = ENOENT;
			break;
		}
		if (pos < vp->v_namelen + 1) {
			error = ERANGE;
			break;
		}
		pos -= vp->v_namelen;
		memcpy(buf + pos, vp->v_name, vp->v_namelen);
		buf[--pos] = '/';
		vp = vp->v_parent;	/* held by the child below it */
	}
	spin_unlock(&vfs_name_lock);
	spin_unlock(&mount_lock);
	if (error)
		return error;
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
vn_is_ancestor(struct vnode *a, struct vnode *b)
{
	bool found = false;

	spin_lock(&vfs_name_lock);
	for (struct vnode *vp = b; vp != NULL; vp = vp->v_parent) {
		if (vp == a) {
			found = true;
			break;
		}
	}
	spin_unlock(&vfs_name_lock);
	return found;
}

/*
 * Directory records.
 */

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
