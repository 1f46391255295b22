/* sys/ioctl.h: device and descriptor control requests (uapi/ioctl.h, uapi/termios.h). */
#ifndef _SYS_IOCTL_H
#define _SYS_IOCTL_H

#include <uapi/ioctl.h>
#include <uapi/termios.h>

int ioctl(int fd, unsigned long req, ...);

#endif
