/* TCP and Unix socket transport. Connects are non-blocking and bounded
 * by a timeout; each read and write waits at most io->timeout_ms. */
//config:config IPV6
//config:	bool "IPv6"
//config:	default y
//config:	help
//config:	  Resolve and connect to IPv6 addresses, and accept [v6] in URIs.
//config:
//config:config UNIX_SOCKETS
//config:	bool "Unix domain sockets (nbd+unix://)"
//config:	default y
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <poll.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "autoconf.h"
#include "dns.h"
#include "fmt.h"
#include "clock.h"
#include "io.h"
#include "parse.h"
#include "sock.h"
#include "wire.h"

/* ms as nbd_poll_ms gives it: -1 forever, 0 no wait. */
static int wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = { .fd = fd, .events = ev };
	int r;

	do
		r = poll(&p, 1, ms);
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
		if (wait_fd(io->fd, POLLIN, nbd_poll_ms(io->timeout_ms, io->deadline)) < 0)
			return -1;
	}
}

static ssize_t sock_write(struct nbd_io *io, const void *buf, size_t len)
{
	for (;;) {
		ssize_t n = send(io->fd, buf, len, MSG_NOSIGNAL);
		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			return n;
		if (wait_fd(io->fd, POLLOUT, nbd_poll_ms(io->timeout_ms, io->deadline)) < 0)
			return -1;
	}
}

static void sock_close(struct nbd_io *io)
{
	if (io->fd >= 0)
		close(io->fd);
	io->fd = -1;
}

static const struct nbd_io_ops sock_ops = { sock_read, sock_write, sock_close, NULL };

