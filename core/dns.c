/* The stub resolver of dns.h: message codec and the UDP exchange. */
//config:config DNS
//config:	bool "Resolve host names with DNS"
//config:	default y
//config:	help
//config:	  A small stub resolver of our own (core/dns.c): nameservers and
//config:	  search domain from /etc/resolv.conf, A and AAAA over UDP. Names in
//config:	  /etc/hosts and numeric addresses work either way. (libc's
//config:	  getaddrinfo would cost a static musl build 28 KiB.)
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "be.h"
#include "autoconf.h"
#include "dns.h"
#include "clock.h"
#include "io.h"

size_t nbd_dns_query(uint8_t *buf, size_t cap, uint16_t id, const char *name,
		     uint16_t qtype)
{
	size_t nlen = strlen(name), o = 12;
	const char *p = name;

	if (nlen && name[nlen - 1] == '.')
		nlen--;
	if (!nlen || nlen > 253 || cap < 12 + nlen + 2 + 4)
		return 0;
	memset(buf, 0, 12);
	nbd_put16(buf, id);
	buf[2] = 0x01;            /* RD: recursion desired */
	nbd_put16(buf + 4, 1);    /* one question */
	while (p < name + nlen) {
		size_t l = strcspn(p, ".");
		if (p + l > name + nlen)
			l = (size_t)(name + nlen - p);
		if (!l || l > 63)
			return 0;
		buf[o++] = (uint8_t)l;
		memcpy(buf + o, p, l);
		o += l;
		p += l + 1;
	}
	buf[o++] = 0;
	nbd_put16(buf + o, qtype);
	nbd_put16(buf + o + 2, 1); /* class IN */
	return o + 4;
}

/* Step over a (possibly compressed) name; 0 if it runs off the message. */
static size_t skip_name(const uint8_t *m, size_t len, size_t o)
{
	while (o < len) {
		uint8_t l = m[o];
		if (l == 0)
			return o + 1;
		if ((l & 0xc0) == 0xc0)
			return o + 2 <= len ? o + 2 : 0;
		if (l & 0xc0)
			return 0;
		o += 1u + l;
	}
	return 0;
}

int nbd_dns_parse(const uint8_t *m, size_t len, uint16_t id, uint16_t qtype,
		  struct dns_addr *out, int max, int *rcode)
{
	size_t o = 12;
	unsigned qd, an, i;
	int n = 0;

	if (len < 12 || nbd_get16(m) != id || !(m[2] & 0x80))
		return -1;
	*rcode = m[3] & 0x0f;
	qd = nbd_get16(m + 4);
	an = nbd_get16(m + 6);
	for (i = 0; i < qd; i++) {
		o = skip_name(m, len, o);
		if (!o || o + 4 > len)
			return -1;
		o += 4;
	}
	for (i = 0; i < an; i++) {
		uint16_t type, rdlen;

		o = skip_name(m, len, o);
		if (!o || o + 10 > len)
			return -1;
		type = nbd_get16(m + o);
		rdlen = nbd_get16(m + o + 8);
		o += 10;
		if (rdlen > len - o)
			return -1;
		/* CNAMEs on the way are answers too; keep only addresses. */
		if (type == qtype && n < max &&
		    ((type == DNS_TYPE_A && rdlen == 4) || (type == DNS_TYPE_AAAA && rdlen == 16))) {
			out[n].family = type == DNS_TYPE_A ? AF_INET : AF_INET6;
			memset(out[n].ip, 0, sizeof out[n].ip);
			memcpy(out[n].ip, m + o, rdlen);
			n++;
		}
		o += rdlen;
	}
	return n;
}

/* Nameserver ip (numeric) at port 53 into ss; 0 if it is not an address. */
static int ns_addr(struct sockaddr_storage *ss, const char *ip)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof *ss);
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(53);
		return 1;
	}
	if (ENABLE_IPV6 && inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(53);
		return 1;
	}
	return 0;
}

