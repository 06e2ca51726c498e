/* Pure TLS pieces: PSK files and the kTLS crypto_info built from keys. */
#include <linux/tls.h>
#include "unit.h"
#include "tls.h"

static char id[NBD_PSK_MAX_ID + 1];
static unsigned char key[NBD_PSK_MAX_KEY];
static size_t klen;
static const char *why;

#define PSK(text, user) nbd_psk_find(text, strlen(text), user, id, key, &klen, &why)

TEST(psk_single_entry)
{
	CHECK(PSK("alice:00ff10Ab\n", NULL) == 0);
	CHECK(!strcmp(id, "alice"));
	CHECK_EQ(klen, 4);
	CHECK(key[0] == 0 && key[1] == 0xff && key[2] == 0x10 && key[3] == 0xab);
	/* No final newline, CRLF, comments and blank lines. */
	CHECK(PSK("# keys\n\nalice:0102\r\n", "alice") == 0 && klen == 2 && key[1] == 2);
	CHECK(PSK("alice:0102", "alice") == 0 && klen == 2);
}

TEST(psk_pick_user)
{
	const char *f = "alice:0011\nbob:aabbcc\ncarol:ff\n";

	CHECK(PSK(f, "bob") == 0 && !strcmp(id, "bob") && klen == 3 && key[2] == 0xcc);
	CHECK(PSK(f, "carol") == 0 && klen == 1 && key[0] == 0xff);
	CHECK(PSK(f, "dave") < 0);
	CHECK_STR(why, "no entry");
	CHECK(PSK(f, NULL) < 0);
	CHECK_STR(why, "more than one user");
	/* A prefix is not a match. */
	CHECK(PSK(f, "al") < 0);
	CHECK(PSK(f, "alicex") < 0);
}

TEST(psk_bad_files)
{
	CHECK(PSK("", NULL) < 0);
	CHECK_STR(why, "no username:hexkey");
	CHECK(PSK("\n# only a comment\n", NULL) < 0);
	CHECK(PSK("alice\n", NULL) < 0);
	CHECK_STR(why, "not username:hexkey");
	CHECK(PSK(":0011\n", NULL) < 0);
	CHECK(PSK("alice:\n", NULL) < 0);
	CHECK(PSK("alice:abc\n", NULL) < 0);        /* odd digit count */
	CHECK_STR(why, "hex digits");
	CHECK(PSK("alice:zz\n", NULL) < 0);
	CHECK_STR(why, "not hexadecimal");
	CHECK(PSK("alice:00 11\n", "alice") < 0);
}

TEST(psk_bounds)
{
	char f[400], user[200];

	/* 64 key bytes are the most wolfSSL takes; 65 are refused. */
	memset(f, 0, sizeof f);
	strcpy(f, "u:");
	memset(f + 2, 'a', 128);
	CHECK(PSK(f, NULL) == 0 && klen == 64 && key[63] == 0xaa);
	memset(f + 2, 'a', 130);
	CHECK(PSK(f, NULL) < 0);
	/* Identity of 128 bytes fits, 129 does not. */
	memset(user, 'x', 129);
	user[129] = 0;
	snprintf(f, sizeof f, "%s:00", user);
	CHECK(PSK(f, NULL) < 0);
	CHECK_STR(why, "longer than 128");
	user[128] = 0;
	snprintf(f, sizeof f, "%s:00", user);
	CHECK(PSK(f, NULL) == 0 && strlen(id) == 128);
	/* The other users' entries are not judged. */
	CHECK(PSK("bad:zz\nok:01\n", "ok") == 0 && key[0] == 1);
}

