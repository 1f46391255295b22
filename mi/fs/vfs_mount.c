/*
 * The mount table, mount(2) and umount2(2) (see mount.h), and
 * /proc/mounts.
 *
 * Mounting and unmounting are serialized by mount_mtx (a sleeping lock:
 * a file system's mount and unmount read and write its disk); the list
 * and the covered directories' v_mountedhere change under mount_lock
 * too, which path lookup takes to cross into a mount.
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/disk.h>
#include <kern/mutex.h>
#include <kern/malloc.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <machine/param.h>
#include <vm/vm_object.h>
#include <fs/mount.h>
#include <fs/vfs_internal.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>
#include <uapi/mount.h>
#include <uapi/statfs.h>

MALLOC_DEFINE(M_MOUNT, "mount", "mounts and mount(2) arguments");

#define FSTYPE_MAX	32		/* the longest type name mount(2) takes */
#define MOUNT_DATA_MAX	PAGE_SIZE	/* mount(2)'s option string, as Linux copies it */
#define MNT_USER_FLAGS	(MNT_RDONLY | MNT_NOSUID | MNT_NODEV | MNT_NOEXEC | MNT_SYNCHRONOUS | \
	MNT_NOATIME | MNT_RELATIME)
#define MS_PROPAGATION	(MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

struct spinlock mount_lock = SPINLOCK_INITIALIZER("mount");
static struct mtx mount_mtx = MTX_INITIALIZER("mounts");
static struct list_node mount_list = LIST_HEAD_INIT(mount_list);	/* (m) */
static int next_mount_id = 1;		/* (S) */
static uint32_t next_anon_minor = 1;	/* (A) */

static int for_each_mount(int (*fn)(struct mount *mp, void *arg), void *arg);
static int for_each_mount_locked(int (*fn)(struct mount *mp, void *arg), void *arg);

static const struct vfsops *const vfs_types[] = {
	&rootfs_vfsops, &ramfs_vfsops, &tmpfs_vfsops, &devtmpfs_vfsops, &procfs_vfsops,
	&ext2_vfsops,
};

uint32_t
mount_anon_dev(void)
{
	uint32_t minor = __atomic_fetch_add(&next_anon_minor, 1, __ATOMIC_RELAXED);

	/* Linux's dev_t encoding, major 0. */
	return (minor & 0xff) | ((minor & ~0xffU) << 12);
}

void
mount_vnode_active(struct mount *mp)
{
	__atomic_add_fetch(&mp->mnt_active, 1, __ATOMIC_RELAXED);
}

void
mount_vnode_released(struct mount *mp, bool idle)
{
	if (idle)
		__atomic_sub_fetch(&mp->mnt_active, 1, __ATOMIC_ACQ_REL);
	/* A detached mount may be idle now: the syncer looks. */
	if (__atomic_load_n(&mp->mnt_kflags, __ATOMIC_ACQUIRE) & MNTK_DETACHED)
		syncer_wakeup();
}

/* Is mp in use: an active vnode other than its root, or its root referenced by more than mp? */
static bool
mount_busy(struct mount *mp)
{
	return __atomic_load_n(&mp->mnt_active, __ATOMIC_ACQUIRE) > 1 ||
	    __atomic_load_n(&mp->mnt_root->v_refcnt, __ATOMIC_ACQUIRE) > 1;
}

bool
mount_has_mapped_files(struct mount *mp)
{
	struct list_node *n;
	bool mapped = false;

	spin_lock(&mp->mnt_vlock);
	list_foreach(n, &mp->mnt_vnodes) {
		struct vnode *vp = list_entry(n, struct vnode, v_mntlink);
		uint32_t flags = __atomic_load_n(&vp->v_flags, __ATOMIC_RELAXED);

		/* A doomed vnode still listed is kept by its object; a live one's is its own. */
		if ((flags & VV_DOOMED) || (vp->v_type == VREG && vp->v_object != NULL &&
		    __atomic_load_n(&vp->v_object->ref_count, __ATOMIC_RELAXED) > 1)) {
			mapped = true;
			break;
		}
	}
	spin_unlock(&mp->mnt_vlock);
	return mapped;
}

