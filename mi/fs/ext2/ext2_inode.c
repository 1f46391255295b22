/*
 * ext2 inodes: reading one from its inode table into core and checking
 * it, writing it back, making a new one, and freeing one whose last
 * link and last user are gone.  Attribute changes too.
 *
 * An inode occupies s_inode_size bytes of its group's inode table.  We
 * decode the first 128 (struct ext2_dinode) and, on writing, patch those
 * fields in place, so the bytes we do not model (ext4's extra fields,
 * in-inode extended attributes) survive; only the nanosecond parts of
 * the times are cleared, because we store whole seconds.
 */
#include <kern/buf.h>
#include <fs/ext2/ext2_internal.h>

static int inode_write(struct ext2_inode *ip, bool fresh);
static int inode_delete(struct ext2_inode *ip);

/* Where inode ino lives: its inode-table block and the byte offset in it. */
static void
inode_locate(const struct ext2_mount *mp, uint32_t ino, uint64_t *blk, uint32_t *off)
{
	uint64_t byte = (uint64_t)((ino - 1) % mp->m_ipg) * mp->m_inode_size;

	*blk = mp->m_groups[ext2_ino_group(mp, ino)].g_inode_table + (byte >> mp->m_bshift);
	*off = (uint32_t)(byte & (mp->m_bsize - 1));
}

static bool
known_type(uint16_t mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG: case EXT2_S_IFDIR: case EXT2_S_IFLNK: case EXT2_S_IFCHR:
	case EXT2_S_IFBLK: case EXT2_S_IFIFO: case EXT2_S_IFSOCK:
		return true;
	}
	return false;
}

/* Is the in-core inode ip, just read, one we can use safely? */
static int
inode_check(struct ext2_mount *mp, const struct ext2_inode *ip)
{
	uint32_t ino = ip->i_number;

	if (ip->i_links == 0)
		return ext2_corrupt(mp, "inode %u is in a directory but not in use", ino);
	if (!known_type(ip->i_mode))
		return ext2_corrupt(mp, "inode %u has unknown type 0%o", ino, ip->i_mode);
	if (ip->i_flags & EXT2_FL_UNSUPPORTED)
		return ext2_corrupt(mp, "inode %u has flags 0x%x of features not on this "
		    "file system", ino, ip->i_flags & EXT2_FL_UNSUPPORTED);
	if (ext2_is_reg(ip) && ip->i_size > mp->m_maxfilesize)
		return ext2_corrupt(mp, "inode %u is larger than a file can be", ino);
	/* Directories have no holes: their size is at most the blocks they hold. */
	if (ext2_is_dir(ip) && ((ip->i_size & (mp->m_bsize - 1)) != 0 ||
	    ip->i_size > (uint64_t)ip->i_blocks << EXT2_SECTOR_SHIFT))
		return ext2_corrupt(mp, "directory %u has a partial block or holes", ino);
	if (ext2_is_symlink(ip) && (ip->i_size == 0 || ip->i_size > EXT2_MAX_SYMLINK))
		return ext2_corrupt(mp, "symlink %u has bad length %lu", ino,
		    (unsigned long)ip->i_size);
	return 0;
}

