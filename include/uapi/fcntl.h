/*
 * open(2) and fcntl(2) flags, *at() flags, access(2) modes and lseek(2)
 * whences (Linux asm-generic/fcntl.h, linux/fcntl.h, linux/fs.h).
 * Shared by the kernel and the user C library.
 */
#ifndef _UAPI_FCNTL_H
#define _UAPI_FCNTL_H

/* open(2) flags */
#define O_ACCMODE	03
#define O_RDONLY	00
#define O_WRONLY	01
#define O_RDWR		02
#define O_CREAT		0100
#define O_EXCL		0200
#define O_NOCTTY	0400
#define O_TRUNC		01000
#define O_APPEND	02000
#define O_NONBLOCK	04000
#define O_DSYNC		010000
#define O_DIRECT	040000
#define O_LARGEFILE	0100000
#define O_DIRECTORY	0200000
#define O_NOFOLLOW	0400000
#define O_NOATIME	01000000
#define O_CLOEXEC	02000000
#define O_SYNC		04010000
#define O_PATH		010000000

/* fcntl(2) commands and descriptor flags */
#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_GETLK		5	/* record locks owned by the process */
#define F_SETLK		6
#define F_SETLKW	7
#define F_OFD_GETLK	36	/* record locks owned by the open file description */
#define F_OFD_SETLK	37
#define F_OFD_SETLKW	38
#define F_DUPFD_CLOEXEC	1030

/* fallocate modes (Linux linux/falloc.h) */
#define FALLOC_FL_KEEP_SIZE	0x01	/* the size stays, even past it */
#define FALLOC_FL_PUNCH_HOLE	0x02	/* free the range (with KEEP_SIZE) */
#define FALLOC_FL_COLLAPSE_RANGE 0x08
#define FALLOC_FL_ZERO_RANGE	0x10	/* make the range read as zeros */
#define FALLOC_FL_INSERT_RANGE	0x20
#define FALLOC_FL_UNSHARE_RANGE	0x40

/* close_range flags */
#define CLOSE_RANGE_UNSHARE	(1U << 1)	/* a table of the caller's own first */
#define CLOSE_RANGE_CLOEXEC	(1U << 2)	/* mark close-on-exec, do not close */
#define FD_CLOEXEC	1

/* struct flock l_type */
#define F_RDLCK		0
#define F_WRLCK		1
#define F_UNLCK		2

/* *at(2) */
#define AT_FDCWD		(-100)
#define AT_SYMLINK_NOFOLLOW	0x100
#define AT_EACCESS		0x200	/* faccessat */
#define AT_REMOVEDIR		0x200	/* unlinkat */
#define AT_SYMLINK_FOLLOW	0x400	/* linkat */
#define AT_NO_AUTOMOUNT		0x800
#define AT_EMPTY_PATH		0x1000
#define AT_STATX_SYNC_TYPE	0x6000	/* statx: how much to synchronize (ignored here) */
#define AT_STATX_SYNC_AS_STAT	0x0000
#define AT_STATX_FORCE_SYNC	0x2000
#define AT_STATX_DONT_SYNC	0x4000

/* access(2) */
#define F_OK	0
#define X_OK	1
#define W_OK	2
#define R_OK	4

/* posix_fadvise(2) */
#define POSIX_FADV_NORMAL	0
#define POSIX_FADV_RANDOM	1
#define POSIX_FADV_SEQUENTIAL	2
#define POSIX_FADV_WILLNEED	3
#define POSIX_FADV_DONTNEED	4
#define POSIX_FADV_NOREUSE	5

/* lseek(2) */
#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2

#ifndef __ASSEMBLER__
#include <stdint.h>

/* The record lock fcntl(F_GETLK, F_SETLK...) reads and writes (64-bit offsets). */
struct flock {
	int16_t		l_type;		/* F_RDLCK, F_WRLCK, F_UNLCK */
	int16_t		l_whence;	/* SEEK_SET, SEEK_CUR, SEEK_END: what l_start is from */
	int64_t		l_start;
	int64_t		l_len;		/* 0: to the end of the file; < 0: bytes before l_start */
	int32_t		l_pid;		/* F_GETLK: the holder (-1 for an OFD lock) */
};
_Static_assert(sizeof(struct flock) == 32, "struct flock");
#endif

#endif
