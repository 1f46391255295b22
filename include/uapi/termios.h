/*
 * The terminal settings TCGETS and TCSETS exchange (Linux asm-generic
 * termbits.h: no speed fields) and the window size.  Shared by the kernel
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
#define ICRNL		0000400
#define IXON		0002000
/* c_oflag */
#define OPOST		0000001
#define ONLCR		0000004
/* c_cflag */
#define B115200		0010002
#define CS8		0000060
#define CREAD		0000200
/* c_lflag */
#define ISIG		0000001
#define ICANON		0000002
#define ECHO		0000010
#define ECHOE		0000020
#define ECHOK		0000040
#define ECHOCTL		0001000
#define ECHOKE		0004000
#define IEXTEN		0100000

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
