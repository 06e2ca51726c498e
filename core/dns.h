/* A small DNS stub resolver: nameservers from /etc/resolv.conf, A and AAAA
 * over UDP. libc's getaddrinfo costs a static musl binary 28 KiB; this is
 * what an initramfs client needs of it. The message codec is pure and
 * bounded (a malicious nameserver must not crash us); one function does
 * the I/O. */
#ifndef NBDBOX_DNS_H
#define NBDBOX_DNS_H

#include <stddef.h>
#include <stdint.h>

#define DNS_MAX_MSG 512u   /* UDP without EDNS */
#define DNS_TYPE_A 1u
#define DNS_TYPE_AAAA 28u

struct dns_addr {
	int family;          /* AF_INET or AF_INET6 */
	uint8_t ip[16];
};

/* Build a recursive query for name. Returns its length, 0 if the name is
 * not a valid DNS name (label over 63 bytes, name over 253). */
size_t nbd_dns_query(uint8_t *buf, size_t cap, uint16_t id, const char *name,
		     uint16_t qtype);
/* Parse an answer to query id: addresses of type qtype go to out (at most
 * max). Returns how many, or -1 if the message is malformed or not ours;
 * *rcode gets the response code (3: no such name). */
int nbd_dns_parse(const uint8_t *msg, size_t len, uint16_t id, uint16_t qtype,
		  struct dns_addr *out, int max, int *rcode);
/* Resolve name (A, and AAAA when want_v6) within timeout_ms. resolv_conf
 * NULL means /etc/resolv.conf. Returns how many addresses, 0 if none,
 * -1 with errno on a local failure. */
int nbd_dns_resolve(const char *name, int want_v6, struct dns_addr *out, int max,
		    int timeout_ms, const char *resolv_conf);

#endif
