/*
 * The ext2 block map: from a file's logical block numbers to disk blocks.
 *
 * An inode's i_blkptr holds 12 direct block numbers, then the number of
 * a single indirect block (m_apb block numbers), a double indirect block
 * (m_apb single indirect blocks) and a triple indirect block.  A zero is
 * a hole: it reads as zeros, and a zero indirect pointer makes its whole
 * subtree a hole.
 *
 * Lookups (ext2_bmap) walk down holding one buffer at a time and report
 * how many following blocks continue the same run, so the pager can read
 * a cluster with one request.  Allocation (ext2_balloc) fills holes with
 * blocks placed after the file's previous block; new indirect blocks are
 * zeroed before they are linked in.  Truncation frees whole subtrees and
 * trims partial ones, working on a private copy of each indirect block so
 * no buffer is held while blocks are freed.
 *
 * Every block number read from an indirect block or from i_blkptr is
 * checked (ext2_block_is_data) before it is followed or handed out: a
 * corrupt map gives EIO, never a read or write of metadata.
 * => (I): shared for ext2_bmap, exclusive for the rest.
 */
#include <kern/buf.h>
#include <fs/ext2/ext2_internal.h>

#define EXT2_MAX_DEPTH	4	/* i_blkptr and three levels of indirect blocks */

/*
 * The way to a logical block: depth arrays to go through (1: i_blkptr
 * only, up to 4: i_blkptr and three indirect blocks) and the index in
 * each.
 */
struct bpath {
	int		depth;
	uint32_t	idx[EXT2_MAX_DEPTH];
};

/* The path to lblk, or EFBIG if no file can have it. */
static int
block_path(const struct ext2_mount *mp, uint64_t lblk, struct bpath *p)
{
	uint32_t s = mp->m_apb_shift, mask = mp->m_apb - 1;

	if (lblk >= mp->m_maxfilesize >> mp->m_bshift)
		return EFBIG;
	if (lblk < EXT2_NDIR_BLOCKS) {
		p->depth = 1;
		p->idx[0] = (uint32_t)lblk;
		return 0;
	}
	lblk -= EXT2_NDIR_BLOCKS;
	if (lblk < (1ULL << s)) {
		p->depth = 2;
		p->idx[0] = EXT2_IND_BLOCK;
		p->idx[1] = (uint32_t)lblk;
		return 0;
	}
	lblk -= 1ULL << s;
	if (lblk < (1ULL << 2 * s)) {
		p->depth = 3;
		p->idx[0] = EXT2_DIND_BLOCK;
		p->idx[1] = (uint32_t)(lblk >> s);
		p->idx[2] = (uint32_t)lblk & mask;
		return 0;
	}
	lblk -= 1ULL << 2 * s;
	p->depth = 4;
	p->idx[0] = EXT2_TIND_BLOCK;
	p->idx[1] = (uint32_t)(lblk >> 2 * s);
	p->idx[2] = (uint32_t)(lblk >> s) & mask;
	p->idx[3] = (uint32_t)lblk & mask;
	return 0;
}

/*
 * Logical blocks from the path's block to the end of the subtree that
 * the pointer at level k covers (k < depth - 1): all of it is a hole
 * when that pointer is zero.
 */
static uint64_t
subtree_rest(const struct ext2_mount *mp, const struct bpath *p, int k)
{
	uint64_t span = 1, offset = 0;

	for (int j = p->depth - 1; j > k; j--) {
		offset += (uint64_t)p->idx[j] * span;
		span <<= mp->m_apb_shift;
	}
	return span - offset;
}

/* Is blk a block a file may point at?  Report it if not. */
static int
check_ptr(struct ext2_inode *ip, uint64_t blk, uint64_t lblk)
{
	if (ext2_block_is_data(ip->i_mp, blk))
		return 0;
	return ext2_corrupt(ip->i_mp, "inode %u block %lu maps to block %lu, which is not "
	    "a data block", ip->i_number, (unsigned long)lblk, (unsigned long)blk);
}

/* The block-number array at level k: i_blkptr or an indirect block's contents. */
static const uint32_t *
level_array(struct ext2_inode *ip, struct buf *bp)
{
	return bp != NULL ? (const uint32_t *)bp->b_data : ip->i_blkptr;
}

