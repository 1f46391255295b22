/* socket.c: the socket calls. */
#include <sys/socket.h>
#include "syscall_impl.h"

_Static_assert(sizeof(struct msghdr) == sizeof(struct msghdr_k), "msghdr layout");

int socket(int d, int t, int p) { return RET(SC3(SYS_socket, d, t, p)); }
int socketpair(int d, int t, int p, int sv[2]) { return RET(SC4(SYS_socketpair, d, t, p, sv)); }
int bind(int fd, const void *a, socklen_t l) { return RET(SC3(SYS_bind, fd, a, l)); }
int listen(int fd, int b) { return RET(SC2(SYS_listen, fd, b)); }
int accept(int fd, void *a, socklen_t *l) { return RET(SC3(SYS_accept, fd, a, l)); }
int accept4(int fd, void *a, socklen_t *l, int f) { return RET(SC4(SYS_accept4, fd, a, l, f)); }
int connect(int fd, const void *a, socklen_t l) { return RET(SC3(SYS_connect, fd, a, l)); }
int getsockname(int fd, void *a, socklen_t *l) { return RET(SC3(SYS_getsockname, fd, a, l)); }
int getpeername(int fd, void *a, socklen_t *l) { return RET(SC3(SYS_getpeername, fd, a, l)); }
ssize_t send(int fd, const void *b, size_t n, int f) { return RET(SC6(SYS_sendto, fd, b, n, f, 0, 0)); }
ssize_t recv(int fd, void *b, size_t n, int f) { return RET(SC6(SYS_recvfrom, fd, b, n, f, 0, 0)); }
ssize_t sendto(int fd, const void *b, size_t n, int f, const void *a, socklen_t l)
{
	return RET(SC6(SYS_sendto, fd, b, n, f, a, l));
}
ssize_t recvfrom(int fd, void *b, size_t n, int f, void *a, socklen_t *l)
{
	return RET(SC6(SYS_recvfrom, fd, b, n, f, a, l));
}
ssize_t sendmsg(int fd, const struct msghdr *m, int f) { return RET(SC3(SYS_sendmsg, fd, m, f)); }
ssize_t recvmsg(int fd, struct msghdr *m, int f) { return RET(SC3(SYS_recvmsg, fd, m, f)); }
int setsockopt(int fd, int lv, int n, const void *v, socklen_t l)
{
	return RET(SC5(SYS_setsockopt, fd, lv, n, v, l));
}
int getsockopt(int fd, int lv, int n, void *v, socklen_t *l)
{
	return RET(SC5(SYS_getsockopt, fd, lv, n, v, l));
}
int shutdown(int fd, int how) { return RET(SC2(SYS_shutdown, fd, how)); }
