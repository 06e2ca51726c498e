/* The transmission loop: scripted replies (simple and structured) through
 * the memory transport; lying lengths, foreign cookies, truncation. */
#include "unit.h"
#include "script.h"
#include "xmit.h"

static struct script s;
static struct sconn c;
static struct nbd_xconn x;

/* A connection in transmission phase to a 1 MiB export. */
static void xopen(int structured, int meta)
{
	s_open(&c, &s, "");
	c.hs.exp.size = 1 << 20;
	c.hs.exp.tflags = NBD_TF_HAS_FLAGS | NBD_TF_SEND_FLUSH | NBD_TF_SEND_WRITE_ZEROES;
	c.hs.sr_done = structured;
	nbd_x_init(&x, &c.io, &c.hs, meta ? 7 : -1, &c.err);
}

static void s_simple(uint32_t error, uint64_t cookie)
{
	s_u32(&s, NBD_SIMPLE_MAGIC);
	s_u32(&s, error);
	s_u64(&s, cookie);
}

static void s_chunk(uint16_t flags, uint16_t type, uint64_t cookie, uint32_t len)
{
	s_u32(&s, NBD_STRUCTURED_MAGIC);
	s_u16(&s, flags);
	s_u16(&s, type);
	s_u64(&s, cookie);
	s_u32(&s, len);
}

static uint8_t data[8192];

static void fill_data(void)
{
	unsigned i;

	for (i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + 1);
}

/* The first cookie a fresh connection hands out. */
#define C1 0x100u
#define C2 0x201u

TEST(xmit_simple_read)
{
	static uint8_t buf[4096];
	struct nbd_xop op;

	fill_data();
	s.len = 0;
	s_simple(0, C1);
	s_bytes(&s, data, 4096);
	xopen(0, 0);
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_READ, 0, 8192, 4096, buf) == 0);
	CHECK_EQ(c.m.outlen, NBD_REQUEST_LEN);
	CHECK_EQ(nbd_get32(c.out), NBD_REQUEST_MAGIC);
	CHECK_EQ(nbd_get64(c.out + 8), C1);
	CHECK_EQ(nbd_get64(c.out + 16), 8192);
	CHECK(nbd_x_wait(&x, &op) == 0);
	CHECK(op.done && !op.error);
	CHECK(!memcmp(buf, data, 4096));
	CHECK_EQ(x.inflight, 0);
}

TEST(xmit_structured_read_data_hole_none)
{
	static uint8_t buf[8192];
	struct nbd_xop op;
	unsigned i;

	fill_data();
	s.len = 0;
	s_chunk(0, NBD_REPLY_TYPE_OFFSET_DATA, C1, 8 + 1000);
	s_u64(&s, 4096);
	s_bytes(&s, data, 1000);
	s_chunk(0, NBD_REPLY_TYPE_OFFSET_HOLE, C1, 12);
	s_u64(&s, 4096 + 1000);
	s_u32(&s, 7192);
	s_chunk(NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_NONE, C1, 0);
	xopen(1, 0);
	memset(buf, 0xaa, sizeof buf);
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_READ, 0, 4096, 8192, buf) == 0);
	CHECK(nbd_x_wait(&x, &op) == 0);
	CHECK(!op.error);
	CHECK(!memcmp(buf, data, 1000));
	for (i = 1000; i < 8192 && !buf[i]; i++)
		;
	CHECK_EQ(i, 8192);
}

