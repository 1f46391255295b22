/*
 * Local stream sockets (AF_UNIX, SOCK_STREAM; see socket.h), after
 * FreeBSD's uipc_usrreq.c, with Linux's behaviour.
 *
 * A socket is a protocol control block (struct unpcb) behind a file.
 * Connected sockets come in pairs; each one reads from its own byte ring
 * (bytering.h), which its peer writes into: the ring's reader is the
 * socket (until it shuts down reading or closes), its writer the peer
 * (until that shuts down writing or closes), so a closed peer reads as
 * the end of the stream and writing to one fails with EPIPE, as with
 * pipes.  socketpair makes a connected pair at once.  Otherwise a socket
 * is bound to a name (bind: a VSOCK node in the file system, or an
 * abstract name), made to listen, and connect makes a new socket
 * connected to the caller's and puts it on the listener's queue for
 * accept: the connection is there at once, so a client may write before
 * the server accepts.
 *
 * Lifetime: a pcb has a reference from its file, one from its peer while
 * connected, and one from each sender writing into its ring at the
 * moment (taken under unp_lock, so a close cannot free the ring under a
 * write); it is freed with the last.
 *
 * Locking: unp_lock, a sleep mutex, guards every pcb's state, peer, name,
 * queue and flags (U), and the list of bound sockets; a listener's
 * condition variables go with it.  The rings have their own mutexes;
 * unp_lock is never held across a ring's read or write (they may wait a
 * long time), only while a ring gains or loses an end.  Order: unp_lock,
 * then a ring's mutex.
 */
#include <kern/systm.h>
#include <kern/bytering.h>
#include <kern/condvar.h>
#include <kern/copy.h>
#include <kern/file.h>
#include <kern/list.h>
#include <kern/malloc.h>
#include <kern/mutex.h>
#include <kern/poll.h>
#include <kern/proc.h>
#include <kern/random.h>
#include <kern/sched.h>
#include <kern/socket.h>
#include <kern/thread.h>
#include <kern/time.h>
#include <fs/vnode.h>
#include <uapi/fcntl.h>
#include <uapi/ioctl.h>
#include <uapi/stat.h>

MALLOC_DEFINE(M_SOCKET, "socket", "local sockets");

#define UNP_RING_SIZE		65536	/* bytes a socket can have waiting to be read */
#define SOCK_TYPE_MASK		0xf	/* the type; the flags live above it */
#define SOCK_FLAGS		(SOCK_NONBLOCK | SOCK_CLOEXEC)
#define SOCKBUF_MIN		4608	/* what Linux keeps at the least (SOCK_MIN_RCVBUF) */
#define ADDR_FAMILY_LEN		2	/* sun_family alone: an unnamed socket */
#define AUTOBIND_DIGITS		5	/* Linux's autobind names: NUL and 5 hex digits */
#define OVERFLOW_ID		65534	/* the uid and gid Linux shows for "none" */

enum unp_state { UNP_NEW, UNP_LISTENING, UNP_CONNECTED, UNP_DISCONNECTED };

