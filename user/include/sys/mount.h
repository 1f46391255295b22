/* sys/mount.h: block-device ioctl requests. */
#ifndef _SYS_MOUNT_H
#define _SYS_MOUNT_H

#include <uapi/fs.h>

#endif
