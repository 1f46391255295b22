/*
 * ext2 directories: a directory's blocks hold variable-length entries
 * (inode, record length, name length, type, name) that tile each block
 * exactly.  A removed entry is merged into the one before it, or, first
 * in its block, keeps its place with inode 0.
 *
 * Every block is checked as it is read (record lengths aligned, large
 * enough for their names, inside the block; inode numbers in range), so
 * the walks below can step by d_rec_len without further checks.  A
 * directory with the dir_index flag is read the same way: its index
 * blocks look like blocks of unused entries.  Adding or removing a name
 * clears the flag, since we do not keep the index up to date; e2fsck can
 * rebuild it (e2fsck -D).
 *
 * Directory blocks are metadata and go through the buffer cache.
 * => (I) on the directory: shared to read, exclusive to change.
 */
#include <kern/buf.h>
#include <fs/ext2/ext2_internal.h>

/* Where an entry is: its block, its offset, and the offset of the one before. */
struct dir_slot {
	uint64_t	lblk;
	uint32_t	off;
	uint32_t	prev;		/* UINT32_MAX: first in its block */
};

static struct ext2_dirent *
dirent_at(struct buf *bp, uint32_t off)
{
	return (struct ext2_dirent *)((uint8_t *)bp->b_data + off);
}

/* The name length of de: 8 bits with the filetype feature, else 16. */
static uint32_t
dirent_namelen(const struct ext2_mount *mp, const struct ext2_dirent *de)
{
	return mp->m_filetype ? de->d_name_len : de->d_name_len | (uint32_t)de->d_file_type << 8;
}

static uint8_t
dirent_type(const struct ext2_mount *mp, const struct ext2_dirent *de)
{
	if (!mp->m_filetype || de->d_file_type >= EXT2_FT_MAX)
		return EXT2_FT_UNKNOWN;
	return de->d_file_type;
}

static bool
name_is(const struct ext2_mount *mp, const struct ext2_dirent *de, const char *name,
    size_t len)
{
	return de->d_inode != 0 && dirent_namelen(mp, de) == len &&
	    memcmp(de->d_name, name, len) == 0;
}

static bool
is_dot_or_dotdot(const struct ext2_mount *mp, const struct ext2_dirent *de)
{
	return name_is(mp, de, ".", 1) || name_is(mp, de, "..", 2);
}

/* Check every entry of directory block lblk of dp: 0, or EIO reported. */
static int
check_block(struct ext2_inode *dp, const uint8_t *data, uint64_t lblk)
{
	struct ext2_mount *mp = dp->i_mp;
	uint32_t off = 0;

	while (off < mp->m_bsize) {
		const struct ext2_dirent *de = (const struct ext2_dirent *)(data + off);
		uint32_t rec, nlen;
		const char *why = NULL;

		if (mp->m_bsize - off < EXT2_DOT_REC_LEN) {
			why = "entry header past the end of the block";
		} else {
			rec = de->d_rec_len;
			nlen = dirent_namelen(mp, de);
			if (rec < EXT2_DOT_REC_LEN || rec % 4 != 0)
				why = "bad record length";
			else if (rec > mp->m_bsize - off)
				why = "record past the end of the block";
			else if (nlen > EXT2_NAME_LEN || EXT2_DIR_REC_LEN(nlen) > rec)
				why = "name longer than its record";
			else if (de->d_inode > mp->m_inodes_count)
				why = "inode number out of range";
			else if (de->d_inode != 0 && nlen == 0)
				why = "empty name";
		}
		if (why != NULL)
			return ext2_corrupt(mp, "directory %u block %lu offset %u: %s",
			    dp->i_number, (unsigned long)lblk, off, why);
		off += rec;
	}
	return 0;
}

