/* sys/mount.h: mount, umount2 and block-device ioctl requests. */
#ifndef _SYS_MOUNT_H
#define _SYS_MOUNT_H

#include <uapi/fs.h>
#include <uapi/mount.h>

int mount(const char *source, const char *target, const char *fstype, unsigned long flags,
    const void *data);
int umount(const char *target);
int umount2(const char *target, int flags);

#endif
