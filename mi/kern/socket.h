/*
 * Sockets: local (AF_UNIX) stream sockets, the only kind there is
 * (uipc_unix.c, after FreeBSD's uipc_usrreq.c), behind the socket system
 * calls (uipc_syscalls.c).  A socket is a struct file whose f_data is its
 * protocol control block; everything below works on the file.
 *
 * Addresses are struct sockaddr_un in kernel memory, with their length:
 * a file-system path (a VSOCK node that bind makes), or an abstract name
 * (sun_path starting with a NUL: Linux's namespace that is no file).
 */
#ifndef _KERN_SOCKET_H_
#define _KERN_SOCKET_H_

#include <kern/types.h>
#include <uapi/socket.h>

struct file;
struct iovec;
struct proc;

/* A new socket of type (SOCK_STREAM; EPROTOTYPE, ESOCKTNOSUPPORT otherwise) with open flags. */
int soc_create(int domain, int type, int protocol, int flags, struct file **fpp);
/* Two connected ones (socketpair). */
int soc_pair(int domain, int type, int protocol, int flags, struct file **fp0,
    struct file **fp1);
/* Is fp a socket?  The calls below need one (the syscalls say ENOTSOCK otherwise). */
bool soc_is(struct file *fp);

int soc_bind(struct file *fp, const struct sockaddr_un *sa, uint32_t len);
int soc_listen(struct file *fp, int backlog);
/* A connection waiting on a listening socket, as a new file: 0, EAGAIN, EINTR, EINVAL. */
int soc_accept(struct file *fp, int flags, struct file **newfp);
int soc_connect(struct file *fp, const struct sockaddr_un *sa, uint32_t len);
int soc_shutdown(struct file *fp, int how);
/* The socket's own name (peer false) or its peer's, and its length: 0 or ENOTCONN. */
int soc_name(struct file *fp, bool peer, struct sockaddr_un *sa, uint32_t *len);
/* Bytes moved, or -errno (EPIPE asks the caller for SIGPIPE unless MSG_NOSIGNAL). */
ssize_t soc_send(struct file *fp, const struct iovec *iov, int iovcnt, bool user, int flags);
ssize_t soc_recv(struct file *fp, const struct iovec *iov, int iovcnt, bool user, int flags);
/* SOL_SOCKET options, in kernel buffers: 0 or an errno (ENOPROTOOPT). */
int soc_getopt(struct file *fp, int level, int name, void *val, uint32_t *len);
int soc_setopt(struct file *fp, int level, int name, const void *val, uint32_t len);

#endif
