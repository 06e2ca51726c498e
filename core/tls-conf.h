/* The TLS settings record, apart from the TLS transport (tls.h), so the
 * text parsers that fill it (uri.c, cmdline.c) need no transport. */
#ifndef NBDBOX_TLS_CONF_H
#define NBDBOX_TLS_CONF_H

#include <string.h>

/* Every TLS setting, in one record: the applet fills it from the command
 * line, then nbd_parse_uri from the URI (the command line wins). Strings
 * are borrowed, or point into uri below. */
struct nbd_tls_conf {
	int wanted;               /* nbds://, --tls, or any credential named */
	int verify;               /* --tls-verify-peer, tls-verify-peer=:
				   * -1 unset (yes), 0 no, 1 yes */
	int relay;                /* --tls-relay: no kTLS (nbd-attach) */
	const char *ca_file;      /* --tls-ca: PEM file of trusted CAs */
	const char *cert_file;    /* --tls-cert: client certificate (PEM) */
	const char *key_file;     /* --tls-key: its private key (PEM) */
	const char *cert_dir;     /* --tls-certificates DIR, libnbd layout */
	const char *hostname;     /* name (or IP literal) the server's
				   * certificate must carry; NULL: chain only */
	const char *psk_file;     /* --tls-psk: username:hexkey lines */
	const char *username;     /* PSK identity; NULL: the file's only one */
	/* What the URI gave (user@, tls-certificates=, tls-psk-file=,
	 * tls-hostname=, tls-username=), percent-decoded. */
	struct {
		char user[128];
		char cert_dir[256];
		char psk_file[256];
		char hostname[256];
	} uri;
};

static inline void nbd_tls_conf_init(struct nbd_tls_conf *c)
{
	memset(c, 0, sizeof *c);
	c->verify = -1;
}

#endif
