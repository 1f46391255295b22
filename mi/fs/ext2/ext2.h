/*
 * ext2: the on-disk file system, as a layer that the VFS glue (vnode
 * operations, the vnode pager, mount(2), the syncer) calls.  It knows the
 * format and nothing of vnodes, pages or user memory.
 *
 * What it supports: revision 0 and 1 file systems with 1, 2 and 4 KiB
 * blocks, the features mke2fs -t ext2 sets (sparse_super, large_file,
 * filetype, and the compatible ext_attr, resize_inode, dir_index), and a
 * clean ext3 journal, which it ignores as Linux's ext2 does.  It refuses
 * a journal that needs recovery and unknown incompatible features, and
 * mounts read-only a file system with unknown read-only-compatible ones.
 * Hashed (dir_index) directories are read linearly; changing one clears
 * its index flag, so e2fsck does not trust a stale index.
 *
 * Data and metadata.  Metadata (superblock, group descriptors, bitmaps,
 * inode tables, indirect blocks, directories, slow symlinks, extended
 * attribute blocks) goes through the buffer cache (kern/buf.h).  File
 * data does not: it lives in the vnode's vm_object, and the glue moves
 * it with the block device directly, using ext2_bmap (where is this
 * block, and how many follow it on disk), ext2_balloc (give this block a
 * place on disk) and ext2_truncate.
 *
 * Errors: every number read from the disk is checked before it is used.
 * A corrupt structure makes the call fail with EIO and marks the file
 * system as having errors (EXT2_ERROR_FS is written at the next sync, so
 * e2fsck checks it); with s_errors = remount-ro or panic the mount then
 * becomes read-only.  No disk contents can make the layer crash, loop
 * forever or touch memory outside its buffers.
 *
 * Locking.
 *   (C) constant while mounted.
 *   (L) m_lock, the mount's allocation lock (an sx lock, held exclusive
 *       and across the disk reads of bitmaps): the block and
 *       inode bitmaps' contents, the groups' and the superblock's counts,
 *       m_sb and m_ro_compat.  Taken only inside the layer (allocation,
 *       freeing, sync, statfs), never held on return.
 *   (I) the inode lock: the glue's vnode lock, held by the caller of
 *       every function that takes a struct ext2_inode -- shared to read
 *       (ext2_bmap, ext2_lookup, ext2_readdir, ext2_readlink, reading the
 *       fields), exclusive for any change.  It guards the fields marked
 *       (I), the inode's indirect blocks and, for a directory, its
 *       entries.  Calls that take several inodes need all of them held
 *       exclusive; the glue orders them (parent before child, and a
 *       per-mount rename lock, as FreeBSD and Linux do).
 *   (A) atomic.
 *   Buffers: the layer holds at most one buffer at a time, except that
 *   the allocator holds one bitmap buffer under (L).  Order: (I), then
 *   (L), then a buffer's lock.  Neighbouring inodes share an inode-table
 *   block; its buffer lock orders their updates.
 *
 * In-core inodes are not cached here: ext2_iget reads one and ext2_iput
 * frees it.  The glue must keep at most one struct ext2_inode per inode
 * number (its vnode cache), or two copies would overwrite each other.
 */
#ifndef _FS_EXT2_EXT2_H_
#define _FS_EXT2_EXT2_H_

#include <kern/types.h>
#include <kern/sx.h>
#include <fs/ext2/ext2_fs.h>

struct blockdev;

/* What the glue tells ext2_mount. */
struct ext2_mount_args {
	bool		ma_rdonly;
	/* The time now, in seconds since 1970, for timestamps. */
	uint32_t	(*ma_now)(void *ctx);
	/* May the calling thread allocate the blocks reserved for root? */
	bool		(*ma_may_use_reserve)(void *ctx);
	void		*ma_ctx;
};

/* A block group, in core. */
struct ext2_group {
	uint32_t	g_first_block;	/* (C) its first block */
	uint32_t	g_nblocks;	/* (C) blocks in it (the last group may be short) */
	uint32_t	g_meta_end;	/* (C) first block after a backup superblock and table */
	uint32_t	g_block_bitmap;	/* (C) */
	uint32_t	g_inode_bitmap;	/* (C) */
	uint32_t	g_inode_table;	/* (C) */
	uint32_t	g_free_blocks;	/* (L) */
	uint32_t	g_free_inodes;	/* (L) */
	uint32_t	g_used_dirs;	/* (L) */
};

