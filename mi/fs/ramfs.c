/*
 * ramfs: directories and regular files that live only in memory.
 *
 * Directories.  A directory's entries are a table of slots, each NULL or
 * a (name, vnode) pair; a name keeps its slot until it is removed, and a
 * slot's index is the entry's position for getdents (the cookie of slot
 * i is i + 3, after "." = 1 and ".." = 2), so removing entries never
 * moves others under a reader.  Lookups scan the table: directories here
 * are small.  The table is guarded by the directory's v_lock; an entry
 * counts as one link (v_nlink) of its vnode, not a reference.
 *
 * Regular files.  A file's data are the pages of its vm_object and
 * nothing else: there is no backing store behind ramfs.  A page that is
 * not resident is a hole and reads as zeros; write allocates pages as it
 * goes; truncate frees the pages past the new end and zeroes the tail of
 * the last one, so a later extension reads zeros there.  The same pages
 * are what mmap maps (the vnode pager, vm/vnode_pager.c, zero-fills a page
 * a fault finds missing, and refuses pages past the end of the file).
 *
 * Locking.  Reads, writes and truncations of a file hold its I/O lock
 * (an sx lock: shared to read, exclusive to write or truncate) for their
 * whole length, so pages cannot
 * be freed while data are copied to or from user memory, which may
 * fault.  A page is looked up or allocated under the object lock, which
 * is dropped before copying; no page is left busy across a copy.  v_size changes
 * under both the I/O lock and v_lock, so the pager and stat may read it
 * with v_lock alone.  Lock order: directory v_lock, then entry v_lock.
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
#include <fs/ramfs.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>

MALLOC_DEFINE(M_RAMFS, "ramfs", "ramfs directories and entries");

#define DIR_MIN_SLOTS	8

struct ramfs_dirent {
	struct vnode	*de_vnode;	/* (C) one link of it */
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

bool
ramfs_is_dir(const struct vnode *vp)
{
	return vp->v_ops == &ramfs_dir_ops;
}

/*
 * Making and freeing vnodes.
 */

static struct vnode *
ramfs_new(enum vtype type, uint32_t mode, struct vnode *parent, const char *name,
    size_t len)
{
	const struct vnode_ops *ops = type == VDIR ? &ramfs_dir_ops : &ramfs_file_ops;
	struct vnode *vp = vnode_alloc(type, mode, ops, parent, name, len);

	if (vp == NULL)
		return NULL;
	vp->v_fsid = FSID_RAMFS;
	if (type == VDIR)
		vp->v_data = malloc(sizeof(struct ramfs_dir), M_RAMFS, M_WAITOK | M_ZERO);
	else
		vp->v_object = vnode_pager_alloc(vp);
	if (vp->v_data == NULL && vp->v_object == NULL) {
		vrele(vp);		/* no links: reclaimed at once */
		return NULL;
	}
	return vp;
}

