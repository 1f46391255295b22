/*
 * wait4(2) options (Linux linux/wait.h) and the wait status encoding
 * (exit code in bits 8..15, terminating signal in bits 0..6).  Shared by
 * the kernel and the user C library.
 */
#ifndef _UAPI_WAIT_H
#define _UAPI_WAIT_H

#define WNOHANG		0x00000001
#define WUNTRACED	0x00000002
#define WCONTINUED	0x00000008
#define WNOWAIT		0x01000000	/* waitid only */
#define __WNOTHREAD	0x20000000
#define __WALL		0x40000000
#define __WCLONE	0x80000000

#define W_EXITCODE(ret, sig)	(((ret) << 8) | (sig))
#define W_STOPCODE(sig)		(((sig) << 8) | 0x7f)	/* stopped by sig */
#define W_CONTINUED		0xffff			/* continued by SIGCONT */
#define WTERMSIG(s)		((s) & 0x7f)
#define WEXITSTATUS(s)		(((s) >> 8) & 0xff)

#endif
