/* The kernel TLS ULP's crypto_info for one direction, built from what
 * wolfSSL's getters give. Pure (unit-tested against known bytes); the
 * setsockopt calls live in ktls-handoff.c. */
#include <stdint.h>
#include <string.h>
#include <linux/tls.h>
#include "be.h"
#include "tls.h"

/* The kernel's layouts: one per cipher, the same head. */
union ktls_info {
	struct tls_crypto_info base;
	struct tls12_crypto_info_aes_gcm_128 g128;
	struct tls12_crypto_info_aes_gcm_256 g256;
	struct tls12_crypto_info_chacha20_poly1305 cc;
};

/* One direction's crypto_info from key, the IV as wolfSSL keeps it and the
 * record sequence number. Returns its size, 0 if the kernel cannot take
 * it. TLS 1.3 and ChaCha: the whole static IV is salt+iv (the nonce is IV
 * xor seq). TLS 1.2 AES-GCM: wolfSSL holds the 4-byte implicit salt; the
 * 8-byte explicit nonce is ours to choose per record as long as it never
 * repeats under this key, and the kernel counts on from iv, so start it at
 * the sequence number as GnuTLS does. */
size_t nbd_ktls_info(void *out, int tls13, int aead, int keysz,
		     const unsigned char *key, const unsigned char *iv, int ivsz,
		     uint64_t seq)
{
	union ktls_info *ki = out;

	memset(ki, 0, sizeof *ki);
	ki->base.version = tls13 ? TLS_1_3_VERSION : TLS_1_2_VERSION;
	if (aead == NBD_KTLS_CHACHA && keysz == 32 && ivsz == 12) {
		ki->base.cipher_type = TLS_CIPHER_CHACHA20_POLY1305;
		memcpy(ki->cc.key, key, 32);
		memcpy(ki->cc.iv, iv, 12);
		nbd_put64(ki->cc.rec_seq, seq);
		return sizeof ki->cc;
	}
	if (aead != NBD_KTLS_AES_GCM || ivsz != (tls13 ? 12 : 4))
		return 0;
	if (keysz == 16) {
		ki->base.cipher_type = TLS_CIPHER_AES_GCM_128;
		memcpy(ki->g128.key, key, 16);
		memcpy(ki->g128.salt, iv, 4);
		if (tls13)
			memcpy(ki->g128.iv, iv + 4, 8);
		else
			nbd_put64(ki->g128.iv, seq);
		nbd_put64(ki->g128.rec_seq, seq);
		return sizeof ki->g128;
	}
	if (keysz == 32) {
		ki->base.cipher_type = TLS_CIPHER_AES_GCM_256;
		memcpy(ki->g256.key, key, 32);
		memcpy(ki->g256.salt, iv, 4);
		if (tls13)
			memcpy(ki->g256.iv, iv + 4, 8);
		else
			nbd_put64(ki->g256.iv, seq);
		nbd_put64(ki->g256.rec_seq, seq);
		return sizeof ki->g256;
	}
	return 0;
}

_Static_assert(sizeof(union ktls_info) <= NBD_KTLS_INFO_MAX, "NBD_KTLS_INFO_MAX too small");
