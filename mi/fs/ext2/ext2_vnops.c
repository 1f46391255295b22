/*
 * The vnode operations of ext2 (see ext2_vnode.h): names through the
 * on-disk layer under the inode locks, file data through the vnode
 * pager's page cache, attributes mirrored into the vnodes.
 *
 * read(2) copies from the file's pages, which the pager reads (and reads
 * ahead) from the disk.  write(2), page by page: the page (read first if
 * the write covers only part of old data, else a zeroed one), then the
 * blocks it writes (ext2_balloc, so ENOSPC and EFBIG reach write), then
 * the copy; the page is dirty and the syncer or fsync writes it back.
 * Both hold the file's I/O lock for their whole length and the inode
 * lock only around calls into the layer, never across a copy to or from
 * user memory.
 */
#include <kern/systm.h>
#include <kern/malloc.h>
#include <kern/proc.h>
#include <kern/thread.h>
#include <machine/param.h>
#include <vm/pmap.h>
#include <vm/vm_object.h>
#include <vm/vm_page.h>
#include <vm/vnode_pager.h>
#include <fs/ext2/ext2_vnode.h>
#include <fs/mount.h>
#include <fs/vnode.h>
#include <uapi/stat.h>

#define EXT2_S_IFMT_OF(type)	vtype_to_ifmt(type)

void
ext2_ilock(struct vnode *vp)
{
	sx_xlock(&VTON(vp)->en_lock);
}

void
ext2_iunlock(struct vnode *vp)
{
	sx_xunlock(&VTON(vp)->en_lock);
}

/* Lock a and b (distinct), by address: two children, or two unrelated directories. */
static void
ilock_pair(struct vnode *a, struct vnode *b)
{
	if (a > b) {
		struct vnode *t = a;

		a = b;
		b = t;
	}
	ext2_ilock(a);
	ext2_ilock(b);
}

/*
 * Names.
 */

static int
ext2_vop_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
	uint32_t ino;
	uint8_t type;
	int error;

	ext2_ilock(dir);
	if ((error = ext2_lookup(VTOI(dir), name, len, &ino, &type)) == 0)
		error = ext2_vget(dir->v_mount, ino, dir, name, len, out);
	ext2_iunlock(dir);
	return error;
}

/* Linux's dev_t encoding, split. */
static void
rdev_split(uint32_t rdev, uint32_t *major, uint32_t *minor)
{
	*major = (rdev >> 8) & 0xfff;
	*minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
}

static int
ext2_vop_create(struct vnode *dir, const char *name, size_t len, const struct vcreate *vc,
    struct vnode **out)
{
	struct ext2_inode *dp = VTOI(dir), *ip = NULL;
	uint32_t major, minor;
	int error;

	ext2_ilock(dir);
	switch (vc->vc_type) {
	case VREG:
		error = ext2_create(dp, name, len, (uint16_t)vc->vc_mode, vc->vc_uid, vc->vc_gid, &ip);
		break;
	case VDIR:
		error = ext2_mkdir(dp, name, len, (uint16_t)vc->vc_mode, vc->vc_uid, vc->vc_gid, &ip);
		break;
	case VLNK:
		error = ext2_symlink(dp, name, len, vc->vc_target, vc->vc_targetlen, vc->vc_uid,
		    vc->vc_gid, &ip);
		break;
	case VFIFO:
	case VSOCK:
	case VCHR:
	case VBLK:
		rdev_split(vc->vc_rdev, &major, &minor);
		error = ext2_mknod(dp, name, len,
		    (uint16_t)(EXT2_S_IFMT_OF(vc->vc_type) | vc->vc_mode), vc->vc_uid, vc->vc_gid,
		    major, minor, &ip);
		break;
	default:
		error = EINVAL;
		break;
	}
	if (error == 0 && (error = ext2_vnew(dir->v_mount, ip, dir, name, len, out)) != 0) {
		printf("ext2: no memory for the vnode of new inode %u\n", ip->i_number);
		ext2_iput(ip);		/* it has its link: only the memory goes */
	}
	ext2_vattr(dir);
	ext2_iunlock(dir);
	syncer_note_dirty();
	return error;
}

