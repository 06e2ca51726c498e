/* Fuzz target: the server's byte stream, fed to the handshake through the
 * memory transport. The first byte picks the goals and the client's
 * wishes; the rest is what the "server" says. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "hs.h"
#include "memio.h"

static int on_server(void *ctx, struct nbd_str n, struct nbd_str d)
{
	volatile char sink;

	(void)ctx;
	if (n.len)
		sink = n.p[n.len - 1];
	if (d.len)
		sink = d.p[d.len - 1];
	(void)sink;
	return 0;
}

static int on_meta(void *ctx, uint32_t id, struct nbd_str n)
{
	(void)ctx;
	(void)id;
	return n.len > 4096 ? -1 : 0;
}

static int fake_starttls(struct nbd_io *io, void *ctx, struct nbd_err *err)
{
	(void)io;
	(void)ctx;
	(void)err;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nbd_hs hs;
	static uint8_t out[1 << 16];
	struct nbd_memio m = { 0 };
	struct nbd_io io;
	struct nbd_err err;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	m.in = data + 1;
	m.inlen = size - 1;
	m.out = out;
	m.outcap = sizeof out;
	m.max_chunk = (mode & 0x40) ? 3 : 0;
	nbd_memio_init(&io, &m, "fuzz:0");
	nbd_hs_init(&hs, &io, &err);
	nbd_hs_set_name(&hs, "export", 6);
	hs.on_server = on_server;
	hs.on_meta = on_meta;
	hs.tls_wanted = mode & 0x80;
	hs.starttls = (mode & 0x20) ? fake_starttls : NULL;
	switch (mode & 3) {
	case 0:
		if (nbd_hs_run(&hs, NBD_GOAL_LIST) == 0)
			nbd_hs_run(&hs, NBD_GOAL_INFO);
		break;
	case 1:
		if (nbd_hs_run(&hs, NBD_GOAL_META) == 0)
			nbd_hs_run(&hs, NBD_GOAL_GO);
		break;
	default:
		nbd_hs_run(&hs, NBD_GOAL_GO);
		break;
	}
	nbd_hs_close(&hs);
	return 0;
}
