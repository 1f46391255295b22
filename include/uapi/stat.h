/*
 * File status (Linux asm-generic/stat.h and linux/stat.h): the st_mode
 * bits and the 128-byte struct stat that fstat, newfstatat and friends
 * fill.  Shared by the kernel and the user C library.
 */
#ifndef _UAPI_STAT_H
#define _UAPI_STAT_H

#define S_IFMT		0170000
#define S_IFSOCK	0140000
#define S_IFLNK		0120000
#define S_IFREG		0100000
#define S_IFBLK		0060000
#define S_IFDIR		0040000
#define S_IFCHR		0020000
#define S_IFIFO		0010000
#define S_ISUID		0004000
#define S_ISGID		0002000
#define S_ISVTX		0001000

/* utimensat(2): tv_nsec values that mean "now" and "leave it" */
#define UTIME_NOW	((1L << 30) - 1L)
#define UTIME_OMIT	((1L << 30) - 2L)

/* statx(2): what stx_mask may say was filled */
#define STATX_TYPE		0x00000001U
#define STATX_MODE		0x00000002U
#define STATX_NLINK		0x00000004U
#define STATX_UID		0x00000008U
#define STATX_GID		0x00000010U
#define STATX_ATIME		0x00000020U
#define STATX_MTIME		0x00000040U
#define STATX_CTIME		0x00000080U
#define STATX_INO		0x00000100U
#define STATX_SIZE		0x00000200U
#define STATX_BLOCKS		0x00000400U
#define STATX_BASIC_STATS	0x000007ffU
#define STATX_BTIME		0x00000800U
#define STATX_MNT_ID		0x00001000U
#define STATX__RESERVED		0x80000000U

#define S_ISREG(m)	(((m) & S_IFMT) == S_IFREG)
#define S_ISDIR(m)	(((m) & S_IFMT) == S_IFDIR)
#define S_ISCHR(m)	(((m) & S_IFMT) == S_IFCHR)
#define S_ISBLK(m)	(((m) & S_IFMT) == S_IFBLK)
#define S_ISFIFO(m)	(((m) & S_IFMT) == S_IFIFO)
#define S_ISLNK(m)	(((m) & S_IFMT) == S_IFLNK)
#define S_ISSOCK(m)	(((m) & S_IFMT) == S_IFSOCK)

#ifndef __ASSEMBLER__
#include <stdint.h>

struct stat {
	uint64_t	st_dev;
	uint64_t	st_ino;
	uint32_t	st_mode;
	uint32_t	st_nlink;
	uint32_t	st_uid;
	uint32_t	st_gid;
	uint64_t	st_rdev;
	uint64_t	__pad1;
	int64_t		st_size;
	int32_t		st_blksize;
	int32_t		__pad2;
	int64_t		st_blocks;
	int64_t		st_atime_sec;
	uint64_t	st_atime_nsec;
	int64_t		st_mtime_sec;
	uint64_t	st_mtime_nsec;
	int64_t		st_ctime_sec;
	uint64_t	st_ctime_nsec;
	uint32_t	__unused4;
	uint32_t	__unused5;
};
_Static_assert(sizeof(struct stat) == 128, "struct stat is 128 bytes");

struct statx_timestamp {
	int64_t		tv_sec;
	uint32_t	tv_nsec;
	int32_t		__reserved;
};

struct statx {
	uint32_t	stx_mask;
	uint32_t	stx_blksize;
	uint64_t	stx_attributes;
	uint32_t	stx_nlink;
	uint32_t	stx_uid;
	uint32_t	stx_gid;
	uint16_t	stx_mode;
	uint16_t	__spare0[1];
	uint64_t	stx_ino;
	uint64_t	stx_size;
	uint64_t	stx_blocks;
	uint64_t	stx_attributes_mask;
	struct statx_timestamp stx_atime;
	struct statx_timestamp stx_btime;
	struct statx_timestamp stx_ctime;
	struct statx_timestamp stx_mtime;
	uint32_t	stx_rdev_major;
	uint32_t	stx_rdev_minor;
	uint32_t	stx_dev_major;
	uint32_t	stx_dev_minor;
	uint64_t	stx_mnt_id;
	uint32_t	stx_dio_mem_align;
	uint32_t	stx_dio_offset_align;
	uint64_t	__spare3[12];
};
_Static_assert(sizeof(struct statx) == 256, "struct statx is 256 bytes");
#endif

#endif