struct ext2_mount {
	struct blockdev	*m_dev;		/* (C) */
	struct sx	m_lock;		/* the allocation lock (L) */
	/* Geometry, checked at mount. */
	uint32_t	m_bsize;	/* (C) block size in bytes */
	uint32_t	m_bshift;	/* (C) log2(m_bsize) */
	uint32_t	m_apb;		/* (C) block numbers per indirect block */
	uint32_t	m_apb_shift;	/* (C) log2(m_apb) */
	uint32_t	m_blocks_count;	/* (C) */
	uint32_t	m_first_data_block; /* (C) */
	uint32_t	m_bpg;		/* (C) blocks per group */
	uint32_t	m_ngroups;	/* (C) */
	uint32_t	m_inodes_count;	/* (C) */
	uint32_t	m_ipg;		/* (C) inodes per group */
	uint32_t	m_inode_size;	/* (C) bytes per on-disk inode */
	uint32_t	m_first_ino;	/* (C) first inode that is not reserved */
	uint32_t	m_itable_blocks; /* (C) inode-table blocks per group */
	uint32_t	m_gdt_blocks;	/* (C) blocks of group descriptors */
	uint32_t	m_r_blocks;	/* (C) blocks reserved for root */
	uint64_t	m_maxfilesize;	/* (C) bytes */
	uint32_t	m_compat;	/* (C) s_feature_compat */
	uint32_t	m_incompat;	/* (C) s_feature_incompat */
	uint32_t	m_ro_compat;	/* (L) s_feature_ro_compat (large_file may be added) */
	bool		m_filetype;	/* (C) directory entries carry types */
	bool		m_rdonly;	/* (A) no changes (set for good after some errors) */
	bool		m_mounted_rw;	/* (L) mounted writable: sync and unmount write */
	bool		m_may_write;	/* (C) no unknown ro_compat feature: rw is allowed */
	uint16_t	m_mount_state;	/* (L) s_state when mounted, restored at unmount */
	uint32_t	m_next_generation; /* (L) i_generation of the next new inode */
	uint32_t	m_errors;	/* (A) corruptions detected while mounted */
	uint16_t	m_errors_behavior; /* (C) s_errors */
	struct ext2_group *m_groups;	/* (C) array of m_ngroups */
	uint64_t	m_free_blocks;	/* (L) sum of the groups' */
	uint64_t	m_free_inodes;	/* (L) */
	bool		m_sb_dirty;	/* (L) counts or m_sb changed since the last sync */
	struct ext2_super m_sb;		/* (L) the superblock as it will be written */
	struct ext2_mount_args m_args;	/* (C) */
};

/* An inode in core: the on-disk fields the layer uses, decoded. */
struct ext2_inode {
	struct ext2_mount *i_mp;	/* (C) */
	uint32_t	i_number;	/* (C) */
	uint16_t	i_mode;		/* (I) S_IF* type (C) and permission bits */
	uint16_t	i_links;	/* (I) directory entries naming it */
	uint32_t	i_uid;		/* (I) */
	uint32_t	i_gid;		/* (I) */
	uint64_t	i_size;		/* (I) bytes */
	uint32_t	i_atime;	/* (I) seconds */
	uint32_t	i_mtime;	/* (I) */
	uint32_t	i_ctime;	/* (I) */
	uint32_t	i_dtime;	/* (I) */
	uint32_t	i_blocks;	/* (I) 512-byte sectors held, indirect blocks included */
	uint32_t	i_flags;	/* (I) EXT2_*_FL */
	uint32_t	i_generation;	/* (C) for NFS-style handles */
	uint32_t	i_file_acl;	/* (I) extended attribute block, or 0 */
	uint32_t	i_blkptr[EXT2_N_BLOCKS]; /* (I) block map, or a fast symlink */
	uint64_t	i_next_lblk;	/* (I) after the last block ext2_balloc gave it */
	uint32_t	i_next_pblk;	/* (I) the disk block after that one's */
};

/* Mounting. */
int ext2_mount(struct blockdev *dev, const struct ext2_mount_args *args,
    struct ext2_mount **mpp);
