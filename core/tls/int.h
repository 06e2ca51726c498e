/* What the TLS pieces share (session.c, context.c, ktls-handoff.c,
 * relay.c), with wolfSSL; nothing outside core/tls/ includes this. */
#ifndef NBDBOX_TLS_INT_H
#define NBDBOX_TLS_INT_H

#include <stddef.h>
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include "tls.h"

/* The loaded credentials: context.c makes them, sessions borrow them. */
struct nbd_tls_ctx {
	WOLFSSL_CTX *ctx;
	int verify;
	int have_cert;            /* we present a client certificate */
	char *hostname;
	char ca_desc[300];        /* where the trusted CAs came from */
	int psk;
	char psk_id[NBD_PSK_MAX_ID + 1];
	unsigned char psk_key[NBD_PSK_MAX_KEY];
	size_t psk_keylen;
};

/* One session on one socket: io->priv of a TLS transport. */
struct tls_sess {
	WOLFSSL *ssl;
	struct nbd_tls_ctx *t;
	int fd;
	int timeout_ms;
	long deadline;            /* io->deadline: the handshake's end */
	int nonblock;             /* relay: WANT_READ/WRITE instead of waiting */
	int io_errno;             /* why the socket failed, 0 if it did not */
	int peer_closed;          /* TCP EOF seen */
	int got_data;             /* any application data from the server yet */
	int why_code;
	char why[200];            /* the last failure, in TLS terms */
};

/* io's session if io is a TLS transport, else NULL (session.c). */
struct tls_sess *nbd_tls_sess_of(const struct nbd_io *io);
/* Drop io's session without a word to the server: the socket now belongs
 * to the kernel or to a relay process; close it too when close_fd. */
void nbd_tls_drop(struct nbd_io *io, int close_fd);
/* wolfSSL's words for error e, in buf. */
const char *nbd_tls_reason(int e, char *buf, size_t len);
/* The socket callbacks the context installs (session.c). */
int nbd_tls_cb_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx);
int nbd_tls_cb_send(WOLFSSL *ssl, char *buf, int sz, void *ctx);

#endif
