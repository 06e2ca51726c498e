/* Memory transport: the server's bytes come from a script. */
#include <errno.h>
#include <string.h>
#include "fmt.h"
#include "memio.h"

static ssize_t mem_read(struct nbd_io *io, void *buf, size_t len)
{
	struct nbd_memio *m = io->priv;
	size_t n = m->inlen - m->inpos;

	if (n > len)
		n = len;
	if (m->max_chunk && n > m->max_chunk)
		n = m->max_chunk;
	memcpy(buf, m->in + m->inpos, n);
	m->inpos += n;
	return (ssize_t)n;
}

static ssize_t mem_write(struct nbd_io *io, const void *buf, size_t len)
{
	struct nbd_memio *m = io->priv;

	if (m->out) {
		if (len > m->outcap - m->outlen) {
			errno = ENOSPC;
			return -1;
		}
		memcpy(m->out + m->outlen, buf, len);
	}
	m->outlen += len;
	return (ssize_t)len;
}

static void mem_close(struct nbd_io *io)
{
	(void)io;
}

static const struct nbd_io_ops mem_ops = { mem_read, mem_write, mem_close, NULL };

void nbd_memio_init(struct nbd_io *io, struct nbd_memio *m, const char *peer)
{
	io->ops = &mem_ops;
	io->fd = -1;
	io->timeout_ms = 0;
	io->deadline = 0;
	io->priv = m;
	io->rpos = io->rlen = 0;
	nbd_fmt(io->peer, sizeof io->peer, "%s", peer);
}