static void sock_wrap(struct nbd_io *io, int fd, const char *peer, int timeout_ms)
{
	io->ops = &sock_ops;
	io->fd = fd;
	io->timeout_ms = timeout_ms;
	io->deadline = 0;
	io->priv = NULL;
	io->rpos = io->rlen = 0;
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

/* Non-blocking connect bounded by deadline (ms, CLOCK_MONOTONIC; 0 = none). */
static int connect_one(int fd, const struct sockaddr *sa, socklen_t salen, long deadline)
{
	int soerr = 0;
	socklen_t sl = sizeof soerr;

	if (connect(fd, sa, salen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	if (wait_fd(fd, POLLOUT, nbd_poll_ms(0, deadline)) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == 0) {
		if (!soerr)
			return 0;
		errno = soerr;
	}
	return -1;
}

static int new_socket(int family)
{
	return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}

/* Where a host name leads: at most a few addresses, tried in order. */
#define MAX_ADDRS 8
struct addrs {
	int n;
	struct nbd_pin at[MAX_ADDRS];
};

static void add_addr(struct addrs *a, int family, const void *ip, unsigned port)
{
	struct nbd_pin *p = &a->at[a->n];

	if (a->n == MAX_ADDRS || (family != AF_INET && !ENABLE_IPV6))
		return;
	p->family = (unsigned short)family;
	p->port = (unsigned short)port;
	memcpy(p->ip, ip, family == AF_INET ? 4 : 16);
	a->n++;
}

/* The socket address of p; returns its length. */
static socklen_t sockaddr_of(const struct nbd_pin *p, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (p->family == AF_INET) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(p->port);
		memcpy(&s4->sin_addr, p->ip, 4);
		return sizeof *s4;
	}
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(p->port);
	memcpy(&s6->sin6_addr, p->ip, 16);
	return sizeof *s6;
}

/* A numeric address (IPv4, or IPv6 when built with it): added, 1. */
static int add_numeric(struct addrs *a, const char *s, unsigned port)
{
	unsigned char ip[16];

	if (inet_pton(AF_INET, s, ip) == 1)
		return add_addr(a, AF_INET, ip, port), 1;
	if (ENABLE_IPV6 && inet_pton(AF_INET6, s, ip) == 1)
		return add_addr(a, AF_INET6, ip, port), 1;
	return 0;
}

/* Numeric address, or a name from /etc/hosts. */
static void resolve_local(struct addrs *a, const char *host, unsigned port)
{
	char line[512];
	int fd;
	ssize_t n;
	size_t have = 0;

	if (add_numeric(a, host, port))
		return;
	fd = open("/etc/hosts", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	/* Line by line through a small buffer: "ADDRESS NAME ALIAS...". */
	while ((n = read(fd, line + have, sizeof line - 1 - have)) > 0 || have) {
		char *nl, *tok, *save, *addr;
		have += n > 0 ? (size_t)n : 0;
		line[have] = 0;
		nl = strchr(line, '\n');
		if (!nl && n > 0 && have < sizeof line - 1)
			continue;
		if (nl)
			*nl = 0;
		if ((tok = strchr(line, '#')))
			*tok = 0;
		addr = strtok_r(line, " \t", &save);
		while (addr && (tok = strtok_r(NULL, " \t", &save)))
			if (!strcasecmp(tok, host)) {
				add_numeric(a, addr, port);
				break;
			}
		if (!nl) {
			have = 0; /* overlong line or last line: drop it */
			if (n <= 0)
				break;
			continue;
		}
		have -= (size_t)(nl + 1 - line);
		memmove(line, nl + 1, have);
	}
	close(fd);
}

/* Numeric address, /etc/hosts, then DNS (core/dns.c) with the
 * nameservers of resolv_conf. The connect timeout bounds the DNS wait
 * too. */
static int resolve(struct addrs *a, const char *host, const char *port,
		   const char *peer, int timeout_ms, const char *resolv_conf,
		   struct nbd_err *err)
{
	unsigned long p;

	a->n = 0;
	if (nbd_parse_uint(port, 65535, &p) < 0)
		return nbd_seterr_peer(err, peer, NBX_USAGE, 0, "bad port '%s'", port);
	resolve_local(a, host, (unsigned)p);
	if (!a->n && !strcasecmp(host, "localhost"))
		add_numeric(a, "127.0.0.1", (unsigned)p);
	if (!ENABLE_IPV6 && !a->n && strchr(host, ':'))
		return nbd_seterr_peer(err, peer, NBX_NOTSUP, 0, "built without IPv6");
	if (!a->n && ENABLE_DNS) {
		struct dns_addr da[MAX_ADDRS];
		int i, n = nbd_dns_resolve(host, ENABLE_IPV6, da, MAX_ADDRS, timeout_ms,
					   resolv_conf);
		if (n < 0)
			return nbd_seterr_peer(err, peer, NBX_CONNECT, errno,
					       "cannot resolve: no answer from the nameservers");
		for (i = 0; i < n; i++)
			add_addr(a, da[i].family, da[i].ip, (unsigned)p);
	}
	if (!a->n)
		return nbd_seterr_peer(err, peer, NBX_CONNECT, 0, "cannot resolve: %s",
				       ENABLE_DNS ? "no such host"
				       : "not an address, not in /etc/hosts (built without DNS)");
	return 0;
}

int nbd_sock_tcp(struct nbd_io *io, const char *host, const char *port,
		 int timeout_ms, const char *resolv_conf, struct nbd_pin *pin,
		 struct nbd_err *err)
{
	struct addrs a;
	char peer[sizeof io->peer];
	long deadline = timeout_ms > 0 ? nbd_now_ms() + timeout_ms : 0;
	int i, fd = -1, e = 0, one = 1;

	if (!port || !*port)
		port = NBD_DEFAULT_PORT;
	nbd_fmt(peer, sizeof peer, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
	if (pin && pin->family) {   /* the address that answered before */
		a.n = 0;
		add_addr(&a, pin->family, pin->ip, pin->port);
	} else if (resolve(&a, host, port, peer, timeout_ms, resolv_conf, err) < 0) {
		return -1;
	}
	for (i = 0; i < a.n; i++) {
		struct sockaddr_storage ss;
		socklen_t sl = sockaddr_of(&a.at[i], &ss);

		fd = new_socket(ss.ss_family);
		if (fd < 0) {
			e = errno;
			continue;
		}
		if (connect_one(fd, (struct sockaddr *)&ss, sl, deadline) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
		if (e == ETIMEDOUT)
			break;
	}
	if (fd < 0) {
		if (e == ETIMEDOUT)
			return nbd_seterr_peer(err, peer, NBX_CONNECT, e,
					       "connect: no answer within %d ms", timeout_ms);
		return nbd_seterr_peer(err, peer, NBX_CONNECT, e, "connect: %s", strerror(e));
	}
	if (pin)
		*pin = a.at[i];
	/* No Nagle: each message is one write and must leave at once. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	sock_wrap(io, fd, peer, timeout_ms);
	return 0;
}

int nbd_sock_unix(struct nbd_io *io, const char *path, int timeout_ms,
		  struct nbd_err *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	long deadline = timeout_ms > 0 ? nbd_now_ms() + timeout_ms : 0;
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
	sock_wrap(io, fd, path, timeout_ms);
	return 0;
}
