/* Handshake state machine. See hs.h for the shape; proto.md sections are
 * cited where a rule comes from the spec. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "clock.h"
#include "esc.h"
#include "fmt.h"
#include "hs.h"

enum state {
	S_GREETING,      /* read NBDMAGIC + second magic */
	S_OLD_REST,      /* oldstyle: size, flags, zeroes */
	S_NEW_FLAGS,     /* newstyle: handshake flags; we answer client flags */
	S_OPTS,          /* option phase, idle: decide() picks the next */
	S_STARTTLS,
	S_TLS,           /* STARTTLS acked: the driver runs the TLS hook */
	S_SR,
	S_LIST,
	S_META,
	S_INFO,          /* INFO and GO share reply handling */
	S_GO,
	S_EXPORT_NAME,
	S_ABORT,
	S_XMIT,          /* transmission phase */
	S_CLOSED,
};

enum expect { EXP_NONE, EXP_FIXED, EXP_REPLY };

/* Info we ask for with INFO/GO. NBD_INFO_EXPORT is always sent. Asking for
 * BLOCK_SIZE tells the server we honour block sizes (proto.md,
 * "Block size constraints"). */
static const uint16_t info_reqs[] = {
	NBD_INFO_NAME, NBD_INFO_DESCRIPTION, NBD_INFO_BLOCK_SIZE,
};

void nbd_hs_init(struct nbd_hs *hs, struct nbd_io *io, struct nbd_err *err)
{
	memset(hs, 0, offsetof(struct nbd_hs, out));
	hs->io = io;
	hs->err = err;
	hs->name = "";
	hs->state = S_GREETING;
}

void nbd_hs_set_name(struct nbd_hs *hs, const char *name, size_t len)
{
	hs->name = name;
	hs->namelen = len;
}

/* "OPTION 'name'" or "OPTION" for messages. */
static const char *what(struct nbd_hs *hs, char *buf, size_t len)
{
	char q[128];

	switch (hs->opt) {
	case NBD_OPT_INFO:
	case NBD_OPT_GO:
	case NBD_OPT_EXPORT_NAME:
	case NBD_OPT_LIST_META_CONTEXT:
	case NBD_OPT_SET_META_CONTEXT:
		nbd_quote(q, sizeof q, hs->name, hs->namelen);
		nbd_fmt(buf, len, "%s '%s'", nbd_opt_name(hs->opt), q);
		return buf;
	}
	return hs->opt ? nbd_opt_name(hs->opt) : "handshake";
}

static int proto_err(struct nbd_hs *hs, const char *why)
{
	char w[160];

	return nbd_seterr_peer(hs->err, hs->io->peer, NBX_PROTO, EPROTO, "%s: %s",
			       what(hs, w, sizeof w), why);
}

/* An error reply: carry the server's own text (proto.md: "the data MAY
 * contain a human-readable error message"). */
static int rep_err(struct nbd_hs *hs, const struct nbd_rep_hdr *h)
{
	char wb[160], msg[300];
	int code = nbd_rep_err_class(h->type);
	const char *hint = "", *w = what(hs, wb, sizeof wb);

	if ((h->type & ~NBD_REP_ERR_BIT) == NBD_REP_ERR_TLS_REQD && !hs->tls_wanted)
		hint = "; ask for it with nbds:// or --tls";
	if (h->len) {
		nbd_quote(msg, sizeof msg, (const char *)hs->in, h->len);
		return nbd_seterr_peer(hs->err, hs->io->peer, code, 0,
				       "%s: %s (server: \"%s\")%s", w,
				       nbd_rep_err_name(h->type), msg, hint);
	}
	return nbd_seterr_peer(hs->err, hs->io->peer, code, 0, "%s: %s%s", w,
			       nbd_rep_err_name(h->type), hint);
}

/* The error already in hs->err, now of class code, with more said. */
static void recode(struct nbd_hs *hs, int code, const char *more)
{
	struct nbd_err *e = hs->err;

	e->code = code;
	strncat(e->msg, more, sizeof e->msg - strlen(e->msg) - 1);
}

/* ---- requests: pure builders into hs->out */

static void expect_fixed(struct nbd_hs *hs, size_t n)
{
	hs->expect = EXP_FIXED;
	hs->need = n;
}

