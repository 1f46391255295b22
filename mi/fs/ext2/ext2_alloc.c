/*
 * ext2 block and inode allocation: the bitmaps and the free counts.
 *
 * Placement follows ext2's habits, which keep related things together
 * on the disk:
 *   - a block goes as near its goal as possible: the goal's group from
 *     the goal onwards (so a file written sequentially gets consecutive
 *     blocks), then the rest of that group, then the following groups;
 *   - a directory's inode goes to a group with free inodes and blocks to
 *     spare and, among those, to the one with the fewest directories, so
 *     directories spread over the disk and each has room to grow;
 *   - any other inode goes to its directory's group if that has free
 *     inodes and blocks, else to a group found by quadratic probing from
 *     there, else to any group with a free inode.
 *
 * Everything here runs under the allocation lock (L), holding at most
 * one bitmap buffer.  The in-core counts are what allocation trusts; a
 * bitmap that disagrees with them is reported as corruption and the
 * count is corrected in core, so one bad group does not stop allocation
 * in the others.
 */
#include <kern/buf.h>
#include <fs/ext2/ext2_internal.h>

static bool
bit_test(const uint8_t *map, uint32_t i)
{
	return (map[i >> 3] >> (i & 7)) & 1;
}

static void
bit_set(uint8_t *map, uint32_t i)
{
	map[i >> 3] |= (uint8_t)(1u << (i & 7));
}

static void
bit_clear(uint8_t *map, uint32_t i)
{
	map[i >> 3] &= (uint8_t)~(1u << (i & 7));
}

/* The first clear bit of map in [from, to), or to if there is none. */
static uint32_t
find_clear(const uint8_t *map, uint32_t from, uint32_t to)
{
	uint32_t i = from;

	while (i < to) {
		if ((i & 63) == 0 && i + 64 <= to) {
			uint64_t w;

			memcpy(&w, map + (i >> 3), sizeof(w));
			if (w == UINT64_MAX) {
				i += 64;
				continue;
			}
		}
		if (!bit_test(map, i))
			return i;
		i++;
	}
	return to;
}

/*
 * Take a free block of group g, the first at or after bit start (then
 * from the group's beginning).  ENOSPC if the bitmap has none, EIO.
 * => (L)
 */
static int
alloc_in_group(struct ext2_mount *mp, uint32_t g, uint32_t start, uint32_t *blk)
{
	const struct ext2_group *grp = &mp->m_groups[g];
	bool reported = false;
	struct buf *bp;
	uint8_t *map;
	int error;

	if ((error = ext2_bread(mp, grp->g_block_bitmap, &bp)) != 0)
		return error;
	map = bp->b_data;
	if (start >= grp->g_nblocks)
		start = 0;
	for (int pass = 0; pass < 2; pass++) {
		uint32_t from = pass == 0 ? start : 0, to = pass == 0 ? grp->g_nblocks : start;

		for (uint32_t i = find_clear(map, from, to); i < to;
		    i = find_clear(map, i + 1, to)) {
			uint32_t b = grp->g_first_block + i;

			if (ext2_block_is_data(mp, b)) {
				bit_set(map, i);
				bdwrite(bp);
				*blk = b;
				return 0;
			}
			if (!reported)
				ext2_corrupt(mp, "group %u's bitmap shows metadata block %u free",
				    g, b);
			reported = true;
		}
	}
	brelse(bp);
	return ENOSPC;
}

/* The bitmap of group g has no free entry though the count said so. => (L) */
static void
count_was_wrong(struct ext2_mount *mp, uint32_t g, bool inodes)
{
	struct ext2_group *grp = &mp->m_groups[g];

	if (inodes) {
		ext2_corrupt(mp, "group %u counts %u free inodes, its bitmap none", g,
		    grp->g_free_inodes);
		mp->m_free_inodes -= grp->g_free_inodes;
		grp->g_free_inodes = 0;
	} else {
		ext2_corrupt(mp, "group %u counts %u free blocks, its bitmap none", g,
		    grp->g_free_blocks);
		mp->m_free_blocks -= grp->g_free_blocks;
		grp->g_free_blocks = 0;
	}
	ext2_sb_dirty(mp);
}