/* The checked, locked buffer of directory block lblk of dp. */
static int
dir_bread(struct ext2_inode *dp, uint64_t lblk, struct buf **bpp)
{
	struct ext2_mount *mp = dp->i_mp;
	uint64_t pblk;
	uint32_t run;
	int error;

	*bpp = NULL;
	if ((error = ext2_bmap(dp, lblk, 1, &pblk, &run)) != 0)
		return error;
	if (pblk == 0)
		return ext2_corrupt(mp, "directory %u has a hole at block %lu", dp->i_number,
		    (unsigned long)lblk);
	if ((error = ext2_bread(mp, pblk, bpp)) != 0)
		return error;
	if ((error = check_block(dp, (*bpp)->b_data, lblk)) != 0) {
		brelse(*bpp);
		*bpp = NULL;
	}
	return error;
}

static uint64_t
dir_blocks(const struct ext2_inode *dp)
{
	return dp->i_size >> dp->i_mp->m_bshift;
}

/*
 * Find name in dp: its slot, inode and type, and, if bpp is not NULL,
 * its block's buffer, still held.  ENOENT, EIO.
 */
static int
dir_find(struct ext2_inode *dp, const char *name, size_t len, struct dir_slot *slot,
    uint32_t *ino, uint8_t *type, struct buf **bpp)
{
	struct ext2_mount *mp = dp->i_mp;
	int error;

	for (uint64_t lblk = 0; lblk < dir_blocks(dp); lblk++) {
		uint32_t prev = UINT32_MAX;
		struct buf *bp;

		if ((error = dir_bread(dp, lblk, &bp)) != 0)
			return error;
		for (uint32_t off = 0; off < mp->m_bsize; off += dirent_at(bp, off)->d_rec_len) {
			struct ext2_dirent *de = dirent_at(bp, off);

			if (name_is(mp, de, name, len)) {
				*slot = (struct dir_slot){ lblk, off, prev };
				*ino = de->d_inode;
				*type = dirent_type(mp, de);
				if (bpp != NULL)
					*bpp = bp;
				else
					brelse(bp);
				return 0;
			}
			prev = off;
		}
		brelse(bp);
	}
	return ENOENT;
}

int
ext2_lookup(struct ext2_inode *dp, const char *name, size_t len, uint32_t *ino,
    uint8_t *type)
{
	struct ext2_mount *mp = dp->i_mp;
	struct dir_slot slot;
	int error;

	if (!ext2_is_dir(dp))
		return ENOTDIR;
	if (len == 0 || len > EXT2_NAME_LEN)
		return len == 0 ? ENOENT : ENAMETOOLONG;
	if ((error = dir_find(dp, name, len, &slot, ino, type, NULL)) != 0)
		return error;
	/* Only "." names the directory itself -- and ".." in the root. */
	bool self_ok = (len == 1 && name[0] == '.') ||
	    (dp->i_number == EXT2_ROOT_INO && len == 2 && name[0] == '.' && name[1] == '.');
	if ((*ino < mp->m_first_ino && *ino != EXT2_ROOT_INO) ||
	    (*ino == dp->i_number && !self_ok))
		return ext2_corrupt(mp, "directory %u names inode %u, which it may not",
		    dp->i_number, *ino);
	return 0;
}

int
ext2_readdir(struct ext2_inode *dp, uint64_t *cookie, ext2_filldir_t fill, void *arg)
{
	struct ext2_mount *mp = dp->i_mp;
	uint64_t lblk = *cookie >> mp->m_bshift;
	uint32_t skip = (uint32_t)(*cookie & (mp->m_bsize - 1));
	int error;

	if (!ext2_is_dir(dp))
		return ENOTDIR;
	for (; lblk < dir_blocks(dp); lblk++, skip = 0) {
		uint64_t base = lblk << mp->m_bshift;
		struct buf *bp;

		if ((error = dir_bread(dp, lblk, &bp)) != 0)
			return error;
		for (uint32_t off = 0; off < mp->m_bsize; off += dirent_at(bp, off)->d_rec_len) {
			struct ext2_dirent *de = dirent_at(bp, off);

			/* A cookie inside an entry (the block changed) resumes at the next. */
			if (off < skip || de->d_inode == 0)
				continue;
			if (fill(arg, de->d_name, dirent_namelen(mp, de), de->d_inode,
			    dirent_type(mp, de), base + off + de->d_rec_len) != 0) {
				*cookie = base + off;
				brelse(bp);
				return 0;
			}
		}
		brelse(bp);
	}
	*cookie = MAX(*cookie, dp->i_size);
	return 0;
}

