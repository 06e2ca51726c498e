#include <string.h>
#include "autoconf.h"
#include "parse.h"
#include "uri.h"

void nbd_addr_init(struct nbd_addr *a)
{
	memset(a, 0, offsetof(struct nbd_addr, name) + 1);
}

/* Percent-decode s[0..len) into dst (cap bytes incl. NUL). -1 if malformed
 * or too long. */
static long pct_decode(char *dst, size_t cap, const char *s, size_t len)
{
	size_t o = 0, i;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)s[i];
		if (c == '%') {
			int h, l;
			if (len - i < 3)
				return -1;
			h = nbd_hexval(s[i + 1]);
			l = nbd_hexval(s[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = h << 4 | l;
			if (!c)
				return -1; /* NBD strings MUST NOT contain NUL */
			i += 2;
		}
		if (o + 1 >= cap)
			return -1;
		dst[o++] = (char)c;
	}
	dst[o] = 0;
	return (long)o;
}

static int bad(struct nbd_err *err, const char *uri, const char *why)
{
	return nbd_seterr(err, NBX_USAGE, 0, "%s: %s", uri, why);
}

int nbd_is_uri(const char *s)
{
	/* nbd:// nbds:// nbd+... nbds+... */
	if (strncmp(s, "nbd", 3))
		return 0;
	s += 3 + (s[3] == 's');
	return *s == '+' || !strncmp(s, "://", 3);
}

/* A port: 1 to 31 digits. */
static int set_port(struct nbd_addr *a, const char *s, size_t len)
{
	if (len >= sizeof a->port || !nbd_is_digits(s, len))
		return -1;
	memcpy(a->port, s, len);
	a->port[len] = 0;
	return 0;
}

/* HOST[:PORT] or [IPV6][:PORT], auth[0..end), into a. */
static int parse_hostport(struct nbd_addr *a, const char *uri, const char *auth,
			  const char *end, struct nbd_err *err)
{
	const char *colon;

	if (*auth == '[') {
		const char *rb = memchr(auth, ']', (size_t)(end - auth));
		if (!rb)
			return bad(err, uri, "unterminated [IPv6] address");
		if (!ENABLE_IPV6)
			return nbd_seterr(err, NBX_NOTSUP, 0, "%s: built without IPv6", uri);
		if (pct_decode(a->host, sizeof a->host, auth + 1, (size_t)(rb - auth - 1)) < 0)
			return bad(err, uri, "bad host");
		colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
		if (!colon && rb + 1 != end)
			return bad(err, uri, "junk after [IPv6] address");
	} else {
		colon = memchr(auth, ':', (size_t)(end - auth));
		if (pct_decode(a->host, sizeof a->host, auth, (size_t)((colon ? colon : end) - auth)) < 0)
			return bad(err, uri, "bad host");
	}
	if (colon && set_port(a, colon + 1, (size_t)(end - colon - 1)) < 0)
		return bad(err, uri, "bad port");
	return 0;
}

/* One query parameter k[0..klen) = v[0..vlen): 0; -1 for a value that
 * does not decode, -2 for a tls-verify-peer neither true nor false. The
 * tls-* values land in tls->uri; unknown keys are ignored, as libnbd does. */
static int query_param(struct nbd_addr *a, struct nbd_tls_conf *tls, const char *k, size_t klen,
		       const char *v, size_t vlen, int *verify)
{
	struct nbd_tls_conf *t = tls;
	char yesno[8];

	switch (nbd_word_find("socket\0tls-certificates\0tls-psk-file\0tls-hostname\0"
			      "tls-username\0tls-crl\0tls-verify-peer\0", k, klen)) {
	case 0: return pct_decode(a->socket, sizeof a->socket, v, vlen) < 0 ? -1 : 0;
	case 1: return pct_decode(t->uri.cert_dir, sizeof t->uri.cert_dir, v, vlen) < 0 ? -1 : 0;
	case 2: return pct_decode(t->uri.psk_file, sizeof t->uri.psk_file, v, vlen) < 0 ? -1 : 0;
	case 3: return pct_decode(t->uri.hostname, sizeof t->uri.hostname, v, vlen) < 0 ? -1 : 0;
	case 4: return pct_decode(t->uri.user, sizeof t->uri.user, v, vlen) < 0 ? -1 : 0;
	case 5: return pct_decode(t->uri.crl_file, sizeof t->uri.crl_file, v, vlen) < 0 ? -1 : 0;
	case 6:
		if (pct_decode(yesno, sizeof yesno, v, vlen) < 0)
			return -1;
		return (*verify = nbd_parse_yesno(yesno)) < 0 ? -2 : 0;
	}
	return 0;
}

/* The query q (after '?'): key=value&key=value. */
static int parse_query(struct nbd_addr *a, struct nbd_tls_conf *tls, const char *uri,
		       const char *q, int *verify, struct nbd_err *err)
{
	while (*q) {
		size_t len = strcspn(q, "&");
		const char *eq = memchr(q, '=', len);
		size_t klen = eq ? (size_t)(eq - q) : len;
		const char *v = eq ? eq + 1 : q + len;

		int r = query_param(a, tls, q, klen, v, (size_t)(q + len - v), verify);

		if (r < 0)
			return bad(err, uri, r == -2 ? "tls-verify-peer takes true or false" :
				   "bad query value");
		q += len;
		if (*q == '&')
			q++;
	}
	return 0;
}