int
ext2_bmap(struct ext2_inode *ip, uint64_t lblk, uint32_t maxrun, uint64_t *pblk,
    uint32_t *run)
{
	struct ext2_mount *mp = ip->i_mp;
	uint64_t eof = howmany(ip->i_size, (uint64_t)mp->m_bsize), limit;
	struct buf *bp = NULL;
	struct bpath p;
	int error;

	*pblk = 0;
	*run = 1;
	if (!ext2_has_block_map(ip))
		return EINVAL;
	if ((error = block_path(mp, lblk, &p)) != 0)
		return error;
	limit = MAX(maxrun, 1u);
	if (lblk < eof)
		limit = MIN(limit, eof - lblk);
	else
		limit = 1;
	for (int k = 0; k < p.depth; k++) {
		const uint32_t *a = level_array(ip, bp);
		uint64_t b = a[p.idx[k]];

		if (k < p.depth - 1) {
			if (bp != NULL)
				brelse(bp);
			bp = NULL;
			if (b == 0) {		/* the whole subtree is a hole */
				*run = (uint32_t)MIN(limit, subtree_rest(mp, &p, k));
				return 0;
			}
			if ((error = check_ptr(ip, b, lblk)) != 0 ||
			    (error = ext2_bread(mp, b, &bp)) != 0)
				return error;
			continue;
		}
		/* The leaf: count how far the run goes within this array. */
		uint32_t n = k == 0 ? EXT2_NDIR_BLOCKS : mp->m_apb, r = 1;

		if (b != 0 && (error = check_ptr(ip, b, lblk)) != 0)
			break;
		while (r < limit && p.idx[k] + r < n) {
			uint64_t next = a[p.idx[k] + r];

			if (b == 0 ? next != 0 : next != b + r || !ext2_block_is_data(mp, next))
				break;
			r++;
		}
		*pblk = b;
		*run = r;
	}
	if (bp != NULL)
		brelse(bp);
	return error;
}

/*
 * Where a new block for lblk should go: after the block this file was
 * last given if lblk follows it, else after the nearest mapped block
 * before it in the same array, else just after the indirect block that
 * will hold it, else at the start of the inode's group.
 */
static uint64_t
block_goal(struct ext2_inode *ip, uint64_t lblk, const uint32_t *leaf, uint32_t idx,
    uint64_t leaf_blk)
{
	struct ext2_mount *mp = ip->i_mp;

	if (ip->i_next_pblk != 0 && lblk == ip->i_next_lblk)
		return ip->i_next_pblk;
	for (uint32_t j = idx; leaf != NULL && j-- > 0;)
		if (leaf[j] != 0 && ext2_block_is_data(mp, leaf[j]))
			return leaf[j] + (idx - j);
	if (leaf_blk != 0)
		return leaf_blk + 1;
	return mp->m_groups[ext2_ino_group(mp, ip->i_number)].g_first_block;
}

/* Allocate a block near goal for ip and count it in i_blocks. */
static int
alloc_for(struct ext2_inode *ip, uint64_t goal, uint32_t *blk)
{
	struct ext2_mount *mp = ip->i_mp;
	int error;

	if ((uint64_t)ip->i_blocks + ext2_spb(mp) > UINT32_MAX)
		return EFBIG;
	if ((error = ext2_alloc_block(mp, goal, blk)) != 0)
		return error;
	ip->i_blocks += ext2_spb(mp);
	return 0;
}

/* Free blk and take it off ip's count: 0, or EIO if it was not in use. */
static int
release_block(struct ext2_inode *ip, uint32_t blk)
{
	ip->i_blocks -= MIN(ip->i_blocks, ext2_spb(ip->i_mp));
	return ext2_free_block(ip->i_mp, blk);
}

/* Make blk a zeroed indirect block, written before anything points at it. */
static int
zero_block(struct ext2_mount *mp, uint32_t blk)
{
	struct buf *bp = getblk(mp->m_dev, blk, mp->m_bsize);

	if (bp == NULL)
		return ENOMEM;
	memset(bp->b_data, 0, mp->m_bsize);
	bdwrite(bp);
	return 0;
}

