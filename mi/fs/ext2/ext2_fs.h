/*
 * The ext2 on-disk format: superblock, group descriptors, inodes and
 * directory entries, revision 0 and 1 (written from the format's public
 * descriptions: Linux's Documentation/filesystems/ext2.rst and ext4's
 * on-disk layout pages, and Dave Poirier's "The Second Extended File
 * System").
 *
 * Everything on disk is little-endian, as RISC-V and the host test
 * machines are (asserted below), so fields are read in place.  Structures
 * are laid out with natural alignment and their sizes are asserted.
 *
 * Layout of a file system with block size B (1024 << s_log_block_size):
 *   byte 1024: the superblock (1024 bytes), in block s_first_data_block
 *   (1 when B is 1024, else 0, whose bytes 1024..2047 hold it).
 *   Then block groups of s_blocks_per_group blocks each, the first
 *   starting at s_first_data_block.  A group that holds a backup (all
 *   groups, or with sparse_super only 0, 1 and powers of 3, 5 and 7)
 *   starts with a superblock copy, the group descriptor table and
 *   s_reserved_gdt_blocks blocks kept for growing it (resize_inode).
 *   Every group has a block bitmap, an inode bitmap and an inode table,
 *   wherever its descriptor says.
 */
#ifndef _FS_EXT2_EXT2_FS_H_
#define _FS_EXT2_EXT2_FS_H_

#include <kern/types.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
    "ext2 fields are read in place: little-endian only");

#ifndef EXT2_SUPER_MAGIC		/* uapi/statfs.h has it too, for statfs's f_type */
#define EXT2_SUPER_MAGIC	0xef53
#endif
#define EXT2_SUPER_OFFSET	1024		/* bytes from the start of the device */
#define EXT2_SUPER_SIZE		1024

#define EXT2_MIN_BLOCK_LOG	10		/* 1 KiB */
#define EXT2_MAX_BLOCK_LOG	12		/* 4 KiB: one page, the largest we mount */

#define EXT2_GOOD_OLD_REV	0		/* fixed inode size, no features */
#define EXT2_DYNAMIC_REV	1
#define EXT2_GOOD_OLD_INODE_SIZE 128
#define EXT2_GOOD_OLD_FIRST_INO	11

/* Reserved inode numbers. */
#define EXT2_BAD_INO		1
#define EXT2_ROOT_INO		2
#define EXT2_RESIZE_INO		7

/* s_state */
#define EXT2_VALID_FS		0x0001		/* cleanly unmounted */
#define EXT2_ERROR_FS		0x0002		/* errors were detected */

/* s_errors: what to do when an error is detected */
#define EXT2_ERRORS_CONTINUE	1
#define EXT2_ERRORS_RO		2
#define EXT2_ERRORS_PANIC	3		/* we never panic for a disk: read-only */

/* s_feature_compat: safe to ignore, to read and to write */
#define EXT2_FEATURE_COMPAT_DIR_PREALLOC	0x0001
#define EXT2_FEATURE_COMPAT_IMAGIC_INODES	0x0002
#define EXT2_FEATURE_COMPAT_HAS_JOURNAL		0x0004	/* ext3's; ignored, as by Linux */
#define EXT2_FEATURE_COMPAT_EXT_ATTR		0x0008
#define EXT2_FEATURE_COMPAT_RESIZE_INODE	0x0010
#define EXT2_FEATURE_COMPAT_DIR_INDEX		0x0020
#define EXT2_FEATURE_COMPAT_SPARSE_SUPER2	0x0200	/* backups in two named groups */

/* s_feature_ro_compat: safe to read; writing needs support */
#define EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER	0x0001
#define EXT2_FEATURE_RO_COMPAT_LARGE_FILE	0x0002
#define EXT2_FEATURE_RO_COMPAT_BTREE_DIR	0x0004	/* never used */
#define EXT2_FEATURE_RO_COMPAT_SUPPORTED	\
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE | \
	 EXT2_FEATURE_RO_COMPAT_BTREE_DIR)

/* s_feature_incompat: not even readable without support */
#define EXT2_FEATURE_INCOMPAT_COMPRESSION	0x0001
#define EXT2_FEATURE_INCOMPAT_FILETYPE		0x0002
#define EXT3_FEATURE_INCOMPAT_RECOVER		0x0004	/* the journal needs replaying */
#define EXT3_FEATURE_INCOMPAT_JOURNAL_DEV	0x0008	/* this is a journal device */
#define EXT2_FEATURE_INCOMPAT_META_BG		0x0010
#define EXT2_FEATURE_INCOMPAT_SUPPORTED		EXT2_FEATURE_INCOMPAT_FILETYPE

