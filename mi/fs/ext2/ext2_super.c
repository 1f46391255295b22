/*
 * ext2 mounting: reading and checking the superblock and the group
 * descriptors, the superblock's state across mount and unmount, sync,
 * statfs, and the error reporting every other file uses.
 *
 * The superblock and the groups' counts live in core while mounted
 * (m_sb, m_groups, under (L)); ext2_sync writes them back into their
 * buffers.  Nothing read from the disk is trusted: mount checks every
 * geometry field and every group descriptor before anything uses them,
 * so the rest of the layer may rely on m_groups being sane.
 */
#include <kern/blockdev.h>
#include <kern/buf.h>
#include <fs/ext2/ext2_internal.h>

MALLOC_DEFINE(M_EXT2, "ext2", "ext2 mounts, inodes and scratch blocks");

#define EXT2_OS_LINUX	0		/* s_creator_os */

static int read_super(struct blockdev *dev, struct ext2_super *sb);
static int check_features(struct blockdev *dev, const struct ext2_super *sb, bool *rdonly);
static int check_geometry(struct ext2_mount *mp, const struct ext2_super *sb);
static int load_groups(struct ext2_mount *mp);
static int write_super(struct ext2_mount *mp, bool now);
static uint64_t max_file_size(const struct ext2_mount *mp);

static uint32_t
no_clock(void *ctx)
{
	return 0;
}

static bool
reserve_allowed(void *ctx)
{
	return true;
}

/*
 * Mount the ext2 file system on dev.  Every refusal prints why.
 * 0 with *mpp set; EINVAL (not ext2, or a format we do not support),
 * EIO, ENOMEM.
 */
int
ext2_mount(struct blockdev *dev, const struct ext2_mount_args *args, struct ext2_mount **mpp)
{
	struct ext2_mount *mp;
	struct ext2_inode *root;
	bool rdonly = args->ma_rdonly;
	int error;

	*mpp = NULL;
	if ((mp = malloc(sizeof(*mp), M_EXT2, M_WAITOK | M_ZERO)) == NULL)
		return ENOMEM;
	mp->m_dev = dev;
	mp->m_args = *args;
	if (mp->m_args.ma_now == NULL)
		mp->m_args.ma_now = no_clock;
	if (mp->m_args.ma_may_use_reserve == NULL)
		mp->m_args.ma_may_use_reserve = reserve_allowed;
	sx_init(&mp->m_lock, "ext2 alloc");
	if ((error = read_super(dev, &mp->m_sb)) != 0 ||
	    (error = check_features(dev, &mp->m_sb, &rdonly)) != 0 ||
	    (error = check_geometry(mp, &mp->m_sb)) != 0 ||
	    (error = load_groups(mp)) != 0)
		goto fail;
	mp->m_rdonly = rdonly;
	mp->m_mounted_rw = !rdonly;
	mp->m_may_write = mp->m_sb.s_rev_level == EXT2_GOOD_OLD_REV ||
	    (mp->m_sb.s_feature_ro_compat & ~EXT2_FEATURE_RO_COMPAT_SUPPORTED) == 0;
	mp->m_mount_state = mp->m_sb.s_state;
	/* Generations differ from one mount to the next, as Linux's random ones do. */
	mp->m_next_generation = ext2_now(mp) * 2654435761u + mp->m_sb.s_mnt_count;

	/* The root must be a directory, or nothing else will work. */
	if ((error = ext2_iget(mp, EXT2_ROOT_INO, &root)) != 0)
		goto fail;
	if (!ext2_is_dir(root)) {
		printf("ext2: %s: the root inode is not a directory\n", dev->bd_name);
		free(root, M_EXT2);
		error = EINVAL;
		goto fail;
	}
	free(root, M_EXT2);

	if (!(mp->m_sb.s_state & EXT2_VALID_FS))
		printf("ext2: %s: was not cleanly unmounted; running e2fsck is recommended\n",
		    dev->bd_name);
	if (mp->m_sb.s_state & EXT2_ERROR_FS)
		printf("ext2: %s: has errors; running e2fsck is recommended\n", dev->bd_name);
	if (!rdonly) {
		/* Not clean while mounted: a crash now leaves it for e2fsck. */
		mp->m_sb.s_state &= ~EXT2_VALID_FS;
		if (mp->m_sb.s_max_mnt_count > 0 &&
		    mp->m_sb.s_mnt_count >= (uint16_t)mp->m_sb.s_max_mnt_count)
			printf("ext2: %s: maximal mount count reached; running e2fsck is "
			    "recommended\n", dev->bd_name);
		mp->m_sb.s_mnt_count++;
		mp->m_sb.s_mtime = ext2_now(mp);
		sx_xlock(&mp->m_lock);
		error = write_super(mp, true);
		sx_xunlock(&mp->m_lock);
		if (error == 0)
			error = blockdev_flush(dev);
		if (error != 0)
			goto fail;
	}
	*mpp = mp;
	return 0;
fail:
	(void)bcache_purge(dev);
	free(mp->m_groups, M_EXT2);
	free(mp, M_EXT2);
	return error;
}

