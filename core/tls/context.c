/* The TLS context: wolfSSL set up once per run (TLS 1.2 and 1.3, the
 * cipher suites the kernel can take over) with the user's PSK or X.509
 * credentials. See tls.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "file.h"
#include "fmt.h"
#include "int.h"

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

static void init_once(void)
{
	static int done;

	if (!done) {
		wolfSSL_Init();
		done = 1;
	}
}

static unsigned int psk_cb(WOLFSSL *ssl, const char *hint, char *identity,
			   unsigned int id_max, unsigned char *key, unsigned int key_max)
{
	struct tls_sess *s = wolfSSL_GetIOReadCtx(ssl);
	struct nbd_tls_ctx *t = s->t;
	size_t idlen = strlen(t->psk_id);
	(void)hint;

	if (idlen >= id_max || t->psk_keylen > key_max)
		return 0;
	memcpy(identity, t->psk_id, idlen + 1);
	memcpy(key, t->psk_key, t->psk_keylen);
	return (unsigned int)t->psk_keylen;
}

/* TLS 1.3 asks per cipher suite. With the plain callback above, wolfSSL
 * ties the PSK to TLS13-AES128-GCM-SHA256 alone and fails the handshake
 * ("psk key callback error") when the server picks another suite, as
 * GnuTLS does with our ChaCha20-first list on a CPU without AES. Asked
 * per suite, wolfSSL takes any suite the server picks with the PSK's
 * hash: SHA-256, an external PSK's default (RFC 8446, 4.2.11). */
static unsigned int psk_cs_cb(WOLFSSL *ssl, const char *hint, char *identity,
			      unsigned int id_max, unsigned char *key, unsigned int key_max,
			      const char *suite)
{
	if (!suite || strstr(suite, "SHA384"))
		return 0;
	return psk_cb(ssl, hint, identity, id_max, key, key_max);
}

/* A private key (the PSK file, the client key) must be no one else's to
 * read, as OpenSSH requires of its keys: owned by this user or root, and
 * no permission for group or others. Checked on the open file (what is
 * checked is what is read), then read whole into buf. The refusals are
 * NBX_TLS and name the file and its mode or owner; a file that cannot
 * be read is the command line's (NBX_USAGE). */
static int read_secret(const char *path, const char *what, char *buf, size_t cap,
		       size_t *len, struct nbd_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	unsigned int m;
	ssize_t n;
	int e;

	if (fd < 0 || fstat(fd, &st) < 0) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		return nbd_seterr(err, NBX_USAGE, e, "%s: %s", path, strerror(e));
	}
	m = st.st_mode & 07777;
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		close(fd);
		return nbd_seterr(err, NBX_TLS, EPERM,
				  "%s: %s owned by uid %u, not by this user (uid %u) or root: refused",
				  path, what, (unsigned)st.st_uid, (unsigned)geteuid());
	}
	if (m & 077) {
		close(fd);
		return nbd_seterr(err, NBX_TLS, EPERM,
				  "%s: %s with mode %u%u%u%u: group or others may read it: refused "
				  "(chmod 600 %s)", path, what, m >> 9, m >> 6 & 7, m >> 3 & 7, m & 7, path);
	}
	n = nbd_read_fd(fd, buf, cap);
	e = errno;
	close(fd);
	if (n < 0)
		return nbd_seterr(err, NBX_USAGE, e, "%s: %s", path, strerror(e));
	if ((size_t)n == cap)
		return nbd_seterr(err, NBX_USAGE, EFBIG, "%s: too large for a %s", path, what);
	*len = (size_t)n;
	return 0;
}

