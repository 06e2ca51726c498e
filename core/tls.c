/* TLS transport with wolfSSL, the kTLS hand-off and the relay loop.
 * See tls.h. wolfSSL moves its bytes through our own I/O callbacks on the
 * socket, so the transport keeps io->timeout_ms and the errno of the last
 * socket failure (for messages that say what really went wrong). */
#include <errno.h>
#include <string.h>
#include "autoconf.h"
#include "tls.h"

#if !ENABLE_TLS

struct nbd_tls *nbd_tls_new(const struct nbd_tls_conf *conf, struct nbd_err *err)
{
	(void)conf;
	nbd_seterr(err, NBX_TLS, 0, "TLS requested, but nbdbox was built without TLS");
	return NULL;
}

void nbd_tls_free(struct nbd_tls *t)
{
	(void)t;
}

int nbd_tls_hook(struct nbd_hs *hs, void *tls)
{
	(void)tls;
	return nbd_seterr_peer(hs->err, hs->io->peer, NBX_TLS, 0, "built without TLS");
}

int nbd_tls_active(const struct nbd_io *io, char *buf, size_t len)
{
	(void)io;
	if (len)
		buf[0] = 0;
	return 0;
}

int nbd_tls_ktls(struct nbd_io *io, struct nbd_err *err)
{
	return nbd_seterr_peer(err, io->peer, NBX_TLS, 0, "built without TLS");
}

int nbd_tls_relay_ready(const struct nbd_io *io, struct nbd_err *err)
{
	return nbd_seterr_peer(err, io->peer, NBX_TLS, 0, "built without TLS");
}

int nbd_tls_relay_run(struct nbd_io *io, int kernel_fd, struct nbd_err *err)
{
	(void)kernel_fd;
	return nbd_seterr_peer(err, io->peer, NBX_TLS, 0, "built without TLS");
}

void nbd_tls_forget(struct nbd_io *io)
{
	nbd_io_close(io);
}

#else /* ENABLE_TLS */

#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>
#include "x509san.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

/* AEAD only, and only what the kernel's TLS ULP can take over
 * (AES-GCM-128/256, ChaCha20-Poly1305): the session must be able to
 * become kTLS after the option phase. */
#define AES13 "TLS13-AES128-GCM-SHA256:TLS13-AES256-GCM-SHA384:"
#define CHACHA13 "TLS13-CHACHA20-POLY1305-SHA256:"
#define AES12 "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:" \
	"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:" \
	"DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:"
#define CHACHA12 "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:" \
	"DHE-RSA-CHACHA20-POLY1305:"
#define AES12PSK "DHE-PSK-AES128-GCM-SHA256:DHE-PSK-AES256-GCM-SHA384:" \
	"PSK-AES128-GCM-SHA256:PSK-AES256-GCM-SHA384:"
#define CHACHA12PSK "ECDHE-PSK-CHACHA20-POLY1305:DHE-PSK-CHACHA20-POLY1305:" \
	"PSK-CHACHA20-POLY1305:"
/* [psk][chacha first]. Servers mostly honour the client's order. */
static const char *const cipher_lists[2][2] = {
	{ AES13 CHACHA13 AES12 CHACHA12, CHACHA13 AES13 CHACHA12 AES12 },
	{ AES13 CHACHA13 AES12PSK CHACHA12PSK, CHACHA13 AES13 CHACHA12PSK AES12PSK },
};

/* Without AES instructions (older x86, many ARM boards) ChaCha20 is the
 * faster cipher in both the kernel and wolfSSL: ask for it first. */
static int cpu_has_aes(void)
{
	char line[4096];
	FILE *f = fopen("/proc/cpuinfo", "re");
	int aes = 1;    /* unknown: keep AES first */

	if (!f)
		return aes;
	while (fgets(line, sizeof line, f)) {
		/* x86 "flags", arm64 "Features": the word "aes". */
		if (strncmp(line, "flags", 5) && strncmp(line, "Features", 8))
			continue;
		aes = strstr(line, " aes ") || strstr(line, " aes\n");
		break;
	}
	fclose(f);
	return aes;
}

struct nbd_tls {
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
	struct nbd_tls *t;
	int fd;
	int timeout_ms;
	int nonblock;             /* relay: WANT_READ/WRITE instead of waiting */
	int io_errno;             /* why the socket failed, 0 if it did not */
	int peer_closed;          /* TCP EOF seen */
	int got_data;             /* any application data from the server yet */
	int why_code;
	char why[200];            /* the last failure, in TLS terms */
};