TEST(xmit_chunks_in_any_order)
{
	static uint8_t buf[4096];
	struct nbd_xop op;
	static const uint32_t at[] = { 3000, 1000, 0, 2000, 500 }, len[] = { 1096, 1000, 500, 1000, 500 };
	unsigned i;

	fill_data();
	s.len = 0;
	for (i = 0; i < 5; i++) {
		s_chunk(0, NBD_REPLY_TYPE_OFFSET_DATA, C1, 8 + len[i]);
		s_u64(&s, 4096 + at[i]);
		s_bytes(&s, data + at[i], len[i]);
	}
	s_chunk(NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_NONE, C1, 0);
	xopen(1, 0);
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_READ, 0, 4096, 4096, buf) == 0);
	CHECK(nbd_x_wait(&x, &op) == 0);
	CHECK(!op.error);
	CHECK_EQ(op.nrange, 1);
	CHECK(!memcmp(buf, data, 4096));
	/* Nine pieces with gaps between them: more than we keep track of. */
	s.len = 0;
	for (i = 0; i < 9; i++) {
		s_chunk(0, NBD_REPLY_TYPE_OFFSET_HOLE, C1, 12);
		s_u64(&s, 4096 + (8 - i) * 400);
		s_u32(&s, 100);
	}
	xopen(1, 0);
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_READ, 0, 4096, 4096, buf) == 0);
	CHECK(nbd_x_wait(&x, &op) < 0);
	CHECK_STR(c.err.msg, "too many scattered chunks");
}

TEST(xmit_two_in_flight_answered_out_of_order)
{
	static uint8_t a[512], b[512];
	struct nbd_xop oa, ob;

	fill_data();
	s.len = 0;
	s_simple(0, C2);
	s_bytes(&s, data + 512, 512);
	s_simple(0, C1);
	s_bytes(&s, data, 512);
	xopen(0, 0);
	CHECK(nbd_x_submit(&x, &oa, NBD_CMD_READ, 0, 0, 512, a) == 0);
	CHECK(nbd_x_submit(&x, &ob, NBD_CMD_READ, 0, 512, 512, b) == 0);
	CHECK(nbd_x_wait(&x, &oa) == 0);
	CHECK(ob.done);
	CHECK(!memcmp(a, data, 512) && !memcmp(b, data + 512, 512));
}

/* Bad reply number i; returns the message it must give, NULL past the end. */
static const char *bad_reply(int i)
{
	switch (i) {
	case 0: s_simple(0, 0x999); return "unknown cookie";
	case 1: s_u32(&s, 0x12345678); s_u32(&s, 0); s_u64(&s, C1); return "bad reply magic";
	case 2:
		s_chunk(0, NBD_REPLY_TYPE_OFFSET_DATA, C1, 8 + 16);
		s_u64(&s, 0);
		s_bytes(&s, data, 16);
		return "outside the requested range";
	case 3:
		s_chunk(0, NBD_REPLY_TYPE_OFFSET_DATA, C1, 8 + 4097);
		s_u64(&s, 4096);
		return "outside the requested range";
	case 4:
		s_chunk(0, NBD_REPLY_TYPE_OFFSET_HOLE, C1, 12);
		s_u64(&s, 4096 + 100);
		s_u32(&s, 10);
		s_chunk(0, NBD_REPLY_TYPE_OFFSET_HOLE, C1, 12);
		s_u64(&s, 4096 + 50);
		s_u32(&s, 51);
		return "overlapping";
	case 5:
		s_chunk(0, NBD_REPLY_TYPE_OFFSET_HOLE, C1, 12);
		s_u64(&s, 4096);
		s_u32(&s, 100);
		s_chunk(NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_NONE, C1, 0);
		return "reply ends before all the data";
	case 6: s_chunk(NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_NONE, C1, 4); return "NONE with a payload";
	case 7: s_chunk(NBD_REPLY_FLAG_DONE, 77, C1, 0); return "unknown structured reply type";
	case 8:
		s_chunk(NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_ERROR, C1, 6 + 3);
		s_u32(&s, 5);
		s_u16(&s, 4);
		s_bytes(&s, "abc", 3);
		return "message length beyond";
	case 9:
		s_chunk(NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_ERROR, C1, 6);
		s_u32(&s, 0);
		s_u16(&s, 0);
		return "error 0";
	case 10:
		s_chunk(NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_ERROR, C1, 1u << 30);
		return "error chunk of a bad length";
	case 11:
		s_chunk(NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_BLOCK_STATUS, C1, 12);
		return "block status chunk in the reply to another";
	case 12: s_simple(0, C1); s_bytes(&s, data, 100); return "closed the connection";
	}
	return NULL;
}