static int
ext2_vop_link(struct vnode *dir, const char *name, size_t len, struct vnode *vp)
{
	int error;

	ext2_ilock(dir);
	ext2_ilock(vp);
	error = vp->v_nlink == 0 ? ENOENT : ext2_link(VTOI(dir), name, len, VTOI(vp));
	ext2_vattr(vp);
	ext2_vattr(dir);
	ext2_iunlock(vp);
	ext2_iunlock(dir);
	syncer_note_dirty();
	return error;
}

static int
ext2_vop_unlink(struct vnode *dir, const char *name, size_t len, struct vnode *vp, bool rmdir)
{
	int error;

	if (vp->v_mountedhere != NULL)
		return EBUSY;
	ext2_ilock(dir);
	ext2_ilock(vp);
	if (rmdir)
		error = ext2_rmdir(VTOI(dir), name, len, VTOI(vp));
	else
		error = ext2_unlink(VTOI(dir), name, len, VTOI(vp));
	ext2_vattr(vp);
	ext2_vattr(dir);
	ext2_iunlock(vp);
	ext2_iunlock(dir);
	syncer_note_dirty();
	return error;
}

/* Lock the two directories of a rename: the one above the other first. */
static void
ilock_dirs(struct vnode *fdir, struct vnode *tdir)
{
	if (fdir == tdir)
		ext2_ilock(fdir);
	else if (vn_is_ancestor(fdir, tdir))
		ext2_ilock(fdir), ext2_ilock(tdir);
	else if (vn_is_ancestor(tdir, fdir))
		ext2_ilock(tdir), ext2_ilock(fdir);
	else
		ilock_pair(fdir, tdir);
}

static int
ext2_vop_rename(struct vnode *fdir, const char *fname, size_t flen, struct vnode *fvp,
    struct vnode *tdir, const char *tname, size_t tlen, struct vnode *tvp, int flags)
{
	int error;

	if (flags & VRENAME_EXCHANGE)
		return EINVAL;		/* as Linux's ext2 */
	if (fvp->v_mountedhere != NULL || (tvp != NULL && tvp->v_mountedhere != NULL))
		return EBUSY;
	ilock_dirs(fdir, tdir);
	if (tvp != NULL)
		ilock_pair(fvp, tvp);
	else
		ext2_ilock(fvp);
	error = ext2_rename(VTOI(fdir), fname, flen, VTOI(fvp), VTOI(tdir), tname, tlen,
	    tvp != NULL ? VTOI(tvp) : NULL);
	ext2_vattr(fvp);
	if (tvp != NULL) {
		ext2_vattr(tvp);
		ext2_iunlock(tvp);
	}
	ext2_iunlock(fvp);
	ext2_vattr(fdir);
	if (tdir != fdir) {
		ext2_vattr(tdir);
		ext2_iunlock(tdir);
	}
	ext2_iunlock(fdir);
	if (error == 0 && fvp->v_type == VDIR)
		vn_set_parent(fvp, tdir, tname, tlen);
	syncer_note_dirty();
	return error;
}

/* getdents: records into a kernel buffer. */
struct fill_ctx {
	void	*buf;
	size_t	len;
	size_t	used;
	bool	filetype;
};

static enum vtype
ft_vtype(uint8_t type)
{
	switch (type) {
	case EXT2_FT_REG_FILE:	return VREG;
	case EXT2_FT_DIR:	return VDIR;
	case EXT2_FT_CHRDEV:	return VCHR;
	case EXT2_FT_BLKDEV:	return VBLK;
	case EXT2_FT_FIFO:	return VFIFO;
	case EXT2_FT_SOCK:	return VSOCK;
	case EXT2_FT_SYMLINK:	return VLNK;
	default:		return VNON;
	}
}

