/* TCP and Unix socket transport. Connects are non-blocking and bounded
 * by a timeout; each read and write waits at most io->timeout_ms. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "autoconf.h"
#include "fmt.h"
#include "io.h"

static int wait_fd(int fd, short ev, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r;

	do
		r = poll(&p, 1, timeout_ms > 0 ? timeout_ms : -1);
	while (r < 0 && errno == EINTR);
	if (r == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	return r < 0 ? -1 : 0;
}

static ssize_t sock_read(struct nbd_io *io, void *buf, size_t len)
{
	for (;;) {
		ssize_t n = recv(io->fd, buf, len, 0);
		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			return n;
		if (wait_fd(io->fd, POLLIN, io->timeout_ms) < 0)
			return -1;
	}
}

static ssize_t sock_write(struct nbd_io *io, const void *buf, size_t len)
{
	for (;;) {
		ssize_t n = send(io->fd, buf, len, MSG_NOSIGNAL);
		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			return n;
		if (wait_fd(io->fd, POLLOUT, io->timeout_ms) < 0)
			return -1;
	}
}

static void sock_close(struct nbd_io *io)
{
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
}

static const struct nbd_io_ops sock_ops = { sock_read, sock_write, sock_close };

void nbd_sock_wrap(struct nbd_io *io, int fd, const char *peer, int timeout_ms)
{
	io->ops = &sock_ops;
	io->fd = fd;
	io->timeout_ms = timeout_ms;
	io->priv = NULL;
	nbd_fmt(io->peer, sizeof io->peer, "%s", peer);
}

int nbd_sock_release(struct nbd_io *io)
{
	int fd = io->fd;

	io->fd = -1;
	nbd_io_close(io);
	if (fd >= 0) /* the kernel and poll-free readers want a blocking socket */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000;
}

/* Non-blocking connect bounded by deadline (ms, CLOCK_MONOTONIC; 0 = none). */
static int connect_one(int fd, const struct sockaddr *sa, socklen_t salen, long deadline)
{
	int soerr = 0;
	socklen_t sl = sizeof soerr;

	if (connect(fd, sa, salen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	for (;;) {
		long left = deadline ? deadline - now_ms() : -1;
		if (deadline && left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (wait_fd(fd, POLLOUT, (int)left) < 0)
			return -1;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
			return -1;
		if (soerr) {
			errno = soerr;
			return -1;
		}
		return 0;
	}
}

static int new_socket(int family)
{
	return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

int nbd_sock_tcp(struct nbd_io *io, const char *host, const char *port,
		 int timeout_ms, struct nbd_err *err)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_ADDRCONFIG };
	struct addrinfo *res, *ai;
	char peer[sizeof io->peer];
	long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	int r, fd = -1, e = 0, one = 1;

	if (!port || !*port)
		port = "10809";
	nbd_fmt(peer, sizeof peer, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
	hints.ai_family = ENABLE_IPV6 ? AF_UNSPEC : AF_INET;
	r = getaddrinfo(host, port, &hints, &res);
	if (r)
		return nbd_seterr_peer(err, peer, NBX_CONNECT, 0, "cannot resolve: %s",
				       r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
	for (ai = res; ai; ai = ai->ai_next) {
		fd = new_socket(ai->ai_family);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect_one(fd, ai->ai_addr, ai->ai_addrlen, deadline) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
		if (e == ETIMEDOUT)
			break;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		if (e == ETIMEDOUT)
			return nbd_seterr_peer(err, peer, NBX_CONNECT, e,
					       "connect: no answer within %d ms", timeout_ms);
		return nbd_seterr_peer(err, peer, NBX_CONNECT, e, "connect: %s", strerror(e));
	}
	/* No Nagle: each message is one write and must leave at once. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	nbd_sock_wrap(io, fd, peer, timeout_ms);
	return 0;
}

int nbd_sock_unix(struct nbd_io *io, const char *path, int timeout_ms,
		  struct nbd_err *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	long deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
	int fd;

	if (!ENABLE_UNIX_SOCKETS)
		return nbd_seterr_peer(err, path, NBX_NOTSUP, 0, "built without Unix socket support");
	if (strlen(path) >= sizeof sun.sun_path)
		return nbd_seterr_peer(err, path, NBX_USAGE, ENAMETOOLONG, "socket path too long");
	strcpy(sun.sun_path, path);
	fd = new_socket(AF_UNIX);
	if (fd < 0)
		return nbd_seterr_peer(err, path, NBX_FAIL, errno, "socket: %s", strerror(errno));
	if (connect_one(fd, (struct sockaddr *)&sun, sizeof sun, deadline) < 0) {
		int e = errno;
		close(fd);
		return nbd_seterr_peer(err, path, NBX_CONNECT, e, "connect: %s", strerror(e));
	}
	nbd_sock_wrap(io, fd, path, timeout_ms);
	return 0;
}
