/* The handshake, driven by scripted server bytes through the memory
 * transport: every reply type and error type, truncation at every length,
 * lying length fields. */
#include <errno.h>
#include "unit.h"
#include "script.h"

static struct script s;
static struct sconn c;

static void fixed(void)
{
	s.len = 0;
	s_greet_new(&s, NBD_FLAG_FIXED_NEWSTYLE | NBD_FLAG_NO_ZEROES);
}

static void go_ok(uint32_t opt)
{
	s_info_export(&s, opt, 1 << 20, NBD_TF_HAS_FLAGS | NBD_TF_SEND_FLUSH);
	s_info_str(&s, opt, NBD_INFO_NAME, "canon");
	s_info_str(&s, opt, NBD_INFO_DESCRIPTION, "a disk");
	s_info_bs(&s, opt, 512, 4096, 1 << 25);
	s_ack(&s, opt);
}

TEST(hs_go_fixed_newstyle)
{
	fixed();
	go_ok(NBD_OPT_GO);
	s_open(&c, &s, "root");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) == 0);
	CHECK_EQ(c.hs.style, NBD_STYLE_FIXED);
	CHECK_EQ(c.hs.exp.size, 1 << 20);
	CHECK_EQ(c.hs.exp.tflags, NBD_TF_HAS_FLAGS | NBD_TF_SEND_FLUSH);
	CHECK(!strcmp(c.hs.exp.name, "canon"));
	CHECK(!strcmp(c.hs.exp.desc, "a disk"));
	CHECK(c.hs.exp.bs_min == 512 && c.hs.exp.bs_pref == 4096);
	/* Client bytes: flags, then one GO with name and three info requests. */
	CHECK_EQ(nbd_get32(c.out), NBD_FLAG_C_FIXED_NEWSTYLE | NBD_FLAG_C_NO_ZEROES);
	CHECK_EQ(nbd_get64(c.out + 4), NBD_OPTS_MAGIC);
	CHECK_EQ(nbd_get32(c.out + 12), NBD_OPT_GO);
	CHECK_EQ(nbd_get32(c.out + 16), 4 + 4 + 2 + 6);
	CHECK(!memcmp(c.out + 24, "root", 4));
	CHECK_EQ(nbd_get16(c.out + 28), 3);
	CHECK_EQ(c.m.outlen, 4 + 16 + 16);
	CHECK_EQ(c.m.inpos, s.len);
	/* Transmission: DISC is one 28-byte request. */
	CHECK(nbd_hs_disc(&c.hs) == 0);
	CHECK_EQ(nbd_get16(c.out + 36 + 6), NBD_CMD_DISC);
}

TEST(hs_go_byte_at_a_time)
{
	fixed();
	go_ok(NBD_OPT_GO);
	s_open(&c, &s, "root");
	c.m.max_chunk = 1;
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) == 0);
	CHECK_EQ(c.hs.exp.size, 1 << 20);
}

TEST(hs_go_unsup_falls_back_to_export_name)
{
	static const uint8_t zero[124];

	/* With NO_ZEROES: 10 bytes. */
	fixed();
	s_err(&s, NBD_OPT_GO, NBD_REP_ERR_UNSUP, "");
	s_u64(&s, 12345);
	s_u16(&s, NBD_TF_HAS_FLAGS | NBD_TF_READ_ONLY);
	s_open(&c, &s, "x");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) == 0);
	CHECK_EQ(c.hs.exp.size, 12345);
	CHECK(c.hs.exp.tflags & NBD_TF_READ_ONLY);
	CHECK_EQ(nbd_get32(c.out + 4 + 16 + 4 + 1 + 2 + 6 + 8), NBD_OPT_EXPORT_NAME);
	/* Without NO_ZEROES: 134 bytes. */
	s.len = 0;
	s_greet_new(&s, NBD_FLAG_FIXED_NEWSTYLE);
	s_err(&s, NBD_OPT_GO, NBD_REP_ERR_UNSUP, "");
	s_u64(&s, 777);
	s_u16(&s, 1);
	s_bytes(&s, zero, sizeof zero);
	s_open(&c, &s, "x");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) == 0);
	CHECK_EQ(c.hs.exp.size, 777);
	CHECK_EQ(c.m.inpos, s.len);
	CHECK_EQ(nbd_get32(c.out), NBD_FLAG_C_FIXED_NEWSTYLE);
}