static int enter(struct nbd_hs *hs, int state)
{
	hs->state = state;
	hs->expect = EXP_REPLY;
	switch (state) {
	case S_STARTTLS:
		hs->opt = NBD_OPT_STARTTLS;
		break;
	case S_SR:
		hs->opt = NBD_OPT_STRUCTURED_REPLY;
		break;
	case S_LIST:
		hs->opt = NBD_OPT_LIST;
		break;
	case S_ABORT:
		hs->opt = NBD_OPT_ABORT;
		break;
	case S_META:
		hs->opt = hs->meta_query ? NBD_OPT_SET_META_CONTEXT : NBD_OPT_LIST_META_CONTEXT;
		hs->outlen = nbd_enc_opt_meta(hs->out, hs->opt, hs->name, hs->namelen,
					      hs->meta_query, hs->meta_query ?
					      strlen(hs->meta_query) : 0);
		goto sent;
	case S_INFO:
	case S_GO:
	case S_EXPORT_NAME:
		memset(&hs->exp, 0, offsetof(struct nbd_export, name) + 1);
		hs->exp.desc[0] = 0;
		if (state != S_EXPORT_NAME) {
			hs->opt = state == S_GO ? NBD_OPT_GO : NBD_OPT_INFO;
			hs->outlen = nbd_enc_opt_info(hs->out, hs->opt, hs->name, hs->namelen,
						      info_reqs, 3);
			goto sent;
		}
		/* No reply header: u64 size, u16 flags, and 124 zero bytes
		 * unless NO_ZEROES was agreed (proto.md, NBD_OPT_EXPORT_NAME). */
		hs->opt = NBD_OPT_EXPORT_NAME;
		hs->outlen = nbd_enc_opt(hs->out, hs->opt, hs->name, (uint32_t)hs->namelen);
		expect_fixed(hs, (hs->cflags & NBD_FLAG_C_NO_ZEROES) ? 10 : 134);
		goto sent;
	}
	/* The options without data. */
	hs->outlen = nbd_enc_opt(hs->out, hs->opt, NULL, 0);
sent:
	if (!hs->outlen) /* only an over-long export name gets here */
		return nbd_seterr_peer(hs->err, hs->io->peer, NBX_USAGE, 0,
				       "%s: export name longer than %u bytes",
				       nbd_opt_name(hs->opt), NBD_MAX_STRING);
	return 0;
}

/* ---- decisions: pure functions of what was asked and what is done */

enum { NO_OPTIONS = -1, NO_STARTTLS = -2 };

static int decide(struct nbd_hs *hs)
{
	/* TLS asked for: STARTTLS comes first, and a server that cannot
	 * do it gets no clear-text options from us. */
	if (hs->tls_wanted && !hs->tls_done)
		return hs->style == NBD_STYLE_FIXED ? S_STARTTLS : NO_STARTTLS;
	if (hs->goal == NBD_GOAL_START)
		return S_OPTS;
	if (hs->style == NBD_STYLE_NEW) {
		/* Plain newstyle knows no options but EXPORT_NAME. */
		switch (hs->goal) {
		case NBD_GOAL_INFO:
		case NBD_GOAL_GO:
			return S_EXPORT_NAME;
		case NBD_GOAL_ABORT:
			return S_CLOSED;
		}
		return NO_OPTIONS;
	}
	switch (hs->goal) {
	case NBD_GOAL_LIST: return S_LIST;
	case NBD_GOAL_META: return hs->sr_done ? S_META : S_SR;
	case NBD_GOAL_INFO: return S_INFO;
	case NBD_GOAL_GO: return S_GO;
	case NBD_GOAL_ABORT: return S_ABORT;
	}
	return NO_OPTIONS;
}

static int no_tls(struct nbd_hs *hs)
{
	return nbd_seterr_peer(hs->err, hs->io->peer, NBX_TLS, 0,
			       "TLS requested, but the %s server cannot do STARTTLS",
			       nbd_style_name(hs->style));
}

/* ---- replies: judge one answer, move the state on */

/* The size is a u64 on the wire, but no Linux block device or file offset
 * (loff_t) holds more than 2^63-1: refuse it here, where it is decoded, so
 * no applet prints or attaches a number that wrapped (libnbd: EOVERFLOW). */
