/*
 * ramfs: directories, regular files, symbolic links and special files
 * that live only in memory.
 *
 * Directories.  A directory's entries are a table of slots, each NULL or
 * a (name, vnode) pair; a name keeps its slot until it is removed, and a
 * slot's index is the entry's position for getdents (the cookie of slot
 * i is i + 3, after "." = 1 and ".." = 2), so removing entries never
 * moves others under a reader.  Lookups scan the table: directories here
 * are small.  The table is guarded by the directory's v_lock; an entry
 * counts as one link (v_nlink) of its vnode, not a reference, and a
 * subdirectory's entry also counts as one link of the directory (the
 * subdirectory's ".."), as on Linux: an empty directory has two links.
 *
 * Regular files.  A file's data are the pages of its vm_object and
 * nothing else: there is no backing store behind ramfs.  A page that is
 * not resident is a hole and reads as zeros; write allocates pages as it
 * goes; truncate frees the pages past the new end and zeroes the tail of
 * the last one, so a later extension reads zeros there.  The same pages
 * are what mmap maps (the vnode pager, vm/vnode_pager.c, zero-fills a page
 * a fault finds missing, and refuses pages past the end of the file).
 *
 * Symbolic links keep their contents in v_data; FIFOs, device nodes and
 * sockets are bare vnodes (the VFS opens a FIFO's pipe and a device's
 * devfs vnode).
 *
 * Locking.  Reads, writes and truncations of a file hold its I/O lock
 * (an sx lock: shared to read, exclusive to write or truncate) for their
 * whole length, so truncation cannot free pages while data are copied to
 * or from user memory, which may fault; the page daemon cannot either:
 * each page is kernel-wired while it is copied.  A page is looked up or
 * allocated under the object lock, which is dropped before copying; no
 * page is left busy across a copy.  v_size changes
 * under both the I/O lock and v_lock, so the pager and stat may read it
 * with v_lock alone.  Lock order: directory v_lock, then entry v_lock;
 * a rename, which the VFS serializes, locks two directories, the one
 * above the other first (by address if neither is above the other).
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <kern/time.h>
#include <machine/cpu.h>
#include <vm/pmap.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vm_wait.h>
#include <vm/vnode_pager.h>
#include <fs/mount.h>
#include <fs/ramfs.h>
#include <fs/vnode.h>
#include <uapi/statfs.h>
#include <uapi/fcntl.h>

MALLOC_DEFINE(M_RAMFS, "ramfs", "ramfs directories, entries and symbolic links");
MALLOC_DECLARE(M_VNAME);

#define DIR_MIN_SLOTS	8

struct ramfs_dirent {
	struct vnode	*de_vnode;	/* (V of the directory) one link of it */
	size_t		de_namelen;	/* (C) */
	char		de_name[];	/* (C) not NUL-terminated */
};

struct ramfs_dir {
	struct ramfs_dirent **rd_slots;	/* (V) */
	uint32_t	rd_nslots;	/* (V) */
	uint32_t	rd_nused;	/* (V) non-NULL slots */
};

static const struct vnode_ops ramfs_dir_ops;
static const struct vnode_ops ramfs_file_ops;
static const struct vnode_ops ramfs_symlink_ops;
static const struct vnode_ops ramfs_special_ops;

bool
ramfs_is_dir(const struct vnode *vp)
{
	return vp->v_ops == &ramfs_dir_ops;
}

/*
 * Making and freeing vnodes.
 */

static const struct vnode_ops *
ops_for(enum vtype type)
{
	switch (type) {
	case VDIR:	return &ramfs_dir_ops;
	case VREG:	return &ramfs_file_ops;
	case VLNK:	return &ramfs_symlink_ops;
	default:	return &ramfs_special_ops;
	}
}

/*
 * A new vnode of the kind vc describes, not yet in any directory: one
 * reference, and for a directory the link of its own ".".  NULL when
 * memory is short.
 */
static struct vnode *
ramfs_new(const struct vcreate *vc, struct mount *mp, struct vnode *parent, const char *name,
    size_t len)
{
	struct vnode *vp = vnode_alloc(vc->vc_type, vc->vc_mode, ops_for(vc->vc_type), parent,
	    name, len);
	bool ok = true;

	if (vp == NULL)
		return NULL;
	vnode_set_mount(vp, mp);
	vp->v_uid = vc->vc_uid;
	vp->v_gid = vc->vc_gid;
	switch (vc->vc_type) {
	case VDIR:
		vp->v_data = malloc(sizeof(struct ramfs_dir), M_RAMFS, M_WAITOK | M_ZERO);
		ok = vp->v_data != NULL;
		vp->v_nlink = ok ? 1 : 0;
		break;
	case VREG:
		vp->v_object = vnode_pager_alloc(vp);
		ok = vp->v_object != NULL;
		break;
	case VLNK:
		if ((vp->v_data = malloc(vc->vc_targetlen, M_RAMFS, M_WAITOK)) != NULL) {
			memcpy(vp->v_data, vc->vc_target, vc->vc_targetlen);
			vp->v_size = vc->vc_targetlen;
		}
		ok = vp->v_data != NULL;
		break;
	case VCHR:
	case VBLK:
		vp->v_rdev = vc->vc_rdev;
		break;
	default:
		break;
	}
	if (!ok) {
		vrele(vp);		/* no links: reclaimed at once */
		return NULL;
	}
	return vp;
}

