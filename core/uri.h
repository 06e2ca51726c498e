/* Where the server is: NBD URIs as libnbd and qemu write them
 * (NetworkBlockDevice/nbd doc/uri.md), or the classic HOST [PORT] -N NAME. */
#ifndef NBDBOX_URI_H
#define NBDBOX_URI_H

#include <stddef.h>
#include "err.h"
#include "sock.h"
#include "tls-conf.h"
#include "wire.h"

struct nbd_addr {
	int is_unix;
	char host[256];
	char port[32];
	char socket[108];            /* Unix socket path */
	struct nbd_pin pin;          /* where host last led (nbd_sock_tcp) */
	size_t namelen;
	char name[NBD_MAX_STRING + 1];
};

void nbd_addr_init(struct nbd_addr *a);
/* Is s an NBD URI (nbd://, nbds://, nbd+unix://, ...)? */
int nbd_is_uri(const char *s);
/* Parse an NBD URI into the address a and the TLS settings tls: the
 * scheme (nbds://) sets tls->wanted, the user part and the query fill what
 * tls does not hold yet (the command line, set before, wins). Values are
 * percent-decoded; tls->uri holds them. */
int nbd_parse_uri(struct nbd_addr *a, struct nbd_tls_conf *tls, const char *uri,
		  struct nbd_err *err);
/* Parse "HOST", "HOST:PORT", "[V6]:PORT", "V6"; port (may be NULL) wins. */
int nbd_parse_hostport(struct nbd_addr *a, const char *hostport, const char *port,
		       struct nbd_err *err);
int nbd_addr_set_name(struct nbd_addr *a, const char *name, struct nbd_err *err);
/* Open the transport the address names (TCP or Unix), connect bounded by
 * timeout_ms; resolv_conf as for nbd_sock_tcp, which keeps a->pin. */
int nbd_addr_connect(struct nbd_addr *a, struct nbd_io *io, int timeout_ms,
		     const char *resolv_conf, struct nbd_err *err);

#endif
