/* The NBD handshake: a coarse state machine, one state per message
 * exchange (doc/proto.md, "Handshake"). The caller names a goal (list the
 * exports, list meta contexts, INFO, GO, abort) and nbd_hs_run() drives the
 * states until the goal is reached. Requests are built and replies judged
 * by pure functions; the driver loop in hs.c is the only code that touches
 * the transport, so TLS can replace hs->io in the middle (STARTTLS) and the
 * unit tests can script the server's bytes. */
#ifndef NBDBOX_HS_H
#define NBDBOX_HS_H

#include <stdint.h>
#include "io.h"
#include "wire.h"

enum nbd_style {
	NBD_STYLE_NONE = 0,
	NBD_STYLE_OLD,      /* oldstyle: size and flags in the greeting */
	NBD_STYLE_NEW,      /* newstyle without FIXED: EXPORT_NAME only */
	NBD_STYLE_FIXED,    /* fixed newstyle: option haggling */
};

enum nbd_goal {
	NBD_GOAL_START,     /* greeting (and STARTTLS when TLS is asked for) */
	NBD_GOAL_LIST,      /* NBD_OPT_LIST: each export goes to cb.server */
	NBD_GOAL_META,      /* STRUCTURED_REPLY + LIST_META_CONTEXT: cb.meta
			     * (SET_META_CONTEXT when meta_query is set) */
	NBD_GOAL_INFO,      /* NBD_OPT_INFO: fills exp, stays in option phase */
	NBD_GOAL_GO,        /* NBD_OPT_GO (or EXPORT_NAME): transmission phase */
	NBD_GOAL_ABORT,     /* NBD_OPT_ABORT: end the option phase politely */
};

/* The start-TLS hook: hand the transport io over to TLS (called after
 * STARTTLS is ACKed; core/tls.h's nbd_tls_starttls). Returns 0 or -1 with
 * err filled. */
typedef int (*nbd_starttls_fn)(struct nbd_io *io, void *ctx, struct nbd_err *err);

struct nbd_export {
	uint64_t size;
	uint16_t tflags;
	uint32_t bs_min, bs_pref, bs_max; /* 0: the server named none */
	int have_info;                    /* NBD_INFO_EXPORT seen */
	uint32_t namelen, desclen;        /* canonical name / description */
	char name[NBD_MAX_STRING + 1];
	char desc[NBD_MAX_STRING + 1];
};

struct nbd_hs {
	/* Set by the caller (nbd_hs_init, then fields). */
	struct nbd_io *io;
	struct nbd_err *err;
	const char *name;          /* export name for INFO/GO/EXPORT_NAME/META */
	size_t namelen;
	int tls_wanted;            /* STARTTLS first; anything but ACK is fatal */
	const char *meta_query;    /* GOAL_META: SET_META_CONTEXT with this query
				    * (e.g. "base:allocation") instead of LIST */
	nbd_starttls_fn starttls;  /* NULL: built without TLS */
	void *starttls_ctx;        /* its ctx: the struct nbd_tls_ctx */
	/* LIST entries and meta contexts, as they arrive; strings borrow the
	 * reply buffer. Return -1 (after filling hs->err) to stop. */
	int (*on_server)(void *ctx, struct nbd_str name, struct nbd_str desc);
	int (*on_meta)(void *ctx, uint32_t id, struct nbd_str name);
	void *cb_ctx;

	/* Results. */
	int style;                 /* enum nbd_style */
	uint16_t gflags;           /* server handshake flags */
	uint32_t cflags;           /* client flags we sent */
	int tls_done;              /* TLS is up on hs->io */
	int replies_in_tls;        /* option replies read since TLS came up */
	int sr_done;               /* structured replies agreed (probe only) */
	int meta_unsup;            /* server offers no meta contexts */
	struct nbd_export exp;

	/* Private to hs.c. */
	int state, goal, reached, expect;
	uint32_t opt;              /* option whose replies we are reading */
	size_t need;               /* bytes of a fixed-size answer */
	size_t outlen;
	uint8_t out[NBD_MAX_OPT_LEN];
	uint8_t in[NBD_MAX_REPLY];
};

void nbd_hs_init(struct nbd_hs *hs, struct nbd_io *io, struct nbd_err *err);
void nbd_hs_set_name(struct nbd_hs *hs, const char *name, size_t len);
/* Drive the handshake until goal is reached. 0, or -1 with hs->err set.
 * Goals may follow each other on one connection: LIST, then INFO per
 * export, then ABORT; or META, then GO. */
int nbd_hs_run(struct nbd_hs *hs, int goal);
/* In transmission phase: send NBD_CMD_DISC (then the caller closes). */
int nbd_hs_disc(struct nbd_hs *hs);
/* End politely whatever the phase (ABORT or DISC), close hs->io. */
void nbd_hs_close(struct nbd_hs *hs);
/* A later handshake of the export the kernel already has (another of -C N
 * connections, or a --persist reconnect): is it still the same thing? NULL
 * if so, else why not (into buf): another size, read-only now when the
 * device is writable (writable), a command the kernel was told it may
 * send (flush, FUA, trim, write zeroes) no longer offered, or no
 * CAN_MULTI_CONN any more for several connections (multi). Pure. */
const char *nbd_export_changed(const struct nbd_export *was, const struct nbd_export *now,
			       int writable, int multi, char *buf, size_t len);
/* Which exit class an NBD_REP_ERR_* reply means. */
int nbd_rep_err_class(uint32_t type);
const char *nbd_style_name(int style);

#endif