/* The directory changed: new times, and an index we did not maintain is gone. */
static int
dir_changed(struct ext2_inode *dp, bool names_changed)
{
	if (names_changed)
		dp->i_flags &= ~EXT2_INDEX_FL;
	dp->i_mtime = dp->i_ctime = ext2_now(dp->i_mp);
	return ext2_iupdate(dp);
}

/* Write a live entry at de with record length rec. */
static void
dirent_fill(const struct ext2_mount *mp, struct ext2_dirent *de, uint32_t rec, uint32_t ino,
    const char *name, size_t len, uint8_t ftype)
{
	de->d_inode = ino;
	de->d_rec_len = (uint16_t)rec;
	de->d_name_len = (uint8_t)len;
	de->d_file_type = mp->m_filetype ? ftype : 0;
	memcpy(de->d_name, name, len);
	memset(de->d_name + len, 0, EXT2_DIR_REC_LEN(len) - EXT2_DIRENT_HEADER - len);
}

/*
 * Put name into the first entry of bp's block with room, if any: an
 * unused entry large enough, or the slack after a live one.
 */
static bool
insert_in_block(const struct ext2_mount *mp, struct buf *bp, const char *name, size_t len,
    uint32_t ino, uint8_t ftype)
{
	uint32_t need = EXT2_DIR_REC_LEN(len);

	for (uint32_t off = 0; off < mp->m_bsize; off += dirent_at(bp, off)->d_rec_len) {
		struct ext2_dirent *de = dirent_at(bp, off);
		uint32_t rec = de->d_rec_len;
		uint32_t used = de->d_inode != 0 ? EXT2_DIR_REC_LEN(dirent_namelen(mp, de)) : 0;

		if (rec - used < need)
			continue;
		if (used != 0) {
			de->d_rec_len = (uint16_t)used;
			de = dirent_at(bp, off + used);
		}
		dirent_fill(mp, de, rec - used, ino, name, len, ftype);
		return true;
	}
	return false;
}

int
ext2_dir_add(struct ext2_inode *dp, const char *name, size_t len, uint32_t ino,
    uint8_t ftype)
{
	struct ext2_mount *mp = dp->i_mp;
	uint64_t lblk, pblk;
	struct buf *bp;
	bool fresh;
	int error;

	for (lblk = 0; lblk < dir_blocks(dp); lblk++) {
		if ((error = dir_bread(dp, lblk, &bp)) != 0)
			return error;
		if (insert_in_block(mp, bp, name, len, ino, ftype)) {
			bdwrite(bp);
			return dir_changed(dp, true);
		}
		brelse(bp);
	}
	/* No room: a new block at the end. */
	if (dp->i_size + mp->m_bsize > UINT32_MAX)
		return ENOSPC;
	if ((error = ext2_balloc(dp, lblk, &pblk, &fresh)) != 0)
		return error;
	if ((bp = getblk(mp->m_dev, pblk, mp->m_bsize)) == NULL)
		return ENOMEM;
	memset(bp->b_data, 0, mp->m_bsize);
	dirent_fill(mp, bp->b_data, mp->m_bsize, ino, name, len, ftype);
	bdwrite(bp);
	dp->i_size += mp->m_bsize;
	return dir_changed(dp, true);
}