static const struct nbd_io_ops tls_ops;

static void init_once(void)
{
	static int done;

	if (!done) {
		wolfSSL_Init();
		done = 1;
	}
}

static const char *reason(int e, char *buf, size_t len)
{
	wolfSSL_ERR_error_string_n((unsigned long)(e < 0 ? -e : e), buf, len);
	/* "error:-188:..." forms carry nothing beyond the text: keep it. */
	return buf;
}

/* ---- socket callbacks */

static int wait_io(struct tls_sess *s, short ev)
{
	struct pollfd p = { .fd = s->fd, .events = ev };
	int r;

	do
		r = poll(&p, 1, s->timeout_ms > 0 ? s->timeout_ms : -1);
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

static int cb_recv(WOLFSSL *ssl, char *buf, int sz, void *ctx)
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

static int cb_send(WOLFSSL *ssl, char *buf, int sz, void *ctx)
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
		snprintf(s->why, sizeof s->why, "TLS: the server requires a client certificate "
			 "(--tls-cert and --tls-key, or --tls-certificates DIR)");
	else if (rx == bad_certificate || rx == unknown_ca || rx == certificate_expired ||
		 rx == certificate_revoked || rx == unsupported_certificate ||
		 rx == certificate_unknown || rx == access_denied)
		snprintf(s->why, sizeof s->why,
			 "TLS: the server rejected our client certificate (alert %d)", rx);
	else if (rx > 0)
		snprintf(s->why, sizeof s->why, "TLS: the server sent fatal alert %d", rx);
	else if (s->peer_closed && !s->got_data && !s->t->psk)
		/* GnuTLS servers (nbdkit, qemu) drop a TLS 1.3 client without
		 * the certificate they want, without an alert. */
		snprintf(s->why, sizeof s->why, s->t->have_cert ?
			 "TLS: the server dropped the connection right after the handshake "
			 "(did it refuse our client certificate?)" :
			 "TLS: the server dropped the connection right after the handshake "
			 "(does it require a client certificate? --tls-cert and --tls-key, "
			 "or --tls-certificates DIR)");
	else if (!s->io_errno && !s->peer_closed && e != WOLFSSL_ERROR_ZERO_RETURN)
		snprintf(s->why, sizeof s->why, "TLS: %s", reason(e, rb, sizeof rb));
}

static const char *tls_why(struct nbd_io *io, int *code)
{
	struct tls_sess *s = io->priv;

	if (!s || !s->why[0])
		return NULL;
	*code = s->why_code;
	return s->why;
}