static void
ramfs_reclaim(struct vnode *vp)
{
	struct ramfs_dir *d;

	switch (vp->v_type) {
	case VREG:
		if (vp->v_object != NULL) {
			/* The pager frees vp when the object's last mapping goes too. */
			vm_object_deallocate(vp->v_object);
			return;
		}
		break;
	case VDIR:
		if ((d = vp->v_data) != NULL) {
			KASSERT(d->rd_nused == 0, ("ramfs_reclaim: directory %lu has %u entries",
			    vp->v_ino, d->rd_nused));
			free(d->rd_slots, M_RAMFS);
			free(d, M_RAMFS);
		}
		break;
	case VLNK:
		free(vp->v_data, M_RAMFS);
		break;
	default:
		break;
	}
	vnode_free(vp);
}

/*
 * Directories.
 */

/* The slot holding name in d (locked), or -1. */
static int
dir_find(struct ramfs_dir *d, const char *name, size_t len)
{
	for (uint32_t i = 0; i < d->rd_nslots; i++) {
		struct ramfs_dirent *de = d->rd_slots[i];

		if (de != NULL && de->de_namelen == len && memcmp(de->de_name, name, len) == 0)
			return (int)i;
	}
	return -1;
}

/* A free slot of d (locked), which has one. */
static uint32_t
dir_free_slot(struct ramfs_dir *d)
{
	uint32_t i;

	KASSERT(d->rd_nused < d->rd_nslots, ("dir_free_slot: the table is full"));
	for (i = 0; d->rd_slots[i] != NULL; i++)
		;
	return i;
}

/*
 * Give dir (unlocked) a table with at least one slot more than it has
 * entries now.  0 or ENOMEM.
 */
static int
dir_grow(struct vnode *dir)
{
	struct ramfs_dir *d = dir->v_data;
	struct ramfs_dirent **slots, **old = NULL;
	uint32_t n;

	spin_lock(&dir->v_lock);
	n = d->rd_nslots;
	spin_unlock(&dir->v_lock);
	slots = malloc(sizeof(*slots) * (n == 0 ? DIR_MIN_SLOTS : 2 * (size_t)n),
	    M_RAMFS, M_WAITOK | M_ZERO);
	if (slots == NULL)
		return ENOMEM;
	spin_lock(&dir->v_lock);
	if (d->rd_nslots == n) {
		if (n > 0)
			memcpy(slots, d->rd_slots, sizeof(*slots) * n);
		old = d->rd_slots;
		d->rd_slots = slots;
		d->rd_nslots = n == 0 ? DIR_MIN_SLOTS : 2 * n;
		slots = NULL;
	}
	spin_unlock(&dir->v_lock);
	free(old, M_RAMFS);
	free(slots, M_RAMFS);
	return 0;
}

/*
 * Lock dir with a free slot in its table, growing the table if needed
 * (the allocation is made with the lock dropped).  0 or ENOMEM (unlocked).
 */
static int
dir_lock_with_room(struct vnode *dir)
{
	struct ramfs_dir *d = dir->v_data;
	int error;

	for (;;) {
		spin_lock(&dir->v_lock);
		if (d->rd_nused < d->rd_nslots)
			return 0;
		spin_unlock(&dir->v_lock);
		if ((error = dir_grow(dir)) != 0)
			return error;
	}
}

static struct ramfs_dirent *
dirent_new(const char *name, size_t len, struct vnode *vp)
{
	struct ramfs_dirent *de = malloc(sizeof(*de) + len, M_RAMFS, M_WAITOK);

	if (de != NULL) {
		de->de_vnode = vp;
		de->de_namelen = len;
		memcpy(de->de_name, name, len);
	}
	return de;
}

/* Count vp's new entry in dir (both locked): its link, and dir's for a subdirectory's "..". */
static void
count_entry(struct vnode *dir, struct vnode *vp)
{
	vp->v_nlink++;
	if (vp->v_type == VDIR)
		dir->v_nlink++;
}

/*
 * Enter vp in dir as name: one more link of vp.  0, EEXIST, ENOENT (dir
 * was removed, or vp has no links left and is no new vnode), ENOMEM.
 */
