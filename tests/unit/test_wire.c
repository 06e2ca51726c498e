/* The codec: round trips, known bytes, bounds. */
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "unit.h"
#include "err.h"
#include "esc.h"
#include "wire.h"

TEST(wire_endianness)
{
	uint8_t b[8];

	nbd_put64(b, 0x0102030405060708ULL);
	CHECK(b[0] == 1 && b[7] == 8);
	CHECK_EQ(nbd_get64(b), 0x0102030405060708ULL);
	nbd_put32(b, 0xdeadbeef);
	CHECK_EQ(nbd_get32(b), 0xdeadbeef);
	CHECK(b[0] == 0xde);
	nbd_put16(b, 0xabcd);
	CHECK_EQ(nbd_get16(b), 0xabcd);
}

TEST(wire_enc_opt_info_bytes)
{
	static const uint16_t reqs[] = { NBD_INFO_NAME, NBD_INFO_BLOCK_SIZE };
	static const uint8_t want[] = {
		'I', 'H', 'A', 'V', 'E', 'O', 'P', 'T', 0, 0, 0, 7, 0, 0, 0, 14,
		0, 0, 0, 4, 'r', 'o', 'o', 't', 0, 2, 0, 1, 0, 3,
	};
	uint8_t out[NBD_MAX_OPT_LEN];
	size_t n = nbd_enc_opt_info(out, NBD_OPT_GO, "root", 4, reqs, 2);

	CHECK_EQ(n, sizeof want);
	CHECK(!memcmp(out, want, sizeof want));
}

TEST(wire_enc_bounds)
{
	static char name[NBD_MAX_STRING + 1];
	static uint8_t out[NBD_MAX_OPT_LEN];
	uint16_t reqs[NBD_MAX_INFO_REQS + 1] = { 0 };

	memset(name, 'a', sizeof name);
	CHECK(nbd_enc_opt_info(out, NBD_OPT_GO, name, NBD_MAX_STRING, reqs, 3) > 0);
	CHECK_EQ(nbd_enc_opt_info(out, NBD_OPT_GO, name, NBD_MAX_STRING + 1, reqs, 3), 0);
	CHECK_EQ(nbd_enc_opt_info(out, NBD_OPT_GO, "a", 1, reqs, NBD_MAX_INFO_REQS + 1), 0);
	CHECK(nbd_enc_opt(out, NBD_OPT_EXPORT_NAME, name, NBD_MAX_STRING) > 0);
	CHECK_EQ(nbd_enc_opt(out, NBD_OPT_EXPORT_NAME, name, NBD_MAX_OPT_LEN), 0);
	CHECK_EQ(nbd_enc_opt_meta(out, NBD_OPT_LIST_META_CONTEXT, name, NBD_MAX_STRING + 1, NULL, 0), 0);
}

TEST(wire_enc_meta_and_request)
{
	uint8_t out[NBD_MAX_OPT_LEN];
	size_t n = nbd_enc_opt_meta(out, NBD_OPT_LIST_META_CONTEXT, "x", 1, "base:", 5);

	CHECK_EQ(n, 16 + 4 + 1 + 4 + 4 + 5);
	CHECK_EQ(nbd_get32(out + 12), n - 16);
	CHECK_EQ(nbd_get32(out + 21), 1);
	CHECK_EQ(nbd_get32(out + 25), 5);
	n = nbd_enc_request(out, 1, NBD_CMD_DISC, 7, 0x100, 0x200);
	CHECK_EQ(n, 28);
	CHECK_EQ(nbd_get32(out), NBD_REQUEST_MAGIC);
	CHECK_EQ(nbd_get16(out + 6), NBD_CMD_DISC);
	CHECK_EQ(nbd_get64(out + 8), 7);
	CHECK_EQ(nbd_get64(out + 16), 0x100);
	CHECK_EQ(nbd_get32(out + 24), 0x200);
}

