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

/* Word i of list (NUL-separated), or its first word when there are not
 * that many. */
static const char *word_at(const char *list, const char *end, uint32_t i)
{
	const char *p = list;

	while (i-- && p < end)
		p += strlen(p) + 1;
	return p < end ? p : list;
}

const char *nbd_opt_name(uint32_t opt)
{
	/* By number; "NBD_OPT_?" for none (0, 4) and out of range. */
	static const char names[] =
		"NBD_OPT_?\0NBD_OPT_EXPORT_NAME\0NBD_OPT_ABORT\0NBD_OPT_LIST\0NBD_OPT_?\0"
		"NBD_OPT_STARTTLS\0NBD_OPT_INFO\0NBD_OPT_GO\0NBD_OPT_STRUCTURED_REPLY\0"
		"NBD_OPT_LIST_META_CONTEXT\0NBD_OPT_SET_META_CONTEXT\0NBD_OPT_EXTENDED_HEADERS";

	return word_at(names, names + sizeof names, opt);
}

const char *nbd_rep_err_name(uint32_t type)
{
	/* By NBD_REP_ERR_* number; the first for 0 and out of range. */
	static const char names[] =
		"unknown error reply\0option not supported by the server\0"
		"refused by server policy\0invalid request\0"
		"not supported on the server's platform\0server requires TLS\0unknown export\0"
		"server is shutting down\0server requires block size negotiation\0"
		"request too big\0server requires extended headers";

	return word_at(names, names + sizeof names, type & ~NBD_REP_ERR_BIT);
}

const char nbd_tflag_names[] =
	"read-only\0flush\0fua\0rotational\0trim\0write-zeroes\0df\0multi-conn\0resize\0"
	"cache\0fast-zero\0";
