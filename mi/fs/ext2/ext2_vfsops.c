/*
 * ext2 as a mountable file system: mount, unmount, statfs, sync and
 * remount, and the vnode cache (see ext2_vnode.h).
 */
#include <kern/systm.h>
#include <kern/blockdev.h>
#include <kern/buf.h>
#include <kern/disk.h>
#include <kern/malloc.h>
#include <kern/time.h>
#include <vm/vm_object.h>
#include <vm/vnode_pager.h>
#include <fs/ext2/ext2_vnode.h>
#include <fs/mount.h>
#include <fs/vnode.h>
#include <uapi/stat.h>
#include <uapi/statfs.h>

MALLOC_DEFINE(M_EXT2NODE, "ext2 node", "ext2 inodes in the VFS");

#define BCACHE_BUFFERS	256		/* metadata buffers the cache keeps */

/*
 * The vnode cache.
 */

static struct list_node *
bucket(struct ext2_vfs *ev, uint32_t ino)
{
	return &ev->ev_hash[(ino * 2654435761u) % EXT2_HASH_SIZE];
}

/* The cached vnode of ino, referenced, or NULL.  Doomed vnodes are passed over. */
static struct vnode *
hash_find(struct ext2_vfs *ev, uint32_t ino)
{
	struct list_node *b = bucket(ev, ino), *n;

	KASSERT(spin_owned(&ev->ev_hash_lock), ("hash_find: not locked"));
	list_foreach(n, b) {
		struct ext2_node *en = list_entry(n, struct ext2_node, en_link);
		struct vnode *vp = en->en_vp;
		bool doomed;

		if (en->en_ip->i_number != ino)
			continue;
		spin_lock(&vp->v_lock);
		doomed = (vp->v_flags & VV_DOOMED) != 0;
		spin_unlock(&vp->v_lock);
		if (doomed)
			continue;	/* unlinked and being reclaimed: no name leads to it */
		vref(vp);
		return vp;
	}
	return NULL;
}

void
ext2_unhash(struct vnode *vp)
{
	struct ext2_vfs *ev = vp->v_mount->mnt_data;
	struct ext2_node *en = VTON(vp);

	spin_lock(&ev->ev_hash_lock);
	if (en->en_hashed) {
		list_remove(&en->en_link);
		en->en_hashed = false;
		ev->ev_nvnodes--;
	}
	spin_unlock(&ev->ev_hash_lock);
}

/* May vp be evicted: unreferenced, nothing cached of it, nothing to write? */
static bool
evictable(struct vnode *vp)
{
	return __atomic_load_n(&vp->v_refcnt, __ATOMIC_RELAXED) == 0 &&
	    __atomic_load_n(&vp->v_holdcnt, __ATOMIC_RELAXED) == 0 &&
	    !(__atomic_load_n(&vp->v_flags, __ATOMIC_RELAXED) & (VV_DIRTY | VV_DOOMED)) &&
	    (vp->v_object == NULL || (__atomic_load_n(&vp->v_object->ref_count,
	    __ATOMIC_RELAXED) == 1 && vp->v_object->resident_count == 0));
}

/*
 * Take vnodes that evictable() allows out of the cache and reclaim them,
 * until at most keep remain (all of them with keep == 0 and force: at
 * unmount, pages or not).  The number evicted.
 */
static uint32_t
evict(struct ext2_vfs *ev, uint32_t keep, bool force)
{
	uint32_t evicted = 0;

	for (;;) {
		struct vnode *victim = NULL;

		spin_lock(&ev->ev_hash_lock);
		for (size_t i = 0; i < EXT2_HASH_SIZE && victim == NULL &&
		    ev->ev_nvnodes > keep; i++) {
			struct list_node *n;

			list_foreach(n, &ev->ev_hash[i]) {
				struct ext2_node *en = list_entry(n, struct ext2_node, en_link);
				struct vnode *vp = en->en_vp;

				if (force ? (vp->v_refcnt == 0 && vp->v_holdcnt == 0) :
				    evictable(vp)) {
					list_remove(&en->en_link);
					en->en_hashed = false;
					ev->ev_nvnodes--;
					victim = vp;
					break;
				}
			}
		}
		spin_unlock(&ev->ev_hash_lock);
		if (victim == NULL)
			return evicted;
		if (vnode_evict(victim)) {
			evicted++;
		} else {
			/* Someone took it meanwhile: back into the cache. */
			spin_lock(&ev->ev_hash_lock);
			list_append(bucket(ev, VTOI(victim)->i_number), &VTON(victim)->en_link);
			VTON(victim)->en_hashed = true;
			ev->ev_nvnodes++;
			spin_unlock(&ev->ev_hash_lock);
			return evicted;
		}
	}
}