TEST(xmit_bad_replies)
{
	static uint8_t buf[4096];
	struct nbd_xop op;
	const char *want;
	int i;

	fill_data();
	for (i = 0; s.len = 0, (want = bad_reply(i)); i++) {
		xopen(1, 1);
		CHECK(nbd_x_submit(&x, &op, NBD_CMD_READ, 0, 4096, 4096, buf) == 0);
		CHECK(nbd_x_wait(&x, &op) < 0);
		CHECK_STR(c.err.msg, want);
		CHECK(c.err.code == NBX_PROTO);
	}
	CHECK_EQ(i, 13);
}

TEST(xmit_server_error_names_offset)
{
	static uint8_t buf[4096];
	struct nbd_xop op;
	struct nbd_err e;

	s.len = 0;
	s_chunk(0, NBD_REPLY_TYPE_ERROR_OFFSET, C1, 6 + 11 + 8);
	s_u32(&s, 5);
	s_u16(&s, 11);
	s_bytes(&s, "bad\nsector", 11);
	s_u64(&s, 5000);
	s_chunk(NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_NONE, C1, 0);
	xopen(1, 0);
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_READ, 0, 4096, 4096, buf) == 0);
	CHECK(nbd_x_wait(&x, &op) == 0);
	CHECK_EQ(op.error, 5);
	CHECK(nbd_x_check(&x, &op, &e) < 0);
	CHECK_EQ(e.code, NBX_FAIL);
	CHECK_STR(e.msg, "test:10809: NBD_CMD_READ at offset 4096 (4096 bytes), first bad byte at 5000: ");
	CHECK_STR(e.msg, "(server: \"bad\\x0asector");
	/* A simple error reply to a write. */
	s.len = 0;
	s_simple(28, C1);
	xopen(0, 0);
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_WRITE, 0, 0, 512, buf + NBD_REQUEST_LEN) == 0);
	CHECK_EQ(c.m.outlen, NBD_REQUEST_LEN + 512);
	CHECK(nbd_x_wait(&x, &op) == 0);
	CHECK(nbd_x_check(&x, &op, &e) < 0);
	CHECK_STR(e.msg, "NBD_CMD_WRITE at offset 0 (512 bytes): ");
}

TEST(xmit_block_status)
{
	struct nbd_extent ext[4];
	struct nbd_xop op;
	unsigned i;

	s.len = 0;
	s_chunk(NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_BLOCK_STATUS, C1, 4 + 6 * 8);
	s_u32(&s, 7);
	for (i = 0; i < 6; i++) {
		s_u32(&s, 65536);
		s_u32(&s, i & 1 ? NBD_STATE_HOLE | NBD_STATE_ZERO : 0);
	}
	xopen(1, 1);
	op.ext = ext;
	op.cap = 4;
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_BLOCK_STATUS, 0, 4096, 100000, NULL) == 0);
	CHECK(nbd_x_wait(&x, &op) == 0);
	CHECK(!op.error);
	/* Clipped to the request: 65536 then the remaining 34464. */
	CHECK_EQ(op.next, 2);
	CHECK_EQ(ext[0].off, 4096);
	CHECK_EQ(ext[0].len, 65536);
	CHECK_EQ(ext[0].flags, 0);
	CHECK_EQ(ext[1].len, 100000 - 65536);
	CHECK_EQ(ext[1].flags, NBD_STATE_HOLE | NBD_STATE_ZERO);
	CHECK_EQ(c.m.inpos, s.len);
	/* Our context only; a length-0 extent is a lie. */
	s.len = 0;
	s_chunk(NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_BLOCK_STATUS, C1, 12);
	s_u32(&s, 8);
	s_u32(&s, 512);
	s_u32(&s, 0);
	xopen(1, 1);
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_BLOCK_STATUS, 0, 0, 4096, NULL) == 0);
	CHECK(nbd_x_wait(&x, &op) < 0);
	CHECK_STR(c.err.msg, "context we did not ask for");
	s.len = 0;
	s_chunk(NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_BLOCK_STATUS, C1, 12);
	s_u32(&s, 7);
	s_u32(&s, 0);
	s_u32(&s, 0);
	xopen(1, 1);
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_BLOCK_STATUS, 0, 0, 4096, NULL) == 0);
	CHECK(nbd_x_wait(&x, &op) < 0);
	CHECK_STR(c.err.msg, "extent of length 0");
}