TEST(wire_rep_hdr)
{
	uint8_t b[20];
	struct nbd_rep_hdr h;
	const char *why = NULL;

	nbd_put64(b, NBD_REP_MAGIC);
	nbd_put32(b + 8, NBD_OPT_LIST);
	nbd_put32(b + 12, NBD_REP_SERVER);
	nbd_put32(b + 16, NBD_MAX_REPLY);
	CHECK(nbd_dec_rep_hdr(b, &h, &why) == 0);
	CHECK_EQ(h.len, NBD_MAX_REPLY);
	nbd_put32(b + 16, NBD_MAX_REPLY + 1);
	CHECK(nbd_dec_rep_hdr(b, &h, &why) < 0);
	CHECK_STR(why, "too long");
	nbd_put32(b + 16, 0xffffffff);
	CHECK(nbd_dec_rep_hdr(b, &h, &why) < 0);
	nbd_put32(b + 16, 0);
	b[0] ^= 1;
	CHECK(nbd_dec_rep_hdr(b, &h, &why) < 0);
	CHECK_STR(why, "magic");
}

TEST(wire_rep_server_lengths)
{
	uint8_t b[16];
	struct nbd_str n, d;
	const char *why;

	nbd_put32(b, 3);
	memcpy(b + 4, "abcdesc", 7);
	CHECK(nbd_dec_rep_server(b, 11, &n, &d, &why) == 0);
	CHECK(n.len == 3 && !memcmp(n.p, "abc", 3));
	CHECK(d.len == 4 && !memcmp(d.p, "desc", 4));
	CHECK(nbd_dec_rep_server(b, 7, &n, &d, &why) == 0 && d.len == 0);
	CHECK(nbd_dec_rep_server(b, 6, &n, &d, &why) < 0);   /* name beyond reply */
	CHECK(nbd_dec_rep_server(b, 3, &n, &d, &why) < 0);   /* no length */
	nbd_put32(b, 0xfffffffe);                            /* overflow bait */
	CHECK(nbd_dec_rep_server(b, 11, &n, &d, &why) < 0);
}

TEST(wire_rep_info_types)
{
	uint8_t b[32];
	struct nbd_info in;
	const char *why;

	nbd_put16(b, NBD_INFO_EXPORT);
	nbd_put64(b + 2, 1ULL << 40);
	nbd_put16(b + 10, 0x1234);
	CHECK(nbd_dec_rep_info(b, 12, &in, &why) == 0);
	CHECK_EQ(in.size, 1ULL << 40);
	CHECK_EQ(in.tflags, 0x1234);
	CHECK(nbd_dec_rep_info(b, 11, &in, &why) < 0);
	CHECK(nbd_dec_rep_info(b, 13, &in, &why) < 0);
	CHECK(nbd_dec_rep_info(b, 1, &in, &why) < 0);
	nbd_put16(b, NBD_INFO_BLOCK_SIZE);
	nbd_put32(b + 2, 1);
	nbd_put32(b + 6, 4096);
	nbd_put32(b + 10, 1 << 25);
	CHECK(nbd_dec_rep_info(b, 14, &in, &why) == 0);
	CHECK(in.bs_min == 1 && in.bs_pref == 4096 && in.bs_max == 1 << 25);
	CHECK(nbd_dec_rep_info(b, 13, &in, &why) < 0);
	nbd_put16(b, NBD_INFO_DESCRIPTION);
	memcpy(b + 2, "hi", 2);
	CHECK(nbd_dec_rep_info(b, 4, &in, &why) == 0 && in.str.len == 2);
	CHECK(nbd_dec_rep_info(b, 2 + NBD_MAX_STRING + 1, &in, &why) < 0);
	nbd_put16(b, 999); /* unknown types are ignored, not errors */
	CHECK(nbd_dec_rep_info(b, 5, &in, &why) == 0 && in.type == 999);
}

TEST(wire_rep_meta)
{
	uint8_t b[32];
	uint32_t id;
	struct nbd_str s;
	const char *why;

	nbd_put32(b, 42);
	memcpy(b + 4, "base:allocation", 15);
	CHECK(nbd_dec_rep_meta(b, 19, &id, &s, &why) == 0);
	CHECK(id == 42 && s.len == 15);
	CHECK(nbd_dec_rep_meta(b, 3, &id, &s, &why) < 0);
	CHECK(nbd_dec_rep_meta(b, 4 + NBD_MAX_STRING + 1, &id, &s, &why) < 0);
}