int
ext2_iget(struct ext2_mount *mp, uint32_t ino, struct ext2_inode **ipp)
{
	const struct ext2_dinode *d;
	struct ext2_inode *ip;
	struct buf *bp;
	uint64_t blk;
	uint32_t off;
	int error;

	*ipp = NULL;
	if (ino == 0 || ino > mp->m_inodes_count || (ino < mp->m_first_ino && ino != EXT2_ROOT_INO))
		return ext2_corrupt(mp, "inode number %u is reserved or out of range", ino);
	inode_locate(mp, ino, &blk, &off);
	if ((error = ext2_bread(mp, blk, &bp)) != 0)
		return error;
	if ((ip = malloc(sizeof(*ip), M_EXT2, M_WAITOK | M_ZERO)) == NULL) {
		brelse(bp);
		return ENOMEM;
	}
	d = (const struct ext2_dinode *)((const uint8_t *)bp->b_data + off);
	ip->i_mp = mp;
	ip->i_number = ino;
	ip->i_mode = d->i_mode;
	ip->i_links = d->i_links_count;
	ip->i_uid = d->i_uid | (uint32_t)d->i_uid_high << 16;
	ip->i_gid = d->i_gid | (uint32_t)d->i_gid_high << 16;
	ip->i_size = d->i_size;
	if ((d->i_mode & EXT2_S_IFMT) == EXT2_S_IFREG)
		ip->i_size |= (uint64_t)d->i_size_high << 32;
	ip->i_atime = d->i_atime;
	ip->i_mtime = d->i_mtime;
	ip->i_ctime = d->i_ctime;
	ip->i_dtime = d->i_dtime;
	ip->i_blocks = d->i_blocks;
	ip->i_flags = d->i_flags;
	ip->i_generation = d->i_generation;
	ip->i_file_acl = d->i_file_acl;
	memcpy(ip->i_blkptr, d->i_block, sizeof(ip->i_blkptr));
	brelse(bp);
	if ((error = inode_check(mp, ip)) != 0) {
		free(ip, M_EXT2);
		return error;
	}
	*ipp = ip;
	return 0;
}

int
ext2_iput(struct ext2_inode *ip)
{
	int error = 0;

	if (ip->i_links == 0 && ext2_writable(ip->i_mp) == 0)
		error = inode_delete(ip);
	free(ip, M_EXT2);
	return error;
}

int
ext2_iupdate(struct ext2_inode *ip)
{
	int error;

	if ((error = ext2_writable(ip->i_mp)) != 0)
		return error;
	return inode_write(ip, false);
}

int
ext2_inode_alloc(struct ext2_inode *dp, uint16_t mode, uint32_t uid, uint32_t gid,
    struct ext2_inode **ipp)
{
	struct ext2_mount *mp = dp->i_mp;
	bool isdir = (mode & EXT2_S_IFMT) == EXT2_S_IFDIR;
	struct ext2_inode *ip;
	uint32_t ino, inherit;
	int error;

	*ipp = NULL;
	if ((error = ext2_alloc_inode(dp, isdir, &ino)) != 0)
		return error;
	if ((ip = malloc(sizeof(*ip), M_EXT2, M_WAITOK | M_ZERO)) == NULL) {
		ext2_free_inode(mp, ino, isdir);
		return ENOMEM;
	}
	if (isdir)
		inherit = EXT2_FL_DIR_INHERITED;
	else if ((mode & EXT2_S_IFMT) == EXT2_S_IFREG)
		inherit = EXT2_FL_INHERITED;
	else
		inherit = EXT2_NODUMP_FL | EXT2_NOATIME_FL;
	ip->i_mp = mp;
	ip->i_number = ino;
	ip->i_mode = mode;
	ip->i_links = 1;
	ip->i_uid = uid;
	ip->i_gid = gid;
	ip->i_atime = ip->i_mtime = ip->i_ctime = ext2_now(mp);
	ip->i_flags = dp->i_flags & inherit;
	sx_xlock(&mp->m_lock);
	ip->i_generation = mp->m_next_generation++;
	sx_xunlock(&mp->m_lock);
	if ((error = inode_write(ip, true)) != 0) {
		ext2_free_inode(mp, ino, isdir);
		free(ip, M_EXT2);
		return error;
	}
	*ipp = ip;
	return 0;
}

int
ext2_setattr(struct ext2_inode *ip, const struct ext2_attr *attr)
{
	int error;

	if ((error = ext2_writable(ip->i_mp)) != 0)
		return error;
	if (attr->a_mask & EXT2_ATTR_MODE)
		ip->i_mode = (uint16_t)((ip->i_mode & EXT2_S_IFMT) |
		    (attr->a_mode & EXT2_S_IALLUGO));
	if (attr->a_mask & EXT2_ATTR_UID)
		ip->i_uid = attr->a_uid;
	if (attr->a_mask & EXT2_ATTR_GID)
		ip->i_gid = attr->a_gid;
	if (attr->a_mask & EXT2_ATTR_ATIME)
		ip->i_atime = attr->a_atime;
	if (attr->a_mask & EXT2_ATTR_MTIME)
		ip->i_mtime = attr->a_mtime;
	ip->i_ctime = ext2_now(ip->i_mp);
	return ext2_iupdate(ip);
}

