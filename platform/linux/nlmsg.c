/* Pure netlink builder/parser; see nlmsg.h. No socket, no kernel. */
#include <string.h>
#include "nlmsg.h"

/* netlink.h: flag bits above the 14-bit attribute type. */
#define NLA_TYPE_MASK 0x3fffu

void nl_init(struct nlbuf *b, void *buf, size_t cap)
{
	b->buf = buf;
	b->cap = cap;
	b->len = 0;
	b->overflow = 0;
}

/* Reserve n bytes (zero-filled, padded to 4): the bound every append
 * goes through. NULL once the buffer is full. */
static uint8_t *room(struct nlbuf *b, size_t n)
{
	size_t padded = NL_ALIGN(n);
	uint8_t *p;

	if (b->overflow || padded < n || padded > b->cap - b->len) {
		b->overflow = 1;
		return NULL;
	}
	p = b->buf + b->len;
	memset(p, 0, padded);
	b->len += padded;
	return p;
}

static void st16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void st32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

void nl_genl_start(struct nlbuf *b, uint16_t family, uint16_t flags, uint32_t seq,
		   uint8_t cmd, uint8_t version)
{
	uint8_t *p = room(b, NLB_MSG_HDRLEN + NLB_GENL_HDRLEN);

	if (!p)
		return;
	/* nlmsghdr: len, type, flags, seq, pid (0: the kernel fills it) */
	st16(p + 4, family);
	st16(p + 6, flags);
	st32(p + 8, seq);
	p[16] = cmd;
	p[17] = version;
}

void nl_put(struct nlbuf *b, uint16_t type, const void *data, size_t len)
{
	uint8_t *p;

	if (len > 0xffffu - NLB_ATTR_HDRLEN) {
		b->overflow = 1;
		return;
	}
	if (!(p = room(b, NLB_ATTR_HDRLEN + len)))
		return;
	st16(p, (uint16_t)(NLB_ATTR_HDRLEN + len));
	st16(p + 2, type);
	if (len)
		memcpy(p + NLB_ATTR_HDRLEN, data, len);
}

void nl_put_u8(struct nlbuf *b, uint16_t type, uint8_t v) { nl_put(b, type, &v, 1); }
void nl_put_u16(struct nlbuf *b, uint16_t type, uint16_t v) { nl_put(b, type, &v, 2); }
void nl_put_u32(struct nlbuf *b, uint16_t type, uint32_t v) { nl_put(b, type, &v, 4); }
void nl_put_u64(struct nlbuf *b, uint16_t type, uint64_t v) { nl_put(b, type, &v, 8); }
void nl_put_str(struct nlbuf *b, uint16_t type, const char *s) { nl_put(b, type, s, strlen(s) + 1); }

size_t nl_nest_start(struct nlbuf *b, uint16_t type)
{
	size_t off = b->len;

	/* NLA_F_NESTED is left off, as iproute2 and the reference nbd-client
	 * do: 6.1's nbd policy validates nested sets either way. */
	nl_put(b, type, NULL, 0);
	return off;
}

void nl_nest_end(struct nlbuf *b, size_t off)
{
	size_t n = b->len - off;

	if (b->overflow || n > 0xffffu)
		return (void)(b->overflow = 1);
	st16(b->buf + off, (uint16_t)n);
}

size_t nl_end(struct nlbuf *b)
{
	if (b->overflow || b->len < NLB_MSG_HDRLEN)
		return 0;
	st32(b->buf, (uint32_t)b->len);
	return b->len;
}

/* ---- parsing */
static uint16_t ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static uint32_t ld32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

/* The next item of buf[*off..len), a message or an attribute: a header
 * of hdrlen bytes that starts with the item's length (u32 in a message's,
 * u16 in an attribute's). 1 with *p at it and *n its length (hdrlen or
 * more, within buf), 0 at the end, -1 if the length lies; *off moves past
 * the item and its padding, which the last one may omit. */
static int next_item(const uint8_t *buf, size_t len, size_t *off, size_t hdrlen,
		     const uint8_t **p, size_t *n)
{
	size_t o = *off;

	if (o >= len)
		return 0;
	if (len - o < hdrlen)
		return -1;
	*p = buf + o;
	*n = hdrlen == NLB_MSG_HDRLEN ? ld32(*p) : ld16(*p);
	if (*n < hdrlen || *n > len - o)
		return -1;
	*off = NL_ALIGN(*n) > len - o ? len : o + NL_ALIGN(*n);
	return 1;
}

int nl_next(const uint8_t *buf, size_t len, size_t *off, struct nlmsg *m)
{
	const uint8_t *p;
	size_t n;
	int r = next_item(buf, len, off, NLB_MSG_HDRLEN, &p, &n);

	if (r == 1) {
		m->type = ld16(p + 4);
		m->flags = ld16(p + 6);
		m->seq = ld32(p + 8);
		m->pid = ld32(p + 12);
		m->data = p + NLB_MSG_HDRLEN;
		m->len = n - NLB_MSG_HDRLEN;
	}
	return r;
}

int nl_error(const struct nlmsg *m)
{
	int32_t e;

	/* struct nlmsgerr: int error, then the request's header. */
	if (m->len < 4)
		return -1;
	memcpy(&e, m->data, 4);
	if (e > 0 || e < -4095)
		return -1;
	return -e;
}

int nl_genl(const struct nlmsg *m, uint8_t *cmd, const uint8_t **attrs, size_t *alen)
{
	if (m->len < NLB_GENL_HDRLEN)
		return -1;
	*cmd = m->data[0];
	*attrs = m->data + NLB_GENL_HDRLEN;
	*alen = m->len - NLB_GENL_HDRLEN;
	return 0;
}

int nl_attr_next(const uint8_t *attrs, size_t alen, size_t *off, struct nlattr_v *a)
{
	const uint8_t *p;
	size_t n;
	int r = next_item(attrs, alen, off, NLB_ATTR_HDRLEN, &p, &n);

	if (r == 1) {
		a->type = ld16(p + 2) & NLA_TYPE_MASK;
		a->p = p + NLB_ATTR_HDRLEN;
		a->len = n - NLB_ATTR_HDRLEN;
	}
	return r;
}

int nl_attr_find(const uint8_t *attrs, size_t alen, uint16_t type, struct nlattr_v *a)
{
	size_t off = 0;
	int r;

	while ((r = nl_attr_next(attrs, alen, &off, a)) == 1)
		if (a->type == type)
			return 1;
	return r;
}

/* A host-endian value of n bytes, if the payload has that many. */
static int attr_fixed(const struct nlattr_v *a, void *v, size_t n)
{
	if (a->len < n)
		return -1;
	memcpy(v, a->p, n);
	return 0;
}

int nl_attr_u8(const struct nlattr_v *a, uint8_t *v) { return attr_fixed(a, v, 1); }
int nl_attr_u16(const struct nlattr_v *a, uint16_t *v) { return attr_fixed(a, v, 2); }
int nl_attr_u32(const struct nlattr_v *a, uint32_t *v) { return attr_fixed(a, v, 4); }
int nl_attr_u64(const struct nlattr_v *a, uint64_t *v) { return attr_fixed(a, v, 8); }

int nl_attr_str(const struct nlattr_v *a, char *dst, size_t dstlen)
{
	const uint8_t *nul = memchr(a->p, 0, a->len);
	size_t n;

	if (!nul || !dstlen)
		return -1;
	n = (size_t)(nul - a->p);
	if (n >= dstlen)
		n = dstlen - 1;
	memcpy(dst, a->p, n);
	dst[n] = 0;
	return 0;
}
