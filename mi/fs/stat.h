/*
 * The Linux structures the file system calls exchange with user space,
 * in their riscv64 (asm-generic, LP64) layouts, and the mode bits.  Sizes
 * are asserted so a layout mistake fails the build.
 */
#ifndef _FS_STAT_H_
#define _FS_STAT_H_

#include <kern/types.h>

/* st_mode file types */
#define S_IFMT		0170000
#define S_IFSOCK	0140000
#define S_IFLNK		0120000
#define S_IFREG		0100000
#define S_IFBLK		0060000
#define S_IFDIR		0040000
#define S_IFCHR		0020000
#define S_IFIFO		0010000
#define S_IALLUGO	07777		/* permission, setuid, setgid, sticky */

/* d_type */
#define DT_UNKNOWN	0
#define DT_FIFO		1
#define DT_CHR		2
#define DT_BLK		6
#define DT_DIR		4
#define DT_REG		8
#define DT_LNK		10

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

/* *at(2) */
#define AT_FDCWD		(-100)
#define AT_SYMLINK_NOFOLLOW	0x100
#define AT_EACCESS		0x200	/* faccessat */
#define AT_REMOVEDIR		0x200	/* unlinkat */
#define AT_NO_AUTOMOUNT		0x800
#define AT_EMPTY_PATH		0x1000

/* access(2) */
#define F_OK	0
#define X_OK	1
#define W_OK	2
#define R_OK	4

/* lseek(2) */
#define SEEK_SET	0
#define SEEK_CUR	1
#define SEEK_END	2

/* fcntl(2) */
#define F_DUPFD		0
#define F_GETFD		1
#define F_SETFD		2
#define F_GETFL		3
#define F_SETFL		4
#define F_DUPFD_CLOEXEC	1030
#define FD_CLOEXEC	1

/* ioctl(2) requests every file understands */
#define FIONREAD	0x541b
#define FIONBIO		0x5421
#define FIONCLEX	0x5450
#define FIOCLEX		0x5451

/* asm-generic struct stat: 128 bytes. */
struct stat_linux {
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
_Static_assert(sizeof(struct stat_linux) == 128, "struct stat is 128 bytes");

/* asm-generic struct statfs with 64-bit words: 120 bytes. */
struct statfs_linux {
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
_Static_assert(sizeof(struct statfs_linux) == 120, "struct statfs is 120 bytes");

#define RAMFS_MAGIC	0x858458f6	/* f_type, as Linux's ramfs reports */
#define PROC_SUPER_MAGIC 0x9fa0

/* struct linux_dirent64: a header, then the NUL-terminated name, 8-aligned. */
struct linux_dirent64 {
	uint64_t	d_ino;
	int64_t		d_off;
	uint16_t	d_reclen;
	uint8_t		d_type;
	char		d_name[];
};
_Static_assert(sizeof(struct linux_dirent64) == 24, "dirent header is 19 bytes, padded");
#define DIRENT_NAME_OFFSET	19

/* struct iovec */
struct iovec_linux {
	void		*iov_base;
	size_t		iov_len;
};
#define UIO_MAXIOV	1024

/* The termios that TCGETS returns (asm-generic: no speed fields). */
#define NCCS_LINUX	19
struct termios_linux {
	uint32_t	c_iflag;
	uint32_t	c_oflag;
	uint32_t	c_cflag;
	uint32_t	c_lflag;
	uint8_t		c_line;
	uint8_t		c_cc[NCCS_LINUX];
};
_Static_assert(sizeof(struct termios_linux) == 36, "struct termios is 36 bytes");

struct winsize_linux {
	uint16_t	ws_row;
	uint16_t	ws_col;
	uint16_t	ws_xpixel;
	uint16_t	ws_ypixel;
};

#define TCGETS		0x5401
#define TCSETS		0x5402
#define TCSETSW		0x5403
#define TCSETSF		0x5404
#define TIOCGPGRP	0x540f
#define TIOCSPGRP	0x5410
#define TIOCGWINSZ	0x5413
#define TIOCSWINSZ	0x5414

/* Block devices (include/uapi/linux/fs.h). */
#define BLKROGET	0x125e		/* int: read-only? */
#define BLKGETSIZE	0x1260		/* unsigned long: size in 512-byte sectors */
#define BLKFLSBUF	0x1261		/* write back and drop cached data */
#define BLKSSZGET	0x1268		/* int: logical sector size */
#define BLKBSZGET	0x80081270	/* size_t-sized int: the block size used for I/O */
#define BLKGETSIZE64	0x80081272	/* uint64_t: size in bytes */
#define BLKPBSZGET	0x127b		/* unsigned int: physical sector size */

#endif