TEST(hs_export_name_closed_is_unknown_export)
{
	fixed();
	s_err(&s, NBD_OPT_GO, NBD_REP_ERR_UNSUP, "");
	s_open(&c, &s, "nope");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_EQ(c.err.code, NBX_EXPORT);
	CHECK_STR(c.err.msg, "NBD_OPT_EXPORT_NAME 'nope'");
}

TEST(hs_error_replies_classified)
{
	static const struct { uint32_t e; int code; const char *text; } t[] = {
		{ NBD_REP_ERR_UNKNOWN, NBX_EXPORT, "unknown export" },
		{ NBD_REP_ERR_POLICY, NBX_EXPORT, "policy" },
		{ NBD_REP_ERR_TLS_REQD, NBX_TLS, "requires TLS (server: \"why not\"); ask for it with nbds:// or --tls" },
		{ NBD_REP_ERR_INVALID, NBX_PROTO, "invalid" },
		{ NBD_REP_ERR_PLATFORM, NBX_NOTSUP, "platform" },
		{ NBD_REP_ERR_SHUTDOWN, NBX_PROTO, "shutting down" },
		{ NBD_REP_ERR_BLOCK_SIZE_REQD, NBX_PROTO, "block size" },
		{ NBD_REP_ERR_TOO_BIG, NBX_PROTO, "too big" },
		{ NBD_REP_ERR_EXT_HEADER_REQD, NBX_PROTO, "extended headers" },
		{ 99, NBX_PROTO, "unknown error reply" },
	};
	unsigned i;

	for (i = 0; i < sizeof t / sizeof *t; i++) {
		fixed();
		s_err(&s, NBD_OPT_GO, t[i].e, "why not");
		s_open(&c, &s, "root");
		CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
		CHECK_EQ(c.err.code, t[i].code);
		CHECK_STR(c.err.msg, "test:10809: NBD_OPT_GO 'root': ");
		CHECK_STR(c.err.msg, t[i].text);
		CHECK_STR(c.err.msg, "(server: \"why not\")");
	}
}

TEST(hs_error_message_is_quoted)
{
	fixed();
	s_err(&s, NBD_OPT_GO, NBD_REP_ERR_UNKNOWN, "evil\n\x1b[2J");
	s_open(&c, &s, "root");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK(!strchr(c.err.msg, '\n') && !strchr(c.err.msg, 0x1b));
	CHECK_STR(c.err.msg, "evil\\x0a\\x1b[2J");
}

TEST(hs_info_then_go_on_one_connection)
{
	fixed();
	go_ok(NBD_OPT_INFO);
	go_ok(NBD_OPT_GO);
	s_open(&c, &s, "root");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_INFO) == 0);
	CHECK_EQ(c.hs.exp.size, 1 << 20);
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) == 0);
	CHECK_EQ(c.m.inpos, s.len);
}

TEST(hs_ack_without_export_info)
{
	fixed();
	s_ack(&s, NBD_OPT_GO);
	s_open(&c, &s, "root");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_EQ(c.err.code, NBX_PROTO);
	CHECK_STR(c.err.msg, "ACK without NBD_INFO_EXPORT");
}

TEST(hs_unexpected_reply_type)
{
	fixed();
	s_server(&s, "a", "");
	s_open(&c, &s, "root");
	s.b[16 + 2 + 8 + 3] = NBD_OPT_GO; /* SERVER reply to GO */
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_STR(c.err.msg, "unexpected reply type");
}

TEST(hs_reply_to_other_option)
{
	fixed();
	go_ok(NBD_OPT_INFO);
	s_open(&c, &s, "root");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_EQ(c.err.code, NBX_PROTO);
	CHECK_STR(c.err.msg, "reply to a different option");
}

static int nservers;
static char seen[256];
static int on_server(void *ctx, struct nbd_str n, struct nbd_str d)
{
	(void)ctx;
	nservers++;
	strncat(seen, n.p, n.len);
	strcat(seen, "=");
	strncat(seen, d.p, d.len);
	strcat(seen, ";");
	return 0;
}

