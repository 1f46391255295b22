/*
 * Directory records: what getdents64(2) fills its buffer with (Linux's
 * struct linux_dirent64) and the d_type values.  Shared by the kernel and
 * the user C library.
 */
#ifndef _UAPI_DIRENT_H
#define _UAPI_DIRENT_H

#include <stdint.h>

#define DT_UNKNOWN	0
#define DT_FIFO		1
#define DT_CHR		2
#define DT_DIR		4
#define DT_BLK		6
#define DT_REG		8
#define DT_LNK		10
#define DT_SOCK		12

/* A header, then the NUL-terminated name; records are 8-byte aligned. */
struct linux_dirent64 {
	uint64_t	d_ino;
	int64_t		d_off;		/* the cookie of the next record */
	uint16_t	d_reclen;
	uint8_t		d_type;
	char		d_name[];
};
_Static_assert(sizeof(struct linux_dirent64) == 24, "dirent header is 19 bytes, padded");
#define DIRENT_NAME_OFFSET	19

#endif
