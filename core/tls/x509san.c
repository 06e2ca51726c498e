#include <string.h>
#include "x509san.h"

/* One DER TLV at *p (below end): tag, and the value's bounds. Definite
 * lengths up to 4 bytes; single-byte tags (all X.509 needs). */
static int tlv(const uint8_t **p, const uint8_t *end, uint8_t *tag,
	       const uint8_t **val, size_t *vlen)
{
	const uint8_t *q = *p;
	size_t n;

	if (end - q < 2 || (q[0] & 0x1f) == 0x1f)
		return -1;
	*tag = *q++;
	n = *q++;
	if (n & 0x80) {
		size_t k = n & 0x7f;
		if (!k || k > 4 || (size_t)(end - q) < k)
			return -1;
		for (n = 0; k--; )
			n = n << 8 | *q++;
	}
	if (n > (size_t)(end - q))
		return -1;
	*val = q;
	*vlen = n;
	*p = q + n;
	return 0;
}

/* Enter the TLV at *p, which must carry tag: [*in, *inend). */
static int enter(const uint8_t **p, const uint8_t *end, uint8_t want,
		 const uint8_t **in, const uint8_t **inend)
{
	uint8_t tag;
	size_t n;

	if (tlv(p, end, &tag, in, &n) < 0 || tag != want)
		return -1;
	*inend = *in + n;
	return 0;
}

/* GeneralNames (SEQUENCE OF GeneralName) in an extnValue: iPAddress is
 * [7] IMPLICIT OCTET STRING. */
static int names_have_ip(const uint8_t *p, const uint8_t *end, const uint8_t *ip, size_t iplen)
{
	const uint8_t *s, *se, *v;
	uint8_t tag;
	size_t n;
	int found = 0;

	if (enter(&p, end, 0x30, &s, &se) < 0 || p != end)
		return -1;
	while (s < se) {
		if (tlv(&s, se, &tag, &v, &n) < 0)
			return -1;
		if (tag == 0x87 && n == iplen && !memcmp(v, ip, iplen))
			found = 1;
	}
	return found;
}

int nbd_x509_has_ip(const uint8_t *der, size_t len, const uint8_t *ip, size_t iplen)
{
	static const uint8_t san_oid[] = { 0x55, 0x1d, 0x11 }; /* 2.5.29.17 */
	const uint8_t *p = der, *end = der + len, *c, *ce, *t, *te, *v;
	uint8_t tag;
	size_t n;

	if (!der || (iplen != 4 && iplen != 16))
		return -1;
	/* Certificate ::= SEQUENCE { tbsCertificate SEQUENCE { ... } ... } */
	if (enter(&p, end, 0x30, &c, &ce) < 0 || enter(&c, ce, 0x30, &t, &te) < 0)
		return -1;
	/* TBSCertificate: version, serial, signature, issuer, validity,
	 * subject, spki, [1], [2], then [3] EXPLICIT Extensions. */
	while (t < te) {
		const uint8_t *x, *xe;
		if (tlv(&t, te, &tag, &v, &n) < 0)
			return -1;
		if (tag != 0xa3)
			continue;
		if (enter(&v, v + n, 0x30, &x, &xe) < 0)
			return -1;
		/* Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT
		 * FALSE, extnValue OCTET STRING } */
		while (x < xe) {
			const uint8_t *e, *ee, *oid, *val;
			size_t oidlen, vallen;
			if (enter(&x, xe, 0x30, &e, &ee) < 0 ||
			    tlv(&e, ee, &tag, &oid, &oidlen) < 0 || tag != 0x06 ||
			    tlv(&e, ee, &tag, &val, &vallen) < 0)
				return -1;
			if (tag == 0x01 && tlv(&e, ee, &tag, &val, &vallen) < 0)
				return -1;
			if (tag != 0x04)
				return -1;
			if (oidlen == sizeof san_oid && !memcmp(oid, san_oid, sizeof san_oid))
				return names_have_ip(val, val + vallen, ip, iplen);
		}
		return 0;
	}
	return 0;
}
