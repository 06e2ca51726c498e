/* Transmission requests and replies; see xmit.h. proto.md sections are
 * cited where a rule comes from the spec. */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "esc.h"
#include "fmt.h"
#include "xmit.h"

const char *nbd_cmd_name(uint16_t type)
{
	static const char *const names[] = {
		[NBD_CMD_READ] = "NBD_CMD_READ",
		[NBD_CMD_WRITE] = "NBD_CMD_WRITE",
		[NBD_CMD_DISC] = "NBD_CMD_DISC",
		[NBD_CMD_FLUSH] = "NBD_CMD_FLUSH",
		[NBD_CMD_TRIM] = "NBD_CMD_TRIM",
		[NBD_CMD_CACHE] = "NBD_CMD_CACHE",
		[NBD_CMD_WRITE_ZEROES] = "NBD_CMD_WRITE_ZEROES",
		[NBD_CMD_BLOCK_STATUS] = "NBD_CMD_BLOCK_STATUS",
	};

	return type < sizeof names / sizeof *names && names[type] ? names[type] : "NBD_CMD_?";
}

void nbd_x_init(struct nbd_xconn *x, struct nbd_io *io, const struct nbd_hs *hs,
		long long meta_id, struct nbd_err *err)
{
	memset(x, 0, sizeof *x);
	x->io = io;
	x->err = err;
	x->size = hs->exp.size;
	x->tflags = hs->exp.tflags;
	x->structured = hs->sr_done;
	x->have_meta = hs->sr_done && meta_id >= 0;
	x->meta_id = meta_id >= 0 ? (uint32_t)meta_id : 0;
	x->max_len = NBD_X_MAX_LEN;
	if (hs->exp.bs_max && hs->exp.bs_max < x->max_len)
		x->max_len = hs->exp.bs_max;
}

/* "PEER: WHAT: WHY" into x->err; -1. */
static int xerr(struct nbd_xconn *x, int code, int e, const char *what, const char *why)
{
	return nbd_seterr_peer(x->err, x->io->peer, code, e, "%s: %s", what, why);
}

static int proto(struct nbd_xconn *x, const char *what, const char *why)
{
	return xerr(x, NBX_PROTO, EPROTO, what, why);
}

/* n bytes of the reply into p. */
static int rd(struct nbd_xconn *x, void *p, size_t n, const char *what)
{
	return nbd_io_read_full(x->io, p, n, what, x->err);
}

int nbd_x_submit(struct nbd_xconn *x, struct nbd_xop *op, uint16_t type, uint16_t flags,
		 uint64_t off, uint32_t len, uint8_t *buf)
{
	static const uint16_t need[] = {
		[NBD_CMD_FLUSH] = NBD_TF_SEND_FLUSH,
		[NBD_CMD_TRIM] = NBD_TF_SEND_TRIM,
		[NBD_CMD_WRITE_ZEROES] = NBD_TF_SEND_WRITE_ZEROES,
	};
	const char *what = nbd_cmd_name(type);
	uint8_t hdr[NBD_REQUEST_LEN], *p = hdr;
	size_t n = NBD_REQUEST_LEN;
	unsigned i;

	if (type > NBD_CMD_BLOCK_STATUS || type == NBD_CMD_DISC)
		return proto(x, what, "internal: not a request nbd_x_submit sends");
	if (type < sizeof need / sizeof *need && need[type] && !(x->tflags & need[type]))
		return xerr(x, NBX_NOTSUP, 0, what, "the export does not offer it");
	if (type == NBD_CMD_BLOCK_STATUS && !x->have_meta)
		return xerr(x, NBX_NOTSUP, 0, what, "no base:allocation context");
	if ((flags & NBD_CMD_FLAG_FUA) && !(x->tflags & NBD_TF_SEND_FUA))
		flags &= (uint16_t)~NBD_CMD_FLAG_FUA;
	if (off > x->size || len > x->size - off)
		return nbd_seterr_peer(x->err, x->io->peer, NBX_FAIL, EINVAL,
				       "%s at offset %llu (%u bytes): beyond the export's %llu bytes",
				       what, (unsigned long long)off, len,
				       (unsigned long long)x->size);
	if ((type == NBD_CMD_READ || type == NBD_CMD_WRITE) && len > x->max_len)
		return proto(x, what, "internal: request longer than the maximum block size");
	if (x->inflight == NBD_X_MAX_INFLIGHT)
		return proto(x, what, "internal: too many requests in flight");
	for (i = 0; x->slot[i]; i++)
		;
	memset(op, 0, offsetof(struct nbd_xop, errmsg));
	op->errmsg[0] = 0;
	op->next = 0;
	/* The slot in the low byte, a generation above it: a late or
	 * repeated reply never matches a request reusing the slot. */
	op->cookie = (uint64_t)++x->gen << 8 | i;
	op->off = off;
	op->len = len;
	op->type = type;
	op->buf = buf;
	x->slot[i] = op;
	x->inflight++;
	if (type == NBD_CMD_WRITE) {
		p = buf - NBD_REQUEST_LEN;
		n += len;
	}
	nbd_enc_request(p, flags, type, op->cookie, off, len);
	return nbd_io_write_full(x->io, p, n, what, x->err);
}