static int set_size(struct nbd_hs *hs, uint64_t size, uint16_t tflags)
{
	char w[160];

	if (size > (uint64_t)INT64_MAX)
		return nbd_seterr_peer(hs->err, hs->io->peer, NBX_NOTSUP, EOVERFLOW,
				       "%s: export size %llu is above 2^63-1 (no block device "
				       "or file offset can hold it)", what(hs, w, sizeof w),
				       (unsigned long long)size);
	hs->exp.size = size;
	hs->exp.tflags = tflags;
	hs->exp.have_info = 1;
	return 0;
}

static int on_fixed(struct nbd_hs *hs)
{
	const uint8_t *p = hs->in;

	switch (hs->state) {
	case S_GREETING:
		if (nbd_get64(p) != NBD_MAGIC)
			return proto_err(hs, "not an NBD server (no NBDMAGIC greeting)");
		if (nbd_get64(p + 8) == NBD_OLD_MAGIC) {
			hs->style = NBD_STYLE_OLD;
			hs->state = S_OLD_REST;
			expect_fixed(hs, NBD_OLDSTYLE_LEN - 16);
			return 0;
		}
		if (nbd_get64(p + 8) != NBD_OPTS_MAGIC)
			return proto_err(hs, "unknown handshake style (bad second magic)");
		hs->state = S_NEW_FLAGS;
		expect_fixed(hs, 2);
		return 0;
	case S_OLD_REST:
	case S_EXPORT_NAME:
		/* u64 size, then oldstyle's u32 flags (the low 16 are the
		 * transmission flags) or EXPORT_NAME's u16 ones. */
		if (set_size(hs, nbd_get64(p), nbd_get16(p + (hs->state == S_OLD_REST ? 10 : 8))) < 0)
			return -1;
		hs->state = S_XMIT;
		hs->expect = EXP_NONE;
		return 0;
	case S_NEW_FLAGS:
		hs->gflags = nbd_get16(p);
		hs->style = (hs->gflags & NBD_FLAG_FIXED_NEWSTYLE) ? NBD_STYLE_FIXED
								    : NBD_STYLE_NEW;
		hs->cflags = hs->gflags & (NBD_FLAG_C_FIXED_NEWSTYLE | NBD_FLAG_C_NO_ZEROES);
		nbd_put32(hs->out, hs->cflags);
		hs->outlen = 4;
		hs->state = S_OPTS;
		hs->expect = EXP_NONE;
		return 0;
	}
	return proto_err(hs, "internal: unexpected fixed read");
}

static void copy_str(char *dst, uint32_t *dlen, struct nbd_str s)
{
	memcpy(dst, s.p, s.len);
	dst[s.len] = 0;
	*dlen = s.len;
}

static int unexpected(struct nbd_hs *hs)
{
	return proto_err(hs, "unexpected reply type");
}

/* STARTTLS: ACK or nothing; anything else is fatal, never go on in clear
 * text. */
static int on_starttls(struct nbd_hs *hs, const struct nbd_rep_hdr *h)
{
	if (h->type & NBD_REP_ERR_BIT) {
		rep_err(hs, h);
		recode(hs, NBX_TLS, "; the server did not agree to TLS");
		return -1;
	}
	if (h->type != NBD_REP_ACK)
		return nbd_seterr_peer(hs->err, hs->io->peer, NBX_TLS, EPROTO,
				       "NBD_OPT_STARTTLS: the server did not agree to TLS "
				       "(reply type %u instead of ACK)", (unsigned)h->type);
	if (h->len)
		return proto_err(hs, "ACK with data");
	hs->state = S_TLS;
	hs->expect = EXP_NONE;
	return 0;
}

/* STRUCTURED_REPLY: an error means no structured replies, hence no meta
 * contexts: not an error for a probe. */
static int on_sr(struct nbd_hs *hs, const struct nbd_rep_hdr *h)
{
	if (h->type & NBD_REP_ERR_BIT) {
		hs->meta_unsup = 1;
		hs->state = S_OPTS;
		return 0;
	}
	if (h->type != NBD_REP_ACK)
		return unexpected(hs);
	hs->sr_done = 1;
	hs->state = S_OPTS;
	return 0;
}

/* The ACK that ends a list of replies (LIST, META, INFO, GO). */
static int list_end(struct nbd_hs *hs, const struct nbd_rep_hdr *h, int next)
{
	if (h->type != NBD_REP_ACK)
		return unexpected(hs);
	hs->state = next;
	hs->reached = 1;
	return 0;
}