/* A setting from the URI, where the command line named none. */
static void uri_default(const char **conf, const char *v)
{
	if (!*conf && *v)
		*conf = v;
}

int nbd_parse_uri(struct nbd_addr *a, struct nbd_tls_conf *tls, const char *uri,
		  struct nbd_err *err)
{
	const char *p, *auth, *auth_end, *path, *query, *hp;
	int i, verify = -1;
	long n;

	nbd_addr_init(a);
	memset(&tls->uri, 0, sizeof tls->uri);
	p = uri + strcspn(uri, ":/?#");
	if (strncmp(p, "://", 3))
		return bad(err, uri, "not an NBD URI");
	/* In pairs: even without TLS, odd with; the last two Unix. */
	i = nbd_word_find("nbd\0nbds\0nbd+tcp\0nbds+tcp\0nbd+unix\0nbds+unix\0", uri, (size_t)(p - uri));
	if (i < 0)
		return bad(err, uri, "unknown URI scheme (nbd, nbds, nbd+unix, nbds+unix)");
	if (i & 1)
		tls->wanted = 1;
	a->is_unix = i >= 4;
	auth = p + 3;
	auth_end = auth + strcspn(auth, "/?#");
	path = auth_end;
	query = strchr(path, '?');
	if (strchr(path, '#'))
		return bad(err, uri, "URI fragments are not allowed");
	if (!query)
		query = path + strlen(path);

	/* user@ */
	hp = memchr(auth, '@', (size_t)(auth_end - auth));
	if (hp) {
		if (pct_decode(tls->uri.user, sizeof tls->uri.user, auth, (size_t)(hp - auth)) < 0)
			return bad(err, uri, "bad user name");
		auth = hp + 1;
	}
	if (a->is_unix && auth != auth_end)
		return bad(err, uri, "nbd+unix:// takes no host (use ?socket=PATH)");
	if (!a->is_unix && auth != auth_end && parse_hostport(a, uri, auth, auth_end, err) < 0)
		return -1;
	if (!a->is_unix && !a->host[0])
		strcpy(a->host, "localhost");

	/* Export name: the path without its leading '/'. */
	if (*path == '/')
		path++;
	n = pct_decode(a->name, sizeof a->name, path, (size_t)(query - path));
	if (n < 0)
		return bad(err, uri, "bad export name (percent encoding, NUL, or over 4096 bytes)");
	a->namelen = (size_t)n;

	if (parse_query(a, tls, uri, query + (*query == '?'), &verify, err) < 0)
		return -1;
	if (a->is_unix && !a->socket[0])
		return bad(err, uri, "nbd+unix:// needs ?socket=PATH");
	if (!a->is_unix && a->socket[0])
		return bad(err, uri, "?socket= belongs to nbd+unix://");
	/* What the command line named stays. */
	uri_default(&tls->cert_dir, tls->uri.cert_dir);
	uri_default(&tls->psk_file, tls->uri.psk_file);
	uri_default(&tls->hostname, tls->uri.hostname);
	uri_default(&tls->username, tls->uri.user);
	uri_default(&tls->crl_file, tls->uri.crl_file);
	if (tls->verify < 0)
		tls->verify = verify;
	return 0;
}

int nbd_parse_hostport(struct nbd_addr *a, const char *hostport, const char *port,
		       struct nbd_err *err)
{
	const char *colon = strrchr(hostport, ':');
	size_t hlen = strlen(hostport);

	nbd_addr_init(a);
	if (*hostport == '[') {
		const char *rb = strchr(hostport, ']');
		if (!rb || (rb[1] && rb[1] != ':'))
			return bad(err, hostport, "bad [IPv6]:PORT address");
		hlen = (size_t)(rb - hostport - 1);
		hostport++;
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else if (colon && strchr(hostport, ':') != colon) {
		colon = NULL; /* bare IPv6 literal */
	} else if (colon) {
		hlen = (size_t)(colon - hostport);
	}
	if (!hlen || hlen >= sizeof a->host)
		return bad(err, hostport, "bad host");
	memcpy(a->host, hostport, hlen);
	a->host[hlen] = 0;
	if (colon && !port)
		port = colon + 1;
	if (port && set_port(a, port, strlen(port)) < 0)
		return nbd_seterr(err, NBX_USAGE, 0, "%s: bad port", port);
	return 0;
}

int nbd_addr_set_name(struct nbd_addr *a, const char *name, struct nbd_err *err)
{
	size_t len = strlen(name);

	if (len > NBD_MAX_STRING)
		return nbd_seterr(err, NBX_USAGE, 0, "export name longer than %u bytes",
				  NBD_MAX_STRING);
	memcpy(a->name, name, len + 1);
	a->namelen = len;
	return 0;
}

int nbd_addr_connect(struct nbd_addr *a, struct nbd_io *io, int timeout_ms,
		     const char *resolv_conf, struct nbd_err *err)
{
	if (a->is_unix)
		return nbd_sock_unix(io, a->socket, timeout_ms, err);
	return nbd_sock_tcp(io, a->host, a->port[0] ? a->port : NBD_DEFAULT_PORT,
			    timeout_ms, resolv_conf, &a->pin, err);
}