static const struct vfsops *
find_type(const char *name)
{
	for (size_t i = 0; i < nitems(vfs_types); i++)
		if (strcmp(vfs_types[i]->vfs_name, name) == 0)
			return vfs_types[i];
	return NULL;
}

/* The MNT_* flags a mount keeps from mount(2)'s MS_* flags. */
static uint32_t
mnt_flags_from(uint64_t flags)
{
	/* The bits are the same; MS_RELATIME is the default as on Linux, unless noatime. */
	uint32_t f = (uint32_t)flags & MNT_USER_FLAGS;

	if (!(f & MNT_NOATIME) && !(flags & MS_STRICTATIME))
		f |= MNT_RELATIME;
	return f;
}

/* The mount of the disk whose device number is rdev, if it is mounted.  mount_mtx held. */
static bool
device_mounted(uint32_t rdev)
{
	struct list_node *n;
	bool found = false;

	spin_lock(&mount_lock);
	list_foreach(n, &mount_list) {
		struct mount *mp = list_entry(n, struct mount, mnt_link);

		if (mp->mnt_op->vfs_needs_device && mp->mnt_fsid == rdev)
			found = true;
	}
	spin_unlock(&mount_lock);
	return found;
}

/* The block device source names, referenced.  mount_mtx held. */
static int
source_device(const char *source, struct vnode **devp)
{
	struct vnode *dev;
	int error;

	if ((error = vfs_lookup(NULL, source, 0, VNON, 0, &dev)) != 0)
		return error;
	if (dev->v_type != VBLK)
		error = ENOTBLK;
	else if (mount_flags(dev->v_mount) & MNT_NODEV)
		error = EACCES;
	else if (device_mounted(dev->v_rdev))
		error = EBUSY;
	if (error) {
		vrele(dev);
		return error;
	}
	*devp = dev;
	return 0;
}

/* Put mp in the table, on covered (referenced by the caller, taken over). */
static void
attach(struct mount *mp, struct vnode *covered)
{
	mp->mnt_covered = covered;
	spin_lock(&mount_lock);
	list_append(&mount_list, &mp->mnt_link);
	if (covered != NULL)
		covered->v_mountedhere = mp;
	spin_unlock(&mount_lock);
}

/* Take mp out of the name space: no lookup reaches it any more. */
static void
detach(struct mount *mp)
{
	spin_lock(&mount_lock);
	if (mp->mnt_covered != NULL && mp->mnt_covered->v_mountedhere == mp)
		mp->mnt_covered->v_mountedhere = NULL;
	spin_unlock(&mount_lock);
}

static int
vfs_mount_locked(const char *fstype, const char *source, struct vnode *covered, uint64_t flags,
    const char *data, struct mount **mpp)
{
	const struct vfsops *ops = find_type(fstype);
	struct vnode *dev = NULL;
	struct mount *mp;
	int error;

	KASSERT(mtx_owned(&mount_mtx), ("vfs_mount: mount_mtx not held"));
	if (ops == NULL)
		return ENODEV;
	if (covered != NULL && covered->v_type != VDIR)
		return ENOTDIR;
	if (covered == NULL && rootvnode != NULL && rootvnode->v_mount != NULL)
		return EBUSY;
	if (ops->vfs_needs_device && (error = source_device(source, &dev)) != 0)
		return error;
	if ((mp = malloc(sizeof(*mp), M_MOUNT, M_WAITOK | M_ZERO)) == NULL) {
		if (dev != NULL)
			vrele(dev);
		return ENOMEM;
	}
	mp->mnt_op = ops;
	spin_init(&mp->mnt_vlock, "mount vnodes");
	list_init(&mp->mnt_vnodes);
	mp->mnt_flags = mnt_flags_from(flags);
	mp->mnt_fsid = dev != NULL ? dev->v_rdev : mount_anon_dev();
	strlcpy(mp->mnt_source, source, sizeof(mp->mnt_source));
	error = ops->vfs_mount(mp, source, dev, data);
	if (dev != NULL)
		vrele(dev);
	if (error) {
		free(mp, M_MOUNT);
		return error;
	}
	KASSERT(mp->mnt_root != NULL && mp->mnt_root->v_mount == mp,
	    ("vfs_mount: %s gave no root of its own", fstype));
	mp->mnt_id = next_mount_id++;
	if (covered != NULL)
		vref(covered);
	attach(mp, covered);
	if (mpp != NULL)
		*mpp = mp;
	return 0;
}

