/*
 * mount(2) and umount2(2) flags (Linux linux/mount.h, and glibc's
 * sys/mount.h for umount2's, which Linux keeps out of its UAPI).  Shared
 * by the kernel and the user C library.
 */
#ifndef _UAPI_MOUNT_H
#define _UAPI_MOUNT_H

/* mount(2) flags */
#define MS_RDONLY	1		/* read-only */
#define MS_NOSUID	2		/* setuid and setgid bits do nothing */
#define MS_NODEV	4		/* device files cannot be opened */
#define MS_NOEXEC	8		/* programs cannot be run */
#define MS_SYNCHRONOUS	16		/* writes are synced at once */
#define MS_REMOUNT	32		/* change the flags of a mount */
#define MS_MANDLOCK	64
#define MS_DIRSYNC	128
#define MS_NOSYMFOLLOW	256
#define MS_NOATIME	1024		/* access times are not updated */
#define MS_NODIRATIME	2048
#define MS_BIND		4096
#define MS_MOVE		8192
#define MS_REC		16384
#define MS_SILENT	32768
#define MS_UNBINDABLE	(1 << 17)
#define MS_PRIVATE	(1 << 18)
#define MS_SLAVE	(1 << 19)
#define MS_SHARED	(1 << 20)
#define MS_RELATIME	(1 << 21)	/* access times updated relative to mtime */
#define MS_STRICTATIME	(1 << 24)
#define MS_LAZYTIME	(1 << 25)
#define MS_MGC_VAL	0xC0ED0000	/* the old magic in the top half of the flags */
#define MS_MGC_MSK	0xffff0000

/* umount2(2) flags */
#define MNT_FORCE	1		/* unmount even if busy (where the file system can) */
#define MNT_DETACH	2		/* detach now, finish when no longer busy */
#define MNT_EXPIRE	4		/* mark for expiry */
#define UMOUNT_NOFOLLOW	8		/* do not follow a symbolic link as the target */

#endif
