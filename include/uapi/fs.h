/*
 * Block-device ioctl(2) requests (Linux include/uapi/linux/fs.h), answered
 * by /dev/vdX, and renameat2's flags.  Shared by the kernel and the user
 * C library.
 */
#ifndef _UAPI_FS_H
#define _UAPI_FS_H

#define BLKROGET	0x125e		/* int: read-only? */
#define BLKGETSIZE	0x1260		/* unsigned long: size in 512-byte sectors */
#define BLKFLSBUF	0x1261		/* write back and drop cached data */
#define BLKSSZGET	0x1268		/* int: logical sector size */
#define BLKBSZGET	0x80081270	/* size_t-sized int: the block size used for I/O */
#define BLKGETSIZE64	0x80081272	/* uint64_t: size in bytes */
#define BLKPBSZGET	0x127b		/* unsigned int: physical sector size */

/* renameat2(2) flags */
#define RENAME_NOREPLACE	(1 << 0)	/* fail with EEXIST if the new name exists */
#define RENAME_EXCHANGE		(1 << 1)	/* swap the two names */
#define RENAME_WHITEOUT		(1 << 2)	/* (overlay file systems; refused) */

#endif