int
vfs_mount(const char *fstype, const char *source, struct vnode *covered, uint64_t flags,
    const char *data, struct mount **mpp)
{
	int error;

	mtx_lock(&mount_mtx);
	error = vfs_mount_locked(fstype, source, covered, flags, data, mpp);
	mtx_unlock(&mount_mtx);
	return error;
}

/*
 * Finish unmounting mp, which is out of the name space: the file system
 * lets go (EBUSY if it cannot yet), then the mount goes.  mount_mtx held.
 */
static int
unmount_finish(struct mount *mp)
{
	int error;

	if (mp->mnt_op->vfs_sync != NULL)
		mp->mnt_op->vfs_sync(mp, true);
	if (mount_busy(mp))
		return EBUSY;
	if ((error = mp->mnt_op->vfs_unmount(mp)) != 0)
		return error;
	spin_lock(&mount_lock);
	list_remove(&mp->mnt_link);
	spin_unlock(&mount_lock);
	KASSERT(mp->mnt_active == 0 && list_empty(&mp->mnt_vnodes),
	    ("unmount: %s still has %u active vnodes", mp->mnt_source, mp->mnt_active));
	if (mp->mnt_covered != NULL)
		vrele(mp->mnt_covered);
	free(mp, M_MOUNT);
	return 0;
}

/* Unmount mp (mount_mtx held) with umount2's flags. */
static int
unmount(struct mount *mp, int flags)
{
	int error;

	if (mp->mnt_covered == NULL)
		return EBUSY;		/* the root file system */
	detach(mp);
	if (flags & MNT_DETACH) {
		spin_lock(&mount_lock);
		mp->mnt_kflags |= MNTK_DETACHED;
		spin_unlock(&mount_lock);
		if (unmount_finish(mp) != 0)
			syncer_wakeup();	/* it will look again when the mount goes idle */
		return 0;
	}
	if ((error = unmount_finish(mp)) != 0) {
		/* Still in use: back into the name space. */
		spin_lock(&mount_lock);
		mp->mnt_covered->v_mountedhere = mp;
		spin_unlock(&mount_lock);
	}
	return error;
}

static int
reap_one(struct mount *mp, void *arg)
{
	if (mp->mnt_op->vfs_reap != NULL)
		mp->mnt_op->vfs_reap(mp);
	return 0;
}

void
vfs_reap_all(void)
{
	for_each_mount(reap_one, NULL);
}

static int
drop_one(struct mount *mp, void *arg)
{
	if (mp->mnt_op->vfs_drop_caches != NULL)
		mp->mnt_op->vfs_drop_caches(mp, *(int *)arg);
	return 0;
}

void
vfs_drop_caches(int what)
{
	for_each_mount(drop_one, &what);
}

void
vfs_reap_detached(void)
{
	struct mount *found;

	mtx_lock(&mount_mtx);
	do {
		struct list_node *n;

		found = NULL;
		spin_lock(&mount_lock);
		list_foreach(n, &mount_list) {
			struct mount *mp = list_entry(n, struct mount, mnt_link);

			if ((mp->mnt_kflags & MNTK_DETACHED) && !mount_busy(mp)) {
				found = mp;
				break;
			}
		}
		spin_unlock(&mount_lock);
	} while (found != NULL && unmount_finish(found) == 0);
	mtx_unlock(&mount_mtx);
}

/*
 * Every mount, from the most recent: fn(mp, arg) until it returns
 * nonzero.  Mounts made or removed by fn are not visited.  mount_mtx held.
 */
