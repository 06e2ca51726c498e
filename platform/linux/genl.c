/* Generic netlink socket: open, resolve, talk, multicast. See genl.h. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <stddef.h>
#include <time.h>
#include <unistd.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "genl.h"
#include "kerr.h"

int genl_open(struct genl *g, struct nbd_err *err)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1;

	memset(g, 0, offsetof(struct genl, rx));
	g->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	/* No netlink (EAFNOSUPPORT), or no generic netlink (EPROTONOSUPPORT:
	 * qemu-user, a kernel without it): "not available", the ioctl path. */
	if (g->fd < 0)
		return nbd_seterr(err, errno == EAFNOSUPPORT || errno == EPROTONOSUPPORT
				  ? NBX_NOTSUP : NBX_FAIL, errno,
				  "netlink: socket: %s", strerror(errno));
	if (bind(g->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		int e = errno;
		close(g->fd);
		g->fd = -1;
		return nbd_seterr(err, NBX_FAIL, e, "netlink: bind: %s", strerror(e));
	}
	/* Replies bigger than the buffer would be truncated silently; with
	 * EXT_ACK off, errors carry only the request's header. */
	setsockopt(g->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
	/* Sequence numbers need only differ between requests in flight; a
	 * time-based start keeps a late reply to an earlier process of the
	 * same port id from matching. */
	g->seq = (uint32_t)time(NULL);
	return 0;
}

void genl_close(struct genl *g)
{
	if (g->fd >= 0)
		close(g->fd);
	g->fd = -1;
}

void genl_req(struct genl *g, struct nlbuf *b, void *buf, uint8_t cmd, uint16_t flags)
{
	nl_init(b, buf, GENL_BUFSZ);
	nl_genl_start(b, g->family, (uint16_t)(NLM_F_REQUEST | NLM_F_ACK | flags), ++g->seq,
		      cmd, 1);
}

int genl_talk(struct genl *g, struct nlbuf *b, const char *what, genl_reply_fn cb,
	      void *ctx, struct nbd_err *err)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	size_t len = nl_end(b);
	uint32_t seq;

	if (!len)
		return nbd_seterr(err, NBX_FAIL, EMSGSIZE, "%s: request too large", what);
	memcpy(&seq, b->buf + 8, 4);
	if (sendto(g->fd, b->buf, len, 0, (struct sockaddr *)&kernel, sizeof kernel) < 0)
		return nbd_seterr(err, NBX_FAIL, errno, "%s: netlink send: %s", what, strerror(errno));
	for (;;) {
		struct sockaddr_nl from;
		socklen_t fl = sizeof from;
		ssize_t n = recvfrom(g->fd, g->rx, sizeof g->rx, 0, (struct sockaddr *)&from, &fl);
		size_t off = 0;
		struct nlmsg m;
		int r;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return nbd_seterr(err, NBX_FAIL, errno, "%s: netlink receive: %s",
					  what, strerror(errno));
		}
		if (from.nl_pid != 0)
			continue; /* not from the kernel */
		while ((r = nl_next(g->rx, (size_t)n, &off, &m)) == 1) {
			uint8_t cmd;
			const uint8_t *attrs;
			size_t alen;
			int e;

			if (m.seq != seq)
				continue; /* a stale answer, or an event */
			if (m.type == NLMSG_ERROR) {
				if ((e = nl_error(&m)) < 0)
					return nbd_seterr(err, NBX_FAIL, EPROTO,
							  "%s: truncated netlink error", what);
				if (!e)
					return 0;
				return nbd_seterr(err, nbd_kerr_class(e), e, "%s: %s", what, strerror(e));
			}
			if (m.type == NLMSG_DONE)
				return 0;
			if (m.type < NLMSG_MIN_TYPE)
				continue;
			if (nl_genl(&m, &cmd, &attrs, &alen) < 0)
				return nbd_seterr(err, NBX_FAIL, EPROTO, "%s: short genetlink reply", what);
			if (cb && cb(ctx, cmd, attrs, alen, err) < 0)
				return -1;
		}
		if (r < 0)
			return nbd_seterr(err, NBX_FAIL, EPROTO, "%s: malformed netlink reply", what);
	}
}

