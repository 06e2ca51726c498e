/* Byte transports: a three-function ops struct plus a peer string.
 * The handshake only ever sees struct nbd_io; a socket (sock.h), a
 * scripted memory buffer (memio.h: tests, fuzzing) and a TLS session
 * (tls.h) are interchangeable. Deadlines and backoff: clock.h. */
#ifndef NBDBOX_IO_H
#define NBDBOX_IO_H

#include <stddef.h>
#include <sys/types.h>
#include "err.h"

struct nbd_io;

struct nbd_io_ops {
	/* Like read(2)/write(2): bytes moved, 0 on EOF (read), -1 and errno.
	 * A transport with a timeout returns -1 with errno ETIMEDOUT. */
	ssize_t (*read)(struct nbd_io *io, void *buf, size_t len);
	ssize_t (*write)(struct nbd_io *io, const void *buf, size_t len);
	void (*close)(struct nbd_io *io);
	/* Optional: the transport's own account of why the last read or
	 * write failed (a TLS alert, say) and its exit class; NULL when
	 * errno says it all. */
	const char *(*why)(struct nbd_io *io, int *code);
};

struct nbd_io {
	const struct nbd_io_ops *ops;
	int fd;                 /* the socket underneath, -1 if none */
	int timeout_ms;         /* per read/write wait; <= 0: wait forever */
	/* The end of the whole handshake (CLOCK_MONOTONIC ms, 0: none):
	 * nbd_hs_run sets it timeout_ms ahead, so a server that talks
	 * without end, or a byte at a time, cannot keep us past it. */
	long deadline;
	char peer[300];         /* "host:port", "[v6]:port" or a socket path */
	void *priv;             /* the transport's own state (TLS session, ...) */
	/* Read-ahead for small messages (10,000 NBD_REP_SERVER replies are
	 * 20,000 reads without it). Whatever is still here when the socket
	 * changes hands (TLS, the kernel) is a protocol error: see
	 * nbd_io_pending(). */
	unsigned rpos, rlen;
	unsigned char rbuf[4096];
};

/* Bytes read ahead and not yet consumed. */
static inline unsigned nbd_io_pending(const struct nbd_io *io)
{
	return io->rlen - io->rpos;
}

/* Read exactly len bytes / write all of buf. On failure fill err with
 * "PEER: WHAT: reason" (EOF is a protocol error: the server hung up). */
int nbd_io_read_full(struct nbd_io *io, void *buf, size_t len, const char *what,
		     struct nbd_err *err);
int nbd_io_write_full(struct nbd_io *io, const void *buf, size_t len,
		      const char *what, struct nbd_err *err);
void nbd_io_close(struct nbd_io *io);

#endif
