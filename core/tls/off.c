/* CONFIG_TLS off (Kbuild picks this file instead of the other core/tls/ files): every entry
 * point says so. See tls.h. */
#include "tls.h"

struct nbd_tls_ctx *nbd_tls_ctx_new(const struct nbd_tls_conf *conf, struct nbd_err *err)
{
	(void)conf;
	nbd_seterr(err, NBX_TLS, 0, "TLS requested, but nbdbox was built without TLS");
	return NULL;
}

void nbd_tls_ctx_free(struct nbd_tls_ctx *ctx)
{
	(void)ctx;
}

int nbd_tls_starttls(struct nbd_io *io, void *ctx, struct nbd_err *err)
{
	(void)ctx;
	return nbd_seterr_peer(err, io->peer, NBX_TLS, 0, "built without TLS");
}

int nbd_tls_active(const struct nbd_io *io, char *buf, size_t len)
{
	(void)io;
	if (len)
		buf[0] = 0;
	return 0;
}

int nbd_tls_ktls(struct nbd_io *io, struct nbd_err *err)
{
	return nbd_seterr_peer(err, io->peer, NBX_TLS, 0, "built without TLS");
}

int nbd_tls_relay_ready(const struct nbd_io *io, struct nbd_err *err)
{
	return nbd_seterr_peer(err, io->peer, NBX_TLS, 0, "built without TLS");
}

int nbd_tls_relay_run(struct nbd_io *io, int kernel_fd, struct nbd_err *err)
{
	(void)kernel_fd;
	return nbd_seterr_peer(err, io->peer, NBX_TLS, 0, "built without TLS");
}

void nbd_tls_forget(struct nbd_io *io)
{
	nbd_io_close(io);
}
