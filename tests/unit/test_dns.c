/* The DNS stub resolver's codec: known bytes, compression, lies. */
#include <arpa/inet.h>
#include "unit.h"
#include "dns.h"
#include "wire.h"

TEST(dns_query_bytes)
{
	static const uint8_t want[] = {
		0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0,
		3, 'n', 'b', 'd', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0,
		0, 28, 0, 1,
	};
	uint8_t b[DNS_MAX_MSG];
	static char longlabel[80], longname[300];

	CHECK_EQ(nbd_dns_query(b, sizeof b, 0x1234, "nbd.example.", DNS_TYPE_AAAA), sizeof want);
	CHECK(!memcmp(b, want, sizeof want));
	CHECK_EQ(nbd_dns_query(b, sizeof b, 1, "a..b", DNS_TYPE_A), 0);
	CHECK_EQ(nbd_dns_query(b, sizeof b, 1, "", DNS_TYPE_A), 0);
	memset(longlabel, 'x', 64);
	CHECK_EQ(nbd_dns_query(b, sizeof b, 1, longlabel, DNS_TYPE_A), 0);
	memset(longname, 'a', 255);
	for (int i = 1; i < 255; i += 2)
		longname[i] = '.';
	CHECK_EQ(nbd_dns_query(b, sizeof b, 1, longname, DNS_TYPE_A), 0);
	CHECK_EQ(nbd_dns_query(b, 20, 1, "example.com", DNS_TYPE_A), 0);
}

/* Answer: question echoed, a CNAME, then two A records with compressed
 * owner names. */
static size_t answer(uint8_t *m, uint16_t id, int rcode)
{
	size_t o = nbd_dns_query(m, DNS_MAX_MSG, id, "nbd.example", DNS_TYPE_A);
	static const uint8_t rrs[] = {
		0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 16,           /* CNAME */
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 2, 100,      /* A */
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1,       /* A */
	};

	m[2] |= 0x80;
	m[3] = (uint8_t)rcode;
	nbd_put16(m + 6, 3);
	memcpy(m + o, rrs, sizeof rrs);
	return o + sizeof rrs;
}

TEST(dns_parse_answers)
{
	uint8_t m[DNS_MAX_MSG];
	struct dns_addr a[4];
	int rc;
	size_t len = answer(m, 7, 0);

	CHECK_EQ(nbd_dns_parse(m, len, 7, DNS_TYPE_A, a, 4, &rc), 2);
	CHECK_EQ(rc, 0);
	CHECK(a[0].family == AF_INET && a[0].ip[0] == 10 && a[0].ip[3] == 100);
	CHECK(a[1].ip[0] == 192);
	CHECK_EQ(nbd_dns_parse(m, len, 7, DNS_TYPE_A, a, 1, &rc), 1); /* bounded by max */
	CHECK_EQ(nbd_dns_parse(m, len, 7, DNS_TYPE_AAAA, a, 4, &rc), 0);
	CHECK_EQ(nbd_dns_parse(m, len, 8, DNS_TYPE_A, a, 4, &rc), -1); /* not ours */
	m[2] &= 0x7f;
	CHECK_EQ(nbd_dns_parse(m, len, 7, DNS_TYPE_A, a, 4, &rc), -1); /* a query */
	len = answer(m, 7, 3);
	nbd_put16(m + 6, 0);
	CHECK_EQ(nbd_dns_parse(m, len, 7, DNS_TYPE_A, a, 4, &rc), 0);
	CHECK_EQ(rc, 3);
}

TEST(dns_parse_truncated_and_lying)
{
	uint8_t m[DNS_MAX_MSG];
	struct dns_addr a[4];
	int rc;
	size_t len = answer(m, 7, 0), cut;

	for (cut = 0; cut < len; cut++)
		CHECK(nbd_dns_parse(m, cut, 7, DNS_TYPE_A, a, 4, &rc) < 2);
	/* rdlength beyond the message */
	len = answer(m, 7, 0);
	m[len - 5] = 0xff;
	CHECK_EQ(nbd_dns_parse(m, len, 7, DNS_TYPE_A, a, 4, &rc), -1);
	/* A record of the wrong size is skipped, not copied */
	len = answer(m, 7, 0);
	m[len - 5] = 3;
	CHECK(nbd_dns_parse(m, len - 1, 7, DNS_TYPE_A, a, 4, &rc) <= 1);
	/* More answers claimed than present */
	len = answer(m, 7, 0);
	nbd_put16(m + 6, 60000);
	CHECK_EQ(nbd_dns_parse(m, len, 7, DNS_TYPE_A, a, 4, &rc), -1);
	/* A label running off the end */
	len = answer(m, 7, 0);
	m[12] = 63;
	CHECK_EQ(nbd_dns_parse(m, 40, 7, DNS_TYPE_A, a, 4, &rc), -1);
}