/* The superblock (1024 bytes at byte 1024). */
struct ext2_super {
	uint32_t	s_inodes_count;
	uint32_t	s_blocks_count;
	uint32_t	s_r_blocks_count;	/* reserved for s_def_resuid/gid */
	uint32_t	s_free_blocks_count;
	uint32_t	s_free_inodes_count;
	uint32_t	s_first_data_block;
	uint32_t	s_log_block_size;	/* block size is 1024 << this */
	uint32_t	s_log_frag_size;
	uint32_t	s_blocks_per_group;
	uint32_t	s_frags_per_group;
	uint32_t	s_inodes_per_group;
	uint32_t	s_mtime;		/* last mount */
	uint32_t	s_wtime;		/* last write */
	uint16_t	s_mnt_count;		/* mounts since the last check */
	int16_t		s_max_mnt_count;
	uint16_t	s_magic;
	uint16_t	s_state;		/* EXT2_VALID_FS, EXT2_ERROR_FS */
	uint16_t	s_errors;		/* EXT2_ERRORS_* */
	uint16_t	s_minor_rev_level;
	uint32_t	s_lastcheck;
	uint32_t	s_checkinterval;
	uint32_t	s_creator_os;
	uint32_t	s_rev_level;
	uint16_t	s_def_resuid;
	uint16_t	s_def_resgid;
	/* EXT2_DYNAMIC_REV only */
	uint32_t	s_first_ino;		/* first inode not reserved */
	uint16_t	s_inode_size;
	uint16_t	s_block_group_nr;	/* the group of this copy */
	uint32_t	s_feature_compat;
	uint32_t	s_feature_incompat;
	uint32_t	s_feature_ro_compat;
	uint8_t		s_uuid[16];
	char		s_volume_name[16];
	char		s_last_mounted[64];
	uint32_t	s_algorithm_usage_bitmap;
	uint8_t		s_prealloc_blocks;
	uint8_t		s_prealloc_dir_blocks;
	uint16_t	s_reserved_gdt_blocks;	/* resize_inode */
	uint8_t		s_journal_uuid[16];
	uint32_t	s_journal_inum;
	uint32_t	s_journal_dev;
	uint32_t	s_last_orphan;
	uint32_t	s_hash_seed[4];		/* dir_index */
	uint8_t		s_def_hash_version;
	uint8_t		s_jnl_backup_type;
	uint16_t	s_desc_size;
	uint32_t	s_default_mount_opts;
	uint32_t	s_first_meta_bg;
	uint32_t	s_mkfs_time;
	uint32_t	s_jnl_blocks[17];
	uint8_t		s_pad0[0x24c - 0x150];	/* ext4 fields we do not use */
	uint32_t	s_backup_bgs[2];	/* sparse_super2: groups with backups */
	uint8_t		s_pad1[EXT2_SUPER_SIZE - 0x254];
};
_Static_assert(sizeof(struct ext2_super) == EXT2_SUPER_SIZE, "ext2_super");
_Static_assert(__builtin_offsetof(struct ext2_super, s_first_ino) == 84, "s_first_ino");
_Static_assert(__builtin_offsetof(struct ext2_super, s_reserved_gdt_blocks) == 206, "gdt");
_Static_assert(__builtin_offsetof(struct ext2_super, s_jnl_blocks) == 0x10c, "jnl");

/* A block group descriptor (32 bytes; a table of them follows the superblock). */
struct ext2_group_desc {
	uint32_t	bg_block_bitmap;	/* block numbers */
	uint32_t	bg_inode_bitmap;
	uint32_t	bg_inode_table;
	uint16_t	bg_free_blocks_count;
	uint16_t	bg_free_inodes_count;
	uint16_t	bg_used_dirs_count;
	uint16_t	bg_flags;		/* ext4 (uninit_bg); 0 on ext2 */
	uint32_t	bg_reserved[3];
};
_Static_assert(sizeof(struct ext2_group_desc) == 32, "ext2_group_desc");

/* Block pointers in an inode: 12 direct, then single, double, triple indirect. */
#define EXT2_NDIR_BLOCKS	12
#define EXT2_IND_BLOCK		12
#define EXT2_DIND_BLOCK		13
#define EXT2_TIND_BLOCK		14
#define EXT2_N_BLOCKS		15

/* An inode (the first 128 bytes; s_inode_size may be larger). */
struct ext2_dinode {
	uint16_t	i_mode;			/* S_IF* type and permissions */
	uint16_t	i_uid;			/* low 16 bits */
	uint32_t	i_size;			/* low 32 bits */
	uint32_t	i_atime;
	uint32_t	i_ctime;
	uint32_t	i_mtime;
	uint32_t	i_dtime;		/* deletion time */
	uint16_t	i_gid;			/* low 16 bits */
	uint16_t	i_links_count;
	uint32_t	i_blocks;		/* 512-byte sectors, indirect blocks included */
	uint32_t	i_flags;		/* EXT2_*_FL */
	uint32_t	i_version;		/* osd1 */
	uint32_t	i_block[EXT2_N_BLOCKS];	/* block map, or a fast symlink's target */
	uint32_t	i_generation;
	uint32_t	i_file_acl;		/* extended attribute block */
	uint32_t	i_size_high;		/* regular files with large_file */
	uint32_t	i_faddr;
	uint16_t	i_blocks_hi;		/* osd2 (Linux layout) */
	uint16_t	i_file_acl_high;
	uint16_t	i_uid_high;
	uint16_t	i_gid_high;
	uint16_t	i_checksum_lo;
	uint16_t	i_reserved;
};
_Static_assert(sizeof(struct ext2_dinode) == EXT2_GOOD_OLD_INODE_SIZE, "ext2_dinode");