static enum vtype
inode_vtype(const struct ext2_inode *ip)
{
	return ifmt_to_vtype(ip->i_mode);
}

static const struct vnode_ops *
ops_for(enum vtype type)
{
	switch (type) {
	case VDIR:	return &ext2_dir_ops;
	case VREG:	return &ext2_file_ops;
	case VLNK:	return &ext2_symlink_ops;
	default:	return &ext2_special_ops;
	}
}

void
ext2_vattr(struct vnode *vp)
{
	struct ext2_inode *ip = VTOI(vp);
	uint64_t size = ip->i_size;

	spin_lock(&vp->v_lock);
	vp->v_mode = ip->i_mode & S_IALLUGO;
	vp->v_uid = ip->i_uid;
	vp->v_gid = ip->i_gid;
	vp->v_nlink = ip->i_links;
	if (ip->i_links == 0)
		vp->v_flags |= VV_UNLINKED;
	vp->v_size = size;
	vp->v_atime = (struct timespec){ ip->i_atime, 0 };
	vp->v_mtime = (struct timespec){ ip->i_mtime, 0 };
	vp->v_ctime = (struct timespec){ ip->i_ctime, 0 };
	spin_unlock(&vp->v_lock);
	if (vp->v_object != NULL) {
		spin_lock(&vp->v_object->lock);
		vp->v_object->size = atop(round_page(size));
		spin_unlock(&vp->v_object->lock);
	}
}

/* A new vnode for ip (referenced, not cached yet). */
static int
node_alloc(struct mount *mp, struct ext2_inode *ip, struct vnode *dir, const char *name,
    size_t len, struct vnode **vpp)
{
	enum vtype type = inode_vtype(ip);
	struct ext2_node *en = malloc(sizeof(*en), M_EXT2NODE, M_WAITOK | M_ZERO);
	struct vnode *vp;
	uint32_t major, minor;

	if (en == NULL)
		return ENOMEM;
	if ((vp = vnode_alloc(type, ip->i_mode, ops_for(type), type == VDIR ? dir : NULL, name,
	    len)) == NULL) {
		free(en, M_EXT2NODE);
		return ENOMEM;
	}
	sx_init(&en->en_lock, "ext2 inode");
	en->en_ip = ip;
	en->en_vp = vp;
	vp->v_data = en;
	vp->v_ino = ip->i_number;
	if (type == VCHR || type == VBLK) {
		ext2_inode_rdev(ip, &major, &minor);
		vp->v_rdev = (minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xffU) << 12);
	}
	vnode_set_mount(vp, mp);
	ext2_vattr(vp);
	if (type == VREG && (vp->v_object = vnode_pager_alloc(vp)) == NULL) {
		vp->v_nlink = 0;
		vp->v_data = NULL;
		vrele(vp);		/* ext2's reclaim sees no node: the vnode just goes */
		sx_destroy(&en->en_lock);
		free(en, M_EXT2NODE);
		return ENOMEM;
	}
	*vpp = vp;
	return 0;
}

/*
 * Put the new vnode vp into the cache, unless another thread cached one
 * for the inode meanwhile: then that one (referenced) replaces vp, which
 * goes.
 */
