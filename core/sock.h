/* The socket transport (core/sock.c): TCP and Unix sockets as an nbd_io. */
#ifndef NBDBOX_SOCK_H
#define NBDBOX_SOCK_H

#include "err.h"
#include "io.h"

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
/* Take the socket away from io (for the kernel); io is closed, fd is not. */
int nbd_sock_release(struct nbd_io *io);

#endif