static struct nbd_xop *find(struct nbd_xconn *x, uint64_t cookie)
{
	uint64_t i = cookie & 0xff;

	if (i >= NBD_X_MAX_INFLIGHT || !x->slot[i] || x->slot[i]->cookie != cookie)
		return NULL;
	return x->slot[i];
}

static void finish(struct nbd_xconn *x, struct nbd_xop *op)
{
	x->slot[op->cookie & 0xff] = NULL;
	x->inflight--;
	op->done = 1;
}

static void set_error(struct nbd_xop *op, uint32_t error)
{
	/* The first error is the one worth reporting. */
	if (!op->error)
		op->error = error ? error : EIO;
}

/* A READ's chunks may come in any order (proto.md, "Structured reply
 * chunk message") but must not overlap; done, they must cover the whole
 * request. Each chunk is checked against the ranges delivered so far and
 * merged in: in order, they stay one range. */
static int read_piece(struct nbd_xconn *x, struct nbd_xop *op, uint64_t off, uint64_t n,
		      const char *what)
{
	uint32_t a, b, (*r)[2] = op->range;
	unsigned i, k;

	if (op->type != NBD_CMD_READ)
		return proto(x, what, "data chunk in the reply to a request that is not a read");
	if (off < op->off || off - op->off > op->len || !n || n > op->len - (off - op->off))
		return proto(x, what, "data chunk outside the requested range");
	a = (uint32_t)(off - op->off);
	b = a + (uint32_t)n;
	for (i = 0; i < op->nrange && r[i][1] <= a; i++)
		;
	if (i < op->nrange && r[i][0] < b)
		return proto(x, what, "data chunks overlapping");
	/* Merge with the range before and/or after, or insert at i. */
	if (i > 0 && r[i - 1][1] == a) {
		r[i - 1][1] = b;
		if (i < op->nrange && r[i][0] == b) {
			r[i - 1][1] = r[i][1];
			for (k = i; k + 1 < op->nrange; k++)
				r[k][0] = r[k + 1][0], r[k][1] = r[k + 1][1];
			op->nrange--;
		}
	} else if (i < op->nrange && r[i][0] == b) {
		r[i][0] = a;
	} else {
		if (op->nrange == NBD_X_MAX_RANGES)
			return proto(x, what, "read reply in too many scattered chunks");
		for (k = op->nrange; k > i; k--)
			r[k][0] = r[k - 1][0], r[k][1] = r[k - 1][1];
		r[i][0] = a;
		r[i][1] = b;
		op->nrange++;
	}
	op->got += n;
	return 0;
}

/* OFFSET_DATA (offset, then the bytes) or OFFSET_HOLE (offset, length). */
static int chunk_offset(struct nbd_xconn *x, struct nbd_xop *op, uint16_t type, uint32_t len,
			const char *what)
{
	int data = type == NBD_REPLY_TYPE_OFFSET_DATA;
	uint8_t b[12];
	uint64_t off;
	uint32_t n;

	if (data && len < 9)
		return proto(x, what, "NBD_REPLY_TYPE_OFFSET_DATA too short");
	if (!data && len != 12)
		return proto(x, what, "NBD_REPLY_TYPE_OFFSET_HOLE of the wrong length");
	if (rd(x, b, data ? 8 : 12, what) < 0)
		return -1;
	off = nbd_get64(b);
	n = data ? len - 8 : nbd_get32(b + 8);
	if (read_piece(x, op, off, n, what) < 0)
		return -1;
	if (!data) {
		memset(op->buf + (off - op->off), 0, n);
		return 0;
	}
	return rd(x, op->buf + (off - op->off), n, what);
}