static int
fill_one(void *arg, const char *name, size_t len, uint32_t ino, uint8_t type, uint64_t next)
{
	struct fill_ctx *c = arg;
	size_t used = dirent_add(c->buf, c->len, c->used, ino, next, ft_vtype(type), name, len);

	if (used == 0)
		return 1;		/* full: this entry starts the next call */
	c->used = used;
	return 0;
}

static ssize_t
ext2_vop_getdents(struct vnode *dir, uint64_t *off, void *buf, size_t len)
{
	struct fill_ctx c = { buf, len, 0, true };
	uint64_t cookie = *off;
	int error;

	ext2_ilock(dir);
	error = ext2_readdir(VTOI(dir), &cookie, fill_one, &c);
	ext2_iunlock(dir);
	if (error)
		return -error;
	if (c.used == 0 && cookie < VTOI(dir)->i_size)
		return -EINVAL;		/* not even one record fits */
	*off = cookie;
	return (ssize_t)c.used;
}

static ssize_t
ext2_vop_readlink(struct vnode *vp, struct uio *uio)
{
	char *buf = malloc(PATH_MAX, M_TEMP, M_WAITOK);
	size_t len;
	int error;

	if (buf == NULL)
		return -ENOMEM;
	ext2_ilock(vp);
	error = ext2_readlink(VTOI(vp), buf, PATH_MAX, &len);
	ext2_iunlock(vp);
	len = MIN(len, uio->uio_resid);
	if (error == 0)
		error = uiomove(buf, len, uio);
	free(buf, M_TEMP);
	return error ? -error : (ssize_t)len;
}

/*
 * Attributes.
 */

static int
ext2_vop_setattr(struct vnode *vp, const struct vsetattr *va)
{
	struct ext2_attr attr = {
		.a_mask = ((va->va_mask & VA_MODE) ? EXT2_ATTR_MODE : 0) |
		    ((va->va_mask & VA_UID) ? EXT2_ATTR_UID : 0) |
		    ((va->va_mask & VA_GID) ? EXT2_ATTR_GID : 0) |
		    ((va->va_mask & VA_ATIME) ? EXT2_ATTR_ATIME : 0) |
		    ((va->va_mask & VA_MTIME) ? EXT2_ATTR_MTIME : 0),
		.a_mode = (uint16_t)va->va_mode, .a_uid = va->va_uid, .a_gid = va->va_gid,
		.a_atime = (uint32_t)va->va_atime.tv_sec, .a_mtime = (uint32_t)va->va_mtime.tv_sec,
	};
	int error;

	ext2_ilock(vp);
	error = ext2_setattr(VTOI(vp), &attr);
	ext2_vattr(vp);
	ext2_iunlock(vp);
	syncer_note_dirty();
	return error;
}

static void
ext2_vop_getattr(struct vnode *vp, struct stat *st)
{
	st->st_blocks = VTOI(vp)->i_blocks;
	st->st_blksize = (int32_t)vp->v_mount->mnt_bsize;
}

/*
 * File data.
 */

static ssize_t
ext2_vop_read(struct vnode *vp, struct uio *uio)
{
	return vnode_pager_read(vp, uio, vnode_pager_get_page, false);
}

/* Give every block of [off, off + n) of vp a place on disk. */
static int
alloc_blocks(struct vnode *vp, uint64_t off, size_t n)
{
	struct ext2_inode *ip = VTOI(vp);
	uint32_t bshift = ip->i_mp->m_bshift;
	uint64_t pblk;
	bool fresh;
	int error = 0;

	ext2_ilock(vp);
	for (uint64_t lblk = off >> bshift; lblk <= (off + n - 1) >> bshift && error == 0; lblk++)
		error = ext2_balloc(ip, lblk, &pblk, &fresh);
	ext2_iunlock(vp);
	return error;
}

/* A new size after a write, in the inode and the vnode.  The inode lock is taken. */
static int
write_done(struct vnode *vp, uint64_t end)
{
	int error;

	ext2_ilock(vp);
	error = ext2_write_done(VTOI(vp), end);
	ext2_vattr(vp);
	ext2_iunlock(vp);
	syncer_note_dirty();
	return error;
}

