/* The IP addresses a server certificate is issued for: its
 * subjectAltName iPAddress entries (RFC 5280 4.2.1.6), read from the DER.
 * The only way an IP address matches: never the CN, never a DNS name that
 * happens to spell the address (RFC 6125 6.2.1, and what OpenSSL's
 * X509_VERIFY_PARAM_set1_ip does). Pure: no TLS library in here, so the
 * check is the same whatever wolfSSL was built with. */
#ifndef NBDBOX_X509SAN_H
#define NBDBOX_X509SAN_H

#include <stddef.h>
#include <stdint.h>

/* 1: the certificate (DER) has an iPAddress SAN equal to ip (4 or 16
 * bytes, network order); 0: it has none; -1: the DER is malformed. */
int nbd_x509_has_ip(const uint8_t *der, size_t len, const uint8_t *ip, size_t iplen);

#endif
