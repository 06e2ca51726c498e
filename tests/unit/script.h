/* Scripted server bytes for handshake tests. */
#ifndef NBDBOX_SCRIPT_H
#define NBDBOX_SCRIPT_H

#include "hs.h"
#include "memio.h"
#include "wire.h"

struct script {
	size_t len;
	uint8_t b[65536];
};

static inline void s_bytes(struct script *s, const void *p, size_t n)
{
	if (n)
		memcpy(s->b + s->len, p, n);
	s->len += n;
}
static inline void s_u16(struct script *s, uint16_t v) { nbd_put16(s->b + s->len, v); s->len += 2; }
static inline void s_u32(struct script *s, uint32_t v) { nbd_put32(s->b + s->len, v); s->len += 4; }
static inline void s_u64(struct script *s, uint64_t v) { nbd_put64(s->b + s->len, v); s->len += 8; }

static inline void s_greet_new(struct script *s, uint16_t gflags)
{
	s_u64(s, NBD_MAGIC);
	s_u64(s, NBD_OPTS_MAGIC);
	s_u16(s, gflags);
}
static inline void s_greet_old(struct script *s, uint64_t size, uint32_t flags)
{
	static const uint8_t zero[124];
	s_u64(s, NBD_MAGIC);
	s_u64(s, NBD_OLD_MAGIC);
	s_u64(s, size);
	s_u32(s, flags);
	s_bytes(s, zero, sizeof zero);
}
static inline void s_reply(struct script *s, uint32_t opt, uint32_t type,
			   const void *data, uint32_t len)
{
	s_u64(s, NBD_REP_MAGIC);
	s_u32(s, opt);
	s_u32(s, type);
	s_u32(s, len);
	s_bytes(s, data, len);
}
static inline void s_info_export(struct script *s, uint32_t opt, uint64_t size, uint16_t fl)
{
	uint8_t p[12];
	nbd_put16(p, NBD_INFO_EXPORT);
	nbd_put64(p + 2, size);
	nbd_put16(p + 10, fl);
	s_reply(s, opt, NBD_REP_INFO, p, sizeof p);
}
static inline void s_info_str(struct script *s, uint32_t opt, uint16_t type, const char *str)
{
	uint8_t p[2 + 4096];
	size_t n = strlen(str);
	nbd_put16(p, type);
	memcpy(p + 2, str, n);
	s_reply(s, opt, NBD_REP_INFO, p, (uint32_t)(2 + n));
}
static inline void s_info_bs(struct script *s, uint32_t opt, uint32_t a, uint32_t b, uint32_t c)
{
	uint8_t p[14];
	nbd_put16(p, NBD_INFO_BLOCK_SIZE);
	nbd_put32(p + 2, a);
	nbd_put32(p + 6, b);
	nbd_put32(p + 10, c);
	s_reply(s, opt, NBD_REP_INFO, p, sizeof p);
}
static inline void s_server(struct script *s, const char *name, const char *desc)
{
	uint8_t p[4 + 8192];
	size_t n = strlen(name), d = strlen(desc);
	nbd_put32(p, (uint32_t)n);
	memcpy(p + 4, name, n);
	memcpy(p + 4 + n, desc, d);
	s_reply(s, NBD_OPT_LIST, NBD_REP_SERVER, p, (uint32_t)(4 + n + d));
}
static inline void s_ack(struct script *s, uint32_t opt)
{
	s_reply(s, opt, NBD_REP_ACK, NULL, 0);
}
static inline void s_err(struct script *s, uint32_t opt, uint32_t e, const char *msg)
{
	s_reply(s, opt, NBD_REP_ERR_BIT | e, msg, (uint32_t)strlen(msg));
}

/* A connection over the script: hs, io, err and the client's bytes. */
struct sconn {
	struct nbd_memio m;
	struct nbd_io io;
	struct nbd_err err;
	struct nbd_hs hs;
	uint8_t out[65536];
};

static inline void s_open(struct sconn *c, const struct script *s, const char *name)
{
	memset(&c->m, 0, sizeof c->m);
	c->m.in = s->b;
	c->m.inlen = s->len;
	c->m.out = c->out;
	c->m.outcap = sizeof c->out;
	memset(&c->err, 0, sizeof c->err);
	nbd_memio_init(&c->io, &c->m, "test:10809");
	nbd_hs_init(&c->hs, &c->io, &c->err);
	nbd_hs_set_name(&c->hs, name, strlen(name));
}

#endif