/* Store val in slot idx of indirect block blk, which must hold zero there. */
static int
set_slot(struct ext2_inode *ip, uint64_t blk, uint32_t idx, uint32_t val)
{
	struct buf *bp;
	uint32_t *a;
	int error;

	if ((error = ext2_bread(ip->i_mp, blk, &bp)) != 0)
		return error;
	a = bp->b_data;
	if (a[idx] != 0) {
		brelse(bp);
		return ext2_corrupt(ip->i_mp, "inode %u's indirect block %lu changed under us",
		    ip->i_number, (unsigned long)blk);
	}
	a[idx] = val;
	bdwrite(bp);
	return 0;
}

int
ext2_balloc(struct ext2_inode *ip, uint64_t lblk, uint64_t *pblk, bool *fresh)
{
	struct ext2_mount *mp = ip->i_mp;
	uint64_t parent = 0;		/* the indirect block holding this level, 0: i_blkptr */
	struct buf *bp = NULL;
	struct bpath p;
	uint32_t nb;
	int error;

	*pblk = 0;
	*fresh = false;
	if (!ext2_has_block_map(ip))
		return EINVAL;
	if ((error = ext2_writable(mp)) != 0 || (error = block_path(mp, lblk, &p)) != 0)
		return error;
	for (int k = 0; k < p.depth; k++) {
		uint64_t b, goal;

		/* Read this level's slot; hold no buffer while allocating. */
		if (parent != 0 && (error = ext2_bread(mp, parent, &bp)) != 0)
			return error;
		b = level_array(ip, bp)[p.idx[k]];
		if (b != 0) {
			if (bp != NULL)
				brelse(bp);
			bp = NULL;
			if ((error = check_ptr(ip, b, lblk)) != 0)
				return error;
			if (k == p.depth - 1) {
				*pblk = b;
				return 0;
			}
			parent = b;
			continue;
		}
		goal = block_goal(ip, lblk, k == p.depth - 1 ? level_array(ip, bp) : NULL,
		    p.idx[k], parent);
		if (bp != NULL)
			brelse(bp);
		bp = NULL;
		if ((error = alloc_for(ip, goal, &nb)) != 0)
			break;
		if (k < p.depth - 1 && (error = zero_block(mp, nb)) != 0) {
			(void)release_block(ip, nb);	/* never linked in */
			break;
		}
		if (parent == 0) {
			ip->i_blkptr[p.idx[0]] = nb;
		} else if ((error = set_slot(ip, parent, p.idx[k], nb)) != 0) {
			(void)release_block(ip, nb);	/* never linked in */
			break;
		}
		if (k == p.depth - 1) {
			ip->i_next_lblk = lblk + 1;
			ip->i_next_pblk = nb + 1;
			*pblk = nb;
			*fresh = true;
		}
		parent = nb;
	}
	/* i_blocks and perhaps i_blkptr changed, even on a late failure. */
	int error2 = ext2_iupdate(ip);
	return error != 0 ? error : error2;
}

/*
 * Truncation.
 */

/* A private copy of indirect block blk (so no buffer is held while freeing). */
static int
read_copy(struct ext2_inode *ip, uint32_t blk, uint32_t **copyp)
{
	struct ext2_mount *mp = ip->i_mp;
	struct buf *bp;
	int error;

	*copyp = NULL;
	if ((error = ext2_bread(mp, blk, &bp)) != 0)
		return error;
	if ((*copyp = malloc(mp->m_bsize, M_EXT2, M_WAITOK)) == NULL) {
		brelse(bp);
		return ENOMEM;
	}
	memcpy(*copyp, bp->b_data, mp->m_bsize);
	brelse(bp);
	return 0;
}

/*
 * Free the entries of indirect block blk (at height h: 1 when its
 * entries are data blocks) that map logical offsets from off on within
 * it; the block itself stays.  *emptied says whether nothing is left in
 * it, so the caller can free it too.  Each subtree is freed before the
 * pointer to it is cleared.
 */
