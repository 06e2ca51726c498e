#include <string.h>
#include "wire.h"

static const char *fail(const char **why, const char *msg)
{
	if (why)
		*why = msg;
	return msg;
}

size_t nbd_enc_opt(uint8_t *out, uint32_t opt, const void *data, uint32_t len)
{
	uint8_t *p = out;

	if (len > NBD_MAX_OPT_LEN - NBD_OPT_HDR_LEN)
		return 0;
	p = nbd_put64(p, NBD_OPTS_MAGIC);
	p = nbd_put32(p, opt);
	p = nbd_put32(p, len);
	if (len)
		memcpy(p, data, len);
	return NBD_OPT_HDR_LEN + len;
}

size_t nbd_enc_opt_info(uint8_t *out, uint32_t opt, const char *name, size_t namelen,
			const uint16_t *reqs, unsigned nreqs)
{
	uint8_t *p = out + NBD_OPT_HDR_LEN;
	unsigned i;

	if (namelen > NBD_MAX_STRING || nreqs > NBD_MAX_INFO_REQS)
		return 0;
	p = nbd_put32(p, (uint32_t)namelen);
	memcpy(p, name, namelen);
	p += namelen;
	p = nbd_put16(p, (uint16_t)nreqs);
	for (i = 0; i < nreqs; i++)
		p = nbd_put16(p, reqs[i]);
	nbd_put32(nbd_put32(nbd_put64(out, NBD_OPTS_MAGIC), opt),
		  (uint32_t)(p - out - NBD_OPT_HDR_LEN));
	return (size_t)(p - out);
}

size_t nbd_enc_opt_meta(uint8_t *out, uint32_t opt, const char *name, size_t namelen,
			const char *query, size_t querylen)
{
	uint8_t *p = out + NBD_OPT_HDR_LEN;

	/* Name and query together must fit the request bound. */
	if (namelen > NBD_MAX_STRING || querylen > 256)
		return 0;
	p = nbd_put32(p, (uint32_t)namelen);
	memcpy(p, name, namelen);
	p += namelen;
	p = nbd_put32(p, query ? 1 : 0);
	if (query) {
		p = nbd_put32(p, (uint32_t)querylen);
		memcpy(p, query, querylen);
		p += querylen;
	}
	nbd_put32(nbd_put32(nbd_put64(out, NBD_OPTS_MAGIC), opt),
		  (uint32_t)(p - out - NBD_OPT_HDR_LEN));
	return (size_t)(p - out);
}

size_t nbd_enc_request(uint8_t *out, uint16_t flags, uint16_t type, uint64_t cookie,
		       uint64_t offset, uint32_t len)
{
	uint8_t *p = nbd_put32(out, NBD_REQUEST_MAGIC);

	p = nbd_put16(p, flags);
	p = nbd_put16(p, type);
	p = nbd_put64(p, cookie);
	p = nbd_put64(p, offset);
	nbd_put32(p, len);
	return NBD_REQUEST_LEN;
}

int nbd_dec_rep_hdr(const uint8_t *p, struct nbd_rep_hdr *h, const char **why)
{
	if (nbd_get64(p) != NBD_REP_MAGIC)
		return fail(why, "bad option reply magic"), -1;
	h->opt = nbd_get32(p + 8);
	h->type = nbd_get32(p + 12);
	h->len = nbd_get32(p + 16);
	if (h->len > NBD_MAX_REPLY)
		return fail(why, "option reply too long"), -1;
	return 0;
}

int nbd_dec_rep_server(const uint8_t *p, uint32_t len, struct nbd_str *name,
		       struct nbd_str *desc, const char **why)
{
	uint32_t n;

	if (len < 4)
		return fail(why, "NBD_REP_SERVER shorter than its name length"), -1;
	n = nbd_get32(p);
	if (n > len - 4)
		return fail(why, "NBD_REP_SERVER name length beyond the reply"), -1;
	if (n > NBD_MAX_STRING || len - 4 - n > NBD_MAX_STRING)
		return fail(why, "NBD_REP_SERVER string longer than 4096 bytes"), -1;
	name->p = (const char *)p + 4;
	name->len = n;
	desc->p = (const char *)p + 4 + n;
	desc->len = len - 4 - n;
	return 0;
}

