/* The options every network applet takes (server address, timeouts,
 * TLS) and connecting with them: connect, greeting, STARTTLS. */
//kbuild:obj-y += conn.o
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "autoconf.h"
#include "applet.h"
#include "parse.h"

/* The options every network applet takes, stated once: each row with
 * its lines of the usage texts right above it. scripts/gen.sh takes the
 * //usage-conn: lines for `//usage:@CONN` in the applets' texts and the
 * //usage-tls: lines for `//usage:@TLS` (in builds with TLS only), in
 * this order. conn_opt() below says what each row does;
 * tests/shell/test_multicall.sh walks the rows through every network
 * applet's parser and --help. */
const struct longopt conn_longopts[] = {
//usage-conn:  -N, --name NAME      export name (default: the server's default, "")
	{ "name",             'N',              1 },
//usage-conn:  -u, --unix PATH      connect to a Unix socket instead of HOST
	{ "unix",             'u',              1 },
//usage-conn:  -T, --timeout SECS   connect and handshake timeout (default 10)
	{ "timeout",          'T',              1 },
//usage-conn:      --wait SECS      keep retrying with backoff for up to SECS
	{ "wait",             OPT_WAIT,         1 },
//usage-conn:      --alt HOST[:PORT]|URI  another server of the same export
//usage-conn:                       (failover; up to 4, tried in order)
	{ "alt",              OPT_ALT,          1 },
//usage-tls:TLS (nbds:// or --tls; naming any credential asks for it too; never
//usage-tls:falls back to clear text):
//usage-tls:      --tls            require TLS
	{ "tls",              OPT_TLS,          0 },
//usage-tls:      --tls-ca FILE    CA certificates to verify the server with
	{ "tls-ca",           OPT_TLS_CA,       1 },
//usage-tls:      --tls-certificates DIR  ca-cert.pem, client-cert.pem and
//usage-tls:                       client-key.pem in DIR (libnbd's layout)
	{ "tls-certificates", OPT_TLS_CERTS,    1 },
//usage-tls:      --tls-cert FILE, --tls-key FILE  client certificate and key
	{ "tls-cert",         OPT_TLS_CERT,     1 },
	{ "tls-key",          OPT_TLS_KEY,      1 },
//usage-tls:      --tls-crl FILE   the CA's CRL (default: DIR/ca-crl.pem)
	{ "tls-crl",          OPT_TLS_CRL,      1 },
//usage-tls:      --tls-hostname NAME  name to check (default: the host given)
	{ "tls-hostname",     OPT_TLS_HOSTNAME, 1 },
//usage-tls:      --tls-verify-peer=no  do not verify the server: INSECURE
	{ "tls-verify-peer",  OPT_TLS_VERIFY,   1 },
//usage-tls:      --tls-psk FILE   pre-shared key file (username:hexkey, psktool)
	{ "tls-psk",          OPT_TLS_PSK,      1 },
//usage-tls:      --tls-username NAME  PSK identity (default: the URI's user@)
	{ "tls-username",     OPT_TLS_USER,     1 },
	{ NULL, 0, 0 }
};

void conn_opts_init(struct conn_opts *c)
{
	memset(c, 0, sizeof *c);
	nbd_addr_init(&c->addr);
	nbd_tls_conf_init(&c->tls_conf);
	c->timeout_ms = 10000;
}

int conn_opt(struct conn_opts *c, int opt, const char *arg)
{
	struct nbd_tls_conf *t = &c->tls_conf;
	unsigned long v;
	int yes;

	switch (opt) {
	case 'N':
		c->name = arg;
		return 1;
	case 'u':
		c->unix_path = arg;
		return 1;
	case 'T':
		if (nbd_parse_uint(arg, 3600, &v) < 0 || !v)
			return usage_error("--timeout: '%s' is not a number of seconds (1-3600)", arg), -1;
		c->timeout_ms = (int)v * 1000;
		return 1;
	case OPT_WAIT:
		if (nbd_parse_uint(arg, 86400, &v) < 0)
			return usage_error("--wait: '%s' is not a number of seconds", arg), -1;
		c->wait_s = (int)v;
		return 1;
	/* --tls and the credentials break to the end: naming one asks for TLS. */
	case OPT_TLS:          break;
	case OPT_TLS_CA:       t->ca_file = arg; break;
	case OPT_TLS_CERT:     t->cert_file = arg; break;
	case OPT_TLS_KEY:      t->key_file = arg; break;
	case OPT_TLS_CERTS:    t->cert_dir = arg; break;
	case OPT_TLS_CRL:      t->crl_file = arg; break;
	case OPT_TLS_PSK:      t->psk_file = arg; break;
	case OPT_TLS_HOSTNAME: t->hostname = arg; return 1;
	case OPT_TLS_USER:     t->username = arg; return 1;
	case OPT_ALT:
		if (c->nalt == (int)(sizeof c->alt / sizeof *c->alt))
			return usage_error("--alt: at most %d alternatives",
					   (int)(sizeof c->alt / sizeof *c->alt)), -1;
		c->alt[c->nalt++] = arg;
		return 1;
	case OPT_TLS_VERIFY:
		if ((yes = nbd_parse_yesno(arg)) < 0)
			return usage_error("--tls-verify-peer: '%s' is not yes or no", arg), -1;
		t->verify = yes;
		return 1;
	default:
		return 0;
	}
	/* Never fall back to clear text because the URI said nbd://. */
	t->wanted = 1;
	return 1;
}

/* --alt addresses: a URI names its own export, HOST[:PORT] takes the
 * primary's. One TLS set-up serves all (the first server's). */
