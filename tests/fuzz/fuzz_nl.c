/* Fuzz target: what the kernel answers on a generic netlink socket, walked
 * the way platform/linux/genl.c and nbdnl.c walk it: messages, errors,
 * the genetlink header, attributes, nested attributes (the controller's
 * multicast groups, NBD_CMD_STATUS's device list), every payload reader. */
#include <stdint.h>
#include <string.h>
#include "../../platform/linux/nlmsg.h"

static void walk(const uint8_t *attrs, size_t alen, int depth)
{
	struct nlattr_v a;
	size_t off = 0;
	uint64_t u64;
	uint32_t u32;
	uint16_t u16;
	uint8_t u8;
	char s[64];

	while (nl_attr_next(attrs, alen, &off, &a) == 1) {
		if (a.len > alen || a.p < attrs || a.p + a.len > attrs + alen)
			__builtin_trap();
		nl_attr_u8(&a, &u8);
		nl_attr_u16(&a, &u16);
		nl_attr_u32(&a, &u32);
		nl_attr_u64(&a, &u64);
		if (nl_attr_str(&a, s, sizeof s) == 0 && !memchr(s, 0, sizeof s))
			__builtin_trap();
		if (depth < 3)
			walk(a.p, a.len, depth + 1);
	}
	for (u16 = 0; u16 < 8; u16++)
		nl_attr_find(attrs, alen, u16, &a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nlmsg m;
	size_t off = 0;

	while (nl_next(data, size, &off, &m) == 1) {
		const uint8_t *attrs;
		size_t alen;
		uint8_t cmd;

		if (m.data < data || m.data + m.len > data + size)
			__builtin_trap();
		nl_error(&m);
		if (nl_genl(&m, &cmd, &attrs, &alen) == 0)
			walk(attrs, alen, 0);
	}
	return 0;
}
