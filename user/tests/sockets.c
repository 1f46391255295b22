/*
 * sockets: local stream sockets (AF_UNIX, SOCK_STREAM), as Python's
 * asyncio and subprocess helpers use them: socketpair, and a server bound
 * to a file-system path or an abstract name that accepts connections;
 * data both ways and in bulk, the end of the stream, EPIPE and SIGPIPE,
 * shutdown, non-blocking calls, poll, MSG_PEEK and MSG_WAITALL,
 * sendmsg/recvmsg, options, names, and the errors in Linux's words.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <tap.h>
#include <testutil.h>
#include <time.h>
#include <unistd.h>

#define BULK		(1 << 20)
#define SOCK_PATH	"/tmp/sockets_test.sock"

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

static int
pair(int sv[2], int flags)
{
	return socketpair(AF_UNIX, SOCK_STREAM | flags, 0, sv);
}

static void
test_pair(void)
{
	int sv[2], n;
	char buf[32];
	struct stat st;

	tap_ok(pair(sv, 0) == 0 && write(sv[0], "ping", 4) == 4 &&
	    read(sv[1], buf, sizeof(buf)) == 4 && memcmp(buf, "ping", 4) == 0 &&
	    write(sv[1], "pong!", 5) == 5 && read(sv[0], buf, sizeof(buf)) == 5,
	    "socketpair: bytes both ways");
	tap_ok(fstat(sv[0], &st) == 0 && S_ISSOCK(st.st_mode), "fstat: a socket");
	write(sv[0], "abc", 3);
	tap_ok(ioctl(sv[1], FIONREAD, &n) == 0 && n == 3, "FIONREAD counts what waits (%d)", n);
	tap_ok(recv(sv[1], buf, 2, MSG_PEEK) == 2 && recv(sv[1], buf, sizeof(buf), 0) == 3 &&
	    memcmp(buf, "abc", 3) == 0, "MSG_PEEK leaves the bytes for the next read");
	close(sv[0]);
	tap_ok(read(sv[1], buf, sizeof(buf)) == 0, "the peer closed: the end of the stream");
	signal(SIGPIPE, SIG_IGN);
	tap_ok(write(sv[1], "x", 1) == -1 && errno == EPIPE,
	    "writing to a closed peer -> EPIPE");
	signal(SIGPIPE, SIG_DFL);
	tap_ok(send(sv[1], "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE,
	    "with MSG_NOSIGNAL: EPIPE, no signal");
	close(sv[1]);
}

static int
sigpipe_child(void *arg)
{
	int *sv = arg;

	write(sv[1], "x", 1);
	return 0;
}

static void
test_sigpipe(void)
{
	int sv[2], st;

	pair(sv, 0);
	close(sv[0]);
	st = run_child(sigpipe_child, sv);
	close(sv[1]);
	tap_ok(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE,
	    "a write to a closed peer raises SIGPIPE (status %#x)", st);
}

static void
test_shutdown(void)
{
	int sv[2];
	char buf[8];

	pair(sv, 0);
	tap_ok(shutdown(sv[0], SHUT_WR) == 0 && read(sv[1], buf, sizeof(buf)) == 0 &&
	    write(sv[1], "back", 4) == 4 && read(sv[0], buf, sizeof(buf)) == 4,
	    "SHUT_WR: the peer reads the end and can still answer");
	tap_ok(shutdown(sv[0], SHUT_RD) == 0 && read(sv[0], buf, sizeof(buf)) == 0 &&
	    send(sv[1], "x", 1, MSG_NOSIGNAL) == -1 && errno == EPIPE,
	    "SHUT_RD: reads end, the peer's writes -> EPIPE");
	tap_ok(shutdown(sv[0], 5) == -1 && errno == EINVAL, "shutdown how=5 -> EINVAL");
	close(sv[0]);
	close(sv[1]);
}

static void
test_nonblock(void)
{
	int sv[2], wrote = 0, got = 0, n;
	char buf[4096];
	struct pollfd pfd[2];

	pair(sv, SOCK_NONBLOCK | SOCK_CLOEXEC);
	tap_ok(read(sv[0], buf, 1) == -1 && errno == EAGAIN && fcntl(sv[0], F_GETFD) == FD_CLOEXEC,
	    "SOCK_NONBLOCK: an empty read -> EAGAIN; SOCK_CLOEXEC set");
	memset(buf, 'z', sizeof(buf));
	while ((n = (int)write(sv[0], buf, sizeof(buf))) > 0)
		wrote += n;
	tap_ok(n == -1 && errno == EAGAIN && wrote > 0,
	    "writes fill the peer's buffer, then EAGAIN (%d bytes)", wrote);
	pfd[0] = (struct pollfd){ sv[0], POLLIN | POLLOUT, 0 };
	pfd[1] = (struct pollfd){ sv[1], POLLIN | POLLOUT, 0 };
	tap_ok(poll(pfd, 2, 0) == 1 && !(pfd[0].revents & POLLOUT) && (pfd[1].revents & POLLIN),
	    "poll: the full side is not writable, the other readable (%#x %#x)",
	    pfd[0].revents, pfd[1].revents);
	while ((n = (int)read(sv[1], buf, sizeof(buf))) > 0)
		got += n;
	tap_ok(got == wrote, "all of it reads back (%d)", got);
	close(sv[0]);
	pfd[1] = (struct pollfd){ sv[1], POLLIN | POLLRDHUP, 0 };
	tap_ok(poll(&pfd[1], 1, 0) == 1 && (pfd[1].revents & POLLIN) &&
	    (pfd[1].revents & POLLHUP) && (pfd[1].revents & POLLRDHUP),
	    "after the peer closes: POLLIN, POLLHUP, POLLRDHUP (%#x)", pfd[1].revents);
	close(sv[1]);
	pair(sv, 0);
	tap_ok(recv(sv[0], buf, 1, MSG_DONTWAIT) == -1 && errno == EAGAIN,
	    "MSG_DONTWAIT on a blocking socket -> EAGAIN");
	close(sv[0]);
	close(sv[1]);
}

/* The child writes BULK bytes of a pattern, in odd-sized pieces. */
static int
bulk_writer(void *arg)
{
	static char buf[8191];
	int fd = *(int *)arg;
	size_t done = 0;

	while (done < BULK) {
		size_t n = BULK - done < sizeof(buf) ? BULK - done : sizeof(buf);

		for (size_t i = 0; i < n; i++)
			buf[i] = (char)((done + i) * 7);
		if (write(fd, buf, n) != (ssize_t)n)
			return 1;
		done += n;
	}
	return 0;
}

