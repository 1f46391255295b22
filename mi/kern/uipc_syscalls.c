/*
 * The socket system calls (after FreeBSD's uipc_syscalls.c): arguments
 * in and results out, with Linux's errors for what is no socket (EBADF,
 * ENOTSOCK) and for addresses; the sockets themselves are in
 * uipc_unix.c (socket.h).
 */
#include <kern/systm.h>
#include <kern/copy.h>
#include <kern/file.h>
#include <kern/malloc.h>
#include <kern/proc.h>
#include <kern/socket.h>
#include <kern/syscall.h>
#include <kern/thread.h>
#include <kern/uio.h>
#include <uapi/fcntl.h>
#include <uapi/uio.h>

#define SOCKOPT_MAX	64		/* the largest option value handled */
#define SEND_FLAGS	(MSG_OOB | MSG_DONTROUTE | MSG_DONTWAIT | MSG_EOR | MSG_NOSIGNAL)
#define RECV_FLAGS	(MSG_OOB | MSG_PEEK | MSG_DONTWAIT | MSG_WAITALL | MSG_TRUNC | \
	MSG_CMSG_CLOEXEC)

/* The socket at descriptor fd, held: EBADF, ENOTSOCK. */
static int
getsock(struct thread *td, uint64_t fd, struct file **fpp)
{
	int error = getfile(td, fd, fpp);

	if (error == 0 && !soc_is(*fpp)) {
		file_drop(*fpp);
		error = ENOTSOCK;
	}
	return error;
}

/* Install fp (the caller's reference) at a new descriptor: the fd, or -errno. */
static long
install(struct thread *td, struct file *fp, int flags)
{
	int fd, error;

	if ((error = fd_alloc(fdtable(td), fp, 0, (flags & SOCK_CLOEXEC) != 0, &fd)) != 0) {
		file_drop(fp);
		return -error;
	}
	return fd;
}

/* A struct sockaddr_un from the user: EINVAL if its length cannot be one. */
static int
addr_in(uint64_t uaddr, uint64_t len, struct sockaddr_un *sa)
{
	if (len > sizeof(*sa) || len < sizeof(sa->sun_family))
		return EINVAL;
	memset(sa, 0, sizeof(*sa));
	return copyin((const void *)uaddr, sa, len) ? EFAULT : 0;
}

/*
 * An address out to (uaddr, ulenp), as Linux's move_addr_to_user: cut to
 * the caller's buffer, the full length written back.  ulenp 0: nothing.
 */
static int
addr_out(const struct sockaddr_un *sa, uint32_t len, uint64_t uaddr, uint64_t ulenp)
{
	int32_t room;

	if (ulenp == 0)
		return 0;
	if (copyin((const void *)ulenp, &room, sizeof(room)))
		return EFAULT;
	if (room < 0)
		return EINVAL;
	if (uaddr != 0 && copyout(sa, (void *)uaddr, MIN((uint32_t)room, len)))
		return EFAULT;
	return copyout(&len, (void *)ulenp, sizeof(len)) ? EFAULT : 0;
}

SYSCALL(socket)
{
	struct file *fp;
	int type = (int)a[1], error;

	if (fdtable(td) == NULL)
		return -EMFILE;
	if ((error = soc_create((int)a[0], type, (int)a[2], 0, &fp)) != 0)
		return -error;
	return install(td, fp, type);
}

/* socketpair(domain, type, protocol, sv[2]) */
SYSCALL(socketpair)
{
	struct file *fp0, *fp1;
	int type = (int)a[1], fds[2], error;
	bool cloexec = (type & SOCK_CLOEXEC) != 0;

	if (fdtable(td) == NULL)
		return -EMFILE;
	if ((error = soc_pair((int)a[0], type, (int)a[2], 0, &fp0, &fp1)) != 0)
		return -error;
	if ((error = fd_alloc(fdtable(td), fp0, 0, cloexec, &fds[0])) != 0) {
		file_drop(fp0);
		file_drop(fp1);
		return -error;
	}
	if ((error = fd_alloc(fdtable(td), fp1, 0, cloexec, &fds[1])) != 0) {
		fd_close(fdtable(td), fds[0]);
		file_drop(fp1);
		return -error;
	}
	if (copyout(fds, (void *)a[3], sizeof(fds))) {
		fd_close(fdtable(td), fds[0]);
		fd_close(fdtable(td), fds[1]);
		return -EFAULT;
	}
	return 0;
}

