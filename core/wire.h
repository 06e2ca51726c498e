/* The NBD wire format (doc/proto.md): constants and a pure codec over byte
 * buffers. Explicit big-endian loads and stores, no struct overlays; every
 * length that comes from the wire is checked against a named bound. */
#ifndef NBDBOX_WIRE_H
#define NBDBOX_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include "be.h"

#define NBD_MAGIC          0x4e42444d41474943ULL /* "NBDMAGIC" */
#define NBD_OLD_MAGIC      0x00420281861253ULL
#define NBD_OPTS_MAGIC     0x49484156454F5054ULL /* "IHAVEOPT" */
#define NBD_REP_MAGIC      0x0003e889045565a9ULL
#define NBD_REQUEST_MAGIC  0x25609513U
#define NBD_SIMPLE_MAGIC   0x67446698U
#define NBD_DEFAULT_PORT   "10809"

/* Handshake flags (server) and client flags. */
#define NBD_FLAG_FIXED_NEWSTYLE   (1u << 0)
#define NBD_FLAG_NO_ZEROES        (1u << 1)
#define NBD_FLAG_C_FIXED_NEWSTYLE (1u << 0)
#define NBD_FLAG_C_NO_ZEROES      (1u << 1)

/* Options. */
enum {
	NBD_OPT_EXPORT_NAME = 1, NBD_OPT_ABORT = 2, NBD_OPT_LIST = 3,
	NBD_OPT_STARTTLS = 5, NBD_OPT_INFO = 6, NBD_OPT_GO = 7,
	NBD_OPT_STRUCTURED_REPLY = 8, NBD_OPT_LIST_META_CONTEXT = 9,
	NBD_OPT_SET_META_CONTEXT = 10, NBD_OPT_EXTENDED_HEADERS = 11,
};

/* Error values of simple replies and error chunks (proto.md, "Error
 * values"): fixed on the wire, whatever this host's errno numbers are. */
enum {
	NBD_EPERM = 1, NBD_EIO = 5, NBD_ENOMEM = 12, NBD_EINVAL = 22, NBD_ENOSPC = 28,
	NBD_EOVERFLOW = 75, NBD_ENOTSUP = 95, NBD_ESHUTDOWN = 108,
};

/* Option reply types; errors have bit 31 set. */
#define NBD_REP_ERR_BIT 0x80000000U
enum {
	NBD_REP_ACK = 1, NBD_REP_SERVER = 2, NBD_REP_INFO = 3,
	NBD_REP_META_CONTEXT = 4,
};
enum {
	NBD_REP_ERR_UNSUP = 1, NBD_REP_ERR_POLICY, NBD_REP_ERR_INVALID,
	NBD_REP_ERR_PLATFORM, NBD_REP_ERR_TLS_REQD, NBD_REP_ERR_UNKNOWN,
	NBD_REP_ERR_SHUTDOWN, NBD_REP_ERR_BLOCK_SIZE_REQD, NBD_REP_ERR_TOO_BIG,
	NBD_REP_ERR_EXT_HEADER_REQD,
};

/* NBD_INFO_* */
enum {
	NBD_INFO_EXPORT = 0, NBD_INFO_NAME = 1, NBD_INFO_DESCRIPTION = 2,
	NBD_INFO_BLOCK_SIZE = 3,
};

/* Transmission flags (bit numbers per proto.md). */
#define NBD_TF_HAS_FLAGS         (1u << 0)
#define NBD_TF_READ_ONLY         (1u << 1)
#define NBD_TF_SEND_FLUSH        (1u << 2)
#define NBD_TF_SEND_FUA          (1u << 3)
#define NBD_TF_ROTATIONAL        (1u << 4)
#define NBD_TF_SEND_TRIM         (1u << 5)
#define NBD_TF_SEND_WRITE_ZEROES (1u << 6)
#define NBD_TF_SEND_DF           (1u << 7)
#define NBD_TF_CAN_MULTI_CONN    (1u << 8)
#define NBD_TF_SEND_RESIZE       (1u << 9)
#define NBD_TF_SEND_CACHE        (1u << 10)
#define NBD_TF_SEND_FAST_ZERO    (1u << 11)