/*
 * The start of a large inode's extra space (s_inode_size > 128): its
 * length, then nanosecond and epoch bits of the times.  We write whole
 * seconds, so these are cleared when a time is written.
 */
struct ext2_dinode_extra {
	uint16_t	i_extra_isize;		/* bytes used after the first 128 */
	uint16_t	i_checksum_hi;
	uint32_t	i_ctime_extra;
	uint32_t	i_mtime_extra;
	uint32_t	i_atime_extra;
};
#define EXT2_EXTRA_TIMES_END	16		/* i_extra_isize covering the times */

/* i_mode: the file type and permission bits, as in Linux's st_mode */
#define EXT2_S_IFMT		0170000
#define EXT2_S_IFSOCK		0140000
#define EXT2_S_IFLNK		0120000
#define EXT2_S_IFREG		0100000
#define EXT2_S_IFBLK		0060000
#define EXT2_S_IFDIR		0040000
#define EXT2_S_IFCHR		0020000
#define EXT2_S_IFIFO		0010000
#define EXT2_S_IALLUGO		0007777		/* permissions, set-id and sticky */

/* i_flags */
#define EXT2_SECRM_FL		0x00000001
#define EXT2_UNRM_FL		0x00000002
#define EXT2_COMPR_FL		0x00000004
#define EXT2_SYNC_FL		0x00000008
#define EXT2_IMMUTABLE_FL	0x00000010
#define EXT2_APPEND_FL		0x00000020
#define EXT2_NODUMP_FL		0x00000040
#define EXT2_NOATIME_FL		0x00000080
#define EXT2_INDEX_FL		0x00001000	/* hashed-index directory (dir_index) */
#define EXT2_DIRSYNC_FL		0x00010000
#define EXT2_TOPDIR_FL		0x00020000
#define EXT4_HUGE_FILE_FL	0x00040000
#define EXT4_EXTENTS_FL		0x00080000
#define EXT4_EA_INODE_FL	0x00200000
#define EXT4_INLINE_DATA_FL	0x10000000
/* Flags that need features we do not have: such an inode is corrupt here. */
#define EXT2_FL_UNSUPPORTED	(EXT2_COMPR_FL | EXT4_HUGE_FILE_FL | EXT4_EXTENTS_FL | \
				 EXT4_EA_INODE_FL | EXT4_INLINE_DATA_FL)
/* Flags a new inode takes from its directory (and, for directories, TOPDIR/DIRSYNC). */
#define EXT2_FL_INHERITED	(EXT2_SYNC_FL | EXT2_NODUMP_FL | EXT2_NOATIME_FL)
#define EXT2_FL_DIR_INHERITED	(EXT2_FL_INHERITED | EXT2_DIRSYNC_FL)

#define EXT2_LINK_MAX		32000		/* links to one inode */

/* A directory entry; entries tile each directory block exactly. */
struct ext2_dirent {
	uint32_t	d_inode;		/* 0: an unused entry */
	uint16_t	d_rec_len;		/* bytes to the next entry */
	uint8_t		d_name_len;
	uint8_t		d_file_type;		/* EXT2_FT_*, with the filetype feature;
						   else the high byte of the name length */
	char		d_name[];		/* not NUL-terminated */
};
#define EXT2_DIRENT_HEADER	8
#define EXT2_NAME_LEN		255
/* Bytes an entry with a name of len bytes needs: header and name, 4-aligned. */
#define EXT2_DIR_REC_LEN(len)	((EXT2_DIRENT_HEADER + (len) + 3) & ~3u)

/* d_file_type */
#define EXT2_FT_UNKNOWN		0
#define EXT2_FT_REG_FILE	1
#define EXT2_FT_DIR		2
#define EXT2_FT_CHRDEV		3
#define EXT2_FT_BLKDEV		4
#define EXT2_FT_FIFO		5
#define EXT2_FT_SOCK		6
#define EXT2_FT_SYMLINK		7
#define EXT2_FT_MAX		8

/* The header of an extended attribute block (i_file_acl). */
struct ext2_xattr_header {
	uint32_t	h_magic;
	uint32_t	h_refcount;		/* inodes sharing this block */
	uint32_t	h_blocks;		/* always 1 */
	uint32_t	h_hash;
	uint32_t	h_reserved[4];
};
#define EXT2_XATTR_MAGIC	0xea020000

#endif