/*
 * Write every change, then mark the superblock clean again (if it was
 * clean when mounted and nothing went wrong since) and flush the device.
 */
static int
sync_clean(struct ext2_mount *mp)
{
	int error = ext2_sync(mp), error2;

	sx_xlock(&mp->m_lock);
	mp->m_sb.s_state = mp->m_mount_state;
	if (__atomic_load_n(&mp->m_errors, __ATOMIC_RELAXED) != 0)
		mp->m_sb.s_state |= EXT2_ERROR_FS;
	error2 = write_super(mp, true);
	sx_xunlock(&mp->m_lock);
	if (error == 0)
		error = error2;
	if ((error2 = blockdev_flush(mp->m_dev)) != 0 && error == 0)
		error = error2;
	return error;
}

int
ext2_unmount(struct ext2_mount *mp)
{
	int error = 0;

	if (mp->m_mounted_rw)
		error = sync_clean(mp);
	if (bcache_purge(mp->m_dev) != 0 && error == 0)
		error = EIO;	/* dirty buffers that could not be written */
	free(mp->m_groups, M_EXT2);
	free(mp, M_EXT2);
	return error;
}

int
ext2_remount(struct ext2_mount *mp, bool rdonly)
{
	int error = 0;

	if (rdonly == !mp->m_mounted_rw)
		return 0;
	if (rdonly) {
		/* As unmount does, but the mount stays. */
		error = sync_clean(mp);
		__atomic_store_n(&mp->m_rdonly, true, __ATOMIC_RELAXED);
		mp->m_mounted_rw = false;
		return error;
	}
	if (!mp->m_may_write || __atomic_load_n(&mp->m_errors, __ATOMIC_RELAXED) != 0)
		return EROFS;
	sx_xlock(&mp->m_lock);
	mp->m_mount_state = mp->m_sb.s_state;
	mp->m_sb.s_state &= ~EXT2_VALID_FS;
	mp->m_sb.s_mnt_count++;
	mp->m_sb.s_mtime = ext2_now(mp);
	mp->m_mounted_rw = true;
	__atomic_store_n(&mp->m_rdonly, false, __ATOMIC_RELAXED);
	error = write_super(mp, true);
	sx_xunlock(&mp->m_lock);
	if (error == 0)
		error = blockdev_flush(mp->m_dev);
	return error;
}

/*
 * Write the group descriptors' counts and the superblock into their
 * buffers, then every dirty buffer of the device, then flush the device.
 */
