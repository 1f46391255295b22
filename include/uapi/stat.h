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
#endif

#endif
