/* Shared by every applet: printing errors, the server-address options,
 * output quoting. The only place (with the applets) that prints. */
//kbuild:obj-y += common.o
// The options every network applet takes, for their usage texts
// (`//usage:@CONN` there; scripts/gen.sh puts these lines in its place).
//usage-conn:  -N, --name NAME      export name (default: the server's default, "")
//usage-conn:  -u, --unix PATH      connect to a Unix socket instead of HOST
//usage-conn:  -T, --timeout SECS   connect and handshake timeout (default 10)
//usage-conn:      --wait SECS      keep retrying with backoff for up to SECS
// `//usage:@TLS`: the TLS options, in builds with TLS only.
//usage-tls:TLS (nbds:// or --tls; naming any credential asks for it too; never
//usage-tls:falls back to clear text):
//usage-tls:      --tls            require TLS
//usage-tls:      --tls-ca FILE    CA certificates to verify the server with
//usage-tls:      --tls-certificates DIR  ca-cert.pem, client-cert.pem and
//usage-tls:                       client-key.pem in DIR (libnbd's layout)
//usage-tls:      --tls-cert FILE, --tls-key FILE  client certificate and key
//usage-tls:      --tls-hostname NAME  name to check (default: the host given)
//usage-tls:      --tls-verify-peer=no  do not verify the server: INSECURE
//usage-tls:      --tls-psk FILE   pre-shared key file (username:hexkey, psktool)
//usage-tls:      --tls-username NAME  PSK identity (default: the URI's user@)

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "autoconf.h"
#include "applet.h"
#include "fmt.h"

const char *applet_name = "nbdbox";
const char *applet_usage = "";

/* ---- standard output, buffered without stdio */
static char obuf[4096];
static size_t olen;
static int oerr;

static void oflush(void)
{
	size_t off = 0;

	while (off < olen) {
		ssize_t n = write(1, obuf + off, olen - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			oerr = n < 0 ? errno : EIO;
			break;
		}
		off += (size_t)n;
	}
	olen = 0;
}

void out_bytes(const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		size_t k = sizeof obuf - olen < n ? sizeof obuf - olen : n;
		memcpy(obuf + olen, c, k);
		olen += k;
		c += k;
		n -= k;
		if (olen == sizeof obuf)
			oflush();
	}
}

void out_str(const char *s)
{
	out_bytes(s, strlen(s));
}

void out_char(int c)
{
	char ch = (char)c;

	out_bytes(&ch, 1);
}

void out(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	size_t n;

	va_start(ap, fmt);
	n = nbd_vfmt(buf, sizeof buf, fmt, ap);
	va_end(ap);
	out_bytes(buf, n);
}

int out_flush(void)
{
	oflush();
	return oerr ? -1 : 0;
}

int finish_output(void)
{
	if (out_flush() == 0)
		return 0;
	msg("write error: %s", strerror(oerr));
	return NBX_FAIL;
}

/* ---- messages on standard error */
static void vmsg(const char *fmt, va_list ap, const char *tail)
{
	char buf[1024];
	size_t n = nbd_fmt(buf, sizeof buf, "%s: ", applet_name);

	n += nbd_vfmt(buf + n, sizeof buf - n - 1, fmt, ap);
	n += nbd_fmt(buf + n, sizeof buf - n, "%s", tail);
	/* One write: lines from parallel processes do not interleave. */
	if (write(2, buf, n) < 0)
		return;
}

void msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(fmt, ap, "\n");
	va_end(ap);
}

int report(const struct nbd_err *err)
{
	msg("%s", err->msg);
	return err->code ? err->code : NBX_FAIL;
}

int usage_error(const char *fmt, ...)
{
	va_list ap;
	char tail[128];

	nbd_fmt(tail, sizeof tail, "\nTry '%s --help' for more information.\n", applet_name);
	va_start(ap, fmt);
	vmsg(fmt, ap, tail);
	va_end(ap);
	return NBX_USAGE;
}

int show_usage(void)
{
	out_str(applet_usage);
	return finish_output();
}

int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (unsigned)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
	}
	*out = v;
	return 0;
}

void conn_opts_init(struct conn_opts *c)
{
	memset(c, 0, sizeof *c);
	nbd_addr_init(&c->addr);
	c->timeout_ms = 10000;
	c->tls_verify = -1;
}

