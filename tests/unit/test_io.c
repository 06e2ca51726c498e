/* core/io.c: the retry pacing every retry loop uses; core/sock.c's
 * fallback to the address that worked. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "clock.h"
#include "io.h"
#include "sock.h"
#include "unit.h"

TEST(io_backoff_doubles_to_cap)
{
	struct nbd_backoff b = NBD_BACKOFF(100, 5000);
	static const long want[] = { 100, 200, 400, 800, 1600, 3200, 5000, 5000 };
	size_t i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		CHECK_EQ(nbd_backoff_next(&b), want[i]);
	/* A cap that is not a doubling of the first step is still reached. */
	b = (struct nbd_backoff)NBD_BACKOFF(100, 500);
	CHECK_EQ(nbd_backoff_next(&b), 100);
	CHECK_EQ(nbd_backoff_next(&b), 200);
	CHECK_EQ(nbd_backoff_next(&b), 400);
	CHECK_EQ(nbd_backoff_next(&b), 500);
	CHECK_EQ(nbd_backoff_next(&b), 500);
}

/* core/sock.c: once a name led somewhere, the pin goes there again with
 * no lookup (a root's resident after switch_root: no /etc/hosts, no
 * resolv.conf); without a pin the name must resolve. */
TEST(sock_pin_outlives_the_name)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof sa;
	struct nbd_pin pin = { 0 };
	struct nbd_io io;
	struct nbd_err err;
	char port[8];
	int l = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(l >= 0 && bind(l, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(l, 4) == 0);
	CHECK(getsockname(l, (struct sockaddr *)&sa, &sl) == 0);
	snprintf(port, sizeof port, "%u", ntohs(sa.sin_port));

	CHECK_EQ(nbd_sock_tcp(&io, "127.0.0.1", port, 2000, NULL, &pin, &err), 0);
	nbd_io_close(&io);
	CHECK_EQ(pin.family, AF_INET);
	CHECK_EQ(pin.port, ntohs(sa.sin_port));
	CHECK(!memcmp(pin.ip, "\x7f\0\0\x01", 4));

	CHECK(nbd_sock_tcp(&io, "nosuch.invalid", port, 1000, "/nonexistent/resolv.conf",
			   NULL, &err) < 0);
	CHECK_EQ(err.code, NBX_CONNECT);
	CHECK_EQ(nbd_sock_tcp(&io, "nosuch.invalid", port, 1000, "/nonexistent/resolv.conf",
			      &pin, &err), 0);
	CHECK(strstr(io.peer, "nosuch.invalid") != NULL);   /* still named as given */
	nbd_io_close(&io);
	close(l);
}