static void
test_bulk(void)
{
	static char buf[5000];
	int sv[2], st, bad = 0;
	size_t got = 0;
	ssize_t n;
	pid_t pid;

	pair(sv, 0);
	if ((pid = fork()) == 0) {
		close(sv[1]);
		_exit(bulk_writer(&sv[0]));
	}
	close(sv[0]);
	while ((n = read(sv[1], buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			bad += buf[i] != (char)((got + (size_t)i) * 7);
		got += (size_t)n;
	}
	waitpid(pid, &st, 0);
	close(sv[1]);
	tap_ok(got == BULK && bad == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
	    "1 MiB from another process arrives whole and in order (%zu bytes, %d wrong)", got,
	    bad);
}

static int
slow_writer(void *arg)
{
	int fd = *(int *)arg;

	for (int i = 0; i < 4; i++) {
		sleep_ms(20);
		write(fd, "ab", 2);
	}
	return 0;
}

static void
test_waitall_and_msg(void)
{
	int sv[2], st;
	char buf[16], a[3], b[5];
	struct iovec iov[2] = { { "hello ", 6 }, { "world", 5 } };
	struct iovec rio[2] = { { a, sizeof(a) }, { b, sizeof(b) } };
	struct msghdr msg = { NULL, 0, iov, 2, NULL, 0, 0 };
	pid_t pid;

	pair(sv, 0);
	if ((pid = fork()) == 0)
		_exit(slow_writer(&sv[1]));
	tap_ok(recv(sv[0], buf, 8, MSG_WAITALL) == 8 && memcmp(buf, "abababab", 8) == 0,
	    "MSG_WAITALL waits for the whole request across four writes");
	waitpid(pid, &st, 0);
	tap_ok(sendmsg(sv[1], &msg, 0) == 11, "sendmsg gathers two buffers");
	msg = (struct msghdr){ NULL, 0, rio, 2, NULL, 0, 0 };
	tap_ok(recvmsg(sv[0], &msg, 0) == 8 && memcmp(a, "hel", 3) == 0 &&
	    memcmp(b, "lo wo", 5) == 0 && msg.msg_controllen == 0,
	    "recvmsg scatters into two, no control data");
	close(sv[0]);
	close(sv[1]);
}

static void
test_options(void)
{
	int sv[2], v;
	socklen_t len = sizeof(v);
	struct ucred cred;
	struct stat st;
	char link[64], want[64], path[64];

	pair(sv, 0);
	tap_ok(getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_STREAM &&
	    len == sizeof(v), "SO_TYPE: SOCK_STREAM");
	len = sizeof(cred);
	tap_ok(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	    cred.pid == getpid() && cred.uid == getuid(), "SO_PEERCRED: the pair's maker (%d)",
	    cred.pid);
	v = 10000;
	len = sizeof(v);
	tap_ok(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)) == 0 &&
	    getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &len) == 0 && v == 20000,
	    "SO_SNDBUF keeps twice what is asked, as Linux (%d)", v);
	len = sizeof(v);
	tap_ok(getsockopt(sv[0], 6, 1, &v, &len) == -1 && errno == EOPNOTSUPP,
	    "a TCP option -> EOPNOTSUPP");
	fstat(sv[0], &st);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", sv[0]);
	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)st.st_ino);
	link[0] = '\0';
	v = (int)readlink(path, link, sizeof(link) - 1);
	link[v > 0 ? v : 0] = '\0';
	tap_ok(strcmp(link, want) == 0, "/proc/self/fd: %s", link);
	close(sv[0]);
	close(sv[1]);
}