static void
ramfs_reclaim(struct vnode *vp)
{
	struct ramfs_dir *d = vp->v_data;

	if (vp->v_type == VREG && vp->v_object != NULL) {
		/* The pager frees vp when the object's last mapping goes too. */
		vm_object_deallocate(vp->v_object);
		return;
	}
	if (d != NULL) {
		KASSERT(d->rd_nused == 0, ("ramfs_reclaim: directory %lu has %u entries",
		    vp->v_ino, d->rd_nused));
		free(d->rd_slots, M_RAMFS);
		free(d, M_RAMFS);
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

/*
 * Lock dir with a free slot in its table, growing the table if needed
 * (the allocation is made with the lock dropped).  0 or ENOMEM (unlocked).
 */
static int
dir_lock_with_room(struct vnode *dir)
{
	struct ramfs_dir *d = dir->v_data;

	for (;;) {
		struct ramfs_dirent **slots, **old = NULL;
		uint32_t n;

		spin_lock(&dir->v_lock);
		if (d->rd_nused < d->rd_nslots)
			return 0;
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
	}
}

/* Enter vp in dir as name: one more link of vp.  0, EEXIST, ENOENT, ENOMEM. */
static int
dir_insert(struct vnode *dir, const char *name, size_t len, struct vnode *vp)
{
	struct ramfs_dir *d = dir->v_data;
	struct ramfs_dirent *de;
	uint32_t i;
	int error;

	if (len == 0 || len > NAME_MAX)
		return len == 0 ? ENOENT : ENAMETOOLONG;
	if ((de = malloc(sizeof(*de) + len, M_RAMFS, M_WAITOK)) == NULL)
		return ENOMEM;
	de->de_vnode = vp;
	de->de_namelen = len;
	memcpy(de->de_name, name, len);
	if ((error = dir_lock_with_room(dir)) != 0) {
		free(de, M_RAMFS);
		return error;
	}
	if (dir->v_flags & VV_UNLINKED)
		error = ENOENT;		/* no new entries in a removed directory */
	else if (dir_find(d, name, len) >= 0)
		error = EEXIST;
	if (error) {
		spin_unlock(&dir->v_lock);
		free(de, M_RAMFS);
		return error;
	}
	for (i = 0; d->rd_slots[i] != NULL; i++)
		;
	d->rd_slots[i] = de;
	d->rd_nused++;
	dir->v_mtime_ns = uptime_ns();
	spin_lock(&vp->v_lock);
	vp->v_nlink++;
	spin_unlock(&vp->v_lock);
	spin_unlock(&dir->v_lock);
	return 0;
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
ramfs_create(struct vnode *dir, const char *name, size_t len, enum vtype type,
    uint32_t mode, struct vnode **out)
{
	struct vnode *vp;
	int error;

	if (type != VREG && type != VDIR && type != VSOCK)	/* VSOCK: a socket's name (bind) */
		return EINVAL;
	if (len > NAME_MAX)
		return ENAMETOOLONG;
	if ((vp = ramfs_new(type, mode, dir, name, len)) == NULL)
		return ENOMEM;
	if ((error = dir_insert(dir, name, len, vp)) != 0) {
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
	return dir_insert(dir, name, len, vp);
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

static int
ramfs_unlink(struct vnode *dir, const char *name, size_t len, bool rmdir)
{
	struct ramfs_dir *d = dir->v_data;
	struct ramfs_dirent *de;
	int i, error;

	spin_lock(&dir->v_lock);
	if ((i = dir_find(d, name, len)) < 0) {
		spin_unlock(&dir->v_lock);
		return ENOENT;
	}
	de = d->rd_slots[i];
	if ((error = check_removable(de->de_vnode, rmdir)) != 0) {
		spin_unlock(&dir->v_lock);
		return error;
	}
	d->rd_slots[i] = NULL;
	d->rd_nused--;
	dir->v_mtime_ns = uptime_ns();
	spin_unlock(&dir->v_lock);
	vnode_unlinked(de->de_vnode);
	free(de, M_RAMFS);
	return 0;
}

static ssize_t
ramfs_getdents(struct vnode *dir, uint64_t *offp, void *buf, size_t len)
{
	struct ramfs_dir *d = dir->v_data;
	struct vnode *up = dir->v_parent != NULL ? dir->v_parent : dir;
	uint64_t cookie = *offp;
	size_t used = 0, n;
	bool full = false;

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
		if ((n = dirent_add(buf, len, used, up->v_ino, 2, VDIR, "..", 2)) == 0)
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
 * Regular files.
 */

/*
 * The page at pindex of obj, not busy; with alloc, a missing page is
 * allocated and zeroed, else NULL is returned for it (a hole).  NULL with
 * alloc means no memory, and none coming back (vm_wait).  The caller
 * holds the file's I/O lock, which keeps the page in the object after the
 * object lock is dropped, and the page comes wired (a kernel wiring),
 * which keeps the page daemon away from it while it is copied:
 * file_page_release ends that.
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
		if ((m = vm_page_alloc(obj, pindex, 0)) != NULL) {
			vm_object_pip_add(obj);
			spin_unlock(&obj->lock);
			pmap_zero_page(m);
			spin_lock(&obj->lock);
			vm_page_xunbusy(m);
			vm_object_pip_wakeup(obj);
			vm_page_wire_kernel(m);
			spin_unlock(&obj->lock);
			return m;
		}
		spin_unlock(&obj->lock);
		if (vm_wait(0, VM_ALLOC_NORMAL, VM_WAIT_FAILOK) != 0)
			return NULL;
	}
}

/*
 * Done copying to or from m, a page file_page gave: with dirtied, the
 * kernel wrote it, which no pmap saw: the page is the file's only copy
 * now, and must be written (to swap) before it may be dropped.
 */
static void
file_page_release(struct vm_object *obj, struct vm_page *m, bool dirtied)
{
	spin_lock(&obj->lock);
	if (dirtied)
		vm_page_set_dirty(m);
	vm_page_unwire_kernel(m);
	spin_unlock(&obj->lock);
}

static inline void *
page_kva(struct vm_page *m, size_t off)
{
	return (void *)(PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)) + off);
}

/* Zero the last page of the file past size (the part a mapping may have dirtied). */
static void
zero_tail(struct vnode *vp, uint64_t size)
{
	size_t off = size & PAGE_MASK;
	struct vm_page *m;

	if (off == 0)
		return;
	if ((m = file_page(vp->v_object, atop(size), false)) != NULL) {
		memset(page_kva(m, off), 0, PAGE_SIZE - off);
		file_page_release(vp->v_object, m, true);
	}
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

	spin_lock(&vp->v_lock);
	vp->v_size = size;
	vp->v_mtime_ns = uptime_ns();
	spin_unlock(&vp->v_lock);
	spin_lock(&obj->lock);
	obj->size = atop(round_page(size));
	spin_unlock(&obj->lock);
}

static ssize_t
ramfs_read(struct vnode *vp, struct uio *uio)
{
	size_t done = 0;
	uint64_t size;
	int error = 0;

	vn_iolock_shared(vp);
	size = vp->v_size;
	while (uio->uio_resid > 0 && uio->uio_offset < size) {
		uint64_t off = uio->uio_offset;
		size_t pgoff = off & PAGE_MASK;
		size_t n = MIN(MIN(PAGE_SIZE - pgoff, uio->uio_resid), size - off);
		struct vm_page *m = file_page(vp->v_object, atop(off), false);

		if (m != NULL) {
			error = uiomove(page_kva(m, pgoff), n, uio);
			file_page_release(vp->v_object, m, false);
		} else {
			error = uiomove_zeros(n, uio);
		}
		if (error)
			break;
		done += n;
	}
	vn_iounlock(vp);
	if (done == 0 && error)
		return -error;
	return (ssize_t)done;
}

static ssize_t
ramfs_write(struct vnode *vp, struct uio *uio)
{
	uint64_t size, end;
	size_t done = 0;
	int error = 0;

	vn_iolock(vp);
	size = vp->v_size;
	if (uio->uio_ioflag & IO_APPEND)
		uio->uio_offset = size;
	if (uio->uio_resid > 0 && uio->uio_offset >= RAMFS_MAXFILESIZE) {
		vn_iounlock(vp);
		return -EFBIG;
	}
	if (uio->uio_resid > RAMFS_MAXFILESIZE - uio->uio_offset)
		uio->uio_resid = RAMFS_MAXFILESIZE - uio->uio_offset;
	if (uio->uio_resid > 0 && uio->uio_offset + uio->uio_resid > size)
		zero_tail(vp, size);
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
		file_page_release(vp->v_object, m, true);
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
		zero_tail(vp, size);
	} else {
		if (size > old)
			zero_tail(vp, old);
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
			file_page_release(vp->v_object, m, true);
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
		zero_tail(vp, size);
		set_size(vp, end);
	}
	/* Dirty: the file's only copy, kept (or written to swap) like written data. */
	for (uint64_t a = trunc_page(off); a < alloc_end && error == 0; a += PAGE_SIZE) {
		struct vm_page *m = file_page(vp->v_object, atop(a), true);

		if (m == NULL)
			error = ENOSPC;
		else
			file_page_release(vp->v_object, m, true);
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
 * Roots.
 */

struct vnode *
ramfs_mkroot(void)
{
	struct vnode *root = ramfs_new(VDIR, 0755, NULL, NULL, 0);

	if (root != NULL)
		root->v_nlink = 1;	/* the mount: it is never unlinked */
	return root;
}

int
ramfs_rmroot(struct vnode *root)
{
	struct ramfs_dir *d = root->v_data;
	bool empty;

	KASSERT(ramfs_is_dir(root) && root->v_parent == NULL, ("ramfs_rmroot: not a root"));
	spin_lock(&root->v_lock);
	empty = d->rd_nused == 0;
	spin_unlock(&root->v_lock);
	if (!empty)
		return ENOTEMPTY;
	vnode_unlinked(root);
	vrele(root);
	return 0;
}

static const struct vnode_ops ramfs_dir_ops = {
	.vop_lookup = ramfs_lookup,
	.vop_create = ramfs_create,
	.vop_unlink = ramfs_unlink,
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