TEST(hs_list)
{
	fixed();
	s_server(&s, "disk1", "first");
	s_server(&s, "disk2", "");
	s_server(&s, "", "default");
	s_ack(&s, NBD_OPT_LIST);
	s_ack(&s, NBD_OPT_ABORT);
	s_open(&c, &s, "");
	c.hs.on_server = on_server;
	nservers = 0;
	seen[0] = 0;
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_LIST) == 0);
	CHECK_EQ(nservers, 3);
	CHECK(!strcmp(seen, "disk1=first;disk2=;=default;"));
	nbd_hs_close(&c.hs);
	/* LIST then ABORT: two 16-byte options after the flags. */
	CHECK_EQ(c.m.outlen, 4 + 16 + 16);
	CHECK_EQ(nbd_get32(c.out + 4 + 16 + 8), NBD_OPT_ABORT);
}

TEST(hs_list_refused)
{
	fixed();
	s_err(&s, NBD_OPT_LIST, NBD_REP_ERR_POLICY, "no listing");
	s_open(&c, &s, "");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_LIST) < 0);
	CHECK_EQ(c.err.code, NBX_EXPORT);
	CHECK_STR(c.err.msg, "NBD_OPT_LIST: refused by server policy (server: \"no listing\")");
	fixed();
	s_err(&s, NBD_OPT_LIST, NBD_REP_ERR_UNSUP, "");
	s_open(&c, &s, "");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_LIST) < 0);
	CHECK_EQ(c.err.code, NBX_NOTSUP);
}

TEST(hs_list_lying_name_length)
{
	uint8_t p[8];

	fixed();
	nbd_put32(p, 100); /* name length beyond the reply */
	memcpy(p + 4, "abcd", 4);
	s_reply(&s, NBD_OPT_LIST, NBD_REP_SERVER, p, 8);
	s_open(&c, &s, "");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_LIST) < 0);
	CHECK_EQ(c.err.code, NBX_PROTO);
	CHECK_STR(c.err.msg, "name length beyond the reply");
}

TEST(hs_oversized_reply_is_refused_before_reading)
{
	fixed();
	s_u64(&s, NBD_REP_MAGIC);
	s_u32(&s, NBD_OPT_GO);
	s_u32(&s, NBD_REP_INFO);
	s_u32(&s, 0x7fffffff); /* no payload follows: we must not wait for it */
	s_open(&c, &s, "root");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_EQ(c.err.code, NBX_PROTO);
	CHECK_STR(c.err.msg, "option reply too long");
}

static int nmeta;
static int on_meta(void *ctx, uint32_t id, struct nbd_str n)
{
	(void)ctx;
	(void)id;
	nmeta += n.len > 0;
	return 0;
}

TEST(hs_meta_contexts)
{
	uint8_t p[32];

	fixed();
	s_ack(&s, NBD_OPT_STRUCTURED_REPLY);
	nbd_put32(p, 1);
	memcpy(p + 4, "base:allocation", 15);
	s_reply(&s, NBD_OPT_LIST_META_CONTEXT, NBD_REP_META_CONTEXT, p, 19);
	s_reply(&s, NBD_OPT_LIST_META_CONTEXT, NBD_REP_META_CONTEXT, p, 10);
	s_ack(&s, NBD_OPT_LIST_META_CONTEXT);
	go_ok(NBD_OPT_GO);
	s_open(&c, &s, "root");
	c.hs.on_meta = on_meta;
	nmeta = 0;
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_META) == 0);
	CHECK_EQ(nmeta, 2);
	CHECK(c.hs.sr_done);
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) == 0);
	CHECK_EQ(c.m.inpos, s.len);
}

TEST(hs_meta_unsupported_is_not_an_error)
{
	fixed();
	s_err(&s, NBD_OPT_STRUCTURED_REPLY, NBD_REP_ERR_UNSUP, "");
	go_ok(NBD_OPT_GO);
	s_open(&c, &s, "root");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_META) == 0);
	CHECK(c.hs.meta_unsup);
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) == 0);
	fixed();
	s_ack(&s, NBD_OPT_STRUCTURED_REPLY);
	s_err(&s, NBD_OPT_LIST_META_CONTEXT, NBD_REP_ERR_INVALID, "");
	go_ok(NBD_OPT_GO);
	s_open(&c, &s, "root");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_META) == 0);
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) == 0);
}

