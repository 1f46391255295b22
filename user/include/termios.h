/* termios.h: terminal settings and control (uapi/termios.h, uapi/ioctl.h). */
#ifndef _TERMIOS_H
#define _TERMIOS_H

#include <sys/types.h>
#include <uapi/termios.h>

typedef uint8_t cc_t;
typedef uint32_t tcflag_t;

int tcgetattr(int fd, struct termios *t);
/* when: TCSANOW, TCSADRAIN or TCSAFLUSH. */
int tcsetattr(int fd, int when, const struct termios *t);
/* Non-canonical, no echo, no signals, no input or output processing, 8 bits, MIN 1. */
void cfmakeraw(struct termios *t);
int tcflush(int fd, int queue);
int tcdrain(int fd);
pid_t tcgetpgrp(int fd);
int tcsetpgrp(int fd, pid_t pgrp);
pid_t tcgetsid(int fd);

#endif