static int
dir_insert(struct vnode *dir, const char *name, size_t len, struct vnode *vp, bool fresh)
{
	struct ramfs_dir *d = dir->v_data;
	struct ramfs_dirent *de;
	int error = 0;

	if (len == 0 || len > NAME_MAX)
		return len == 0 ? ENOENT : ENAMETOOLONG;
	if ((de = dirent_new(name, len, vp)) == NULL)
		return ENOMEM;
	if ((error = dir_lock_with_room(dir)) != 0) {
		free(de, M_RAMFS);
		return error;
	}
	if (dir->v_flags & VV_UNLINKED)
		error = ENOENT;		/* no new entries in a removed directory */
	else if (dir_find(d, name, len) >= 0)
		error = EEXIST;
	spin_lock(&vp->v_lock);
	if (error == 0 && !fresh && vp->v_nlink == 0)
		error = ENOENT;		/* a file already removed gets no new name */
	if (error == 0) {
		d->rd_slots[dir_free_slot(d)] = de;
		d->rd_nused++;
		count_entry(dir, vp);
		vfs_now(&vp->v_ctime);
		dir->v_mtime = dir->v_ctime = vp->v_ctime;
	}
	spin_unlock(&vp->v_lock);
	spin_unlock(&dir->v_lock);
	if (error)
		free(de, M_RAMFS);
	return error;
}

static int
ramfs_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	struct ramfs_dir *d = dir->v_data;
	int i;

	spin_lock(&dir->v_lock);
	if ((i = dir_find(d, name, len)) < 0) {
		spin_unlock(&dir->v_lock);
		return ENOENT;
	}
	*out = d->rd_slots[i]->de_vnode;
	vref(*out);
	spin_unlock(&dir->v_lock);
	return 0;
}

static int
ramfs_create(struct vnode *dir, const char *name, size_t len, const struct vcreate *vc,
    struct vnode **out)
{
	struct vnode *vp;
	int error;

	if (vc->vc_type == VNON)
		return EINVAL;
	if (len > NAME_MAX)
		return ENAMETOOLONG;
	if ((vp = ramfs_new(vc, dir->v_mount, dir, name, len)) == NULL)
		return ENOMEM;
	if ((error = dir_insert(dir, name, len, vp, true)) != 0) {
		if (vp->v_type == VDIR)
			vp->v_nlink = 0;	/* its "." goes with it */
		vrele(vp);		/* never linked: reclaimed */
		return error;
	}
	*out = vp;
	return 0;
}

int
ramfs_link(struct vnode *dir, const char *name, size_t len, struct vnode *vp)
{
	if (!ramfs_is_dir(dir))
		return ENOTDIR;
	return dir_insert(dir, name, len, vp, true);
}

static int
ramfs_vop_link(struct vnode *dir, const char *name, size_t len, struct vnode *vp)
{
	return dir_insert(dir, name, len, vp, false);
}

/* Is the directory vp (a ramfs one) empty?  Locks vp (an entry: after its directory). */
static bool
dir_is_empty(struct vnode *vp)
{
	bool empty;

	spin_lock(&vp->v_lock);
	empty = ((struct ramfs_dir *)vp->v_data)->rd_nused == 0;
	spin_unlock(&vp->v_lock);
	return empty;
}

/*
 * May the entry's vnode vp go (dir locked)?  A directory must be an empty
 * ramfs directory; it is marked removed at once (under its lock, so no
 * entry can be made in it any more).
 */
static int
check_removable(struct vnode *vp, bool rmdir)
{
	int error = 0;

	if (!rmdir)
		return vp->v_type == VDIR ? EISDIR : 0;
	if (vp->v_type != VDIR)
		return ENOTDIR;
	if (!ramfs_is_dir(vp))
		return EBUSY;		/* another file system's root (/proc) */
	spin_lock(&vp->v_lock);
	if (((struct ramfs_dir *)vp->v_data)->rd_nused > 0)
		error = ENOTEMPTY;
	else
		vp->v_flags |= VV_UNLINKED;
	spin_unlock(&vp->v_lock);
	return error;
}

/* The links a removed entry's vnode loses: its name, and a directory's "." too. */
static uint32_t
links_of_entry(struct vnode *vp)
{
	return vp->v_type == VDIR ? 2 : 1;
}

static int
ramfs_unlink(struct vnode *dir, const char *name, size_t len, struct vnode *vp, bool rmdir)
{
	struct ramfs_dir *d = dir->v_data;
	struct ramfs_dirent *de;
	int i, error;

	spin_lock(&dir->v_lock);
	if ((i = dir_find(d, name, len)) < 0 || d->rd_slots[i]->de_vnode != vp) {
		spin_unlock(&dir->v_lock);
		return ENOENT;
	}
	de = d->rd_slots[i];
	if ((error = check_removable(vp, rmdir)) != 0) {
		spin_unlock(&dir->v_lock);
		return error;
	}
	d->rd_slots[i] = NULL;
	d->rd_nused--;
	if (vp->v_type == VDIR)
		dir->v_nlink--;		/* its ".." */
	vfs_now(&dir->v_mtime);
	dir->v_ctime = dir->v_mtime;
	spin_unlock(&dir->v_lock);
	vnode_drop_links(vp, links_of_entry(vp));
	free(de, M_RAMFS);
	return 0;
}

