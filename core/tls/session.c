/* The TLS session transport and the STARTTLS hook, with wolfSSL. See
 * tls.h. wolfSSL moves its bytes through our own I/O callbacks on the
 * socket, so the transport keeps io->timeout_ms and the errno of the last
 * socket failure (for messages that say what really went wrong). */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "clock.h"
#include "fmt.h"
#include "int.h"
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include "x509san.h"

static const struct nbd_io_ops tls_ops;

#ifdef NO_ERROR_STRINGS
/* The small wolfSSL (scripts/wolfssl-settings.h) has no error strings
 * (they are ~15 KB): the errors a user meets, in wolfSSL's own words;
 * any other is named by its number. */
static const struct {
	short code;
	const char *text;
} reasons[] = {
	{ ASN_NO_SIGNER_E, "ASN no signer error to confirm failure" },
	{ ASN_SELF_SIGNED_E, "ASN self-signed certificate error" },
	{ ASN_SIG_CONFIRM_E, "ASN sig error, confirm failure" },
	{ ASN_AFTER_DATE_E, "ASN date error, current date after" },
	{ ASN_BEFORE_DATE_E, "ASN date error, current date before" },
	{ ASN_PATHLEN_INV_E, "ASN CA path length larger than signer error" },
	{ ASN_PATHLEN_SIZE_E, "ASN CA path length value too large error" },
	{ ASN_NAME_INVALID_E, "Name Constraint error" },
	{ ASN_PARSE_E, "ASN parsing error, invalid input" },
	{ CRL_CERT_REVOKED, "CRL Certificate revoked" },
	{ CRL_MISSING, "CRL Not loaded" },
	{ CRL_CERT_DATE_ERR, "CRL date error" },
	{ ASN_NO_PEM_HEADER, "ASN no PEM Header Error" },
	{ VERIFY_CERT_ERROR, "verify problem on certificate" },
	{ DOMAIN_NAME_MISMATCH, "peer subject name mismatch" },
	{ IPADDR_MISMATCH, "peer ip address mismatch" },
	{ VERSION_ERROR, "record layer version error" },
	{ VERIFY_MAC_ERROR, "verify mac problem" },
	{ DECRYPT_ERROR, "error during decryption" },
	{ FATAL_ERROR, "received alert fatal error" },
	{ NO_PEER_CERT, "peer did not return a certificate" },
	{ PSK_KEY_ERROR, "psk key callback error" },
	{ MATCH_SUITE_ERROR, "can't match cipher suite" },
	{ SOCKET_ERROR_E, "error state on socket" },
	{ SOCKET_PEER_CLOSED_E, "Peer closed underlying transport Error" },
	{ MEMORY_E, "out of memory error" },
	{ WOLFSSL_BAD_FILE, "input/output error on file" },
	{ WOLFSSL_BAD_FILETYPE, "bad file type" },
	{ BAD_PATH_ERROR, "Bad path for opendir error" },
	{ NO_PRIVATE_KEY, "need the private key" },
	{ WOLFSSL_FAILURE, "failure" },
};
#endif

const char *nbd_tls_reason(int e, char *buf, size_t len)
{
#ifdef NO_ERROR_STRINGS
	int c = e > 0 ? -e : e;

	for (size_t i = 0; i < sizeof reasons / sizeof *reasons; i++)
		if (reasons[i].code == c) {
			nbd_fmt(buf, len, "%s", reasons[i].text);
			return buf;
		}
	nbd_fmt(buf, len, "wolfSSL error %d", c);
#else
	wolfSSL_ERR_error_string_n((unsigned long)(e < 0 ? -e : e), buf, len);
	/* "error:-188:..." forms carry nothing beyond the text: keep it. */
#endif
	return buf;
}

/* ---- socket callbacks */

static int wait_io(struct tls_sess *s, short ev)
{
	struct pollfd p = { .fd = s->fd, .events = ev };
	int r;

	do
		r = poll(&p, 1, nbd_poll_ms(s->timeout_ms, s->deadline));
	while (r < 0 && errno == EINTR);
	if (r == 0) {
		s->io_errno = ETIMEDOUT;
		return WOLFSSL_CBIO_ERR_TIMEOUT;
	}
	if (r < 0) {
		s->io_errno = errno;
		return WOLFSSL_CBIO_ERR_GENERAL;
	}
	return 0;
}