/* BLOCK_STATUS: the context id, then extents (length, flags). */
static int chunk_status(struct nbd_xconn *x, struct nbd_xop *op, uint32_t len, const char *what)
{
	uint8_t b[8];
	uint32_t id, i, n;
	uint64_t at = op->off, end = op->off + op->len;

	if (op->type != NBD_CMD_BLOCK_STATUS)
		return proto(x, what, "block status chunk in the reply to another request");
	if (len < 12 || (len - 4) % 8)
		return proto(x, what, "NBD_REPLY_TYPE_BLOCK_STATUS of a bad length");
	if (rd(x, b, 4, what) < 0)
		return -1;
	id = nbd_get32(b);
	if (id != x->meta_id)
		return proto(x, what, "block status for a context we did not ask for");
	if (op->next || op->got)
		return proto(x, what, "two block status chunks for one context");
	op->got = 1;
	/* Streamed a descriptor at a time: any length is fine, only the first
	 * cap extents inside the request are kept. */
	for (i = 0, n = (len - 4) / 8; i < n; i++) {
		uint32_t elen, st;

		if (rd(x, b, 8, what) < 0)
			return -1;
		elen = nbd_get32(b);
		st = nbd_get32(b + 4);
		if (!elen)
			return proto(x, what, "block status extent of length 0");
		if (at >= end || op->next == op->cap)
			continue;
		op->ext[op->next].off = at;
		op->ext[op->next].len = elen < end - at ? elen : end - at;
		op->ext[op->next].flags = st;
		at += op->ext[op->next++].len;
	}
	return 0;
}

/* An error chunk, of a known type or not: u32 error, u16 message length,
 * message (proto.md, "Structured reply types"), then ERROR_OFFSET's offset
 * or whatever an unknown type carries. */
static int chunk_error(struct nbd_xconn *x, struct nbd_xop *op, uint16_t type, uint32_t len,
		       const char *what)
{
	uint32_t err;
	uint16_t mlen;
	uint8_t m[6 + NBD_MAX_STRING + 8];

	/* Error chunks may come one per failed byte at most: a server
	 * sending more would never end the reply. */
	if (op->nerr++ > op->len)
		return proto(x, what, "more error chunks than the request has bytes");
	if (len < 6 || len > 6 + NBD_MAX_STRING + 8)
		return proto(x, what, "error chunk of a bad length");
	if (rd(x, m, 6, what) < 0)
		return -1;
	err = nbd_get32(m);
	mlen = nbd_get16(m + 4);
	if (mlen > len - 6 || mlen > NBD_MAX_STRING || (type == NBD_REPLY_TYPE_ERROR && len != 6u + mlen) ||
	    (type == NBD_REPLY_TYPE_ERROR_OFFSET && len != 6u + mlen + 8))
		return proto(x, what, "error chunk with a message length beyond the chunk");
	if (!err)
		return proto(x, what, "error chunk with error 0");
	if (rd(x, m + 6, len - 6, what) < 0)
		return -1;
	if (!op->error) {
		if (mlen)
			nbd_quote(op->errmsg, sizeof op->errmsg, (const char *)m + 6, mlen);
		if (type == NBD_REPLY_TYPE_ERROR_OFFSET) {
			op->has_err_off = 1;
			op->err_off = nbd_get64(m + 6 + mlen);
		}
	}
	set_error(op, err);
	return 0;
}

/* The chunk with DONE ends the reply: a short read is never silent. */
static int chunk_done(struct nbd_xconn *x, struct nbd_xop *op, const char *what)
{
	if (!op->error) {
		if (op->type == NBD_CMD_READ && op->got != op->len)
			return proto(x, what, "reply ends before all the data was sent");
		if (op->type == NBD_CMD_BLOCK_STATUS && !op->next)
			return proto(x, what, "reply without extents for base:allocation");
	}
	finish(x, op);
	return 0;
}

static int on_chunk(struct nbd_xconn *x, const uint8_t *h)
{
	uint16_t flags = nbd_get16(h + 4), type = nbd_get16(h + 6);
	uint32_t len = nbd_get32(h + 16);
	struct nbd_xop *op = find(x, nbd_get64(h + 8));
	const char *what;
	int r;

	if (!op)
		return proto(x, "structured reply", "reply to a request never made (unknown cookie)");
	what = nbd_cmd_name(op->type);
	if (!x->structured)
		return proto(x, what, "structured reply chunk, but none were negotiated");
	switch (type) {
	case NBD_REPLY_TYPE_NONE:
		/* proto.md: NONE has no payload and only ever ends a reply. */
		if (len || !(flags & NBD_REPLY_FLAG_DONE))
			return proto(x, what, "NBD_REPLY_TYPE_NONE with a payload or without DONE");
		r = 0;
		break;
	case NBD_REPLY_TYPE_OFFSET_DATA:
	case NBD_REPLY_TYPE_OFFSET_HOLE:
		r = chunk_offset(x, op, type, len, what);
		break;
	case NBD_REPLY_TYPE_BLOCK_STATUS:
		r = chunk_status(x, op, len, what);
		break;
	default:
		if (!(type & NBD_REPLY_TYPE_ERR_BIT))
			return proto(x, what, "unknown structured reply type");
		r = chunk_error(x, op, type, len, what);
		break;
	}
	if (r < 0)
		return -1;
	return (flags & NBD_REPLY_FLAG_DONE) ? chunk_done(x, op, what) : 0;
}