static ssize_t
ramfs_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	struct ramfs_dir *d = dir->v_data;
	struct vnode *up;
	uint64_t cookie = *offp, upino;
	size_t used = 0, n;
	bool full = false;

	up = vn_dotdot(dir);
	upino = up->v_ino;
	vrele(up);
	spin_lock(&dir->v_lock);
	if (cookie == 0) {
		if ((n = dirent_add(buf, len, used, dir->v_ino, 1, VDIR, ".", 1)) == 0)
			full = true;
		else {
			used = n;
			cookie = 1;
		}
	}
	if (!full && cookie == 1) {
		if ((n = dirent_add(buf, len, used, upino, 2, VDIR, "..", 2)) == 0)
			full = true;
		else {
			used = n;
			cookie = 2;
		}
	}
	for (uint64_t i = cookie - 2; !full && cookie >= 2 && i < d->rd_nslots; i++) {
		struct ramfs_dirent *de = d->rd_slots[i];

		if (de == NULL)
			continue;
		n = dirent_add(buf, len, used, de->de_vnode->v_ino, i + 3, de->de_vnode->v_type,
		    de->de_name, de->de_namelen);
		if (n == 0) {
			full = true;
			break;
		}
		used = n;
		cookie = i + 3;
	}
	spin_unlock(&dir->v_lock);
	if (full && used == 0)
		return -EINVAL;		/* the buffer cannot hold one record */
	*offp = cookie;
	return (ssize_t)used;
}

/*
 * Rename.
 */

/* Set vp's ctime to now (its entry changed). */
static void
touch_ctime(struct vnode *vp)
{
	struct timespec now;

	vfs_now(&now);
	spin_lock(&vp->v_lock);
	vp->v_ctime = now;
	spin_unlock(&vp->v_lock);
}

/* Lock the two directories of a rename, the one above the other first. */
static void
lock_pair(struct vnode *fdir, struct vnode *tdir)
{
	struct vnode *first = fdir, *second = tdir;

	if (fdir == tdir) {
		spin_lock(&fdir->v_lock);
		return;
	}
	if (vn_is_ancestor(tdir, fdir) || (!vn_is_ancestor(fdir, tdir) && tdir < fdir)) {
		first = tdir;
		second = fdir;
	}
	spin_lock(&first->v_lock);
	spin_lock(&second->v_lock);
}

static void
unlock_pair(struct vnode *fdir, struct vnode *tdir)
{
	if (fdir != tdir)
		spin_unlock(&tdir->v_lock);
	spin_unlock(&fdir->v_lock);
}

/*
 * Move the directory vp from its parent "from" under "to" (both
 * locked): its ".." link and the hold on its parent move, and *name (a
 * new v_name of len bytes) is swapped with the old one, which the caller
 * frees.
 */
static void
move_dir(struct vnode *vp, struct vnode *from, struct vnode *to, char **name, size_t len)
{
	char *old;

	if (from != to) {
		from->v_nlink--;
		to->v_nlink++;
		from->v_holdcnt--;	/* from is referenced by the caller: it cannot go */
		to->v_holdcnt++;
	}
	spin_lock(&vfs_name_lock);
	vp->v_parent = to;
	old = vp->v_name;
	vp->v_name = *name;
	vp->v_namelen = len;
	spin_unlock(&vfs_name_lock);
	*name = old;
}

/* A NUL-terminated copy of a directory's new name (NULL for a non-directory). */
static int
dir_name_copy(struct vnode *vp, const char *name, size_t len, char **out)
{
	*out = NULL;
	if (vp == NULL || vp->v_type != VDIR)
		return 0;
	if ((*out = malloc(len + 1, M_VNAME, M_WAITOK)) == NULL)
		return ENOMEM;
	memcpy(*out, name, len);
	(*out)[len] = '\0';
	return 0;
}

/* What a rename allocates beforehand, and what it leaves to free afterwards. */
struct rename_work {
	struct ramfs_dirent *newde;	/* tname's entry, if tdir has none yet */
	char		*fvp_name;	/* fvp's new v_name (a directory); then its old one */
	char		*tvp_name;	/* the same for tvp, exchanged */
	struct ramfs_dirent *gone;	/* fname's entry, removed */
	struct vnode	*victim;	/* the vnode tname named, replaced */
};

/*
 * The rename itself, both directories locked, the names' slots found:
 * fi in fdir (naming fvp), ti in tdir (naming tvp) or -1 (tdir has room).
 */
