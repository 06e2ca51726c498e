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

/* Where the query's tls-* values go (in tls->uri), in the order of its
 * keys, and the setting each fills unless the command line named it. */
#define URI_FIELD(f, conf) { offsetof(struct nbd_tls_conf, uri.f), \
			     sizeof ((struct nbd_tls_conf *)0)->uri.f, \
			     offsetof(struct nbd_tls_conf, conf) }
static const struct {
	uint16_t off, cap, conf;
} uri_field[] = { URI_FIELD(cert_dir, cert_dir), URI_FIELD(psk_file, psk_file),
		  URI_FIELD(hostname, hostname), URI_FIELD(user, username),
		  URI_FIELD(crl_file, crl_file) };

int nbd_parse_uri(struct nbd_addr *a, struct nbd_tls_conf *tls, const char *uri,
		  struct nbd_err *err)
{
	const char *p, *auth, *auth_end, *path, *query, *hp;
	size_t slen;
	int i;
	long n;
	int verify = -1;

	nbd_addr_init(a);
	memset(&tls->uri, 0, sizeof tls->uri);
	p = uri + strcspn(uri, ":/?#");
	if (strncmp(p, "://", 3))
		return bad(err, uri, "not an NBD URI");
	slen = (size_t)(p - uri);
	/* In pairs: even without TLS, odd with; the last two Unix. */
	i = nbd_word_find("nbd\0nbds\0nbd+tcp\0nbds+tcp\0nbd+unix\0nbds+unix\0", uri, slen);
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
	if (a->is_unix) {
		if (auth != auth_end)
			return bad(err, uri, "nbd+unix:// takes no host (use ?socket=PATH)");
	} else if (auth != auth_end) {
		const char *colon;
		if (*auth == '[') {
			const char *rb = memchr(auth, ']', (size_t)(auth_end - auth));
			if (!rb)
				return bad(err, uri, "unterminated [IPv6] address");
			if (!ENABLE_IPV6)
				return nbd_seterr(err, NBX_NOTSUP, 0, "%s: built without IPv6", uri);
			if (pct_decode(a->host, sizeof a->host, auth + 1, (size_t)(rb - auth - 1)) < 0)
				return bad(err, uri, "bad host");
			colon = rb + 1 < auth_end && rb[1] == ':' ? rb + 1 : NULL;
			if (!colon && rb + 1 != auth_end)
				return bad(err, uri, "junk after [IPv6] address");
		} else {
			colon = memchr(auth, ':', (size_t)(auth_end - auth));
			if (pct_decode(a->host, sizeof a->host, auth,
				       (size_t)((colon ? colon : auth_end) - auth)) < 0)
				return bad(err, uri, "bad host");
		}
		if (colon && set_port(a, colon + 1, (size_t)(auth_end - colon - 1)) < 0)
			return bad(err, uri, "bad port");
	}
	if (!a->is_unix && !a->host[0])
		strcpy(a->host, "localhost");

	/* Export name: the path without its leading '/'. */
	if (*path == '/')
		path++;
	n = pct_decode(a->name, sizeof a->name, path, (size_t)(query - path));
	if (n < 0)
		return bad(err, uri, "bad export name (percent encoding, NUL, or over 4096 bytes)");
	a->namelen = (size_t)n;

	/* Query: key=value&key=value */
	if (*query == '?')
		query++;
	while (*query) {
		size_t len = strcspn(query, "&");
		const char *eq = memchr(query, '=', len);
		size_t klen = eq ? (size_t)(eq - query) : len;
		const char *v = eq ? eq + 1 : query + len;
		size_t vlen = (size_t)(query + len - v);
		char *dst = NULL;
		size_t cap = 0;
		char tmp[8];

		i = nbd_word_find("socket\0tls-certificates\0tls-psk-file\0tls-hostname\0"
				  "tls-username\0tls-crl\0tls-verify-peer\0", query, klen);
		if (i == 0)
			dst = a->socket, cap = sizeof a->socket;
		else if (i == 6)
			dst = tmp, cap = sizeof tmp;
		else if (i > 0)
			dst = (char *)tls + uri_field[i - 1].off, cap = uri_field[i - 1].cap;
		/* Unknown keys are ignored, as libnbd does. */
		if (dst && pct_decode(dst, cap, v, vlen) < 0)
			return bad(err, uri, "bad query value");
		if (dst == tmp && (verify = nbd_parse_yesno(tmp)) < 0)
			return bad(err, uri, "tls-verify-peer takes true or false");
		query += len;
		if (*query == '&')
			query++;
	}
	if (a->is_unix && !a->socket[0])
		return bad(err, uri, "nbd+unix:// needs ?socket=PATH");
	if (!a->is_unix && a->socket[0])
		return bad(err, uri, "?socket= belongs to nbd+unix://");
	/* What the command line named stays. */
	for (i = 0; i < (int)(sizeof uri_field / sizeof uri_field[0]); i++) {
		const char **conf = (const char **)((char *)tls + uri_field[i].conf);
		const char *v = (char *)tls + uri_field[i].off;
		if (!*conf && *v)
			*conf = v;
	}
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