int nbd_x_recv(struct nbd_xconn *x)
{
	uint8_t h[NBD_CHUNK_HDR_LEN];
	struct nbd_xop *op;
	uint32_t error;
	uint64_t cookie;

	if (rd(x, h, NBD_SIMPLE_REPLY_LEN, "reply") < 0)
		return -1;
	if (nbd_get32(h) == NBD_STRUCTURED_MAGIC) {
		if (rd(x, h + NBD_SIMPLE_REPLY_LEN, NBD_CHUNK_HDR_LEN - NBD_SIMPLE_REPLY_LEN,
		       "reply") < 0)
			return -1;
		return on_chunk(x, h);
	}
	if (nbd_dec_simple_reply(h, &error, &cookie, NULL) < 0)
		return proto(x, "reply", "bad reply magic");
	if (!(op = find(x, cookie)))
		return proto(x, "simple reply", "reply to a request never made (unknown cookie)");
	/* proto.md: with structured replies negotiated a READ is answered
	 * with chunks; a simple error reply is still allowed. */
	if (error) {
		set_error(op, error);
	} else if (op->type == NBD_CMD_READ) {
		if (op->got)
			return proto(x, "NBD_CMD_READ", "simple reply after structured chunks");
		if (rd(x, op->buf, op->len, "NBD_CMD_READ") < 0)
			return -1;
		op->got = op->len;
	} else if (op->type == NBD_CMD_BLOCK_STATUS) {
		return proto(x, "NBD_CMD_BLOCK_STATUS", "simple reply without extents");
	}
	finish(x, op);
	return 0;
}

int nbd_x_wait(struct nbd_xconn *x, struct nbd_xop *op)
{
	while (!op->done)
		if (nbd_x_recv(x) < 0)
			return -1;
	return 0;
}

/* NBD errors are fixed numbers on the wire (proto.md, "Error values");
 * this host's errno may differ, and so does its libc's text for it: the
 * message names the wire value, then this host's words for it. */
#define NBD_ERROR(e) { NBD_##e, e, "NBD_" #e }
static const struct { uint8_t wire, host; char name[14]; } nbd_errors[] = {
	NBD_ERROR(EPERM),  NBD_ERROR(EIO),       NBD_ERROR(ENOMEM),  NBD_ERROR(EINVAL),
	NBD_ERROR(ENOSPC), NBD_ERROR(EOVERFLOW), NBD_ERROR(ENOTSUP), NBD_ERROR(ESHUTDOWN),
};
#undef NBD_ERROR
_Static_assert(EPERM < 256 && EIO < 256 && ENOMEM < 256 && EINVAL < 256 && ENOSPC < 256 &&
	       EOVERFLOW < 256 && ENOTSUP < 256 && ESHUTDOWN < 256, "a host errno fits a byte");

int nbd_x_check(const struct nbd_xconn *x, const struct nbd_xop *op, struct nbd_err *err)
{
	char at[48], num[24];
	const char *name;
	size_t i;
	int e;

	if (!op->error)
		return 0;
	for (i = 0; i < sizeof nbd_errors / sizeof nbd_errors[0]; i++)
		if (nbd_errors[i].wire == op->error)
			break;
	if (i < sizeof nbd_errors / sizeof nbd_errors[0])
		e = nbd_errors[i].host, name = nbd_errors[i].name;
	else {  /* proto.md: an unknown value is to be taken as EIO */
		nbd_fmt(num, sizeof num, "error %u", op->error);
		e = EIO, name = num;
	}
	at[0] = 0;
	if (op->has_err_off)
		nbd_fmt(at, sizeof at, ", first bad byte at %llu", (unsigned long long)op->err_off);
	nbd_seterr_peer(err, x->io->peer, NBX_FAIL, e,
			"%s at offset %llu (%u bytes)%s: %s (%s)%s%s%s", nbd_cmd_name(op->type),
			(unsigned long long)op->off, op->len, at, name, strerror(e),
			op->errmsg[0] ? " (server: \"" : "", op->errmsg, op->errmsg[0] ? "\")" : "");
	return -1;
}