static ssize_t
ext2_vop_write(struct vnode *vp, struct uio *uio)
{
	struct ext2_inode *ip = VTOI(vp);
	uint64_t size, end, max = ip->i_mp->m_maxfilesize;
	size_t done = 0;
	int error = 0;

	if ((error = vnode_pager_write_begin(vp, uio, max, &size)) != 0)
		return -error;
	end = size;
	while (uio->uio_resid > 0) {
		uint64_t off = uio->uio_offset;
		size_t pgoff = off & PAGE_MASK, n = MIN(PAGE_SIZE - pgoff, uio->uio_resid);
		bool contents = n < PAGE_SIZE && ptoa(atop(off)) < end, copied;
		struct vm_page *m;

		error = vnode_pager_grab_page(vp, atop(off), contents, &m);
		if (error == ENOMEM) {
			if ((error = vnode_pager_wait_memory(vp, false)) != 0)
				break;
			end = vp->v_size;	/* the lock was dropped: a truncation may have come */
			continue;
		}
		if (error != 0)
			break;
		copied = (error = alloc_blocks(vp, off, n)) == 0;
		if (copied)
			error = uiomove((void *)(PHYS_TO_DMAP(VM_PAGE_TO_PHYS(m)) + pgoff), n, uio);
		/* A copy that failed may have changed part of it: to be written all the same. */
		vnode_pager_release_page(vp, m, copied);
		if (error != 0)
			break;
		done += n;
		end = MAX(end, off + n);
		if (end > size) {
			spin_lock(&vp->v_lock);
			vp->v_size = end;	/* the pager's end of file follows the write */
			spin_unlock(&vp->v_lock);
		}
	}
	if (done > 0) {
		int error2 = write_done(vp, end);

		if (error == 0)
			error = error2;
	}
	if (error && end < uio->uio_offset + uio->uio_resid) {
		/* Blocks and pages allocated past the end for bytes that never came go. */
		vm_object_page_remove(vp->v_object, atop(round_page(end)), UINT64_MAX);
		ext2_ilock(vp);
		ext2_truncate(ip, ip->i_size);
		ext2_vattr(vp);
		ext2_iunlock(vp);
	}
	vn_iounlock(vp);
	if (done == 0 && error)
		return -error;
	return (ssize_t)done;
}

static int
ext2_vop_truncate(struct vnode *vp, uint64_t size)
{
	struct ext2_inode *ip = VTOI(vp);
	uint64_t old;
	int error;

	if (size > ip->i_mp->m_maxfilesize)
		return EFBIG;
	vn_iolock(vp);
	old = vp->v_size;
	if (size < old) {
		/*
		 * Faults past the new end fail from now on.  No page past it may be
		 * written back once its blocks are freed (they may be reused), nor
		 * read in by a fault that saw the old size (faults take no I/O
		 * lock): drain both before pages and blocks go.
		 */
		spin_lock(&vp->v_lock);
		vp->v_size = size;
		spin_unlock(&vp->v_lock);
		vnode_pager_drain(vp);
		vm_object_page_remove(vp->v_object, atop(round_page(size)), UINT64_MAX);
	}
	vnode_pager_zero_tail(vp, MIN(size, old));
	ext2_ilock(vp);
	error = ext2_truncate(ip, size);
	ext2_vattr(vp);
	ext2_iunlock(vp);
	vn_iounlock(vp);
	syncer_note_dirty();
	return error;
}

/* The inode and the metadata: coarsely, the whole file system's. */
static int
ext2_vop_fsync_metadata(struct vnode *vp)
{
	struct ext2_vfs *ev = vp->v_mount->mnt_data;

	return ext2_sync(ev->ev_em);
}

