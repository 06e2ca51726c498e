/* Byte transports: a three-function ops struct plus a peer string.
 * The handshake only ever sees struct nbd_io; a socket, a scripted memory
 * buffer (tests, fuzzing) and a TLS session are interchangeable. */
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

/* CLOCK_MONOTONIC in milliseconds (deadlines), and a sleep that EINTR
 * does not cut short (backoff). */
long nbd_now_ms(void);
void nbd_sleep_ms(long ms);
/* The timeout for one poll(): timeout_ms (<= 0: forever, -1) cut to what
 * is left before deadline (0: none); 0 once the deadline has passed. */
int nbd_poll_ms(int timeout_ms, long deadline);

/* Retry pacing, the one for every retry loop: delays from first_ms,
 * doubling up to cap_ms (first 100, cap 500: at once-ish, then at most two
 * tries a second). Pure state; the caller sleeps. */
struct nbd_backoff {
	long next_ms, cap_ms;
};
#define NBD_BACKOFF(first_ms, cap_ms) { (first_ms), (cap_ms) }
/* The delay before the next try; the one after it doubles (up to cap). */
long nbd_backoff_next(struct nbd_backoff *b);

/* Sockets (core/sock.c). host may be a name, IPv4 or IPv6 literal.
 * port NULL means 10809. The connect itself is bounded by timeout_ms.
 * A name not in /etc/hosts is looked up with the nameservers of
 * resolv_conf (NULL: /etc/resolv.conf). The socket gets TCP_NODELAY:
 * every message goes out in one write. */
/* The address a name led to (family 0: not yet). nbd_sock_tcp records a
 * success in it and connects there again without resolving: every
 * connection of one device (-C N, each --persist reconnect) reaches the
 * server the first one reached, and a root's resident needs no
 * /etc/hosts or resolv.conf after switch_root emptied the initramfs. */
struct nbd_pin {
	unsigned short family, port;
	unsigned char ip[16];
};
int nbd_sock_tcp(struct nbd_io *io, const char *host, const char *port,
		 int timeout_ms, const char *resolv_conf, struct nbd_pin *pin,
		 struct nbd_err *err);
int nbd_sock_unix(struct nbd_io *io, const char *path, int timeout_ms,
		  struct nbd_err *err);
/* Wrap an already connected socket (tests; reconnect paths). */
void nbd_sock_wrap(struct nbd_io *io, int fd, const char *peer, int timeout_ms);
/* Take the socket away from io (for the kernel); io is closed, fd is not. */
int nbd_sock_release(struct nbd_io *io);

/* Memory transport (core/memio.c): reads come from a script of server
 * bytes, writes are collected. For unit tests and fuzz targets. */
struct nbd_memio {
	const unsigned char *in;
	size_t inlen, inpos;
	unsigned char *out;     /* may be NULL: writes are then only counted */
	size_t outcap, outlen;
	size_t max_chunk;       /* >0: hand out reads in chunks this small */
};
void nbd_memio_init(struct nbd_io *io, struct nbd_memio *m, const char *peer);

#endif