static int load_psk(struct nbd_tls_ctx *t, const struct nbd_tls_conf *c, struct nbd_err *err)
{
	char text[16384];
	size_t len = 0;
	const char *why;
	int r;

	if (read_secret(c->psk_file, "PSK file", text, sizeof text, &len, err) < 0)
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
	wolfSSL_CTX_set_psk_client_callback(t->ctx, psk_cb);         /* TLS 1.2 */
	wolfSSL_CTX_set_psk_client_cs_callback(t->ctx, psk_cs_cb);   /* TLS 1.3 */
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

/* Revocation: --tls-crl FILE, else ca-crl.pem beside ca-cert.pem in
 * --tls-certificates DIR, where nbdkit and libnbd look for it (there,
 * present means used; a FILE named must be there). A CRL that
 * cannot be read or parsed, is not signed by the CA loaded, or whose
 * nextUpdate is past stops here (never ignored). With it, wolfSSL
 * refuses a server certificate its issuer's CRL lists, and one whose
 * issuer has no CRL in the file. */
static int load_crl(struct nbd_tls_ctx *t, const struct nbd_tls_conf *c, struct nbd_err *err)
{
	char dflt[512];
	const char *path = c->crl_file;

	if (!path) {
		if (!c->cert_dir)
			return 0;
		nbd_fmt(dflt, sizeof dflt, "%s/ca-crl.pem", c->cert_dir);
		if (access(dflt, F_OK) < 0 && errno == ENOENT)
			return 0;
		path = dflt;
	} else if (access(path, R_OK) < 0) {
		return nbd_seterr(err, NBX_USAGE, errno, "%s: %s", path, strerror(errno));
	}
#ifdef HAVE_CRL
	char rb[100];
	int r = wolfSSL_CTX_EnableCRL(t->ctx, 0);

	if (r == WOLFSSL_SUCCESS)
		r = wolfSSL_CTX_LoadCRLFile(t->ctx, path, WOLFSSL_FILETYPE_PEM);
	if (r == CRL_CERT_DATE_ERR || r == ASN_AFTER_DATE_E)
		return nbd_seterr(err, NBX_TLS, 0, "%s: the CRL has expired (its nextUpdate is "
				  "past): get a fresh one from the CA", path);
	if (r == ASN_CRL_NO_SIGNER_E || r == ASN_CRL_CONFIRM_E)
		return nbd_seterr(err, NBX_TLS, 0, "%s: the CRL is not signed by %s (or that CA "
				  "may not sign CRLs: no cRLSign key usage)", path, t->ca_desc);
#ifndef WOLFSSL_ASN_TEMPLATE
	/* This wolfSSL's older DER code says "parse error" for a CRL
	 * past its nextUpdate too. */
	if (r == ASN_PARSE_E)
		return nbd_seterr(err, NBX_TLS, 0, "%s: cannot load the CRL: not a CRL, or it has "
				  "expired (this wolfSSL says both as a parse error)", path);
#endif
	if (r != WOLFSSL_SUCCESS)
		return nbd_seterr(err, NBX_TLS, 0, "%s: cannot load the CRL: %s", path,
				  access(path, R_OK) < 0 ? strerror(errno) :
				  nbd_tls_reason(r, rb, sizeof rb));
	nbd_fmt(t->crl, sizeof t->crl, "%s", path);
	return 0;
#else
	(void)t;
	return nbd_seterr(err, NBX_TLS, 0, "%s: this wolfSSL has no CRL support (HAVE_CRL): "
			  "cannot check revocation", path);
#endif
}

static int load_x509(struct nbd_tls_ctx *t, const struct nbd_tls_conf *c, struct nbd_err *err)
{
	char ca[512], cert[512], key[512], rb[100], pem[16384];
	const char *caf = c->ca_file, *certf = c->cert_file, *keyf = c->key_file;
	size_t len;
	int r;

	/* libnbd's tls-certificates=DIR layout; explicit files win. */
	if (c->cert_dir) {
		nbd_fmt(ca, sizeof ca, "%s/ca-cert.pem", c->cert_dir);
		nbd_fmt(cert, sizeof cert, "%s/client-cert.pem", c->cert_dir);
		nbd_fmt(key, sizeof key, "%s/client-key.pem", c->cert_dir);
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
					  certf, nbd_tls_reason(r, rb, sizeof rb));
		if (read_secret(keyf, "client key", pem, sizeof pem, &len, err) < 0)
			return -1;
		r = wolfSSL_CTX_use_PrivateKey_buffer(t->ctx, (unsigned char *)pem, (long)len,
						      WOLFSSL_FILETYPE_PEM);
		memset(pem, 0, sizeof pem);
		if (r != WOLFSSL_SUCCESS)
			return nbd_seterr(err, NBX_USAGE, 0, "%s: cannot load client key: %s",
					  keyf, nbd_tls_reason(r, rb, sizeof rb));
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
					  caf, nbd_tls_reason(r, rb, sizeof rb));
		nbd_fmt(t->ca_desc, sizeof t->ca_desc, "CA %s", caf);
		return load_crl(t, c, err);
	}
	if (wolfSSL_CTX_load_system_CA_certs(t->ctx) != WOLFSSL_SUCCESS)
		return nbd_seterr(err, NBX_USAGE, 0,
				  "no CA to verify the server: give --tls-ca FILE or --tls-certificates DIR");
	nbd_fmt(t->ca_desc, sizeof t->ca_desc, "the system's CAs");
	return load_crl(t, c, err);
}

struct nbd_tls_ctx *nbd_tls_ctx_new(const struct nbd_tls_conf *c, struct nbd_err *err)
{
	struct nbd_tls_ctx *t = calloc(1, sizeof *t);

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
	wolfSSL_CTX_SetIORecv(t->ctx, nbd_tls_cb_recv);
	wolfSSL_CTX_SetIOSend(t->ctx, nbd_tls_cb_send);
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
	nbd_tls_ctx_free(t);
	return NULL;
}

void nbd_tls_ctx_free(struct nbd_tls_ctx *t)
{
	if (!t)
		return;
	if (t->ctx)
		wolfSSL_CTX_free(t->ctx);
	free(t->hostname);
	memset(t->psk_key, 0, sizeof t->psk_key);
	free(t);
}