static struct nbd_addr alt_addr[4];

struct nbd_addr *conn_addr(struct conn_opts *c)
{
	return c->cur ? &alt_addr[c->cur - 1] : &c->addr;
}

static int alt_parse(struct conn_opts *c)
{
	static struct nbd_tls_conf alt_tls;
	struct nbd_err err;
	int i;

	for (i = 0; i < c->nalt; i++) {
		struct nbd_addr *a = &alt_addr[i];

		if (nbd_is_uri(c->alt[i])) {
			nbd_tls_conf_init(&alt_tls);
			if (nbd_parse_uri(a, &alt_tls, c->alt[i], &err) < 0)
				return report(&err);
			if (alt_tls.wanted && !c->tls_conf.wanted)
				return usage_error("--alt %s: TLS only when the first server has it too",
						   c->alt[i]);
		} else {
			if (nbd_parse_hostport(a, c->alt[i], NULL, &err) < 0)
				return report(&err);
			memcpy(a->name, c->addr.name, c->addr.namelen + 1);
			a->namelen = c->addr.namelen;
		}
	}
	return 0;
}

int conn_target(struct conn_opts *c, int argc, char **argv, int *i, int allow_port)
{
	struct nbd_tls_conf *tc = &c->tls_conf;
	struct nbd_err err;
	const char *t;

	if (c->unix_path) {
		/* -u PATH: no host argument. */
		nbd_addr_init(&c->addr);
		if (strlen(c->unix_path) >= sizeof c->addr.socket)
			return usage_error("%s: socket path too long", c->unix_path);
		strcpy(c->addr.socket, c->unix_path);
		c->addr.is_unix = 1;
	} else {
		if (*i >= argc)
			return usage_error("missing server address (HOST[:PORT] or nbd:// URI)");
		t = argv[(*i)++];
		if (nbd_is_uri(t)) {
			if (nbd_parse_uri(&c->addr, tc, t, &err) < 0)
				return report(&err);
		} else {
			/* HOST PORT: a second word of digits only */
			if (allow_port && *i < argc && argv[*i][0] &&
			    !argv[*i][strspn(argv[*i], "0123456789")])
				c->port = argv[(*i)++];
			if (nbd_parse_hostport(&c->addr, t, c->port, &err) < 0)
				return report(&err);
		}
	}
	if (c->name && nbd_addr_set_name(&c->addr, c->name, &err) < 0)
		return report(&err);
	/* The TLS defaults, after the command line and the URI: verify on;
	 * the certificate must name the host we dialled. */
	if (!tc->hostname && !c->addr.is_unix)
		tc->hostname = c->addr.host;
	if (tc->verify < 0)
		tc->verify = 1;
	return alt_parse(c);
}

int conn_args(struct conn_opts *c, int argc, char **argv, int i)
{
	int r = conn_target(c, argc, argv, &i, 1);

	if (r)
		return r;
	if (i < argc)
		return usage_error("unexpected argument '%s'", argv[i]);
	return 0;
}

int conn_open(struct conn_opts *c, struct nbd_io *io, struct nbd_hs *hs,
	      struct nbd_err *err)
{
	long deadline = c->wait_s ? nbd_now_ms() + c->wait_s * 1000L : 0;
	struct nbd_backoff backoff = NBD_BACKOFF(100, 2000);

	const struct nbd_tls_conf *t = &c->tls_conf;

	if (t->wanted && !ENABLE_TLS)
		return nbd_seterr(err, NBX_TLS, 0, "%s: TLS requested, but nbdbox was built without TLS",
				  c->addr.is_unix ? c->addr.socket : c->addr.host);
	if (ENABLE_TLS && t->wanted && !c->tls_ctx) {
		if (!t->verify && !t->psk_file)
			msg("WARNING: --tls-verify-peer=no: the server's certificate is NOT checked; "
			    "anyone on the path can read and change the data");
		if (!(c->tls_ctx = nbd_tls_ctx_new(t, err)))
			return -1;
	}
	for (;;) {
		int k;

		/* Each address once, from the one that answered last.
		 * NBDBOX_RESOLV_CONF: another resolv.conf (the tests' nameserver) */
		for (k = 0; k <= (c->one ? 0 : c->nalt); k++, c->cur = (c->cur + 1) % (c->nalt + 1)) {
			struct nbd_addr *a = conn_addr(c);

			if (nbd_addr_connect(a, io, c->timeout_ms, getenv("NBDBOX_RESOLV_CONF"),
					     err) == 0) {
				nbd_hs_init(hs, io, err);
				nbd_hs_set_name(hs, a->name, a->namelen);
				hs->tls_wanted = t->wanted;
				if (ENABLE_TLS && t->wanted) {
					hs->starttls = nbd_tls_starttls;
					hs->starttls_ctx = c->tls_ctx;
				}
				if (nbd_hs_run(hs, NBD_GOAL_START) == 0)
					return 0;
				nbd_io_close(io);
			}
		}
		/* --wait: boot scripts start before their server does. Worth
		 * retrying is "nobody there yet": no connection, or (behind a
		 * relay or proxy) one that closes before the greeting. */
		if (!deadline || nbd_now_ms() + backoff.next_ms > deadline ||
		    !(err->code == NBX_CONNECT ||
		      (err->code == NBX_PROTO && hs->style == NBD_STYLE_NONE &&
		       (err->errnum == 0 || err->errnum == ECONNRESET))))
			return -1;
		nbd_sleep_ms(nbd_backoff_next(&backoff));
	}
}