int
ext2_dir_remove(struct ext2_inode *dp, const char *name, size_t len, uint32_t ino)
{
	struct dir_slot slot;
	uint32_t found;
	uint8_t type;
	struct buf *bp;
	int error;

	if ((error = dir_find(dp, name, len, &slot, &found, &type, &bp)) != 0)
		return error;
	if (found != ino) {
		brelse(bp);
		return ENOENT;
	}
	struct ext2_dirent *de = dirent_at(bp, slot.off);
	if (slot.prev != UINT32_MAX)
		dirent_at(bp, slot.prev)->d_rec_len += de->d_rec_len;
	de->d_inode = 0;
	bdwrite(bp);
	return dir_changed(dp, true);
}

int
ext2_dir_set_entry(struct ext2_inode *dp, const char *name, size_t len, uint32_t ino,
    uint8_t ftype)
{
	struct dir_slot slot;
	uint32_t found;
	uint8_t type;
	struct buf *bp;
	int error;

	if ((error = dir_find(dp, name, len, &slot, &found, &type, &bp)) != 0)
		return error;
	struct ext2_dirent *de = dirent_at(bp, slot.off);
	de->d_inode = ino;
	if (dp->i_mp->m_filetype)
		de->d_file_type = ftype;
	bdwrite(bp);
	return dir_changed(dp, false);	/* same names: a hash index stays right */
}

int
ext2_dir_is_empty(struct ext2_inode *dp, bool *empty)
{
	struct ext2_mount *mp = dp->i_mp;
	int error;

	*empty = true;
	for (uint64_t lblk = 0; lblk < dir_blocks(dp) && *empty; lblk++) {
		struct buf *bp;

		if ((error = dir_bread(dp, lblk, &bp)) != 0)
			return error;
		for (uint32_t off = 0; off < mp->m_bsize; off += dirent_at(bp, off)->d_rec_len) {
			struct ext2_dirent *de = dirent_at(bp, off);

			if (de->d_inode != 0 && !is_dot_or_dotdot(mp, de)) {
				*empty = false;
				break;
			}
		}
		brelse(bp);
	}
	return 0;
}

int
ext2_dir_set_dotdot(struct ext2_inode *dp, uint32_t parent)
{
	struct ext2_mount *mp = dp->i_mp;
	struct ext2_dirent *dot, *dotdot;
	struct buf *bp;
	int error;

	if ((error = dir_bread(dp, 0, &bp)) != 0)
		return error;
	dot = dirent_at(bp, 0);
	if (!name_is(mp, dot, ".", 1) || dot->d_rec_len >= mp->m_bsize ||
	    !name_is(mp, (dotdot = dirent_at(bp, dot->d_rec_len)), "..", 2)) {
		brelse(bp);
		return ext2_corrupt(mp, "directory %u does not start with . and ..",
		    dp->i_number);
	}
	dotdot->d_inode = parent;
	if (mp->m_filetype)
		dotdot->d_file_type = EXT2_FT_DIR;
	bdwrite(bp);
	return dir_changed(dp, false);
}

int
ext2_dir_init(struct ext2_inode *dp, uint32_t parent)
{
	struct ext2_mount *mp = dp->i_mp;
	struct ext2_dirent *de;
	uint64_t pblk;
	struct buf *bp;
	bool fresh;
	int error;

	if ((error = ext2_balloc(dp, 0, &pblk, &fresh)) != 0)
		return error;
	if ((bp = getblk(mp->m_dev, pblk, mp->m_bsize)) == NULL)
		return ENOMEM;
	memset(bp->b_data, 0, mp->m_bsize);
	de = bp->b_data;
	dirent_fill(mp, de, EXT2_DOT_REC_LEN, dp->i_number, ".", 1, EXT2_FT_DIR);
	de = dirent_at(bp, EXT2_DOT_REC_LEN);
	dirent_fill(mp, de, mp->m_bsize - EXT2_DOT_REC_LEN, parent, "..", 2, EXT2_FT_DIR);
	bdwrite(bp);
	dp->i_size = mp->m_bsize;
	return ext2_iupdate(dp);
}
