/*
 * What the ext2 files share among themselves and do not offer the glue.
 * The locking rules are ext2.h's.
 */
#ifndef _FS_EXT2_EXT2_INTERNAL_H_
#define _FS_EXT2_EXT2_INTERNAL_H_

#include <kern/systm.h>
#include <kern/malloc.h>
#include <fs/ext2/ext2.h>

struct buf;

MALLOC_DECLARE(M_EXT2);

#define EXT2_SECTOR_SHIFT	9		/* i_blocks counts 512-byte sectors */
#define EXT2_MAX_SYMLINK	4095		/* PATH_MAX - 1: longest target we read */
#define EXT2_FAST_SYMLINK_MAX	(sizeof(((struct ext2_dinode *)0)->i_block) - 1)
#define EXT2_DOT_REC_LEN	EXT2_DIR_REC_LEN(1)	/* "." and the smallest entry */

/* ext2_super.c */
/*
 * Report a corrupt or inconsistent structure: print why, count it (the
 * superblock gets EXT2_ERROR_FS at the next sync), and with s_errors =
 * remount-ro or panic make the mount read-only.  Returns EIO, for
 * "return ext2_corrupt(...)".
 */
int ext2_corrupt(struct ext2_mount *mp, const char *fmt, ...) __printflike(2, 3);
uint32_t ext2_now(struct ext2_mount *mp);
/* Is blk inside the file system and outside every group's fixed metadata? */
bool ext2_block_is_data(const struct ext2_mount *mp, uint64_t blk);
/* bread of a block of mp, which must be inside the file system (else EIO). */
int ext2_bread(struct ext2_mount *mp, uint64_t blk, struct buf **bpp);
/* EROFS if mp may not change. */
int ext2_writable(struct ext2_mount *mp);
/* Record a change to the counts or the superblock for the next sync. => (L) */
void ext2_sb_dirty(struct ext2_mount *mp);
/* Set a read-only-compatible feature (large_file) in the superblock. */
void ext2_set_ro_compat(struct ext2_mount *mp, uint32_t feature);

static inline uint32_t
ext2_ino_group(const struct ext2_mount *mp, uint32_t ino)
{
	return (ino - 1) / mp->m_ipg;
}

static inline uint32_t
ext2_blk_group(const struct ext2_mount *mp, uint64_t blk)
{
	return (uint32_t)((blk - mp->m_first_data_block) / mp->m_bpg);
}

/* Sectors (i_blocks units) per block. */
static inline uint32_t
ext2_spb(const struct ext2_mount *mp)
{
	return mp->m_bsize >> EXT2_SECTOR_SHIFT;
}

/* ext2_alloc.c */
/*
 * Allocate a free block as near goal as possible (goal's group first,
 * then the following groups).  ENOSPC (honouring the root reserve),
 * EROFS, EIO.  => no buffer held
 */
int ext2_alloc_block(struct ext2_mount *mp, uint64_t goal, uint32_t *blk);
/* Free blk, forgetting any cached copy.  EIO (reported) if it was not in use. */
int ext2_free_block(struct ext2_mount *mp, uint32_t blk);
/*
 * Allocate an inode for a new file in directory dp: a directory in a
 * group with many free inodes and blocks (spreading directories out),
 * anything else in dp's group if it has room.  ENOSPC, EROFS, EIO.
 */
int ext2_alloc_inode(struct ext2_inode *dp, bool isdir, uint32_t *ino);
void ext2_free_inode(struct ext2_mount *mp, uint32_t ino, bool isdir);

/* ext2_inode.c */
/*
 * Allocate and write a new inode in directory dp's neighbourhood with
 * mode (type and permissions), owners and one link; *ipp is its in-core
 * copy.  ENOSPC, EROFS, EIO, ENOMEM.
 */
int ext2_inode_alloc(struct ext2_inode *dp, uint16_t mode, uint32_t uid, uint32_t gid,
    struct ext2_inode **ipp);
/* Does ip keep its target in i_blkptr? */
bool ext2_is_fast_symlink(const struct ext2_inode *ip);
/* Does ip's i_blkptr hold block numbers (not a device number or a fast symlink)? */
bool ext2_has_block_map(const struct ext2_inode *ip);
/* The EXT2_FT_* type for an S_IF* mode. */
uint8_t ext2_mode_to_ftype(uint16_t mode);

/* ext2_bmap.c */
/* Free every block of ip from logical block first on (truncate, delete). */
int ext2_free_blocks_from(struct ext2_inode *ip, uint64_t first);

/* ext2_dir.c */
int ext2_dir_add(struct ext2_inode *dp, const char *name, size_t len, uint32_t ino,
    uint8_t ftype);
/* Remove name, which must name inode ino (else ENOENT). */
int ext2_dir_remove(struct ext2_inode *dp, const char *name, size_t len, uint32_t ino);
/* Point the existing entry name at ino (rename over a target). */
int ext2_dir_set_entry(struct ext2_inode *dp, const char *name, size_t len, uint32_t ino,
    uint8_t ftype);
/* Does dp hold nothing but "." and ".."? */
int ext2_dir_is_empty(struct ext2_inode *dp, bool *empty);
/* Point dp's ".." at parent (rename of a directory). */
int ext2_dir_set_dotdot(struct ext2_inode *dp, uint32_t parent);
/* Give the new directory dp its first block, holding "." and "..". */
int ext2_dir_init(struct ext2_inode *dp, uint32_t parent);

#endif