static void
cache_insert(struct ext2_vfs *ev, struct vnode **vpp)
{
	struct vnode *vp = *vpp, *other;
	uint32_t ino = VTOI(vp)->i_number;

	spin_lock(&ev->ev_hash_lock);
	if ((other = hash_find(ev, ino)) == NULL) {
		list_append(bucket(ev, ino), &VTON(vp)->en_link);
		VTON(vp)->en_hashed = true;
		ev->ev_nvnodes++;
	}
	spin_unlock(&ev->ev_hash_lock);
	if (other != NULL) {
		spin_lock(&vp->v_lock);
		vp->v_nlink = 0;	/* never cached: it goes with its reference */
		spin_unlock(&vp->v_lock);
		vrele(vp);
		*vpp = other;
	}
	if (ev->ev_nvnodes > EXT2_VNODES_MAX)
		evict(ev, EXT2_VNODES_MAX * 3 / 4, false);
}

int
ext2_vget(struct mount *mp, uint32_t ino, struct vnode *dir, const char *name, size_t len,
    struct vnode **vpp)
{
	struct ext2_vfs *ev = mp->mnt_data;
	struct ext2_inode *ip;
	struct vnode *vp;
	int error;

	spin_lock(&ev->ev_hash_lock);
	vp = hash_find(ev, ino);
	spin_unlock(&ev->ev_hash_lock);
	if (vp != NULL) {
		*vpp = vp;
		return 0;
	}
	if ((error = ext2_iget(ev->ev_em, ino, &ip)) != 0)
		return error;
	if ((error = node_alloc(mp, ip, dir, name, len, &vp)) != 0) {
		ext2_iput(ip);		/* it has links (iget checked): only memory goes */
		return error;
	}
	cache_insert(ev, &vp);
	*vpp = vp;
	return 0;
}

int
ext2_vnew(struct mount *mp, struct ext2_inode *ip, struct vnode *dir, const char *name,
    size_t len, struct vnode **vpp)
{
	int error;

	if ((error = node_alloc(mp, ip, dir, name, len, vpp)) != 0)
		return error;
	cache_insert(mp->mnt_data, vpp);
	return 0;
}

void
ext2_defer_free(struct vnode *vp)
{
	struct ext2_vfs *ev = vp->v_mount->mnt_data;

	spin_lock(&ev->ev_free_lock);
	list_append(&ev->ev_tofree, &VTON(vp)->en_link);
	spin_unlock(&ev->ev_free_lock);
	syncer_wakeup();
}

void
ext2_node_release(struct vnode *vp)
{
	struct ext2_node *en = VTON(vp);

	if (en != NULL) {
		ext2_iput(en->en_ip);	/* frees the inode on disk if it has no links */
		sx_destroy(&en->en_lock);
		free(en, M_EXT2NODE);
	}
	vnode_free(vp);
}

/* Finish the vnodes vop_free deferred.  Thread context. */
static void
ext2_reap(struct mount *mp)
{
	struct ext2_vfs *ev = mp->mnt_data;

	for (;;) {
		struct ext2_node *en = NULL;
		struct list_node *n;

		spin_lock(&ev->ev_free_lock);
		if ((n = list_first(&ev->ev_tofree)) != NULL) {
			list_remove(n);
			en = list_entry(n, struct ext2_node, en_link);
		}
		spin_unlock(&ev->ev_free_lock);
		if (en == NULL)
			return;
		ext2_node_release(en->en_vp);
	}
}

/*
 * The mount.
 */

/*
 * The time for the file system's timestamps.  The kernel has no wall
 * clock yet (its CLOCK_REALTIME counts from boot), and times near 0 mean
 * something to e2fsck (a deleted inode's dtime of 0 is no deletion), so
 * the file system's own clock runs on from the last time its superblock
 * was written (by mke2fs or the last mount): times never go backwards on
 * a disk, and they are plausible dates.
 */
static uint32_t
clock_now(void *ctx)
{
	struct ext2_vfs *ev = ctx;

	return ev->ev_time_base + (uint32_t)(uptime_ns() / NSEC_PER_SEC);
}

/* ev's clock base: the superblock's last write or mount time, less the uptime now. */
static int
clock_init(struct ext2_vfs *ev, struct blockdev *bd)
{
	struct ext2_super *sb = malloc(sizeof(*sb), M_TEMP, M_WAITOK);
	uint32_t last;
	int error;

	if (sb == NULL)
		return ENOMEM;
	if ((error = blockdev_read(bd, EXT2_SUPER_OFFSET, sb, sizeof(*sb))) == 0) {
		last = MAX(MAX(sb->s_wtime, sb->s_mtime), 1u);
		ev->ev_time_base = last - MIN(last - 1, (uint32_t)(uptime_ns() / NSEC_PER_SEC));
	}
	free(sb, M_TEMP);
	return error;
}