TEST(hs_oldstyle)
{
	s.len = 0;
	s_greet_old(&s, 1 << 30, NBD_TF_HAS_FLAGS | NBD_TF_READ_ONLY);
	s_open(&c, &s, "");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_START) == 0);
	CHECK_EQ(c.hs.style, NBD_STYLE_OLD);
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) == 0);
	CHECK_EQ(c.hs.exp.size, 1 << 30);
	CHECK(c.hs.exp.tflags & NBD_TF_READ_ONLY);
	CHECK_EQ(c.m.outlen, 0); /* oldstyle: the client says nothing */
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_LIST) < 0);
	CHECK_EQ(c.err.code, NBX_NOTSUP);
	CHECK_STR(c.err.msg, "oldstyle");
}

TEST(hs_plain_newstyle)
{
	s.len = 0;
	s_greet_new(&s, 0);
	s_u64(&s, 4096);
	s_u16(&s, 1);
	s_bytes(&s, (uint8_t[124]){ 0 }, 124);
	s_open(&c, &s, "x");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) == 0);
	CHECK_EQ(c.hs.style, NBD_STYLE_NEW);
	CHECK_EQ(c.hs.exp.size, 4096);
	CHECK_EQ(nbd_get32(c.out), 0);
	CHECK_EQ(nbd_get32(c.out + 4 + 8), NBD_OPT_EXPORT_NAME);
	s_open(&c, &s, "x");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_LIST) < 0);
	CHECK_EQ(c.err.code, NBX_NOTSUP);
}

TEST(hs_not_nbd)
{
	s.len = 0;
	s_bytes(&s, "HTTP/1.1 400 Bad Request\r\n", 26);
	s_open(&c, &s, "");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_START) < 0);
	CHECK_EQ(c.err.code, NBX_PROTO);
	CHECK_STR(c.err.msg, "not an NBD server");
	s.len = 0;
	s_u64(&s, NBD_MAGIC);
	s_u64(&s, 0x1122334455667788ULL);
	s_open(&c, &s, "");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_START) < 0);
	CHECK_STR(c.err.msg, "bad second magic");
}

/* A TLS hook that, like a real session, carries on with new bytes: what
 * the server says inside TLS is the second script. */
static int starttls_calls;
static struct script inside;
static int fake_starttls(struct nbd_io *io, void *ctx, struct nbd_err *err)
{
	(void)io;
	(void)ctx;
	(void)err;
	starttls_calls++;
	c.m.in = inside.b;
	c.m.inlen = inside.len;
	c.m.inpos = 0;
	return 0;
}

TEST(hs_starttls_first_and_state_redone)
{
	fixed();
	s_ack(&s, NBD_OPT_STARTTLS);
	inside.len = 0;
	s_info_export(&inside, NBD_OPT_GO, 1 << 20, 1);
	s_ack(&inside, NBD_OPT_GO);
	s_open(&c, &s, "root");
	c.hs.tls_wanted = 1;
	c.hs.starttls = fake_starttls;
	starttls_calls = 0;
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) == 0);
	CHECK_EQ(starttls_calls, 1);
	CHECK(c.hs.tls_done);
	CHECK_EQ(nbd_get32(c.out + 4 + 8), NBD_OPT_STARTTLS);
	CHECK_EQ(nbd_get32(c.out + 4 + 16 + 8), NBD_OPT_GO);
}

TEST(hs_hangup_right_after_tls_handshake)
{
	fixed();
	s_ack(&s, NBD_OPT_STARTTLS);
	inside.len = 0; /* the server hangs up inside TLS at once */
	s_open(&c, &s, "root");
	c.hs.tls_wanted = 1;
	c.hs.starttls = fake_starttls;
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_EQ(c.err.code, NBX_TLS);
	CHECK_STR(c.err.msg, "NBD_OPT_GO 'root': server closed the connection right after the TLS handshake");
	CHECK_STR(c.err.msg, "client certificate");
}

