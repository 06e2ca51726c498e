#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "io.h"

int nbd_io_read_full(struct nbd_io *io, void *buf, size_t len, const char *what,
		     struct nbd_err *err)
{
	unsigned char *p = buf;

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
		if (n == 0)
			return nbd_seterr_peer(err, io->peer, NBX_PROTO, 0,
					       "%s: server closed the connection", what);
		if (errno == EINTR || errno == EAGAIN)
			continue;
		if (errno == ETIMEDOUT)
			return nbd_seterr_peer(err, io->peer, NBX_CONNECT, errno,
					       "%s: timed out after %d ms waiting for the server",
					       what, io->timeout_ms);
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
		ssize_t n = io->ops->write(io, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0 && errno == ETIMEDOUT)
			return nbd_seterr_peer(err, io->peer, NBX_CONNECT, errno,
					       "%s: timed out after %d ms sending", what,
					       io->timeout_ms);
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