static int
rename_locked(struct vnode *fdir, int fi, struct vnode *fvp, struct vnode *tdir, int ti,
    struct vnode *tvp, int flags, struct rename_work *w)
{
	struct ramfs_dir *fd = fdir->v_data, *td = tdir->v_data;
	size_t flen = fd->rd_slots[fi]->de_namelen, tlen = w->newde->de_namelen;

	if (flags & VRENAME_EXCHANGE) {
		fd->rd_slots[fi]->de_vnode = tvp;
		td->rd_slots[ti]->de_vnode = fvp;
		if (tvp->v_type == VDIR)
			move_dir(tvp, tdir, fdir, &w->tvp_name, flen);
	} else {
		if (ti >= 0 && tvp->v_type == VDIR) {
			if (!dir_is_empty(tvp))
				return ENOTEMPTY;
			tdir->v_nlink--;	/* tvp's ".." */
			spin_lock(&tvp->v_lock);
			tvp->v_flags |= VV_UNLINKED;
			spin_unlock(&tvp->v_lock);
		}
		if (ti >= 0) {
			td->rd_slots[ti]->de_vnode = fvp;
			w->victim = tvp;
		} else {
			w->newde->de_vnode = fvp;
			td->rd_slots[dir_free_slot(td)] = w->newde;
			td->rd_nused++;
			w->newde = NULL;
		}
		w->gone = fd->rd_slots[fi];
		fd->rd_slots[fi] = NULL;
		fd->rd_nused--;
	}
	if (fvp->v_type == VDIR)
		move_dir(fvp, fdir, tdir, &w->fvp_name, tlen);
	vfs_now(&fdir->v_mtime);
	fdir->v_ctime = tdir->v_mtime = tdir->v_ctime = fdir->v_mtime;
	return 0;
}

static int
ramfs_rename(struct vnode *fdir, const char *fname, size_t flen, struct vnode *fvp,
    struct vnode *tdir, const char *tname, size_t tlen, struct vnode *tvp, int flags)
{
	struct ramfs_dir *fd = fdir->v_data, *td = tdir->v_data;
	struct rename_work w = { 0 };
	int fi, ti, error;

	if (!ramfs_is_dir(tdir) || !ramfs_is_dir(fdir))
		return EXDEV;
	if ((w.newde = dirent_new(tname, tlen, NULL)) == NULL)
		return ENOMEM;
	if ((error = dir_name_copy(fvp, tname, tlen, &w.fvp_name)) == 0)
		error = dir_name_copy((flags & VRENAME_EXCHANGE) ? tvp : NULL, fname, flen,
		    &w.tvp_name);
	for (; error == 0;) {
		lock_pair(fdir, tdir);
		fi = dir_find(fd, fname, flen);
		ti = dir_find(td, tname, tlen);
		if (fi < 0 || fd->rd_slots[fi]->de_vnode != fvp ||
		    (ti < 0 ? tvp != NULL : td->rd_slots[ti]->de_vnode != tvp) ||
		    (tdir->v_flags & VV_UNLINKED)) {
			error = ENOENT;		/* changed since the VFS looked */
		} else if (ti >= 0 || td->rd_nused < td->rd_nslots) {
			error = rename_locked(fdir, fi, fvp, tdir, ti, tvp, flags, &w);
			unlock_pair(fdir, tdir);
			break;
		}
		unlock_pair(fdir, tdir);
		if (error == 0)
			error = dir_grow(tdir);
	}
	if (error == 0) {
		touch_ctime(fvp);
		if (tvp != NULL && (flags & VRENAME_EXCHANGE))
			touch_ctime(tvp);
	}
	free(w.newde, M_RAMFS);
	free(w.gone, M_RAMFS);
	free(w.fvp_name, M_VNAME);
	free(w.tvp_name, M_VNAME);
	if (w.victim != NULL)
		vnode_drop_links(w.victim, links_of_entry(w.victim));
	return error;
}

/*
 * Regular files.
 */

/*
 * The page at pindex of obj, not busy; with alloc, a missing page is
 * allocated and zeroed, else NULL is returned for it (a hole).  NULL with
 * alloc means no memory, and none coming back (vm_wait).  The caller
 * holds the file's I/O lock, which keeps the page in the object after the
 * object lock is dropped, and the page comes wired (a kernel wiring),
 * which keeps the page daemon away from it while it is copied:
 * vnode_pager_release_page ends that (with dirtied, the kernel wrote it,
 * which no pmap saw: the page is the file's only copy now, and may never
 * be dropped as clean).
 */