int
ext2_sync(struct ext2_mount *mp)
{
	struct buf *bp;
	uint32_t per_block = mp->m_bsize / sizeof(struct ext2_group_desc);
	int error = 0, error2;

	if (!mp->m_mounted_rw)
		return 0;
	sx_xlock(&mp->m_lock);
	if (mp->m_sb_dirty) {
		for (uint32_t b = 0; b < mp->m_gdt_blocks; b++) {
			error2 = ext2_bread(mp, mp->m_first_data_block + 1 + b, &bp);
			if (error2 != 0) {
				error = error2;
				continue;
			}
			struct ext2_group_desc *gd = bp->b_data;
			for (uint32_t i = 0; i < per_block && b * per_block + i < mp->m_ngroups;
			    i++) {
				const struct ext2_group *grp = &mp->m_groups[b * per_block + i];

				gd[i].bg_free_blocks_count = (uint16_t)grp->g_free_blocks;
				gd[i].bg_free_inodes_count = (uint16_t)grp->g_free_inodes;
				gd[i].bg_used_dirs_count = (uint16_t)grp->g_used_dirs;
			}
			bdwrite(bp);
		}
		if (__atomic_load_n(&mp->m_errors, __ATOMIC_RELAXED) != 0)
			mp->m_sb.s_state |= EXT2_ERROR_FS;
		error2 = write_super(mp, false);
		if (error == 0)
			error = error2;
	}
	sx_xunlock(&mp->m_lock);
	if ((error2 = bflush(mp->m_dev)) != 0 && error == 0)
		error = error2;
	if ((error2 = blockdev_flush(mp->m_dev)) != 0 && error == 0)
		error = error2;
	return error;
}

/*
 * statfs as Linux reports it: f_blocks leaves out the blocks every group
 * spends on its superblock and descriptor copies, bitmaps and inode
 * table.
 */
void
ext2_statfs(struct ext2_mount *mp, struct ext2_statfs *st)
{
	uint64_t overhead = mp->m_first_data_block;

	for (uint32_t g = 0; g < mp->m_ngroups; g++) {
		const struct ext2_group *grp = &mp->m_groups[g];

		if (grp->g_meta_end != grp->g_first_block)
			overhead += 1 + mp->m_gdt_blocks;	/* superblock and table copies */
		overhead += 2 + mp->m_itable_blocks;
	}
	sx_xlock(&mp->m_lock);
	st->f_bsize = mp->m_bsize;
	st->f_blocks = mp->m_blocks_count - MIN(overhead, (uint64_t)mp->m_blocks_count);
	st->f_bfree = mp->m_free_blocks;
	st->f_bavail = mp->m_free_blocks > mp->m_r_blocks ? mp->m_free_blocks - mp->m_r_blocks : 0;
	st->f_files = mp->m_inodes_count;
	st->f_ffree = mp->m_free_inodes;
	st->f_namelen = EXT2_NAME_LEN;
	sx_xunlock(&mp->m_lock);
}