/* bind and connect: an address in, one operation. */
static long
with_addr(struct thread *td, const uint64_t a[6],
    int (*op)(struct file *, const struct sockaddr_un *, uint32_t))
{
	struct sockaddr_un sa;
	struct file *fp;
	int error;

	if ((error = getsock(td, a[0], &fp)) != 0)
		return -error;
	if ((error = addr_in(a[1], a[2], &sa)) == 0)
		error = op(fp, &sa, (uint32_t)a[2]);
	file_drop(fp);
	return -error;
}

SYSCALL(bind)
{
	return with_addr(td, a, soc_bind);
}

SYSCALL(connect)
{
	return with_addr(td, a, soc_connect);
}

/* A call taking a socket and a number: listen, shutdown. */
static long
with_int(struct thread *td, const uint64_t a[6], int (*op)(struct file *, int))
{
	struct file *fp;
	int error;

	if ((error = getsock(td, a[0], &fp)) != 0)
		return -error;
	error = op(fp, (int)a[1]);
	file_drop(fp);
	return -error;
}

SYSCALL(listen)
{
	return with_int(td, a, soc_listen);
}

/* accept4(fd, addr, addrlen, flags); accept is flags 0 */
SYSCALL(accept4)
{
	struct sockaddr_un sa;
	struct file *fp, *newfp;
	int flags = (int)a[3], error;
	uint32_t len;
	long fd;

	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	if ((error = getsock(td, a[0], &fp)) != 0)
		return -error;
	error = soc_accept(fp, flags, &newfp);
	file_drop(fp);
	if (error)
		return -error;
	if ((fd = install(td, newfp, flags)) < 0)
		return fd;
	if (soc_name(newfp, true, &sa, &len) != 0) {
		sa.sun_family = AF_UNIX;
		len = sizeof(sa.sun_family);
	}
	if ((error = addr_out(&sa, len, a[1], a[2])) != 0) {
		fd_close(fdtable(td), (int)fd);
		return -error;
	}
	return fd;
}

SYSCALL(accept)
{
	const uint64_t args[6] = { a[0], a[1], a[2], 0, 0, 0 };

	return sys_accept4(td, args);
}

static long
name_of(struct thread *td, const uint64_t a[6], bool peer)
{
	struct sockaddr_un sa;
	struct file *fp;
	uint32_t len;
	int error;

	if ((error = getsock(td, a[0], &fp)) != 0)
		return -error;
	if ((error = soc_name(fp, peer, &sa, &len)) == 0)
		error = addr_out(&sa, len, a[1], a[2]);
	file_drop(fp);
	return -error;
}

SYSCALL(getsockname)
{
	return name_of(td, a, false);
}

SYSCALL(getpeername)
{
	return name_of(td, a, true);
}

SYSCALL(shutdown)
{
	return with_int(td, a, soc_shutdown);
}

/*
 * Data.  A stream socket takes no address with its data: EISCONN when
 * connected (the address is redundant), EOPNOTSUPP otherwise, as Linux.
 */
static long
send_common(struct thread *td, uint64_t fd, const struct iovec *iov, int iovcnt, int flags,
    bool addressed)
{
	struct file *fp;
	struct sockaddr_un sa;
	uint32_t len;
	ssize_t n;
	int error;

	if ((error = getsock(td, fd, &fp)) != 0)
		return -error;
	if (addressed)
		n = soc_name(fp, true, &sa, &len) == 0 ? -EISCONN : -EOPNOTSUPP;
	else
		n = soc_send(fp, iov, iovcnt, true, flags & SEND_FLAGS);
	file_drop(fp);
	return (flags & MSG_NOSIGNAL) ? n : write_result(td, n);
}

/* recvfrom's and recvmsg's data, with the sender's name (the peer's) where asked. */
static long
recv_common(struct thread *td, uint64_t fd, const struct iovec *iov, int iovcnt, int flags,
    uint64_t uaddr, uint64_t ulenp)
{
	struct sockaddr_un sa;
	struct file *fp;
	uint32_t len;
	ssize_t n;
	int error;

	if ((error = getsock(td, fd, &fp)) != 0)
		return -error;
	n = soc_recv(fp, iov, iovcnt, true, flags & RECV_FLAGS);
	if (n >= 0 && ulenp != 0) {
		if (soc_name(fp, true, &sa, &len) != 0) {
			sa.sun_family = AF_UNIX;
			len = sizeof(sa.sun_family);
		}
		if ((error = addr_out(&sa, len, uaddr, ulenp)) != 0)
			n = -error;
	}
	file_drop(fp);
	return n;
}