static struct vm_page *
file_page(struct vm_object *obj, vm_pindex_t pindex, bool alloc)
{
	struct vm_page *m;

	for (;;) {
		spin_lock(&obj->lock);
		/* A fault may be filling it (zeros): sleep until it is done. */
		while ((m = vm_page_lookup(obj, pindex)) != NULL &&
		    vm_page_busy_sleep(m, &obj->lock, false))
			spin_lock(&obj->lock);
		if (m != NULL || !alloc) {
			if (m != NULL)
				vm_page_wire_kernel(m);
			spin_unlock(&obj->lock);
			return m;
		}
		if ((m = vm_page_alloc_zeroed(obj, pindex)) != NULL)
			vm_page_wire_kernel(m);
		spin_unlock(&obj->lock);
		if (m != NULL)
			return m;
		if (vm_wait(0, VM_ALLOC_NORMAL, VM_WAIT_FAILOK) != 0)
			return NULL;
	}
}

static inline void *
page_kva(struct vm_page *m, size_t off)
{
	return (void *)(PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)) + off);
}

/*
 * Pages past the end that vm_object_page_remove had to leave (wired by
 * mlock of a shared mapping) must at least read as zeros if the file
 * grows back over them.
 */
static void
zero_wired_leftovers(struct vm_object *obj, vm_pindex_t first)
{
	struct vm_page *m;
	uint64_t idx = first;

	spin_lock(&obj->lock);
	while ((m = vm_radix_lookup_ge(&obj->pages, idx, &idx)) != NULL) {
		memset(page_kva(m, 0), 0, PAGE_SIZE);
		vm_page_set_dirty(m);
		if (idx == UINT64_MAX)
			break;
		idx++;
	}
	spin_unlock(&obj->lock);
}

/* Record a new size (I/O lock held). */
static void
set_size(struct vnode *vp, uint64_t size)
{
	struct vm_object *obj = vp->v_object;
	struct timespec now;

	vfs_now(&now);
	spin_lock(&vp->v_lock);
	vp->v_size = size;
	vp->v_mtime = vp->v_ctime = now;
	spin_unlock(&vp->v_lock);
	spin_lock(&obj->lock);
	obj->size = atop(round_page(size));
	spin_unlock(&obj->lock);
}

/* The page at idx of vp's file, or NULL for a hole (read(2)'s getpage). */
static int
ramfs_getpage(struct vnode *vp, vm_pindex_t idx, int ioflag, struct vm_page **mp)
{
	*mp = file_page(vp->v_object, idx, false);
	return 0;
}

static ssize_t
ramfs_read(struct vnode *vp, struct uio *uio)
{
	return vnode_pager_read(vp, uio, ramfs_getpage, true);
}

static ssize_t
ramfs_write(struct vnode *vp, struct uio *uio)
{
	uint64_t size, end;
	size_t done = 0;
	int error = 0;

	if ((error = vnode_pager_write_begin(vp, uio, RAMFS_MAXFILESIZE, &size)) != 0)
		return -error;
	end = size;
	while (uio->uio_resid > 0) {
		uint64_t off = uio->uio_offset;
		size_t pgoff = off & PAGE_MASK;
		size_t n = MIN(PAGE_SIZE - pgoff, uio->uio_resid);
		struct vm_page *m = file_page(vp->v_object, atop(off), true);

		if (m == NULL) {
			error = ENOSPC;
			break;
		}
		error = uiomove(page_kva(m, pgoff), n, uio);
		vnode_pager_release_page(vp, m, true);
		if (error != 0)
			break;
		done += n;
		end = MAX(end, off + n);
	}
	if (done > 0)
		set_size(vp, end);
	if (error && end < uio->uio_offset + uio->uio_resid) {
		/* A page allocated for bytes that never came must not stay past the end. */
		vm_object_page_remove(vp->v_object, atop(round_page(end)), UINT64_MAX);
	}
	vn_iounlock(vp);
	if (done == 0 && error)
		return -error;
	return (ssize_t)done;
}

static int
ramfs_truncate(struct vnode *vp, uint64_t size)
{
	uint64_t old;

	if (size > RAMFS_MAXFILESIZE)
		return EFBIG;
	vn_iolock(vp);
	old = vp->v_size;
	if (size < old) {
		/* Faults past the new end fail from now on; then the pages go. */
		set_size(vp, size);
		vm_object_page_remove(vp->v_object, atop(round_page(size)), UINT64_MAX);
		zero_wired_leftovers(vp->v_object, atop(round_page(size)));
		vnode_pager_zero_tail(vp, size);
	} else {
		if (size > old)
			vnode_pager_zero_tail(vp, old);
		set_size(vp, size);
	}
	vn_iounlock(vp);
	return 0;
}

/* Zero [off, end) within the pages the file has (holes read as zeros already). */
static void
zero_resident(struct vnode *vp, uint64_t off, uint64_t end)
{
	while (off < end) {
		size_t pgoff = off & PAGE_MASK, n = MIN(PAGE_SIZE - pgoff, end - off);
		struct vm_page *m = file_page(vp->v_object, atop(off), false);

		if (m != NULL) {
			memset(page_kva(m, pgoff), 0, n);
			vnode_pager_release_page(vp, m, true);
		}
		off += n;
	}
}