/* Commands. */
enum {
	NBD_CMD_READ = 0, NBD_CMD_WRITE = 1, NBD_CMD_DISC = 2, NBD_CMD_FLUSH = 3,
	NBD_CMD_TRIM = 4, NBD_CMD_CACHE = 5, NBD_CMD_WRITE_ZEROES = 6,
	NBD_CMD_BLOCK_STATUS = 7,
};

/* Bounds. Strings MUST be no longer than 4096 bytes (proto.md,
 * "Conventions"). An option reply carries at most two strings and a few
 * fixed fields (NBD_REP_SERVER: u32 + name + description). */
#define NBD_MAX_STRING    4096u
#define NBD_MAX_REPLY     (8u + 2u * NBD_MAX_STRING)
#define NBD_MAX_INFO_REQS 8u
/* Option request: header, u32 name length, name, u16 count, u16 * n. */
#define NBD_OPT_HDR_LEN   16u
#define NBD_REP_HDR_LEN   20u
#define NBD_MAX_OPT_LEN   (NBD_OPT_HDR_LEN + 4u + NBD_MAX_STRING + 2u + 2u * NBD_MAX_INFO_REQS)
#define NBD_OLDSTYLE_LEN  (8u + 8u + 8u + 4u + 124u) /* after NBDMAGIC */
#define NBD_REQUEST_LEN   28u
#define NBD_SIMPLE_REPLY_LEN 16u

/* A string borrowed from a wire buffer: not NUL-terminated. */
struct nbd_str {
	const char *p;
	uint32_t len;
};

/* ---- encoders: write into out (caller sizes it with the _LEN bounds),
 * return the number of bytes, or 0 if an argument is out of bounds. */

/* Option request with an opaque payload. */
size_t nbd_enc_opt(uint8_t *out, uint32_t opt, const void *data, uint32_t len);
/* INFO / GO: u32 name length, name, u16 count, u16 info types. */
size_t nbd_enc_opt_info(uint8_t *out, uint32_t opt, const char *name, size_t namelen,
			const uint16_t *reqs, unsigned nreqs);
/* LIST_META_CONTEXT / SET_META_CONTEXT with up to one query string. */
size_t nbd_enc_opt_meta(uint8_t *out, uint32_t opt, const char *name, size_t namelen,
			const char *query, size_t querylen);
/* Transmission request header. */
size_t nbd_enc_request(uint8_t *out, uint16_t flags, uint16_t type, uint64_t cookie,
		       uint64_t offset, uint32_t len);

/* ---- decoders: return 0 on success, -1 if the bytes are malformed; *why
 * (if not NULL) then names the problem for an error message. */

struct nbd_rep_hdr {
	uint32_t opt, type, len;
};
/* 20-byte option reply header. Checks the magic and len <= NBD_MAX_REPLY. */
int nbd_dec_rep_hdr(const uint8_t *p, struct nbd_rep_hdr *h, const char **why);

/* NBD_REP_SERVER payload: u32 name length, name, description = rest. */
int nbd_dec_rep_server(const uint8_t *p, uint32_t len, struct nbd_str *name,
		       struct nbd_str *desc, const char **why);

/* NBD_REP_INFO payload. Fills the fields the info type carries. */
struct nbd_info {
	uint16_t type;
	uint64_t size;       /* EXPORT */
	uint16_t tflags;     /* EXPORT */
	struct nbd_str str;  /* NAME, DESCRIPTION */
	uint32_t bs_min, bs_pref, bs_max; /* BLOCK_SIZE */
};
/* Unknown info types decode fine (type set, nothing else): the spec says
 * the client MUST ignore them. */
int nbd_dec_rep_info(const uint8_t *p, uint32_t len, struct nbd_info *info,
		     const char **why);

/* NBD_REP_META_CONTEXT payload: u32 id, name = rest. */
int nbd_dec_rep_meta(const uint8_t *p, uint32_t len, uint32_t *id,
		     struct nbd_str *name, const char **why);

/* Simple reply header: magic, error, cookie. */
int nbd_dec_simple_reply(const uint8_t *p, uint32_t *error, uint64_t *cookie,
			 const char **why);

/* Names for messages. */
const char *nbd_opt_name(uint32_t opt);
const char *nbd_rep_err_name(uint32_t type);   /* "unknown export", ... */
/* The known transmission flags' short names, by bit from NBD_TF_READ_ONLY
 * (bit 1) up: NUL-separated, the list ended by an empty name. */
extern const char nbd_tflag_names[];

#endif