static ssize_t tls_read(struct nbd_io *io, void *buf, size_t len)
{
	struct tls_sess *s = io->priv;
	int r, e;

	s->timeout_ms = io->timeout_ms;
	s->io_errno = 0;
	s->why[0] = 0;
	r = wolfSSL_read(s->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
	if (r > 0) {
		s->got_data = 1;
		return r;
	}
	e = wolfSSL_get_error(s->ssl, r);
	if (e != WOLFSSL_ERROR_WANT_READ && e != WOLFSSL_ERROR_WANT_WRITE)
		note_failure(s, e);
	if (e == WOLFSSL_ERROR_ZERO_RETURN || (s->peer_closed && !s->io_errno))
		return 0;       /* close_notify or TCP EOF: the server hung up */
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

	s->timeout_ms = io->timeout_ms;
	s->io_errno = 0;
	s->why[0] = 0;
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

/* Drop the session without a word to the server: the socket now belongs
 * to the kernel or to a relay process. */
static void tls_forget(struct nbd_io *io, int close_fd)
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
	tls_forget(io, 1);
}

int nbd_tls_active(const struct nbd_io *io, char *buf, size_t len)
{
	struct tls_sess *s = io->priv;

	if (io->ops != &tls_ops || !s) {
		if (len)
			buf[0] = 0;
		return 0;
	}
	snprintf(buf, len, "%s %s", wolfSSL_get_version(s->ssl),
		 wolfSSL_get_cipher_name(s->ssl));
	return 1;
}

/* ---- configuration */

static unsigned int psk_cb(WOLFSSL *ssl, const char *hint, char *identity,
			   unsigned int id_max, unsigned char *key, unsigned int key_max)
{
	struct tls_sess *s = wolfSSL_GetIOReadCtx(ssl);
	struct nbd_tls *t = s->t;
	size_t idlen = strlen(t->psk_id);
	(void)hint;

	if (idlen >= id_max || t->psk_keylen > key_max)
		return 0;
	memcpy(identity, t->psk_id, idlen + 1);
	memcpy(key, t->psk_key, t->psk_keylen);
	return (unsigned int)t->psk_keylen;
}

static int read_small_file(const char *path, char *buf, size_t cap, size_t *len,
			   struct nbd_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;
	size_t got = 0;

	if (fd < 0)
		return nbd_seterr(err, NBX_USAGE, errno, "%s: %s", path, strerror(errno));
	while ((n = read(fd, buf + got, cap - got)) > 0 && got + (size_t)n < cap)
		got += (size_t)n;
	close(fd);
	if (n < 0)
		return nbd_seterr(err, NBX_USAGE, errno, "%s: %s", path, strerror(errno));
	if (n > 0)
		return nbd_seterr(err, NBX_USAGE, EFBIG, "%s: too large for a PSK file", path);
	*len = got;
	return 0;
}

static int load_psk(struct nbd_tls *t, const struct nbd_tls_conf *c, struct nbd_err *err)
{
	char text[16384];
	size_t len = 0;
	const char *why;
	int r;

	if (read_small_file(c->psk_file, text, sizeof text, &len, err) < 0)
		return -1;
	r = nbd_psk_find(text, len, c->username, t->psk_id, t->psk_key, &t->psk_keylen, &why);
	memset(text, 0, sizeof text);
	if (r < 0) {
		if (c->username)
			return nbd_seterr(err, NBX_USAGE, 0, "%s: user '%s': %s", c->psk_file,
					  c->username, why);
		return nbd_seterr(err, NBX_USAGE, 0, "%s: %s", c->psk_file, why);
	}
	t->psk = 1;
	wolfSSL_CTX_set_psk_client_callback(t->ctx, psk_cb);
	/* A TLS 1.3 server may ignore the PSK and run a full handshake with
	 * a certificate. With no CA loaded, demanding verification makes any
	 * certificate fail: only the PSK can authenticate the server. */
	wolfSSL_CTX_set_verify(t->ctx, WOLFSSL_VERIFY_PEER, NULL);
	return 0;
}

static int file_exists(const char *path)
{
	return access(path, R_OK) == 0;
}

static int load_x509(struct nbd_tls *t, const struct nbd_tls_conf *c, struct nbd_err *err)
{
	char ca[512], cert[512], key[512], rb[100];
	const char *caf = c->ca_file, *certf = c->cert_file, *keyf = c->key_file;
	int r;

	/* libnbd's tls-certificates=DIR layout; explicit files win. */
	if (c->cert_dir) {
		snprintf(ca, sizeof ca, "%s/ca-cert.pem", c->cert_dir);
		snprintf(cert, sizeof cert, "%s/client-cert.pem", c->cert_dir);
		snprintf(key, sizeof key, "%s/client-key.pem", c->cert_dir);
		if (!caf && file_exists(ca))
			caf = ca;
		if (!certf && !keyf && file_exists(cert) && file_exists(key))
			certf = cert, keyf = key;
		if (!caf && c->verify)
			return nbd_seterr(err, NBX_USAGE, ENOENT, "%s: no ca-cert.pem in this directory",
					  c->cert_dir);
	}
	if (!!certf != !!keyf)
		return nbd_seterr(err, NBX_USAGE, 0,
				  "a client certificate needs both --tls-cert and --tls-key");
	if (certf) {
		r = wolfSSL_CTX_use_certificate_chain_file(t->ctx, certf);
		if (r != WOLFSSL_SUCCESS)
			return nbd_seterr(err, NBX_USAGE, 0, "%s: cannot load client certificate: %s",
					  certf, reason(r, rb, sizeof rb));
		r = wolfSSL_CTX_use_PrivateKey_file(t->ctx, keyf, WOLFSSL_FILETYPE_PEM);
		if (r != WOLFSSL_SUCCESS)
			return nbd_seterr(err, NBX_USAGE, 0, "%s: cannot load client key: %s",
					  keyf, reason(r, rb, sizeof rb));
		t->have_cert = 1;
	}
	if (!c->verify) {
		wolfSSL_CTX_set_verify(t->ctx, WOLFSSL_VERIFY_NONE, NULL);
		return 0;
	}
	wolfSSL_CTX_set_verify(t->ctx, WOLFSSL_VERIFY_PEER, NULL);
	if (caf) {
		if (!file_exists(caf))
			return nbd_seterr(err, NBX_USAGE, errno, "%s: %s", caf, strerror(errno));
		r = wolfSSL_CTX_load_verify_locations(t->ctx, caf, NULL);
		if (r != WOLFSSL_SUCCESS)
			return nbd_seterr(err, NBX_USAGE, 0, "%s: cannot load CA certificates: %s",
					  caf, reason(r, rb, sizeof rb));
		snprintf(t->ca_desc, sizeof t->ca_desc, "CA %.280s", caf);
		return 0;
	}
	if (wolfSSL_CTX_load_system_CA_certs(t->ctx) != WOLFSSL_SUCCESS)
		return nbd_seterr(err, NBX_USAGE, 0,
				  "no CA to verify the server: give --tls-ca FILE or --tls-certificates DIR");
	snprintf(t->ca_desc, sizeof t->ca_desc, "the system's CAs");
	return 0;
}

struct nbd_tls *nbd_tls_new(const struct nbd_tls_conf *c, struct nbd_err *err)
{
	struct nbd_tls *t = calloc(1, sizeof *t);

	if (!t) {
		nbd_seterr(err, NBX_FAIL, ENOMEM, "TLS: out of memory");
		return NULL;
	}
	init_once();
	t->verify = c->verify;
	t->ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());
	if (!t->ctx) {
		nbd_seterr(err, NBX_FAIL, ENOMEM, "TLS: cannot create a wolfSSL context");
		goto fail;
	}
	/* TLS 1.2 and 1.3 only. */
	if (wolfSSL_CTX_SetMinVersion(t->ctx, WOLFSSL_TLSV1_2) != WOLFSSL_SUCCESS) {
		nbd_seterr(err, NBX_FAIL, 0, "TLS: cannot require TLS 1.2 or later");
		goto fail;
	}
	if (c->hostname && c->hostname[0] && !(t->hostname = strdup(c->hostname))) {
		nbd_seterr(err, NBX_FAIL, ENOMEM, "TLS: out of memory");
		goto fail;
	}
	wolfSSL_CTX_SetIORecv(t->ctx, cb_recv);
	wolfSSL_CTX_SetIOSend(t->ctx, cb_send);
	if (c->psk_file) {
		if (load_psk(t, c, err) < 0)
			goto fail;
	} else if (load_x509(t, c, err) < 0) {
		goto fail;
	}
	if (wolfSSL_CTX_set_cipher_list(t->ctx, cipher_lists[t->psk][!cpu_has_aes()])
	    != WOLFSSL_SUCCESS) {
		nbd_seterr(err, NBX_FAIL, 0, "TLS: wolfSSL knows none of our cipher suites");
		goto fail;
	}
	return t;
fail:
	nbd_tls_free(t);
	return NULL;
}