static const unsigned char K[32] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
};
static const unsigned char IV[12] = {
	0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab,
};
static const unsigned char SEQ[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
#define SEQV 0x0102030405060708ULL

TEST(ktls_tls13_aes128)
{
	unsigned char out[NBD_KTLS_INFO_MAX];
	struct tls12_crypto_info_aes_gcm_128 *g = (void *)out;

	CHECK_EQ(nbd_ktls_info(out, 1, NBD_KTLS_AES_GCM, 16, K, IV, 12, SEQV), sizeof *g);
	CHECK_EQ(g->info.version, TLS_1_3_VERSION);
	CHECK_EQ(g->info.cipher_type, TLS_CIPHER_AES_GCM_128);
	CHECK(!memcmp(g->key, K, 16));
	/* The 12-byte IV splits: salt first 4, iv last 8. */
	CHECK(!memcmp(g->salt, IV, 4));
	CHECK(!memcmp(g->iv, IV + 4, 8));
	CHECK(!memcmp(g->rec_seq, SEQ, 8));
}

TEST(ktls_tls13_aes256)
{
	unsigned char out[NBD_KTLS_INFO_MAX];
	struct tls12_crypto_info_aes_gcm_256 *g = (void *)out;

	CHECK_EQ(nbd_ktls_info(out, 1, NBD_KTLS_AES_GCM, 32, K, IV, 12, 0), sizeof *g);
	CHECK_EQ(g->info.cipher_type, TLS_CIPHER_AES_GCM_256);
	CHECK(!memcmp(g->key, K, 32));
	CHECK(!memcmp(g->salt, IV, 4) && !memcmp(g->iv, IV + 4, 8));
	CHECK(g->rec_seq[0] == 0 && g->rec_seq[7] == 0);
}

TEST(ktls_chacha_whole_iv)
{
	unsigned char out[NBD_KTLS_INFO_MAX];
	struct tls12_crypto_info_chacha20_poly1305 *c = (void *)out;

	CHECK_EQ(nbd_ktls_info(out, 1, NBD_KTLS_CHACHA, 32, K, IV, 12, SEQV), sizeof *c);
	CHECK_EQ(c->info.cipher_type, TLS_CIPHER_CHACHA20_POLY1305);
	CHECK(!memcmp(c->iv, IV, 12));
	CHECK(!memcmp(c->key, K, 32));
	CHECK(!memcmp(c->rec_seq, SEQ, 8));
	/* TLS 1.2 ChaCha has the same shape. */
	CHECK_EQ(nbd_ktls_info(out, 0, NBD_KTLS_CHACHA, 32, K, IV, 12, SEQV), sizeof *c);
	CHECK_EQ(c->info.version, TLS_1_2_VERSION);
}

TEST(ktls_tls12_aes_gcm)
{
	unsigned char out[NBD_KTLS_INFO_MAX];
	struct tls12_crypto_info_aes_gcm_128 *g = (void *)out;

	/* wolfSSL keeps only the 4-byte implicit salt; the explicit nonce
	 * starts at the sequence number. */
	CHECK_EQ(nbd_ktls_info(out, 0, NBD_KTLS_AES_GCM, 16, K, IV, 4, SEQV), sizeof *g);
	CHECK_EQ(g->info.version, TLS_1_2_VERSION);
	CHECK(!memcmp(g->salt, IV, 4));
	CHECK(!memcmp(g->iv, SEQ, 8));
	CHECK(!memcmp(g->rec_seq, SEQ, 8));
}

TEST(ktls_refuses_what_the_kernel_cannot_take)
{
	unsigned char out[NBD_KTLS_INFO_MAX];

	CHECK_EQ(nbd_ktls_info(out, 1, 0, 16, K, IV, 12, 0), 0);          /* not AEAD */
	CHECK_EQ(nbd_ktls_info(out, 1, NBD_KTLS_AES_GCM, 24, K, IV, 12, 0), 0); /* AES-192 */
	CHECK_EQ(nbd_ktls_info(out, 1, NBD_KTLS_AES_GCM, 16, K, IV, 4, 0), 0);  /* 1.3 IV */
	CHECK_EQ(nbd_ktls_info(out, 0, NBD_KTLS_AES_GCM, 16, K, IV, 12, 0), 0); /* 1.2 IV */
	CHECK_EQ(nbd_ktls_info(out, 1, NBD_KTLS_CHACHA, 16, K, IV, 12, 0), 0);
}
