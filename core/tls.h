/* TLS for NBD with wolfSSL: a transport that replaces the socket's ops
 * after STARTTLS (the handshake never notices), and two ways to hand the
 * session to the kernel once the option phase is over: kTLS on the same
 * TCP socket, or a user-space relay over a socketpair (the applet makes
 * the process; core offers the loop).
 *
 * Where it lives, in core/tls/: session.c the session transport and the
 * STARTTLS hook, context.c the context (ciphers, PSK and X.509 loading),
 * ktls-handoff.c the kTLS hand-off (ktls-info.c builds its crypto_info),
 * relay.c the relay loop, int.h what they share. The settings record is
 * tls-conf.h. Built without CONFIG_TLS, Kbuild takes tls/off.c instead:
 * every entry point fails with "built without TLS" (NBX_TLS). psk-file.c,
 * ktls-info.c and x509san.c are pure (unit-tested, with or without TLS). */
//config:config TLS
//config:	bool "TLS with wolfSSL (nbds://, --tls)"
//config:	default n
//config:	help
//config:	  Links libwolfssl. Without it nbds:// answers "built without TLS".
#ifndef NBDBOX_TLS_H
#define NBDBOX_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "err.h"
#include "io.h"
#include "tls-conf.h"

/* The loaded credentials (CAs, client certificate or PSK), made once and
 * reused across reconnects. */
struct nbd_tls_ctx;

/* Errors here are the user's files: NBX_USAGE or NBX_TLS. conf->verify
 * -1 means yes. */
struct nbd_tls_ctx *nbd_tls_ctx_new(const struct nbd_tls_conf *conf, struct nbd_err *err);
void nbd_tls_ctx_free(struct nbd_tls_ctx *ctx);

/* The handshake's start-TLS hook (nbd_starttls_fn in hs.h): ctx is the
 * struct nbd_tls_ctx. Runs the TLS handshake on io's socket and swaps io's
 * ops to the TLS transport. 0, or -1 with err. */
int nbd_tls_starttls(struct nbd_io *io, void *ctx, struct nbd_err *err);

/* Is io a TLS transport? Fills buf with "TLSv1.3 TLS13-AES128-GCM-SHA256". */
int nbd_tls_active(const struct nbd_io *io, char *buf, size_t len);

/* After GOAL_GO inside TLS: program the kernel TLS ULP on io's TCP socket
 * with the session's keys and return the socket (blocking) for the nbd
 * driver; io is then closed without a close_notify.
 * Failure leaves io untouched (and usable for the relay) when err->code is
 * NBX_NOTSUP: tls module missing, cipher or version the kernel does not
 * take, a Unix socket, or TLS bytes still buffered. Any other code means
 * the connection is lost (io closed): reconnect. */
int nbd_tls_ktls(struct nbd_io *io, struct nbd_err *err);

/* The fallback, a user-space relay between the TLS session and one end
 * of a socketpair whose other end goes to the kernel (NBD_SET_SOCK /
 * NBD_ATTR_SOCKETS). The caller owns the process it runs in (nbd-attach
 * forks it). nbd_tls_relay_ready: can io be relayed (a TLS transport with
 * nothing read ahead)? 0, or -1 with err. nbd_tls_relay_run: the relay
 * loop; runs until kernel_fd reaches EOF (0, after a close_notify) or the
 * session fails (-1 with err). */
int nbd_tls_relay_ready(const struct nbd_io *io, struct nbd_err *err);
int nbd_tls_relay_run(struct nbd_io *io, int kernel_fd, struct nbd_err *err);
/* Drop io's session and close its socket without a word to the server:
 * the process that forked a relay lets go of its copy. */
void nbd_tls_forget(struct nbd_io *io);

/* ---- pure pieces (unit-tested) */
#define NBD_PSK_MAX_KEY 64        /* wolfSSL's MAX_PSK_KEY_LEN */
#define NBD_PSK_MAX_ID 128        /* wolfSSL's MAX_PSK_ID_LEN */
/* Find user's key in a PSK file's text ("username:hexkey" per line, as
 * psktool writes it for nbdkit and qemu). user NULL: the file must hold
 * exactly one entry. On success copy the identity into id (NUL-ended)
 * and the key bytes into key. -1 and *why (static text) on failure. */
int nbd_psk_find(const char *text, size_t len, const char *user,
		 char id[NBD_PSK_MAX_ID + 1], unsigned char key[NBD_PSK_MAX_KEY],
		 size_t *keylen, const char **why);


/* kTLS crypto_info (struct tls12_crypto_info_*) for one direction, into
 * out (NBD_KTLS_INFO_MAX bytes): key, the static IV as wolfSSL keeps it
 * (12 bytes for TLS 1.3 and ChaCha, the 4-byte salt for TLS 1.2 AES-GCM)
 * and the next record sequence number. Returns its size, or 0 when the
 * kernel cannot take this cipher/key/IV size. */
#define NBD_KTLS_INFO_MAX 64
enum { NBD_KTLS_AES_GCM = 1, NBD_KTLS_CHACHA = 2 };
size_t nbd_ktls_info(void *out, int tls13, int aead, int keysz,
		     const unsigned char *key, const unsigned char *iv, int ivsz,
		     uint64_t seq);

#endif
