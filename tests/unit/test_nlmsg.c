/* The netlink builder/parser (platform/linux/nlmsg.c) against known bytes.
 * Netlink is host-endian; the expected bytes are little-endian. */
#include <errno.h>
#include "unit.h"
#include "../../platform/linux/nlmsg.h"

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__

/* CTRL_CMD_GETFAMILY "nbd" as iproute2's genl_resolve_family sends it. */
TEST(nlmsg_getfamily_bytes)
{
	static const uint8_t want[] = {
		28, 0, 0, 0,  0x10, 0,  5, 0,  1, 0, 0, 0,  0, 0, 0, 0, /* nlmsghdr */
		3, 1, 0, 0,                                             /* genlmsghdr */
		8, 0, 2, 0, 'n', 'b', 'd', 0,                           /* FAMILY_NAME */
	};
	uint8_t buf[64];
	struct nlbuf b;

	nl_init(&b, buf, sizeof buf);
	nl_genl_start(&b, 0x10, 1 | 4, 1, 3, 1);
	nl_put_str(&b, 2, "nbd");
	CHECK_EQ(nl_end(&b), sizeof want);
	CHECK(!memcmp(buf, want, sizeof want));
}

/* NBD_CMD_CONNECT with two sockets: nested SOCKETS/SOCK_ITEM/SOCK_FD,
 * u64 sizes, a string padded to 4. */
TEST(nlmsg_connect_bytes)
{
	static const uint8_t want[] = {
		92, 0, 0, 0,  0x21, 0,  5, 0,  7, 0, 0, 0,  0, 0, 0, 0,
		1, 1, 0, 0,                                        /* CONNECT v1 */
		8, 0, 1, 0, 3, 0, 0, 0,                            /* INDEX 3 */
		12, 0, 2, 0, 0, 0, 0, 4, 0, 0, 0, 0,               /* SIZE 64 MiB */
		12, 0, 3, 0, 0, 2, 0, 0, 0, 0, 0, 0,               /* BLOCK 512 */
		9, 0, 10, 0, 'i', 'd', '1', 'x', 0, 0, 0, 0,       /* BACKEND "id1x" */
		28, 0, 7, 0,                                       /* SOCKETS */
		12, 0, 1, 0, 8, 0, 1, 0, 5, 0, 0, 0,               /*  ITEM FD 5 */
		12, 0, 1, 0, 8, 0, 1, 0, 6, 0, 0, 0,               /*  ITEM FD 6 */
	};
	uint8_t buf[256];
	struct nlbuf b;
	size_t socks, item;
	int fd;

	nl_init(&b, buf, sizeof buf);
	nl_genl_start(&b, 0x21, 5, 7, 1, 1);
	nl_put_u32(&b, 1, 3);
	nl_put_u64(&b, 2, 64u << 20);
	nl_put_u64(&b, 3, 512);
	nl_put_str(&b, 10, "id1x");
	socks = nl_nest_start(&b, 7);
	for (fd = 5; fd <= 6; fd++) {
		item = nl_nest_start(&b, 1);
		nl_put_u32(&b, 1, (uint32_t)fd);
		nl_nest_end(&b, item);
	}
	nl_nest_end(&b, socks);
	CHECK_EQ(nl_end(&b), sizeof want);
	CHECK(!memcmp(buf, want, sizeof want));
}
#endif

TEST(nlmsg_overflow)
{
	uint8_t buf[28];
	struct nlbuf b;

	nl_init(&b, buf, sizeof buf);
	nl_genl_start(&b, 0x10, 5, 1, 3, 1);
	nl_put_str(&b, 2, "nbd");         /* exactly fills 28 */
	CHECK(!b.overflow);
	nl_put_u8(&b, 3, 1);              /* does not fit */
	CHECK(b.overflow);
	CHECK_EQ(b.len, 28);
	CHECK_EQ(nl_end(&b), 0);
	/* An attribute longer than nla_len can say. */
	nl_init(&b, buf, sizeof buf);
	nl_put(&b, 1, buf, 0x10000);
	CHECK(b.overflow);
}