static int
trim_indirect(struct ext2_inode *ip, uint32_t blk, int h, uint64_t off, bool *emptied)
{
	struct ext2_mount *mp = ip->i_mp;
	uint32_t shift = (uint32_t)(h - 1) * mp->m_apb_shift;
	uint64_t first = off >> shift, inner = off & ((1ULL << shift) - 1);
	uint32_t *a;
	bool changed = false, kept = false;
	int error, error2 = 0;

	*emptied = false;
	if ((error = read_copy(ip, blk, &a)) != 0)
		return error;
	for (uint32_t i = 0; i < mp->m_apb; i++) {
		uint32_t child = a[i];
		bool child_empty = true;

		if (child == 0)
			continue;
		if (i < first) {
			kept = true;
			continue;
		}
		if (!ext2_block_is_data(mp, child)) {
			error2 = ext2_corrupt(mp, "inode %u's indirect block %u points at block "
			    "%u, not a data block", ip->i_number, blk, child);
			a[i] = 0;		/* never follow or free it */
			changed = true;
			continue;
		}
		if (h > 1) {
			int e = trim_indirect(ip, child, h - 1, i == first ? inner : 0,
			    &child_empty);

			if (e != 0)
				error2 = e;
			if (e == ENOMEM) {
				kept = true;	/* leave the rest as it is */
				break;
			}
		}
		if (child_empty) {
			if (release_block(ip, child) != 0)
				error2 = EIO;
			a[i] = 0;
			changed = true;
		} else {
			kept = true;
		}
	}
	*emptied = !kept;
	if (changed && !*emptied) {
		struct buf *bp;

		if ((error = ext2_bread(mp, blk, &bp)) == 0) {
			memcpy(bp->b_data, a, mp->m_bsize);
			bdwrite(bp);
		}
	}
	free(a, M_EXT2);
	return error != 0 ? error : error2;
}

int
ext2_free_blocks_from(struct ext2_inode *ip, uint64_t first)
{
	struct ext2_mount *mp = ip->i_mp;
	uint64_t base = EXT2_NDIR_BLOCKS;	/* first logical block of each tree */
	int error = 0;

	for (uint64_t i = first; i < EXT2_NDIR_BLOCKS; i++) {
		uint32_t b = ip->i_blkptr[i];

		if (b == 0)
			continue;
		if (!ext2_block_is_data(mp, b))
			error = check_ptr(ip, b, i);
		else if (release_block(ip, b) != 0)
			error = EIO;
		ip->i_blkptr[i] = 0;
	}
	for (int h = 1; h <= 3; h++) {
		uint64_t span = 1ULL << (h * mp->m_apb_shift);
		uint32_t top = ip->i_blkptr[EXT2_NDIR_BLOCKS + h - 1];
		bool emptied;
		int error2;

		if (top != 0 && first < base + span) {
			if (!ext2_block_is_data(mp, top)) {
				error = check_ptr(ip, top, base);
				ip->i_blkptr[EXT2_NDIR_BLOCKS + h - 1] = 0;
			} else {
				error2 = trim_indirect(ip, top, h, first > base ? first - base : 0,
				    &emptied);
				if (error2 != 0)
					error = error2;
				if (emptied) {
					if (release_block(ip, top) != 0)
						error = EIO;
					ip->i_blkptr[EXT2_NDIR_BLOCKS + h - 1] = 0;
				}
			}
		}
		base += span;
	}
	ip->i_next_lblk = ip->i_next_pblk = 0;
	return error;
}

int
ext2_truncate(struct ext2_inode *ip, uint64_t size)
{
	struct ext2_mount *mp = ip->i_mp;
	int error = 0, error2;

	if (ext2_is_dir(ip))
		return EISDIR;
	if (!ext2_is_reg(ip))
		return EINVAL;
	if ((error = ext2_writable(mp)) != 0)
		return error;
	if (size > mp->m_maxfilesize)
		return EFBIG;
	/* Equal sizes too: blocks a failed write left past the end go. */
	if (size <= ip->i_size)
		error = ext2_free_blocks_from(ip, howmany(size, (uint64_t)mp->m_bsize));
	ip->i_size = size;
	if (size > INT32_MAX)
		ext2_set_ro_compat(mp, EXT2_FEATURE_RO_COMPAT_LARGE_FILE);
	ip->i_mtime = ip->i_ctime = ext2_now(mp);
	error2 = ext2_iupdate(ip);
	return error != 0 ? error : error2;
}