int
ext2_corrupt(struct ext2_mount *mp, const char *fmt, ...)
{
	char msg[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("ext2: %s: error: %s\n", mp->m_dev->bd_name, msg);
	__atomic_fetch_add(&mp->m_errors, 1, __ATOMIC_RELAXED);
	if (mp->m_errors_behavior != EXT2_ERRORS_CONTINUE &&
	    !__atomic_load_n(&mp->m_rdonly, __ATOMIC_RELAXED)) {
		printf("ext2: %s: remounting read-only\n", mp->m_dev->bd_name);
		__atomic_store_n(&mp->m_rdonly, true, __ATOMIC_RELAXED);
	}
	return EIO;
}

uint32_t
ext2_now(struct ext2_mount *mp)
{
	return mp->m_args.ma_now(mp->m_args.ma_ctx);
}

int
ext2_writable(struct ext2_mount *mp)
{
	return __atomic_load_n(&mp->m_rdonly, __ATOMIC_RELAXED) ? EROFS : 0;
}

void
ext2_sb_dirty(struct ext2_mount *mp)
{
	KASSERT(sx_xlocked(&mp->m_lock), ("ext2_sb_dirty: allocation lock not held"));
	mp->m_sb_dirty = true;
}

void
ext2_set_ro_compat(struct ext2_mount *mp, uint32_t feature)
{
	sx_xlock(&mp->m_lock);
	if (!(mp->m_ro_compat & feature)) {
		mp->m_ro_compat |= feature;
		mp->m_sb.s_feature_ro_compat = mp->m_ro_compat;
		if (mp->m_sb.s_rev_level == EXT2_GOOD_OLD_REV) {
			/* Features need revision 1; its fields were zero in revision 0. */
			mp->m_sb.s_rev_level = EXT2_DYNAMIC_REV;
			mp->m_sb.s_first_ino = EXT2_GOOD_OLD_FIRST_INO;
			mp->m_sb.s_inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		}
		ext2_sb_dirty(mp);
	}
	sx_xunlock(&mp->m_lock);
}

bool
ext2_block_is_data(const struct ext2_mount *mp, uint64_t blk)
{
	const struct ext2_group *g;

	if (blk < mp->m_first_data_block || blk >= mp->m_blocks_count)
		return false;
	g = &mp->m_groups[ext2_blk_group(mp, blk)];
	if (blk < g->g_meta_end || blk == g->g_block_bitmap || blk == g->g_inode_bitmap)
		return false;
	return blk < g->g_inode_table || blk >= g->g_inode_table + mp->m_itable_blocks;
}

int
ext2_bread(struct ext2_mount *mp, uint64_t blk, struct buf **bpp)
{
	*bpp = NULL;
	if (blk >= mp->m_blocks_count)
		return ext2_corrupt(mp, "block %lu is past the end (%u blocks)",
		    (unsigned long)blk, mp->m_blocks_count);
	return bread(mp->m_dev, blk, mp->m_bsize, bpp);
}

/*
 * Helpers.
 */

/* Read the superblock from byte 1024 of dev, whatever its sector size. */
static int
read_super(struct blockdev *dev, struct ext2_super *sb)
{
	uint32_t ss = dev->bd_sector_size;
	uint64_t start = rounddown2((uint64_t)EXT2_SUPER_OFFSET, (uint64_t)ss);
	uint64_t end = roundup2((uint64_t)EXT2_SUPER_OFFSET + EXT2_SUPER_SIZE, (uint64_t)ss);
	uint8_t *buf;
	int error;

	if (!powerof2(ss) || ss < 512 || dev->bd_size < end) {
		printf("ext2: %s: too small to hold a file system\n", dev->bd_name);
		return EINVAL;
	}
	if ((buf = malloc(end - start, M_EXT2, M_WAITOK)) == NULL)
		return ENOMEM;
	error = blockdev_read(dev, start, buf, end - start);
	if (error == 0)
		memcpy(sb, buf + (EXT2_SUPER_OFFSET - start), sizeof(*sb));
	free(buf, M_EXT2);
	if (error != 0) {
		printf("ext2: %s: cannot read the superblock\n", dev->bd_name);
		return EIO;
	}
	if (sb->s_magic != EXT2_SUPER_MAGIC) {
		printf("ext2: %s: no ext2 file system (bad magic 0x%x)\n", dev->bd_name,
		    sb->s_magic);
		return EINVAL;
	}
	return 0;
}

/*
 * Features: refuse what we cannot read, and mount read-only what we
 * could read but not write correctly.
 */
static int
check_features(struct blockdev *dev, const struct ext2_super *sb, bool *rdonly)
{
	uint32_t incompat, ro_compat;

	if (sb->s_rev_level > EXT2_DYNAMIC_REV) {
		printf("ext2: %s: revision %u is newer than this driver knows\n",
		    dev->bd_name, sb->s_rev_level);
		return EINVAL;
	}
	if (sb->s_rev_level == EXT2_GOOD_OLD_REV)
		return 0;		/* revision 0 has no features */
	incompat = sb->s_feature_incompat;
	if (incompat & EXT3_FEATURE_INCOMPAT_RECOVER) {
		printf("ext2: %s: the journal needs recovery; run e2fsck (or mount it as ext3) "
		    "first\n", dev->bd_name);
		return EINVAL;
	}
	if (incompat & EXT3_FEATURE_INCOMPAT_JOURNAL_DEV) {
		printf("ext2: %s: is an external journal, not a file system\n", dev->bd_name);
		return EINVAL;
	}
	if (incompat & ~EXT2_FEATURE_INCOMPAT_SUPPORTED) {
		printf("ext2: %s: unsupported incompatible features 0x%x; not mounted\n",
		    dev->bd_name, incompat & ~EXT2_FEATURE_INCOMPAT_SUPPORTED);
		return EINVAL;
	}
	ro_compat = sb->s_feature_ro_compat & ~EXT2_FEATURE_RO_COMPAT_SUPPORTED;
	if (ro_compat != 0 && !*rdonly) {
		printf("ext2: %s: unsupported read-only-compatible features 0x%x; mounted "
		    "read-only\n", dev->bd_name, ro_compat);
		*rdonly = true;
	}
	return 0;
}

/* Does group g hold a copy of the superblock and the descriptor table? */
static bool
group_has_super(const struct ext2_super *sb, uint32_t g)
{
	if (g == 0)
		return true;
	if (sb->s_rev_level >= EXT2_DYNAMIC_REV &&
	    (sb->s_feature_compat & EXT2_FEATURE_COMPAT_SPARSE_SUPER2))
		return g == sb->s_backup_bgs[0] || g == sb->s_backup_bgs[1];
	if (g == 1 || sb->s_rev_level < EXT2_DYNAMIC_REV ||
	    !(sb->s_feature_ro_compat & EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER))
		return true;
	if ((g & 1) == 0)
		return false;
	for (uint32_t base = 3; base <= 7; base += 2) {
		uint64_t p = base;

		while (p < g)
			p *= base;
		if (p == g)
			return true;
	}
	return false;
}

static int
bad_geometry(struct ext2_mount *mp, const char *what, uint64_t val)
{
	printf("ext2: %s: bad superblock: %s (%lu)\n", mp->m_dev->bd_name, what,
	    (unsigned long)val);
	return EINVAL;
}

/* Check the superblock's numbers and derive the mount's geometry. */
static int
check_geometry(struct ext2_mount *mp, const struct ext2_super *sb)
{
	uint64_t groups, per_block;

	if (sb->s_log_block_size > EXT2_MAX_BLOCK_LOG - EXT2_MIN_BLOCK_LOG)
		return bad_geometry(mp, "block size log", sb->s_log_block_size);
	mp->m_bshift = EXT2_MIN_BLOCK_LOG + sb->s_log_block_size;
	mp->m_bsize = 1u << mp->m_bshift;
	if (mp->m_bsize < mp->m_dev->bd_sector_size)
		return bad_geometry(mp, "block size smaller than a sector", mp->m_bsize);
	mp->m_apb_shift = mp->m_bshift - 2;
	mp->m_apb = 1u << mp->m_apb_shift;
	mp->m_blocks_count = sb->s_blocks_count;
	mp->m_first_data_block = sb->s_first_data_block;
	if (mp->m_first_data_block != (mp->m_bsize == 1024 ? 1u : 0u))
		return bad_geometry(mp, "first data block", mp->m_first_data_block);
	if (mp->m_blocks_count <= mp->m_first_data_block)
		return bad_geometry(mp, "block count", mp->m_blocks_count);
	if ((uint64_t)mp->m_blocks_count << mp->m_bshift > mp->m_dev->bd_size)
		return bad_geometry(mp, "blocks past the end of the device", mp->m_blocks_count);
	mp->m_bpg = sb->s_blocks_per_group;
	if (mp->m_bpg == 0 || mp->m_bpg > 8 * mp->m_bsize || mp->m_bpg % 8 != 0)
		return bad_geometry(mp, "blocks per group", mp->m_bpg);
	groups = howmany((uint64_t)mp->m_blocks_count - mp->m_first_data_block, mp->m_bpg);
	mp->m_ngroups = (uint32_t)groups;

	if (sb->s_rev_level == EXT2_GOOD_OLD_REV) {
		mp->m_inode_size = EXT2_GOOD_OLD_INODE_SIZE;
		mp->m_first_ino = EXT2_GOOD_OLD_FIRST_INO;
	} else {
		mp->m_inode_size = sb->s_inode_size;
		mp->m_first_ino = sb->s_first_ino;
	}
	if (!powerof2(mp->m_inode_size) || mp->m_inode_size < EXT2_GOOD_OLD_INODE_SIZE ||
	    mp->m_inode_size > mp->m_bsize)
		return bad_geometry(mp, "inode size", mp->m_inode_size);
	per_block = mp->m_bsize / mp->m_inode_size;
	mp->m_ipg = sb->s_inodes_per_group;
	if (mp->m_ipg == 0 || mp->m_ipg > 8 * mp->m_bsize || mp->m_ipg % per_block != 0)
		return bad_geometry(mp, "inodes per group", mp->m_ipg);
	mp->m_itable_blocks = (uint32_t)(mp->m_ipg / per_block);
	mp->m_inodes_count = sb->s_inodes_count;
	if ((uint64_t)mp->m_ipg * groups != mp->m_inodes_count)
		return bad_geometry(mp, "inode count", mp->m_inodes_count);
	if (mp->m_first_ino < EXT2_GOOD_OLD_FIRST_INO || mp->m_first_ino > mp->m_inodes_count)
		return bad_geometry(mp, "first inode", mp->m_first_ino);
	mp->m_gdt_blocks = (uint32_t)howmany(groups * sizeof(struct ext2_group_desc),
	    mp->m_bsize);
	mp->m_r_blocks = sb->s_r_blocks_count;
	if (mp->m_r_blocks > mp->m_blocks_count)
		return bad_geometry(mp, "reserved blocks", mp->m_r_blocks);
	mp->m_compat = sb->s_rev_level == EXT2_GOOD_OLD_REV ? 0 : sb->s_feature_compat;
	mp->m_incompat = sb->s_rev_level == EXT2_GOOD_OLD_REV ? 0 : sb->s_feature_incompat;
	mp->m_ro_compat = sb->s_rev_level == EXT2_GOOD_OLD_REV ? 0 : sb->s_feature_ro_compat;
	mp->m_filetype = (mp->m_incompat & EXT2_FEATURE_INCOMPAT_FILETYPE) != 0;
	mp->m_errors_behavior = sb->s_errors;
	mp->m_maxfilesize = max_file_size(mp);
	return 0;
}

/* Is [start, start + n) inside [lo, hi)? */
static bool
inside(uint64_t start, uint64_t n, uint64_t lo, uint64_t hi)
{
	return start >= lo && start + n <= hi;
}

static bool
overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

/*
 * Read and check the group descriptors: each group's bitmaps and inode
 * table must lie inside the group, clear of its backup superblock and
 * table and of each other, and its counts must fit the group.
 */
static int
load_groups(struct ext2_mount *mp)
{
	uint32_t per_block = mp->m_bsize / sizeof(struct ext2_group_desc);
	uint32_t reserved_gdt = mp->m_sb.s_rev_level == EXT2_GOOD_OLD_REV ? 0 :
	    mp->m_sb.s_reserved_gdt_blocks;
	struct buf *bp = NULL;
	int error;

	mp->m_groups = malloc(sizeof(*mp->m_groups) * mp->m_ngroups, M_EXT2, M_WAITOK | M_ZERO);
	if (mp->m_groups == NULL)
		return ENOMEM;
	for (uint32_t g = 0; g < mp->m_ngroups; g++) {
		struct ext2_group *grp = &mp->m_groups[g];
		const struct ext2_group_desc *gd;
		uint64_t first = mp->m_first_data_block + (uint64_t)g * mp->m_bpg;
		uint64_t end = MIN(first + mp->m_bpg, (uint64_t)mp->m_blocks_count);
		uint64_t meta = 0;

		if (g % per_block == 0) {
			if (bp != NULL)
				brelse(bp);
			error = bread(mp->m_dev, mp->m_first_data_block + 1 + g / per_block,
			    mp->m_bsize, &bp);
			if (error != 0) {
				printf("ext2: %s: cannot read the group descriptors\n",
				    mp->m_dev->bd_name);
				return EIO;
			}
		}
		gd = (const struct ext2_group_desc *)bp->b_data + g % per_block;
		if (group_has_super(&mp->m_sb, g))
			meta = 1 + (uint64_t)mp->m_gdt_blocks + reserved_gdt;
		grp->g_first_block = (uint32_t)first;
		grp->g_nblocks = (uint32_t)(end - first);
		grp->g_block_bitmap = gd->bg_block_bitmap;
		grp->g_inode_bitmap = gd->bg_inode_bitmap;
		grp->g_inode_table = gd->bg_inode_table;
		grp->g_free_blocks = gd->bg_free_blocks_count;
		grp->g_free_inodes = gd->bg_free_inodes_count;
		grp->g_used_dirs = gd->bg_used_dirs_count;
		if (meta > end - first ||
		    !inside(grp->g_block_bitmap, 1, first + meta, end) ||
		    !inside(grp->g_inode_bitmap, 1, first + meta, end) ||
		    !inside(grp->g_inode_table, mp->m_itable_blocks, first + meta, end) ||
		    grp->g_block_bitmap == grp->g_inode_bitmap ||
		    overlap(grp->g_block_bitmap, 1, grp->g_inode_table, mp->m_itable_blocks) ||
		    overlap(grp->g_inode_bitmap, 1, grp->g_inode_table, mp->m_itable_blocks) ||
		    grp->g_free_blocks > grp->g_nblocks || grp->g_free_inodes > mp->m_ipg ||
		    grp->g_used_dirs > mp->m_ipg) {
			brelse(bp);
			printf("ext2: %s: group descriptor %u is corrupt\n", mp->m_dev->bd_name, g);
			return EINVAL;
		}
		grp->g_meta_end = (uint32_t)(first + meta);
		mp->m_free_blocks += grp->g_free_blocks;
		mp->m_free_inodes += grp->g_free_inodes;
	}
	if (bp != NULL)
		brelse(bp);
	if (mp->m_free_blocks != mp->m_sb.s_free_blocks_count ||
	    mp->m_free_inodes != mp->m_sb.s_free_inodes_count) {
		/* The groups are what allocation trusts; the superblock follows them. */
		mp->m_sb.s_free_blocks_count = (uint32_t)mp->m_free_blocks;
		mp->m_sb.s_free_inodes_count = (uint32_t)mp->m_free_inodes;
		mp->m_sb_dirty = true;
	}
	return 0;
}

/*
 * Copy m_sb (with the current counts) into the buffer that holds it and
 * write it, now or later.  => (L)
 */
static int
write_super(struct ext2_mount *mp, bool now)
{
	uint64_t blk = EXT2_SUPER_OFFSET >> mp->m_bshift;
	uint32_t off = EXT2_SUPER_OFFSET & (mp->m_bsize - 1);
	struct buf *bp;
	int error;

	mp->m_sb.s_free_blocks_count = (uint32_t)mp->m_free_blocks;
	mp->m_sb.s_free_inodes_count = (uint32_t)mp->m_free_inodes;
	mp->m_sb.s_wtime = ext2_now(mp);
	if ((error = bread(mp->m_dev, blk, mp->m_bsize, &bp)) != 0)
		return error;
	memcpy((uint8_t *)bp->b_data + off, &mp->m_sb, sizeof(mp->m_sb));
	mp->m_sb_dirty = false;
	if (now)
		return bwrite(bp);
	bdwrite(bp);
	return 0;
}

/*
 * Blocks of indirect pointers a file of n data blocks needs.
 */
static uint64_t
meta_blocks(const struct ext2_mount *mp, uint64_t n)
{
	uint64_t a = mp->m_apb, meta = 0;

	if (n <= EXT2_NDIR_BLOCKS)
		return 0;
	n -= EXT2_NDIR_BLOCKS;
	meta += 1;				/* the single indirect block */
	if (n <= a)
		return meta;
	n -= a;
	meta += 1 + MIN(howmany(n, a), a);	/* double: its top and leaves */
	if (n <= a * a)
		return meta;
	n -= a * a;
	return meta + 1 + howmany(n, a * a) + howmany(n, a);	/* triple */
}

/*
 * The largest file: as many blocks as the tree addresses, but no more
 * than i_blocks (32 bits of 512-byte sectors, without huge_file) can
 * count together with its indirect blocks.
 */
static uint64_t
max_file_size(const struct ext2_mount *mp)
{
	uint64_t a = mp->m_apb;
	uint64_t tree = EXT2_NDIR_BLOCKS + a + a * a + a * a * a;
	uint64_t sectors_limit = UINT32_MAX >> (mp->m_bshift - EXT2_SECTOR_SHIFT);
	uint64_t lo = 0, hi = tree;

	/* The largest n <= tree with n + meta_blocks(n) <= sectors_limit. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;

		if (mid + meta_blocks(mp, mid) <= sectors_limit)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo << mp->m_bshift;
}