/*
 * fallocate, the modes Linux's tmpfs has: give [off, end) pages (counted
 * in st_blocks, so later writes need none), growing the file unless
 * FALLOC_FL_KEEP_SIZE; or punch a hole (the whole pages freed, the edges
 * zeroed).  Past the end of a file kept at its size nothing is allocated:
 * a file's object holds no pages beyond its size.
 */
static int
ramfs_fallocate(struct vnode *vp, int mode, uint64_t off, uint64_t len)
{
	uint64_t end = off + len, size, alloc_end;
	int error = 0;

	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return EOPNOTSUPP;
	if (end > RAMFS_MAXFILESIZE)
		return EFBIG;
	vn_iolock(vp);
	size = vp->v_size;
	if (mode & FALLOC_FL_PUNCH_HOLE) {
		end = MIN(end, size);
		if (off < end) {
			zero_resident(vp, off, MIN(end, round_page(off)));
			zero_resident(vp, MAX(off, trunc_page(end)), end);
			if (round_page(off) < trunc_page(end)) {
				vm_object_page_remove(vp->v_object, atop(round_page(off)),
				    atop(trunc_page(end)));
				/* Wired pages stay: they must read as zeros. */
				zero_resident(vp, round_page(off), trunc_page(end));
			}
		}
		vn_iounlock(vp);
		return 0;
	}
	alloc_end = (mode & FALLOC_FL_KEEP_SIZE) ? MIN(end, round_page(size)) : end;
	if (!(mode & FALLOC_FL_KEEP_SIZE) && end > size) {
		vnode_pager_zero_tail(vp, size);
		set_size(vp, end);
	}
	for (uint64_t a = trunc_page(off); a < alloc_end && error == 0; a += PAGE_SIZE) {
		struct vm_page *m = file_page(vp->v_object, atop(a), true);

		if (m == NULL)
			error = ENOSPC;
		else	/* kept: its zeros are the file's (counted in st_blocks) */
			vnode_pager_release_page(vp, m, true);
	}
	vn_iounlock(vp);
	return error;
}

static int
ramfs_mmap(struct vnode *vp, uint64_t off, uint64_t len, struct vm_object **objp,
    bool *anonymous)
{
	vm_object_reference(vp->v_object);
	*objp = vp->v_object;
	*anonymous = false;
	return 0;
}

/*
 * Symbolic links.
 */

static ssize_t
ramfs_readlink(struct vnode *vp, struct uio *uio)
{
	size_t n = MIN(uio->uio_resid, (size_t)vp->v_size);

	if (uiomove(vp->v_data, n, uio) != 0)
		return -EFAULT;
	return (ssize_t)n;
}

/*
 * Roots and mounts.
 */

static struct vnode *
mkroot(struct mount *mp, uint32_t mode)
{
	struct vcreate vc = { .vc_type = VDIR, .vc_mode = mode };
	struct vnode *root = ramfs_new(&vc, mp, NULL, NULL, 0);

	if (root != NULL)
		root->v_nlink = 2;	/* ".", and ".." which is itself */
	return root;
}

struct vnode *
ramfs_mkroot(void)
{
	return mkroot(NULL, 0755);
}

int
ramfs_rmroot(struct vnode *root)
{
	KASSERT(ramfs_is_dir(root) && root->v_parent == NULL, ("ramfs_rmroot: not a root"));
	if (!dir_is_empty(root))
		return ENOTEMPTY;
	vnode_drop_links(root, 2);
	vrele(root);
	return 0;
}

/*
 * The first entry of dir (locked), or NULL: its slot in *slot.
 */
static struct ramfs_dirent *
first_entry(struct ramfs_dir *d, uint32_t *slot)
{
	for (uint32_t i = 0; i < d->rd_nslots; i++) {
		if (d->rd_slots[i] != NULL) {
			*slot = i;
			return d->rd_slots[i];
		}
	}
	return NULL;
}

/*
 * Remove everything under root, deepest first, without recursion: go
 * down into the first entry that is a non-empty directory, remove the
 * first that is not, come back up to the parent when a directory is
 * empty (the parent then finds it empty and removes it).
 */
static void
remove_all(struct vnode *root)
{
	struct vnode *cur = root, *vp;

	vref(cur);
	for (;;) {
		struct ramfs_dir *d = cur->v_data;
		struct ramfs_dirent *de;
		uint32_t slot;

		spin_lock(&cur->v_lock);
		if ((de = first_entry(d, &slot)) == NULL) {
			spin_unlock(&cur->v_lock);
			if (cur == root)
				break;
			vp = vn_dotdot(cur);
			vrele(cur);
			cur = vp;
			continue;
		}
		vp = de->de_vnode;
		if (ramfs_is_dir(vp) && !dir_is_empty(vp)) {
			vref(vp);
			spin_unlock(&cur->v_lock);
			vrele(cur);
			cur = vp;
			continue;
		}
		d->rd_slots[slot] = NULL;
		d->rd_nused--;
		if (vp->v_type == VDIR) {
			cur->v_nlink--;
			spin_lock(&vp->v_lock);
			vp->v_flags |= VV_UNLINKED;
			spin_unlock(&vp->v_lock);
		}
		spin_unlock(&cur->v_lock);
		vnode_drop_links(vp, links_of_entry(vp));
		free(de, M_RAMFS);
	}
	vrele(cur);
}