struct unpcb {
	uint32_t	u_refs;		/* (A) */
	enum unp_state	u_state;	/* (U) */
	struct unpcb	*u_peer;	/* (U) while connected */
	bool		u_has_ring;	/* (U) u_rcv is set up: it has been connected */
	struct bytering	u_rcv;		/* what the peer sends it */
	bool		u_rd_shut;	/* (U) it no longer reads (SHUT_RD, or closed) */
	bool		u_wr_shut;	/* (U) it no longer writes */
	struct sockaddr_un u_addr;	/* (U) its name */
	uint32_t	u_addrlen;	/* (U) 0: unnamed */
	struct vnode	*u_vnode;	/* (U) the VSOCK node it is bound to (held), or NULL */
	struct list_node u_bound;	/* (U) on unp_bound while bound (next NULL if not):
					 * an accepted socket shares its listener's name
					 * but is not on the list */
	struct list_node u_queue;	/* (U) a listener's connections not yet accepted */
	struct list_node u_qlink;	/* (U) its place on a listener's u_queue */
	uint32_t	u_qlen;		/* (U) */
	struct cv	u_conns;	/* a listener's: a connection came, or it stopped listening */
	struct cv	u_room;		/* a listener's: room in its queue, or it stopped listening */
	uint32_t	u_backlog;	/* (U) */
	struct ucred_k	u_cred;		/* (U) its owner's, at socket or listen time */
	struct ucred_k	u_peercred;	/* (U) the peer's, at connect time */
	int		u_sndbuf;	/* (U) what setsockopt asked (doubled, as Linux) */
	int		u_rcvbuf;	/* (U) */
	bool		u_passcred;	/* (U) */
	uint64_t	u_ino;		/* (C) for fstat */
	struct selinfo	u_sel;		/* pollers of a listener (connections arriving) */
};

static void soc_detach(struct unpcb *u);

static struct mtx unp_lock = MTX_INITIALIZER("unp");
static struct list_node unp_bound = LIST_HEAD_INIT(unp_bound);	/* (U) */
static uint64_t next_sock_ino = 1;	/* (A) */
static const struct fileops socketops;

/*
 * Control blocks.
 */

static struct ucred_k
current_cred(void)
{
	struct proc *p = curproc();

	if (p == NULL)
		return (struct ucred_k){ 0, 0, 0 };
	return (struct ucred_k){ p->p_pid, p->p_uid, p->p_gid };
}

static struct unpcb *
unp_alloc(void)
{
	struct unpcb *u = malloc(sizeof(*u), M_SOCKET, M_WAITOK | M_ZERO);

	if (u == NULL)
		return NULL;
	u->u_refs = 1;
	u->u_state = UNP_NEW;
	list_init(&u->u_queue);
	u->u_sndbuf = u->u_rcvbuf = UNP_RING_SIZE;
	u->u_cred = current_cred();
	u->u_peercred = (struct ucred_k){ 0, OVERFLOW_ID, OVERFLOW_ID };
	u->u_ino = __atomic_fetch_add(&next_sock_ino, 1, __ATOMIC_RELAXED);
	selinfo_init(&u->u_sel, "socket");
	cv_init(&u->u_conns, "socket connections");
	cv_init(&u->u_room, "socket queue room");
	return u;
}

static void
unp_hold(struct unpcb *u)
{
	__atomic_add_fetch(&u->u_refs, 1, __ATOMIC_RELAXED);
}

