/* NBD URIs and HOST[:PORT]. */
#include "unit.h"
#include "uri.h"

static struct nbd_addr a;
static struct nbd_err e;

TEST(uri_tcp)
{
	CHECK(nbd_parse_uri(&a, "nbd://example.com:10810/root", &e) == 0);
	CHECK(!strcmp(a.host, "example.com") && !strcmp(a.port, "10810"));
	CHECK(!strcmp(a.name, "root") && a.namelen == 4 && !a.tls && !a.is_unix);
	CHECK(nbd_parse_uri(&a, "nbd://h", &e) == 0);
	CHECK(!strcmp(a.host, "h") && !a.port[0] && a.namelen == 0);
	CHECK(nbd_parse_uri(&a, "nbd:///x", &e) == 0);
	CHECK(!strcmp(a.host, "localhost") && !strcmp(a.name, "x"));
	CHECK(nbd_parse_uri(&a, "nbd+tcp://h/", &e) == 0 && a.namelen == 0);
}

TEST(uri_percent_and_slashes)
{
	CHECK(nbd_parse_uri(&a, "nbd://h/a%20b/c%2Fd", &e) == 0);
	CHECK(!strcmp(a.name, "a b/c/d"));
	CHECK(nbd_parse_uri(&a, "nbd://h//abs", &e) == 0);
	CHECK(!strcmp(a.name, "/abs"));
	CHECK(nbd_parse_uri(&a, "nbd://h/a%2", &e) < 0);
	CHECK(nbd_parse_uri(&a, "nbd://h/a%zz", &e) < 0);
	CHECK(nbd_parse_uri(&a, "nbd://h/a%00b", &e) < 0);
	CHECK_EQ(e.code, NBX_USAGE);
}

TEST(uri_ipv6)
{
	CHECK(nbd_parse_uri(&a, "nbd://[::1]:10809/e", &e) == 0);
	CHECK(!strcmp(a.host, "::1") && !strcmp(a.port, "10809"));
	CHECK(nbd_parse_uri(&a, "nbd://[fe80::1]/e", &e) == 0);
	CHECK(!strcmp(a.host, "fe80::1") && !a.port[0]);
	CHECK(nbd_parse_uri(&a, "nbd://[::1/e", &e) < 0);
	CHECK(nbd_parse_uri(&a, "nbd://[::1]x/e", &e) < 0);
}

TEST(uri_unix_and_tls)
{
	CHECK(nbd_parse_uri(&a, "nbd+unix:///disk?socket=/run/nbd.sock", &e) == 0);
	CHECK(a.is_unix && !strcmp(a.socket, "/run/nbd.sock") && !strcmp(a.name, "disk"));
	CHECK(nbd_parse_uri(&a, "nbd+unix:///disk", &e) < 0);
	CHECK_STR(e.msg, "socket=");
	CHECK(nbd_parse_uri(&a, "nbd+unix://host/disk?socket=/s", &e) < 0);
	CHECK(nbd_parse_uri(&a, "nbd://h/d?socket=/s", &e) < 0);
	CHECK(nbd_parse_uri(&a, "nbds://alice@h/d?tls-psk-file=/k&tls-hostname=srv&tls-verify-peer=false&other=1", &e) == 0);
	CHECK(a.tls && !strcmp(a.user, "alice") && !strcmp(a.tls_psk_file, "/k"));
	CHECK(!strcmp(a.tls_hostname, "srv") && a.tls_verify == 0);
	CHECK(nbd_parse_uri(&a, "nbds+unix:///d?socket=/s&tls-certificates=/etc/pki", &e) == 0);
	CHECK(a.tls && a.is_unix && !strcmp(a.tls_certs, "/etc/pki") && a.tls_verify == -1);
	CHECK(nbd_parse_uri(&a, "nbds://h/d?tls-verify-peer=maybe", &e) < 0);
}

TEST(uri_bad)
{
	CHECK(nbd_parse_uri(&a, "http://h/x", &e) < 0);
	CHECK_STR(e.msg, "unknown URI scheme");
	CHECK(nbd_parse_uri(&a, "nbd://h:/x", &e) < 0);
	CHECK(nbd_parse_uri(&a, "nbd://h:12a/x", &e) < 0);
	CHECK(nbd_parse_uri(&a, "nbd://h:99999999999999999999999999999999/x", &e) < 0);
	CHECK(nbd_parse_uri(&a, "nbd://h/x#frag", &e) < 0);
	CHECK(nbd_is_uri("nbds+unix:///") && !nbd_is_uri("host:10809"));
}

TEST(uri_long_name)
{
	static char u[NBD_MAX_STRING + 64];

	strcpy(u, "nbd://h/");
	memset(u + 8, 'x', NBD_MAX_STRING);
	CHECK(nbd_parse_uri(&a, u, &e) == 0 && a.namelen == NBD_MAX_STRING);
	strcat(u, "y");
	CHECK(nbd_parse_uri(&a, u, &e) < 0);
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
