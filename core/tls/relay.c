/* The TLS relay loop: bytes between the kernel's end of a socketpair and
 * the TLS session, both non-blocking, until either side is done. The
 * process it runs in is the applet's. See tls.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "int.h"

#define RELAY_BUF (256 * 1024)
#define RELAY_CHUNK (64 * 1024)   /* per wolfSSL_write: four full records */

struct rbuf {
	unsigned char *b;
	size_t off, len;          /* data is b[off .. off+len) */
};

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int nbd_tls_relay_ready(const struct nbd_io *io, struct nbd_err *err)
{
	if (!nbd_tls_sess_of(io))
		return nbd_seterr_peer(err, io->peer, NBX_FAIL, 0, "relay: not a TLS connection");
	/* The relay reads the TLS session, not io's read-ahead. */
	if (nbd_io_pending(io))
		return nbd_seterr_peer(err, io->peer, NBX_PROTO, 0,
				       "relay: reply bytes still buffered in the transport");
	return 0;
}

/* The relay's state: the two buffers and who is done or waiting. */
struct relay {
	struct tls_sess *s;
	struct nbd_io *io;
	int kfd;
	struct nbd_err *err;
	struct rbuf up, down;     /* up: kernel -> server */
	size_t wchunk;            /* a wolfSSL_write to repeat as it was */
	int k_eof, n_eof, net_rd, net_wr;
};

/* The four pumps, one per direction and side. Each returns 1 when bytes
 * (or an EOF) moved, 0 when not, -1 with r->err. */

/* kernel -> up */
static int from_kernel(struct relay *r)
{
	struct rbuf *up = &r->up;
	ssize_t n;

	if (!r->k_eof && !r->wchunk && up->off && up->off + up->len == RELAY_BUF) {
		memmove(up->b, up->b + up->off, up->len);
		up->off = 0;
	}
	if (r->k_eof || up->off + up->len >= RELAY_BUF)
		return 0;
	n = recv(r->kfd, up->b + up->off + up->len, RELAY_BUF - up->off - up->len, 0);
	if (n > 0) {
		up->len += (size_t)n;
		return 1;
	}
	if (n == 0 || errno == ECONNRESET) {
		r->k_eof = 1;
		return 1;
	}
	if (errno != EAGAIN && errno != EINTR)
		return nbd_seterr_peer(r->err, r->io->peer, NBX_FAIL, errno,
				       "relay: reading from the kernel: %s", strerror(errno));
	return 0;
}

/* up -> server */
static int to_server(struct relay *r)
{
	struct rbuf *up = &r->up;
	struct tls_sess *s = r->s;
	char rb[120];
	int n, e;

	if (!up->len)
		return 0;
	if (!r->wchunk)
		r->wchunk = up->len < RELAY_CHUNK ? up->len : RELAY_CHUNK;
	r->net_wr = 0;
	n = wolfSSL_write(s->ssl, up->b + up->off, (int)r->wchunk);
	if (n > 0) {
		up->off += (size_t)n, up->len -= (size_t)n;
		if (!up->len)
			up->off = 0;
		r->wchunk = 0;
		return 1;
	}
	if ((e = wolfSSL_get_error(s->ssl, n)) == WOLFSSL_ERROR_WANT_WRITE)
		r->net_wr = 1;
	else if (e != WOLFSSL_ERROR_WANT_READ)
		return nbd_seterr_peer(r->err, r->io->peer, s->peer_closed ? NBX_PROTO : NBX_TLS,
				       s->io_errno, "relay: sending: %s",
				       s->io_errno ? strerror(s->io_errno) : nbd_tls_reason(e, rb, sizeof rb));
	return 0;
}

/* server -> down; wolfSSL also answers TLS 1.3 post-handshake messages
 * (tickets, KeyUpdate) here, which kTLS cannot. */