/* LIST: one REP_SERVER per export, then ACK. */
static int on_list(struct nbd_hs *hs, const struct nbd_rep_hdr *h)
{
	const char *why = NULL;
	struct nbd_str a, b;

	if (h->type & NBD_REP_ERR_BIT)
		return rep_err(hs, h);
	if (h->type != NBD_REP_SERVER)
		return list_end(hs, h, S_OPTS);
	if (nbd_dec_rep_server(hs->in, h->len, &a, &b, &why) < 0)
		return proto_err(hs, why);
	if (hs->on_server && hs->on_server(hs->cb_ctx, a, b) < 0)
		return -1;
	return 1;
}

/* SET/LIST_META_CONTEXT: one REP_META_CONTEXT per context, then ACK; a
 * refusal means "no meta contexts", not a failure. */
static int on_meta(struct nbd_hs *hs, const struct nbd_rep_hdr *h)
{
	const char *why = NULL;
	uint32_t e = h->type & ~NBD_REP_ERR_BIT, id;
	struct nbd_str a;

	if (h->type & NBD_REP_ERR_BIT) {
		if (e != NBD_REP_ERR_UNSUP && e != NBD_REP_ERR_INVALID &&
		    e != NBD_REP_ERR_POLICY)
			return rep_err(hs, h);
		hs->meta_unsup = 1;
		hs->state = S_OPTS;
		return 0;
	}
	if (h->type != NBD_REP_META_CONTEXT)
		return list_end(hs, h, S_OPTS);
	if (nbd_dec_rep_meta(hs->in, h->len, &id, &a, &why) < 0)
		return proto_err(hs, why);
	if (hs->on_meta && hs->on_meta(hs->cb_ctx, id, a) < 0)
		return -1;
	return 1;
}

/* One REP_INFO of INFO or GO into hs->exp. */
static int take_info(struct nbd_hs *hs, const struct nbd_rep_hdr *h)
{
	const char *why = NULL;
	struct nbd_info info;

	if (nbd_dec_rep_info(hs->in, h->len, &info, &why) < 0)
		return proto_err(hs, why);
	switch (info.type) {
	case NBD_INFO_EXPORT:
		if (set_size(hs, info.size, info.tflags) < 0)
			return -1;
		break;
	case NBD_INFO_NAME:
		copy_str(hs->exp.name, &hs->exp.namelen, info.str);
		break;
	case NBD_INFO_DESCRIPTION:
		copy_str(hs->exp.desc, &hs->exp.desclen, info.str);
		break;
	case NBD_INFO_BLOCK_SIZE:
		hs->exp.bs_min = info.bs_min;
		hs->exp.bs_pref = info.bs_pref;
		hs->exp.bs_max = info.bs_max;
		break;
	}
	return 1;
}

/* INFO and GO: REP_INFO pieces, then ACK; GO's ACK starts transmission.
 * All of GO's logic is here. */
static int on_info(struct nbd_hs *hs, const struct nbd_rep_hdr *h)
{
	int isgo = hs->state == S_GO;

	if (h->type & NBD_REP_ERR_BIT) {
		/* proto.md: a server that does not know GO replies
		 * ERR_UNSUP; fall back to EXPORT_NAME. */
		if (isgo && (h->type & ~NBD_REP_ERR_BIT) == NBD_REP_ERR_UNSUP)
			return enter(hs, S_EXPORT_NAME);
		return rep_err(hs, h);
	}
	if (h->type == NBD_REP_INFO)
		return take_info(hs, h);
	/* proto.md: the server MUST send NBD_INFO_EXPORT before ACK. */
	if (h->type == NBD_REP_ACK && !hs->exp.have_info)
		return proto_err(hs, "ACK without NBD_INFO_EXPORT");
	return list_end(hs, h, isgo ? S_XMIT : S_OPTS);
}

/* One reply, judged by the option it answers. Returns 1 for "more replies
 * follow", 0 when the exchange is over. */
static int on_reply(struct nbd_hs *hs, const struct nbd_rep_hdr *h)
{
	switch (hs->state) {
	case S_STARTTLS:
		return on_starttls(hs, h);
	case S_SR:
		return on_sr(hs, h);
	case S_LIST:
		return on_list(hs, h);
	case S_META:
		return on_meta(hs, h);
	case S_INFO:
	case S_GO:
		return on_info(hs, h);
	case S_ABORT:
		/* Whatever the answer, the session is over. */
		hs->state = S_CLOSED;
		return 0;
	}
	return (h->type & NBD_REP_ERR_BIT) ? rep_err(hs, h) : unexpected(hs);
}