int
ext2_alloc_block(struct ext2_mount *mp, uint64_t goal, uint32_t *blk)
{
	uint32_t g0;
	int error;

	if ((error = ext2_writable(mp)) != 0)
		return error;
	if (goal < mp->m_first_data_block || goal >= mp->m_blocks_count)
		goal = mp->m_first_data_block;
	g0 = ext2_blk_group(mp, goal);
	sx_xlock(&mp->m_lock);
	if (mp->m_free_blocks == 0 || (mp->m_free_blocks <= mp->m_r_blocks &&
	    !mp->m_args.ma_may_use_reserve(mp->m_args.ma_ctx))) {
		sx_xunlock(&mp->m_lock);
		return ENOSPC;
	}
	error = ENOSPC;
	for (uint32_t i = 0; i < mp->m_ngroups; i++) {
		uint32_t g = (g0 + i) % mp->m_ngroups;
		struct ext2_group *grp = &mp->m_groups[g];

		if (grp->g_free_blocks == 0)
			continue;
		error = alloc_in_group(mp, g, i == 0 ? (uint32_t)(goal - grp->g_first_block) : 0,
		    blk);
		if (error == 0) {
			grp->g_free_blocks--;
			mp->m_free_blocks--;
			ext2_sb_dirty(mp);
			break;
		}
		if (error != ENOSPC)
			break;
		count_was_wrong(mp, g, false);
	}
	sx_xunlock(&mp->m_lock);
	return error;
}

int
ext2_free_block(struct ext2_mount *mp, uint32_t blk)
{
	struct ext2_group *grp;
	struct buf *bp;
	uint32_t g, bit;
	int error = 0;

	if (!ext2_block_is_data(mp, blk))
		return ext2_corrupt(mp, "freeing block %u, which is not a data block", blk);
	/* Before the bit is clear: once it is, the block may be someone else's. */
	binval(mp->m_dev, blk);
	g = ext2_blk_group(mp, blk);
	grp = &mp->m_groups[g];
	bit = blk - grp->g_first_block;
	sx_xlock(&mp->m_lock);
	if (ext2_bread(mp, grp->g_block_bitmap, &bp) != 0) {
		error = ext2_corrupt(mp, "cannot read group %u's block bitmap to free block %u",
		    g, blk);
	} else if (!bit_test(bp->b_data, bit)) {
		brelse(bp);
		error = ext2_corrupt(mp, "freeing block %u, which is already free", blk);
	} else {
		bit_clear(bp->b_data, bit);
		bdwrite(bp);
		if (grp->g_free_blocks < grp->g_nblocks) {
			grp->g_free_blocks++;
			mp->m_free_blocks++;
		}
		ext2_sb_dirty(mp);
	}
	sx_xunlock(&mp->m_lock);
	return error;
}

/*
 * Take a free inode of group g (never a reserved one).  ENOSPC if the
 * bitmap has none, EIO.  => (L)
 */
static int
ialloc_in_group(struct ext2_mount *mp, uint32_t g, uint32_t *ino)
{
	const struct ext2_group *grp = &mp->m_groups[g];
	uint64_t base = (uint64_t)g * mp->m_ipg;	/* inode base + 1 is bit 0 */
	uint32_t lo = 0, i;
	struct buf *bp;
	int error;

	if (base + 1 < mp->m_first_ino)
		lo = (uint32_t)MIN((uint64_t)mp->m_ipg, mp->m_first_ino - 1 - base);
	if ((error = ext2_bread(mp, grp->g_inode_bitmap, &bp)) != 0)
		return error;
	i = find_clear(bp->b_data, lo, mp->m_ipg);
	if (i == mp->m_ipg) {
		brelse(bp);
		return ENOSPC;
	}
	bit_set(bp->b_data, i);
	bdwrite(bp);
	*ino = (uint32_t)(base + i + 1);
	return 0;
}

static bool
group_has_room(const struct ext2_group *grp)
{
	return grp->g_free_inodes > 0 && grp->g_free_blocks > 0;
}

/*
 * A group for a new directory: among the groups with at least the
 * average number of free inodes and half the average of free blocks (a
 * group with a backup superblock has a little less room than one
 * without, and should not be passed over for that), the one holding the
 * fewest directories, then the one with most free blocks, looking from
 * the parent's group on.  => (L)
 */