static void
unp_rele(struct unpcb *u)
{
	if (__atomic_sub_fetch(&u->u_refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (u->u_has_ring)
		bytering_destroy(&u->u_rcv);
	seldrain(&u->u_sel);
	cv_destroy(&u->u_conns);
	cv_destroy(&u->u_room);
	free(u, M_SOCKET);
}

/* Connect a and b, whose rings are ready (unp_lock held). */
static void
unp_link(struct unpcb *a, struct unpcb *b)
{
	a->u_peer = b;
	b->u_peer = a;
	unp_hold(a);
	unp_hold(b);
	a->u_state = b->u_state = UNP_CONNECTED;
}

/* Set up u's ring, read by u and written by the peer it is about to have. */
static int
unp_ring(struct unpcb *u)
{
	if (bytering_init(&u->u_rcv, UNP_RING_SIZE, "socket") != 0)
		return ENOMEM;
	bytering_add(&u->u_rcv, false);
	bytering_add(&u->u_rcv, true);
	u->u_has_ring = true;
	return 0;
}

/*
 * u stops reading (SHUT_RD, close): its ring loses its reader, so the
 * peer's writes fail.  Or stops writing: the peer's ring loses its writer,
 * so the peer reads the end.  Each happens once.  unp_lock held.
 */
static void
unp_shut(struct unpcb *u, bool reading)
{
	if (reading && !u->u_rd_shut) {
		u->u_rd_shut = true;
		if (u->u_has_ring)
			bytering_drop(&u->u_rcv, false);
	} else if (!reading && !u->u_wr_shut) {
		u->u_wr_shut = true;
		if (u->u_peer != NULL)
			bytering_drop(&u->u_peer->u_rcv, true);
	}
}

/* Break u's connection (close): both directions end; the peer keeps its own ring. */
static struct unpcb *
unp_disconnect(struct unpcb *u)
{
	struct unpcb *peer = u->u_peer;

	unp_shut(u, true);
	unp_shut(u, false);
	if (peer != NULL) {
		/* The peer writes into u's ring: that ends as u's reading did. */
		peer->u_peer = NULL;
		peer->u_state = UNP_DISCONNECTED;
		u->u_peer = NULL;
	}
	u->u_state = UNP_DISCONNECTED;
	return peer;
}

/*
 * Files.
 */

static int
unp_file(struct unpcb *u, int flags, struct file **fpp)
{
	struct file *fp = file_alloc(&socketops, u, O_RDWR | (flags & SOCK_NONBLOCK ?
	    O_NONBLOCK : 0));

	if (fp == NULL)
		return ENOMEM;
	*fpp = fp;
	return 0;
}

bool
soc_is(struct file *fp)
{
	return fp->f_ops == &socketops;
}

static int
check_type(int domain, int type, int protocol)
{
	if (domain != AF_UNIX)
		return EAFNOSUPPORT;
	if (type & ~(SOCK_TYPE_MASK | SOCK_FLAGS))
		return EINVAL;
	if ((type & SOCK_TYPE_MASK) != SOCK_STREAM)
		return ESOCKTNOSUPPORT;	/* datagram and seqpacket sockets are not here yet */
	if (protocol != 0 && protocol != AF_UNIX)	/* PF_UNIX is AF_UNIX */
		return EPROTONOSUPPORT;
	return 0;
}

int
soc_create(int domain, int type, int protocol, int flags, struct file **fpp)
{
	struct unpcb *u;
	int error;

	if ((error = check_type(domain, type, protocol)) != 0)
		return error;
	if ((u = unp_alloc()) == NULL)
		return ENOMEM;
	if ((error = unp_file(u, type | flags, fpp)) != 0)
		unp_rele(u);
	return error;
}

int
soc_pair(int domain, int type, int protocol, int flags, struct file **fp0, struct file **fp1)
{
	struct unpcb *a, *b;
	int error;

	if ((error = check_type(domain, type, protocol)) != 0)
		return error;
	a = unp_alloc();
	b = unp_alloc();
	if (a == NULL || b == NULL || unp_ring(a) != 0 || unp_ring(b) != 0) {
		if (a != NULL)
			unp_rele(a);
		if (b != NULL)
			unp_rele(b);
		return ENOMEM;
	}
	a->u_peercred = b->u_peercred = current_cred();
	mtx_lock(&unp_lock);
	unp_link(a, b);
	mtx_unlock(&unp_lock);
	if ((error = unp_file(a, type | flags, fp0)) != 0) {
		soc_detach(a);
		soc_detach(b);
		return error;
	}
	if ((error = unp_file(b, type | flags, fp1)) != 0) {
		file_drop(*fp0);
		soc_detach(b);
		return error;
	}
	return 0;
}

/*
 * Names.
 */

static bool
is_abstract(const struct sockaddr_un *sa, uint32_t len)
{
	return len > ADDR_FAMILY_LEN && sa->sun_path[0] == '\0';
}

/* Is the name (sa, len) one a bound socket already has?  unp_lock held. */
static struct unpcb *
bound_abstract(const struct sockaddr_un *sa, uint32_t len)
{
	struct list_node *n;

	list_foreach(n, &unp_bound) {
		struct unpcb *u = list_entry(n, struct unpcb, u_bound);

		if (u->u_vnode == NULL && u->u_addrlen == len &&
		    memcmp(u->u_addr.sun_path, sa->sun_path, len - ADDR_FAMILY_LEN) == 0)
			return u;
	}
	return NULL;
}

/* The socket bound to vnode vp, or NULL.  unp_lock held. */
static struct unpcb *
bound_vnode(struct vnode *vp)
{
	struct list_node *n;

	list_foreach(n, &unp_bound) {
		struct unpcb *u = list_entry(n, struct unpcb, u_bound);

		if (u->u_vnode == vp)
			return u;
	}
	return NULL;
}

/* A path from an address, NUL-terminated (it need not be in the address). */
static int
addr_path(const struct sockaddr_un *sa, uint32_t len, char *path)
{
	size_t n = strnlen(sa->sun_path, len - ADDR_FAMILY_LEN);

	if (n == 0)
		return ENOENT;
	memcpy(path, sa->sun_path, n);
	path[n] = '\0';
	return 0;
}

/* Linux's autobind: an abstract name of a NUL and five hex digits, unused. */
static void
autobind_name(struct sockaddr_un *sa, uint32_t *len)
{
	static const char hex[] = "0123456789abcdef";
	uint32_t r;

	do {
		random_bytes(&r, sizeof(r));
		sa->sun_family = AF_UNIX;
		sa->sun_path[0] = '\0';
		for (int i = 0; i < AUTOBIND_DIGITS; i++)
			sa->sun_path[1 + i] = hex[(r >> (4 * i)) & 0xf];
		*len = ADDR_FAMILY_LEN + 1 + AUTOBIND_DIGITS;
	} while (bound_abstract(sa, *len) != NULL);
}

static int
check_addr(const struct sockaddr_un *sa, uint32_t len)
{
	if (len < ADDR_FAMILY_LEN || len > sizeof(*sa) || sa->sun_family != AF_UNIX)
		return EINVAL;
	return 0;
}

int
soc_bind(struct file *fp, const struct sockaddr_un *sa, uint32_t len)
{
	struct unpcb *u = fp->f_data;
	struct vnode *vp = NULL;
	char path[UNIX_PATH_MAX + 1];
	struct sockaddr_un name = *sa;
	int error;

	if ((error = check_addr(sa, len)) != 0)
		return error;
	if (len > ADDR_FAMILY_LEN && !is_abstract(sa, len)) {
		/* A file-system name: a new VSOCK node, EADDRINUSE if the path is taken. */
		if ((error = addr_path(sa, len, path)) != 0)
			return error;
		struct vnode *cwd = proc_cwd_hold(curproc());

		error = vfs_lookup(cwd, path, VFS_CREATE | VFS_EXCL, VSOCK, 0777, &vp);
		vrele(cwd);
		if (error)
			return error == EEXIST ? EADDRINUSE : error;
	}
	mtx_lock(&unp_lock);
	if (u->u_addrlen != 0)
		error = EINVAL;
	else if (len == ADDR_FAMILY_LEN)
		autobind_name(&name, &len);
	else if (is_abstract(sa, len) && bound_abstract(sa, len) != NULL)
		error = EADDRINUSE;
	if (!error) {
		u->u_addr = name;
		u->u_addrlen = len;
		u->u_vnode = vp;
		list_append(&unp_bound, &u->u_bound);
		vp = NULL;		/* the socket's now */
	}
	mtx_unlock(&unp_lock);
	if (vp != NULL)
		vrele(vp);
	return error;
}

int
soc_name(struct file *fp, bool peer, struct sockaddr_un *sa, uint32_t *len)
{
	struct unpcb *u = fp->f_data, *of;
	int error = 0;

	mtx_lock(&unp_lock);
	of = peer ? u->u_peer : u;
	if (of == NULL) {
		error = ENOTCONN;
	} else if (of->u_addrlen == 0) {
		sa->sun_family = AF_UNIX;
		*len = ADDR_FAMILY_LEN;
	} else {
		*sa = of->u_addr;
		*len = of->u_addrlen;
	}
	mtx_unlock(&unp_lock);
	return error;
}

/*
 * Connections.
 */

int
soc_listen(struct file *fp, int backlog)
{
	struct unpcb *u = fp->f_data;
	int error = 0;

	mtx_lock(&unp_lock);
	if (u->u_addrlen == 0 || (u->u_state != UNP_NEW && u->u_state != UNP_LISTENING))
		error = EINVAL;		/* not bound, or connected */
	else {
		u->u_state = UNP_LISTENING;
		u->u_backlog = (uint32_t)backlog > SOMAXCONN ? SOMAXCONN : (uint32_t)backlog;
		u->u_cred = current_cred();
	}
	mtx_unlock(&unp_lock);
	return error;
}

/* The listening socket an address names, held; ECONNREFUSED if none. */
static int
find_listener(const struct sockaddr_un *sa, uint32_t len, struct unpcb **out)
{
	struct vnode *vp = NULL, *cwd;
	char path[UNIX_PATH_MAX + 1];
	struct unpcb *l;
	int error;

	if (!is_abstract(sa, len)) {
		if ((error = addr_path(sa, len, path)) != 0)
			return error;
		cwd = proc_cwd_hold(curproc());
		error = vfs_lookup(cwd, path, 0, VNON, 0, &vp);
		vrele(cwd);
		if (error)
			return error;
		if (vp->v_type != VSOCK) {
			vrele(vp);
			return ECONNREFUSED;
		}
	}
	mtx_lock(&unp_lock);
	l = vp != NULL ? bound_vnode(vp) : bound_abstract(sa, len);
	if (l == NULL || l->u_state != UNP_LISTENING)
		error = ECONNREFUSED;
	else
		unp_hold(l);
	mtx_unlock(&unp_lock);
	if (vp != NULL)
		vrele(vp);
	if (!error)
		*out = l;
	return error;
}

int
soc_connect(struct file *fp, const struct sockaddr_un *sa, uint32_t len)
{
	struct unpcb *u = fp->f_data, *l = NULL, *server;
	bool nonblock = (fp->f_flags & O_NONBLOCK) != 0;
	int error;

	if ((error = check_addr(sa, len)) != 0)
		return error;
	if (len == ADDR_FAMILY_LEN)
		return EINVAL;
	/* Linux's order: the listener (ECONNREFUSED), its queue (EAGAIN), then our state. */
	if ((error = find_listener(sa, len, &l)) != 0)
		return error;
	/* The server's end, for accept: connected now, so the client may write at once. */
	if ((server = unp_alloc()) == NULL || unp_ring(server) != 0 ||
	    (!u->u_has_ring && unp_ring(u) != 0)) {
		if (server != NULL)
			unp_rele(server);
		unp_rele(l);
		return ENOMEM;
	}
	mtx_lock(&unp_lock);
	/* Linux lets the queue hold one more than the backlog. */
	while (error == 0 && l->u_state == UNP_LISTENING && l->u_qlen > l->u_backlog) {
		if (nonblock)
			error = EAGAIN;
		else
			error = cv_wait_sig(&l->u_room, &unp_lock);
	}
	if (error == 0 && l->u_state != UNP_LISTENING)
		error = ECONNREFUSED;
	if (error == 0 && u->u_state != UNP_NEW)
		error = u->u_state == UNP_CONNECTED ? EISCONN : EINVAL;
	if (error == 0) {
		server->u_addr = l->u_addr;
		server->u_addrlen = l->u_addrlen;
		server->u_cred = l->u_cred;
		server->u_peercred = current_cred();
		u->u_peercred = l->u_cred;
		unp_link(u, server);
		list_append(&l->u_queue, &server->u_qlink);
		l->u_qlen++;
		unp_hold(server);	/* the queue's */
		cv_broadcast(&l->u_conns);
	}
	mtx_unlock(&unp_lock);
	if (error == 0)
		selwakeup(&l->u_sel);
	unp_rele(server);		/* the queue and the link hold it */
	unp_rele(l);
	return error;
}

int
soc_accept(struct file *fp, int flags, struct file **newfp)
{
	struct unpcb *l = fp->f_data, *server = NULL;
	bool nonblock = (fp->f_flags & O_NONBLOCK) != 0;
	int error = 0;

	mtx_lock(&unp_lock);
	if (l->u_state != UNP_LISTENING)
		error = EINVAL;
	while (error == 0 && list_empty(&l->u_queue)) {
		if (nonblock)
			error = EAGAIN;
		else if ((error = cv_wait_sig(&l->u_conns, &unp_lock)) == 0 &&
		    l->u_state != UNP_LISTENING)
			error = EINVAL;
	}
	if (error == 0) {
		server = list_entry(l->u_queue.next, struct unpcb, u_qlink);
		list_remove(&server->u_qlink);
		l->u_qlen--;
		cv_broadcast(&l->u_room);	/* room for a waiting connect */
	}
	mtx_unlock(&unp_lock);
	if (error)
		return error;
	/* The queue's reference becomes the file's. */
	if ((error = unp_file(server, flags, newfp)) != 0)
		soc_detach(server);
	return error;
}

int
soc_shutdown(struct file *fp, int how)
{
	struct unpcb *u = fp->f_data;
	int error = 0;

	if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
		return EINVAL;
	mtx_lock(&unp_lock);
	if (u->u_state != UNP_CONNECTED && u->u_state != UNP_DISCONNECTED)
		error = ENOTCONN;
	else {
		if (how != SHUT_WR)
			unp_shut(u, true);
		if (how != SHUT_RD)
			unp_shut(u, false);
	}
	mtx_unlock(&unp_lock);
	return error;
}

/*
 * Data.
 */

ssize_t
soc_send(struct file *fp, const struct iovec *iov, int iovcnt, bool user, int flags)
{
	struct unpcb *u = fp->f_data, *peer;
	bool nonblock = (fp->f_flags & O_NONBLOCK) || (flags & MSG_DONTWAIT);
	ssize_t n;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	mtx_lock(&unp_lock);
	if ((peer = u->u_peer) == NULL || u->u_wr_shut) {
		mtx_unlock(&unp_lock);
		return u->u_state == UNP_NEW || u->u_state == UNP_LISTENING ? -ENOTCONN : -EPIPE;
	}
	unp_hold(peer);		/* its ring stays while we write */
	mtx_unlock(&unp_lock);
	n = bytering_write(&peer->u_rcv, iov, iovcnt, user, nonblock, 0);
	unp_rele(peer);
	return n;
}

ssize_t
soc_recv(struct file *fp, const struct iovec *iov, int iovcnt, bool user, int flags)
{
	struct unpcb *u = fp->f_data;
	int bflags = 0;
	bool ring;

	if (flags & MSG_OOB)
		return -EOPNOTSUPP;
	mtx_lock(&unp_lock);
	ring = u->u_has_ring && !u->u_rd_shut;
	if (u->u_state == UNP_NEW || u->u_state == UNP_LISTENING) {
		mtx_unlock(&unp_lock);
		return -EINVAL;
	}
	mtx_unlock(&unp_lock);
	if (!ring)
		return 0;		/* it shut reading down: the end */
	if ((fp->f_flags & O_NONBLOCK) || (flags & MSG_DONTWAIT))
		bflags |= BR_NONBLOCK;
	if (flags & MSG_PEEK)
		bflags |= BR_PEEK;
	if (flags & MSG_WAITALL)
		bflags |= BR_WAITALL;
	return bytering_read(&u->u_rcv, iov, iovcnt, user, bflags);
}

/*
 * Options.
 */

static int
opt_int_out(int v, void *val, uint32_t *len)
{
	if (*len < sizeof(int))
		return EINVAL;
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
	return 0;
}

int
soc_getopt(struct file *fp, int level, int name, void *val, uint32_t *len)
{
	struct unpcb *u = fp->f_data;
	struct ucred_k cred;
	int v;

	if (level != SOL_SOCKET)
		return EOPNOTSUPP;
	mtx_lock(&unp_lock);
	cred = u->u_peercred;
	switch (name) {
	case SO_TYPE:		v = SOCK_STREAM; break;
	case SO_DOMAIN:		v = AF_UNIX; break;
	case SO_PROTOCOL:	v = 0; break;
	case SO_ERROR:		v = 0; break;
	case SO_ACCEPTCONN:	v = u->u_state == UNP_LISTENING; break;
	case SO_SNDBUF:		v = u->u_sndbuf; break;
	case SO_RCVBUF:		v = u->u_rcvbuf; break;
	case SO_PASSCRED:	v = u->u_passcred; break;
	case SO_PEERCRED:	v = -1; break;
	default:
		mtx_unlock(&unp_lock);
		return ENOPROTOOPT;
	}
	mtx_unlock(&unp_lock);
	if (name == SO_PEERCRED) {
		*len = MIN(*len, (uint32_t)sizeof(cred));
		memcpy(val, &cred, *len);
		return 0;
	}
	return opt_int_out(v, val, len);
}

int
soc_setopt(struct file *fp, int level, int name, const void *val, uint32_t len)
{
	struct unpcb *u = fp->f_data;
	int v;

	if (level != SOL_SOCKET)
		return EOPNOTSUPP;
	if (len < sizeof(int))
		return EINVAL;
	memcpy(&v, val, sizeof(v));
	mtx_lock(&unp_lock);
	switch (name) {
	case SO_SNDBUF:
	case SO_RCVBUF:
		/* Linux keeps twice what is asked, and a floor; the ring stays its size. */
		v = (uint32_t)v > INT32_MAX / 2 ? INT32_MAX : MAX(v * 2, SOCKBUF_MIN);
		*(name == SO_SNDBUF ? &u->u_sndbuf : &u->u_rcvbuf) = v;
		break;
	case SO_PASSCRED:
		u->u_passcred = v != 0;
		break;
	case SO_REUSEADDR:
	case SO_KEEPALIVE:
	case SO_DEBUG:
	case SO_DONTROUTE:
	case SO_BROADCAST:
	case SO_OOBINLINE:
		break;			/* no meaning for a local stream: accepted, as Linux does */
	default:
		mtx_unlock(&unp_lock);
		return ENOPROTOOPT;
	}
	mtx_unlock(&unp_lock);
	return 0;
}

/*
 * The file operations.
 */

static ssize_t
soc_read(struct file *fp, const struct iovec *iov, int iovcnt, int64_t pos, bool user)
{
	return soc_recv(fp, iov, iovcnt, user, 0);
}

static ssize_t
soc_write(struct file *fp, const struct iovec *iov, int iovcnt, int64_t pos, bool user)
{
	return soc_send(fp, iov, iovcnt, user, 0);
}

static int
soc_ioctl(struct file *fp, unsigned long cmd, void *uarg)
{
	struct unpcb *u = fp->f_data;
	int value = 0;

	if (cmd != FIONREAD)
		return ENOTTY;
	mtx_lock(&unp_lock);
	if (u->u_state == UNP_LISTENING) {
		mtx_unlock(&unp_lock);
		return EINVAL;
	}
	mtx_unlock(&unp_lock);
	if (u->u_has_ring)
		value = (int)bytering_used(&u->u_rcv);
	return copyout(&value, uarg, sizeof(value)) ? EFAULT : 0;
}

/*
 * Linux's unix_poll: readable with data or at the end (RDHUP too), hung
 * up when both directions are shut (or never connected), writable while
 * the peer's ring has room or a write would fail at once; a listener is
 * readable with a connection to accept.
 */
static int
soc_poll(struct file *fp, int events, struct pollwait *pw)
{
	struct unpcb *u = fp->f_data, *peer;
	uint32_t readers, writers;
	bool rd_shut, wr_shut;
	int revents = 0;

	selrecord(pw, &u->u_sel);
	mtx_lock(&unp_lock);
	if (u->u_state == UNP_LISTENING) {
		revents = u->u_qlen > 0 ? POLLIN | POLLRDNORM : 0;
		mtx_unlock(&unp_lock);
		return revents;
	}
	if (!u->u_has_ring) {
		mtx_unlock(&unp_lock);
		return POLLOUT | POLLWRNORM | POLLHUP;
	}
	peer = u->u_peer;
	if (peer != NULL)
		unp_hold(peer);
	bytering_ends(&u->u_rcv, &readers, &writers);
	rd_shut = u->u_rd_shut || writers == 0;
	wr_shut = u->u_wr_shut || peer == NULL || peer->u_rd_shut;
	mtx_unlock(&unp_lock);
	selrecord(pw, &u->u_rcv.br_sel);
	if (bytering_used(&u->u_rcv) > 0)
		revents |= POLLIN | POLLRDNORM;
	if (rd_shut)
		revents |= POLLIN | POLLRDNORM | POLLRDHUP;
	if (rd_shut && wr_shut)
		revents |= POLLHUP;
	if (peer != NULL) {
		selrecord(pw, &peer->u_rcv.br_sel);
		if (bytering_room(&peer->u_rcv) > 0)
			revents |= POLLOUT | POLLWRNORM;
		unp_rele(peer);
	}
	if (wr_shut)
		revents |= POLLOUT | POLLWRNORM;
	return revents;
}

static int
soc_stat(struct file *fp, struct stat *st)
{
	struct unpcb *u = fp->f_data;

	/* Linux's sockfs lives on an anonymous device too. */
	file_stat_anon(st, 0x8, u->u_ino, S_IFSOCK | 0777, 0);
	return 0;
}

/* The socket goes (its file's last reference, or a failure before it had one). */
static void
soc_detach(struct unpcb *u)
{
	struct unpcb *peer = NULL, *embryo;
	struct vnode *vp = NULL;

	mtx_lock(&unp_lock);
	if (u->u_bound.next != NULL) {
		list_remove(&u->u_bound);
		vp = u->u_vnode;
		u->u_vnode = NULL;
	}
	if (u->u_state == UNP_LISTENING) {
		/* Connections never accepted end: their clients read the end. */
		u->u_state = UNP_DISCONNECTED;
		cv_broadcast(&u->u_room);
		cv_broadcast(&u->u_conns);
		while (!list_empty(&u->u_queue)) {
			embryo = list_entry(u->u_queue.next, struct unpcb, u_qlink);
			list_remove(&embryo->u_qlink);
			u->u_qlen--;
			peer = unp_disconnect(embryo);
			mtx_unlock(&unp_lock);
			if (peer != NULL) {
				unp_rele(peer);
				unp_rele(embryo);	/* the link's */
			}
			unp_rele(embryo);		/* the queue's */
			mtx_lock(&unp_lock);
		}
		peer = NULL;
	} else {
		peer = unp_disconnect(u);
	}
	mtx_unlock(&unp_lock);
	if (vp != NULL)
		vrele(vp);
	selwakeup(&u->u_sel);
	if (peer != NULL) {
		unp_rele(peer);		/* u's link to it */
		unp_rele(u);		/* its link to u */
	}
	unp_rele(u);			/* the file's */
}

static void
soc_close(struct file *fp)
{
	soc_detach(fp->f_data);
}

static const struct fileops socketops = {
	.fo_read = soc_read,
	.fo_write = soc_write,
	.fo_ioctl = soc_ioctl,
	.fo_stat = soc_stat,
	.fo_poll = soc_poll,
	.fo_close = soc_close,
};