/* ---- the driver: the only code that reads or writes hs->io */

static int goal_reached(struct nbd_hs *hs)
{
	switch (hs->goal) {
	case NBD_GOAL_START:
		return hs->state == S_OPTS || hs->state == S_XMIT;
	case NBD_GOAL_GO:
	case NBD_GOAL_INFO:
		return hs->state == S_XMIT || hs->reached;
	case NBD_GOAL_META:
		return hs->reached || hs->meta_unsup;
	case NBD_GOAL_ABORT:
		return hs->state == S_CLOSED;
	}
	return hs->reached;
}

static int flush(struct nbd_hs *hs)
{
	char w[160];
	size_t n = hs->outlen;

	hs->outlen = 0;
	return n ? nbd_io_write_full(hs->io, hs->out, n, what(hs, w, sizeof w), hs->err) : 0;
}

static int read_reply(struct nbd_hs *hs, struct nbd_rep_hdr *h)
{
	char wb[160];
	const char *why, *w = what(hs, wb, sizeof wb);
	uint8_t hdr[NBD_REP_HDR_LEN];

	if (nbd_io_read_full(hs->io, hdr, sizeof hdr, w, hs->err) < 0) {
		/* Some servers (nbd-server) check the client certificate only
		 * after the TLS handshake, and just hang up. */
		if (hs->tls_done && !hs->replies_in_tls && hs->err->code == NBX_PROTO &&
		    !hs->err->errnum) {
			recode(hs, NBX_TLS, " right after the TLS handshake (does it want a "
			       "client certificate? --tls-cert, --tls-key)");
		}
		return -1;
	}
	hs->replies_in_tls += hs->tls_done;
	if (nbd_dec_rep_hdr(hdr, h, &why) < 0)
		return proto_err(hs, why);
	if (h->opt != hs->opt)
		return proto_err(hs, "reply to a different option");
	return nbd_io_read_full(hs->io, hs->in, h->len, w, hs->err);
}

/* A run asked for after the option phase: fine for what is already done,
 * an error for anything that needs options. */
static int after_options(struct nbd_hs *hs, int goal)
{
	if (goal == NBD_GOAL_GO || goal == NBD_GOAL_INFO || goal == NBD_GOAL_START)
		return 0;
	if (goal == NBD_GOAL_ABORT)
		return 0;
	if (hs->style == NBD_STYLE_OLD)
		return nbd_seterr_peer(hs->err, hs->io->peer, NBX_NOTSUP, 0,
				       "oldstyle server: no options, no export list");
	return nbd_seterr_peer(hs->err, hs->io->peer, NBX_PROTO, 0,
			       "option phase already over");
}

/* In S_OPTS: send the next option toward the goal. Returns 1 when the run
 * is over (goal reached, or nothing left to ask), 0 to go on, -1. */
static int next_option(struct nbd_hs *hs)
{
	int r;

	if (goal_reached(hs))
		return 1;
	r = decide(hs);
	if (r == NO_STARTTLS)
		return no_tls(hs);
	if (r < 0)
		return nbd_seterr_peer(hs->err, hs->io->peer, NBX_NOTSUP, 0,
				       "server speaks newstyle without FIXED: no options, no export list");
	if (r == S_OPTS || r == S_CLOSED) {
		hs->state = r;
		return 1;
	}
	return enter(hs, r);
}

/* Read what the state expects: a fixed-size answer, or replies until the
 * last one of the option. */
static int read_answer(struct nbd_hs *hs)
{
	struct nbd_rep_hdr h;
	char w[160];
	int r;

	switch (hs->expect) {
	case EXP_FIXED:
		if (nbd_io_read_full(hs->io, hs->in, hs->need, what(hs, w, sizeof w),
				     hs->err) < 0) {
			/* proto.md: on EXPORT_NAME the server closes the
			 * connection if it rejects the name. */
			if (hs->state == S_EXPORT_NAME && hs->err->code == NBX_PROTO)
				recode(hs, NBX_EXPORT, " (unknown or refused export)");
			return -1;
		}
		return on_fixed(hs);
	case EXP_REPLY:
		do {
			if (read_reply(hs, &h) < 0) {
				/* Servers may just hang up after ABORT. */
				if (hs->state == S_ABORT) {
					hs->state = S_CLOSED;
					return 0;
				}
				return -1;
			}
			r = on_reply(hs, &h);
			if (r < 0)
				return -1;
		} while (r == 1);
		break;
	}
	return 0;
}

