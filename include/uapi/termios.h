/*
 * The terminal settings TCGETS and TCSETS exchange (Linux asm-generic
 * termbits.h and termbits-common.h: no speed fields), the flags and
 * special characters in them, and the window size.  Shared by the kernel
 * and the user C library.
 */
#ifndef _UAPI_TERMIOS_H
#define _UAPI_TERMIOS_H

#include <stdint.h>

/* c_cc indices */
#define VINTR		0
#define VQUIT		1
#define VERASE		2
#define VKILL		3
#define VEOF		4
#define VTIME		5
#define VMIN		6
#define VSWTC		7
#define VSTART		8
#define VSTOP		9
#define VSUSP		10
#define VEOL		11
#define VREPRINT	12
#define VDISCARD	13
#define VWERASE		14
#define VLNEXT		15
#define VEOL2		16
#define NCCS		19

/* c_iflag */
#define IGNBRK		0x0001
#define BRKINT		0x0002
#define IGNPAR		0x0004
#define PARMRK		0x0008
#define INPCK		0x0010
#define ISTRIP		0x0020
#define INLCR		0x0040
#define IGNCR		0x0080
#define ICRNL		0x0100
#define IUCLC		0x0200
#define IXON		0x0400
#define IXANY		0x0800
#define IXOFF		0x1000
#define IMAXBEL		0x2000
#define IUTF8		0x4000
/* c_oflag */
#define OPOST		0x0001
#define OLCUC		0x0002
#define ONLCR		0x0004
#define OCRNL		0x0008
#define ONOCR		0x0010
#define ONLRET		0x0020
#define TABDLY		0x1800
#define XTABS		0x1800
/* c_cflag */
#define CBAUD		0x100f
#define B0		0x0000
#define B9600		0x000d
#define B38400		0x000f
#define B115200		0x1002
#define CSIZE		0x0030
#define CS8		0x0030
#define CSTOPB		0x0040
#define CREAD		0x0080
#define PARENB		0x0100
#define HUPCL		0x0400
#define CLOCAL		0x0800
/* c_lflag */
#define ISIG		0x00001
#define ICANON		0x00002
#define ECHO		0x00008
#define ECHOE		0x00010
#define ECHOK		0x00020
#define ECHONL		0x00040
#define NOFLSH		0x00080
#define TOSTOP		0x00100
#define ECHOCTL		0x00200
#define ECHOPRT		0x00400
#define ECHOKE		0x00800
#define IEXTEN		0x08000

/* tcsetattr's when, tcflush's and tcflow's queue and action (the ioctl arguments) */
#define TCSANOW		0
#define TCSADRAIN	1
#define TCSAFLUSH	2
#define TCIFLUSH	0
#define TCOFLUSH	1
#define TCIOFLUSH	2
#define TCOOFF		0
#define TCOON		1
#define TCIOFF		2
#define TCION		3

struct termios {
	uint32_t	c_iflag;
	uint32_t	c_oflag;
	uint32_t	c_cflag;
	uint32_t	c_lflag;
	uint8_t		c_line;
	uint8_t		c_cc[NCCS];
};
_Static_assert(sizeof(struct termios) == 36, "struct termios is 36 bytes");

struct winsize {
	uint16_t	ws_row;
	uint16_t	ws_col;
	uint16_t	ws_xpixel;
	uint16_t	ws_ypixel;
};

#endif