/* sendto(fd, buf, len, flags, addr, addrlen) */
SYSCALL(sendto)
{
	struct iovec iov = { (void *)a[1], MIN(a[2], (uint64_t)INT32_MAX) };

	return send_common(td, a[0], &iov, 1, (int)a[3], a[4] != 0);
}

/* recvfrom(fd, buf, len, flags, addr, addrlen) */
SYSCALL(recvfrom)
{
	struct iovec iov = { (void *)a[1], MIN(a[2], (uint64_t)INT32_MAX) };

	return recv_common(td, a[0], &iov, 1, (int)a[3], a[4], a[4] != 0 ? a[5] : 0);
}

/*
 * sendmsg(fd, msg, flags), recvmsg(fd, msg, flags).  Control messages
 * are not carried (no descriptor passing yet): a sendmsg with one is
 * EINVAL, and recvmsg reports none.
 */
SYSCALL(sendmsg)
{
	struct msghdr_k msg;
	struct iovec *iov;
	long n;
	int error;

	if (copyin((const void *)a[1], &msg, sizeof(msg)))
		return -EFAULT;
	if (msg.msg_controllen != 0)
		return -EINVAL;
	if ((error = iov_in(msg.msg_iov, msg.msg_iovlen, &iov)) != 0)
		return -error;
	n = send_common(td, a[0], iov, (int)msg.msg_iovlen, (int)a[2], msg.msg_namelen != 0);
	free(iov, M_TEMP);
	return n;
}

SYSCALL(recvmsg)
{
	struct msghdr_k msg;
	struct iovec *iov;
	uint64_t ulen = a[1] + __builtin_offsetof(struct msghdr_k, msg_namelen);
	long n;
	int error;

	if (copyin((const void *)a[1], &msg, sizeof(msg)))
		return -EFAULT;
	if ((error = iov_in(msg.msg_iov, msg.msg_iovlen, &iov)) != 0)
		return -error;
	n = recv_common(td, a[0], iov, (int)msg.msg_iovlen, (int)a[2], msg.msg_name,
	    msg.msg_name != 0 ? ulen : 0);
	free(iov, M_TEMP);
	if (n >= 0) {
		msg.msg_controllen = 0;
		msg.msg_flags = 0;
		if (copyout(&msg.msg_controllen, (void *)(a[1] +
		    __builtin_offsetof(struct msghdr_k, msg_controllen)), sizeof(msg.msg_controllen)) ||
		    copyout(&msg.msg_flags, (void *)(a[1] +
		    __builtin_offsetof(struct msghdr_k, msg_flags)), sizeof(msg.msg_flags)))
			return -EFAULT;
	}
	return n;
}

/*
 * Options.
 */

/* setsockopt(fd, level, name, value, len) */
SYSCALL(setsockopt)
{
	uint8_t val[SOCKOPT_MAX];
	uint32_t len = (uint32_t)a[4];
	struct file *fp;
	int error;

	if ((int32_t)len < 0)
		return -EINVAL;
	if ((error = getsock(td, a[0], &fp)) != 0)
		return -error;
	len = MIN(len, (uint32_t)sizeof(val));
	if (copyin((const void *)a[3], val, len))
		error = EFAULT;
	else
		error = soc_setopt(fp, (int)a[1], (int)a[2], val, len);
	file_drop(fp);
	return -error;
}

/* getsockopt(fd, level, name, value, &len) */
SYSCALL(getsockopt)
{
	uint8_t val[SOCKOPT_MAX];
	struct file *fp;
	int32_t ulen;
	uint32_t len;
	int error;

	if (copyin((const void *)a[4], &ulen, sizeof(ulen)))
		return -EFAULT;
	if (ulen < 0)
		return -EINVAL;
	if ((error = getsock(td, a[0], &fp)) != 0)
		return -error;
	len = MIN((uint32_t)ulen, (uint32_t)sizeof(val));
	error = soc_getopt(fp, (int)a[1], (int)a[2], val, &len);
	file_drop(fp);
	if (error)
		return -error;
	if (copyout(val, (void *)a[3], len) || copyout(&len, (void *)a[4], sizeof(len)))
		return -EFAULT;
	return 0;
}