static uint32_t
group_for_dir(struct ext2_mount *mp, uint32_t parent)
{
	uint64_t avg_inodes = mp->m_free_inodes / mp->m_ngroups;
	uint64_t avg_blocks = mp->m_free_blocks / mp->m_ngroups / 2;
	uint32_t best = UINT32_MAX;

	for (uint32_t i = 0; i < mp->m_ngroups; i++) {
		uint32_t g = (parent + i) % mp->m_ngroups;
		const struct ext2_group *grp = &mp->m_groups[g], *b;

		if (grp->g_free_inodes == 0 || grp->g_free_inodes < avg_inodes ||
		    grp->g_free_blocks < avg_blocks)
			continue;
		b = best != UINT32_MAX ? &mp->m_groups[best] : NULL;
		if (b == NULL || grp->g_used_dirs < b->g_used_dirs ||
		    (grp->g_used_dirs == b->g_used_dirs && grp->g_free_blocks > b->g_free_blocks))
			best = g;
	}
	return best != UINT32_MAX ? best : parent;	/* the caller walks on from there */
}

/* A group for a new file in a directory of group parent.  => (L) */
static uint32_t
group_for_file(struct ext2_mount *mp, uint32_t parent, uint32_t parent_ino)
{
	uint32_t n = mp->m_ngroups, g;

	if (group_has_room(&mp->m_groups[parent]))
		return parent;
	/* Probe quadratically from a start that differs between directories. */
	g = (uint32_t)(((uint64_t)parent + parent_ino) % n);
	for (uint32_t step = 1; step < n; step <<= 1) {
		g = (uint32_t)(((uint64_t)g + step) % n);
		if (group_has_room(&mp->m_groups[g]))
			return g;
	}
	return parent;		/* the caller walks on to any group with a free inode */
}

int
ext2_alloc_inode(struct ext2_inode *dp, bool isdir, uint32_t *ino)
{
	struct ext2_mount *mp = dp->i_mp;
	uint32_t g0;
	int error;

	if ((error = ext2_writable(mp)) != 0)
		return error;
	sx_xlock(&mp->m_lock);
	if (mp->m_free_inodes == 0) {
		sx_xunlock(&mp->m_lock);
		return ENOSPC;
	}
	g0 = isdir ? group_for_dir(mp, ext2_ino_group(mp, dp->i_number)) :
	    group_for_file(mp, ext2_ino_group(mp, dp->i_number), dp->i_number);
	error = ENOSPC;
	for (uint32_t i = 0; i < mp->m_ngroups; i++) {
		uint32_t g = (g0 + i) % mp->m_ngroups;
		struct ext2_group *grp = &mp->m_groups[g];

		if (grp->g_free_inodes == 0)
			continue;
		error = ialloc_in_group(mp, g, ino);
		if (error == 0) {
			grp->g_free_inodes--;
			mp->m_free_inodes--;
			if (isdir && grp->g_used_dirs < mp->m_ipg)
				grp->g_used_dirs++;
			ext2_sb_dirty(mp);
			break;
		}
		if (error != ENOSPC)
			break;
		count_was_wrong(mp, g, true);
	}
	sx_xunlock(&mp->m_lock);
	return error;
}

void
ext2_free_inode(struct ext2_mount *mp, uint32_t ino, bool isdir)
{
	struct ext2_group *grp;
	struct buf *bp;
	uint32_t g, bit;

	if (ino < mp->m_first_ino || ino > mp->m_inodes_count) {
		ext2_corrupt(mp, "freeing reserved or impossible inode %u", ino);
		return;
	}
	g = ext2_ino_group(mp, ino);
	grp = &mp->m_groups[g];
	bit = (ino - 1) % mp->m_ipg;
	sx_xlock(&mp->m_lock);
	if (ext2_bread(mp, grp->g_inode_bitmap, &bp) != 0) {
		ext2_corrupt(mp, "cannot read group %u's inode bitmap to free inode %u", g, ino);
	} else if (!bit_test(bp->b_data, bit)) {
		brelse(bp);
		ext2_corrupt(mp, "freeing inode %u, which is already free", ino);
	} else {
		bit_clear(bp->b_data, bit);
		bdwrite(bp);
		if (grp->g_free_inodes < mp->m_ipg) {
			grp->g_free_inodes++;
			mp->m_free_inodes++;
		}
		if (isdir && grp->g_used_dirs > 0)
			grp->g_used_dirs--;
		ext2_sb_dirty(mp);
	}
	sx_xunlock(&mp->m_lock);
}
