/* The nbd generic netlink family (linux/nbd-netlink.h): CONNECT,
 * RECONFIGURE, DISCONNECT, STATUS and LINK_DEAD events. Messages are built
 * with nlmsg.c and sent through the one socket module, genl.c. */
//config:config NETLINK
//config:	bool "Generic netlink interface to the nbd driver"
//config:	default y
//config:	depends on PLATFORM_LINUX
//config:	help
//config:	  Configure devices with NBD_CMD_CONNECT and friends. Without it
//config:	  only the ioctl path is used.
#include <errno.h>
#include <linux/netlink.h>
#include <linux/nbd-netlink.h>
#include "genl.h"
#include "kerr.h"
#include "platform.h"

/* Built with CONFIG_NETLINK only (nonl.c stands in without it).
 * Static storage rather than malloc: a static build then carries no
 * allocator. One request socket at a time, and one monitor (the --persist
 * daemon holds both). */
static struct genl req_g;
static uint8_t req_buf[GENL_BUFSZ];

/* Open a socket and resolve "nbd": 0, else err is set and the socket
 * closed. 1: not available (no netlink socket, or no family: the module
 * is not loaded, or the kernel predates netlink support); -1: an error. */
static int nbd_genl(struct genl *g, const char *mcgrp, struct nbd_err *err)
{
	int r;

	if (genl_open(g, err) < 0)
		return err && err->code == NBX_NOTSUP ? 1 : -1;
	r = genl_resolve(g, NBD_GENL_FAMILY_NAME, mcgrp, err);
	if (r) {
		genl_close(g);
		if (r > 0)
			nbd_seterr(err, NBX_KERNEL, ENOENT,
				   "netlink family \"nbd\" not found: nbd module not loaded (modprobe nbd)");
	}
	return r;
}

int nbd_nl_available(struct nbd_err *err)
{
	int r;

	if (!(r = nbd_genl(&req_g, NULL, err)))
		genl_close(&req_g);
	return r < 0 ? -1 : !r;
}

static void put_conf(struct nlbuf *b, const struct nbd_devconf *c, int with_sizes)
{
	size_t socks;
	int i;

	if (with_sizes) {
		nl_put_u64(b, NBD_ATTR_SIZE_BYTES, c->size);
		nl_put_u64(b, NBD_ATTR_BLOCK_SIZE_BYTES, c->block_size);
		nl_put_u64(b, NBD_ATTR_SERVER_FLAGS, c->tflags);
		nl_put_u64(b, NBD_ATTR_CLIENT_FLAGS, 0);
	}
	if (c->timeout_s)
		nl_put_u64(b, NBD_ATTR_TIMEOUT, c->timeout_s);
	if (c->dead_timeout_s)
		nl_put_u64(b, NBD_ATTR_DEAD_CONN_TIMEOUT, c->dead_timeout_s);
	if (c->identifier)
		nl_put_str(b, NBD_ATTR_BACKEND_IDENTIFIER, c->identifier);
	socks = nl_nest_start(b, NBD_ATTR_SOCKETS);
	for (i = 0; i < c->nfds; i++) {
		size_t item = nl_nest_start(b, NBD_SOCK_ITEM);
		nl_put_u32(b, NBD_SOCK_FD, (uint32_t)c->fds[i]);
		nl_nest_end(b, item);
	}
	nl_nest_end(b, socks);
}

/* The device an nbd message names: 1 with *index set, 0 if it names none. */
static int msg_index(const uint8_t *attrs, size_t alen, int *index)
{
	struct nlattr_v a;
	uint32_t idx;

	if (nl_attr_find(attrs, alen, NBD_ATTR_INDEX, &a) != 1 || nl_attr_u32(&a, &idx) < 0)
		return 0;
	*index = (int)idx;
	return 1;
}

static int on_connect(void *ctx, uint8_t cmd, const uint8_t *attrs, size_t alen,
		      struct nbd_err *err)
{
	(void)cmd;
	(void)err;
	msg_index(attrs, alen, ctx);
	return 0;
}

/* One request about device index (none if < 0) with the configuration c
 * (if not NULL; with the sizes for CONNECT); cb sees the replies (with
 * ctx). */
