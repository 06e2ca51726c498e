/* The kTLS hand-off: the TLS session's keys and sequence numbers into the
 * kernel's TLS ULP on the same TCP socket (crypto_info from ktls-info.c), after
 * which the socket goes to the nbd driver. See tls.h. */
#include <errno.h>
#include <fcntl.h>
#include <linux/tls.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include "int.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

/* The keys out of our memory once the kernel has them (or will not):
 * explicit_bzero, which the compiler may not drop as a memset of locals
 * about to die. */
static void wipe_keys(void *tx, void *rx, size_t n)
{
	explicit_bzero(tx, n);
	explicit_bzero(rx, n);
}

int nbd_tls_ktls(struct nbd_io *io, struct nbd_err *err)
{
	struct tls_sess *s = nbd_tls_sess_of(io);
	union { struct tls_crypto_info base; unsigned char b[NBD_KTLS_INFO_MAX]; } tx, rx;
	size_t txlen, rxlen;
	word64 wseq = 0, rseq = 0;
	int ver, tls13, cipher, aead, keysz, ivsz, avail = 0, fd = io->fd, type = 0;
	socklen_t tl = sizeof type;
	const char *why = NULL;

	if (!s)
		return nbd_seterr_peer(err, io->peer, NBX_NOTSUP, 0, "kTLS: not a TLS connection");
	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) < 0 || type != SOCK_STREAM)
		why = "not a stream socket";
	ver = wolfSSL_version(s->ssl);
	tls13 = ver == TLS1_3_VERSION;
	cipher = wolfSSL_GetBulkCipher(s->ssl);
	keysz = wolfSSL_GetKeySize(s->ssl);
	ivsz = wolfSSL_GetIVSize(s->ssl);
	/* A record wolfSSL already read (or half-read) would be lost to the
	 * kernel, and so would bytes the kernel holds but wolfSSL has not
	 * seen yet: both would desynchronise the record sequence. */
	if (!why && nbd_io_pending(io))
		why = "reply bytes still buffered in the transport";
	if (!why && (wolfSSL_pending(s->ssl) > 0 || wolfSSL_has_pending(s->ssl)))
		why = "TLS data still buffered in wolfSSL";
	if (!why && (ioctl(fd, FIONREAD, &avail) < 0 || avail != 0))
		why = "unread bytes on the socket";
	if (!why && ver != TLS1_2_VERSION && ver != TLS1_3_VERSION)
		why = "protocol version the kernel does not take";
	if (!why && (wolfSSL_GetSequenceNumber(s->ssl, &wseq) < 0 ||
		     wolfSSL_GetPeerSequenceNumber(s->ssl, &rseq) < 0))
		why = "cannot read the record sequence numbers";
	if (why)
		return nbd_seterr_peer(err, io->peer, NBX_NOTSUP, 0, "kTLS: %s", why);
	/* We are the client: we send with the client keys. */
	aead = cipher == wolfssl_chacha ? NBD_KTLS_CHACHA :
	       cipher == wolfssl_aes_gcm ? NBD_KTLS_AES_GCM : -1;
	txlen = nbd_ktls_info(&tx, tls13, aead, keysz, wolfSSL_GetClientWriteKey(s->ssl),
			      wolfSSL_GetClientWriteIV(s->ssl), ivsz, wseq);
	rxlen = nbd_ktls_info(&rx, tls13, aead, keysz, wolfSSL_GetServerWriteKey(s->ssl),
			      wolfSSL_GetServerWriteIV(s->ssl), ivsz, rseq);
	if (!txlen || !rxlen) {
		wipe_keys(&tx, &rx, sizeof tx);
		return nbd_seterr_peer(err, io->peer, NBX_NOTSUP, 0,
				       "kTLS: cipher %s is not one the kernel takes",
				       wolfSSL_get_cipher_name(s->ssl));
	}
	if (setsockopt(fd, SOL_TCP, TCP_ULP, "tls", sizeof "tls") < 0) {
		int e = errno;
		wipe_keys(&tx, &rx, sizeof tx);
		return nbd_seterr_peer(err, io->peer, NBX_NOTSUP, e,
				       "kTLS: TCP_ULP tls: %s%s", strerror(e),
				       e == ENOENT ? " (is the tls module loaded?)" : "");
	}
	/* Until TLS_TX is set the ULP passes bytes through untouched, so a
	 * failure here still leaves the session usable for the relay. */
	if (setsockopt(fd, SOL_TLS, TLS_TX, &tx, (socklen_t)txlen) < 0) {
		int e = errno;
		wipe_keys(&tx, &rx, sizeof tx);
		return nbd_seterr_peer(err, io->peer, NBX_NOTSUP, e,
				       "kTLS: TLS_TX %s: %s%s", wolfSSL_get_cipher_name(s->ssl),
				       strerror(e), e == ENOENT ? " (crypto modules missing?)" : "");
	}
	if (setsockopt(fd, SOL_TLS, TLS_RX, &rx, (socklen_t)rxlen) < 0) {
		int e = errno;
		wipe_keys(&tx, &rx, sizeof tx);
		nbd_tls_drop(io, 1);
		return nbd_seterr_peer(err, io->peer, NBX_TLS, e,
				       "kTLS: TLS_RX: %s; the connection is lost", strerror(e));
	}
	wipe_keys(&tx, &rx, sizeof tx);
	/* The kernel owns the record layer now: no close_notify, ever. */
	nbd_tls_drop(io, 0);
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}