static int from_server(struct relay *r)
{
	struct rbuf *down = &r->down;
	struct tls_sess *s = r->s;
	size_t room = RELAY_BUF - down->off - down->len;
	char rb[120];
	int n, e;

	if (r->n_eof || !room)
		return 0;
	r->net_rd = 0;
	n = wolfSSL_read(s->ssl, down->b + down->off + down->len, room > INT_MAX ? INT_MAX : (int)room);
	if (n > 0) {
		down->len += (size_t)n;
		return 1;
	}
	if ((e = wolfSSL_get_error(s->ssl, n)) == WOLFSSL_ERROR_WANT_READ) {
		r->net_rd = 1;
	} else if (e == WOLFSSL_ERROR_ZERO_RETURN || s->peer_closed) {
		r->n_eof = 1;
		return 1;
	} else if (e != WOLFSSL_ERROR_WANT_WRITE) {
		return nbd_seterr_peer(r->err, r->io->peer, NBX_TLS, s->io_errno, "relay: receiving: %s",
				       s->io_errno ? strerror(s->io_errno) : nbd_tls_reason(e, rb, sizeof rb));
	}
	return 0;
}

/* down -> kernel */
static int to_kernel(struct relay *r)
{
	struct rbuf *down = &r->down;
	ssize_t n;
	int moved = 0;

	if (down->len) {
		n = send(r->kfd, down->b + down->off, down->len, MSG_NOSIGNAL);
		if (n > 0) {
			down->off += (size_t)n, down->len -= (size_t)n, moved = 1;
			if (!down->len)
				down->off = 0;
		} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
			/* The kernel let go of its end: the device is gone. */
			r->k_eof = 1;
			down->len = 0;
		}
	}
	if (!r->n_eof && !down->len && down->off) /* keep room at the tail */
		down->off = 0;
	return moved;
}

/* Wait until a side can move: 0, or -1 with r->err. */
static int relay_wait(struct relay *r)
{
	struct pollfd p[2];

	p[0].fd = r->kfd;
	p[0].events = (short)((!r->k_eof && r->up.off + r->up.len < RELAY_BUF ? POLLIN : 0) |
			      (r->down.len ? POLLOUT : 0));
	p[1].fd = r->io->fd;
	p[1].events = (short)((r->net_rd ? POLLIN : 0) | (r->net_wr ? POLLOUT : 0));
	if (!p[1].events && !r->n_eof)
		p[1].events = POLLIN;
	if (poll(p, 2, -1) < 0 && errno != EINTR)
		return nbd_seterr_peer(r->err, r->io->peer, NBX_FAIL, errno, "relay: poll: %s",
				       strerror(errno));
	if (p[0].revents & (POLLERR | POLLHUP) && !(p[0].revents & POLLIN))
		r->k_eof = 1;
	return 0;
}

int nbd_tls_relay_run(struct nbd_io *io, int kfd, struct nbd_err *err)
{
	struct relay r = { .s = nbd_tls_sess_of(io), .io = io, .kfd = kfd, .err = err };
	int ret = -1;

	if (nbd_tls_relay_ready(io, err) < 0)
		return -1;
	r.up.b = malloc(RELAY_BUF);
	r.down.b = malloc(RELAY_BUF);
	if (!r.up.b || !r.down.b) {
		nbd_seterr_peer(err, io->peer, NBX_FAIL, ENOMEM, "relay: out of memory");
		goto out;
	}
	r.s->nonblock = 1;
	r.s->timeout_ms = 0;
	if (set_nonblock(io->fd) < 0 || set_nonblock(kfd) < 0) {
		nbd_seterr_peer(err, io->peer, NBX_FAIL, errno, "relay: %s", strerror(errno));
		goto out;
	}
	for (;;) {
		int progress, a, b, c, d;

		do {
			if ((a = from_kernel(&r)) < 0 || (b = to_server(&r)) < 0 ||
			    (c = from_server(&r)) < 0)
				goto out;
			d = to_kernel(&r);
			progress = a | b | c | d;
		} while (progress);
		if (r.k_eof && !r.up.len) {
			/* Detached: end the TLS session politely. */
			r.s->nonblock = 0;
			r.s->timeout_ms = 1000;
			wolfSSL_shutdown(r.s->ssl);
			ret = 0;
			goto out;
		}
		if (r.n_eof && !r.down.len) {
			nbd_seterr_peer(err, io->peer, NBX_PROTO, 0, "relay: the server closed the connection");
			goto out;
		}
		if (relay_wait(&r) < 0)
			goto out;
	}
out:
	free(r.up.b);
	free(r.down.b);
	r.s->nonblock = 0;
	return ret;
}