static int sock_err(struct tls_sess *s, int e)
{
	s->io_errno = e;
	if (e == ECONNRESET) {
		s->peer_closed = 1;
		return WOLFSSL_CBIO_ERR_CONN_RST;
	}
	if (e == EPIPE) {
		s->peer_closed = 1;
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	}
	return WOLFSSL_CBIO_ERR_GENERAL;
}

int nbd_tls_cb_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct tls_sess *s = ctx;
	(void)ssl;

	for (;;) {
		ssize_t n = recv(s->fd, buf, (size_t)sz, 0);
		if (n > 0)
			return (int)n;
		if (n == 0) {
			s->peer_closed = 1;
			return WOLFSSL_CBIO_ERR_CONN_CLOSE;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return sock_err(s, errno);
		if (s->nonblock)
			return WOLFSSL_CBIO_ERR_WANT_READ;
		if ((n = wait_io(s, POLLIN)) < 0)
			return (int)n;
	}
}

int nbd_tls_cb_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
{
	struct tls_sess *s = ctx;
	(void)ssl;

	for (;;) {
		ssize_t n = send(s->fd, buf, (size_t)sz, MSG_NOSIGNAL);
		if (n >= 0)
			return (int)n;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return sock_err(s, errno);
		if (s->nonblock)
			return WOLFSSL_CBIO_ERR_WANT_WRITE;
		if ((n = wait_io(s, POLLOUT)) < 0)
			return (int)n;
	}
}

/* ---- the transport */

/* After a failed read or write: was it TLS (an alert, a bad record) rather
 * than the socket? A server that refuses our client certificate in TLS 1.3
 * only says so after the handshake, on the first read. */
static void note_failure(struct tls_sess *s, int e)
{
	WOLFSSL_ALERT_HISTORY ah;
	char rb[120];
	int rx = -1;

	memset(&ah, 0, sizeof ah);
	if (wolfSSL_get_alert_history(s->ssl, &ah) == WOLFSSL_SUCCESS &&
	    ah.last_rx.level == alert_fatal)
		rx = ah.last_rx.code;
	s->why_code = NBX_TLS;
	if (rx == 116) /* certificate_required, RFC 8446 */
		nbd_fmt(s->why, sizeof s->why, "TLS: the server requires a client certificate "
			"(--tls-cert and --tls-key, or --tls-certificates DIR)");
	else if (rx == bad_certificate || rx == unknown_ca || rx == certificate_expired ||
		 rx == certificate_revoked || rx == unsupported_certificate ||
		 rx == certificate_unknown || rx == access_denied)
		nbd_fmt(s->why, sizeof s->why,
			"TLS: the server rejected our client certificate (alert %d)", rx);
	else if (rx > 0)
		nbd_fmt(s->why, sizeof s->why, "TLS: the server sent fatal alert %d", rx);
	else if ((s->peer_closed || e == WOLFSSL_ERROR_ZERO_RETURN) && !s->got_data && !s->t->psk)
		/* GnuTLS servers (nbdkit, qemu) drop a TLS 1.3 client without
		 * the certificate they want, without an alert (or with only a
		 * close_notify). */
		nbd_fmt(s->why, sizeof s->why, s->t->have_cert ?
			"TLS: the server dropped the connection right after the handshake "
			"(did it refuse our client certificate?)" :
			"TLS: the server dropped the connection right after the handshake "
			"(does it require a client certificate? --tls-cert and --tls-key, "
			"or --tls-certificates DIR)");
	else if (!s->io_errno && !s->peer_closed && e != WOLFSSL_ERROR_ZERO_RETURN)
		nbd_fmt(s->why, sizeof s->why, "TLS: %s", nbd_tls_reason(e, rb, sizeof rb));
}

static const char *tls_why(struct nbd_io *io, int *code)
{
	struct tls_sess *s = io->priv;

	if (!s || !s->why[0])
		return NULL;
	*code = s->why_code;
	return s->why;
}

/* Each call on io (and the handshake): the waits io asks for, no failure
 * recorded yet. */
static void sess_begin(struct tls_sess *s, const struct nbd_io *io)
{
	s->timeout_ms = io->timeout_ms;
	s->deadline = io->deadline;
	s->io_errno = 0;
	s->why[0] = 0;
}