int nbd_dec_rep_info(const uint8_t *p, uint32_t len, struct nbd_info *info,
		     const char **why)
{
	memset(info, 0, sizeof *info);
	if (len < 2)
		return fail(why, "NBD_REP_INFO without an info type"), -1;
	info->type = nbd_get16(p);
	switch (info->type) {
	case NBD_INFO_EXPORT:
		if (len != 12)
			return fail(why, "NBD_INFO_EXPORT of the wrong length"), -1;
		info->size = nbd_get64(p + 2);
		info->tflags = nbd_get16(p + 10);
		break;
	case NBD_INFO_NAME:
	case NBD_INFO_DESCRIPTION:
		if (len - 2 > NBD_MAX_STRING)
			return fail(why, "NBD_REP_INFO string longer than 4096 bytes"), -1;
		info->str.p = (const char *)p + 2;
		info->str.len = len - 2;
		break;
	case NBD_INFO_BLOCK_SIZE:
		if (len != 14)
			return fail(why, "NBD_INFO_BLOCK_SIZE of the wrong length"), -1;
		info->bs_min = nbd_get32(p + 2);
		info->bs_pref = nbd_get32(p + 6);
		info->bs_max = nbd_get32(p + 10);
		break;
	default:
		break;
	}
	return 0;
}

int nbd_dec_rep_meta(const uint8_t *p, uint32_t len, uint32_t *id,
		     struct nbd_str *name, const char **why)
{
	if (len < 4)
		return fail(why, "NBD_REP_META_CONTEXT shorter than its id"), -1;
	if (len - 4 > NBD_MAX_STRING)
		return fail(why, "NBD_REP_META_CONTEXT name longer than 4096 bytes"), -1;
	*id = nbd_get32(p);
	name->p = (const char *)p + 4;
	name->len = len - 4;
	return 0;
}

int nbd_dec_simple_reply(const uint8_t *p, uint32_t *error, uint64_t *cookie,
			 const char **why)
{
	if (nbd_get32(p) != NBD_SIMPLE_MAGIC)
		return fail(why, "bad simple reply magic"), -1;
	*error = nbd_get32(p + 4);
	*cookie = nbd_get64(p + 8);
	return 0;
}

const char *nbd_opt_name(uint32_t opt)
{
	static const char *const names[] = {
		[NBD_OPT_EXPORT_NAME] = "NBD_OPT_EXPORT_NAME",
		[NBD_OPT_ABORT] = "NBD_OPT_ABORT",
		[NBD_OPT_LIST] = "NBD_OPT_LIST",
		[NBD_OPT_STARTTLS] = "NBD_OPT_STARTTLS",
		[NBD_OPT_INFO] = "NBD_OPT_INFO",
		[NBD_OPT_GO] = "NBD_OPT_GO",
		[NBD_OPT_STRUCTURED_REPLY] = "NBD_OPT_STRUCTURED_REPLY",
		[NBD_OPT_LIST_META_CONTEXT] = "NBD_OPT_LIST_META_CONTEXT",
		[NBD_OPT_SET_META_CONTEXT] = "NBD_OPT_SET_META_CONTEXT",
		[NBD_OPT_EXTENDED_HEADERS] = "NBD_OPT_EXTENDED_HEADERS",
	};

	if (opt < sizeof names / sizeof *names && names[opt])
		return names[opt];
	return "NBD_OPT_?";
}

const char *nbd_rep_err_name(uint32_t type)
{
	static const char *const names[] = {
		[NBD_REP_ERR_UNSUP] = "option not supported by the server",
		[NBD_REP_ERR_POLICY] = "refused by server policy",
		[NBD_REP_ERR_INVALID] = "invalid request",
		[NBD_REP_ERR_PLATFORM] = "not supported on the server's platform",
		[NBD_REP_ERR_TLS_REQD] = "server requires TLS",
		[NBD_REP_ERR_UNKNOWN] = "unknown export",
		[NBD_REP_ERR_SHUTDOWN] = "server is shutting down",
		[NBD_REP_ERR_BLOCK_SIZE_REQD] = "server requires block size negotiation",
		[NBD_REP_ERR_TOO_BIG] = "request too big",
		[NBD_REP_ERR_EXT_HEADER_REQD] = "server requires extended headers",
	};
	uint32_t e = type & ~NBD_REP_ERR_BIT;

	if (e < sizeof names / sizeof *names && names[e])
		return names[e];
	return "unknown error reply";
}

const struct nbd_flag_name nbd_tflag_names[] = {
	{ NBD_TF_READ_ONLY, "read-only" },
	{ NBD_TF_SEND_FLUSH, "flush" },
	{ NBD_TF_SEND_FUA, "fua" },
	{ NBD_TF_ROTATIONAL, "rotational" },
	{ NBD_TF_SEND_TRIM, "trim" },
	{ NBD_TF_SEND_WRITE_ZEROES, "write-zeroes" },
	{ NBD_TF_SEND_DF, "df" },
	{ NBD_TF_CAN_MULTI_CONN, "multi-conn" },
	{ NBD_TF_SEND_RESIZE, "resize" },
	{ NBD_TF_SEND_CACHE, "cache" },
	{ NBD_TF_SEND_FAST_ZERO, "fast-zero" },
	{ 0, 0 },
};