TEST(hs_starttls_refused_never_downgrades)
{
	static const uint32_t errs[] = { NBD_REP_ERR_UNSUP, NBD_REP_ERR_POLICY,
					 NBD_REP_ERR_INVALID };
	unsigned i;

	for (i = 0; i < 3; i++) {
		fixed();
		s_err(&s, NBD_OPT_STARTTLS, errs[i], "no tls here");
		go_ok(NBD_OPT_GO);
		s_open(&c, &s, "root");
		c.hs.tls_wanted = 1;
		c.hs.starttls = fake_starttls;
		CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
		CHECK_EQ(c.err.code, NBX_TLS);
		CHECK_STR(c.err.msg, "NBD_OPT_STARTTLS");
		/* Nothing after STARTTLS went out in clear text. */
		CHECK_EQ(c.m.outlen, 4 + 16);
	}
	/* A non-ACK success reply is no agreement either. */
	fixed();
	s_server(&s, "a", "");
	s.b[18 + 11] = NBD_OPT_STARTTLS;
	s_open(&c, &s, "root");
	c.hs.tls_wanted = 1;
	c.hs.starttls = fake_starttls;
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_EQ(c.m.outlen, 4 + 16);
}

TEST(hs_data_left_when_the_socket_changes_hands)
{
	/* Bytes after STARTTLS's ACK would be read as TLS by nobody. */
	fixed();
	s_ack(&s, NBD_OPT_STARTTLS);
	s_bytes(&s, "\x16\x03\x01", 3);
	s_open(&c, &s, "root");
	c.hs.tls_wanted = 1;
	c.hs.starttls = fake_starttls;
	starttls_calls = 0;
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_EQ(starttls_calls, 0);
	CHECK_STR(c.err.msg, "NBD_OPT_STARTTLS: the server sent data nobody asked for");
	/* Bytes after GO's ACK would reach the kernel as a reply to nothing. */
	fixed();
	go_ok(NBD_OPT_GO);
	s_u32(&s, NBD_SIMPLE_MAGIC);
	s_open(&c, &s, "root");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_EQ(c.err.code, NBX_PROTO);
	CHECK_STR(c.err.msg, "sent data nobody asked for");
}

TEST(hs_tls_wanted_but_impossible)
{
	s.len = 0;
	s_greet_old(&s, 512, 1);
	s_open(&c, &s, "");
	c.hs.tls_wanted = 1;
	c.hs.starttls = fake_starttls;
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_EQ(c.err.code, NBX_TLS);
	CHECK_STR(c.err.msg, "oldstyle server cannot do STARTTLS");
	s.len = 0;
	s_greet_new(&s, 0);
	s_open(&c, &s, "");
	c.hs.tls_wanted = 1;
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_EQ(c.err.code, NBX_TLS);
	CHECK_EQ(c.m.outlen, 4); /* flags only, no option in clear */
	fixed();
	s_ack(&s, NBD_OPT_STARTTLS);
	s_open(&c, &s, "");
	c.hs.tls_wanted = 1; /* built without TLS: no hook */
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_EQ(c.err.code, NBX_TLS);
	CHECK_STR(c.err.msg, "built without TLS");
}

TEST(hs_abort_tolerates_hangup)
{
	fixed();
	s_open(&c, &s, "");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_START) == 0);
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_ABORT) == 0);
	CHECK_EQ(nbd_get32(c.out + 4 + 8), NBD_OPT_ABORT);
}

TEST(hs_long_export_name)
{
	static char name[NBD_MAX_STRING + 2];

	memset(name, 'n', NBD_MAX_STRING + 1);
	fixed();
	go_ok(NBD_OPT_GO);
	s_open(&c, &s, "");
	nbd_hs_set_name(&c.hs, name, NBD_MAX_STRING);
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) == 0);
	s_open(&c, &s, "");
	nbd_hs_set_name(&c.hs, name, NBD_MAX_STRING + 1);
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_EQ(c.err.code, NBX_USAGE);
}

/* Cut a good conversation at every length: always a clean error. */
TEST(hs_truncated_at_every_length)
{
	static struct script full;
	size_t cut;
	uint8_t p[32];

	fixed();
	s_ack(&s, NBD_OPT_STRUCTURED_REPLY);
	nbd_put32(p, 1);
	memcpy(p + 4, "base:allocation", 15);
	s_reply(&s, NBD_OPT_LIST_META_CONTEXT, NBD_REP_META_CONTEXT, p, 19);
	s_ack(&s, NBD_OPT_LIST_META_CONTEXT);
	go_ok(NBD_OPT_GO);
	full = s;
	for (cut = 0; cut < full.len; cut++) {
		s = full;
		s.len = cut;
		s_open(&c, &s, "root");
		if (nbd_hs_run(&c.hs, NBD_GOAL_META) == 0 && nbd_hs_run(&c.hs, NBD_GOAL_GO) == 0) {
			CHECK(!"truncated conversation succeeded");
			break;
		}
		CHECK(c.err.code == NBX_PROTO);
		CHECK_STR(c.err.msg, "closed the connection");
	}
}