/* The socket is about to change hands (TLS now, the kernel after GO):
 * nothing the server sent may be left unread. On S_TLS, start TLS and the
 * option haggling afresh. */
static int hand_over(struct nbd_hs *hs)
{
	if ((hs->state == S_TLS || hs->state == S_XMIT) && nbd_io_pending(hs->io)) {
		proto_err(hs, "the server sent data nobody asked for");
		/* After the STARTTLS ACK that is clear text posing as part of
		 * the TLS session (an injection): a TLS failure. */
		if (hs->state == S_TLS)
			hs->err->code = NBX_TLS;
		return -1;
	}
	if (hs->state != S_TLS)
		return 0;
	if (!hs->starttls)
		return nbd_seterr_peer(hs->err, hs->io->peer, NBX_TLS, 0, "built without TLS");
	if (hs->starttls(hs->io, hs->starttls_ctx, hs->err) < 0)
		return -1;
	/* proto.md, NBD_OPT_STARTTLS: all option state from before TLS is
	 * void; start the haggling afresh. */
	hs->tls_done = 1;
	hs->sr_done = 0;
	hs->meta_unsup = 0;
	hs->state = S_OPTS;
	hs->expect = EXP_NONE;
	return 0;
}

static int hs_run(struct nbd_hs *hs, int goal)
{
	int r;

	hs->goal = goal;
	hs->reached = 0;
	if (hs->state == S_GREETING)
		expect_fixed(hs, 16);
	if (hs->state == S_XMIT || hs->state == S_CLOSED)
		return after_options(hs, goal);
	for (;;) {
		/* Pending output (client flags) leaves before the next option. */
		if (flush(hs) < 0)
			return -1;
		if (hs->state == S_OPTS) {
			r = next_option(hs);
			if (r)
				return r > 0 ? 0 : -1;
		}
		if (flush(hs) < 0 || read_answer(hs) < 0 || hand_over(hs) < 0)
			return -1;
		if (hs->state == S_XMIT || hs->state == S_CLOSED)
			break;
		if (hs->state == S_OPTS && goal_reached(hs))
			return flush(hs);
	}
	if (hs->state == S_XMIT && hs->tls_wanted && !hs->tls_done)
		return no_tls(hs);
	if (hs->state == S_XMIT && goal != NBD_GOAL_GO && goal != NBD_GOAL_INFO &&
	    goal != NBD_GOAL_START)
		return nbd_seterr_peer(hs->err, hs->io->peer, NBX_NOTSUP, 0,
				       "oldstyle server: no options, no export list");
	return 0;
}

/* One run is bounded as a whole, not only each wait in it: a server that
 * sends replies without end, or a byte just before each wait would time
 * out, still ends it timeout_ms after the start. */
int nbd_hs_run(struct nbd_hs *hs, int goal)
{
	struct nbd_io *io = hs->io;
	long outer = io->deadline;
	int r;

	if (!outer && io->timeout_ms > 0)
		io->deadline = nbd_now_ms() + io->timeout_ms;
	r = hs_run(hs, goal);
	io->deadline = outer;
	return r;
}

int nbd_hs_disc(struct nbd_hs *hs)
{
	uint8_t req[NBD_REQUEST_LEN];

	nbd_enc_request(req, 0, NBD_CMD_DISC, 0, 0, 0);
	hs->state = S_CLOSED;
	return nbd_io_write_full(hs->io, req, sizeof req, "NBD_CMD_DISC", hs->err);
}

void nbd_hs_close(struct nbd_hs *hs)
{
	struct nbd_err scratch;
	struct nbd_err *keep = hs->err;

	if (!hs->io->ops)
		return;
	/* Being polite must not overwrite the error being reported. */
	hs->err = &scratch;
	if (hs->state == S_XMIT)
		nbd_hs_disc(hs);
	else if (hs->state == S_OPTS)
		nbd_hs_run(hs, NBD_GOAL_ABORT);
	hs->err = keep;
	nbd_io_close(hs->io);
}