static int
ext2_vop_fsync(struct vnode *vp)
{
	int error = 0, error2;

	if (vp->v_type == VREG) {
		vn_iolock(vp);
		error = vnode_pager_write_back(vp, 0, UINT64_MAX, true);
		vn_iounlock(vp);
	}
	if ((error2 = ext2_vop_fsync_metadata(vp)) != 0 && error == 0)
		error = error2;
	return error;
}

static int
ext2_vop_bmap(struct vnode *vp, uint64_t off, uint64_t maxlen, uint64_t *diskoff,
    uint64_t *len)
{
	struct ext2_inode *ip = VTOI(vp);
	uint32_t bshift = ip->i_mp->m_bshift, run;
	uint64_t pblk, maxrun = howmany(maxlen, (uint64_t)ip->i_mp->m_bsize);
	int error;

	ext2_ilock(vp);
	error = ext2_bmap(ip, off >> bshift, (uint32_t)MIN(maxrun, UINT32_MAX), &pblk, &run);
	ext2_iunlock(vp);
	if (error)
		return error;
	*diskoff = pblk == 0 ? VBMAP_HOLE : pblk << bshift;
	*len = (uint64_t)run << bshift;
	return 0;
}

/* The blocks of [off, off + len) of vp, for write-back of pages a mapping wrote over holes. */
static int
ext2_vop_balloc(struct vnode *vp, uint64_t off, uint64_t len)
{
	return alloc_blocks(vp, off, len);
}

/* A mapping maps the file's object: the vnode pager reads and writes its pages. */
static int
ext2_vop_mmap(struct vnode *vp, uint64_t off, uint64_t len, struct vm_object **objp,
    bool *anonymous)
{
	vm_object_reference(vp->v_object);
	*objp = vp->v_object;
	*anonymous = false;
	return 0;
}

/*
 * The end of a vnode.
 */

static void
ext2_vop_reclaim(struct vnode *vp)
{
	if (VTON(vp) == NULL) {
		vnode_free(vp);		/* never finished (no memory) */
		return;
	}
	ext2_unhash(vp);
	if (vp->v_type == VREG) {
		/* Nothing of it may be in flight; its pages go with the object. */
		vnode_pager_drain(vp);
		vm_object_deallocate(vp->v_object);	/* vop_free when the object dies */
		return;
	}
	ext2_node_release(vp);
}

const struct vnode_ops ext2_dir_ops = {
	.vop_lookup = ext2_vop_lookup,
	.vop_create = ext2_vop_create,
	.vop_link = ext2_vop_link,
	.vop_unlink = ext2_vop_unlink,
	.vop_rename = ext2_vop_rename,
	.vop_getdents = ext2_vop_getdents,
	.vop_setattr = ext2_vop_setattr,
	.vop_getattr = ext2_vop_getattr,
	.vop_fsync = ext2_vop_fsync,
	.vop_reclaim = ext2_vop_reclaim,
};

const struct vnode_ops ext2_file_ops = {
	.vop_read = ext2_vop_read,
	.vop_write = ext2_vop_write,
	.vop_truncate = ext2_vop_truncate,
	.vop_setattr = ext2_vop_setattr,
	.vop_getattr = ext2_vop_getattr,
	.vop_mmap = ext2_vop_mmap,
	.vop_fsync = ext2_vop_fsync,
	.vop_bmap = ext2_vop_bmap,
	.vop_balloc = ext2_vop_balloc,
	.vop_fsync_metadata = ext2_vop_fsync_metadata,
	.vop_reclaim = ext2_vop_reclaim,
	.vop_free = ext2_defer_free,
};

const struct vnode_ops ext2_symlink_ops = {
	.vop_readlink = ext2_vop_readlink,
	.vop_setattr = ext2_vop_setattr,
	.vop_getattr = ext2_vop_getattr,
	.vop_reclaim = ext2_vop_reclaim,
};

const struct vnode_ops ext2_special_ops = {
	.vop_setattr = ext2_vop_setattr,
	.vop_getattr = ext2_vop_getattr,
	.vop_reclaim = ext2_vop_reclaim,
};
