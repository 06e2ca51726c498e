/* Fuzz target: the server's replies in transmission phase, fed to the
 * reply parser (core/xmit.c) through the memory transport. The first byte
 * picks structured replies, base:allocation and the transport's chunking;
 * a READ, a second READ, a BLOCK_STATUS and a WRITE are in flight; the
 * rest is what the "server" says. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "memio.h"
#include "xmit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nbd_hs hs;
	static uint8_t out[1 << 16], rbuf[2][8192], wbuf[NBD_REQUEST_LEN + 512];
	static struct nbd_extent ext[8];
	struct nbd_xop op[4];
	struct nbd_memio m = { 0 };
	struct nbd_xconn x;
	struct nbd_io io;
	struct nbd_err err;
	uint8_t mode;
	int i;

	if (size < 1)
		return 0;
	mode = data[0];
	m.in = data + 1;
	m.inlen = size - 1;
	m.out = out;
	m.outcap = sizeof out;
	m.max_chunk = (mode & 0x40) ? 3 : 0;
	nbd_memio_init(&io, &m, "fuzz:0");
	memset(&hs, 0, sizeof hs);
	hs.exp.size = 1 << 20;
	hs.exp.tflags = NBD_TF_HAS_FLAGS | NBD_TF_SEND_FLUSH | NBD_TF_SEND_FUA;
	hs.exp.bs_max = (mode & 0x20) ? 4096 : 0;
	hs.sr_done = mode & 1;
	nbd_x_init(&x, &io, &hs, (mode & 2) ? 1 : -1, &err);
	op[2].ext = ext;
	op[2].cap = (mode & 4) ? 1 : 8;
	if (nbd_x_submit(&x, &op[0], NBD_CMD_READ, 0, 0, 4096, rbuf[0]) < 0 ||
	    nbd_x_submit(&x, &op[1], NBD_CMD_READ, 0, 4096, 8192 > x.max_len ? x.max_len : 8192,
			 rbuf[1]) < 0 ||
	    (x.have_meta && nbd_x_submit(&x, &op[2], NBD_CMD_BLOCK_STATUS, 0, 0, 65536, NULL) < 0) ||
	    nbd_x_submit(&x, &op[3], NBD_CMD_WRITE, NBD_CMD_FLAG_FUA, 512, 512,
			 wbuf + NBD_REQUEST_LEN) < 0)
		return 0;
	while (x.inflight && nbd_x_recv(&x) == 0)
		;
	for (i = 0; i < 4; i++)
		if (op[i].done)
			nbd_x_check(&x, &op[i], &err);
	return 0;
}