int
ext2_write_done(struct ext2_inode *ip, uint64_t end)
{
	struct ext2_mount *mp = ip->i_mp;
	int error;

	if (!ext2_is_reg(ip))
		return EINVAL;
	if ((error = ext2_writable(mp)) != 0)
		return error;
	if (end > ip->i_size) {
		if (end > mp->m_maxfilesize)
			return EFBIG;
		ip->i_size = end;
		if (end > INT32_MAX)
			ext2_set_ro_compat(mp, EXT2_FEATURE_RO_COMPAT_LARGE_FILE);
	}
	ip->i_mtime = ip->i_ctime = ext2_now(mp);
	return ext2_iupdate(ip);
}

/*
 * Device numbers as Linux stores them: the old 8:8 encoding in
 * i_block[0], or, when that is zero, the new 12:20 one in i_block[1].
 */
void
ext2_inode_rdev(const struct ext2_inode *ip, uint32_t *major, uint32_t *minor)
{
	uint32_t old = ip->i_blkptr[0], new = ip->i_blkptr[1], type = ip->i_mode & EXT2_S_IFMT;

	*major = *minor = 0;
	if (type != EXT2_S_IFCHR && type != EXT2_S_IFBLK)
		return;
	if (old != 0) {
		*major = (old >> 8) & 0xff;
		*minor = old & 0xff;
	} else {
		*major = (new & 0xfff00) >> 8;
		*minor = (new & 0xff) | ((new >> 12) & 0xfff00);
	}
}

/*
 * Linux's test (no blocks but an attribute block's), and a target short
 * enough for i_blkptr: a longer one with no blocks yet is a slow symlink
 * being made (or a corrupt one, whose hole readlink reports).
 */
bool
ext2_is_fast_symlink(const struct ext2_inode *ip)
{
	uint32_t ea_sectors = ip->i_file_acl != 0 ? ext2_spb(ip->i_mp) : 0;

	return ext2_is_symlink(ip) && ip->i_blocks <= ea_sectors &&
	    ip->i_size <= EXT2_FAST_SYMLINK_MAX;
}

bool
ext2_has_block_map(const struct ext2_inode *ip)
{
	return ext2_is_reg(ip) || ext2_is_dir(ip) ||
	    (ext2_is_symlink(ip) && !ext2_is_fast_symlink(ip));
}

uint8_t
ext2_mode_to_ftype(uint16_t mode)
{
	switch (mode & EXT2_S_IFMT) {
	case EXT2_S_IFREG:	return EXT2_FT_REG_FILE;
	case EXT2_S_IFDIR:	return EXT2_FT_DIR;
	case EXT2_S_IFCHR:	return EXT2_FT_CHRDEV;
	case EXT2_S_IFBLK:	return EXT2_FT_BLKDEV;
	case EXT2_S_IFIFO:	return EXT2_FT_FIFO;
	case EXT2_S_IFSOCK:	return EXT2_FT_SOCK;
	case EXT2_S_IFLNK:	return EXT2_FT_SYMLINK;
	}
	return EXT2_FT_UNKNOWN;
}

/*
 * Helpers.
 */

/* Clear the nanosecond parts of a large inode's times, where it has them. */
static void
clear_extra_times(const struct ext2_mount *mp, uint8_t *raw)
{
	struct ext2_dinode_extra *x = (struct ext2_dinode_extra *)(raw + EXT2_GOOD_OLD_INODE_SIZE);
	uint32_t room = mp->m_inode_size - EXT2_GOOD_OLD_INODE_SIZE;

	if (room < sizeof(*x) || x->i_extra_isize > room)
		return;
	if (x->i_extra_isize >= __builtin_offsetof(struct ext2_dinode_extra, i_mtime_extra))
		x->i_ctime_extra = 0;
	if (x->i_extra_isize >= __builtin_offsetof(struct ext2_dinode_extra, i_atime_extra))
		x->i_mtime_extra = 0;
	if (x->i_extra_isize >= EXT2_EXTRA_TIMES_END)
		x->i_atime_extra = 0;
}

