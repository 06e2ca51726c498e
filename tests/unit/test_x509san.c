/* core/tls/x509san.c: iPAddress SANs from a certificate's DER. The
 * certificates are built here, field by field (the parser reads the
 * structure, not the signature); tests/shell/test_tls.sh does it with
 * certtool's certificates against a real server. */
#include <stdlib.h>
#include "unit.h"
#include "tls/x509san.h"

struct der {
	uint8_t b[1024];
	size_t n;
};

/* Append TAG with the value v[0..n) (long form length when needed). */
static void put(struct der *d, uint8_t tag, const void *v, size_t n)
{
	d->b[d->n++] = tag;
	if (n < 128) {
		d->b[d->n++] = (uint8_t)n;
	} else {
		d->b[d->n++] = 0x82;
		d->b[d->n++] = (uint8_t)(n >> 8);
		d->b[d->n++] = (uint8_t)n;
	}
	memcpy(d->b + d->n, v, n);
	d->n += n;
}

/* A certificate whose SAN extension holds names (already encoded
 * GeneralName TLVs); no SAN extension at all when names is NULL. The
 * subject CN is "127.0.0.1" in every one. */
static void cert(struct der *out, const struct der *names, int critical)
{
	static const uint8_t oid_cn[] = { 0x55, 0x04, 0x03 }, oid_san[] = { 0x55, 0x1d, 0x11 },
		oid_bc[] = { 0x55, 0x1d, 0x13 }, two = 2, one = 1, t = 0xff;
	struct der tbs = { .n = 0 }, tmp = { .n = 0 }, rdn = { .n = 0 }, name = { .n = 0 },
		exts = { .n = 0 }, ext = { .n = 0 }, v = { .n = 0 }, c = { .n = 0 };

	put(&tmp, 0x02, &two, 1);
	put(&tbs, 0xa0, tmp.b, tmp.n);                  /* [0] version v3 */
	put(&tbs, 0x02, &one, 1);                       /* serial */
	put(&tbs, 0x30, "", 0);                         /* signature */
	/* subject/issuer: CN=127.0.0.1 */
	tmp.n = 0;
	put(&tmp, 0x06, oid_cn, sizeof oid_cn);
	put(&tmp, 0x0c, "127.0.0.1", 9);
	put(&rdn, 0x30, tmp.b, tmp.n);
	tmp.n = 0;
	put(&tmp, 0x31, rdn.b, rdn.n);
	put(&name, 0x30, tmp.b, tmp.n);
	put(&tbs, 0x30, name.b, name.n);                /* issuer */
	put(&tbs, 0x30, "", 0);                         /* validity */
	put(&tbs, 0x30, name.b, name.n);                /* subject */
	put(&tbs, 0x30, "", 0);                         /* spki */
	/* basicConstraints first, then (maybe) the SAN */
	tmp.n = 0;
	put(&tmp, 0x06, oid_bc, sizeof oid_bc);
	put(&tmp, 0x04, "\x30\x00", 2);
	put(&exts, 0x30, tmp.b, tmp.n);
	if (names) {
		put(&v, 0x30, names->b, names->n);
		put(&ext, 0x06, oid_san, sizeof oid_san);
		if (critical)
			put(&ext, 0x01, &t, 1);
		put(&ext, 0x04, v.b, v.n);
		put(&exts, 0x30, ext.b, ext.n);
	}
	tmp.n = 0;
	put(&tmp, 0x30, exts.b, exts.n);
	put(&tbs, 0xa3, tmp.b, tmp.n);                  /* [3] extensions */
	put(&c, 0x30, tbs.b, tbs.n);
	put(&c, 0x30, "", 0);                           /* signatureAlgorithm */
	put(&c, 0x03, "\x00", 1);                       /* signature */
	out->n = 0;
	put(out, 0x30, c.b, c.n);
}

static const uint8_t lo4[4] = { 127, 0, 0, 1 }, other4[4] = { 127, 0, 0, 2 };
static const uint8_t lo6[16] = { [15] = 1 };

TEST(x509san_ip_address)
{
	struct der names = { .n = 0 }, c;

	put(&names, 0x82, "localhost", 9);              /* dNSName */
	put(&names, 0x87, lo6, 16);                     /* iPAddress ::1 */
	put(&names, 0x87, lo4, 4);                      /* iPAddress 127.0.0.1 */
	cert(&c, &names, 0);
	CHECK_EQ(nbd_x509_has_ip(c.b, c.n, lo4, 4), 1);
	CHECK_EQ(nbd_x509_has_ip(c.b, c.n, lo6, 16), 1);
	CHECK_EQ(nbd_x509_has_ip(c.b, c.n, other4, 4), 0);
	cert(&c, &names, 1);                            /* critical flag */
	CHECK_EQ(nbd_x509_has_ip(c.b, c.n, lo4, 4), 1);
}

/* The address spelt in the CN or a DNS name is not an IP SAN. */
TEST(x509san_text_is_not_an_address)
{
	struct der names = { .n = 0 }, c;

	put(&names, 0x82, "127.0.0.1", 9);
	put(&names, 0x87, "127.", 4);                   /* 4 bytes, not 127.0.0.1 */
	cert(&c, &names, 0);
	CHECK_EQ(nbd_x509_has_ip(c.b, c.n, lo4, 4), 0);
	cert(&c, NULL, 0);                              /* no SAN: CN only */
	CHECK_EQ(nbd_x509_has_ip(c.b, c.n, lo4, 4), 0);
	/* ::ffff:127.0.0.1 is not 127.0.0.1 either way */
	names.n = 0;
	put(&names, 0x87, lo4, 4);
	cert(&c, &names, 0);
	CHECK_EQ(nbd_x509_has_ip(c.b, c.n, lo6, 16), 0);
}

/* Every truncation, and lying lengths, are malformed or no match: never
 * a read past the end (ASan), never a match. */
TEST(x509san_malformed)
{
	struct der names = { .n = 0 }, c;
	size_t cut, i;

	put(&names, 0x87, lo4, 4);
	cert(&c, &names, 0);
	for (cut = 0; cut < c.n; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, c.b, cut);
		CHECK(nbd_x509_has_ip(copy, cut, lo4, 4) != 1);
		free(copy);
	}
	for (i = 0; i < c.n; i++) {
		uint8_t save = c.b[i];
		c.b[i] = 0xff;
		CHECK(nbd_x509_has_ip(c.b, c.n, lo4, 4) >= -1);
		c.b[i] = save;
	}
	CHECK_EQ(nbd_x509_has_ip(c.b, c.n, lo4, 3), -1);
	CHECK_EQ(nbd_x509_has_ip(NULL, 0, lo4, 4), -1);
}