static bool
may_use_reserve(void *ctx)
{
	return vfs_cred_uid() == 0;
}

static struct disk *
disk_of(uint32_t rdev)
{
	for (struct disk *dp = disk_next(NULL); dp != NULL; dp = disk_next(dp))
		if (dp->d_rdev == rdev)
			return dp;
	return NULL;
}

static int
ext2_vfs_mount(struct mount *mp, const char *source, struct vnode *dev, const char *data)
{
	struct ext2_mount_args args = {
		.ma_rdonly = (mp->mnt_flags & MNT_RDONLY) != 0,
		.ma_now = clock_now,
		.ma_may_use_reserve = may_use_reserve,
	};
	struct disk *dp = disk_of(dev->v_rdev);
	struct ext2_vfs *ev;
	struct ext2_inode *root;
	int error;

	if (dp == NULL)
		return ENXIO;
	if (!(args.ma_rdonly) && (dp->d_flags & DISK_READONLY))
		return EACCES;
	if ((ev = malloc(sizeof(*ev), M_EXT2NODE, M_WAITOK | M_ZERO)) == NULL)
		return ENOMEM;
	spin_init(&ev->ev_hash_lock, "ext2 vnodes");
	spin_init(&ev->ev_free_lock, "ext2 free");
	for (size_t i = 0; i < EXT2_HASH_SIZE; i++)
		list_init(&ev->ev_hash[i]);
	list_init(&ev->ev_tofree);
	args.ma_ctx = ev;
	bcache_init(BCACHE_BUFFERS);
	if ((error = clock_init(ev, disk_blockdev(dp))) != 0 ||
	    (error = ext2_mount(disk_blockdev(dp), &args, &ev->ev_em)) != 0) {
		free(ev, M_EXT2NODE);
		return error;
	}
	if (ev->ev_em->m_rdonly)
		mp->mnt_flags |= MNT_RDONLY;	/* unknown read-only features */
	mp->mnt_data = ev;
	mp->mnt_disk = dp;
	mp->mnt_bsize = ev->ev_em->m_bsize;
	if ((error = ext2_iget(ev->ev_em, EXT2_ROOT_INO, &root)) == 0 &&
	    (error = ext2_vnew(mp, root, NULL, NULL, 0, &mp->mnt_root)) != 0)
		ext2_iput(root);
	if (error) {
		ext2_unmount(ev->ev_em);
		free(ev, M_EXT2NODE);
		return error;
	}
	return 0;
}

/* for_each_file's choices */
#define EACH_DIRTY	0x1		/* only the files marked dirty */
#define EACH_TRY	0x2		/* only those whose I/O lock is free now */

/*
 * Call fn(vp, arg) on every cached regular file of ev (as how says), one
 * pass over the cache, each referenced and with its I/O lock held; with
 * EACH_TRY, set *skipped if a file's lock was taken.  The first nonzero
 * value fn returned.
 */
static int
for_each_file(struct ext2_vfs *ev, int how, int (*fn)(struct vnode *vp, void *arg),
    void *arg, bool *skipped)
{
	int first = 0;

	for (size_t i = 0; i < EXT2_HASH_SIZE; i++) {
		struct vnode *batch[32];
		struct list_node *l;
		size_t n = 0;

		spin_lock(&ev->ev_hash_lock);
		list_foreach(l, &ev->ev_hash[i]) {
			struct vnode *vp = list_entry(l, struct ext2_node, en_link)->en_vp;

			if (n < nitems(batch) && vp->v_type == VREG && (!(how & EACH_DIRTY) ||
			    (__atomic_load_n(&vp->v_flags, __ATOMIC_RELAXED) & VV_DIRTY)) &&
			    (vp = hash_find(ev, VTOI(vp)->i_number)) != NULL)
				batch[n++] = vp;
		}
		spin_unlock(&ev->ev_hash_lock);
		for (size_t j = 0; j < n; j++) {
			int r = 0;

			if (!(how & EACH_TRY)) {
				vn_iolock(batch[j]);
			} else if (!vn_iolock_try(batch[j])) {
				*skipped = true;
				vrele(batch[j]);
				continue;
			}
			r = fn(batch[j], arg);
			vn_iounlock(batch[j]);
			if (r != 0 && first == 0)
				first = r;
			vrele(batch[j]);
		}
	}
	return first;
}