/* Parse a reply as the kernel sends it: a genl message then an ACK. */
TEST(nlmsg_parse_reply_and_ack)
{
	uint8_t buf[128], nest[64];
	struct nlbuf b;
	struct nlmsg m;
	struct nlattr_v a, item, f;
	size_t off = 0, len, inner, ioff = 0;
	uint8_t cmd;
	const uint8_t *attrs;
	size_t alen;
	uint32_t v32;
	uint8_t v8;
	uint16_t v16;
	int32_t e = 0;

	/* STATUS reply: DEVICE_LIST { ITEM { INDEX 2, CONNECTED 1 } } */
	nl_init(&b, buf, sizeof buf);
	nl_genl_start(&b, 0x21, 0, 9, 5, 1);
	inner = nl_nest_start(&b, 9);
	ioff = nl_nest_start(&b, 1);
	nl_put_u32(&b, 1, 2);
	nl_put_u8(&b, 2, 1);
	nl_nest_end(&b, ioff);
	nl_nest_end(&b, inner);
	len = nl_end(&b);
	/* ACK: NLMSG_ERROR with error 0 and the request header. */
	CHECK(len + 36 <= sizeof buf);
	memset(buf + len, 0, 36);
	v32 = 36;
	memcpy(buf + len, &v32, 4);
	v16 = 2; /* NLMSG_ERROR: a host-endian u16, as every netlink field */
	memcpy(buf + len + 4, &v16, 2);
	memcpy(buf + len + 16, &e, 4);
	len += 36;

	CHECK_EQ(nl_next(buf, len, &off, &m), 1);
	CHECK_EQ(m.type, 0x21);
	CHECK_EQ(m.seq, 9);
	CHECK_EQ(nl_genl(&m, &cmd, &attrs, &alen), 0);
	CHECK_EQ(cmd, 5);
	CHECK_EQ(nl_attr_find(attrs, alen, 9, &a), 1);
	ioff = 0;
	CHECK_EQ(nl_attr_next(a.p, a.len, &ioff, &item), 1);
	CHECK_EQ(item.type, 1);
	CHECK_EQ(nl_attr_find(item.p, item.len, 1, &f), 1);
	CHECK_EQ(nl_attr_u32(&f, &v32), 0);
	CHECK_EQ(v32, 2);
	CHECK_EQ(nl_attr_find(item.p, item.len, 2, &f), 1);
	CHECK_EQ(nl_attr_u8(&f, &v8), 0);
	CHECK_EQ(v8, 1);
	CHECK_EQ(nl_attr_u32(&f, &v32), -1);   /* a u8 is not a u32 */
	CHECK_EQ(nl_attr_find(item.p, item.len, 3, &f), 0);
	CHECK_EQ(nl_attr_next(a.p, a.len, &ioff, &item), 0);

	CHECK_EQ(nl_next(buf, len, &off, &m), 1);
	CHECK_EQ(m.type, 2);
	CHECK_EQ(nl_error(&m), 0);
	CHECK_EQ(nl_next(buf, len, &off, &m), 0);

	/* An error reply: -EBUSY. */
	e = -EBUSY;
	memcpy(buf + len - 20, &e, 4);
	off = len - 36;
	CHECK_EQ(nl_next(buf, len, &off, &m), 1);
	CHECK_EQ(nl_error(&m), EBUSY);
	(void)nest;
}

/* Lying lengths: every truncation of a valid message and headers that
 * claim more (or less) than there is. */
TEST(nlmsg_parse_bounds)
{
	uint8_t buf[64];
	struct nlbuf b;
	struct nlmsg m;
	struct nlattr_v a;
	size_t len, cut, off;
	uint16_t n16;
	uint32_t n32;
	char s[8];

	nl_init(&b, buf, sizeof buf);
	nl_genl_start(&b, 0x21, 0, 1, 1, 1);
	nl_put_u32(&b, 1, 42);
	len = nl_end(&b);
	for (cut = 1; cut < len; cut++) {
		off = 0;
		CHECK_EQ(nl_next(buf, cut, &off, &m), -1);
	}
	/* nlmsg_len below the header size. */
	n32 = 8;   /* nlmsg_len is a host-endian u32 */
	memcpy(buf, &n32, 4);
	off = 0;
	CHECK_EQ(nl_next(buf, len, &off, &m), -1);
	n32 = (uint32_t)len;
	memcpy(buf, &n32, 4);

	/* Attribute area: truncated and lying nla_len. */
	off = 0;
	CHECK_EQ(nl_next(buf, len, &off, &m), 1);
	for (cut = 1; cut < 8; cut++)
		CHECK_EQ(nl_attr_find(m.data + 4, cut, 1, &a), -1);
	n16 = 200;
	memcpy(buf + 20, &n16, 2);
	CHECK_EQ(nl_attr_find(m.data + 4, m.len - 4, 1, &a), -1);
	n16 = 2;
	memcpy(buf + 20, &n16, 2);
	CHECK_EQ(nl_attr_find(m.data + 4, m.len - 4, 1, &a), -1);
	n16 = 8;
	memcpy(buf + 20, &n16, 2);
	CHECK_EQ(nl_attr_find(m.data + 4, m.len - 4, 1, &a), 1);

	/* Strings must carry their NUL. */
	a.p = (const uint8_t *)"abcd";
	a.len = 4;
	CHECK_EQ(nl_attr_str(&a, s, sizeof s), -1);
	a.len = 5;
	CHECK_EQ(nl_attr_str(&a, s, sizeof s), 0);
	CHECK(!strcmp(s, "abcd"));
	CHECK_EQ(nl_attr_str(&a, s, 3), 0);   /* truncated to fit */
	CHECK(!strcmp(s, "ab"));

	/* NLMSG_ERROR shorter than its error field. */
	m.len = 3;
	CHECK_EQ(nl_error(&m), -1);
}