/* A size above 2^63-1 fits no block device or file offset: refused where
 * it is decoded, in every handshake style (libnbd: EOVERFLOW). */
TEST(hs_size_above_int64_max_refused)
{
	fixed();
	s_info_export(&s, NBD_OPT_GO, 1ULL << 63, NBD_TF_HAS_FLAGS);
	s_ack(&s, NBD_OPT_GO);
	s_open(&c, &s, "big");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_EQ(c.err.code, NBX_NOTSUP);
	CHECK_EQ(c.err.errnum, EOVERFLOW);
	CHECK_STR(c.err.msg, "NBD_OPT_GO 'big': export size 9223372036854775808 is above 2^63-1");
	CHECK_EQ(c.hs.exp.have_info, 0);

	fixed();
	s_info_export(&s, NBD_OPT_GO, (1ULL << 63) - 1, NBD_TF_HAS_FLAGS);
	s_ack(&s, NBD_OPT_GO);
	s_open(&c, &s, "edge");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) == 0);
	CHECK_EQ(c.hs.exp.size, (1ULL << 63) - 1);

	s.len = 0;
	s_greet_old(&s, ~0ULL, NBD_TF_HAS_FLAGS);
	s_open(&c, &s, "");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_START) < 0);
	CHECK_EQ(c.err.errnum, EOVERFLOW);

	s.len = 0;
	s_greet_new(&s, 0);
	s_u64(&s, ~0ULL);
	s_u16(&s, 1);
	s_bytes(&s, (uint8_t[124]){ 0 }, 124);
	s_open(&c, &s, "x");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_EQ(c.err.errnum, EOVERFLOW);
	CHECK_STR(c.err.msg, "NBD_OPT_EXPORT_NAME 'x': export size 18446744073709551615");
}

/* What the server says goes into messages escaped: C1, invalid UTF-8. */
TEST(hs_error_message_escapes_c1_and_invalid_utf8)
{
	fixed();
	s_err(&s, NBD_OPT_GO, NBD_REP_ERR_POLICY, "x\xc2\x9b" "2J\xff\t!");
	s_open(&c, &s, "root");
	CHECK(nbd_hs_run(&c.hs, NBD_GOAL_GO) < 0);
	CHECK_STR(c.err.msg, "(server: \"x\\xc2\\x9b2J\\xff\\x09!\")");
}

/* A reconnect (or the next of -C N) to something else is refused. */
TEST(hs_export_changed)
{
	struct nbd_export was = { .size = 1 << 20,
		.tflags = NBD_TF_HAS_FLAGS | NBD_TF_SEND_FLUSH | NBD_TF_SEND_TRIM | NBD_TF_CAN_MULTI_CONN };
	struct nbd_export now = was;
	char b[96];

	CHECK(nbd_export_changed(&was, &now, 1, 1, b, sizeof b) == NULL);
	now.size = 2 << 20;
	CHECK_STR(nbd_export_changed(&was, &now, 1, 1, b, sizeof b), "export size 2097152, was 1048576");
	now = was;
	now.tflags |= NBD_TF_READ_ONLY;
	CHECK_STR(nbd_export_changed(&was, &now, 1, 1, b, sizeof b), "read-only now");
	CHECK(nbd_export_changed(&was, &now, 0, 1, b, sizeof b) == NULL); /* attached -r */
	now = was;
	now.tflags &= (uint16_t)~NBD_TF_SEND_TRIM;
	CHECK_STR(nbd_export_changed(&was, &now, 1, 1, b, sizeof b), "no longer offers trim");
	now = was;
	now.tflags &= (uint16_t)~NBD_TF_CAN_MULTI_CONN;
	CHECK_STR(nbd_export_changed(&was, &now, 1, 1, b, sizeof b), "no longer offers multi-conn");
	CHECK(nbd_export_changed(&was, &now, 1, 0, b, sizeof b) == NULL);
	/* More is fine: the kernel does not use what it was not told. */
	now = was;
	now.tflags |= NBD_TF_SEND_FUA | NBD_TF_ROTATIONAL;
	CHECK(nbd_export_changed(&was, &now, 1, 1, b, sizeof b) == NULL);
}
