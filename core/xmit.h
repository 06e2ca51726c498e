/* The transmission phase in user space: requests out, replies (simple and
 * structured) in, several requests in flight on one connection. Replies
 * are matched to requests by cookie; every length the server sends is
 * checked against the request it answers before a byte is read into a
 * buffer. Nothing here waits for anything but the one connection. */
#ifndef NBDBOX_XMIT_H
#define NBDBOX_XMIT_H

#include <stdint.h>
#include "err.h"
#include "hs.h"
#include "io.h"

/* Structured replies (proto.md, "Structured reply chunk message"). */
#define NBD_STRUCTURED_MAGIC 0x668e33efU
#define NBD_CHUNK_HDR_LEN    20u
#define NBD_REPLY_FLAG_DONE  (1u << 0)
enum {
	NBD_REPLY_TYPE_NONE = 0, NBD_REPLY_TYPE_OFFSET_DATA = 1,
	NBD_REPLY_TYPE_OFFSET_HOLE = 2, NBD_REPLY_TYPE_BLOCK_STATUS = 5,
	NBD_REPLY_TYPE_ERROR = 0x8001, NBD_REPLY_TYPE_ERROR_OFFSET = 0x8002,
};
#define NBD_REPLY_TYPE_ERR_BIT 0x8000u
/* Command flags. */
#define NBD_CMD_FLAG_FUA     (1u << 0)
#define NBD_CMD_FLAG_NO_HOLE (1u << 1)
/* base:allocation status bits. */
#define NBD_STATE_HOLE (1u << 0)
#define NBD_STATE_ZERO (1u << 1)

/* Bounds. A READ or WRITE is at most the server's maximum block size, and
 * never more than 32 MiB (what servers take without saying: proto.md,
 * "Block size constraints"). */
#define NBD_X_MAX_LEN      (32u << 20)
#define NBD_X_MAX_INFLIGHT 128u
/* Disjoint pieces a READ's chunks may arrive in (any order, proto.md). */
#define NBD_X_MAX_RANGES   8u
/* Extents kept from one BLOCK_STATUS reply; the rest is asked again. */
#define NBD_X_MAX_EXTENTS  256u

struct nbd_extent {
	uint64_t off, len;
	uint32_t flags;     /* NBD_STATE_* */
};

/* One request in flight. The caller owns it (and buf) until done. */
struct nbd_xop {
	uint64_t cookie, off;
	uint32_t len;
	uint16_t type;
	uint8_t *buf;           /* READ: len bytes to fill */
	int done;
	uint64_t got;           /* READ: bytes delivered */
	/* READ: the disjoint ranges delivered so far (offsets into buf),
	 * sorted; chunks in order keep it at one range. */
	unsigned nrange;
	uint32_t range[NBD_X_MAX_RANGES][2];
	/* The server's error (first one), as an NBD errno; 0: success. */
	uint32_t error;
	int has_err_off;
	uint64_t err_off;
	uint32_t nerr;          /* error chunks so far */
	char errmsg[160];       /* the server's text, quoted; may be empty */
	/* BLOCK_STATUS: extents of our meta context, clipped to the
	 * request, into the caller's ext[cap]; next of them are filled. */
	struct nbd_extent *ext;
	unsigned cap, next;
};

/* A connection in transmission phase (after NBD_GOAL_GO). */
struct nbd_xconn {
	struct nbd_io *io;
	struct nbd_err *err;
	uint64_t size;
	uint16_t tflags;
	int structured;         /* structured replies negotiated */
	int have_meta;          /* base:allocation negotiated: meta_id valid */
	uint32_t meta_id;
	uint32_t max_len;       /* largest READ/WRITE payload */
	unsigned inflight;
	uint32_t gen;
	struct nbd_xop *slot[NBD_X_MAX_INFLIGHT];
};

/* From the handshake's results; meta_id < 0: no base:allocation. */
void nbd_x_init(struct nbd_xconn *x, struct nbd_io *io, const struct nbd_hs *hs,
		long long meta_id, struct nbd_err *err);
/* Send one request. WRITE: buf holds len bytes of payload AND has
 * NBD_REQUEST_LEN writable bytes before it (the header goes there, so
 * header and data leave in one write). Checks the command against the
 * export's size, flags and limits. 0, or -1 with x->err. */
int nbd_x_submit(struct nbd_xconn *x, struct nbd_xop *op, uint16_t type, uint16_t flags,
		 uint64_t off, uint32_t len, uint8_t *buf);
/* Read one reply message (a simple reply, or one structured chunk) and
 * apply it to its request. -1: the connection is unusable (x->err).
 * A server error is not a failure here: it lands in op->error. */
int nbd_x_recv(struct nbd_xconn *x);
/* Read replies until op is done. */
int nbd_x_wait(struct nbd_xconn *x, struct nbd_xop *op);
/* op finished with a server error: fill err ("PEER: NBD_CMD_READ at
 * offset N (L bytes): EIO ...") and return -1; 0 if op succeeded. */
int nbd_x_check(const struct nbd_xconn *x, const struct nbd_xop *op, struct nbd_err *err);
const char *nbd_cmd_name(uint16_t type);

#endif