static int
for_each_mount_locked(int (*fn)(struct mount *mp, void *arg), void *arg)
{
	struct mount *mps[64];
	struct list_node *n;
	size_t count = 0;
	int error = 0;

	KASSERT(mtx_owned(&mount_mtx), ("for_each_mount: mount_mtx not held"));
	spin_lock(&mount_lock);
	list_foreach(n, &mount_list)
		if (count < nitems(mps))
			mps[count++] = list_entry(n, struct mount, mnt_link);
	spin_unlock(&mount_lock);
	while (count > 0 && error == 0)
		error = fn(mps[--count], arg);
	return error;
}

/* for_each_mount_locked under mount_mtx. */
static int
for_each_mount(int (*fn)(struct mount *mp, void *arg), void *arg)
{
	int error;

	mtx_lock(&mount_mtx);
	error = for_each_mount_locked(fn, arg);
	mtx_unlock(&mount_mtx);
	return error;
}

struct sync_args {
	bool	wait;
	int	first;		/* the first error */
};

static int
sync_one(struct mount *mp, void *arg)
{
	struct sync_args *sa = arg;
	int error = 0;

	if (mp->mnt_op->vfs_sync != NULL && !(mount_flags(mp) & MNT_RDONLY))
		error = mp->mnt_op->vfs_sync(mp, sa->wait);
	if (error != 0 && sa->first == 0)
		sa->first = error;
	return 0;
}

int
vfs_sync_all(bool wait)
{
	struct sync_args sa = { wait, 0 };

	for_each_mount(sync_one, &sa);
	return sa.first;
}

int
vfs_sync_mount(struct mount *mp)
{
	struct sync_args sa = { true, 0 };

	mtx_lock(&mount_mtx);
	sync_one(mp, &sa);
	mtx_unlock(&mount_mtx);
	return sa.first;
}

/*
 * Power-off: unmount mp if nothing uses it; else (the root, or busy) make
 * it read-only, which writes everything and leaves a disk clean.
 */
static int
shutdown_one(struct mount *mp, void *arg)
{
	struct sync_args sa = { true, 0 };

	if (mp->mnt_covered != NULL) {
		detach(mp);
		if (unmount_finish(mp) == 0)
			return 0;
		spin_lock(&mount_lock);
		mp->mnt_covered->v_mountedhere = mp;
		spin_unlock(&mount_lock);
	}
	if (mount_flags(mp) & MNT_RDONLY)
		return 0;
	sync_one(mp, &sa);
	if (mp->mnt_op->vfs_remount != NULL && mp->mnt_op->vfs_remount(mp, true) == 0) {
		spin_lock(&mount_lock);
		__atomic_store_n(&mp->mnt_flags, mp->mnt_flags | MNT_RDONLY, __ATOMIC_RELAXED);
		spin_unlock(&mount_lock);
	}
	return 0;
}

void
vfs_shutdown(void)
{
	vfs_reap_all();
	for_each_mount(shutdown_one, NULL);
}

/*
 * /proc/mounts.
 */

static void
append(char *buf, size_t size, size_t *len, const char *s, bool *overflow)
{
	size_t n = strlen(s);

	if (*len + n >= size) {
		*overflow = true;
		return;
	}
	memcpy(buf + *len, s, n);
	*len += n;
	buf[*len] = '\0';
}

/* A name as /proc/mounts writes it: space, tab, newline, backslash as octal escapes. */
static void
append_escaped(char *buf, size_t size, size_t *len, const char *s, bool *overflow)
{
	char one[5];

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\\')
			snprintf(one, sizeof(one), "\\%03o", (unsigned char)*s);
		else
			snprintf(one, sizeof(one), "%c", *s);
		append(buf, size, len, one, overflow);
	}
}

int
vfs_format_filesystems(char *buf, size_t size, size_t *lenp)
{
	bool overflow = false;
	size_t len = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < nitems(vfs_types); i++) {
		append(buf, size, &len, vfs_types[i]->vfs_needs_device ? "\t" : "nodev\t",
		    &overflow);
		append(buf, size, &len, vfs_types[i]->vfs_name, &overflow);
		append(buf, size, &len, "\n", &overflow);
	}
	if (overflow)
		return ERANGE;
	*lenp = len;
	return 0;
}

