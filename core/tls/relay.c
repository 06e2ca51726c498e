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

int nbd_tls_relay_run(struct nbd_io *io, int kfd, struct nbd_err *err)
{
	struct tls_sess *s = nbd_tls_sess_of(io);
	struct rbuf up = { 0 }, down = { 0 };   /* up: kernel -> server */
	size_t wchunk = 0;        /* a wolfSSL_write to repeat as it was */
	int k_eof = 0, n_eof = 0, net_rd = 0, net_wr = 0, ret = -1;
	char rb[120];

	if (nbd_tls_relay_ready(io, err) < 0)
		return -1;
	up.b = malloc(RELAY_BUF);
	down.b = malloc(RELAY_BUF);
	if (!up.b || !down.b) {
		nbd_seterr_peer(err, io->peer, NBX_FAIL, ENOMEM, "relay: out of memory");
		goto out;
	}
	s->nonblock = 1;
	s->timeout_ms = 0;
	if (set_nonblock(io->fd) < 0 || set_nonblock(kfd) < 0) {
		nbd_seterr_peer(err, io->peer, NBX_FAIL, errno, "relay: %s", strerror(errno));
		goto out;
	}
	for (;;) {
		struct pollfd p[2];
		int progress;

		do {
			ssize_t n;
			int r, e;

			progress = 0;
			/* kernel -> up */
			if (!k_eof && !wchunk && up.off && up.off + up.len == RELAY_BUF) {
				memmove(up.b, up.b + up.off, up.len);
				up.off = 0;
			}
			if (!k_eof && up.off + up.len < RELAY_BUF) {
				n = recv(kfd, up.b + up.off + up.len, RELAY_BUF - up.off - up.len, 0);
				if (n > 0)
					up.len += (size_t)n, progress = 1;
				else if (n == 0 || errno == ECONNRESET)
					k_eof = 1, progress = 1;
				else if (errno != EAGAIN && errno != EINTR) {
					nbd_seterr_peer(err, io->peer, NBX_FAIL, errno,
							"relay: reading from the kernel: %s", strerror(errno));
					goto out;
				}
			}
			/* up -> server */
			if (up.len) {
				if (!wchunk)
					wchunk = up.len < RELAY_CHUNK ? up.len : RELAY_CHUNK;
				net_wr = 0;
				r = wolfSSL_write(s->ssl, up.b + up.off, (int)wchunk);
				if (r > 0) {
					up.off += (size_t)r, up.len -= (size_t)r;
					if (!up.len)
						up.off = 0;
					wchunk = 0;
					progress = 1;
				} else if ((e = wolfSSL_get_error(s->ssl, r)) == WOLFSSL_ERROR_WANT_WRITE) {
					net_wr = 1;
				} else if (e != WOLFSSL_ERROR_WANT_READ) {
					nbd_seterr_peer(err, io->peer, s->peer_closed ? NBX_PROTO : NBX_TLS,
							s->io_errno, "relay: sending: %s",
							s->io_errno ? strerror(s->io_errno) : nbd_tls_reason(e, rb, sizeof rb));
					goto out;
				}
			}
			/* server -> down; wolfSSL also answers TLS 1.3 post-handshake
			 * messages (tickets, KeyUpdate) here, which kTLS cannot. */
			if (!n_eof && down.off + down.len < RELAY_BUF) {
				size_t room = RELAY_BUF - down.off - down.len;
				net_rd = 0;
				r = wolfSSL_read(s->ssl, down.b + down.off + down.len,
						 room > INT_MAX ? INT_MAX : (int)room);
				if (r > 0) {
					down.len += (size_t)r, progress = 1;
				} else if ((e = wolfSSL_get_error(s->ssl, r)) == WOLFSSL_ERROR_WANT_READ) {
					net_rd = 1;
				} else if (e == WOLFSSL_ERROR_ZERO_RETURN || s->peer_closed) {
					n_eof = 1, progress = 1;
				} else if (e != WOLFSSL_ERROR_WANT_WRITE) {
					nbd_seterr_peer(err, io->peer, NBX_TLS, s->io_errno,
							"relay: receiving: %s",
							s->io_errno ? strerror(s->io_errno) : nbd_tls_reason(e, rb, sizeof rb));
					goto out;
				}
			}
			/* down -> kernel */
			if (down.len) {
				n = send(kfd, down.b + down.off, down.len, MSG_NOSIGNAL);
				if (n > 0) {
					down.off += (size_t)n, down.len -= (size_t)n, progress = 1;
					if (!down.len)
						down.off = 0;
				} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
					/* The kernel let go of its end: the device is gone. */
					k_eof = 1;
					down.len = 0;
				}
			}
			if (!n_eof && !down.len && down.off) /* keep room at the tail */
				down.off = 0;
		} while (progress);

		if (k_eof && !up.len) {
			/* Detached: end the TLS session politely. */
			s->nonblock = 0;
			s->timeout_ms = 1000;
			wolfSSL_shutdown(s->ssl);
			ret = 0;
			goto out;
		}
		if (n_eof && !down.len) {
			nbd_seterr_peer(err, io->peer, NBX_PROTO, 0, "relay: the server closed the connection");
			goto out;
		}
		p[0].fd = kfd;
		p[0].events = (short)((!k_eof && up.off + up.len < RELAY_BUF ? POLLIN : 0) |
				      (down.len ? POLLOUT : 0));
		p[1].fd = io->fd;
		p[1].events = (short)((net_rd ? POLLIN : 0) | (net_wr ? POLLOUT : 0));
		if (!p[1].events && !n_eof)
			p[1].events = POLLIN;
		if (poll(p, 2, -1) < 0 && errno != EINTR) {
			nbd_seterr_peer(err, io->peer, NBX_FAIL, errno, "relay: poll: %s", strerror(errno));
			goto out;
		}
		if (p[0].revents & (POLLERR | POLLHUP) && !(p[0].revents & POLLIN))
			k_eof = 1;
	}
out:
	free(up.b);
	free(down.b);
	s->nonblock = 0;
	return ret;
}