/* A client in a child: connect to sa, say hello, read the answer into the exit status. */
static int
client(const struct sockaddr_un *sa, socklen_t len)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	char buf[8];

	if (fd < 0 || connect(fd, sa, len) != 0)
		return 10 + errno % 100;
	if (write(fd, "hello", 5) != 5 || read(fd, buf, sizeof(buf)) != 3)
		return 2;
	return memcmp(buf, "hi!", 3) == 0 ? 0 : 3;
}

/* Serve one client of listener l started with sa: 0 if it all went right. */
static int
serve_one(int l, const struct sockaddr_un *sa, socklen_t len)
{
	struct sockaddr_un peer;
	socklen_t plen = sizeof(peer);
	char buf[8];
	int c, st = -1;
	pid_t pid;

	if ((pid = fork()) == 0)
		_exit(client(sa, len));
	c = accept(l, &peer, &plen);
	if (c >= 0 && read(c, buf, sizeof(buf)) == 5 && memcmp(buf, "hello", 5) == 0)
		write(c, "hi!", 3);
	waitpid(pid, &st, 0);
	if (c >= 0)
		close(c);
	return c >= 0 && plen == sizeof(sa_family_t) && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0 ? 0 : (WIFEXITED(st) ? WEXITSTATUS(st) : 99);
}

static void
test_named(void)
{
	struct sockaddr_un sa = { AF_UNIX, SOCK_PATH }, got;
	socklen_t len = sizeof(got), salen = (socklen_t)(sizeof(sa_family_t) + strlen(SOCK_PATH) + 1);
	int l, other, r;
	struct stat st;

	unlink(SOCK_PATH);
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	tap_ok(bind(l, &sa, salen) == 0 && stat(SOCK_PATH, &st) == 0 && S_ISSOCK(st.st_mode),
	    "bind to a path makes a socket node there");
	tap_ok(getsockname(l, &got, &len) == 0 && strcmp(got.sun_path, SOCK_PATH) == 0,
	    "getsockname gives the path back");
	r = listen(l, 5) == 0 ? serve_one(l, &sa, salen) : -1;
	tap_ok(r == 0, "listen, connect, accept: hello and hi! (%d)", r);
	other = socket(AF_UNIX, SOCK_STREAM, 0);
	tap_ok(bind(other, &sa, salen) == -1 && errno == EADDRINUSE,
	    "binding the same path again -> EADDRINUSE");
	tap_ok(open(SOCK_PATH, O_RDWR) == -1 && errno == ENXIO, "open() of a socket -> ENXIO");
	close(l);
	tap_ok(connect(other, &sa, salen) == -1 && errno == ECONNREFUSED,
	    "nobody listening any more -> ECONNREFUSED");
	unlink(SOCK_PATH);
	tap_ok(connect(other, &sa, salen) == -1 && errno == ENOENT, "no such path -> ENOENT");
	sa = (struct sockaddr_un){ AF_UNIX, "/dev/null" };
	tap_ok(connect(other, &sa, sizeof(sa)) == -1 && errno == ECONNREFUSED,
	    "a path that is no socket -> ECONNREFUSED");
	close(other);
}