/* Write everything, mark the file system clean (unless errors were seen), free mp. */
int ext2_unmount(struct ext2_mount *mp);
/* Write the superblock, group descriptors and every dirty buffer; flush the device. */
int ext2_sync(struct ext2_mount *mp);
/*
 * Make a mounted file system read-only (everything written, the
 * superblock clean again, as at unmount, but the mount stays) or
 * writable again (not clean while so; EROFS if it cannot be written:
 * unknown read-only-compatible features, or errors seen).
 */
int ext2_remount(struct ext2_mount *mp, bool rdonly);

struct ext2_statfs {
	uint32_t	f_bsize;
	uint64_t	f_blocks;	/* blocks for data: all but the fixed metadata */
	uint64_t	f_bfree;
	uint64_t	f_bavail;	/* free to non-root users */
	uint64_t	f_files;
	uint64_t	f_ffree;
	uint32_t	f_namelen;
};
void ext2_statfs(struct ext2_mount *mp, struct ext2_statfs *st);

/* Inodes. */
/*
 * Read inode ino into a new in-core inode.  EIO if ino is out of range,
 * reserved (other than the root), not in use, or corrupt; ENOMEM.
 */
int ext2_iget(struct ext2_mount *mp, uint32_t ino, struct ext2_inode **ipp);
/*
 * Drop the in-core inode.  If no directory entry names it any more
 * (i_links == 0), free its blocks and the inode on disk first: the glue
 * calls this when the last reference to an unlinked file goes.
 */
int ext2_iput(struct ext2_inode *ip);
/* Write the in-core fields back to the inode table (delayed write). */
int ext2_iupdate(struct ext2_inode *ip);

/* Attribute changes (chmod, chown, utimes); ctime becomes now. */
#define EXT2_ATTR_MODE	0x01		/* permission bits of a_mode (07777) */
#define EXT2_ATTR_UID	0x02
#define EXT2_ATTR_GID	0x04
#define EXT2_ATTR_ATIME	0x08
#define EXT2_ATTR_MTIME	0x10
struct ext2_attr {
	uint32_t	a_mask;		/* EXT2_ATTR_* */
	uint16_t	a_mode;
	uint32_t	a_uid, a_gid;
	uint32_t	a_atime, a_mtime;
};
int ext2_setattr(struct ext2_inode *ip, const struct ext2_attr *attr);
/* A device node's numbers (0, 0 for other inodes). */
void ext2_inode_rdev(const struct ext2_inode *ip, uint32_t *major, uint32_t *minor);

/* The block map, for the pager and read/write. */
/*
 * Where logical block lblk of ip is: *pblk is its disk block, or 0 for a
 * hole, and *run the number of blocks from lblk on that continue it --
 * consecutive disk blocks, or more hole -- (at least 1, at most maxrun,
 * never past the end of the file rounded up to a block), so one request
 * can move them all.  EIO for a corrupt map, EFBIG past the largest file.
 */
int ext2_bmap(struct ext2_inode *ip, uint64_t lblk, uint32_t maxrun, uint64_t *pblk,
    uint32_t *run);
/*
 * Make sure logical block lblk of ip has a disk block (allocating it and
 * any indirect blocks, near the previous block of the file), and return
 * it in *pblk.  *fresh is set when the block was just allocated: its
 * contents on disk are garbage, so the caller writes all of it (zeros
 * where it has no data).  ENOSPC, EFBIG, EROFS, EIO.  i_size is not
 * changed (ext2_write_done does that).
 */
int ext2_balloc(struct ext2_inode *ip, uint64_t lblk, uint64_t *pblk, bool *fresh);
/*
 * After writing data up to byte end of a regular file: grow i_size to
 * end if it is larger, and set mtime and ctime to now.  EFBIG, EROFS,
 * EINVAL (not a regular file).
 */
int ext2_write_done(struct ext2_inode *ip, uint64_t end);
/*
 * Set the size of a regular file to size, freeing the blocks (and
 * indirect blocks) wholly past it; mtime and ctime become now.  The
 * caller first zeroes the tail of the last partial block in its pages
 * and drops pages past the end, so freed blocks hold no live data.
 * ext2_truncate(ip, ip->i_size) frees blocks that a failed write
 * allocated past the end.  EFBIG, EROFS, EIO.
 */
int ext2_truncate(struct ext2_inode *ip, uint64_t size);

