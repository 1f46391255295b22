/* sys/ioctl.h: device and descriptor control requests (Linux values). */
#ifndef _SYS_IOCTL_H
#define _SYS_IOCTL_H

#define TCGETS		0x5401
#define TIOCGWINSZ	0x5413
#define FIONREAD	0x541b
#define FIONBIO		0x5421
#define FIONCLEX	0x5450
#define FIOCLEX		0x5451

int ioctl(int fd, unsigned long req, ...);

#endif
