/*
 * File-system status (Linux asm-generic/statfs.h with 64-bit words, the
 * ST_* mount flags and linux/magic.h's f_type values we report).  Shared
 * by the kernel and the user C library.
 */
#ifndef _UAPI_STATFS_H
#define _UAPI_STATFS_H

#include <stdint.h>

/* f_flags */
#define ST_RDONLY	0x0001
#define ST_NOSUID	0x0002
#define ST_NODEV	0x0004
#define ST_NOEXEC	0x0008
#define ST_SYNCHRONOUS	0x0010
#define ST_VALID	0x0020	/* f_flags is filled in */
#define ST_NOATIME	0x0400
#define ST_RELATIME	0x1000

/* f_type */
#define RAMFS_MAGIC	0x858458f6
#define TMPFS_MAGIC	0x01021994
#define PROC_SUPER_MAGIC 0x9fa0
#define EXT2_SUPER_MAGIC 0xef53

struct statfs {
	int64_t		f_type;
	int64_t		f_bsize;
	uint64_t	f_blocks;
	uint64_t	f_bfree;
	uint64_t	f_bavail;
	uint64_t	f_files;
	uint64_t	f_ffree;
	int32_t		f_fsid[2];
	int64_t		f_namelen;
	int64_t		f_frsize;
	int64_t		f_flags;
	int64_t		f_spare[4];
};
_Static_assert(sizeof(struct statfs) == 120, "struct statfs is 120 bytes");

#endif
