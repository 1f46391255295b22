/*
 * What the ext2 host tests share (ext2_harness.c): running e2fsprogs,
 * a mounted image with a small inode cache standing in for the VFS's
 * vnode cache, path lookup, and file data moved the way the vnode pager
 * will move it -- by ext2_bmap runs and ext2_balloc, straight between
 * the device and memory, never through the buffer cache.
 */
#ifndef _EXT2_HARNESS_H_
#define _EXT2_HARNESS_H_

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <fs/ext2/ext2.h>
#include "blockdev_host.h"

/* e2fsprogs, found by meson (environment MKE2FS, E2FSCK, DEBUGFS) or in /sbin. */
const char *tool_path(const char *name);
/*
 * Run argv; its standard output (and standard error if merge_stderr)
 * into *out (malloc'd, NUL-terminated; may be NULL).  The exit status,
 * or -1 if it could not run.
 */
int run_tool(const char *const argv[], bool merge_stderr, char **out, size_t *outlen);
/* mke2fs -t ext2 -b bsize -d src [extra options...] img size_kib: 0 on success. */
int make_image(const char *img, const char *src, uint32_t bsize, uint64_t size_kib,
    const char *const extra[]);
/* e2fsck -fn img: its exit status (0: clean); its report in *out if not NULL. */
int fsck_image(const char *img, char **out);
/* debugfs -R cmd img: the exit status; standard output in *out. */
int debugfs_run(const char *img, const char *cmd, char **out, size_t *outlen);

/* A temporary directory for a test, removed by tmpdir_remove. */
char *tmpdir_make(void);
void tmpdir_remove(const char *dir);

/* The clock the mounts see, in seconds (tests set it). */
extern uint32_t harness_clock;
/* Whether the calling "thread" may use the root reserve (tests set it). */
extern bool harness_reserve_ok;

struct ext2h {
	struct host_disk	*disk;
	struct ext2_mount	*mp;
	struct hinode {
		struct ext2_inode *ip;
		uint32_t	refs;
	}			*cache;
	size_t			ncache, capcache;
};

/* Mount the image file (or memory disk) path; 0 or an errno. */
int h_mount_file(struct ext2h *h, const char *path, bool rdonly);
int h_mount_disk(struct ext2h *h, struct host_disk *disk, bool rdonly);
/* Unmount (every inode must have been put) and close the disk. */
int h_unmount(struct ext2h *h);

/* The cached in-core inode ino, referenced. */
int h_iget(struct ext2h *h, uint32_t ino, struct ext2_inode **ipp);
/* Add a reference to an inode the caller got from a create call. */
void h_adopt(struct ext2h *h, struct ext2_inode *ip);
void h_iput(struct ext2h *h, struct ext2_inode *ip);
/* Inodes referenced right now (leak checks). */
size_t h_inodes_held(const struct ext2h *h);

/*
 * Look path up from the root ("/a/b"), following symlinks on the way
 * but not a last one (h_namei) or that one too (h_namei_follow).
 */
int h_namei(struct ext2h *h, const char *path, struct ext2_inode **ipp);
int h_namei_follow(struct ext2h *h, const char *path, struct ext2_inode **ipp);
/*
 * The directory holding path's last component (referenced) and that
 * component (a pointer into path).
 */
int h_parent(struct ext2h *h, const char *path, struct ext2_inode **dpp, const char **name,
    size_t *len);

/* Read up to len bytes at off, as the pager would.  Bytes read, or -errno. */
ssize_t h_read(struct ext2h *h, struct ext2_inode *ip, uint64_t off, void *buf, size_t len);
/* Write len bytes at off, allocating blocks.  Bytes written (short on ENOSPC), or -errno. */
ssize_t h_write(struct ext2h *h, struct ext2_inode *ip, uint64_t off, const void *buf,
    size_t len);
/* Truncate, zeroing the tail of a partial last block first, as the glue will. */
int h_truncate(struct ext2h *h, struct ext2_inode *ip, uint64_t size);

/* Device transfers h_read made (to check clustering). */
extern uint64_t harness_data_reads;

/*
 * Compare the host directory src with the image's root (ext2_compare.c).
 * Differences are counted in bad (the first few are printed).
 */
struct tree_cmp {
	struct ext2h	*h;
	bool		check_mtime;	/* mke2fs -d copied the source's mtimes */
	unsigned	files, dirs, links, bad;
};
void tree_compare(struct tree_cmp *c, const char *src);

/* n pseudo-random bytes, the same for the same seed. */
void fill_random(uint8_t *p, size_t n, uint64_t seed);
/* Read a whole file of the host into memory (malloc'd); NULL on error. */
void *slurp(const char *path, size_t *len);

#endif