struct resolve {
	const char *mcgrp;
	uint16_t family;
	uint32_t grp;
};

static int on_family(void *ctx, uint8_t cmd, const uint8_t *attrs, size_t alen,
		     struct nbd_err *err)
{
	struct resolve *r = ctx;
	struct nlattr_v a, item, f;
	size_t off = 0;
	int k;

	(void)cmd;
	if (nl_attr_find(attrs, alen, CTRL_ATTR_FAMILY_ID, &a) != 1 ||
	    nl_attr_u16(&a, &r->family) < 0)
		return nbd_seterr(err, NBX_FAIL, EPROTO, "CTRL_CMD_GETFAMILY: reply without family id");
	if (!r->mcgrp || nl_attr_find(attrs, alen, CTRL_ATTR_MCAST_GROUPS, &a) != 1)
		return 0;
	/* [MCAST_GROUPS] [n] [GRP_NAME "..."] [GRP_ID u32] */
	while ((k = nl_attr_next(a.p, a.len, &off, &item)) == 1) {
		char name[GENL_NAMSIZ];
		uint32_t id;
		if (nl_attr_find(item.p, item.len, CTRL_ATTR_MCAST_GRP_NAME, &f) != 1 ||
		    nl_attr_str(&f, name, sizeof name) < 0 || strcmp(name, r->mcgrp))
			continue;
		if (nl_attr_find(item.p, item.len, CTRL_ATTR_MCAST_GRP_ID, &f) == 1 &&
		    nl_attr_u32(&f, &id) == 0)
			r->grp = id;
	}
	return 0;
}

int genl_resolve(struct genl *g, const char *name, const char *mcgrp, struct nbd_err *err)
{
	struct nlbuf b;
	struct resolve r = { mcgrp, 0, 0 };

	/* The request is sent before any reply lands in rx. */
	g->family = GENL_ID_CTRL;
	genl_req(g, &b, g->rx, CTRL_CMD_GETFAMILY, 0);
	nl_put_str(&b, CTRL_ATTR_FAMILY_NAME, name);
	if (genl_talk(g, &b, "CTRL_CMD_GETFAMILY", on_family, &r, err) < 0) {
		if (err && err->errnum == ENOENT)
			return 1;
		return -1;
	}
	if (!r.family)
		return 1;
	g->family = r.family;
	g->mcgrp = r.grp;
	if (mcgrp && !r.grp)
		return nbd_seterr(err, NBX_NOTSUP, ENOENT, "netlink: family %s has no group %s",
				  name, mcgrp);
	return 0;
}

int genl_join(struct genl *g, struct nbd_err *err)
{
	if (setsockopt(g->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &g->mcgrp, sizeof g->mcgrp) < 0)
		return nbd_seterr(err, NBX_FAIL, errno, "netlink: join multicast group: %s",
				  strerror(errno));
	return 0;
}

long genl_recv_event(struct genl *g, int timeout_ms, struct nbd_err *err)
{
	struct pollfd p = { .fd = g->fd, .events = POLLIN };
	ssize_t n;
	int r;

	do
		r = poll(&p, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return nbd_seterr(err, NBX_FAIL, errno, "netlink: poll: %s", strerror(errno));
	if (r == 0)
		return 0;
	n = recv(g->fd, g->rx, sizeof g->rx, 0);
	if (n < 0) {
		/* ENOBUFS: events were lost; the caller re-checks state. */
		if (errno == ENOBUFS || errno == EINTR || errno == EAGAIN)
			return 0;
		return nbd_seterr(err, NBX_FAIL, errno, "netlink: receive: %s", strerror(errno));
	}
	return (long)n;
}
