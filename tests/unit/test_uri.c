/* NBD URIs and HOST[:PORT]. */
#include "unit.h"
#include "uri.h"

static struct nbd_addr a;
static struct nbd_tls_conf t;
static struct nbd_err e;

/* Each URI on fresh TLS settings, as from a command line without any. */
static int parse(const char *uri)
{
	nbd_tls_conf_init(&t);
	return nbd_parse_uri(&a, &t, uri, &e);
}

TEST(uri_tcp)
{
	CHECK(parse("nbd://example.com:10810/root") == 0);
	CHECK(!strcmp(a.host, "example.com") && !strcmp(a.port, "10810"));
	CHECK(!strcmp(a.name, "root") && a.namelen == 4 && !t.wanted && !a.is_unix);
	CHECK(parse("nbd://h") == 0);
	CHECK(!strcmp(a.host, "h") && !a.port[0] && a.namelen == 0);
	CHECK(parse("nbd:///x") == 0);
	CHECK(!strcmp(a.host, "localhost") && !strcmp(a.name, "x"));
	CHECK(parse("nbd+tcp://h/") == 0 && a.namelen == 0);
}

TEST(uri_percent_and_slashes)
{
	CHECK(parse("nbd://h/a%20b/c%2Fd") == 0);
	CHECK(!strcmp(a.name, "a b/c/d"));
	CHECK(parse("nbd://h//abs") == 0);
	CHECK(!strcmp(a.name, "/abs"));
	CHECK(parse("nbd://h/a%2") < 0);
	CHECK(parse("nbd://h/a%zz") < 0);
	CHECK(parse("nbd://h/a%00b") < 0);
	CHECK_EQ(e.code, NBX_USAGE);
}

TEST(uri_ipv6)
{
	CHECK(parse("nbd://[::1]:10809/e") == 0);
	CHECK(!strcmp(a.host, "::1") && !strcmp(a.port, "10809"));
	CHECK(parse("nbd://[fe80::1]/e") == 0);
	CHECK(!strcmp(a.host, "fe80::1") && !a.port[0]);
	CHECK(parse("nbd://[::1/e") < 0);
	CHECK(parse("nbd://[::1]x/e") < 0);
}

TEST(uri_unix_and_tls)
{
	CHECK(parse("nbd+unix:///disk?socket=/run/nbd.sock") == 0);
	CHECK(a.is_unix && !strcmp(a.socket, "/run/nbd.sock") && !strcmp(a.name, "disk"));
	CHECK(parse("nbd+unix:///disk") < 0);
	CHECK_STR(e.msg, "socket=");
	CHECK(parse("nbd+unix://host/disk?socket=/s") < 0);
	CHECK(parse("nbd://h/d?socket=/s") < 0);
	CHECK(parse("nbds://alice@h/d?tls-psk-file=/k&tls-hostname=srv&tls-verify-peer=false&other=1") == 0);
	CHECK(t.wanted && !strcmp(t.username, "alice") && !strcmp(t.psk_file, "/k"));
	CHECK(!strcmp(t.hostname, "srv") && t.verify == 0 && !t.cert_dir);
	CHECK(parse("nbds+unix:///d?socket=/s&tls-certificates=/etc/pki") == 0);
	CHECK(t.wanted && a.is_unix && !strcmp(t.cert_dir, "/etc/pki") && t.verify == -1);
	/* tls-username= wins over user@; the command line over both. */
	CHECK(parse("nbds://alice@h/d?tls-username=bob") == 0 && !strcmp(t.username, "bob"));
	nbd_tls_conf_init(&t);
	t.hostname = "cli", t.verify = 1;
	CHECK(nbd_parse_uri(&a, &t, "nbds://h/d?tls-hostname=srv&tls-verify-peer=no", &e) == 0);
	CHECK(!strcmp(t.hostname, "cli") && t.verify == 1);
	CHECK(parse("nbds://h/d?tls-verify-peer=maybe") < 0);
	/* tls-crl= (nbdbox's own key: the CA's CRL) beside tls-certificates=. */
	CHECK(parse("nbds://h/d?tls-certificates=/etc/pki&tls-crl=/etc/pki/r%2e.pem") == 0);
	CHECK(!strcmp(t.crl_file, "/etc/pki/r..pem") && !strcmp(t.cert_dir, "/etc/pki"));
	CHECK(t.verify == -1);
}

TEST(uri_bad)
{
	CHECK(parse("http://h/x") < 0);
	CHECK_STR(e.msg, "unknown URI scheme");
	CHECK(parse("nbd://h:/x") < 0);
	CHECK(parse("nbd://h:12a/x") < 0);
	CHECK(parse("nbd://h:99999999999999999999999999999999/x") < 0);
	CHECK(parse("nbd://h/x#frag") < 0);
	CHECK(nbd_is_uri("nbds+unix:///") && !nbd_is_uri("host:10809"));
}

TEST(uri_long_name)
{
	static char u[NBD_MAX_STRING + 64];

	strcpy(u, "nbd://h/");
	memset(u + 8, 'x', NBD_MAX_STRING);
	CHECK(parse(u) == 0 && a.namelen == NBD_MAX_STRING);
	strcat(u, "y");
	CHECK(parse(u) < 0);
	CHECK(nbd_addr_set_name(&a, u, &e) < 0);
}

TEST(hostport)
{
	CHECK(nbd_parse_hostport(&a, "srv", NULL, &e) == 0 && !strcmp(a.host, "srv") && !a.port[0]);
	CHECK(nbd_parse_hostport(&a, "srv:123", NULL, &e) == 0 && !strcmp(a.port, "123"));
	CHECK(nbd_parse_hostport(&a, "srv:123", "456", &e) == 0 && !strcmp(a.port, "456"));
	CHECK(nbd_parse_hostport(&a, "[::1]:5", NULL, &e) == 0 && !strcmp(a.host, "::1") && !strcmp(a.port, "5"));
	CHECK(nbd_parse_hostport(&a, "::1", NULL, &e) == 0 && !strcmp(a.host, "::1") && !a.port[0]);
	CHECK(nbd_parse_hostport(&a, "srv:x", NULL, &e) < 0);
	CHECK(nbd_parse_hostport(&a, "", NULL, &e) < 0);
	CHECK(nbd_parse_hostport(&a, "[::1", NULL, &e) < 0);
}
