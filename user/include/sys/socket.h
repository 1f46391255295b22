/* sys/socket.h: sockets (uapi/socket.h); local stream sockets are what the kernel has. */
#ifndef _SYS_SOCKET_H
#define _SYS_SOCKET_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <uapi/socket.h>

typedef unsigned int socklen_t;
typedef unsigned short sa_family_t;

struct sockaddr {
	sa_family_t	sa_family;
	char		sa_data[14];
};

/* glibc's layouts (the kernel's msghdr_k and cmsghdr_k). */
struct msghdr {
	void		*msg_name;
	socklen_t	msg_namelen;
	struct iovec	*msg_iov;
	size_t		msg_iovlen;
	void		*msg_control;
	size_t		msg_controllen;
	int		msg_flags;
};

struct cmsghdr {
	size_t		cmsg_len;
	int		cmsg_level;
	int		cmsg_type;
};

struct ucred {
	pid_t		pid;
	uid_t		uid;
	gid_t		gid;
};

int socket(int domain, int type, int protocol);
int socketpair(int domain, int type, int protocol, int sv[2]);
int bind(int fd, const void *addr, socklen_t len);
int listen(int fd, int backlog);
int accept(int fd, void *addr, socklen_t *len);
int accept4(int fd, void *addr, socklen_t *len, int flags);
int connect(int fd, const void *addr, socklen_t len);
int getsockname(int fd, void *addr, socklen_t *len);
int getpeername(int fd, void *addr, socklen_t *len);
ssize_t send(int fd, const void *buf, size_t len, int flags);
ssize_t recv(int fd, void *buf, size_t len, int flags);
ssize_t sendto(int fd, const void *buf, size_t len, int flags, const void *addr,
    socklen_t alen);
ssize_t recvfrom(int fd, void *buf, size_t len, int flags, void *addr, socklen_t *alen);
ssize_t sendmsg(int fd, const struct msghdr *msg, int flags);
ssize_t recvmsg(int fd, struct msghdr *msg, int flags);
int setsockopt(int fd, int level, int name, const void *val, socklen_t len);
int getsockopt(int fd, int level, int name, void *val, socklen_t *len);
int shutdown(int fd, int how);

#endif