/* Directories. */
/*
 * Find name (len bytes, not NUL-terminated) in directory dp: its inode
 * number in *ino and its EXT2_FT_* type in *type (EXT2_FT_UNKNOWN without
 * the filetype feature).  ENOENT, ENOTDIR, EIO.  "." and ".." are found
 * as they are on disk.
 */
int ext2_lookup(struct ext2_inode *dp, const char *name, size_t len, uint32_t *ino,
    uint8_t *type);
/*
 * Directory listing: call fill for each entry from the offset *cookie
 * on, until fill returns nonzero (then *cookie is that entry's, to start
 * there next time) or the directory ends (*cookie is its size).  next is
 * the cookie just after the entry.  fill runs with a directory buffer
 * locked: it may only copy the name into kernel memory.  0, ENOTDIR or
 * EIO.
 */
typedef int (*ext2_filldir_t)(void *arg, const char *name, size_t len, uint32_t ino,
    uint8_t type, uint64_t next);
int ext2_readdir(struct ext2_inode *dp, uint64_t *cookie, ext2_filldir_t fill, void *arg);

/*
 * Name-space changes.  Names are 1 to 255 bytes, neither "." nor "..",
 * without '/' or NUL (EINVAL, ENAMETOOLONG otherwise).  mode holds the
 * permission bits; uid and gid are the new inode's owners as the VFS
 * chose them (setgid directories and all).  Each returns 0 with a new
 * in-core inode in *ipp, or EEXIST, ENOSPC, EMLINK, EROFS, EIO, ENOMEM.
 */
int ext2_create(struct ext2_inode *dp, const char *name, size_t len, uint16_t mode,
    uint32_t uid, uint32_t gid, struct ext2_inode **ipp);
/* A fifo, socket or device node: mode holds the S_IF* type too. */
int ext2_mknod(struct ext2_inode *dp, const char *name, size_t len, uint16_t mode,
    uint32_t uid, uint32_t gid, uint32_t major, uint32_t minor, struct ext2_inode **ipp);
int ext2_mkdir(struct ext2_inode *dp, const char *name, size_t len, uint16_t mode,
    uint32_t uid, uint32_t gid, struct ext2_inode **ipp);
/* target: tlen bytes, 1 <= tlen < block size (ENAMETOOLONG). */
int ext2_symlink(struct ext2_inode *dp, const char *name, size_t len, const char *target,
    size_t tlen, uint32_t uid, uint32_t gid, struct ext2_inode **ipp);
/* A new name for ip (not a directory: EPERM). */
int ext2_link(struct ext2_inode *dp, const char *name, size_t len, struct ext2_inode *ip);
/*
 * Remove name from dp; ip is the inode it names (ESTALE-like ENOENT if
 * not).  unlink refuses directories (EISDIR), rmdir wants an empty one
 * (ENOTDIR, ENOTEMPTY).  ip's blocks are freed by ext2_iput once nothing
 * uses it.
 */
int ext2_unlink(struct ext2_inode *dp, const char *name, size_t len, struct ext2_inode *ip);
int ext2_rmdir(struct ext2_inode *dp, const char *name, size_t len, struct ext2_inode *ip);
/*
 * Move fname in fdp (naming ip) to tname in tdp, replacing tip (the
 * inode tname names, or NULL).  The glue has checked what the VFS
 * checks: that tdp is not inside ip, permissions, the sticky bit.  Errors
 * as Linux's rename(2): ENOTDIR, EISDIR, ENOTEMPTY, EMLINK, ENOSPC, EIO.
 */
int ext2_rename(struct ext2_inode *fdp, const char *fname, size_t flen, struct ext2_inode *ip,
    struct ext2_inode *tdp, const char *tname, size_t tlen, struct ext2_inode *tip);
/* A symlink's target into buf (size bytes, not NUL-terminated); *len its length. */
int ext2_readlink(struct ext2_inode *ip, char *buf, size_t size, size_t *len);

static inline bool ext2_is_dir(const struct ext2_inode *ip)
{ return (ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFDIR; }
static inline bool ext2_is_reg(const struct ext2_inode *ip)
{ return (ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFREG; }
static inline bool ext2_is_symlink(const struct ext2_inode *ip)
{ return (ip->i_mode & EXT2_S_IFMT) == EXT2_S_IFLNK; }

#endif