static void
format_options(char *opts, size_t size, uint32_t flags)
{
	snprintf(opts, size, "%s%s%s%s%s%s", (flags & MNT_RDONLY) ? "ro" : "rw",
	    (flags & MNT_NOSUID) ? ",nosuid" : "", (flags & MNT_NODEV) ? ",nodev" : "",
	    (flags & MNT_NOEXEC) ? ",noexec" : "", (flags & MNT_SYNCHRONOUS) ? ",sync" : "",
	    (flags & MNT_NOATIME) ? ",noatime" : (flags & MNT_RELATIME) ? ",relatime" : "");
}

int
vfs_format_mounts(char *buf, size_t size, size_t *lenp)
{
	char *path = malloc(PATH_MAX, M_TEMP, M_WAITOK), opts[64];
	struct list_node *n;
	bool overflow = false;
	size_t len = 0;

	if (path == NULL)
		return ENOMEM;
	buf[0] = '\0';
	mtx_lock(&mount_mtx);
	list_foreach(n, &mount_list) {
		struct mount *mp = list_entry(n, struct mount, mnt_link);
		size_t plen;

		if (mp->mnt_kflags & MNTK_DETACHED)
			continue;
		if (mp->mnt_root == rootvnode)
			strlcpy(path, "/", PATH_MAX);
		else if (mp->mnt_covered == NULL ||
		    vn_fullpath(mp->mnt_covered, path, PATH_MAX, &plen) != 0)
			continue;	/* hidden under the root (the initramfs under root=) */
		format_options(opts, sizeof(opts), mount_flags(mp));
		append_escaped(buf, size, &len, mp->mnt_source, &overflow);
		append(buf, size, &len, " ", &overflow);
		append_escaped(buf, size, &len, path, &overflow);
		append(buf, size, &len, " ", &overflow);
		append(buf, size, &len, mp->mnt_op->vfs_name, &overflow);
		append(buf, size, &len, " ", &overflow);
		append(buf, size, &len, opts, &overflow);
		append(buf, size, &len, " 0 0\n", &overflow);
	}
	mtx_unlock(&mount_mtx);
	free(path, M_TEMP);
	if (overflow)
		return ERANGE;
	*lenp = len;
	return 0;
}

/*
 * statfs.
 */

void
vfs_statfs_vnode(struct vnode *vp, struct statfs *sf)
{
	struct mount *mp = vp->v_mount;
	uint32_t flags = mount_flags(mp);

	memset(sf, 0, sizeof(*sf));
	sf->f_bsize = sf->f_frsize = PAGE_SIZE;
	sf->f_namelen = NAME_MAX;
	if (mp != NULL)
		mp->mnt_op->vfs_statfs(mp, sf);
	else
		ramfs_vfsops.vfs_statfs(NULL, sf);
	sf->f_fsid[0] = (int32_t)vp->v_fsid;
	sf->f_flags = ST_VALID | ((flags & MNT_RDONLY) ? ST_RDONLY : 0) |
	    ((flags & MNT_NOSUID) ? ST_NOSUID : 0) | ((flags & MNT_NODEV) ? ST_NODEV : 0) |
	    ((flags & MNT_NOEXEC) ? ST_NOEXEC : 0) |
	    ((flags & MNT_SYNCHRONOUS) ? ST_SYNCHRONOUS : 0) |
	    ((flags & MNT_NOATIME) ? ST_NOATIME : 0) | ((flags & MNT_RELATIME) ? ST_RELATIME : 0);
}

/*
 * The system calls.
 */

/* A user string of at most max bytes (with its NUL), in a malloc'd buffer. */
static int
string_in(uint64_t uaddr, size_t max, char **out)
{
	char *s = malloc(max, M_MOUNT, M_WAITOK);
	size_t done;
	int error;

	if (s == NULL)
		return ENOMEM;
	if ((error = copyinstr((const void *)uaddr, s, max, &done)) != 0) {
		free(s, M_MOUNT);
		return error == ENAMETOOLONG && max < PATH_MAX ? ENODEV : error;
	}
	*out = s;
	return 0;
}