int conn_opt(struct conn_opts *c, int opt, const char *arg)
{
	unsigned long v;

	switch (opt) {
	case 'N':
		c->name = arg;
		return 1;
	case 'u':
		c->unix_path = arg;
		return 1;
	case 'T':
		if (parse_uint(arg, 3600, &v) < 0 || !v)
			return usage_error("--timeout: '%s' is not a number of seconds (1-3600)", arg), -1;
		c->timeout_ms = (int)v * 1000;
		return 1;
	case OPT_WAIT:
		if (parse_uint(arg, 86400, &v) < 0)
			return usage_error("--wait: '%s' is not a number of seconds", arg), -1;
		c->wait_s = (int)v;
		return 1;
	case OPT_TLS:
		c->tls = 1;
		return 1;
	/* Naming TLS credentials asks for TLS: never fall back to clear text
	 * because the URI said nbd://. */
	case OPT_TLS_CA:
		c->tlsc.ca_file = arg, c->tls = 1;
		return 1;
	case OPT_TLS_CERT:
		c->tlsc.cert_file = arg, c->tls = 1;
		return 1;
	case OPT_TLS_KEY:
		c->tlsc.key_file = arg, c->tls = 1;
		return 1;
	case OPT_TLS_CERTS:
		c->tlsc.cert_dir = arg, c->tls = 1;
		return 1;
	case OPT_TLS_PSK:
		c->tlsc.psk_file = arg, c->tls = 1;
		return 1;
	case OPT_TLS_HOSTNAME:
		c->tlsc.hostname = arg;
		return 1;
	case OPT_TLS_USER:
		c->tlsc.username = arg;
		return 1;
	case OPT_TLS_RELAY:
		c->tls_relay = 1;
		return 1;
	case OPT_TLS_VERIFY:
		if (!strcmp(arg, "no") || !strcmp(arg, "false") || !strcmp(arg, "0"))
			c->tls_verify = 0;
		else if (!strcmp(arg, "yes") || !strcmp(arg, "true") || !strcmp(arg, "1"))
			c->tls_verify = 1;
		else
			return usage_error("--tls-verify-peer: '%s' is not yes or no", arg), -1;
		return 1;
	}
	return 0;
}

int conn_target(struct conn_opts *c, int argc, char **argv, int *i, int allow_port)
{
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
			if (nbd_parse_uri(&c->addr, t, &err) < 0)
				return report(&err);
		} else {
			if (allow_port && *i < argc && argv[*i][0] &&
			    strspn(argv[*i], "0123456789") == strlen(argv[*i]))
				c->port = argv[(*i)++];
			if (nbd_parse_hostport(&c->addr, t, c->port, &err) < 0)
				return report(&err);
		}
	}
	if (c->name && nbd_addr_set_name(&c->addr, c->name, &err) < 0)
		return report(&err);
	if (c->tls)
		c->addr.tls = 1;
	return 0;
}

/* The TLS settings: command line first, then the URI's query, then the
 * defaults (verify on; the certificate must name the host we dialled). */
static void tls_conf(struct conn_opts *c, struct nbd_tls_conf *t)
{
	const struct nbd_addr *a = &c->addr;

	*t = c->tlsc;
	if (!t->cert_dir && a->tls_certs[0])
		t->cert_dir = a->tls_certs;
	if (!t->psk_file && a->tls_psk_file[0])
		t->psk_file = a->tls_psk_file;
	if (!t->username && a->user[0])
		t->username = a->user;
	if (!t->hostname)
		t->hostname = a->tls_hostname[0] ? a->tls_hostname : a->is_unix ? NULL : a->host;
	t->verify = c->tls_verify >= 0 ? c->tls_verify : a->tls_verify >= 0 ? a->tls_verify : 1;
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

	if (c->addr.tls && !ENABLE_TLS)
		return nbd_seterr(err, NBX_TLS, 0, "%s: TLS requested, but nbdbox was built without TLS",
				  c->addr.is_unix ? c->addr.socket : c->addr.host);
	if (ENABLE_TLS && c->addr.tls && !c->tls_ctx) {
		struct nbd_tls_conf t;

		tls_conf(c, &t);
		if (!t.verify && !t.psk_file)
			msg("WARNING: --tls-verify-peer=no: the server's certificate is NOT checked; "
			    "anyone on the path can read and change the data");
		if (!(c->tls_ctx = nbd_tls_new(&t, err)))
			return -1;
	}
	for (;;) {
		/* NBDBOX_RESOLV_CONF: another resolv.conf (the tests' nameserver) */
		if (nbd_addr_connect(&c->addr, io, c->timeout_ms, getenv("NBDBOX_RESOLV_CONF"),
				     err) == 0) {
			nbd_hs_init(hs, io, err);
			nbd_hs_set_name(hs, c->addr.name, c->addr.namelen);
			hs->want_tls = c->addr.tls;
			if (ENABLE_TLS && c->addr.tls) {
				hs->tls = nbd_tls_hook;
				hs->tls_ctx = c->tls_ctx;
			}
			if (nbd_hs_run(hs, NBD_GOAL_START) == 0)
				return 0;
			nbd_io_close(io);
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

void json_str(const char *s, size_t len)
{
	size_t i;

	out_char('"');
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch == '"' || ch == '\\')
			out("\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			out("\\u%04x", ch);
		else
			out_char(ch);
	}
	out_char('"');
}

void shell_str(const char *s, size_t len)
{
	size_t i;

	out_char('\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			out_str("'\\''");
		else
			out_char(s[i]);
	}
	out_char('\'');
}

void print_tflags(uint16_t tflags, const char *sep, int json)
{
	const struct nbd_flag_name *n;
	const char *s = "";

	if (json)
		out_char('[');
	for (n = nbd_tflag_names; n->name; n++) {
		if (!(tflags & n->bit))
			continue;
		if (json)
			out("%s\"%s\"", s, n->name), s = ",";
		else
			out("%s%s", s, n->name), s = sep;
	}
	if (json)
		out_char(']');
}