static int simple_cmd(uint8_t cmd, const char *what, const struct nbd_devconf *c,
		      int index, genl_reply_fn cb, void *ctx, struct nbd_err *err)
{
	struct genl *g = &req_g;
	struct nlbuf b;
	int r;

	if (nbd_genl(g, NULL, err))
		return -1;
	genl_req(g, &b, req_buf, cmd, 0);
	if (index >= 0)
		nl_put_u32(&b, NBD_ATTR_INDEX, (uint32_t)index);
	if (c)
		put_conf(&b, c, cmd == NBD_CMD_CONNECT);
	r = genl_talk(g, &b, what, cb, ctx, err);
	if (r < 0 && err) /* say what the errno means for the device */
		nbd_kerr(err, err->code ? err->code : NBX_KERNEL, err->errnum, index, what, NULL);
	genl_close(g);
	return r;
}

int nbd_nl_connect(const struct nbd_devconf *c, int *index, struct nbd_err *err)
{
	*index = c->index;
	if (simple_cmd(NBD_CMD_CONNECT, "NBD_CMD_CONNECT", c, c->index, on_connect, index, err) < 0)
		return -1;
	if (*index < 0)
		return nbd_seterr(err, NBX_KERNEL, EPROTO,
				  "NBD_CMD_CONNECT: the kernel did not say which device it used");
	return 0;
}

int nbd_nl_reconfigure(const struct nbd_devconf *c, struct nbd_err *err)
{
	return simple_cmd(NBD_CMD_RECONFIGURE, "NBD_CMD_RECONFIGURE", c, c->index, NULL, NULL, err);
}

int nbd_nl_disconnect(int index, struct nbd_err *err)
{
	return simple_cmd(NBD_CMD_DISCONNECT, "NBD_CMD_DISCONNECT", NULL, index, NULL, NULL, err);
}

/* NBD_CMD_STATUS, one device: [DEVICE_LIST [DEVICE_ITEM [DEVICE_INDEX u32]
 * [DEVICE_CONNECTED u8]]]. */
static int on_status(void *ctx, uint8_t cmd, const uint8_t *attrs, size_t alen,
		     struct nbd_err *err)
{
	struct nlattr_v list, item, a;
	size_t off = 0;
	uint8_t conn = 0;

	(void)cmd;
	(void)err;
	if (nl_attr_find(attrs, alen, NBD_ATTR_DEVICE_LIST, &list) == 1 &&
	    nl_attr_next(list.p, list.len, &off, &item) == 1 && item.type == NBD_DEVICE_ITEM &&
	    nl_attr_find(item.p, item.len, NBD_DEVICE_CONNECTED, &a) == 1 &&
	    nl_attr_u8(&a, &conn) == 0)
		*(int *)ctx = conn;
	return 0;
}

int nbd_nl_connected(int index, struct nbd_err *err)
{
	int connected = -1;

	if (simple_cmd(NBD_CMD_STATUS, "NBD_CMD_STATUS", NULL, index, on_status, &connected, err) < 0)
		return -1;
	if (connected < 0)
		return nbd_seterr(err, NBX_KERNEL, EPROTO, "/dev/nbd%d: NBD_CMD_STATUS: no device in the answer",
				  index);
	return connected;
}

struct nbd_nl_mon {
	struct genl g;
};

struct nbd_nl_mon *nbd_nl_mon_open(struct nbd_err *err)
{
	static struct nbd_nl_mon mon;
	struct nbd_nl_mon *m = &mon;

	if (nbd_genl(&m->g, NBD_GENL_MCAST_GROUP_NAME, err))
		return NULL;
	if (genl_join(&m->g, err) < 0) {
		nbd_nl_mon_close(m);
		return NULL;
	}
	return m;
}

int nbd_nl_mon_wait(struct nbd_nl_mon *m, int index, int timeout_ms, struct nbd_err *err)
{
	long n = genl_recv_event(&m->g, timeout_ms, err);
	size_t off = 0;
	struct nlmsg msg;
	int count = 0;

	if (n <= 0)
		return n < 0 ? -1 : 0;
	/* One datagram may carry several events (one per dead socket). */
	while (nl_next(m->g.rx, (size_t)n, &off, &msg) == 1) {
		uint8_t cmd;
		const uint8_t *attrs;
		size_t alen;
		int i;

		if (msg.type != m->g.family || nl_genl(&msg, &cmd, &attrs, &alen) < 0 ||
		    cmd != NBD_CMD_LINK_DEAD)
			continue;
		if (msg_index(attrs, alen, &i) && i == index)
			count++;
	}
	return count;
}

void nbd_nl_mon_close(struct nbd_nl_mon *m)
{
	if (!m)
		return;
	genl_close(&m->g);
}