static ssize_t tls_read(struct nbd_io *io, void *buf, size_t len)
{
	struct tls_sess *s = io->priv;
	int r, e;

	sess_begin(s, io);
	r = wolfSSL_read(s->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	if (r > 0) {
		s->got_data = 1;
		return r;
	}
	e = wolfSSL_get_error(s->ssl, r);
	if (e != WOLFSSL_ERROR_WANT_READ && e != WOLFSSL_ERROR_WANT_WRITE)
		note_failure(s, e);
	if (e == WOLFSSL_ERROR_ZERO_RETURN || (s->peer_closed && !s->io_errno)) {
		/* close_notify or TCP EOF: the server hung up. errno 0, not
		 * what the socket callbacks left (EAGAIN would hide s->why). */
		errno = 0;
		return 0;
	}
	if (e == WOLFSSL_ERROR_WANT_READ || e == WOLFSSL_ERROR_WANT_WRITE)
		errno = EAGAIN;
	else
		errno = s->io_errno ? s->io_errno : EPROTO;
	return -1;
}

static ssize_t tls_write(struct nbd_io *io, const void *buf, size_t len)
{
	struct tls_sess *s = io->priv;
	int r, e;

	sess_begin(s, io);
	r = wolfSSL_write(s->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	if (r > 0)
		return r;
	e = wolfSSL_get_error(s->ssl, r);
	if (s->peer_closed && !s->nonblock && !s->got_data) {
		/* The server may have said why before it hung up (an alert
		 * refusing our certificate): read it, briefly. */
		char tmp[64];
		int ioe = s->io_errno;

		s->timeout_ms = 200;
		wolfSSL_read(s->ssl, tmp, sizeof tmp);
		s->io_errno = ioe;
	}
	if (e != WOLFSSL_ERROR_WANT_READ && e != WOLFSSL_ERROR_WANT_WRITE)
		note_failure(s, e);
	if (e == WOLFSSL_ERROR_WANT_READ || e == WOLFSSL_ERROR_WANT_WRITE)
		errno = EAGAIN;
	else
		errno = s->io_errno ? s->io_errno : s->peer_closed ? EPIPE : EPROTO;
	return -1;
}

static void sess_free(struct tls_sess *s)
{
	wolfSSL_free(s->ssl);
	free(s);
}

/* io->fd == -1 means someone took the socket (nbd_sock_release): then no
 * close_notify, it is no longer ours to write to. */
static void tls_close(struct nbd_io *io)
{
	struct tls_sess *s = io->priv;

	if (!s)
		return;
	if (io->fd >= 0) {
		s->timeout_ms = 1000;   /* politeness must not hang us */
		wolfSSL_shutdown(s->ssl);
		close(io->fd);
	}
	sess_free(s);
	io->priv = NULL;
	io->fd = -1;
}

static const struct nbd_io_ops tls_ops = { tls_read, tls_write, tls_close, tls_why };

struct tls_sess *nbd_tls_sess_of(const struct nbd_io *io)
{
	return io->ops == &tls_ops ? io->priv : NULL;
}

void nbd_tls_drop(struct nbd_io *io, int close_fd)
{
	struct tls_sess *s = io->priv;

	if (close_fd && io->fd >= 0)
		close(io->fd);
	sess_free(s);
	io->priv = NULL;
	io->ops = NULL;
	io->fd = -1;
	io->rpos = io->rlen = 0;
}

void nbd_tls_forget(struct nbd_io *io)
{
	if (nbd_tls_sess_of(io))
		nbd_tls_drop(io, 1);
}

int nbd_tls_active(const struct nbd_io *io, char *buf, size_t len)
{
	struct tls_sess *s = nbd_tls_sess_of(io);

	if (!s) {
		if (len)
			buf[0] = 0;
		return 0;
	}
	nbd_fmt(buf, len, "%s %s", wolfSSL_get_version(s->ssl),
		wolfSSL_get_cipher_name(s->ssl));
	return 1;
}

/* ---- the handshake */

/* The address h spells, in buf (4 or 16 bytes); 0 when h is a name. */
static size_t ip_literal(const char *h, unsigned char buf[16])
{
	if (inet_pton(AF_INET, h, buf) == 1)
		return 4;
	return inet_pton(AF_INET6, h, buf) == 1 ? 16 : 0;
}

/* An IP address is checked here, after the handshake (the chain was
 * verified during it), against the leaf's iPAddress SANs only: a CN or a
 * DNS name equal to the address text does not count (x509san.c).
 * wolfSSL's own check needs its OpenSSL layer, which the small static
 * build leaves out; this one works with any build. 1: the certificate is
 * for that address. */
static int peer_cert_has_ip(WOLFSSL *ssl, const unsigned char *ip, size_t iplen)
{
	WOLFSSL_X509 *x = wolfSSL_get_peer_certificate(ssl);
	const unsigned char *der;
	int len = 0, r = 0;

	if (!x)
		return 0;
	der = wolfSSL_X509_get_der(x, &len);
	if (der && len > 0)
		r = nbd_x509_has_ip(der, (size_t)len, ip, iplen) == 1;
	wolfSSL_X509_free(x);
	return r;
}

/* Say which part failed, then wolfSSL's own words. Long on purpose: one
 * message per way a handshake fails, tried in order (PSK against a
 * certificate, CRL, trust, name, version, then the alerts and the
 * socket), so the order of the tests is the one thing to read. */
static int handshake_err(struct tls_sess *s, const char *peer, int e, struct nbd_err *err)
{
	struct nbd_tls_ctx *t = s->t;
	WOLFSSL_ALERT_HISTORY ah;
	char rb[120];
	int rx = -1, tx = -1;

	memset(&ah, 0, sizeof ah);
	if (wolfSSL_get_alert_history(s->ssl, &ah) == WOLFSSL_SUCCESS) {
		if (ah.last_rx.level)
			rx = ah.last_rx.code;
		if (ah.last_tx.level)
			tx = ah.last_tx.code;
	}
	if (s->peer_closed && !s->io_errno && rx < 0)
		nbd_fmt(rb, sizeof rb, "the server hung up without an alert");
	else
		nbd_tls_reason(e, rb, sizeof rb);
	if (t->psk && (e == ASN_NO_SIGNER_E || e == ASN_SELF_SIGNED_E || e == VERIFY_CERT_ERROR ||
		       e == ASN_SIG_CONFIRM_E || e == NO_PEER_CERT))
		return nbd_seterr_peer(err, peer, NBX_TLS, 0,
				       "TLS handshake: PSK not accepted: the server answered with a "
				       "certificate instead (is it set up for PSK?) (%s)", rb);
	switch (e) {
	case CRL_CERT_REVOKED:
		return nbd_seterr_peer(err, peer, NBX_TLS, 0,
				       "TLS handshake: the server's certificate is revoked (CRL %s)",
				       t->crl);
	case CRL_MISSING:
		return nbd_seterr_peer(err, peer, NBX_TLS, 0,
				       "TLS handshake: %s holds no CRL from the issuer of the server's "
				       "certificate: revocation cannot be checked", t->crl);
	case ASN_AFTER_DATE_E:
		if (t->crl[0])
			return nbd_seterr_peer(err, peer, NBX_TLS, 0,
					       "TLS handshake: the server's certificate or the CRL %s "
					       "has expired (%s)", t->crl, rb);
		/* fall through */
	case ASN_NO_SIGNER_E:
	case ASN_SELF_SIGNED_E:
	case ASN_SIG_CONFIRM_E:
	case ASN_BEFORE_DATE_E:
	case ASN_PATHLEN_INV_E:
	case ASN_PATHLEN_SIZE_E:
	case VERIFY_CERT_ERROR:
		return nbd_seterr_peer(err, peer, NBX_TLS, 0,
				       "TLS handshake: server certificate not trusted by %s: %s",
				       t->ca_desc, rb);
	case DOMAIN_NAME_MISMATCH:
	case IPADDR_MISMATCH:
		return nbd_seterr_peer(err, peer, NBX_TLS, 0,
				       "TLS handshake: hostname mismatch: the server's certificate "
				       "is not for '%s' (%s); --tls-hostname names another", t->hostname, rb);
	case VERSION_ERROR:
		return nbd_seterr_peer(err, peer, NBX_TLS, 0,
				       "TLS handshake: protocol version: the server offers no TLS 1.2 or 1.3 (%s)",
				       rb);
	}
	if (rx == protocol_version || tx == protocol_version)
		return nbd_seterr_peer(err, peer, NBX_TLS, 0,
				       "TLS handshake: protocol version: server and client share no TLS version "
				       "(1.2 and 1.3 are allowed) (%s)", rb);
	if (t->psk && rx == unknown_psk_identity)
		return nbd_seterr_peer(err, peer, NBX_TLS, 0,
				       "TLS handshake: unknown PSK identity '%s' (server alert)", t->psk_id);
	if (t->psk && (rx == decrypt_error || rx == bad_record_mac || rx == illegal_parameter ||
		       tx == bad_record_mac || tx == decrypt_error || e == VERIFY_MAC_ERROR ||
		       e == DECRYPT_ERROR || e == FATAL_ERROR || s->peer_closed))
		return nbd_seterr_peer(err, peer, NBX_TLS, 0,
				       "TLS handshake: PSK rejected: unknown PSK identity '%s' or wrong key (%s)",
				       t->psk_id, rb);
	if (s->io_errno == ETIMEDOUT)
		return nbd_seterr_peer(err, peer, NBX_TLS, ETIMEDOUT,
				       "TLS handshake: timed out after %d ms waiting for the server",
				       s->timeout_ms);
	if (s->peer_closed)
		return nbd_seterr_peer(err, peer, NBX_TLS, s->io_errno,
				       "TLS handshake failed: %s", s->io_errno ? strerror(s->io_errno) : rb);
	if (s->io_errno)
		return nbd_seterr_peer(err, peer, NBX_TLS, s->io_errno, "TLS handshake: %s",
				       strerror(s->io_errno));
	if (rx > 0)
		return nbd_seterr_peer(err, peer, NBX_TLS, 0,
				       "TLS handshake failed: server sent alert %d (%s)", rx, rb);
	return nbd_seterr_peer(err, peer, NBX_TLS, 0, "TLS handshake failed: %s", rb);
}

int nbd_tls_starttls(struct nbd_io *io, void *ctx, struct nbd_err *err)
{
	struct nbd_tls_ctx *t = ctx;
	struct tls_sess *s;
	unsigned char ip[16];
	size_t iplen = 0;
	int r;

	if (io->fd < 0 || io->ops == &tls_ops)
		return nbd_seterr_peer(err, io->peer, NBX_TLS, 0,
				       "TLS: no plain socket to start TLS on");
	s = calloc(1, sizeof *s);
	if (!s || !(s->ssl = wolfSSL_new(t->ctx))) {
		free(s);
		return nbd_seterr_peer(err, io->peer, NBX_FAIL, ENOMEM,
				       "TLS: cannot create a session");
	}
	s->t = t;
	s->fd = io->fd;
	sess_begin(s, io);
	wolfSSL_SetIOReadCtx(s->ssl, s);
	wolfSSL_SetIOWriteCtx(s->ssl, s);
	/* TLS 1.3 PSK against GnuTLS (nbdkit, qemu) fails in psk_dhe_ke
	 * mode: both ends report decryption failures. Plain psk_ke works. */
	if (t->psk)
		wolfSSL_no_dhe_psk(s->ssl);
	if (t->hostname && !t->psk) {
		/* An address: no SNI (RFC 6066), checked after the handshake. */
		iplen = ip_literal(t->hostname, ip);
		if (!iplen) {
			/* SNI is harmless, and some front ends need it. */
			wolfSSL_UseSNI(s->ssl, WOLFSSL_SNI_HOST_NAME, t->hostname,
				       (unsigned short)strlen(t->hostname));
			if (t->verify && wolfSSL_check_domain_name(s->ssl, t->hostname)
			    != WOLFSSL_SUCCESS)
				goto nomem;
		}
	}
	r = wolfSSL_connect(s->ssl);
	if (r != WOLFSSL_SUCCESS) {
		handshake_err(s, io->peer, wolfSSL_get_error(s->ssl, r), err);
		sess_free(s);
		return -1;
	}
	if (iplen && t->verify && !peer_cert_has_ip(s->ssl, ip, iplen)) {
		sess_free(s);
		return nbd_seterr_peer(err, io->peer, NBX_TLS, 0,
				       "TLS handshake: hostname mismatch: the server's certificate "
				       "is not for '%s' (no such IP address SAN); --tls-hostname "
				       "names another", t->hostname);
	}
	io->ops = &tls_ops;
	io->priv = s;
	return 0;
nomem:
	sess_free(s);
	return nbd_seterr_peer(err, io->peer, NBX_FAIL, ENOMEM,
			       "TLS: cannot set the expected hostname");
}