/* The root's mode from a "mode=OCTAL" option, else def. */
static uint32_t
mode_option(const char *data, uint32_t def)
{
	for (const char *p = data; p != NULL && *p != '\0'; p = strchr(p, ',')) {
		if (*p == ',')
			p++;
		if (strncmp(p, "mode=", 5) == 0)
			return (uint32_t)strtoul(p + 5, NULL, 8) & S_IALLUGO;
	}
	return def;
}

static int
mount_common(struct mount *mp, const char *data, uint32_t mode)
{
	if ((mp->mnt_root = mkroot(mp, mode_option(data, mode))) == NULL)
		return ENOMEM;
	return 0;
}

static int
ramfs_mount(struct mount *mp, const char *source, struct vnode *dev, const char *data)
{
	return mount_common(mp, data, 0755);
}

static int
tmpfs_mount(struct mount *mp, const char *source, struct vnode *dev, const char *data)
{
	return mount_common(mp, data, 01777);	/* as Linux's tmpfs */
}

static int
devtmpfs_mount(struct mount *mp, const char *source, struct vnode *dev, const char *data)
{
	int error;

	if ((error = mount_common(mp, data, 0755)) != 0)
		return error;
	if ((error = devfs_populate(mp->mnt_root)) != 0) {
		remove_all(mp->mnt_root);
		ramfs_rmroot(mp->mnt_root);
	}
	return error;
}

static int
ramfs_unmount(struct mount *mp)
{
	if (mount_has_mapped_files(mp))
		return EBUSY;
	remove_all(mp->mnt_root);
	return ramfs_rmroot(mp->mnt_root);
}

/* ramfs keeps files in free memory: that is its space. */
static void
statfs_memory(struct statfs *sf, int64_t magic)
{
	sf->f_type = magic;
	sf->f_blocks = vm_page_count_total();
	sf->f_bfree = sf->f_bavail = vm_page_count_free();
	sf->f_files = vm_page_count_total();
	sf->f_ffree = vm_page_count_free();
}

static void
ramfs_statfs(struct mount *mp, struct statfs *sf)
{
	statfs_memory(sf, RAMFS_MAGIC);
}

static void
tmpfs_statfs(struct mount *mp, struct statfs *sf)
{
	statfs_memory(sf, TMPFS_MAGIC);
}

const struct vfsops rootfs_vfsops = {
	.vfs_name = "rootfs",
	.vfs_mount = ramfs_mount,
	.vfs_unmount = ramfs_unmount,
	.vfs_statfs = ramfs_statfs,
};

const struct vfsops ramfs_vfsops = {
	.vfs_name = "ramfs",
	.vfs_mount = ramfs_mount,
	.vfs_unmount = ramfs_unmount,
	.vfs_statfs = ramfs_statfs,
};

const struct vfsops tmpfs_vfsops = {
	.vfs_name = "tmpfs",
	.vfs_mount = tmpfs_mount,
	.vfs_unmount = ramfs_unmount,
	.vfs_statfs = tmpfs_statfs,
};

const struct vfsops devtmpfs_vfsops = {
	.vfs_name = "devtmpfs",
	.vfs_mount = devtmpfs_mount,
	.vfs_unmount = ramfs_unmount,
	.vfs_statfs = tmpfs_statfs,
};

static const struct vnode_ops ramfs_dir_ops = {
	.vop_lookup = ramfs_lookup,
	.vop_create = ramfs_create,
	.vop_link = ramfs_vop_link,
	.vop_unlink = ramfs_unlink,
	.vop_rename = ramfs_rename,
	.vop_getdents = ramfs_getdents,
	.vop_reclaim = ramfs_reclaim,
};

static const struct vnode_ops ramfs_file_ops = {
	.vop_read = ramfs_read,
	.vop_write = ramfs_write,
	.vop_truncate = ramfs_truncate,
	.vop_fallocate = ramfs_fallocate,
	.vop_mmap = ramfs_mmap,
	.vop_reclaim = ramfs_reclaim,
};

static const struct vnode_ops ramfs_symlink_ops = {
	.vop_readlink = ramfs_readlink,
	.vop_reclaim = ramfs_reclaim,
};

static const struct vnode_ops ramfs_special_ops = {
	.vop_reclaim = ramfs_reclaim,
};