TEST(xmit_submit_checks)
{
	static uint8_t buf[4096];
	struct nbd_xop op;

	s.len = 0;
	xopen(0, 0);
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_READ, 0, (1 << 20) - 100, 4096, buf) < 0);
	CHECK_STR(c.err.msg, "beyond the export's 1048576 bytes");
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_TRIM, 0, 0, 4096, NULL) < 0);
	CHECK_EQ(c.err.code, NBX_NOTSUP);
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_BLOCK_STATUS, 0, 0, 4096, NULL) < 0);
	CHECK_STR(c.err.msg, "no base:allocation");
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_READ, 0, 0, NBD_X_MAX_LEN + 1, buf) < 0);
	CHECK_EQ(c.m.outlen, 0);
	/* A structured chunk when none were negotiated. */
	s_chunk(NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_NONE, C1, 0);
	xopen(0, 0);
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_FLUSH, 0, 0, 0, NULL) == 0);
	CHECK(nbd_x_wait(&x, &op) < 0);
	CHECK_STR(c.err.msg, "none were negotiated");
}

TEST(xmit_truncated_at_every_length)
{
	static uint8_t buf[8192];
	struct nbd_xop op;
	struct script full;
	size_t n;

	fill_data();
	s.len = 0;
	s_chunk(0, NBD_REPLY_TYPE_OFFSET_DATA, C1, 8 + 100);
	s_u64(&s, 0);
	s_bytes(&s, data, 100);
	s_chunk(0, NBD_REPLY_TYPE_ERROR, C1, 6 + 3);
	s_u32(&s, 5);
	s_u16(&s, 3);
	s_bytes(&s, "eio", 3);
	s_chunk(NBD_REPLY_FLAG_DONE, NBD_REPLY_TYPE_NONE, C1, 0);
	full = s;
	for (n = 0; n < full.len; n++) {
		s.len = n;
		xopen(1, 0);
		CHECK(nbd_x_submit(&x, &op, NBD_CMD_READ, 0, 0, 8192, buf) == 0);
		CHECK(nbd_x_wait(&x, &op) < 0);
		CHECK_STR(c.err.msg, "closed the connection");
	}
	s = full;
	xopen(1, 0);
	CHECK(nbd_x_submit(&x, &op, NBD_CMD_READ, 0, 0, 8192, buf) == 0);
	CHECK(nbd_x_wait(&x, &op) == 0);
	CHECK_EQ(op.error, 5);
}

TEST(hs_set_meta_context_query)
{
	uint8_t p[32];
	static struct script h;
	static struct sconn hc;

	h.len = 0;
	s_greet_new(&h, NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
	s_reply(&h, NBD_OPT_STRUCTURED_REPLY, NBD_REP_ACK, NULL, 0);
	nbd_put32(p, 9);
	memcpy(p + 4, "base:allocation", 15);
	s_reply(&h, NBD_OPT_SET_META_CONTEXT, NBD_REP_META_CONTEXT, p, 19);
	s_reply(&h, NBD_OPT_SET_META_CONTEXT, NBD_REP_ACK, NULL, 0);
	s_open(&hc, &h, "disk");
	hc.hs.meta_query = "base:allocation";
	CHECK(nbd_hs_run(&hc.hs, NBD_GOAL_META) == 0);
	CHECK(hc.hs.sr_done);
	CHECK_EQ(hc.m.inpos, h.len);
	/* client flags, STRUCTURED_REPLY, then SET_META_CONTEXT 'disk' with one query */
	CHECK_EQ(nbd_get32(hc.out + 4 + 16 + 8), NBD_OPT_SET_META_CONTEXT);
	CHECK(!memcmp(hc.out + 4 + 16 + 16 + 4 + 4 + 4 + 4, "base:allocation", 15));
}
