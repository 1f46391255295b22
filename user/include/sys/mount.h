/* sys/mount.h: block-device ioctl requests (Linux's include/uapi/linux/fs.h values). */
#ifndef _SYS_MOUNT_H
#define _SYS_MOUNT_H

#define BLKROGET	0x125e		/* int: is the device read-only */
#define BLKGETSIZE	0x1260		/* unsigned long: size in 512-byte sectors */
#define BLKFLSBUF	0x1261		/* flush buffers */
#define BLKSSZGET	0x1268		/* int: logical sector size */
#define BLKGETSIZE64	0x80081272	/* uint64_t: size in bytes */
#define BLKPBSZGET	0x127b		/* unsigned int: physical sector size */

#endif
