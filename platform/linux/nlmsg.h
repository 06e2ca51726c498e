/* Netlink messages without a socket: a pure builder and parser, after
 * iproute2's libnetlink/libgenl (addattr_l, parse_rtattr, nest start/end),
 * but every append is bounded and nothing prints. Netlink is host-endian;
 * values are stored with memcpy, never through casts of the buffer, so
 * the unit tests can check messages against known bytes. */
#ifndef NBDBOX_NLMSG_H
#define NBDBOX_NLMSG_H

#include <stddef.h>
#include <stdint.h>

#define NLB_MSG_HDRLEN   16u   /* struct nlmsghdr */
#define NLB_GENL_HDRLEN 4u    /* struct genlmsghdr */
#define NLB_ATTR_HDRLEN  4u    /* struct nlattr */
#define NL_ALIGN(n) (((n) + 3u) & ~(size_t)3u)

/* A message under construction. Once an append does not fit, overflow is
 * set, further appends are ignored and nl_end() fails: callers check once. */
struct nlbuf {
	uint8_t *buf;
	size_t cap, len;
	int overflow;
};

void nl_init(struct nlbuf *b, void *buf, size_t cap);
/* nlmsghdr (length filled by nl_end) + genlmsghdr. */
void nl_genl_start(struct nlbuf *b, uint16_t family, uint16_t flags, uint32_t seq,
		   uint8_t cmd, uint8_t version);
void nl_put(struct nlbuf *b, uint16_t type, const void *data, size_t len);
void nl_put_u8(struct nlbuf *b, uint16_t type, uint8_t v);
void nl_put_u16(struct nlbuf *b, uint16_t type, uint16_t v);
void nl_put_u32(struct nlbuf *b, uint16_t type, uint32_t v);
void nl_put_u64(struct nlbuf *b, uint16_t type, uint64_t v);
void nl_put_str(struct nlbuf *b, uint16_t type, const char *s); /* with NUL */
/* Nested attribute: start returns its offset for nl_nest_end. */
size_t nl_nest_start(struct nlbuf *b, uint16_t type);
void nl_nest_end(struct nlbuf *b, size_t off);
/* Fix the message length. Returns the length, or 0 on overflow. */
size_t nl_end(struct nlbuf *b);

/* ---- parsing */
/* A received message, bounded by its own header and the buffer. */
struct nlmsg {
	uint16_t type, flags;
	uint32_t seq, pid;
	const uint8_t *data;  /* after the nlmsghdr */
	size_t len;           /* payload length */
};
/* Next message from buf[*off..len): 1 with m filled, 0 at the end,
 * -1 if a header lies about its length. */
int nl_next(const uint8_t *buf, size_t len, size_t *off, struct nlmsg *m);
/* NLMSG_ERROR payload: 0 for an ACK, else a positive errno; -1 if
 * truncated. */
int nl_error(const struct nlmsg *m);
/* Generic netlink: command and the attribute area after genlmsghdr.
 * -1 if the payload is shorter than genlmsghdr. */
int nl_genl(const struct nlmsg *m, uint8_t *cmd, const uint8_t **attrs, size_t *alen);

/* An attribute found in an area. */
struct nlattr_v {
	uint16_t type;         /* without NLA_F_NESTED / NLA_F_NET_BYTEORDER */
	const uint8_t *p;
	size_t len;
};
/* Next attribute in attrs[*off..alen): 1, 0 at the end, -1 malformed. */
int nl_attr_next(const uint8_t *attrs, size_t alen, size_t *off, struct nlattr_v *a);
/* First attribute of this type: 1 found, 0 absent, -1 malformed area. */
int nl_attr_find(const uint8_t *attrs, size_t alen, uint16_t type, struct nlattr_v *a);
/* Fixed-size payloads: -1 unless the payload is at least that long. */
int nl_attr_u8(const struct nlattr_v *a, uint8_t *v);
int nl_attr_u16(const struct nlattr_v *a, uint16_t *v);
int nl_attr_u32(const struct nlattr_v *a, uint32_t *v);
int nl_attr_u64(const struct nlattr_v *a, uint64_t *v);
/* A string attribute copied NUL-terminated into dst (truncated to fit);
 * -1 if it has no NUL within its payload. */
int nl_attr_str(const struct nlattr_v *a, char *dst, size_t dstlen);

#endif