/* Nameservers (up to 3) and the first search domain from resolv.conf. */
static int read_conf(const char *path, struct sockaddr_storage *ns, char *domain,
		     size_t dcap)
{
	char buf[2048], *line, *save;
	int fd = open(path, O_RDONLY | O_CLOEXEC), n = 0;
	ssize_t len = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

	if (fd >= 0)
		close(fd);
	domain[0] = 0;
	buf[len > 0 ? len : 0] = 0;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *key = line + strspn(line, " \t"), *val;
		size_t kl = strcspn(key, " \t");

		val = key + kl + strspn(key + kl, " \t");
		val[strcspn(val, " \t#;")] = 0;
		if (kl == 10 && !memcmp(key, "nameserver", 10) && n < 3) {
			n += ns_addr(&ns[n], val);
		} else if (((kl == 6 && !memcmp(key, "search", 6)) ||
			    (kl == 6 && !memcmp(key, "domain", 6))) && !domain[0] &&
			   strlen(val) < dcap) {
			strcpy(domain, val);
		}
	}
	if (!n) /* resolv.conf(5): no nameserver line means the local one */
		n = ns_addr(&ns[0], "127.0.0.1");
	return n;
}

/* Ask one nameserver for A (and AAAA) of name; both queries leave at
 * once. Returns addresses found, 0 for none, -1 for no answer. */
static int ask(const struct sockaddr_storage *ns, const char *name, int want_v6,
	       struct dns_addr *out, int max, long deadline, int *nxdomain)
{
	uint8_t q[2][DNS_MAX_MSG], r[DNS_MAX_MSG];
	size_t ql[2];
	uint16_t id = (uint16_t)(nbd_now_ms() ^ getpid());
	int fd, nq = ENABLE_IPV6 && want_v6 ? 2 : 1, answered = 0, n = 0, i;
	socklen_t sl = ns->ss_family == AF_INET ? sizeof(struct sockaddr_in)
					      : sizeof(struct sockaddr_in6);

	ql[0] = nbd_dns_query(q[0], sizeof q[0], id, name, DNS_TYPE_A);
	ql[1] = nbd_dns_query(q[1], sizeof q[1], (uint16_t)(id + 1), name, DNS_TYPE_AAAA);
	if (!ql[0]) {
		*nxdomain = 1;
		return 0;
	}
	fd = socket(ns->ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* connect(): replies from anyone but this nameserver are dropped. */
	if (fd < 0 || connect(fd, (const struct sockaddr *)ns, sl) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	for (i = 0; i < nq; i++)
		send(fd, q[i], ql[i], 0);
	while (answered < nq) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = deadline - nbd_now_ms();
		ssize_t len;
		int rc, k;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		len = recv(fd, r, sizeof r, 0);
		if (len < 12)
			continue;
		i = nbd_get16(r) == id ? 0 : nbd_get16(r) == (uint16_t)(id + 1) && nq == 2 ? 1 : -1;
		if (i < 0)
			continue;
		k = nbd_dns_parse(r, (size_t)len, i ? (uint16_t)(id + 1) : id,
				  i ? DNS_TYPE_AAAA : DNS_TYPE_A, out + n, max - n, &rc);
		if (k < 0)
			continue;
		answered++;
		if (rc == 3)
			*nxdomain = 1;
		n += k;
	}
	close(fd);
	return answered ? n : -1;
}

int nbd_dns_resolve(const char *name, int want_v6, struct dns_addr *out, int max,
		    int timeout_ms, const char *resolv_conf)
{
	struct sockaddr_storage ns[3];
	char domain[256], full[512];
	int nns, i, n = -1, nx = 0, tries;
	long start = nbd_now_ms(), budget = timeout_ms > 0 && timeout_ms < 5000 ? timeout_ms : 5000;

	nns = read_conf(resolv_conf ? resolv_conf : "/etc/resolv.conf", ns, domain,
			sizeof domain);
	/* A name without a dot is tried in the search domain first. */
	tries = !strchr(name, '.') && domain[0] ? 2 : 1;
	for (; tries; tries--) {
		const char *q = name;
		if (tries == 2) {
			size_t l = strlen(name);
			if (l + 1 + strlen(domain) >= sizeof full)
				continue;
			memcpy(full, name, l);
			full[l] = '.';
			strcpy(full + l + 1, domain);
			q = full;
		}
		for (i = 0; i < nns; i++) {
			long deadline = start + budget * (i + 1) / nns;
			nx = 0;
			n = ask(&ns[i], q, want_v6, out, max, deadline, &nx);
			if (n > 0 || nx)
				break;
		}
		if (n > 0)
			return n;
	}
	if (n < 0)
		errno = ETIMEDOUT;
	return n < 0 ? -1 : 0;
}