static int
write_back_one(struct vnode *vp, void *arg)
{
	return vnode_pager_write_back(vp, 0, UINT64_MAX, *(bool *)arg);
}

/* Write back every dirty file of mp.  The first error. */
static int
write_back_all(struct mount *mp, bool wait)
{
	return for_each_file(mp->mnt_data, EACH_DIRTY, write_back_one, &wait, NULL);
}

static int
ext2_vfs_sync(struct mount *mp, bool wait)
{
	struct ext2_vfs *ev = mp->mnt_data;
	int error, error2;

	ext2_reap(mp);
	error = write_back_all(mp, wait);
	if ((error2 = ext2_sync(ev->ev_em)) != 0 && error == 0)
		error = error2;
	return error;
}

static int
ext2_vfs_unmount(struct mount *mp)
{
	struct ext2_vfs *ev = mp->mnt_data;
	struct vnode *root = mp->mnt_root;
	int error;

	if (mount_has_mapped_files(mp))
		return EBUSY;
	ext2_reap(mp);
	/* Everything but the root is unreferenced (the VFS checked): evict it all. */
	while (evict(ev, 0, true) > 0)
		ext2_reap(mp);
	vrele(root);
	if (!vnode_evict(root))
		panic("ext2: the root of %s is still in use at unmount", mp->mnt_source);
	ext2_reap(mp);
	KASSERT(ev->ev_nvnodes == 0 && list_empty(&ev->ev_tofree),
	    ("ext2 unmount: %u vnodes left", ev->ev_nvnodes));
	error = ext2_unmount(ev->ev_em);
	free(ev, M_EXT2NODE);
	if (error)
		printf("ext2: %s: unmount: error %d writing it back\n", mp->mnt_source, error);
	return 0;
}

static int
ext2_vfs_remount(struct mount *mp, bool rdonly)
{
	struct ext2_vfs *ev = mp->mnt_data;

	if (rdonly)
		write_back_all(mp, true);
	return ext2_remount(ev->ev_em, rdonly);
}

static void
ext2_vfs_statfs(struct mount *mp, struct statfs *sf)
{
	struct ext2_vfs *ev = mp->mnt_data;
	struct ext2_statfs st;

	ext2_statfs(ev->ev_em, &st);
	sf->f_type = EXT2_SUPER_MAGIC;
	sf->f_bsize = sf->f_frsize = st.f_bsize;
	sf->f_blocks = st.f_blocks;
	sf->f_bfree = st.f_bfree;
	sf->f_bavail = st.f_bavail;
	sf->f_files = st.f_files;
	sf->f_ffree = st.f_ffree;
	sf->f_namelen = st.f_namelen;
}

static void
ext2_vfs_reap(struct mount *mp)
{
	ext2_reap(mp);
}

static int
drop_one(struct vnode *vp, void *arg)
{
	vnode_pager_drop_clean(vp);
	return 0;
}

/* drop_caches: the clean pages of every cached file, then the unused vnodes. */
static void
ext2_vfs_drop_caches(struct mount *mp, int what)
{
	if (what & 1)
		for_each_file(mp->mnt_data, 0, drop_one, NULL, NULL);
	if (what & 2)
		evict(mp->mnt_data, 0, false);
	ext2_reap(mp);
}

const struct vfsops ext2_vfsops = {
	.vfs_name = "ext2",
	.vfs_needs_device = true,
	.vfs_mount = ext2_vfs_mount,
	.vfs_unmount = ext2_vfs_unmount,
	.vfs_statfs = ext2_vfs_statfs,
	.vfs_sync = ext2_vfs_sync,
	.vfs_remount = ext2_vfs_remount,
	.vfs_reap = ext2_vfs_reap,
	.vfs_drop_caches = ext2_vfs_drop_caches,
};