TEST(wire_simple_reply)
{
	uint8_t b[16];
	uint32_t e;
	uint64_t c;

	nbd_put32(b, NBD_SIMPLE_MAGIC);
	nbd_put32(b + 4, 5);
	nbd_put64(b + 8, 99);
	CHECK(nbd_dec_simple_reply(b, &e, &c, NULL) == 0 && e == 5 && c == 99);
	b[0] = 0;
	CHECK(nbd_dec_simple_reply(b, &e, &c, NULL) < 0);
}

TEST(wire_names)
{
	CHECK_STR(nbd_opt_name(NBD_OPT_GO), "NBD_OPT_GO");
	CHECK_STR(nbd_opt_name(12345), "?");
	CHECK_STR(nbd_rep_err_name(NBD_REP_ERR_BIT | NBD_REP_ERR_UNKNOWN), "unknown export");
	CHECK_STR(nbd_rep_err_name(NBD_REP_ERR_BIT | 77), "unknown error");
}

TEST(err_quote)
{
	char b[16];

	CHECK_STR(nbd_quote(b, sizeof b, "a\nb\\", 4), "a\\x0ab\\\\");
	nbd_quote(b, sizeof b, "0123456789abcdefghij", 20);
	CHECK(strlen(b) < sizeof b);
	CHECK_STR(b, "...");
	nbd_quote(b, 1, "abc", 3);
	CHECK(b[0] == 0);
}

TEST(err_seterr)
{
	struct nbd_err e;

	CHECK(nbd_seterr_peer(&e, "h:1", NBX_EXPORT, 2, "x %d", 5) == -1);
	CHECK(e.code == NBX_EXPORT && e.errnum == 2);
	CHECK(!strcmp(e.msg, "h:1: x 5"));
	CHECK(nbd_seterr(NULL, 1, 0, "ignored") == -1);
}

#include "fmt.h"

TEST(fmt_conversions)
{
	char b[64];

	CHECK_EQ(nbd_fmt(b, sizeof b, "%s=%d,%u,%llu", "x", -12, 7u, 1ULL << 40), 21);
	CHECK(!strcmp(b, "x=-12,7,1099511627776"));
	nbd_fmt(b, sizeof b, "[%.*s|%c|%04x|%5s|%zu|%ld|%%]", 3, "abcdef", 'q', 0xab, "ab",
		(size_t)9, -5L);
	CHECK(!strcmp(b, "[abc|q|00ab|   ab|9|-5|%]"));
	nbd_fmt(b, sizeof b, "%d %lld", -2147483647 - 1, -9223372036854775807LL - 1);
	CHECK(!strcmp(b, "-2147483648 -9223372036854775808"));
	CHECK_EQ(nbd_fmt(b, 5, "%s", "truncated"), 4);
	CHECK(!strcmp(b, "trun"));
	CHECK_EQ(nbd_fmt(b, 1, "x"), 0);
}

/* %zu/%zx/%zd take a size_t (ssize_t), 4 bytes on 32-bit CPUs: reading a
 * long long there prints garbage and shifts the arguments after it (armhf
 * printed the wrong numbers, then %s took a number for a pointer). */
TEST(fmt_size_t_32_and_64_bit)
{
	char b[96], want[96];

	nbd_fmt(b, sizeof b, "%zu|%zx|%zd|%d|%s", (size_t)SIZE_MAX, (size_t)0xbeef,
		(ssize_t)-3, 42, "end");
	snprintf(want, sizeof want, "%zu|%zx|%zd|%d|%s", (size_t)SIZE_MAX, (size_t)0xbeef,
		 (ssize_t)-3, 42, "end");
	CHECK(!strcmp(b, want));
	nbd_fmt(b, sizeof b, "%zu %u %zu", (size_t)1, 2u, (size_t)3);
	CHECK(!strcmp(b, "1 2 3"));
}
