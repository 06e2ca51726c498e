/* The one netlink socket module: it alone owns sequence numbers, ACKs and
 * NLMSG_ERROR (iproute2's rtnl_talk, without printing or exiting). */
#ifndef NBDBOX_GENL_H
#define NBDBOX_GENL_H

#include <stdint.h>
#include "err.h"
#include "nlmsg.h"

#define GENL_BUFSZ 8192

struct genl {
	int fd;
	uint32_t seq;
	uint16_t family;        /* 0 until genl_resolve (the controller during it) */
	uint32_t mcgrp;         /* multicast group id, 0 if none asked for */
	uint8_t rx[GENL_BUFSZ];
};

/* Called with each reply message of the request (not the ACK). Return -1
 * after filling err to fail the talk. */
typedef int (*genl_reply_fn)(void *ctx, uint8_t cmd, const uint8_t *attrs,
			     size_t alen, struct nbd_err *err);

int genl_open(struct genl *g, struct nbd_err *err);
void genl_close(struct genl *g);
/* Resolve family `name` (CTRL_CMD_GETFAMILY) and, when mcgrp is not NULL,
 * the id of that multicast group. 0 ok, 1 no such family, -1 err. */
int genl_resolve(struct genl *g, const char *name, const char *mcgrp,
		 struct nbd_err *err);
/* Start a request to the resolved family in b (buf of GENL_BUFSZ). */
void genl_req(struct genl *g, struct nlbuf *b, void *buf, uint8_t cmd, uint16_t flags);
/* Send b, read replies to cb until the ACK. what names the step in
 * messages ("NBD_CMD_CONNECT"). A kernel error fills err with its errno
 * and class (nbd_kerr_class, kerr.h) and returns -1. */
int genl_talk(struct genl *g, struct nlbuf *b, const char *what, genl_reply_fn cb,
	      void *ctx, struct nbd_err *err);
/* Join the resolved multicast group. */
int genl_join(struct genl *g, struct nbd_err *err);
/* Receive one datagram of events into g->rx, waiting up to timeout_ms
 * (<0 forever). Returns its length, 0 on timeout, -1 on error. */
long genl_recv_event(struct genl *g, int timeout_ms, struct nbd_err *err);

#endif