void nbd_tls_free(struct nbd_tls *t)
{
	if (!t)
		return;
	if (t->ctx)
		wolfSSL_CTX_free(t->ctx);
	free(t->hostname);
	memset(t->psk_key, 0, sizeof t->psk_key);
	free(t);
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
 * DNS name equal to the address text does not count (core/x509san.c).
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

/* Say which part failed, then wolfSSL's own words. */
static int handshake_err(struct tls_sess *s, const char *peer, int e, struct nbd_err *err)
{
	struct nbd_tls *t = s->t;
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
		snprintf(rb, sizeof rb, "the server hung up without an alert");
	else
		reason(e, rb, sizeof rb);
	if (t->psk && (e == ASN_NO_SIGNER_E || e == ASN_SELF_SIGNED_E || e == VERIFY_CERT_ERROR ||
		       e == ASN_SIG_CONFIRM_E || e == NO_PEER_CERT))
		return nbd_seterr_peer(err, peer, NBX_TLS, 0,
				       "TLS handshake: PSK not accepted: the server answered with a "
				       "certificate instead (is it set up for PSK?) (%s)", rb);
	switch (e) {
	case ASN_NO_SIGNER_E:
	case ASN_SELF_SIGNED_E:
	case ASN_SIG_CONFIRM_E:
	case ASN_AFTER_DATE_E:
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

int nbd_tls_hook(struct nbd_hs *hs, void *tls)
{
	struct nbd_tls *t = tls;
	struct nbd_io *io = hs->io;
	struct tls_sess *s;
	unsigned char ip[16];
	size_t iplen = 0;
	int r;

	if (io->fd < 0 || io->ops == &tls_ops)
		return nbd_seterr_peer(hs->err, io->peer, NBX_TLS, 0,
				       "TLS: no plain socket to start TLS on");
	s = calloc(1, sizeof *s);
	if (!s || !(s->ssl = wolfSSL_new(t->ctx))) {
		free(s);
		return nbd_seterr_peer(hs->err, io->peer, NBX_FAIL, ENOMEM,
				       "TLS: cannot create a session");
	}
	s->t = t;
	s->fd = io->fd;
	s->timeout_ms = io->timeout_ms;
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
		handshake_err(s, io->peer, wolfSSL_get_error(s->ssl, r), hs->err);
		sess_free(s);
		return -1;
	}
	if (iplen && t->verify && !peer_cert_has_ip(s->ssl, ip, iplen)) {
		sess_free(s);
		return nbd_seterr_peer(hs->err, io->peer, NBX_TLS, 0,
				       "TLS handshake: hostname mismatch: the server's certificate "
				       "is not for '%s' (no such IP address SAN); --tls-hostname "
				       "names another", t->hostname);
	}
	io->ops = &tls_ops;
	io->priv = s;
	return 0;
nomem:
	sess_free(s);
	return nbd_seterr_peer(hs->err, io->peer, NBX_FAIL, ENOMEM,
			       "TLS: cannot set the expected hostname");
}

/* ---- kTLS */

int nbd_tls_ktls(struct nbd_io *io, struct nbd_err *err)
{
	struct tls_sess *s = io->priv;
	union { struct tls_crypto_info base; unsigned char b[NBD_KTLS_INFO_MAX]; } tx, rx;
	size_t txlen, rxlen;
	word64 wseq = 0, rseq = 0;
	int ver, tls13, cipher, aead, keysz, ivsz, avail = 0, fd = io->fd, type = 0;
	socklen_t tl = sizeof type;
	const char *why = NULL;

	if (io->ops != &tls_ops || !s)
		return nbd_seterr_peer(err, io->peer, NBX_NOTSUP, 0, "kTLS: not a TLS connection");
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_STREAM)
		why = "not a stream socket";
	ver = wolfSSL_version(s->ssl);
	tls13 = ver == TLS1_3_VERSION;
	cipher = wolfSSL_GetBulkCipher(s->ssl);
	keysz = wolfSSL_GetKeySize(s->ssl);
	ivsz = wolfSSL_GetIVSize(s->ssl);
	/* A record wolfSSL already read (or half-read) would be lost to the
	 * kernel, and so would bytes the kernel holds but wolfSSL has not
	 * seen yet: both would desynchronise the record sequence. */
	if (!why && nbd_io_pending(io))
		why = "reply bytes still buffered in the transport";
	if (!why && (wolfSSL_pending(s->ssl) > 0 || wolfSSL_has_pending(s->ssl)))
		why = "TLS data still buffered in wolfSSL";
	if (!why && (ioctl(fd, FIONREAD, &avail) < 0 || avail != 0))
		why = "unread bytes on the socket";
	if (!why && ver != TLS1_2_VERSION && ver != TLS1_3_VERSION)
		why = "protocol version the kernel does not take";
	if (!why && (wolfSSL_GetSequenceNumber(s->ssl, &wseq) < 0 ||
		     wolfSSL_GetPeerSequenceNumber(s->ssl, &rseq) < 0))
		why = "cannot read the record sequence numbers";
	if (why)
		return nbd_seterr_peer(err, io->peer, NBX_NOTSUP, 0, "kTLS: %s", why);
	/* We are the client: we send with the client keys. */
	aead = cipher == wolfssl_chacha ? NBD_KTLS_CHACHA :
	       cipher == wolfssl_aes_gcm ? NBD_KTLS_AES_GCM : -1;
	txlen = nbd_ktls_info(&tx, tls13, aead, keysz, wolfSSL_GetClientWriteKey(s->ssl),
			      wolfSSL_GetClientWriteIV(s->ssl), ivsz, wseq);
	rxlen = nbd_ktls_info(&rx, tls13, aead, keysz, wolfSSL_GetServerWriteKey(s->ssl),
			      wolfSSL_GetServerWriteIV(s->ssl), ivsz, rseq);
	if (!txlen || !rxlen) {
		memset(&tx, 0, sizeof tx), memset(&rx, 0, sizeof rx);
		return nbd_seterr_peer(err, io->peer, NBX_NOTSUP, 0,
				       "kTLS: cipher %s is not one the kernel takes",
				       wolfSSL_get_cipher_name(s->ssl));
	}
	if (setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof "tls") < 0) {
		int e = errno;
		memset(&tx, 0, sizeof tx), memset(&rx, 0, sizeof rx);
		return nbd_seterr_peer(err, io->peer, NBX_NOTSUP, e,
				       "kTLS: TCP_ULP tls: %s%s", strerror(e),
				       e == ENOENT ? " (is the tls module loaded?)" : "");
	}
	/* Until TLS_TX is set the ULP passes bytes through untouched, so a
	 * failure here still leaves the session usable for the relay. */
	if (setsockopt(fd, SOL_TLS, TLS_TX, &tx, (socklen_t)txlen) < 0) {
		int e = errno;
		memset(&tx, 0, sizeof tx), memset(&rx, 0, sizeof rx);
		return nbd_seterr_peer(err, io->peer, NBX_NOTSUP, e,
				       "kTLS: TLS_TX %s: %s%s", wolfSSL_get_cipher_name(s->ssl),
				       strerror(e), e == ENOENT ? " (crypto modules missing?)" : "");
	}
	if (setsockopt(fd, SOL_TLS, TLS_RX, &rx, (socklen_t)rxlen) < 0) {
		int e = errno;
		memset(&tx, 0, sizeof tx), memset(&rx, 0, sizeof rx);
		tls_forget(io, 1);
		return nbd_seterr_peer(err, io->peer, NBX_TLS, e,
				       "kTLS: TLS_RX: %s; the connection is lost", strerror(e));
	}
	memset(&tx, 0, sizeof tx), memset(&rx, 0, sizeof rx);
	/* The kernel owns the record layer now: no close_notify, ever. */
	tls_forget(io, 0);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

/* ---- the relay */

#define RELAY_BUF (256 * 1024)
#define RELAY_CHUNK (64 * 1024)   /* per wolfSSL_write: four full records */

struct rbuf {
	unsigned char *b;
	size_t off, len;          /* data is b[off .. off+len) */
};

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

int nbd_tls_relay_ready(const struct nbd_io *io, struct nbd_err *err)
{
	if (io->ops != &tls_ops || !io->priv)
		return nbd_seterr_peer(err, io->peer, NBX_FAIL, 0, "relay: not a TLS connection");
	/* The relay reads the TLS session, not io's read-ahead. */
	if (nbd_io_pending(io))
		return nbd_seterr_peer(err, io->peer, NBX_PROTO, 0,
				       "relay: reply bytes still buffered in the transport");
	return 0;
}

int nbd_tls_relay_run(struct nbd_io *io, int kfd, struct nbd_err *err)
{
	struct tls_sess *s = io->priv;
	struct rbuf up = { 0 }, down = { 0 };   /* up: kernel -> server */
	size_t wchunk = 0;        /* a wolfSSL_write to repeat as it was */
	int k_eof = 0, n_eof = 0, net_rd = 0, net_wr = 0, ret = -1;
	char rb[120];

	if (nbd_tls_relay_ready(io, err) < 0)
		return -1;
	up.b = malloc(RELAY_BUF);
	down.b = malloc(RELAY_BUF);
	if (!up.b || !down.b) {
		nbd_seterr_peer(err, io->peer, NBX_FAIL, ENOMEM, "relay: out of memory");
		goto out;
	}
	s->nonblock = 1;
	s->timeout_ms = 0;
	if (set_nonblock(io->fd) < 0 || set_nonblock(kfd) < 0) {
		nbd_seterr_peer(err, io->peer, NBX_FAIL, errno, "relay: %s", strerror(errno));
		goto out;
	}
	for (;;) {
		struct pollfd p[2];
		int progress;

		do {
			ssize_t n;
			int r, e;

			progress = 0;
			/* kernel -> up */
			if (!k_eof && !wchunk && up.off && up.off + up.len == RELAY_BUF) {
				memmove(up.b, up.b + up.off, up.len);
				up.off = 0;
			}
			if (!k_eof && up.off + up.len < RELAY_BUF) {
				n = recv(kfd, up.b + up.off + up.len, RELAY_BUF - up.off - up.len, 0);
				if (n > 0)
					up.len += (size_t)n, progress = 1;
				else if (n == 0 || errno == ECONNRESET)
					k_eof = 1, progress = 1;
				else if (errno != EAGAIN && errno != EINTR) {
					nbd_seterr_peer(err, io->peer, NBX_FAIL, errno,
							"relay: reading from the kernel: %s", strerror(errno));
					goto out;
				}
			}
			/* up -> server */
			if (up.len) {
				if (!wchunk)
					wchunk = up.len < RELAY_CHUNK ? up.len : RELAY_CHUNK;
				net_wr = 0;
				r = wolfSSL_write(s->ssl, up.b + up.off, (int)wchunk);
				if (r > 0) {
					up.off += (size_t)r, up.len -= (size_t)r;
					if (!up.len)
						up.off = 0;
					wchunk = 0;
					progress = 1;
				} else if ((e = wolfSSL_get_error(s->ssl, r)) == WOLFSSL_ERROR_WANT_WRITE) {
					net_wr = 1;
				} else if (e != WOLFSSL_ERROR_WANT_READ) {
					nbd_seterr_peer(err, io->peer, s->peer_closed ? NBX_PROTO : NBX_TLS,
							s->io_errno, "relay: sending: %s",
							s->io_errno ? strerror(s->io_errno) : reason(e, rb, sizeof rb));
					goto out;
				}
			}
			/* server -> down; wolfSSL also answers TLS 1.3 post-handshake
			 * messages (tickets, KeyUpdate) here, which kTLS cannot. */
			if (!n_eof && down.off + down.len < RELAY_BUF) {
				size_t room = RELAY_BUF - down.off - down.len;
				net_rd = 0;
				r = wolfSSL_read(s->ssl, down.b + down.off + down.len,
						 room > INT_MAX ? INT_MAX : (int)room);
				if (r > 0) {
					down.len += (size_t)r, progress = 1;
				} else if ((e = wolfSSL_get_error(s->ssl, r)) == WOLFSSL_ERROR_WANT_READ) {
					net_rd = 1;
				} else if (e == WOLFSSL_ERROR_ZERO_RETURN || s->peer_closed) {
					n_eof = 1, progress = 1;
				} else if (e != WOLFSSL_ERROR_WANT_WRITE) {
					nbd_seterr_peer(err, io->peer, NBX_TLS, s->io_errno,
							"relay: receiving: %s",
							s->io_errno ? strerror(s->io_errno) : reason(e, rb, sizeof rb));
					goto out;
				}
			}
			/* down -> kernel */
			if (down.len) {
				n = send(kfd, down.b + down.off, down.len, MSG_NOSIGNAL);
				if (n > 0) {
					down.off += (size_t)n, down.len -= (size_t)n, progress = 1;
					if (!down.len)
						down.off = 0;
				} else if (n < 0 && errno != EAGAIN && errno != EINTR) {
					/* The kernel let go of its end: the device is gone. */
					k_eof = 1;
					down.len = 0;
				}
			}
			if (!n_eof && !down.len && down.off) /* keep room at the tail */
				down.off = 0;
		} while (progress);

		if (k_eof && !up.len) {
			/* Detached: end the TLS session politely. */
			s->nonblock = 0;
			s->timeout_ms = 1000;
			wolfSSL_shutdown(s->ssl);
			ret = 0;
			goto out;
		}
		if (n_eof && !down.len) {
			nbd_seterr_peer(err, io->peer, NBX_PROTO, 0, "relay: the server closed the connection");
			goto out;
		}
		p[0].fd = kfd;
		p[0].events = (short)((!k_eof && up.off + up.len < RELAY_BUF ? POLLIN : 0) |
				      (down.len ? POLLOUT : 0));
		p[1].fd = io->fd;
		p[1].events = (short)((net_rd ? POLLIN : 0) | (net_wr ? POLLOUT : 0));
		if (!p[1].events && !n_eof)
			p[1].events = POLLIN;
		if (poll(p, 2, -1) < 0 && errno != EINTR) {
			nbd_seterr_peer(err, io->peer, NBX_FAIL, errno, "relay: poll: %s", strerror(errno));
			goto out;
		}
		if (p[0].revents & (POLLERR | POLLHUP) && !(p[0].revents & POLLIN))
			k_eof = 1;
	}
out:
	free(up.b);
	free(down.b);
	s->nonblock = 0;
	return ret;
}

#endif /* ENABLE_TLS */
