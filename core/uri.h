/* Where the server is: NBD URIs as libnbd and qemu write them
 * (NetworkBlockDevice/nbd doc/uri.md), or the classic HOST [PORT] -N NAME. */
#ifndef NBDBOX_URI_H
#define NBDBOX_URI_H

#include <stddef.h>
#include "err.h"
#include "io.h"
#include "wire.h"

struct nbd_addr {
	int tls;                     /* nbds:// or --tls */
	int is_unix;
	char host[256];
	char port[32];
	char socket[108];            /* Unix socket path */
	size_t namelen;
	char name[NBD_MAX_STRING + 1];
	/* TLS settings from the URI's user part and query. */
	char user[128];
	char tls_certs[256];         /* tls-certificates=DIR */
	char tls_psk_file[256];      /* tls-psk-file=FILE */
	char tls_hostname[256];      /* tls-hostname=NAME */
	int tls_verify;              /* tls-verify-peer: -1 unset, 0, 1 */
};

void nbd_addr_init(struct nbd_addr *a);
/* Is s an NBD URI (nbd://, nbds://, nbd+unix://, ...)? */
int nbd_is_uri(const char *s);
/* Parse an NBD URI. Export name is percent-decoded. */
int nbd_parse_uri(struct nbd_addr *a, const char *uri, struct nbd_err *err);
/* Parse "HOST", "HOST:PORT", "[V6]:PORT", "V6"; port (may be NULL) wins. */
int nbd_parse_hostport(struct nbd_addr *a, const char *hostport, const char *port,
		       struct nbd_err *err);
int nbd_addr_set_name(struct nbd_addr *a, const char *name, struct nbd_err *err);
/* Open the transport the address names (TCP or Unix), connect bounded by
 * timeout_ms; resolv_conf as for nbd_sock_tcp. */
int nbd_addr_connect(const struct nbd_addr *a, struct nbd_io *io, int timeout_ms,
		     const char *resolv_conf, struct nbd_err *err);

#endif
