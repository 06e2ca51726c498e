#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "clock.h"
#include "io.h"

/* A transport that knows better than errno (TLS alerts) says so. */
static int io_why(struct nbd_io *io, const char *what, struct nbd_err *err)
{
	int e = errno, code = NBX_PROTO;
	const char *w = io->ops->why ? io->ops->why(io, &code) : NULL;

	errno = e;
	if (!w || (e == EINTR || e == EAGAIN))
		return 0;
	nbd_seterr_peer(err, io->peer, code, e, "%s: %s", what, w);
	return 1;
}

/* Time ran out for a read or write that began at t0: a wait that lasted
 * all of timeout_ms is a silent server; one the handshake's deadline cut
 * short (or that never began) is a server that talks without end. */
static int timed_out(struct nbd_io *io, const char *what, const char *doing,
		     long t0, struct nbd_err *err)
{
	if (io->deadline && nbd_now_ms() - t0 < io->timeout_ms)
		return nbd_seterr_peer(err, io->peer, NBX_CONNECT, ETIMEDOUT,
				       "%s: the handshake is not over after %d ms",
				       what, io->timeout_ms);
	return nbd_seterr_peer(err, io->peer, NBX_CONNECT, ETIMEDOUT,
			       "%s: timed out after %d ms %s", what, io->timeout_ms, doing);
}

int nbd_io_read_full(struct nbd_io *io, void *buf, size_t len, const char *what,
		     struct nbd_err *err)
{
	unsigned char *p = buf;
	long t0 = 0;

	while (len) {
		ssize_t n;

		if (io->rpos < io->rlen) {
			size_t k = io->rlen - io->rpos < len ? io->rlen - io->rpos : len;
			memcpy(p, io->rbuf + io->rpos, k);
			io->rpos += (unsigned)k;
			p += k;
			len -= k;
			continue;
		}
		/* A server that never stops sending never lets a wait
		 * time out: the deadline is checked before each read. */
		if (io->deadline && (t0 = nbd_now_ms()) >= io->deadline)
			return timed_out(io, what, "", t0, err);
		/* Small reads go through the read-ahead buffer; large ones
		 * straight to the caller. */
		if (len < sizeof io->rbuf) {
			n = io->ops->read(io, io->rbuf, sizeof io->rbuf);
			if (n > 0) {
				io->rpos = 0;
				io->rlen = (unsigned)n;
				continue;
			}
		} else {
			n = io->ops->read(io, p, len);
		}
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (io_why(io, what, err))
			return -1;
		if (n == 0)
			return nbd_seterr_peer(err, io->peer, NBX_PROTO, 0,
					       "%s: server closed the connection", what);
		if (errno == EINTR || errno == EAGAIN)
			continue;
		if (errno == ETIMEDOUT)
			return timed_out(io, what, "waiting for the server", t0, err);
		return nbd_seterr_peer(err, io->peer, errno == ECONNRESET ? NBX_PROTO : NBX_FAIL,
				       errno, "%s: %s", what, strerror(errno));
	}
	return 0;
}

int nbd_io_write_full(struct nbd_io *io, const void *buf, size_t len,
		      const char *what, struct nbd_err *err)
{
	const unsigned char *p = buf;

	while (len) {
		long t0 = io->deadline ? nbd_now_ms() : 0;
		ssize_t n = io->ops->write(io, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (io_why(io, what, err))
			return -1;
		if (n < 0 && errno == ETIMEDOUT)
			return timed_out(io, what, "sending", t0, err);
		return nbd_seterr_peer(err, io->peer, NBX_PROTO, n < 0 ? errno : EPIPE,
				       "%s: %s", what, strerror(n < 0 ? errno : EPIPE));
	}
	return 0;
}

void nbd_io_close(struct nbd_io *io)
{
	if (io->ops && io->ops->close)
		io->ops->close(io);
	io->ops = NULL;
	io->fd = -1;
	io->rpos = io->rlen = 0;
}
