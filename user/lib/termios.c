/* termios.c: the terminal functions, over the terminal ioctls. */
#include <errno.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int
tcgetattr(int fd, struct termios *t)
{
	return ioctl(fd, TCGETS, t);
}

int
tcsetattr(int fd, int when, const struct termios *t)
{
	static const unsigned long req[] = { TCSETS, TCSETSW, TCSETSF };

	if (when < TCSANOW || when > TCSAFLUSH) {
		errno = EINVAL;
		return -1;
	}
	return ioctl(fd, req[when], t);
}

void
cfmakeraw(struct termios *t)
{
	t->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t->c_oflag &= ~OPOST;
	t->c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t->c_cflag = (t->c_cflag & ~(CSIZE | PARENB)) | CS8;
	t->c_cc[VMIN] = 1;
	t->c_cc[VTIME] = 0;
}

int
tcflush(int fd, int queue)
{
	return ioctl(fd, TCFLSH, (unsigned long)queue);
}

int
tcdrain(int fd)
{
	return ioctl(fd, TCSBRK, 1UL);
}

pid_t
tcgetpgrp(int fd)
{
	int pgrp;

	return ioctl(fd, TIOCGPGRP, &pgrp) < 0 ? -1 : pgrp;
}

int
tcsetpgrp(int fd, pid_t pgrp)
{
	int id = pgrp;

	return ioctl(fd, TIOCSPGRP, &id);
}

pid_t
tcgetsid(int fd)
{
	int sid;

	return ioctl(fd, TIOCGSID, &sid) < 0 ? -1 : sid;
}

int
isatty(int fd)
{
	struct termios t;

	return tcgetattr(fd, &t) == 0;
}