/* The mount whose root vp is (not the root file system's): EINVAL if none. */
static int
mount_of_root(struct vnode *vp, struct mount **mpp)
{
	struct mount *mp = vp->v_mount;

	if (mp == NULL || mp->mnt_root != vp)
		return EINVAL;
	*mpp = mp;
	return 0;
}

/* MS_REMOUNT: change the flags of the mount at target. */
static int
remount(struct vnode *target, uint64_t flags)
{
	uint32_t want = mnt_flags_from(flags);
	struct mount *mp;
	int error;

	if ((error = mount_of_root(target, &mp)) != 0)
		return error;
	if (mp->mnt_op->vfs_remount != NULL &&
	    (want & MNT_RDONLY) != (mount_flags(mp) & MNT_RDONLY) &&
	    (error = mp->mnt_op->vfs_remount(mp, (want & MNT_RDONLY) != 0)) != 0)
		return error;
	spin_lock(&mount_lock);
	__atomic_store_n(&mp->mnt_flags, want, __ATOMIC_RELAXED);
	spin_unlock(&mount_lock);
	return 0;
}

/* mount(source, target, fstype, flags, data) */
SYSCALL(mount)
{
	uint64_t flags = a[3];
	char *source = NULL, *fstype = NULL, *data = NULL;
	struct vnode *target;
	int error;

	if (vfs_cred_uid() != 0)
		return -EPERM;
	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~(uint64_t)MS_MGC_MSK;
	if ((error = lookup_user(td, AT_FDCWD, a[1], 0, &target)) != 0)
		return -error;
	mtx_lock(&mount_mtx);
	if (flags & MS_REMOUNT) {
		error = remount(target, flags);
	} else if (flags & (MS_BIND | MS_MOVE)) {
		error = EINVAL;		/* not supported */
	} else if (flags & MS_PROPAGATION) {
		struct mount *mp;

		error = mount_of_root(target, &mp);	/* every mount is private already */
	} else if (a[2] == 0) {
		error = EINVAL;
	} else if ((error = string_in(a[2], FSTYPE_MAX, &fstype)) == 0 &&
	    (a[0] == 0 || (error = string_in(a[0], PATH_MAX, &source)) == 0) &&
	    (a[4] == 0 || (error = string_in(a[4], MOUNT_DATA_MAX, &data)) == 0)) {
		error = vfs_mount_locked(fstype, source != NULL ? source : "none", target, flags,
		    data, NULL);
	}
	mtx_unlock(&mount_mtx);
	vrele(target);
	free(source, M_MOUNT);
	free(fstype, M_MOUNT);
	free(data, M_MOUNT);
	return -error;
}

/* umount2(target, flags) */
SYSCALL(umount2)
{
	int flags = (int)a[1], error;
	struct vnode *vp;
	struct mount *mp;

	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		return -EINVAL;
	if (vfs_cred_uid() != 0)
		return -EPERM;
	if ((error = lookup_user(td, AT_FDCWD, a[0],
	    (flags & UMOUNT_NOFOLLOW) ? AT_SYMLINK_NOFOLLOW : 0, &vp)) != 0)
		return -error;
	mtx_lock(&mount_mtx);
	error = mount_of_root(vp, &mp);
	vrele(vp);		/* unmount counts the active vnodes: not ours */
	if (error == 0 && (flags & MNT_EXPIRE) && !(mp->mnt_kflags & MNTK_EXPIRE)) {
		/* The first MNT_EXPIRE marks it; the next unmounts it, if not busy. */
		spin_lock(&mount_lock);
		mp->mnt_kflags |= MNTK_EXPIRE;
		spin_unlock(&mount_lock);
		error = EAGAIN;
	} else if (error == 0) {
		error = unmount(mp, flags);
	}
	mtx_unlock(&mount_mtx);
	return -error;
}