/*
 * Copy ip's fields into its slot of the inode table (a delayed write).
 * A fresh inode's whole slot is zeroed first, as Linux's ext2 does.
 */
static int
inode_write(struct ext2_inode *ip, bool fresh)
{
	struct ext2_mount *mp = ip->i_mp;
	struct ext2_dinode *d;
	struct buf *bp;
	uint64_t blk;
	uint32_t off;
	int error;

	inode_locate(mp, ip->i_number, &blk, &off);
	if ((error = ext2_bread(mp, blk, &bp)) != 0)
		return error;
	d = (struct ext2_dinode *)((uint8_t *)bp->b_data + off);
	if (fresh)
		memset(d, 0, mp->m_inode_size);
	d->i_mode = ip->i_mode;
	d->i_uid = (uint16_t)ip->i_uid;
	d->i_uid_high = (uint16_t)(ip->i_uid >> 16);
	d->i_gid = (uint16_t)ip->i_gid;
	d->i_gid_high = (uint16_t)(ip->i_gid >> 16);
	d->i_size = (uint32_t)ip->i_size;
	if (ext2_is_reg(ip))
		d->i_size_high = (uint32_t)(ip->i_size >> 32);
	d->i_atime = ip->i_atime;
	d->i_mtime = ip->i_mtime;
	d->i_ctime = ip->i_ctime;
	d->i_dtime = ip->i_dtime;
	d->i_links_count = ip->i_links;
	d->i_blocks = ip->i_blocks;
	d->i_flags = ip->i_flags;
	d->i_generation = ip->i_generation;
	d->i_file_acl = ip->i_file_acl;
	memcpy(d->i_block, ip->i_blkptr, sizeof(d->i_block));
	if (mp->m_inode_size > EXT2_GOOD_OLD_INODE_SIZE)
		clear_extra_times(mp, (uint8_t *)d);
	bdwrite(bp);
	return 0;
}

/* Drop ip's reference to its extended attribute block, freeing it if last. */
static void
xattr_release(struct ext2_inode *ip)
{
	struct ext2_mount *mp = ip->i_mp;
	uint32_t blk = ip->i_file_acl;
	struct ext2_xattr_header *h;
	struct buf *bp;
	bool last;

	ip->i_file_acl = 0;
	if (!ext2_block_is_data(mp, blk)) {
		ext2_corrupt(mp, "inode %u's attribute block %u is not a data block",
		    ip->i_number, blk);
		return;
	}
	if (ext2_bread(mp, blk, &bp) != 0)
		return;
	h = bp->b_data;
	if (h->h_magic != EXT2_XATTR_MAGIC || h->h_blocks != 1 || h->h_refcount == 0) {
		brelse(bp);
		ext2_corrupt(mp, "inode %u's attribute block %u is corrupt", ip->i_number, blk);
		return;
	}
	last = h->h_refcount == 1;
	if (last) {
		brelse(bp);
		ext2_free_block(mp, blk);
	} else {
		h->h_refcount--;
		bdwrite(bp);
	}
	ip->i_blocks -= MIN(ip->i_blocks, ext2_spb(mp));
}

/* Free ip's blocks and then ip itself: its last link and user are gone. */
static int
inode_delete(struct ext2_inode *ip)
{
	struct ext2_mount *mp = ip->i_mp;
	int error = 0, error2;

	if (ext2_has_block_map(ip))
		error = ext2_free_blocks_from(ip, 0);
	if (ip->i_file_acl != 0)
		xattr_release(ip);
	ip->i_size = 0;
	ip->i_dtime = ext2_now(mp);
	if ((error2 = inode_write(ip, false)) != 0 && error == 0)
		error = error2;
	ext2_free_inode(mp, ip->i_number, ext2_is_dir(ip));
	return error;
}
