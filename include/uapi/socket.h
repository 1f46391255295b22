/*
 * Sockets, as far as local (AF_UNIX) stream sockets need them (Linux
 * linux/socket.h, asm/socket.h, linux/un.h; the names glibc's
 * sys/socket.h gives the rest).  Shared by the kernel and the C library.
 */
#ifndef _UAPI_SOCKET_H
#define _UAPI_SOCKET_H

#define AF_UNSPEC	0
#define AF_UNIX		1
#define AF_LOCAL	AF_UNIX
#define AF_INET		2
#define AF_INET6	10

#define SOCK_STREAM	1
#define SOCK_DGRAM	2
#define SOCK_SEQPACKET	5
#define SOCK_NONBLOCK	04000
#define SOCK_CLOEXEC	02000000

#define SOL_SOCKET	1
#define SO_DEBUG	1
#define SO_REUSEADDR	2
#define SO_TYPE		3
#define SO_ERROR	4
#define SO_DONTROUTE	5
#define SO_BROADCAST	6
#define SO_SNDBUF	7
#define SO_RCVBUF	8
#define SO_KEEPALIVE	9
#define SO_OOBINLINE	10
#define SO_LINGER	13
#define SO_PASSCRED	16
#define SO_PEERCRED	17
#define SO_RCVLOWAT	18
#define SO_SNDLOWAT	19
#define SO_ACCEPTCONN	30
#define SO_PROTOCOL	38
#define SO_DOMAIN	39

#define MSG_OOB		0x1
#define MSG_PEEK	0x2
#define MSG_DONTROUTE	0x4
#define MSG_CTRUNC	0x8
#define MSG_TRUNC	0x20
#define MSG_DONTWAIT	0x40
#define MSG_EOR		0x80
#define MSG_WAITALL	0x100
#define MSG_NOSIGNAL	0x4000
#define MSG_CMSG_CLOEXEC 0x40000000

#define SHUT_RD		0
#define SHUT_WR		1
#define SHUT_RDWR	2

#define SCM_RIGHTS	1
#define SCM_CREDENTIALS	2

#define UNIX_PATH_MAX	108
#define SOMAXCONN	4096

#ifndef __ASSEMBLER__
#include <stdint.h>

struct sockaddr_un {
	uint16_t	sun_family;		/* AF_UNIX */
	char		sun_path[UNIX_PATH_MAX];	/* a path, or NUL then an abstract name */
};

/* sendmsg's and recvmsg's message (64-bit layout: socklen_t padded) */
struct msghdr_k {
	uint64_t	msg_name;		/* a struct sockaddr, or 0 */
	uint32_t	msg_namelen;
	uint32_t	__pad0;
	uint64_t	msg_iov;		/* struct iovec[msg_iovlen] */
	uint64_t	msg_iovlen;
	uint64_t	msg_control;		/* control messages, or 0 */
	uint64_t	msg_controllen;
	int32_t		msg_flags;
	uint32_t	__pad1;
};

struct cmsghdr_k {
	uint64_t	cmsg_len;		/* with this header, before padding */
	int32_t		cmsg_level;
	int32_t		cmsg_type;
};

/* SO_PEERCRED */
struct ucred_k {
	int32_t		pid;
	uint32_t	uid;
	uint32_t	gid;
};
#endif

#endif