static void
test_abstract(void)
{
	struct sockaddr_un sa = { AF_UNIX, "" }, got;
	socklen_t salen, len = sizeof(got);
	int l, other, c1, c2, c3, r;

	snprintf(sa.sun_path + 1, sizeof(sa.sun_path) - 1, "sable-sockets-%d", getpid());
	salen = (socklen_t)(sizeof(sa_family_t) + 1 + strlen(sa.sun_path + 1));
	l = socket(AF_UNIX, SOCK_STREAM, 0);
	r = bind(l, &sa, salen) == 0 && listen(l, 1) == 0 ? serve_one(l, &sa, salen) : -1;
	tap_ok(r == 0, "an abstract name: bind, listen, connect, accept (%d)", r);
	other = socket(AF_UNIX, SOCK_STREAM, 0);
	tap_ok(bind(other, &sa, salen) == -1 && errno == EADDRINUSE,
	    "the same abstract name again -> EADDRINUSE");
	/* The queue holds the backlog and one more, as Linux's does. */
	c1 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	c2 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	c3 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	tap_ok(connect(c1, &sa, salen) == 0 && connect(c1, &sa, salen) == -1 && errno == EISCONN,
	    "connect when connected -> EISCONN");
	tap_ok(connect(c2, &sa, salen) == 0 && connect(c3, &sa, salen) == -1 && errno == EAGAIN,
	    "a full queue: a non-blocking connect -> EAGAIN");
	tap_ok(write(c1, "early", 5) == 5, "a client may write before it is accepted");
	close(c1);
	close(c2);
	close(c3);
	close(l);
	tap_ok(bind(other, &sa, sizeof(sa_family_t)) == 0 && getsockname(other, &got, &len) == 0 &&
	    len == sizeof(sa_family_t) + 6 && got.sun_path[0] == '\0',
	    "bind with no name: Linux's autobind, a NUL and five hex digits (len %u)", len);
	close(other);
}

static void
test_errors(void)
{
	struct sockaddr_un sa = { AF_UNIX, "/nonexistent-dir/x" }, got;
	socklen_t len = sizeof(got);
	int s = socket(AF_UNIX, SOCK_STREAM, 0), sv[2];
	char buf[4];

	tap_ok(socket(AF_UNIX, SOCK_STREAM, 2) == -1 && errno == EPROTONOSUPPORT,
	    "protocol 2 -> EPROTONOSUPPORT");
	tap_ok(send(s, "x", 1, MSG_NOSIGNAL) == -1 && errno == ENOTCONN,
	    "send unconnected -> ENOTCONN");
	tap_ok(recv(s, buf, 1, 0) == -1 && errno == EINVAL, "recv unconnected -> EINVAL");
	tap_ok(listen(s, 1) == -1 && errno == EINVAL, "listen unbound -> EINVAL");
	tap_ok(accept(s, NULL, NULL) == -1 && errno == EINVAL, "accept not listening -> EINVAL");
	tap_ok(getpeername(s, &got, &len) == -1 && errno == ENOTCONN,
	    "getpeername unconnected -> ENOTCONN");
	tap_ok(bind(s, &sa, sizeof(sa)) == -1 && errno == ENOENT,
	    "bind in a missing directory -> ENOENT");
	tap_ok(recv(0 + 100, buf, 1, 0) == -1 && errno == EBADF, "a closed fd -> EBADF");
	tap_ok(recv(open("/dev/null", O_RDONLY), buf, 1, 0) == -1 && errno == ENOTSOCK,
	    "not a socket -> ENOTSOCK");
	pair(sv, 0);
	sa = (struct sockaddr_un){ AF_UNIX, "/tmp/x" };
	tap_ok(sendto(sv[0], "x", 1, 0, &sa, sizeof(sa)) == -1 && errno == EISCONN,
	    "sendto with an address on a connected stream -> EISCONN");
	close(sv[0]);
	close(sv[1]);
	close(s);
}

int
main(void)
{
	tap_plan(50);
	test_pair();
	test_sigpipe();
	test_shutdown();
	test_nonblock();
	test_bulk();
	test_waitall_and_msg();
	test_options();
	test_named();
	test_abstract();
	test_errors();
	return tap_done();
}
